/* template.c - reason, safefix and safefix_command texts with {field}
 * placeholders. They are split into literal and field segments when the
 * policy loads, so a finding's text is one arena allocation and a few
 * copies; a command template quotes each value as one shell word. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/expr.h"

struct av_template_seg {
	const char *text; /* literal text, or NULL for a field */
	size_t len;
	enum av_field field;
};

static int tfail(struct av_expr_error *e, size_t off, const char *msg)
{
	snprintf(e->message, sizeof(e->message), "%s", msg);
	e->offset = off;
	return -1;
}

static int push_seg(struct av_arena *arena, struct av_template_seg **segs, uint32_t *n,
                    uint32_t *cap, const char *text, size_t len, enum av_field f)
{
	struct av_template_seg *s =
	        av_arena_push(arena, (void **)segs, n, cap, sizeof(*s), UINT32_MAX);
	if (s == NULL)
		return -1;
	s->text = text;
	s->len = len;
	s->field = f;
	return 0;
}

int av_template_compile(const char *src, size_t len, struct av_arena *arena,
                        bool action_scope, struct av_template *t, struct av_expr_error *e)
{
	memset(t, 0, sizeof(*t));
	memset(e, 0, sizeof(*e));
	struct av_template_seg *segs = NULL;
	uint32_t n = 0, cap = 0;
	/* Literal runs are copied with "{{" and "}}" collapsed, so they are
	 * never longer than the source. */
	char *lit = av_arena_alloc(arena, len + 1);
	if (lit == NULL)
		return tfail(e, 0, "out of memory");
	size_t litlen = 0, total = 0, nfields = 0;
	char *run = lit;

	for (size_t i = 0; i < len;) {
		char c = src[i];
		if ((c == '{' || c == '}') && i + 1 < len && src[i + 1] == c) {
			lit[litlen++] = c;
			i += 2;
			continue;
		}
		if (c != '{') {
			lit[litlen++] = c;
			i++;
			continue;
		}
		const char *close = memchr(src + i, '}', len - i);
		if (close == NULL)
			return tfail(
			        e, i,
			        "a '{' is not closed by '}' (write '{{' for a brace)");
		size_t nlen = (size_t)(close - (src + i + 1));
		if (nlen == 0)
			return tfail(e, i, "empty placeholder '{}'");
		int f = av_field_lookup(src + i + 1, nlen);
		if (f < 0) {
			snprintf(e->message, sizeof(e->message), "unknown field '{%.*s}'",
			         (int)(nlen > 64 ? 64 : nlen), src + i + 1);
			e->offset = i;
			return -1;
		}
		if (action_scope && av_field_scope((enum av_field)f) != AV_SCOPE_ACTION) {
			snprintf(e->message, sizeof(e->message),
			         "field '{%s}' belongs to an effect or command and is "
			         "always "
			         "null in an action-level rule",
			         av_field_name((enum av_field)f));
			e->offset = i;
			return -1;
		}
		size_t runlen = (size_t)(lit + litlen - run);
		if (runlen > 0 &&
		    push_seg(arena, &segs, &n, &cap, run, runlen, AV_F_KIND) < 0)
			return tfail(e, i, "out of memory");
		total += runlen;
		lit[litlen++] = '\0'; /* ends the run; the next starts after it */
		run = lit + litlen;
		if (push_seg(arena, &segs, &n, &cap, NULL, 0, (enum av_field)f) < 0)
			return tfail(e, i, "out of memory");
		nfields++;
		i += nlen + 2;
	}
	size_t runlen = (size_t)(lit + litlen - run);
	if (runlen > 0 && push_seg(arena, &segs, &n, &cap, run, runlen, AV_F_KIND) < 0)
		return tfail(e, len, "out of memory");
	total += runlen;
	t->segs = segs;
	t->nsegs = n;
	t->max_len = total + nfields * (AV_TEMPLATE_MAX_VALUE + 3) + 1;
	return 0;
}

/* Appends s[0..len) to buf at *n, at most AV_TEMPLATE_MAX_VALUE - *used
 * bytes of it, cut at a UTF-8 character boundary. Returns false when the
 * value had to be cut. */
static bool put_bounded(char *buf, size_t *n, size_t *used, const char *s, size_t len)
{
	size_t room = AV_TEMPLATE_MAX_VALUE - *used;
	bool whole = len <= room;
	if (!whole) {
		len = room;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf + *n, s, len);
	*n += len;
	*used += len;
	return whole;
}

static void put_value(char *buf, size_t *n, const struct av_value *v)
{
	size_t used = 0;
	bool whole = true;
	char num[24];
	switch (v->type) {
	case AV_XT_NULL:
		whole = put_bounded(buf, n, &used, "?", 1);
		break;
	case AV_XT_BOOL:
		whole = put_bounded(buf, n, &used, v->b ? "true" : "false", v->b ? 4 : 5);
		break;
	case AV_XT_NUM: {
		int k = snprintf(num, sizeof(num), "%" PRId64, v->n);
		whole = put_bounded(buf, n, &used, num, k > 0 ? (size_t)k : 0);
		break;
	}
	case AV_XT_STR:
		whole = put_bounded(buf, n, &used, v->s, strlen(v->s));
		break;
	case AV_XT_LIST:
		for (uint32_t i = 0; i < v->count && whole; i++) {
			if (i > 0)
				whole = put_bounded(buf, n, &used, " ", 1);
			if (whole && v->items[i] != NULL)
				whole = put_bounded(buf, n, &used, v->items[i],
				                    strlen(v->items[i]));
		}
		break;
	}
	if (!whole) {
		memcpy(buf + *n, "...", 3);
		*n += 3;
	}
}

const char *av_template_format(const struct av_template *t, const struct av_expr_ctx *ctx,
                               struct av_arena *arena)
{
	char *buf = av_arena_alloc(arena, t->max_len);
	if (buf == NULL)
		return NULL;
	size_t n = 0;
	for (uint32_t i = 0; i < t->nsegs; i++) {
		const struct av_template_seg *s = &t->segs[i];
		if (s->text != NULL) {
			memcpy(buf + n, s->text, s->len);
			n += s->len;
		} else {
			struct av_value v;
			av_field_get(s->field, ctx, &v);
			put_value(buf, &n, &v);
		}
	}
	buf[n] = '\0';
	return buf;
}

/* Characters a shell word may hold unquoted without any of them meaning
 * something to the shell (no globs, expansions, operators, spaces, '~' or
 * '=' that could make the word an assignment). */
static bool shell_plain(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_./:@%+,-", c) != NULL))
			return false;
	}
	return true;
}

/* Writes s[0..len) as one shell word at buf + *n (buf NULL: only counts).
 * Inside single quotes nothing is special except the quote itself, which is
 * closed, escaped and reopened: ' -> '\''. */
static void put_shell_word(char *buf, size_t *n, const char *s, size_t len)
{
	if (shell_plain(s, len)) {
		if (buf != NULL)
			memcpy(buf + *n, s, len);
		*n += len;
		return;
	}
	if (buf != NULL)
		buf[*n] = '\'';
	(*n)++;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'') {
			if (buf != NULL)
				memcpy(buf + *n, "'\\''", 4);
			*n += 4;
		} else {
			if (buf != NULL)
				buf[*n] = s[i];
			(*n)++;
		}
	}
	if (buf != NULL)
		buf[*n] = '\'';
	(*n)++;
}

/* A value fit to be a command argument: present and not cut. A single
 * value (a path, a host) must not start with '-', where it would read as an
 * option; the entries of a list such as argv may, since their options are
 * the command's own. */
static bool word_ok(const char *s, bool may_be_option)
{
	return s != NULL && (may_be_option || s[0] != '-') &&
	       strlen(s) <= AV_TEMPLATE_MAX_VALUE;
}

/* One pass over the template: counts (buf NULL) or writes. Returns false
 * when some value cannot be made into a word. */
static bool command_pass(const struct av_template *t, const struct av_expr_ctx *ctx,
                         char *buf, size_t *n)
{
	char num[24];
	*n = 0;
	for (uint32_t i = 0; i < t->nsegs; i++) {
		const struct av_template_seg *s = &t->segs[i];
		if (s->text != NULL) {
			if (buf != NULL)
				memcpy(buf + *n, s->text, s->len);
			*n += s->len;
			continue;
		}
		struct av_value v;
		av_field_get(s->field, ctx, &v);
		switch (v.type) {
		case AV_XT_NULL:
			return false;
		case AV_XT_BOOL:
			put_shell_word(buf, n, v.b ? "true" : "false", v.b ? 4 : 5);
			break;
		case AV_XT_NUM: {
			int k = snprintf(num, sizeof(num), "%" PRId64, v.n);
			if (k <= 0 || num[0] == '-')
				return false;
			put_shell_word(buf, n, num, (size_t)k);
			break;
		}
		case AV_XT_STR:
			if (!word_ok(v.s, false))
				return false;
			put_shell_word(buf, n, v.s, strlen(v.s));
			break;
		case AV_XT_LIST:
			if (v.count == 0)
				return false;
			for (uint32_t j = 0; j < v.count; j++) {
				if (!word_ok(v.items[j], true))
					return false;
				if (j > 0) {
					if (buf != NULL)
						buf[*n] = ' ';
					(*n)++;
				}
				put_shell_word(buf, n, v.items[j], strlen(v.items[j]));
			}
			break;
		}
	}
	return true;
}

int av_template_format_command(const struct av_template *t, const struct av_expr_ctx *ctx,
                               struct av_arena *arena, const char **out)
{
	*out = NULL;
	size_t n;
	if (!command_pass(t, ctx, NULL, &n))
		return 1;
	char *buf = av_arena_alloc(arena, n + 1);
	if (buf == NULL)
		return -1;
	command_pass(t, ctx, buf, &n);
	buf[n] = '\0';
	*out = buf;
	return 0;
}
