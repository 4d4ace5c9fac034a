/* store.c - session state in SQLite: state_dir/sessions.db, WAL journal,
 * a busy timeout, one write transaction per decision. Several processes
 * (the CLI run by a hook for every tool call, the daemon) may decide for
 * the same session at once: BEGIN IMMEDIATE serializes them, and a version
 * number in each session row tells a process whether the state it cached
 * is still the latest or another process wrote since.
 *
 * Schema (user_version 1):
 *   sessions(id, version, created, last, nactions, state)  one row a session;
 *            state is the blob of state.c
 *   history(session, slot, seq, action_id, summary, labels) the last
 *            AV_SESSION_HISTORY actions of each session, a ring indexed by
 *            seq % AV_SESSION_HISTORY, for explanations and result reports
 *   meta(key, value)  last_expiry: when idle sessions were last deleted
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session/store_internal.h"

#define SCHEMA_VERSION 1
#define CACHE_ENTRIES  64
/* Idle sessions are deleted at most this often (ms), by whichever process
 * opens the store first after the interval. */
#define EXPIRY_INTERVAL_MS (3600 * 1000LL)

static const char schema_sql[] =
        "CREATE TABLE IF NOT EXISTS sessions("
        " id TEXT PRIMARY KEY, version INTEGER NOT NULL, created INTEGER NOT NULL,"
        " last INTEGER NOT NULL, nactions INTEGER NOT NULL, state BLOB NOT NULL)"
        " WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS history("
        " session TEXT NOT NULL, slot INTEGER NOT NULL, seq INTEGER NOT NULL,"
        " action_id TEXT, summary TEXT NOT NULL, labels INTEGER NOT NULL,"
        " PRIMARY KEY(session, slot)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "PRAGMA user_version = 1;";

enum stmt_id {
	ST_BEGIN = 0,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LOAD,
	ST_SAVE,
	ST_HIST_PUT,
	ST_HIST_GET,
	ST_HIST_FIND,
	ST_HIST_FIND_ANY,
	ST_DELETE_HISTORY,
	ST_COUNT_SESSIONS,
	ST_N,
};

static const char *const stmt_sql[ST_N] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_LOAD] = "SELECT version, last, state FROM sessions WHERE id = ?1",
	[ST_SAVE] = "INSERT INTO sessions(id, version, created, last, nactions, state)"
	            " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
	            " version = excluded.version, last = excluded.last,"
	            " nactions = excluded.nactions, state = excluded.state,"
	            " created = excluded.created",
	[ST_HIST_PUT] = "INSERT OR REPLACE INTO history(session, slot, seq, action_id,"
	                " summary, labels) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_HIST_GET] = "SELECT action_id, summary FROM history"
	                " WHERE session = ?1 AND slot = ?2 AND seq = ?3",
	[ST_HIST_FIND] = "SELECT seq, labels FROM history WHERE session = ?1 AND"
	                 " action_id = ?2 ORDER BY seq DESC LIMIT 1",
	[ST_HIST_FIND_ANY] = "SELECT session, seq, labels FROM history WHERE"
	                     " action_id = ?1 ORDER BY seq DESC LIMIT 1",
	/* (no index on action_id: every decision would pay to maintain it;
	 * a report names its session, and without one the scan is bounded by
	 * AV_SESSION_HISTORY rows per live session) */
	[ST_DELETE_HISTORY] = "DELETE FROM history WHERE session = ?1",
	[ST_COUNT_SESSIONS] = "SELECT count(*) FROM sessions",
};

struct cache_entry {
	char *id; /* malloc'd; NULL when free */
	bool valid;
	bool verified; /* checked against the row inside the open transaction */
	bool dirty;    /* changed in the open transaction, not yet written */
	uint64_t tick;
	struct av_session_state st;
};

struct av_session_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	struct av_session_opts opts;
	struct cache_entry cache[CACHE_ENTRIES];
	uint64_t tick;
	/* Group commit: the write transaction stays open across up to
	 * group_max decisions (1: each decision commits). */
	uint32_t group_max, pending;
	bool in_txn;
	/* Transactions rolled back with earlier decisions of a group in them
	 * (av_session_store_lost): their state changes are gone. */
	uint64_t lost;
};

static int db_fail(struct av_session_store *s, struct av_error *err, const char *what)
{
	return av_error_set(err, AV_E_IO, "sessions.db", "session store: %s: %s", what,
	                    s->db != NULL ? sqlite3_errmsg(s->db) : "no database");
}

int av_session_opts_default(struct av_session_opts *o, struct av_error *err)
{
	o->idle_seconds = AV_SESSION_IDLE_DEFAULT;
	o->busy_timeout_ms = 5000;
	const char *v = getenv("AGENTVISOR_SESSION_IDLE");
	if (v == NULL || v[0] == '\0')
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > 31536000)
		return av_error_set(err, AV_E_FIELD, "AGENTVISOR_SESSION_IDLE",
		                    "AGENTVISOR_SESSION_IDLE must be a number of seconds "
		                    "from 1 to 31536000");
	o->idle_seconds = n;
	return 0;
}

static int exec_sql(struct av_session_store *s, const char *sql, struct av_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		av_error_set(err, AV_E_IO, "sessions.db", "session store: %s",
		             msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Deletes sessions idle longer than the idle time, at most once an hour. */
static int expire_idle(struct av_session_store *s, int64_t now_ms, struct av_error *err)
{
	sqlite3_stmt *q = NULL;
	int64_t last = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'last_expiry'",
	                       -1, &q, NULL) != SQLITE_OK)
		return db_fail(s, err, "reading meta");
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (now_ms - last < EXPIRY_INTERVAL_MS && last <= now_ms)
		return 0;
	char sql[512];
	int64_t cutoff = now_ms - s->opts.idle_seconds * 1000;
	snprintf(sql, sizeof(sql),
	         "BEGIN IMMEDIATE;"
	         "DELETE FROM history WHERE session IN"
	         " (SELECT id FROM sessions WHERE last < %lld);"
	         "DELETE FROM sessions WHERE last < %lld;"
	         "INSERT OR REPLACE INTO meta(key, value) VALUES('last_expiry', %lld);"
	         "COMMIT;",
	         (long long)cutoff, (long long)cutoff, (long long)now_ms);
	if (exec_sql(s, sql, err) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int av_session_store_open_at(const char *state_dir, const struct av_session_opts *opts,
                             int64_t now_ms, struct av_session_store **out,
                             struct av_error *err)
{
	*out = NULL;
	if (av_state_dir_prepare(state_dir, err) < 0)
		return -1;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/sessions.db", state_dir) >=
	    sizeof(path))
		return av_error_set(err, AV_E_LIMIT, "state",
		                    "the state directory path is too long");
	/* Create the file 0600 ourselves: sqlite would use the umask. */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return av_error_set(err, AV_E_IO, path,
		                    "cannot open the session store: %s", strerror(errno));
	close(fd);
	struct av_session_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	s->opts = *opts;
	s->group_max = 1;
	if (sqlite3_open_v2(path, &s->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	                            SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		db_fail(s, err, "opening");
		av_session_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, (int)opts->busy_timeout_ms);
	sqlite3_stmt *q = NULL;
	int uv = -1;
	/* WAL lets readers and the one writer proceed together; synchronous
	 * NORMAL in WAL mode keeps the database consistent across a crash
	 * (the last transactions may be lost, never half applied). */
	if (exec_sql(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err) <
	    0)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		uv = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (uv > SCHEMA_VERSION) {
		av_error_set(err, AV_E_IO, path,
		             "the session store has schema version %d; this agentvisor "
		             "knows %d",
		             uv, SCHEMA_VERSION);
		goto fail;
	}
	if (uv != SCHEMA_VERSION && exec_sql(s, schema_sql, err) < 0)
		goto fail;
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &s->st[i], NULL) != SQLITE_OK) {
			db_fail(s, err, "preparing statements");
			goto fail;
		}
	if (expire_idle(s, now_ms, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	av_session_store_close(s);
	return -1;
}

int av_session_store_open(const char *state_dir, const struct av_session_opts *opts,
                          struct av_session_store **out, struct av_error *err)
{
	return av_session_store_open_at(state_dir, opts, av_session_now_ms(), out, err);
}

void av_session_store_close(struct av_session_store *s)
{
	if (s == NULL)
		return;
	struct av_error ignored; /* callers that must know flush first */
	if (av_session_flush(s, &ignored) < 0)
		av_store_rollback(s);
	for (int i = 0; i < CACHE_ENTRIES; i++) {
		free(s->cache[i].id);
		av_session_state_free(&s->cache[i].st);
	}
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* ---- transactions ---------------------------------------------------------- */

static int run(struct av_session_store *s, enum stmt_id id, struct av_error *err)
{
	sqlite3_stmt *q = s->st[id];
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return db_fail(s, err, stmt_sql[id]);
	return 0;
}

void av_session_store_group(struct av_session_store *s, uint32_t max)
{
	s->group_max = max < 1 ? 1 : max > 4096 ? 4096 : max;
}

int av_store_begin(struct av_session_store *s, struct av_error *err)
{
	if (s->in_txn)
		return 0;
	if (run(s, ST_BEGIN, err) < 0)
		return -1;
	/* Another process may have written since our last transaction: every
	 * cached state is checked against its row before it is used. */
	for (int i = 0; i < CACHE_ENTRIES; i++)
		s->cache[i].verified = false;
	s->in_txn = true;
	s->pending = 0;
	return 0;
}

static int save_entry(struct av_session_store *s, struct cache_entry *c,
                      struct av_error *err);

int av_session_flush(struct av_session_store *s, struct av_error *err)
{
	if (!s->in_txn)
		return 0;
	/* A failed commit rolls the group back (as documented), so the next
	 * transaction never carries half a group forward. */
	for (int i = 0; i < CACHE_ENTRIES; i++)
		if (s->cache[i].dirty && s->cache[i].valid &&
		    save_entry(s, &s->cache[i], err) < 0)
			return av_store_rollback(s), -1;
	if (run(s, ST_COMMIT, err) < 0)
		return av_store_rollback(s), -1;
	s->in_txn = false;
	s->pending = 0;
	return 0;
}

uint64_t av_session_store_lost(const struct av_session_store *s)
{
	return s != NULL ? s->lost : 0;
}

int av_store_commit(struct av_session_store *s, struct av_error *err)
{
	if (++s->pending < s->group_max)
		return 0;
	return av_session_flush(s, err);
}

void av_store_rollback(struct av_session_store *s)
{
	if (s->in_txn && s->pending > 0)
		s->lost++;
	if (!sqlite3_get_autocommit(s->db)) {
		struct av_error ignored;
		run(s, ST_ROLLBACK, &ignored);
	}
	/* What the transaction changed in memory is gone from the file. */
	for (int i = 0; i < CACHE_ENTRIES; i++) {
		s->cache[i].valid = false;
		s->cache[i].dirty = false;
	}
	s->in_txn = false;
	s->pending = 0;
}

static struct cache_entry *cache_slot(struct av_session_store *s, const char *id)
{
	struct cache_entry *victim = &s->cache[0];
	for (int i = 0; i < CACHE_ENTRIES; i++) {
		struct cache_entry *c = &s->cache[i];
		if (c->id != NULL && strcmp(c->id, id) == 0) {
			c->tick = ++s->tick;
			return c;
		}
		if (c->id == NULL || c->tick < victim->tick)
			victim = c;
	}
	if (victim->dirty && victim->valid) {
		/* A changed state leaving the cache mid-transaction is written
		 * first; if that fails it is dropped and the transaction with
		 * it (the caller sees the error at commit). */
		struct av_error e;
		if (save_entry(s, victim, &e) < 0)
			return NULL;
	}
	free(victim->id);
	av_session_state_free(&victim->st);
	victim->valid = false;
	victim->dirty = false;
	victim->id = strdup(id);
	if (victim->id == NULL)
		return NULL;
	victim->tick = ++s->tick;
	return victim;
}

int av_store_load(struct av_session_store *s, const char *id, int64_t now_ms,
                  struct av_session_state **out, struct av_error *err)
{
	struct cache_entry *c = cache_slot(s, id);
	if (c == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	*out = &c->st;
	int ret = 0;
	if (!(c->valid && c->verified)) {
		/* First use in this transaction: the row decides whether the
		 * cached state is still the latest. */
		sqlite3_stmt *q = s->st[ST_LOAD];
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			uint64_t version = (uint64_t)sqlite3_column_int64(q, 0);
			if (!c->valid || c->st.version != version) {
				const void *blob = sqlite3_column_blob(q, 2);
				int len = sqlite3_column_bytes(q, 2);
				c->valid = false;
				if (av_session_state_decode(blob, (size_t)len, &c->st) <
				    0)
					ret = av_error_set(err, AV_E_IO, "sessions.db",
					                   "session store: the state of "
					                   "session \"%.64s\" is damaged",
					                   id);
				c->st.version = version;
			}
		} else if (rc == SQLITE_DONE) {
			/* No row: new, or deleted by expiry in another process. */
			av_session_state_reset(&c->st);
			c->st.version = 0;
		} else {
			ret = db_fail(s, err, "loading a session");
		}
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (ret < 0) {
			c->valid = false;
			return ret;
		}
		c->valid = true;
		c->verified = true;
	}
	/* Idle too long: the session starts afresh (its history too). */
	if (c->st.nactions > 0 && now_ms - c->st.last_ms > s->opts.idle_seconds * 1000) {
		av_session_state_reset(&c->st);
		sqlite3_stmt *dh = s->st[ST_DELETE_HISTORY];
		sqlite3_bind_text(dh, 1, id, -1, SQLITE_STATIC);
		int drc = sqlite3_step(dh);
		sqlite3_reset(dh);
		sqlite3_clear_bindings(dh);
		if (drc != SQLITE_DONE) {
			c->valid = false;
			return db_fail(s, err, "deleting history");
		}
	}
	return 0;
}

void av_store_invalidate(struct av_session_store *s, const char *id)
{
	for (int i = 0; i < CACHE_ENTRIES; i++)
		if (s->cache[i].id != NULL && strcmp(s->cache[i].id, id) == 0) {
			s->cache[i].valid = false;
			s->cache[i].dirty = false;
		}
}

static int save_entry(struct av_session_store *s, struct cache_entry *c,
                      struct av_error *err)
{
	struct av_session_state *st = &c->st;
	unsigned char *blob;
	size_t len;
	if (av_session_state_encode(st, &blob, &len) < 0)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	sqlite3_stmt *q = s->st[ST_SAVE];
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(st->version + 1));
	sqlite3_bind_int64(q, 3, st->created_ms);
	sqlite3_bind_int64(q, 4, st->last_ms);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)st->nactions);
	sqlite3_bind_blob(q, 6, blob, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	free(blob);
	if (rc != SQLITE_DONE)
		return db_fail(s, err, "saving a session");
	st->version++;
	c->dirty = false;
	return 0;
}

int av_store_save(struct av_session_store *s, const char *id, struct av_session_state *st,
                  struct av_error *err)
{
	/* Written at the commit (av_session_flush), once per session however
	 * many of its actions the transaction holds. */
	for (int i = 0; i < CACHE_ENTRIES; i++)
		if (s->cache[i].id != NULL && &s->cache[i].st == st &&
		    strcmp(s->cache[i].id, id) == 0) {
			s->cache[i].dirty = true;
			return 0;
		}
	return av_error_set(err, AV_E_INTERNAL, "session",
	                    "saving a state that is not cached");
}

int av_store_history_put(struct av_session_store *s, const char *id, uint64_t seq,
                         const char *action_id, const char *summary, uint32_t labels,
                         struct av_error *err)
{
	sqlite3_stmt *q = s->st[ST_HIST_PUT];
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(seq % AV_SESSION_HISTORY));
	sqlite3_bind_int64(q, 3, (sqlite3_int64)seq);
	if (action_id != NULL)
		sqlite3_bind_text(q, 4, action_id,
		                  (int)strnlen(action_id, AV_SESSION_MAX_ACTION_ID),
		                  SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 4);
	sqlite3_bind_text(q, 5, summary, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, labels);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE)
		return db_fail(s, err, "recording the action");
	return 0;
}

bool av_store_history_get(struct av_session_store *s, const char *id, uint64_t seq,
                          char *action_id, size_t idcap, char *summary, size_t sumcap)
{
	sqlite3_stmt *q = s->st[ST_HIST_GET];
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(seq % AV_SESSION_HISTORY));
	sqlite3_bind_int64(q, 3, (sqlite3_int64)seq);
	bool found = sqlite3_step(q) == SQLITE_ROW;
	if (found) {
		const unsigned char *aid = sqlite3_column_text(q, 0);
		const unsigned char *sum = sqlite3_column_text(q, 1);
		snprintf(action_id, idcap, "%s", aid != NULL ? (const char *)aid : "");
		snprintf(summary, sumcap, "%s", sum != NULL ? (const char *)sum : "");
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return found;
}

int av_store_history_find(struct av_session_store *s, const char *id,
                          const char *action_id, char **session_out, uint64_t *seq,
                          uint32_t *labels, struct av_error *err)
{
	sqlite3_stmt *q = s->st[id != NULL ? ST_HIST_FIND : ST_HIST_FIND_ANY];
	int col = 0;
	if (id != NULL) {
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, action_id, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(q, 1, action_id, -1, SQLITE_STATIC);
		col = 1;
	}
	int rc = sqlite3_step(q);
	int ret = 0;
	*session_out = NULL;
	if (rc == SQLITE_ROW) {
		const unsigned char *sid = id != NULL ? (const unsigned char *)id
		                                      : sqlite3_column_text(q, 0);
		*session_out = strdup(sid != NULL ? (const char *)sid : "");
		*seq = (uint64_t)sqlite3_column_int64(q, col);
		*labels = (uint32_t)sqlite3_column_int64(q, col + 1) & AV_LABEL_ALL;
		ret = *session_out != NULL
		              ? 1
		              : av_error_set(err, AV_E_NOMEM, "", "out of memory");
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s, err, "finding the action");
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return ret;
}

int av_session_stats(struct av_session_store *s, const char *id,
                     struct av_session_stats *out, struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = s->st[ST_COUNT_SESSIONS];
	if (sqlite3_step(q) == SQLITE_ROW)
		out->sessions = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (id == NULL)
		return 0;
	for (int i = 0; i < CACHE_ENTRIES; i++) {
		const struct cache_entry *c = &s->cache[i];
		if (c->id == NULL || !c->valid || strcmp(c->id, id) != 0)
			continue;
		out->actions = c->st.nactions;
		out->partials = c->st.npartials;
		out->objects = c->st.nobjects;
		out->labels = c->st.labels;
		out->memory_bytes = av_session_state_memory(&c->st) + strlen(c->id) + 1;
	}
	q = s->st[ST_LOAD];
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		out->state_bytes = (size_t)sqlite3_column_bytes(q, 2);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	(void)err;
	return 0;
}
