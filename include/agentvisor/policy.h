/* policy.h - rules as YAML data, compiled once into an index by effect kind
 * and evaluated against the facts of one action. docs/POLICY.md is the
 * normative description of the file format and the expression language. */
#ifndef AGENTVISOR_POLICY_H
#define AGENTVISOR_POLICY_H

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "agentvisor/effects.h"
#include "agentvisor/shell.h"

#define AV_POLICY_MAX_BYTES      ((size_t)4 << 20) /* one policy file */
#define AV_POLICY_MAX_RULES      4096              /* over all layers */
#define AV_POLICY_MAX_EXPR_DEPTH 64

/* Everything known about one action when the policy runs (borrowed). */
struct av_facts {
	const struct av_action *action;
	const struct av_shell_result *shell; /* NULL for non-shell kinds */
	const struct av_effect *effects;
	uint32_t neffects;
	const struct av_kind_facts *kind; /* NULL for shell and file actions */
};

/* One earlier action (or this one) that formed a session finding: a chain
 * step, or where a label came from (docs/PROTOCOL.md, "Sessions"). */
struct av_finding_step {
	const char *step;    /* the step's name, or "secret data" etc. */
	const char *action;  /* the action's id; NULL when it had none or is
	                        no longer in the session's history */
	const char *summary; /* one line; NULL when no longer known */
	uint64_t seq;        /* its number in the session, from 1 */
	bool current;        /* this action */
};

struct av_finding {
	const char *rule; /* rule id (borrowed from the policy) */
	enum av_verdict verdict;
	enum av_risk risk;
	const char *reason;  /* placeholders filled in; from the arena */
	const char *safefix; /* NULL when the rule has none; from the arena */
	/* A concrete safer shell command (the rule's safefix_command with its
	 * placeholders filled in and shell-quoted), from the arena. After
	 * av_policy_eval it is a candidate, NULL when the rule has none or a
	 * value could not be made into a word; after av_decide it is non-NULL
	 * only when the re-check offered it (docs/POLICY.md, "Safe fixes"). */
	const char *safefix_command;
	int32_t effect; /* index of the effect that matched, or -1 */
	/* Session findings only (else NULL, 0): the actions that formed it,
	 * in order, from the arena. */
	const struct av_finding_step *steps;
	uint32_t nsteps;
};

struct av_finding_list {
	struct av_finding *items;
	uint32_t count;
	uint32_t capacity;
};
#define AV_MAX_FINDINGS 1024

struct av_policy;

/* Creates an empty policy (no layers). Returns new, free with
 * av_policy_free(), or NULL on allocation failure. */
struct av_policy *av_policy_new(void);
void av_policy_free(struct av_policy *p);

/* Parses, validates and compiles one layer from src[0..len) (borrowed) and
 * adds it on top of the layers already in p. name is used in error messages
 * and in `policy show` (e.g. a file path or "<built-in default>"). Strict:
 * unknown keys, duplicate rule ids, bad expressions, regexes that do not
 * compile, and attempts to disable a locked rule are errors with
 * where = "name:line:col". On error p is unchanged and -1 is returned. */
int av_policy_add_layer(struct av_policy *p, const char *name, const char *src,
                        size_t len, struct av_error *err);

/* Reads the file at path (at most AV_POLICY_MAX_BYTES) and adds it as a
 * layer named by path. Errors as av_policy_add_layer, plus AV_E_IO /
 * AV_E_LIMIT when the file cannot be read. On error p is unchanged. */
int av_policy_add_file(struct av_policy *p, const char *path, struct av_error *err);

/* Adds the compiled-in default policy as a layer. */
int av_policy_add_default(struct av_policy *p, struct av_error *err);

/* The YAML source of the built-in default policy (static, NUL-terminated). */
const char *av_policy_default_source(size_t *len);

/* Hex SHA-256 over every layer's name and source, in order: identifies the
 * exact policy a decision was made under. Borrowed, valid until p changes. */
const char *av_policy_digest(const struct av_policy *p);

/* The entries of the named list over all layers (borrowed, valid until p
 * changes), or NULL with *count 0 when no layer defines it. */
const char *const *av_policy_list(const struct av_policy *p, const char *name,
                                  uint32_t *count);

/* Number of enabled rules over all layers. */
uint32_t av_policy_rule_count(const struct av_policy *p);

/* Evaluates every rule that can match the facts and appends one finding per
 * (rule, matching effect) to out, reasons formatted into ARENA. Touches only
 * rules indexed under the kinds of the effects present plus action-level
 * rules. Deterministic. Returns 0, or -1 with err set (arena exhausted,
 * AV_MAX_FINDINGS reached). */
int av_policy_eval(const struct av_policy *p, const struct av_facts *facts,
                   struct av_arena *arena, struct av_finding_list *out,
                   struct av_error *err);

/* ---- policy tests (`agentvisor policy test FILE`) ---------------------
 * A test file (docs/POLICY.md, "Policy tests") lists actions with the
 * verdict each must get and rule ids that must or must not fire. The loader
 * only parses and validates; the caller builds the policy (the default plus
 * policy_files, in order), decodes each action_json with av_action_decode,
 * runs av_decide, and checks the outcome with av_policy_test_check. */

#define AV_POLICY_TESTS_MAX_BYTES ((size_t)16 << 20)

struct av_policy_test {
	const char *name;
	const char *where;       /* "file:line:col" of the test entry */
	const char *action_json; /* the action as compact JSON; every YAML
	                            scalar becomes a JSON string */
	size_t action_json_len;
	enum av_verdict expect;
	const char *const *rules; /* ids that must be among the findings */
	uint32_t nrules;
	const char *const *not_rules; /* ids that must not be */
	uint32_t nnot_rules;
};

struct av_policy_tests_mem;
struct av_policy_tests {
	/* Extra policy layers, layered on the default in this order: paths as
	 * written when absolute, else joined to the test file's directory. */
	const char *const *policy_files;
	uint32_t npolicy_files;
	const struct av_policy_test *tests;
	uint32_t count;
	struct av_policy_tests_mem *mem; /* owns everything above */
};

/* Parses a test file from src[0..len) (borrowed); name is used in where
 * strings; base_dir (may be NULL = as written) is where relative policy
 * paths are resolved. Returns 0 and a new *out (free with
 * av_policy_tests_free), or -1 with err set (AV_E_POLICY with where =
 * "name:line:col" for content errors). */
int av_policy_tests_parse(const char *name, const char *src, size_t len,
                          const char *base_dir, struct av_policy_tests **out,
                          struct av_error *err);

/* Reads path (at most AV_POLICY_TESTS_MAX_BYTES) and parses it with
 * base_dir = the directory of path. */
int av_policy_tests_load(const char *path, struct av_policy_tests **out,
                         struct av_error *err);

void av_policy_tests_free(struct av_policy_tests *t);

/* Builds the policy a test file runs under: the built-in default, then each
 * of t->policy_files. Returns 0 and a new *out (free with av_policy_free),
 * or -1 with err set by the layer that failed. */
int av_policy_tests_policy(const struct av_policy_tests *t, struct av_policy **out,
                           struct av_error *err);

/* Checks one test's outcome: the verdict must equal t->expect, every id in
 * t->rules must be among findings and none of t->not_rules. Returns true
 * when it passes; otherwise writes a full sentence into why[0..whylen). */
bool av_policy_test_check(const struct av_policy_test *t, enum av_verdict verdict,
                          const struct av_finding_list *findings, char *why,
                          size_t whylen);

#endif
