/* expr.h - the one small expression language of agentvisor: rule
 * conditions, reason templates, and later chain steps and token caveats.
 *
 * An expression is compiled once (lexer, recursive-descent parser bounded
 * by AV_POLICY_MAX_EXPR_DEPTH, static type checks, field names resolved to
 * an enum, regexes compiled) into a tree allocated from a caller's arena,
 * then evaluated many times with no malloc, no name lookups and no regex
 * compilation. docs/POLICY.md is the user-facing description. */
#ifndef AV_POLICY_EXPR_H
#define AV_POLICY_EXPR_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "agentvisor/policy.h"

/* Value types. A field whose value is missing evaluates to null; its static
 * type (what the compiler checks against) is still its declared type. */
enum av_xtype {
	AV_XT_NULL = 0,
	AV_XT_BOOL,
	AV_XT_NUM,
	AV_XT_STR,
	AV_XT_LIST,
};

/* Every field an expression can name. The table in fields.c maps each to
 * its name, type, scope and getter with designated initializers. */
enum av_field {
	/* effect fields */
	AV_F_KIND = 0,
	AV_F_PATH,
	AV_F_PATH_CLASS,
	AV_F_DEST,
	AV_F_DEST_CLASS,
	AV_F_HOST,
	AV_F_HOST_CLASS,
	AV_F_URL,
	AV_F_BINARY,
	AV_F_MODE,
	AV_F_SOURCE,
	AV_F_SOURCE_CLASS,
	AV_F_MECHANISM,
	AV_F_DETAIL,
	AV_F_RECURSIVE,
	AV_F_FORCE,
	AV_F_PRIVILEGED,
	AV_F_WILDCARD,
	/* fields of the shell command an effect came from */
	AV_F_ARGV,
	AV_F_ARGV0,
	AV_F_DEPTH,
	AV_F_PROVENANCE,
	AV_F_OPAQUE,
	AV_F_PIPED,
	AV_F_PIPE_INDEX,
	/* action fields */
	AV_F_ACTION_KIND,
	AV_F_ACTION_TOOL,
	AV_F_ACTION_ID,
	AV_F_ACTION_SESSION,
	AV_F_ACTION_PRINCIPAL,
	AV_F_COMMAND,
	AV_F_FILE_OP,
	AV_F_CWD,
	AV_F_WORKSPACE,
	AV_F_HOME,
	AV_F_USER,
	/* aggregates over the whole action */
	AV_F_EFFECTS_COUNT,
	AV_F_COMMANDS_COUNT,
	AV_F_COMMANDS_MAX_DEPTH,
	/* information flow, set by the session stage (null without a session) */
	AV_F_LABELS,
	AV_F_SESSION_LABELS,
	AV_F_SESSION_ACTIONS,
	/* fields of the kinds beyond shell and file (null for other kinds) */
	AV_F_HTTP_METHOD,
	AV_F_HTTP_URL,
	AV_F_HTTP_HEADERS,
	AV_F_HTTP_AUTH,
	AV_F_HTTP_BODY,
	AV_F_SQL_CLASS,
	AV_F_SQL_CLASSES,
	AV_F_SQL_STATEMENTS,
	AV_F_SQL_DIALECT,
	AV_F_SQL_DATABASE,
	AV_F_SQL_TEXT,
	AV_F_K8S_VERB,
	AV_F_K8S_RESOURCE,
	AV_F_K8S_NAME,
	AV_F_K8S_NAMESPACE,
	AV_F_K8S_CLUSTER,
	AV_F_K8S_KINDS,
	AV_F_CODE_LANGUAGE,
	AV_F_CODE_SOURCE,
	AV_F_MESSAGE_CHANNEL,
	AV_F_MESSAGE_RECIPIENT,
	AV_F_MESSAGE_SUBJECT,
	AV_F_MESSAGE_BODY,
	AV_F_MESSAGE_ATTACHMENTS,
	AV_F_CREDENTIAL_NAME,
	AV_F_CREDENTIAL_PURPOSE,
	AV_F_DELEGATE_AGENT,
	AV_F_DELEGATE_SCOPE,
	AV_F_DELEGATE_TASK,
	AV_F_DELEGATE_TOOLS,
	AV_F_MCP_SERVER,
	AV_F_MCP_TOOL,
	AV_F_MCP_MAPPED,
	AV_F_MCP_ARGUMENTS,
	AV_F_MCP_READ_ONLY_HINT,
	AV_F_MCP_DESTRUCTIVE_HINT,
};
#define AV_FIELD_COUNT 78

/* Where a field's value comes from. Action-level rules (on: action) have
 * no effect and no command, so only AV_SCOPE_ACTION fields are allowed. */
enum av_field_scope {
	AV_SCOPE_EFFECT = 0,
	AV_SCOPE_COMMAND,
	AV_SCOPE_ACTION,
};

/* A named string list (list.NAME). Entries containing '*' or '?' are
 * fnmatch(3) patterns for membership tests (`in`, `contains`). */
struct av_expr_list {
	const char *name;
	const char *const *items;
	const bool *glob; /* glob[i]: items[i] is a pattern */
	uint32_t count;
};

/* A value during evaluation. Strings and lists are borrowed from the facts,
 * the compiled expression or the policy. */
struct av_value {
	enum av_xtype type;
	bool b;
	int64_t n;
	const char *s;
	const char *const *items; /* AV_XT_LIST */
	const bool *glob;         /* AV_XT_LIST from a named list, else NULL */
	uint32_t count;
};

/* Taint labels (docs/POLICY.md, "Sessions"): bits of a label set. */
enum av_label {
	AV_LABEL_SECRET = 1u << 0,
	AV_LABEL_UNTRUSTED = 1u << 1,
	AV_LABEL_PII = 1u << 2,
};
#define AV_LABEL_ALL 7u

/* What the session stage knows about the data an action moves. */
struct av_flow_facts {
	uint32_t session_labels;       /* labels the session has seen */
	uint32_t action_labels;        /* labels of the data this action reads */
	const uint32_t *effect_labels; /* per effect: action_labels plus the
	                                  labels of the effect's own path or
	                                  source; facts->neffects entries */
	int64_t session_actions;       /* actions before this one */
};

/* Everything evaluation reads. The caller fills the first six members;
 * the rest is scratch. One context must not be shared between threads; a
 * compiled expression may be (it is never written during evaluation). */
struct av_expr_ctx {
	const struct av_facts *facts;
	const struct av_effect *effect;          /* NULL at action level */
	const struct av_command *cmd;            /* NULL when the effect has no command */
	const struct av_expr_list *const *lists; /* named lists by id */
	pcre2_match_context *match_context;      /* may be NULL; only read */
	struct av_arena *arena; /* regex match data is allocated from here */
	/* scratch */
	pcre2_general_context *gctx;
	pcre2_match_data *match_data;
	const char *error; /* static text set when evaluation could not finish */
	/* Information flow from the session stage (src/policy/chain_eval.c);
	 * NULL outside a session. Set by the caller like the first six. */
	const struct av_flow_facts *flow;
};

/* A compiled regular expression, kept in a list so the owner can free the
 * PCRE2 code (and its JIT memory) when the expression's arena goes away. */
struct av_expr_regex {
	pcre2_code *code;
	struct av_expr_regex *next;
};

/* What the compiler needs from its owner. */
struct av_expr_env {
	struct av_arena *arena; /* compiled nodes and strings go here */
	/* Resolves list.NAME; returns the id (index into av_expr_ctx.lists)
	 * or -1 when unknown. May be NULL: then every list name is unknown. */
	int32_t (*list_lookup)(void *ud, const char *name, size_t len);
	void *ud;
	bool action_scope;              /* only action-scope fields are allowed */
	struct av_expr_regex **regexes; /* compiled regexes are pushed here */
};

struct av_expr_error {
	char message[200]; /* a full sentence without position */
	size_t offset;     /* byte offset in the expression text */
};

struct av_expr;

/* Compiles src[0..len) (borrowed). Returns 0 and sets *out (from
 * env->arena), or -1 with e filled. Regexes compiled before an error stay
 * on env->regexes; the owner frees them with av_expr_regexes_free(). */
int av_expr_compile(const char *src, size_t len, const struct av_expr_env *env,
                    const struct av_expr **out, struct av_expr_error *e);

/* Evaluates e as a condition. Returns 1 (true), 0 (false), or -1 when
 * evaluation could not finish (arena exhausted, regex match limit): then
 * ctx->error says why and the caller must fail closed. */
int av_expr_eval(const struct av_expr *e, struct av_expr_ctx *ctx);

/* Frees the PCRE2 code of every regex on the list (the list nodes live in
 * an arena and are not freed). */
void av_expr_regexes_free(struct av_expr_regex *head);

/* The truth of a value used as a condition: true bool, non-empty string,
 * non-zero number, non-empty list. Null is false. */
bool av_value_truthy(const struct av_value *v);

/* ---- fields (fields.c) ---------------------------------------------- */

/* Returns the field named name[0..len), or -1. Compile time only. */
int av_field_lookup(const char *name, size_t len);
const char *av_field_name(enum av_field f);
enum av_xtype av_field_type(enum av_field f);
enum av_field_scope av_field_scope(enum av_field f);
/* For fields whose values are names from a fixed set (kind, path.class,
 * ...): true when s names a member. Fields without a fixed set accept
 * everything. Used to reject typos like `path.class == "sytem"`. */
bool av_field_accepts(enum av_field f, const char *s);
/* Reads field f from ctx into *out (null when missing). */
void av_field_get(enum av_field f, const struct av_expr_ctx *ctx, struct av_value *out);

/* ---- reason templates (template.c) ---------------------------------- */

struct av_template_seg;
struct av_template {
	const struct av_template_seg *segs;
	uint32_t nsegs;
	size_t max_len; /* an upper bound of the formatted length */
};

/* The longest text one placeholder contributes; longer values are cut at a
 * character boundary and end in "...". */
#define AV_TEMPLATE_MAX_VALUE 200

/* Compiles "text {field} text" (borrowed) into t, allocating from arena.
 * "{{" and "}}" stand for literal braces. Unknown fields, fields outside an
 * action-level scope when action_scope is set, and unclosed braces are
 * errors (-1 with e filled; e->offset is the byte offset of the problem). */
int av_template_compile(const char *src, size_t len, struct av_arena *arena,
                        bool action_scope, struct av_template *t,
                        struct av_expr_error *e);

/* Fills the placeholders from ctx; returns the text from ARENA or NULL on
 * arena exhaustion. Missing values print as "?". */
const char *av_template_format(const struct av_template *t, const struct av_expr_ctx *ctx,
                               struct av_arena *arena);

/* Fills the placeholders of a command template (a rule's safefix_command)
 * from ctx, each value written as one shell word: quoted with '...' unless
 * it is made only of characters that need no quoting; a list becomes one
 * word per entry. A command with a guessed part is worse than none, so
 * when a value is missing, longer than AV_TEMPLATE_MAX_VALUE, or starts
 * with '-' (it would read as an option), no command is made. Returns 0
 * with *out set (from ARENA), 1 when no command can be made (*out NULL),
 * or -1 on arena exhaustion. */
int av_template_format_command(const struct av_template *t, const struct av_expr_ctx *ctx,
                               struct av_arena *arena, const char **out);

#endif
