/* fuzz_parse.c - libFuzzer target for the bash parser (src/shell/sh_*.c):
 * any bytes must parse or fail with a well-formed error, never crash, leak
 * or hang; a tree that parses must also print and dump. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);
	struct av_sh_node *tree;
	struct av_sh_error err;
	if (av_sh_parse((const char *)data, size, NULL, &arena, &tree, &err) == 0) {
		char *text;
		size_t len;
		if (tree == NULL || tree->kind != AV_SH_LIST)
			abort();
		if (av_sh_print(tree, &arena, &text, &len) < 0 &&
		    arena.used_total < arena.cap / 2)
			abort();
		if (av_sh_dump(tree, &arena, &text, &len) < 0 &&
		    arena.used_total < arena.cap / 2)
			abort();
	} else {
		/* Errors are well formed: a known code, a position inside the
		 * input, a non-empty message. */
		if (err.code != AV_SH_E_SYNTAX && err.code != AV_SH_E_LIMIT &&
		    err.code != AV_SH_E_NOMEM)
			abort();
		if (err.offset > size || err.line == 0 || err.col == 0 ||
		    err.message[0] == '\0')
			abort();
		if (memchr(err.message, '\0', sizeof(err.message)) == NULL)
			abort();
	}
	av_arena_free(&arena);
	return 0;
}
