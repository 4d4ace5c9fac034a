/* frame.c - the pure parts of the audit format: record frames, segment
 * headers, checkpoints (signing text, JSON) and the per-segment verifier.
 * Nothing here touches the file system, so the fuzz target drives it
 * directly. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit_internal.h"

void av_put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void av_put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t av_get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t av_get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void av_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case is not canonical, so it is refused */
}

int av_unhex(const char *in, size_t inlen, unsigned char *out, size_t n)
{
	if (inlen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

const char *av_audit_type_name(enum av_audit_type t)
{
	static const char *const names[] = {
		[AV_REC_DECISION] = "decision",
		[AV_REC_RESULT] = "result",
		[AV_REC_NOTE] = "note",
		[AV_REC_CHECKPOINT] = "checkpoint",
	};
	if ((unsigned)t < sizeof(names) / sizeof(names[0]) && names[t] != NULL)
		return names[t];
	return "unknown";
}

void av_frame_encode(unsigned char *frame, enum av_audit_type type, uint64_t seq,
                     uint64_t time_ns, const unsigned char prev[32], const char *payload,
                     size_t len, unsigned char hash_out[32])
{
	memcpy(frame, AV_FRAME_MAGIC, 4);
	frame[4] = (unsigned char)type;
	frame[5] = AV_FRAME_VERSION;
	frame[6] = frame[7] = 0;
	av_put_u64(frame + 8, seq);
	av_put_u64(frame + 16, time_ns);
	av_put_u32(frame + 24, (uint32_t)len);
	av_put_u32(frame + 28, 0);
	memcpy(frame + 32, prev, 32);
	memcpy(frame + AV_FRAME_HEADER, payload, len);
	unsigned char *h = frame + AV_FRAME_HEADER + len;
	crypto_generichash(h, 32, frame, AV_FRAME_HEADER + len, NULL, 0);
	if (hash_out != NULL)
		memcpy(hash_out, h, 32);
}

enum av_frame_status av_frame_decode(const unsigned char *buf, size_t len,
                                     struct av_audit_record *rec, size_t *frame_len,
                                     char *why, size_t whylen)
{
	/* A prefix of a valid header is torn; anything that already
	 * contradicts the header format is invalid, even when short. */
	size_t check = len < 4 ? len : 4;
	if (memcmp(buf, AV_FRAME_MAGIC, check) != 0) {
		snprintf(why, whylen, "no record starts here (bad magic)");
		return AV_FRAME_INVALID;
	}
	if (len < AV_FRAME_HEADER)
		return AV_FRAME_TORN;
	unsigned type = buf[4];
	if (type < AV_REC_DECISION || type > AV_REC_CHECKPOINT) {
		snprintf(why, whylen, "unknown record type %u", type);
		return AV_FRAME_INVALID;
	}
	if (buf[5] != AV_FRAME_VERSION || buf[6] != 0 || buf[7] != 0 ||
	    av_get_u32(buf + 28) != 0) {
		snprintf(why, whylen, "unsupported record version or reserved bytes set");
		return AV_FRAME_INVALID;
	}
	uint32_t plen = av_get_u32(buf + 24);
	if (plen > AV_AUDIT_MAX_PAYLOAD || plen < 2) {
		snprintf(why, whylen, "record payload length %" PRIu32 " is out of range",
		         plen);
		return AV_FRAME_INVALID;
	}
	size_t total = AV_FRAME_OVERHEAD + (size_t)plen;
	if (len < total)
		return AV_FRAME_TORN;
	unsigned char h[32];
	crypto_generichash(h, 32, buf, AV_FRAME_HEADER + plen, NULL, 0);
	if (sodium_memcmp(h, buf + AV_FRAME_HEADER + plen, 32) != 0) {
		snprintf(why, whylen, "record hash does not match its content");
		return AV_FRAME_INVALID;
	}
	rec->type = (enum av_audit_type)type;
	rec->seq = av_get_u64(buf + 8);
	rec->time_ns = av_get_u64(buf + 16);
	rec->payload = (const char *)buf + AV_FRAME_HEADER;
	rec->payload_len = plen;
	memcpy(rec->prev, buf + 32, 32);
	memcpy(rec->hash, h, 32);
	rec->frame = buf;
	rec->frame_len = total;
	*frame_len = total;
	return AV_FRAME_COMPLETE;
}

void av_segment_header_encode(unsigned char hdr[AV_SEG_HEADER], uint64_t segno,
                              uint64_t first_seq)
{
	memcpy(hdr, AV_SEG_MAGIC, 8);
	av_put_u64(hdr + 8, segno);
	av_put_u64(hdr + 16, first_seq);
	memset(hdr + 24, 0, 8);
}

/* ---- checkpoints ------------------------------------------------------- */

void av_key_id(const unsigned char pk[32], char out[17])
{
	unsigned char h[32];
	crypto_hash_sha256(h, pk, 32);
	av_hex(h, 8, out);
}

size_t av_checkpoint_message(const struct av_checkpoint *c, char *out, size_t cap)
{
	char root[65];
	av_hex(c->root, 32, root);
	int n = snprintf(out, cap,
	                 "agentvisor audit checkpoint v1\nsize %" PRIu64
	                 "\nroot %s\ntime %" PRIu64 "\nkey %s\n",
	                 c->size, root, c->time_ns, c->key_id);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

bool av_checkpoint_signature_ok(const struct av_checkpoint *c, const unsigned char pk[32])
{
	char id[17];
	av_key_id(pk, id);
	if (strcmp(id, c->key_id) != 0)
		return false;
	char msg[256];
	size_t n = av_checkpoint_message(c, msg, sizeof(msg));
	return n > 0 && crypto_sign_verify_detached(c->sig, (const unsigned char *)msg, n,
	                                            pk) == 0;
}

size_t av_checkpoint_json(const struct av_checkpoint *c, char *out, size_t cap)
{
	char root[65], sig[129];
	av_hex(c->root, 32, root);
	av_hex(c->sig, 64, sig);
	int n = snprintf(out, cap,
	                 "{\"size\":%" PRIu64 ",\"root\":\"%s\",\"time_ns\":%" PRIu64
	                 ",\"key_id\":\"%s\",\"sig\":\"%s\"}",
	                 c->size, root, c->time_ns, c->key_id, sig);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int hex_field(json_t *o, const char *name, unsigned char *out, size_t n)
{
	json_t *v = json_object_get(o, name);
	if (!json_is_string(v))
		return -1;
	return av_unhex(json_string_value(v), json_string_length(v), out, n);
}

int av_checkpoint_parse(const char *json, size_t len, struct av_checkpoint *c, char *why,
                        size_t whylen)
{
	json_error_t jerr;
	json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc = -1;
	memset(c, 0, sizeof(*c));
	if (!json_is_object(o)) {
		snprintf(why, whylen, "checkpoint is not a JSON object");
		goto out;
	}
	json_t *size = json_object_get(o, "size"), *t = json_object_get(o, "time_ns"),
	       *kid = json_object_get(o, "key_id");
	if (json_object_size(o) != 5 || !json_is_integer(size) || !json_is_integer(t) ||
	    json_integer_value(size) < 0 || json_integer_value(t) < 0 ||
	    !json_is_string(kid) || json_string_length(kid) != 16 ||
	    hex_field(o, "root", c->root, 32) < 0 ||
	    hex_field(o, "sig", c->sig, 64) < 0) {
		snprintf(why, whylen,
		         "checkpoint does not have exactly size, root, time_ns, key_id "
		         "and "
		         "sig in the right form");
		goto out;
	}
	c->size = (uint64_t)json_integer_value(size);
	c->time_ns = (uint64_t)json_integer_value(t);
	memcpy(c->key_id, json_string_value(kid), 17);
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* ---- the pure verifier ------------------------------------------------- */

void av_verifier_init(struct av_verifier *v, const unsigned char *pk,
                      struct av_audit_verify_result *res)
{
	memset(v, 0, sizeof(*v));
	memset(res, 0, sizeof(*res));
	v->pk = pk;
	v->next_segno = 1;
	v->res = res;
	av_merkle_init(&v->tree);
}

__attribute__((format(printf, 6, 7))) static int fault(struct av_verifier *v,
                                                       enum av_audit_fault f,
                                                       const char *seg, uint64_t off,
                                                       uint64_t seq, const char *fmt, ...)
{
	struct av_audit_verify_result *r = v->res;
	r->fault = f;
	snprintf(r->bad_segment, sizeof(r->bad_segment), "%s", seg);
	r->bad_offset = off;
	r->bad_seq = seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return 1;
}

static void check_anchor(struct av_verifier *v)
{
	/* The tree of anchor.size records must have the anchor's root; the
	 * anchor counts as found once its checkpoint record itself is read. */
	if (!v->have_anchor || v->anchor_seen || v->tree.size != v->anchor.size)
		return;
	unsigned char root[32];
	av_merkle_root(&v->tree, root);
	if (sodium_memcmp(root, v->anchor.root, 32) != 0)
		fault(v, AV_AUDIT_BAD, "", 0, v->next_seq,
		      "the tree of the first %" PRIu64
		      " records does not have the anchor's root: the log was rewritten",
		      v->anchor.size);
}

static int verify_checkpoint(struct av_verifier *v, const char *name, uint64_t off,
                             const struct av_audit_record *rec)
{
	struct av_checkpoint c;
	char why[200];
	if (av_checkpoint_parse(rec->payload, rec->payload_len, &c, why, sizeof(why)) < 0)
		return fault(v, AV_AUDIT_BAD, name, off, rec->seq, "%s", why);
	if (c.size != rec->seq)
		return fault(v, AV_AUDIT_BAD, name, off, rec->seq,
		             "checkpoint for tree size %" PRIu64
		             " sits at sequence %" PRIu64
		             ": an old checkpoint was copied or records were removed",
		             c.size, rec->seq);
	unsigned char root[32];
	av_merkle_root(&v->tree, root);
	if (sodium_memcmp(root, c.root, 32) != 0)
		return fault(v, AV_AUDIT_BAD, name, off, rec->seq,
		             "checkpoint root does not match the records before it: an "
		             "earlier record was changed and the chain rewritten");
	if (v->pk == NULL)
		return fault(v, AV_AUDIT_BAD, name, off, rec->seq,
		             "no public key to check the checkpoint signature with");
	if (!av_checkpoint_signature_ok(&c, v->pk))
		return fault(v, AV_AUDIT_BAD, name, off, rec->seq,
		             "checkpoint signature does not verify with the log's public "
		             "key (key id %s)",
		             c.key_id);
	v->res->checkpoints++;
	v->res->sealed_size = c.size;
	if (v->have_anchor && c.size == v->anchor.size &&
	    sodium_memcmp(c.root, v->anchor.root, 32) == 0)
		v->anchor_seen = true;
	return 0;
}

int av_verifier_segment(struct av_verifier *v, const char *name, uint64_t segno,
                        const unsigned char *buf, size_t len, bool last)
{
	struct av_audit_verify_result *r = v->res;
	r->segments++;
	if (segno != v->next_segno)
		return fault(v, AV_AUDIT_BAD, name, 0, v->next_seq,
		             "segment %" PRIu64 " is missing", v->next_segno);
	v->next_segno++;
	if (len < AV_SEG_HEADER) {
		/* A header cut short by a crash still starts with (a prefix of)
		 * the magic; compare no more of it than exists (8 bytes). */
		if (last && memcmp(buf, AV_SEG_MAGIC, len < 8 ? len : 8) == 0)
			return fault(v, AV_AUDIT_TORN_TAIL, name, 0, v->next_seq,
			             "the segment header is incomplete (a crash while "
			             "rotating)");
		return fault(v, AV_AUDIT_BAD, name, 0, v->next_seq,
		             "the segment is shorter than its header");
	}
	if (memcmp(buf, AV_SEG_MAGIC, 8) != 0 || av_get_u64(buf + 8) != segno ||
	    av_get_u64(buf + 24) != 0)
		return fault(v, AV_AUDIT_BAD, name, 0, v->next_seq,
		             "bad segment header (not segment %" PRIu64 " of a log)",
		             segno);
	if (av_get_u64(buf + 16) != v->next_seq)
		return fault(v, AV_AUDIT_BAD, name, 0, v->next_seq,
		             "segment header says it starts at sequence %" PRIu64
		             ", expected %" PRIu64,
		             av_get_u64(buf + 16), v->next_seq);
	size_t off = AV_SEG_HEADER;
	while (off < len) {
		struct av_audit_record rec;
		size_t flen;
		char why[200];
		enum av_frame_status st = av_frame_decode(buf + off, len - off, &rec,
		                                          &flen, why, sizeof(why));
		if (st == AV_FRAME_TORN)
			return fault(v, last ? AV_AUDIT_TORN_TAIL : AV_AUDIT_BAD, name,
			             off, v->next_seq,
			             "incomplete record of %zu bytes at the end%s",
			             len - off,
			             last ? " (a crash during an append; the next writer "
			                    "truncates it with a note)"
			                  : " of a segment that is not the last");
		if (st == AV_FRAME_INVALID)
			return fault(v, AV_AUDIT_BAD, name, off, v->next_seq, "%s", why);
		if (rec.seq != v->next_seq)
			return fault(v, AV_AUDIT_BAD, name, off, v->next_seq,
			             "record has sequence %" PRIu64 ", expected %" PRIu64
			             ": records were removed, reordered or inserted",
			             rec.seq, v->next_seq);
		if (sodium_memcmp(rec.prev, v->last, 32) != 0)
			return fault(
			        v, AV_AUDIT_BAD, name, off, v->next_seq,
			        "record does not chain to the previous record's hash");
		if (rec.type == AV_REC_CHECKPOINT &&
		    verify_checkpoint(v, name, off, &rec) != 0)
			return 1;
		av_merkle_push(&v->tree, rec.hash);
		memcpy(v->last, rec.hash, 32);
		v->next_seq++;
		r->records++;
		r->unsealed = r->records - (r->checkpoints > 0 ? r->sealed_size + 1 : 0);
		check_anchor(v);
		if (r->fault != AV_AUDIT_OK)
			return 1;
		off += flen;
	}
	return 0;
}

void av_verifier_finish(struct av_verifier *v)
{
	struct av_audit_verify_result *r = v->res;
	if (r->fault != AV_AUDIT_OK)
		return;
	if (v->have_anchor && !v->anchor_seen)
		fault(v, AV_AUDIT_BAD, "", 0, v->next_seq,
		      "the log holds %" PRIu64
		      " records but the anchor checkpoint covers %" PRIu64
		      ": the log was truncated or rolled back",
		      r->records, v->anchor.size);
}
