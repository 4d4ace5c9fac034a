/* chain.c - loading the session rules of a policy layer: `chains:` (ordered
 * steps with bindings and windows, docs/POLICY.md "Sessions") and `taint:`
 * (effects that label the data of an action). Strict like the rest of the
 * loader: unknown keys, unknown variables, empty step lists and windows
 * that can never close are errors naming file, line and column. */
#include <stdio.h>
#include <string.h>

#include "policy/chain.h"

#define MAX_ID_LEN 128

struct cload {
	struct av_ydoc *y;
	const struct av_expr_env *env;
	bool (*is_taken)(void *ud, const char *id);
	void *ud;
	struct av_chain_set *out;
	uint32_t nearlier;
};

static int nomem(struct cload *c)
{
	return av_error_set(c->y->err, AV_E_NOMEM, c->y->name,
	                    "Out of memory while compiling the session rules.");
}

static bool valid_id(const char *s, size_t len)
{
	if (len == 0 || len > MAX_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		      ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static int expr_fail(struct cload *c, yaml_node_t *n, const char *id, const char *key,
                     const struct av_expr_error *e)
{
	size_t line, col;
	av_ydoc_scalar_pos(c->y, n, e->offset, &line, &col);
	return av_ydoc_fail_at(c->y, line, col, "\"%s\", key \"%s\": %s.", id, key,
	                       e->message);
}

/* Reads an id, checks it is well formed and unused, copies it. */
static int load_id(struct cload *c, yaml_node_t *n, const char *what, const char **out)
{
	const char *s;
	size_t len;
	if (av_ydoc_string(c->y, n, what, &s, &len) < 0)
		return -1;
	if (!valid_id(s, len))
		return av_ydoc_fail(c->y, n,
		                    "The id \"%.64s\" is invalid; use 1 to %d characters "
		                    "from a-z, 0-9, '.', '_' and '-'.",
		                    s, MAX_ID_LEN);
	if (c->is_taken != NULL && c->is_taken(c->ud, s))
		return av_ydoc_fail(c->y, n, "Duplicate id \"%s\".", s);
	for (uint32_t i = 0; i < c->out->nchains; i++)
		if (strcmp(c->out->chains[i].id, s) == 0)
			return av_ydoc_fail(c->y, n, "Duplicate id \"%s\".", s);
	for (uint32_t i = 0; i < c->out->ntaint; i++)
		if (strcmp(c->out->taint[i].id, s) == 0)
			return av_ydoc_fail(c->y, n, "Duplicate id \"%s\".", s);
	*out = av_arena_strndup(c->env->arena, s, len);
	return *out != NULL ? 0 : nomem(c);
}

/* on: an effect kind, a list of them, "command" or "action". */
static int load_on(struct cload *c, yaml_node_t *v, const char *id,
                   enum av_step_scope *scope, uint32_t *kinds)
{
	yaml_node_t *one = v;
	yaml_node_item_t *it = NULL, *end = NULL;
	*scope = AV_STEP_EFFECTS;
	*kinds = 0;
	if (v->type == YAML_SEQUENCE_NODE) {
		it = v->data.sequence.items.start;
		end = v->data.sequence.items.top;
		if (it == end)
			return av_ydoc_fail(
			        c->y, v,
			        "\"%s\": \"on\" must name at least one effect "
			        "kind.",
			        id);
	}
	for (;;) {
		if (it != NULL) {
			if (it == end)
				break;
			one = av_ydoc_node(c->y, *it++);
		}
		const char *s;
		size_t len;
		if (av_ydoc_string(c->y, one, "\"on\"", &s, &len) < 0)
			return -1;
		enum av_effect_kind k;
		if (strcmp(s, "action") == 0 || strcmp(s, "command") == 0) {
			if (v->type == YAML_SEQUENCE_NODE)
				return av_ydoc_fail(
				        c->y, one,
				        "\"%s\": \"on: %s\" cannot be combined "
				        "with other kinds.",
				        id, s);
			*scope = s[0] == 'a' ? AV_STEP_ACTION : AV_STEP_COMMAND;
		} else if (av_effect_kind_parse(s, len, &k) == 0 &&
		           (unsigned)k < AV_FX_COUNT) {
			*kinds |= 1u << k;
		} else {
			return av_ydoc_fail(
			        c->y, one,
			        "\"%s\": unknown effect kind \"%.64s\" in \"on\" "
			        "(an effect kind, \"command\" or \"action\").",
			        id, s);
		}
		if (it == NULL)
			break;
	}
	return 0;
}

static int load_when(struct cload *c, yaml_node_t *v, const char *id,
                     enum av_step_scope scope, const struct av_expr **out)
{
	*out = NULL;
	if (v == NULL)
		return 0;
	const char *s;
	size_t len;
	if (av_ydoc_string(c->y, v, "\"when\"", &s, &len) < 0)
		return -1;
	struct av_expr_env env = *c->env;
	env.action_scope = scope == AV_STEP_ACTION;
	struct av_expr_error e;
	if (av_expr_compile(s, len, &env, out, &e) < 0)
		return expr_fail(c, v, id, "when", &e);
	return 0;
}

static int load_verdict_risk(struct cload *c, yaml_node_t *at, yaml_node_t *vv,
                             yaml_node_t *vr, const char *id, enum av_verdict *verdict,
                             enum av_risk *risk)
{
	const char *s;
	size_t len;
	if (vv == NULL || vr == NULL)
		return av_ydoc_fail(c->y, at,
		                    "\"%s\" needs both \"verdict\" and \"risk\".", id);
	if (av_ydoc_string(c->y, vv, "\"verdict\"", &s, &len) < 0)
		return -1;
	if (av_verdict_parse(s, len, verdict) < 0)
		return av_ydoc_fail(c->y, vv,
		                    "\"%s\": unknown verdict \"%.32s\"; use allow, warn, "
		                    "review or block.",
		                    id, s);
	if (av_ydoc_string(c->y, vr, "\"risk\"", &s, &len) < 0)
		return -1;
	if (av_risk_parse(s, len, risk) < 0)
		return av_ydoc_fail(
		        c->y, vr,
		        "\"%s\": unknown risk \"%.32s\"; use none, low, medium, "
		        "high or critical.",
		        id, s);
	return 0;
}

/* The field a bind or match names: a string or list field, or `written`. */
static int load_target_field(struct cload *c, yaml_node_t *k, const char *id,
                             int32_t *out)
{
	const char *s;
	size_t len;
	if (av_ydoc_string(c->y, k, "A field name", &s, &len) < 0)
		return -1;
	if (strcmp(s, "written") == 0) {
		*out = AV_CHAIN_FIELD_WRITTEN;
		return 0;
	}
	int f = av_field_lookup(s, len);
	if (f < 0)
		return av_ydoc_fail(c->y, k, "\"%s\": unknown field \"%.64s\".", id, s);
	enum av_xtype t = av_field_type((enum av_field)f);
	if (t != AV_XT_STR && t != AV_XT_LIST)
		return av_ydoc_fail(
		        c->y, k,
		        "\"%s\": the field \"%s\" is not a string or list, so "
		        "it cannot be bound or matched.",
		        id, s);
	*out = f;
	return 0;
}

static int var_index(struct cload *c, struct av_chain *ch, yaml_node_t *n, bool define,
                     uint32_t *bit)
{
	const char *s;
	size_t len;
	if (av_ydoc_string(c->y, n, "A variable name", &s, &len) < 0)
		return -1;
	for (uint32_t i = 0; i < ch->nvars; i++)
		if (strcmp(ch->vars[i], s) == 0) {
			*bit = 1u << i;
			return 0;
		}
	if (!define)
		return av_ydoc_fail(
		        c->y, n,
		        "Chain \"%s\": the variable \"%.64s\" is not bound by "
		        "an earlier step.",
		        ch->id, s);
	if (!valid_id(s, len))
		return av_ydoc_fail(c->y, n,
		                    "Chain \"%s\": invalid variable name \"%.64s\".",
		                    ch->id, s);
	if (ch->nvars >= AV_CHAIN_MAX_VARS)
		return av_ydoc_fail(c->y, n, "Chain \"%s\": at most %d variables.",
		                    ch->id, AV_CHAIN_MAX_VARS);
	ch->vars[ch->nvars] = av_arena_strndup(c->env->arena, s, len);
	if (ch->vars[ch->nvars] == NULL)
		return nomem(c);
	*bit = 1u << ch->nvars++;
	return 0;
}

/* bind: {var: field, ...}; match: {field: var | [var, ...], ...}. */
static int load_binds(struct cload *c, struct av_chain *ch, yaml_node_t *v, bool is_bind,
                      struct av_chain_bind *out, uint32_t *n)
{
	if (v->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(
		        c->y, v,
		        is_bind ? "Chain \"%s\": \"bind\" must map variable "
		                  "names to fields."
		                : "Chain \"%s\": \"match\" must map fields to "
		                  "a variable or a list of variables.",
		        ch->id);
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
	     p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = av_ydoc_node(c->y, p->key);
		yaml_node_t *val = av_ydoc_node(c->y, p->value);
		if (*n >= AV_CHAIN_MAX_BINDS)
			return av_ydoc_fail(c->y, k, "Chain \"%s\": at most %d entries.",
			                    ch->id, AV_CHAIN_MAX_BINDS);
		struct av_chain_bind *b = &out[*n];
		b->vars = 0;
		if (is_bind) {
			if (var_index(c, ch, k, true, &b->vars) < 0 ||
			    load_target_field(c, val, ch->id, &b->field) < 0)
				return -1;
		} else {
			if (load_target_field(c, k, ch->id, &b->field) < 0)
				return -1;
			if (val->type == YAML_SEQUENCE_NODE) {
				for (yaml_node_item_t *it =
				             val->data.sequence.items.start;
				     it < val->data.sequence.items.top; it++) {
					uint32_t bit;
					if (var_index(c, ch, av_ydoc_node(c->y, *it),
					              false, &bit) < 0)
						return -1;
					b->vars |= bit;
				}
				if (b->vars == 0)
					return av_ydoc_fail(
					        c->y, val,
					        "Chain \"%s\": an empty variable "
					        "list.",
					        ch->id);
			} else if (var_index(c, ch, val, false, &b->vars) < 0) {
				return -1;
			}
		}
		(*n)++;
	}
	return 0;
}

enum step_key { SK_NAME = 0, SK_ON, SK_WHEN, SK_COUNT_KEY, SK_BIND, SK_MATCH, SK_N };
static const char *const step_keys[SK_N] = {
	[SK_NAME] = "name",       [SK_ON] = "on",     [SK_WHEN] = "when",
	[SK_COUNT_KEY] = "count", [SK_BIND] = "bind", [SK_MATCH] = "match",
};

static int load_count(struct cload *c, yaml_node_t *v, const char *what, uint32_t max,
                      uint32_t *out)
{
	const char *s;
	size_t len;
	if (av_ydoc_string(c->y, v, what, &s, &len) < 0)
		return -1;
	uint64_t n = 0;
	bool ok = len > 0 && len <= 9 && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (!ok || n == 0 || n > max)
		return av_ydoc_fail(c->y, v, "%s must be a whole number from 1 to %u.",
		                    what, max);
	*out = (uint32_t)n;
	return 0;
}

static int load_step(struct cload *c, struct av_chain *ch, yaml_node_t *n, uint32_t idx)
{
	yaml_node_t *v[SK_N];
	char what[200];
	snprintf(what, sizeof(what), "step %u of chain \"%s\"", idx + 1, ch->id);
	if (n->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(
		        c->y, n, "Every step of chain \"%s\" must be a mapping.", ch->id);
	if (av_ydoc_mapping(c->y, n, what, step_keys, SK_N, v) < 0)
		return -1;
	struct av_chain_step *st = &ch->steps[idx];
	if (v[SK_ON] == NULL)
		return av_ydoc_fail(c->y, n, "Chain \"%s\": step %u needs \"on\".",
		                    ch->id, idx + 1);
	if (load_on(c, v[SK_ON], ch->id, &st->scope, &st->kinds) < 0)
		return -1;
	if (load_when(c, v[SK_WHEN], ch->id, st->scope, &st->when) < 0)
		return -1;
	st->count = 1;
	if (v[SK_COUNT_KEY] != NULL && load_count(c, v[SK_COUNT_KEY], "\"count\"",
	                                          AV_CHAIN_MAX_COUNT, &st->count) < 0)
		return -1;
	/* match refers to variables of earlier steps, so it is read before
	 * this step's own binds are defined. */
	if (v[SK_MATCH] != NULL &&
	    load_binds(c, ch, v[SK_MATCH], false, st->match, &st->nmatch) < 0)
		return -1;
	if (v[SK_BIND] != NULL &&
	    load_binds(c, ch, v[SK_BIND], true, st->bind, &st->nbind) < 0)
		return -1;
	const char *s;
	size_t len;
	if (v[SK_NAME] != NULL) {
		if (av_ydoc_string(c->y, v[SK_NAME], "\"name\"", &s, &len) < 0)
			return -1;
		st->name = av_arena_strndup(c->env->arena, s, len > 80 ? 80 : len);
	} else {
		st->name = av_arena_printf(c->env->arena, "step %u", idx + 1);
	}
	return st->name != NULL ? 0 : nomem(c);
}

enum chain_key {
	CK_ID = 0,
	CK_DESCRIPTION,
	CK_STEPS,
	CK_WITHIN,
	CK_VERDICT,
	CK_RISK,
	CK_REASON,
	CK_N,
};
static const char *const chain_keys[CK_N] = {
	[CK_ID] = "id",         [CK_DESCRIPTION] = "description", [CK_STEPS] = "steps",
	[CK_WITHIN] = "within", [CK_VERDICT] = "verdict",         [CK_RISK] = "risk",
	[CK_REASON] = "reason",
};

static const char *const within_keys[2] = { "actions", "seconds" };

static int load_chain(struct cload *c, yaml_node_t *n)
{
	struct av_ydoc *y = c->y;
	yaml_node_t *v[CK_N];
	if (n->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(y, n, "Every entry of \"chains\" must be a mapping.");
	if (av_ydoc_mapping(y, n, "a chain", chain_keys, CK_N, v) < 0)
		return -1;
	if (c->nearlier + c->out->nchains >= AV_CHAIN_MAX_CHAINS) {
		av_ydoc_fail(y, n, "Too many chains: the limit over all layers is %d.",
		             AV_CHAIN_MAX_CHAINS);
		y->err->code = AV_E_LIMIT;
		return -1;
	}
	const char *id;
	if (v[CK_ID] == NULL)
		return av_ydoc_fail(y, n,
		                    "A chain has no \"id\" key; every chain needs one.");
	if (load_id(c, v[CK_ID], "A chain's \"id\"", &id) < 0)
		return -1;
	struct av_chain *ch =
	        av_arena_push(c->env->arena, (void **)&c->out->chains, &c->out->nchains,
	                      &c->out->capchains, sizeof(*ch), AV_CHAIN_MAX_CHAINS);
	if (ch == NULL)
		return nomem(c);
	ch->id = id;
	ch->where = av_arena_printf(c->env->arena, "%s:%zu:%zu", y->name,
	                            n->start_mark.line + 1, n->start_mark.column + 1);
	if (ch->where == NULL)
		return nomem(c);
	const char *s;
	size_t len;
	if (v[CK_DESCRIPTION] != NULL) {
		if (av_ydoc_string(y, v[CK_DESCRIPTION], "\"description\"", &s, &len) < 0)
			return -1;
		if ((ch->description = av_arena_strndup(c->env->arena, s, len)) == NULL)
			return nomem(c);
	}
	if (load_verdict_risk(c, n, v[CK_VERDICT], v[CK_RISK], id, &ch->verdict,
	                      &ch->risk) < 0)
		return -1;
	if (v[CK_REASON] == NULL)
		return av_ydoc_fail(
		        y, n, "Chain \"%s\" has no \"reason\"; it is required.", id);
	if (av_ydoc_string(y, v[CK_REASON], "\"reason\"", &s, &len) < 0)
		return -1;
	struct av_expr_error e;
	if (av_template_compile(s, len, c->env->arena, false, &ch->reason, &e) < 0)
		return expr_fail(c, v[CK_REASON], id, "reason", &e);

	yaml_node_t *steps = v[CK_STEPS];
	if (steps == NULL || steps->type != YAML_SEQUENCE_NODE ||
	    steps->data.sequence.items.top == steps->data.sequence.items.start)
		return av_ydoc_fail(
		        y, steps != NULL ? steps : n,
		        "Chain \"%s\" needs \"steps\": a list of 1 to %d steps.", id,
		        AV_CHAIN_MAX_STEPS);
	for (yaml_node_item_t *it = steps->data.sequence.items.start;
	     it < steps->data.sequence.items.top; it++) {
		if (ch->nsteps >= AV_CHAIN_MAX_STEPS)
			return av_ydoc_fail(y, steps,
			                    "Chain \"%s\" has more than %d steps.", id,
			                    AV_CHAIN_MAX_STEPS);
		if (load_step(c, ch, av_ydoc_node(y, *it), ch->nsteps) < 0)
			return -1;
		ch->nsteps++;
	}

	/* A chain without any window would keep partial matches forever:
	 * require one, so session state stays bounded in time too. */
	yaml_node_t *w = v[CK_WITHIN];
	yaml_node_t *wv[2] = { NULL, NULL };
	if (w != NULL && av_ydoc_mapping(y, w, "\"within\"", within_keys, 2, wv) < 0)
		return -1;
	if (wv[0] == NULL && wv[1] == NULL)
		return av_ydoc_fail(y, w != NULL ? w : n,
		                    "Chain \"%s\" needs \"within\" with \"actions\", "
		                    "\"seconds\" or both.",
		                    id);
	if (wv[0] != NULL &&
	    load_count(c, wv[0], "\"within.actions\"", 100000, &ch->within_actions) < 0)
		return -1;
	if (wv[1] != NULL && load_count(c, wv[1], "\"within.seconds\"", 30 * 86400,
	                                &ch->within_seconds) < 0)
		return -1;
	if (ch->within_actions != 0 && ch->within_actions < ch->nsteps)
		return av_ydoc_fail(y, wv[0],
		                    "Chain \"%s\": a window of %u actions can never hold "
		                    "its %u steps.",
		                    id, ch->within_actions, ch->nsteps);
	return 0;
}

static int parse_labels(struct cload *c, yaml_node_t *v, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "secret", AV_LABEL_SECRET },
		{ "untrusted", AV_LABEL_UNTRUSTED },
		{ "pii", AV_LABEL_PII },
	};
	yaml_node_t *one = v;
	yaml_node_item_t *it = NULL, *end = NULL;
	*out = 0;
	if (v->type == YAML_SEQUENCE_NODE) {
		it = v->data.sequence.items.start;
		end = v->data.sequence.items.top;
	}
	for (;;) {
		if (it != NULL) {
			if (it == end)
				break;
			one = av_ydoc_node(c->y, *it++);
		}
		const char *s;
		size_t len;
		if (av_ydoc_string(c->y, one, "A label", &s, &len) < 0)
			return -1;
		size_t i = 0;
		while (i < sizeof(names) / sizeof(names[0]) &&
		       strcmp(names[i].name, s) != 0)
			i++;
		if (i == sizeof(names) / sizeof(names[0]))
			return av_ydoc_fail(
			        c->y, one,
			        "Unknown label \"%.32s\"; use secret, untrusted or "
			        "pii.",
			        s);
		*out |= names[i].bit;
		if (it == NULL)
			break;
	}
	if (*out == 0)
		return av_ydoc_fail(c->y, v, "\"label\" must name at least one label.");
	return 0;
}

enum taint_key { TK_ID = 0, TK_DESCRIPTION, TK_ON, TK_WHEN, TK_LABEL, TK_N };
static const char *const taint_keys[TK_N] = {
	[TK_ID] = "id",       [TK_DESCRIPTION] = "description",
	[TK_ON] = "on",       [TK_WHEN] = "when",
	[TK_LABEL] = "label",
};

static int load_taint(struct cload *c, yaml_node_t *n)
{
	yaml_node_t *v[TK_N];
	if (n->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(c->y, n,
		                    "Every entry of \"taint\" must be a mapping.");
	if (av_ydoc_mapping(c->y, n, "a taint source", taint_keys, TK_N, v) < 0)
		return -1;
	const char *id;
	if (v[TK_ID] == NULL)
		return av_ydoc_fail(c->y, n, "A taint source has no \"id\" key.");
	if (load_id(c, v[TK_ID], "A taint source's \"id\"", &id) < 0)
		return -1;
	struct av_taint_source *t =
	        av_arena_push(c->env->arena, (void **)&c->out->taint, &c->out->ntaint,
	                      &c->out->captaint, sizeof(*t), AV_CHAIN_MAX_CHAINS);
	if (t == NULL)
		return nomem(c);
	t->id = id;
	t->where = av_arena_printf(c->env->arena, "%s:%zu:%zu", c->y->name,
	                           n->start_mark.line + 1, n->start_mark.column + 1);
	if (t->where == NULL)
		return nomem(c);
	const char *s;
	size_t len;
	if (v[TK_DESCRIPTION] != NULL &&
	    av_ydoc_string(c->y, v[TK_DESCRIPTION], "\"description\"", &s, &len) < 0)
		return -1;
	if (v[TK_ON] == NULL)
		return av_ydoc_fail(c->y, n, "Taint source \"%s\" needs \"on\".", id);
	if (load_on(c, v[TK_ON], id, &t->scope, &t->kinds) < 0 ||
	    load_when(c, v[TK_WHEN], id, t->scope, &t->when) < 0)
		return -1;
	if (v[TK_LABEL] == NULL)
		return av_ydoc_fail(c->y, n, "Taint source \"%s\" needs \"label\".", id);
	return parse_labels(c, v[TK_LABEL], &t->labels);
}

int av_chain_load(struct av_ydoc *y, yaml_node_t *v_chains, yaml_node_t *v_taint,
                  const struct av_expr_env *env, uint32_t nearlier,
                  bool (*is_taken)(void *ud, const char *id), void *ud,
                  struct av_chain_set *out)
{
	struct cload c = { .y = y,
		           .env = env,
		           .is_taken = is_taken,
		           .ud = ud,
		           .out = out,
		           .nearlier = nearlier };
	if (v_taint != NULL) {
		if (v_taint->type != YAML_SEQUENCE_NODE)
			return av_ydoc_fail(y, v_taint,
			                    "The key \"taint\" must be a list of taint "
			                    "sources.");
		for (yaml_node_item_t *it = v_taint->data.sequence.items.start;
		     it < v_taint->data.sequence.items.top; it++)
			if (load_taint(&c, av_ydoc_node(y, *it)) < 0)
				return -1;
	}
	if (v_chains != NULL) {
		if (v_chains->type != YAML_SEQUENCE_NODE)
			return av_ydoc_fail(
			        y, v_chains,
			        "The key \"chains\" must be a list of chains.");
		for (yaml_node_item_t *it = v_chains->data.sequence.items.start;
		     it < v_chains->data.sequence.items.top; it++)
			if (load_chain(&c, av_ydoc_node(y, *it)) < 0)
				return -1;
	}
	return 0;
}
