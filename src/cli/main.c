/* main.c - the agentvisor command: dispatches to subcommands and holds what
 * they share (error reporting, policy loading, the default context). */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentvisor/audit.h"
#include "cli/cli.h"

static const char usage_text[] =
        "usage: agentvisor COMMAND [OPTIONS] [ARGS]\n"
        "\n"
        "Decides whether an LLM agent's proposed action may run: allow, warn,\n"
        "review or block, with the reasons.\n"
        "\n"
        "Commands:\n"
        "  check 'COMMAND'         decide one shell command and explain the verdict\n"
        "  check --action FILE     decide one JSON action (FILE '-' = stdin)\n"
        "  check --batch           decide JSON Lines actions from stdin, one verdict\n"
        "                          JSON line out per line in\n"
        "  policy show             print the built-in default policy\n"
        "  policy lint FILE...     validate policy files\n"
        "  policy test FILE...     run policy test files\n"
        "  explain 'COMMAND'       show the deobfuscated commands as a tree, with\n"
        "                          provenance, and the verdict\n"
        "  eval FILE|DIR...        score labelled cases (JSON Lines) per category\n"
        "  audit verify            check the audit log's chain, tree and signatures\n"
        "  audit show | export     read the audit log (filters; JSON Lines)\n"
        "  audit replay --policy F re-decide recorded actions under another policy\n"
        "  audit prove | check-proof | pubkey   inclusion and consistency proofs\n"
        "  report                  record an action's execution result (JSON on\n"
        "                          stdin or --file) in the audit log\n"
        "  serve                   run the decision daemon (Unix socket, optional\n"
        "                          loopback TCP, review queue and web page)\n"
        "  review list | approve ID | deny ID   answer the daemon's review queue\n"
        "  hook claude             Claude Code PreToolUse/PostToolUse hook: hook JSON\n"
        "                          on stdin, the hook answer on stdout\n"
        "\n"
        "Run 'agentvisor COMMAND --help' for a command's options.\n"
        "Exit status of check: 0 allow, 1 warn, 2 review, 3 block, 64 usage error,\n"
        "65 bad input, 66 input not found, 70 internal error, 74 output error.\n"
        "Documentation: docs/CLI.md, docs/PROTOCOL.md, docs/POLICY.md.\n";

noreturn void cli_die(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("agentvisor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

int cli_report(const struct av_error *err)
{
	if (err->where[0] != '\0')
		fprintf(stderr, "agentvisor: %s: %s\n", err->where, err->message);
	else
		fprintf(stderr, "agentvisor: %s\n", err->message);
	switch (err->code) {
	case AV_E_IO:
		return EXIT_NOINPUT;
	case AV_E_NOMEM:
	case AV_E_INTERNAL:
		return EXIT_SOFTWARE;
	default:
		return EXIT_DATAERR;
	}
}

const char *cli_absolute_arg(const char *option, const char *value)
{
	if (value[0] != '/')
		cli_die(EXIT_USAGE, "%s must be an absolute path", option);
	return value;
}

void cli_policy_add_file(struct cli_policy_opts *o, const char *file)
{
	const char **n = realloc(o->files, sizeof(*n) * (size_t)(o->nfiles + 1));
	if (n == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	n[o->nfiles++] = file;
	o->files = n;
}

struct av_policy *cli_load_policy(const struct cli_policy_opts *o, int *status)
{
	struct av_error err;
	av_error_clear(&err);
	struct av_policy *p = av_policy_new();
	if (p == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory");
	if (!o->no_default && av_policy_add_default(p, &err) < 0)
		goto fail;
	for (int i = 0; i < o->nfiles; i++)
		if (av_policy_add_file(p, o->files[i], &err) < 0)
			goto fail;
	return p;
fail:
	*status = cli_report(&err);
	av_policy_free(p);
	return NULL;
}

void cli_default_context(struct av_context *ctx, const char *workspace_override)
{
	static char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	ctx->cwd = cwd[0] == '/' ? cwd : NULL;
	const char *ws = workspace_override;
	if (ws == NULL)
		ws = getenv("AGENTVISOR_WORKSPACE");
	if (ws == NULL || ws[0] != '/')
		ws = ctx->cwd;
	ctx->workspace = ws;
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	ctx->home = home;
	const char *user = getenv("USER");
	if (user == NULL) {
		struct passwd *pw = getpwuid(getuid());
		user = pw != NULL ? pw->pw_name : NULL;
	}
	ctx->user = user;
}

void cli_state_dir(const char *override, char *out, size_t cap)
{
	struct av_error err;
	if (av_state_dir_resolve(override, out, cap, &err) < 0)
		exit(cli_report(&err) == EXIT_NOINPUT ? EXIT_NOINPUT : EXIT_USAGE);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "check", cmd_check },   { "policy", cmd_policy }, { "audit", cmd_audit },
	{ "report", cmd_report }, { "eval", cmd_eval },     { "explain", cmd_explain },
	{ "serve", cmd_serve },   { "review", cmd_review }, { "hook", cmd_hook },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("agentvisor " AV_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "agentvisor: unknown command '%s'\n\n%s", argv[1], usage_text);
	return EXIT_USAGE;
}
