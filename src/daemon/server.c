/* server.c - the daemon's life: sockets (created, or inherited from
 * systemd), the loopback TCP listener and its token, the libevent loop,
 * signals (SIGHUP reload, SIGTERM/SIGINT graceful stop), the periodic
 * audit sync, and the JSON reply helpers every route uses.
 *
 * The daemon is single-threaded: one decision runs at a time on the event
 * loop, so the policy and the audit writer need no locks, and a reload
 * swaps the policy between two requests without dropping either. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agentvisor/sys.h"
#include "daemon/daemon_internal.h"

#define AV_TOKEN_MIN 16
#define AV_TOKEN_MAX 4096

uint64_t av_daemon_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void av_daemon_log(struct av_daemon *d, const char *fmt, ...)
{
	if (d->o->log == NULL)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->o->log(d->o->log_ctx, line);
}

void av_reply_json(struct evhttp_request *req, int code, const char *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	struct evbuffer *b = evbuffer_new();
	if (b == NULL) { /* defensive: without a buffer, an empty 500 */
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(b, body, strlen(body));
	evbuffer_add(b, "\n", 1);
	static const struct {
		int code;
		const char *reason;
	} reasons[] = {
		{ 200, "OK" },
		{ 202, "Accepted" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 409, "Conflict" },
		{ 413, "Payload Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	const char *reason = "Status";
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			reason = reasons[i].reason;
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

void av_reply_error(struct evhttp_request *req, int status, const char *code,
                    const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code, "message",
	                      msg, "where", where != NULL ? where : "");
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (status == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "WWW-Authenticate", "Bearer");
	av_reply_json(req, status,
	              s != NULL ? s
	                        : "{\"error\":{\"code\":\"nomem\",\"message\":"
	                          "\"out of memory\",\"where\":\"\"}}");
	free(s);
}

long av_query_wait(struct evhttp_request *req, long cap)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (q == NULL)
		return 0;
	struct evkeyvalq params;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(q, &params) != 0) {
		av_reply_error(req, 400, "field", "query",
		               "the query string is malformed");
		return -1;
	}
	const char *w = evhttp_find_header(&params, "wait");
	long v = 0;
	if (w != NULL) {
		char *end;
		errno = 0;
		v = strtol(w, &end, 10);
		if (errno != 0 || end == w || *end != '\0' || v < 0 ||
		    v > AV_DAEMON_MAX_WAIT) {
			evhttp_clear_headers(&params);
			av_reply_error(
			        req, 400, "field", "wait",
			        "wait must be a whole number of seconds from 0 to %d",
			        AV_DAEMON_MAX_WAIT);
			return -1;
		}
	}
	evhttp_clear_headers(&params);
	return v > cap ? cap : v;
}

/* ---- socket paths and activation ------------------------------------ */

int av_daemon_socket_path(const char *override, char *out, size_t cap,
                          struct av_error *err)
{
	const char *p = override;
	int n;
	if (p == NULL)
		p = getenv("AGENTVISOR_SOCKET");
	if (p != NULL && p[0] != '\0') {
		if (p[0] != '/')
			return av_error_set(err, AV_E_FIELD, "socket",
			                    "the socket path %.200s is not absolute", p);
		n = snprintf(out, cap, "%s", p);
	} else if ((p = getenv("XDG_RUNTIME_DIR")) != NULL && p[0] == '/') {
		n = snprintf(out, cap, "%s/agentvisor/agentvisor.sock", p);
	} else if (geteuid() == 0) {
		n = snprintf(out, cap, "/run/agentvisor/agentvisor.sock");
	} else {
		return av_error_set(err, AV_E_IO, "socket",
		                    "no socket path: set --socket, AGENTVISOR_SOCKET or "
		                    "XDG_RUNTIME_DIR");
	}
	if (n < 0 || (size_t)n >= cap ||
	    (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return av_error_set(err, AV_E_LIMIT, "socket",
		                    "the socket path is longer than %zu bytes",
		                    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	return 0;
}

int av_daemon_inherited_fds(int *fds, int max, struct av_error *err)
{
	const char *pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
	if (pid == NULL || nfds == NULL)
		return 0;
	char *end;
	errno = 0;
	long lp = strtol(pid, &end, 10);
	bool bad_pid = errno != 0 || *end != '\0' || end == pid;
	errno = 0;
	long ln = strtol(nfds, &end, 10);
	bool bad_n = errno != 0 || *end != '\0' || end == nfds || ln < 0;
	/* The variables are meant for this process only: children never see
	 * them, whatever they say. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (bad_pid || bad_n)
		return av_error_set(err, AV_E_FIELD, "LISTEN_FDS",
		                    "LISTEN_PID or LISTEN_FDS is not a number");
	if (lp != (long)getpid())
		return 0;
	if (ln > max)
		return av_error_set(err, AV_E_LIMIT, "LISTEN_FDS",
		                    "%ld sockets passed; at most %d are served", ln, max);
	for (int i = 0; i < (int)ln; i++) {
		fds[i] = 3 + i;
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	return (int)ln;
}

/* Creates the parent directory of the default socket (mode 0700) when it is
 * missing. A directory given by the operator is used as it is. */
static int ensure_parent(const char *path, struct av_error *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	struct stat st;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode)
		               ? 0
		               : av_error_set(err, AV_E_IO, dir, "not a directory");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return av_error_set(err, AV_E_IO, dir, "cannot create the directory: %s",
		                    strerror(errno));
	return 0;
}

/* Binds the Unix socket at path, mode 0600. A leftover socket file nobody
 * answers on is removed; one a live daemon answers on is refused. */
static int unix_listen(const char *path, int *out, struct av_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return av_error_set(err, AV_E_LIMIT, path, "the socket path is too long");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (ensure_parent(path, err) < 0)
		return -1;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return av_error_set(
			        err, AV_E_IO, path,
			        "exists and is not a socket; refusing to replace "
			        "it");
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int live = probe >= 0 &&
		           connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (probe >= 0)
			close(probe);
		if (live)
			return av_error_set(err, AV_E_IO, path,
			                    "another daemon is already serving on this "
			                    "socket");
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return av_error_set(err, AV_E_IO, path, "socket: %s", strerror(errno));
	/* The socket file is created 0600 from the start (umask), so there is
	 * no window in which another user could connect. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(path, 0600) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		close(fd);
		return av_error_set(err, AV_E_IO, path, "cannot listen: %s", strerror(e));
	}
	*out = fd;
	return 0;
}

/* Binds loopback TCP at spec "HOST:PORT"; only loopback hosts are
 * accepted, because the token is sent in clear text. */
static int tcp_listen(const char *spec, int *out, struct av_error *err)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return av_error_set(err, AV_E_FIELD, "--listen",
		                    "%.100s is not HOST:PORT", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 0 || port > 65535)
		return av_error_set(err, AV_E_FIELD, "--listen", "%.100s: bad port",
		                    spec);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl;
	if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	} else if (strcmp(host, "[::1]") == 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof(*s6);
	} else {
		return av_error_set(err, AV_E_FIELD, "--listen",
		                    "%.100s: only 127.0.0.1, [::1] or localhost may be "
		                    "listened on (the token travels in clear text)",
		                    spec);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0)
		return av_error_set(err, AV_E_IO, "--listen", "socket: %s",
		                    strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		close(fd);
		return av_error_set(err, AV_E_IO, "--listen",
		                    "cannot listen on %.100s: %s", spec, strerror(e));
	}
	*out = fd;
	return 0;
}

/* Reads the bearer token: a regular file that only its owner can access
 * (0600 or 0400); anything looser is refused, naming the file, because a
 * token others can read is no secret. */
static int load_token(struct av_daemon *d, const char *path, struct av_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return av_error_set(err, AV_E_IO, path, "cannot open the token file: %s",
		                    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return av_error_set(err, AV_E_FIELD, path,
		                    "the token file is not a regular file");
	}
	if ((st.st_mode & 0077) != 0) {
		close(fd);
		return av_error_set(err, AV_E_FIELD, path,
		                    "the token file has mode %04o; it must be 0600 (only "
		                    "its owner may read it)",
		                    (unsigned)(st.st_mode & 07777));
	}
	close(fd);
	char *text;
	size_t len;
	if (av_read_file(path, AV_TOKEN_MAX, &text, &len, err) < 0)
		return -1;
	while (len > 0 &&
	       (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		text[--len] = '\0';
	bool printable = true;
	for (size_t i = 0; i < len; i++)
		printable &= text[i] > 0x20 && text[i] < 0x7f;
	if (len < AV_TOKEN_MIN || !printable) {
		sodium_memzero(text, len);
		free(text);
		return av_error_set(err, AV_E_FIELD, path,
		                    "the token must be at least %d printable characters "
		                    "without spaces",
		                    AV_TOKEN_MIN);
	}
	d->token = text;
	d->token_len = len;
	return 0;
}

/* ---- policy ---------------------------------------------------------- */

static struct av_policy *load_policy(const struct av_daemon_opts *o, struct av_error *err)
{
	struct av_policy *p = av_policy_new();
	if (p == NULL) {
		av_error_set(err, AV_E_NOMEM, "", "out of memory");
		return NULL;
	}
	if (!o->no_default_policy && av_policy_add_default(p, err) < 0)
		goto fail;
	for (int i = 0; i < o->npolicy_files; i++)
		if (av_policy_add_file(p, o->policy_files[i], err) < 0)
			goto fail;
	return p;
fail:
	av_policy_free(p);
	return NULL;
}

/* Records the daemon's own events (start, reload, stop) as audit notes. */
static void note(struct av_daemon *d, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void note(struct av_daemon *d, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:s}", "note", text);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	struct av_error err;
	if (s == NULL ||
	    av_audit_append(d->log, AV_REC_NOTE, s, strlen(s), NULL, &err) < 0)
		av_daemon_log(d, "cannot record the note \"%s\" in the audit log", text);
	free(s);
}

/* Puts the outcome of a reload into force (on the loop thread). */
static void apply_reload(struct av_daemon *d, struct av_policy *p,
                         const struct av_error *err)
{
	if (p == NULL) {
		av_daemon_log(d, "policy reload failed, keeping the old policy: %s%s%s",
		              err->where, err->where[0] ? ": " : "", err->message);
		note(d, "policy reload failed, kept %.64s: %.300s%s%.300s",
		     av_policy_digest(d->policy), err->where, err->where[0] ? ": " : "",
		     err->message);
		return;
	}
	/* Between two requests: no decision is running, so the old policy can
	 * go. Pending reviews keep their verdict text, never a policy pointer. */
	av_policy_free(d->policy);
	d->policy = p;
	av_daemon_log(d, "policy reloaded: %s", av_policy_digest(p));
	note(d, "policy reloaded: %.64s", av_policy_digest(p));
}

/* The reload worker: reads and compiles the policy off the loop, so a
 * reload never stalls requests (the old policy decides until the new one
 * is ready). It touches only its own policy object and d->reload_*; the
 * loop thread reads those after pthread_join. */
static void *reload_worker(void *arg)
{
	struct av_daemon *d = arg;
	av_error_clear(&d->reload_err);
	d->reload_result = load_policy(d->o, &d->reload_err);
	char b = 1;
	while (write(d->reload_pipe[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void on_hup(evutil_socket_t sig, short ev, void *arg)
{
	(void)sig;
	(void)ev;
	struct av_daemon *d = arg;
	if (d->reloading) { /* one at a time; the latest files win */
		d->reload_again = true;
		return;
	}
	if (d->reload_pipe[0] >= 0 &&
	    pthread_create(&d->reload_thread, NULL, reload_worker, d) == 0) {
		d->reloading = true;
		return;
	}
	/* Defensive: no thread, so reload on the loop (requests wait). */
	struct av_error err;
	av_error_clear(&err);
	struct av_policy *p = load_policy(d->o, &err);
	apply_reload(d, p, &err);
}

static void on_reload_done(evutil_socket_t fd, short ev, void *arg)
{
	(void)ev;
	struct av_daemon *d = arg;
	char b;
	while (read((int)fd, &b, 1) < 0 && errno == EINTR)
		;
	if (!d->reloading)
		return;
	pthread_join(d->reload_thread, NULL);
	d->reloading = false;
	struct av_policy *p = d->reload_result;
	d->reload_result = NULL;
	apply_reload(d, p, &d->reload_err);
	if (d->reload_again) {
		d->reload_again = false;
		on_hup(SIGHUP, 0, d);
	}
}

static void on_stop_timer(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	event_base_loopexit(((struct av_daemon *)arg)->base, NULL);
}

static void on_term(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	struct av_daemon *d = arg;
	if (d->stopping)
		return;
	d->stopping = true;
	av_daemon_log(d, "signal %d: stopping", (int)sig);
	/* No new connections; held requests get their answer (block for
	 * pending reviews); then a short grace period lets replies drain. */
	struct av_listener *ls[] = { &d->unix_l, &d->tcp_l };
	for (size_t i = 0; i < 2; i++) {
		for (int j = 0; j < ls[i]->nbound; j++)
			evhttp_del_accept_socket(ls[i]->http, ls[i]->bound[j]);
		ls[i]->nbound = 0;
	}
	av_reviews_shutdown(d);
	struct timeval grace = { 0, 200000 };
	d->stop_timer = evtimer_new(d->base, on_stop_timer, d);
	if (d->stop_timer == NULL || evtimer_add(d->stop_timer, &grace) != 0)
		event_base_loopexit(d->base, NULL);
}

/* Batch durability also when traffic stops: the writer syncs on append
 * only, so an idle daemon flushes what it appended once a second. */
static void on_sync(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	struct av_daemon *d = arg;
	struct av_error err;
	if (d->appended_since_sync == 0) {
		/* Idle for a second after a burst: hand the burst's freed heap
		 * (1,000 connections' buffers) back to the system, so RSS
		 * follows the load down. */
		if (!d->trimmed)
			malloc_trim(0);
		d->trimmed = true;
		return;
	}
	d->trimmed = false;
	d->appended_since_sync = 0;
	if (av_audit_sync(d->log, &err) < 0)
		av_daemon_log(d, "audit sync failed: %s", err.message);
}

static int listener_init(struct av_daemon *d, struct av_listener *l, bool tcp,
                         struct av_error *err)
{
	l->d = d;
	l->tcp = tcp;
	l->http = evhttp_new(d->base);
	if (l->http == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "cannot create the HTTP server");
	evhttp_set_gencb(l->http, av_daemon_handle, l);
	evhttp_set_max_body_size(l->http, (ev_ssize_t)AV_DAEMON_MAX_BODY);
	evhttp_set_max_headers_size(l->http, 16384);
	/* Slow clients: a connection idle for the timeout while sending its
	 * request (or reading the reply) is closed. Held long polls are not
	 * subject to it: evhttp stops the clock while a request is answered. */
	evhttp_set_timeout(l->http, d->o->io_timeout_s ? (int)d->o->io_timeout_s
	                                               : AV_DAEMON_IO_TIMEOUT_DEFAULT);
	evhttp_set_allowed_methods(l->http,
	                           EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                                   EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                   EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	return 0;
}

static int serve_fd(struct av_daemon *d, int fd, struct av_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return av_error_set(err, AV_E_IO, "LISTEN_FDS",
		                    "descriptor %d is not a socket", fd);
	bool tcp = ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
	if (tcp && d->token == NULL)
		return av_error_set(err, AV_E_FIELD, "--token-file",
		                    "a TCP socket needs --token-file");
	struct av_listener *l = tcp ? &d->tcp_l : &d->unix_l;
	if (l->http == NULL && listener_init(d, l, tcp, err) < 0)
		return -1;
	if (l->nbound >= AV_DAEMON_MAX_LISTEN_FDS + 1)
		return av_error_set(err, AV_E_LIMIT, "", "too many sockets to serve");
	evutil_make_socket_nonblocking(fd);
	struct evhttp_bound_socket *b = evhttp_accept_socket_with_handle(l->http, fd);
	if (b == NULL)
		return av_error_set(err, AV_E_IO, "", "cannot serve descriptor %d", fd);
	l->bound[l->nbound++] = b;
	return 0;
}

static void daemon_free(struct av_daemon *d)
{
	if (d->reloading) { /* a reload still compiling: wait, then drop it */
		pthread_join(d->reload_thread, NULL);
		av_policy_free(d->reload_result);
		d->reloading = false;
	}
	for (int i = 0; i < 2; i++)
		if (d->reload_pipe[i] >= 0)
			close(d->reload_pipe[i]);
	/* Held answers go out (committed) before their connections close. */
	if (d->commit_ev != NULL) {
		av_group_commit(d);
		event_free(d->commit_ev);
		d->commit_ev = NULL;
	}
	av_reviews_free(d);
	if (d->unix_l.http)
		evhttp_free(d->unix_l.http);
	if (d->tcp_l.http)
		evhttp_free(d->tcp_l.http);
	struct event *evs[] = { d->sig_hup,    d->sig_term,   d->sig_int,
		                d->sync_timer, d->stop_timer, d->reload_done };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	if (d->base)
		event_base_free(d->base);
	av_policy_free(d->policy);
	av_session_store_close(d->sessions);
	d->sessions = NULL;
	av_arena_free(&d->arena);
	if (d->token != NULL) {
		sodium_memzero(d->token, d->token_len);
		free(d->token);
	}
	if (d->created_socket)
		unlink(d->o->socket_path);
}

int av_daemon_start(struct av_daemon *d, const struct av_daemon_opts *o,
                    struct av_error *err)
{
	memset(d, 0, sizeof(*d));
	d->o = o;
	d->reload_pipe[0] = d->reload_pipe[1] = -1;
	av_error_clear(err);
	av_arena_init(&d->arena, AV_ARENA_DEFAULT_CAP);
	d->review_timeout_s = o->review_timeout_s ? o->review_timeout_s
	                                          : AV_DAEMON_REVIEW_TIMEOUT_DEFAULT;
	d->started_ns = av_daemon_mono_ns();
	if (sodium_init() < 0)
		return av_error_set(err, AV_E_INTERNAL, "", "libsodium failed to start");
	/* A client that goes away must cost an EPIPE, not the daemon. */
	signal(SIGPIPE, SIG_IGN);
	if ((d->policy = load_policy(o, err)) == NULL)
		return -1;
	/* Batch flushes run on the writer's syncer thread: a decision never
	 * waits behind a disk flush that is not its own (with --fsync always
	 * every decision still waits for its own). */
	struct av_audit_opts ao = o->audit;
	ao.sync_thread = true;
	if (av_state_dir_prepare(o->state_dir, err) < 0 ||
	    av_audit_open(o->state_dir, &ao, &d->log, err) < 0)
		return -1;
	/* Sessions: one store for the daemon's life. When it cannot be opened
	 * the daemon still serves; actions that name a session fail closed. */
	struct av_session_opts so;
	av_error_clear(&d->sessions_err);
	if (av_session_opts_default(&so, &d->sessions_err) == 0)
		av_session_store_open(o->state_dir, &so, &d->sessions, &d->sessions_err);
	d->sink.store = d->sessions;
	d->sink.err = &d->sessions_err;
	if (o->token_file != NULL && load_token(d, o->token_file, err) < 0)
		return -1;
	if (o->tcp_listen != NULL && o->token_file == NULL)
		return av_error_set(err, AV_E_FIELD, "--listen",
		                    "--listen needs --token-file");
	if ((d->base = event_base_new()) == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "cannot create the event loop");
	/* Without the commit event each decision commits on its own. */
	if (av_group_init(d) < 0)
		av_daemon_log(d, "group commit unavailable: each decision commits alone");
	for (int i = 0; i < o->nlisten_fds; i++)
		if (serve_fd(d, o->listen_fds[i], err) < 0)
			return -1;
	if (o->socket_path != NULL) {
		int fd = -1;
		if (unix_listen(o->socket_path, &fd, err) < 0)
			return -1;
		d->created_socket = true;
		if (serve_fd(d, fd, err) < 0)
			return -1;
	}
	if (o->tcp_listen != NULL) {
		int fd = -1;
		if (tcp_listen(o->tcp_listen, &fd, err) < 0 || serve_fd(d, fd, err) < 0)
			return -1;
	}
	if (d->unix_l.http == NULL && d->tcp_l.http == NULL)
		return av_error_set(err, AV_E_FIELD, "--socket", "nothing to listen on");
	if (pipe2(d->reload_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		d->reload_pipe[0] = d->reload_pipe[1] = -1;
	else if ((d->reload_done = event_new(d->base, d->reload_pipe[0],
	                                     EV_READ | EV_PERSIST, on_reload_done, d)) ==
	                 NULL ||
	         event_add(d->reload_done, NULL) != 0)
		return av_error_set(err, AV_E_INTERNAL, "",
		                    "cannot watch policy reloads");
	d->sig_hup = evsignal_new(d->base, SIGHUP, on_hup, d);
	d->sig_term = evsignal_new(d->base, SIGTERM, on_term, d);
	d->sig_int = evsignal_new(d->base, SIGINT, on_term, d);
	d->sync_timer = event_new(d->base, -1, EV_PERSIST, on_sync, d);
	struct timeval second = { 1, 0 };
	if (d->sig_hup == NULL || d->sig_term == NULL || d->sig_int == NULL ||
	    d->sync_timer == NULL || evsignal_add(d->sig_hup, NULL) != 0 ||
	    evsignal_add(d->sig_term, NULL) != 0 || evsignal_add(d->sig_int, NULL) != 0 ||
	    evtimer_add(d->sync_timer, &second) != 0)
		return av_error_set(err, AV_E_INTERNAL, "",
		                    "cannot install signal handlers");
	note(d, "daemon started, policy %.64s", av_policy_digest(d->policy));
	return 0;
}

int av_daemon_finish(struct av_daemon *d, int rc, struct av_error *err)
{
	if (rc == 0 && d->log != NULL)
		note(d, "daemon stopped after %llu decisions",
		     (unsigned long long)d->decisions);
	daemon_free(d);
	if (d->log != NULL) {
		struct av_error cerr;
		if (av_audit_close(d->log, &cerr) < 0 && rc == 0) {
			*err = cerr;
			rc = -1;
		}
		d->log = NULL;
	}
	return rc;
}

int av_daemon_run(const struct av_daemon_opts *o, struct av_error *err)
{
	struct av_daemon d;
	if (av_daemon_start(&d, o, err) < 0)
		return av_daemon_finish(&d, -1, err);
	av_daemon_log(&d, "serving%s%s%s%s, policy %s", o->socket_path ? " on unix:" : "",
	              o->socket_path ? o->socket_path : "",
	              o->tcp_listen ? " and http://" : "",
	              o->tcp_listen ? o->tcp_listen : "", av_policy_digest(d.policy));
	int rc = 0;
	if (event_base_dispatch(d.base) < 0)
		rc = av_error_set(err, AV_E_INTERNAL, "", "the event loop failed");
	return av_daemon_finish(&d, rc, err);
}
