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
				cli_die(EXIT_USAGE,
				        "--policy is not an option of this command");
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
	fprintf(stderr, "agentvisor: unknown policy command '%s'\n\n%s", argv[1],
	        policy_usage);
	return EXIT_USAGE;
}

/* ---- policy test -------------------------------------------------------- */

/* Runs every case of one test file under policy p; returns failures, or -1
 * when a case's action is itself invalid (a broken test file). */
static long run_tests(const struct av_policy *p, const struct av_policy_tests *t,
                      const struct av_context *fallback, unsigned long *passed)
{
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	long failed = 0;
	for (uint32_t i = 0; i < t->count; i++) {
		const struct av_policy_test *c = &t->tests[i];
		struct av_action a;
		struct av_decision d;
		struct av_error err;
		char why[512];
		av_arena_reset(&arena);
		if (av_action_decode(c->action_json, c->action_json_len, &arena, &a,
		                     &err) < 0) {
			fprintf(stderr,
			        "agentvisor: %s: test \"%s\": invalid action: %s%s%s\n",
			        c->where, c->name, err.where, err.where[0] ? ": " : "",
			        err.message);
			av_arena_free(&arena);
			return -1;
		}
		av_action_fill_context(&a, fallback);
		av_decide(p, &a, &arena, &d);
		if (av_policy_test_check(c, d.verdict, &d.findings, why, sizeof(why))) {
			(*passed)++;
			continue;
		}
		failed++;
		printf("FAIL %s: %s: %s\n", c->where, c->name, why);
		for (uint32_t k = 0; k < d.findings.count; k++)
			printf("     finding %s %s: %s\n",
			       av_verdict_name(d.findings.items[k].verdict),
			       d.findings.items[k].rule, d.findings.items[k].reason);
		if (d.has_error)
			printf("     error: %s\n", d.error.message);
	}
	av_arena_free(&arena);
	return failed;
}

static int policy_test(int argc, char **argv)
{
	struct cli_policy_opts o = { 0 };
	int first = parse_policy_options(argc, argv, &o, true);
	struct av_context ctx;
	cli_default_context(&ctx, NULL);
	unsigned long passed = 0, failed = 0;
	int status = 0;
	for (int i = first; i < argc && status == 0; i++) {
		struct av_policy_tests *t = NULL;
		struct av_error err;
		if (av_policy_tests_load(argv[i], &t, &err) < 0) {
			status = cli_report(&err);
			break;
		}
		/* The layers: default (unless disabled), --policy files, then
		 * the files the test file names itself. */
		struct av_policy *p = cli_load_policy(&o, &status);
		for (uint32_t k = 0; p != NULL && k < t->npolicy_files; k++) {
			if (av_policy_add_file(p, t->policy_files[k], &err) < 0) {
				status = cli_report(&err);
				av_policy_free(p);
				p = NULL;
			}
		}
		if (p != NULL) {
			long f = run_tests(p, t, &ctx, &passed);
			if (f < 0)
				status = EXIT_DATAERR;
			else
				failed += (unsigned long)f;
			av_policy_free(p);
		}
		av_policy_tests_free(t);
	}
	free(o.files);
	if (status != 0)
		return status;
	printf("%lu passed, %lu failed\n", passed, failed);
	return failed > 0 ? 1 : 0;
}
