/* reader.c - reading the audit log in order (show, export, replay, proofs)
 * and verifying all of it (av_audit_verify). Each segment is read whole,
 * bounded by AV_AUDIT_SEGMENT_MAX_READ, and checked by the pure code in
 * frame.c. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentvisor/sys.h"
#include "audit/audit_internal.h"

struct av_audit_reader {
	char dir[4200];
	uint64_t *segs;
	size_t nsegs, cur;
	char *data;
	size_t len, off;
	char name[64];
	uint64_t next_seq;
};

int av_audit_reader_open(const char *state_dir, struct av_audit_reader **out,
                         struct av_error *err)
{
	*out = NULL;
	struct av_audit_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	if (av_audit_dir(state_dir, r->dir, sizeof(r->dir), err) < 0 ||
	    av_segments_list(r->dir, &r->segs, &r->nsegs, err) < 0) {
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static int load_segment(struct av_audit_reader *r, struct av_error *err)
{
	free(r->data);
	r->data = NULL;
	char path[4400];
	uint64_t segno = r->segs[r->cur];
	snprintf(r->name, sizeof(r->name), AV_SEG_NAME_FMT, (unsigned long long)segno);
	snprintf(path, sizeof(path), "%s/%s", r->dir, r->name);
	if (av_read_file(path, AV_AUDIT_SEGMENT_MAX_READ, &r->data, &r->len, err) < 0)
		return -1;
	const unsigned char *b = (const unsigned char *)r->data;
	if (r->len < AV_SEG_HEADER || memcmp(b, AV_SEG_MAGIC, 8) != 0 ||
	    av_get_u64(b + 8) != segno)
		return av_error_set(err, AV_E_IO, r->name, "%s has a bad segment header",
		                    r->name);
	r->off = AV_SEG_HEADER;
	return 0;
}

int av_audit_reader_next(struct av_audit_reader *r, struct av_audit_record *rec,
                         struct av_error *err)
{
	for (;;) {
		if (r->data == NULL || r->off >= r->len) {
			if (r->data != NULL)
				r->cur++;
			if (r->cur >= r->nsegs)
				return 0;
			if (load_segment(r, err) < 0)
				return -1;
			continue;
		}
		size_t flen;
		char why[200], where[128];
		enum av_frame_status st =
		        av_frame_decode((const unsigned char *)r->data + r->off,
		                        r->len - r->off, rec, &flen, why, sizeof(why));
		snprintf(where, sizeof(where), "%s@%zu", r->name, r->off);
		if (st == AV_FRAME_TORN && r->cur + 1 == r->nsegs)
			return 0; /* a crash residue; verify reports it */
		if (st != AV_FRAME_COMPLETE)
			return av_error_set(err, AV_E_IO, where, "%s",
			                    st == AV_FRAME_TORN ? "incomplete record"
			                                        : why);
		if (rec->seq != r->next_seq)
			return av_error_set(err, AV_E_IO, where,
			                    "record has sequence %" PRIu64
			                    ", expected %" PRIu64,
			                    rec->seq, r->next_seq);
		rec->segment = r->name;
		rec->offset = r->off;
		r->off += flen;
		r->next_seq++;
		return 1;
	}
}

/* The first sequence number segment segno claims in its header; -1 when
 * the header cannot be read (the seek then stops there and the normal read
 * reports the damage). */
static int segment_first_seq(const struct av_audit_reader *r, uint64_t segno,
                             uint64_t *out)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/" AV_SEG_NAME_FMT, r->dir,
	         (unsigned long long)segno);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	unsigned char hdr[AV_SEG_HEADER];
	ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
	close(fd);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, AV_SEG_MAGIC, 8) != 0 ||
	    av_get_u64(hdr + 8) != segno)
		return -1;
	*out = av_get_u64(hdr + 16);
	return 0;
}

int av_audit_reader_seek(struct av_audit_reader *r, uint64_t seq, struct av_error *err)
{
	if (r->data != NULL || r->next_seq != 0)
		return av_error_set(err, AV_E_INTERNAL, "", "seek on a used reader");
	/* The last segment whose first record is at or before seq. Segment
	 * headers ascend with their numbers; a header that cannot be read
	 * ends the search there, so damage is found by the reads, not
	 * skipped over. */
	size_t lo = 0;
	uint64_t lo_first = 0;
	for (size_t i = 1; i < r->nsegs; i++) {
		uint64_t first;
		if (segment_first_seq(r, r->segs[i], &first) < 0 || first > seq)
			break;
		lo = i;
		lo_first = first;
	}
	if (r->nsegs == 0)
		return 0;
	r->cur = lo;
	r->next_seq = lo_first;
	if (load_segment(r, err) < 0)
		return -1;
	/* Step over the records before seq by their length fields. A length
	 * that runs past the segment stops the stepping; av_audit_reader_next
	 * then reports the frame there. */
	while (r->next_seq < seq && r->off + AV_FRAME_HEADER <= r->len) {
		const unsigned char *f = (const unsigned char *)r->data + r->off;
		uint32_t plen = av_get_u32(f + 24);
		if (memcmp(f, AV_FRAME_MAGIC, 4) != 0 ||
		    av_get_u64(f + 8) != r->next_seq || plen > AV_AUDIT_MAX_PAYLOAD ||
		    r->len - r->off < AV_FRAME_OVERHEAD + plen)
			break;
		r->off += AV_FRAME_OVERHEAD + plen;
		r->next_seq++;
	}
	return 0;
}

void av_audit_reader_free(struct av_audit_reader *r)
{
	if (r == NULL)
		return;
	free(r->segs);
	free(r->data);
	free(r);
}

int av_audit_verify(const char *state_dir, const unsigned char *pk,
                    const char *anchor_json, size_t anchor_len,
                    struct av_audit_verify_result *res, struct av_error *err)
{
	unsigned char own[32];
	struct av_verifier v;
	if (pk == NULL) {
		struct av_error e2;
		if (av_audit_pubkey_load(state_dir, own, &e2) == 0)
			pk = own;
	}
	av_verifier_init(&v, pk, res);
	if (anchor_json != NULL) {
		char why[200];
		if (av_checkpoint_parse(anchor_json, anchor_len, &v.anchor, why,
		                        sizeof(why)) < 0 ||
		    v.anchor.size == 0)
			return av_error_set(err, AV_E_FIELD, "anchor",
			                    "the anchor is not a checkpoint: %s", why);
		if (pk == NULL || !av_checkpoint_signature_ok(&v.anchor, pk))
			return av_error_set(
			        err, AV_E_FIELD, "anchor",
			        "the anchor's signature does not verify with the "
			        "log's public key");
		v.have_anchor = true;
	}
	char dir[4200];
	uint64_t *segs;
	size_t nsegs;
	if (av_audit_dir(state_dir, dir, sizeof(dir), err) < 0 ||
	    av_segments_list(dir, &segs, &nsegs, err) < 0)
		return -1;
	if (nsegs == 0) {
		free(segs);
		return av_error_set(err, AV_E_IO, dir, "no audit log in %s", dir);
	}
	for (size_t i = 0; i < nsegs; i++) {
		char name[64], path[4400];
		snprintf(name, sizeof(name), AV_SEG_NAME_FMT,
		         (unsigned long long)segs[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		char *data;
		size_t len;
		struct av_error e2;
		if (av_read_file(path, AV_AUDIT_SEGMENT_MAX_READ, &data, &len, &e2) < 0) {
			res->fault = AV_AUDIT_BAD;
			snprintf(res->bad_segment, sizeof(res->bad_segment), "%s", name);
			res->bad_seq = v.next_seq;
			snprintf(res->reason, sizeof(res->reason), "%s", e2.message);
			break;
		}
		int stop = av_verifier_segment(&v, name, segs[i],
		                               (const unsigned char *)data, len,
		                               i + 1 == nsegs);
		free(data);
		if (stop)
			break;
	}
	free(segs);
	av_verifier_finish(&v);
	return 0;
}
