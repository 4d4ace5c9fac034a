/* fuzz_roundtrip.c - libFuzzer target for the parser and printer together:
 * whatever parses must print as text that parses back to an equal tree, and
 * printing is a fixed point (print(parse(print(t))) == print(t)). Any
 * mismatch aborts, so the fuzzer saves it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);
	struct av_sh_node *tree, *again;
	struct av_sh_error err;
	if (av_sh_parse((const char *)data, size, NULL, &arena, &tree, &err) == 0) {
		char *text, *text2;
		size_t len, len2;
		if (av_sh_print(tree, &arena, &text, &len) < 0)
			abort();
		if (av_sh_parse(text, len, NULL, &arena, &again, &err) != 0)
			abort(); /* the printed text does not parse */
		if (!av_sh_equal(tree, again))
			abort(); /* it parses to a different tree */
		if (av_sh_print(again, &arena, &text2, &len2) < 0)
			abort();
		if (len != len2 || memcmp(text, text2, len) != 0)
			abort(); /* printing is not canonical */
	}
	av_arena_free(&arena);
	return 0;
}
