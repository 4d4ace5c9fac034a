/* hook.c - `agentvisor hook claude`: Claude Code's PreToolUse / PostToolUse
 * command hook. Reads one hook input on stdin, asks the daemon when one is
 * running (POST /v1/hooks/claude over its Unix socket) and decides in
 * process otherwise, and prints the hook answer.
 *
 * Claude Code runs the tool on any exit status other than 0 (with an answer
 * that says otherwise) and 2 (block). So this command has exactly two ways
 * out: exit 0 with a decided answer, or exit 2 with a deny answer on stdout
 * and the reason on stderr, for every failure to decide (bad input, daemon
 * error or timeout, policy error, audit log failure). Crashes and overruns
 * are caught too: fatal signals and a deadline alarm write a deny and
 * _exit(2), so even a bug cannot let a tool through by mistake. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentvisor/audit.h"
#include "agentvisor/client.h"
#include "agentvisor/daemon.h"
#include "agentvisor/session.h"
#include "agentvisor/sys.h"
#include "cli/cli.h"
#include "integrations/claude.h"

static const char hook_usage[] =
        "usage: agentvisor hook claude [OPTIONS] < HOOK-INPUT.json\n"
        "\n"
        "Claude Code hook (PreToolUse, PostToolUse, PostToolUseFailure): reads the\n"
        "hook input JSON on stdin and prints the hook answer (docs/PROTOCOL.md,\n"
        "\"Claude Code hooks\"). Uses the daemon when one is running, and decides\n"
        "in process otherwise.\n"
        "\n"
        "  --socket PATH        the daemon's socket (default $AGENTVISOR_SOCKET, else\n"
        "                       $XDG_RUNTIME_DIR/agentvisor/agentvisor.sock)\n"
        "  --no-daemon          always decide in process\n"
        "  --daemon-timeout MS  how long to wait for the daemon (default 2000)\n"
        "  --timeout S          deadline for the whole hook; past it, deny (default 20)\n"
        "  --policy FILE        add a policy layer (in process; repeatable)\n"
        "  --no-default-policy  do not load the built-in default policy\n"
        "  --workspace DIR      the agent's workspace (default $AGENTVISOR_WORKSPACE,\n"
        "                       else $CLAUDE_PROJECT_DIR, else the hook's cwd)\n"
        "  --state DIR          state directory holding the audit log\n"
        "  --fsync MODE         audit durability: always, batch (default) or never\n"
        "  -h, --help           this text\n"
        "\n"
        "Answers: allow and warn -> allow, review -> ask, block -> deny, with the\n"
        "rules and reasons. Tools agentvisor has no mapping for are decided by the\n"
        "policy as MCP tools of the server claude-code (default: review -> ask).\n"
        "\n"
        "Exit status: 0 with the answer on stdout; 2 when nothing could be decided\n"
        "(the answer is then a deny and stderr says why; Claude Code blocks the\n"
        "tool on exit 2). Usage errors and crashes exit 2 with a deny too: a\n"
        "mistyped hook command must not let tools through.\n";

struct hook_opts {
	struct cli_policy_opts policy;
	const char *socket;
	const char *workspace;
	const char *state;
	const char *fsync;
	bool no_daemon;
	long daemon_timeout_ms;
	unsigned timeout_s;
};

/* ---- the last line of defence ------------------------------------------ */

/* Written by the signal handler, so it must be ready before anything runs:
 * a deny that needs no formatting. */
static const char crash_answer[] =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
        "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":"
        "\"agentvisor: block: the hook failed before it could decide\"}}\n";
static const char crash_note[] =
        "agentvisor: the hook failed before it could decide (crash or deadline); "
        "the tool is blocked\n";

static const char exit_answer[] =
        "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
        "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":"
        "\"agentvisor: block: the hook could not run (usage or internal error)\"}}\n";
static const char exit_note[] =
        "agentvisor: the hook could not run (see above); the tool is blocked\n";

/* Async-signal-safe: write(2) and _exit(2) only. Exit 2 blocks the tool
 * whatever stdout holds. */
static void deny_and_exit(const char *answer, size_t alen, const char *note, size_t nlen)
{
	ssize_t n = write(STDOUT_FILENO, answer, alen);
	n = write(STDERR_FILENO, note, nlen);
	(void)n;
	_exit(2);
}

static void on_fatal(int sig)
{
	(void)sig;
	deny_and_exit(crash_answer, sizeof(crash_answer) - 1, crash_note,
	              sizeof(crash_note) - 1);
}

/* Every exit() passes here (on_exit sees the status): anything but 0 or 2,
 * such as the 64 of a usage error from a mistyped hook command or the 70
 * of an allocation failure deep in a helper, would let the tool run, so it
 * becomes a deny and exit 2. */
static void exit_guard(int status, void *arg)
{
	(void)arg;
	if (status != 0 && status != 2)
		deny_and_exit(exit_answer, sizeof(exit_answer) - 1, exit_note,
		              sizeof(exit_note) - 1);
}

static void install_guards(unsigned timeout_s)
{
	on_exit(exit_guard, NULL);
	static const int fatal[] = { SIGSEGV, SIGBUS,  SIGFPE, SIGILL, SIGABRT,
		                     SIGALRM, SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	/* A closed stdout must not kill us silently with another status. */
	signal(SIGPIPE, SIG_IGN);
	alarm(timeout_s);
}

/* Prints answer (or the fixed deny when there is none) and returns the exit
 * status: 0 for a decided answer, 2 for a failure (reason on stderr). */
static int finish(const char *answer, bool failed, const char *why)
{
	if (failed)
		fprintf(stderr, "agentvisor: %s\n",
		        why != NULL ? why : "could not decide");
	if (answer == NULL) {
		fputs(crash_answer, stdout);
		failed = true;
	} else {
		fputs(answer, stdout);
		fputc('\n', stdout);
	}
	if (fflush(stdout) != 0)
		failed = true; /* exit 2 still blocks */
	return failed ? 2 : 0;
}

/* Fails closed with a reason, shaped for event. */
static int deny(enum av_claude_event event, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static int deny(enum av_claude_event event, const char *fmt, ...)
{
	char why[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	char *a = av_claude_answer_deny(event, why);
	int rc = finish(a, true, why);
	free(a);
	return rc;
}

/* The event of a hook input, read only to shape an early failure's answer
 * (PreToolUse when it cannot be told). */
static enum av_claude_event guess_event(const char *buf)
{
	if (buf != NULL && strstr(buf, "\"PostToolUseFailure\"") != NULL)
		return AV_CLAUDE_POST_TOOL_USE_FAILURE;
	if (buf != NULL && strstr(buf, "\"PostToolUse\"") != NULL)
		return AV_CLAUDE_POST_TOOL_USE;
	return AV_CLAUDE_PRE_TOOL_USE;
}

/* ---- the daemon -------------------------------------------------------- */

/* The daemon's answer, bounded: a hook answer is small. */
#define DAEMON_ANSWER_MAX ((size_t)64 << 10)

enum daemon_result {
	DAEMON_ANSWERED, /* *answer holds a checked answer */
	DAEMON_ABSENT,   /* no daemon: decide in process */
	DAEMON_FAILED,   /* a daemon is there but did not answer well: deny */
};

/* Checks that the daemon's answer is one Claude Code will read as we mean
 * it: for PreToolUse a hookSpecificOutput with a known permissionDecision;
 * for the other events any JSON object. */
static bool answer_ok(const char *s, size_t len, enum av_claude_event event)
{
	json_t *o = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(o);
	if (ok && event == AV_CLAUDE_PRE_TOOL_USE) {
		json_t *h = json_object_get(o, "hookSpecificOutput");
		const char *ev = json_string_value(json_object_get(h, "hookEventName"));
		const char *pd =
		        json_string_value(json_object_get(h, "permissionDecision"));
		ok = ev != NULL && strcmp(ev, "PreToolUse") == 0 && pd != NULL &&
		     (strcmp(pd, "allow") == 0 || strcmp(pd, "deny") == 0 ||
		      strcmp(pd, "ask") == 0);
	}
	json_decref(o);
	return ok;
}

static enum daemon_result ask_daemon(const struct hook_opts *o, const char *in,
                                     size_t len, enum av_claude_event event,
                                     char **answer, char *why, size_t whylen)
{
	char path[4096];
	struct av_error err;
	if (av_daemon_socket_path(o->socket, path, sizeof(path), &err) < 0) {
		if (o->socket == NULL && getenv("AGENTVISOR_SOCKET") == NULL)
			return DAEMON_ABSENT; /* no default location at all */
		snprintf(why, whylen, "daemon socket: %s", err.message);
		return DAEMON_FAILED;
	}
	/* No socket file: no daemon. A socket nobody listens on is found
	 * below (connection refused). */
	struct stat st;
	if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
		return DAEMON_ABSENT;

	/* The daemon's own small client (agentvisor/client.h): no libcurl,
	 * whose start-up alone would spend most of the hook's budget. */
	struct av_client_response r;
	char cwhy[256];
	enum av_client_status cs = av_client_request(
	        path, "POST", "/v1/hooks/claude", in, len, o->daemon_timeout_ms,
	        DAEMON_ANSWER_MAX, &r, cwhy, sizeof(cwhy));
	enum daemon_result res = DAEMON_FAILED;
	if (cs == AV_CLIENT_NO_SERVER) {
		res = DAEMON_ABSENT; /* a stale socket file: nobody listens */
	} else if (cs != AV_CLIENT_OK) {
		snprintf(why, whylen, "the daemon at %.200s did not answer: %s", path,
		         cwhy);
	} else if (r.status != 200) {
		snprintf(why, whylen, "the daemon at %.200s answered HTTP %d: %.300s",
		         path, r.status, r.body);
	} else if (!answer_ok(r.body, r.len, event)) {
		snprintf(why, whylen,
		         "the daemon at %.200s sent an answer that is not a hook "
		         "answer",
		         path);
	} else {
		/* One line out, whatever whitespace the daemon ended with. */
		while (r.len > 0 &&
		       (r.body[r.len - 1] == '\n' || r.body[r.len - 1] == '\r' ||
		        r.body[r.len - 1] == ' '))
			r.body[--r.len] = '\0';
		*answer = r.body;
		r.body = NULL;
		res = DAEMON_ANSWERED;
	}
	free(r.body);
	return res;
}

/* ---- in process -------------------------------------------------------- */

static int decide_here(const struct hook_opts *o, const char *in, size_t len,
                       enum av_claude_event event)
{
	int status = 0;
	struct av_policy *p = cli_load_policy(&o->policy, &status);
	if (p == NULL)
		return deny(event, "the policy could not be loaded (see above)");

	/* The log and session store, as `check` opens them; failures to open
	 * are passed on and make the decision fail closed. */
	struct av_error log_err, sess_err;
	av_error_clear(&log_err);
	av_error_clear(&sess_err);
	struct av_audit_writer *log = NULL;
	struct av_session_store *store = NULL;
	struct av_audit_opts ao;
	char dir[4096];
	if (av_audit_opts_default(&ao, &log_err) == 0) {
		if (o->fsync != NULL && av_audit_fsync_parse(o->fsync, &ao.fsync) < 0)
			cli_die(EXIT_USAGE, "--fsync must be always, batch or never");
		if (av_state_dir_resolve(o->state, dir, sizeof(dir), &log_err) == 0) {
			av_audit_open(dir, &ao, &log, &log_err);
			struct av_session_opts so;
			if (av_session_opts_default(&so, &sess_err) == 0)
				av_session_store_open(dir, &so, &store, &sess_err);
		} else {
			sess_err = log_err;
		}
	}

	/* The workspace: --workspace, $AGENTVISOR_WORKSPACE, $CLAUDE_PROJECT_DIR
	 * (Claude Code sets it for hooks), else the hook input's cwd (filled
	 * in by av_claude_handle). The hook process's own cwd is never used:
	 * every path resolves against the cwd Claude Code reports. */
	const char *ws = o->workspace;
	if (ws == NULL)
		ws = getenv("AGENTVISOR_WORKSPACE");
	if (ws == NULL)
		ws = getenv("CLAUDE_PROJECT_DIR");
	struct av_context ctx;
	cli_default_context(&ctx, ws);
	ctx.cwd = NULL;
	ctx.workspace = ws != NULL && ws[0] == '/' ? ws : NULL;

	struct av_session_sink sessions = { .store = store, .err = &sess_err };
	struct av_claude_opts co = {
		.unknown_tool = AV_REVIEW,
		.fallback = &ctx,
		.sessions = &sessions,
	};
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	struct av_claude_outcome out;
	av_claude_handle(p, log, &log_err, in, len, &co, &arena, &out);
	char why[700];
	why[0] = '\0';
	if (out.failed)
		snprintf(why, sizeof(why), "%s%s%s", out.error.where,
		         out.error.where[0] ? ": " : "", out.error.message);
	struct av_error cerr;
	av_session_store_close(store);
	bool closed = av_audit_close(log, &cerr) == 0;
	int rc;
	if (!closed && !out.failed) {
		/* The record may not be durable: do not let the tool run on it. */
		char reason[400];
		snprintf(reason, sizeof(reason), "the audit log could not be sealed: %s",
		         cerr.message);
		rc = deny(out.request.event, "%s", reason);
	} else {
		rc = finish(out.answer, out.failed, why);
	}
	free(out.answer);
	av_arena_free(&arena);
	av_policy_free(p);
	return rc;
}

/* ---- the command ------------------------------------------------------- */

static void parse_options(int argc, char **argv, struct hook_opts *o)
{
	enum {
		OPT_POLICY = 256,
		OPT_NO_DEFAULT,
		OPT_WORKSPACE,
		OPT_STATE,
		OPT_FSYNC,
		OPT_SOCKET,
		OPT_NO_DAEMON,
		OPT_DAEMON_TIMEOUT,
		OPT_TIMEOUT,
	};
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "workspace", required_argument, NULL, OPT_WORKSPACE },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "no-daemon", no_argument, NULL, OPT_NO_DAEMON },
		{ "daemon-timeout", required_argument, NULL, OPT_DAEMON_TIMEOUT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
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
		case OPT_SOCKET:
			o->socket = cli_absolute_arg("--socket", optarg);
			break;
		case OPT_NO_DAEMON:
			o->no_daemon = true;
			break;
		case OPT_DAEMON_TIMEOUT:
			errno = 0;
			o->daemon_timeout_ms = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o->daemon_timeout_ms < 1 ||
			    o->daemon_timeout_ms > 600000)
				cli_die(EXIT_USAGE, "--daemon-timeout takes "
				                    "milliseconds, 1 to 600000");
			break;
		case OPT_TIMEOUT: {
			errno = 0;
			long t = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || t < 1 || t > 3600)
				cli_die(EXIT_USAGE, "--timeout takes seconds, 1 to 3600");
			o->timeout_s = (unsigned)t;
			break;
		}
		case 'h':
			fputs(hook_usage, stdout);
			exit(0);
		default:
			fputs(hook_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
}

int cmd_hook(int argc, char **argv)
{
	/* Guards first: from here on every way out is exit 0 or 2. The
	 * deadline is re-armed once the options are known. */
	install_guards(60);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(hook_usage, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fputs(hook_usage, stderr);
		return EXIT_USAGE; /* exit_guard: a deny, exit 2 */
	}
	if (strcmp(argv[1], "claude") != 0) {
		fprintf(stderr,
		        "agentvisor: unknown hook '%s'; the one there is: claude\n",
		        argv[1]);
		return EXIT_USAGE;
	}
	struct hook_opts o = {
		.daemon_timeout_ms = 2000,
		.timeout_s = 20,
	};
	parse_options(argc - 1, argv + 1, &o);
	if (optind != argc - 1)
		cli_die(EXIT_USAGE,
		        "hook claude takes no operands; the input is on stdin");
	alarm(o.timeout_s);

	char *in = NULL;
	size_t len = 0;
	struct av_error err;
	if (av_read_file("-", AV_CLAUDE_MAX_BYTES, &in, &len, &err) < 0) {
		free(o.policy.files);
		return deny(AV_CLAUDE_PRE_TOOL_USE, "cannot read the hook input: %s",
		            err.message);
	}
	enum av_claude_event event = guess_event(in);
	int rc;
	char *answer = NULL;
	char why[800];
	enum daemon_result dr =
	        o.no_daemon ? DAEMON_ABSENT
	                    : ask_daemon(&o, in, len, event, &answer, why, sizeof(why));
	switch (dr) {
	case DAEMON_ANSWERED:
		rc = finish(answer, false, NULL);
		break;
	case DAEMON_FAILED:
		rc = deny(event, "%s", why);
		break;
	case DAEMON_ABSENT:
	default:
		rc = decide_here(&o, in, len, event);
		break;
	}
	free(answer);
	free(in);
	free(o.policy.files);
	return rc;
}
