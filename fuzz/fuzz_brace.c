/* fuzz_brace.c - libFuzzer target for brace expansion (sh_brace.c): the
 * input is parsed as a command and every word of it is brace-expanded
 * under small limits, which must hold: never more words or bytes than
 * allowed, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_ast.h"
#include "shell/sh_pure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct av_sh_node *n, struct av_arena *arena, unsigned depth)
{
	for (; n != NULL && depth < 64; n = n->next) {
		if (n->kind == AV_SH_WORD) {
			struct av_sh_node **out = NULL;
			uint32_t count = 0;
			enum av_sh_pure_status st =
			        av_sh_brace_expand(n, arena, 256, 4096, &out, &count);
			if (st == AV_SH_PURE_OK &&
			    (count == 0 || count > 256 || out == NULL))
				abort();
		}
		walk(n->kids, arena, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct av_arena arena;
	av_arena_init(&arena, (size_t)32 << 20);
	struct av_sh_node *tree;
	struct av_sh_error err;
	if (av_sh_parse((const char *)data, size, NULL, &arena, &tree, &err) == 0)
		walk(tree, &arena, 0);
	av_arena_free(&arena);
	return 0;
}
