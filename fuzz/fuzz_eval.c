/* fuzz_eval.c - libFuzzer target for the static evaluator (sh_eval.c): any
 * text, run twice. Besides memory safety it checks the result's invariants
 * and that the evaluation is deterministic (same text, same commands). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/shell.h"
#include "shell/sh_eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct av_context ctx = {
	.cwd = "/home/dev/project",
	.workspace = "/home/dev/project",
	.home = "/home/dev",
	.user = "dev",
};

static void check(const struct av_shell_result *r)
{
	if (r->ncmds > AV_SHELL_MAX_COMMANDS)
		abort();
	for (uint32_t i = 0; i < r->ncmds; i++) {
		const struct av_command *c = &r->cmds[i];
		if (c->depth > AV_SHELL_MAX_DEPTH || c->argc > AV_SHELL_MAX_ARGS)
			abort();
		if (c->parent >= (int32_t)i || c->parent < -1)
			abort(); /* a command that runs another comes first */
		if (c->parent >= 0 && r->cmds[c->parent].depth >= c->depth)
			abort();
		if (c->pipe_index >= c->pipe_len)
			abort();
		for (uint32_t k = 0; k < c->argc; k++)
			if (c->argv[k] == NULL)
				abort();
		for (uint32_t k = 0; k < c->nredirs; k++)
			if (c->redirs[k].target == NULL)
				abort();
	}
}

static bool same(const struct av_shell_result *a, const struct av_shell_result *b)
{
	if (a->ncmds != b->ncmds || !a->truncated != !b->truncated)
		return false;
	for (uint32_t i = 0; i < a->ncmds; i++) {
		const struct av_command *x = &a->cmds[i], *y = &b->cmds[i];
		if (x->argc != y->argc || x->depth != y->depth ||
		    !x->opaque != !y->opaque)
			return false;
		for (uint32_t k = 0; k < x->argc; k++)
			if (strcmp(x->argv[k], y->argv[k]) != 0)
				return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Actions never carry NUL bytes: stop at the first one. */
	const char *s = (const char *)data;
	const char *nul = memchr(s, '\0', size);
	size_t len = nul ? (size_t)(nul - s) : size;
	struct av_arena a1, a2;
	av_arena_init(&a1, (size_t)64 << 20);
	av_arena_init(&a2, (size_t)64 << 20);
	struct av_shell_result r1, r2;
	struct av_error err;
	int s1 = av_shell_analyze(s, len, &ctx, &a1, &r1, &err);
	int s2 = av_shell_analyze(s, len, &ctx, &a2, &r2, &err);
	if (s1 != s2)
		abort();
	if (s1 == 0) {
		check(&r1);
		if (!same(&r1, &r2))
			abort();
	}
	av_arena_free(&a1);
	av_arena_free(&a2);
	return 0;
}
