/* sh_unwrap.h - the commands a resolved command runs in turn: wrappers
 * (sudo, env, timeout, nohup, xargs, exec, command, builtin, ...), shells
 * given a program (sh -c, bash -c, su -c, env -S, flock -c, watch), code in
 * other programs' arguments (find -exec, git -c core.pager=..., ssh -o
 * ProxyCommand=, tar --to-command=, npm pkg set scripts.*) and literal
 * command lines inside interpreter programs (python -c "os.system('...')",
 * perl -e, ruby -e, node -e, php -r, awk, lua).
 *
 * The static evaluator owns the result being built; this module only reads
 * the command it is asked about and calls back into the evaluator, so the
 * evaluator decides how nested text is analysed (a fresh shell for sh -c)
 * and where the new commands go. eval, source and `.` run in the same shell
 * and are the evaluator's own business, not this module's. Private to the
 * library (src/shell). */
#ifndef AV_SH_UNWRAP_H
#define AV_SH_UNWRAP_H

#include "agentvisor/shell.h"

struct av_sh_unwrap_host {
	void *ctx;
	struct av_arena *arena;
	/* The result being built; command idx and the pipeline it belongs to
	 * are read from here. The callbacks may grow it (cmds can move). */
	const struct av_shell_result *result;
	/* Analyses text[0..len) as a shell program that command idx runs, one
	 * level deeper, with provenance what (static text such as "argument
	 * of bash -c"; the host copies it if it keeps it). */
	void (*run_text)(void *ctx, uint32_t idx, const char *text, size_t len,
	                 const char *what);
	/* Appends a command that command idx runs (sudo's target, find's -exec
	 * command), one level deeper, sharing idx's pipeline position and
	 * redirections. argv and assigns are borrowed from idx's argv or the
	 * arena and must stay valid. opaque is NULL or why it is not fully
	 * known; unresolved is NULL or why some arguments are placeholders
	 * filled at run time (find's {}), see struct av_command. Returns the
	 * new command's index, or -1 (limit, memory). */
	int32_t (*add_inner)(void *ctx, uint32_t idx, const char **argv, uint32_t argc,
	                     const struct av_assign *assigns, uint32_t nassigns,
	                     const char *what, const char *opaque,
	                     const char *unresolved);
	/* What command idx reads on standard input when it is known (from a
	 * pure pipeline stage, a here-document or a here-string): returns it
	 * (NUL-terminated) and sets *len, or returns NULL. */
	const char *(*stdin_text)(void *ctx, uint32_t idx, size_t *len);
	/* Marks command idx opaque with reason (static text) unless it already
	 * is: an interpreter program that runs a command built at run time. */
	void (*mark_opaque)(void *ctx, uint32_t idx, const char *reason);
	/* Reports out of memory (limit == NULL) or a work limit by name. */
	void (*fail)(void *ctx, const char *limit);
};

/* If command idx of host->result is a wrapper, a shell given a program or a
 * program that hides code in its arguments, calls back to add what it runs.
 * Returns true when the command is a wrapper that runs another command
 * (handled here, including "no command": sudo -l), false otherwise. */
bool av_sh_unwrap(const struct av_sh_unwrap_host *host, uint32_t idx);

#endif
