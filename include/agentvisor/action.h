/* action.h - the proposed action an agent wants to perform, and its strict
 * decoder from JSON (docs/PROTOCOL.md is the normative description). */
#ifndef AGENTVISOR_ACTION_H
#define AGENTVISOR_ACTION_H

#include "agentvisor/common.h"

/* Limits on untrusted input; exceeding any is AV_E_LIMIT (fail closed). */
#define AV_ACTION_MAX_BYTES  ((size_t)4 << 20) /* one JSON action */
#define AV_ACTION_MAX_DEPTH  32                /* JSON nesting */
#define AV_ACTION_MAX_STRING ((size_t)1 << 20) /* any one string field */

enum av_action_kind {
	AV_KIND_SHELL = 0,
	AV_KIND_FILE = 1,
	AV_KIND_HTTP,       /* an HTTP request (method, URL, headers, body) */
	AV_KIND_SQL,        /* SQL text against a database */
	AV_KIND_KUBERNETES, /* a cluster operation (verb, resource, manifest) */
	AV_KIND_CODE,       /* source code run by an interpreter */
	AV_KIND_MESSAGE,    /* a message to a person (email, chat) */
	AV_KIND_CREDENTIAL, /* use of a named credential */
	AV_KIND_DELEGATE,   /* a task handed to another agent */
	AV_KIND_MCP,        /* a tools/call to an MCP server */
};
#define AV_KIND_COUNT 10

/* Per-kind input limits (more is AV_E_LIMIT). */
#define AV_ACTION_MAX_LIST 256 /* headers, attachments, tools, arguments */

/* Interpreters the "code" kind accepts. */
enum av_code_lang {
	AV_LANG_PYTHON = 0,
	AV_LANG_JAVASCRIPT,
	AV_LANG_SHELL,
};
#define AV_LANG_COUNT 3

/* One name/value pair: an HTTP header, an MCP argument (a string argument
 * as its text, any other JSON value as compact JSON text). */
struct av_pair {
	const char *name;
	const char *value;
};

enum av_file_op {
	AV_FOP_READ = 0,
	AV_FOP_WRITE,
	AV_FOP_EDIT,
	AV_FOP_APPEND,
	AV_FOP_DELETE,
	AV_FOP_LIST,
	AV_FOP_MOVE,
	AV_FOP_COPY,
	AV_FOP_CHMOD,
};
#define AV_FOP_COUNT 9

const char *av_action_kind_name(enum av_action_kind k);
const char *av_file_op_name(enum av_file_op op);
const char *av_code_lang_name(enum av_code_lang l);

/* Where the action runs. Absolute paths; any may be NULL when unknown
 * (relative paths then stay unresolved and classify as "unknown"). */
struct av_context {
	const char *cwd;
	const char *workspace;
	const char *home;
	const char *user;
};

struct av_action {
	const char *id;        /* may be NULL */
	const char *session;   /* may be NULL */
	const char *principal; /* may be NULL */
	const char *tool;      /* may be NULL: the agent's own tool name */
	enum av_action_kind kind;
	union {
		struct {
			const char *command; /* NUL-free, NUL-terminated */
			size_t command_len;
		} shell;
		struct {
			enum av_file_op op;
			const char *path;    /* required */
			const char *dest;    /* move/copy: required; else NULL */
			const char *content; /* write/edit/append: may be NULL */
			size_t content_len;
			const char *mode; /* chmod: required, e.g. "0755" or "u+x" */
		} file;
		struct {
			const char *method; /* upper case; "GET" when not given */
			const char *url;    /* required */
			const struct av_pair *headers;
			uint32_t nheaders;
			const char *body; /* inline body, or NULL */
			size_t body_len;
			const char *body_file; /* body read from this file, or NULL */
		} http;
		struct {
			const char *statement; /* required: one or more statements */
			size_t statement_len;
			const char *dialect;  /* NULL or a name from the dialect table */
			const char *database; /* NULL, a name, or (sqlite) a file path */
			const char *host;     /* NULL when not known */
		} sql;
		struct {
			const char *verb;     /* required: get, apply, delete, ... */
			const char *resource; /* e.g. "pods", "deployment"; may be NULL */
			const char *name;     /* may be NULL */
			const char *ns;       /* the namespace, may be NULL */
			const char *manifest; /* YAML, may be NULL */
			size_t manifest_len;
			const char *cluster; /* the kubeconfig context, may be NULL */
			bool all;            /* --all: every object of the resource */
			int64_t replicas;    /* scale: the count, or -1 when not given */
		} k8s;
		struct {
			enum av_code_lang language;
			const char *source; /* required */
			size_t source_len;
		} code;
		struct {
			const char *channel;   /* required: "email", "slack", ... */
			const char *recipient; /* required */
			const char *subject;   /* may be NULL */
			const char *body;      /* may be NULL */
			size_t body_len;
			const char *const *attachments; /* file paths */
			uint32_t nattachments;
		} message;
		struct {
			const char *name;    /* required */
			const char *purpose; /* may be NULL */
		} credential;
		struct {
			const char *agent; /* required: the agent that gets the task */
			const char *scope; /* may be NULL */
			const char *task;  /* may be NULL */
			const char *const *tools; /* tools granted; may be empty */
			uint32_t ntools;
		} delegate;
		struct {
			const char *server; /* required */
			const char *tool;   /* required */
			const struct av_pair *args;
			uint32_t nargs;
			const char *args_json; /* compact JSON of "arguments", or NULL */
			/* Server annotations as sent (-1 absent, 0 false, 1 true).
			 * Untrusted: never used to lower risk. */
			int8_t read_only_hint, destructive_hint, idempotent_hint,
			        open_world_hint;
		} mcp;
	} in;
	struct av_context ctx;
};

/* Decodes one JSON action from json[0..len). Strict: unknown fields, wrong
 * types, missing required fields, duplicate keys, invalid UTF-8, embedded
 * NUL bytes and inputs over the limits above are errors. On success returns 0
 * and fills *out with strings allocated from ARENA. On failure returns -1 and
 * fills err: code AV_E_JSON with where="byte N" for syntax, AV_E_FIELD with
 * where= the field path (e.g. "input.op") for content, AV_E_LIMIT for size.
 * If the action's "id" could be read before the error, *out->id is set so a
 * caller can echo it. */
int av_action_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_action *out, struct av_error *err);

/* For explanations: the one input string that best names what an action
 * of a kind beyond shell and file does (the URL, the statement, the
 * source, ...), borrowed from a, never NULL ("" when absent); *what is set
 * to a static word for it ("GET", "statement", "tool", ...). */
const char *av_action_subject(const struct av_action *a, const char **what);

/* Fills every NULL field of a->ctx from fallback (borrowed; strings must
 * outlive the action). Used by the CLI to supply the caller's cwd and home. */
void av_action_fill_context(struct av_action *a, const struct av_context *fallback);

#endif
