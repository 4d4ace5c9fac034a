/* chain.h - compiled session rules: chains (ordered steps over the actions
 * of one session, with bindings and windows) and taint sources (which
 * effects give the data of an action a label). Loaded by chain.c from a
 * policy layer's `chains:` and `taint:` keys, evaluated by chain_eval.c.
 * Private to src/policy and src/session; docs/POLICY.md ("Sessions") is the
 * user-facing description. */
#ifndef AV_POLICY_CHAIN_H
#define AV_POLICY_CHAIN_H

#include "policy/expr.h"
#include "policy/yaml_doc.h"

#define AV_CHAIN_MAX_STEPS  8    /* steps of one chain */
#define AV_CHAIN_MAX_VARS   4    /* binding variables of one chain */
#define AV_CHAIN_MAX_BINDS  4    /* bind / match entries of one step */
#define AV_CHAIN_MAX_COUNT  1000 /* a step's count */
#define AV_CHAIN_MAX_CHAINS 512  /* over all layers */

/* What a step looks at: effects of the listed kinds, each shell command, or
 * the action as a whole (like `on: action` rules). */
enum av_step_scope {
	AV_STEP_EFFECTS = 0,
	AV_STEP_COMMAND,
	AV_STEP_ACTION,
};

/* A bind or match target: a field, or the pseudo-field `written` (the
 * first path the action writes: fs.write, fs.move destination). */
#define AV_CHAIN_FIELD_WRITTEN (-1)

struct av_chain_bind {
	int32_t field; /* enum av_field or AV_CHAIN_FIELD_WRITTEN */
	uint32_t vars; /* bind: one bit (the variable set); match: any of */
};

struct av_chain_step {
	const char *name; /* for explanations; never NULL */
	enum av_step_scope scope;
	uint32_t kinds;             /* AV_STEP_EFFECTS: bit per effect kind */
	const struct av_expr *when; /* NULL: always */
	uint32_t count;             /* matching actions needed, >= 1 */
	struct av_chain_bind bind[AV_CHAIN_MAX_BINDS];
	uint32_t nbind;
	struct av_chain_bind match[AV_CHAIN_MAX_BINDS]; /* any one must hold */
	uint32_t nmatch;
};

struct av_chain {
	const char *id;
	const char *description; /* or NULL */
	const char *where;       /* "layer:line:col" */
	const char *vars[AV_CHAIN_MAX_VARS];
	uint32_t nvars;
	struct av_chain_step steps[AV_CHAIN_MAX_STEPS];
	uint32_t nsteps;
	uint32_t within_actions; /* 0: no action window */
	uint32_t within_seconds; /* 0: no time window */
	enum av_verdict verdict;
	enum av_risk risk;
	struct av_template reason; /* placeholders from the completing step */
};

struct av_taint_source {
	const char *id;
	const char *where;
	enum av_step_scope scope;
	uint32_t kinds;
	const struct av_expr *when;
	uint32_t labels; /* enum av_label bits */
};

/* The compiled session rules of one layer, from the layer's arena. */
struct av_chain_set {
	struct av_chain *chains;
	uint32_t nchains, capchains;
	struct av_taint_source *taint;
	uint32_t ntaint, captaint;
};

/* Loads `chains:` (v_chains, may be NULL) and `taint:` (v_taint, may be
 * NULL) of one layer into *out (zeroed by the caller), compiling
 * expressions with env (its arena receives everything). nearlier is the
 * number of chains in earlier layers (for the limit); is_taken(ud, id)
 * says whether an id is already used by a rule or chain anywhere. Errors as
 * the rest of the loader (AV_E_POLICY with file:line:col in y->err). */
int av_chain_load(struct av_ydoc *y, yaml_node_t *v_chains, yaml_node_t *v_taint,
                  const struct av_expr_env *env, uint32_t nearlier,
                  bool (*is_taken)(void *ud, const char *id), void *ud,
                  struct av_chain_set *out);

/* The session rules of a policy, over all layers in order (policy.c).
 * Borrowed from p; *n receives the count. */
const struct av_chain *const *av_policy_chains(const struct av_policy *p, uint32_t *n);
const struct av_taint_source *const *av_policy_taint(const struct av_policy *p,
                                                     uint32_t *n);
/* The list table and regex match context evaluation needs. */
const struct av_expr_list *const *av_policy_lists(const struct av_policy *p);
pcre2_match_context *av_policy_match_context(const struct av_policy *p);

#endif
