/* proof.c - inclusion and consistency proofs (RFC 9162) over the audit log,
 * as self-contained JSON that `audit check-proof` verifies with the public
 * key alone: the signed checkpoints are inside the proof, and an inclusion
 * proof carries the whole record frame, so its hash is recomputed rather
 * than trusted. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit_internal.h"

struct loaded {
	unsigned char (*leaves)[32];
	uint64_t n, cap;
	/* every checkpoint: its size and payload */
	struct av_checkpoint *ckpts;
	size_t nckpts, capckpts;
	unsigned char *frame; /* the wanted record's frame, when asked for */
	size_t frame_len;
};

static void loaded_free(struct loaded *l)
{
	free(l->leaves);
	free(l->ckpts);
	free(l->frame);
}

static int load_log(const char *state_dir, uint64_t want_seq, struct loaded *l,
                    struct av_error *err)
{
	memset(l, 0, sizeof(*l));
	struct av_audit_reader *r;
	if (av_audit_reader_open(state_dir, &r, err) < 0)
		return -1;
	struct av_audit_record rec;
	int rc;
	while ((rc = av_audit_reader_next(r, &rec, err)) == 1) {
		if (l->n == l->cap) {
			uint64_t nc = l->cap ? l->cap * 2 : 1024;
			void *n = realloc(l->leaves, nc * 32);
			if (n == NULL) {
				rc = av_error_set(err, AV_E_NOMEM, "", "out of memory");
				break;
			}
			l->leaves = n;
			l->cap = nc;
		}
		av_merkle_leaf_hash(rec.hash, 32, l->leaves[l->n]);
		l->n++;
		if (rec.seq == want_seq) {
			l->frame = malloc(rec.frame_len);
			if (l->frame == NULL) {
				rc = av_error_set(err, AV_E_NOMEM, "", "out of memory");
				break;
			}
			memcpy(l->frame, rec.frame, rec.frame_len);
			l->frame_len = rec.frame_len;
		}
		if (rec.type != AV_REC_CHECKPOINT)
			continue;
		struct av_checkpoint c;
		char why[200];
		if (av_checkpoint_parse(rec.payload, rec.payload_len, &c, why,
		                        sizeof(why)) < 0)
			continue; /* verify reports it; a proof never uses it */
		if (l->nckpts == l->capckpts) {
			size_t nc = l->capckpts ? l->capckpts * 2 : 64;
			void *n = realloc(l->ckpts, nc * sizeof(*l->ckpts));
			if (n == NULL) {
				rc = av_error_set(err, AV_E_NOMEM, "", "out of memory");
				break;
			}
			l->ckpts = n;
			l->capckpts = nc;
		}
		l->ckpts[l->nckpts++] = c;
	}
	av_audit_reader_free(r);
	if (rc < 0) {
		loaded_free(l);
		return -1;
	}
	return 0;
}

static const struct av_checkpoint *find_ckpt(const struct loaded *l, uint64_t size)
{
	for (size_t i = l->nckpts; i-- > 0;)
		if (l->ckpts[i].size == size)
			return &l->ckpts[i];
	return NULL;
}

static json_t *path_json(unsigned char (*path)[32], int n)
{
	json_t *a = json_array();
	for (int i = 0; a != NULL && i < n; i++) {
		char hex[65];
		av_hex(path[i], 32, hex);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

static json_t *ckpt_json(const struct av_checkpoint *c)
{
	char buf[512];
	size_t n = av_checkpoint_json(c, buf, sizeof(buf));
	return json_loadb(buf, n, 0, NULL);
}

static int finish(json_t *o, char **out, struct av_error *err)
{
	*out = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (*out == NULL)
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of memory building the proof");
	return 0;
}

int av_audit_prove_inclusion(const char *state_dir, uint64_t seq, char **out_json,
                             struct av_error *err)
{
	*out_json = NULL;
	struct loaded l;
	if (load_log(state_dir, seq, &l, err) < 0)
		return -1;
	int rc = -1;
	const struct av_checkpoint *c = l.nckpts > 0 ? &l.ckpts[l.nckpts - 1] : NULL;
	if (c == NULL || seq >= c->size || l.frame == NULL || c->size > l.n) {
		av_error_set(err, AV_E_FIELD, "--seq",
		             "record %" PRIu64 " is not covered by a checkpoint yet%s",
		             seq, c == NULL ? " (the log has none)" : "");
		goto out;
	}
	unsigned char path[64][32];
	int npath;
	if (av_merkle_inclusion_path((const unsigned char(*)[32])l.leaves, c->size, seq,
	                             path, &npath) < 0) {
		av_error_set(err, AV_E_INTERNAL, "", "cannot build the inclusion path");
		goto out;
	}
	char *hex = malloc(2 * l.frame_len + 1);
	if (hex == NULL) {
		av_error_set(err, AV_E_NOMEM, "", "out of memory");
		goto out;
	}
	av_hex(l.frame, l.frame_len, hex);
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:o, s:o}", "proof", "inclusion",
	                      "seq", (json_int_t)seq, "tree_size", (json_int_t)c->size,
	                      "record", hex, "path", path_json(path, npath), "checkpoint",
	                      ckpt_json(c));
	free(hex);
	rc = finish(o, out_json, err);
out:
	loaded_free(&l);
	return rc;
}

int av_audit_prove_consistency(const char *state_dir, uint64_t size1, uint64_t size2,
                               char **out_json, struct av_error *err)
{
	*out_json = NULL;
	struct loaded l;
	if (load_log(state_dir, UINT64_MAX, &l, err) < 0)
		return -1;
	int rc = -1;
	const struct av_checkpoint *c1 = find_ckpt(&l, size1), *c2 = find_ckpt(&l, size2);
	if (c1 == NULL || c2 == NULL || size1 > size2 || size2 > l.n) {
		av_error_set(
		        err, AV_E_FIELD, c1 == NULL ? "--from" : "--to",
		        "the log has no checkpoint of tree size %" PRIu64
		        " (list them with agentvisor audit show --type checkpoint), or "
		        "--from is larger than --to",
		        c1 == NULL ? size1 : size2);
		goto out;
	}
	unsigned char path[64][32];
	int npath;
	if (av_merkle_consistency_path((const unsigned char(*)[32])l.leaves, size1, size2,
	                               path, &npath) < 0) {
		av_error_set(err, AV_E_INTERNAL, "", "cannot build the consistency path");
		goto out;
	}
	json_t *o = json_pack("{s:s, s:o, s:o, s:o}", "proof", "consistency", "from",
	                      ckpt_json(c1), "to", ckpt_json(c2), "path",
	                      path_json(path, npath));
	rc = finish(o, out_json, err);
out:
	loaded_free(&l);
	return rc;
}

/* Reads a checkpoint object out of a proof and checks its signature. */
static int proof_ckpt(json_t *o, const char *name, const unsigned char pk[32],
                      struct av_checkpoint *c, struct av_error *err)
{
	json_t *v = json_object_get(o, name);
	char *s = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
	char why[200] = "missing";
	int rc = s != NULL ? av_checkpoint_parse(s, strlen(s), c, why, sizeof(why)) : -1;
	free(s);
	if (rc < 0)
		return av_error_set(err, AV_E_FIELD, name, "bad checkpoint: %s", why);
	if (!av_checkpoint_signature_ok(c, pk))
		return av_error_set(
		        err, AV_E_FIELD, name,
		        "the checkpoint's signature does not verify with this "
		        "public key");
	return 0;
}

static int proof_path(json_t *o, unsigned char (*path)[32], int *n, struct av_error *err)
{
	json_t *a = json_object_get(o, "path");
	if (!json_is_array(a) || json_array_size(a) > 64)
		return av_error_set(err, AV_E_FIELD, "path",
		                    "path must be an array of hashes");
	*n = (int)json_array_size(a);
	for (int i = 0; i < *n; i++) {
		json_t *h = json_array_get(a, (size_t)i);
		if (!json_is_string(h) ||
		    av_unhex(json_string_value(h), json_string_length(h), path[i], 32) <
		            0)
			return av_error_set(err, AV_E_FIELD, "path",
			                    "path[%d] is not a 64-digit hex hash", i);
	}
	return 0;
}

static int check_inclusion(json_t *o, const unsigned char pk[32], struct av_error *err)
{
	struct av_checkpoint c;
	unsigned char path[64][32];
	int npath;
	if (proof_ckpt(o, "checkpoint", pk, &c, err) < 0 ||
	    proof_path(o, path, &npath, err) < 0)
		return -1;
	json_t *seqj = json_object_get(o, "seq"),
	       *sizej = json_object_get(o, "tree_size"),
	       *recj = json_object_get(o, "record");
	if (!json_is_integer(seqj) || !json_is_integer(sizej) || !json_is_string(recj) ||
	    json_integer_value(seqj) < 0 || (uint64_t)json_integer_value(sizej) != c.size)
		return av_error_set(err, AV_E_FIELD, "",
		                    "seq, tree_size or record is missing, or "
		                    "tree_size is not the checkpoint's size");
	size_t hl = json_string_length(recj);
	if (hl % 2 != 0 || hl / 2 > AV_FRAME_OVERHEAD + AV_AUDIT_MAX_PAYLOAD)
		return av_error_set(err, AV_E_FIELD, "record",
		                    "record is not a hex frame");
	unsigned char *frame = malloc(hl / 2 + 1);
	if (frame == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	int rc = -1;
	struct av_audit_record rec;
	size_t flen;
	char why[200];
	if (av_unhex(json_string_value(recj), hl, frame, hl / 2) < 0 ||
	    av_frame_decode(frame, hl / 2, &rec, &flen, why, sizeof(why)) !=
	            AV_FRAME_COMPLETE ||
	    flen != hl / 2) {
		av_error_set(err, AV_E_FIELD, "record",
		             "record is not one valid record frame");
		goto out;
	}
	if (rec.seq != (uint64_t)json_integer_value(seqj)) {
		av_error_set(err, AV_E_FIELD, "seq",
		             "the record's sequence number is not seq");
		goto out;
	}
	unsigned char leaf[32];
	av_merkle_leaf_hash(rec.hash, 32, leaf);
	if (!av_merkle_verify_inclusion(rec.seq, c.size, leaf,
	                                (const unsigned char(*)[32])path, npath,
	                                c.root)) {
		av_error_set(err, AV_E_FIELD, "path",
		             "the inclusion path does not lead to the checkpoint's root");
		goto out;
	}
	rc = 0;
out:
	free(frame);
	return rc;
}

static int check_consistency(json_t *o, const unsigned char pk[32], struct av_error *err)
{
	struct av_checkpoint c1, c2;
	unsigned char path[64][32];
	int npath;
	if (proof_ckpt(o, "from", pk, &c1, err) < 0 ||
	    proof_ckpt(o, "to", pk, &c2, err) < 0 || proof_path(o, path, &npath, err) < 0)
		return -1;
	if (!av_merkle_verify_consistency(c1.size, c2.size, c1.root, c2.root,
	                                  (const unsigned char(*)[32])path, npath))
		return av_error_set(err, AV_E_FIELD, "path",
		                    "the tree of size %" PRIu64
		                    " is not a prefix of the tree of size %" PRIu64,
		                    c1.size, c2.size);
	return 0;
}

int av_audit_check_proof(const char *json, size_t len,
                         const unsigned char pk[AV_AUDIT_PUBKEY_BYTES],
                         struct av_error *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return av_error_set(err, AV_E_JSON, "", "the proof is not a JSON object");
	}
	const char *kind = json_string_value(json_object_get(o, "proof"));
	int rc;
	if (kind != NULL && strcmp(kind, "inclusion") == 0)
		rc = check_inclusion(o, pk, err);
	else if (kind != NULL && strcmp(kind, "consistency") == 0)
		rc = check_consistency(o, pk, err);
	else
		rc = av_error_set(err, AV_E_FIELD, "proof",
		                  "\"proof\" must be \"inclusion\" or \"consistency\"");
	json_decref(o);
	return rc;
}
