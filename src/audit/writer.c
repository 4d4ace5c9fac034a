/* writer.c - appending to the audit log: one lock around every append and
 * hash-chain update, segment rotation, group commit, periodic signed
 * checkpoints and crash recovery. docs/AUDIT.md states the guarantees.
 *
 * Concurrency: every process that appends takes flock(LOCK_EX) on
 * audit/lock, then re-reads audit/head (a cache of the chain and tree state
 * at the end of the log), checks the segment's real size against it, writes
 * the record at the end, updates head and unlocks. head is only a cache:
 * when it is missing, damaged or disagrees with the segment, the state is
 * rebuilt from the records themselves and a note says so. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "agentvisor/sys.h"
#include "audit/audit_internal.h"

/* audit/head, all little-endian: magic, gen, next_seq, segno, seg_end,
 * since_ckpt, last_type, last hash, tree size, 64 tree hashes, checksum. */
#define HEAD_MAGIC "AVHEAD1\0"
#define HEAD_BODY  (8 + 6 * 8 + 32 + 8 + 64 * 32)
#define HEAD_SIZE  (HEAD_BODY + 32)

struct head {
	uint64_t gen;
	uint64_t next_seq;
	uint64_t segno;
	uint64_t seg_end;
	uint64_t since_ckpt;
	uint64_t last_type;
	unsigned char last[32];
	struct av_merkle tree;
};

struct av_audit_writer {
	char state[4096];
	char dir[4200];
	struct av_audit_opts o;
	int lock_fd;
	int head_fd; /* audit/head, kept open: it is read and written per append */
	int seg_fd;
	uint64_t seg_fd_no;
	unsigned char sk[64];
	unsigned char pk[32];
	char key_id[17];
	struct head h;
	bool have_state;
	uint32_t unsynced;
	uint32_t since_head; /* appends since head was last stored */
	uint64_t last_sync_ns;
	unsigned char *buf;
	size_t cap;
	struct av_audit_scratch scratch; /* lent to record.c per record */
	/* The background syncer (opts.sync_thread): appends hand it a dup of
	 * the segment descriptor and go on; it flushes and closes that dup.
	 * Everything below is guarded by smu. */
	bool syncer_on;
	pthread_t syncer;
	pthread_mutex_t smu;
	pthread_cond_t scv;
	int sync_fd;         /* handed over, not yet taken by the thread; or -1 */
	uint64_t sync_segno; /* the segment sync_fd belongs to */
	bool sync_stop;      /* close asks the thread to end */
	bool sync_failed;    /* a background flush failed: sync_error says how */
	struct av_error sync_error;
};

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void seg_path(const struct av_audit_writer *w, uint64_t segno, char *out,
                     size_t cap)
{
	snprintf(out, cap, "%s/" AV_SEG_NAME_FMT, w->dir, (unsigned long long)segno);
}

static int io_error(struct av_audit_writer *w, uint64_t segno, uint64_t off,
                    struct av_error *err, const char *what, int e)
{
	char where[256];
	snprintf(where, sizeof(where), AV_SEG_NAME_FMT "@%" PRIu64,
	         (unsigned long long)segno, off);
	(void)w;
	return av_error_set(err, AV_E_IO, where, "%s: %s%s", what, strerror(e),
	                    e == ENOSPC || e == EDQUOT ? " (the disk is full)" : "");
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* ---- head -------------------------------------------------------------- */

static void head_encode(const struct head *h, unsigned char *b)
{
	memset(b, 0, HEAD_SIZE);
	memcpy(b, HEAD_MAGIC, 8);
	av_put_u64(b + 8, h->gen);
	av_put_u64(b + 16, h->next_seq);
	av_put_u64(b + 24, h->segno);
	av_put_u64(b + 32, h->seg_end);
	av_put_u64(b + 40, h->since_ckpt);
	av_put_u64(b + 48, h->last_type);
	memcpy(b + 56, h->last, 32);
	av_put_u64(b + 88, h->tree.size);
	int k = __builtin_popcountll(h->tree.size);
	memcpy(b + 96, h->tree.h, (size_t)k * 32);
	/* The checksum covers the used part only (the rest is zero). */
	crypto_generichash(b + HEAD_BODY, 32, b, 96 + (size_t)k * 32, NULL, 0);
}

static bool head_decode(const unsigned char *b, struct head *h)
{
	unsigned char sum[32];
	int k = __builtin_popcountll(av_get_u64(b + 88));
	crypto_generichash(sum, 32, b, 96 + (size_t)k * 32, NULL, 0);
	if (memcmp(b, HEAD_MAGIC, 8) != 0 || sodium_memcmp(sum, b + HEAD_BODY, 32) != 0)
		return false;
	h->gen = av_get_u64(b + 8);
	h->next_seq = av_get_u64(b + 16);
	h->segno = av_get_u64(b + 24);
	h->seg_end = av_get_u64(b + 32);
	h->since_ckpt = av_get_u64(b + 40);
	h->last_type = av_get_u64(b + 48);
	memcpy(h->last, b + 56, 32);
	h->tree.size = av_get_u64(b + 88);
	memcpy(h->tree.h, b + 96, (size_t)__builtin_popcountll(h->tree.size) * 32);
	return h->tree.size == h->next_seq && h->segno > 0 && h->seg_end >= AV_SEG_HEADER;
}

static void head_store(struct av_audit_writer *w)
{
	unsigned char b[HEAD_SIZE];
	w->h.gen++;
	w->since_head = 0;
	head_encode(&w->h, b);
	/* head is a cache: if it cannot be written, the next writer rebuilds
	 * the state from the records, so a failure here is not an error. */
	if (w->head_fd >= 0)
		(void)pwrite_all(w->head_fd, b, HEAD_SIZE, 0);
}

static bool head_load(struct av_audit_writer *w, struct head *h)
{
	unsigned char b[HEAD_SIZE];
	ssize_t n = w->head_fd >= 0 ? pread(w->head_fd, b, HEAD_SIZE, 0) : -1;
	return n == HEAD_SIZE && head_decode(b, h);
}

/* ---- segments ---------------------------------------------------------- */

static int open_segment(struct av_audit_writer *w, uint64_t segno, struct av_error *err)
{
	if (w->seg_fd >= 0 && w->seg_fd_no == segno)
		return 0;
	if (w->seg_fd >= 0)
		close(w->seg_fd);
	char path[4400];
	seg_path(w, segno, path, sizeof(path));
	w->seg_fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (w->seg_fd < 0)
		return io_error(w, segno, 0, err, "cannot open the audit segment", errno);
	w->seg_fd_no = segno;
	return 0;
}

static int sync_dir(struct av_audit_writer *w)
{
	int fd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Creates segment segno whose first record will be first_seq. A file left
 * by a crash between creating it and writing head is reused only when it
 * holds nothing but (a prefix of) its header. */
static int create_segment(struct av_audit_writer *w, uint64_t segno, uint64_t first_seq,
                          struct av_error *err)
{
	char path[4400];
	seg_path(w, segno, path, sizeof(path));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return io_error(w, segno, 0, err, "cannot create the audit segment",
		                errno);
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size > AV_SEG_HEADER) {
		close(fd);
		return av_error_set(
		        err, AV_E_IO, path,
		        "audit segment %s already holds records that head does "
		        "not know about; run agentvisor audit verify",
		        path);
	}
	unsigned char hdr[AV_SEG_HEADER];
	av_segment_header_encode(hdr, segno, first_seq);
	if (ftruncate(fd, 0) != 0 || pwrite_all(fd, hdr, sizeof(hdr), 0) != 0 ||
	    (w->o.fsync != AV_FSYNC_NEVER && fdatasync(fd) != 0)) {
		int e = errno;
		close(fd);
		return io_error(w, segno, 0, err, "cannot write the segment header", e);
	}
	if (w->o.fsync != AV_FSYNC_NEVER)
		sync_dir(w);
	if (w->seg_fd >= 0)
		close(w->seg_fd);
	w->seg_fd = fd;
	w->seg_fd_no = segno;
	w->h.segno = segno;
	w->h.seg_end = AV_SEG_HEADER;
	return 0;
}

/* The background syncer's loop: takes the descriptor the writer handed
 * over, flushes it and closes it. fdatasync through a dup flushes the same
 * file, so every record written before the hand-over is covered; records
 * written while the flush runs are covered by the next hand-over. */
static void *syncer_main(void *arg)
{
	struct av_audit_writer *w = arg;
	pthread_mutex_lock(&w->smu);
	for (;;) {
		while (w->sync_fd < 0 && !w->sync_stop)
			pthread_cond_wait(&w->scv, &w->smu);
		if (w->sync_fd < 0)
			break; /* stopping with nothing left to flush */
		int fd = w->sync_fd;
		uint64_t segno = w->sync_segno;
		w->sync_fd = -1;
		pthread_mutex_unlock(&w->smu);
		int rc = fdatasync(fd), e = errno;
		close(fd);
		pthread_mutex_lock(&w->smu);
		if (rc != 0 && !w->sync_failed) {
			w->sync_failed = true;
			av_error_set(&w->sync_error, AV_E_IO, w->dir,
			             "cannot fsync audit segment " AV_SEG_NAME_FMT
			             " (in the background): %s",
			             (unsigned long long)segno, strerror(e));
		}
	}
	pthread_mutex_unlock(&w->smu);
	return NULL;
}

/* Hands the open segment to the syncer. Returns -1 with err set when an
 * earlier background flush failed (the records it covered may not be
 * durable: the append that learns it fails, so its decision is blocked)
 * or when the descriptor cannot be duplicated. */
static int sync_in_background(struct av_audit_writer *w, struct av_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&w->smu);
	if (w->sync_failed) {
		*err = w->sync_error;
		rc = -1;
	} else if (w->sync_fd < 0 || w->sync_segno != w->h.segno) {
		/* A pending hand-over of the same segment covers these records
		 * already: its flush has not started. */
		int fd = fcntl(w->seg_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			rc = io_error(w, w->h.segno, w->h.seg_end, err,
			              "cannot hand the audit segment to the syncer",
			              errno);
		} else {
			if (w->sync_fd >= 0)
				close(w->sync_fd); /* an older segment, flushed at
				                      rotation */
			w->sync_fd = fd;
			w->sync_segno = w->h.segno;
			pthread_cond_signal(&w->scv);
		}
	}
	pthread_mutex_unlock(&w->smu);
	return rc;
}

/* The check an append makes before it writes: a failed background flush
 * fails the append (fail closed). Cheap when the syncer is off. */
static int syncer_healthy(struct av_audit_writer *w, struct av_error *err)
{
	if (!w->syncer_on)
		return 0;
	int rc = 0;
	pthread_mutex_lock(&w->smu);
	if (w->sync_failed) {
		*err = w->sync_error;
		rc = -1;
	}
	pthread_mutex_unlock(&w->smu);
	return rc;
}

/* Stops the syncer after its last flush. */
static void syncer_stop(struct av_audit_writer *w)
{
	if (!w->syncer_on)
		return;
	pthread_mutex_lock(&w->smu);
	w->sync_stop = true;
	pthread_cond_signal(&w->scv);
	pthread_mutex_unlock(&w->smu);
	pthread_join(w->syncer, NULL);
	if (w->sync_fd >= 0)
		close(w->sync_fd);
	pthread_cond_destroy(&w->scv);
	pthread_mutex_destroy(&w->smu);
	w->syncer_on = false;
}

static int sync_segment(struct av_audit_writer *w, struct av_error *err)
{
	if (w->unsynced == 0 || w->seg_fd < 0)
		return 0;
	if (fdatasync(w->seg_fd) != 0)
		return io_error(w, w->h.segno, w->h.seg_end, err,
		                "cannot fsync the audit segment", errno);
	w->unsynced = 0;
	w->last_sync_ns = now_mono_ns();
	return 0;
}

/* A batch flush: on the syncer when there is one, else here. Rotation
 * flushes the old segment with sync_segment itself, so a segment is never
 * left behind unflushed when the syncer moves on to the next. */
static int sync_batch(struct av_audit_writer *w, struct av_error *err)
{
	if (!w->syncer_on)
		return sync_segment(w, err);
	if (w->unsynced == 0 || w->seg_fd < 0)
		return 0;
	if (sync_in_background(w, err) < 0)
		return -1;
	w->unsynced = 0;
	w->last_sync_ns = now_mono_ns();
	return 0;
}

/* ---- appending (caller holds the lock) --------------------------------- */

static int append_locked(struct av_audit_writer *w, enum av_audit_type type,
                         const char *payload, size_t len, uint64_t *seq_out,
                         struct av_error *err);

static int checkpoint_locked(struct av_audit_writer *w, struct av_error *err)
{
	struct av_checkpoint c;
	memset(&c, 0, sizeof(c));
	c.size = w->h.next_seq;
	c.time_ns = now_realtime_ns();
	av_merkle_root(&w->h.tree, c.root);
	memcpy(c.key_id, w->key_id, sizeof(c.key_id));
	char msg[256], json[512];
	size_t n = av_checkpoint_message(&c, msg, sizeof(msg));
	crypto_sign_detached(c.sig, NULL, (const unsigned char *)msg, n, w->sk);
	size_t jl = av_checkpoint_json(&c, json, sizeof(json));
	return append_locked(w, AV_REC_CHECKPOINT, json, jl, NULL, err);
}

static int append_locked(struct av_audit_writer *w, enum av_audit_type type,
                         const char *payload, size_t len, uint64_t *seq_out,
                         struct av_error *err)
{
	if (len > AV_AUDIT_MAX_PAYLOAD || len < 2)
		return av_error_set(err, AV_E_LIMIT, "",
		                    "audit record payload of %zu bytes is out of range",
		                    len);
	if (syncer_healthy(w, err) < 0)
		return -1;
	size_t flen = AV_FRAME_OVERHEAD + len;
	if (flen > w->cap) {
		unsigned char *n = realloc(w->buf, flen);
		if (n == NULL)
			return av_error_set(err, AV_E_NOMEM, "", "out of memory");
		w->buf = n;
		w->cap = flen;
	}
	if (w->h.seg_end > AV_SEG_HEADER && w->h.seg_end + flen > w->o.segment_bytes) {
		if (w->o.fsync != AV_FSYNC_NEVER && sync_segment(w, err) < 0)
			return -1;
		if (create_segment(w, w->h.segno + 1, w->h.next_seq, err) < 0)
			return -1;
	}
	unsigned char hash[32];
	av_frame_encode(w->buf, type, w->h.next_seq, now_realtime_ns(), w->h.last,
	                payload, len, hash);
	if (pwrite_all(w->seg_fd, w->buf, flen, w->h.seg_end) != 0) {
		int e = errno;
		/* Leave nothing partial behind: the log ends where it did. */
		if (ftruncate(w->seg_fd, (off_t)w->h.seg_end) != 0) {
			/* defensive: the torn bytes stay; the next open reports
			 * and truncates them with a note */
		}
		return io_error(w, w->h.segno, w->h.seg_end, err,
		                "cannot append to the audit log", e);
	}
	if (seq_out != NULL)
		*seq_out = w->h.next_seq;
	memcpy(w->h.last, hash, 32);
	av_merkle_push(&w->h.tree, hash);
	w->h.next_seq++;
	w->h.seg_end += flen;
	w->h.last_type = type;
	w->h.since_ckpt = type == AV_REC_CHECKPOINT ? 0 : w->h.since_ckpt + 1;
	w->unsynced++;
	bool sync_now =
	        w->o.fsync == AV_FSYNC_ALWAYS ||
	        (w->o.fsync == AV_FSYNC_BATCH &&
	         (w->unsynced >= w->o.batch_records ||
	          now_mono_ns() - w->last_sync_ns >= (uint64_t)w->o.batch_ms * 1000000u));
	if (sync_now && sync_batch(w, err) < 0)
		return -1;
	if (type != AV_REC_CHECKPOINT && w->h.since_ckpt >= w->o.checkpoint_every)
		return checkpoint_locked(w, err);
	return 0;
}

static int note_locked(struct av_audit_writer *w, const char *text, struct av_error *err)
{
	char json[1024];
	/* text is our own ASCII sentence with no quotes or backslashes. */
	int n = snprintf(json, sizeof(json), "{\"note\":\"%s\"}", text);
	if (n < 0 || (size_t)n >= sizeof(json))
		return av_error_set(err, AV_E_INTERNAL, "", "note too long");
	return append_locked(w, AV_REC_NOTE, json, (size_t)n, NULL, err);
}

/* ---- recovery: bringing the in-memory state to the end of the log ------ */

/* Reads segment bytes [off, end) of the open segment into a new buffer. */
static int read_tail(struct av_audit_writer *w, uint64_t segno, uint64_t off, char **out,
                     size_t *len, struct av_error *err)
{
	struct stat st;
	if (open_segment(w, segno, err) < 0)
		return -1;
	if (fstat(w->seg_fd, &st) != 0)
		return io_error(w, segno, off, err, "cannot stat the audit segment",
		                errno);
	uint64_t n = (uint64_t)st.st_size > off ? (uint64_t)st.st_size - off : 0;
	if (n > AV_AUDIT_SEGMENT_MAX_READ)
		return io_error(w, segno, off, err, "the unindexed tail is too large",
		                EFBIG);
	*out = malloc(n + 1);
	if (*out == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	ssize_t got = pread(w->seg_fd, *out, n, (off_t)off);
	if (got < 0 || (uint64_t)got != n) {
		free(*out);
		return io_error(w, segno, off, err, "cannot read the audit segment",
		                errno);
	}
	*len = n;
	return 0;
}

/* Reads records of segment segno from offset off to its end into w->h,
 * which must describe the log up to off. A torn record at the end is
 * truncated (and *torn_at set); anything else that does not verify is an
 * error, and the writer refuses to append after it. */
static int scan_segment(struct av_audit_writer *w, uint64_t segno, uint64_t off,
                        bool last, uint64_t *torn_at, uint64_t *torn_len,
                        struct av_error *err)
{
	char path[4400];
	seg_path(w, segno, path, sizeof(path));
	char *data;
	size_t len;
	if (off == 0) {
		if (av_read_file(path, AV_AUDIT_SEGMENT_MAX_READ, &data, &len, err) < 0)
			return -1;
	} else if (read_tail(w, segno, off, &data, &len, err) < 0) {
		return -1;
	}
	/* data holds segment bytes [base, len): b[i - base] is byte i. */
	const unsigned char *b = (const unsigned char *)data;
	size_t base = off;
	len += base;
	int rc = 0;
	char where[300];
	snprintf(where, sizeof(where), AV_SEG_NAME_FMT, (unsigned long long)segno);
	if (off == 0) {
		if (len < AV_SEG_HEADER || memcmp(b, AV_SEG_MAGIC, 8) != 0 ||
		    av_get_u64(b + 8) != segno || av_get_u64(b + 16) != w->h.next_seq) {
			if (last && len < AV_SEG_HEADER) { /* crash while rotating */
				*torn_at = 0;
				*torn_len = len;
				free(data);
				return 1;
			}
			rc = av_error_set(
			        err, AV_E_IO, where,
			        "audit segment %s has a bad header; run agentvisor "
			        "audit verify",
			        path);
			goto out;
		}
		off = AV_SEG_HEADER;
	}
	w->h.segno = segno;
	while (off < len) {
		struct av_audit_record rec;
		size_t flen;
		char why[200];
		enum av_frame_status st = av_frame_decode(b + (off - base), len - off,
		                                          &rec, &flen, why, sizeof(why));
		if (st == AV_FRAME_TORN && last) {
			*torn_at = off;
			*torn_len = len - off;
			break;
		}
		if (st != AV_FRAME_COMPLETE || rec.seq != w->h.next_seq ||
		    sodium_memcmp(rec.prev, w->h.last, 32) != 0) {
			snprintf(where, sizeof(where), AV_SEG_NAME_FMT "@%" PRIu64,
			         (unsigned long long)segno, off);
			rc = av_error_set(
			        err, AV_E_IO, where,
			        "the audit log is damaged here (%s); refusing to "
			        "append: run agentvisor audit verify",
			        st == AV_FRAME_COMPLETE ? "the chain is broken"
			        : st == AV_FRAME_TORN   ? "incomplete record"
			                                : why);
			goto out;
		}
		memcpy(w->h.last, rec.hash, 32);
		av_merkle_push(&w->h.tree, rec.hash);
		w->h.next_seq++;
		w->h.last_type = rec.type;
		w->h.since_ckpt = rec.type == AV_REC_CHECKPOINT ? 0 : w->h.since_ckpt + 1;
		off += flen;
	}
	w->h.seg_end = *torn_at != UINT64_MAX ? *torn_at : off;
out:
	free(data);
	return rc;
}

static int truncate_torn(struct av_audit_writer *w, uint64_t segno, uint64_t at,
                         uint64_t n, struct av_error *err)
{
	char text[300];
	if (open_segment(w, segno, err) < 0)
		return -1;
	if (ftruncate(w->seg_fd, (off_t)at) != 0)
		return io_error(w, segno, at, err, "cannot truncate a torn record",
		                errno);
	w->h.segno = segno;
	w->h.seg_end = at;
	snprintf(text, sizeof(text),
	         "recovered torn tail at offset %" PRIu64 " of " AV_SEG_NAME_FMT
	         ": %" PRIu64 " bytes of an incomplete record were truncated",
	         at, (unsigned long long)segno, n);
	return note_locked(w, text, err);
}

static int genesis_locked(struct av_audit_writer *w, struct av_error *err)
{
	if (create_segment(w, 1, 0, err) < 0)
		return -1;
	unsigned char id[16];
	char hex[33], text[200];
	randombytes_buf(id, sizeof(id));
	av_hex(id, sizeof(id), hex);
	snprintf(text, sizeof(text), "log created: log id %s, signing key id %s", hex,
	         w->key_id);
	return note_locked(w, text, err);
}

/* Rebuilds w->h from every record in the log (head missing or wrong). why,
 * when the log already existed, is recorded as a note. */
static int rebuild(struct av_audit_writer *w, const char *why, struct av_error *err)
{
	uint64_t *segs;
	size_t nsegs;
	if (av_segments_list(w->dir, &segs, &nsegs, err) < 0)
		return -1;
	memset(&w->h, 0, sizeof(w->h));
	av_merkle_init(&w->h.tree);
	if (nsegs == 0) {
		free(segs);
		return genesis_locked(w, err);
	}
	uint64_t torn_at = UINT64_MAX, torn_len = 0, torn_seg = 0;
	bool torn_header = false;
	int rc = 0;
	for (size_t i = 0; i < nsegs && rc == 0; i++) {
		if (segs[i] != i + 1) {
			rc = av_error_set(
			        err, AV_E_IO, w->dir,
			        "audit segment %zu is missing; run agentvisor audit "
			        "verify",
			        i + 1);
			break;
		}
		rc = scan_segment(w, segs[i], 0, i + 1 == nsegs, &torn_at, &torn_len,
		                  err);
		if (torn_at != UINT64_MAX)
			torn_seg = segs[i];
		if (rc == 1) {
			torn_header = true;
			rc = 0;
		}
	}
	free(segs);
	if (rc < 0)
		return -1;
	if (torn_header) {
		/* A crash while rotating left part of a segment header: remove
		 * the file; the log ends where the previous segment ends. */
		char path[4400], text[300];
		seg_path(w, torn_seg, path, sizeof(path));
		if (unlink(path) != 0)
			return io_error(w, torn_seg, 0, err,
			                "cannot remove a torn segment", errno);
		if (w->h.segno == 0 ? genesis_locked(w, err) < 0
		                    : open_segment(w, w->h.segno, err) < 0)
			return -1;
		snprintf(text, sizeof(text),
		         "recovered torn segment: " AV_SEG_NAME_FMT " held only %" PRIu64
		         " bytes of its header and was removed",
		         (unsigned long long)torn_seg, torn_len);
		if (note_locked(w, text, err) < 0)
			return -1;
	} else {
		if (open_segment(w, w->h.segno, err) < 0)
			return -1;
		if (torn_at != UINT64_MAX &&
		    truncate_torn(w, torn_seg, torn_at, torn_len, err) < 0)
			return -1;
	}
	return why != NULL ? note_locked(w, why, err) : 0;
}

/* True when head still holds the generation this writer last stored or
 * adopted, so w->h is already what it would decode to. Reads only the
 * first 16 bytes: the common case of an append costs no checksum. */
static bool head_unchanged(struct av_audit_writer *w)
{
	unsigned char b[16];
	if (!w->have_state || w->head_fd < 0 || pread(w->head_fd, b, sizeof(b), 0) != 16)
		return false;
	return memcmp(b, HEAD_MAGIC, 8) == 0 && av_get_u64(b + 8) == w->h.gen;
}

/* Under the lock: makes w->h describe the real end of the log. */
static int sync_state(struct av_audit_writer *w, struct av_error *err)
{
	struct head h;
	if (!head_unchanged(w)) {
		if (!head_load(w, &h)) {
			if (rebuild(w,
			            "rebuilt the writer state from the records: the head "
			            "file was missing or damaged",
			            err) < 0)
				return -1;
			w->have_state = true;
			head_store(w);
			return 0;
		}
		if (!w->have_state || h.gen != w->h.gen)
			w->h = h;
		w->have_state = true;
	}
	if (open_segment(w, w->h.segno, err) < 0) {
		if (rebuild(w,
		            "rebuilt the writer state from the records: the segment "
		            "named by the head file could not be opened",
		            err) < 0)
			return -1;
		head_store(w);
		return 0;
	}
	struct stat st;
	if (fstat(w->seg_fd, &st) != 0)
		return io_error(w, w->h.segno, 0, err, "cannot stat the audit segment",
		                errno);
	uint64_t size = (uint64_t)st.st_size;
	if (size == w->h.seg_end)
		return 0; /* the common case */
	if (size < w->h.seg_end) {
		char text[300];
		snprintf(text, sizeof(text),
		         "rebuilt the writer state from the records: the head file "
		         "said " AV_SEG_NAME_FMT " ends at %" PRIu64
		         " but it ends at %" PRIu64,
		         (unsigned long long)w->h.segno, w->h.seg_end, size);
		if (rebuild(w, text, err) < 0)
			return -1;
		head_store(w);
		return 0;
	}
	/* Records were written after head was: a writer died between its
	 * append and its head update. Adopt them (they were acknowledged),
	 * truncating an incomplete one with a note. */
	uint64_t torn_at = UINT64_MAX, torn_len = 0;
	if (scan_segment(w, w->h.segno, w->h.seg_end, true, &torn_at, &torn_len, err) < 0)
		return -1;
	if (torn_at != UINT64_MAX &&
	    truncate_torn(w, w->h.segno, torn_at, torn_len, err) < 0)
		return -1;
	head_store(w);
	return 0;
}

static int lock_log(struct av_audit_writer *w, struct av_error *err)
{
	while (flock(w->lock_fd, LOCK_EX) != 0)
		if (errno != EINTR)
			return av_error_set(err, AV_E_IO, w->dir,
			                    "cannot lock the audit log: %s",
			                    strerror(errno));
	return 0;
}

static void unlock_log(struct av_audit_writer *w)
{
	flock(w->lock_fd, LOCK_UN);
}

/* ---- public API -------------------------------------------------------- */

int av_audit_open(const char *state_dir, const struct av_audit_opts *opts,
                  struct av_audit_writer **out, struct av_error *err)
{
	*out = NULL;
	if (sodium_init() < 0)
		return av_error_set(err, AV_E_INTERNAL, "", "libsodium failed to start");
	struct av_audit_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	w->lock_fd = w->seg_fd = w->head_fd = -1;
	w->o = *opts;
	if (w->o.checkpoint_every == 0)
		w->o.checkpoint_every = 1;
	w->last_sync_ns = now_mono_ns();
	w->scratch.time_sec = -1;
	int n = snprintf(w->state, sizeof(w->state), "%s", state_dir);
	if (n < 0 || (size_t)n >= sizeof(w->state)) {
		free(w);
		return av_error_set(err, AV_E_LIMIT, "", "state directory path too long");
	}
	snprintf(w->dir, sizeof(w->dir), "%s/audit", state_dir);
	char lock[4300];
	snprintf(lock, sizeof(lock), "%s/lock", w->dir);
	if (av_state_dir_prepare(state_dir, err) < 0 ||
	    av_state_dir_prepare(w->dir, err) < 0)
		goto fail;
	w->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->lock_fd < 0) {
		av_error_set(err, AV_E_IO, lock, "cannot open %s: %s", lock,
		             strerror(errno));
		goto fail;
	}
	char head[4300];
	snprintf(head, sizeof(head), "%s/head", w->dir);
	w->head_fd = open(head, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->head_fd < 0) {
		av_error_set(err, AV_E_IO, head, "cannot open %s: %s", head,
		             strerror(errno));
		goto fail;
	}
	if (lock_log(w, err) < 0)
		goto fail;
	int rc = av_audit_key_load_or_create(state_dir, w->sk, w->pk, err);
	if (rc == 0) {
		av_key_id(w->pk, w->key_id);
		rc = sync_state(w, err);
	}
	unlock_log(w);
	if (rc < 0)
		goto fail;
	if (w->o.sync_thread && w->o.fsync == AV_FSYNC_BATCH) {
		w->sync_fd = -1;
		if (pthread_mutex_init(&w->smu, NULL) != 0 ||
		    pthread_cond_init(&w->scv, NULL) != 0 ||
		    pthread_create(&w->syncer, NULL, syncer_main, w) != 0) {
			/* defensive: flushes then stay inline, as without the option */
		} else {
			w->syncer_on = true;
		}
	}
	*out = w;
	return 0;
fail:
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	if (w->head_fd >= 0)
		close(w->head_fd);
	if (w->seg_fd >= 0)
		close(w->seg_fd);
	sodium_memzero(w->sk, sizeof(w->sk));
	free(w);
	return -1;
}

int av_audit_append(struct av_audit_writer *w, enum av_audit_type type,
                    const char *payload, size_t len, uint64_t *seq_out,
                    struct av_error *err)
{
	if (lock_log(w, err) < 0)
		return -1;
	int rc = sync_state(w, err);
	uint64_t segno = w->h.segno;
	if (rc == 0)
		rc = append_locked(w, type, payload, len, seq_out, err);
	/* head is only a cache: a writer that finds the segment longer than
	 * head says scans forward from there, so head is stored at group
	 * commits, not per append. It must be stored on rotation, or another
	 * writer would go on appending to the old segment. */
	if (rc == 0 && (++w->since_head >= w->o.batch_records || w->h.segno != segno ||
	                w->h.last_type == AV_REC_CHECKPOINT))
		head_store(w);
	unlock_log(w);
	return rc;
}

int av_audit_checkpoint(struct av_audit_writer *w, struct av_error *err)
{
	if (lock_log(w, err) < 0)
		return -1;
	int rc = sync_state(w, err);
	if (rc == 0 && w->h.last_type != AV_REC_CHECKPOINT)
		rc = checkpoint_locked(w, err);
	if (rc == 0)
		head_store(w);
	unlock_log(w);
	return rc;
}

int av_audit_sync(struct av_audit_writer *w, struct av_error *err)
{
	return sync_batch(w, err);
}

int av_audit_close(struct av_audit_writer *w, struct av_error *err)
{
	if (w == NULL)
		return 0;
	int rc = av_audit_checkpoint(w, err);
	syncer_stop(w);
	if (rc == 0 && w->sync_failed) {
		*err = w->sync_error;
		rc = -1;
	}
	if (rc == 0 && w->unsynced > 0 && fdatasync(w->seg_fd) != 0)
		rc = io_error(w, w->h.segno, w->h.seg_end, err,
		              "cannot fsync the audit segment", errno);
	if (w->seg_fd >= 0)
		close(w->seg_fd);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	if (w->head_fd >= 0)
		close(w->head_fd);
	sodium_memzero(w->sk, sizeof(w->sk));
	free(w->buf);
	free(w->scratch.p);
	free(w);
	return rc;
}

struct av_audit_scratch *av_audit_writer_scratch(struct av_audit_writer *w)
{
	return &w->scratch;
}
