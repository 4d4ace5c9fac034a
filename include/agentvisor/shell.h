/* shell.h - from shell text to the list of simple commands that would run.
 *
 * This is the "normalize" stage for shell actions. The first implementation
 * (src/shell/split.c) splits lists and pipelines, removes quotes, expands
 * what it can statically and unwraps wrappers (sudo, env, sh -c, ...); the
 * full parser and static evaluator replace it behind this same interface. */
#ifndef AGENTVISOR_SHELL_H
#define AGENTVISOR_SHELL_H

#include "agentvisor/action.h"
#include "agentvisor/common.h"

/* Work limits: hitting one makes the result `truncated` with a reason, which
 * the pipeline turns into a finding (never an allow). */
#define AV_SHELL_MAX_COMMANDS 1024
#define AV_SHELL_MAX_ARGS     4096 /* per command */
#define AV_SHELL_MAX_DEPTH    8    /* nested sh -c / eval / wrappers */
#define AV_SHELL_MAX_WORD     ((size_t)1 << 20)

enum av_redir_op {
	AV_REDIR_IN = 0,     /* <  */
	AV_REDIR_OUT,        /* >  */
	AV_REDIR_APPEND,     /* >> */
	AV_REDIR_CLOBBER,    /* >| */
	AV_REDIR_INOUT,      /* <> */
	AV_REDIR_DUP_IN,     /* <& */
	AV_REDIR_DUP_OUT,    /* >& */
	AV_REDIR_OUT_ERR,    /* &> and &>> */
	AV_REDIR_HEREDOC,    /* << and <<- (target = body) */
	AV_REDIR_HERESTRING, /* <<< (target = word) */
};

struct av_redir {
	int fd; /* the fd redirected; -1 for &> (both 1 and 2) */
	enum av_redir_op op;
	const char *target; /* word after quote removal, or here-doc body */
};

struct av_assign {
	const char *name;
	const char *value;
};

/* One simple command that would be executed. */
struct av_command {
	const char **argv; /* argc words after expansion and quote removal */
	uint32_t argc;
	struct av_redir *redirs;
	uint32_t nredirs;
	struct av_assign *assigns; /* NAME=value prefixes */
	uint32_t nassigns;
	uint32_t depth;         /* 0 = top level; +1 per sh -c, eval, wrapper */
	int32_t parent;         /* index of the wrapper that runs this, or -1 */
	uint32_t pipeline;      /* commands with the same number form one pipeline */
	uint16_t pipe_index;    /* position in that pipeline, from 0 */
	uint16_t pipe_len;      /* commands in that pipeline (1 = no pipe) */
	bool background;        /* ended by & */
	const char *provenance; /* NULL, or e.g. "argument of sh -c at depth 1" */
	const char *opaque;     /* NULL when fully resolved; else why not */
	/* NULL, or how the command name came out of decoded text ("decoded
	 * from base64"): the name is known, but it was hidden. */
	const char *decoded;
	/* NULL, or why some arguments are known only at run time (make
	 * -j$(nproc), rm "$f" with f read from a file): those arguments keep
	 * their source text. The command name and its other arguments are
	 * resolved, so this is not opacity for the policy; it tells readers
	 * (and the oracle) that the argv is not a claim of exact resolution. */
	const char *unresolved;
};

struct av_shell_result {
	struct av_command *cmds;
	uint32_t ncmds;
	const char *truncated; /* NULL, or which limit was hit */
};

/* Analyzes src[0..len) (borrowed). On success returns 0 and fills *out with
 * memory from ARENA. Syntax the analyzer cannot follow is not an error: it
 * yields commands marked opaque. Returns -1 with err filled only for
 * AV_E_NOMEM / AV_E_LIMIT conditions that leave no usable result. ctx may be
 * NULL; it supplies HOME for tilde expansion. */
int av_shell_analyze(const char *src, size_t len, const struct av_context *ctx,
                     struct av_arena *arena, struct av_shell_result *out,
                     struct av_error *err);

#endif
