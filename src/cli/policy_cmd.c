/* policy_cmd.c - `agentvisor policy show|lint|test`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/decide.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"

static const char policy_usage[] =
	"usage: agentvisor policy show\n"
	"       agentvisor policy lint [--no-default-policy] FILE...\n"
	"       agentvisor policy test [--policy FILE]... [--no-default-policy] FILE...\n"
	"\n"
	"  show   print the built-in default policy (YAML)\n"
	"  lint   validate policy files, each layered on the default; errors are\n"
	"         printed as FILE:LINE:COL: message (exit 0 valid, 65 invalid)\n"
	"  test   run policy test files: actions and the verdicts they must get\n"
	"         (exit 0 all pass, 1 some fail, 65 invalid test file)\n"
	"\n"
	"The policy language and test format: docs/POLICY.md.\n";

static int policy_show(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		cli_die(EXIT_USAGE, "policy show takes no arguments");
	size_t len;
	const char *src = av_policy_default_source(&len);
	if (fwrite(src, 1, len, stdout) != len || fflush(stdout) != 0)
		cli_die(EXIT_IOERR, "cannot write to standard output");
	return 0;
}

/* Parses --policy / --no-default-policy / --help; returns the index of the
 * first FILE operand. */
static int parse_policy_options(int argc, char **argv, struct cli_policy_opts *o,
				bool allow_policy)
{
	enum { OPT_POLICY = 256, OPT_NO_DEFAULT };
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY:
			if (!allow_policy)
				cli_die(EXIT_USAGE, "--policy is not an option of this command");
			cli_policy_add_file(o, optarg);
			break;
		case OPT_NO_DEFAULT:
			o->no_default = true;
			break;
		case 'h':
			fputs(policy_usage, stdout);
			exit(0);
		default:
			fputs(policy_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE, "%s needs at least one FILE", argv[0]);
	return optind;
}

static int policy_lint(int argc, char **argv)
{
	struct cli_policy_opts o = { 0 };
	int first = parse_policy_options(argc, argv, &o, false);
	int status = 0;
	for (int i = first; i < argc; i++) {
		struct cli_policy_opts one = { .no_default = o.no_default };
		cli_policy_add_file(&one, argv[i]);
		int rc = 0;
		struct av_policy *p = cli_load_policy(&one, &rc);
		free(one.files);
		if (p == NULL) {
			if (status == 0 || rc == EXIT_NOINPUT)
				status = rc;
			continue;
		}
		printf("%s: ok, %u rules in force\n", argv[i], av_policy_rule_count(p));
		av_policy_free(p);
	}
	free(o.files);
	return status;
}

static int policy_test(int argc, char **argv);

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{ "show", policy_show },
	{ "lint", policy_lint },
	{ "test", policy_test },
};

int cmd_policy(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(policy_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "agentvisor: unknown policy command '%s'\n\n%s", argv[1], policy_usage);
	return EXIT_USAGE;
}

/* ---- policy test -------------------------------------------------------- */

static int policy_test(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_die(EXIT_SOFTWARE, "policy test: not wired yet");
}
