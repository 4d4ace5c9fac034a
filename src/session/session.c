/* session.c - the session stage of the pipeline (DESIGN.md: policy ->
 * session -> judge): one write transaction per action that loads the
 * session's state, runs the pure evaluator (chain_eval.c), turns completed
 * chains into findings that name the earlier actions, and saves the state
 * and the action's line in the history. Also the result-report path that
 * carries labels to the files an action really wrote.
 *
 * Fail closed: any store error turns the decision into a block carrying the
 * error, because a session stage that silently stopped working would let
 * every multi-step attack through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session/store_internal.h"

int64_t av_session_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail_closed(struct av_decision *d, const struct av_error *err)
{
	d->verdict = AV_BLOCK;
	if (d->risk < AV_RISK_HIGH)
		d->risk = AV_RISK_HIGH;
	d->has_error = true;
	d->error = *err;
	if (d->error.code == AV_OK) /* defensive */
		av_error_set(&d->error, AV_E_INTERNAL, "session",
		             "the session stage failed");
}

struct lookup_ud {
	struct av_session_store *s;
	const char *session;
};

/* av_history_lookup over the store's history ring. */
static bool lookup(void *ud, uint64_t seq, char *id, size_t idcap, char *sum,
                   size_t sumcap)
{
	const struct lookup_ud *u = ud;
	return av_store_history_get(u->s, u->session, seq, id, idcap, sum, sumcap);
}

/* ---- scripts: write it, then run it ------------------------------------------ */

#define SCRIPT_MAX_BYTES ((size_t)64 << 10)

enum script_lang { LANG_NONE = 0, LANG_SHELL, LANG_PYTHON };

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What a written file is, from its name or its #! line. */
static enum script_lang script_lang(const char *path, const char *content, size_t len)
{
	static const char *const shell_ext[] = { ".sh", ".bash", ".zsh", ".ksh" };
	if (ends_with(path, ".py"))
		return LANG_PYTHON;
	for (size_t i = 0; i < sizeof(shell_ext) / sizeof(shell_ext[0]); i++)
		if (ends_with(path, shell_ext[i]))
			return LANG_SHELL;
	if (len > 2 && content[0] == '#' && content[1] == '!') {
		const char *nl = memchr(content, '\n', len);
		size_t l = nl != NULL ? (size_t)(nl - content) : len;
		char first[128];
		snprintf(first, sizeof(first), "%.*s", (int)(l < 127 ? l : 127), content);
		if (strstr(first, "python") != NULL)
			return LANG_PYTHON;
		if (strstr(first, "sh") != NULL)
			return LANG_SHELL;
	}
	return LANG_NONE;
}

/* Judges the content a file action writes when it is a script: the same
 * pipeline and policy decide it as the shell text it is, or as `python3 -c`
 * with it (so the rules for interpreter code see it). The judgment is kept
 * with the file, and running the file later is judged by it: a script
 * written in one step and run in the next cannot hide what it does. Only
 * the first 64 KiB are judged. */
static void judge_script(const struct av_policy *p, const struct av_action *a,
                         struct av_arena *arena, struct av_script_judgment *j)
{
	memset(j, 0, sizeof(*j));
	if (a->kind != AV_KIND_FILE || a->in.file.content == NULL ||
	    !(a->in.file.op == AV_FOP_WRITE || a->in.file.op == AV_FOP_EDIT ||
	      a->in.file.op == AV_FOP_APPEND))
		return;
	const char *path = av_path_resolve(a->in.file.path, &a->ctx, arena);
	size_t len = a->in.file.content_len;
	const char *content = a->in.file.content;
	enum script_lang lang =
	        path != NULL ? script_lang(path, content, len) : LANG_NONE;
	if (lang == LANG_NONE)
		return;
	if (len > SCRIPT_MAX_BYTES)
		len = SCRIPT_MAX_BYTES;
	const char *text = NULL;
	if (lang == LANG_SHELL) {
		text = av_arena_strndup(arena, content, len);
	} else {
		/* python3 -c '...' with every ' written as '\'' */
		size_t quotes = 0;
		for (size_t i = 0; i < len; i++)
			quotes += content[i] == '\'';
		char *t = av_arena_alloc(arena, len + quotes * 3 + 16);
		if (t != NULL) {
			size_t n = (size_t)snprintf(t, 16, "python3 -c '");
			for (size_t i = 0; i < len; i++) {
				if (content[i] == '\'') {
					memcpy(t + n, "'\\''", 4);
					n += 4;
				} else {
					t[n++] = content[i];
				}
			}
			t[n++] = '\'';
			t[n] = '\0';
		}
		text = t;
	}
	j->path = path;
	if (text == NULL) { /* no memory to judge it: treat as unknown code */
		j->verdict = AV_REVIEW;
		j->risk = AV_RISK_HIGH;
		j->rule = "engine.limit";
		return;
	}
	struct av_action sa = {
		.id = a->id,
		.session = NULL, /* the content is judged alone */
		.principal = a->principal,
		.kind = AV_KIND_SHELL,
		.in.shell = { .command = text, .command_len = strlen(text) },
		.ctx = a->ctx,
	};
	struct av_decision sd;
	av_decide(p, &sa, arena, &sd);
	j->verdict = sd.verdict;
	j->risk = sd.risk;
	j->rule = sd.has_error ? "engine.error" : NULL;
	for (uint32_t i = 0; i < sd.findings.count && j->rule == NULL; i++)
		if (sd.findings.items[i].verdict == sd.verdict)
			j->rule = sd.findings.items[i].rule;
}

static const char SCRIPT_RULE[] = "session.script-content";

/* The steps of a script-content finding: the write, then this run. */
static int script_steps(struct lookup_ud *ud, const struct av_script_run *r, uint64_t seq,
                        struct av_arena *arena, struct av_finding *fd, char *line,
                        size_t cap)
{
	struct av_finding_step *st = av_arena_alloc(arena, 2 * sizeof(*st));
	char id[AV_SESSION_MAX_ACTION_ID + 1], sum[AV_SESSION_SUMMARY + 1];
	if (st == NULL)
		return -1;
	st[0] = (struct av_finding_step){ .step = "script written", .seq = r->seq };
	st[1] = (struct av_finding_step){ .step = "run", .seq = seq, .current = true };
	if (lookup(ud, r->seq, id, sizeof(id), sum, sizeof(sum))) {
		st[0].summary = av_arena_strdup(arena, sum);
		st[0].action = id[0] != '\0' ? av_arena_strdup(arena, id) : NULL;
		if (st[0].summary == NULL || (id[0] != '\0' && st[0].action == NULL))
			return -1;
		snprintf(line, cap, "%s `%s`", id[0] != '\0' ? id : "an action", sum);
	} else {
		snprintf(line, cap, "action #%llu", (unsigned long long)r->seq);
	}
	fd->steps = st;
	fd->nsteps = 2;
	return 0;
}

static int add_run_findings(struct av_session_store *s, struct av_decision *d,
                            const struct av_chain_outcome *o, struct av_arena *arena,
                            struct av_error *err)
{
	struct lookup_ud ud = { .s = s, .session = d->action->session };
	for (uint32_t i = 0; i < o->nruns; i++) {
		const struct av_script_run *r = &o->runs[i];
		struct av_finding *fd = av_arena_push(
		        arena, (void **)&d->findings.items, &d->findings.count,
		        &d->findings.capacity, sizeof(*fd), AV_MAX_FINDINGS);
		char line[AV_SESSION_SUMMARY + AV_SESSION_MAX_ACTION_ID + 16];
		if (fd == NULL ||
		    script_steps(&ud, r, o->seq, arena, fd, line, sizeof(line)) < 0)
			return av_error_set(err, AV_E_NOMEM, SCRIPT_RULE,
			                    "no room for a finding");
		fd->rule = SCRIPT_RULE;
		fd->verdict = r->verdict;
		fd->risk = r->risk;
		fd->effect = r->effect;
		fd->reason =
		        av_arena_printf(arena,
		                        "runs %s, written in this session by %s: its "
		                        "content was judged %s (%s)",
		                        r->path, line, av_verdict_name(r->verdict),
		                        r->rule[0] != '\0' ? r->rule : "no rule");
		if (fd->reason == NULL)
			return av_error_set(err, AV_E_NOMEM, SCRIPT_RULE,
			                    "no room for a reason");
		if (r->verdict > d->verdict)
			d->verdict = r->verdict;
		if (r->risk > d->risk)
			d->risk = r->risk;
	}
	return 0;
}

static int add_findings(struct av_session_store *s, const struct av_policy *p,
                        struct av_decision *d, const struct av_chain_outcome *o,
                        struct av_arena *arena, struct av_error *err)
{
	uint32_t nc;
	const struct av_chain *const *chains = av_policy_chains(p, &nc);
	struct lookup_ud ud = { .s = s, .session = d->action->session };
	for (uint32_t i = 0; i < o->nfires; i++) {
		const struct av_chain_fire *f = &o->fires[i];
		const struct av_chain *ch = chains[f->chain];
		struct av_finding *fd = av_arena_push(
		        arena, (void **)&d->findings.items, &d->findings.count,
		        &d->findings.capacity, sizeof(*fd), AV_MAX_FINDINGS);
		if (fd == NULL ||
		    av_chain_explain(p, d, f, o, lookup, &ud, arena, fd) < 0)
			return av_error_set(err, AV_E_NOMEM, ch->id,
			                    "no room for a finding");
		fd->rule = ch->id;
		fd->verdict = ch->verdict;
		fd->risk = ch->risk;
		fd->effect = f->effect;
		if (ch->verdict > d->verdict)
			d->verdict = ch->verdict;
		if (ch->risk > d->risk)
			d->risk = ch->risk;
	}
	return 0;
}

int av_session_decide(struct av_session_store *s, const struct av_policy *p,
                      struct av_decision *d, struct av_arena *arena, int64_t now_ms)
{
	const struct av_action *a = d->action;
	if (a == NULL || a->session == NULL)
		return 0;
	struct av_error err;
	av_error_clear(&err);
	if (s == NULL) {
		av_error_set(&err, AV_E_IO, "session", "the session store is not open");
		fail_closed(d, &err);
		return -1;
	}
	if (now_ms < 0 || now_ms > ((int64_t)1 << 50)) { /* defensive: a caller's bug */
		av_error_set(&err, AV_E_INTERNAL, "session", "the clock reads %lld ms",
		             (long long)now_ms);
		fail_closed(d, &err);
		return -1;
	}
	if (strlen(a->session) > AV_SESSION_MAX_ID || a->session[0] == '\0') {
		av_error_set(&err, AV_E_LIMIT, "session",
		             "a session id must be 1 to %d bytes", AV_SESSION_MAX_ID);
		fail_closed(d, &err);
		return -1;
	}
	struct av_session_state *st = NULL;
	struct av_chain_outcome o;
	char summary[AV_SESSION_SUMMARY + 1];
	struct av_script_judgment judged;
	judge_script(p, a, arena, &judged);
	if (av_store_begin(s, &err) < 0)
		goto fail;
	if (av_store_load(s, a->session, now_ms, &st, &err) < 0)
		goto fail;
	if (av_chain_eval(p, st, d, &judged, now_ms, arena, &o, &err) < 0)
		goto fail;
	av_session_summarize(a, summary, sizeof(summary)); /* cheap: one line */
	if (o.notable && av_store_history_put(s, a->session, o.seq, a->id, summary,
	                                      o.in_labels, &err) < 0)
		goto fail;
	if (add_findings(s, p, d, &o, arena, &err) < 0 ||
	    add_run_findings(s, d, &o, arena, &err) < 0)
		goto fail;
	if (av_store_save(s, a->session, st, &err) < 0 || av_store_commit(s, &err) < 0)
		goto fail;
	return 0;
fail:
	av_store_rollback(s);
	av_store_invalidate(s, a->session);
	fail_closed(d, &err);
	return -1;
}

int av_session_report(struct av_session_store *s, const struct av_result *r,
                      int64_t now_ms, struct av_error *err)
{
	char *sid = NULL;
	uint64_t seq = 0;
	uint32_t labels = 0;
	struct av_session_state *st = NULL;
	if (av_store_begin(s, err) < 0)
		return -1;
	int found = av_store_history_find(s, r->session, r->id, &sid, &seq, &labels, err);
	if (found < 0) {
		av_store_rollback(s);
		return -1;
	}
	if (found == 0) /* nothing to change; commit what a group holds */
		return av_session_flush(s, err) < 0 ? (av_store_rollback(s), -1) : 0;
	if (av_store_load(s, sid, now_ms, &st, err) < 0 ||
	    av_session_apply_result(st, seq, labels, r) < 0 ||
	    av_store_save(s, sid, st, err) < 0 || av_session_flush(s, err) < 0) {
		if (err->code == AV_OK)
			av_error_set(err, AV_E_NOMEM, "", "out of memory");
		av_store_rollback(s);
		av_store_invalidate(s, sid);
		free(sid);
		return -1;
	}
	free(sid);
	return 1;
}
