/* policy_internal.h - pieces of the policy module shared between its own
 * files and its unit tests; not part of the public API. */
#ifndef AV_POLICY_INTERNAL_H
#define AV_POLICY_INTERNAL_H

#include "agentvisor/policy.h"

/* av_policy_eval, and also counts in *rules_evaluated (when not NULL) how
 * many rule conditions were looked at: the tests use it to check that the
 * index skips rules for effect kinds that are not present. */
int av_policy_eval_counted(const struct av_policy *p, const struct av_facts *facts,
                           struct av_arena *arena, struct av_finding_list *out,
                           struct av_error *err, uint32_t *rules_evaluated);

#endif
