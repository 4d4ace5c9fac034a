/* action.c - strict decoding of one JSON action (docs/PROTOCOL.md).
 *
 * The action comes from the agent's side of the boundary, so nothing in it
 * is trusted: the decoder bounds the size, rejects duplicate keys, invalid
 * UTF-8 and NUL bytes (jansson's defaults plus JSON_REJECT_DUPLICATES),
 * and then checks the shape against per-object field tables. Anything it
 * does not understand is an error, because a field we silently ignore is a
 * field an attacker can use to make us decide about something else than
 * what will run. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/action.h"
#include "core/core_internal.h"
#include "util/json_strict.h"

static const struct av_json_field top_fields[] = {
	{ "id", JSON_STRING },        { "session", JSON_STRING },
	{ "principal", JSON_STRING }, { "kind", JSON_STRING },
	{ "tool", JSON_STRING },      { "input", JSON_OBJECT },
	{ "context", JSON_OBJECT },   { NULL, JSON_NULL },
};

static const struct av_json_field context_fields[] = {
	{ "cwd", JSON_STRING },  { "workspace", JSON_STRING }, { "home", JSON_STRING },
	{ "user", JSON_STRING }, { NULL, JSON_NULL },
};

static const struct av_json_field shell_fields[] = {
	{ "command", JSON_STRING },
	{ NULL, JSON_NULL },
};

static const struct av_json_field file_fields[] = {
	{ "op", JSON_STRING },      { "path", JSON_STRING }, { "dest", JSON_STRING },
	{ "content", JSON_STRING }, { "mode", JSON_STRING }, { NULL, JSON_NULL },
};

/* Which optional file fields each op takes; required ones are checked in
 * decode_file. A field given to an op that does not use it is an error:
 * "delete" with a "content" is not something we can reason about. */
enum { F_DEST = 1, F_CONTENT = 2, F_MODE = 4 };
static const unsigned file_op_fields[AV_FOP_COUNT] = {
	[AV_FOP_READ] = 0,         [AV_FOP_WRITE] = F_CONTENT,
	[AV_FOP_EDIT] = F_CONTENT, [AV_FOP_APPEND] = F_CONTENT,
	[AV_FOP_DELETE] = 0,       [AV_FOP_LIST] = 0,
	[AV_FOP_MOVE] = F_DEST,    [AV_FOP_COPY] = F_DEST,
	[AV_FOP_CHMOD] = F_MODE,
};

static int require(const char *value, const char *where, struct av_error *err)
{
	if (value == NULL)
		return av_error_set(err, AV_E_FIELD, where,
		                    "required field \"%s\" is missing", where);
	return 0;
}

static int decode_context(json_t *ctx, struct av_arena *arena, struct av_context *out,
                          struct av_error *err)
{
	if (av_json_check_fields(ctx, context_fields, "context.", err) < 0)
		return -1;
	const struct {
		const char *name, *where;
		const char **slot;
		bool absolute;
	} fields[] = {
		{ "cwd", "context.cwd", &out->cwd, true },
		{ "workspace", "context.workspace", &out->workspace, true },
		{ "home", "context.home", &out->home, true },
		{ "user", "context.user", &out->user, false },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char **slot = fields[i].slot;
		if (av_json_get_string(ctx, fields[i].name, fields[i].where,
		                       AV_ACTION_MAX_STRING, arena, slot, NULL, err) < 0)
			return -1;
		/* Relative context paths would make path classification depend on
		 * wherever the checker runs: refuse them. */
		if (fields[i].absolute && *slot != NULL && (*slot)[0] != '/')
			return av_error_set(err, AV_E_FIELD, fields[i].where,
			                    "field \"%s\" must be an absolute path",
			                    fields[i].where);
	}
	return 0;
}

static int decode_shell(json_t *in, struct av_arena *arena, struct av_action *a,
                        struct av_error *err)
{
	if (av_json_check_fields(in, shell_fields, "input.", err) < 0)
		return -1;
	if (av_json_get_string(in, "command", "input.command", AV_ACTION_MAX_STRING,
	                       arena, &a->in.shell.command, &a->in.shell.command_len,
	                       err) < 0)
		return -1;
	return require(a->in.shell.command, "input.command", err);
}

static int decode_file(json_t *in, struct av_arena *arena, struct av_action *a,
                       struct av_error *err)
{
	if (av_json_check_fields(in, file_fields, "input.", err) < 0)
		return -1;
	json_t *op = json_object_get(in, "op");
	if (op == NULL)
		return require(NULL, "input.op", err);
	if (av_file_op_parse(json_string_value(op), json_string_length(op),
	                     &a->in.file.op) < 0)
		return av_error_set(
		        err, AV_E_FIELD, "input.op",
		        "unknown file op \"%.64s\"; expected one of read, write, "
		        "edit, append, delete, list, move, copy, chmod",
		        json_string_value(op));
	if (av_json_get_string(in, "path", "input.path", AV_ACTION_MAX_STRING, arena,
	                       &a->in.file.path, NULL, err) < 0 ||
	    av_json_get_string(in, "dest", "input.dest", AV_ACTION_MAX_STRING, arena,
	                       &a->in.file.dest, NULL, err) < 0 ||
	    av_json_get_string(in, "content", "input.content", AV_ACTION_MAX_STRING,
	                       arena, &a->in.file.content, &a->in.file.content_len,
	                       err) < 0 ||
	    av_json_get_string(in, "mode", "input.mode", AV_ACTION_MAX_STRING, arena,
	                       &a->in.file.mode, NULL, err) < 0)
		return -1;
	if (require(a->in.file.path, "input.path", err) < 0)
		return -1;
	if (a->in.file.path[0] == '\0')
		return av_error_set(err, AV_E_FIELD, "input.path",
		                    "field \"input.path\" is empty");

	unsigned allowed = file_op_fields[a->in.file.op];
	const char *opname = av_file_op_name(a->in.file.op);
	const struct {
		unsigned bit;
		const char *where;
		const char *value;
	} optional[] = {
		{ F_DEST, "input.dest", a->in.file.dest },
		{ F_CONTENT, "input.content", a->in.file.content },
		{ F_MODE, "input.mode", a->in.file.mode },
	};
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		if (optional[i].value != NULL && !(allowed & optional[i].bit))
			return av_error_set(err, AV_E_FIELD, optional[i].where,
			                    "field \"%s\" is not used by op \"%s\"",
			                    optional[i].where, opname);
	}
	if ((allowed & F_DEST) && require(a->in.file.dest, "input.dest", err) < 0)
		return -1;
	if ((allowed & F_MODE) && require(a->in.file.mode, "input.mode", err) < 0)
		return -1;
	return 0;
}

/* ---- the kinds beyond shell and file ----------------------------------
 * Each kind has a field table and a decoder; the helpers below read the
 * shapes they share (a string, a required non-empty string, a list of
 * strings, an object of strings) with the field path in every error. */

static int get_str(json_t *in, const char *name, struct av_arena *arena, const char **out,
                   size_t *out_len, struct av_error *err)
{
	char where[64];
	snprintf(where, sizeof(where), "input.%s", name);
	return av_json_get_string(in, name, where, AV_ACTION_MAX_STRING, arena, out,
	                          out_len, err);
}

/* A required string that must not be empty. */
static int get_required(json_t *in, const char *name, struct av_arena *arena,
                        const char **out, size_t *out_len, struct av_error *err)
{
	char where[64];
	snprintf(where, sizeof(where), "input.%s", name);
	if (get_str(in, name, arena, out, out_len, err) < 0)
		return -1;
	if (*out == NULL)
		return require(NULL, where, err);
	if ((*out)[0] == '\0')
		return av_error_set(err, AV_E_FIELD, where, "field \"%s\" is empty",
		                    where);
	return 0;
}

/* An array of non-empty strings, at most AV_ACTION_MAX_LIST of them. */
static int get_str_list(json_t *in, const char *name, struct av_arena *arena,
                        const char *const **out, uint32_t *n, struct av_error *err)
{
	*out = NULL;
	*n = 0;
	json_t *arr = json_object_get(in, name);
	if (arr == NULL)
		return 0;
	size_t count = json_array_size(arr);
	if (count > AV_ACTION_MAX_LIST)
		return av_error_set(err, AV_E_LIMIT, name,
		                    "field \"input.%s\" has %zu entries; the limit is %d",
		                    name, count, AV_ACTION_MAX_LIST);
	const char **v = av_arena_alloc(arena, (count + 1) * sizeof(*v));
	if (v == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	for (size_t i = 0; i < count; i++) {
		json_t *e = json_array_get(arr, i);
		char where[96];
		snprintf(where, sizeof(where), "input.%s[%zu]", name, i);
		if (!json_is_string(e) || json_string_length(e) == 0)
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" must be a non-empty string",
			                    where);
		if (json_string_length(e) > AV_ACTION_MAX_STRING)
			return av_error_set(err, AV_E_LIMIT, where,
			                    "field \"%s\" is too long", where);
		v[i] = av_arena_strndup(arena, json_string_value(e),
		                        json_string_length(e));
		if (v[i] == NULL)
			return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	}
	*out = v;
	*n = (uint32_t)count;
	return 0;
}

/* An object whose members become name/value pairs. Strings keep their text;
 * when any_value is set other JSON values become compact JSON text (MCP
 * arguments), otherwise they are an error (HTTP headers). */
static int get_pairs(json_t *in, const char *name, bool any_value, struct av_arena *arena,
                     const struct av_pair **out, uint32_t *n, struct av_error *err)
{
	*out = NULL;
	*n = 0;
	json_t *obj = json_object_get(in, name);
	if (obj == NULL)
		return 0;
	size_t count = json_object_size(obj);
	if (count > AV_ACTION_MAX_LIST)
		return av_error_set(err, AV_E_LIMIT, name,
		                    "field \"input.%s\" has %zu members; the limit is %d",
		                    name, count, AV_ACTION_MAX_LIST);
	struct av_pair *v = av_arena_alloc(arena, (count + 1) * sizeof(*v));
	if (v == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	size_t i = 0;
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		char where[128];
		snprintf(where, sizeof(where), "input.%s.%.64s", name, key);
		v[i].name = av_arena_strdup(arena, key);
		if (json_is_string(val)) {
			v[i].value = av_arena_strndup(arena, json_string_value(val),
			                              json_string_length(val));
		} else if (any_value) {
			char *text = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS |
			                                     JSON_ENCODE_ANY);
			v[i].value = text ? av_arena_strdup(arena, text) : NULL;
			free(text);
		} else {
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" must be a string, not %s",
			                    where, av_json_type_name(json_typeof(val)));
		}
		if (v[i].name == NULL || v[i].value == NULL)
			return av_error_set(err, AV_E_NOMEM, "", "out of memory");
		i++;
	}
	*out = v;
	*n = (uint32_t)i;
	return 0;
}

static const struct av_json_field http_fields[] = {
	{ "method", JSON_STRING },    { "url", JSON_STRING },
	{ "headers", JSON_OBJECT },   { "body", JSON_STRING },
	{ "body_file", JSON_STRING }, { NULL, JSON_NULL },
};

/* Methods are a closed set: an unknown verb could mean anything to the
 * server, and deciding about "GET" while "GETX" is sent is the confusion
 * the strict decoder exists to prevent. */
static const char *const http_methods[] = { "GET",   "HEAD",   "OPTIONS", "POST",   "PUT",
	                                    "PATCH", "DELETE", "TRACE",   "CONNECT" };

static int decode_http(json_t *in, struct av_arena *arena, struct av_action *a,
                       struct av_error *err)
{
	if (av_json_check_fields(in, http_fields, "input.", err) < 0 ||
	    get_required(in, "url", arena, &a->in.http.url, NULL, err) < 0 ||
	    get_str(in, "method", arena, &a->in.http.method, NULL, err) < 0 ||
	    get_str(in, "body", arena, &a->in.http.body, &a->in.http.body_len, err) < 0 ||
	    get_str(in, "body_file", arena, &a->in.http.body_file, NULL, err) < 0 ||
	    get_pairs(in, "headers", false, arena, &a->in.http.headers,
	              &a->in.http.nheaders, err) < 0)
		return -1;
	if (a->in.http.method == NULL) {
		a->in.http.method = "GET";
	} else {
		char *m = (char *)a->in.http.method; /* our own arena copy */
		for (char *c = m; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		size_t k = 0;
		while (k < sizeof(http_methods) / sizeof(http_methods[0]) &&
		       strcmp(http_methods[k], m) != 0)
			k++;
		if (k == sizeof(http_methods) / sizeof(http_methods[0]))
			return av_error_set(err, AV_E_FIELD, "input.method",
			                    "unknown HTTP method \"%.32s\"", m);
	}
	if (a->in.http.body != NULL && a->in.http.body_file != NULL)
		return av_error_set(err, AV_E_FIELD, "input.body_file",
		                    "give either \"input.body\" or \"input.body_file\", "
		                    "not both");
	if (a->in.http.body_file != NULL && a->in.http.body_file[0] == '\0')
		return av_error_set(err, AV_E_FIELD, "input.body_file",
		                    "field \"input.body_file\" is empty");
	return 0;
}

static const struct av_json_field sql_fields[] = {
	{ "statement", JSON_STRING }, { "dialect", JSON_STRING },
	{ "database", JSON_STRING },  { "host", JSON_STRING },
	{ NULL, JSON_NULL },
};

static const char *const sql_dialects[] = { "generic",    "postgres",  "mysql",
	                                    "mariadb",    "sqlite",    "mssql",
	                                    "oracle",     "snowflake", "bigquery",
	                                    "clickhouse", "duckdb",    "redshift" };

static int decode_sql(json_t *in, struct av_arena *arena, struct av_action *a,
                      struct av_error *err)
{
	if (av_json_check_fields(in, sql_fields, "input.", err) < 0 ||
	    get_required(in, "statement", arena, &a->in.sql.statement,
	                 &a->in.sql.statement_len, err) < 0 ||
	    get_str(in, "dialect", arena, &a->in.sql.dialect, NULL, err) < 0 ||
	    get_str(in, "database", arena, &a->in.sql.database, NULL, err) < 0 ||
	    get_str(in, "host", arena, &a->in.sql.host, NULL, err) < 0)
		return -1;
	if (a->in.sql.dialect != NULL) {
		size_t k = 0, n = sizeof(sql_dialects) / sizeof(sql_dialects[0]);
		while (k < n && strcmp(sql_dialects[k], a->in.sql.dialect) != 0)
			k++;
		if (k == n)
			return av_error_set(err, AV_E_FIELD, "input.dialect",
			                    "unknown SQL dialect \"%.32s\"",
			                    a->in.sql.dialect);
	}
	return 0;
}

static const struct av_json_field k8s_fields[] = {
	{ "verb", JSON_STRING },     { "resource", JSON_STRING },
	{ "name", JSON_STRING },     { "namespace", JSON_STRING },
	{ "manifest", JSON_STRING }, { "cluster", JSON_STRING },
	{ "all", JSON_TRUE },        { "replicas", JSON_INTEGER },
	{ NULL, JSON_NULL },
};

static int decode_k8s(json_t *in, struct av_arena *arena, struct av_action *a,
                      struct av_error *err)
{
	if (av_json_check_fields(in, k8s_fields, "input.", err) < 0 ||
	    get_required(in, "verb", arena, &a->in.k8s.verb, NULL, err) < 0 ||
	    get_str(in, "resource", arena, &a->in.k8s.resource, NULL, err) < 0 ||
	    get_str(in, "name", arena, &a->in.k8s.name, NULL, err) < 0 ||
	    get_str(in, "namespace", arena, &a->in.k8s.ns, NULL, err) < 0 ||
	    get_str(in, "manifest", arena, &a->in.k8s.manifest, &a->in.k8s.manifest_len,
	            err) < 0 ||
	    get_str(in, "cluster", arena, &a->in.k8s.cluster, NULL, err) < 0)
		return -1;
	a->in.k8s.all = json_is_true(json_object_get(in, "all"));
	json_t *rep = json_object_get(in, "replicas");
	a->in.k8s.replicas = rep != NULL ? json_integer_value(rep) : -1;
	if (rep != NULL && (a->in.k8s.replicas < 0 || a->in.k8s.replicas > 1000000))
		return av_error_set(err, AV_E_FIELD, "input.replicas",
		                    "field \"input.replicas\" must be 0 to 1000000");
	/* The words become kubectl arguments: a leading '-' would turn a name
	 * into an option. Kubernetes names, kinds and contexts are made of
	 * these characters; anything else (a quote, a ';') is refused rather
	 * than interpreted. */
	static const char word_chars[] = "abcdefghijklmnopqrstuvwxyz"
	                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                 "0123456789._-:/@";
	const struct {
		const char *where, *v;
	} words[] = {
		{ "input.verb", a->in.k8s.verb },
		{ "input.resource", a->in.k8s.resource },
		{ "input.name", a->in.k8s.name },
		{ "input.namespace", a->in.k8s.ns },
		{ "input.cluster", a->in.k8s.cluster },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *v = words[i].v;
		if (v != NULL && (v[0] == '\0' || v[0] == '-' ||
		                  strspn(v, word_chars) != strlen(v) || strlen(v) > 253))
			return av_error_set(
			        err, AV_E_FIELD, words[i].where,
			        "field \"%s\" must be one Kubernetes name (letters, "
			        "digits and ._-:/@, not starting with '-', at most "
			        "253 bytes)",
			        words[i].where);
	}
	if (a->in.k8s.resource == NULL && a->in.k8s.manifest == NULL &&
	    strcmp(a->in.k8s.verb, "version") != 0 &&
	    strcmp(a->in.k8s.verb, "cluster-info") != 0)
		return av_error_set(err, AV_E_FIELD, "input.resource",
		                    "a kubernetes action needs \"input.resource\" or "
		                    "\"input.manifest\"");
	return 0;
}

static const struct av_json_field code_fields[] = {
	{ "language", JSON_STRING },
	{ "source", JSON_STRING },
	{ NULL, JSON_NULL },
};

static int decode_code(json_t *in, struct av_arena *arena, struct av_action *a,
                       struct av_error *err)
{
	if (av_json_check_fields(in, code_fields, "input.", err) < 0 ||
	    get_str(in, "source", arena, &a->in.code.source, &a->in.code.source_len,
	            err) < 0)
		return -1;
	if (require(a->in.code.source, "input.source", err) < 0)
		return -1;
	json_t *lang = json_object_get(in, "language");
	if (lang == NULL)
		return require(NULL, "input.language", err);
	if (av_code_lang_parse(json_string_value(lang), json_string_length(lang),
	                       &a->in.code.language) < 0)
		return av_error_set(err, AV_E_FIELD, "input.language",
		                    "unknown language \"%.32s\"; expected python, "
		                    "javascript or shell",
		                    json_string_value(lang));
	return 0;
}

static const struct av_json_field message_fields[] = {
	{ "channel", JSON_STRING },    { "recipient", JSON_STRING },
	{ "subject", JSON_STRING },    { "body", JSON_STRING },
	{ "attachments", JSON_ARRAY }, { NULL, JSON_NULL },
};

static int decode_message(json_t *in, struct av_arena *arena, struct av_action *a,
                          struct av_error *err)
{
	if (av_json_check_fields(in, message_fields, "input.", err) < 0 ||
	    get_required(in, "channel", arena, &a->in.message.channel, NULL, err) < 0 ||
	    get_required(in, "recipient", arena, &a->in.message.recipient, NULL, err) <
	            0 ||
	    get_str(in, "subject", arena, &a->in.message.subject, NULL, err) < 0 ||
	    get_str(in, "body", arena, &a->in.message.body, &a->in.message.body_len,
	            err) < 0 ||
	    get_str_list(in, "attachments", arena, &a->in.message.attachments,
	                 &a->in.message.nattachments, err) < 0)
		return -1;
	return 0;
}

static const struct av_json_field credential_fields[] = {
	{ "name", JSON_STRING },
	{ "purpose", JSON_STRING },
	{ NULL, JSON_NULL },
};

static int decode_credential(json_t *in, struct av_arena *arena, struct av_action *a,
                             struct av_error *err)
{
	if (av_json_check_fields(in, credential_fields, "input.", err) < 0 ||
	    get_required(in, "name", arena, &a->in.credential.name, NULL, err) < 0 ||
	    get_str(in, "purpose", arena, &a->in.credential.purpose, NULL, err) < 0)
		return -1;
	return 0;
}

static const struct av_json_field delegate_fields[] = {
	{ "agent", JSON_STRING }, { "scope", JSON_STRING }, { "task", JSON_STRING },
	{ "tools", JSON_ARRAY },  { NULL, JSON_NULL },
};

static int decode_delegate(json_t *in, struct av_arena *arena, struct av_action *a,
                           struct av_error *err)
{
	if (av_json_check_fields(in, delegate_fields, "input.", err) < 0 ||
	    get_required(in, "agent", arena, &a->in.delegate.agent, NULL, err) < 0 ||
	    get_str(in, "scope", arena, &a->in.delegate.scope, NULL, err) < 0 ||
	    get_str(in, "task", arena, &a->in.delegate.task, NULL, err) < 0 ||
	    get_str_list(in, "tools", arena, &a->in.delegate.tools,
	                 &a->in.delegate.ntools, err) < 0)
		return -1;
	return 0;
}

static const struct av_json_field mcp_fields[] = {
	{ "server", JSON_STRING },    { "tool", JSON_STRING },
	{ "arguments", JSON_OBJECT }, { "annotations", JSON_OBJECT },
	{ NULL, JSON_NULL },
};

/* MCP tool annotations (the 2025-03-26 schema). They come from the server,
 * which is as untrusted as the agent: they are decoded, recorded and
 * exposed to rules, but nothing in the pipeline lets them lower a risk. */
static const struct av_json_field mcp_annotation_fields[] = {
	{ "title", JSON_STRING },         { "readOnlyHint", JSON_TRUE },
	{ "destructiveHint", JSON_TRUE }, { "idempotentHint", JSON_TRUE },
	{ "openWorldHint", JSON_TRUE },   { NULL, JSON_NULL },
};

static int8_t hint(json_t *ann, const char *name)
{
	json_t *v = ann != NULL ? json_object_get(ann, name) : NULL;
	return v == NULL ? -1 : json_is_true(v) ? 1 : 0;
}

static int decode_mcp(json_t *in, struct av_arena *arena, struct av_action *a,
                      struct av_error *err)
{
	if (av_json_check_fields(in, mcp_fields, "input.", err) < 0 ||
	    get_required(in, "server", arena, &a->in.mcp.server, NULL, err) < 0 ||
	    get_required(in, "tool", arena, &a->in.mcp.tool, NULL, err) < 0 ||
	    get_pairs(in, "arguments", true, arena, &a->in.mcp.args, &a->in.mcp.nargs,
	              err) < 0)
		return -1;
	json_t *ann = json_object_get(in, "annotations");
	if (ann != NULL && av_json_check_fields(ann, mcp_annotation_fields,
	                                        "input.annotations.", err) < 0)
		return -1;
	a->in.mcp.read_only_hint = hint(ann, "readOnlyHint");
	a->in.mcp.destructive_hint = hint(ann, "destructiveHint");
	a->in.mcp.idempotent_hint = hint(ann, "idempotentHint");
	a->in.mcp.open_world_hint = hint(ann, "openWorldHint");
	json_t *args = json_object_get(in, "arguments");
	if (args != NULL) {
		char *text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
		a->in.mcp.args_json = text ? av_arena_strdup(arena, text) : NULL;
		free(text);
		if (a->in.mcp.args_json == NULL)
			return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	}
	return 0;
}

int av_action_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_action *out, struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	av_error_clear(err);
	if (len > AV_ACTION_MAX_BYTES)
		return av_error_set(err, AV_E_LIMIT, "",
		                    "action is %zu bytes long; the limit is %zu", len,
		                    AV_ACTION_MAX_BYTES);

	json_t *root;
	if (av_json_load_object(json, len, "an action", &root, err) < 0)
		return -1;
	int rc = -1;
	/* The id first, so that even a rejected action can be answered by id. */
	json_t *id = json_object_get(root, "id");
	if (json_is_string(id) && json_string_length(id) <= 256)
		out->id = av_arena_strndup(arena, json_string_value(id),
		                           json_string_length(id));

	if (av_json_check_fields(root, top_fields, "", err) < 0)
		goto out;
	if (av_json_get_string(root, "session", "session", AV_ACTION_MAX_STRING, arena,
	                       &out->session, NULL, err) < 0 ||
	    av_json_get_string(root, "principal", "principal", AV_ACTION_MAX_STRING,
	                       arena, &out->principal, NULL, err) < 0 ||
	    av_json_get_string(root, "tool", "tool", AV_ACTION_MAX_STRING, arena,
	                       &out->tool, NULL, err) < 0)
		goto out;
	json_t *kind = json_object_get(root, "kind");
	if (kind == NULL) {
		require(NULL, "kind", err);
		goto out;
	}
	if (av_action_kind_parse(json_string_value(kind), json_string_length(kind),
	                         &out->kind) < 0) {
		av_error_set(
		        err, AV_E_FIELD, "kind",
		        "unknown action kind \"%.64s\"; expected shell, file, http, "
		        "sql, kubernetes, code, message, credential, delegate or mcp",
		        json_string_value(kind));
		goto out;
	}
	json_t *ctx = json_object_get(root, "context");
	if (ctx != NULL && decode_context(ctx, arena, &out->ctx, err) < 0)
		goto out;
	json_t *input = json_object_get(root, "input");
	if (input == NULL) {
		require(NULL, "input", err);
		goto out;
	}
	static int (*const decoders[AV_KIND_COUNT])(
	        json_t *, struct av_arena *, struct av_action *, struct av_error *) = {
		[AV_KIND_SHELL] = decode_shell,
		[AV_KIND_FILE] = decode_file,
		[AV_KIND_HTTP] = decode_http,
		[AV_KIND_SQL] = decode_sql,
		[AV_KIND_KUBERNETES] = decode_k8s,
		[AV_KIND_CODE] = decode_code,
		[AV_KIND_MESSAGE] = decode_message,
		[AV_KIND_CREDENTIAL] = decode_credential,
		[AV_KIND_DELEGATE] = decode_delegate,
		[AV_KIND_MCP] = decode_mcp,
	};
	rc = decoders[out->kind](input, arena, out, err);
out:
	json_decref(root);
	return rc;
}

const char *av_action_subject(const struct av_action *a, const char **what)
{
	const char *s = NULL;
	*what = "";
	switch (a->kind) {
	case AV_KIND_SHELL:
		s = a->in.shell.command;
		*what = "command";
		break;
	case AV_KIND_FILE:
		s = a->in.file.path;
		*what = av_file_op_name(a->in.file.op);
		break;
	case AV_KIND_HTTP:
		s = a->in.http.url;
		*what = a->in.http.method;
		break;
	case AV_KIND_SQL:
		s = a->in.sql.statement;
		*what = "statement";
		break;
	case AV_KIND_KUBERNETES:
		s = a->in.k8s.resource ? a->in.k8s.resource : "manifest";
		*what = a->in.k8s.verb;
		break;
	case AV_KIND_CODE:
		s = a->in.code.source;
		*what = av_code_lang_name(a->in.code.language);
		break;
	case AV_KIND_MESSAGE:
		s = a->in.message.recipient;
		*what = a->in.message.channel;
		break;
	case AV_KIND_CREDENTIAL:
		s = a->in.credential.name;
		*what = "use";
		break;
	case AV_KIND_DELEGATE:
		s = a->in.delegate.agent;
		*what = "to";
		break;
	case AV_KIND_MCP:
		s = a->in.mcp.tool;
		*what = a->in.mcp.server;
		break;
	}
	if (*what == NULL)
		*what = "";
	return s != NULL ? s : "";
}

void av_action_fill_context(struct av_action *a, const struct av_context *fallback)
{
	if (a->ctx.cwd == NULL)
		a->ctx.cwd = fallback->cwd;
	if (a->ctx.workspace == NULL)
		a->ctx.workspace = fallback->workspace;
	if (a->ctx.home == NULL)
		a->ctx.home = fallback->home;
	if (a->ctx.user == NULL)
		a->ctx.user = fallback->user;
}
