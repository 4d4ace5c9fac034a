/* decide_record.c - the one path from a JSON action to a recorded verdict,
 * shared by `agentvisor check` and the daemon (and any other front end):
 * decode, fill the context, decide, build the verdict JSON once, append the
 * decision record, and fail closed when any step fails. Session state joins
 * the decision here, so every front end gets it at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/audit.h"
#include "agentvisor/session.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int av_record_decision(struct av_audit_writer *log, const struct av_error *log_err,
                       const struct av_policy *p, struct av_decision *d,
                       const struct av_audit_decision_info *info, uint64_t *seq_out,
                       struct av_error *err)
{
	struct av_error e;
	av_error_clear(&e);
	if (log == NULL) {
		if (log_err != NULL)
			e = *log_err;
	} else if (av_audit_append_decision(log, d, info, seq_out, &e) == 0) {
		return 0;
	}
	if (e.code == AV_OK) /* defensive: a failure always carries a reason */
		av_error_set(&e, AV_E_IO, "", "the audit log is unavailable");
	/* Fail closed: nothing is decided unrecorded. */
	char msg[sizeof(e.message)];
	snprintf(msg, sizeof(msg), "%s", e.message);
	snprintf(e.message, sizeof(e.message), "not recorded, so blocked: %.200s", msg);
	e.code = AV_E_IO;
	const struct av_action *a = d->action;
	av_decision_from_error(d, p, &e);
	d->action = a;
	if (err != NULL)
		*err = e;
	return -1;
}

/* The session stage (docs/POLICY.md, "Sessions") for a decided action. A
 * store that could not be opened fails actions with a session closed. */
static int decide_session(const struct av_session_sink *s, const struct av_policy *p,
                          struct av_decision *d, struct av_arena *arena)
{
	if (s == NULL || d->action == NULL || d->action->session == NULL || d->has_error)
		return 0;
	if (s->store == NULL && s->err == NULL)
		return 0;
	if (s->store == NULL) {
		d->verdict = AV_BLOCK;
		d->risk = d->risk > AV_RISK_HIGH ? d->risk : AV_RISK_HIGH;
		d->has_error = true;
		d->error = *s->err;
		return -1;
	}
	return av_session_decide(s->store, p, d, arena, av_session_now_ms());
}

int av_decide_recorded(const struct av_policy *p, struct av_audit_writer *log,
                       const struct av_error *log_err,
                       const struct av_session_sink *sessions, const char *json,
                       size_t len, const struct av_context *fallback,
                       const char *caller_json, struct av_arena *arena,
                       struct av_recorded *out)
{
	struct av_error err;
	int64_t t0 = mono_ns();
	struct av_audit_decision_info info = {
		.action_json = json,
		.action_len = len,
		.caller_json = caller_json,
	};
	memset(out, 0, sizeof(*out));
	struct av_action *a = &out->action;
	struct av_decision *d = &out->decision;
	if (av_action_decode(json, len, arena, a, &err) < 0) {
		out->id = a->id;
		av_decision_from_error(d, p, &err);
		out->status = AV_RECORDED_BAD_ACTION;
	} else {
		out->id = a->id;
		if (fallback != NULL)
			av_action_fill_context(a, fallback);
		info.action_is_json = true;
		info.ctx = &a->ctx;
		out->status = av_decide(p, a, arena, d) < 0 ||
		                              decide_session(sessions, p, d, arena) < 0
		                      ? AV_RECORDED_FAILED
		                      : AV_RECORDED_OK;
	}
	out->decide_ns = info.decide_ns = mono_ns() - t0;
	/* The verdict line is built once and shared with the audit record. */
	out->verdict_json = av_decision_to_json(d, out->id);
	info.verdict_json = out->verdict_json;
	if (av_record_decision(log, log_err, p, d, &info, &out->seq, &out->record_err) <
	    0) {
		out->status = AV_RECORDED_UNRECORDED;
		free(out->verdict_json); /* the verdict changed to a fail-closed block */
		out->verdict_json = av_decision_to_json(d, out->id);
	}
	return out->status == AV_RECORDED_OK ? 0 : -1;
}
