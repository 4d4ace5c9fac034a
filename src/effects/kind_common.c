/* kind_common.c - the entry point for the kinds beyond shell and file: one
 * derivation per kind in a table, the shell hand-off they share, and the
 * kinds simple enough to need no file of their own (message, credential,
 * delegate). */
#include <string.h>

#include "kind_internal.h"

static const char *const sql_class_names[AV_SQL_CLASS_COUNT] = {
	[AV_SQL_NONE] = "none",
	[AV_SQL_READ] = "read",
	[AV_SQL_TRANSACTION] = "transaction",
	[AV_SQL_SESSION] = "session",
	[AV_SQL_WRITE] = "write",
	[AV_SQL_DDL] = "ddl",
	[AV_SQL_PRIVILEGE] = "privilege",
	[AV_SQL_DESTRUCTIVE] = "destructive",
	[AV_SQL_OTHER] = "other",
};

const char *av_sql_class_name(enum av_sql_class c)
{
	return (unsigned)c < AV_SQL_CLASS_COUNT ? sql_class_names[c] : "?";
}

int kind_shell(struct kind_x *x, const char *text, size_t len, const char *why)
{
	if (x->rc < 0 || x->env == NULL || x->env->shell == NULL || len == 0)
		return x->rc;
	if (x->env->shell(x->env->ud, text, len, why, x->err) < 0)
		x->rc = -1;
	return x->rc;
}

bool av_kind_is_secret_ref(const char *s)
{
	size_t n = strlen(s);
	return n > 11 && strncmp(s, "{{secret:", 9) == 0 &&
	       strcmp(s + n - 2, "}}") == 0 && strcspn(s + 9, "{}") == n - 11;
}

/* ---- message ---------------------------------------------------------
 * A message leaves the machine for a person: the body and each attachment
 * are net.send effects. No host is set: a recipient is not a network
 * endpoint, and the host rules (public, trusted) would judge the mail
 * provider instead of the person. Rules judge the recipient through the
 * message.* fields and list.known_recipients; the generic rules still see
 * what is sent, so a credential file as an attachment is net.send.secret. */
void av_kind_message_send(struct kind_x *x, const char *channel, const char *recipient,
                          const char *subject, const char *body,
                          const char *const *attachments, uint32_t nattachments)
{
	struct av_kind_facts *kf = x->kf;
	kf->msg_channel = channel;
	kf->msg_recipient = recipient;
	kf->msg_subject = subject;
	kf->msg_body = body;
	kf->msg_attachments = attachments;
	kf->nmsg_attachments = nattachments;
	const char *to = av_arena_printf(x->fx.arena, "sends a %s message to %s", channel,
	                                 recipient);
	if (body != NULL || subject != NULL || nattachments == 0) {
		struct av_effect *e = fx_push(&x->fx, AV_FX_NET_SEND);
		e->source = "inline";
		e->detail = to;
	}
	for (uint32_t i = 0; i < nattachments; i++) {
		fx_path(&x->fx, AV_FX_FS_READ, attachments[i], 0);
		struct av_effect *e = fx_push(&x->fx, AV_FX_NET_SEND);
		fx_source_path(&x->fx, e, attachments[i]);
		e->detail = av_arena_printf(x->fx.arena, "%s with the attachment %s",
		                            to ? to : "sends a message", e->source);
	}
}

int av_kind_message(struct kind_x *x)
{
	const struct av_action *a = x->a;
	av_kind_message_send(x, a->in.message.channel, a->in.message.recipient,
	                     a->in.message.subject, a->in.message.body,
	                     a->in.message.attachments, a->in.message.nattachments);
	return 0;
}

/* ---- credential and delegate -----------------------------------------
 * Neither touches anything by itself: a credential use names a secret the
 * broker will substitute (its value never reaches the model), a delegation
 * hands a task to another agent under an attenuated token. Both are judged
 * by action-level rules on their fields (credential.name, delegate.tools,
 * ...); they add no effect, so no effect rule misreads them. */
int av_kind_credential(struct kind_x *x)
{
	(void)x;
	return 0;
}

int av_kind_delegate(struct kind_x *x)
{
	(void)x;
	return 0;
}

static int (*const derive[AV_KIND_COUNT])(struct kind_x *) = {
	[AV_KIND_HTTP] = av_kind_http,         [AV_KIND_SQL] = av_kind_sql,
	[AV_KIND_KUBERNETES] = av_kind_k8s,    [AV_KIND_CODE] = av_kind_code,
	[AV_KIND_MESSAGE] = av_kind_message,   [AV_KIND_CREDENTIAL] = av_kind_credential,
	[AV_KIND_DELEGATE] = av_kind_delegate, [AV_KIND_MCP] = av_kind_mcp,
};

int av_effects_from_kind(const struct av_action *a, const struct av_kind_env *env,
                         struct av_arena *arena, struct av_effect_list *out,
                         struct av_kind_facts *kf, struct av_error *err)
{
	memset(kf, 0, sizeof(*kf));
	if (a == NULL || (unsigned)a->kind >= AV_KIND_COUNT || derive[a->kind] == NULL)
		return av_error_set(err, AV_E_INTERNAL, "kind",
		                    "the action kind has no kind stage");
	struct kind_x x = {
		.fx = { .ctx = &a->ctx, .arena = arena, .out = out, .idx = 0 },
		.a = a,
		.env = env,
		.kf = kf,
		.err = err,
	};
	if (derive[a->kind](&x) < 0 || x.rc < 0)
		return -1;
	if (x.fx.failed) {
		if (out->count >= AV_MAX_EFFECTS)
			return av_error_set(err, AV_E_LIMIT, "", "more than %d effects",
			                    AV_MAX_EFFECTS);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of arena memory for effects");
	}
	return 0;
}
