/* claude_handle.c - one Claude Code hook call, decided and recorded
 * (claude.h, av_claude_handle): the side-effecting half of the integration.
 * A mapped tool call goes through av_decide_recorded, the path `check` and
 * the daemon take, so the audit record, session state and verdict are the
 * same whichever front end Claude Code reached; an unmapped tool gets its
 * decision from the unknown-tool verdict and is recorded the same way; a
 * PostToolUse becomes a result record linked to the decision by
 * tool_use_id. Whatever fails, the answer is a deny: Claude Code runs the
 * tool on anything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/session.h"
#include "integrations/claude.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Marks out as a fail-closed deny carrying err. */
static void fail(struct av_claude_outcome *out, const struct av_error *err)
{
	out->failed = true;
	out->error = *err;
	free(out->answer);
	char reason[600];
	snprintf(reason, sizeof(reason), "could not decide (%s error%s%s): %s",
	         av_errcode_name(err->code), err->where[0] ? " at " : "", err->where,
	         err->message);
	out->answer = av_claude_answer_deny(out->request.event, reason);
}

/* PreToolUse of a tool with no action: decided here, recorded with the raw
 * hook input as the action text (there is no action JSON to replay). */
static void decide_unmapped(const struct av_policy *p, struct av_audit_writer *log,
                            const struct av_error *log_err, const char *json, size_t len,
                            const struct av_claude_opts *o, struct av_arena *arena,
                            struct av_claude_outcome *out)
{
	int64_t t0 = mono_ns();
	struct av_decision *d = &out->decision;
	av_claude_unmapped_decision(&out->request, o->unknown_tool, p, arena, d);
	/* The record still names the call: id, session and tool. */
	out->action.id = out->request.tool_use_id;
	out->action.session = out->request.session;
	out->action.tool = out->request.tool_name;
	out->action.ctx.cwd = out->request.cwd;
	if (o->fallback != NULL)
		av_action_fill_context(&out->action, o->fallback);
	d->action = &out->action;
	struct av_audit_decision_info info = {
		.action_json = json,
		.action_len = len,
		.action_is_json = false,
		.ctx = &out->action.ctx,
		.decide_ns = mono_ns() - t0,
		.caller_json = o->caller_json,
	};
	struct av_error err;
	if (av_record_decision(log, log_err, p, d, &info, &out->seq, &err) < 0) {
		fail(out, &err);
		return;
	}
	out->answer = av_claude_answer(d);
}

static void decide_mapped(const struct av_policy *p, struct av_audit_writer *log,
                          const struct av_error *log_err, const struct av_claude_opts *o,
                          struct av_arena *arena, struct av_claude_outcome *out)
{
	struct av_recorded rec;
	av_decide_recorded(p, log, log_err, o->sessions, out->request.action_json,
	                   out->request.action_json_len, o->fallback, o->caller_json,
	                   arena, &rec);
	free(rec.verdict_json);
	out->action = rec.action;
	out->decision = rec.decision;
	out->decision.action = &out->action;
	out->seq = rec.seq;
	switch (rec.status) {
	case AV_RECORDED_OK:
		out->answer = av_claude_answer(&out->decision);
		return;
	case AV_RECORDED_UNRECORDED:
		fail(out, &rec.record_err);
		return;
	case AV_RECORDED_BAD_ACTION:
	case AV_RECORDED_FAILED:
		/* A mapping the action decoder refuses (an over-long path) or a
		 * pipeline error: recorded as a block, and nothing was decided. */
		fail(out, &out->decision.error);
		return;
	}
}

/* PostToolUse(Failure): the result record. The answer is empty: nothing
 * to tell Claude Code when the result is recorded. */
static void record_result(struct av_audit_writer *log, const struct av_error *log_err,
                          const struct av_session_sink *sessions, struct av_arena *arena,
                          struct av_claude_outcome *out)
{
	struct av_result r;
	struct av_error err;
	if (av_result_decode(out->request.result_json, out->request.result_json_len,
	                     arena, &r, &err) < 0) {
		fail(out, &err);
		return;
	}
	if (log == NULL) {
		if (log_err != NULL)
			err = *log_err;
		else
			av_error_set(&err, AV_E_IO, "", "the audit log is unavailable");
		fail(out, &err);
		return;
	}
	if (av_audit_append_result(log, &r, &out->seq, &err) < 0) {
		fail(out, &err);
		return;
	}
	/* The session learns what the action wrote (taint follows the data).
	 * A store error is reported; the result itself is already recorded. */
	if (sessions != NULL && sessions->store != NULL) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
		if (av_session_report(sessions->store, &r, now_ms, &err) < 0) {
			fail(out, &err);
			return;
		}
	}
	out->answer = strdup("{}");
}

/* Claude Code keeps its transcripts in ~/.claude/projects/: when the
 * caller could not say whose home the action runs in (an http hook over
 * TCP has no peer credentials), the part of transcript_path before that
 * is it. Without a home, `~/.bashrc` would not resolve and would classify
 * as unknown instead of persistence. The path is Claude Code's, not the
 * model's; a caller that knows the home (the CLI's $HOME, the Unix
 * socket's peer uid) is preferred. NULL when the path does not say. */
static const char *home_from_transcript(const char *tp, struct av_arena *arena)
{
	static const char marker[] = "/.claude/projects/";
	const char *m = tp != NULL ? strstr(tp, marker) : NULL;
	if (tp == NULL || tp[0] != '/' || m == NULL || m == tp)
		return NULL;
	return av_arena_strndup(arena, tp, (size_t)(m - tp));
}

int av_claude_handle(const struct av_policy *p, struct av_audit_writer *log,
                     const struct av_error *log_err, const char *json, size_t len,
                     const struct av_claude_opts *opts, struct av_arena *arena,
                     struct av_claude_outcome *out)
{
	static const struct av_claude_opts defaults = { .unknown_tool = AV_REVIEW };
	const struct av_claude_opts *o = opts != NULL ? opts : &defaults;
	memset(out, 0, sizeof(*out));
	struct av_error err;
	if (av_claude_decode(json, len, arena, &out->request, &err) < 0) {
		/* Recorded like any action that did not decode, so the audit
		 * log shows every call that was refused. */
		if (out->request.event == AV_CLAUDE_PRE_TOOL_USE) {
			av_decision_from_error(&out->decision, p, &err);
			out->action.id = out->request.tool_use_id;
			out->action.session = out->request.session;
			out->decision.action = &out->action;
			struct av_audit_decision_info info = {
				.action_json = json,
				.action_len = len,
				.caller_json = o->caller_json,
			};
			struct av_error rerr;
			if (av_record_decision(log, log_err, p, &out->decision, &info,
			                       &out->seq, &rerr) < 0)
				err = rerr;
		}
		fail(out, &err);
		return -1;
	}
	/* The workspace defaults to the directory Claude Code runs in, and the
	 * home to the one its transcript lives in (see home_from_transcript). */
	struct av_context ctx = { 0 };
	if (o->fallback != NULL)
		ctx = *o->fallback;
	if (ctx.workspace == NULL)
		ctx.workspace = out->request.cwd;
	if (ctx.home == NULL)
		ctx.home = home_from_transcript(out->request.transcript_path, arena);
	struct av_claude_opts with_ctx = *o;
	with_ctx.fallback = &ctx;
	o = &with_ctx;
	if (out->request.event != AV_CLAUDE_PRE_TOOL_USE)
		record_result(log, log_err, o->sessions, arena, out);
	else if (out->request.action_json != NULL)
		decide_mapped(p, log, log_err, o, arena, out);
	else
		decide_unmapped(p, log, log_err, json, len, o, arena, out);
	if (out->answer == NULL) {
		av_error_set(&err, AV_E_NOMEM, "", "out of memory building the answer");
		fail(out, &err);
	}
	return out->failed ? -1 : 0;
}
