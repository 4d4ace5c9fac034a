/* state.c - the serialized form of a session's state as stored in the
 * sessions table: a small versioned little-endian binary record. Decoding
 * treats the blob as untrusted (another process, a damaged disk): every
 * length is checked against what remains and against the bounds of
 * session.h, and anything off is an error, so a bad blob fails the
 * decision closed instead of being half read. */
#include <stdlib.h>
#include <string.h>

#include "session/session_internal.h"

#define MAGIC "AVS2"
#define MAX_BLOB                                                                         \
	((size_t)AV_SESSION_MAX_PARTIALS * 1400 + AV_SESSION_MAX_OBJECTS * 300 + 256)

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 512;
		while (ncap < w->len + n)
			ncap *= 2;
		unsigned char *np = realloc(w->p, ncap);
		if (np == NULL) {
			w->failed = true;
			return;
		}
		w->p = np;
		w->cap = ncap;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
		               (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	put(w, b, 4);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_str(struct wbuf *w, const char *s)
{
	size_t n = strnlen(s, AV_SESSION_MAX_VALUE - 1);
	put_u32(w, (uint32_t)n);
	put(w, s, n);
}

int av_session_state_encode(const struct av_session_state *s, unsigned char **out,
                            size_t *len)
{
	struct wbuf w = { 0 };
	put(&w, MAGIC, 4);
	put_u64(&w, s->nactions);
	put_u64(&w, (uint64_t)s->created_ms);
	put_u64(&w, (uint64_t)s->last_ms);
	put_u32(&w, s->labels);
	for (int b = 0; b < AV_LABEL_BITS; b++)
		put_u64(&w, s->label_seq[b]);
	put_u32(&w, s->npartials);
	for (uint32_t i = 0; i < s->npartials; i++) {
		const struct av_session_partial *pt = &s->partials[i];
		put_str(&w, pt->chain_id);
		put_u32(&w, pt->step);
		put_u32(&w, pt->count);
		put_u64(&w, pt->start_seq);
		put_u64(&w, pt->last_seq);
		put_u64(&w, (uint64_t)pt->start_ms);
		for (int k = 0; k < AV_CHAIN_MAX_STEPS; k++)
			put_u64(&w, pt->refs[k]);
		put_u32(&w, pt->bound);
		for (int k = 0; k < AV_CHAIN_MAX_VARS; k++)
			if (pt->bound & (1u << k))
				put_str(&w, pt->vals[k]);
	}
	put_u32(&w, s->nobjects);
	for (uint32_t i = 0; i < s->nobjects; i++) {
		put_u32(&w, s->objects[i].kind);
		put_u32(&w, s->objects[i].labels);
		put_u64(&w, s->objects[i].seq);
		put_u32(&w, s->objects[i].verdict);
		put_u32(&w, s->objects[i].risk);
		put_str(&w, s->objects[i].rule);
		put_str(&w, s->objects[i].name);
	}
	if (w.failed) {
		free(w.p);
		return -1;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}

struct rbuf {
	const unsigned char *p;
	size_t len, at;
	bool bad;
};

static bool get(struct rbuf *r, void *dst, size_t n)
{
	if (r->bad || r->len - r->at < n) {
		r->bad = true;
		return false;
	}
	memcpy(dst, r->p + r->at, n);
	r->at += n;
	return true;
}

static uint32_t get_u32(struct rbuf *r)
{
	unsigned char b[4] = { 0, 0, 0, 0 };
	get(r, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static uint64_t get_u64(struct rbuf *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

/* Times are ms since the epoch: 0 .. 2^50 (about the year 37000), so
 * differences between them never overflow. */
#define MAX_TIME_MS ((uint64_t)1 << 50)

static int64_t get_time(struct rbuf *r)
{
	uint64_t t = get_u64(r);
	if (t > MAX_TIME_MS) {
		r->bad = true;
		t = 0;
	}
	return (int64_t)t;
}

static void get_str(struct rbuf *r, char dst[AV_SESSION_MAX_VALUE])
{
	uint32_t n = get_u32(r);
	if (n >= AV_SESSION_MAX_VALUE) {
		r->bad = true;
		n = 0;
	}
	if (!get(r, dst, n))
		n = 0;
	dst[n] = '\0';
	if (memchr(dst, '\0', n) != NULL)
		r->bad = true;
}

int av_session_state_decode(const unsigned char *buf, size_t len,
                            struct av_session_state *s)
{
	struct rbuf r = { .p = buf, .len = len };
	char magic[4];
	av_session_state_reset(s);
	if (len > MAX_BLOB || !get(&r, magic, 4) || memcmp(magic, MAGIC, 4) != 0)
		return -1;
	s->nactions = get_u64(&r);
	s->created_ms = get_time(&r);
	s->last_ms = get_time(&r);
	s->labels = get_u32(&r) & AV_LABEL_ALL;
	for (int b = 0; b < AV_LABEL_BITS; b++)
		s->label_seq[b] = get_u64(&r);
	uint32_t np = get_u32(&r);
	if (r.bad || np > AV_SESSION_MAX_PARTIALS)
		return -1;
	if (np > 0) {
		s->partials = calloc(np, sizeof(*s->partials));
		if (s->partials == NULL)
			return -1;
		s->cappartials = np;
	}
	for (uint32_t i = 0; i < np && !r.bad; i++) {
		struct av_session_partial pt;
		memset(&pt, 0, sizeof(pt));
		char id[AV_SESSION_MAX_VALUE];
		get_str(&r, id);
		if (strlen(id) >= AV_CHAIN_ID_MAX) {
			r.bad = true;
			break;
		}
		memcpy(pt.chain_id, id, strlen(id) + 1);
		pt.step = get_u32(&r);
		pt.count = get_u32(&r);
		pt.start_seq = get_u64(&r);
		pt.last_seq = get_u64(&r);
		pt.start_ms = get_time(&r);
		for (int k = 0; k < AV_CHAIN_MAX_STEPS; k++)
			pt.refs[k] = get_u64(&r);
		pt.bound = get_u32(&r);
		if (pt.bound >= (1u << AV_CHAIN_MAX_VARS)) {
			r.bad = true;
			break;
		}
		for (int k = 0; k < AV_CHAIN_MAX_VARS; k++)
			if (pt.bound & (1u << k))
				get_str(&r, pt.vals[k]);
		if (pt.step >= AV_CHAIN_MAX_STEPS) {
			r.bad = true;
			break;
		}
		s->partials[s->npartials++] = pt;
	}
	uint32_t no = get_u32(&r);
	if (r.bad || no > AV_SESSION_MAX_OBJECTS)
		return -1;
	if (no > 0) {
		s->objects = calloc(no, sizeof(*s->objects));
		if (s->objects == NULL)
			return -1;
		s->capobjects = no;
	}
	for (uint32_t i = 0; i < no && !r.bad; i++) {
		struct av_session_object *o = &s->objects[i];
		o->kind = get_u32(&r);
		o->labels = get_u32(&r) & AV_LABEL_ALL;
		o->seq = get_u64(&r);
		o->verdict = get_u32(&r);
		o->risk = get_u32(&r);
		char rule[AV_SESSION_MAX_VALUE];
		get_str(&r, rule);
		if (strlen(rule) >= AV_SESSION_RULE_MAX)
			r.bad = true;
		else
			memcpy(o->rule, rule, strlen(rule) + 1);
		get_str(&r, o->name);
		if ((o->kind != AV_OBJ_FILE && o->kind != AV_OBJ_VAR) ||
		    o->verdict >= AV_VERDICT_COUNT || o->risk >= AV_RISK_COUNT)
			r.bad = true;
		s->nobjects++;
	}
	if (r.bad || r.at != r.len)
		return -1;
	return 0;
}
