/* shell_internal.h - helpers shared by the shell splitter (src/shell) and the
 * effects deriver (src/effects): how a shell binary is invoked, and which
 * names are shells. Private to the library; not part of the public API. */
#ifndef AV_SHELL_INTERNAL_H
#define AV_SHELL_INTERNAL_H

#include "agentvisor/shell.h"

/* Returns the part of a command name after its last '/' (borrowed). */
const char *av_shell_basename(const char *argv0);

/* True when name (a basename) is a POSIX-like shell that takes -c and reads
 * its program from standard input when given no script. */
bool av_shell_is_shell(const char *name);

enum av_sh_mode {
	AV_SH_STDIN = 0, /* reads its program from standard input */
	AV_SH_INLINE,    /* -c STRING */
	AV_SH_SCRIPT,    /* runs a script file */
};

struct av_sh_invocation {
	enum av_sh_mode mode;
	const char *code;   /* AV_SH_INLINE: the string (borrowed), or NULL */
	const char *script; /* AV_SH_SCRIPT: the path as written (borrowed) */
};

/* Reads the options of a shell invocation argv[0..argc) the way bash and
 * dash do: bundled flags (-xc, -lc), -o/-O with an argument, --rcfile FILE,
 * "--" or "-" ending options; with -c the first operand is the program. */
void av_shell_sh_invocation(const char *const *argv, uint32_t argc,
                            struct av_sh_invocation *out);

/* The index of the command whose standard output feeds command i's standard
 * input through a pipe (the innermost command of the previous pipeline
 * stage, after unwrapping), or -1. */
int32_t av_shell_pipe_source(const struct av_shell_result *r, uint32_t i);

/* The opaque reason the splitter gives the commands of a fork bomb; the
 * effects deriver compares the pointer and emits resource.exhaust. */
extern const char av_shell_fork_bomb[];

#endif
