/* test_unwrap.c - sh_unwrap on its own: given one resolved command, which
 * commands and shell texts does it hand back to the evaluator? A recording
 * host stands in for the evaluator, so each answer is checked exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shell/sh_unwrap.h"

#define MAX_CALLS 16

struct rec {
	struct av_arena arena;
	struct av_shell_result result;
	struct av_command cmds[MAX_CALLS + 1];
	/* What the host was asked to do, as text: "text:<what>:<code>" or
	 * "argv:<what>:a b c[:assigns][:opaque]". */
	char calls[MAX_CALLS][256];
	unsigned ncalls;
	const char *stdin_text;
	const char *failed;
};

static void record(struct rec *r, const char *s)
{
	assert_true(r->ncalls < MAX_CALLS);
	snprintf(r->calls[r->ncalls++], sizeof(r->calls[0]), "%s", s);
}

static void h_run_text(void *ctx, uint32_t idx, const char *text, size_t len,
                       const char *what)
{
	(void)idx;
	char buf[256];
	snprintf(buf, sizeof(buf), "text:%s:%.*s", what, (int)len, text);
	record(ctx, buf);
}

static int32_t h_add_inner(void *ctx, uint32_t idx, const char **argv, uint32_t argc,
                           const struct av_assign *assigns, uint32_t nassigns,
                           const char *what, const char *opaque, const char *unresolved)
{
	struct rec *r = ctx;
	(void)idx;
	char buf[256];
	size_t o = (size_t)snprintf(buf, sizeof(buf), "argv:%s:", what);
	for (uint32_t i = 0; i < argc && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
		                      argv[i]);
	for (uint32_t i = 0; i < nassigns && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s=%s", i ? " " : ":",
		                      assigns[i].name, assigns[i].value);
	if (opaque != NULL && o < sizeof(buf))
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ":opaque");
	if (unresolved != NULL && o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, ":unresolved");
	record(r, buf);
	return (int32_t)r->result.ncmds;
}

static void h_mark_opaque(void *ctx, uint32_t idx, const char *reason)
{
	(void)idx;
	char buf[256];
	snprintf(buf, sizeof(buf), "opaque:%s", reason);
	record(ctx, buf);
}

static const char *h_stdin_text(void *ctx, uint32_t idx, size_t *len)
{
	struct rec *r = ctx;
	(void)idx;
	if (r->stdin_text != NULL)
		*len = strlen(r->stdin_text);
	return r->stdin_text;
}

static void h_fail(void *ctx, const char *limit)
{
	((struct rec *)ctx)->failed = limit != NULL ? limit : "nomem";
}

/* Splits line on spaces into command 0 (pipeline position pipe_index) and
 * unwraps it; returns whether sh_unwrap called it a wrapper. */
static bool unwrap_line(struct rec *r, const char *line, uint16_t pipe_index)
{
	static char buf[512];
	static const char *argv[32];
	snprintf(buf, sizeof(buf), "%s", line);
	uint32_t argc = 0;
	for (char *t = buf; *t != '\0' && argc < 31;) {
		argv[argc++] = t;
		char *sp = strchr(t, ' ');
		if (sp == NULL)
			break;
		*sp = '\0';
		t = sp + 1;
	}
	argv[argc] = NULL;
	memset(r->cmds, 0, sizeof(r->cmds));
	r->cmds[0] = (struct av_command){ .argv = argv, .argc = argc, .parent = -1 };
	r->cmds[1] = (struct av_command){ .argv = (const char *[]){ "echo", NULL },
		                          .argc = 1,
		                          .parent = -1 };
	if (pipe_index > 0) { /* command 1 feeds command 0 through a pipe */
		r->cmds[0].pipe_index = 1;
		r->cmds[0].pipe_len = 2;
	}
	r->result = (struct av_shell_result){ .cmds = r->cmds, .ncmds = 1 };
	r->ncalls = 0;
	r->failed = NULL;
	const struct av_sh_unwrap_host host = {
		.ctx = r,
		.arena = &r->arena,
		.result = &r->result,
		.run_text = h_run_text,
		.add_inner = h_add_inner,
		.mark_opaque = h_mark_opaque,
		.stdin_text = h_stdin_text,
		.fail = h_fail,
	};
	return av_sh_unwrap(&host, 0);
}

static int setup(void **state)
{
	static struct rec r;
	memset(&r, 0, sizeof(r));
	av_arena_init(&r.arena, AV_ARENA_DEFAULT_CAP);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	av_arena_free(&((struct rec *)*state)->arena);
	return 0;
}

/* One case: the command line, and the calls the host must see, in order. */
struct ucase {
	const char *line;
	bool wrapper;
	const char *calls[4];
};

static const struct ucase cases[] = {
	/* Wrappers that run the rest of their arguments. */
	{ "sudo -u bob rm x", true, { "argv:run by sudo:rm x" } },
	{ "sudo -l", true, { NULL } }, /* lists, runs nothing */
	{ "sudo -s ls -la", true, { "text:run by sudo -s:ls -la" } },
	{ "timeout -s KILL 5 make test", true, { "argv:run by timeout:make test" } },
	{ "nice -n 10 make", true, { "argv:run by nice:make" } },
	{ "nice -10 make", true, { "argv:run by nice:make" } },
	{ "nohup ./server --port 80", true, { "argv:run by nohup:./server --port 80" } },
	{ "env -i A=1 B=2 printenv", true, { "argv:run by env:printenv:A=1 B=2" } },
	{ "env -u HOME sh", true, { "argv:run by env:sh" } },
	{ "command -v git", true, { NULL } }, /* only looks it up */
	{ "command git push", true, { "argv:run by command:git push" } },
	{ "exec -a name top", true, { "argv:run by exec:top" } },
	{ "flock /tmp/lk -c make", true, { "text:argument of flock -c:make" } },
	{ "taskset -c 0-3 make", true, { "argv:run by taskset:make" } },
	{ "sudo LANG=C make", true, { "argv:run by sudo:make:LANG=C" } },
	{ "python3 -c os.system('r'+'m')",
	  false,
	  { "opaque:the program runs a command line it builds at run time" } },
	{ "taskset -p 3 1234", true, { NULL } },
	{ "setarch x86_64 make", true, { "argv:run by setarch:make" } },
	{ "unshare -r -S 0 id", true, { "argv:run by unshare:id" } },
	{ "script -qc make /dev/null", true, { "text:argument of script -c:make" } },
	{ "script typescript", true, { NULL } },
	{ "vim -c :!make -c :q", false, { "text:ex command of vim:make" } },
	{ "start-stop-daemon -S -x /bin/echo -- hi",
	  false,
	  { "argv:started by start-stop-daemon:/bin/echo hi" } },
	/* Shells given a program. */
	{ "bash -c id", true, { "text:argument of bash -c:id" } },
	{ "sh -xec id", true, { "text:argument of sh -c:id" } },
	{ "bash script.sh", true, { NULL } }, /* a file: the evaluator's business */
	{ "su -c id root", true, { "text:argument of su -c:id" } },
	{ "env -S id", true, { "text:argument of env -S:id" } },
	/* eval runs in the same shell: not a wrapper here. */
	{ "eval ls", false, { NULL } },
	/* Code hidden in other programs' arguments. */
	{ "find . -name *.o -exec rm {} ; -print",
	  false,
	  { "argv:run by find -exec:rm {}:unresolved" } },
	{ "git -c core.pager=less log",
	  false,
	  { "text:value of git -c core.pager:less" } },
	{ "git -c core.fsmonitor=true status", false, { NULL } },
	{ "ssh -o ProxyCommand=nc host", false, { "text:ssh -o ProxyCommand:nc" } },
	{ "tar --to-command=cat -xf a.tar",
	  false,
	  { "text:argument of tar --to-command=:cat" } },
	/* Interpreter code. */
	{ "python3 -c os.system('id')",
	  false,
	  { "text:string run as a command by python code:id" } },
	{ "perl -e `id`", false, { "text:string run as a command by perl code:id" } },
	{ "python3 script.py", false, { NULL } },
	/* Argument vectors, not command lines. */
	{ "perl -e system('chmod','777','f')",
	  false,
	  { "text:string run as a command by perl code:'chmod' '777' 'f'" } },
	{ "node -e spawnSync('chmod',['777','f'])",
	  false,
	  { "text:string run as a command by node code:'chmod' '777' 'f'" } },
	{ "perl -e qx(id)", false, { "text:string run as a command by perl code:id" } },
	{ "perl -e system('chmod','777',$f)",
	  false,
	  { "text:string run as a command by perl code:'chmod' '777'",
	    "opaque:the program runs a command line it builds at run time" } },
	{ "node -e execSync('make',{cwd:d})",
	  false,
	  { "text:string run as a command by node code:make" } },
	/* A command line built at run time makes the interpreter opaque. */
	{ "python3 -c os.system(cmd)",
	  false,
	  { "opaque:the program runs a command line it builds at run time" } },
	{ "python3 -c asyncio.run(main())", false, { NULL } },
	/* awk runs its commands through sh -c. */
	{ "awk BEGIN{system(\"id\")}", false, { "argv:run by awk:sh -c id" } },
	{ "lua -e os.execute('id')",
	  false,
	  { "text:string run as a command by lua code:id" } },
	/* A database cursor's execute() runs SQL, not shell text. */
	{ "python3 -c cur.execute('SELECT')", false, { NULL } },
	{ "ls -la", false, { NULL } },
};

static void test_cases(void **state)
{
	struct rec *r = *state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ucase *c = &cases[i];
		bool w = unwrap_line(r, c->line, 0);
		unsigned want = 0;
		while (want < 4 && c->calls[want] != NULL)
			want++;
		if (w != c->wrapper || r->ncalls != want) {
			print_error("case '%s': wrapper %d (want %d), %u calls (want "
			            "%u)%s%s\n",
			            c->line, w, c->wrapper, r->ncalls, want,
			            r->ncalls ? ", first: " : "",
			            r->ncalls ? r->calls[0] : "");
			fail();
		}
		for (unsigned k = 0; k < want; k++)
			if (strcmp(r->calls[k], c->calls[k]) != 0) {
				print_error("case '%s': call %u is '%s', want '%s'\n",
				            c->line, k, r->calls[k], c->calls[k]);
				fail();
			}
		assert_null(r->failed);
	}
}

/* xargs appends the words it reads when its standard input is known. */
static void test_xargs_known_input(void **state)
{
	struct rec *r = *state;
	r->stdin_text = "a.txt  b.txt\nc.txt\n";
	unwrap_line(r, "xargs rm -f", 1);
	assert_int_equal(r->ncalls, 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm -f a.txt b.txt c.txt");
	/* -d splits on its delimiter only; blanks stay inside arguments. */
	r->stdin_text = "a b,c";
	unwrap_line(r, "xargs -d, rm", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm a b c");
	assert_int_equal(r->ncalls, 1);
	/* Quotes in the default mode, -I and -n are not modelled: opaque
	 * rather than a guessed argv. */
	r->stdin_text = "'a b'";
	unwrap_line(r, "xargs rm", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm:opaque");
	r->stdin_text = "a.txt";
	unwrap_line(r, "xargs -I {} cp {} /tmp", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:cp {} /tmp:opaque");
	unwrap_line(r, "xargs -n 1 rm", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm:opaque");
	/* -r with empty input runs nothing; without -r, xargs runs once. */
	r->stdin_text = "\n";
	unwrap_line(r, "xargs -r rm", 1);
	assert_int_equal(r->ncalls, 0);
	unwrap_line(r, "xargs rm", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm");
	r->stdin_text = NULL;
	unwrap_line(r, "xargs rm -f", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:rm -f");
}

/* A shell run by xargs whose script comes from standard input is opaque. */
static void test_xargs_opaque(void **state)
{
	struct rec *r = *state;
	r->stdin_text = NULL;
	unwrap_line(r, "xargs sh", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:sh:opaque");
	unwrap_line(r, "xargs -I {} sh -c echo{}", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:sh -c echo{}:opaque");
	unwrap_line(r, "xargs -0 grep -l TODO", 1);
	assert_string_equal(r->calls[0], "argv:run by xargs:grep -l TODO");
}

/* An interpreter reading its program from standard input (`python3 <<EOF`,
 * `echo ... | perl`) has the literal command lines in it analysed. */
static void test_interpreter_stdin(void **state)
{
	struct rec *r = *state;
	r->stdin_text = "import os\nos.system('uname -a')\n";
	unwrap_line(r, "python3", 1);
	assert_int_equal(r->ncalls, 1);
	assert_string_equal(r->calls[0],
	                    "text:string run as a command by python code:uname -a");
	unwrap_line(r, "python3 -", 1);
	assert_int_equal(r->ncalls, 1);
	/* A script operand means the program is the file, not stdin. */
	unwrap_line(r, "python3 tool.py", 1);
	assert_int_equal(r->ncalls, 0);
	r->stdin_text = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xargs_known_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xargs_opaque, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interpreter_stdin, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
