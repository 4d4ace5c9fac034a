/* names.c - the names of verdicts, risk levels, error codes, action kinds and
 * file operations, as they appear on the wire and in policies. */
#include <stdarg.h>
#include <stdio.h>

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "core/core_internal.h"
#include "util/nametable.h"

static const char *const verdict_names[AV_VERDICT_COUNT] = {
	[AV_ALLOW] = "allow",
	[AV_WARN] = "warn",
	[AV_REVIEW] = "review",
	[AV_BLOCK] = "block",
};

static const char *const risk_names[AV_RISK_COUNT] = {
	[AV_RISK_NONE] = "none",         [AV_RISK_LOW] = "low",
	[AV_RISK_MEDIUM] = "medium",     [AV_RISK_HIGH] = "high",
	[AV_RISK_CRITICAL] = "critical",
};

static const char *const errcode_names[AV_ERRCODE_COUNT] = {
	[AV_OK] = "ok",         [AV_E_JSON] = "json",         [AV_E_FIELD] = "field",
	[AV_E_LIMIT] = "limit", [AV_E_POLICY] = "policy",     [AV_E_NOMEM] = "nomem",
	[AV_E_IO] = "io",       [AV_E_INTERNAL] = "internal",
};

static const char *const kind_names[AV_KIND_COUNT] = {
	[AV_KIND_SHELL] = "shell",
	[AV_KIND_FILE] = "file",
	[AV_KIND_HTTP] = "http",
	[AV_KIND_SQL] = "sql",
	[AV_KIND_KUBERNETES] = "kubernetes",
	[AV_KIND_CODE] = "code",
	[AV_KIND_MESSAGE] = "message",
	[AV_KIND_CREDENTIAL] = "credential",
	[AV_KIND_DELEGATE] = "delegate",
	[AV_KIND_MCP] = "mcp",
};

static const char *const lang_names[AV_LANG_COUNT] = {
	[AV_LANG_PYTHON] = "python",
	[AV_LANG_JAVASCRIPT] = "javascript",
	[AV_LANG_SHELL] = "shell",
};

static const char *const fop_names[AV_FOP_COUNT] = {
	[AV_FOP_READ] = "read",     [AV_FOP_WRITE] = "write",   [AV_FOP_EDIT] = "edit",
	[AV_FOP_APPEND] = "append", [AV_FOP_DELETE] = "delete", [AV_FOP_LIST] = "list",
	[AV_FOP_MOVE] = "move",     [AV_FOP_COPY] = "copy",     [AV_FOP_CHMOD] = "chmod",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] != NULL ? names[v] : "?";
}

const char *av_verdict_name(enum av_verdict v)
{
	return name_of(verdict_names, AV_VERDICT_COUNT, v);
}

const char *av_risk_name(enum av_risk r)
{
	return name_of(risk_names, AV_RISK_COUNT, r);
}

const char *av_errcode_name(enum av_errcode c)
{
	return name_of(errcode_names, AV_ERRCODE_COUNT, c);
}

const char *av_action_kind_name(enum av_action_kind k)
{
	return name_of(kind_names, AV_KIND_COUNT, k);
}

const char *av_file_op_name(enum av_file_op op)
{
	return name_of(fop_names, AV_FOP_COUNT, op);
}

const char *av_code_lang_name(enum av_code_lang l)
{
	return name_of(lang_names, AV_LANG_COUNT, l);
}

int av_code_lang_parse(const char *s, size_t len, enum av_code_lang *out)
{
	int i = av_nametable_find(lang_names, AV_LANG_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_code_lang)i;
	return 0;
}

int av_verdict_parse(const char *s, size_t len, enum av_verdict *out)
{
	int i = av_nametable_find(verdict_names, AV_VERDICT_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_verdict)i;
	return 0;
}

int av_risk_parse(const char *s, size_t len, enum av_risk *out)
{
	int i = av_nametable_find(risk_names, AV_RISK_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_risk)i;
	return 0;
}

int av_action_kind_parse(const char *s, size_t len, enum av_action_kind *out)
{
	int i = av_nametable_find(kind_names, AV_KIND_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_action_kind)i;
	return 0;
}

int av_file_op_parse(const char *s, size_t len, enum av_file_op *out)
{
	int i = av_nametable_find(fop_names, AV_FOP_COUNT, s, len);
	if (i < 0)
		return -1;
	*out = (enum av_file_op)i;
	return 0;
}

int av_error_set(struct av_error *err, enum av_errcode code, const char *where,
                 const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	err->code = code;
	/* snprintf truncates safely; a truncated message is still useful. */
	int n = snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	(void)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->message[0] = '\0';
	return -1;
}

void av_error_clear(struct av_error *err)
{
	if (err == NULL)
		return;
	err->code = AV_OK;
	err->message[0] = '\0';
	err->where[0] = '\0';
}
