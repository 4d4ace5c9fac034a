/* cli.h - what the subcommands of the agentvisor CLI share: exit statuses,
 * fatal errors, and loading the policy layers named on the command line.
 * Only src/cli may print or exit. */
#ifndef AV_CLI_H
#define AV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "agentvisor/policy.h"

/* Exit statuses (docs/CLI.md). The verdict codes are the verdict's value, so
 * scripts can test `[ $? -ge 2 ]` for "needs a human or is blocked". */
enum {
	EXIT_ALLOW = 0,
	EXIT_WARN = 1,
	EXIT_REVIEW = 2,
	EXIT_BLOCK = 3,
	EXIT_USAGE = 64,    /* bad command line (sysexits EX_USAGE) */
	EXIT_DATAERR = 65,  /* bad input: action JSON, policy, test file */
	EXIT_NOINPUT = 66,  /* an input file cannot be opened */
	EXIT_SOFTWARE = 70, /* internal error */
	EXIT_IOERR = 74,    /* writing the output failed */
};

/* Options shared by the commands that decide. */
struct cli_policy_opts {
	const char **files; /* --policy, in order (borrowed from argv) */
	int nfiles;
	bool no_default;
};

/* Prints "agentvisor: MESSAGE" to stderr and exits with status. */
noreturn void cli_die(int status, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Prints the error as "agentvisor: WHERE: MESSAGE" and returns the exit
 * status that fits its code. */
int cli_report(const struct av_error *err);

/* Builds the policy from the defaults and files; returns new, or prints the
 * error and returns NULL (*status set). */
struct av_policy *cli_load_policy(const struct cli_policy_opts *o, int *status);

/* Adds one --policy FILE to o (argv strings are borrowed). */
void cli_policy_add_file(struct cli_policy_opts *o, const char *file);

/* Fills ctx from the process: cwd from getcwd (or override), workspace =
 * $AGENTVISOR_WORKSPACE or cwd, home = $HOME, user = $USER. Strings live in
 * static storage for the process's lifetime. */
void cli_default_context(struct av_context *ctx, const char *workspace_override);

/* Resolves the state directory (--state DIR, else $AGENTVISOR_STATE, else
 * $XDG_STATE_HOME/agentvisor, else ~/.local/state/agentvisor) into out;
 * prints the error and exits 64 (bad value) or 66 (none) on failure. */
void cli_state_dir(const char *override, char *out, size_t cap);

/* Returns value, or dies with a usage error naming option when value is not
 * an absolute path (state and workspace directories must not depend on
 * where the command happens to run). */
const char *cli_absolute_arg(const char *option, const char *value);

int cmd_check(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_explain(int argc, char **argv);

#endif
