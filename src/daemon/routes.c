/* routes.c - the daemon's endpoints (docs/PROTOCOL.md, "Daemon"): one
 * table of method + path -> handler, the bearer-token gate of the TCP
 * listener, the caller's identity, and the handlers for decide, report,
 * audit, health and the review page. The review queue is in reviews.c.
 *
 * Every body from /v1/decide is a verdict: whatever goes wrong (a bad
 * action, an internal error, an audit log that cannot be written) the
 * caller still gets a block verdict with "error" set, never allow. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <jansson.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "daemon/daemon_internal.h"
#include "integrations/claude.h"

/* The review page, embedded from web/ at build time (scripts/embed.cmake). */
extern const char av_web_index_html[], av_web_app_js[], av_web_style_css[];
extern const size_t av_web_index_html_len, av_web_app_js_len, av_web_style_css_len;

void av_caller_of(struct evhttp_request *req, bool tcp, struct av_caller *c)
{
	memset(c, 0, sizeof(*c));
	c->tcp = tcp;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	int fd = bev ? (int)bufferevent_getfd(bev) : -1;
	if (tcp) {
		const char *addr = NULL;
		ev_uint16_t port = 0;
		if (conn != NULL)
			evhttp_connection_get_peer(conn, (char **)&addr, &port);
		snprintf(c->json, sizeof(c->json),
		         "{\"transport\":\"tcp\",\"address\":\"%.64s\",\"port\":%u}",
		         addr != NULL && strspn(addr, "0123456789abcdef.:[]") ==
		                                 strlen(addr)
		                 ? addr
		                 : "?",
		         (unsigned)port);
		return;
	}
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) {
		c->have_cred = true;
		c->pid = cr.pid;
		c->uid = cr.uid;
		c->gid = cr.gid;
		snprintf(c->json, sizeof(c->json),
		         "{\"transport\":\"unix\",\"pid\":%ld,\"uid\":%lu,\"gid\":%lu}",
		         (long)cr.pid, (unsigned long)cr.uid, (unsigned long)cr.gid);
	} else {
		snprintf(c->json, sizeof(c->json), "{\"transport\":\"unix\"}");
	}
}

/* The context a decision falls back on for fields the action leaves out:
 * on the Unix socket, the home and user name of the peer's uid. Nothing is
 * guessed for TCP callers or for the cwd (relative paths then classify as
 * unknown, which policies treat with suspicion). The passwd lookup reads
 * files, so its answer is cached per uid (a few entries; a user's home
 * directory changing under a running daemon is picked up on restart). */
static const struct av_pw_entry *pw_lookup(struct av_daemon *d, uid_t uid)
{
	const size_t n = sizeof(d->pw_cache) / sizeof(d->pw_cache[0]);
	for (size_t i = 0; i < n; i++)
		if (d->pw_cache[i].used && d->pw_cache[i].uid == uid)
			return &d->pw_cache[i];
	struct passwd pw, *res = NULL;
	char buf[2048];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return NULL;
	struct av_pw_entry *e = &d->pw_cache[d->pw_next++ % n];
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->uid = uid;
	e->has_home = pw.pw_dir != NULL && pw.pw_dir[0] == '/' &&
	              strlen(pw.pw_dir) < sizeof(e->home);
	if (e->has_home)
		snprintf(e->home, sizeof(e->home), "%s", pw.pw_dir);
	e->has_user = pw.pw_name != NULL && strlen(pw.pw_name) < sizeof(e->user);
	if (e->has_user)
		snprintf(e->user, sizeof(e->user), "%s", pw.pw_name);
	return e;
}

static void caller_context(struct av_daemon *d, const struct av_caller *c,
                           struct av_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	if (!c->have_cred)
		return;
	const struct av_pw_entry *e = pw_lookup(d, c->uid);
	if (e == NULL)
		return;
	if (e->has_home)
		ctx->home = av_arena_strdup(&d->arena, e->home);
	if (e->has_user)
		ctx->user = av_arena_strdup(&d->arena, e->user);
}

/* The request body as one contiguous NUL-terminated buffer (borrowed from
 * the request), or NULL after replying 413 when it is larger than max. */
static const char *body_of(struct evhttp_request *req, size_t max, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	*len = evbuffer_get_length(in);
	if (*len > max) {
		av_reply_error(req, 413, "limit", "body",
		               "the body is %zu bytes; this endpoint takes at most %zu",
		               *len, max);
		return NULL;
	}
	/* A terminating NUL after the body; the length excludes it. */
	if (evbuffer_add(in, "", 1) != 0) {
		av_reply_error(req, 500, "nomem", "", "out of memory");
		return NULL;
	}
	const char *p = (const char *)evbuffer_pullup(in, -1);
	if (p == NULL)
		av_reply_error(req, 500, "nomem", "", "out of memory");
	return p;
}

/* POST bodies must say they are JSON (a form post from a web page cannot,
 * without a CORS preflight the daemon never grants). */
static bool json_content(struct evhttp_request *req)
{
	const char *ct =
	        evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0 &&
	    (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' '))
		return true;
	av_reply_error(req, 415, "media_type", "Content-Type",
	               "the body must be JSON (Content-Type: application/json)");
	return false;
}

/* The JSON body of a POST, at most max bytes (borrowed from the request),
 * or NULL after replying 415 or 413. */
static const char *json_body(struct evhttp_request *req, size_t max, size_t *len)
{
	return json_content(req) ? body_of(req, max, len) : NULL;
}

/* ---- handlers -------------------------------------------------------- */

struct route_ctx {
	struct av_daemon *d;
	struct evhttp_request *req;
	const struct av_caller *caller;
	const char *arg; /* the {id} of /v1/reviews/{id} */
};

/* ---- group commit ---------------------------------------------------- */

/* An answer held until its decision's session state is committed. */
struct av_held_reply {
	struct av_held_reply *next;
	struct evhttp_request *req; /* evhttp keeps it until it is answered */
	int status;
	char *verdict_json; /* owned */
	char *id;           /* owned; NULL when the action had none */
};

/* The fail-closed answer for an action whose session state was lost. */
static void reply_lost(struct evhttp_request *req, const char *id)
{
	json_t *o = json_pack("{s:o, s:s, s:s, s:{s:s, s:s, s:s}}", "id",
	                      id != NULL ? json_string(id) : json_null(), "verdict",
	                      "block", "risk", "high", "error", "code", "io", "message",
	                      "the session store could not commit this action's "
	                      "state, so blocked",
	                      "where", "session");
	char *js = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	av_reply_json(req, 500,
	              js != NULL ? js
	                         : "{\"id\":null,\"verdict\":\"block\",\"risk\":"
	                           "\"high\",\"error\":{\"code\":\"nomem\","
	                           "\"message\":\"out of memory\",\"where\":\"\"}}");
	free(js);
}

/* Commits the open session transaction. True when every decision of the
 * group kept its state: the commit worked and no failure in between rolled
 * the transaction back with earlier decisions in it. */
static bool group_flush(struct av_daemon *d)
{
	struct av_error err;
	if (d->sessions == NULL)
		return true;
	if (av_session_flush(d->sessions, &err) < 0) {
		av_daemon_log(d, "session commit failed: %s", err.message);
		return false;
	}
	return av_session_store_lost(d->sessions) == d->group_lost;
}

/* Sends every held answer: as decided when ok, else fail closed. */
static void group_answer(struct av_daemon *d, bool ok)
{
	struct av_held_reply *h = d->group_head;
	d->group_head = NULL;
	d->group_tail = &d->group_head;
	d->group_n = 0;
	while (h != NULL) {
		struct av_held_reply *next = h->next;
		/* Answers other than 200 are blocks already, with their own
		 * reason (an unrecorded decision's 503 says so). */
		if (ok || h->status != 200)
			av_reply_json(h->req, h->status, h->verdict_json);
		else
			reply_lost(h->req, h->id);
		free(h->verdict_json);
		free(h->id);
		free(h);
		h = next;
	}
}

void av_group_commit(struct av_daemon *d)
{
	group_answer(d, group_flush(d));
}

static void on_commit(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	av_group_commit(arg);
}

int av_group_init(struct av_daemon *d)
{
	d->group_head = NULL;
	d->group_tail = &d->group_head;
	d->commit_ev = event_new(d->base, -1, 0, on_commit, d);
	return d->commit_ev != NULL ? 0 : -1;
}

/* Holds the answer (status, *verdict_json, taken) of a decision in the
 * open group. When it cannot, commits now and answers at once. */
static void group_hold(struct av_daemon *d, struct evhttp_request *req, int status,
                       char *verdict_json, const char *id)
{
	struct av_held_reply *h = calloc(1, sizeof(*h));
	if (h != NULL && id != NULL && (h->id = strdup(id)) == NULL) {
		free(h);
		h = NULL;
	}
	if (h == NULL) {
		if (group_flush(d))
			av_reply_json(req, status, verdict_json);
		else
			reply_lost(req, id);
		free(verdict_json);
		return;
	}
	h->req = req;
	h->status = status;
	h->verdict_json = verdict_json;
	*d->group_tail = h;
	d->group_tail = &h->next;
	/* Runs after the requests already read in this pass of the loop. */
	if (d->group_n++ == 0)
		event_active(d->commit_ev, EV_TIMEOUT, 0);
}

/* POST /v1/decide[?wait=N]. The only place the daemon decides: a session
 * store joins the decision inside av_decide_recorded. Decisions with a
 * session id are group-committed: the store's transaction stays open
 * until the end of this pass of the event loop, and their answers are
 * held until it is committed (av_group_commit). */
static void h_decide(struct route_ctx *rc)
{
	struct av_daemon *d = rc->d;
	long wait = av_query_wait(rc->req, (long)d->review_timeout_s);
	if (wait < 0)
		return;
	size_t len;
	const char *body = json_body(rc->req, AV_ACTION_MAX_BYTES, &len);
	if (body == NULL)
		return;
	struct av_context fallback;
	caller_context(d, rc->caller, &fallback);
	struct av_recorded r;
	bool group = d->commit_ev != NULL && d->sessions != NULL;
	if (group) {
		if (d->group_n == 0)
			d->group_lost = av_session_store_lost(d->sessions);
		av_session_store_group(d->sessions, 4096);
	}
	av_decide_recorded(d->policy, d->log, NULL, &d->sink, body, len, &fallback,
	                   rc->caller->json, &d->arena, &r);
	if (group) /* other routes (hooks, report) commit at once */
		av_session_store_group(d->sessions, 1);
	bool held = group && r.action.session != NULL;
	d->decisions++;
	d->appended_since_sync++;
	if (r.verdict_json == NULL) {
		/* Out of memory even for the verdict: still a block. */
		av_reply_json(
		        rc->req, 500,
		        "{\"id\":null,\"verdict\":\"block\",\"risk\":\"high\","
		        "\"error\":{\"code\":\"nomem\",\"message\":\"out of memory\","
		        "\"where\":\"\"}}");
		return;
	}
	if (r.status == AV_RECORDED_OK && r.decision.verdict == AV_REVIEW) {
		/* A review outlives the pass: its state is committed first. */
		if (held) {
			bool ok = group_flush(d);
			group_answer(d, ok);
			if (!ok) {
				reply_lost(rc->req, r.id);
				free(r.verdict_json);
				return;
			}
		}
		av_review_enqueue(d, rc->req, &r, body, len, rc->caller, wait);
		free(r.verdict_json);
		return;
	}
	static const int code[] = {
		[AV_RECORDED_OK] = 200,
		[AV_RECORDED_BAD_ACTION] = 400,
		[AV_RECORDED_FAILED] = 200, /* set below for internal errors */
		[AV_RECORDED_UNRECORDED] = 503,
	};
	int status = code[r.status];
	if (r.status == AV_RECORDED_FAILED && r.decision.error.code != AV_E_LIMIT)
		status = 500;
	if (held) {
		group_hold(d, rc->req, status, r.verdict_json, r.id);
		return;
	}
	av_reply_json(rc->req, status, r.verdict_json);
	free(r.verdict_json);
}

/* POST /v1/report: an execution result, as `agentvisor report`. */
static void h_report(struct route_ctx *rc)
{
	struct av_daemon *d = rc->d;
	size_t len;
	const char *body = json_body(rc->req, AV_RESULT_MAX_BYTES, &len);
	if (body == NULL)
		return;
	struct av_result r;
	struct av_error err;
	uint64_t seq = 0;
	if (av_result_decode(body, len, &d->arena, &r, &err) < 0) {
		av_reply_error(rc->req, 400, av_errcode_name(err.code), err.where, "%s",
		               err.message);
		return;
	}
	if (av_audit_append_result(d->log, &r, &seq, &err) < 0) {
		av_reply_error(rc->req, 503, "io", err.where, "not recorded: %s",
		               err.message);
		return;
	}
	d->appended_since_sync++;
	/* Then the action's session learns what really happened (as
	 * `agentvisor report`); a session store that fails is a 503: the
	 * caller must know the session did not learn it. */
	if (d->sessions == NULL) {
		av_reply_error(rc->req, 503, "io", d->sessions_err.where,
		               "recorded, but the session store is unavailable: %s",
		               d->sessions_err.message);
		return;
	}
	if (av_session_report(d->sessions, &r, av_session_now_ms(), &err) < 0) {
		av_reply_error(rc->req, 503, "io", err.where,
		               "recorded, but the session was not updated: %s",
		               err.message);
		return;
	}
	json_t *o = json_pack("{s:s, s:I}", "id", r.id, "seq", (json_int_t)seq);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (s == NULL) {
		av_reply_error(rc->req, 500, "nomem", "", "out of memory");
		return;
	}
	av_reply_json(rc->req, 200, s);
	free(s);
}

static void h_healthz(struct route_ctx *rc)
{
	struct av_daemon *d = rc->d;
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"status\":\"ok\",\"policy\":\"%s\",\"decisions\":%" PRIu64
	         ",\"pending_reviews\":%u,\"uptime_s\":%" PRIu64 "}",
	         av_policy_digest(d->policy), d->decisions, d->npending,
	         (av_daemon_mono_ns() - d->started_ns) / 1000000000u);
	av_reply_json(rc->req, 200, body);
}

/* Query parameters of GET /v1/audit. */
struct audit_query {
	uint64_t since; /* first sequence number */
	long limit;
	bool have_verdict;
	enum av_verdict verdict;
};

static int parse_audit_query(struct evhttp_request *req, struct audit_query *q)
{
	q->since = 0;
	q->limit = 100;
	q->have_verdict = false;
	const char *qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (qs == NULL)
		return 0;
	struct evkeyvalq params;
	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(qs, &params) != 0) {
		av_reply_error(req, 400, "field", "query",
		               "the query string is malformed");
		return -1;
	}
	int rc = 0;
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, &params, next)
	{
		char *end;
		if (strcmp(kv->key, "since") == 0) {
			unsigned long long v = strtoull(kv->value, &end, 10);
			if (*end != '\0' || end == kv->value || kv->value[0] == '-') {
				av_reply_error(req, 400, "field", "since",
				               "since must be a record sequence number");
				rc = -1;
				break;
			}
			q->since = v;
		} else if (strcmp(kv->key, "limit") == 0) {
			long v = strtol(kv->value, &end, 10);
			if (*end != '\0' || end == kv->value || v < 1 ||
			    v > AV_DAEMON_AUDIT_LIMIT) {
				av_reply_error(req, 400, "field", "limit",
				               "limit must be from 1 to %d",
				               AV_DAEMON_AUDIT_LIMIT);
				rc = -1;
				break;
			}
			q->limit = v;
		} else if (strcmp(kv->key, "verdict") == 0) {
			if (av_verdict_parse(kv->value, strlen(kv->value), &q->verdict) <
			    0) {
				av_reply_error(
				        req, 400, "field", "verdict",
				        "verdict must be allow, warn, review or block");
				rc = -1;
				break;
			}
			q->have_verdict = true;
		} else {
			av_reply_error(req, 400, "field", kv->key,
			               "unknown query parameter (since, limit, verdict)");
			rc = -1;
			break;
		}
	}
	evhttp_clear_headers(&params);
	return rc;
}

/* GET /v1/audit?since=SEQ&limit=N&verdict=V: records from sequence number
 * since on, in order, at most limit; with verdict, decision records with
 * that final verdict only. "next" is where to continue.
 *
 * This runs on the event loop, so its work is bounded whatever the log's
 * size: the reader seeks to since by segment headers and record lengths
 * (no hashing of what is passed over), and one answer examines at most
 * AV_DAEMON_AUDIT_SCAN records (a verdict filter that matches rarely
 * answers with fewer records, possibly none, and a next to go on from). */
static void h_audit(struct route_ctx *rc)
{
	struct av_daemon *d = rc->d;
	struct audit_query q;
	if (parse_audit_query(rc->req, &q) < 0)
		return;
	struct av_error err;
	struct av_audit_reader *r;
	/* What this daemon appended is already written (not necessarily
	 * synced); the reader sees it. */
	if (av_audit_reader_open(d->o->state_dir, &r, &err) < 0) {
		av_reply_error(rc->req, 503, "io", err.where, "%s", err.message);
		return;
	}
	json_t *recs = json_array();
	struct av_audit_record rec;
	bool sought = av_audit_reader_seek(r, q.since, &err) == 0;
	int n = 0;
	uint64_t next = q.since;
	size_t bytes = 0;
	unsigned examined = 0;
	while (sought && recs != NULL && (n = av_audit_reader_next(r, &rec, &err)) == 1) {
		if (rec.seq < q.since) { /* defensive: the seek passed these */
			next = rec.seq + 1;
			continue;
		}
		/* One answer holds at most AV_DAEMON_AUDIT_BYTES of records
		 * (records can be megabytes) and looks at most at
		 * AV_DAEMON_AUDIT_SCAN; the caller continues at next. */
		if (examined++ >= AV_DAEMON_AUDIT_SCAN ||
		    (json_array_size(recs) > 0 &&
		     bytes + rec.payload_len > AV_DAEMON_AUDIT_BYTES))
			break;
		next = rec.seq + 1;
		json_t *p = json_loadb(rec.payload, rec.payload_len, 0, NULL);
		if (q.have_verdict) {
			json_t *v = json_object_get(json_object_get(p, "decision"),
			                            "verdict");
			if (rec.type != AV_REC_DECISION || !json_is_string(v) ||
			    strcmp(json_string_value(v), av_verdict_name(q.verdict)) !=
			            0) {
				json_decref(p);
				continue;
			}
		}
		bytes += rec.payload_len;
		json_array_append_new(recs, json_pack("{s:I, s:s, s:I, s:o}", "seq",
		                                      (json_int_t)rec.seq, "type",
		                                      av_audit_type_name(rec.type),
		                                      "time_ns", (json_int_t)rec.time_ns,
		                                      "record", p ? p : json_null()));
		if ((long)json_array_size(recs) >= q.limit)
			break;
	}
	av_audit_reader_free(r);
	if (!sought || n < 0) {
		json_decref(recs);
		av_reply_error(rc->req, 500, av_errcode_name(err.code), err.where, "%s",
		               err.message);
		return;
	}
	json_t *o = json_pack("{s:o, s:I}", "records", recs, "next", (json_int_t)next);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL) {
		av_reply_error(rc->req, 500, "nomem", "", "out of memory");
		return;
	}
	av_reply_json(rc->req, 200, s);
	free(s);
}

static void h_reviews(struct route_ctx *rc)
{
	av_reviews_list(rc->d, rc->req);
}

static void h_review_get(struct route_ctx *rc)
{
	long wait = av_query_wait(rc->req, AV_DAEMON_MAX_WAIT);
	if (wait >= 0)
		av_review_get(rc->d, rc->req, rc->arg, wait);
}

static void h_review_post(struct route_ctx *rc)
{
	size_t len;
	const char *body = json_body(rc->req, AV_DAEMON_REVIEW_BODY, &len);
	if (body != NULL)
		av_review_answer(rc->d, rc->req, rc->arg, body, len, rc->caller);
}

/* POST /v1/hooks/claude: Claude Code's http hook. The same contract as
 * `agentvisor hook claude` (src/integrations/claude.h): the hook JSON in,
 * the hook answer out, decided and recorded through av_decide_recorded.
 * A failure is still a 200 with a deny answer, because Claude Code reads a
 * non-2xx answer as a failed hook and lets the tool run. Claude Code's own
 * "ask" is its human review, so review verdicts are not queued here. */
static void h_hook_claude(struct route_ctx *rc)
{
	struct av_daemon *d = rc->d;
	size_t len;
	const char *body = json_body(rc->req, AV_CLAUDE_MAX_BYTES, &len);
	if (body == NULL)
		return;
	struct av_context fallback;
	caller_context(d, rc->caller, &fallback);
	struct av_claude_opts opts = {
		.unknown_tool = AV_REVIEW,
		.fallback = &fallback,
		.caller_json = rc->caller->json,
		.sessions = &d->sink,
	};
	struct av_claude_outcome out;
	av_claude_handle(d->policy, d->log, NULL, body, len, &opts, &d->arena, &out);
	d->decisions++;
	d->appended_since_sync++;
	av_reply_json(
	        rc->req, 200,
	        out.answer != NULL
	                ? out.answer
	                : "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
	                  "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":"
	                  "\"agentvisor: out of memory\"}}");
	free(out.answer);
}

static void send_asset(struct evhttp_request *req, const char *type, const char *data,
                       size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	/* The page runs only its own script and talks only to this origin;
	 * it may not be framed (clickjacking the approve button). */
	evhttp_add_header(h, "Content-Security-Policy",
	                  "default-src 'none'; script-src 'self'; style-src 'self'; "
	                  "connect-src 'self'; img-src 'self'; frame-ancestors 'none'; "
	                  "base-uri 'none'; form-action 'none'");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	struct evbuffer *b = evbuffer_new();
	if (b == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_reference(b, data, len, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void h_page(struct route_ctx *rc)
{
	send_asset(rc->req, "text/html; charset=utf-8", av_web_index_html,
	           av_web_index_html_len);
}

static void h_app_js(struct route_ctx *rc)
{
	send_asset(rc->req, "text/javascript; charset=utf-8", av_web_app_js,
	           av_web_app_js_len);
}

static void h_style_css(struct route_ctx *rc)
{
	send_asset(rc->req, "text/css; charset=utf-8", av_web_style_css,
	           av_web_style_css_len);
}

/* Browsers ask for an icon; there is none, and a 404 would be noise. */
static void h_favicon(struct route_ctx *rc)
{
	evhttp_send_reply(rc->req, 204, "No Content", NULL);
}

/* The routes. A path ending in '/' takes one more segment as {id}. The
 * static page needs no token (it holds no data); everything else on TCP
 * does. */
static const struct route {
	enum evhttp_cmd_type method;
	const char *path;
	void (*fn)(struct route_ctx *rc);
	bool public_asset;
} routes[] = {
	{ EVHTTP_REQ_POST, "/v1/decide", h_decide, false },
	{ EVHTTP_REQ_POST, "/v1/report", h_report, false },
	{ EVHTTP_REQ_GET, "/v1/reviews", h_reviews, false },
	{ EVHTTP_REQ_GET, "/v1/reviews/", h_review_get, false },
	{ EVHTTP_REQ_POST, "/v1/reviews/", h_review_post, false },
	{ EVHTTP_REQ_GET, "/v1/audit", h_audit, false },
	{ EVHTTP_REQ_POST, "/v1/hooks/claude", h_hook_claude, false },
	{ EVHTTP_REQ_GET, "/healthz", h_healthz, false },
	{ EVHTTP_REQ_GET, "/", h_page, true },
	{ EVHTTP_REQ_GET, "/index.html", h_page, true },
	{ EVHTTP_REQ_GET, "/app.js", h_app_js, true },
	{ EVHTTP_REQ_GET, "/style.css", h_style_css, true },
	{ EVHTTP_REQ_GET, "/favicon.ico", h_favicon, true },
};

/* Matches path against a route path; for a prefix route (ending in '/'),
 * *arg receives the one segment after it. */
static bool path_match(const char *route, const char *path, const char **arg)
{
	size_t rl = strlen(route);
	if (rl > 1 && route[rl - 1] == '/') {
		if (strncmp(route, path, rl) != 0)
			return false;
		const char *rest = path + rl;
		if (*rest == '\0' || strchr(rest, '/') != NULL)
			return false;
		*arg = rest;
		return true;
	}
	return strcmp(route, path) == 0;
}

/* The bearer token of a TCP request, compared in constant time. */
static bool authorized(struct av_daemon *d, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	const char *t = h + 7;
	size_t tl = strlen(t);
	return tl == d->token_len && sodium_memcmp(t, d->token, tl) == 0;
}

void av_daemon_handle(struct evhttp_request *req, void *listener)
{
	struct av_listener *l = listener;
	struct av_daemon *d = l->d;
	d->trimmed = false;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || path[0] == '\0')
		path = "/";
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const struct route *hit = NULL;
	const char *arg = NULL;
	bool path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *a = NULL;
		if (!path_match(routes[i].path, path, &a))
			continue;
		path_known = true;
		if (routes[i].method == m) {
			hit = &routes[i];
			arg = a;
			break;
		}
	}
	if (d->stopping) {
		av_reply_error(req, 503, "unavailable", "", "the daemon is stopping");
		goto done;
	}
	if (hit == NULL) {
		if (path_known)
			av_reply_error(req, 405, "method", path,
			               "this method is not allowed on %.200s", path);
		else
			av_reply_error(req, 404, "not_found", path, "no such endpoint");
		goto done;
	}
	if (l->tcp && !hit->public_asset && !authorized(d, req)) {
		av_reply_error(req, 401, "auth", "Authorization",
		               "a valid bearer token is required");
		goto done;
	}
	struct av_caller c;
	av_caller_of(req, l->tcp, &c);
	struct route_ctx rc = { .d = d, .req = req, .caller = &c, .arg = arg };
	hit->fn(&rc);
done:
	av_arena_reset(&d->arena);
}
