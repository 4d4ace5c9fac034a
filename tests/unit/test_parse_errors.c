/* test_parse_errors.c - the bash parser on bad and hostile input: syntax
 * errors with exact positions and messages, incomplete input, and every
 * limit (depth, nodes, length, here-documents, arena) ending in an error
 * instead of a crash, a hang or unbounded memory. Shell text here is data
 * for the parser only; nothing is executed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell/sh_ast.h"

static struct av_arena arena;

static int setup(void **state)
{
	(void)state;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	av_arena_free(&arena);
	return 0;
}

static struct av_sh_error parse_err(const char *src, size_t len,
                                    const struct av_sh_limits *lim)
{
	struct av_sh_node *t = (struct av_sh_node *)&t;
	struct av_sh_error err;
	av_arena_reset(&arena);
	if (av_sh_parse(src, len, lim, &arena, &t, &err) == 0)
		fail_msg("expected an error for: %.200s", src);
	assert_null(t);
	return err;
}

/* Checks code, line, column and the whole message. */
static void expect_error(const char *src, enum av_sh_errcode code, uint32_t line,
                         uint32_t col, bool incomplete, const char *message)
{
	struct av_sh_error e = parse_err(src, strlen(src), NULL);
	if (e.code != code || e.line != line || e.col != col ||
	    e.incomplete != incomplete || strcmp(e.message, message) != 0)
		fail_msg("input: %s\nwant: %s %u:%u %d %s\ngot:  %s %u:%u %d %s", src,
		         av_sh_errcode_name(code), line, col, incomplete, message,
		         av_sh_errcode_name(e.code), e.line, e.col, e.incomplete,
		         e.message);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("if a; then\n  b\nfi fi", AV_SH_E_SYNTAX, 3, 4, false,
	             "unexpected `fi' at line 3, column 4");
	expect_error("if a; b; fi", AV_SH_E_SYNTAX, 1, 10, false,
	             "unexpected `fi' at line 1, column 10: expected `then'");
	expect_error("fi", AV_SH_E_SYNTAX, 1, 1, false,
	             "unexpected `fi' at line 1, column 1");
	expect_error("echo a )", AV_SH_E_SYNTAX, 1, 8, false,
	             "unexpected `)' at line 1, column 8");
	expect_error("echo (", AV_SH_E_SYNTAX, 1, 6, false,
	             "unexpected `(' at line 1, column 6");
	expect_error("echo a &;", AV_SH_E_SYNTAX, 1, 9, false,
	             "unexpected `;' at line 1, column 9: expected a command");
	expect_error("a ;; b", AV_SH_E_SYNTAX, 1, 3, false,
	             "unexpected `;;' at line 1, column 3");
	expect_error("a | | b", AV_SH_E_SYNTAX, 1, 5, false,
	             "unexpected `|' at line 1, column 5: expected a command");
	expect_error("{ }", AV_SH_E_SYNTAX, 1, 3, false,
	             "unexpected `}' at line 1, column 3: expected a command");
	expect_error("echo ${x;}", AV_SH_E_SYNTAX, 1, 9, false,
	             "unexpected `;' at line 1, column 9: expected a parameter expansion "
	             "operator or "
	             "`}' (bad substitution)");
	expect_error("for 1 in a; do :; done", AV_SH_E_SYNTAX, 1, 5, false,
	             "invalid variable name at line 1, column 5: `for' and `select' need "
	             "a plain name");
	expect_error("[[ a b ]]", AV_SH_E_SYNTAX, 1, 6, false,
	             "unexpected `b' at line 1, column 6: expected a conditional binary "
	             "operator");
	expect_error(
	        "[[ -f ]]", AV_SH_E_SYNTAX, 1, 7, false,
	        "unexpected `]]' at line 1, column 7: expected an argument for `-f'");
	expect_error(
	        "[[ ]]", AV_SH_E_SYNTAX, 1, 4, false,
	        "unexpected `]]' at line 1, column 4: expected a conditional expression");
	expect_error("case x in a) b;; c", AV_SH_E_SYNTAX, 1, 19, true,
	             "unexpected end of input at line 1, column 19: expected `)' after "
	             "the pattern");
	expect_error("f() echo", AV_SH_E_SYNTAX, 1, 5, false,
	             "unexpected `echo' at line 1, column 5: expected a compound command "
	             "as the function "
	             "body");
	expect_error("$x() { :; }", AV_SH_E_SYNTAX, 1, 1, false,
	             "invalid function name at line 1, column 1: a function name must be "
	             "unquoted");
	expect_error(
	        "echo >", AV_SH_E_SYNTAX, 1, 7, true,
	        "unexpected end of input at line 1, column 7: expected a word after `>'");
	expect_error(
	        "echo >#x", AV_SH_E_SYNTAX, 1, 9, true,
	        "unexpected end of input at line 1, column 9: expected a word after `>'");
	expect_error("while a; do b; od", AV_SH_E_SYNTAX, 1, 18, true,
	             "unexpected end of input at line 1, column 18: expected `done' to "
	             "close `while' at "
	             "line 1, column 1");
	expect_error(
	        "a=(b; c)", AV_SH_E_SYNTAX, 1, 5, false,
	        "unexpected `;' at line 1, column 5: expected an array element or `)'");
	expect_error("echo $(cat <<E)", AV_SH_E_SYNTAX, 1, 15, false,
	             "unexpected `)' at line 1, column 15: a here-document inside it has "
	             "no body yet");
	expect_error("a\nb\n  \x01)", AV_SH_E_SYNTAX, 3, 4, false,
	             "unexpected `)' at line 3, column 4");
}

static void test_incomplete(void **state)
{
	(void)state;
	expect_error("if a\nb\n", AV_SH_E_SYNTAX, 3, 1, true,
	             "unexpected end of input at line 3, column 1: expected `then' to "
	             "close `if' at line "
	             "1, column 1");
	expect_error("echo 'abc", AV_SH_E_SYNTAX, 1, 10, true,
	             "unexpected end of input at line 1, column 10: expected `'' to "
	             "close the single quote "
	             "at line 1, column 6");
	expect_error("echo \"a\nb", AV_SH_E_SYNTAX, 2, 2, true,
	             "unexpected end of input at line 2, column 2: expected `\"' to "
	             "close the double quote "
	             "at line 1, column 6");
	expect_error("echo $(ls", AV_SH_E_SYNTAX, 1, 10, true,
	             "unexpected end of input at line 1, column 10: expected `)' to "
	             "close the command "
	             "substitution at line 1, column 6");
	expect_error("echo `ls", AV_SH_E_SYNTAX, 1, 9, true,
	             "unexpected end of input at line 1, column 9: expected ``' to close "
	             "the backquoted "
	             "command at line 1, column 6");
	expect_error("echo ${x", AV_SH_E_SYNTAX, 1, 9, true,
	             "unexpected end of input at line 1, column 9: expected `}' to close "
	             "the parameter "
	             "expansion at line 1, column 6");
	expect_error("echo $'x", AV_SH_E_SYNTAX, 1, 9, true,
	             "unexpected end of input at line 1, column 9: expected `'' to close "
	             "the $'...' string "
	             "at line 1, column 6");
	expect_error("{ echo a }", AV_SH_E_SYNTAX, 1, 11, true,
	             "unexpected end of input at line 1, column 11: expected `}' to "
	             "close `{' at line 1, "
	             "column 1");
	expect_error("( a", AV_SH_E_SYNTAX, 1, 4, true,
	             "unexpected end of input at line 1, column 4: expected `)' to close "
	             "the subshell `(' "
	             "at line 1, column 1");
	expect_error("a &&", AV_SH_E_SYNTAX, 1, 5, true,
	             "unexpected end of input at line 1, column 5: expected a command");
	expect_error("a |\n", AV_SH_E_SYNTAX, 2, 1, true,
	             "unexpected end of input at line 2, column 1: expected a command");
	expect_error("case x in a) b", AV_SH_E_SYNTAX, 1, 15, true,
	             "unexpected end of input at line 1, column 15: expected `esac' to "
	             "close `case' at "
	             "line 1, column 1");
	expect_error("x=(a b", AV_SH_E_SYNTAX, 1, 7, true,
	             "unexpected end of input at line 1, column 7: expected `)' to close "
	             "the array at line "
	             "1, column 3");
	expect_error("[[ a", AV_SH_E_SYNTAX, 1, 5, true,
	             "unexpected end of input at line 1, column 5: expected `]]' to "
	             "close `[[' at line 1, "
	             "column 1");
	expect_error("for ((i=0;", AV_SH_E_SYNTAX, 1, 11, true,
	             "unexpected end of input at line 1, column 11: expected `))' to "
	             "close `for ((' at "
	             "line 1, column 1");
	expect_error("echo $[1", AV_SH_E_SYNTAX, 1, 9, true,
	             "unexpected end of input at line 1, column 9: expected `]' to close "
	             "the $[...] "
	             "arithmetic at line 1, column 6");
}

static void test_nul_and_bad_heredocs(void **state)
{
	(void)state;
	struct av_sh_error e = parse_err("ab\0c", 4, NULL);
	assert_int_equal(e.code, AV_SH_E_SYNTAX);
	assert_int_equal(e.offset, 2);
	assert_string_equal(
	        e.message,
	        "a NUL byte at line 1, column 3: shell text cannot contain NUL bytes");
	expect_error("cat <<'a\nb'\n", AV_SH_E_SYNTAX, 1, 7, false,
	             "unsupported here-document delimiter at line 1, column 7: this "
	             "delimiter can never "
	             "match a line");
	expect_error("x=`cat <<E\nno end`", AV_SH_E_SYNTAX, 2, 7, false,
	             "unterminated here-document at line 2, column 7: the delimiter `E' "
	             "is missing inside "
	             "a substitution or body");
}

/* ---- limits ---- */

static char *repeat(const char *unit, size_t times, const char *tail)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *s = malloc(u * times + t + 1);
	assert_non_null(s);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * u, unit, u);
	memcpy(s + u * times, tail, t + 1);
	return s;
}

static void expect_limit(const char *src, size_t len, const struct av_sh_limits *lim,
                         const char *what)
{
	struct av_sh_error e = parse_err(src, len, lim);
	if (e.code != AV_SH_E_LIMIT || strstr(e.message, what) == NULL)
		fail_msg("want a limit error about \"%s\", got %s: %s", what,
		         av_sh_errcode_name(e.code), e.message);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	/* $( $( ... ) ) ten thousand deep */
	char *open = repeat("$(", 10000, ""), *s = malloc(40000);
	assert_non_null(s);
	size_t n = strlen(open);
	memcpy(s, open, n);
	memset(s + n, ')', 10000);
	s[n + 10000] = '\0';
	expect_limit(s, strlen(s), NULL, "nested too deeply");
	free(open);
	free(s);

	const char *units[] = {
		"(",    "((",  "{ ",     "if ",           "! ",     "\"$(", "${x:-",
		"! ! ", "a=(", "while ", "case x in x) ", "f() { ", "$(("
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char *d = repeat(units[i], 100000, "");
		struct av_sh_error e = parse_err(d, strlen(d), NULL);
		/* Arrays do not nest: that is a plain syntax error; the rest
		 * hit the depth limit. */
		if (strcmp(units[i], "a=(") == 0)
			assert_int_equal(e.code, AV_SH_E_SYNTAX);
		else if (e.code != AV_SH_E_LIMIT)
			fail_msg("unit %s: %s", units[i], e.message);
		free(d);
	}
	for (int k = 0; k < 2; k++) {
		char *cond = repeat(k ? "( " : "! ", 100000, "");
		memcpy(cond, "[[ ", 3);
		expect_limit(cond, strlen(cond), NULL, "nested too deeply");
		free(cond);
	}
}

static void test_big_inputs(void **state)
{
	(void)state;
	/* 2 MB of `a;': too many nodes for the default limit, found fast. */
	char *s = repeat("a;", 1 << 20, "");
	expect_limit(s, strlen(s), NULL, "syntax nodes");
	free(s);

	/* 2 MB that needs few nodes parses. */
	s = repeat("#comment comment comment comment\n", (2 << 20) / 33, "echo done");
	struct av_sh_node *t;
	struct av_sh_error e;
	av_arena_reset(&arena);
	assert_int_equal(av_sh_parse(s, strlen(s), NULL, &arena, &t, &e), 0);
	assert_int_equal(av_sh_nkids(t), 1);
	free(s);

	/* A 2 MB here-document body. */
	char *body = repeat("0123456789abcdef", (2 << 20) / 16, "");
	size_t bl = strlen(body);
	s = malloc(bl + 64);
	assert_non_null(s);
	memcpy(s, "cat <<'E'\n", 10);
	memcpy(s + 10, body, bl);
	memcpy(s + 10 + bl, "\nE\n", 4);
	av_arena_reset(&arena);
	assert_int_equal(av_sh_parse(s, strlen(s), NULL, &arena, &t, &e), 0);
	assert_int_equal(t->kids->kids->next->kids->next->kids->len, bl + 1);
	free(body);
	free(s);

	/* A long and-or chain stays flat, so printing and comparing do not
	 * recurse through it. */
	s = repeat("a && ", 100000, "b");
	av_arena_reset(&arena);
	assert_int_equal(av_sh_parse(s, strlen(s), NULL, &arena, &t, &e), 0);
	assert_int_equal(av_sh_nkids(t->kids), 100001);
	char *p;
	size_t pl;
	assert_int_equal(av_sh_print(t, &arena, &p, &pl), 0);
	struct av_sh_node *t2;
	assert_int_equal(av_sh_parse(p, pl, NULL, &arena, &t2, &e), 0);
	assert_true(av_sh_equal(t, t2));
	free(s);

	/* The length limit answers before any work. */
	struct av_sh_limits lim = { .max_len = 1000 };
	s = repeat("x", 1001, "");
	expect_limit(s, strlen(s), &lim, "too long");
	free(s);
}

static void test_heredoc_limits(void **state)
{
	(void)state;
	char *s = repeat("cat <<E\nx\nE\n", 5000, "");
	expect_limit(s, strlen(s), NULL, "too many here-documents");
	free(s);

	/* Many here-documents on one line, bodies in order. */
	s = repeat(" <<E", 1000, "\n");
	char *bodies = repeat("b\nE\n", 1000, "");
	size_t a = strlen(s), b = strlen(bodies);
	char *all = malloc(a + b + 4);
	assert_non_null(all);
	memcpy(all, "cat", 3);
	memcpy(all + 3, s, a);
	memcpy(all + 3 + a, bodies, b + 1);
	struct av_sh_node *t;
	struct av_sh_error e;
	av_arena_reset(&arena);
	assert_int_equal(av_sh_parse(all, strlen(all), NULL, &arena, &t, &e), 0);
	assert_int_equal(av_sh_nkids(t->kids), 1001);
	free(s);
	free(bodies);
	free(all);
}

static void test_small_limits(void **state)
{
	(void)state;
	struct av_sh_limits lim = { .max_nodes = 10 };
	expect_limit("a b c d e f g h i j k", 21, &lim, "syntax nodes");
	lim = (struct av_sh_limits){ .max_depth = 3 };
	expect_limit("echo $(echo $(echo $(echo)))", 28, &lim, "nested too deeply");
	lim = (struct av_sh_limits){ .max_heredocs = 1 };
	expect_limit("cat <<A <<B\nA\nB\n", 16, &lim, "too many here-documents");

	/* A full arena is NOMEM, not a crash. */
	struct av_arena tiny;
	av_arena_init(&tiny, 4096);
	char *s = repeat("echo hello world; ", 1000, "");
	struct av_sh_node *t;
	struct av_sh_error e;
	assert_int_equal(av_sh_parse(s, strlen(s), NULL, &tiny, &t, &e), -1);
	assert_int_equal(e.code, AV_SH_E_NOMEM);
	av_arena_free(&tiny);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_nul_and_bad_heredocs),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_big_inputs),
		cmocka_unit_test(test_heredoc_limits),
		cmocka_unit_test(test_small_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
