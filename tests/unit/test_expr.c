/* test_expr.c - the policy expression language on its own: every operator,
 * precedence, null semantics, path containment, globs and named lists,
 * regexes, compile errors with their offsets, and reason templates. The
 * facts are built by hand; nothing here depends on the shell module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy/expr.h"

/* ---- fixture: one action, one shell command, one effect ---------------- */

static const char *argv_rm[] = { "rm", "-rf", "/home/u/p/build" };

static struct av_command cmds[2];
static struct av_shell_result shell;
static struct av_effect effect;
static struct av_action action;
static struct av_facts facts;

static const char *hosts_items[] = { "github.com", "*.github.com", "pypi.org" };
static const bool hosts_glob[] = { false, true, false };
static const char *dirs_items[] = { "/etc", "~/.ssh", "relative/dir" };
static const bool dirs_glob[] = { false, false, false };
static const struct av_expr_list hosts = { "trusted_hosts", hosts_items, hosts_glob, 3 };
static const struct av_expr_list dirs = { "dirs", dirs_items, dirs_glob, 3 };
static const struct av_expr_list *lists[] = { &hosts, &dirs };

static struct av_arena arena;
static struct av_expr_regex *regexes;

static int32_t lookup(void *ud, const char *name, size_t len)
{
	(void)ud;
	for (int32_t i = 0; i < 2; i++)
		if (strlen(lists[i]->name) == len &&
		    memcmp(lists[i]->name, name, len) == 0)
			return i;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	regexes = NULL;
	memset(cmds, 0, sizeof(cmds));
	cmds[0].argv = argv_rm;
	cmds[0].argc = 3;
	cmds[0].depth = 1;
	cmds[0].pipe_index = 1;
	cmds[0].pipe_len = 2;
	cmds[0].provenance = "argument of sh -c at depth 1";
	cmds[1].depth = 3;
	shell = (struct av_shell_result){ .cmds = cmds, .ncmds = 2 };
	memset(&effect, 0, sizeof(effect));
	effect.kind = AV_FX_FS_DELETE;
	effect.flags = AV_FXF_RECURSIVE | AV_FXF_FORCE;
	effect.cmd = 0;
	effect.path = "/home/u/p/build";
	effect.path_class = AV_PATH_WORKSPACE;
	effect.host = "api.github.com";
	effect.host_class = AV_HOST_PUBLIC;
	memset(&action, 0, sizeof(action));
	action.kind = AV_KIND_SHELL;
	action.id = "a1";
	action.tool = "Bash";
	action.in.shell.command = "sh -c 'rm -rf /home/u/p/build'";
	action.ctx = (struct av_context){ .cwd = "/home/u/p",
		                          .workspace = "/home/u/p",
		                          .home = "/home/u",
		                          .user = "u" };
	facts = (struct av_facts){
		.action = &action, .shell = &shell, .effects = &effect, .neffects = 1
	};
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	av_expr_regexes_free(regexes);
	av_arena_free(&arena);
	return 0;
}

static int compile_scoped(const char *src, bool action_scope, const struct av_expr **out,
                          struct av_expr_error *e)
{
	struct av_expr_env env = { .arena = &arena,
		                   .list_lookup = lookup,
		                   .action_scope = action_scope,
		                   .regexes = &regexes };
	return av_expr_compile(src, strlen(src), &env, out, e);
}

/* Compiles and evaluates src against the fixture's effect; fails the test
 * on a compile error. */
static int eval_with(const char *src, const struct av_effect *eff)
{
	const struct av_expr *x;
	struct av_expr_error e;
	if (compile_scoped(src, false, &x, &e) < 0) {
		print_error("compile error in `%s`: %s at %zu\n", src, e.message,
		            e.offset);
		fail();
	}
	struct av_expr_ctx c = { .facts = &facts,
		                 .effect = eff,
		                 .cmd = eff != NULL && eff->cmd >= 0 ? &cmds[eff->cmd]
		                                                     : NULL,
		                 .lists = lists,
		                 .arena = &arena };
	return av_expr_eval(x, &c);
}

static int eval(const char *src)
{
	return eval_with(src, &effect);
}

#define TRUE(src)  assert_int_equal(eval(src), 1)
#define FALSE(src) assert_int_equal(eval(src), 0)

/* Asserts that src fails to compile with a message containing `needle` at
 * byte offset `off` (or any offset when off < 0). */
static void compile_error(const char *src, const char *needle, long off)
{
	const struct av_expr *x;
	struct av_expr_error e;
	if (compile_scoped(src, false, &x, &e) == 0) {
		print_error("`%s` compiled but should not\n", src);
		fail();
	}
	if (strstr(e.message, needle) == NULL) {
		print_error("`%s`: message \"%s\" lacks \"%s\"\n", src, e.message,
		            needle);
		fail();
	}
	if (off >= 0 && (long)e.offset != off) {
		print_error("`%s`: offset %zu, expected %ld (%s)\n", src, e.offset, off,
		            e.message);
		fail();
	}
}

/* ---- tests ------------------------------------------------------------------ */

static void test_literals_and_truthiness(void **state)
{
	(void)state;
	TRUE("true");
	FALSE("false");
	FALSE("null");
	TRUE("\"x\"");
	FALSE("''");
	TRUE("1");
	FALSE("0");
	TRUE("-3");
	FALSE("[]");
	TRUE("['a']");
	TRUE("path");      /* non-empty string */
	FALSE("dest");     /* missing: null */
	TRUE("argv");      /* non-empty list */
	TRUE("recursive"); /* bool field */
	FALSE("privileged");
	TRUE("depth"); /* 1 */
	FALSE("pipe.index == 0");
}

static void test_equality_and_ordering(void **state)
{
	(void)state;
	TRUE("path == \"/home/u/p/build\"");
	FALSE("path != '/home/u/p/build'");
	TRUE("path != '/x'");
	TRUE("kind == 'fs.delete'");
	TRUE("path.class == \"workspace\"");
	TRUE("recursive == true");
	TRUE("privileged == false");
	TRUE("depth == 1");
	TRUE("depth < 2");
	TRUE("depth <= 1");
	FALSE("depth > 1");
	TRUE("depth >= 1");
	TRUE("-5 < depth");
	TRUE("commands.count == 2");
	TRUE("commands.max_depth == 3");
	TRUE("effects.count == 1");
	TRUE("1 == 1 and 'a' == 'a'");
}

static void test_string_operators(void **state)
{
	(void)state;
	TRUE("path startswith '/home/'");
	FALSE("path startswith '/etc'");
	TRUE("path endswith '/build'");
	FALSE("path endswith 'x/build/'");
	TRUE("path endswith ''");
	TRUE("path contains 'u/p'");
	FALSE("path contains 'zz'");
	TRUE("command contains 'rm -rf'");
	TRUE("path glob '/home/*'");
	TRUE("path glob '/home/u/p/build'");
	FALSE("path glob '/etc/*'");
	TRUE("path glob path"); /* a field as the pattern */
	TRUE("path matches '^/home/[a-z]+/p'");
	FALSE("path matches '^/etc'");
	TRUE("argv0 matches '^(rm|unlink)$'");
}

static void test_list_operators(void **state)
{
	(void)state;
	TRUE("path.class in ['system', 'workspace']");
	FALSE("path.class in ['system', 'root']");
	TRUE("path.class not in ['system', 'root']");
	FALSE("path.class in []");
	TRUE("argv contains '-rf'");
	FALSE("argv contains '-r'");
	TRUE("'rm' in argv");
	TRUE("'-rf' in argv and not ('-i' in argv)");
	TRUE("argv0 == 'rm'");
	TRUE("piped");
	TRUE("pipe.index == 1");
	TRUE("provenance contains 'sh -c'");
	TRUE("opaque == null");
}

static void test_named_lists_with_wildcards(void **state)
{
	(void)state;
	/* "*.github.com" is a pattern in a named list ... */
	TRUE("host in list.trusted_hosts");
	TRUE("list.trusted_hosts contains host");
	effect.host = "github.com";
	TRUE("host in list.trusted_hosts");
	effect.host = "evil.com";
	FALSE("host in list.trusted_hosts");
	TRUE("host not in list.trusted_hosts");
	effect.host = "github.com.evil.com";
	FALSE("host in list.trusted_hosts");
	/* ... but in a list literal '*' is an ordinary character. */
	effect.host = "api.github.com";
	FALSE("host in ['*.github.com']");
	TRUE("host glob '*.github.com'");
	effect.host = "*.github.com";
	TRUE("host in ['*.github.com']");
}

static void test_precedence(void **state)
{
	(void)state;
	TRUE("true or false and false"); /* and binds tighter than or */
	FALSE("(true or false) and false");
	TRUE("not false and true"); /* not binds tighter than and */
	FALSE("not (false or true)");
	TRUE("not not true");
	FALSE("not path == '/home/u/p/build'"); /* not applies to the comparison */
	TRUE("false or false or true");
	FALSE("true and true and false");
	TRUE("(((true)))");
	TRUE("kind == 'fs.delete' and recursive and path.class in ['workspace'] or "
	     "false");
}

static void test_null_semantics(void **state)
{
	(void)state;
	/* dest, url, mode are missing on this effect */
	FALSE("dest == '/x'");
	FALSE("dest != '/x'");
	TRUE("dest == null");
	FALSE("dest != null");
	TRUE("null == dest");
	TRUE("path != null");
	TRUE("null == null");
	FALSE("null != null");
	TRUE("not (dest == '/x')");
	FALSE("dest in ['a']");
	FALSE("dest not in ['a']");
	FALSE("dest under '/'");
	FALSE("dest not under '/'");
	FALSE("dest contains ''");
	FALSE("dest startswith ''");
	FALSE("dest glob '*'");
	FALSE("dest matches ''");
	FALSE("dest.class == 'unknown'"); /* the class of a missing path is null */
	/* with no effect at all (an action-level evaluation) */
	assert_int_equal(
	        eval_with("path == null and kind == null and argv == null", NULL), 1);
	assert_int_equal(eval_with("recursive", NULL), 0);
	assert_int_equal(
	        eval_with("action.kind == 'shell' and action.tool == 'Bash'", NULL), 1);
	/* with an effect that has no command */
	struct av_effect e2 = effect;
	e2.cmd = -1;
	assert_int_equal(eval_with("argv0 == null and depth == null and not piped", &e2),
	                 1);
}

static void test_under(void **state)
{
	(void)state;
	effect.path = "/a/b";
	TRUE("path under '/a'");
	TRUE("path under '/a/'");
	TRUE("path under '/a/b'");
	TRUE("path under '/'");
	FALSE("path under '/a/b/c'");
	FALSE("path not under '/a'");
	TRUE("path not under '/b'");
	effect.path = "/ab";
	FALSE("path under '/a'"); /* component boundary */
	effect.path = "/a";
	TRUE("path under '/a'");
	effect.path = "/a/";
	TRUE("path under '/a'");
	/* ~ expands to the action's home at evaluation time */
	effect.path = "/home/u/.ssh/id_rsa";
	TRUE("path under '~'");
	TRUE("path under '~/.ssh'");
	FALSE("path under '~/.ss'");
	TRUE("path under home");
	FALSE("path under workspace");
	TRUE("path under ['/etc', '~/.ssh']");
	TRUE("path under list.dirs");
	effect.path = "/etc/passwd";
	TRUE("path under list.dirs");
	effect.path = "/srv/relative/dir";
	FALSE("path under list.dirs"); /* relative entries never match */
	effect.path = "/home/u/p/src/x.c";
	TRUE("path under workspace");
	TRUE("path under cwd");
	/* no home: ~ never matches */
	action.ctx.home = NULL;
	effect.path = "/home/u/.ssh/id_rsa";
	FALSE("path under '~/.ssh'");
	FALSE("path under home");
	/* relative paths are never under anything */
	effect.path = "a/b";
	FALSE("path under '/'");
}

static void test_field_table_complete(void **state)
{
	(void)state;
	for (int f = 0; f < AV_FIELD_COUNT; f++) {
		const char *name = av_field_name((enum av_field)f);
		assert_non_null(name);
		assert_int_equal(av_field_lookup(name, strlen(name)), f);
		struct av_expr_ctx c = { .facts = &facts,
			                 .effect = &effect,
			                 .cmd = &cmds[0] };
		struct av_value v;
		av_field_get((enum av_field)f, &c, &v);
		if (v.type != AV_XT_NULL)
			assert_int_equal(v.type, av_field_type((enum av_field)f));
	}
	assert_int_equal(av_field_lookup("nope", 4), -1);
	TRUE("action.id == 'a1' and user == 'u' and cwd == '/home/u/p'");
	TRUE("action.session == null and action.principal == null");
	TRUE("file.op == null and command startswith 'sh -c'");
	action.kind = AV_KIND_FILE;
	action.in.file.op = AV_FOP_DELETE;
	action.in.file.path = "/x";
	TRUE("file.op == 'delete' and command == null and action.kind == 'file'");
}

static void test_strings_and_numbers(void **state)
{
	(void)state;
	TRUE("'a\\'b' == \"a'b\"");
	TRUE("\"a\\\"b\" contains '\"'");
	TRUE("'tab\\there' contains '\\t'");
	TRUE("'back\\\\slash' endswith '\\\\slash'");
	TRUE("9223372036854775807 > 0");
	TRUE("-9223372036854775808 < 0");
	compile_error("9223372036854775808 > 0", "out of range", 0);
	compile_error("12ab", "malformed number", 0);
	compile_error("'abc", "unterminated string", 0);
	compile_error("'a\\qb'", "unknown escape", 2);
}

static void test_regex(void **state)
{
	(void)state;
	TRUE("path matches 'build$'");
	TRUE("path matches '(?i)BUILD'");
	compile_error("path matches '(unclosed'", "invalid regular expression", 5);
	compile_error("path matches 'a{2,1}'", "invalid regular expression", 5);
	compile_error("path matches 5", "must be a string literal", 5);
	compile_error("path matches host", "must be a string literal", 5);
	compile_error("argv matches 'x'", "left side of 'matches' must be a string", 5);
	/* a pattern that backtracks catastrophically hits the match limit and
	 * the evaluation fails (the caller then blocks) instead of hanging */
	const struct av_expr *x;
	struct av_expr_error e;
	assert_int_equal(compile_scoped("path matches '^(a|aa)+$'", false, &x, &e), 0);
	static char long_a[64];
	memset(long_a, 'a', sizeof(long_a) - 2);
	long_a[sizeof(long_a) - 2] = 'b';
	effect.path = long_a;
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 10000);
	struct av_expr_ctx c = { .facts = &facts,
		                 .effect = &effect,
		                 .lists = lists,
		                 .arena = &arena,
		                 .match_context = mc };
	assert_int_equal(av_expr_eval(x, &c), -1);
	assert_non_null(c.error);
	pcre2_match_context_free(mc);
}

static void test_type_errors(void **state)
{
	(void)state;
	compile_error("path == 5", "cannot compare a string with a number", 5);
	compile_error("depth > 'x'", "needs numbers", 6);
	compile_error("path < 'x'", "needs numbers", 5);
	compile_error("argv == 'x'", "cannot compare lists", 5);
	compile_error("recursive in ['a']", "left side of 'in' must be a string", 10);
	compile_error("path in 'abc'", "right side of 'in' must be a list", 5);
	compile_error("depth contains 'x'", "left side of 'contains'", 6);
	compile_error("path contains ['x']", "right side of 'contains' must be a string",
	              5);
	compile_error("path glob 5", "right side of 'glob' must be a string", 5);
	compile_error("path under 'relative'", "absolute path", 5);
	compile_error("path under '~user/x'", "absolute path", 5);
	compile_error("path under ['/ok', 'rel']", "every path", 5);
	compile_error("path under argv", "right side of 'under'", 5);
	compile_error("path.class == 'sytem'", "never a value of path.class", 11);
	compile_error("kind in ['fs.delete', 'fs.bogus']",
	              "\"fs.bogus\" is never a value of kind", 5);
	compile_error("'bogus' != action.kind", "never a value of action.kind", 8);
	compile_error("[1, 2]", "list elements must be string literals", 1);
	compile_error("null in ['a']", "left side of 'in'", 5);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	compile_error("", "empty", 0);
	compile_error("   ", "empty", 0);
	compile_error("path ==", "expected a value, found the end", 7);
	compile_error("path = 'x'", "use '=='", 5);
	compile_error("path ! 'x'", "'!' is not an operator", 5);
	compile_error("pth == 'x'", "unknown field 'pth'", 0);
	compile_error("host in list.nope", "unknown list 'list.nope'", 8);
	compile_error("(true", "expected ')'", 5);
	compile_error("true)", "unexpected ')'", 4);
	compile_error("'a' 'b'", "unexpected a string", 4);
	compile_error("path == 'a' == 'b'", "unexpected '=='", 12);
	compile_error("and", "found the keyword 'and'", 0);
	compile_error("path not 'x'", "unexpected 'not'", 5);
	compile_error("['a' 'b']", "expected ',' or ']'", 5);
	compile_error("path == @", "unexpected character", 8);
	compile_error("path ==\n  'x' and\n  $", "unexpected character", 20);
}

static void test_depth_limit(void **state)
{
	(void)state;
	char buf[1024];
	/* AV_POLICY_MAX_EXPR_DEPTH - 1 parentheses are fine ... */
	int n = AV_POLICY_MAX_EXPR_DEPTH - 1;
	size_t k = 0;
	for (int i = 0; i < n; i++)
		buf[k++] = '(';
	buf[k++] = '1';
	for (int i = 0; i < n; i++)
		buf[k++] = ')';
	buf[k] = '\0';
	TRUE(buf);
	/* ... one more level is an error, as is a long run of `not` */
	k = 0;
	for (int i = 0; i < n + 1; i++)
		buf[k++] = '(';
	buf[k++] = '1';
	for (int i = 0; i < n + 1; i++)
		buf[k++] = ')';
	buf[k] = '\0';
	compile_error(buf, "deeper than", -1);
	k = 0;
	for (int i = 0; i < 100; i++) {
		memcpy(buf + k, "not ", 4);
		k += 4;
	}
	buf[k++] = '1';
	buf[k] = '\0';
	compile_error(buf, "deeper than", -1);
	/* long flat chains are not deep */
	static char chain[16384];
	k = 0;
	for (int i = 0; i < 1000; i++) {
		memcpy(chain + k, i == 0 ? "true" : " and true", i == 0 ? 4 : 9);
		k += i == 0 ? 4 : 9;
	}
	chain[k] = '\0';
	TRUE(chain);
	/* a long list literal costs memory in proportion to its size */
	static char big[200000];
	k = (size_t)snprintf(big, sizeof(big), "host in [");
	for (int i = 0; i < 10000; i++)
		k += (size_t)snprintf(big + k, sizeof(big) - k, "%s'h%d.example'",
		                      i == 0 ? "" : ", ", i);
	snprintf(big + k, sizeof(big) - k, "]");
	size_t used = arena.used_total;
	effect.host = "h9999.example";
	TRUE(big);
	assert_true(arena.used_total - used < (size_t)4 << 20);
}

static void test_action_scope(void **state)
{
	(void)state;
	const struct av_expr *x;
	struct av_expr_error e;
	assert_int_equal(compile_scoped("path == '/x'", true, &x, &e), -1);
	assert_non_null(strstr(e.message, "always null in an action-level rule"));
	assert_int_equal(compile_scoped("argv contains 'x'", true, &x, &e), -1);
	assert_int_equal(compile_scoped("command contains 'x' and effects.count > 2",
	                                true, &x, &e),
	                 0);
}

static const char *format(const char *tmpl, bool action_scope)
{
	struct av_template t;
	struct av_expr_error e;
	if (av_template_compile(tmpl, strlen(tmpl), &arena, action_scope, &t, &e) < 0) {
		print_error("template `%s`: %s at %zu\n", tmpl, e.message, e.offset);
		fail();
	}
	struct av_expr_ctx c = { .facts = &facts, .effect = &effect, .cmd = &cmds[0] };
	const char *s = av_template_format(&t, &c, &arena);
	assert_non_null(s);
	return s;
}

static void template_error(const char *tmpl, bool action_scope, const char *needle,
                           size_t off)
{
	struct av_template t;
	struct av_expr_error e;
	assert_int_equal(
	        av_template_compile(tmpl, strlen(tmpl), &arena, action_scope, &t, &e),
	        -1);
	if (strstr(e.message, needle) == NULL) {
		print_error("template `%s`: \"%s\" lacks \"%s\"\n", tmpl, e.message,
		            needle);
		fail();
	}
	assert_int_equal(e.offset, off);
}

static void test_templates(void **state)
{
	(void)state;
	assert_string_equal(format("recursive delete of {path} ({path.class})", false),
	                    "recursive delete of /home/u/p/build (workspace)");
	assert_string_equal(format("{dest}|{url}", false), "?|?");
	assert_string_equal(format("{recursive} {depth} {argv}", false),
	                    "true 1 rm -rf /home/u/p/build");
	assert_string_equal(format("{{literal}} }}", false), "{literal} }");
	assert_string_equal(format("a } b", false), "a } b");
	assert_string_equal(format("", false), "");
	assert_string_equal(format("no placeholders", false), "no placeholders");
	assert_string_equal(format("{path}{path}", false),
	                    "/home/u/p/build/home/u/p/build");
	assert_string_equal(format("command: {command}", true),
	                    "command: sh -c 'rm -rf /home/u/p/build'");
	/* long values are cut at a character boundary */
	static char longpath[1000];
	memset(longpath, 'x', sizeof(longpath) - 1);
	memcpy(longpath + AV_TEMPLATE_MAX_VALUE - 1, "\xc3\xa9",
	       2); /* é across the cut */
	effect.path = longpath;
	const char *s = format("[{path}]", false);
	assert_int_equal(strlen(s), 1 + (AV_TEMPLATE_MAX_VALUE - 1) + 3 + 1);
	assert_memory_equal(s + strlen(s) - 4, "...]", 4);

	template_error("bad {pth}", false, "unknown field '{pth}'", 4);
	template_error("bad {path", false, "not closed", 4);
	template_error("x {}", false, "empty placeholder", 2);
	template_error("at {path}", true, "always null in an action-level rule", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_literals_and_truthiness, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_equality_and_ordering, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_string_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_lists_with_wildcards, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_under, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_table_complete, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_strings_and_numbers, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_templates, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
