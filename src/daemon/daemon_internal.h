/* daemon_internal.h - what the daemon's sources share: the daemon state,
 * the request context, reply helpers and the review queue. Not a public
 * interface. */
#ifndef AV_DAEMON_INTERNAL_H
#define AV_DAEMON_INTERNAL_H

#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "agentvisor/audit.h"
#include "agentvisor/daemon.h"
#include "agentvisor/policy.h"
#include "agentvisor/session.h"

#define AV_DAEMON_MAX_WAIT     3600              /* ?wait= cap, seconds */
#define AV_DAEMON_MAX_BODY     ((size_t)4 << 20) /* largest body (an action) */
#define AV_DAEMON_REVIEW_BODY  ((size_t)64 << 10)
#define AV_DAEMON_KEEP_DONE    256                /* answered reviews kept for lookups */
#define AV_DAEMON_REVIEW_BYTES ((size_t)64 << 20) /* text all reviews hold */
#define AV_DAEMON_AUDIT_LIMIT  1000 /* most records one GET /v1/audit returns */
#define AV_DAEMON_AUDIT_BYTES  ((size_t)8 << 20) /* ... and most payload bytes */
#define AV_DAEMON_AUDIT_SCAN   20000             /* ... and most records it looks at */

struct av_review;
struct av_waiter;

/* One listener family: the Unix socket (no token; peer credentials) or
 * loopback TCP (bearer token). */
struct av_listener {
	struct av_daemon *d;
	struct evhttp *http;
	bool tcp;
	struct evhttp_bound_socket *bound[AV_DAEMON_MAX_LISTEN_FDS + 1];
	int nbound;
};

struct av_daemon {
	const struct av_daemon_opts *o;
	struct event_base *base;
	struct av_listener unix_l, tcp_l;
	struct av_policy *policy;
	struct av_audit_writer *log;
	/* The session store (state_dir/sessions.db); NULL with sessions_err
	 * set when it could not be opened: actions with a session id then fail
	 * closed, as in check. */
	struct av_session_store *sessions;
	struct av_error sessions_err;
	struct av_session_sink sink;
	struct av_arena arena; /* per request; reset after each */
	char *token;           /* bearer token (wiped at exit) */
	size_t token_len;
	bool created_socket; /* unlink o->socket_path at exit */
	bool stopping;
	bool trimmed; /* the heap was trimmed since the last activity */
	struct event *sig_hup, *sig_term, *sig_int, *sync_timer, *stop_timer;
	/* Policy reloads compile on a worker thread (server.c). */
	pthread_t reload_thread;
	bool reloading, reload_again;
	int reload_pipe[2]; /* the worker writes a byte when it is done */
	struct event *reload_done;
	struct av_policy *reload_result;
	struct av_error reload_err;
	uint64_t decisions, appended_since_sync, started_ns;
	unsigned review_timeout_s;
	/* The review queue: pending reviews in arrival order, then answered
	 * ones (newest first, at most AV_DAEMON_KEEP_DONE). */
	struct av_review *pending_head, *pending_tail;
	unsigned npending;
	struct av_review *done_head;
	unsigned ndone;
	size_t review_bytes;       /* the texts of every review held */
	struct av_waiter *waiters; /* every held request */
	/* passwd answers per peer uid (routes.c): the lookup reads files. */
	struct av_pw_entry {
		bool used, has_home, has_user;
		uid_t uid;
		char home[512], user[64];
	} pw_cache[8];
	unsigned pw_next;
	uint64_t review_counter;
	/* Group commit (routes.c): decisions with a session that arrive in one
	 * event-loop pass share one session-store transaction; their answers
	 * wait in this list until commit_ev (activated with the first) has
	 * committed it, so no verdict leaves before its state is written. */
	struct av_held_reply *group_head, **group_tail;
	unsigned group_n;
	uint64_t group_lost; /* av_session_store_lost when the group began */
	struct event *commit_ev;
};

/* Who sent a request: transport and, on the Unix socket, the peer's
 * credentials (SO_PEERCRED); json is the "caller" object recorded. */
struct av_caller {
	bool tcp;
	bool have_cred;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char json[160];
};

/* ---- group commit (routes.c) ---- */

/* Creates d->commit_ev; -1 when it cannot (the daemon then commits each
 * decision on its own). */
int av_group_init(struct av_daemon *d);
/* Commits the open group and sends its held answers (fail-closed blocks
 * when the commit failed). Called by commit_ev and before teardown. */
void av_group_commit(struct av_daemon *d);

/* ---- life (server.c) ---- */

/* Sets *d up as av_daemon_run does (policy, audit log, listeners, signals)
 * without running the loop: the loop is d->base. On failure returns -1
 * with err set; av_daemon_finish must be called either way. Also used by
 * the fuzz target, which drives the loop itself. */
int av_daemon_start(struct av_daemon *d, const struct av_daemon_opts *o,
                    struct av_error *err);
/* Frees what av_daemon_start made and seals the audit log; returns rc, or
 * -1 (err set) when rc was 0 and sealing failed. */
int av_daemon_finish(struct av_daemon *d, int rc, struct av_error *err);

/* ---- replies (server.c) ---- */

/* Sends body (a JSON text, borrowed) with status code. */
void av_reply_json(struct evhttp_request *req, int code, const char *body);
/* Sends {"error":{"code":CODE,"message":MESSAGE,"where":WHERE}}. */
void av_reply_error(struct evhttp_request *req, int status, const char *code,
                    const char *where, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
/* Writes one log line through the options' callback. */
void av_daemon_log(struct av_daemon *d, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Monotonic and wall time in ns. */
uint64_t av_daemon_mono_ns(void);
/* Parses "?wait=N" from the query of req: 0 when absent; -1 after replying
 * 400 for a malformed value. Values over cap are lowered to cap. */
long av_query_wait(struct evhttp_request *req, long cap);

/* ---- requests (routes.c) ---- */

/* The router: every request of both listeners comes here. */
void av_daemon_handle(struct evhttp_request *req, void *listener);
/* The caller of req (peer credentials on the Unix socket). */
void av_caller_of(struct evhttp_request *req, bool tcp, struct av_caller *c);

/* ---- the review queue (reviews.c) ---- */

/* Enqueues the review decision r (decided for caller c); takes nothing.
 * On success replies to req now (wait == 0) or holds it up to wait
 * seconds. When the queue is full the action is blocked and recorded at
 * once, and req gets that block. */
void av_review_enqueue(struct av_daemon *d, struct evhttp_request *req,
                       const struct av_recorded *r, const char *action_json,
                       size_t action_len, const struct av_caller *c, long wait);
/* GET /v1/reviews. */
void av_reviews_list(struct av_daemon *d, struct evhttp_request *req);
/* GET /v1/reviews/{id}[?wait=N]. */
void av_review_get(struct av_daemon *d, struct evhttp_request *req, const char *id,
                   long wait);
/* POST /v1/reviews/{id}: body {"decision","reason"}. */
void av_review_answer(struct av_daemon *d, struct evhttp_request *req, const char *id,
                      const char *body, size_t len, const struct av_caller *c);
/* Answers every pending review with block (the daemon is stopping). */
void av_reviews_shutdown(struct av_daemon *d);
/* Frees the queue. */
void av_reviews_free(struct av_daemon *d);

#endif
