/* audit_internal.h - what the audit sources share: the on-disk frame and
 * segment layout, the Merkle tree (RFC 9162 hashing), checkpoint signing
 * text, and the pure per-segment verifier that av_audit_verify and the fuzz
 * target both drive. Not a public interface. */
#ifndef AV_AUDIT_INTERNAL_H
#define AV_AUDIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentvisor/audit.h"

/* ---- frames ------------------------------------------------------------
 * A record on disk (all integers little-endian):
 *   0  magic "AVR1"      4  type (u8)   5  version (u8) = 1   6  zero (u16)
 *   8  seq (u64)         16 time_ns (u64)
 *   24 payload_len (u32) 28 zero (u32)
 *   32 prev hash (32 bytes: the hash of record seq-1, zeros for seq 0)
 *   64 payload (payload_len bytes of JSON)
 *   64+payload_len  hash (32 bytes) = BLAKE2b-256 of every byte before it */
#define AV_FRAME_HEADER   64
#define AV_FRAME_OVERHEAD (AV_FRAME_HEADER + AV_AUDIT_HASH_BYTES)
#define AV_FRAME_MAGIC    "AVR1"
#define AV_FRAME_VERSION  1

/* A segment file starts with 32 bytes: magic "AVSEG\0\0\1", segment number
 * (u64, 1-based, equal to the number in the file name), the sequence number
 * of its first record (u64), and 8 zero bytes. */
#define AV_SEG_HEADER   32
#define AV_SEG_MAGIC    "AVSEG\0\0\1"
#define AV_SEG_NAME_FMT "seg-%08llu.log"

void av_put_u32(unsigned char *p, uint32_t v);
void av_put_u64(unsigned char *p, uint64_t v);
uint32_t av_get_u32(const unsigned char *p);
uint64_t av_get_u64(const unsigned char *p);

/* Fills frame[0..AV_FRAME_OVERHEAD+len) (caller's buffer) with a record and
 * its hash; hash_out (may be NULL) receives the hash. */
void av_frame_encode(unsigned char *frame, enum av_audit_type type, uint64_t seq,
                     uint64_t time_ns, const unsigned char prev[32], const char *payload,
                     size_t len, unsigned char hash_out[32]);

enum av_frame_status {
	AV_FRAME_COMPLETE = 1,
	AV_FRAME_TORN = 0,     /* buf ends before the frame does */
	AV_FRAME_INVALID = -1, /* bad magic, version, type, length or hash */
};
/* Decodes the frame at buf[0..len) (pure, bounded: a length over
 * AV_AUDIT_MAX_PAYLOAD is invalid, never read). On COMPLETE fills rec (its
 * pointers point into buf) and *frame_len. On INVALID writes a sentence into
 * why[0..whylen). */
enum av_frame_status av_frame_decode(const unsigned char *buf, size_t len,
                                     struct av_audit_record *rec, size_t *frame_len,
                                     char *why, size_t whylen);

void av_segment_header_encode(unsigned char hdr[AV_SEG_HEADER], uint64_t segno,
                              uint64_t first_seq);

/* ---- Merkle tree (RFC 9162 section 2.1) ------------------------------- */
struct av_merkle {
	uint64_t size;
	unsigned char h[64][32]; /* perfect-subtree roots, largest first */
};
void av_merkle_leaf_hash(const unsigned char *entry, size_t len, unsigned char out[32]);
void av_merkle_node_hash(const unsigned char l[32], const unsigned char r[32],
                         unsigned char out[32]);
void av_merkle_init(struct av_merkle *m);
/* Adds a leaf whose entry is the record hash. */
void av_merkle_push(struct av_merkle *m, const unsigned char record_hash[32]);
void av_merkle_root(const struct av_merkle *m, unsigned char out[32]);

/* Tree hash over leaves[0..n) (leaf hashes), and proofs over them. path
 * receives at most 64 hashes; *npath their number. */
void av_merkle_tree_hash(const unsigned char (*leaves)[32], uint64_t n,
                         unsigned char out[32]);
int av_merkle_inclusion_path(const unsigned char (*leaves)[32], uint64_t n,
                             uint64_t index, unsigned char (*path)[32], int *npath);
int av_merkle_consistency_path(const unsigned char (*leaves)[32], uint64_t m, uint64_t n,
                               unsigned char (*path)[32], int *npath);
/* RFC 9162 2.1.3.2 and 2.1.4.2: true when the proof holds. */
bool av_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                const unsigned char leaf[32],
                                const unsigned char (*path)[32], int npath,
                                const unsigned char root[32]);
bool av_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                  const unsigned char root1[32],
                                  const unsigned char root2[32],
                                  const unsigned char (*path)[32], int npath);

/* ---- checkpoints ------------------------------------------------------- */
struct av_checkpoint {
	uint64_t size;
	uint64_t time_ns;
	unsigned char root[32];
	unsigned char sig[64];
	char key_id[17]; /* hex of the first 8 bytes of SHA-256(public key) */
};
void av_key_id(const unsigned char pk[32], char out[17]);
/* The exact bytes that are signed. Returns the length written (< cap). */
size_t av_checkpoint_message(const struct av_checkpoint *c, char *out, size_t cap);
/* Parses a checkpoint payload (strict: exactly the documented fields). */
int av_checkpoint_parse(const char *json, size_t len, struct av_checkpoint *c, char *why,
                        size_t whylen);
/* Serializes c as the checkpoint payload JSON into out (cap >= 512). */
size_t av_checkpoint_json(const struct av_checkpoint *c, char *out, size_t cap);
/* True when c's signature verifies with pk and its key id is pk's. */
bool av_checkpoint_signature_ok(const struct av_checkpoint *c,
                                const unsigned char pk[32]);

/* ---- pure verifier ----------------------------------------------------- */
struct av_verifier {
	const unsigned char *pk; /* NULL: signatures cannot be checked (a fault) */
	uint64_t next_seq;
	uint64_t next_segno;
	unsigned char last[32];
	struct av_merkle tree;
	bool have_anchor;
	struct av_checkpoint anchor;
	bool anchor_seen;
	struct av_audit_verify_result *res;
};
void av_verifier_init(struct av_verifier *v, const unsigned char *pk,
                      struct av_audit_verify_result *res);
/* Verifies one segment's bytes. last: it is the final segment (a torn tail
 * there is AV_AUDIT_TORN_TAIL rather than AV_AUDIT_BAD). Returns 0 to go on,
 * 1 once res->fault is set. */
int av_verifier_segment(struct av_verifier *v, const char *name, uint64_t segno,
                        const unsigned char *buf, size_t len, bool last);
/* Final checks after the last segment (anchor covered). */
void av_verifier_finish(struct av_verifier *v);

/* ---- record building ----------------------------------------------------- */

/* What a writer lends the record builders (record.c, result.c): a buffer
 * that keeps its capacity between records, so building a record costs no
 * allocation once it has grown to fit, and the formatted UTC second of the
 * last record time (formatting a date is the slow part of a timestamp). */
struct av_audit_scratch {
	char *p;
	size_t cap;
	int64_t time_sec;   /* the second time_text holds, or -1 */
	char time_text[32]; /* "YYYY-MM-DDTHH:MM:SS" */
};
/* Borrowed from w, valid until av_audit_close(w). */
struct av_audit_scratch *av_audit_writer_scratch(struct av_audit_writer *w);

/* ---- redaction --------------------------------------------------------- */

/* The redaction prefilter alone (redact.c): false when no redaction pattern
 * can match json[0..len), so av_redact_json would return an identical copy.
 * True when one might (or the patterns failed to compile: then the caller's
 * av_redact_json call reports the failure). Pure. */
bool av_redact_needed(const char *json, size_t len);

/* hex helpers */
void av_hex(const unsigned char *in, size_t n, char *out);
int av_unhex(const char *in, size_t inlen, unsigned char *out, size_t n);

/* Lists the segment numbers in dir, sorted ascending, into a new malloc'd
 * array. Names that look like segments but do not parse are an error. */
int av_segments_list(const char *dir, uint64_t **out, size_t *count,
                     struct av_error *err);
/* Joins state_dir and "audit" into out. */
int av_audit_dir(const char *state_dir, char *out, size_t cap, struct av_error *err);

/* Loads state_dir/audit.key into sk (and its public half into pk), creating
 * the pair (0600 key, 0644 audit.pub) when it does not exist. The caller
 * holds the log's lock, so two first uses cannot race. */
int av_audit_key_load_or_create(const char *state_dir, unsigned char sk[64],
                                unsigned char pk[32], struct av_error *err);

#endif
