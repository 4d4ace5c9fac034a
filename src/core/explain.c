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

/* The redirections and assignments of c, as bash would write them. */
static void put_redirs(FILE *f, const struct av_command *c)
{
	static const char *const op_text[] = {
		[AV_REDIR_IN] = "<",       [AV_REDIR_OUT] = ">",
		[AV_REDIR_APPEND] = ">>",  [AV_REDIR_CLOBBER] = ">|",
		[AV_REDIR_INOUT] = "<>",   [AV_REDIR_DUP_IN] = "<&",
		[AV_REDIR_DUP_OUT] = ">&", [AV_REDIR_OUT_ERR] = "&>",
		[AV_REDIR_HEREDOC] = "<<", [AV_REDIR_HERESTRING] = "<<<",
	};
	for (uint32_t i = 0; i < c->nredirs; i++) {
		const struct av_redir *r = &c->redirs[i];
		fputc(' ', f);
		if (r->fd >= 0 &&
		    !(r->fd == 0 && (r->op == AV_REDIR_IN || r->op == AV_REDIR_HEREDOC ||
		                     r->op == AV_REDIR_HERESTRING)) &&
		    !(r->fd == 1 && (r->op == AV_REDIR_OUT || r->op == AV_REDIR_APPEND)))
			fprintf(f, "%d", r->fd);
		fputs(r->op < sizeof(op_text) / sizeof(op_text[0]) ? op_text[r->op] : "?",
		      f);
		if (r->op == AV_REDIR_HEREDOC) {
			fputs("[here-document: ", f);
			put_visible(f, r->target ? r->target : "");
			fputc(']', f);
		} else {
			put_visible(f, r->target ? r->target : "");
		}
	}
}

/* One command and, below it, the commands it runs (parent == i), drawn
 * with the prefix of the branches above. depth bounds the recursion (the
 * shell stage bounds nesting by AV_SHELL_MAX_DEPTH already). */
static void put_subtree(FILE *f, const struct av_shell_result *r, uint32_t i,
                        const char *prefix, bool last, bool root, unsigned depth)
{
	const struct av_command *c = &r->cmds[i];
	fprintf(f, "  %s%s", prefix, root ? "" : last ? "`- " : "|- ");
	for (uint32_t k = 0; k < c->nassigns; k++) {
		put_visible(f, c->assigns[k].name);
		fputc('=', f);
		put_visible(f, c->assigns[k].value ? c->assigns[k].value : "<unknown>");
		if (k + 1 < c->nassigns || c->argc > 0)
			fputc(' ', f);
	}
	put_argv(f, c);
	put_redirs(f, c);
	if (c->pipe_len > 1)
		fprintf(f, "   [pipe %u/%u]", c->pipe_index + 1, c->pipe_len);
	if (c->background)
		fputs("   [background]", f);
	fputc('\n', f);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s%s", prefix, root ? "" : last ? "   " : "|  ");
	if (c->provenance != NULL) {
		fprintf(f, "  %s   from: ", sub);
		put_visible(f, c->provenance);
		fputc('\n', f);
	}
	if (c->unresolved != NULL) {
		fprintf(f, "  %s   partly known: ", sub);
		put_visible(f, c->unresolved);
		fputc('\n', f);
	}
	if (c->opaque != NULL) {
		fprintf(f, "  %s   OPAQUE: ", sub);
		put_visible(f, c->opaque);
		fputc('\n', f);
	}
	if (depth > AV_SHELL_MAX_DEPTH + 1)
		return;
	uint32_t lastkid = UINT32_MAX;
	for (uint32_t k = i + 1; k < r->ncmds; k++)
		if (r->cmds[k].parent == (int32_t)i)
			lastkid = k;
	for (uint32_t k = i + 1; k < r->ncmds; k++)
		if (r->cmds[k].parent == (int32_t)i)
			put_subtree(f, r, k, sub, k == lastkid, false, depth + 1);
}

char *av_decision_tree(const struct av_decision *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	const struct av_shell_result *r = &d->shell;
	if (r->ncmds == 0)
		fputs("  (no command would run)\n", f);
	for (uint32_t i = 0; i < r->ncmds; i++)
		if (r->cmds[i].parent < 0)
			put_subtree(f, r, i, "", true, true, 0);
	if (r->truncated != NULL)
		fprintf(f, "  analysis stopped at a limit: %s\n", r->truncated);
	fprintf(f, "%s (risk %s)", verdict_upper[d->verdict], av_risk_name(d->risk));
	for (uint32_t i = 0; i < d->findings.count; i++) {
		fputs(i == 0 ? ": " : "; ", f);
		fputs(d->findings.items[i].rule, f);
	}
	if (d->has_error) {
		fputs(d->findings.count ? "; error: " : ": error: ", f);
		put_visible(f, d->error.message);
	}
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
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
	} else if (d->action != NULL && d->action->kind == AV_KIND_FILE) {
		fprintf(f, ": file %s ", av_file_op_name(d->action->in.file.op));
		put_visible(f, d->action->in.file.path);
	} else if (d->action != NULL) {
		const char *what = NULL, *subject = av_action_subject(d->action, &what);
		fprintf(f, ": %s %s ", av_action_kind_name(d->action->kind), what);
		put_visible(f, subject);
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
