/* fields.c - the fields policy expressions can name: a designated-
 * initializer table from field id to name, type, scope and getter. Names
 * are looked up only when an expression is compiled; evaluation indexes
 * the table by id. */
#include <string.h>

#include "agentvisor/action.h"
#include "agentvisor/effects.h"
#include "policy/expr.h"

typedef void getter_fn(const struct av_expr_ctx *c, struct av_value *out);
typedef const char *name_fn(unsigned v);

struct field_def {
	const char *name;
	enum av_xtype type;
	enum av_field_scope scope;
	getter_fn *get;
	/* Fields whose values are names of a fixed set: the set, for
	 * load-time checks of the literals they are compared with. */
	name_fn *value_name;
	unsigned nvalues;
};

/* ---- value constructors ---------------------------------------------- */

static void set_str(struct av_value *out, const char *s)
{
	if (s == NULL) {
		out->type = AV_XT_NULL;
		return;
	}
	out->type = AV_XT_STR;
	out->s = s;
}

static void set_num(struct av_value *out, int64_t n)
{
	out->type = AV_XT_NUM;
	out->n = n;
}

static void set_bool(struct av_value *out, bool b)
{
	out->type = AV_XT_BOOL;
	out->b = b;
}

/* ---- names of enum values, as unsigned-taking adapters ---------------- */

static const char *kind_name(unsigned v)
{
	return av_effect_kind_name((enum av_effect_kind)v);
}

static const char *path_class_name(unsigned v)
{
	return av_path_class_name((enum av_path_class)v);
}

static const char *host_class_name(unsigned v)
{
	return av_host_class_name((enum av_host_class)v);
}

static const char *action_kind_name(unsigned v)
{
	return av_action_kind_name((enum av_action_kind)v);
}

static const char *file_op_name(unsigned v)
{
	return av_file_op_name((enum av_file_op)v);
}

/* ---- effect fields ----------------------------------------------------- */

/* Every effect getter leaves out as null when there is no effect. */
#define EFFECT_OR_NULL(c)                                                                \
	const struct av_effect *e = (c)->effect;                                         \
	if (e == NULL)                                                                   \
	return

static void get_kind(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, av_effect_kind_name(e->kind));
}

static void get_path(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->path);
}

static void get_path_class(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	if (e->path != NULL)
		set_str(out, av_path_class_name(e->path_class));
}

static void get_dest(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->dest);
}

static void get_dest_class(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	if (e->dest != NULL)
		set_str(out, av_path_class_name(e->dest_class));
}

static void get_host(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->host);
}

static void get_host_class(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	if (e->host != NULL)
		set_str(out, av_host_class_name(e->host_class));
}

static void get_url(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->url);
}

static void get_binary(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->binary);
}

static void get_mode(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->mode);
}

static void get_source(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->source);
}

static void get_source_class(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	if (e->source != NULL)
		set_str(out, av_path_class_name(e->source_class));
}

static void get_mechanism(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->mechanism);
}

static void get_detail(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_str(out, e->detail);
}

static void get_recursive(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_bool(out, (e->flags & AV_FXF_RECURSIVE) != 0);
}

static void get_force(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_bool(out, (e->flags & AV_FXF_FORCE) != 0);
}

static void get_privileged(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_bool(out, (e->flags & AV_FXF_PRIVILEGED) != 0);
}

static void get_wildcard(const struct av_expr_ctx *c, struct av_value *out)
{
	EFFECT_OR_NULL(c);
	set_bool(out, (e->flags & AV_FXF_WILDCARD) != 0);
}

/* ---- command fields ---------------------------------------------------- */

#define COMMAND_OR_NULL(c)                                                               \
	const struct av_command *cmd = (c)->cmd;                                         \
	if (cmd == NULL)                                                                 \
	return

static void get_argv(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	out->type = AV_XT_LIST;
	out->items = cmd->argv;
	out->count = cmd->argv != NULL ? cmd->argc : 0;
}

static void get_argv0(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	if (cmd->argv != NULL && cmd->argc > 0)
		set_str(out, cmd->argv[0]);
}

static void get_depth(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	set_num(out, cmd->depth);
}

static void get_provenance(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	set_str(out, cmd->provenance);
}

static void get_opaque(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	set_str(out, cmd->opaque);
}

static void get_piped(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	set_bool(out, cmd->pipe_len > 1);
}

static void get_pipe_index(const struct av_expr_ctx *c, struct av_value *out)
{
	COMMAND_OR_NULL(c);
	set_num(out, cmd->pipe_index);
}

/* ---- action fields ----------------------------------------------------- */

#define ACTION_OR_NULL(c)                                                                \
	const struct av_action *a = (c)->facts != NULL ? (c)->facts->action : NULL;      \
	if (a == NULL)                                                                   \
	return

static void get_action_kind(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, av_action_kind_name(a->kind));
}

static void get_action_tool(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->tool);
}

static void get_action_id(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->id);
}

static void get_action_session(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->session);
}

static void get_action_principal(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->principal);
}

static void get_command(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	if (a->kind == AV_KIND_SHELL)
		set_str(out, a->in.shell.command);
}

static void get_file_op(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	if (a->kind == AV_KIND_FILE)
		set_str(out, av_file_op_name(a->in.file.op));
}

static void get_cwd(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->ctx.cwd);
}

static void get_workspace(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->ctx.workspace);
}

static void get_home(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->ctx.home);
}

static void get_user(const struct av_expr_ctx *c, struct av_value *out)
{
	ACTION_OR_NULL(c);
	set_str(out, a->ctx.user);
}

/* ---- aggregates -------------------------------------------------------- */

static void get_effects_count(const struct av_expr_ctx *c, struct av_value *out)
{
	set_num(out, c->facts != NULL ? c->facts->neffects : 0);
}

static void get_commands_count(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_shell_result *sh = c->facts != NULL ? c->facts->shell : NULL;
	set_num(out, sh != NULL ? sh->ncmds : 0);
}

static void get_commands_max_depth(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_shell_result *sh = c->facts != NULL ? c->facts->shell : NULL;
	uint32_t max = 0;
	for (uint32_t i = 0; sh != NULL && sh->cmds != NULL && i < sh->ncmds; i++)
		if (sh->cmds[i].depth > max)
			max = sh->cmds[i].depth;
	set_num(out, max);
}

/* ---- information flow ------------------------------------------------- */

/* Label sets as string lists, indexed by the bit set. */
static const char *const label_names[AV_LABEL_ALL + 1][3] = {
	[0] = { NULL },
	[AV_LABEL_SECRET] = { "secret" },
	[AV_LABEL_UNTRUSTED] = { "untrusted" },
	[AV_LABEL_SECRET | AV_LABEL_UNTRUSTED] = { "secret", "untrusted" },
	[AV_LABEL_PII] = { "pii" },
	[AV_LABEL_SECRET | AV_LABEL_PII] = { "secret", "pii" },
	[AV_LABEL_UNTRUSTED | AV_LABEL_PII] = { "untrusted", "pii" },
	[AV_LABEL_ALL] = { "secret", "untrusted", "pii" },
};

static void set_labels(struct av_value *out, uint32_t bits)
{
	bits &= AV_LABEL_ALL;
	out->type = AV_XT_LIST;
	out->items = label_names[bits];
	out->count = (uint32_t)__builtin_popcount(bits);
}

static void get_labels(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_flow_facts *f = c->flow;
	if (f == NULL || c->effect == NULL || f->effect_labels == NULL)
		return;
	size_t i = (size_t)(c->effect - c->facts->effects);
	if (i < c->facts->neffects)
		set_labels(out, f->effect_labels[i]);
}

static void get_session_labels(const struct av_expr_ctx *c, struct av_value *out)
{
	if (c->flow != NULL)
		set_labels(out, c->flow->session_labels);
}

static void get_session_actions(const struct av_expr_ctx *c, struct av_value *out)
{
	if (c->flow != NULL)
		set_num(out, c->flow->session_actions);
}

/* ---- kind fields ------------------------------------------------------- *
 * The input of the kinds beyond shell and file, and what their stage found
 * (struct av_kind_facts). Each is null unless the action is of that kind. */

#define KIND_OR_NULL(c, k)                                                               \
	const struct av_action *a = (c)->facts != NULL ? (c)->facts->action : NULL;      \
	if (a == NULL || a->kind != (k))                                                 \
	return

static const struct av_kind_facts *kind_facts(const struct av_expr_ctx *c)
{
	return c->facts != NULL ? c->facts->kind : NULL;
}

static void set_list(struct av_value *out, const char *const *items, uint32_t n)
{
	out->type = AV_XT_LIST;
	out->items = items;
	out->count = items != NULL ? n : 0;
}

/* Header "Name: value" strings are made per evaluation in the decision's
 * arena; without an arena the field stays null. */
static void get_http_headers(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_HTTP);
	uint32_t n = a->in.http.nheaders;
	const char **v = c->arena ? av_arena_alloc(c->arena, (n + 1) * sizeof(*v)) : NULL;
	if (v == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		v[i] = av_arena_printf(c->arena, "%s: %s", a->in.http.headers[i].name,
		                       a->in.http.headers[i].value);
		if (v[i] == NULL)
			return;
	}
	set_list(out, v, n);
}

#define KIND_STR(fn, k, expr)                                                            \
	static void fn(const struct av_expr_ctx *c, struct av_value *out)                \
	{                                                                                \
		KIND_OR_NULL(c, k);                                                      \
		set_str(out, (expr));                                                    \
	}

KIND_STR(get_http_method, AV_KIND_HTTP, a->in.http.method)
KIND_STR(get_http_url, AV_KIND_HTTP, a->in.http.url)
KIND_STR(get_http_body, AV_KIND_HTTP, a->in.http.body)
KIND_STR(get_sql_dialect, AV_KIND_SQL, a->in.sql.dialect)
KIND_STR(get_sql_database, AV_KIND_SQL, a->in.sql.database)
KIND_STR(get_sql_text, AV_KIND_SQL, a->in.sql.statement)
KIND_STR(get_k8s_verb, AV_KIND_KUBERNETES, a->in.k8s.verb)
KIND_STR(get_k8s_resource, AV_KIND_KUBERNETES, a->in.k8s.resource)
KIND_STR(get_k8s_name, AV_KIND_KUBERNETES, a->in.k8s.name)
KIND_STR(get_k8s_namespace, AV_KIND_KUBERNETES, a->in.k8s.ns)
KIND_STR(get_k8s_cluster, AV_KIND_KUBERNETES, a->in.k8s.cluster)
KIND_STR(get_code_language, AV_KIND_CODE, av_code_lang_name(a->in.code.language))
KIND_STR(get_code_source, AV_KIND_CODE, a->in.code.source)
KIND_STR(get_credential_name, AV_KIND_CREDENTIAL, a->in.credential.name)
KIND_STR(get_credential_purpose, AV_KIND_CREDENTIAL, a->in.credential.purpose)
KIND_STR(get_delegate_agent, AV_KIND_DELEGATE, a->in.delegate.agent)
KIND_STR(get_delegate_scope, AV_KIND_DELEGATE, a->in.delegate.scope)
KIND_STR(get_delegate_task, AV_KIND_DELEGATE, a->in.delegate.task)
KIND_STR(get_mcp_server, AV_KIND_MCP, a->in.mcp.server)
KIND_STR(get_mcp_tool, AV_KIND_MCP, a->in.mcp.tool)
KIND_STR(get_mcp_arguments, AV_KIND_MCP, a->in.mcp.args_json)

static void get_http_auth(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_HTTP);
	const struct av_kind_facts *k = kind_facts(c);
	set_bool(out, k != NULL && k->http_auth);
}

/* SQL facts exist for sql actions and for MCP tools mapped to the sql
 * stage: the kind facts of any action that ran SQL through the stage. */
static const struct av_kind_facts *sql_facts(const struct av_expr_ctx *c)
{
	const struct av_kind_facts *k = kind_facts(c);
	const struct av_action *a = c->facts != NULL ? c->facts->action : NULL;
	if (k == NULL || a == NULL ||
	    (a->kind != AV_KIND_SQL && k->sql_class_names == NULL))
		return NULL;
	return k;
}

static void get_sql_class(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_kind_facts *k = sql_facts(c);
	if (k != NULL)
		set_str(out, av_sql_class_name(k->sql_class));
}

static void get_sql_classes(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_kind_facts *k = sql_facts(c);
	if (k != NULL)
		set_list(out, k->sql_class_names, k->nsql_class_names);
}

static void get_sql_statements(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_kind_facts *k = sql_facts(c);
	if (k != NULL)
		set_num(out, k->sql_statements);
}

/* Message facts: a message action, or an MCP tool mapped to the message
 * stage. */
#define MSG_STR(fn, member)                                                              \
	static void fn(const struct av_expr_ctx *c, struct av_value *out)                \
	{                                                                                \
		const struct av_kind_facts *k = kind_facts(c);                           \
		if (k != NULL && k->msg_recipient != NULL)                               \
			set_str(out, k->member);                                         \
	}

MSG_STR(get_message_channel, msg_channel)
MSG_STR(get_message_recipient, msg_recipient)
MSG_STR(get_message_subject, msg_subject)
MSG_STR(get_message_body, msg_body)

static void get_k8s_kinds(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_KUBERNETES);
	const struct av_kind_facts *k = kind_facts(c);
	if (k != NULL)
		set_list(out, k->k8s_kinds, k->nk8s_kinds);
}

static void get_message_attachments(const struct av_expr_ctx *c, struct av_value *out)
{
	const struct av_kind_facts *k = kind_facts(c);
	if (k != NULL && k->msg_recipient != NULL)
		set_list(out, k->msg_attachments, k->nmsg_attachments);
}

static void get_delegate_tools(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_DELEGATE);
	set_list(out, a->in.delegate.tools, a->in.delegate.ntools);
}

static void get_mcp_mapped(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_MCP);
	const struct av_kind_facts *k = kind_facts(c);
	set_bool(out, k != NULL && k->mcp_mapped);
}

/* Annotations as the server sent them: null when absent. Untrusted. */
static void get_mcp_read_only_hint(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_MCP);
	if (a->in.mcp.read_only_hint >= 0)
		set_bool(out, a->in.mcp.read_only_hint > 0);
}

static void get_mcp_destructive_hint(const struct av_expr_ctx *c, struct av_value *out)
{
	KIND_OR_NULL(c, AV_KIND_MCP);
	if (a->in.mcp.destructive_hint >= 0)
		set_bool(out, a->in.mcp.destructive_hint > 0);
}

static const char *sql_class_name(unsigned v)
{
	return av_sql_class_name((enum av_sql_class)v);
}

static const char *code_lang_name(unsigned v)
{
	return av_code_lang_name((enum av_code_lang)v);
}

/* ---- the table ----------------------------------------------------------- */

#define EFFECT(n, t, g)                                                                  \
	{                                                                                \
		.name = n, .type = t, .scope = AV_SCOPE_EFFECT, .get = g                 \
	}
#define EFFECT_SET(n, g, f, k)                                                           \
	{                                                                                \
		.name = n, .type = AV_XT_STR, .scope = AV_SCOPE_EFFECT, .get = g,        \
		.value_name = f, .nvalues = k                                            \
	}
#define COMMAND(n, t, g)                                                                 \
	{                                                                                \
		.name = n, .type = t, .scope = AV_SCOPE_COMMAND, .get = g                \
	}
#define ACTION(n, t, g)                                                                  \
	{                                                                                \
		.name = n, .type = t, .scope = AV_SCOPE_ACTION, .get = g                 \
	}

_Static_assert(AV_F_MCP_DESTRUCTIVE_HINT + 1 == AV_FIELD_COUNT,
               "AV_FIELD_COUNT is stale");

static const struct field_def fields[AV_FIELD_COUNT] = {
	[AV_F_KIND] = EFFECT_SET("kind", get_kind, kind_name, AV_FX_COUNT),
	[AV_F_PATH] = EFFECT("path", AV_XT_STR, get_path),
	[AV_F_PATH_CLASS] = EFFECT_SET("path.class", get_path_class, path_class_name,
	                               AV_PATH_CLASS_COUNT),
	[AV_F_DEST] = EFFECT("dest", AV_XT_STR, get_dest),
	[AV_F_DEST_CLASS] = EFFECT_SET("dest.class", get_dest_class, path_class_name,
	                               AV_PATH_CLASS_COUNT),
	[AV_F_HOST] = EFFECT("host", AV_XT_STR, get_host),
	[AV_F_HOST_CLASS] = EFFECT_SET("host.class", get_host_class, host_class_name,
	                               AV_HOST_CLASS_COUNT),
	[AV_F_URL] = EFFECT("url", AV_XT_STR, get_url),
	[AV_F_BINARY] = EFFECT("binary", AV_XT_STR, get_binary),
	[AV_F_MODE] = EFFECT("mode", AV_XT_STR, get_mode),
	[AV_F_SOURCE] = EFFECT("source", AV_XT_STR, get_source),
	[AV_F_SOURCE_CLASS] = EFFECT_SET("source.class", get_source_class,
	                                 path_class_name, AV_PATH_CLASS_COUNT),
	[AV_F_MECHANISM] = EFFECT("mechanism", AV_XT_STR, get_mechanism),
	[AV_F_DETAIL] = EFFECT("detail", AV_XT_STR, get_detail),
	[AV_F_RECURSIVE] = EFFECT("recursive", AV_XT_BOOL, get_recursive),
	[AV_F_FORCE] = EFFECT("force", AV_XT_BOOL, get_force),
	[AV_F_PRIVILEGED] = EFFECT("privileged", AV_XT_BOOL, get_privileged),
	[AV_F_WILDCARD] = EFFECT("wildcard", AV_XT_BOOL, get_wildcard),

	[AV_F_ARGV] = COMMAND("argv", AV_XT_LIST, get_argv),
	[AV_F_ARGV0] = COMMAND("argv0", AV_XT_STR, get_argv0),
	[AV_F_DEPTH] = COMMAND("depth", AV_XT_NUM, get_depth),
	[AV_F_PROVENANCE] = COMMAND("provenance", AV_XT_STR, get_provenance),
	[AV_F_OPAQUE] = COMMAND("opaque", AV_XT_STR, get_opaque),
	[AV_F_PIPED] = COMMAND("piped", AV_XT_BOOL, get_piped),
	[AV_F_PIPE_INDEX] = COMMAND("pipe.index", AV_XT_NUM, get_pipe_index),

	[AV_F_ACTION_KIND] = { .name = "action.kind",
	                       .type = AV_XT_STR,
	                       .scope = AV_SCOPE_ACTION,
	                       .get = get_action_kind,
	                       .value_name = action_kind_name,
	                       .nvalues = AV_KIND_COUNT },
	[AV_F_ACTION_TOOL] = ACTION("action.tool", AV_XT_STR, get_action_tool),
	[AV_F_ACTION_ID] = ACTION("action.id", AV_XT_STR, get_action_id),
	[AV_F_ACTION_SESSION] = ACTION("action.session", AV_XT_STR, get_action_session),
	[AV_F_ACTION_PRINCIPAL] =
	        ACTION("action.principal", AV_XT_STR, get_action_principal),
	[AV_F_COMMAND] = ACTION("command", AV_XT_STR, get_command),
	[AV_F_FILE_OP] = { .name = "file.op",
	                   .type = AV_XT_STR,
	                   .scope = AV_SCOPE_ACTION,
	                   .get = get_file_op,
	                   .value_name = file_op_name,
	                   .nvalues = AV_FOP_COUNT },
	[AV_F_CWD] = ACTION("cwd", AV_XT_STR, get_cwd),
	[AV_F_WORKSPACE] = ACTION("workspace", AV_XT_STR, get_workspace),
	[AV_F_HOME] = ACTION("home", AV_XT_STR, get_home),
	[AV_F_USER] = ACTION("user", AV_XT_STR, get_user),

	[AV_F_EFFECTS_COUNT] = ACTION("effects.count", AV_XT_NUM, get_effects_count),
	[AV_F_COMMANDS_COUNT] = ACTION("commands.count", AV_XT_NUM, get_commands_count),
	[AV_F_COMMANDS_MAX_DEPTH] =
	        ACTION("commands.max_depth", AV_XT_NUM, get_commands_max_depth),

	[AV_F_LABELS] = EFFECT("labels", AV_XT_LIST, get_labels),
	[AV_F_SESSION_LABELS] = ACTION("session.labels", AV_XT_LIST, get_session_labels),
	[AV_F_SESSION_ACTIONS] =
	        ACTION("session.actions", AV_XT_NUM, get_session_actions),
	[AV_F_HTTP_METHOD] = ACTION("http.method", AV_XT_STR, get_http_method),
	[AV_F_HTTP_URL] = ACTION("http.url", AV_XT_STR, get_http_url),
	[AV_F_HTTP_HEADERS] = ACTION("http.headers", AV_XT_LIST, get_http_headers),
	[AV_F_HTTP_AUTH] = ACTION("http.auth", AV_XT_BOOL, get_http_auth),
	[AV_F_HTTP_BODY] = ACTION("http.body", AV_XT_STR, get_http_body),
	[AV_F_SQL_CLASS] = { .name = "sql.class",
	                     .type = AV_XT_STR,
	                     .scope = AV_SCOPE_ACTION,
	                     .get = get_sql_class,
	                     .value_name = sql_class_name,
	                     .nvalues = AV_SQL_CLASS_COUNT },
	[AV_F_SQL_CLASSES] = ACTION("sql.classes", AV_XT_LIST, get_sql_classes),
	[AV_F_SQL_STATEMENTS] = ACTION("sql.statements", AV_XT_NUM, get_sql_statements),
	[AV_F_SQL_DIALECT] = ACTION("sql.dialect", AV_XT_STR, get_sql_dialect),
	[AV_F_SQL_DATABASE] = ACTION("sql.database", AV_XT_STR, get_sql_database),
	[AV_F_SQL_TEXT] = ACTION("sql.text", AV_XT_STR, get_sql_text),
	[AV_F_K8S_VERB] = ACTION("k8s.verb", AV_XT_STR, get_k8s_verb),
	[AV_F_K8S_RESOURCE] = ACTION("k8s.resource", AV_XT_STR, get_k8s_resource),
	[AV_F_K8S_NAME] = ACTION("k8s.name", AV_XT_STR, get_k8s_name),
	[AV_F_K8S_NAMESPACE] = ACTION("k8s.namespace", AV_XT_STR, get_k8s_namespace),
	[AV_F_K8S_CLUSTER] = ACTION("k8s.cluster", AV_XT_STR, get_k8s_cluster),
	[AV_F_K8S_KINDS] = ACTION("k8s.kinds", AV_XT_LIST, get_k8s_kinds),
	[AV_F_CODE_LANGUAGE] = { .name = "code.language",
	                         .type = AV_XT_STR,
	                         .scope = AV_SCOPE_ACTION,
	                         .get = get_code_language,
	                         .value_name = code_lang_name,
	                         .nvalues = AV_LANG_COUNT },
	[AV_F_CODE_SOURCE] = ACTION("code.source", AV_XT_STR, get_code_source),
	[AV_F_MESSAGE_CHANNEL] =
	        ACTION("message.channel", AV_XT_STR, get_message_channel),
	[AV_F_MESSAGE_RECIPIENT] =
	        ACTION("message.recipient", AV_XT_STR, get_message_recipient),
	[AV_F_MESSAGE_SUBJECT] =
	        ACTION("message.subject", AV_XT_STR, get_message_subject),
	[AV_F_MESSAGE_BODY] = ACTION("message.body", AV_XT_STR, get_message_body),
	[AV_F_MESSAGE_ATTACHMENTS] =
	        ACTION("message.attachments", AV_XT_LIST, get_message_attachments),
	[AV_F_CREDENTIAL_NAME] =
	        ACTION("credential.name", AV_XT_STR, get_credential_name),
	[AV_F_CREDENTIAL_PURPOSE] =
	        ACTION("credential.purpose", AV_XT_STR, get_credential_purpose),
	[AV_F_DELEGATE_AGENT] = ACTION("delegate.agent", AV_XT_STR, get_delegate_agent),
	[AV_F_DELEGATE_SCOPE] = ACTION("delegate.scope", AV_XT_STR, get_delegate_scope),
	[AV_F_DELEGATE_TASK] = ACTION("delegate.task", AV_XT_STR, get_delegate_task),
	[AV_F_DELEGATE_TOOLS] = ACTION("delegate.tools", AV_XT_LIST, get_delegate_tools),
	[AV_F_MCP_SERVER] = ACTION("mcp.server", AV_XT_STR, get_mcp_server),
	[AV_F_MCP_TOOL] = ACTION("mcp.tool", AV_XT_STR, get_mcp_tool),
	[AV_F_MCP_MAPPED] = ACTION("mcp.mapped", AV_XT_BOOL, get_mcp_mapped),
	[AV_F_MCP_ARGUMENTS] = ACTION("mcp.arguments", AV_XT_STR, get_mcp_arguments),
	[AV_F_MCP_READ_ONLY_HINT] =
	        ACTION("mcp.read_only_hint", AV_XT_BOOL, get_mcp_read_only_hint),
	[AV_F_MCP_DESTRUCTIVE_HINT] =
	        ACTION("mcp.destructive_hint", AV_XT_BOOL, get_mcp_destructive_hint),
};

int av_field_lookup(const char *name, size_t len)
{
	for (int i = 0; i < AV_FIELD_COUNT; i++)
		if (strlen(fields[i].name) == len &&
		    memcmp(fields[i].name, name, len) == 0)
			return i;
	return -1;
}

const char *av_field_name(enum av_field f)
{
	return fields[f].name;
}

enum av_xtype av_field_type(enum av_field f)
{
	return fields[f].type;
}

enum av_field_scope av_field_scope(enum av_field f)
{
	return fields[f].scope;
}

bool av_field_accepts(enum av_field f, const char *s)
{
	const struct field_def *d = &fields[f];
	if (d->value_name == NULL)
		return true;
	for (unsigned v = 0; v < d->nvalues; v++)
		if (strcmp(d->value_name(v), s) == 0)
			return true;
	return false;
}

void av_field_get(enum av_field f, const struct av_expr_ctx *ctx, struct av_value *out)
{
	memset(out, 0, sizeof(*out));
	fields[f].get(ctx, out);
}
