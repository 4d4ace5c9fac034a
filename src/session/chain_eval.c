/* chain_eval.c - the pure part of the session stage: given the state of a
 * session and the decision for its next action, compute the labels of the
 * data the action moves (taint), advance the chain automata, report the
 * chains that complete, and carry labels to what the action writes. No I/O:
 * the store (store.c) loads and saves the state around it.
 *
 * Security reasoning. The automata only ever add findings, so a session
 * can raise a verdict but never lower one. State is bounded (partials,
 * objects, value sizes); when a bound is reached the oldest entry goes,
 * which can make a very long, very noisy attack slip out of a window but
 * never lets state grow without limit. A condition that cannot be
 * evaluated fails the whole decision closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session_internal.h"

/* ---- state ------------------------------------------------------------- */

void av_session_state_free(struct av_session_state *s)
{
	free(s->partials);
	free(s->objects);
	memset(s, 0, sizeof(*s));
}

void av_session_state_reset(struct av_session_state *s)
{
	uint64_t version = s->version;
	av_session_state_free(s);
	s->version = version;
}

size_t av_session_state_memory(const struct av_session_state *s)
{
	return sizeof(*s) + (size_t)s->cappartials * sizeof(*s->partials) +
	       (size_t)s->capobjects * sizeof(*s->objects);
}

/* Grows a malloc'd array to hold one more element, up to max. */
static void *grow(void *items, uint32_t *cap, uint32_t need, size_t elem, uint32_t max)
{
	if (need <= *cap)
		return items;
	uint32_t ncap = *cap == 0 ? 4 : *cap * 2;
	if (ncap > max)
		ncap = max;
	if (need > ncap)
		return NULL;
	void *n = realloc(items, (size_t)ncap * elem);
	if (n != NULL)
		*cap = ncap;
	return n;
}

static void copy_value(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n >= AV_SESSION_MAX_VALUE)
		n = AV_SESSION_MAX_VALUE - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- what refers to what ------------------------------------------------ */

/* True when path is base or inside it, at a component boundary. */
static bool path_under(const char *path, const char *base)
{
	size_t n = strlen(base);
	while (n > 1 && base[n - 1] == '/')
		n--;
	if (n == 1 && base[0] == '/')
		return path[0] == '/';
	return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Directories so broad that "contains the bound file" says nothing: the
 * root and the home directory. (Not the workspace: pushing or uploading it
 * sends a labelled file written into it.) */
static bool too_broad(const char *dir, const struct av_context *ctx)
{
	return strcmp(dir, "/") == 0 ||
	       (ctx->home != NULL && strcmp(dir, ctx->home) == 0);
}

/* Whether an effect's value v names the same thing as a bound value b:
 * equal; one path inside the other (a file inside a bound directory, a
 * directory that holds the bound file unless it is the root or home); or
 * a bare program name equal to the bound path's last component (the
 * binary run from PATH after it was moved there). */
static bool relates(const char *v, const char *b, const struct av_context *ctx)
{
	if (v[0] == '\0' || b[0] == '\0')
		return false;
	if (strcmp(v, b) == 0)
		return true;
	if (v[0] == '/' && b[0] == '/')
		return path_under(v, b) || (path_under(b, v) && !too_broad(v, ctx));
	if (strchr(v, '/') == NULL) {
		const char *base = strrchr(b, '/');
		return base != NULL && strcmp(base + 1, v) == 0;
	}
	return false;
}

/* Resolves "./x", "../x", "~/x" and "dir/x" against the action's context
 * so they compare with absolute bound paths. */
static const char *norm_value(const char *v, const struct av_context *ctx,
                              struct av_arena *arena)
{
	if (v[0] == '/' || (v[0] != '~' && v[0] != '.' && strchr(v, '/') == NULL))
		return v;
	const char *r = av_path_resolve(v, ctx, arena);
	return r != NULL ? r : v;
}

/* ---- evaluation context --------------------------------------------------- */

struct ev {
	const struct av_policy *p;
	struct av_session_state *s;
	const struct av_decision *d;
	const struct av_action *a;
	struct av_arena *arena;
	struct av_expr_ctx ctx;
	struct av_facts facts;
	struct av_error *err;
	uint64_t seq;
	int64_t now_ms;
	const char *written; /* first path the action writes, or NULL */
	bool notable;        /* see av_chain_outcome.notable */
};

static const struct av_command *cmd_of(const struct ev *ev, const struct av_effect *e)
{
	const struct av_shell_result *sh = &ev->d->shell;
	if (e == NULL || e->cmd < 0 || sh->cmds == NULL || (uint32_t)e->cmd >= sh->ncmds)
		return NULL;
	return &sh->cmds[e->cmd];
}

static int eval_when(struct ev *ev, const struct av_expr *when, const char *id)
{
	if (when == NULL)
		return 1;
	int m = av_expr_eval(when, &ev->ctx);
	if (m < 0)
		return av_error_set(
		        ev->err, AV_E_LIMIT, id, "%s could not be evaluated: %s.", id,
		        ev->ctx.error != NULL ? ev->ctx.error : "unknown error");
	return m;
}

/* Reads a bind/match target for the current context as up to a few
 * strings (a list field gives its entries). */
static uint32_t target_values(struct ev *ev, int32_t field, const char **out,
                              uint32_t max)
{
	if (field == AV_CHAIN_FIELD_WRITTEN) {
		if (ev->written == NULL)
			return 0;
		out[0] = ev->written;
		return 1;
	}
	struct av_value v;
	av_field_get((enum av_field)field, &ev->ctx, &v);
	if (v.type == AV_XT_STR) {
		out[0] = v.s;
		return 1;
	}
	/* A list gives its last max entries: operands come after options. */
	uint32_t n = 0;
	if (v.type == AV_XT_LIST)
		for (uint32_t i = v.count > max ? v.count - max : 0; i < v.count; i++)
			out[n++] = v.items[i];
	return n;
}

static bool match_ok(struct ev *ev, const struct av_chain_step *st,
                     const struct av_session_partial *pt)
{
	if (st->nmatch == 0)
		return true;
	if (pt == NULL)
		return false;
	for (uint32_t m = 0; m < st->nmatch; m++) {
		const char *vals[16];
		uint32_t n = target_values(ev, st->match[m].field, vals, 16);
		for (uint32_t i = 0; i < n; i++) {
			const char *v = norm_value(vals[i], &ev->a->ctx, ev->arena);
			for (uint32_t k = 0; k < AV_CHAIN_MAX_VARS; k++)
				if ((st->match[m].vars & pt->bound & (1u << k)) &&
				    relates(v, pt->vals[k], &ev->a->ctx))
					return true;
		}
	}
	return false;
}

/* Finds where step st holds for this action (given partial pt's bindings):
 * returns 1 with *effect / *cmd set (and ev->ctx left pointing there), 0
 * when it does not hold, -1 on an evaluation error. */
static int step_holds(struct ev *ev, const struct av_chain *ch,
                      const struct av_chain_step *st, const struct av_session_partial *pt,
                      int32_t *effect, int32_t *cmd)
{
	*effect = -1;
	*cmd = -1;
	if (st->scope == AV_STEP_ACTION) {
		ev->ctx.effect = NULL;
		ev->ctx.cmd = NULL;
		int m = eval_when(ev, st->when, ch->id);
		if (m <= 0)
			return m;
		return match_ok(ev, st, pt) ? 1 : 0;
	}
	if (st->scope == AV_STEP_COMMAND) {
		const struct av_shell_result *sh = &ev->d->shell;
		for (uint32_t i = 0; sh->cmds != NULL && i < sh->ncmds; i++) {
			ev->ctx.effect = NULL;
			ev->ctx.cmd = &sh->cmds[i];
			int m = eval_when(ev, st->when, ch->id);
			if (m < 0)
				return -1;
			if (m > 0 && match_ok(ev, st, pt)) {
				*cmd = (int32_t)i;
				return 1;
			}
		}
		return 0;
	}
	for (uint32_t i = 0; i < ev->facts.neffects; i++) {
		const struct av_effect *e = &ev->facts.effects[i];
		if ((unsigned)e->kind >= 32 || !(st->kinds & (1u << e->kind)))
			continue;
		ev->ctx.effect = e;
		ev->ctx.cmd = cmd_of(ev, e);
		int m = eval_when(ev, st->when, ch->id);
		if (m < 0)
			return -1;
		if (m > 0 && match_ok(ev, st, pt)) {
			*effect = (int32_t)i;
			*cmd = e->cmd;
			return 1;
		}
	}
	return 0;
}

static void apply_binds(struct ev *ev, const struct av_chain_step *st,
                        struct av_session_partial *pt)
{
	for (uint32_t b = 0; b < st->nbind; b++) {
		const char *vals[16];
		uint32_t n = target_values(ev, st->bind[b].field, vals, 16);
		if (n == 0)
			continue;
		/* A list binds its last entry: the operand, after the options. */
		const char *v = norm_value(vals[n - 1], &ev->a->ctx, ev->arena);
		uint32_t k = (uint32_t)__builtin_ctz(st->bind[b].vars);
		copy_value(pt->vals[k], v);
		pt->bound |= 1u << k;
	}
}

/* ---- labels --------------------------------------------------------------- */

static uint32_t object_labels(const struct av_session_state *s, uint32_t kind,
                              const char *name, const struct av_context *ctx,
                              uint64_t *seq)
{
	uint32_t l = 0;
	for (uint32_t i = 0; i < s->nobjects; i++) {
		const struct av_session_object *o = &s->objects[i];
		if (o->kind != kind)
			continue;
		bool hit = kind == AV_OBJ_FILE ? relates(name, o->name, ctx)
		                               : strcmp(name, o->name) == 0;
		if (hit) {
			l |= o->labels;
			if (*seq == 0 || o->seq < *seq)
				*seq = o->seq;
		}
	}
	return l;
}

static void note_label_seq(uint64_t label_seq[AV_LABEL_BITS], uint32_t labels,
                           uint64_t seq)
{
	for (int b = 0; b < AV_LABEL_BITS; b++)
		if ((labels & (1u << b)) && label_seq[b] == 0)
			label_seq[b] = seq;
}

/* The path an effect reads data from, if any. */
static const char *read_path(const struct av_effect *e)
{
	switch (e->kind) {
	case AV_FX_FS_READ:
	case AV_FX_FS_MOVE:
		return e->path;
	case AV_FX_NET_SEND:
	case AV_FX_CODE_EXEC:
		return e->source != NULL && e->source[0] == '/' ? e->source : NULL;
	default:
		return NULL;
	}
}

/* The path an effect writes data to, if any. */
static const char *write_path(const struct av_effect *e)
{
	switch (e->kind) {
	case AV_FX_FS_WRITE:
	case AV_FX_PERSIST:
		return e->path;
	case AV_FX_FS_MOVE:
		return e->dest;
	default:
		return NULL;
	}
}

/* True when the shell text names $NAME or ${NAME}. */
static bool mentions_var(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i + 1 + n <= len; i++) {
		if (text[i] != '$')
			continue;
		size_t j = i + 1;
		if (j < len && text[j] == '{')
			j++;
		if (j + n <= len && memcmp(text + j, name, n) == 0) {
			char c = j + n < len ? text[j + n] : '\0';
			bool more = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			            (c >= '0' && c <= '9') || c == '_';
			if (!more)
				return true;
		}
	}
	return false;
}

static struct av_session_object *upsert_object(struct av_session_state *s, uint32_t kind,
                                               const char *name, uint32_t labels,
                                               uint64_t seq)
{
	for (uint32_t i = 0; i < s->nobjects; i++)
		if (s->objects[i].kind == kind && strcmp(s->objects[i].name, name) == 0) {
			s->objects[i].labels |= labels;
			s->objects[i].seq = seq;
			return &s->objects[i];
		}
	if (s->nobjects >= AV_SESSION_MAX_OBJECTS) {
		/* Full: forget the object labelled longest ago. */
		uint32_t old = 0;
		for (uint32_t i = 1; i < s->nobjects; i++)
			if (s->objects[i].seq < s->objects[old].seq)
				old = i;
		s->objects[old] = s->objects[--s->nobjects];
	}
	struct av_session_object *n = grow(s->objects, &s->capobjects, s->nobjects + 1,
	                                   sizeof(*n), AV_SESSION_MAX_OBJECTS);
	if (n == NULL)
		return NULL;
	s->objects = n;
	struct av_session_object *o = &s->objects[s->nobjects++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->labels = labels;
	o->seq = seq;
	copy_value(o->name, name);
	return o;
}

/* Computes the labels of the data the action reads: from the taint
 * sources that match it, from labelled files it reads, and from labelled
 * variables its text names. Fills out->flow and the per-effect labels. */
static int compute_flow(struct ev *ev, struct av_chain_outcome *out, uint64_t lseq[3])
{
	const struct av_action *a = ev->a;
	uint32_t in = 0;
	uint32_t nt;
	const struct av_taint_source *const *ts = av_policy_taint(ev->p, &nt);
	for (uint32_t t = 0; t < nt; t++) {
		struct av_chain_step st = { .scope = ts[t]->scope,
			                    .kinds = ts[t]->kinds,
			                    .when = ts[t]->when };
		struct av_chain ch = { .id = ts[t]->id };
		int32_t e, c;
		int r = step_holds(ev, &ch, &st, NULL, &e, &c);
		if (r < 0)
			return -1;
		if (r > 0) {
			in |= ts[t]->labels;
			note_label_seq(lseq, ts[t]->labels, ev->seq);
		}
	}
	for (uint32_t i = 0; i < ev->facts.neffects; i++) {
		const char *rp = read_path(&ev->facts.effects[i]);
		if (rp == NULL)
			continue;
		uint64_t seq = 0;
		uint32_t l = object_labels(ev->s, AV_OBJ_FILE, rp, &a->ctx, &seq);
		in |= l;
		note_label_seq(lseq, l, seq);
	}
	if (a->kind == AV_KIND_SHELL)
		for (uint32_t i = 0; i < ev->s->nobjects; i++) {
			const struct av_session_object *o = &ev->s->objects[i];
			if (o->kind == AV_OBJ_VAR &&
			    mentions_var(a->in.shell.command, a->in.shell.command_len,
			                 o->name)) {
				in |= o->labels;
				note_label_seq(lseq, o->labels, o->seq);
			}
		}
	out->in_labels = in;
	uint32_t n = ev->facts.neffects;
	out->effect_labels =
	        av_arena_alloc(ev->arena, (n > 0 ? n : 1) * sizeof(uint32_t));
	if (out->effect_labels == NULL)
		return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const struct av_effect *e = &ev->facts.effects[i];
		uint32_t l = in;
		const char *own = read_path(e);
		uint64_t seq = 0;
		if (own != NULL)
			l |= object_labels(ev->s, AV_OBJ_FILE, own, &a->ctx, &seq);
		out->effect_labels[i] = l;
	}
	out->flow.session_labels = ev->s->labels | in;
	out->flow.action_labels = in;
	out->flow.effect_labels = out->effect_labels;
	out->flow.session_actions = (int64_t)ev->s->nactions;
	ev->ctx.flow = &out->flow;
	return 0;
}

/* export, declare, typeset, readonly and local assign through operands. */
static bool declares(const struct av_command *c)
{
	static const char *const names[] = { "export", "declare", "typeset", "readonly",
		                             "local" };
	if (c->argc < 2 || c->argv == NULL || c->argv[0] == NULL)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(c->argv[0], names[i]) == 0)
			return true;
	return false;
}

/* Labels the NAME of every NAME=value operand of a declaring command. */
static int declared_vars(struct ev *ev, const struct av_command *c, uint32_t in)
{
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *w = c->argv[i];
		const char *eq = w != NULL ? strchr(w, '=') : NULL;
		size_t n = eq != NULL ? (size_t)(eq - w) : 0;
		if (n == 0 || n >= 128 || w[0] == '-')
			continue;
		char name[128];
		memcpy(name, w, n);
		name[n] = '\0';
		if (upsert_object(ev->s, AV_OBJ_VAR, name, in, ev->seq) == NULL)
			return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	}
	return 0;
}

/* Carries the action's labels to what it writes and to the session. */
static int propagate(struct ev *ev, const struct av_chain_outcome *out)
{
	uint32_t in = out->in_labels;
	if (in == 0)
		return 0;
	for (uint32_t i = 0; i < ev->facts.neffects; i++) {
		const char *wp = write_path(&ev->facts.effects[i]);
		if (wp != NULL && wp[0] == '/' && strncmp(wp, "/dev/", 5) != 0 &&
		    upsert_object(ev->s, AV_OBJ_FILE, wp, in, ev->seq) == NULL)
			return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	}
	const struct av_shell_result *sh = &ev->d->shell;
	for (uint32_t c = 0; sh->cmds != NULL && c < sh->ncmds; c++) {
		const struct av_command *cmd = &sh->cmds[c];
		for (uint32_t k = 0; k < cmd->nassigns; k++)
			if (upsert_object(ev->s, AV_OBJ_VAR, cmd->assigns[k].name, in,
			                  ev->seq) == NULL)
				return av_error_set(ev->err, AV_E_NOMEM, "",
				                    "out of memory");
		if (declares(cmd) && declared_vars(ev, cmd, in) < 0)
			return -1;
	}
	note_label_seq(ev->s->label_seq, in & ~ev->s->labels, ev->seq);
	ev->s->labels |= in;
	return 0;
}

int av_session_apply_result(struct av_session_state *s, uint64_t seq, uint32_t labels,
                            const struct av_result *r)
{
	for (size_t i = 0; i < r->npaths; i++)
		if (labels != 0 && r->paths_written[i][0] == '/' &&
		    upsert_object(s, AV_OBJ_FILE, r->paths_written[i], labels, seq) ==
		            NULL)
			return -1;
	/* A failed action that wrote nothing did not happen as proposed:
	 * the chain progress it made is taken back. */
	if (r->exit_status != 0 && r->npaths == 0)
		for (uint32_t i = s->npartials; i-- > 0;)
			if (s->partials[i].last_seq == seq)
				s->partials[i] = s->partials[--s->npartials];
	return 0;
}

/* ---- scripts written in this session ------------------------------------------ */

/* Finds the judged scripts this action runs: a program or interpreter
 * source that names a file written earlier in the session whose content
 * was judged review or block when it was written. */
static int find_runs(struct ev *ev, struct av_chain_outcome *out)
{
	for (uint32_t i = 0; i < ev->facts.neffects; i++) {
		const struct av_effect *e = &ev->facts.effects[i];
		const char *v = e->kind == AV_FX_PROC_EXEC   ? e->binary
		                : e->kind == AV_FX_CODE_EXEC ? e->source
		                                             : NULL;
		if (v == NULL || v[0] == '\0')
			continue;
		v = norm_value(v, &ev->a->ctx, ev->arena);
		for (uint32_t k = 0; k < ev->s->nobjects; k++) {
			const struct av_session_object *o = &ev->s->objects[k];
			if (o->kind != AV_OBJ_FILE || o->verdict < AV_REVIEW ||
			    strcmp(v, o->name) != 0)
				continue;
			struct av_script_run *r = av_arena_push(
			        ev->arena, (void **)&out->runs, &out->nruns,
			        &out->capruns, sizeof(*r), AV_SESSION_MAX_OBJECTS);
			if (r == NULL)
				return av_error_set(ev->err, AV_E_NOMEM, "",
				                    "out of memory");
			r->effect = (int32_t)i;
			r->seq = o->seq;
			r->verdict = (enum av_verdict)o->verdict;
			r->risk = (enum av_risk)o->risk;
			memcpy(r->rule, o->rule, sizeof(r->rule));
			r->path = av_arena_strdup(ev->arena, o->name);
			if (r->path == NULL)
				return av_error_set(ev->err, AV_E_NOMEM, "",
				                    "out of memory");
		}
	}
	return 0;
}

/* Remembers the judgment of a script the action writes. A later write
 * with harmless content clears it (the file no longer holds that code). */
static int remember_script(struct ev *ev, const struct av_script_judgment *j)
{
	if (j == NULL || j->path == NULL || j->path[0] != '/')
		return 0;
	bool known = false;
	for (uint32_t k = 0; k < ev->s->nobjects && !known; k++)
		known = ev->s->objects[k].kind == AV_OBJ_FILE &&
		        strcmp(ev->s->objects[k].name, j->path) == 0;
	if (j->verdict < AV_REVIEW && !known)
		return 0;
	struct av_session_object *o =
	        upsert_object(ev->s, AV_OBJ_FILE, j->path, 0, ev->seq);
	if (o == NULL)
		return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	o->verdict = j->verdict >= AV_REVIEW ? (uint32_t)j->verdict : AV_ALLOW;
	o->risk = j->verdict >= AV_REVIEW ? (uint32_t)j->risk : AV_RISK_NONE;
	snprintf(o->rule, sizeof(o->rule), "%s",
	         j->verdict >= AV_REVIEW && j->rule ? j->rule : "");
	return 0;
}

/* ---- chains ----------------------------------------------------------------- */

static bool expired(const struct av_chain *ch, const struct av_session_partial *pt,
                    uint64_t seq, int64_t now_ms)
{
	/* A start after this action (another process, a clock set back)
	 * closes no window; the state codec keeps times in 0 .. 2^50 ms. */
	if (ch->within_actions != 0 && seq > pt->start_seq &&
	    seq - pt->start_seq + 1 > ch->within_actions)
		return true;
	return ch->within_seconds != 0 && now_ms > pt->start_ms &&
	       now_ms - pt->start_ms > (int64_t)ch->within_seconds * 1000;
}

static void remove_partial(struct av_session_state *s, uint32_t i)
{
	s->partials[i] = s->partials[--s->npartials];
}

static int add_fire(struct ev *ev, struct av_chain_outcome *out, uint32_t ci,
                    const struct av_session_partial *pt, int32_t effect, int32_t cmd,
                    const uint64_t lseq[3])
{
	for (uint32_t i = 0; i < out->nfires; i++)
		if (out->fires[i].chain == ci)
			return 0; /* one finding per chain and action */
	struct av_chain_fire *f =
	        av_arena_push(ev->arena, (void **)&out->fires, &out->nfires,
	                      &out->capfires, sizeof(*f), AV_CHAIN_MAX_CHAINS);
	if (f == NULL)
		return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	const struct av_chain *const *chains;
	uint32_t nc;
	chains = av_policy_chains(ev->p, &nc);
	f->chain = ci;
	f->effect = effect;
	f->cmd = cmd;
	f->nrefs = chains[ci]->nsteps;
	memcpy(f->refs, pt->refs, sizeof(f->refs));
	f->labels = effect >= 0 ? out->effect_labels[effect] : out->in_labels;
	memcpy(f->label_seq, lseq, sizeof(f->label_seq));
	return 0;
}

/* Advances pt through as many steps as this action satisfies. Returns 1
 * when the chain completed, 0 otherwise, -1 on error. */
static int advance(struct ev *ev, const struct av_chain *ch,
                   struct av_session_partial *pt, int32_t *effect, int32_t *cmd)
{
	for (uint32_t guard = 0; guard < AV_CHAIN_MAX_STEPS && pt->step < ch->nsteps;
	     guard++) {
		const struct av_chain_step *st = &ch->steps[pt->step];
		/* A counted step counts each action once. */
		if (pt->count > 0 && pt->last_seq == ev->seq)
			return 0;
		int r = step_holds(ev, ch, st, pt, effect, cmd);
		if (r <= 0)
			return r;
		apply_binds(ev, st, pt);
		pt->refs[pt->step] = ev->seq;
		ev->notable = true;
		pt->last_seq = ev->seq;
		if (++pt->count < st->count)
			return 0;
		pt->step++;
		pt->count = 0;
	}
	return pt->step >= ch->nsteps ? 1 : 0;
}

static bool same_partial(const struct av_session_partial *a,
                         const struct av_session_partial *b)
{
	if (a->chain != b->chain || a->step != b->step || a->bound != b->bound)
		return false;
	for (int k = 0; k < AV_CHAIN_MAX_VARS; k++)
		if ((a->bound & (1u << k)) && strcmp(a->vals[k], b->vals[k]) != 0)
			return false;
	return true;
}

static int push_partial(struct av_session_state *s, const struct av_session_partial *pt)
{
	if (s->npartials >= AV_SESSION_MAX_PARTIALS) {
		/* Full: the match that progressed longest ago goes. */
		uint32_t old = 0;
		for (uint32_t i = 1; i < s->npartials; i++)
			if (s->partials[i].last_seq < s->partials[old].last_seq)
				old = i;
		remove_partial(s, old);
	}
	struct av_session_partial *n =
	        grow(s->partials, &s->cappartials, s->npartials + 1, sizeof(*n),
	             AV_SESSION_MAX_PARTIALS);
	if (n == NULL)
		return -1;
	s->partials = n;
	s->partials[s->npartials++] = *pt;
	return 0;
}

/* After a chain completed, its match stays one step short of the end until
 * its window closes: the final action was stopped, so the agent retrying it
 * (or a rate going on) must meet the same finding, not a clean slate. */
static void rearm(const struct av_chain *ch, struct av_session_partial *pt)
{
	pt->step = ch->nsteps - 1;
	pt->count = ch->steps[ch->nsteps - 1].count - 1;
}

static int run_chain(struct ev *ev, uint32_t ci, const struct av_chain *ch,
                     struct av_chain_outcome *out, const uint64_t lseq[3])
{
	struct av_session_state *s = ev->s;
	bool counting_at_start = false;
	int32_t effect, cmd;
	/* Existing matches first. Removal swaps the last entry in, so walk
	 * backwards. */
	for (uint32_t i = s->npartials; i-- > 0;) {
		struct av_session_partial *pt = &s->partials[i];
		if (pt->chain != ci)
			continue;
		if (pt->step == 0)
			counting_at_start = true;
		int r = advance(ev, ch, pt, &effect, &cmd);
		if (r < 0)
			return -1;
		if (r > 0) {
			if (add_fire(ev, out, ci, pt, effect, cmd, lseq) < 0)
				return -1;
			rearm(ch, pt);
		}
	}
	if (counting_at_start)
		return 0; /* the counted first step is in progress already */
	/* Then a new match starting at this action. */
	struct av_session_partial np;
	memset(&np, 0, sizeof(np));
	np.chain = ci;
	snprintf(np.chain_id, sizeof(np.chain_id), "%s", ch->id);
	np.start_seq = ev->seq;
	np.start_ms = ev->now_ms;
	int r = advance(ev, ch, &np, &effect, &cmd);
	if (r < 0)
		return -1;
	if (r > 0) {
		if (add_fire(ev, out, ci, &np, effect, cmd, lseq) < 0)
			return -1;
		if (ch->nsteps == 1 && ch->steps[0].count == 1)
			return 0; /* nothing to keep: the one step starts afresh */
		rearm(ch, &np);
	} else if (np.step == 0 && np.count == 0) {
		return 0; /* the first step did not hold */
	}
	/* An older match in the same place with the same bindings is
	 * replaced by this newer one, whose window is longer. */
	for (uint32_t i = s->npartials; i-- > 0;)
		if (same_partial(&s->partials[i], &np))
			remove_partial(s, i);
	if (push_partial(s, &np) < 0)
		return av_error_set(ev->err, AV_E_NOMEM, "", "out of memory");
	return 0;
}

int av_chain_eval(const struct av_policy *p, struct av_session_state *s,
                  const struct av_decision *d, const struct av_script_judgment *judged,
                  int64_t now_ms, struct av_arena *arena, struct av_chain_outcome *out,
                  struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	struct ev ev = {
		.p = p,
		.s = s,
		.d = d,
		.a = d->action,
		.arena = arena,
		.err = err,
		.seq = s->nactions + 1,
		.now_ms = now_ms,
	};
	ev.facts = (struct av_facts){
		.action = d->action,
		.shell = d->shell.ncmds > 0 ? &d->shell : NULL,
		.effects = d->effects.items,
		.neffects = d->effects.count,
	};
	ev.ctx = (struct av_expr_ctx){
		.facts = &ev.facts,
		.lists = av_policy_lists(p),
		.match_context = av_policy_match_context(p),
		.arena = arena,
	};
	out->seq = ev.seq;
	for (uint32_t i = 0; i < ev.facts.neffects && ev.written == NULL; i++) {
		const char *wp = write_path(&ev.facts.effects[i]);
		if (wp != NULL && ev.facts.effects[i].kind != AV_FX_PERSIST)
			ev.written = wp;
	}
	uint32_t nc;
	const struct av_chain *const *chains = av_policy_chains(p, &nc);
	/* Matches are stored by chain id. Under a changed policy a match of a
	 * chain that no longer exists, or whose steps changed shape, is
	 * dropped rather than misread; so is one whose window closed. */
	for (uint32_t i = s->npartials; i-- > 0;) {
		struct av_session_partial *pt = &s->partials[i];
		uint32_t ci = 0;
		while (ci < nc && strcmp(chains[ci]->id, pt->chain_id) != 0)
			ci++;
		if (ci == nc || pt->step >= chains[ci]->nsteps ||
		    pt->bound >= (1u << chains[ci]->nvars) ||
		    expired(chains[ci], pt, ev.seq, now_ms))
			remove_partial(s, i);
		else
			pt->chain = ci;
	}

	uint64_t lseq[AV_LABEL_BITS] = { 0, 0, 0 };
	if (compute_flow(&ev, out, lseq) < 0)
		return -1;
	/* Labels the session had before this action keep their origin. */
	for (int b = 0; b < AV_LABEL_BITS; b++)
		if (lseq[b] == 0 && (s->labels & (1u << b)))
			lseq[b] = s->label_seq[b];
	for (uint32_t ci = 0; ci < nc; ci++)
		if (run_chain(&ev, ci, chains[ci], out, lseq) < 0)
			return -1;
	if (find_runs(&ev, out) < 0 || propagate(&ev, out) < 0 ||
	    remember_script(&ev, judged) < 0)
		return -1;
	out->notable = ev.notable || out->in_labels != 0 || out->nruns > 0 ||
	               (judged != NULL && judged->verdict >= AV_REVIEW);
	s->nactions = ev.seq;
	s->last_ms = now_ms;
	if (s->created_ms == 0)
		s->created_ms = now_ms;
	return 0;
}

/* ---- explanation ------------------------------------------------------------ */

void av_session_summarize(const struct av_action *a, char *buf, size_t cap)
{
	const char *text = NULL;
	char tmp[AV_SESSION_SUMMARY * 2];
	if (a->kind == AV_KIND_SHELL) {
		text = a->in.shell.command;
	} else if (a->kind == AV_KIND_FILE) {
		snprintf(tmp, sizeof(tmp), "file %s %s", av_file_op_name(a->in.file.op),
		         a->in.file.path);
		text = tmp;
	} else {
		snprintf(tmp, sizeof(tmp), "%s%s%s", av_action_kind_name(a->kind),
		         a->tool != NULL ? " via " : "", a->tool != NULL ? a->tool : "");
		text = tmp;
	}
	size_t n = 0;
	/* One line: control characters become spaces, runs collapse. */
	for (size_t i = 0; text[i] != '\0' && n + 1 < cap; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			if (n > 0 && buf[n - 1] != ' ')
				buf[n++] = ' ';
			continue;
		}
		buf[n++] = (char)c;
	}
	if (text[0] != '\0' && n + 1 >= cap && n >= 3) {
		/* Cut at a character boundary and mark the cut. */
		n -= 3;
		while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
			n--;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

/* One line for a step: "this action", "the same action", "ID `summary`",
 * or the number of an action no longer in the history. */
static void step_line(const struct av_finding_step *st, bool same, char *buf, size_t cap)
{
	if (st->current)
		snprintf(buf, cap, "this action");
	else if (same)
		snprintf(buf, cap, "the same action");
	else if (st->summary == NULL)
		snprintf(buf, cap, "action #%llu (no longer in the history)",
		         (unsigned long long)st->seq);
	else if (st->action != NULL)
		snprintf(buf, cap, "%s `%s`", st->action, st->summary);
	else
		snprintf(buf, cap, "#%llu `%s`", (unsigned long long)st->seq,
		         st->summary);
}

/* Fills st for the action numbered seq from the history. */
static int fill_step(struct av_finding_step *st, const char *name, uint64_t seq,
                     uint64_t current, av_history_lookup *lookup, void *ud,
                     struct av_arena *arena)
{
	char id[AV_SESSION_MAX_ACTION_ID + 1], sum[AV_SESSION_SUMMARY + 1];
	st->step = name;
	st->seq = seq;
	st->current = seq == current;
	if (st->current || !lookup(ud, seq, id, sizeof(id), sum, sizeof(sum)))
		return 0;
	st->summary = av_arena_strdup(arena, sum);
	st->action = id[0] != '\0' ? av_arena_strdup(arena, id) : NULL;
	return st->summary != NULL && (id[0] == '\0' || st->action != NULL) ? 0 : -1;
}

int av_chain_explain(const struct av_policy *p, const struct av_decision *d,
                     const struct av_chain_fire *f, const struct av_chain_outcome *o,
                     av_history_lookup *lookup, void *ud, struct av_arena *arena,
                     struct av_finding *out)
{
	static const char *const lname[AV_LABEL_BITS] = { "secret data", "untrusted data",
		                                          "pii data" };
	uint32_t nc;
	const struct av_chain *ch = av_policy_chains(p, &nc)[f->chain];
	struct av_facts facts = {
		.action = d->action,
		.shell = d->shell.ncmds > 0 ? &d->shell : NULL,
		.effects = d->effects.items,
		.neffects = d->effects.count,
	};
	struct av_expr_ctx ctx = {
		.facts = &facts,
		.effect = f->effect >= 0 ? &d->effects.items[f->effect] : NULL,
		.cmd = NULL,
		.lists = av_policy_lists(p),
		.arena = arena,
		.flow = &o->flow,
	};
	if (f->cmd >= 0 && d->shell.cmds != NULL && (uint32_t)f->cmd < d->shell.ncmds)
		ctx.cmd = &d->shell.cmds[f->cmd];
	const char *head = av_template_format(&ch->reason, &ctx, arena);
	struct av_finding_step *steps =
	        av_arena_alloc(arena, (f->nrefs + AV_LABEL_BITS) * sizeof(*steps));
	if (head == NULL || steps == NULL)
		return -1;
	uint32_t n = 0;
	for (uint32_t i = 0; i < f->nrefs; i++)
		if (fill_step(&steps[n++], ch->steps[i].name, f->refs[i], o->seq, lookup,
		              ud, arena) < 0)
			return -1;
	uint32_t nchain = n;
	/* Where each label of the completing data came from, unless that
	 * action is already named as a step. */
	for (int b = 0; b < AV_LABEL_BITS; b++) {
		if (!(f->labels & (1u << b)) || f->label_seq[b] == 0 ||
		    f->label_seq[b] == o->seq)
			continue;
		bool named = false;
		for (uint32_t i = 0; i < nchain; i++)
			named |= f->refs[i] == f->label_seq[b];
		if (!named && fill_step(&steps[n++], lname[b], f->label_seq[b], o->seq,
		                        lookup, ud, arena) < 0)
			return -1;
	}
	size_t cap = strlen(head) + strlen(ch->id) + 32 +
	             (size_t)n * (AV_SESSION_SUMMARY + AV_SESSION_MAX_ACTION_ID + 128);
	char *buf = av_arena_alloc(arena, cap);
	if (buf == NULL)
		return -1;
	size_t len = (size_t)snprintf(buf, cap, "%s (chain %s:", head, ch->id);
	for (uint32_t i = 0; i < n && len < cap; i++) {
		char line[AV_SESSION_SUMMARY + AV_SESSION_MAX_ACTION_ID + 64];
		bool same = i > 0 && i < nchain && !steps[i].current &&
		            steps[i].seq == steps[i - 1].seq;
		step_line(&steps[i], same, line, sizeof(line));
		if (i < nchain)
			len += (size_t)snprintf(buf + len, cap - len, "%s %s: %s",
			                        i > 0 ? ";" : "", steps[i].step, line);
		else
			len += (size_t)snprintf(buf + len, cap - len, "; %s from %s",
			                        steps[i].step, line);
	}
	if (len < cap)
		snprintf(buf + len, cap - len, ")");
	out->reason = buf;
	out->steps = steps;
	out->nsteps = n;
	return 0;
}
