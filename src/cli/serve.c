/* serve.c - `agentvisor serve`: runs the decision daemon (src/daemon) in
 * the foreground until SIGTERM. This is the daemon's main: it parses the
 * options, resolves the socket and state paths, raises the descriptor limit
 * for many concurrent clients, and logs to stderr (the journal under
 * systemd). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "agentvisor/daemon.h"
#include "cli/cli.h"

static const char serve_usage[] =
        "usage: agentvisor serve [OPTIONS]\n"
        "\n"
        "Runs the decision daemon: HTTP/1.1 + JSON on a Unix socket (and optionally\n"
        "loopback TCP), the review queue and its web page (docs/PROTOCOL.md,\n"
        "\"Daemon\"). Runs in the foreground; SIGHUP reloads the policy, SIGTERM\n"
        "stops gracefully.\n"
        "\n"
        "  --socket PATH          the Unix socket (default $AGENTVISOR_SOCKET, else\n"
        "                         $XDG_RUNTIME_DIR/agentvisor/agentvisor.sock, else\n"
        "                         /run/agentvisor/agentvisor.sock for root)\n"
        "  --listen HOST:PORT     also serve loopback TCP (127.0.0.1, [::1] or\n"
        "                         localhost only); needs --token-file\n"
        "  --token-file FILE      the bearer token for TCP clients and the web page;\n"
        "                         the file must be mode 0600\n"
        "  --review-timeout SECS  how long a review waits for a human before it\n"
        "                         becomes block (default 120)\n"
        "  --io-timeout SECS      close connections idle this long while sending a\n"
        "                         request or reading a reply (default 10)\n"
        "  --policy FILE          add a policy layer (repeatable)\n"
        "  --no-default-policy    do not load the built-in default policy\n"
        "  --state DIR            state directory holding the audit log (default\n"
        "                         $AGENTVISOR_STATE, else $XDG_STATE_HOME/agentvisor)\n"
        "  --fsync MODE           audit durability: always, batch (default) or never\n"
        "  -h, --help             this text\n"
        "\n"
        "Under systemd socket activation (LISTEN_FDS) the passed sockets are served\n"
        "and --socket is only used when given explicitly.\n"
        "Exit status: 0 after a clean stop, 64 usage error, 65 bad policy or token\n"
        "file, 66 a file cannot be read, 69 cannot listen, 74 the audit log cannot\n"
        "be opened.\n";

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	char t[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s agentvisor: %s\n", t, line);
	fflush(stderr);
}

/* Many concurrent clients need many descriptors: take the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_serve(int argc, char **argv)
{
	enum {
		OPT_SOCKET = 256,
		OPT_LISTEN,
		OPT_TOKEN,
		OPT_TIMEOUT,
		OPT_POLICY,
		OPT_NO_DEFAULT,
		OPT_STATE,
		OPT_FSYNC,
		OPT_IO_TIMEOUT,
	};
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "token-file", required_argument, NULL, OPT_TOKEN },
		{ "review-timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
		{ "io-timeout", required_argument, NULL, OPT_IO_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct av_daemon_opts o = { .log = log_line };
	struct cli_policy_opts pol = { 0 };
	const char *socket_opt = NULL, *state = NULL, *fsync = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			socket_opt = cli_absolute_arg("--socket", optarg);
			break;
		case OPT_LISTEN:
			o.tcp_listen = optarg;
			break;
		case OPT_TOKEN:
			o.token_file = optarg;
			break;
		case OPT_TIMEOUT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || v < 1 ||
			    v > AV_DAEMON_REVIEW_TIMEOUT_MAX)
				cli_die(EXIT_USAGE,
				        "--review-timeout must be from 1 to %d seconds",
				        AV_DAEMON_REVIEW_TIMEOUT_MAX);
			o.review_timeout_s = (unsigned)v;
			break;
		}
		case OPT_IO_TIMEOUT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || v < 1 || v > 3600)
				cli_die(EXIT_USAGE,
				        "--io-timeout must be from 1 to 3600 seconds");
			o.io_timeout_s = (unsigned)v;
			break;
		}
		case OPT_POLICY:
			cli_policy_add_file(&pol, optarg);
			break;
		case OPT_NO_DEFAULT:
			pol.no_default = true;
			break;
		case OPT_STATE:
			state = cli_absolute_arg("--state", optarg);
			break;
		case OPT_FSYNC:
			fsync = optarg;
			break;
		case 'h':
			fputs(serve_usage, stdout);
			exit(0);
		default:
			fputs(serve_usage, stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc)
		cli_die(EXIT_USAGE,
		        "serve takes no operands (see agentvisor serve --help)");
	if (o.token_file != NULL && o.tcp_listen == NULL)
		cli_die(EXIT_USAGE, "--token-file is for --listen");
	if (o.tcp_listen != NULL && o.token_file == NULL)
		cli_die(EXIT_USAGE,
		        "--listen needs --token-file (a 0600 file holding the "
		        "bearer token)");

	struct av_error err;
	int fds[AV_DAEMON_MAX_LISTEN_FDS];
	int nfds = av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err);
	if (nfds < 0)
		return cli_report(&err), EXIT_USAGE;
	o.listen_fds = fds;
	o.nlisten_fds = nfds;
	char sock[4096];
	if (nfds == 0 || socket_opt != NULL) {
		if (av_daemon_socket_path(socket_opt, sock, sizeof(sock), &err) < 0)
			return cli_report(&err), EXIT_USAGE;
		o.socket_path = sock;
	}
	char dir[4096];
	cli_state_dir(state, dir, sizeof(dir));
	o.state_dir = dir;
	if (av_audit_opts_default(&o.audit, &err) < 0)
		return cli_report(&err), EXIT_USAGE;
	if (fsync != NULL && av_audit_fsync_parse(fsync, &o.audit.fsync) < 0)
		cli_die(EXIT_USAGE, "--fsync must be always, batch or never");
	o.policy_files = pol.files;
	o.npolicy_files = pol.nfiles;
	o.no_default_policy = pol.no_default;
	raise_nofile();

	int rc = av_daemon_run(&o, &err);
	free(pol.files);
	if (rc == 0)
		return 0;
	cli_report(&err);
	/* The status says which part failed; the message names the file. */
	switch (err.code) {
	case AV_E_POLICY:
	case AV_E_JSON:
	case AV_E_FIELD:
		return EXIT_DATAERR;
	case AV_E_IO:
		if (strcmp(err.where, "--listen") == 0 ||
		    (o.socket_path != NULL && strcmp(err.where, o.socket_path) == 0))
			return 69; /* cannot listen (EX_UNAVAILABLE) */
		if (strncmp(err.where, dir, strlen(dir)) == 0)
			return EXIT_IOERR; /* the audit log */
		return EXIT_NOINPUT;       /* a policy or token file */
	default:
		return EXIT_SOFTWARE;
	}
}
