/* check.c - `agentvisor check`: decide one command, one JSON action, or a
 * stream of JSON Lines actions, and print the explained verdicts.
 *
 * The batch mode is the contract evaluation tools depend on: exactly one
 * verdict line out per line in, in order, even for a malformed or oversized
 * line (its verdict is block with "error" set). Nothing read from stdin can
 * make it skip a line or stop early. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agentvisor/decide.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"

static const char check_usage[] =
        "usage: agentvisor check [OPTIONS] 'COMMAND'\n"
        "       agentvisor check [OPTIONS] --action FILE\n"
        "       agentvisor check [OPTIONS] --batch\n"
        "\n"
        "Decides whether a proposed action may run and explains why.\n"
        "\n"
        "  COMMAND              one shell command, quoted as one argument\n"
        "  --action FILE        one JSON action (docs/PROTOCOL.md); '-' reads stdin\n"
        "  --batch              JSON Lines actions on stdin; one verdict JSON line per\n"
        "                       input line on stdout, in order\n"
        "  --json               print the verdict JSON instead of the explanation\n"
        "  --policy FILE        add a policy layer (repeatable; layered in order)\n"
        "  --no-default-policy  do not load the built-in default policy\n"
        "  --workspace DIR      the agent's workspace (default $AGENTVISOR_WORKSPACE,\n"
        "                       else the current directory); used when an action\n"
        "                       has no context.workspace\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 allow, 1 warn, 2 review, 3 block; 64 usage error, 65 bad\n"
        "action or policy, 66 file not found, 70 internal error, 74 output error.\n"
        "--batch exits 0 once every line has been answered, whatever the verdicts.\n";

struct check_opts {
	struct cli_policy_opts policy;
	const char *action_file;
	const char *workspace;
	bool batch;
	bool json;
};

/* Prints one decision and returns the exit status for it. */
static int print_decision(const struct av_decision *d, bool json, const char *id)
{
	char *out = json ? av_decision_to_json(d, id) : av_decision_explain(d);
	if (out == NULL)
		cli_die(EXIT_SOFTWARE, "out of memory formatting the verdict");
	int ok = fputs(out, stdout) >= 0 && (!json || fputc('\n', stdout) != EOF);
	free(out);
	if (!ok || fflush(stdout) != 0)
		cli_die(EXIT_IOERR, "cannot write the verdict to standard output");
	return (int)d->verdict;
}

/* Decodes and decides one JSON action from buf[0..len) into *d. Errors from
 * decoding become a block decision; the return value is the exit status. */
static int decide_json(const struct av_policy *p, const struct av_context *fallback,
                       const char *buf, size_t len, struct av_arena *arena,
                       struct av_action *a, struct av_decision *d, const char **id)
{
	struct av_error err;
	*id = NULL;
	if (av_action_decode(buf, len, arena, a, &err) < 0) {
		*id = a->id;
		av_decision_from_error(d, p, &err);
		return EXIT_DATAERR;
	}
	av_action_fill_context(a, fallback);
	if (av_decide(p, a, arena, d) < 0)
		return d->error.code == AV_E_LIMIT ? EXIT_BLOCK : EXIT_SOFTWARE;
	return (int)d->verdict;
}

/* Reads one line of at most max bytes into *buf (growing it up to max + 1).
 * Returns the line length, or -1 at end of input. A longer line is consumed
 * to its end and reported through *oversized, so the next call starts on the
 * next line and the one-out-per-one-in contract holds. */
static long read_line(FILE *in, char **buf, size_t *cap, size_t max, bool *oversized)
{
	size_t len = 0;
	int c;
	*oversized = false;
	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (len >= max) {
			*oversized = true;
			continue;
		}
		if (len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *n = realloc(*buf, ncap);
			if (n == NULL)
				cli_die(EXIT_SOFTWARE, "out of memory reading a line");
			*buf = n;
			*cap = ncap;
		}
		(*buf)[len++] = (char)c;
	}
	if (c == EOF && len == 0 && !*oversized)
		return -1;
	if (*buf == NULL) { /* an empty first line */
		*buf = malloc(1);
		*cap = 1;
		if (*buf == NULL)
			cli_die(EXIT_SOFTWARE, "out of memory");
	}
	(*buf)[len] = '\0';
	return (long)len;
}

static int run_batch(const struct av_policy *p, const struct av_context *ctx)
{
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	char *line = NULL;
	size_t cap = 0;
	bool oversized;
	long len;
	unsigned long lineno = 0;
	/* Interactive peers (a pipe) need each answer as soon as it exists;
	 * a regular file can be answered with full buffering. */
	struct stat st;
	bool flush_each = fstat(0, &st) != 0 || !S_ISREG(st.st_mode);
	if (!flush_each)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	while ((len = read_line(stdin, &line, &cap, AV_ACTION_MAX_BYTES, &oversized)) >=
	       0) {
		lineno++;
		struct av_action a;
		struct av_decision d;
		const char *id = NULL;
		if (oversized) {
			struct av_error err;
			av_error_set(&err, AV_E_LIMIT, "",
			             "line %lu is longer than %zu bytes", lineno,
			             AV_ACTION_MAX_BYTES);
			av_decision_from_error(&d, p, &err);
		} else {
			decide_json(p, ctx, line, (size_t)len, &arena, &a, &d, &id);
		}
		char *out = av_decision_to_json(&d, id);
		if (out == NULL)
			cli_die(EXIT_SOFTWARE, "out of memory formatting verdict %lu",
			        lineno);
		bool ok = fputs(out, stdout) >= 0 && fputc('\n', stdout) != EOF;
		free(out);
		if (!ok || (flush_each && fflush(stdout) != 0))
			cli_die(EXIT_IOERR, "cannot write verdict %lu", lineno);
		av_arena_reset(&arena);
	}
	free(line);
	av_arena_free(&arena);
	if (ferror(stdin))
		cli_die(EXIT_NOINPUT, "cannot read standard input");
	if (fflush(stdout) != 0)
		cli_die(EXIT_IOERR, "cannot write to standard output");
	return 0;
}

static void parse_options(int argc, char **argv, struct check_opts *o)
{
	enum { OPT_POLICY = 256, OPT_NO_DEFAULT, OPT_WORKSPACE };
	static const struct option longopts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "workspace", required_argument, NULL, OPT_WORKSPACE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	/* "+" stops at the first operand, so a COMMAND like "-rf" after "--"
	 * is never taken for an option. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->action_file = optarg;
			break;
		case 'b':
			o->batch = true;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_POLICY:
			cli_policy_add_file(&o->policy, optarg);
			break;
		case OPT_NO_DEFAULT:
			o->policy.no_default = true;
			break;
		case OPT_WORKSPACE:
			if (optarg[0] != '/')
				cli_die(EXIT_USAGE,
				        "--workspace must be an absolute path");
			o->workspace = optarg;
			break;
		case 'h':
			fputs(check_usage, stdout);
			exit(0);
		default:
			fputs(check_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { 0 };
	parse_options(argc, argv, &o);
	int operands = argc - optind;
	int modes = (o.batch ? 1 : 0) + (o.action_file ? 1 : 0) + (operands > 0 ? 1 : 0);
	if (modes != 1)
		cli_die(EXIT_USAGE,
		        "check needs exactly one of 'COMMAND', --action FILE or "
		        "--batch (see agentvisor check --help)");
	if (operands > 1)
		cli_die(EXIT_USAGE,
		        "check takes one COMMAND argument; quote the whole command, "
		        "e.g. agentvisor check 'rm -rf build'");

	int status = 0;
	struct av_policy *p = cli_load_policy(&o.policy, &status);
	free(o.policy.files);
	if (p == NULL)
		return status;
	struct av_context ctx;
	cli_default_context(&ctx, o.workspace);

	if (o.batch) {
		status = run_batch(p, &ctx);
		av_policy_free(p);
		return status;
	}

	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	struct av_action a;
	struct av_decision d;
	const char *id = NULL;
	char *buf = NULL;
	if (o.action_file != NULL) {
		size_t len;
		struct av_error err;
		if (av_read_file(o.action_file, AV_ACTION_MAX_BYTES, &buf, &len, &err) <
		    0) {
			status = cli_report(&err);
			goto out;
		}
		int rc = decide_json(p, &ctx, buf, len, &arena, &a, &d, &id);
		if (d.has_error)
			cli_report(&d.error);
		int shown = print_decision(&d, o.json, id);
		status = rc == EXIT_DATAERR || rc == EXIT_SOFTWARE ? rc : shown;
	} else {
		const char *cmd = argv[optind];
		memset(&a, 0, sizeof(a));
		a.kind = AV_KIND_SHELL;
		a.in.shell.command = cmd;
		a.in.shell.command_len = strlen(cmd);
		a.ctx = ctx;
		av_decide(p, &a, &arena, &d);
		if (d.has_error)
			cli_report(&d.error);
		status = print_decision(&d, o.json, NULL);
	}
out:
	free(buf);
	av_arena_free(&arena);
	av_policy_free(p);
	return status;
}
