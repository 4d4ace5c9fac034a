/* fuzz_action.c - libFuzzer target for the action decoder and the whole
 * decision pipeline behind it: any bytes an agent can send. */
#include <stdint.h>
#include <stdlib.h>

#include "agentvisor/decide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct av_policy *policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (policy == NULL) {
		struct av_error err;
		policy = av_policy_new();
		if (policy == NULL || av_policy_add_default(policy, &err) < 0)
			abort(); /* the built-in policy must always load */
	}
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);
	struct av_action a;
	struct av_decision d;
	struct av_error err;
	if (av_action_decode((const char *)data, size, &arena, &a, &err) == 0) {
		av_decide(policy, &a, &arena, &d);
		/* The verdict must never be allow when the pipeline failed. */
		if (d.has_error && d.verdict != AV_BLOCK)
			abort();
	} else {
		av_decision_from_error(&d, policy, &err);
	}
	free(av_decision_to_json(&d, NULL));
	free(av_decision_explain(&d));
	av_arena_free(&arena);
	return 0;
}
