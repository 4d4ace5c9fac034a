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

#include "agentvisor/audit.h"
#include "agentvisor/decide.h"
#include "agentvisor/session.h"
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
        "                       input line on stdout, in order; actions that share\n"
        "                       a session id are judged as one session\n"
        "  --json               print the verdict JSON instead of the explanation\n"
        "  --policy FILE        add a policy layer (repeatable; layered in order)\n"
        "  --no-default-policy  do not load the built-in default policy\n"
        "  --workspace DIR      the agent's workspace (default $AGENTVISOR_WORKSPACE,\n"
        "                       else the current directory); used when an action\n"
        "                       has no context.workspace\n"
        "  --state DIR          state directory holding the audit log and the\n"
        "                       session store sessions.db (default\n"
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
	/* The session store (state_dir/sessions.db) beside the log; NULL with
	 * sessions_err set when it cannot be opened: actions with a session id
	 * then fail closed. */
	struct av_session_store *sessions;
	struct av_error sessions_err;
};

static void audit_open(struct audit_sink *s, const struct check_opts *o)
{
	struct av_audit_opts ao;
	char dir[4096];
	av_error_clear(&s->open_err);
	if (av_audit_opts_default(&ao, &s->open_err) < 0)
		return;
	if (o->fsync != NULL && av_audit_fsync_parse(o->fsync, &ao.fsync) < 0)
		cli_die(EXIT_USAGE, "--fsync must be always, batch or never");
	if (av_state_dir_resolve(o->state, dir, sizeof(dir), &s->open_err) < 0) {
		s->sessions_err = s->open_err;
		return;
	}
	av_audit_open(dir, &ao, &s->log, &s->open_err);
	struct av_session_opts so;
	av_error_clear(&s->sessions_err);
	if (av_session_opts_default(&so, &s->sessions_err) == 0)
		av_session_store_open(dir, &so, &s->sessions, &s->sessions_err);
}

/* Appends the record for d (av_record_decision: on failure d becomes a
 * fail-closed block carrying the I/O error), reporting a failure on stderr
 * once per cause. */
static void audit_record(struct audit_sink *s, const struct av_policy *p,
                         struct av_decision *d, const struct av_audit_decision_info *info)
{
	struct av_error err;
	if (av_record_decision(s->log, &s->open_err, p, d, info, NULL, &err) == 0)
		return;
	if (!s->failed || s->log != NULL)
		cli_report(&err);
	s->failed = true;
}

static int audit_close(struct audit_sink *s)
{
	struct av_error err;
	if (s->sessions != NULL && av_session_flush(s->sessions, &err) < 0) {
		cli_report(&err);
		s->failed = true;
	}
	av_session_store_close(s->sessions);
	s->sessions = NULL;
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

/* Decodes, decides and records one JSON action from buf[0..len)
 * (av_decide_recorded) into *r. Returns the exit status for it. */
static int decide_json(const struct av_policy *p, const struct av_context *fallback,
                       const char *buf, size_t len, struct av_arena *arena,
                       struct av_recorded *r, struct audit_sink *audit)
{
	struct av_session_sink sessions = { .store = audit->sessions,
		                            .err = &audit->sessions_err };
	av_decide_recorded(p, audit->log, &audit->open_err, &sessions, buf, len, fallback,
	                   NULL, arena, r);
	switch (r->status) {
	case AV_RECORDED_OK:
		return (int)r->decision.verdict;
	case AV_RECORDED_BAD_ACTION:
		return EXIT_DATAERR;
	case AV_RECORDED_FAILED:
		return r->decision.error.code == AV_E_LIMIT ? EXIT_BLOCK : EXIT_SOFTWARE;
	case AV_RECORDED_UNRECORDED:
		if (!audit->failed || audit->log != NULL)
			cli_report(&r->record_err);
		audit->failed = true;
		return EXIT_IOERR;
	}
	return EXIT_SOFTWARE; /* defensive: every status is handled above */
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
	/* The same for session state: from a file, groups of decisions share
	 * one write transaction; a peer waiting for each answer gets each
	 * decision committed before it. */
	if (!flush_each && audit->sessions != NULL)
		av_session_store_group(audit->sessions, 256);

	while ((len = read_line(stdin, &line, &cap, AV_ACTION_MAX_BYTES, &oversized)) >=
	       0) {
		lineno++;
		struct av_recorded r = { 0 };
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
			decide_json(p, ctx, line, (size_t)len, &arena, &r, audit);
			d = r.decision;
			id = r.id;
			out = r.verdict_json;
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
	struct av_recorded r = { 0 };
	char *buf = NULL;
	size_t len;
	if (o.action_file != NULL) {
		struct av_error err;
		if (av_read_file(o.action_file, AV_ACTION_MAX_BYTES, &buf, &len, &err) <
		    0) {
			status = cli_report(&err);
			goto out;
		}
	} else {
		/* The command becomes the action as an agent would have sent it,
		 * so both modes take the same decode-decide-record path. */
		const char *cmd = argv[optind];
		json_t *aj = json_pack("{s:s, s:{s:s}}", "kind", "shell", "input",
		                       "command", cmd);
		buf = aj != NULL ? json_dumps(aj, JSON_COMPACT) : NULL;
		json_decref(aj);
		/* json_pack refuses text that is not UTF-8: such a command is
		 * then decided (blocked, error json) and recorded as raw text. */
		if (buf == NULL)
			buf = strdup(cmd);
		if (buf == NULL)
			cli_die(EXIT_SOFTWARE, "out of memory building the action");
		len = strlen(buf);
	}
	int rc = decide_json(p, &ctx, buf, len, &arena, &r, &audit);
	if (r.decision.has_error && r.decision.error.code != AV_E_IO)
		cli_report(&r.decision.error);
	int shown = print_decision(&r.decision, o.json, r.id);
	free(r.verdict_json);
	if (o.action_file != NULL)
		status = rc == EXIT_DATAERR || rc == EXIT_SOFTWARE || rc == EXIT_IOERR
		                 ? rc
		                 : shown;
	else
		status = rc == EXIT_IOERR ? EXIT_IOERR : shown;
	if (audit_close(&audit) != 0)
		status = EXIT_IOERR;
out:
	audit_close(&audit); /* no-op when already closed above */
	free(buf);
	av_arena_free(&arena);
	av_policy_free(p);
	return status;
}
