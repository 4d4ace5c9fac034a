/* record.c - the payloads of decision and result records: the action as
 * received, the context used, the decision (commands, effects, findings,
 * verdict, policy digest), the principal and caveats in force, timings; and
 * the execution results reported later. A payload is redacted before it is
 * appended.
 *
 * This runs once per decision, so it is written to cost little: the payload
 * is built in a buffer the writer keeps between records, the verdict JSON
 * the caller already built is embedded as is, and the redaction regexes run
 * only when the prefilter finds something they could match. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_internal.h"
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

/* Appends the current UTC time as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (quoted).
 * The date part is formatted once per second. */
static void sb_time(struct sbuf *b, struct av_audit_scratch *sc)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (sc->time_sec != (int64_t)ts.tv_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		if (strftime(sc->time_text, sizeof(sc->time_text), "%Y-%m-%dT%H:%M:%S",
		             &tm) == 0)
			sc->time_text[0] = '\0'; /* defensive: the format fits */
		sc->time_sec = (int64_t)ts.tv_sec;
	}
	char us[10] = ".000000Z\"";
	long v = ts.tv_nsec / 1000;
	for (int i = 6; i >= 1; i--, v /= 10)
		us[i] = (char)('0' + v % 10);
	sb_add(b, "\"", 1);
	sb_str(b, sc->time_text);
	sb_add(b, us, 9);
}

/* Starts a payload in the writer's scratch buffer. */
static struct sbuf sb_borrow(struct av_audit_scratch *sc)
{
	struct sbuf b = { .p = sc->p, .cap = sc->cap };
	if (b.p != NULL)
		b.p[0] = '\0';
	return b;
}

/* Hands the (possibly grown) buffer back to the writer. */
static void sb_return(struct sbuf *b, struct av_audit_scratch *sc)
{
	sc->p = b->p;
	sc->cap = b->cap;
}

/* Redacts the payload in b when the prefilter says it may hold a secret,
 * and appends it. */
static int append_redacted(struct av_audit_writer *w, enum av_audit_type type,
                           struct sbuf *b, uint64_t *seq_out, struct av_error *err)
{
	if (b->failed)
		return av_error_set(err, AV_E_LIMIT, "",
		                    "the audit record would be larger than %zu bytes, or "
		                    "memory ran out building it",
		                    AV_AUDIT_MAX_PAYLOAD);
	if (!av_redact_needed(b->p, b->len))
		return av_audit_append(w, type, b->p, b->len, seq_out, err);
	size_t rlen;
	char *red = av_redact_json(b->p, b->len, &rlen, NULL);
	if (red == NULL)
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of memory redacting the record");
	int rc = av_audit_append(w, type, red, rlen, seq_out, err);
	free(red);
	return rc;
}

/* The longest raw text kept from an action that did not decode. */
#define RAW_TEXT_MAX ((size_t)64 << 10)

int av_audit_append_decision(struct av_audit_writer *w, const struct av_decision *d,
                             const struct av_audit_decision_info *info, uint64_t *seq_out,
                             struct av_error *err)
{
	const struct av_action *a = d->action;
	struct av_audit_scratch *sc = av_audit_writer_scratch(w);
	struct sbuf b = sb_borrow(sc);
	char num[64];
	sb_str(&b, "{\"v\":1,\"time\":");
	sb_time(&b, sc);
	sb_str(&b, ",\"id\":");
	sb_cstr(&b, a != NULL ? a->id : NULL);
	sb_str(&b, ",\"session\":");
	sb_cstr(&b, a != NULL ? a->session : NULL);
	sb_str(&b, ",\"principal\":");
	sb_cstr(&b, a != NULL ? a->principal : NULL);
	sb_str(&b, ",\"tool\":");
	sb_cstr(&b, a != NULL ? a->tool : NULL);
	/* The caveats of the capability token in force: none until tokens
	 * exist, so always empty; the judge's output once there is a judge. */
	sb_str(&b, ",\"caveats\":[],\"judge\":null,\"context\":");
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
		sb_return(&b, sc);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of memory building the record");
	}
	sb_str(&b, ",\"decision\":");
	sb_str(&b, verdict != NULL ? verdict : info->verdict_json);
	free(verdict);
	/* The caller's identity is the daemon's own JSON, never the agent's. */
	sb_str(&b, ",\"caller\":");
	sb_str(&b, info->caller_json != NULL ? info->caller_json : "null");
	snprintf(num, sizeof(num), ",\"timings\":{\"decide_ns\":%" PRId64 "}}",
	         info->decide_ns);
	sb_str(&b, num);
	int rc = append_redacted(w, AV_REC_DECISION, &b, seq_out, err);
	sb_return(&b, sc);
	return rc;
}

static void sb_count(struct sbuf *b, const char *name, int64_t v)
{
	char num[96];
	if (v < 0)
		snprintf(num, sizeof(num), ",\"%s\":null", name);
	else
		snprintf(num, sizeof(num), ",\"%s\":%" PRId64, name, v);
	sb_str(b, num);
}

int av_audit_append_result(struct av_audit_writer *w, const struct av_result *r,
                           uint64_t *seq_out, struct av_error *err)
{
	struct av_audit_scratch *sc = av_audit_writer_scratch(w);
	struct sbuf b = sb_borrow(sc);
	char num[96];
	sb_str(&b, "{\"v\":1,\"time\":");
	sb_time(&b, sc);
	sb_str(&b, ",\"id\":");
	sb_cstr(&b, r->id);
	sb_str(&b, ",\"session\":");
	sb_cstr(&b, r->session);
	sb_str(&b, ",\"principal\":");
	sb_cstr(&b, r->principal);
	snprintf(num, sizeof(num), ",\"exit\":%" PRId64, r->exit_status);
	sb_str(&b, num);
	if (r->has_output_digest) {
		char hex[65];
		av_hex(r->output_sha256, 32, hex);
		sb_str(&b, ",\"output_digest\":\"sha256:");
		sb_str(&b, hex);
		sb_str(&b, r->digest_from_output
		                   ? "\",\"output_digest_from\":\"output\""
		                   : "\",\"output_digest_from\":\"report\"");
	} else {
		sb_str(&b, ",\"output_digest\":null,\"output_digest_from\":null");
	}
	sb_count(&b, "output_bytes", r->output_bytes);
	sb_str(&b, ",\"paths_written\":[");
	for (size_t i = 0; i < r->npaths; i++) {
		if (i > 0)
			sb_add(&b, ",", 1);
		sb_cstr(&b, r->paths_written[i]);
	}
	sb_str(&b, "],\"error\":");
	sb_cstr(&b, r->error);
	sb_count(&b, "duration_ms", r->duration_ms);
	sb_add(&b, "}", 1);
	int rc = append_redacted(w, AV_REC_RESULT, &b, seq_out, err);
	sb_return(&b, sc);
	return rc;
}
