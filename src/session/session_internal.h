/* session_internal.h - the in-memory state of one session and the pure
 * evaluator over it (chain_eval.c), shared by the store (store.c), the stage
 * (session.c) and the unit tests. Not part of the public API. */
#ifndef AV_SESSION_INTERNAL_H
#define AV_SESSION_INTERNAL_H

#include "agentvisor/session.h"
#include "policy/chain.h"

/* A chain match in progress: the next step to match, how often the
 * current step has matched, the actions that matched each step, and the
 * values bound so far. */
#define AV_CHAIN_ID_MAX 129 /* a chain id (128 bytes) and its NUL */

struct av_session_partial {
	char chain_id[AV_CHAIN_ID_MAX]; /* the chain, by id: survives policy changes */
	uint32_t chain;                 /* its index in av_policy_chains(), resolved
	                                   when the evaluator runs */
	uint32_t step;                  /* next step to match */
	uint32_t count; /* matches of that step so far (count > 1 steps) */
	uint64_t start_seq, last_seq;
	int64_t start_ms;
	uint64_t refs[AV_CHAIN_MAX_STEPS]; /* action seq per matched step */
	uint32_t bound;                    /* bit per variable */
	char vals[AV_CHAIN_MAX_VARS][AV_SESSION_MAX_VALUE];
};

enum av_object_kind {
	AV_OBJ_FILE = 1,
	AV_OBJ_VAR = 2,
};

#define AV_SESSION_RULE_MAX 64 /* a rule id kept with a judged script */

/* A labelled file or shell variable, and the action that labelled it; or a
 * script written in this session whose content was judged review or block
 * (verdict), so running it later is judged the same. */
struct av_session_object {
	uint32_t kind; /* enum av_object_kind */
	uint32_t labels;
	uint64_t seq;
	uint32_t verdict; /* enum av_verdict of the content; AV_ALLOW: not judged */
	uint32_t risk;
	char rule[AV_SESSION_RULE_MAX]; /* the strongest finding of the content */
	char name[AV_SESSION_MAX_VALUE];
};

/* The judgment of the content a file action writes, when it is a script
 * (session.c decides the content as the shell or Python it is). */
struct av_script_judgment {
	const char *path; /* resolved */
	enum av_verdict verdict;
	enum av_risk risk;
	const char *rule;
};

/* A judged script of this session that the action runs. */
struct av_script_run {
	int32_t effect;
	uint64_t seq; /* the action that wrote it */
	enum av_verdict verdict;
	enum av_risk risk;
	char rule[AV_SESSION_RULE_MAX];
	const char *path;
};

#define AV_LABEL_BITS 3

struct av_session_state {
	uint64_t version;  /* bumped by every write; detects other writers */
	uint64_t nactions; /* seq of the last action (the first is 1) */
	int64_t created_ms, last_ms;
	uint32_t labels;                     /* labels the session has seen */
	uint64_t label_seq[AV_LABEL_BITS];   /* action that first brought each */
	struct av_session_partial *partials; /* malloc'd, cap AV_SESSION_MAX_PARTIALS */
	uint32_t npartials, cappartials;
	struct av_session_object *objects; /* malloc'd, cap AV_SESSION_MAX_OBJECTS */
	uint32_t nobjects, capobjects;
};

void av_session_state_reset(struct av_session_state *s);
void av_session_state_free(struct av_session_state *s);
/* Bytes of heap the state holds. */
size_t av_session_state_memory(const struct av_session_state *s);

/* Serialization (a small versioned binary format, checked on read: a
 * corrupt blob is an error, never a guess). Chains are named by id, so the
 * state does not depend on the policy that wrote it: the evaluator maps ids
 * back to chains and drops matches of chains that are gone. encode returns
 * a new malloc'd buffer (free with free()). */
int av_session_state_encode(const struct av_session_state *s, unsigned char **out,
                            size_t *len);
int av_session_state_decode(const unsigned char *buf, size_t len,
                            struct av_session_state *s);

/* A chain that completed on this action. */
struct av_chain_fire {
	uint32_t chain;
	int32_t effect;                    /* completing effect, or -1 */
	int32_t cmd;                       /* completing command, or -1 */
	uint64_t refs[AV_CHAIN_MAX_STEPS]; /* seq per step */
	uint32_t nrefs;
	uint32_t labels;                   /* labels of the completing data */
	uint64_t label_seq[AV_LABEL_BITS]; /* where each label came from */
};

/* What one action did to the session, for the history and reports. */
struct av_chain_outcome {
	uint64_t seq;
	uint32_t in_labels; /* labels of the data the action read */
	struct av_chain_fire *fires;
	uint32_t nfires, capfires;
	uint32_t *effect_labels; /* per effect, from ARENA */
	struct av_flow_facts flow;
	struct av_script_run *runs; /* judged scripts the action runs (ARENA) */
	uint32_t nruns, capruns;
	/* The action matched a chain step, carried or brought a label, or
	 * wrote a judged script: later explanations and result reports may
	 * name it, so its line goes into the history. Other actions only
	 * count (windows in actions). */
	bool notable;
};

/* Runs the session rules of p over decision d against state s (mutated:
 * the action becomes seq s->nactions + 1). judged (may be NULL) is the
 * judgment of a script the action writes; a script judged review or block
 * is remembered, and an action that runs one is reported in out->runs. Pure: no I/O.
 * Returns 0, or -1 with err set (arena exhausted, a condition that could not be
 * evaluated: the caller fails closed). */
int av_chain_eval(const struct av_policy *p, struct av_session_state *s,
                  const struct av_decision *d, const struct av_script_judgment *judged,
                  int64_t now_ms, struct av_arena *arena, struct av_chain_outcome *out,
                  struct av_error *err);

/* Looks up action seq of the session in its history: its id ("" when it had
 * none) and summary. False when it is no longer there. */
typedef bool av_history_lookup(void *ud, uint64_t seq, char *id, size_t idcap, char *sum,
                               size_t sumcap);

/* Explains fire f in out (a finding): out->reason is the chain's reason
 * with the completing effect's fields, then each step's action and where
 * the labels came from, by id and summary; out->steps the same as data.
 * Everything from ARENA; -1 when it is exhausted. */
int av_chain_explain(const struct av_policy *p, const struct av_decision *d,
                     const struct av_chain_fire *f, const struct av_chain_outcome *o,
                     av_history_lookup *lookup, void *ud, struct av_arena *arena,
                     struct av_finding *out);

/* Applies result report r to the state for action seq whose data carried
 * labels: the paths it wrote get them; a failure that wrote nothing takes
 * back the chain progress the action made. -1 on allocation failure. */
int av_session_apply_result(struct av_session_state *s, uint64_t seq, uint32_t labels,
                            const struct av_result *r);

/* One line that says what an action is ("cat ~/.ssh/id_rsa", "file read
 * /x"), cut to cap - 1 bytes at a character boundary. */
void av_session_summarize(const struct av_action *a, char *buf, size_t cap);

#endif
