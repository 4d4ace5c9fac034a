/* explain.c - `agentvisor explain 'COMMAND'`: shows how the shell stage
 * deobfuscates a command (each command that would run, under the command
 * that runs it, with where it came from) and the verdict it leads to.
 *
 * explain is an analysis tool, not a mediation point: nothing is recorded
 * in the audit log, and its exit status is the verdict's, as for check. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/decide.h"
#include "cli/cli.h"

static const char explain_usage[] =
        "usage: agentvisor explain [OPTIONS] 'COMMAND'\n"
        "\n"
        "Prints what the shell analysis makes of COMMAND: every command that\n"
        "would run, as a tree (a command sits under the sh -c, eval, sudo,\n"
        "xargs or pipe into a shell that runs it), with resolved arguments,\n"
        "redirections, where each came from (decoded from base64, evaluated by\n"
        "eval at depth 2, ...) and what could not be resolved (OPAQUE, with the\n"
        "reason). The last line is the verdict with the rules that matched.\n"
        "Nothing is written to the audit log.\n"
        "\n"
        "  --json               print the verdict JSON (as check --json) instead\n"
        "  --policy FILE        add a policy layer (repeatable)\n"
        "  --no-default-policy  do not load the built-in default policy\n"
        "  --workspace DIR      the agent's workspace (default $AGENTVISOR_WORKSPACE,\n"
        "                       else the current directory)\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 allow, 1 warn, 2 review, 3 block; 64 usage error, 65 bad\n"
        "policy, 70 internal error.\n";

int cmd_explain(int argc, char **argv)
{
	enum { OPT_POLICY = 256, OPT_NO_DEFAULT, OPT_WORKSPACE };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "workspace", required_argument, NULL, OPT_WORKSPACE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_policy_opts po = { 0 };
	const char *workspace = NULL;
	bool json = false;
	int c;
	/* "+" stops at the first operand: a COMMAND such as "-rf" after "--"
	 * is never read as an option. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case OPT_POLICY:
			cli_policy_add_file(&po, optarg);
			break;
		case OPT_NO_DEFAULT:
			po.no_default = true;
			break;
		case OPT_WORKSPACE:
			workspace = cli_absolute_arg("--workspace", optarg);
			break;
		case 'h':
			fputs(explain_usage, stdout);
			exit(0);
		default:
			fputs(explain_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		cli_die(EXIT_USAGE,
		        "explain takes one COMMAND argument; quote the whole "
		        "command, e.g. agentvisor explain 'eval \"$(echo ...)\"'");

	int status = 0;
	struct av_policy *p = cli_load_policy(&po, &status);
	free(po.files);
	if (p == NULL)
		return status;
	struct av_action a;
	memset(&a, 0, sizeof(a));
	a.kind = AV_KIND_SHELL;
	a.in.shell.command = argv[optind];
	a.in.shell.command_len = strlen(argv[optind]);
	cli_default_context(&a.ctx, workspace);

	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	struct av_decision d;
	av_decide(p, &a, &arena, &d);
	char *text = json ? av_decision_to_json(&d, NULL) : av_decision_tree(&d);
	if (text == NULL) {
		status = EXIT_SOFTWARE;
		fputs("agentvisor: out of memory\n", stderr);
	} else {
		status = (int)d.verdict;
		if (d.has_error)
			cli_report(&d.error);
		if (fputs(text, stdout) == EOF || (json && fputc('\n', stdout) == EOF) ||
		    fflush(stdout) != 0)
			status = EXIT_IOERR;
	}
	free(text);
	av_arena_free(&arena);
	av_policy_free(p);
	return status;
}
