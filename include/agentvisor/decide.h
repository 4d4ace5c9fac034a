/* decide.h - the one mediated entry point: action in, explained verdict out.
 *
 * av_decide() runs the pipeline of DESIGN.md: normalize (shell analysis or
 * kind-specific parsing) -> effects -> policy -> combine. It is
 * deterministic and never returns allow when something failed: any internal
 * error yields a block decision with `error` set. */
#ifndef AGENTVISOR_DECIDE_H
#define AGENTVISOR_DECIDE_H

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "agentvisor/effects.h"
#include "agentvisor/policy.h"
#include "agentvisor/shell.h"

struct av_decision {
	enum av_verdict verdict;
	enum av_risk risk;
	const struct av_action *action; /* borrowed from the caller; may be NULL */
	struct av_shell_result shell;   /* empty for non-shell kinds */
	struct av_effect_list effects;
	struct av_finding_list findings;
	struct av_kind_facts kind; /* what the kind stage found (zero for shell, file) */
	const char *policy_digest; /* borrowed from the policy */
	bool has_error;
	struct av_error error;
};

/* Decides one action under policy p (both borrowed). Everything the decision
 * holds is allocated from ARENA, which the caller resets between decisions.
 * Always fills *d: on internal failure d->verdict is AV_BLOCK, d->risk is
 * AV_RISK_HIGH and d->error says why. Returns 0 on a clean decision, -1 when
 * the block comes from an error. */
int av_decide(const struct av_policy *p, const struct av_action *a,
              struct av_arena *arena, struct av_decision *d);

/* Fills *d as the block decision for an action that could not even be
 * decoded (err borrowed and copied). id may be NULL. */
void av_decision_from_error(struct av_decision *d, const struct av_policy *p,
                            const struct av_error *err);

/* Serializes d as one line of verdict JSON (no trailing newline) into a new
 * malloc'd string, free with free(). id_override, if not NULL, is echoed as
 * "id" when d->action is NULL. Returns NULL on allocation failure. */
char *av_decision_to_json(const struct av_decision *d, const char *id_override);

/* Writes the human explanation of d to a newly malloc'd string (free with
 * free()), or NULL on allocation failure. */
char *av_decision_explain(const struct av_decision *d);

/* Writes the shell analysis of d as a tree (each command under the one that
 * runs it: sh -c, eval, sudo, a pipe into a shell) with provenance, opacity,
 * redirections and assignments, followed by the verdict line, to a newly
 * malloc'd string (free with free()), or NULL on allocation failure. Used
 * by `agentvisor explain`. */
char *av_decision_tree(const struct av_decision *d);

#endif
