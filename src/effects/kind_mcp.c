/* kind_mcp.c - effects of MCP tools/call actions. What a tool does is not
 * something the call says: the server's name, the tool's name and its
 * annotations (readOnlyHint, destructiveHint) all come from the server,
 * which is no more trusted than the agent. So effects come from the
 * operator's configuration, the policy list mcp_tools, one entry per tool:
 *
 *   "filesystem/read_file fs.read path=$path"
 *   "fetch/fetch http url=$url"
 *   "postgres/query sql text=$sql"
 *   "time/(every tool) none"
 *
 * SERVER/TOOL are fnmatch(3) patterns; the second word is an effect kind
 * or a stage (shell, sql, http, code.python, code.javascript, message,
 * none); the
 * rest are FIELD=VALUE where VALUE is literal text or $ARG, an argument of
 * the call (an argument holding a JSON array of strings gives one effect
 * per string). Every matching entry applies, so layers can only add
 * effects. A call no entry maps gets conservative effects from its
 * arguments (URLs are fetched, paths are read) and mcp.mapped is false.
 * Annotations are exposed to rules but never lower anything. */
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "kind_internal.h"

#define MAP_MAX_FIELDS 8

enum map_target {
	MAP_EFFECT = 0, /* an effect kind */
	MAP_NONE,       /* the tool has no effect worth a rule */
	MAP_SHELL,
	MAP_SQL,
	MAP_HTTP,
	MAP_CODE_PY,
	MAP_CODE_JS,
	MAP_MESSAGE,
};

static const struct {
	const char *name;
	enum map_target target;
	const char *const fields[6]; /* the fields a stage takes */
} stages[] = {
	{ "none", MAP_NONE, { NULL } },
	{ "shell", MAP_SHELL, { "text", NULL } },
	{ "sql", MAP_SQL, { "text", "host", "database", NULL } },
	{ "http", MAP_HTTP, { "url", "method", "body", "body_file", NULL } },
	{ "code.python", MAP_CODE_PY, { "text", NULL } },
	{ "code.javascript", MAP_CODE_JS, { "text", NULL } },
	{ "message",
	  MAP_MESSAGE,
	  { "channel", "recipient", "subject", "body", "attachments", NULL } },
};

/* The fields an effect entry may set, and the flags it may name. content
 * is what an fs.write writes: when the path is a startup location it is
 * judged as the shell text it will run. */
static const char *const effect_fields[] = { "path",   "dest",   "url",  "host",
	                                     "source", "binary", "mode", "mechanism",
	                                     "detail", "content" };
static const char *const effect_flags[] = { "recursive", "force" };

struct map_field {
	char name[16];
	const char *value; /* into the entry; not NUL-terminated */
	size_t len;
	bool flag;
};

struct map_entry {
	char server[128], tool[128];
	enum map_target target;
	enum av_effect_kind kind;
	struct map_field f[MAP_MAX_FIELDS];
	uint32_t nf;
};

static bool in_list(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count && list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncmp(list[i], s, n) == 0)
			return true;
	return false;
}

/* Parses one entry; on error writes why and returns -1. */
static int parse_entry(const char *s, struct map_entry *m, char *why, size_t wl)
{
	memset(m, 0, sizeof(*m));
	const char *p = s + strspn(s, " ");
	size_t n = strcspn(p, " ");
	const char *slash = memchr(p, '/', n);
	if (slash == NULL || slash == p || slash + 1 == p + n) {
		snprintf(why, wl, "it must start with SERVER/TOOL (patterns allowed)");
		return -1;
	}
	size_t sl = (size_t)(slash - p), tl = n - sl - 1;
	if (sl >= sizeof(m->server) || tl >= sizeof(m->tool)) {
		snprintf(why, wl, "the server or tool name is too long");
		return -1;
	}
	memcpy(m->server, p, sl);
	memcpy(m->tool, slash + 1, tl);
	p += n;
	p += strspn(p, " ");
	n = strcspn(p, " ");
	if (n == 0) {
		snprintf(why, wl, "an effect kind or a stage must follow SERVER/TOOL");
		return -1;
	}
	size_t si = 0;
	while (si < sizeof(stages) / sizeof(stages[0]) &&
	       !(strlen(stages[si].name) == n && strncmp(stages[si].name, p, n) == 0))
		si++;
	if (si < sizeof(stages) / sizeof(stages[0])) {
		m->target = stages[si].target;
	} else if (av_effect_kind_parse(p, n, &m->kind) == 0) {
		m->target = MAP_EFFECT;
	} else {
		snprintf(why, wl,
		         "\"%.*s\" is neither an effect kind nor one of none, shell, "
		         "sql, http, code.python, code.javascript, message",
		         (int)(n < 40 ? n : 40), p);
		return -1;
	}
	p += n;
	for (;;) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0)
			break;
		if (m->nf == MAP_MAX_FIELDS) {
			snprintf(why, wl, "at most %d fields", MAP_MAX_FIELDS);
			return -1;
		}
		struct map_field *f = &m->f[m->nf];
		const char *eq = memchr(p, '=', n);
		size_t kl = eq ? (size_t)(eq - p) : n;
		if (kl == 0 || kl >= sizeof(f->name)) {
			snprintf(why, wl, "\"%.*s\" is not FIELD=VALUE",
			         (int)(n < 40 ? n : 40), p);
			return -1;
		}
		memcpy(f->name, p, kl);
		f->name[kl] = '\0';
		bool ok;
		if (eq == NULL) {
			f->flag = true;
			ok = m->target == MAP_EFFECT &&
			     in_list(p, kl, effect_flags,
			             sizeof(effect_flags) / sizeof(effect_flags[0]));
		} else {
			f->value = eq + 1;
			f->len = n - kl - 1;
			ok = f->len > 0 &&
			     (m->target == MAP_EFFECT
			              ? in_list(p, kl, effect_fields,
			                        sizeof(effect_fields) /
			                                sizeof(effect_fields[0]))
			              : in_list(p, kl, stages[si].fields, 6));
			if (ok && f->value[0] == '$' && f->len == 1)
				ok = false;
		}
		if (!ok) {
			snprintf(why, wl, "\"%.*s\" is not a field this entry can set",
			         (int)(n < 40 ? n : 40), p);
			return -1;
		}
		m->nf++;
		p += n;
	}
	if (m->target == MAP_NONE && m->nf > 0) {
		snprintf(why, wl, "\"none\" takes no fields");
		return -1;
	}
	return 0;
}

int av_mcp_map_check(const char *entry, char *why, size_t whylen)
{
	struct map_entry m;
	return parse_entry(entry, &m, why, whylen);
}

/* The argument named name[0..n) of the call, or NULL. */
static const char *arg_value(const struct av_action *a, const char *name, size_t n)
{
	for (uint32_t i = 0; i < a->in.mcp.nargs; i++)
		if (strlen(a->in.mcp.args[i].name) == n &&
		    strncmp(a->in.mcp.args[i].name, name, n) == 0)
			return a->in.mcp.args[i].value;
	return NULL;
}

/* The value of field name in m for the call: literal text or $ARG. */
static const char *field_value(struct kind_x *x, const struct map_entry *m,
                               const char *name)
{
	for (uint32_t i = 0; i < m->nf; i++) {
		const struct map_field *f = &m->f[i];
		if (f->flag || strcmp(f->name, name) != 0)
			continue;
		if (f->value[0] == '$')
			return arg_value(x->a, f->value + 1, f->len - 1);
		return av_arena_strndup(x->fx.arena, f->value, f->len);
	}
	return NULL;
}

/* Sets one effect field from a value (path-like fields are resolved and
 * classified, URLs give the host). */
static void set_field(struct kind_x *x, struct av_effect *e, const char *name,
                      const char *v)
{
	if (strcmp(name, "path") == 0) {
		const char *r = av_path_resolve(v, x->fx.ctx, x->fx.arena);
		e->path = r ? r : v;
		e->path_class = av_path_classify(e->path, x->fx.ctx);
	} else if (strcmp(name, "dest") == 0) {
		const char *r = av_path_resolve(v, x->fx.ctx, x->fx.arena);
		e->dest = r ? r : v;
		e->dest_class = av_path_classify(e->dest, x->fx.ctx);
	} else if (strcmp(name, "url") == 0) {
		fx_host(&x->fx, e, v, true);
	} else if (strcmp(name, "host") == 0) {
		fx_host(&x->fx, e, v, false);
	} else if (strcmp(name, "source") == 0) {
		if (v[0] == '/' || v[0] == '~' || v[0] == '.')
			fx_source_path(&x->fx, e, v);
		else
			e->source = v;
	} else if (strcmp(name, "binary") == 0) {
		e->binary = v;
	} else if (strcmp(name, "mode") == 0) {
		e->mode = v;
	} else if (strcmp(name, "mechanism") == 0) {
		e->mechanism = v;
	} else if (strcmp(name, "detail") == 0) {
		/* After the tool's name, so the reason says where it came from. */
		const char *d =
		        e->detail ? av_arena_printf(x->fx.arena, "%s: %s", e->detail, v)
		                  : NULL;
		e->detail = d ? d : v;
	}
}

/* The strings of a JSON array text, or NULL when v is not one. */
static const char **array_strings(struct kind_x *x, const char *v, uint32_t *n)
{
	*n = 0;
	if (v == NULL || v[0] != '[')
		return NULL;
	json_t *arr = json_loads(v, JSON_DECODE_ANY, NULL);
	const char **out = NULL;
	size_t count = json_array_size(arr);
	if (count > 0 && count <= AV_ACTION_MAX_LIST)
		out = av_arena_alloc(x->fx.arena, count * sizeof(*out));
	for (size_t i = 0; out && i < count; i++) {
		json_t *s = json_array_get(arr, i);
		if (json_is_string(s))
			out[(*n)++] = av_arena_strdup(x->fx.arena, json_string_value(s));
	}
	json_decref(arr);
	return out;
}

static void apply_effect(struct kind_x *x, const struct map_entry *m, const char *what)
{
	/* Path-like fields holding an array give one effect per entry
	 * (read_multiple_files). Only the first such field fans out. */
	const char *fan_name = NULL;
	const char **fan = NULL;
	uint32_t nfan = 0;
	for (uint32_t i = 0; i < m->nf && fan == NULL; i++)
		if (!m->f[i].flag && m->f[i].value[0] == '$') {
			fan = array_strings(x, field_value(x, m, m->f[i].name), &nfan);
			fan_name = m->f[i].name;
		}
	uint32_t rounds = fan != NULL && nfan > 0 ? nfan : 1;
	for (uint32_t r = 0; r < rounds; r++) {
		/* File effects go through the same helpers as file actions, so a
		 * write to ~/.bashrc is also persistence, a glob is a wildcard. */
		const char *p = fan != NULL && nfan > 0 && strcmp(fan_name, "path") == 0
		                        ? fan[r]
		                        : field_value(x, m, "path");
		bool has_path = p != NULL && p[0] != '\0';
		struct av_effect *e;
		if (m->kind == AV_FX_FS_WRITE && has_path)
			e = fx_write(&x->fx, p, 0, what);
		else if (has_path && m->kind <= AV_FX_FS_MOVE)
			e = fx_path(&x->fx, m->kind, p, 0);
		else
			e = fx_push(&x->fx, m->kind);
		if (e->detail == NULL)
			e->detail = what;
		for (uint32_t i = 0; i < m->nf; i++) {
			const struct map_field *f = &m->f[i];
			if (f->flag) {
				e->flags |= strcmp(f->name, "recursive") == 0
				                    ? AV_FXF_RECURSIVE
				                    : AV_FXF_FORCE;
				continue;
			}
			if (strcmp(f->name, "content") == 0 ||
			    (strcmp(f->name, "path") == 0 && m->kind <= AV_FX_FS_MOVE))
				continue;
			const char *v =
			        fan != NULL && nfan > 0 && strcmp(fan_name, f->name) == 0
			                ? fan[r]
			                : field_value(x, m, f->name);
			if (v != NULL && v[0] != '\0')
				set_field(x, e, f->name, v);
		}
		/* Content written to a startup location runs later, outside any
		 * mediation: judge it now as shell text, as for file actions. */
		const char *content = field_value(x, m, "content");
		bool startup = false;
		for (uint32_t i = 0; i < x->fx.out->count; i++)
			startup = startup || x->fx.out->items[i].kind == AV_FX_PERSIST;
		if (m->kind == AV_FX_FS_WRITE && content != NULL && startup &&
		    kind_shell(x, content, strlen(content),
		               "content an MCP tool writes to a startup location") < 0)
			return;
	}
}

static int apply_stage(struct kind_x *x, const struct map_entry *m, const char *what)
{
	const char *text = field_value(x, m, "text");
	switch (m->target) {
	case MAP_SHELL:
		return text ? kind_shell(x, text, strlen(text), what) : 0;
	case MAP_SQL:
		return text ? av_kind_sql_text(x, text, strlen(text),
		                               field_value(x, m, "host"), NULL)
		            : 0;
	case MAP_CODE_PY:
	case MAP_CODE_JS: {
		if (text == NULL)
			return 0;
		/* Through the shell stage, exactly as the code kind does. */
		const char *interp =
		        m->target == MAP_CODE_PY ? "python3 -c " : "node -e ";
		size_t n = strlen(text), cap = n * 4 + 32, o = 0;
		char *buf = av_arena_alloc(x->fx.arena, cap);
		if (buf == NULL) {
			x->fx.failed = true;
			return 0;
		}
		o += (size_t)snprintf(buf, cap, "%s'", interp);
		for (size_t i = 0; i < n; i++) {
			if (text[i] == '\'') {
				memcpy(buf + o, "'\\''", 4);
				o += 4;
			} else {
				buf[o++] = text[i];
			}
		}
		buf[o++] = '\'';
		buf[o] = '\0';
		return kind_shell(x, buf, o, what);
	}
	case MAP_HTTP: {
		const char *url = field_value(x, m, "url");
		if (url == NULL)
			return 0;
		const char *method = field_value(x, m, "method");
		char mbuf[16];
		size_t ml = method ? strlen(method) : 0;
		if (ml == 0 || ml >= sizeof(mbuf)) {
			method = "GET";
		} else {
			for (size_t i = 0; i <= ml; i++)
				mbuf[i] = (char)(method[i] >= 'a' && method[i] <= 'z'
				                         ? method[i] - 32
				                         : method[i]);
			method = av_arena_strdup(x->fx.arena, mbuf);
			if (method == NULL)
				method = "GET";
		}
		const char *bf = field_value(x, m, "body_file");
		const char *src = bf ? bf : field_value(x, m, "body") ? "inline" : NULL;
		av_kind_http_request(x, method, url, src);
		return 0;
	}
	case MAP_MESSAGE: {
		const char *to = field_value(x, m, "recipient");
		if (to == NULL)
			return 0;
		const char *ch = field_value(x, m, "channel");
		uint32_t natt = 0;
		const char **att =
		        array_strings(x, field_value(x, m, "attachments"), &natt);
		const char *one = att == NULL ? field_value(x, m, "attachments") : NULL;
		if (one != NULL) {
			att = av_arena_alloc(x->fx.arena, sizeof(*att));
			if (att != NULL) {
				att[0] = one;
				natt = 1;
			}
		}
		av_kind_message_send(x, ch ? ch : x->a->in.mcp.server, to,
		                     field_value(x, m, "subject"),
		                     field_value(x, m, "body"), att, natt);
		return 0;
	}
	default:
		return 0;
	}
}

/* Argument names that say "this is a command line". */
static const char *const command_args[] = { "command",      "cmd",          "shell",
	                                    "script",       "command_line", "commandLine",
	                                    "shell_command" };

/* A string argument that reads as a URL or a file path, or is named as a
 * command line (judged as shell: an unmapped tool that takes a "command"
 * most likely runs it). */
static void unmapped_arg(struct kind_x *x, const struct av_pair *arg, const char *what)
{
	const char *v = arg->value;
	for (size_t i = 0; i < sizeof(command_args) / sizeof(command_args[0]); i++)
		if (strcmp(arg->name, command_args[i]) == 0) {
			kind_shell(x, v, strlen(v),
			           "command argument of an unmapped MCP tool");
			return;
		}
	if (strstr(v, "://") != NULL && strcspn(v, " \n\t") == strlen(v) &&
	    strcspn(v, ":") < 16) {
		if (strncmp(v, "file://", 7) == 0) {
			fx_path(&x->fx, AV_FX_FS_READ, v + 7, 0)->detail = what;
			return;
		}
		struct av_effect *e = fx_push(&x->fx, AV_FX_NET_FETCH);
		fx_host(&x->fx, e, v, true);
		e->detail = what;
	} else if ((v[0] == '/' || (v[0] == '~' && (v[1] == '/' || v[1] == '\0'))) &&
	           strcspn(v, "\n") == strlen(v) && strlen(v) < 4096) {
		fx_path(&x->fx, AV_FX_FS_READ, v, 0)->detail = what;
	}
}

int av_kind_mcp(struct kind_x *x)
{
	const struct av_action *a = x->a;
	const char *what = av_arena_printf(x->fx.arena, "MCP tool %s of server %s",
	                                   a->in.mcp.tool, a->in.mcp.server);
	const struct av_kind_env *env = x->env;
	for (uint32_t i = 0; env != NULL && i < env->mcp_map_count; i++) {
		struct map_entry m;
		char why[160];
		if (parse_entry(env->mcp_map[i], &m, why, sizeof(why)) < 0)
			return av_error_set(
			        x->err, AV_E_FIELD, "list.mcp_tools",
			        "the mcp_tools entry \"%.80s\" does not parse: %s",
			        env->mcp_map[i], why);
		if (fnmatch(m.server, a->in.mcp.server, 0) != 0 ||
		    fnmatch(m.tool, a->in.mcp.tool, 0) != 0)
			continue;
		x->kf->mcp_mapped = true;
		if (m.target == MAP_EFFECT)
			apply_effect(x, &m, what);
		else if (apply_stage(x, &m, what) < 0)
			return -1;
	}
	if (!x->kf->mcp_mapped)
		for (uint32_t i = 0; i < a->in.mcp.nargs; i++)
			unmapped_arg(x, &a->in.mcp.args[i], what);
	return 0;
}
