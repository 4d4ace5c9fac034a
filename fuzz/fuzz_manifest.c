/* fuzz_manifest.c - libFuzzer target for the Kubernetes manifest reader
 * (src/effects/kind_k8s.c, libyaml underneath): the input is the manifest
 * of an `apply` and of a `delete` action, decided under the default policy
 * (so the kubectl command lines made from manifest names reach the shell
 * stage too). The verdict must never be allow when the pipeline failed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	if (size > AV_ACTION_MAX_STRING)
		return 0;
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);
	char *manifest = av_arena_strndup(&arena, (const char *)data, size);
	static const char *const verbs[] = { "apply", "delete" };
	for (size_t v = 0; manifest != NULL && v < 2; v++) {
		struct av_action a;
		memset(&a, 0, sizeof(a));
		a.kind = AV_KIND_KUBERNETES;
		a.in.k8s.verb = verbs[v];
		a.in.k8s.ns = "fuzz";
		a.in.k8s.manifest = manifest;
		a.in.k8s.manifest_len = size;
		a.in.k8s.replicas = -1;
		a.ctx.cwd = "/home/u/p";
		a.ctx.workspace = "/home/u/p";
		a.ctx.home = "/home/u";
		struct av_decision d;
		av_decide(policy, &a, &arena, &d);
		if (d.has_error && d.verdict != AV_BLOCK)
			abort();
		free(av_decision_to_json(&d, NULL));
		av_arena_reset(&arena);
		manifest = av_arena_strndup(&arena, (const char *)data, size);
	}
	av_arena_free(&arena);
	return 0;
}
