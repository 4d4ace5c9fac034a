/* decision_json.c - the verdict JSON of docs/PROTOCOL.md.
 *
 * Strings that came out of the analyzer may hold arbitrary bytes (an ANSI-C
 * string, decoded base64); they are emitted with invalid UTF-8 bytes shown
 * as \xHH so the output is always valid JSON and nothing is silently
 * dropped. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/decide.h"
#include "util/utf8.h"

/* Returns a new JSON string for s, or JSON null for NULL. Never NULL unless
 * out of memory. */
static json_t *jstr(const char *s)
{
	if (s == NULL)
		return json_null();
	size_t len = strlen(s);
	if (av_utf8_valid(s, len))
		return json_stringn(s, len);
	size_t need = av_utf8_escape_invalid(s, len, NULL, 0) + 1;
	char *buf = malloc(need);
	if (buf == NULL)
		return NULL;
	av_utf8_escape_invalid(s, len, buf, need);
	json_t *v = json_string(buf);
	free(buf);
	return v;
}

/* json_object_set_new with NULL-safety: a failed allocation makes the
 * whole serialization fail rather than emit a partial verdict. */
static bool put(json_t *obj, const char *key, json_t *val)
{
	return val != NULL && json_object_set_new(obj, key, val) == 0;
}

static bool put_opt_str(json_t *obj, const char *key, const char *s)
{
	return s == NULL || put(obj, key, jstr(s));
}

static bool append(json_t *arr, json_t *val)
{
	return val != NULL && json_array_append_new(arr, val) == 0;
}

static const char *const redir_ops[] = {
	[AV_REDIR_IN] = "<",       [AV_REDIR_OUT] = ">",
	[AV_REDIR_APPEND] = ">>",  [AV_REDIR_CLOBBER] = ">|",
	[AV_REDIR_INOUT] = "<>",   [AV_REDIR_DUP_IN] = "<&",
	[AV_REDIR_DUP_OUT] = ">&", [AV_REDIR_OUT_ERR] = "&>",
	[AV_REDIR_HEREDOC] = "<<", [AV_REDIR_HERESTRING] = "<<<",
};

static json_t *command_json(const struct av_command *c)
{
	json_t *o = json_object(), *argv = json_array(), *redirs = json_array(),
	       *env = json_object();
	bool ok = o && argv && redirs && env;
	for (uint32_t i = 0; ok && i < c->argc; i++)
		ok = append(argv, jstr(c->argv[i]));
	for (uint32_t i = 0; ok && i < c->nredirs; i++) {
		const struct av_redir *r = &c->redirs[i];
		json_t *rj = json_object();
		unsigned op = (unsigned)r->op;
		ok = rj && put(rj, "fd", json_integer(r->fd)) &&
		     put(rj, "op",
		         json_string(op < sizeof(redir_ops) / sizeof(redir_ops[0])
		                             ? redir_ops[op]
		                             : "?")) &&
		     put(rj, "target", jstr(r->target));
		ok = ok ? append(redirs, rj) : (json_decref(rj), false);
	}
	for (uint32_t i = 0; ok && i < c->nassigns; i++)
		ok = put(env, c->assigns[i].name, jstr(c->assigns[i].value));
	ok = ok && put(o, "argv", json_incref(argv));
	if (ok && c->nredirs > 0)
		ok = put(o, "redirects", json_incref(redirs));
	if (ok && c->nassigns > 0)
		ok = put(o, "env", json_incref(env));
	ok = ok && put(o, "depth", json_integer(c->depth)) &&
	     (c->parent < 0 || put(o, "parent", json_integer(c->parent))) &&
	     (c->pipe_len <= 1 || (put(o, "pipeline", json_integer(c->pipeline)) &&
	                           put(o, "pipe_index", json_integer(c->pipe_index)))) &&
	     (!c->background || put(o, "background", json_true())) &&
	     put_opt_str(o, "provenance", c->provenance) &&
	     put_opt_str(o, "opaque", c->opaque) &&
	     put_opt_str(o, "unresolved", c->unresolved);
	json_decref(argv);
	json_decref(redirs);
	json_decref(env);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Flag bits and their JSON names, in output order. */
static const struct {
	uint32_t bit;
	const char *name;
} effect_flags[] = {
	{ AV_FXF_RECURSIVE, "recursive" },
	{ AV_FXF_FORCE, "force" },
	{ AV_FXF_PRIVILEGED, "privileged" },
	{ AV_FXF_WILDCARD, "wildcard" },
};

static json_t *effect_json(const struct av_effect *e)
{
	json_t *o = json_object();
	bool ok =
	        o && put(o, "kind", json_string(av_effect_kind_name(e->kind))) &&
	        (e->cmd < 0 || put(o, "command", json_integer(e->cmd))) &&
	        put_opt_str(o, "path", e->path) &&
	        (e->path == NULL ||
	         put(o, "class", json_string(av_path_class_name(e->path_class)))) &&
	        put_opt_str(o, "dest", e->dest) &&
	        (e->dest == NULL ||
	         put(o, "dest_class", json_string(av_path_class_name(e->dest_class)))) &&
	        put_opt_str(o, "host", e->host) &&
	        (e->host == NULL ||
	         put(o, "host_class", json_string(av_host_class_name(e->host_class)))) &&
	        put_opt_str(o, "url", e->url) && put_opt_str(o, "binary", e->binary) &&
	        put_opt_str(o, "mode", e->mode) && put_opt_str(o, "source", e->source) &&
	        put_opt_str(o, "mechanism", e->mechanism) &&
	        put_opt_str(o, "detail", e->detail);
	for (size_t i = 0; ok && i < sizeof(effect_flags) / sizeof(effect_flags[0]); i++)
		if (e->flags & effect_flags[i].bit)
			ok = put(o, effect_flags[i].name, json_true());
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The actions that formed a session finding (docs/PROTOCOL.md). */
static json_t *steps_json(const struct av_finding *f)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a != NULL && i < f->nsteps; i++) {
		const struct av_finding_step *s = &f->steps[i];
		json_t *o = json_object();
		bool ok = o && put(o, "step", jstr(s->step ? s->step : "")) &&
		          put(o, "seq", json_integer((json_int_t)s->seq)) &&
		          put_opt_str(o, "id", s->action) &&
		          put_opt_str(o, "summary", s->summary) &&
		          (!s->current || put(o, "current", json_true()));
		if (!ok)
			json_decref(o);
		/* json_array_append_new takes o even when it fails. */
		if (!ok || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *finding_json(const struct av_finding *f)
{
	json_t *o = json_object();
	bool ok = o && put(o, "rule", jstr(f->rule)) &&
	          put(o, "verdict", json_string(av_verdict_name(f->verdict))) &&
	          put(o, "risk", json_string(av_risk_name(f->risk))) &&
	          put(o, "reason", jstr(f->reason ? f->reason : "")) &&
	          put_opt_str(o, "safefix", f->safefix) &&
	          put_opt_str(o, "safefix_command", f->safefix_command) &&
	          (f->effect < 0 || put(o, "effect", json_integer(f->effect))) &&
	          (f->nsteps == 0 || put(o, "steps", steps_json(f)));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *av_decision_to_json(const struct av_decision *d, const char *id_override)
{
	json_t *root = json_object(), *findings = json_array(), *commands = json_array(),
	       *effects = json_array();
	const char *id =
	        d->action != NULL && d->action->id != NULL ? d->action->id : id_override;
	bool ok = root && findings && commands && effects && put(root, "id", jstr(id)) &&
	          put(root, "verdict", json_string(av_verdict_name(d->verdict))) &&
	          put(root, "risk", json_string(av_risk_name(d->risk)));
	for (uint32_t i = 0; ok && i < d->findings.count; i++)
		ok = append(findings, finding_json(&d->findings.items[i]));
	for (uint32_t i = 0; ok && i < d->shell.ncmds; i++)
		ok = append(commands, command_json(&d->shell.cmds[i]));
	for (uint32_t i = 0; ok && i < d->effects.count; i++)
		ok = append(effects, effect_json(&d->effects.items[i]));
	ok = ok && put(root, "findings", json_incref(findings)) &&
	     put(root, "commands", json_incref(commands)) &&
	     put(root, "effects", json_incref(effects)) &&
	     put(root, "policy", jstr(d->policy_digest));
	if (ok && d->has_error) {
		json_t *e = json_object();
		ok = e && put(e, "code", json_string(av_errcode_name(d->error.code))) &&
		     put(e, "message", jstr(d->error.message)) &&
		     put(e, "where", jstr(d->error.where));
		ok = ok ? put(root, "error", e) : (json_decref(e), false);
	}
	char *out = ok ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(findings);
	json_decref(commands);
	json_decref(effects);
	json_decref(root);
	return out;
}
