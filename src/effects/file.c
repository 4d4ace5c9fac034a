/* file.c - effects of file-tool actions (read, write, edit, append, delete,
 * list, move, copy, chmod). Paths resolve against the action's context. */
#include "agentvisor/effects.h"

#include <stdio.h>
#include <string.h>

#include "effects_internal.h"

/* Content written to configuration files that decide what tools run or
 * where they fetch from: git config files (hooksPath, fsmonitor, pager,
 * URL rewrites), pip.conf (index-url), .npmrc (registry), VS Code tasks that
 * run when the folder opens, and package.json install scripts. */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_of(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

/* Copies the next line of [*p, end) into buf, trimmed; false at the end. */
static bool next_line(const char **p, const char *end, char *buf, size_t cap)
{
	if (*p >= end)
		return false;
	const char *s = *p;
	const char *e = memchr(s, '\n', (size_t)(end - s));
	if (!e)
		e = end;
	*p = e < end ? e + 1 : end;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	size_t n = (size_t)(e - s) < cap - 1 ? (size_t)(e - s) : cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/* Splits "key = value" (or key=value) in place; value unquoted. */
static bool split_kv(char *line, char **key, char **val)
{
	char *eq = strchr(line, '=');
	if (!eq || line[0] == '#' || line[0] == ';')
		return false;
	char *k = line, *ke = eq;
	while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
		ke--;
	*ke = '\0';
	char *v = eq + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t vn = strlen(v);
	if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
		v[vn - 1] = '\0';
		v++;
	}
	*key = k;
	*val = v;
	return k[0] != '\0';
}

static void source_setting(struct fx_ctx *x, const char *tool, const char *key,
                           const char *val)
{
	static const char *const keys[] = { "index-url",  "extra-index-url",
		                            "find-links", "trusted-host",
		                            "registry",   "strict-ssl",
		                            "proxy",      "https-proxy" };
	const char *k = strrchr(key, ':'); /* @scope:registry */
	k = k ? k + 1 : key;
	bool hit = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		hit = hit || strcmp(k, keys[i]) == 0;
	if (!hit)
		return;
	struct av_effect *e = fx_push(x, AV_FX_CONFIG_TAMPER);
	const char *v = av_arena_strdup(x->arena, val);
	if (v && strstr(v, "://"))
		fx_host(x, e, v, true);
	e->detail = av_arena_printf(x->arena, "%s setting %s = %s", tool, key, val);
}

static void git_config_content(struct fx_ctx *x, const char *c, size_t len, bool global)
{
	char line[512], section[256] = "";
	const char *p = c, *end = c + len;
	while (next_line(&p, end, line, sizeof(line))) {
		if (line[0] == '[') {
			/* [core] or [url "https://x/"]: the subsection keeps its case */
			char *close = strrchr(line, ']');
			if (!close)
				continue;
			*close = '\0';
			char *q = strchr(line, '"');
			if (q) {
				char *qe = strrchr(q + 1, '"');
				if (qe)
					*qe = '\0';
				size_t sn = (size_t)(q - line - 1);
				while (sn > 0 && line[sn] == ' ')
					sn--;
				snprintf(section, sizeof(section), "%.*s.%.200s",
				         (int)(sn < 40 ? sn : 40), line + 1, q + 1);
			} else {
				snprintf(section, sizeof(section), "%.200s", line + 1);
			}
			continue;
		}
		char *k, *v;
		if (!section[0] || !split_kv(line, &k, &v))
			continue;
		const char *key = av_arena_printf(x->arena, "%s.%s", section, k);
		const char *val = av_arena_strdup(x->arena, v);
		if (key && val)
			av_git_config_effect(x, key, val, global);
	}
}

/* The string value of "name": "..." in JSON text (escapes undone), or NULL. */
static const char *json_string(struct fx_ctx *x, const char *c, size_t len,
                               const char *name)
{
	char pat[64];
	int w = snprintf(pat, sizeof(pat), "\"%s\"", name);
	if (w < 0 || (size_t)w >= sizeof(pat))
		return NULL;
	const char *end = c + len;
	for (const char *p = c; p < end;) {
		const char *hit = memmem(p, (size_t)(end - p), pat, (size_t)w);
		if (!hit)
			return NULL;
		const char *q = hit + w;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (q >= end || *q != ':') {
			p = hit + 1;
			continue;
		}
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (q >= end || *q != '"') {
			p = hit + 1;
			continue;
		}
		char buf[2048];
		size_t n = 0;
		for (q++; q < end && *q != '"' && n + 1 < sizeof(buf); q++) {
			if (*q == '\\' && q + 1 < end)
				q++;
			buf[n++] = *q;
		}
		buf[n] = '\0';
		return av_arena_strdup(x->arena, buf);
	}
	return NULL;
}

/* Every "URL" in TEXT that follows MARK ("resolved": "…", repo: …, ADD …)
 * becomes a config.tamper naming that source, so the policy judges where
 * the project will fetch code from (config.tamper.source). At most 16. */
static void source_urls(struct fx_ctx *x, const char *what, const char *c, size_t len,
                        const char *mark)
{
	const char *p = c, *end = c + len;
	size_t ml = strlen(mark);
	for (int n = 0; n < 16 && p < end; n++) {
		const char *m = memmem(p, (size_t)(end - p), mark, ml);
		if (!m)
			return;
		const char *u = m + ml;
		while (u < end && (*u == ' ' || *u == '"' || *u == '\'' || *u == ':' ||
		                   *u == '=' || *u == '\t'))
			u++;
		const char *e = u;
		while (e < end && !strchr(" \t\r\n\"',", *e))
			e++;
		p = e;
		if (e - u < 8 || e - u > 1024 || !memmem(u, (size_t)(e - u), "://", 3))
			continue;
		const char *url = av_arena_strndup(x->arena, u, (size_t)(e - u));
		if (!url)
			return;
		struct av_effect *t = fx_push(x, AV_FX_CONFIG_TAMPER);
		fx_host(x, t, url, true);
		t->url = url;
		t->detail = av_arena_printf(x->arena, "%s fetches from %s", what, url);
	}
}

static void config_content(struct fx_ctx *x, const char *path, const char *c, size_t len)
{
	if (!path || path[0] != '/' || !c)
		return;
	const char *b = base_of(path);
	if (strcmp(b, ".gitconfig") == 0 || ends_with(path, "/.git/config") ||
	    ends_with(path, "/.config/git/config") ||
	    strcmp(path, "/etc/gitconfig") == 0) {
		git_config_content(x, c, len, !ends_with(path, "/.git/config"));
	} else if (strcmp(b, "pip.conf") == 0 || strcmp(b, "pip.ini") == 0 ||
	           strcmp(b, ".npmrc") == 0 || strcmp(b, ".yarnrc") == 0) {
		const char *tool = b[1] == 'n' ? "npm" : b[1] == 'y' ? "yarn" : "pip";
		char line[512];
		const char *p = c, *end = c + len;
		while (next_line(&p, end, line, sizeof(line))) {
			char *k, *v;
			if (split_kv(line, &k, &v))
				source_setting(x, tool, k, v);
		}
	} else if (strncmp(b, "requirements", 12) == 0 && ends_with(b, ".txt")) {
		/* pip reads --index-url / --extra-index-url / -i / -f lines of a
		 * requirements file as if they were on the command line. */
		source_urls(x, "requirements file index", c, len, "index-url");
		source_urls(x, "requirements file links", c, len, "--find-links");
	} else if (strcmp(b, "package-lock.json") == 0 || strcmp(b, "yarn.lock") == 0 ||
	           strcmp(b, "pnpm-lock.yaml") == 0) {
		source_urls(x, "lock file entry", c, len, "resolved");
	} else if (strcmp(b, ".pre-commit-config.yaml") == 0) {
		source_urls(x, "pre-commit hook repository", c, len, "repo");
	} else if (strcmp(b, "Dockerfile") == 0 || strncmp(b, "Dockerfile.", 11) == 0) {
		source_urls(x, "Dockerfile ADD", c, len, "ADD");
	} else if (strcmp(b, "tasks.json") == 0 &&
	           ends_with(path, "/.vscode/tasks.json")) {
		if (memmem(c, len, "folderOpen", 10)) {
			struct av_effect *e = fx_path(x, AV_FX_PERSIST, path, 0);
			e->mechanism = "editor-task";
			e->detail = "a VS Code task that runs when the folder is opened";
		}
	} else if (strcmp(b, "package.json") == 0) {
		static const char *const hooks[] = { "preinstall", "install",
			                             "postinstall" };
		for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
			const char *v = json_string(x, c, len, hooks[i]);
			if (!v)
				continue;
			struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
			e->binary = "npm";
			e->source = "inline";
			e->mechanism = "package-script";
			e->detail = v;
		}
	}
}

int av_effects_from_file(const struct av_action *a, struct av_arena *arena,
                         struct av_effect_list *out, struct av_error *err)
{
	if (!a || a->kind != AV_KIND_FILE)
		return av_error_set(err, AV_E_INTERNAL, "", "not a file action");
	struct fx_ctx x = { .ctx = &a->ctx, .arena = arena, .out = out };
	const char *path = a->in.file.path;
	const char *dest = a->in.file.dest;
	if (!path)
		return av_error_set(err, AV_E_FIELD, "input.path",
		                    "a file action needs a path");
	switch (a->in.file.op) {
	case AV_FOP_READ:
		fx_path(&x, AV_FX_FS_READ, path, 0);
		break;
	case AV_FOP_WRITE:
	case AV_FOP_EDIT:
	case AV_FOP_APPEND: {
		enum av_file_op op = a->in.file.op;
		struct av_effect *w = fx_write(&x, path, 0,
		                               op == AV_FOP_WRITE  ? NULL
		                               : op == AV_FOP_EDIT ? "edit"
		                                                   : "append");
		config_content(&x, w->path, a->in.file.content, a->in.file.content_len);
		break;
	}
	case AV_FOP_DELETE:
		fx_path(&x, AV_FX_FS_DELETE, path, 0);
		break;
	case AV_FOP_LIST:
		fx_path(&x, AV_FX_FS_LIST, path, 0);
		break;
	case AV_FOP_MOVE:
	case AV_FOP_COPY: {
		if (!dest)
			return av_error_set(err, AV_E_FIELD, "input.dest",
			                    "a move or copy needs a destination");
		bool move = a->in.file.op == AV_FOP_MOVE;
		struct av_effect *e =
		        fx_path(&x, move ? AV_FX_FS_MOVE : AV_FX_FS_READ, path, 0);
		if (move) {
			const char *rd = av_path_resolve(dest, &a->ctx, arena);
			e->dest = rd ? rd : dest;
			e->dest_class = av_path_classify(e->dest, &a->ctx);
		}
		struct av_effect *w = fx_write(&x, dest, 0,
		                               move ? "destination of a move"
		                                    : "destination of a copy");
		fx_source_path(&x, w, path);
		break;
	}
	case AV_FOP_CHMOD:
		fx_path(&x, AV_FX_FS_CHMOD, path, 0)->mode = a->in.file.mode;
		break;
	default:
		return av_error_set(err, AV_E_FIELD, "input.op",
		                    "unknown file operation");
	}
	if (x.failed) {
		if (out->count >= AV_MAX_EFFECTS)
			return av_error_set(err, AV_E_LIMIT, "", "more than %d effects",
			                    AV_MAX_EFFECTS);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of arena memory for effects");
	}
	return 0;
}
