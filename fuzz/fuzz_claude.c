/* fuzz_claude.c - libFuzzer target for the Claude Code hook decoder and
 * everything behind it: any bytes Claude Code (or whoever writes to the
 * hook's stdin) can send. Invariants checked beyond "no crash": a mapped
 * PreToolUse always yields an action JSON; a PostToolUse always yields a
 * result report that the real result decoder accepts; an answer always
 * exists, and a decision that failed is never answered allow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/audit.h"
#include "agentvisor/decide.h"
#include "integrations/claude.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct av_policy *policy;

static void check_answer(const struct av_decision *d)
{
	char *ans = av_claude_answer(d);
	if (ans == NULL)
		abort();
	if (d->has_error && strstr(ans, "\"permissionDecision\":\"deny\"") == NULL)
		abort();
	free(ans);
}

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
	struct av_claude_request r;
	struct av_error err;
	if (av_claude_decode((const char *)data, size, &arena, &r, &err) == 0) {
		if (r.event != AV_CLAUDE_PRE_TOOL_USE) {
			struct av_result res;
			if (r.result_json == NULL ||
			    av_result_decode(r.result_json, r.result_json_len, &arena,
			                     &res, &err) != 0)
				abort();
		} else if (r.mapping != AV_CLAUDE_INTERNAL) {
			if (r.action_json == NULL)
				abort();
			struct av_action a;
			struct av_decision d;
			if (av_action_decode(r.action_json, r.action_json_len, &arena, &a,
			                     &err) == 0) {
				av_decide(policy, &a, &arena, &d);
				check_answer(&d);
			}
		} else {
			struct av_decision d;
			av_claude_unmapped_decision(&r, AV_REVIEW, policy, &arena, &d);
			check_answer(&d);
		}
	} else {
		char *ans = av_claude_answer_deny(r.event, err.message);
		if (ans == NULL)
			abort();
		free(ans);
	}
	av_arena_free(&arena);
	return 0;
}
