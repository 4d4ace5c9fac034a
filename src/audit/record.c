/* record.c - the payload of a decision record: the action as received, the
 * context used, the decision (commands, effects, findings, verdict, policy
 * digest), placeholders for what later modules add (caveats, judge), and
 * timings. The whole payload is redacted before it is appended. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/audit.h"
#include "util/utf8.h"

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > AV_AUDIT_MAX_PAYLOAD) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 1024;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (np == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends s as a JSON string (or null). Bytes that are not UTF-8 appear as
 * the text \xHH, as in verdicts. */
static void sb_json_string(struct sbuf *b, const char *s, size_t n)
{
	if (s == NULL) {
		sb_str(b, "null");
		return;
	}
	char *fixed = NULL;
	if (!av_utf8_valid(s, n)) {
		size_t need = av_utf8_escape_invalid(s, n, NULL, 0);
		fixed = malloc(need + 1);
		if (fixed == NULL) {
			b->failed = true;
			return;
		}
		av_utf8_escape_invalid(s, n, fixed, need + 1);
		s = fixed;
		n = need;
	}
	sb_add(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(b, s + run, i - run);
		char esc[8];
		switch (c) {
		case '"':
			sb_add(b, "\\\"", 2);
			break;
		case '\\':
			sb_add(b, "\\\\", 2);
			break;
		case '\n':
			sb_add(b, "\\n", 2);
			break;
		case '\t':
			sb_add(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_add(b, esc, 6);
		}
		run = i + 1;
	}
	sb_add(b, s + run, n - run);
	sb_add(b, "\"", 1);
	free(fixed);
}

static void sb_cstr(struct sbuf *b, const char *s)
{
	sb_json_string(b, s, s != NULL ? strlen(s) : 0);
}

static void sb_time(struct sbuf *b)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char t[64];
	size_t n = strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(t + n, sizeof(t) - n, ".%06ldZ\"", ts.tv_nsec / 1000);
	sb_add(b, "\"", 1);
	sb_str(b, t);
}

/* The longest raw text kept from an action that did not decode. */
#define RAW_TEXT_MAX ((size_t)64 << 10)

int av_audit_append_decision(struct av_audit_writer *w, const struct av_decision *d,
                             const struct av_audit_decision_info *info, uint64_t *seq_out,
                             struct av_error *err)
{
	const struct av_action *a = d->action;
	struct sbuf b = { 0 };
	char num[64];
	sb_str(&b, "{\"v\":1,\"time\":");
	sb_time(&b);
	sb_str(&b, ",\"id\":");
	sb_cstr(&b, a != NULL ? a->id : NULL);
	sb_str(&b, ",\"session\":");
	sb_cstr(&b, a != NULL ? a->session : NULL);
	sb_str(&b, ",\"principal\":");
	sb_cstr(&b, a != NULL ? a->principal : NULL);
	sb_str(&b, ",\"tool\":");
	sb_cstr(&b, a != NULL ? a->tool : NULL);
	/* Filled in by the token and judge modules once they exist. */
	sb_str(&b, ",\"caveats\":null,\"judge\":null,\"context\":");
	const struct av_context *ctx = info->ctx;
	if (ctx == NULL && a != NULL)
		ctx = &a->ctx;
	if (ctx == NULL) {
		sb_str(&b, "null");
	} else {
		sb_str(&b, "{\"cwd\":");
		sb_cstr(&b, ctx->cwd);
		sb_str(&b, ",\"workspace\":");
		sb_cstr(&b, ctx->workspace);
		sb_str(&b, ",\"home\":");
		sb_cstr(&b, ctx->home);
		sb_str(&b, ",\"user\":");
		sb_cstr(&b, ctx->user);
		sb_str(&b, "}");
	}
	if (info->action_json != NULL && info->action_is_json) {
		sb_str(&b, ",\"action\":");
		sb_add(&b, info->action_json, info->action_len);
	} else if (info->action_json != NULL) {
		size_t n =
		        info->action_len < RAW_TEXT_MAX ? info->action_len : RAW_TEXT_MAX;
		sb_str(&b, ",\"action\":null,\"action_text\":");
		sb_json_string(&b, info->action_json, n);
		snprintf(num, sizeof(num), ",\"action_bytes\":%zu", info->action_len);
		sb_str(&b, num);
	} else {
		sb_str(&b, ",\"action\":null");
	}
	char *verdict = info->verdict_json == NULL ? av_decision_to_json(d, NULL) : NULL;
	if (verdict == NULL && info->verdict_json == NULL) {
		free(b.p);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of memory building the record");
	}
	sb_str(&b, ",\"decision\":");
	sb_str(&b, verdict != NULL ? verdict : info->verdict_json);
	free(verdict);
	snprintf(num, sizeof(num), ",\"timings\":{\"decide_ns\":%" PRId64 "}}",
	         info->decide_ns);
	sb_str(&b, num);
	if (b.failed) {
		free(b.p);
		return av_error_set(err, AV_E_LIMIT, "",
		                    "the audit record would be larger than %zu bytes",
		                    AV_AUDIT_MAX_PAYLOAD);
	}
	size_t rlen;
	char *red = av_redact_json(b.p, b.len, &rlen, NULL);
	free(b.p);
	if (red == NULL)
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of memory redacting the record");
	int rc = av_audit_append(w, AV_REC_DECISION, red, rlen, seq_out, err);
	free(red);
	return rc;
}
