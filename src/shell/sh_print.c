/* sh_print.c - turns a syntax tree back into text: canonical bash that
 * parses to an equal tree (av_sh_print), and a compact S-expression for
 * tests and debugging (av_sh_dump).
 *
 * The printer is safe by construction rather than by escaping everything:
 * the parser only puts into a literal the bytes that are ordinary where the
 * literal stood, so each part is printed in the one form that reads back as
 * the same part, and quoted contexts escape exactly the bytes that are
 * special inside them. Here-document bodies are written after the next
 * newline the printer emits, as bash reads them. */
#include <stdio.h>
#include <string.h>

#include "shell/sh_ast.h"

struct out {
	struct av_arena *arena;
	char *buf;
	size_t len, cap;
	bool fail;
	const struct av_sh_node **hd; /* pending here-documents */
	uint32_t nhd, caphd;
	uint32_t hd_base; /* the first one that belongs to the current level */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->fail || n == 0)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *nb = av_arena_alloc(o->arena, cap);
		if (nb == NULL) {
			o->fail = true;
			return;
		}
		if (o->len > 0)
			memcpy(nb, o->buf, o->len);
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putc_(struct out *o, char c)
{
	put(o, &c, 1);
}

static char last(const struct out *o)
{
	return o->len > 0 ? o->buf[o->len - 1] : '\0';
}

static int finish(struct out *o, char **out, size_t *outlen)
{
	if (!o->fail && o->buf == NULL) {
		o->buf = av_arena_alloc(o->arena, 1);
		o->fail = o->buf == NULL;
	}
	if (o->fail)
		return -1;
	*out = o->buf;
	*outlen = o->len;
	return 0;
}

/* ---- the printer ---- */

enum ctx {
	C_UNQ = 0,    /* an unquoted word */
	C_DQ,         /* inside "..." */
	C_HEREDOC,    /* an unquoted here-document body */
	C_ARITH,      /* arithmetic text */
	C_OPERAND,    /* ${x...} operand, unquoted */
	C_OPERAND_DQ, /* ${x...} operand inside double quotes */
	C_SUBSCRIPT,  /* [...] */
};

#define STOP_COLON 1u
#define STOP_SLASH 2u
#define STOP_GLOB  4u /* a pattern operand: glob characters are special */

enum lmode { L_TOP, L_TERM, L_SEP };

static void pr_cmd(struct out *o, const struct av_sh_node *n);
static void pr_list(struct out *o, const struct av_sh_node *list, enum lmode m);
static void pr_word(struct out *o, const struct av_sh_node *w, enum ctx c,
                    unsigned stops);

static void pr_newline(struct out *o)
{
	putc_(o, '\n');
	for (uint32_t i = o->hd_base; i < o->nhd; i++) {
		const struct av_sh_node *r = o->hd[i];
		const struct av_sh_node *delim = r->kids,
		                        *body = delim ? delim->next : NULL;
		if (body != NULL) {
			if (r->flags & AV_SH_F_HD_QUOTED) {
				for (const struct av_sh_node *k = body->kids; k;
				     k = k->next)
					put(o, k->text, k->len);
			} else {
				pr_word(o, body, C_HEREDOC, 0);
			}
		}
		if (delim != NULL && delim->kids != NULL)
			put(o, delim->kids->text, delim->kids->len);
		putc_(o, '\n');
	}
	o->nhd = o->hd_base;
}

static void push_heredoc(struct out *o, const struct av_sh_node *r)
{
	if (o->nhd == o->caphd) {
		uint32_t cap = o->caphd ? o->caphd * 2 : 8;
		const struct av_sh_node **nh =
		        av_arena_alloc(o->arena, cap * sizeof(*nh));
		if (nh == NULL) {
			o->fail = true;
			return;
		}
		if (o->nhd > 0)
			memcpy(nh, o->hd, o->nhd * sizeof(*nh));
		o->hd = nh;
		o->caphd = cap;
	}
	o->hd[o->nhd++] = r;
}

static void pr_sq(struct out *o, const char *s, size_t n)
{
	putc_(o, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			puts_(o, "'\\''");
		else
			putc_(o, s[i]);
	}
	putc_(o, '\'');
}

static void pr_ansi(struct out *o, const char *s, size_t n)
{
	puts_(o, "$'");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '\'') {
			putc_(o, '\\');
			putc_(o, (char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			char hex[8];
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			puts_(o, hex);
		} else {
			putc_(o, (char)c);
		}
	}
	putc_(o, '\'');
}

/* Bytes a backslash must protect inside a quoted context. */
static bool must_escape(char ch, enum ctx c, unsigned stops)
{
	if (ch == '\\' || ch == '$' || ch == '`')
		return true;
	switch (c) {
	case C_DQ:
	case C_ARITH:
		return ch == '"';
	case C_OPERAND_DQ:
		return ch == '"' || ch == '}' || (ch == ':' && (stops & STOP_COLON)) ||
		       (ch == '/' && (stops & STOP_SLASH)) ||
		       ((stops & STOP_GLOB) && ch != '\0' &&
		        strchr("*?[+@!", ch) != NULL);
	default:
		return false;
	}
}

static void pr_lit(struct out *o, const struct av_sh_node *l, enum ctx c, unsigned stops)
{
	if (c == C_UNQ || c == C_OPERAND || c == C_SUBSCRIPT || c == C_ARITH) {
		put(o, l->text, l->len);
		return;
	}
	size_t from = 0;
	for (size_t i = 0; i < l->len; i++) {
		if (must_escape(l->text[i], c, stops)) {
			put(o, l->text + from, i - from);
			putc_(o, '\\');
			from = i;
		}
	}
	put(o, l->text + from, l->len - from);
}

/* $( list ) with a space when the list starts with ( so it cannot read
 * as $(( or <((. */
static void pr_sub_list(struct out *o, const char *open, const struct av_sh_node *list)
{
	puts_(o, open);
	size_t at = o->len;
	uint32_t base = o->hd_base;
	o->hd_base = o->nhd;
	pr_list(o, list, L_SEP);
	if (o->nhd > o->hd_base)
		pr_newline(o);
	o->hd_base = base;
	if (!o->fail && o->len > at && o->buf[at] == '(') {
		put(o, " ", 1);
		if (!o->fail) {
			memmove(o->buf + at + 1, o->buf + at, o->len - at - 1);
			o->buf[at] = ' ';
		}
	}
	putc_(o, ')');
}

/* `list` - used only right after a literal $, where $( would read as $$.
 * The list is printed, then \ ` $ are escaped as bash's backquote rules
 * undo. */
static void pr_backquote(struct out *o, const struct av_sh_node *list)
{
	putc_(o, '`');
	size_t at = o->len;
	uint32_t base = o->hd_base;
	o->hd_base = o->nhd;
	pr_list(o, list, L_SEP);
	if (o->nhd > o->hd_base)
		pr_newline(o);
	o->hd_base = base;
	if (o->fail)
		return;
	size_t n = o->len - at, extra = 0;
	for (size_t i = at; i < o->len; i++)
		extra += o->buf[i] == '\\' || o->buf[i] == '`' || o->buf[i] == '$';
	char *tmp = av_arena_alloc(o->arena, n + 1);
	if (tmp == NULL) {
		o->fail = true;
		return;
	}
	memcpy(tmp, o->buf + at, n);
	o->len = at;
	for (size_t i = 0; i < n && extra > 0; i++) {
		if (tmp[i] == '\\' || tmp[i] == '`' || tmp[i] == '$')
			putc_(o, '\\');
		putc_(o, tmp[i]);
	}
	if (extra == 0)
		put(o, tmp, n);
	putc_(o, '`');
}

static const char *const param_ops[AV_SH_P_COUNT] = {
	[AV_SH_P_DEFAULT] = "-",      [AV_SH_P_ASSIGN] = "=",
	[AV_SH_P_ERROR] = "?",        [AV_SH_P_ALT] = "+",
	[AV_SH_P_RM_SPREFIX] = "#",   [AV_SH_P_RM_LPREFIX] = "##",
	[AV_SH_P_RM_SSUFFIX] = "%",   [AV_SH_P_RM_LSUFFIX] = "%%",
	[AV_SH_P_REPL] = "/",         [AV_SH_P_REPL_ALL] = "//",
	[AV_SH_P_REPL_PREFIX] = "/#", [AV_SH_P_REPL_SUFFIX] = "/%",
	[AV_SH_P_UPPER1] = "^",       [AV_SH_P_UPPER] = "^^",
	[AV_SH_P_LOWER1] = ",",       [AV_SH_P_LOWER] = ",,",
	[AV_SH_P_SUBSTR] = ":",
};

static void pr_param(struct out *o, const struct av_sh_node *n, bool dq)
{
	enum ctx oc = dq ? C_OPERAND_DQ : C_OPERAND;
	puts_(o, "${");
	if (n->flags & AV_SH_F_LENGTH)
		putc_(o, '#');
	if ((n->flags & AV_SH_F_INDIRECT) || n->op == AV_SH_P_PREFIX)
		putc_(o, '!');
	put(o, n->text, n->len);
	const struct av_sh_node *k = n->kids;
	if (k != NULL && k->kind == AV_SH_SUBSCRIPT) {
		putc_(o, '[');
		pr_word(o, k->kids, C_SUBSCRIPT, 0);
		putc_(o, ']');
		k = k->next;
	}
	switch (n->op) {
	case AV_SH_P_NONE:
		break;
	case AV_SH_P_PREFIX:
		putc_(o, (char)n->num);
		break;
	case AV_SH_P_TRANSFORM:
		putc_(o, '@');
		putc_(o, (char)n->num);
		break;
	case AV_SH_P_SUBSTR:
		putc_(o, ':');
		pr_word(o, k, oc, STOP_COLON);
		if (k != NULL && k->next != NULL) {
			putc_(o, ':');
			pr_word(o, k->next, oc, 0);
		}
		break;
	case AV_SH_P_REPL:
	case AV_SH_P_REPL_ALL:
	case AV_SH_P_REPL_PREFIX:
	case AV_SH_P_REPL_SUFFIX:
		puts_(o, param_ops[n->op]);
		pr_word(o, k, oc, STOP_SLASH | STOP_GLOB);
		putc_(o, '/');
		if (k != NULL)
			pr_word(o, k->next, oc, 0);
		break;
	default:
		if (n->flags & AV_SH_F_COLON)
			putc_(o, ':');
		if (n->op < AV_SH_P_COUNT && param_ops[n->op] != NULL)
			puts_(o, param_ops[n->op]);
		pr_word(o, k, oc, n->op >= AV_SH_P_RM_SPREFIX ? STOP_GLOB : 0);
		break;
	}
	putc_(o, '}');
}

static void pr_part(struct out *o, const struct av_sh_node *n, enum ctx c, unsigned stops,
                    const struct av_sh_node *prev)
{
	bool dq = c != C_UNQ && c != C_OPERAND && c != C_SUBSCRIPT;
	switch (n->kind) {
	case AV_SH_LIT:
		pr_lit(o, n, c, stops);
		break;
	case AV_SH_ESC:
		putc_(o, '\\');
		put(o, n->text, n->len);
		break;
	case AV_SH_SQ:
		putc_(o, '\'');
		put(o, n->text, n->len);
		putc_(o, '\'');
		break;
	case AV_SH_DQ:
	case AV_SH_LOCALE:
		puts_(o, n->kind == AV_SH_LOCALE ? "$\"" : "\"");
		for (const struct av_sh_node *k = n->kids, *pk = NULL; k;
		     pk = k, k = k->next)
			pr_part(o, k, C_DQ, 0, pk);
		putc_(o, '"');
		break;
	case AV_SH_ANSI:
		pr_ansi(o, n->text, n->len);
		break;
	case AV_SH_PARAM:
		pr_param(o, n, dq);
		break;
	case AV_SH_CMDSUB:
		if (prev != NULL && prev->kind == AV_SH_LIT && prev->len > 0 &&
		    prev->text[prev->len - 1] == '$')
			pr_backquote(o, n->kids);
		else
			pr_sub_list(o, "$(", n->kids);
		break;
	case AV_SH_PROCSUB:
		pr_sub_list(o, n->flags & AV_SH_F_PROC_OUT ? ">(" : "<(", n->kids);
		break;
	case AV_SH_ARITH:
		/* $[...] stays $[...]: its text need not balance parentheses. */
		puts_(o, n->flags & AV_SH_F_LEGACY ? "$[" : "$((");
		pr_word(o, n->kids, C_ARITH, 0);
		puts_(o, n->flags & AV_SH_F_LEGACY ? "]" : "))");
		break;
	case AV_SH_TILDE:
		putc_(o, '~');
		put(o, n->text, n->len);
		break;
	case AV_SH_GLOB:
		put(o, n->text, n->len);
		break;
	default:
		o->fail = true; /* defensive: not a word part */
		break;
	}
}

static void pr_word(struct out *o, const struct av_sh_node *w, enum ctx c, unsigned stops)
{
	if (w == NULL)
		return;
	for (const struct av_sh_node *k = w->kids, *pk = NULL; k; pk = k, k = k->next)
		pr_part(o, k, c, stops, pk);
}

static void pr_subscript(struct out *o, const struct av_sh_node *s)
{
	putc_(o, '[');
	pr_word(o, s->kids, C_SUBSCRIPT, 0);
	putc_(o, ']');
}

static void pr_assign(struct out *o, const struct av_sh_node *n)
{
	const struct av_sh_node *k = n->kids;
	if (n->kind == AV_SH_ASSIGN) {
		put(o, n->text, n->len);
	}
	if (k != NULL && k->kind == AV_SH_SUBSCRIPT) {
		pr_subscript(o, k);
		k = k->next;
	}
	puts_(o, n->flags & AV_SH_F_APPEND ? "+=" : "=");
	if (k != NULL && k->kind == AV_SH_ARRAY) {
		putc_(o, '(');
		for (const struct av_sh_node *e = k->kids, *prev = NULL; e;
		     prev = e, e = e->next) {
			/* A word that starts with [ but is no [k]=v element is
			 * ended by a newline, so [ ... ]= cannot span into the
			 * next element when read back. */
			if (prev != NULL && prev->kind == AV_SH_WORD && prev->kids &&
			    prev->kids->kind == AV_SH_GLOB && prev->kids->text[0] == '[')
				pr_newline(o);
			else if (prev != NULL)
				putc_(o, ' ');
			if (e->kind == AV_SH_ELEM)
				pr_assign(o, e);
			else
				pr_word(o, e, C_UNQ, 0);
		}
		putc_(o, ')');
	} else {
		pr_word(o, k, C_UNQ, 0);
	}
}

static void pr_redir(struct out *o, const struct av_sh_node *r)
{
	if (r->text != NULL) {
		putc_(o, '{');
		put(o, r->text, r->len);
		putc_(o, '}');
	} else if (r->num >= 0) {
		char num[16];
		snprintf(num, sizeof(num), "%d", (int)r->num);
		puts_(o, num);
	}
	if (r->op == AV_SH_R_HEREDOC) {
		puts_(o, r->flags & AV_SH_F_HD_STRIP ? "<<-" : "<<");
		const struct av_sh_node *d = r->kids;
		const char *t = d && d->kids ? d->kids->text : "";
		size_t n = d && d->kids ? d->kids->len : 0;
		if (n > 0 && strchr("-<>", t[0]) != NULL &&
		    !(r->flags & AV_SH_F_HD_QUOTED))
			putc_(o, ' '); /* << -x, not <<-x; << <(x), not <<<(x) */
		if (r->flags & AV_SH_F_HD_QUOTED)
			pr_sq(o, t, n);
		else
			put(o, t, n);
		push_heredoc(o, r);
		return;
	}
	puts_(o, av_sh_redir_op_text(r->op));
	const struct av_sh_node *w = r->kids;
	if (w != NULL && w->kids != NULL && w->kids->kind == AV_SH_PROCSUB)
		putc_(o, ' ');
	pr_word(o, w, C_UNQ, 0);
}

/* Trailing redirections of a compound command, from node k on. */
static void pr_redirs(struct out *o, const struct av_sh_node *k)
{
	for (; k != NULL; k = k->next) {
		if (k->kind != AV_SH_REDIR)
			continue;
		putc_(o, ' ');
		pr_redir(o, k);
	}
}

static void pr_cond(struct out *o, const struct av_sh_node *n)
{
	switch (n->kind) {
	case AV_SH_COND_AND:
	case AV_SH_COND_OR:
		for (const struct av_sh_node *k = n->kids; k; k = k->next) {
			if (k != n->kids)
				puts_(o, n->kind == AV_SH_COND_AND ? " && " : " || ");
			pr_cond(o, k);
		}
		break;
	case AV_SH_COND_NOT:
		puts_(o, "! ");
		pr_cond(o, n->kids);
		break;
	case AV_SH_COND_GROUP:
		puts_(o, "( ");
		pr_cond(o, n->kids);
		puts_(o, " )");
		break;
	case AV_SH_COND_UNARY:
		put(o, n->text, n->len);
		putc_(o, ' ');
		pr_word(o, n->kids, C_UNQ, 0);
		break;
	case AV_SH_COND_BINARY:
		pr_word(o, n->kids, C_UNQ, 0);
		putc_(o, ' ');
		put(o, n->text, n->len);
		putc_(o, ' ');
		if (n->kids != NULL)
			pr_word(o, n->kids->next, C_UNQ, 0);
		break;
	case AV_SH_WORD:
		pr_word(o, n, C_UNQ, 0);
		break;
	default:
		o->fail = true; /* defensive */
		break;
	}
}

/* True when an item ends with a bare `!' or `time', which only a `;', a
 * newline or the end may follow. */
static bool is_empty_prefix(const struct av_sh_node *n)
{
	while (n != NULL) {
		if (n->kind == AV_SH_ANDOR || n->kind == AV_SH_PIPELINE) {
			n = n->kids;
			while (n != NULL && n->next != NULL)
				n = n->next;
		} else if (n->kind == AV_SH_NOT || n->kind == AV_SH_TIME) {
			if (n->kids == NULL)
				return true;
			n = n->kids;
		} else {
			return false;
		}
	}
	return false;
}

/* Lists: L_TOP puts each item on its own line; L_TERM ends every item with
 * `;' or `&' (bodies closed by a reserved word); L_SEP only separates
 * (bodies closed by `)' or `;;'). */
static void pr_list(struct out *o, const struct av_sh_node *list, enum lmode m)
{
	if (list == NULL)
		return;
	for (const struct av_sh_node *k = list->kids; k; k = k->next) {
		pr_cmd(o, k);
		bool bg = k->flags & AV_SH_F_ASYNC;
		if (m == L_TOP) {
			if (bg)
				puts_(o, " &");
			pr_newline(o);
			continue;
		}
		if (m == L_SEP && k->next == NULL) {
			if (bg)
				puts_(o, " &");
			else if (is_empty_prefix(k))
				putc_(o, ';');
			if (o->nhd > o->hd_base)
				pr_newline(o);
			break;
		}
		puts_(o, bg ? " &" : ";");
		if (o->nhd > o->hd_base)
			pr_newline(o);
		else
			putc_(o, ' ');
	}
}

static void pr_for_words(struct out *o, const struct av_sh_node *n,
                         const struct av_sh_node **k)
{
	put(o, n->text, n->len);
	if (n->flags & AV_SH_F_FOR_IN) {
		puts_(o, " in");
		for (; *k != NULL && (*k)->kind == AV_SH_WORD; *k = (*k)->next) {
			putc_(o, ' ');
			pr_word(o, *k, C_UNQ, 0);
		}
	}
	puts_(o, "; do ");
}

static void pr_compound(struct out *o, const struct av_sh_node *n)
{
	const struct av_sh_node *k = n->kids;
	switch (n->kind) {
	case AV_SH_GROUP:
		puts_(o, "{ ");
		pr_list(o, k, L_TERM);
		putc_(o, '}');
		k = k ? k->next : NULL;
		break;
	case AV_SH_SUBSHELL:
		puts_(o, "( ");
		pr_list(o, k, L_SEP);
		puts_(o, " )");
		k = k ? k->next : NULL;
		break;
	case AV_SH_IF:
		puts_(o, "if ");
		for (int i = 0; k != NULL && k->kind == AV_SH_LIST; i++, k = k->next) {
			if (i > 0 && i % 2 == 0)
				puts_(o, k->next != NULL && k->next->kind == AV_SH_LIST
				                 ? "elif "
				                 : "else ");
			pr_list(o, k, L_TERM);
			if (i % 2 == 0 && k->next != NULL && k->next->kind == AV_SH_LIST)
				puts_(o, "then ");
		}
		puts_(o, "fi");
		break;
	case AV_SH_WHILE:
	case AV_SH_UNTIL:
		puts_(o, n->kind == AV_SH_WHILE ? "while " : "until ");
		pr_list(o, k, L_TERM);
		puts_(o, "do ");
		k = k ? k->next : NULL;
		pr_list(o, k, L_TERM);
		puts_(o, "done");
		k = k ? k->next : NULL;
		break;
	case AV_SH_FOR:
	case AV_SH_SELECT:
		puts_(o, n->kind == AV_SH_FOR ? "for " : "select ");
		pr_for_words(o, n, &k);
		pr_list(o, k, L_TERM);
		puts_(o, "done");
		k = k ? k->next : NULL;
		break;
	case AV_SH_FOR_ARITH:
		puts_(o, "for ((");
		for (int i = 0; i < 3 && k != NULL; i++, k = k->next) {
			if (i > 0)
				putc_(o, ';');
			pr_word(o, k, C_ARITH, 0);
		}
		puts_(o, ")); do ");
		pr_list(o, k, L_TERM);
		puts_(o, "done");
		k = k ? k->next : NULL;
		break;
	case AV_SH_CASE:
		puts_(o, "case ");
		pr_word(o, k, C_UNQ, 0);
		puts_(o, " in ");
		for (k = k ? k->next : NULL; k != NULL && k->kind == AV_SH_CASE_ITEM;
		     k = k->next) {
			putc_(o, '(');
			const struct av_sh_node *i = k->kids;
			for (; i != NULL && i->kind == AV_SH_WORD; i = i->next) {
				if (i != k->kids)
					puts_(o, " | ");
				pr_word(o, i, C_UNQ, 0);
			}
			puts_(o, ") ");
			pr_list(o, i, L_SEP);
			if (last(o) != '\n' && last(o) != ' ')
				putc_(o, ' ');
			puts_(o, k->op == AV_SH_CASE_FALL   ? ";& "
			         : k->op == AV_SH_CASE_CONT ? ";;& "
			                                    : ";; ");
		}
		puts_(o, "esac");
		break;
	case AV_SH_COND:
		puts_(o, "[[ ");
		if (k != NULL)
			pr_cond(o, k);
		puts_(o, " ]]");
		k = k ? k->next : NULL;
		break;
	case AV_SH_ARITH_CMD:
		puts_(o, "((");
		pr_word(o, k, C_ARITH, 0);
		puts_(o, "))");
		k = k ? k->next : NULL;
		break;
	default:
		o->fail = true; /* defensive */
		return;
	}
	pr_redirs(o, k);
}

static void pr_cmd(struct out *o, const struct av_sh_node *n)
{
	switch (n->kind) {
	case AV_SH_ANDOR:
	case AV_SH_PIPELINE:
		for (const struct av_sh_node *k = n->kids; k; k = k->next) {
			pr_cmd(o, k);
			if (k->next == NULL)
				break;
			if (n->kind == AV_SH_ANDOR)
				puts_(o, k->flags & AV_SH_F_AND ? " && " : " || ");
			else
				puts_(o, k->flags & AV_SH_F_PIPE_ERR ? " |& " : " | ");
		}
		break;
	case AV_SH_NOT:
	case AV_SH_TIME:
		puts_(o, n->kind == AV_SH_NOT ? "!" : "time");
		if (n->flags & AV_SH_F_TIME_P)
			puts_(o, " -p");
		if (n->kids != NULL) {
			putc_(o, ' ');
			pr_cmd(o, n->kids);
		}
		break;
	case AV_SH_SIMPLE:
		for (const struct av_sh_node *k = n->kids; k; k = k->next) {
			if (k != n->kids)
				putc_(o, ' ');
			if (k->kind == AV_SH_ASSIGN)
				pr_assign(o, k);
			else if (k->kind == AV_SH_REDIR)
				pr_redir(o, k);
			else
				pr_word(o, k, C_UNQ, 0);
		}
		break;
	case AV_SH_FUNCDEF:
		puts_(o, "function ");
		put(o, n->text, n->len);
		puts_(o, " () ");
		if (n->kids != NULL)
			pr_cmd(o, n->kids);
		break;
	case AV_SH_COPROC:
		puts_(o, "coproc ");
		if (n->text != NULL) {
			put(o, n->text, n->len);
			putc_(o, ' ');
		}
		if (n->kids != NULL)
			pr_cmd(o, n->kids);
		break;
	case AV_SH_LIST:
		pr_list(o, n, L_TOP);
		break;
	case AV_SH_WORD:
		pr_word(o, n, C_UNQ, 0);
		break;
	default:
		pr_compound(o, n);
		break;
	}
}

int av_sh_print(const struct av_sh_node *n, struct av_arena *arena, char **out,
                size_t *outlen)
{
	struct out o = { .arena = arena };
	if (n != NULL) {
		pr_cmd(&o, n);
		if (o.nhd > 0)
			pr_newline(&o);
	}
	return finish(&o, out, outlen);
}

/* ---- the S-expression dumper ---- */

static void dump_str(struct out *o, const char *s, size_t n)
{
	putc_(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc_(o, '\\');
			putc_(o, (char)c);
		} else if (c == '\n') {
			puts_(o, "\\n");
		} else if (c == '\t') {
			puts_(o, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			char hex[8];
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			puts_(o, hex);
		} else {
			putc_(o, (char)c);
		}
	}
	putc_(o, '"');
}

static void dump(struct out *o, const struct av_sh_node *n);

static void dump_attrs(struct out *o, const struct av_sh_node *n)
{
	switch (n->kind) {
	case AV_SH_TIME:
		if (n->flags & AV_SH_F_TIME_P)
			puts_(o, " -p");
		break;
	case AV_SH_ASSIGN:
	case AV_SH_ELEM:
		if (n->text != NULL) {
			putc_(o, ' ');
			dump_str(o, n->text, n->len);
		}
		if (n->flags & AV_SH_F_APPEND)
			puts_(o, " +=");
		break;
	case AV_SH_REDIR:
		if (n->text != NULL) {
			puts_(o, " {");
			put(o, n->text, n->len);
			putc_(o, '}');
		} else if (n->num >= 0) {
			char num[16];
			snprintf(num, sizeof(num), " %d", (int)n->num);
			puts_(o, num);
		}
		putc_(o, ' ');
		if (n->op == AV_SH_R_HEREDOC)
			puts_(o, n->flags & AV_SH_F_HD_STRIP ? "\"<<-\"" : "\"<<\"");
		else
			dump_str(o, av_sh_redir_op_text(n->op),
			         strlen(av_sh_redir_op_text(n->op)));
		if (n->flags & AV_SH_F_HD_QUOTED)
			puts_(o, " :quoted");
		break;
	case AV_SH_FOR:
	case AV_SH_SELECT:
		putc_(o, ' ');
		dump_str(o, n->text, n->len);
		if (n->flags & AV_SH_F_FOR_IN)
			puts_(o, " :in");
		break;
	case AV_SH_CASE_ITEM:
		puts_(o, n->op == AV_SH_CASE_FALL   ? " \";&\""
		         : n->op == AV_SH_CASE_CONT ? " \";;&\""
		                                    : " \";;\"");
		break;
	case AV_SH_PROCSUB:
		puts_(o, n->flags & AV_SH_F_PROC_OUT ? " \">\"" : " \"<\"");
		break;
	case AV_SH_PARAM:
		putc_(o, ' ');
		dump_str(o, n->text, n->len);
		if (n->flags & AV_SH_F_LENGTH)
			puts_(o, " :length");
		if (n->flags & AV_SH_F_INDIRECT)
			puts_(o, " :indirect");
		if (n->op == AV_SH_P_PREFIX || n->op == AV_SH_P_TRANSFORM) {
			char op[4] = { n->op == AV_SH_P_PREFIX ? '!' : '@', (char)n->num,
				       0, 0 };
			putc_(o, ' ');
			dump_str(o, op, 2);
		} else if (n->op != AV_SH_P_NONE && n->op < AV_SH_P_COUNT) {
			char op[4] = { 0 };
			size_t k = 0;
			if (n->flags & AV_SH_F_COLON)
				op[k++] = ':';
			for (const char *s = param_ops[n->op]; *s; s++)
				op[k++] = *s;
			putc_(o, ' ');
			dump_str(o, op, k);
		}
		break;
	case AV_SH_FUNCDEF:
	case AV_SH_COPROC:
	case AV_SH_COND_UNARY:
	case AV_SH_COND_BINARY:
	case AV_SH_LIT:
	case AV_SH_ESC:
	case AV_SH_SQ:
	case AV_SH_ANSI:
	case AV_SH_TILDE:
	case AV_SH_GLOB:
		if (n->text != NULL) {
			putc_(o, ' ');
			dump_str(o, n->text, n->len);
		}
		break;
	default:
		break;
	}
}

static void dump(struct out *o, const struct av_sh_node *n)
{
	if (n->kind == AV_SH_WORD && n->kids != NULL && n->kids->kind == AV_SH_LIT &&
	    n->kids->next == NULL) {
		dump_str(o, n->kids->text, n->kids->len);
		return;
	}
	putc_(o, '(');
	puts_(o, av_sh_kind_name(n->kind));
	dump_attrs(o, n);
	for (const struct av_sh_node *k = n->kids; k; k = k->next) {
		putc_(o, ' ');
		dump(o, k);
		if (k->flags & AV_SH_F_ASYNC)
			puts_(o, " &");
		if (k->flags & AV_SH_F_AND)
			puts_(o, " &&");
		if (k->flags & AV_SH_F_OR)
			puts_(o, " ||");
		if (k->flags & AV_SH_F_PIPE_ERR)
			puts_(o, " |&");
	}
	putc_(o, ')');
}

int av_sh_dump(const struct av_sh_node *n, struct av_arena *arena, char **out,
               size_t *outlen)
{
	struct out o = { .arena = arena };
	if (n != NULL)
		dump(&o, n);
	return finish(&o, out, outlen);
}
