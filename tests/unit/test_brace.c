/* test_brace.c - brace expansion (av_sh_brace_expand) checked against real
 * bash: each case is one word of literal text (quotes and escapes allowed,
 * no expansions), printed by bash as `printf '[%s]\n' WORD' and by us from
 * the WORD nodes we return (with quote removal, dropping unquoted empty
 * words as bash does). Only harmless literal text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "oracle_spawn.h"
#include "shell/sh_ast.h"
#include "shell/sh_pure.h"

static const char *const cases[] = {
	"{a,b}",
	"{a,b,c}d",
	"x{a,b}y",
	"{a}",
	"{}",
	"{a,}",
	"{,}",
	"x{,}y",
	"{1..10..3}",
	"{10..1..3}",
	"{1..10..-3}",
	"{01..10}",
	"{-3..3}",
	"{-03..3}",
	"{a..e}",
	"{e..a..2}",
	"{a..1}",
	"{1..a}",
	"{1..3}{a,b}",
	"{a,b{1,2}}",
	"a{b,c}d{e,f}",
	"{a,b}{",
	"{a,b}}",
	"{{a,b}",
	"\\{a,b}",
	"\"{a,b}\"",
	"{a\\,b,c}",
	"{1..3..0}",
	"{3..3}",
	"{0..-2}",
	"{1.5..3}",
	"{+1..3}",
	"{a..c..-1}",
	"{1..2..+1}",
	"{x..x}",
	"{a,b}.{1..2}",
	"-{}-{a,b}",
	"{9223372036854775806..9223372036854775807}",
	"{-1..-3}",
	"{0001..3}",
	"{1..003}",
	"{-01..2}",
	"{'a,b'}",
	"{'a',b}",
	"{\"x\"y,z}",
	"'{'a,b}",
	"{a,b'}'",
	"{a,{b,{c,d}}}",
	"{a..c}{1..2}",
	"{1..3..}",
	"{..3}",
	"{1...3}",
	"{1..2..3..4}",
	"{A..C}",
	"{Z..X}",
	"pre{,a}post",
	"{a,b}{c,d}{e,f}",
	"{{a..c},x}",
	"{a..c,x}",
	"x{a}y{b,c}",
	"{a,b}\\}",
	"{a,\\}}",
	"{$'\\x41',b}",
	"{1..20..7}",
	"{5..-5..4}",
	"{-5..5..4}",
	"{00..2}",
	"{z..v..2}",
	"~nosuchuser{a,b}",
	"{~nosuchuser,x}/y",
};

/* The value of a word after quote removal, for the literal parts tests use;
 * false for a word that should be dropped (unquoted and empty). */
static bool value(const struct av_sh_node *w, char *buf, size_t cap)
{
	size_t n = 0;
	bool quoted = false;
	for (const struct av_sh_node *p = w->kids; p; p = p->next) {
		const struct av_sh_node *q = p;
		if (p->kind == AV_SH_DQ) {
			quoted = true;
			q = p->kids;
			if (q == NULL)
				continue;
		}
		if (q->kind == AV_SH_SQ || q->kind == AV_SH_ESC || q->kind == AV_SH_ANSI)
			quoted = true;
		if (q->kind == AV_SH_TILDE)
			n += (size_t)snprintf(buf + n, cap - n, "~");
		n += (size_t)snprintf(buf + n, cap - n, "%.*s", (int)q->len, q->text);
	}
	buf[n] = '\0';
	return n > 0 || quoted;
}

static void run_case(const char *word)
{
	char script[512];
	snprintf(script, sizeof(script), "printf '[%%s]\\n' %s", word);
	const char *argv[] = { "bash", "-c", script, NULL };
	char *bout = NULL;
	size_t blen = 0;
	int bst = 0;
	assert_int_equal(oracle_run(argv, NULL, 0, &bout, &blen, &bst), 0);

	struct av_arena arena;
	av_arena_init(&arena, 1 << 24);
	char src[256];
	snprintf(src, sizeof(src), "echo %s", word);
	struct av_sh_node *tree = NULL;
	struct av_sh_error err;
	assert_int_equal(av_sh_parse(src, strlen(src), NULL, &arena, &tree, &err), 0);
	const struct av_sh_node *w = tree->kids->kids->next; /* list > cmd > echo, WORD */
	struct av_sh_node **out = NULL;
	uint32_t n = 0;
	enum av_sh_pure_status st = av_sh_brace_expand(w, &arena, 1000, 100000, &out, &n);
	char mine[2048] = "";
	size_t len = 0;
	for (uint32_t i = 0; st == AV_SH_PURE_OK && i < n; i++) {
		char v[256];
		if (value(out[i], v, sizeof(v)))
			len += (size_t)snprintf(mine + len, sizeof(mine) - len, "[%s]\n",
			                        v);
	}
	if (len == 0 && st == AV_SH_PURE_OK) /* printf with no arguments */
		len += (size_t)snprintf(mine + len, sizeof(mine) - len, "[]\n");
	if (st != AV_SH_PURE_OK || strcmp(mine, bout) != 0) {
		print_error("word %s: bash\n%sours (status %d)\n%s", word, bout, (int)st,
		            mine);
		free(bout);
		av_arena_free(&arena);
		fail();
	}
	free(bout);
	av_arena_free(&arena);
}

static void test_against_bash(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(cases[i]);
}

static enum av_sh_pure_status expand_text(const char *word, uint32_t max_words,
                                          size_t max_bytes, uint32_t *n,
                                          struct av_arena *arena)
{
	char src[8192];
	snprintf(src, sizeof(src), "echo %s", word);
	struct av_sh_node *tree = NULL;
	struct av_sh_error err;
	assert_int_equal(av_sh_parse(src, strlen(src), NULL, arena, &tree, &err), 0);
	struct av_sh_node **out = NULL;
	return av_sh_brace_expand(tree->kids->kids->next, arena, max_words, max_bytes,
	                          &out, n);
}

static void test_limits(void **state)
{
	(void)state;
	struct av_arena arena;
	av_arena_init(&arena, 1 << 26);
	uint32_t n = 0;
	/* a brace bomb: 9^12 words; stops at the limit at once */
	char bomb[256] = "";
	for (int i = 0; i < 12; i++)
		strncat(bomb, "{1..9}", sizeof(bomb) - strlen(bomb) - 1);
	assert_int_equal(expand_text(bomb, 100000, 1 << 20, &n, &arena),
	                 AV_SH_PURE_LIMIT);
	assert_int_equal(expand_text("{1..1000000000}", 100000, 1 << 20, &n, &arena),
	                 AV_SH_PURE_LIMIT);
	assert_int_equal(expand_text("{a,b}{c,d}", 3, 1 << 20, &n, &arena),
	                 AV_SH_PURE_LIMIT);
	assert_int_equal(expand_text("{aaaa,bbbb}{c,d}", 100, 10, &n, &arena),
	                 AV_SH_PURE_LIMIT);
	assert_int_equal(expand_text("{a,b}{c,d}", 4, 1 << 20, &n, &arena),
	                 AV_SH_PURE_OK);
	assert_int_equal(n, 4);
	/* deep nesting is bounded */
	char deep[4096] = "";
	for (int i = 0; i < 200; i++)
		strncat(deep, "{a,", sizeof(deep) - strlen(deep) - 1);
	for (int i = 0; i < 200; i++)
		strncat(deep, "}", sizeof(deep) - strlen(deep) - 1);
	assert_int_equal(expand_text(deep, 100000, 1 << 20, &n, &arena),
	                 AV_SH_PURE_LIMIT);
	/* {Z..a} crosses [ \ ] ^ _ ` : not modelled */
	assert_int_equal(expand_text("{Z..a}", 100, 1000, &n, &arena),
	                 AV_SH_PURE_UNKNOWN);
	/* a word without braces is itself */
	assert_int_equal(expand_text("plain", 100, 1000, &n, &arena), AV_SH_PURE_OK);
	assert_int_equal(n, 1);
	av_arena_free(&arena);
}

static void test_parts(void **state)
{
	(void)state;
	struct av_arena arena;
	av_arena_init(&arena, 1 << 24);
	const char *src = "echo {$a,\"$b\"}x {~,y}";
	struct av_sh_node *tree = NULL;
	struct av_sh_error err;
	assert_int_equal(av_sh_parse(src, strlen(src), NULL, &arena, &tree, &err), 0);
	const struct av_sh_node *w = tree->kids->kids->next;
	struct av_sh_node **out = NULL;
	uint32_t n = 0;
	assert_int_equal(av_sh_brace_expand(w, &arena, 100, 1000, &out, &n),
	                 AV_SH_PURE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0]->kids->kind, AV_SH_PARAM);
	assert_int_equal(out[0]->kids->next->kind, AV_SH_LIT);
	assert_int_equal(out[1]->kids->kind, AV_SH_DQ);
	/* {~,y}: the first result starts with a tilde bash will expand */
	assert_int_equal(av_sh_brace_expand(w->next, &arena, 100, 1000, &out, &n),
	                 AV_SH_PURE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0]->kids->kind, AV_SH_TILDE);
	assert_int_equal(out[0]->kids->len, 0);
	assert_int_equal(out[1]->kids->kind, AV_SH_LIT);
	av_arena_free(&arena);
}

/* ---- random differential test ---------------------------------------------------
 * Random words built from brace-relevant atoms (all literal, quotes
 * balanced), expanded by ONE bash process and by us. */

static uint32_t rng = 4242;

static uint32_t rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static void test_random_against_bash(void **state)
{
	(void)state;
	static const char *const atoms[] = { "{",     "}", ",",  "a",      "b",
		                             "1",     "2", "..", "\\,",    "'x,y'",
		                             "\"q\"", "-", "0",  "{1..3}", "{a,b}",
		                             "z",     ".", "\\{" };
	enum { COUNT = 800 };
	static char words[COUNT][128];
	size_t cap = COUNT * 130, n = 0;
	char *in = malloc(cap);
	assert_non_null(in);
	for (int i = 0; i < COUNT; i++) {
		size_t k = 0;
		int parts = 1 + (int)rnd(9);
		for (int j = 0; j < parts; j++) {
			const char *a = atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))];
			size_t l = strlen(a);
			if (k + l + 1 >= sizeof(words[i]))
				break;
			memcpy(words[i] + k, a, l);
			k += l;
		}
		words[i][k] = '\0';
		n += (size_t)snprintf(in + n, cap - n, "%s\n", words[i]);
	}
	/* eval is safe here: the words hold only braces, commas, dots,
	 * letters, digits, backslashes and balanced quotes */
	const char *argv[] = {
		"bash", "-c",
		"while IFS= read -r w; do eval \"printf '[%s]\\n' $w\"; echo --; "
		"done",
		NULL
	};
	char *bout = NULL;
	size_t blen = 0;
	int bst = 0;
	assert_int_equal(oracle_run(argv, in, n, &bout, &blen, &bst), 0);
	struct av_arena arena;
	av_arena_init(&arena, 1 << 26);
	const char *b = bout;
	int bad = 0, unknown = 0;
	for (int i = 0; i < COUNT; i++) {
		const char *e = strstr(b, "--\n");
		assert_non_null(e);
		char theirs[4096];
		snprintf(theirs, sizeof(theirs), "%.*s", (int)(e - b), b);
		b = e + 3;
		char src[256];
		snprintf(src, sizeof(src), "echo %.200s", words[i]);
		struct av_sh_node *tree = NULL;
		struct av_sh_error err;
		if (av_sh_parse(src, strlen(src), NULL, &arena, &tree, &err) != 0)
			continue;
		const struct av_sh_node *w = tree->kids->kids->next;
		struct av_sh_node **out = NULL;
		uint32_t cnt = 0;
		enum av_sh_pure_status st =
		        av_sh_brace_expand(w, &arena, 10000, 100000, &out, &cnt);
		if (st != AV_SH_PURE_OK) {
			unknown++;
			continue;
		}
		char mine[4096] = "";
		size_t len = 0;
		for (uint32_t k = 0; k < cnt && len < sizeof(mine); k++) {
			char v[512];
			if (value(out[k], v, sizeof(v)))
				len += (size_t)snprintf(mine + len, sizeof(mine) - len,
				                        "[%s]\n", v);
		}
		if (len == 0)
			snprintf(mine, sizeof(mine), "[]\n");
		if (strcmp(mine, theirs) != 0 && bad++ < 5)
			print_error("random word %s: bash\n%sours\n%s", words[i], theirs,
			            mine);
		av_arena_reset(&arena);
	}
	print_message("random words: %d, %d not modelled, %d differ\n", COUNT, unknown,
	              bad);
	free(bout);
	free(in);
	av_arena_free(&arena);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_bash),
		cmocka_unit_test(test_random_against_bash),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
