/* audit.h - the tamper-evident audit log: every decision is appended, hash
 * chained, covered by a Merkle tree (RFC 9162 hashing) and sealed by
 * Ed25519-signed checkpoints. docs/AUDIT.md is the normative description of
 * the on-disk format, the durability guarantees and the redaction rules.
 *
 * Ownership follows common.h. Writers and readers are opaque handles created
 * by the _open functions and released by their _close / _free; every other pointer
 * argument is borrowed for the duration of the call. Errors return -1 and fill struct
 * av_error; for on-disk faults `where` is "SEGMENT-FILE@OFFSET". */
#ifndef AGENTVISOR_AUDIT_H
#define AGENTVISOR_AUDIT_H

#include <stdint.h>

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "agentvisor/decide.h"

#define AV_AUDIT_HASH_BYTES       32
#define AV_AUDIT_MAX_PAYLOAD      ((size_t)16 << 20) /* one record's JSON */
#define AV_AUDIT_SEGMENT_DEFAULT  ((uint64_t)64 << 20)
#define AV_AUDIT_SEGMENT_MAX_READ ((size_t)1 << 30) /* a reader's per-segment cap */
#define AV_AUDIT_PUBKEY_BYTES     32

/* Record types. The numbers are on disk: never renumber. */
enum av_audit_type {
	AV_REC_DECISION = 1,   /* a decision: action, effects, findings, verdict */
	AV_REC_RESULT = 2,     /* a reported execution result for an earlier record */
	AV_REC_NOTE = 3,       /* the log's own events: creation, recovery */
	AV_REC_CHECKPOINT = 4, /* signed tree head over every earlier record */
};
const char *av_audit_type_name(enum av_audit_type t);

enum av_audit_fsync {
	AV_FSYNC_ALWAYS = 0, /* fsync before every append returns */
	AV_FSYNC_BATCH = 1,  /* fsync every batch_records or batch_ms, and at close */
	AV_FSYNC_NEVER = 2,  /* leave it to the kernel (still fsynced at close) */
};
int av_audit_fsync_parse(const char *s, enum av_audit_fsync *out);

struct av_audit_opts {
	enum av_audit_fsync fsync;
	uint32_t batch_records; /* AV_FSYNC_BATCH: fsync after this many */
	uint32_t batch_ms;      /* ... or when this many ms passed since the last */
	uint32_t
	        checkpoint_every; /* a signed checkpoint every N records (and at close) */
	uint64_t segment_bytes;   /* rotate when a segment would grow past this */
	/* AV_FSYNC_BATCH only: run the batch fsyncs on a background thread
	 * instead of inside the append that reaches the batch limit, so a
	 * long-running writer (the daemon) never holds a decision behind a
	 * disk flush. The flush starts at the same moment; a failed flush is
	 * returned by the next append (which then fails: fail closed). */
	bool sync_thread;
};

/* Fills o with the defaults (batch, 512 records / 20 ms, no syncer thread, checkpoint
 * every 1024 records, 64 MiB segments), then applies AGENTVISOR_AUDIT_FSYNC and
 * AGENTVISOR_AUDIT_SEGMENT_BYTES from the environment when set. Returns -1
 * with err set when one of those variables is invalid. */
int av_audit_opts_default(struct av_audit_opts *o, struct av_error *err);

/* ---- state directory --------------------------------------------------- */

/* Chooses the state directory: override (--state) if not NULL, else
 * $AGENTVISOR_STATE, else $XDG_STATE_HOME/agentvisor, else
 * $HOME/.local/state/agentvisor. Writes the path into out[0..cap). Relative
 * paths are refused (a state directory must not depend on the cwd, which is
 * usually the agent's workspace). */
int av_state_dir_resolve(const char *override, char *out, size_t cap,
                         struct av_error *err);

/* Creates dir (and missing parents) with mode 0700. An existing dir that
 * group or others can write is refused. */
int av_state_dir_prepare(const char *dir, struct av_error *err);

/* Reads the public key of the log in state dir into pk. */
int av_audit_pubkey_load(const char *state_dir, unsigned char pk[AV_AUDIT_PUBKEY_BYTES],
                         struct av_error *err);
/* Parses a public key file's text ("agentvisor-audit-ed25519 HEX\n"). */
int av_audit_pubkey_parse(const char *text, size_t len,
                          unsigned char pk[AV_AUDIT_PUBKEY_BYTES], struct av_error *err);

/* ---- writing ----------------------------------------------------------- */

struct av_audit_writer;

/* Opens (creating on first use) the log under state_dir/audit and the
 * signing key state_dir/audit.key (0600; a key file that group or others can
 * read is refused). Recovers from a crashed writer: a torn record at the tail
 * is truncated after a note record naming its offset is appended. Returns 0
 * and a new *out (release with av_audit_close), or -1 with err set. */
int av_audit_open(const char *state_dir, const struct av_audit_opts *opts,
                  struct av_audit_writer **out, struct av_error *err);

/* Appends one record of type with payload[0..len) (must be one JSON object,
 * already redacted) under the log's lock, and makes it as durable as the
 * fsync policy says before returning. *seq_out (may be NULL) receives its
 * sequence number. On any failure nothing partial stays in the log and -1 is
 * returned: the caller must fail closed. */
int av_audit_append(struct av_audit_writer *w, enum av_audit_type type,
                    const char *payload, size_t len, uint64_t *seq_out,
                    struct av_error *err);

/* What a decision record holds beyond the decision itself (all borrowed). */
struct av_audit_decision_info {
	const char *action_json; /* the action as received, or NULL */
	size_t action_len;
	bool action_is_json; /* false: action_json is raw text that did not decode */
	const struct av_context *ctx; /* the context actually used; may be NULL */
	int64_t decide_ns;            /* time spent in decode + decide */
	/* The verdict JSON of d (av_decision_to_json) when the caller already
	 * has it, or NULL to have it built. */
	const char *verdict_json;
	/* Who asked, as one JSON object (the daemon: transport and the peer's
	 * pid/uid/gid), recorded as "caller"; NULL for none (then null). */
	const char *caller_json;
};

/* Builds the decision record payload (JSON, redacted with av_redact) and
 * appends it. d and info are borrowed. */
int av_audit_append_decision(struct av_audit_writer *w, const struct av_decision *d,
                             const struct av_audit_decision_info *info, uint64_t *seq_out,
                             struct av_error *err);

/* ---- deciding and recording in one step ------------------------------ */

/* How av_decide_recorded ended (the decision is always filled). */
enum av_recorded_status {
	AV_RECORDED_OK = 0,     /* decided and recorded */
	AV_RECORDED_BAD_ACTION, /* the action did not decode: block, recorded */
	AV_RECORDED_FAILED,     /* decide failed (limit or internal): block, recorded */
	AV_RECORDED_UNRECORDED, /* the record could not be appended: block, error io */
};

/* What one recorded decision produced. action and decision point into the
 * arena passed to av_decide_recorded; verdict_json is new malloc'd (free
 * with free()), NULL only when memory ran out. */
struct av_recorded {
	enum av_recorded_status status;
	struct av_action action;
	struct av_decision decision;
	const char *id; /* the action's id as far as it decoded, or NULL */
	char *verdict_json;
	uint64_t seq; /* the decision record's sequence number (status OK..FAILED) */
	int64_t decide_ns;
	struct av_error record_err; /* status UNRECORDED: why the append failed */
};

struct av_session_store;

/* Where the session stage keeps its state (include/agentvisor/session.h):
 * store may be NULL with err saying why it could not be opened (actions
 * with a session id then fail closed), or both NULL for no session stage
 * (every action judged alone). */
struct av_session_sink {
	struct av_session_store *store;
	const struct av_error *err;
};

/* The one path every front end (check, the daemon, hooks) takes for a JSON
 * action: decode json[0..len) strictly, fill the context fields it leaves
 * out from fallback (may be NULL), decide under p, run the session stage
 * (sessions may be NULL: none), build the verdict JSON once, and append the
 * decision record to log, carrying caller_json (may be NULL). log may be
 * NULL (the log could not be opened): log_err (may be NULL) then says why,
 * and the decision fails closed. Anything that goes
 * wrong turns the decision into a block with the error set: an action is
 * never allowed unrecorded. Everything borrowed; *out as described above.
 * Returns 0 when status is AV_RECORDED_OK, else -1. */
int av_decide_recorded(const struct av_policy *p, struct av_audit_writer *log,
                       const struct av_error *log_err,
                       const struct av_session_sink *sessions, const char *json,
                       size_t len, const struct av_context *fallback,
                       const char *caller_json, struct av_arena *arena,
                       struct av_recorded *out);

/* Appends the record for an already made decision d (info as for
 * av_audit_append_decision). When the append fails (or log is NULL, with
 * log_err saying why), d becomes a block decision carrying an io error
 * "not recorded, so blocked: ..." (d->action is kept) and -1 is returned
 * with err set to that error; info->verdict_json is then stale and must be
 * rebuilt. */
int av_record_decision(struct av_audit_writer *log, const struct av_error *log_err,
                       const struct av_policy *p, struct av_decision *d,
                       const struct av_audit_decision_info *info, uint64_t *seq_out,
                       struct av_error *err);

/* ---- execution results (docs/PROTOCOL.md, "Result report") ------------- */

#define AV_RESULT_MAX_BYTES  ((size_t)1 << 20)  /* one report's JSON */
#define AV_RESULT_MAX_STRING ((size_t)64 << 10) /* id, session, principal, error */
#define AV_RESULT_MAX_PATHS  4096               /* entries of paths_written */
#define AV_RESULT_MAX_PATH   4096               /* bytes of one of them */

/* What an agent (or its harness) reports after an action ran. Strings and
 * the path array live in the arena passed to av_result_decode. Sessions and
 * information flow consume the same structure. */
struct av_result {
	const char *id; /* the action's id: links the result to its decision */
	const char *session, *principal; /* or NULL */
	int64_t exit_status;             /* "exit" */
	bool has_output_digest;
	unsigned char output_sha256[32];
	bool digest_from_output; /* the caller hashed the output itself (--output) */
	int64_t output_bytes;    /* -1 when not reported */
	const char **paths_written;
	size_t npaths;
	const char *error;   /* or NULL */
	int64_t duration_ms; /* -1 when not reported */
};

/* Decodes a result report strictly: JSON object, no duplicate keys, no
 * unknown field (err->where names it), required "id" and "exit", types and
 * bounds as above, "output_digest" exactly "sha256:" + 64 lower-case hex.
 * Returns 0, or -1 with err set (code json, field or limit). */
int av_result_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_result *out, struct av_error *err);

/* Appends a result record for r (redacted like decisions). Results are
 * linked to their decision by id: readers attach a result to the most recent
 * earlier decision record with the same id. */
int av_audit_append_result(struct av_audit_writer *w, const struct av_result *r,
                           uint64_t *seq_out, struct av_error *err);

/* Appends a signed checkpoint covering every record so far, unless the last
 * record already is one. */
int av_audit_checkpoint(struct av_audit_writer *w, struct av_error *err);

/* fsyncs what was appended so far. */
int av_audit_sync(struct av_audit_writer *w, struct av_error *err);

/* Seals (checkpoint), syncs and frees w. Frees w even when sealing fails
 * (then returns -1 with err set). w may be NULL. */
int av_audit_close(struct av_audit_writer *w, struct av_error *err);

/* ---- reading and verifying -------------------------------------------- */

struct av_audit_record {
	enum av_audit_type type;
	uint64_t seq;
	uint64_t time_ns;    /* Unix time of the append, in ns */
	const char *payload; /* JSON; borrowed from the reader until the next call */
	size_t payload_len;
	unsigned char prev[AV_AUDIT_HASH_BYTES];
	unsigned char hash[AV_AUDIT_HASH_BYTES];
	const char *segment;        /* segment file name; borrowed like payload */
	uint64_t offset;            /* byte offset of the record in the segment */
	const unsigned char *frame; /* the whole on-disk frame, frame_len bytes */
	size_t frame_len;
};

struct av_audit_reader;

/* Opens the log under state_dir/audit for reading in order. Returns 0 and a
 * new *out (free with av_audit_reader_free), or -1. */
int av_audit_reader_open(const char *state_dir, struct av_audit_reader **out,
                         struct av_error *err);
/* Reads the next record into *rec. Returns 1, 0 at the end of the log, or -1
 * on a malformed or unreadable record (err names segment and offset). The
 * reader checks framing and record hashes only; av_audit_verify checks
 * everything. */
int av_audit_reader_next(struct av_audit_reader *r, struct av_audit_record *rec,
                         struct av_error *err);
/* Positions a fresh reader (nothing read yet) so that the next record is
 * the one with sequence number seq (or the end of the log, when seq is past
 * it). Whole segments before it are passed over by their headers, without
 * reading them; inside the segment that holds seq, records before it are
 * stepped over by their length fields, without checking their hashes (they
 * are not returned). Returns 0, or -1 with err set. */
int av_audit_reader_seek(struct av_audit_reader *r, uint64_t seq, struct av_error *err);
void av_audit_reader_free(struct av_audit_reader *r);

enum av_audit_fault {
	AV_AUDIT_OK = 0,
	AV_AUDIT_TORN_TAIL, /* only an incomplete record at the very end: a crash */
	AV_AUDIT_BAD,       /* modified, missing, reordered or foreign data */
};

struct av_audit_verify_result {
	enum av_audit_fault fault;
	uint64_t records;      /* records that verified */
	uint64_t segments;     /* segment files read */
	uint64_t checkpoints;  /* checkpoints whose signature and root verified */
	uint64_t sealed_size;  /* tree size of the last good checkpoint */
	uint64_t unsealed;     /* records after the last checkpoint */
	char bad_segment[256]; /* for a fault: the segment file */
	uint64_t bad_offset;   /* ... the byte offset in it */
	uint64_t bad_seq;      /* ... the sequence number expected there */
	char reason[256];      /* ... a full sentence */
};

/* Verifies the whole log under state_dir: segment headers and numbering,
 * framing, sequence numbers, the hash chain, the Merkle tree, every
 * checkpoint's signature (against pk, or the state's audit.pub when NULL)
 * and that each checkpoint's root equals the tree over the records before
 * it. When anchor_json (a checkpoint exported earlier, may be NULL) is given,
 * the log must also contain a tree of that size with that root. Returns 0
 * when it could run (res->fault says the outcome), -1 when the log cannot be
 * found or read at all. */
int av_audit_verify(const char *state_dir, const unsigned char *pk,
                    const char *anchor_json, size_t anchor_len,
                    struct av_audit_verify_result *res, struct av_error *err);

/* ---- proofs ------------------------------------------------------------ */

/* Builds an inclusion proof for record seq against the latest checkpoint
 * (JSON text, new malloc'd, free with free()). */
int av_audit_prove_inclusion(const char *state_dir, uint64_t seq, char **out_json,
                             struct av_error *err);
/* Builds a consistency proof between the checkpoints of tree sizes size1 and
 * size2 (both must exist in the log). */
int av_audit_prove_consistency(const char *state_dir, uint64_t size1, uint64_t size2,
                               char **out_json, struct av_error *err);
/* Checks a proof produced by either function with the public key alone.
 * Returns 0 when it verifies, -1 with err saying why not. */
int av_audit_check_proof(const char *json, size_t len,
                         const unsigned char pk[AV_AUDIT_PUBKEY_BYTES],
                         struct av_error *err);

/* ---- redaction (pure) -------------------------------------------------- */

/* Returns a new malloc'd copy of the JSON text json[0..len) in which string
 * contents that look like secrets (docs/AUDIT.md, "Redaction") are replaced
 * by "[REDACTED:KIND]"; JSON structure is never changed. *out_len receives
 * the length; *count (may be NULL) the number of replacements. NULL on
 * allocation failure. */
char *av_redact_json(const char *json, size_t len, size_t *out_len, unsigned *count);

#endif
