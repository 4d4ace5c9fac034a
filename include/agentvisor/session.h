/* session.h - the session stage of the pipeline: each action judged in the
 * context of the session it belongs to. Chain rules (ordered steps with
 * bindings and windows) and taint labels (secret, untrusted, pii) follow the
 * actions of one agent run; their state lives in SQLite under the state
 * directory so it survives a restart and is shared safely by every process
 * that decides for the same session (docs/POLICY.md "Sessions",
 * docs/PROTOCOL.md "Sessions").
 *
 * Ownership follows common.h. The store is an opaque handle created by
 * av_session_store_open and released by av_session_store_close; every other
 * pointer argument is borrowed for the duration of the call. A store is used
 * by one thread at a time. */
#ifndef AGENTVISOR_SESSION_H
#define AGENTVISOR_SESSION_H

#include "agentvisor/audit.h"
#include "agentvisor/common.h"
#include "agentvisor/decide.h"
#include "agentvisor/policy.h"

/* Bounds per session (docs/POLICY.md, "Session bounds"). Beyond them the
 * oldest entries are forgotten, never the newest. */
#define AV_SESSION_MAX_ID        256 /* bytes of a session id (longer: error) */
#define AV_SESSION_MAX_PARTIALS  64  /* chain matches in progress */
#define AV_SESSION_MAX_OBJECTS   256 /* labelled files and variables */
#define AV_SESSION_MAX_VALUE     256 /* bytes of a bound value or object name */
#define AV_SESSION_HISTORY       256 /* recent actions kept for explanations */
#define AV_SESSION_SUMMARY       120 /* bytes of one action's summary */
#define AV_SESSION_MAX_ACTION_ID 128 /* bytes of an action id kept */

#define AV_SESSION_IDLE_DEFAULT (24 * 3600) /* seconds */

struct av_session_opts {
	int64_t idle_seconds;     /* a session idle this long starts afresh */
	uint32_t busy_timeout_ms; /* wait for another process's transaction */
};

/* Fills o with the defaults (idle 24 h, busy timeout 5 s), then applies
 * AGENTVISOR_SESSION_IDLE (seconds, 1 .. 31536000) when set. Returns -1
 * with err set (AV_E_FIELD, where = the variable) when it is invalid. */
int av_session_opts_default(struct av_session_opts *o, struct av_error *err);

struct av_session_store;

/* The wall clock in ms: what callers pass as now_ms. */
int64_t av_session_now_ms(void);

/* Opens (creating on first use, mode 0600) state_dir/sessions.db: WAL
 * journal, the busy timeout of opts, the schema created or checked. Sessions
 * idle longer than opts->idle_seconds are deleted. Returns 0 and a new *out
 * (release with av_session_store_close), or -1 with err set (AV_E_IO). */
int av_session_store_open(const char *state_dir, const struct av_session_opts *opts,
                          struct av_session_store **out, struct av_error *err);

/* Closes the database and frees s (NULL is fine). What a group commit
 * still holds is committed first; call av_session_flush before to learn
 * whether that worked. */
void av_session_store_close(struct av_session_store *s);

/* Group commit for a process that decides many actions in a row (check
 * --batch from a file, an embedding): the write transaction stays open
 * across up to max decisions (1, the default, commits each one; at most
 * 4096), so the state of a session is written once per group. Other
 * processes wait for the group (busy timeout). When a group's commit fails,
 * the decision that hit it is blocked and the state changes of the earlier
 * decisions of the group are lost (their verdicts stand). */
void av_session_store_group(struct av_session_store *s, uint32_t max);

/* Commits an open group now. Returns 0, or -1 with err set (the group's
 * changes are then rolled back). */
int av_session_flush(struct av_session_store *s, struct av_error *err);

/* How many times a group's open transaction was rolled back with earlier
 * decisions of the group in it (their state changes lost). A caller that
 * holds those decisions' answers until the commit (the daemon) compares it
 * before and after, and answers them fail closed when it moved. */
uint64_t av_session_store_lost(const struct av_session_store *s);

/* The session stage for decision d (made by av_decide for d->action under
 * p). When the action has no session id this does nothing and returns 0.
 * Otherwise, in one write transaction: loads the session's state, computes
 * the labels of the data the action moves, advances the chains of p, adds a
 * finding for every chain that completes (its reason names the earlier
 * actions by id and summary, from ARENA) and raises d's verdict and risk,
 * then records the action (labels carried to the files it writes, its
 * summary in the history). now_ms is the wall clock in ms (windows in
 * seconds use it). Fail closed: when the store fails, d becomes a block
 * decision with error code io and -1 is returned. */
int av_session_decide(struct av_session_store *s, const struct av_policy *p,
                      struct av_decision *d, struct av_arena *arena, int64_t now_ms);

/* Feeds a result report (docs/PROTOCOL.md, "Result report") into its
 * session: the paths written get the labels of the data the action moved;
 * a failed action (exit != 0 with nothing written) takes back the chain
 * progress it made. r->session may be NULL: the action is then looked up by
 * id among the sessions. Returns 1 when the report was applied, 0 when no
 * session knows the action, -1 with err set on a store error. */
int av_session_report(struct av_session_store *s, const struct av_result *r,
                      int64_t now_ms, struct av_error *err);

/* Figures for `session` diagnostics and the benchmark. */
struct av_session_stats {
	uint64_t sessions;   /* sessions in the store */
	uint64_t actions;    /* actions of the session asked about */
	uint32_t partials;   /* chain matches in progress */
	uint32_t objects;    /* labelled files and variables */
	uint32_t labels;     /* session labels (bits: secret 1, untrusted 2, pii 4) */
	size_t state_bytes;  /* size of the session's serialized state */
	size_t memory_bytes; /* heap the store holds for it while cached */
};

/* Fills st for session id (may be NULL: only st->sessions). */
int av_session_stats(struct av_session_store *s, const char *id,
                     struct av_session_stats *st, struct av_error *err);

#endif
