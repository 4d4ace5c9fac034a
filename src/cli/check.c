/* check.c - `agentvisor check`: decide one command, one JSON action, or a
 * stream of JSON Lines actions, and print the explained verdicts.
 *
 * The batch mode is the contract evaluation tools depend on: exactly one
 * verdict line out per line in, in order, even for a malformed or oversized
 * line (its verdict is block with "error" set). Nothing read from stdin can
 * make it skip a line or stop early. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agentvisor/audit.h"
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
        "  --state DIR          state directory holding the audit log (default\n"
        "                       $AGENTVISOR_STATE, else $XDG_STATE_HOME/agentvisor)\n"
        "  --fsync MODE         audit durability: always, batch (default) or never\n"
        "  -h, --help           this text\n"
        "\n"
        "Exit status: 0 allow, 1 warn, 2 review, 3 block; 64 usage error, 65 bad\n"
        "action or policy, 66 file not found, 70 internal error, 74 output error or\n"
        "the audit record could not be written (the verdict printed is then block).\n"
        "--batch exits 0 once every line has been answered, whatever the verdicts\n"
        "(74 if any audit record could not be written).\n";

struct check_opts {
	struct cli_policy_opts policy;
	const char *action_file;
	const char *workspace;
	const char *state;
	const char *fsync;
	bool batch;
	bool json;
};

/* The audit log every decision is recorded in before its verdict is shown.
 * When it cannot be opened, log stays NULL and open_err says why: every
 * decision then fails closed (block, error "io"). */
struct audit_sink {
	struct av_audit_writer *log;
	struct av_error open_err;
	bool failed; /* some record could not be appended: exit 74 */
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void audit_open(struct audit_sink *s, const struct check_opts *o)
{
	struct av_audit_opts ao;
	char dir[4096];
	av_error_clear(&s->open_err);
	if (av_audit_opts_default(&ao, &s->open_err) < 0)
		return;
	if (o->fsync != NULL && av_audit_fsync_parse(o->fsync, &ao.fsync) < 0)
		cli_die(EXIT_USAGE, "--fsync must be always, batch or never");
	if (av_state_dir_resolve(o->state, dir, sizeof(dir), &s->open_err) < 0)
		return;
	av_audit_open(dir, &ao, &s->log, &s->open_err);
}

/* Appends the record for d. When that fails, d becomes a block decision
 * carrying the I/O error (fail closed: nothing is decided unrecorded), and
 * the error is reported on stderr. */
static void audit_record(struct audit_sink *s, const struct av_policy *p,
                         struct av_decision *d, const struct av_audit_decision_info *info)
{
	struct av_error err;
	av_error_clear(&err);
	if (s->log == NULL)
		err = s->open_err;
	else if (av_audit_append_decision(s->log, d, info, NULL, &err) == 0)
		return;
	if (err.code == AV_OK) /* defensive */
		av_error_set(&err, AV_E_IO, "", "the audit log is unavailable");
	char msg[sizeof(err.message)];
	snprintf(msg, sizeof(msg), "%s", err.message);
	snprintf(err.message, sizeof(err.message), "not recorded, so blocked: %.200s",
	         msg);
	err.code = AV_E_IO;
	const struct av_action *a = d->action;
	av_decision_from_error(d, p, &err);
	d->action = a;
	if (!s->failed || s->log != NULL)
		cli_report(&err);
	s->failed = true;
}

static int audit_close(struct audit_sink *s)
{
	struct av_error err;
	if (s->log != NULL && av_audit_close(s->log, &err) < 0) {
		cli_report(&err);
		s->failed = true;
	}
	s->log = NULL;
	return s->failed ? EXIT_IOERR : 0;
}

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
                       struct av_action *a, struct av_decision *d, const char **id,
                       struct audit_sink *audit, char **vjson)
{
	struct av_error err;
	int64_t t0 = mono_ns();
	struct av_audit_decision_info info = { .action_json = buf, .action_len = len };
	int rc;
	*id = NULL;
	memset(a, 0, sizeof(*a));
	if (av_action_decode(buf, len, arena, a, &err) < 0) {
		*id = a->id;
		av_decision_from_error(d, p, &err);
		rc = EXIT_DATAERR;
	} else {
		av_action_fill_context(a, fallback);
		info.action_is_json = true;
		info.ctx = &a->ctx;
		if (av_decide(p, a, arena, d) < 0)
			rc = d->error.code == AV_E_LIMIT ? EXIT_BLOCK : EXIT_SOFTWARE;
		else
			rc = (int)d->verdict;
	}
	info.decide_ns = mono_ns() - t0;
	/* The verdict line is built once and shared with the audit record. */
	if (vjson != NULL) {
		*vjson = av_decision_to_json(d, *id);
		info.verdict_json = *vjson;
	}
	audit_record(audit, p, d, &info);
	if (d->has_error && d->error.code == AV_E_IO) {
		if (vjson != NULL) { /* the verdict changed to a fail-closed block */
			free(*vjson);
			*vjson = av_decision_to_json(d, *id);
		}
		return EXIT_IOERR;
	}
	return rc;
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

static int run_batch(const struct av_policy *p, const struct av_context *ctx,
                     struct audit_sink *audit)
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
		char *out = NULL;
		if (oversized) {
			struct av_error err;
			av_error_set(&err, AV_E_LIMIT, "",
			             "line %lu is longer than %zu bytes", lineno,
			             AV_ACTION_MAX_BYTES);
			av_decision_from_error(&d, p, &err);
			struct av_audit_decision_info info = { .action_json = line,
				                               .action_len =
				                                       (size_t)len };
			audit_record(audit, p, &d, &info);
		} else {
			decide_json(p, ctx, line, (size_t)len, &arena, &a, &d, &id, audit,
			            &out);
		}
		if (out == NULL)
			out = av_decision_to_json(&d, id);
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
	return audit_close(audit);
}

static void parse_options(int argc, char **argv, struct check_opts *o)
{
	enum { OPT_POLICY = 256, OPT_NO_DEFAULT, OPT_WORKSPACE, OPT_STATE, OPT_FSYNC };
	static const struct option longopts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "workspace", required_argument, NULL, OPT_WORKSPACE },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
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
			o->workspace = cli_absolute_arg("--workspace", optarg);
			break;
		case OPT_STATE:
			o->state = cli_absolute_arg("--state", optarg);
			break;
		case OPT_FSYNC:
			o->fsync = optarg;
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
	struct audit_sink audit = { 0 };
	audit_open(&audit, &o);

	if (o.batch) {
		status = run_batch(p, &ctx, &audit);
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
		int rc =
		        decide_json(p, &ctx, buf, len, &arena, &a, &d, &id, &audit, NULL);
		if (d.has_error && d.error.code != AV_E_IO)
			cli_report(&d.error);
		int shown = print_decision(&d, o.json, id);
		status = rc == EXIT_DATAERR || rc == EXIT_SOFTWARE || rc == EXIT_IOERR
		                 ? rc
		                 : shown;
	} else {
		const char *cmd = argv[optind];
		memset(&a, 0, sizeof(a));
		a.kind = AV_KIND_SHELL;
		a.in.shell.command = cmd;
		a.in.shell.command_len = strlen(cmd);
		a.ctx = ctx;
		int64_t t0 = mono_ns();
		av_decide(p, &a, &arena, &d);
		/* The action as the agent would have sent it. */
		json_t *aj = json_pack("{s:s, s:{s:s}}", "kind", "shell", "input",
		                       "command", cmd);
		char *ajs = aj != NULL ? json_dumps(aj, JSON_COMPACT) : NULL;
		json_decref(aj);
		struct av_audit_decision_info info = {
			.action_json = ajs,
			.action_len = ajs != NULL ? strlen(ajs) : 0,
			.action_is_json = true,
			.ctx = &ctx,
			.decide_ns = mono_ns() - t0,
		};
		audit_record(&audit, p, &d, &info);
		free(ajs);
		if (d.has_error && d.error.code != AV_E_IO)
			cli_report(&d.error);
		status = print_decision(&d, o.json, NULL);
		if (d.has_error && d.error.code == AV_E_IO)
			status = EXIT_IOERR;
	}
	if (audit_close(&audit) != 0)
		status = EXIT_IOERR;
out:
	audit_close(&audit); /* no-op when already closed above */
	free(buf);
	av_arena_free(&arena);
	av_policy_free(p);
	return status;
}
