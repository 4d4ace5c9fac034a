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

_Static_assert(AV_F_COMMANDS_MAX_DEPTH + 1 == AV_FIELD_COUNT, "AV_FIELD_COUNT is stale");

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
