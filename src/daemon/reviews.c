/* reviews.c - the human review queue. A `review` verdict from /v1/decide
 * enters the queue with a deadline; a person approves or denies it (the CLI
 * `agentvisor review`, the web page, or POST /v1/reviews/{id}); unanswered
 * by the deadline it becomes block. Each outcome is a second decision
 * record in the audit log for the same action: the final verdict (allow
 * for an approval, block otherwise) with a "review" object saying who
 * answered, when and why. Callers may hold their request open until the
 * answer (long poll) or poll.
 *
 * Memory is bounded: at most AV_DAEMON_MAX_PENDING_REVIEWS pending and
 * AV_DAEMON_REVIEW_BYTES of review text (more are blocked at once, fail
 * closed), and AV_DAEMON_KEEP_DONE answered ones kept for lookups. A review holds only
 * text (the action as received, the verdict, the explanation), never a pointer into a
 * policy, so a reload never leaves it dangling. */
#include <event2/bufferevent.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/decide.h"
#include "daemon/daemon_internal.h"
#include "util/utf8.h"

#define AV_REVIEW_REASON_MAX 1024

enum review_status {
	RS_PENDING = 0,
	RS_APPROVED,
	RS_DENIED,
	RS_EXPIRED,   /* nobody answered in time */
	RS_CANCELLED, /* the daemon stopped, or the queue was full */
};

static const char *const status_names[] = {
	[RS_PENDING] = "pending", [RS_APPROVED] = "approved",   [RS_DENIED] = "denied",
	[RS_EXPIRED] = "expired", [RS_CANCELLED] = "cancelled",
};

struct av_review {
	struct av_review *prev, *next;
	struct av_daemon *d;
	char id[24];
	enum review_status status;
	time_t created, expires, answered;
	char *action_json; /* the action as received */
	size_t action_len;
	char *verdict_json; /* the review verdict */
	char *explanation;
	char *caller_json; /* who asked */
	char *home, *user; /* the fallback context the decision used */
	char *final_json;  /* the final verdict, once answered */
	char *reason;      /* the answer's reason */
	char *by_json;     /* who answered */
	struct event *timer;
	size_t bytes; /* what its texts take, counted in d->review_bytes */
};

struct av_waiter {
	struct av_waiter *prev, *next;
	struct av_daemon *d;
	struct av_review *r;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct event *timer;
	bool decide; /* answer with the verdict (decide) or the review (poll) */
};

static void review_free(struct av_review *r)
{
	if (r == NULL)
		return;
	r->d->review_bytes -= r->bytes;
	if (r->timer != NULL)
		event_free(r->timer);
	free(r->action_json);
	free(r->verdict_json);
	free(r->explanation);
	free(r->caller_json);
	free(r->home);
	free(r->user);
	free(r->final_json);
	free(r->reason);
	free(r->by_json);
	free(r);
}

static char *dupn(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Takes s (malloc'd) and returns it with bytes that are not UTF-8 shown as
 * \xHH, as in verdicts: the explanation quotes analyzer output (decoded
 * $'\xff' strings) and must fit in JSON. NULL stays NULL. */
static char *utf8_text(char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	if (av_utf8_valid(s, n))
		return s;
	size_t need = av_utf8_escape_invalid(s, n, NULL, 0);
	char *t = malloc(need + 1);
	if (t != NULL)
		av_utf8_escape_invalid(s, n, t, need + 1);
	free(s);
	return t;
}

static void iso_time(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

/* Loads one of the review's stored JSON texts (they are ours and valid). */
static json_t *load(const char *s)
{
	json_t *v = s != NULL ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
	return v != NULL ? v : json_null();
}

/* The review as the API shows it (new reference; NULL when out of memory). */
static json_t *review_json(const struct av_review *r)
{
	char created[32], expires[32];
	iso_time(r->created, created);
	iso_time(r->expires, expires);
	long left = r->status == RS_PENDING ? (long)(r->expires - time(NULL)) : 0;
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:o, s:o, s:o, s:o}",
	                 "id", r->id, "status", status_names[r->status], "created",
	                 created, "expires", expires, "expires_in_s",
	                 (int)(left > 0 ? left : 0), "action", load(r->action_json),
	                 "verdict", load(r->verdict_json), "explanation",
	                 r->explanation != NULL ? r->explanation : "", "caller",
	                 load(r->caller_json), "final", load(r->final_json), "reason",
	                 r->reason != NULL ? json_string(r->reason) : json_null(), "by",
	                 load(r->by_json));
}

static void reply_value(struct evhttp_request *req, int code, json_t *v)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (s == NULL) {
		av_reply_error(req, 500, "nomem", "", "out of memory");
		return;
	}
	av_reply_json(req, code, s);
	free(s);
}

/* The verdict a decide caller gets: the final one once answered, else the
 * review verdict with "review": {id, status, expires_in_s}. */
static void reply_verdict(struct evhttp_request *req, const struct av_review *r)
{
	if (r->final_json != NULL) {
		av_reply_json(req, 200, r->final_json);
		return;
	}
	json_t *v = load(r->verdict_json);
	long left = (long)(r->expires - time(NULL));
	json_object_set_new(v, "review",
	                    json_pack("{s:s, s:s, s:i}", "id", r->id, "status",
	                              status_names[r->status], "expires_in_s",
	                              (int)(left > 0 ? left : 0)));
	reply_value(req, 200, v);
}

/* ---- waiters (held requests) ----------------------------------------- */

static void waiter_unlink(struct av_waiter *w)
{
	struct av_daemon *d = w->d;
	if (w->prev)
		w->prev->next = w->next;
	else
		d->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	if (w->timer)
		event_free(w->timer);
	free(w);
}

/* Answers w now and forgets it. */
static void waiter_answer(struct av_waiter *w)
{
	struct evhttp_request *req = w->req;
	const struct av_review *r = w->r;
	bool decide = w->decide;
	waiter_unlink(w);
	if (decide)
		reply_verdict(req, r);
	else
		reply_value(req, 200, review_json(r));
}

static void on_waiter_timeout(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	waiter_answer(arg);
}

/* The client of a held request went away: forget the request (evhttp
 * frees it). */
static void on_conn_close(struct evhttp_connection *conn, void *arg)
{
	struct av_daemon *d = arg;
	struct av_waiter *w = d->waiters, *next;
	for (; w != NULL; w = next) {
		next = w->next;
		if (w->conn == conn)
			waiter_unlink(w);
	}
}

/* Holds req until r is answered or wait seconds pass. Replies at once when
 * it cannot hold it. */
static void hold(struct av_daemon *d, struct evhttp_request *req, struct av_review *r,
                 long wait, bool decide)
{
	struct av_waiter *w = calloc(1, sizeof(*w));
	/* A wait that reaches the review's deadline ends with the review's
	 * outcome (expired: block), never with a last "pending". */
	if (wait >= (long)(r->expires - time(NULL)))
		wait += 2;
	struct timeval tv = { wait, 0 };
	if (w != NULL)
		w->timer = evtimer_new(d->base, on_waiter_timeout, w);
	if (w == NULL || w->timer == NULL || evtimer_add(w->timer, &tv) != 0) {
		if (w != NULL && w->timer != NULL)
			event_free(w->timer);
		free(w);
		if (decide)
			reply_verdict(req, r);
		else
			reply_value(req, 200, review_json(r));
		return;
	}
	w->d = d;
	w->r = r;
	w->req = req;
	w->decide = decide;
	w->conn = evhttp_request_get_connection(req);
	if (w->conn != NULL)
		evhttp_connection_set_closecb(w->conn, on_conn_close, d);
	w->next = d->waiters;
	if (d->waiters)
		d->waiters->prev = w;
	d->waiters = w;
}

/* ---- answering --------------------------------------------------------- */

static void list_remove(struct av_review **head, struct av_review **tail,
                        struct av_review *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		*head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else if (tail != NULL)
		*tail = r->prev;
	r->prev = r->next = NULL;
}

/* Builds the final verdict text: the review verdict with "verdict" set to
 * the outcome and a "review" object; error (may be NULL) is added as the
 * verdict's error. */
static char *final_verdict(const struct av_review *r, enum av_verdict v,
                           const char *error)
{
	char answered[32];
	iso_time(r->answered, answered);
	json_t *o = load(r->verdict_json);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "verdict", json_string(av_verdict_name(v)));
	json_object_set_new(
	        o, "review",
	        json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", r->id, "status",
	                  status_names[r->status], "answered", answered, "reason",
	                  r->reason ? json_string(r->reason) : json_null(), "by",
	                  load(r->by_json), "requested_by", load(r->caller_json)));
	if (error != NULL)
		json_object_set_new(o, "error",
		                    json_pack("{s:s, s:s, s:s}", "code", "io", "message",
		                              error, "where", ""));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Records the outcome as a decision record and stores the final verdict.
 * When the record cannot be written, an approval turns into a block. */
static void record_outcome(struct av_daemon *d, struct av_review *r)
{
	enum av_verdict v = r->status == RS_APPROVED ? AV_ALLOW : AV_BLOCK;
	struct av_action a;
	struct av_decision dec;
	struct av_error err;
	memset(&dec, 0, sizeof(dec));
	char *final = final_verdict(r, v, NULL);
	/* The action is decoded again from the text that was decided (it
	 * decoded then, so it decodes now) to give the record its id, session
	 * and context. */
	struct av_context fb = { .home = r->home, .user = r->user };
	bool decoded =
	        av_action_decode(r->action_json, r->action_len, &d->arena, &a, &err) == 0;
	if (decoded)
		av_action_fill_context(&a, &fb);
	dec.action = decoded ? &a : NULL;
	dec.verdict = v;
	dec.policy_digest = av_policy_digest(d->policy);
	struct av_audit_decision_info info = {
		.action_json = r->action_json,
		.action_len = r->action_len,
		.action_is_json = decoded,
		.ctx = decoded ? &a.ctx : NULL,
		.verdict_json = final,
		.caller_json = r->by_json,
	};
	if (final == NULL ||
	    av_record_decision(d->log, NULL, d->policy, &dec, &info, NULL, &err) < 0) {
		free(final);
		if (r->status == RS_APPROVED)
			av_daemon_log(d, "review %s: approval not recorded, so blocked",
			              r->id);
		final = final_verdict(r, AV_BLOCK,
		                      "the answer could not be recorded, so blocked");
	}
	d->appended_since_sync++;
	r->final_json = final; /* NULL only when out of memory: callers see pending */
	av_arena_reset(&d->arena);
}

/* Forgets the oldest answered review (no waiter can point at it: waiters
 * only wait on pending reviews). */
static void drop_oldest_done(struct av_daemon *d)
{
	struct av_review *last = d->done_head;
	if (last == NULL)
		return;
	while (last->next != NULL)
		last = last->next;
	list_remove(&d->done_head, NULL, last);
	d->ndone--;
	review_free(last);
}

static void resolve(struct av_daemon *d, struct av_review *r, enum review_status st,
                    const char *reason, const char *by_json)
{
	r->status = st;
	r->answered = time(NULL);
	r->reason = dupn(reason);
	r->by_json = dupn(by_json);
	if (r->timer != NULL) {
		event_free(r->timer);
		r->timer = NULL;
	}
	record_outcome(d, r);
	size_t more = r->final_json != NULL ? strlen(r->final_json) : 0;
	r->bytes += more;
	d->review_bytes += more;
	list_remove(&d->pending_head, &d->pending_tail, r);
	d->npending--;
	r->next = d->done_head;
	if (d->done_head)
		d->done_head->prev = r;
	d->done_head = r;
	d->ndone++;
	struct av_waiter *w = d->waiters, *next;
	for (; w != NULL; w = next) {
		next = w->next;
		if (w->r == r)
			waiter_answer(w);
	}
	/* Forget the oldest answered reviews beyond the cap (no waiter can
	 * point at them: waiters only wait on pending reviews). */
	while (d->ndone > AV_DAEMON_KEEP_DONE)
		drop_oldest_done(d);
}

static void on_review_timeout(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	struct av_review *r = arg;
	char why[96];
	snprintf(why, sizeof(why), "no answer within %u seconds", r->d->review_timeout_s);
	resolve(r->d, r, RS_EXPIRED, why, "{\"transport\":\"daemon\"}");
}

static struct av_review *find(struct av_daemon *d, const char *id)
{
	for (struct av_review *r = d->pending_head; r; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r;
	for (struct av_review *r = d->done_head; r; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

void av_review_enqueue(struct av_daemon *d, struct evhttp_request *req,
                       const struct av_recorded *rec, const char *action_json,
                       size_t action_len, const struct av_caller *c, long wait)
{
	struct av_review *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		av_reply_error(req, 500, "nomem", "",
		               "out of memory queueing the review");
		return;
	}
	unsigned char rnd[8];
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(r->id, sizeof(r->id), "r-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
	         rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	r->d = d;
	r->created = time(NULL);
	r->expires = r->created + (time_t)d->review_timeout_s;
	r->action_json = malloc(action_len + 1);
	if (r->action_json != NULL) {
		memcpy(r->action_json, action_json, action_len);
		r->action_json[action_len] = '\0';
	}
	r->action_len = action_len;
	r->verdict_json = dupn(rec->verdict_json);
	r->explanation = utf8_text(av_decision_explain(&rec->decision));
	r->caller_json = dupn(c->json);
	r->home = dupn(rec->action.ctx.home);
	r->user = dupn(rec->action.ctx.user);
	struct timeval tv = { (time_t)d->review_timeout_s, 0 };
	r->timer = evtimer_new(d->base, on_review_timeout, r);
	bool ok = r->action_json && r->verdict_json && r->explanation && r->caller_json &&
	          r->timer && evtimer_add(r->timer, &tv) == 0;
	/* Append to the pending list first, so resolve() can move it. */
	r->prev = d->pending_tail;
	if (d->pending_tail)
		d->pending_tail->next = r;
	else
		d->pending_head = r;
	d->pending_tail = r;
	d->npending++;
	if (!ok || r->verdict_json == NULL) {
		resolve(d, r, RS_CANCELLED, "out of memory queueing the review",
		        "{\"transport\":\"daemon\"}");
		reply_verdict(req, r);
		return;
	}
	r->bytes = action_len + strlen(r->verdict_json) + strlen(r->explanation);
	d->review_bytes += r->bytes;
	/* Answered reviews make room first; then the queue is full. */
	while (d->review_bytes > AV_DAEMON_REVIEW_BYTES && d->done_head != NULL)
		drop_oldest_done(d);
	if (d->npending > AV_DAEMON_MAX_PENDING_REVIEWS ||
	    d->review_bytes > AV_DAEMON_REVIEW_BYTES) {
		/* Fail closed: a flood of reviews cannot grow memory or wait. */
		resolve(d, r, RS_CANCELLED, "the review queue is full",
		        "{\"transport\":\"daemon\"}");
		reply_verdict(req, r);
		return;
	}
	av_daemon_log(d, "review %s queued (%u pending)", r->id, d->npending);
	if (wait > 0)
		hold(d, req, r, wait, true);
	else
		reply_verdict(req, r);
}

void av_reviews_list(struct av_daemon *d, struct evhttp_request *req)
{
	json_t *a = json_array();
	size_t bytes = 0;
	bool truncated = false;
	for (struct av_review *r = d->pending_head; a && r; r = r->next) {
		/* Actions can be megabytes: one answer lists about 8 MiB; the
		 * rest is there to fetch one by one. */
		if (bytes > 0 && bytes + r->bytes > AV_DAEMON_AUDIT_BYTES) {
			truncated = true;
			break;
		}
		bytes += r->bytes;
		json_array_append_new(a, review_json(r));
	}
	reply_value(req, 200,
	            json_pack("{s:o, s:b}", "reviews", a, "truncated", truncated));
}

void av_review_get(struct av_daemon *d, struct evhttp_request *req, const char *id,
                   long wait)
{
	struct av_review *r = find(d, id);
	if (r == NULL) {
		av_reply_error(req, 404, "not_found", "id", "no review %.40s", id);
		return;
	}
	if (r->status == RS_PENDING && wait > 0)
		hold(d, req, r, wait, false);
	else
		reply_value(req, 200, review_json(r));
}

void av_review_answer(struct av_daemon *d, struct evhttp_request *req, const char *id,
                      const char *body, size_t len, const struct av_caller *c)
{
	struct av_review *r = find(d, id);
	if (r == NULL) {
		av_reply_error(req, 404, "not_found", "id", "no review %.40s", id);
		return;
	}
	json_error_t je;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		av_reply_error(req, 400, "json", "body",
		               "the body is not a JSON object: %s", je.text);
		return;
	}
	const char *key;
	json_t *v;
	const char *decision = NULL, *reason = NULL;
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, "decision") == 0 && json_is_string(v)) {
			decision = json_string_value(v);
		} else if (strcmp(key, "reason") == 0 && json_is_string(v) &&
		           json_string_length(v) <= AV_REVIEW_REASON_MAX &&
		           strlen(json_string_value(v)) == json_string_length(v)) {
			reason = json_string_value(v);
		} else {
			if (strcmp(key, "decision") == 0 || strcmp(key, "reason") == 0)
				av_reply_error(req, 400, "field", key,
				               "must be a string (a reason: at most %d "
				               "bytes, no NUL)",
				               AV_REVIEW_REASON_MAX);
			else
				av_reply_error(
				        req, 400, "field", key,
				        "unknown field (the fields are decision and "
				        "reason)");
			json_decref(o);
			return;
		}
	}
	enum review_status st;
	if (decision != NULL && strcmp(decision, "approve") == 0) {
		st = RS_APPROVED;
	} else if (decision != NULL && strcmp(decision, "deny") == 0) {
		st = RS_DENIED;
	} else {
		json_decref(o);
		av_reply_error(req, 400, "field", "decision",
		               "decision must be \"approve\" or \"deny\"");
		return;
	}
	if (r->status != RS_PENDING) {
		json_decref(o);
		av_reply_error(req, 409, "conflict", "id", "review %s is already %s",
		               r->id, status_names[r->status]);
		return;
	}
	av_daemon_log(d, "review %s %s by %s", r->id, status_names[st], c->json);
	resolve(d, r, st, reason, c->json);
	json_decref(o);
	reply_value(req, 200, review_json(r));
}

void av_reviews_shutdown(struct av_daemon *d)
{
	while (d->pending_head != NULL)
		resolve(d, d->pending_head, RS_CANCELLED, "the daemon stopped",
		        "{\"transport\":\"daemon\"}");
	/* Polls on answered reviews do not exist (they answer at once). */
}

void av_reviews_free(struct av_daemon *d)
{
	while (d->waiters != NULL)
		waiter_unlink(d->waiters);
	struct av_review *lists[] = { d->pending_head, d->done_head };
	for (size_t i = 0; i < 2; i++) {
		struct av_review *r = lists[i], *next;
		for (; r != NULL; r = next) {
			next = r->next;
			review_free(r);
		}
	}
	d->pending_head = d->pending_tail = d->done_head = NULL;
	d->npending = d->ndone = 0;
}
