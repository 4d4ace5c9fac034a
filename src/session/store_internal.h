/* store_internal.h - the SQLite session store (store.c) as the session
 * stage (session.c) and the tests use it. Not part of the public API. */
#ifndef AV_SESSION_STORE_INTERNAL_H
#define AV_SESSION_STORE_INTERNAL_H

#include "session/session_internal.h"

/* av_session_store_open with an explicit clock (for idle expiry). */
int av_session_store_open_at(const char *state_dir, const struct av_session_opts *opts,
                             int64_t now_ms, struct av_session_store **out,
                             struct av_error *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (rollback is a no-op outside a
 * transaction). */
int av_store_begin(struct av_session_store *s, struct av_error *err);
int av_store_commit(struct av_session_store *s, struct av_error *err);
void av_store_rollback(struct av_session_store *s);

/* Inside a transaction: the state of session id, from the cache when no
 * other process wrote it since, else from the database; a new or idle
 * session starts empty. *out is borrowed from the store's cache, valid
 * until the next load. */
int av_store_load(struct av_session_store *s, const char *id, int64_t now_ms,
                  struct av_session_state **out, struct av_error *err);
/* Forgets the cached state of id (after a failed transaction). */
void av_store_invalidate(struct av_session_store *s, const char *id);
/* Writes st back (its version goes up by one). */
int av_store_save(struct av_session_store *s, const char *id, struct av_session_state *st,
                  struct av_error *err);

/* The history ring: put one action, get one back by seq (false when it
 * has been overwritten), find the latest action with an id (1 found, 0 not,
 * -1 error; *session_out is new, free with free()). */
int av_store_history_put(struct av_session_store *s, const char *id, uint64_t seq,
                         const char *action_id, const char *summary, uint32_t labels,
                         struct av_error *err);
bool av_store_history_get(struct av_session_store *s, const char *id, uint64_t seq,
                          char *action_id, size_t idcap, char *summary, size_t sumcap);
int av_store_history_find(struct av_session_store *s, const char *id,
                          const char *action_id, char **session_out, uint64_t *seq,
                          uint32_t *labels, struct av_error *err);

#endif
