/* fuzz_shell.c - libFuzzer target for the shell analyzer and the effects
 * derived from its commands: any text an agent can propose as a command.
 * Besides memory safety it checks the result's own invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/effects.h"
#include "agentvisor/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct av_context ctx = {
	.cwd = "/home/dev/project",
	.workspace = "/home/dev/project",
	.home = "/home/dev",
	.user = "dev",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The decoder rejects embedded NUL bytes, so the analyzer never sees them;
	 * stop at the first one as a caller would. */
	const char *s = (const char *)data;
	const char *nul = memchr(s, '\0', size);
	size_t len = nul ? (size_t)(nul - s) : size;
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);
	struct av_shell_result r;
	struct av_error err;
	if (av_shell_analyze(s, len, &ctx, &arena, &r, &err) == 0) {
		for (uint32_t i = 0; i < r.ncmds; i++) {
			const struct av_command *c = &r.cmds[i];
			if (c->depth > AV_SHELL_MAX_DEPTH ||
			    c->argc > AV_SHELL_MAX_ARGS + 1)
				abort();
			if (c->parent >= (int32_t)i || c->parent < -1)
				abort(); /* a wrapper precedes what it runs */
			if (c->parent >= 0 && r.cmds[c->parent].depth >= c->depth)
				abort();
			if (c->pipe_index >= c->pipe_len)
				abort();
			for (uint32_t k = 0; k < c->argc; k++)
				if (c->argv[k] == NULL)
					abort();
		}
		if (r.ncmds > AV_SHELL_MAX_COMMANDS)
			abort();
		struct av_effect_list fx = { 0 };
		if (av_effects_from_commands(&r, &ctx, &arena, &fx, &err) == 0) {
			for (uint32_t i = 0; i < fx.count; i++)
				if (fx.items[i].cmd >= (int32_t)r.ncmds ||
				    (unsigned)fx.items[i].kind >= AV_FX_COUNT)
					abort();
		}
	}
	av_arena_free(&arena);
	return 0;
}
