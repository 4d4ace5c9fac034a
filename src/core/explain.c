/* explain.c - the human-readable explanation printed by `agentvisor check`.
 *
 * Layout: the verdict line first (what a user needs), then each finding with
 * its reason and safer alternative, then the commands and effects the
 * decision was made on, so a surprising verdict can be traced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/decide.h"

static const char *const verdict_upper[AV_VERDICT_COUNT] = {
	[AV_ALLOW] = "ALLOW",
	[AV_WARN] = "WARN",
	[AV_REVIEW] = "REVIEW",
	[AV_BLOCK] = "BLOCK",
};

/* Prints s with control characters made visible, so a command cannot
 * rewrite the terminal (escape sequences, carriage returns) of the person
 * reading the explanation. */
static void put_visible(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

static void put_argv(FILE *f, const struct av_command *c)
{
	for (uint32_t i = 0; i < c->argc; i++) {
		if (i > 0)
			fputc(' ', f);
		bool plain = c->argv[i][0] != '\0' &&
		             strpbrk(c->argv[i], " \t\n'\"\\$`") == NULL;
		if (!plain)
			fputc('\'', f);
		put_visible(f, c->argv[i]);
		if (!plain)
			fputc('\'', f);
	}
}

static void put_effect(FILE *f, const struct av_effect *e)
{
	fprintf(f, "    %-14s", av_effect_kind_name(e->kind));
	const struct {
		const char *label, *value;
	} parts[] = {
		{ "", e->path },          { "-> ", e->dest },   { "host ", e->host },
		{ "binary ", e->binary }, { "mode ", e->mode }, { "from ", e->source },
		{ "via ", e->mechanism }, { "", e->detail },
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].value == NULL)
			continue;
		fprintf(f, " %s", parts[i].label);
		put_visible(f, parts[i].value);
		if (parts[i].value == e->path)
			fprintf(f, " [%s]", av_path_class_name(e->path_class));
		else if (parts[i].value == e->dest)
			fprintf(f, " [%s]", av_path_class_name(e->dest_class));
		else if (parts[i].value == e->host)
			fprintf(f, " [%s]", av_host_class_name(e->host_class));
	}
	if (e->flags & AV_FXF_RECURSIVE)
		fputs(" recursive", f);
	if (e->flags & AV_FXF_FORCE)
		fputs(" force", f);
	if (e->flags & AV_FXF_PRIVILEGED)
		fputs(" privileged", f);
	fputc('\n', f);
}

char *av_decision_explain(const struct av_decision *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	fprintf(f, "%s (risk %s)", verdict_upper[d->verdict], av_risk_name(d->risk));
	if (d->action != NULL && d->action->kind == AV_KIND_SHELL) {
		fputs(": ", f);
		put_visible(f, d->action->in.shell.command);
	} else if (d->action != NULL) {
		fprintf(f, ": file %s ", av_file_op_name(d->action->in.file.op));
		put_visible(f, d->action->in.file.path);
	}
	fputc('\n', f);
	if (d->has_error) {
		fprintf(f, "  error (%s): ", av_errcode_name(d->error.code));
		put_visible(f, d->error.message);
		if (d->error.where[0] != '\0') {
			fputs(" [at ", f);
			put_visible(f, d->error.where);
			fputc(']', f);
		}
		fputc('\n', f);
	}
	if (d->findings.count == 0 && !d->has_error)
		fputs("  no rule matched\n", f);
	for (uint32_t i = 0; i < d->findings.count; i++) {
		const struct av_finding *fi = &d->findings.items[i];
		fprintf(f, "  %-6s %-8s %s: ", av_verdict_name(fi->verdict),
		        av_risk_name(fi->risk), fi->rule);
		put_visible(f, fi->reason ? fi->reason : "");
		fputc('\n', f);
		if (fi->safefix != NULL) {
			fputs("         safer: ", f);
			put_visible(f, fi->safefix);
			fputc('\n', f);
		}
		if (fi->safefix_command != NULL) {
			fputs("         safer command: ", f);
			put_visible(f, fi->safefix_command);
			fputc('\n', f);
		}
	}
	if (d->shell.ncmds > 0)
		fputs("  commands:\n", f);
	for (uint32_t i = 0; i < d->shell.ncmds; i++) {
		const struct av_command *c = &d->shell.cmds[i];
		fprintf(f, "    [%u] %*s", i, (int)(2 * c->depth), "");
		put_argv(f, c);
		if (c->provenance != NULL) {
			fputs("  (", f);
			put_visible(f, c->provenance);
			fputc(')', f);
		}
		if (c->opaque != NULL) {
			fputs("  opaque: ", f);
			put_visible(f, c->opaque);
		}
		fputc('\n', f);
	}
	if (d->effects.count > 0)
		fputs("  effects:\n", f);
	for (uint32_t i = 0; i < d->effects.count; i++)
		put_effect(f, &d->effects.items[i]);
	if (d->policy_digest != NULL)
		fprintf(f, "  policy sha256:%.16s\n", d->policy_digest);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
