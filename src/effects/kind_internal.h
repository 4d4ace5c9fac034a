/* kind_internal.h - what the derivations of the kinds beyond shell and file
 * (src/effects/kind_*.c) share: one state per action, reusing the effect
 * helpers of effects_internal.h with no shell command (cmd = -1). Private
 * to the library. */
#ifndef AV_KIND_INTERNAL_H
#define AV_KIND_INTERNAL_H

#include "effects_internal.h"

struct kind_x {
	struct fx_ctx fx; /* fx.sh is NULL: effects carry cmd = -1 */
	const struct av_action *a;
	const struct av_kind_env *env;
	struct av_kind_facts *kf;
	struct av_error *err;
	int rc; /* -1 once a shell callback failed (err is set) */
};

/* Hands text to the pipeline's shell stage (env->shell); why is its
 * provenance. A missing callback is not an error (unit tests of effects
 * alone): the text is then simply not analysed. Returns 0 or -1. */
int kind_shell(struct kind_x *x, const char *text, size_t len, const char *why);

/* Per-kind derivations (kind_http.c, kind_sql.c, ...). Each returns 0 or
 * -1 with x->err set; arena exhaustion is x->fx.failed. */
int av_kind_http(struct kind_x *x);
int av_kind_sql(struct kind_x *x);
int av_kind_k8s(struct kind_x *x);
int av_kind_code(struct kind_x *x);
int av_kind_message(struct kind_x *x);
int av_kind_credential(struct kind_x *x);
int av_kind_delegate(struct kind_x *x);
int av_kind_mcp(struct kind_x *x);

/* The SQL stage shared by the sql kind and MCP tools mapped to it: text
 * against host (may be NULL) or a sqlite database file (may be NULL). */
int av_kind_sql_text(struct kind_x *x, const char *text, size_t len, const char *host,
                     const char *dbfile);

/* The HTTP request stage shared by the http kind and MCP tools mapped to
 * it: method (upper case), url, body source ("inline", a path, or NULL). */
void av_kind_http_request(struct kind_x *x, const char *method, const char *url,
                          const char *body_source);

/* The message stage shared by the message kind and MCP tools mapped to
 * it: records the message in x->kf and adds its net.send effects (and
 * fs.read of each attachment). Strings borrowed; must outlive the
 * decision. */
void av_kind_message_send(struct kind_x *x, const char *channel, const char *recipient,
                          const char *subject, const char *body,
                          const char *const *attachments, uint32_t nattachments);

/* True when s (NUL-terminated) looks like a secret broker reference
 * "{{secret:NAME}}", which the proxy substitutes only toward bound hosts. */
bool av_kind_is_secret_ref(const char *s);

#endif
