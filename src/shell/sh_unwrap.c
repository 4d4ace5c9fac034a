/* sh_unwrap.c - the commands a resolved command runs in turn (sh_unwrap.h):
 * wrappers, shells given a program, code hidden in other programs'
 * arguments, and literal command lines inside interpreter programs.
 *
 * Every table here answers one question about a program the analysis
 * cannot run: "which of its arguments become a command?". A wrong answer
 * either hides a command (the dangerous direction: the inner command is
 * never judged) or invents one (noise), so the option grammars follow the
 * real programs' getopt behaviour (bundled flags, attached arguments,
 * "--"), and anything the tables do not understand is left to the
 * program's own knowledge-base entry rather than guessed. */
#include "sh_unwrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell_internal.h"

struct uw {
	const struct av_sh_unwrap_host *h;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name0(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name(char c)
{
	return is_name0(c) || is_digit(c);
}

static const struct av_command *cmd_at(const struct uw *u, uint32_t idx)
{
	return &u->h->result->cmds[idx];
}

static void out_of_memory(const struct uw *u)
{
	u->h->fail(u->h->ctx, NULL);
}

/* A growing text in the arena (arena memory is not freed, so growth
 * doubles: the waste is bounded by the final size). */
struct ubuf {
	char *buf;
	size_t len, cap;
	bool nomem;
};

static void ub_putn(const struct uw *u, struct ubuf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *nb = av_arena_alloc(u->h->arena, cap);
		if (!nb) {
			b->nomem = true;
			out_of_memory(u);
			return;
		}
		if (b->len)
			memcpy(nb, b->buf, b->len);
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void ub_putc(const struct uw *u, struct ubuf *b, char c)
{
	ub_putn(u, b, &c, 1);
}

/* The text of a finished buffer, or NULL when memory ran out or it is empty. */
static const char *ub_text(const struct ubuf *b)
{
	return b->nomem || b->buf == NULL ? NULL : b->buf;
}

/* Joins argv[from..argc) with single spaces, as sudo -s and watch do. */
static const char *join_args(const struct uw *u, const char *const *argv, uint32_t from,
                             uint32_t argc, size_t *len_out)
{
	struct ubuf b = { 0 };
	for (uint32_t i = from; i < argc; i++) {
		if (i > from)
			ub_putc(u, &b, ' ');
		ub_putn(u, &b, argv[i], strlen(argv[i]));
	}
	*len_out = b.len;
	return ub_text(&b) ? b.buf : (b.nomem ? NULL : "");
}

/* ---- wrappers ----------------------------------------------------------- */

enum wrap_mode {
	WM_EXEC = 0, /* runs the rest of its arguments as a command */
	WM_SHELL,    /* sh -c STRING */
	WM_EVAL,     /* eval: same shell, the evaluator's own business */
	WM_SU,       /* su [-c STRING] (options anywhere) */
};
struct sh_wrapper {
	const char *name;
	enum wrap_mode mode;
	const char *sarg;        /* short options that take an argument */
	const char *const *larg; /* long options that take an argument */
	uint8_t operands;        /* operands before the command (timeout DURATION) */
	char code_short;         /* option whose argument is shell code */
	const char *code_long;   /* its long form */
};

static const char *const sudo_long[] = {
	"user", "group", "prompt",     "close-from", "chdir",           "chroot",
	"role", "type",  "other-user", "auth-type",  "command-timeout", "login-class",
	"host", NULL
};
static const char *const env_long[] = { "unset", "chdir", "split-string", NULL };
static const char *const timeout_long[] = { "signal", "kill-after", NULL };
static const char *const nice_long[] = { "adjustment", NULL };
static const char *const xargs_long[] = { "arg-file",  "delimiter", "max-args",
	                                  "max-procs", "max-chars", "process-slot-var",
	                                  NULL };
static const char *const stdbuf_long[] = { "input", "output", "error", NULL };
static const char *const chroot_long[] = { "userspec", "groups", NULL };
static const char *const watch_long[] = { "interval", NULL };
static const char *const su_long[] = {
	"command", "group",           "supp-group",
	"shell",   "session-command", "whitelist-environment",
	NULL
};
static const char *const pkexec_long[] = { "user", NULL };
static const char *const flock_long[] = { "timeout", "wait", "conflict-exit-code", NULL };
static const char *const time_long[] = { "format", "output", NULL };
static const char *const script_long[] = { "command", "echo",       "log-in", "log-out",
	                                   "log-io",  "log-timing", NULL };
static const char *const unshare_long[] = { "setuid",    "setgid",     "wd",
	                                    "root",      "map-user",   "map-group",
	                                    "map-users", "map-groups", "propagation",
	                                    "setgroups", NULL };

/* Sorted by name (strcmp order) for bsearch. */
static const struct sh_wrapper wrappers[] = {
	{ .name = "ash", .mode = WM_SHELL },
	{ .name = "bash", .mode = WM_SHELL },
	{ .name = "builtin", .mode = WM_EXEC },
	{ .name = "busybox", .mode = WM_EXEC },
	{ .name = "chroot", .mode = WM_EXEC, .larg = chroot_long, .operands = 1 },
	{ .name = "command", .mode = WM_EXEC },
	{ .name = "csh", .mode = WM_SHELL },
	{ .name = "dash", .mode = WM_SHELL },
	{ .name = "doas", .mode = WM_EXEC, .sarg = "uC" },
	{ .name = "env",
	  .mode = WM_EXEC,
	  .sarg = "uCS",
	  .larg = env_long,
	  .code_short = 'S',
	  .code_long = "split-string" },
	{ .name = "eval", .mode = WM_EVAL },
	{ .name = "exec", .mode = WM_EXEC, .sarg = "a" },
	{ .name = "fish", .mode = WM_SHELL },
	{ .name = "flock",
	  .mode = WM_EXEC,
	  .sarg = "wE",
	  .larg = flock_long,
	  .operands = 1 },
	{ .name = "ionice", .mode = WM_EXEC, .sarg = "cnpPu" },
	{ .name = "ksh", .mode = WM_SHELL },
	{ .name = "mksh", .mode = WM_SHELL },
	{ .name = "nice", .mode = WM_EXEC, .sarg = "n", .larg = nice_long },
	{ .name = "nohup", .mode = WM_EXEC },
	{ .name = "pkexec", .mode = WM_EXEC, .larg = pkexec_long },
	{ .name = "rbash", .mode = WM_SHELL },
	/* script -c CMD runs CMD through a shell; without -c it starts an
	 * interactive shell and its operand is a log file, not a command. */
	{ .name = "script",
	  .mode = WM_SU,
	  .sarg = "cEtTIOB",
	  .larg = script_long,
	  .code_short = 'c',
	  .code_long = "command" },
	{ .name = "setarch", .mode = WM_EXEC, .operands = 1 },
	{ .name = "setsid", .mode = WM_EXEC },
	{ .name = "sh", .mode = WM_SHELL },
	{ .name = "stdbuf", .mode = WM_EXEC, .sarg = "ioe", .larg = stdbuf_long },
	{ .name = "strace", .mode = WM_EXEC, .sarg = "abeEIoOpPsSuUX" },
	{ .name = "su",
	  .mode = WM_SU,
	  .sarg = "cgGsw",
	  .larg = su_long,
	  .code_short = 'c',
	  .code_long = "command" },
	{ .name = "sudo", .mode = WM_EXEC, .sarg = "aCcDgpPRrTtUu", .larg = sudo_long },
	{ .name = "taskset", .mode = WM_EXEC, .operands = 1 },
	{ .name = "tcsh", .mode = WM_SHELL },
	{ .name = "time", .mode = WM_EXEC, .sarg = "fo", .larg = time_long },
	{ .name = "timeout",
	  .mode = WM_EXEC,
	  .sarg = "sk",
	  .larg = timeout_long,
	  .operands = 1 },
	{ .name = "unshare", .mode = WM_EXEC, .sarg = "SGwR", .larg = unshare_long },
	{ .name = "watch", .mode = WM_EXEC, .sarg = "n", .larg = watch_long },
	{ .name = "xargs", .mode = WM_EXEC, .sarg = "adEILnPs", .larg = xargs_long },
	{ .name = "zsh", .mode = WM_SHELL },
};

static int wrapper_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sh_wrapper *)elem)->name);
}

static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (; list && *list; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return true;
	return false;
}

struct wscan {
	uint32_t i;       /* first operand */
	bool seen[128];   /* short options seen */
	const char *code; /* argument of the code option, if given */
};

/* Steps over a wrapper's options the way getopt does (bundled short options,
 * attached or separate arguments, --long[=value], "--"). With permute, keeps
 * scanning past operands (GNU su) and leaves i at argc. */
static void wrapper_scan(const struct sh_wrapper *w, const char *const *argv,
                         uint32_t argc, bool permute, struct wscan *ws)
{
	uint32_t i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0') {
			if (!permute)
				break;
			i++;
			continue;
		}
		if (a[1] == '-') {
			if (a[2] == '\0') {
				i++;
				break;
			}
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const char *val = eq ? eq + 1 : NULL;
			if (!eq && in_list(w->larg, name, n)) {
				val = i + 1 < argc ? argv[i + 1] : NULL;
				i++;
			}
			if (w->code_long && strlen(w->code_long) == n &&
			    memcmp(w->code_long, name, n) == 0)
				ws->code = val;
			i++;
			continue;
		}
		if (strcmp(w->name, "nice") == 0 && (is_digit(a[1]) || a[1] == '+')) {
			i++; /* old-style nice -10 */
			continue;
		}
		for (size_t j = 1; a[j]; j++) {
			unsigned char ch = (unsigned char)a[j];
			if (ch < 128)
				ws->seen[ch] = true;
			if (w->sarg && strchr(w->sarg, ch)) {
				const char *val = a[j + 1] ? a + j + 1 : NULL;
				if (!val) {
					val = i + 1 < argc ? argv[i + 1] : NULL;
					i++;
				}
				if (ch == (unsigned char)w->code_short)
					ws->code = val;
				break;
			}
		}
		i++;
	}
	ws->i = i > argc ? argc : i;
}

static bool is_assignment_word(const char *a, size_t *name_len)
{
	size_t n = 0;
	if (!is_name0(a[0]))
		return false;
	while (is_name(a[n]))
		n++;
	if (a[n] != '=')
		return false;
	*name_len = n;
	return true;
}

/* Runs the code string of a wrapper as shell text one level deeper. */
static void unwrap_code(struct uw *u, uint32_t idx, const char *code, const char *what)
{
	u->h->run_text(u->h->ctx, idx, code, strlen(code), what);
}

/* ---- code hidden in other programs' arguments --------------------------- */

/* Appends argv[0..argc) as a command that command idx runs (find -exec).
 * The words stay borrowed from idx's argv. find puts each path it finds in
 * place of {}: those arguments are known only at run time. */
static void add_inner(struct uw *u, uint32_t idx, const char **argv, uint32_t argc,
                      const char *what)
{
	const char *unresolved = NULL;
	for (uint32_t i = 0; i < argc; i++)
		if (strstr(argv[i], "{}") != NULL)
			unresolved = "find puts each path it finds in place of {}";
	if (argc > 0)
		u->h->add_inner(u->h->ctx, idx, argv, argc, NULL, 0, what, NULL,
		                unresolved);
}

/* Reads a quoted literal starting at s (at the quote) into the arena,
 * undoing backslash escapes; *end is set past the closing quote. NULL when
 * it does not close. */
static const char *read_literal(struct uw *u, const char *s, const char **end)
{
	char q = s[0];
	struct ubuf w = { 0 };
	const char *p = s + 1;
	for (; *p && *p != q; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			ub_putc(u, &w, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
			continue;
		}
		ub_putc(u, &w, *p);
	}
	if (*p != q)
		return NULL;
	*end = p + 1;
	return w.buf ? ub_text(&w) : (w.nomem ? NULL : "");
}

static bool ident_char(char c)
{
	return is_name(c);
}

/* Calls that always run a command line or program: one whose argument is
 * not a string literal (a variable, a decoded string, a concatenation) runs
 * something only known at run time. Generic names (call, run, exec) are
 * left out: in Python `asyncio.run(main())` and `exec(code)` run no
 * command, and calling them opaque would flag ordinary code. */
static bool runs_dynamic_command(const char *p, size_t n, const char *q)
{
	static const char *const strong[] = {
		"system",          "popen",      "execSync",  "spawnSync",
		"execFileSync",    "execvp",     "execv",     "execve",
		"execl",           "execlp",     "getoutput", "check_output",
		"getstatusoutput", "check_call", "Popen",     "shell_exec",
		"passthru",        "proc_open",
	};
	if (*q == ')' || *q == '\0')
		return false; /* no argument */
	for (size_t k = 0; k < sizeof(strong) / sizeof(strong[0]); k++)
		if (strlen(strong[k]) == n && memcmp(strong[k], p, n) == 0)
			return true;
	return false;
}

/* Perl's qx with a bracketing or other delimiter at d (qx(...), qx{...},
 * qx/.../): the text up to the closing delimiter, or NULL. */
static const char *read_qx(struct uw *u, const char *d, const char **end)
{
	static const char open[] = "({[<", close[] = ")}]>";
	const char *o = strchr(open, *d);
	char c = o != NULL ? close[o - open] : *d;
	const char *e = strchr(d + 1, c);
	if (e == NULL)
		return NULL;
	*end = e + 1;
	return av_arena_strndup(u->h->arena, d + 1, (size_t)(e - (d + 1)));
}

/* After a first string literal argument (ending at *end): when further
 * literal arguments follow (Perl's system("chmod", "777", "f"), Node's
 * spawnSync("chmod", ["777", "f"])), the call takes an argument vector,
 * not a command line: returns it as shell text of quoted words and moves
 * *end past it. Otherwise returns first unchanged. */
static const char *more_literal_args(struct uw *u, const char *first, const char **end,
                                     bool *dynamic)
{
	struct ubuf w = { 0 };
	const char *q = *end;
	int extra = 0;
	for (;;) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != ',')
			break;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		bool list = *q == '[';
		if (list)
			q++;
		const char *start = q;
		for (;;) {
			while (*q == ' ' || *q == '\t' || (list && *q == ','))
				q++;
			if (*q != '"' && *q != '\'')
				break;
			const char *e;
			const char *word = read_literal(u, q, &e);
			if (word == NULL)
				return first;
			ub_putc(u, &w, ' ');
			ub_putc(u, &w, '\'');
			ub_putn(u, &w, word, strlen(word));
			ub_putc(u, &w, '\'');
			extra++;
			q = e;
			if (!list)
				break;
		}
		if (list) {
			if (*q != ']')
				return first;
			q++;
		} else if (q == start) {
			/* An options object or a keyword argument ends the
			 * arguments; anything else (a variable) is an argument
			 * known only at run time. */
			size_t k = 0;
			while (ident_char(q[k]))
				k++;
			if (*q != '{' && !(k > 0 && q[k] == '='))
				*dynamic = true;
			break;
		}
	}
	if (extra == 0 || ub_text(&w) == NULL)
		return first;
	struct ubuf all = { 0 };
	ub_putc(u, &all, '\'');
	ub_putn(u, &all, first, strlen(first));
	ub_putc(u, &all, '\'');
	ub_putn(u, &all, w.buf, w.len);
	if (ub_text(&all) == NULL)
		return first;
	*end = q;
	return all.buf;
}

/* Interpreter code passes shell command lines to system(), os.system(),
 * subprocess, child_process.exec, popen, backticks...: when the argument is
 * a string literal (or a list of them) it is analysed as the shell text it
 * becomes, one level deeper. lang selects awk pipes and Perl/Ruby/PHP
 * backticks. */
static void scan_code_literals(struct uw *u, uint32_t idx, const char *code,
                               const char *lang)
{
	static const char *const calls[] = {
		"system",       "exec",       "execSync",  "popen",
		"shell_exec",   "passthru",   "getoutput", "getstatusoutput",
		"check_output", "check_call", "call",      "run",
		"Popen",        "proc_open",  "spawnSync", "execFileSync",
		"qx",           "%x"
	};
	bool backticks = strcmp(lang, "perl") == 0 || strcmp(lang, "ruby") == 0 ||
	                 strcmp(lang, "php") == 0;
	bool awk = strcmp(lang, "awk") == 0;
	bool node = strcmp(lang, "node") == 0;
	/* AppleScript's `do shell script "..."`. */
	bool applescript = strcmp(lang, "applescript") == 0;
	/* Lua's os.execute. Only for Lua: in Python `execute` is the database
	 * cursor's method, and its SQL is not shell text. */
	bool lua = strcmp(lang, "lua") == 0;
	char what[64];
	snprintf(what, sizeof(what), "string run as a command by %.20s code", lang);
	int found = 0;
	bool dynamic = false;
	for (const char *p = code; *p && found < 16; p++) {
		const char *lit = NULL, *end = NULL;
		if ((backticks && *p == '`') ||
		    (node && *p == '`' && p > code && p[-1] == '$')) {
			/* Perl/Ruby/PHP backticks; zx's $`...` in JavaScript. */
			lit = read_literal(u, p, &end);
		} else if (awk && (*p == '"')) {
			/* "cmd" | getline, and print ... | "cmd" */
			const char *before = p;
			while (before > code && (before[-1] == ' ' || before[-1] == '\t'))
				before--;
			const char *l = read_literal(u, p, &end);
			const char *after = end ? end : p + 1;
			while (*after == ' ' || *after == '\t')
				after++;
			if (l &&
			    ((before > code && before[-1] == '|' &&
			      !(before - 1 > code && before[-2] == '|')) ||
			     (after[0] == '|' &&
			      strncmp(after + 1, " getline", 8) == 0) ||
			     (after[0] == '|' && strncmp(after + 1, "getline", 7) == 0)))
				lit = l;
			if (end)
				p = end - 1;
		} else if ((p == code || !ident_char(p[-1])) &&
		           (ident_char(*p) || *p == '%')) {
			size_t n = 0;
			while (ident_char(p[n]) || (n == 0 && p[n] == '%'))
				n++;
			bool call = false;
			for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
				if (strlen(calls[k]) == n && memcmp(calls[k], p, n) == 0)
					call = true;
			if ((applescript && n == 6 && memcmp(p, "script", 6) == 0) ||
			    (lua && n == 7 && memcmp(p, "execute", 7) == 0))
				call = true;
			if (!call) {
				p += n - 1;
				continue;
			}
			const char *q = p + n;
			while (*q == ' ' || *q == '\t' || *q == '(' || *q == '{')
				q++;
			if (*q == '[') { /* a list of words: ["sh", "-c", "..."] */
				struct ubuf w = { 0 };
				for (q++; *q && *q != ']';) {
					if (*q == '"' || *q == '\'') {
						const char *e2;
						const char *word =
						        read_literal(u, q, &e2);
						if (!word)
							break;
						if (w.len)
							ub_putc(u, &w, ' ');
						ub_putc(u, &w, '\'');
						ub_putn(u, &w, word, strlen(word));
						ub_putc(u, &w, '\'');
						q = e2;
					} else {
						q++;
					}
				}
				if (ub_text(&w) && w.len > 1)
					lit = w.buf;
				end = q;
			} else if (*q == '"' || *q == '\'' || *q == '`') {
				lit = read_literal(u, q, &end);
				const char *after = end;
				while (after != NULL && (*after == ' ' || *after == '\t'))
					after++;
				if (lit != NULL && after != NULL &&
				    (*after == '+' || *after == '%' || *after == '.')) {
					/* "r" + "m /tmp/x", "%s" % x, "rm " . $f,
					 * "{}".format(x): the literal is only a piece
					 * of the command line built at run time. */
					lit = NULL;
					dynamic = true;
				} else if (lit != NULL && end != NULL) {
					lit = more_literal_args(u, lit, &end, &dynamic);
				}
			} else if (n == 2 && p[0] == 'q' && p[1] == 'x' && p[2] != '\0' &&
			           strchr("({[</|!", p[2]) != NULL) {
				lit = read_qx(u, p + 2, &end); /* perl qx(...) */
			}
			if (!lit) {
				if (runs_dynamic_command(p, n, q))
					dynamic = true;
				p += n - 1;
				continue;
			}
		}
		if (lit && lit[0]) {
			found++;
			if (awk) {
				/* awk's system() and pipes run the text through sh -c,
				 * which bash (and the oracle) see as a command. */
				const char **av =
				        av_arena_alloc(u->h->arena, 4 * sizeof(*av));
				if (av == NULL) {
					out_of_memory(u);
					return;
				}
				av[0] = "sh";
				av[1] = "-c";
				av[2] = lit;
				av[3] = NULL;
				u->h->add_inner(u->h->ctx, idx, av, 3, NULL, 0,
				                "run by awk", NULL, NULL);
			} else {
				unwrap_code(u, idx, lit, what);
			}
		}
		if (end && end > p)
			p = end - 1;
	}
	if (dynamic)
		u->h->mark_opaque(
		        u->h->ctx, idx,
		        "the program runs a command line it builds at run time");
}

/* The inline program of an interpreter command, or NULL: awk's first
 * operand, perl/ruby/lua -e, python -c, node -e/-p/--eval, php -r. */
static const char *interp_code(const char *const *argv, uint32_t argc, const char *name,
                               const char **lang)
{
	static const struct {
		const char *name, *lang, *letters, *sarg;
	} langs[] = {
		{ "awk", "awk", "", "Ffv" },
		{ "gawk", "awk", "", "Ffv" },
		{ "mawk", "awk", "", "Ffv" },
		{ "nawk", "awk", "", "Ffv" },
		{ "node", "node", "ep", "r" },
		{ "nodejs", "node", "ep", "r" },
		{ "perl", "perl", "eE", "IMx" },
		{ "php", "php", "r", "cdfzSt" },
		{ "python", "python", "c", "mWXQ" },
		{ "python2", "python", "c", "mWXQ" },
		{ "python3", "python", "c", "mWXQ" },
		{ "ruby", "ruby", "e", "Ir" },
		{ "lua", "lua", "e", "l" },
		{ "luajit", "lua", "e", "l" },
		{ "bun", "node", "e", "r" },
		{ "deno", "node", "", "" },
		{ "osascript", "applescript", "e", "l" },
	};
	char base[16];
	size_t bn = strcspn(name, ".");
	if (bn >= sizeof(base))
		return NULL;
	memcpy(base, name, bn);
	base[bn] = '\0';
	for (size_t k = 0; k < sizeof(langs) / sizeof(langs[0]); k++) {
		if (strcmp(base, langs[k].name) != 0)
			continue;
		*lang = langs[k].lang;
		bool awk = strcmp(langs[k].lang, "awk") == 0;
		for (uint32_t i = 1; i < argc; i++) {
			const char *a = argv[i];
			if (strcmp(a, "--") == 0)
				return awk && i + 1 < argc ? argv[i + 1] : NULL;
			if (strncmp(a, "--eval", 6) == 0 ||
			    strncmp(a, "--print", 7) == 0) {
				const char *eq = strchr(a, '=');
				return eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
			}
			if (a[0] != '-' || a[1] == '\0')
				return awk ? a : NULL;
			if (a[1] == '-')
				continue;
			for (size_t j = 1; a[j]; j++) {
				if (awk && a[j] == 'f')
					return NULL; /* the program is a file */
				if (strchr(langs[k].letters, a[j]) && a[j])
					return a[j + 1] ? a + j + 1
					                : (i + 1 < argc ? argv[i + 1]
					                                : NULL);
				if (strchr(langs[k].sarg, a[j])) {
					if (!a[j + 1])
						i++;
					break;
				}
			}
		}
		return NULL;
	}
	return NULL;
}

/* True when an interpreter without an inline program reads it from
 * standard input (`python3 <<EOF`, `echo ... | perl`): no operand, or "-".
 * Options are not told apart from their arguments here, so `python3 -W
 * ignore` counts as having an operand: the safe direction is to miss
 * (the interpreter's own rules still apply), never to invent a program. */
static bool program_on_stdin(const char *const *argv, uint32_t argc, const char *lang)
{
	if (strcmp(lang, "awk") == 0)
		return false; /* awk's program is an operand, never stdin */
	for (uint32_t i = 1; i < argc; i++)
		if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)
			return strcmp(argv[i], "-") == 0 && i + 1 == argc;
	return true;
}

/* git configuration keys whose value git runs as a shell command. */
static bool git_code_key(const char *key, size_t n)
{
	static const char *const keys[] = { "core.pager",       "core.sshcommand",
		                            "core.fsmonitor",   "core.editor",
		                            "core.askpass",     "sequence.editor",
		                            "diff.external",    "gpg.program",
		                            "credential.helper" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && strncasecmp(keys[i], key, n) == 0)
			return true;
	return (n > 6 && strncasecmp(key, "pager.", 6) == 0) ||
	       (n > 6 && strncasecmp(key, "alias.", 6) == 0) ||
	       (n > 7 && strncasecmp(key, "filter.", 7) == 0);
}

/* Options of ordinary programs whose argument is a command line they run. */
static const struct {
	const char *prog;
	const char *opt; /* "--x=" takes the rest; "-x" takes the next word */
} code_opts[] = {
	{ "rsync", "--rsh=" },
	{ "rsync", "-e" },
	{ "tar", "--checkpoint-action=exec=" },
	{ "tar", "--info-script=" },
	{ "tar", "--new-volume-script=" },
	{ "tar", "--rsh-command=" },
	{ "tar", "--to-command=" },
	{ "tar", "--use-compress-program=" },
	{ "tar", "-I" },
	{ "tar", "-F" },
	{ "zip", "--unzip-command=" },
	{ "zip", "-TT" },
};

/* Code inside the arguments of find, xargs-free programs, git -c, npm pkg
 * set scripts, interpreters: analysed as the commands it runs. Returns true
 * when command idx was fully handled. */
static bool unwrap_hidden(struct uw *u, uint32_t idx, const char *name)
{
	const struct av_command *c = &u->h->result->cmds[idx];
	const char **argv = c->argv;
	uint32_t argc = c->argc;
	if (strcmp(name, "find") == 0) {
		for (uint32_t i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-exec") != 0 &&
			    strcmp(argv[i], "-execdir") != 0 &&
			    strcmp(argv[i], "-ok") != 0 && strcmp(argv[i], "-okdir") != 0)
				continue;
			uint32_t j = i + 1;
			while (j < argc && strcmp(argv[j], ";") != 0 &&
			       strcmp(argv[j], "+") != 0)
				j++;
			add_inner(u, idx, argv + i + 1, j - i - 1, "run by find -exec");
			c = &u->h->result->cmds[idx];
			argv = c->argv;
			i = j;
		}
		return true;
	}
	if (strcmp(name, "git") == 0) {
		for (uint32_t i = 1; i + 1 < argc && argv[i][0] == '-'; i++) {
			const char *a = argv[i];
			if (strcmp(a, "-C") == 0 || strcmp(a, "--git-dir") == 0 ||
			    strcmp(a, "--work-tree") == 0) {
				i++;
				continue;
			}
			if (strcmp(a, "-c") != 0)
				continue;
			const char *kv = argv[++i];
			const char *eq = strchr(kv, '=');
			if (!eq || !git_code_key(kv, (size_t)(eq - kv)))
				continue;
			const char *v = eq + 1;
			if (v[0] == '!')
				v++;
			if (strncasecmp(kv, "core.fsmonitor", 14) == 0 &&
			    (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
				continue;
			char what[64];
			snprintf(what, sizeof(what), "value of git -c %.*s",
			         (int)((size_t)(eq - kv) < 40 ? eq - kv : 40), kv);
			unwrap_code(u, idx, v, what);
		}
		return true;
	}
	if ((strcmp(name, "npm") == 0 || strcmp(name, "pnpm") == 0 ||
	     strcmp(name, "yarn") == 0) &&
	    argc >= 4 && strcmp(argv[1], "pkg") == 0 && strcmp(argv[2], "set") == 0) {
		for (uint32_t i = 3; i < argc; i++) {
			const char *eq = strchr(argv[i], '=');
			if (eq && strncmp(argv[i], "scripts.", 8) == 0)
				unwrap_code(u, idx, eq + 1,
				            "package script set by npm pkg set");
		}
		return true;
	}
	/* vim -c ':!CMD' and +'!CMD' run CMD through the shell. */
	if (strcmp(name, "vim") == 0 || strcmp(name, "vi") == 0 ||
	    strcmp(name, "nvim") == 0 || strcmp(name, "ex") == 0 ||
	    strcmp(name, "view") == 0) {
		for (uint32_t i = 1; i < argc; i++) {
			const char *e = NULL;
			if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
				e = argv[++i];
			else if (argv[i][0] == '+')
				e = argv[i] + 1;
			while (e != NULL && (*e == ':' || *e == ' '))
				e++;
			if (e != NULL && *e == '!' && e[1] != '\0')
				unwrap_code(u, idx, e + 1, "ex command of vim");
		}
		return true;
	}
	/* start-stop-daemon --exec PATH [-- ARGS]: starts PATH with ARGS. */
	if (strcmp(name, "start-stop-daemon") == 0) {
		uint32_t x = 0, dd = argc;
		for (uint32_t i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--") == 0) {
				dd = i;
				break;
			}
			if ((strcmp(argv[i], "-x") == 0 ||
			     strcmp(argv[i], "--exec") == 0 ||
			     strcmp(argv[i], "-a") == 0 ||
			     strcmp(argv[i], "--startas") == 0) &&
			    i + 1 < argc)
				x = ++i;
		}
		if (x == 0)
			return true;
		uint32_t n = 1 + (dd < argc ? argc - dd - 1 : 0);
		const char **av = av_arena_alloc(u->h->arena, sizeof(*av) * (n + 1));
		if (av == NULL) {
			out_of_memory(u);
			return true;
		}
		av[0] = argv[x];
		for (uint32_t k = 1; k < n; k++)
			av[k] = argv[dd + k];
		av[n] = NULL;
		add_inner(u, idx, av, n, "started by start-stop-daemon");
		return true;
	}
	if (strcmp(name, "ssh") == 0) {
		for (uint32_t i = 1; i < argc; i++) {
			const char *o = NULL;
			if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
				o = argv[++i];
			else if (strncmp(argv[i], "-o", 2) == 0)
				o = argv[i] + 2;
			if (o && (strncasecmp(o, "ProxyCommand=", 13) == 0 ||
			          strncasecmp(o, "LocalCommand=", 13) == 0))
				unwrap_code(u, idx, o + 13, "ssh -o ProxyCommand");
		}
		return true;
	}
	bool any = false;
	for (size_t k = 0; k < sizeof(code_opts) / sizeof(code_opts[0]); k++) {
		if (strcmp(name, code_opts[k].prog) != 0)
			continue;
		any = true;
		const char *o = code_opts[k].opt;
		size_t n = strlen(o);
		for (uint32_t i = 1; i < argc; i++) {
			const char *v = NULL;
			if (o[n - 1] == '=' && strncmp(argv[i], o, n) == 0)
				v = argv[i] + n;
			else if (o[n - 1] != '=' && strcmp(argv[i], o) == 0 &&
			         i + 1 < argc)
				v = argv[i + 1];
			if (v && v[0]) {
				char what[64];
				snprintf(what, sizeof(what), "argument of %.10s %.30s",
				         name, o);
				unwrap_code(u, idx, v, what);
			}
		}
	}
	if (any)
		return true;
	const char *lang = NULL;
	const char *code = interp_code(argv, argc, name, &lang);
	size_t len;
	if (code == NULL && lang != NULL && program_on_stdin(argv, argc, lang))
		code = u->h->stdin_text(u->h->ctx, idx, &len);
	if (code) {
		scan_code_literals(u, idx, code, lang);
		return true;
	}
	return false;
}

/* Runs argv[from..argc) joined by spaces as shell text (sudo -s, watch). */
static void unwrap_joined(struct uw *u, uint32_t idx, const char *const *argv,
                          uint32_t from, uint32_t argc, const char *what)
{
	size_t len;
	const char *text = join_args(u, argv, from, argc, &len);
	if (text)
		u->h->run_text(u->h->ctx, idx, text, len, what);
}

/* xargs: why the command it runs is not fully known, or NULL. The command
 * is known; only its arguments come from standard input. That hides code
 * only when a shell or eval gets its program from there (a script name, or
 * -I text inside sh -c), or when the arguments come from a download. */
static const char *xargs_opaque(const struct uw *u, uint32_t idx, const char *const *argv,
                                uint32_t i, uint32_t argc)
{
	const char *repl = NULL;
	for (uint32_t k = 1; k < i; k++) {
		if (strcmp(argv[k], "-I") == 0 && k + 1 < i)
			repl = argv[k + 1];
		else if (strncmp(argv[k], "-I", 2) == 0 && argv[k][2])
			repl = argv[k] + 2;
		else if (strcmp(argv[k], "-i") == 0 || strcmp(argv[k], "--replace") == 0)
			repl = "{}";
		else if (strncmp(argv[k], "--replace=", 10) == 0)
			repl = argv[k] + 10;
	}
	/* Arguments read from a download are chosen by whoever serves it. */
	static const char *const fetchers[] = { "curl",  "wget",   "nc",   "ncat",
		                                "socat", "aria2c", "fetch" };
	const struct av_command *c = cmd_at(u, idx);
	int32_t src = c->pipe_index > 0 ? av_shell_pipe_source(u->h->result, idx) : -1;
	const char *from = src >= 0 && cmd_at(u, (uint32_t)src)->argc
	                           ? av_shell_basename(cmd_at(u, (uint32_t)src)->argv[0])
	                           : "";
	for (size_t k = 0; k < sizeof(fetchers) / sizeof(fetchers[0]); k++)
		if (strcmp(from, fetchers[k]) == 0)
			return "xargs takes its arguments from data fetched from the "
			       "network";
	const char *inner = av_shell_basename(argv[i]);
	if (strcmp(inner, "eval") == 0)
		return "eval runs text read from standard input by xargs";
	if (av_shell_is_shell(inner)) {
		struct av_sh_invocation inv;
		av_shell_sh_invocation(argv + i, argc - i, &inv);
		if (inv.mode != AV_SH_INLINE)
			return "a shell runs scripts named on standard input by xargs";
		if (repl && repl[0] && inv.code && strstr(inv.code, repl))
			return "xargs -I puts standard input into the shell code";
	}
	return NULL;
}

/* How xargs splits its input into arguments (from its options before the
 * command, argv[1..i)). */
struct xsplit {
	char delim;     /* 0: blanks and newlines (the default) */
	bool nul;       /* -0 / --null: NUL bytes */
	bool per_line;  /* -I/-i/-L/-l/-n: several commands, or replacement */
	bool bad_delim; /* a -d we do not model */
};

static void xargs_split_mode(const char *const *argv, uint32_t i, struct xsplit *x)
{
	for (uint32_t k = 1; k < i; k++) {
		const char *a = argv[k];
		const char *d = NULL;
		if (strcmp(a, "-0") == 0 || strcmp(a, "--null") == 0)
			x->nul = true;
		else if (strcmp(a, "-d") == 0 && k + 1 < i)
			d = argv[++k];
		else if (strncmp(a, "-d", 2) == 0 && a[2])
			d = a + 2;
		else if (strncmp(a, "--delimiter=", 12) == 0)
			d = a + 12;
		else if (strncmp(a, "-I", 2) == 0 || strcmp(a, "-i") == 0 ||
		         strncmp(a, "--replace", 9) == 0 || strncmp(a, "-L", 2) == 0 ||
		         strcmp(a, "-l") == 0 || strncmp(a, "-n", 2) == 0 ||
		         strncmp(a, "--max-args", 10) == 0 ||
		         strncmp(a, "--max-lines", 11) == 0)
			x->per_line = true;
		if (d != NULL) {
			if (d[0] != '\0' && d[1] == '\0')
				x->delim = d[0];
			else if (strcmp(d, "\\n") == 0)
				x->delim = '\n';
			else
				x->bad_delim = true;
		}
	}
}

/* The next argument of text[*pos..len) under mode x: sets *start and *n and
 * returns true, or false at the end. Default mode skips blank runs; a
 * delimiter mode yields every field, empty ones included, except that a
 * delimiter at the very end does not start another field. */
static bool xargs_next(const char *text, size_t len, size_t *pos, const struct xsplit *x,
                       size_t *start, size_t *n)
{
	size_t p = *pos;
	if (x->nul || x->delim) {
		char sep = x->nul ? '\0' : x->delim;
		if (p >= len)
			return false;
		size_t e = p;
		while (e < len && text[e] != sep)
			e++;
		*start = p;
		*n = e - p;
		*pos = e + 1;
		return true;
	}
	while (p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n'))
		p++;
	if (p >= len)
		return false;
	size_t e = p;
	while (e < len && text[e] != ' ' && text[e] != '\t' && text[e] != '\n')
		e++;
	*start = p;
	*n = e - p;
	*pos = e;
	return true;
}

/* xargs appends the arguments it reads to the command: when its standard
 * input is known (echo, printf), so are they. Returns the argv to run
 * (iargv itself when the input is unknown); *iargc is updated. When the
 * input is known but the way xargs turns it into commands is not modelled
 * (quotes in default mode, -I replacement, -n batching), *opaque says so:
 * guessing would give a wrong argv. */
static const char **xargs_words(struct uw *u, uint32_t idx, const char *const *argv,
                                uint32_t i, const char **iargv, uint32_t *iargc,
                                const char **opaque)
{
	size_t len = 0;
	const char *text = u->h->stdin_text(u->h->ctx, idx, &len);
	if (text == NULL)
		return iargv;
	struct xsplit x = { 0 };
	xargs_split_mode(argv, i, &x);
	/* In its default mode xargs interprets quotes and backslashes. */
	bool quoting =
	        !x.nul && !x.delim &&
	        (memchr(text, '\'', len) != NULL || memchr(text, '"', len) != NULL ||
	         memchr(text, '\\', len) != NULL);
	if (x.per_line || x.bad_delim || quoting) {
		*opaque =
		        "xargs builds its commands from its input in a way not modelled "
		        "here (quotes, -I, -n, -L or an unusual -d)";
		return iargv;
	}
	uint32_t words = 0;
	size_t pos = 0, st, n;
	while (xargs_next(text, len, &pos, &x, &st, &n))
		words++;
	if (words == 0)
		return iargv;
	if (*iargc + (uint64_t)words > AV_SHELL_MAX_ARGS) {
		u->h->fail(u->h->ctx, "AV_SHELL_MAX_ARGS");
		return iargv;
	}
	const char **v = av_arena_alloc(u->h->arena, sizeof(*v) * (*iargc + words + 1));
	if (v == NULL) {
		out_of_memory(u);
		return iargv;
	}
	uint32_t k = 0;
	for (; k < *iargc; k++)
		v[k] = iargv[k];
	pos = 0;
	while (xargs_next(text, len, &pos, &x, &st, &n))
		if ((v[k++] = av_arena_strndup(u->h->arena, text + st, n)) == NULL) {
			out_of_memory(u);
			return iargv;
		}
	v[k] = NULL;
	*iargc = k;
	return v;
}

/* xargs -r (--no-run-if-empty) with known input that holds no argument
 * runs nothing. */
static bool xargs_runs_nothing(struct uw *u, uint32_t idx, const char *const *argv,
                               uint32_t i)
{
	bool r = false;
	for (uint32_t k = 1; k < i; k++)
		if (strcmp(argv[k], "-r") == 0 ||
		    strcmp(argv[k], "--no-run-if-empty") == 0)
			r = true;
	size_t len = 0;
	const char *text = r ? u->h->stdin_text(u->h->ctx, idx, &len) : NULL;
	if (text == NULL)
		return false;
	for (size_t k = 0; k < len; k++)
		if (text[k] != ' ' && text[k] != '\t' && text[k] != '\n')
			return false;
	return true;
}

/* env NAME=VALUE ... : the assignments given to the inner command, from
 * argv[*i] on; *i moves past them. Returns false when memory ran out. */
static bool env_assigns(struct uw *u, const char *const *argv, uint32_t argc, uint32_t *i,
                        struct av_assign **out, uint32_t *nout)
{
	size_t n = 0;
	uint32_t first = *i;
	while (*i < argc && is_assignment_word(argv[*i], &n))
		(*i)++;
	if (*i == first)
		return true;
	struct av_assign *a = av_arena_alloc(u->h->arena, sizeof(*a) * (*i - first));
	if (a == NULL) {
		out_of_memory(u);
		return false;
	}
	for (uint32_t k = first; k < *i; k++) {
		is_assignment_word(argv[k], &n);
		a[k - first].name = av_arena_strndup(u->h->arena, argv[k], n);
		a[k - first].value = argv[k] + n + 1;
		if (a[k - first].name == NULL) {
			out_of_memory(u);
			return false;
		}
	}
	*out = a;
	*nout = *i - first;
	return true;
}

bool av_sh_unwrap(const struct av_sh_unwrap_host *host, uint32_t idx)
{
	struct uw uw = { .h = host };
	struct uw *u = &uw;
	const struct av_command *c = cmd_at(u, idx);
	if (c->argc == 0)
		return false;
	const char *name = av_shell_basename(c->argv[0]);
	const struct sh_wrapper *w =
	        bsearch(name, wrappers, sizeof(wrappers) / sizeof(wrappers[0]),
	                sizeof(wrappers[0]), wrapper_cmp);
	if (!w) {
		unwrap_hidden(u, idx, name);
		return false;
	}
	const char **argv = c->argv;
	uint32_t argc = c->argc;
	char what[64];

	if (w->mode == WM_EVAL)
		return false; /* same shell: the evaluator runs it */
	if (w->mode == WM_SHELL) {
		struct av_sh_invocation inv;
		av_shell_sh_invocation(argv, argc, &inv);
		if (inv.mode == AV_SH_INLINE && inv.code) {
			snprintf(what, sizeof(what), "argument of %.20s -c", name);
			unwrap_code(u, idx, inv.code, what);
		}
		return true;
	}
	struct wscan ws = { 0 };
	wrapper_scan(w, argv, argc, w->mode == WM_SU, &ws);
	if (ws.code) {
		snprintf(what, sizeof(what), "argument of %.20s -%c", name,
		         w->code_short ? w->code_short : 'c');
		unwrap_code(u, idx, ws.code, what);
		return true;
	}
	if (w->mode == WM_SU)
		return true;
	uint32_t i = ws.i;
	const char *opaque = NULL;
	if (strcmp(name, "sudo") == 0) {
		if (ws.seen['l'] || ws.seen['e'] || ws.seen['V'] || ws.seen['v'])
			return true; /* lists, edits or validates: no command runs */
		if ((ws.seen['s'] || ws.seen['i']) && i < argc) {
			/* sudo -s/-i CMD runs CMD through the target user's shell. */
			unwrap_joined(u, idx, argv, i, argc, "run by sudo -s");
			return true;
		}
	} else if (strcmp(name, "doas") == 0 && ws.seen['s']) {
		return true;
	} else if (strcmp(name, "command") == 0 && (ws.seen['v'] || ws.seen['V'])) {
		return true; /* only looks the name up */
	} else if (strcmp(name, "taskset") == 0 && ws.seen['p']) {
		return true; /* changes a running process's affinity */
	} else if (strcmp(name, "ionice") == 0 &&
	           (ws.seen['p'] || ws.seen['P'] || ws.seen['u'])) {
		return true;
	} else if (strcmp(name, "watch") == 0 && !ws.seen['x'] && i < argc) {
		unwrap_joined(u, idx, argv, i, argc, "run by watch");
		return true;
	} else if (strcmp(name, "xargs") == 0 && i < argc) {
		opaque = xargs_opaque(u, idx, argv, i, argc);
	}
	i += w->operands;
	if (strcmp(name, "flock") == 0 && i + 1 < argc &&
	    (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--command") == 0)) {
		unwrap_code(u, idx, argv[i + 1], "argument of flock -c");
		return true;
	}
	struct av_assign *assigns = NULL;
	uint32_t nassigns = 0;
	/* env and sudo take NAME=VALUE words before the command as its
	 * environment. */
	if ((strcmp(name, "env") == 0 || strcmp(name, "sudo") == 0) &&
	    !env_assigns(u, argv, argc, &i, &assigns, &nassigns))
		return true;
	if (i >= argc)
		return true;
	const char **iargv = argv + i;
	uint32_t iargc = argc - i;
	if (strcmp(name, "xargs") == 0 && !opaque) {
		if (xargs_runs_nothing(u, idx, argv, ws.i))
			return true;
		iargv = xargs_words(u, idx, argv, ws.i, iargv, &iargc, &opaque);
	}
	snprintf(what, sizeof(what), "run by %.20s", name);
	host->add_inner(host->ctx, idx, iargv, iargc, assigns, nassigns, what, opaque,
	                NULL);
	return true;
}
