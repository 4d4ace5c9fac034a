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
};
#define AV_KIND_COUNT 2

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

/* Fills every NULL field of a->ctx from fallback (borrowed; strings must
 * outlive the action). Used by the CLI to supply the caller's cwd and home. */
void av_action_fill_context(struct av_action *a, const struct av_context *fallback);

#endif
