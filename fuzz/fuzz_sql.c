/* fuzz_sql.c - libFuzzer target for the SQL lexer and statement classifier
 * (src/effects/sql.c), which read untrusted SQL text in both dialect
 * modes. The first byte picks the mode; the rest is the text. Checks that
 * every token lies inside the text, that the lexer always advances, and
 * that classification never fails except on arena exhaustion. */
#include <stdint.h>
#include <stdlib.h>

#include "effects/sql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	enum av_sql_mode mode = (data[0] & 1) ? AV_SQL_MYSQL : AV_SQL_STANDARD;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct av_arena arena;
	av_arena_init(&arena, (size_t)64 << 20);

	struct av_sql_lexer lx;
	av_sql_lexer_init(&lx, text, len, mode);
	size_t last = 0;
	for (size_t guard = 0; guard <= len + 1; guard++) {
		struct av_sql_tok t;
		av_sql_next(&lx, &t);
		if (t.off > len || t.n > len - t.off || lx.pos > len)
			abort(); /* a token outside the text */
		if (t.kind == AV_SQL_T_END)
			break;
		if (lx.pos <= last && guard > 0)
			abort(); /* the lexer did not advance */
		last = lx.pos;
		if (av_sql_tok_text(&lx, &t, &arena) == NULL)
			abort();
		if (guard == len + 1)
			abort(); /* more tokens than bytes */
	}

	struct av_sql_result r;
	if (av_sql_analyze(text, len, mode, &arena, &r) == 0) {
		for (uint32_t i = 0; i < r.n; i++)
			if (r.stmts[i].summary == NULL || r.stmts[i].off > len ||
			    (unsigned)r.stmts[i].cls >= AV_SQL_CLASS_COUNT)
				abort();
	}
	av_arena_free(&arena);
	return 0;
}
