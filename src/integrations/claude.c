/* claude.c - the pure half of the Claude Code hook integration (claude.h):
 * strict decoding of the hook input, the table that maps each Claude Code
 * tool to an agentvisor action, the result report for PostToolUse, and the
 * hook answer built from a decision.
 *
 * The hook input comes from the agent's side: tool_input is whatever the
 * model wrote. Nothing in it is trusted, and anything we do not understand
 * is an error, because a field we silently ignore is a field that can make
 * the tool do something other than what we decided about. The exceptions
 * are tools with no field table: MCP tools and tools we do not know, whose
 * whole input goes to the policy as the call's arguments (nothing dropped,
 * so nothing to ignore), and Claude Code's internal tools. */
#include "integrations/claude.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_strict.h"
#include "util/utf8.h"

/* ---- field tables ------------------------------------------------------ */

/* JSON types a field may have, as a mask (booleans and numbers span two
 * jansson types each). */
enum {
	T_STR = 1u << 0,
	T_INT = 1u << 1,
	T_REAL = 1u << 2,
	T_BOOL = 1u << 3,
	T_OBJ = 1u << 4,
	T_ARR = 1u << 5,
	T_NULL = 1u << 6,
	T_NUM = T_INT | T_REAL,
	T_ANY = 0x7f,
};

/* Events, as a mask over enum av_claude_event. */
enum {
	EV_PRE = 1u << AV_CLAUDE_PRE_TOOL_USE,
	EV_POST = 1u << AV_CLAUDE_POST_TOOL_USE,
	EV_FAIL = 1u << AV_CLAUDE_POST_TOOL_USE_FAILURE,
	EV_ALL = EV_PRE | EV_POST | EV_FAIL,
};

struct field {
	const char *name;
	unsigned types;
	unsigned events;   /* the events that carry it (top level only) */
	unsigned required; /* the events that must carry it */
};

/* The top-level fields Claude Code sends (INTEGRATIONS.md, checked against
 * the hook input schema of Claude Code 2.1.330: prompt_id, effort,
 * mcp_server and duration_ms are the real client's additions). */
static const struct field top_fields[] = {
	{ "session_id", T_STR, EV_ALL, EV_ALL },
	{ "transcript_path", T_STR, EV_ALL, 0 },
	{ "cwd", T_STR, EV_ALL, EV_ALL },
	{ "prompt_id", T_STR, EV_ALL, 0 },
	{ "permission_mode", T_STR, EV_ALL, 0 },
	{ "agent_id", T_STR, EV_ALL, 0 },
	{ "agent_type", T_STR, EV_ALL, 0 },
	{ "effort", T_OBJ, EV_ALL, 0 },
	{ "hook_event_name", T_STR, EV_ALL, EV_ALL },
	{ "tool_name", T_STR, EV_ALL, EV_ALL },
	{ "tool_input", T_OBJ, EV_ALL, EV_ALL },
	/* Optional before the tool runs (the action then has no id), required
	 * after: a result is linked to its decision by it. */
	{ "tool_use_id", T_STR, EV_ALL, EV_POST | EV_FAIL },
	{ "mcp_server", T_OBJ, EV_ALL, 0 },
	{ "tool_response", T_ANY, EV_POST, EV_POST },
	{ "duration_ms", T_NUM, EV_POST | EV_FAIL, 0 },
	{ "error", T_STR, EV_FAIL, EV_FAIL },
	{ "is_interrupt", T_BOOL, EV_FAIL, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field mcp_server_fields[] = {
	{ "name", T_STR, 0, 1 },
	{ "source", T_STR, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field effort_fields[] = {
	{ "level", T_STR, 0, 0 },
	{ NULL, 0, 0, 0 },
};

/* tool_input of the mapped tools (Claude Code's sdk-tools.d.ts). For tool
 * inputs `required` is a plain flag (1). */
static const struct field bash_fields[] = {
	{ "command", T_STR, 0, 1 },
	{ "description", T_STR, 0, 0 },
	{ "timeout", T_NUM, 0, 0 },
	{ "run_in_background", T_BOOL, 0, 0 },
	{ "dangerouslyDisableSandbox", T_BOOL, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field write_fields[] = {
	{ "file_path", T_STR, 0, 1 },
	{ "content", T_STR, 0, 1 },
	{ NULL, 0, 0, 0 },
};

static const struct field edit_fields[] = {
	{ "file_path", T_STR, 0, 1 },
	{ "old_string", T_STR, 0, 1 },
	{ "new_string", T_STR, 0, 1 },
	{ "replace_all", T_BOOL, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field multiedit_fields[] = {
	{ "file_path", T_STR, 0, 1 },
	{ "edits", T_ARR, 0, 1 },
	{ NULL, 0, 0, 0 },
};

static const struct field read_fields[] = {
	{ "file_path", T_STR, 0, 1 },    { "offset", T_NUM, 0, 0 },
	{ "limit", T_NUM, 0, 0 },        { "pages", T_STR, 0, 0 },
	{ "allow_large", T_BOOL, 0, 0 }, { NULL, 0, 0, 0 },
};

static const struct field notebook_fields[] = {
	{ "notebook_path", T_STR, 0, 1 }, { "cell_id", T_STR, 0, 0 },
	{ "new_source", T_STR, 0, 1 },    { "cell_type", T_STR, 0, 0 },
	{ "edit_mode", T_STR, 0, 0 },     { NULL, 0, 0, 0 },
};

static const struct field glob_fields[] = {
	{ "pattern", T_STR, 0, 1 },
	{ "path", T_STR, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field grep_fields[] = {
	{ "pattern", T_STR, 0, 1 },    { "path", T_STR, 0, 0 },
	{ "glob", T_STR, 0, 0 },       { "output_mode", T_STR, 0, 0 },
	{ "-B", T_NUM, 0, 0 },         { "-A", T_NUM, 0, 0 },
	{ "-C", T_NUM, 0, 0 },         { "context", T_NUM, 0, 0 },
	{ "-n", T_BOOL, 0, 0 },        { "-i", T_BOOL, 0, 0 },
	{ "-o", T_BOOL, 0, 0 },        { "type", T_STR, 0, 0 },
	{ "head_limit", T_NUM, 0, 0 }, { "offset", T_NUM, 0, 0 },
	{ "multiline", T_BOOL, 0, 0 }, { NULL, 0, 0, 0 },
};

static const struct field ls_fields[] = {
	{ "path", T_STR, 0, 1 },
	{ "ignore", T_ARR, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field webfetch_fields[] = {
	{ "url", T_STR, 0, 1 },
	{ "prompt", T_STR, 0, 0 },
	{ "offset", T_NUM, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct field agent_fields[] = {
	{ "description", T_STR, 0, 0 },
	{ "prompt", T_STR, 0, 1 },
	{ "subagent_type", T_STR, 0, 0 },
	{ "model", T_STR, 0, 0 },
	{ "effort", T_STR, 0, 0 },
	{ "run_in_background", T_BOOL, 0, 0 },
	{ "name", T_STR, 0, 0 },
	{ "team_name", T_STR, 0, 0 },
	{ "mode", T_STR, 0, 0 },
	{ "isolation", T_STR, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static unsigned type_bit(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return T_STR;
	case JSON_INTEGER:
		return T_INT;
	case JSON_REAL:
		return T_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return T_BOOL;
	case JSON_OBJECT:
		return T_OBJ;
	case JSON_ARRAY:
		return T_ARR;
	case JSON_NULL:
		return T_NULL;
	}
	return 0; /* defensive: jansson has no other types */
}

static const char *types_name(unsigned t)
{
	static const struct {
		unsigned mask;
		const char *name;
	} names[] = {
		{ T_STR, "a string" },   { T_NUM, "a number" },  { T_INT, "an integer" },
		{ T_BOOL, "a boolean" }, { T_OBJ, "an object" }, { T_ARR, "an array" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].mask == t)
			return names[i].name;
	return "another type";
}

/* Checks obj against specs: every key known (and carried by event, for the
 * top level), of an allowed type, every required one present. prefix
 * ("tool_input.") goes before names in where. event_mask is 0 for nested
 * objects, where `required` is a flag. */
static int check_fields(json_t *obj, const struct field *specs, const char *prefix,
                        unsigned event_mask, const char *context, struct av_error *err)
{
	const char *key;
	json_t *val;
	char where[160];
	json_object_foreach(obj, key, val)
	{
		const struct field *s = specs;
		while (s->name != NULL && strcmp(s->name, key) != 0)
			s++;
		bool known = s->name != NULL;
		if (known && (event_mask == 0 || (s->events & event_mask)) &&
		    (type_bit(val) & s->types))
			continue; /* the common case: no message to format */
		snprintf(where, sizeof(where), "%s%.100s", prefix, key);
		if (!known)
			return av_error_set(err, AV_E_FIELD, where,
			                    "unknown field \"%s\"%s; agentvisor cannot "
			                    "tell what it does, so it cannot decide",
			                    where, context);
		if (event_mask != 0 && !(s->events & event_mask))
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" does not belong to this hook "
			                    "event",
			                    where);
		if (!(type_bit(val) & s->types))
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" must be %s, not %s", where,
			                    types_name(s->types),
			                    av_json_type_name(json_typeof(val)));
	}
	for (const struct field *s = specs; s->name != NULL; s++) {
		bool required = event_mask != 0 ? (s->required & event_mask) != 0
		                                : s->required != 0;
		if (required && json_object_get(obj, s->name) == NULL) {
			snprintf(where, sizeof(where), "%s%s", prefix, s->name);
			return av_error_set(err, AV_E_FIELD, where,
			                    "required field \"%s\" is missing%s", where,
			                    context);
		}
	}
	return 0;
}

/* The string field name of obj, or NULL; longer than max is AV_E_LIMIT. */
static int get_str(json_t *obj, const char *name, const char *where, size_t max,
                   const char **out, struct av_error *err)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (!json_is_string(v))
		return 0;
	if (json_string_length(v) > max)
		return av_error_set(err, AV_E_LIMIT, where,
		                    "field \"%s\" is %zu bytes long; the limit is %zu",
		                    where, json_string_length(v), max);
	*out = json_string_value(v);
	return 0;
}

/* ---- the tool table ---------------------------------------------------- */

/* What a mapper fills: the action's kind and its input object. */
struct map_out {
	const char *kind;
	json_t *input; /* new reference */
};

typedef int map_fn(json_t *in, const struct av_claude_request *r, struct map_out *m,
                   struct av_error *err);

/* A new input object, or NULL on allocation failure (reported by the
 * caller as AV_E_NOMEM). */
static json_t *file_input(const char *op, const char *path)
{
	return json_pack("{s:s, s:s}", "op", op, "path", path);
}

static int map_bash(json_t *in, const struct av_claude_request *r, struct map_out *m,
                    struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "shell";
	m->input = json_pack("{s:O}", "command", json_object_get(in, "command"));
	return 0;
}

/* Write, Edit and NotebookEdit: a file op with the new text as content, so
 * the rules over written content (startup files, CI, package scripts)
 * see what would be written. */
static int map_write(json_t *in, const struct av_claude_request *r, struct map_out *m,
                     struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "file";
	m->input = json_pack("{s:s, s:O, s:O}", "op", "write", "path",
	                     json_object_get(in, "file_path"), "content",
	                     json_object_get(in, "content"));
	return 0;
}

static int map_edit(json_t *in, const struct av_claude_request *r, struct map_out *m,
                    struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "file";
	m->input = json_pack("{s:s, s:O, s:O}", "op", "edit", "path",
	                     json_object_get(in, "file_path"), "content",
	                     json_object_get(in, "new_string"));
	return 0;
}

/* MultiEdit: one edit whose content is every new_string, one per line, so
 * content rules see all of them. Each edit is checked like an Edit. */
static int map_multiedit(json_t *in, const struct av_claude_request *r, struct map_out *m,
                         struct av_error *err)
{
	static const struct field one_edit[] = {
		{ "old_string", T_STR, 0, 1 },
		{ "new_string", T_STR, 0, 1 },
		{ "replace_all", T_BOOL, 0, 0 },
		{ NULL, 0, 0, 0 },
	};
	(void)r;
	json_t *edits = json_object_get(in, "edits");
	size_t n = json_array_size(edits);
	if (n > AV_CLAUDE_MAX_EDITS)
		return av_error_set(err, AV_E_LIMIT, "tool_input.edits",
		                    "MultiEdit has %zu edits; the limit is %d", n,
		                    AV_CLAUDE_MAX_EDITS);
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(edits, i);
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "tool_input.edits[%zu].", i);
		if (!json_is_object(e))
			return av_error_set(err, AV_E_FIELD, prefix,
			                    "field \"tool_input.edits[%zu]\" must be an "
			                    "object",
			                    i);
		if (check_fields(e, one_edit, prefix, 0, "", err) < 0)
			return -1;
		total += json_string_length(json_object_get(e, "new_string")) + 1;
		if (total > AV_ACTION_MAX_STRING)
			return av_error_set(err, AV_E_LIMIT, "tool_input.edits",
			                    "the new text of MultiEdit is over %zu bytes",
			                    AV_ACTION_MAX_STRING);
	}
	char *content = malloc(total + 1);
	if (content == NULL)
		return av_error_set(err, AV_E_NOMEM, "tool_input.edits", "out of memory");
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_object_get(json_array_get(edits, i), "new_string");
		memcpy(content + at, json_string_value(s), json_string_length(s));
		at += json_string_length(s);
		content[at++] = '\n';
	}
	content[at] = '\0';
	m->kind = "file";
	m->input = json_pack("{s:s, s:O, s:s%}", "op", "edit", "path",
	                     json_object_get(in, "file_path"), "content", content, at);
	free(content);
	return 0;
}

static int map_read(json_t *in, const struct av_claude_request *r, struct map_out *m,
                    struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "file";
	m->input =
	        file_input("read", json_string_value(json_object_get(in, "file_path")));
	return 0;
}

/* NotebookEdit: deleting a cell carries no new text. */
static int map_notebook(json_t *in, const struct av_claude_request *r, struct map_out *m,
                        struct av_error *err)
{
	(void)r;
	(void)err;
	const char *mode = json_string_value(json_object_get(in, "edit_mode"));
	m->kind = "file";
	m->input = file_input("edit",
	                      json_string_value(json_object_get(in, "notebook_path")));
	if (m->input != NULL && (mode == NULL || strcmp(mode, "delete") != 0) &&
	    json_object_set(m->input, "content", json_object_get(in, "new_source")) < 0) {
		json_decref(m->input);
		m->input = NULL;
	}
	return 0;
}

/* Glob and Grep search under a directory (default: the session's cwd):
 * Glob reveals names (list), Grep reads contents (read). A Glob pattern
 * that is itself absolute names its directory: its literal prefix up to
 * the first component with a glob character. */
static int map_search(json_t *in, const struct av_claude_request *r, const char *op,
                      struct map_out *m, char *buf, size_t cap)
{
	const char *path = json_string_value(json_object_get(in, "path"));
	const char *pattern = json_string_value(json_object_get(in, "pattern"));
	if (path == NULL && strcmp(op, "list") == 0 && pattern != NULL &&
	    pattern[0] == '/') {
		size_t meta = strcspn(pattern, "*?[{");
		size_t slash = 0;
		for (size_t i = 0; i < meta; i++)
			if (pattern[i] == '/')
				slash = i;
		if (meta == strlen(pattern))
			slash = meta; /* no glob characters at all */
		snprintf(buf, cap, "%.*s", slash == 0 ? 1 : (int)slash, pattern);
		path = buf;
	}
	m->kind = "file";
	m->input = file_input(op, path != NULL && path[0] != '\0' ? path : r->cwd);
	return 0;
}

static int map_glob(json_t *in, const struct av_claude_request *r, struct map_out *m,
                    struct av_error *err)
{
	(void)err;
	char buf[AV_CLAUDE_MAX_FIELD + 1];
	if (json_string_length(json_object_get(in, "pattern")) > AV_CLAUDE_MAX_FIELD)
		return av_error_set(err, AV_E_LIMIT, "tool_input.pattern",
		                    "field \"tool_input.pattern\" is over %zu bytes",
		                    AV_CLAUDE_MAX_FIELD);
	return map_search(in, r, "list", m, buf, sizeof(buf));
}

static int map_grep(json_t *in, const struct av_claude_request *r, struct map_out *m,
                    struct av_error *err)
{
	(void)err;
	char buf[2];
	return map_search(in, r, "read", m, buf, sizeof(buf));
}

static int map_ls(json_t *in, const struct av_claude_request *r, struct map_out *m,
                  struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "file";
	m->input = file_input("list", json_string_value(json_object_get(in, "path")));
	return 0;
}

/* WebFetch: Claude Code GETs the URL (and hands the page to a model). */
static int map_webfetch(json_t *in, const struct av_claude_request *r, struct map_out *m,
                        struct av_error *err)
{
	(void)r;
	(void)err;
	m->kind = "http";
	m->input = json_pack("{s:s, s:O}", "method", "GET", "url",
	                     json_object_get(in, "url"));
	return 0;
}

/* Task / Agent: a subagent gets the task. Its own tool calls come through
 * this hook again with agent_id set; this decision is about the hand-off. */
static int map_agent(json_t *in, const struct av_claude_request *r, struct map_out *m,
                     struct av_error *err)
{
	(void)r;
	(void)err;
	const char *type = json_string_value(json_object_get(in, "subagent_type"));
	m->kind = "delegate";
	m->input =
	        json_pack("{s:s, s:O}", "agent", type != NULL ? type : "general-purpose",
	                  "task", json_object_get(in, "prompt"));
	return 0;
}

/* mcp__<server>__<tool>: a tools/call with tool_input as its arguments. The
 * server is mcp_server.name when Claude Code sends it (the configured
 * name), else the name's middle part. */
/* A Claude Code tool agentvisor has no mapping for: an MCP-like call of
 * the pseudo-server claude-code, so the policy decides it the way it
 * decides MCP tools. mcp_tools entries "claude-code/NAME ..." map such
 * tools to effects; unmapped ones get conservative effects from their
 * arguments (paths read, URLs fetched) and the rule claude.unknown-tool
 * (review). Nothing about the call is dropped: tool_input is the
 * arguments. */
static int map_unknown(json_t *in, const struct av_claude_request *r, struct map_out *m,
                       struct av_error *err)
{
	(void)err;
	m->kind = "mcp";
	m->input = json_pack("{s:s, s:s, s:O}", "server", AV_CLAUDE_PSEUDO_SERVER, "tool",
	                     r->tool_name, "arguments", in);
	return 0;
}

static int map_mcp(json_t *in, const struct av_claude_request *r, struct map_out *m,
                   struct av_error *err)
{
	const char *rest = r->tool_name + 5; /* after "mcp__" */
	const char *sep = strstr(rest, "__");
	if (sep == NULL || sep == rest || sep[2] == '\0')
		return av_error_set(err, AV_E_FIELD, "tool_name",
		                    "MCP tool name \"%.100s\" is not mcp__SERVER__TOOL",
		                    r->tool_name);
	m->kind = "mcp";
	m->input = json_pack("{s:s, s:s, s:O}", "server",
	                     r->mcp_server != NULL ? r->mcp_server : "", "tool", sep + 2,
	                     "arguments", in);
	if (m->input != NULL && r->mcp_server == NULL &&
	    json_object_set_new(m->input, "server",
	                        json_stringn(rest, (size_t)(sep - rest))) < 0) {
		json_decref(m->input);
		m->input = NULL;
	}
	return 0;
}

struct tool_def {
	const char *name;
	enum av_claude_mapping mapping;
	const struct field *fields; /* tool_input; NULL: not read */
	map_fn *map;
	const char *writes; /* tool_input field naming the file written */
};

/* Every tool Claude Code has that agentvisor knows. AV_CLAUDE_INTERNAL
 * tools only change Claude Code's own state (its todo list, plan mode,
 * background task bookkeeping) or ask the user; WebSearch runs on the
 * model provider's side with text the model already has. Anything not
 * listed (and every future tool) is AV_CLAUDE_UNMAPPED: see map_unknown. */
static const struct tool_def tools[] = {
	{ "Agent", AV_CLAUDE_MAPPED, agent_fields, map_agent, NULL },
	{ "AskUserQuestion", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "Bash", AV_CLAUDE_MAPPED, bash_fields, map_bash, NULL },
	{ "BashOutput", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "Edit", AV_CLAUDE_MAPPED, edit_fields, map_edit, "file_path" },
	{ "EnterPlanMode", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "ExitPlanMode", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "Glob", AV_CLAUDE_MAPPED, glob_fields, map_glob, NULL },
	{ "Grep", AV_CLAUDE_MAPPED, grep_fields, map_grep, NULL },
	{ "KillShell", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "LS", AV_CLAUDE_MAPPED, ls_fields, map_ls, NULL },
	{ "MultiEdit", AV_CLAUDE_MAPPED, multiedit_fields, map_multiedit, "file_path" },
	{ "NotebookEdit", AV_CLAUDE_MAPPED, notebook_fields, map_notebook,
	  "notebook_path" },
	{ "Read", AV_CLAUDE_MAPPED, read_fields, map_read, NULL },
	{ "Task", AV_CLAUDE_MAPPED, agent_fields, map_agent, NULL },
	{ "TaskCreate", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TaskGet", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TaskList", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TaskOutput", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TaskStop", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TaskUpdate", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "TodoWrite", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "WebFetch", AV_CLAUDE_MAPPED, webfetch_fields, map_webfetch, NULL },
	{ "WebSearch", AV_CLAUDE_INTERNAL, NULL, NULL, NULL },
	{ "Write", AV_CLAUDE_MAPPED, write_fields, map_write, "file_path" },
};

/* MCP tools are matched by prefix rather than listed. */
static const struct tool_def mcp_tool = { "mcp__", AV_CLAUDE_MAPPED, NULL, map_mcp,
	                                  NULL };

static const struct tool_def unknown_tool = { "", AV_CLAUDE_UNMAPPED, NULL, map_unknown,
	                                      NULL };

static const struct tool_def *tool_lookup(const char *name)
{
	if (strncmp(name, "mcp__", 5) == 0)
		return &mcp_tool;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return &unknown_tool;
}

/* ---- decoding ---------------------------------------------------------- */

static const char *const event_names[AV_CLAUDE_EVENT_COUNT] = {
	[AV_CLAUDE_PRE_TOOL_USE] = "PreToolUse",
	[AV_CLAUDE_POST_TOOL_USE] = "PostToolUse",
	[AV_CLAUDE_POST_TOOL_USE_FAILURE] = "PostToolUseFailure",
};

const char *av_claude_event_name(enum av_claude_event e)
{
	return (unsigned)e < AV_CLAUDE_EVENT_COUNT ? event_names[e] : "?";
}

/* Compact JSON of v copied into ARENA (NULL on allocation failure). */
static const char *dump_to_arena(json_t *v, struct av_arena *arena, size_t *len)
{
	char *s = json_dumps(v, JSON_COMPACT);
	if (s == NULL)
		return NULL;
	*len = strlen(s);
	char *a = av_arena_strndup(arena, s, *len);
	free(s);
	return a;
}

/* Builds the agentvisor action for a mapped tool call. */
static int build_action(json_t *input, const struct tool_def *t,
                        struct av_claude_request *r, struct av_arena *arena,
                        struct av_error *err)
{
	if (t->fields != NULL) {
		char ctx[160];
		snprintf(ctx, sizeof(ctx), " for tool %.64s", r->tool_name);
		if (check_fields(input, t->fields, "tool_input.", 0, ctx, err) < 0)
			return -1;
	}
	/* Every string that becomes an action field is bounded like the
	 * action decoder bounds it, with the hook's field name in the error. */
	const char *key;
	json_t *val;
	json_object_foreach(input, key, val)
	{
		if (json_is_string(val) && json_string_length(val) > AV_ACTION_MAX_STRING)
			return av_error_set(
			        err, AV_E_LIMIT, "tool_input",
			        "field \"tool_input.%.64s\" is %zu bytes long; "
			        "the limit is %zu",
			        key, json_string_length(val), AV_ACTION_MAX_STRING);
	}
	struct map_out m = { 0 };
	if (t->map(input, r, &m, err) < 0)
		return -1;
	if (m.input == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory mapping %s",
		                    r->tool_name);
	json_t *action =
	        json_pack("{s:s, s:s, s:o, s:{s:s}}", "kind", m.kind, "tool",
	                  r->tool_name, "input", m.input, "context", "cwd", r->cwd);
	int rc = 0;
	if (action == NULL ||
	    (r->tool_use_id != NULL &&
	     json_object_set_new(action, "id", json_string(r->tool_use_id)) < 0) ||
	    json_object_set_new(action, "session", json_string(r->session)) < 0)
		rc = -1;
	if (rc == 0)
		r->action_json = dump_to_arena(action, arena, &r->action_json_len);
	json_decref(action);
	if (rc < 0 || r->action_json == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory mapping %s",
		                    r->tool_name);
	return 0;
}

/* The longest error text a result report carries (the result decoder
 * allows AV_RESULT_MAX_STRING; tool errors can quote whole outputs). */
#define RESULT_ERROR_MAX ((size_t)4096)

/* Cuts s[0..*len) to at most max bytes on a UTF-8 character boundary. */
static void utf8_cut(const char *s, size_t *len, size_t max)
{
	if (*len <= max)
		return;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	*len = n;
}

/* Builds the result report for PostToolUse(Failure). The output itself is
 * never kept: its digest is the SHA-256 of tool_response as compact JSON
 * (for a failure, of the error text). */
static int build_result(json_t *root, const struct tool_def *t,
                        struct av_claude_request *r, struct av_arena *arena,
                        struct av_error *err)
{
	json_t *resp = json_object_get(root, "tool_response");
	const char *errtext = json_string_value(json_object_get(root, "error"));
	char *out = NULL;
	size_t outlen = 0;
	if (resp != NULL) {
		out = json_dumps(resp, JSON_COMPACT | JSON_ENCODE_ANY);
		if (out == NULL)
			return av_error_set(err, AV_E_NOMEM, "tool_response",
			                    "out of memory");
		outlen = strlen(out);
	}
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 8] = "sha256:";
	const char *digested = out != NULL ? out : errtext != NULL ? errtext : "";
	size_t dlen = out != NULL ? outlen : strlen(digested);
	crypto_hash_sha256(h, (const unsigned char *)digested, dlen);
	sodium_bin2hex(hex + 7, sizeof(hex) - 7, h, sizeof(h));
	free(out);

	json_t *res =
	        json_pack("{s:s, s:s, s:i, s:s, s:I}", "id", r->tool_use_id, "session",
	                  r->session, "exit", r->event == AV_CLAUDE_POST_TOOL_USE ? 0 : 1,
	                  "output_digest", hex, "output_bytes", (json_int_t)dlen);
	if (res == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	int rc = 0;
	json_t *dur = json_object_get(root, "duration_ms");
	if (dur != NULL && json_number_value(dur) >= 0 && json_number_value(dur) < 1e15)
		rc |= json_object_set_new(
		        res, "duration_ms",
		        json_integer((json_int_t)json_number_value(dur)));
	if (errtext != NULL) {
		size_t n = strlen(errtext);
		utf8_cut(errtext, &n, RESULT_ERROR_MAX);
		rc |= json_object_set_new(res, "error", json_stringn(errtext, n));
	}
	json_t *in = json_object_get(root, "tool_input");
	const char *written = t != NULL && t->writes != NULL
	                              ? json_string_value(json_object_get(in, t->writes))
	                              : NULL;
	if (r->event == AV_CLAUDE_POST_TOOL_USE && written != NULL &&
	    written[0] != '\0' && strlen(written) <= AV_RESULT_MAX_PATH)
		rc |= json_object_set_new(res, "paths_written",
		                          json_pack("[s]", written));
	if (rc == 0)
		r->result_json = dump_to_arena(res, arena, &r->result_json_len);
	json_decref(res);
	if (rc != 0 || r->result_json == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	return 0;
}

/* Reads the top-level fields every event shares into r. */
static int read_common(json_t *root, struct av_claude_request *r, struct av_arena *arena,
                       struct av_error *err)
{
	const struct {
		const char *name;
		const char **slot;
	} strs[] = {
		{ "session_id", &r->session_id },
		{ "transcript_path", &r->transcript_path },
		{ "cwd", &r->cwd },
		{ "permission_mode", &r->permission_mode },
		{ "tool_name", &r->tool_name },
		{ "tool_use_id", &r->tool_use_id },
		{ "agent_id", &r->agent_id },
		{ "agent_type", &r->agent_type },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *v;
		if (get_str(root, strs[i].name, strs[i].name, AV_CLAUDE_MAX_FIELD, &v,
		            err) < 0)
			return -1;
		if (v != NULL && (*strs[i].slot = av_arena_strdup(arena, v)) == NULL)
			return av_error_set(err, AV_E_NOMEM, strs[i].name,
			                    "out of memory");
	}
	if (r->session_id[0] == '\0')
		return av_error_set(err, AV_E_FIELD, "session_id",
		                    "field \"session_id\" is empty");
	if (r->tool_name[0] == '\0')
		return av_error_set(err, AV_E_FIELD, "tool_name",
		                    "field \"tool_name\" is empty");
	/* The cwd resolves every relative path in the action: a relative one
	 * would make the decision depend on where agentvisor runs. */
	if (r->cwd[0] != '/')
		return av_error_set(err, AV_E_FIELD, "cwd",
		                    "field \"cwd\" must be an absolute path");
	r->session = r->agent_id != NULL
	                     ? av_arena_printf(arena, "%s/%s", r->session_id, r->agent_id)
	                     : r->session_id;
	if (r->session == NULL)
		return av_error_set(err, AV_E_NOMEM, "session_id", "out of memory");

	json_t *srv = json_object_get(root, "mcp_server");
	if (srv != NULL) {
		const char *name;
		if (check_fields(srv, mcp_server_fields, "mcp_server.", 0, "", err) < 0 ||
		    get_str(srv, "name", "mcp_server.name", AV_CLAUDE_MAX_FIELD, &name,
		            err) < 0)
			return -1;
		if ((r->mcp_server = av_arena_strdup(arena, name)) == NULL)
			return av_error_set(err, AV_E_NOMEM, "mcp_server",
			                    "out of memory");
	}
	json_t *effort = json_object_get(root, "effort");
	if (effort != NULL &&
	    check_fields(effort, effort_fields, "effort.", 0, "", err) < 0)
		return -1;
	return 0;
}

int av_claude_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_claude_request *out, struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	av_error_clear(err);
	if (len > AV_CLAUDE_MAX_BYTES)
		return av_error_set(err, AV_E_LIMIT, "",
		                    "the hook input is %zu bytes long; the limit is %zu",
		                    len, AV_CLAUDE_MAX_BYTES);
	json_t *root;
	if (av_json_load_object(json, len, "the hook input", &root, err) < 0)
		return -1;
	int rc = -1;
	/* The event first, so even a rejected input is answered in its shape. */
	json_t *ev = json_object_get(root, "hook_event_name");
	if (!json_is_string(ev)) {
		av_error_set(err, AV_E_FIELD, "hook_event_name",
		             ev == NULL ? "required field \"hook_event_name\" is missing"
		                        : "field \"hook_event_name\" must be a string");
		goto out;
	}
	unsigned e = 0;
	while (e < AV_CLAUDE_EVENT_COUNT &&
	       strcmp(event_names[e], json_string_value(ev)) != 0)
		e++;
	if (e == AV_CLAUDE_EVENT_COUNT) {
		av_error_set(err, AV_E_FIELD, "hook_event_name",
		             "hook event \"%.64s\" is not handled; configure agentvisor "
		             "for PreToolUse, PostToolUse or PostToolUseFailure",
		             json_string_value(ev));
		goto out;
	}
	out->event = (enum av_claude_event)e;
	/* The id, so a result (or a failure) is recorded under it. */
	json_t *id = json_object_get(root, "tool_use_id");
	if (json_is_string(id) && json_string_length(id) <= AV_CLAUDE_MAX_FIELD)
		out->tool_use_id = av_arena_strndup(arena, json_string_value(id),
		                                    json_string_length(id));
	if (check_fields(root, top_fields, "", 1u << e, "", err) < 0 ||
	    read_common(root, out, arena, err) < 0)
		goto out;
	const struct tool_def *t = tool_lookup(out->tool_name);
	out->mapping = t->mapping;
	if (out->event != AV_CLAUDE_PRE_TOOL_USE)
		rc = build_result(root, t, out, arena, err);
	else if (out->mapping != AV_CLAUDE_INTERNAL)
		rc = build_action(json_object_get(root, "tool_input"), t, out, arena,
		                  err);
	else
		rc = 0;
out:
	json_decref(root);
	return rc;
}

/* ---- decisions without an action ----------------------------------------- */

int av_claude_unmapped_decision(const struct av_claude_request *r,
                                enum av_verdict unknown_verdict,
                                const struct av_policy *p, struct av_arena *arena,
                                struct av_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->policy_digest = p != NULL ? av_policy_digest(p) : NULL;
	d->verdict = AV_ALLOW;
	d->risk = AV_RISK_NONE;
	if (r->mapping == AV_CLAUDE_INTERNAL)
		return 0;
	struct av_finding *f =
	        av_arena_push(arena, (void **)&d->findings.items, &d->findings.count,
	                      &d->findings.capacity, sizeof(*f), 1);
	const char *reason = av_arena_printf(
	        arena,
	        "agentvisor has no mapping for the Claude Code tool %s, so it cannot "
	        "see what the call would do",
	        r->tool_name != NULL ? r->tool_name : "(none)");
	if (f == NULL || reason == NULL) {
		struct av_error err;
		av_error_set(&err, AV_E_NOMEM, "", "out of memory deciding %s",
		             r->tool_name != NULL ? r->tool_name : "(none)");
		av_decision_from_error(d, p, &err);
		return -1;
	}
	f->rule = "claude.unknown-tool";
	f->verdict = unknown_verdict;
	f->risk = unknown_verdict >= AV_REVIEW ? AV_RISK_MEDIUM : AV_RISK_LOW;
	f->reason = reason;
	f->safefix = NULL;
	f->effect = -1;
	d->verdict = f->verdict;
	d->risk = f->risk;
	return 0;
}

/* ---- answers ------------------------------------------------------------ */

/* What Claude Code is told for each verdict. warn still runs (it is a
 * note, not an objection); review asks the user; block denies. */
static const char *const permission[AV_VERDICT_COUNT] = {
	[AV_ALLOW] = "allow",
	[AV_WARN] = "allow",
	[AV_REVIEW] = "ask",
	[AV_BLOCK] = "deny",
};

/* The reason shown to the model (deny) or the user (ask) is kept short. */
#define REASON_MAX         2000
#define REASON_MAX_FINDING 3

/* A small bounded string builder: appends are cut at REASON_MAX. */
struct reason_buf {
	char s[REASON_MAX + 1];
	size_t len;
};

static void reason_add(struct reason_buf *b, const char *text)
{
	size_t n = strlen(text);
	size_t room = REASON_MAX - b->len;
	if (n > room) {
		n = room;
		utf8_cut(text, &n, room);
	}
	memcpy(b->s + b->len, text, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *answer_json(const char *decision, const char *reason_raw)
{
	/* Analyzer text can hold bytes that are not UTF-8 (decoded base64);
	 * they become \xHH so the answer is always valid JSON. */
	char reason[REASON_MAX * 4 + 1];
	av_utf8_escape_invalid(reason_raw, strlen(reason_raw), reason, sizeof(reason));
	json_t *o = json_pack("{s:{s:s, s:s, s:s}}", "hookSpecificOutput",
	                      "hookEventName", "PreToolUse", "permissionDecision",
	                      decision, "permissionDecisionReason", reason);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

char *av_claude_answer(const struct av_decision *d)
{
	struct reason_buf b = { .len = 0 };
	char line[REASON_MAX + 1];
	snprintf(line, sizeof(line), "agentvisor: %s (risk %s)",
	         av_verdict_name(d->verdict), av_risk_name(d->risk));
	reason_add(&b, line);
	unsigned shown = 0, strongest = 0;
	for (uint32_t i = 0; i < d->findings.count; i++) {
		const struct av_finding *f = &d->findings.items[i];
		if (f->verdict != d->verdict)
			continue;
		strongest++;
		if (shown == REASON_MAX_FINDING)
			continue;
		shown++;
		snprintf(line, sizeof(line), "; %s: %s", f->rule, f->reason);
		reason_add(&b, line);
		if (f->safefix_command != NULL)
			snprintf(line, sizeof(line), " (safer: %s)", f->safefix_command);
		else if (f->safefix != NULL)
			snprintf(line, sizeof(line), " (safer: %s)", f->safefix);
		else
			line[0] = '\0';
		reason_add(&b, line);
	}
	if (strongest > shown) {
		snprintf(line, sizeof(line), "; and %u more", strongest - shown);
		reason_add(&b, line);
	}
	if (d->has_error) {
		snprintf(line, sizeof(line), "; could not decide (%s error%s%s): %s",
		         av_errcode_name(d->error.code), d->error.where[0] ? " at " : "",
		         d->error.where, d->error.message);
		reason_add(&b, line);
	} else if (d->findings.count == 0) {
		reason_add(&b, "; no rule matched");
	}
	/* A failed decision is a block already; the table is indexed by it. */
	enum av_verdict v = d->has_error ? AV_BLOCK : d->verdict;
	return answer_json(permission[(unsigned)v < AV_VERDICT_COUNT ? v : AV_BLOCK],
	                   b.s);
}

char *av_claude_answer_deny(enum av_claude_event event, const char *reason)
{
	struct reason_buf b = { .len = 0 };
	reason_add(&b, event == AV_CLAUDE_PRE_TOOL_USE ? "agentvisor: block: "
	                                               : "agentvisor: ");
	reason_add(&b, reason);
	if (event == AV_CLAUDE_PRE_TOOL_USE)
		return answer_json("deny", b.s);
	char text[REASON_MAX * 4 + 1];
	av_utf8_escape_invalid(b.s, b.len, text, sizeof(text));
	json_t *o = json_pack("{s:s, s:s}", "decision", "block", "reason", text);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}
