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
		av_error_set(err, AV_E_FIELD, "kind",
		             "unknown action kind \"%.64s\"; expected shell or file",
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
	};
	rc = decoders[out->kind](input, arena, out, err);
out:
	json_decref(root);
	return rc;
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
