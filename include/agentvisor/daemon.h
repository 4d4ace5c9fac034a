/* daemon.h - `agentvisor serve`: the long-running decision service.
 * HTTP/1.1 with JSON on a Unix socket (peer credentials identify the
 * caller) and optionally on loopback TCP with a bearer token; the review
 * queue for `review` verdicts and the page that answers it. docs/PROTOCOL.md
 * ("Daemon") lists every endpoint.
 *
 * Ownership follows common.h: every pointer argument is borrowed for the
 * duration of the call. The daemon never prints; it reports through the log
 * callback of its options. */
#ifndef AGENTVISOR_DAEMON_H
#define AGENTVISOR_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "agentvisor/audit.h"
#include "agentvisor/common.h"

#define AV_DAEMON_REVIEW_TIMEOUT_DEFAULT 120   /* seconds */
#define AV_DAEMON_REVIEW_TIMEOUT_MAX     86400 /* one day */
#define AV_DAEMON_MAX_PENDING_REVIEWS    256   /* more are blocked at once */
#define AV_DAEMON_MAX_LISTEN_FDS         8     /* inherited sockets */
#define AV_DAEMON_IO_TIMEOUT_DEFAULT     10    /* seconds */

struct av_daemon_opts {
	/* The Unix socket to create (mode 0600), or NULL when every socket is
	 * inherited (listen_fds). A stale socket file is replaced; a live one
	 * (another daemon answers) is an error. */
	const char *socket_path;
	/* Listening sockets inherited from systemd (AF_UNIX or AF_INET/AF_INET6
	 * on loopback); TCP ones need token_file like tcp_listen. */
	const int *listen_fds;
	int nlisten_fds;
	/* "127.0.0.1:PORT" (or "[::1]:PORT", "localhost:PORT") for the loopback
	 * TCP listener, or NULL. Any other address is refused. */
	const char *tcp_listen;
	/* The bearer token file: required with a TCP listener; refused unless
	 * it is a regular file that group and others cannot access. */
	const char *token_file;
	const char *state_dir; /* the resolved state directory (audit log) */
	const char *const *policy_files;
	int npolicy_files;
	bool no_default_policy;
	unsigned review_timeout_s; /* 0 = AV_DAEMON_REVIEW_TIMEOUT_DEFAULT */
	/* A connection that sends nothing (or reads nothing) for this many
	 * seconds is closed; 0 = AV_DAEMON_IO_TIMEOUT_DEFAULT. */
	unsigned io_timeout_s;
	struct av_audit_opts audit;
	/* Called with one line (no newline) for each event worth a log line:
	 * startup, reloads, refused connections, errors. May be NULL. */
	void (*log)(void *log_ctx, const char *line);
	void *log_ctx;
};

/* Resolves the daemon's socket path into out[0..cap): override if not NULL,
 * else $AGENTVISOR_SOCKET, else $XDG_RUNTIME_DIR/agentvisor/agentvisor.sock,
 * else (for root) /run/agentvisor/agentvisor.sock. Relative paths are
 * refused. Servers and clients use the same rule, so they meet. */
int av_daemon_socket_path(const char *override, char *out, size_t cap,
                          struct av_error *err);

/* Collects the sockets systemd passed (LISTEN_PID equal to this process,
 * LISTEN_FDS = N: descriptors 3 .. 3+N-1) into fds[0..max), and unsets the
 * variables so children do not inherit them. Returns how many (0 when not
 * socket-activated), or -1 with err set for malformed variables. */
int av_daemon_inherited_fds(int *fds, int max, struct av_error *err);

/* Runs the daemon until SIGTERM or SIGINT: opens the audit log, loads the
 * policy, listens, serves. SIGHUP reloads the policy (a policy that does not
 * load keeps the old one, and the error is logged with file:line:col).
 * Shutdown is graceful: listeners close, pending reviews are answered with
 * block (recorded), replies are flushed, the log is sealed and the socket
 * file removed. Returns 0 after a clean shutdown, or -1 with err set when
 * it could not start (the message names the file or address). */
int av_daemon_run(const struct av_daemon_opts *o, struct av_error *err);

#endif
