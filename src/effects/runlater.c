/* runlater.c - the shell text inside files that a build or CI tool runs
 * later (Makefile recipes, CI `run:` steps, package.json scripts, setup.py
 * os.system strings, .envrc), so a write of such a file can be judged now
 * for the commands it plants.
 *
 * The extraction is deliberately conservative and line based: it takes only
 * text that is unambiguously a command (a recipe line, a `run:` value, a
 * string passed to os.system), and it replaces tool-level expansions
 * (`$(CC)`, `${{ secrets.X }}`) by a plain word, so that ordinary build files
 * do not read as opaque shell. Anything it cannot place is skipped: the
 * write itself is still judged by its path. */
#include <string.h>

#include "effects_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The output buffer: bounded by construction (see av_runs_later_text). */
struct obuf {
	char *p;
	size_t n, cap;
};

static void put(struct obuf *o, const char *s, size_t n)
{
	if (n > o->cap - o->n)
		n = o->cap - o->n;
	if (n == 0)
		return;
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void putc1(struct obuf *o, char ch)
{
	put(o, &ch, 1);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Copies one line of a Makefile recipe, with `$$` -> `$` and every make
 * expansion `$(…)`/`${…}` (nesting counted) -> the word "mkvar". */
static void copy_make_line(struct obuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '$' && i + 1 < n && s[i + 1] == '$') {
			putc1(o, '$');
			i++;
		} else if (s[i] == '$' && i + 1 < n &&
		           (s[i + 1] == '(' || s[i + 1] == '{')) {
			int depth = 0;
			size_t j = i + 1;
			for (; j < n; j++) {
				if (s[j] == '(' || s[j] == '{')
					depth++;
				else if ((s[j] == ')' || s[j] == '}') && --depth == 0)
					break;
			}
			put(o, "mkvar", 5);
			i = j;
		} else if (s[i] == '$' && i + 1 < n && s[i + 1] != ' ') {
			put(o, "mkvar", 5); /* $@, $<, $X */
			i++;
		} else {
			putc1(o, s[i]);
		}
	}
}

static void make_recipes(struct obuf *o, const char *t, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && t[e] != '\n')
			e++;
		if (t[i] == '\t') {
			size_t s = i + 1;
			while (s < e && (t[s] == '@' || t[s] == '-' || t[s] == '+' ||
			                 t[s] == ' ' || t[s] == '\t'))
				s++;
			copy_make_line(o, t + s, e - s);
			putc1(o, '\n');
		}
		i = e + 1;
	}
}

/* Copies a CI line, with `${{ … }}` expressions -> the word "ciexpr" and a
 * matching pair of outer quotes removed when quoted is set. */
static void copy_ci_line(struct obuf *o, const char *s, size_t n, bool quoted)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (quoted && n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		s++, n -= 2;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '$' && i + 2 < n && s[i + 1] == '{' && s[i + 2] == '{') {
			const char *end = NULL;
			for (size_t j = i + 3; j + 1 < n; j++)
				if (s[j] == '}' && s[j + 1] == '}') {
					end = s + j + 1;
					break;
				}
			if (end) {
				put(o, "ciexpr", 6);
				i = (size_t)(end - s);
				continue;
			}
		}
		putc1(o, s[i]);
	}
	putc1(o, '\n');
}

static size_t indent_of(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[k] == ' ')
		k++;
	return k;
}

/* YAML CI files: the values of `run:` (GitHub, CircleCI), and the items of
 * `script:`-like keys (GitLab, Travis, Bitbucket). Block scalars take the
 * lines indented deeper than their key. */
static void ci_steps(struct obuf *o, const char *t, size_t len)
{
	static const char *const keys[] = {
		"run:",     "script:",         "before_script:", "after_script:",
		"install:", "before_install:", "command:"
	};
	size_t block_indent = 0; /* > 0: inside a block scalar or list */
	bool list_mode = false;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && t[e] != '\n')
			e++;
		const char *l = t + i;
		size_t n = e - i, ind = indent_of(l, n);
		bool blank = ind == n || (n - ind >= 1 && l[ind] == '#');
		if (block_indent && !blank) {
			if (ind >= block_indent && !list_mode) {
				copy_ci_line(o, l + ind, n - ind, false);
				i = e + 1;
				continue;
			}
			if (list_mode && ind + 1 >= block_indent && n - ind >= 2 &&
			    l[ind] == '-' && l[ind + 1] == ' ') {
				copy_ci_line(o, l + ind + 2, n - ind - 2, true);
				i = e + 1;
				continue;
			}
			block_indent = 0;
			list_mode = false;
		}
		size_t k = ind;
		if (k + 1 < n && l[k] == '-' && l[k + 1] == ' ')
			k += 2;
		while (k < n && l[k] == ' ')
			k++;
		for (size_t q = 0; q < COUNT(keys); q++) {
			size_t kl = strlen(keys[q]);
			if (n - k < kl || memcmp(l + k, keys[q], kl) != 0)
				continue;
			size_t v = k + kl;
			while (v < n && l[v] == ' ')
				v++;
			if (v >= n || l[v] == '#') { /* a list follows */
				block_indent = ind + 1;
				list_mode = true;
			} else if (l[v] == '|' || l[v] == '>') {
				block_indent = k + 1;
				list_mode = false;
			} else if (l[v] == '[') {
				/* flow list: ["a", "b"] - take it whole, quotes kept */
				copy_ci_line(o, l + v + 1, n - v - 1, false);
			} else {
				copy_ci_line(o, l + v, n - v, true);
			}
			break;
		}
		i = e + 1;
	}
}

/* Decodes one JSON string starting after its opening quote; returns the
 * index after the closing quote. Only the escapes shell text needs. */
static size_t json_string(struct obuf *o, const char *t, size_t i, size_t len)
{
	for (; i < len && t[i] != '"'; i++) {
		if (t[i] == '\\' && i + 1 < len) {
			char ch = t[++i];
			putc1(o, ch == 'n' ? '\n' : ch == 't' ? '\t' : ch);
		} else {
			putc1(o, t[i]);
		}
	}
	return i + 1;
}

/* package.json: the values of the "scripts" object. */
static void npm_scripts(struct obuf *o, const char *t, size_t len)
{
	const char *s = NULL;
	for (const char *p = t; p && (size_t)(p - t) < len;) {
		p = memchr(p, '"', len - (size_t)(p - t));
		if (!p)
			break;
		if ((size_t)(t + len - p) > 9 && memcmp(p, "\"scripts\"", 9) == 0) {
			s = p + 9;
			break;
		}
		p++;
	}
	if (!s)
		return;
	size_t i = (size_t)(s - t);
	while (i < len && t[i] != '{')
		i++;
	bool value = false;
	for (i++; i < len && t[i] != '}'; i++) {
		if (t[i] == ':')
			value = true;
		else if (t[i] == ',')
			value = false;
		else if (t[i] == '"') {
			struct obuf skip = { .p = NULL, .n = 0, .cap = 0 };
			i = json_string(value ? o : &skip, t, i + 1, len) - 1;
			if (value)
				putc1(o, '\n');
		}
	}
}

/* .vscode/tasks.json with a task that runs when the folder opens: the
 * "command" strings (with their "args" left out: the command line is what
 * the shell sees first). Only files that ask for folderOpen run unasked. */
static void vscode_tasks(struct obuf *o, const char *t, size_t len)
{
	if (!memmem(t, len, "folderOpen", 10))
		return;
	const char *p = t, *end = t + len;
	for (int n = 0; n < 64; n++) {
		const char *k = memmem(p, (size_t)(end - p), "\"command\"", 9);
		if (!k)
			return;
		size_t i = (size_t)(k - t) + 9;
		while (i < len &&
		       (t[i] == ' ' || t[i] == ':' || t[i] == '\t' || t[i] == '\n'))
			i++;
		if (i < len && t[i] == '"') {
			i = json_string(o, t, i + 1, len);
			putc1(o, '\n');
		}
		p = t + (i < len ? i : len);
	}
}

/* Python build and test files: string literals passed to os.system,
 * os.popen and subprocess calls with a string command. */
static void python_calls(struct obuf *o, const char *t, size_t len)
{
	static const char *const calls[] = { "os.system(",       "os.popen(",
		                             "subprocess.call(", "subprocess.run(",
		                             "check_output(",    "check_call(",
		                             "Popen(",           "getoutput(" };
	for (size_t q = 0; q < COUNT(calls); q++) {
		size_t cl = strlen(calls[q]);
		for (size_t i = 0; i + cl < len; i++) {
			if (memcmp(t + i, calls[q], cl) != 0)
				continue;
			size_t v = i + cl;
			while (v < len && (t[v] == ' ' || t[v] == 'f' || t[v] == 'r'))
				v++;
			if (v >= len || (t[v] != '"' && t[v] != '\''))
				continue;
			char quote = t[v];
			size_t s = v + 1, e = s;
			while (e < len && t[e] != quote && t[e] != '\n')
				e += t[e] == '\\' ? 2 : 1;
			if (e > len)
				e = len;
			put(o, t + s, e - s);
			putc1(o, '\n');
			i = e;
		}
	}
}

/* Whole-file shell: direnv's .envrc, husky hooks. */
static void whole(struct obuf *o, const char *t, size_t len)
{
	put(o, t, len);
	putc1(o, '\n');
}

/* Lines of TEXT one at a time (line and n set); false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *n)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

/* Skips spaces and tabs, then WORDS whitespace-separated words. */
static size_t skip_words(const char *s, size_t n, int words)
{
	size_t i = 0;
	for (int w = 0; w < words; w++) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Cron tables: each entry's command, after the five time fields (or an
 * @reboot-style nickname) and, in system tables, the user name. Comments
 * and VAR=value lines are not commands. */
static void cron_lines(struct obuf *o, const char *t, size_t len, bool system)
{
	const char *p = t, *end = t + len, *l;
	size_t n;
	while (next_line(&p, end, &l, &n)) {
		size_t i = skip_words(l, n, 0);
		if (i >= n || l[i] == '#')
			continue;
		size_t first = i;
		while (first < n && l[first] != ' ' && l[first] != '\t' &&
		       l[first] != '=')
			first++;
		if (first < n && l[first] == '=')
			continue; /* MAILTO=, PATH=, SHELL= */
		int fields = l[i] == '@' ? 1 : 5;
		i = skip_words(l, n, fields + (system ? 1 : 0));
		if (i < n) {
			put(o, l + i, n - i);
			putc1(o, '\n');
		}
	}
}

/* Values of KEY=… lines whose key is one of KEYS (systemd Exec*=, desktop
 * Exec=). systemd's prefixes (-, @, :, +, !) in front of the path are
 * dropped. */
static void key_lines(struct obuf *o, const char *t, size_t len, const char *const *keys,
                      size_t nkeys)
{
	const char *p = t, *end = t + len, *l;
	size_t n;
	while (next_line(&p, end, &l, &n)) {
		for (size_t k = 0; k < nkeys; k++) {
			size_t kl = strlen(keys[k]);
			if (n <= kl || strncmp(l, keys[k], kl) != 0 || l[kl] != '=')
				continue;
			size_t i = kl + 1;
			while (i < n && strchr("-@:+!", l[i]))
				i++;
			put(o, l + i, n - i);
			putc1(o, '\n');
			break;
		}
	}
}

/* A launchd property list: the Program string and the ProgramArguments
 * array, each argument single-quoted so the shell sees the same words
 * launchd passes. The five predefined XML entities are decoded. */
static void plist_args(struct obuf *o, const char *t, size_t len)
{
	const char *end = t + len;
	const char *k = memmem(t, len, "<key>ProgramArguments</key>", 27);
	const char *a = k ? memmem(k, (size_t)(end - k), "<array>", 7) : NULL;
	const char *z = a ? memmem(a, (size_t)(end - a), "</array>", 8) : NULL;
	if (!a || !z) {
		k = memmem(t, len, "<key>Program</key>", 18);
		if (!k)
			return;
		a = k;
		z = memmem(k, (size_t)(end - k), "</string>", 9);
		if (!z)
			return;
		z += 9;
	}
	static const struct {
		const char *ent, *ch;
	} ents[] = { { "&amp;", "&" },
		     { "&lt;", "<" },
		     { "&gt;", ">" },
		     { "&quot;", "\"" },
		     { "&apos;", "'" } };
	const char *p = a;
	while (p < z) {
		const char *s = memmem(p, (size_t)(z - p), "<string>", 8);
		if (!s)
			break;
		s += 8;
		const char *e = memmem(s, (size_t)(z - s), "</string>", 9);
		if (!e)
			break;
		putc1(o, '\'');
		for (const char *c = s; c < e; c++) {
			size_t m = 0;
			for (size_t i = 0; i < COUNT(ents) && !m; i++)
				if ((size_t)(e - c) >= strlen(ents[i].ent) &&
				    strncmp(c, ents[i].ent, strlen(ents[i].ent)) == 0) {
					m = strlen(ents[i].ent);
					if (ents[i].ch[0] == '\'')
						put(o, "'\\''", 4);
					else
						putc1(o, ents[i].ch[0]);
				}
			if (m) {
				c += m - 1;
			} else if (*c == '\'') {
				put(o, "'\\''", 4);
			} else {
				putc1(o, *c);
			}
		}
		put(o, "' ", 2);
		p = e + 9;
	}
	putc1(o, '\n');
}

enum kind {
	RL_NONE,
	RL_MAKE,
	RL_CI,
	RL_NPM,
	RL_PY,
	RL_SHELL,
	RL_CRON,
	RL_CRON_SYSTEM,
	RL_UNIT,
	RL_DESKTOP,
	RL_PLIST,
	RL_VSCODE
};

static enum kind kind_of(const char *path, const char **what)
{
	const char *b = base_name(path);
	if (!strcmp(b, "Makefile") || !strcmp(b, "makefile") ||
	    !strcmp(b, "GNUmakefile") || ends_with(b, ".mk"))
		return *what = "a Makefile recipe", RL_MAKE;
	if (((strstr(path, "/.github/workflows/") || strstr(path, "/.circleci/")) &&
	     (ends_with(b, ".yml") || ends_with(b, ".yaml"))) ||
	    !strcmp(b, ".gitlab-ci.yml") || !strcmp(b, ".travis.yml") ||
	    !strcmp(b, "bitbucket-pipelines.yml") || !strcmp(b, "azure-pipelines.yml"))
		return *what = "a CI step", RL_CI;
	if (!strcmp(b, "package.json"))
		return *what = "a package.json script", RL_NPM;
	if (!strcmp(b, "setup.py") || !strcmp(b, "conftest.py") ||
	    !strcmp(b, "noxfile.py") || !strcmp(b, "fabfile.py") ||
	    !strcmp(b, "tasks.py") || !strcmp(b, "sitecustomize.py") ||
	    !strcmp(b, "usercustomize.py") || ends_with(b, ".pth"))
		return *what = "a Python build or test hook", RL_PY;
	if (!strcmp(b, ".envrc") || strstr(path, "/.husky/"))
		return *what = "a file the shell runs on entry or commit", RL_SHELL;
	if (!strcmp(path, "/etc/crontab") || !strncmp(path, "/etc/cron.d/", 12))
		return *what = "a cron job", RL_CRON_SYSTEM;
	if (!strncmp(path, "/var/spool/cron/", 16))
		return *what = "a cron job", RL_CRON;
	if (!strncmp(path, "/etc/cron.hourly/", 17) ||
	    !strncmp(path, "/etc/cron.daily/", 16) ||
	    !strncmp(path, "/etc/cron.weekly/", 17) ||
	    !strncmp(path, "/etc/cron.monthly/", 18) ||
	    !strncmp(path, "/etc/update-motd.d/", 19))
		return *what = "a script run as root on a schedule or at login", RL_SHELL;
	if ((strstr(path, "/systemd/") &&
	     (ends_with(b, ".service") || ends_with(b, ".timer"))))
		return *what = "a systemd unit command", RL_UNIT;
	if (strstr(path, "/autostart/") && ends_with(b, ".desktop"))
		return *what = "an autostart entry", RL_DESKTOP;
	if (!strcmp(b, "tasks.json") && strstr(path, "/.vscode/"))
		return *what = "an editor task run when the folder opens", RL_VSCODE;
	if ((strstr(path, "/LaunchAgents/") || strstr(path, "/LaunchDaemons/")) &&
	    ends_with(b, ".plist"))
		return *what = "a launchd job", RL_PLIST;
	return RL_NONE;
}

int av_runs_later_text(const char *path, const char *content, size_t len,
                       struct av_arena *arena, const char **out, size_t *out_len,
                       const char **what)
{
	*out = NULL;
	*out_len = 0;
	*what = NULL;
	if (!path || !content || len == 0)
		return 0;
	enum kind k = kind_of(path, what);
	if (k == RL_NONE)
		return 0;
	/* Each replacement ("mkvar", "ciexpr") is no longer than what it
	 * replaces plus three bytes, and at most one newline is added per
	 * input byte, so twice the input plus slack always fits. */
	struct obuf o = { .cap = 2 * len + 16 };
	o.p = av_arena_alloc(arena, o.cap + 1);
	if (!o.p)
		return -1;
	switch (k) {
	case RL_MAKE:
		make_recipes(&o, content, len);
		break;
	case RL_CI:
		ci_steps(&o, content, len);
		break;
	case RL_NPM:
		npm_scripts(&o, content, len);
		break;
	case RL_PY:
		python_calls(&o, content, len);
		break;
	case RL_SHELL:
		whole(&o, content, len);
		break;
	case RL_CRON:
	case RL_CRON_SYSTEM:
		cron_lines(&o, content, len, k == RL_CRON_SYSTEM);
		break;
	case RL_UNIT: {
		static const char *const exec_keys[] = { "ExecStart",     "ExecStartPre",
			                                 "ExecStartPost", "ExecStop",
			                                 "ExecStopPost",  "ExecReload" };
		key_lines(&o, content, len, exec_keys, COUNT(exec_keys));
		break;
	}
	case RL_DESKTOP: {
		static const char *const desktop_keys[] = { "Exec", "TryExec" };
		key_lines(&o, content, len, desktop_keys, COUNT(desktop_keys));
		break;
	}
	case RL_PLIST:
		plist_args(&o, content, len);
		break;
	case RL_VSCODE:
		vscode_tasks(&o, content, len);
		break;
	case RL_NONE:
		break;
	}
	o.p[o.n] = '\0';
	if (o.n == 0)
		return 0;
	*out = o.p;
	*out_len = o.n;
	return 1;
}
