/* sh_parse.c - the bash grammar, one function per rule (after dash's
 * parser.c), building the tree of sh_ast.h in an arena.
 *
 * The parser reads characters directly (no separate token stream): each
 * rule looks at the text where it stands, recognizes reserved words only in
 * the positions bash does, and hands words to sh_word.c. Errors never
 * unwind: rules return NULL and every caller checks. Recursion is bounded
 * by lim.max_depth (sh_enter), total work by lim.max_nodes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shell/sh_parser.h"

/* ---- helpers shared with sh_word.c ---- */

char sh_peek(const struct sh_parser *p, size_t k)
{
	return p->pos + k < p->len ? p->s[p->pos + k] : '\0';
}

bool sh_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool sh_is_meta(char c)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case ';':
	case '&':
	case '|':
	case '(':
	case ')':
	case '<':
	case '>':
		return true;
	default:
		return false;
	}
}

bool sh_is_name0(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool sh_is_name(char c)
{
	return sh_is_name0(c) || (c >= '0' && c <= '9');
}

struct av_sh_node *sh_node(struct sh_parser *p, enum av_sh_kind kind, size_t at)
{
	if (p->failed)
		return NULL;
	if (p->nodes >= p->lim.max_nodes)
		return sh_fail(p, AV_SH_E_LIMIT, at, "the script is too large",
		               "it needs more than %u syntax nodes", p->lim.max_nodes);
	struct av_sh_node *n = av_arena_alloc(p->arena, sizeof(*n));
	if (n == NULL)
		return sh_fail(p, AV_SH_E_NOMEM, at, "out of memory",
		               "the arena is full");
	p->nodes++;
	n->kind = (uint8_t)kind;
	n->num = -1;
	n->start = n->end = (uint32_t)(p->base + at);
	return n;
}

void sh_add(struct av_sh_node *parent, struct av_sh_node **tail, struct av_sh_node *kid)
{
	if (*tail != NULL)
		(*tail)->next = kid;
	else
		parent->kids = kid;
	*tail = kid;
}

void sh_finish(struct sh_parser *p, struct av_sh_node *n)
{
	n->end = (uint32_t)(p->base + p->pos);
}

bool sh_charge_scan(struct sh_parser *p, size_t n)
{
	if (p->failed)
		return false;
	if (n > p->scan_budget) {
		sh_fail(p, AV_SH_E_LIMIT, p->pos, "the script needs too much look-ahead",
		        "nested (( $(( [ or extglob groups are rescanned too often");
		return false;
	}
	p->scan_budget -= n;
	return true;
}

bool sh_enter(struct sh_parser *p)
{
	if (p->failed)
		return false;
	if (p->depth >= p->lim.max_depth) {
		sh_fail(p, AV_SH_E_LIMIT, p->pos, "the script is nested too deeply",
		        "the limit is %u levels", p->lim.max_depth);
		return false;
	}
	p->depth++;
	return true;
}

void sh_leave(struct sh_parser *p)
{
	p->depth--;
}

/* Line and column (1-based) of an offset in the original input. */
static void line_col(const struct sh_parser *p, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1, c = 1;
	if (off > p->orig_len)
		off = p->orig_len;
	for (size_t i = 0; i < off; i++) {
		if (p->orig[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Fills the error once: "<what> at line L, column C[: <detail>]". */
static void *fail_core(struct sh_parser *p, enum av_sh_errcode code, size_t at,
                       bool incomplete, const char *what, const char *detail)
{
	if (p->failed)
		return NULL;
	p->failed = true;
	struct av_sh_error *e = p->err;
	if (e == NULL)
		return NULL;
	e->code = code;
	e->incomplete = incomplete;
	e->offset = sh_orig_offset(p, p->base + at);
	if (e->offset > p->orig_len)
		e->offset = p->orig_len;
	line_col(p, e->offset, &e->line, &e->col);
	if (detail != NULL && detail[0] != '\0')
		snprintf(e->message, sizeof(e->message), "%s at line %u, column %u: %s",
		         what, e->line, e->col, detail);
	else
		snprintf(e->message, sizeof(e->message), "%s at line %u, column %u", what,
		         e->line, e->col);
	return NULL;
}

void *sh_fail(struct sh_parser *p, enum av_sh_errcode code, size_t at, const char *what,
              const char *fmt, ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return fail_core(p, code, at, false, what, detail);
}

static void *fail_inc(struct sh_parser *p, size_t at, const char *what, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void *fail_inc(struct sh_parser *p, size_t at, const char *what, const char *fmt,
                      ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return fail_core(p, AV_SH_E_SYNTAX, at, true, what, detail);
}

/* The operators, longest first, for describing what stands at a place. */
static const char *const operators[] = {
	";;&", "&>>", "<<<", "<<-", ";;", ";&", "&&", "||", "|&", "&>", "<<", ">>",
	"<&",  ">&",  "<>",  ">|",  ";",  "&",  "|",  "(",  ")",  "<",  ">",
};

/* Writes a short printable description of the token at s[at] to buf. */
static void describe(const struct sh_parser *p, size_t at, char *buf, size_t cap)
{
	if (at >= p->len) {
		snprintf(buf, cap, "end of input");
		return;
	}
	if (p->s[at] == '\n') {
		snprintf(buf, cap, "newline");
		return;
	}
	for (size_t k = 0; k < sizeof(operators) / sizeof(operators[0]); k++) {
		size_t n = strlen(operators[k]);
		if (at + n <= p->len && memcmp(p->s + at, operators[k], n) == 0) {
			snprintf(buf, cap, "`%s'", operators[k]);
			return;
		}
	}
	size_t k = 0;
	buf[k++] = '`';
	for (size_t i = at; i < p->len && !sh_is_meta(p->s[i]) && k + 5 < cap; i++) {
		unsigned char c = (unsigned char)p->s[i];
		buf[k++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (k >= 34 && i + 1 < p->len && !sh_is_meta(p->s[i + 1])) {
			buf[k++] = '.';
			buf[k++] = '.';
			buf[k++] = '.';
			break;
		}
	}
	buf[k++] = '\'';
	buf[k] = '\0';
}

void *sh_unexpected(struct sh_parser *p, const char *expected)
{
	char tok[48], what[64];
	describe(p, p->pos, tok, sizeof(tok));
	snprintf(what, sizeof(what), "unexpected %s", tok);
	bool eof = p->pos >= p->len;
	if (expected == NULL)
		return fail_core(p, AV_SH_E_SYNTAX, p->pos, eof, what, NULL);
	if (eof)
		return fail_inc(p, p->pos, what, "expected %s", expected);
	return sh_fail(p, AV_SH_E_SYNTAX, p->pos, what, "expected %s", expected);
}

void *sh_incomplete(struct sh_parser *p, const char *closer, const char *what,
                    size_t opened_at)
{
	uint32_t l, c;
	size_t off = sh_orig_offset(p, p->base + opened_at);
	line_col(p, off, &l, &c);
	return fail_inc(p, p->len, "unexpected end of input",
	                "expected %s to close %s at line %u, column %u", closer, what, l,
	                c);
}

void sh_skip_ws(struct sh_parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (sh_is_blank(c)) {
			p->pos++;
		} else if (c == '\\' && sh_peek(p, 1) == '\n') {
			p->pos += 2;
		} else if (c == '#') {
			const char *nl = memchr(p->s + p->pos, '\n', p->len - p->pos);
			p->pos = nl ? (size_t)(nl - p->s) : p->len;
		} else {
			break;
		}
	}
}

bool sh_eat_newline(struct sh_parser *p)
{
	p->pos++;
	if (p->hd_head != NULL)
		return sh_read_heredocs(p);
	return true;
}

/* Skips blanks, comments and newlines (a "linebreak"). */
static bool skip_ws_nl(struct sh_parser *p)
{
	for (;;) {
		sh_skip_ws(p);
		if (sh_peek(p, 0) != '\n' || p->pos >= p->len)
			return !p->failed;
		if (!sh_eat_newline(p))
			return false;
	}
}

/* True when the plain word w (no quotes) stands at p->pos, delimited. */
static bool at_word(const struct sh_parser *p, const char *w)
{
	if (p->pos >= p->len || p->s[p->pos] != w[0])
		return false; /* the common case, without strlen and memcmp */
	size_t n = strlen(w);
	if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n) != 0)
		return false;
	return p->pos + n == p->len || sh_is_meta(p->s[p->pos + n]);
}

static bool at_op(const struct sh_parser *p, const char *op)
{
	size_t n = strlen(op);
	return p->pos + n <= p->len && memcmp(p->s + p->pos, op, n) == 0;
}

/* Reserved words that close a compound list. */
static const char *const closers[] = { "then", "else", "elif", "fi",
	                               "do",   "done", "esac", "}" };

static bool at_list_end(const struct sh_parser *p)
{
	if (p->pos >= p->len)
		return true;
	char c = p->s[p->pos], d = sh_peek(p, 1);
	if (c == ')' || (c == ';' && (d == ';' || d == '&')))
		return true;
	if (!strchr("tedf}", c))
		return false;
	for (size_t k = 0; k < sizeof(closers) / sizeof(closers[0]); k++)
		if (at_word(p, closers[k]))
			return true;
	return false;
}

/* Consumes the reserved word w or fails, naming the construct it closes. */
static bool expect_word(struct sh_parser *p, const char *w, const char *opener, size_t at)
{
	sh_skip_ws(p);
	if (at_word(p, w)) {
		p->pos += strlen(w);
		return true;
	}
	char want[24];
	snprintf(want, sizeof(want), "`%s'", w);
	if (p->pos >= p->len && opener != NULL)
		sh_incomplete(p, want, opener, at);
	else
		sh_unexpected(p, want);
	return false;
}

static struct av_sh_node *parse_andor(struct sh_parser *p);
static struct av_sh_node *parse_pipeline(struct sh_parser *p);
static struct av_sh_node *parse_command(struct sh_parser *p);
static struct av_sh_node *parse_compound(struct sh_parser *p);
static bool parse_redirect(struct sh_parser *p, struct av_sh_node *parent,
                           struct av_sh_node **tail);

/* list: and_or ((';' | '&' | newline) and_or)* [';' | '&'] */
struct av_sh_node *sh_parse_list(struct sh_parser *p)
{
	struct av_sh_node *list = sh_node(p, AV_SH_LIST, p->pos), *tail = NULL;
	if (list == NULL)
		return NULL;
	for (;;) {
		if (!skip_ws_nl(p))
			return NULL;
		if (at_list_end(p))
			break;
		struct av_sh_node *item = parse_andor(p);
		if (item == NULL)
			return NULL;
		sh_add(list, &tail, item);
		sh_skip_ws(p);
		char c = sh_peek(p, 0), d = sh_peek(p, 1);
		if (c == '&' && d != '&' && d != '>') {
			item->flags |= AV_SH_F_ASYNC;
			p->pos++;
			continue;
		}
		if (c == ';' && d != ';' && d != '&') {
			p->pos++;
			continue;
		}
		if (c == '\n' && p->pos < p->len)
			continue;
		break;
	}
	sh_finish(p, list);
	return list;
}

/* A compound list that must hold at least one command. */
static struct av_sh_node *parse_body(struct sh_parser *p)
{
	struct av_sh_node *list = sh_parse_list(p);
	if (list != NULL && list->kids == NULL)
		return sh_unexpected(p, "a command");
	return list;
}

/* and_or: pipeline (('&&' | '||') linebreak pipeline)* */
static struct av_sh_node *parse_andor(struct sh_parser *p)
{
	struct av_sh_node *first = parse_pipeline(p);
	if (first == NULL)
		return NULL;
	sh_skip_ws(p);
	if (!at_op(p, "&&") && !at_op(p, "||"))
		return first;
	struct av_sh_node *n = sh_node(p, AV_SH_ANDOR, first->start - p->base),
	                  *tail = NULL;
	if (n == NULL)
		return NULL;
	n->start = first->start;
	sh_add(n, &tail, first);
	for (;;) {
		sh_skip_ws(p);
		if (at_op(p, "&&"))
			tail->flags |= AV_SH_F_AND;
		else if (at_op(p, "||"))
			tail->flags |= AV_SH_F_OR;
		else
			break;
		p->pos += 2;
		if (!skip_ws_nl(p))
			return NULL;
		struct av_sh_node *next = parse_pipeline(p);
		if (next == NULL)
			return NULL;
		sh_add(n, &tail, next);
	}
	sh_finish(p, n);
	return n;
}

/* True where a bare `!` or `time` may end: `;`, newline, end of input. */
static bool at_pipeline_end(const struct sh_parser *p)
{
	char c = sh_peek(p, 0), d = sh_peek(p, 1);
	return p->pos >= p->len || c == '\n' || (c == ';' && d != ';' && d != '&');
}

/* pipeline: ['!' | 'time' ['-p']] command (('|' | '|&') linebreak command)* */
static struct av_sh_node *parse_pipeline(struct sh_parser *p)
{
	sh_skip_ws(p);
	size_t at = p->pos;
	bool bang = at_word(p, "!");
	if (bang || at_word(p, "time")) {
		if (!sh_enter(p))
			return NULL;
		struct av_sh_node *n = sh_node(p, bang ? AV_SH_NOT : AV_SH_TIME, at);
		if (n == NULL)
			return NULL;
		p->pos += bang ? 1 : 4;
		sh_skip_ws(p);
		if (!bang && at_word(p, "-p")) {
			n->flags |= AV_SH_F_TIME_P;
			p->pos += 2;
			sh_skip_ws(p);
		}
		if (!at_pipeline_end(p)) {
			n->kids = parse_pipeline(p);
			if (n->kids == NULL)
				return NULL;
		}
		sh_finish(p, n);
		sh_leave(p);
		return n;
	}
	struct av_sh_node *cmd = parse_command(p);
	if (cmd == NULL)
		return NULL;
	sh_skip_ws(p);
	if (sh_peek(p, 0) != '|' || sh_peek(p, 1) == '|')
		return cmd;
	struct av_sh_node *n = sh_node(p, AV_SH_PIPELINE, at), *tail = NULL;
	if (n == NULL)
		return NULL;
	sh_add(n, &tail, cmd);
	while (sh_peek(p, 0) == '|' && sh_peek(p, 1) != '|') {
		if (sh_peek(p, 1) == '&') {
			tail->flags |= AV_SH_F_PIPE_ERR;
			p->pos += 2;
		} else {
			p->pos++;
		}
		if (!skip_ws_nl(p))
			return NULL;
		struct av_sh_node *next = parse_command(p);
		if (next == NULL)
			return NULL;
		sh_add(n, &tail, next);
		sh_skip_ws(p);
	}
	sh_finish(p, n);
	return n;
}

/* ---- redirections ---- */

static const struct {
	const char *text;
	uint8_t op;
	uint16_t flags;
} redir_ops[] = {
	{ "<<<", AV_SH_R_HERESTRING, 0 }, { "<<-", AV_SH_R_HEREDOC, AV_SH_F_HD_STRIP },
	{ "<<", AV_SH_R_HEREDOC, 0 },     { "<&", AV_SH_R_DUP_IN, 0 },
	{ "<>", AV_SH_R_INOUT, 0 },       { "<", AV_SH_R_IN, 0 },
	{ ">>", AV_SH_R_APPEND, 0 },      { ">&", AV_SH_R_DUP_OUT, 0 },
	{ ">|", AV_SH_R_CLOBBER, 0 },     { ">", AV_SH_R_OUT, 0 },
	{ "&>>", AV_SH_R_APPEND_ERR, 0 }, { "&>", AV_SH_R_OUT_ERR, 0 },
};

/* True when a redirection starts at p->pos: an operator, optionally after
 * an fd number or {name} written right before it. */
static bool at_redirect(const struct sh_parser *p)
{
	size_t i = p->pos;
	if (i >= p->len)
		return false;
	char c = p->s[i];
	if (c == '&')
		return sh_peek(p, 1) == '>';
	if (c >= '0' && c <= '9') {
		while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
		if (i - p->pos > 9)
			return false;
	} else if (c == '{') {
		i++;
		if (i >= p->len || !sh_is_name0(p->s[i]))
			return false;
		while (i < p->len && sh_is_name(p->s[i]))
			i++;
		if (i >= p->len || p->s[i] != '}')
			return false;
		i++;
	}
	if (i >= p->len || (p->s[i] != '<' && p->s[i] != '>'))
		return false;
	/* <( and >( start a process substitution, not a redirection. */
	return !(i + 1 < p->len && p->s[i + 1] == '(');
}

/* redirect: [n | {name}] op word */
static bool parse_redirect(struct sh_parser *p, struct av_sh_node *parent,
                           struct av_sh_node **tail)
{
	size_t at = p->pos;
	struct av_sh_node *r = sh_node(p, AV_SH_REDIR, at);
	if (r == NULL)
		return false;
	char c = p->s[at];
	if (c >= '0' && c <= '9') {
		int32_t fd = 0;
		while (p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			fd = fd * 10 + (p->s[p->pos++] - '0');
		r->num = fd;
	} else if (c == '{') {
		size_t i = at + 1;
		while (sh_is_name(p->s[i]))
			i++;
		r->text = p->s + at + 1;
		r->len = (uint32_t)(i - at - 1);
		p->pos = i + 1;
	}
	size_t k = 0, nops = sizeof(redir_ops) / sizeof(redir_ops[0]);
	while (k < nops && !at_op(p, redir_ops[k].text))
		k++;
	if (k == nops) {
		sh_unexpected(p, "a redirection operator");
		return false;
	}
	r->op = redir_ops[k].op;
	r->flags = redir_ops[k].flags;
	p->pos += strlen(redir_ops[k].text);
	sh_skip_ws(p);
	if (r->op == AV_SH_R_HEREDOC) {
		if (!sh_read_heredoc_delim(p, r))
			return false;
	} else {
		struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
		if (w == NULL) {
			if (!p->failed) {
				char want[48];
				snprintf(want, sizeof(want), "a word after `%s'",
				         redir_ops[k].text);
				sh_unexpected(p, want);
			}
			return false;
		}
		r->kids = w;
	}
	sh_finish(p, r);
	sh_add(parent, tail, r);
	return true;
}

/* Trailing redirections of a compound command. */
static bool parse_redirects(struct sh_parser *p, struct av_sh_node *n)
{
	struct av_sh_node *tail = n->kids;
	while (tail != NULL && tail->next != NULL)
		tail = tail->next;
	for (;;) {
		sh_skip_ws(p);
		if (!at_redirect(p))
			return true;
		if (!parse_redirect(p, n, &tail))
			return false;
	}
}

/* ---- simple commands and function definitions ---- */

static bool is_literal_word(const struct av_sh_node *w)
{
	return w->kids != NULL && w->kids->kind == AV_SH_LIT && w->kids->next == NULL;
}

static bool word_is(const struct av_sh_node *w, const char *s)
{
	size_t n = strlen(s);
	return is_literal_word(w) && w->kids->len == n &&
	       memcmp(w->kids->text, s, n) == 0;
}

/* Builtins whose NAME=(...) arguments are assignments. */
static bool is_decl_builtin(const struct av_sh_node *w)
{
	static const char *const names[] = { "declare", "typeset", "local", "export",
		                             "readonly" };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (word_is(w, names[k]))
			return true;
	return false;
}

static bool is_compound_start(const struct sh_parser *p);

/* function_def: NAME '(' ')' linebreak compound_command */
static struct av_sh_node *parse_funcdef_body(struct sh_parser *p, struct av_sh_node *f)
{
	if (!skip_ws_nl(p))
		return NULL;
	if (!is_compound_start(p))
		return sh_unexpected(p, "a compound command as the function body");
	f->kids = parse_compound(p);
	if (f->kids == NULL)
		return NULL;
	sh_finish(p, f);
	return f;
}

static struct av_sh_node *funcdef_from(struct sh_parser *p, struct av_sh_node *name)
{
	if (!is_literal_word(name))
		return sh_fail(p, AV_SH_E_SYNTAX, name->start - p->base,
		               "invalid function name",
		               "a function name must be unquoted");
	struct av_sh_node *f = sh_node(p, AV_SH_FUNCDEF, name->start - p->base);
	if (f == NULL)
		return NULL;
	f->start = name->start;
	f->text = name->kids->text;
	f->len = name->kids->len;
	return f;
}

/* simple_command: (assignment | redirect)* word (word | redirect)* */
static struct av_sh_node *parse_simple(struct sh_parser *p, struct av_sh_node *first)
{
	struct av_sh_node *cmd =
	        sh_node(p, AV_SH_SIMPLE, first ? first->start - p->base : p->pos);
	struct av_sh_node *tail = NULL;
	if (cmd == NULL)
		return NULL;
	bool have_word = first != NULL, decl = first != NULL && is_decl_builtin(first);
	if (first != NULL) {
		cmd->start = first->start;
		sh_add(cmd, &tail, first);
	}
	for (;;) {
		sh_skip_ws(p);
		if (p->failed)
			return NULL;
		if (at_redirect(p)) {
			if (!parse_redirect(p, cmd, &tail))
				return NULL;
			continue;
		}
		if (p->pos >= p->len)
			break;
		char c = p->s[p->pos];
		if (sh_is_meta(c) && !((c == '<' || c == '>') && sh_peek(p, 1) == '('))
			break;
		if ((!have_word || decl) && sh_at_assignment(p)) {
			struct av_sh_node *a = sh_read_assignment(p);
			if (a == NULL)
				return NULL;
			sh_add(cmd, &tail, a);
			continue;
		}
		struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
		if (w == NULL) {
			if (p->failed)
				return NULL;
			break;
		}
		if (!have_word) {
			have_word = true;
			decl = is_decl_builtin(w);
			if (cmd->kids == NULL) {
				size_t save = p->pos;
				sh_skip_ws(p);
				if (sh_peek(p, 0) == '(') {
					p->pos++;
					sh_skip_ws(p);
					if (sh_peek(p, 0) == ')') {
						p->pos++;
						struct av_sh_node *f = funcdef_from(p, w);
						return f ? parse_funcdef_body(p, f)
						         : NULL;
					}
				}
				p->pos = save;
			}
		}
		sh_add(cmd, &tail, w);
	}
	if (cmd->kids == NULL)
		return sh_unexpected(p, "a command");
	sh_finish(p, cmd);
	return cmd;
}

/* function_def: 'function' NAME ['(' ')'] linebreak compound_command */
static struct av_sh_node *parse_function(struct sh_parser *p)
{
	p->pos += 8;
	sh_skip_ws(p);
	struct av_sh_node *name = sh_read_word(p, WM_NORMAL, 0);
	if (name == NULL)
		return p->failed ? NULL : sh_unexpected(p, "a function name");
	struct av_sh_node *f = funcdef_from(p, name);
	if (f == NULL)
		return NULL;
	f->flags |= AV_SH_F_KEYWORD;
	sh_skip_ws(p);
	if (sh_peek(p, 0) == '(') {
		p->pos++;
		sh_skip_ws(p);
		if (sh_peek(p, 0) != ')')
			return sh_unexpected(p, "`)'");
		p->pos++;
	}
	return parse_funcdef_body(p, f);
}

/* coproc: 'coproc' [NAME] compound_command | 'coproc' simple_command */
static struct av_sh_node *parse_coproc(struct sh_parser *p)
{
	struct av_sh_node *n = sh_node(p, AV_SH_COPROC, p->pos);
	if (n == NULL)
		return NULL;
	p->pos += 6;
	sh_skip_ws(p);
	if (is_compound_start(p)) {
		n->kids = parse_compound(p);
	} else if (sh_at_assignment(p) || at_redirect(p)) {
		n->kids = parse_simple(p, NULL);
	} else {
		struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
		if (w == NULL)
			return p->failed ? NULL : sh_unexpected(p, "a command");
		sh_skip_ws(p);
		if (is_literal_word(w) && is_compound_start(p)) {
			n->text = w->kids->text;
			n->len = w->kids->len;
			n->kids = parse_compound(p);
		} else {
			n->kids = parse_simple(p, w);
		}
	}
	if (n->kids == NULL)
		return NULL;
	sh_finish(p, n);
	return n;
}

/* ---- compound commands ---- */

/* brace_group: '{' compound_list '}' */
static struct av_sh_node *parse_group(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_GROUP, at);
	if (n == NULL)
		return NULL;
	p->pos++;
	n->kids = parse_body(p);
	if (n->kids == NULL || !expect_word(p, "}", "`{'", at))
		return NULL;
	return n;
}

/* subshell: '(' compound_list ')' */
static struct av_sh_node *parse_subshell(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_SUBSHELL, at);
	if (n == NULL)
		return NULL;
	p->pos++;
	n->kids = parse_body(p);
	if (n->kids == NULL)
		return NULL;
	if (sh_peek(p, 0) != ')' || p->pos >= p->len) {
		if (p->pos >= p->len)
			return sh_incomplete(p, "`)'", "the subshell `('", at);
		return sh_unexpected(p, "`)'");
	}
	p->pos++;
	return n;
}

/* arith_command: '((' arithmetic '))' */
static struct av_sh_node *parse_arith_cmd(struct sh_parser *p, size_t close)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_ARITH_CMD, at);
	struct av_sh_node *w = n ? sh_node(p, AV_SH_WORD, at + 2) : NULL;
	if (w == NULL)
		return NULL;
	size_t saved = p->len;
	p->len = close;
	p->pos = at + 2;
	bool ok = sh_read_parts(p, w, WM_ARITH, 0);
	p->len = saved;
	if (!ok)
		return NULL;
	sh_finish(p, w);
	p->pos = close + 2;
	n->kids = w;
	return n;
}

/* ---- [[ ... ]] ---- */

static const char *const cond_unary[] = { "-a", "-b", "-c", "-d", "-e", "-f", "-g",
	                                  "-h", "-k", "-p", "-r", "-s", "-t", "-u",
	                                  "-w", "-x", "-G", "-L", "-N", "-O", "-S",
	                                  "-o", "-v", "-R", "-z", "-n" };
static const char *const cond_binary[] = { "==",  "=~",  "!=",  "=",   "-eq",
	                                   "-ne", "-lt", "-le", "-gt", "-ge",
	                                   "-nt", "-ot", "-ef" };

static struct av_sh_node *cond_or(struct sh_parser *p);

static bool cond_word_next(const struct sh_parser *p)
{
	if (p->pos >= p->len || at_word(p, "]]"))
		return false;
	char c = p->s[p->pos];
	return !sh_is_meta(c) || ((c == '<' || c == '>') && sh_peek(p, 1) == '(');
}

/* cond_term: '!' cond_term | '(' cond_or ')' | UNOP word | word [BINOP word] */
static struct av_sh_node *cond_term(struct sh_parser *p)
{
	if (!skip_ws_nl(p))
		return NULL;
	size_t at = p->pos;
	if (at_word(p, "!") || sh_peek(p, 0) == '(') {
		bool bang = sh_peek(p, 0) == '!';
		if (!sh_enter(p))
			return NULL;
		struct av_sh_node *n =
		        sh_node(p, bang ? AV_SH_COND_NOT : AV_SH_COND_GROUP, at);
		if (n == NULL)
			return NULL;
		p->pos++;
		n->kids = bang ? cond_term(p) : cond_or(p);
		if (n->kids == NULL)
			return NULL;
		if (!bang) {
			if (!skip_ws_nl(p))
				return NULL;
			if (sh_peek(p, 0) != ')' || p->pos >= p->len)
				return sh_unexpected(p, "`)'");
			p->pos++;
		}
		sh_finish(p, n);
		sh_leave(p);
		return n;
	}
	if (!cond_word_next(p))
		return sh_unexpected(p, "a conditional expression");
	struct av_sh_node *w1 = sh_read_word(p, WM_NORMAL, 0);
	if (w1 == NULL)
		return p->failed ? NULL : sh_unexpected(p, "a conditional expression");
	for (size_t k = 0; k < sizeof(cond_unary) / sizeof(cond_unary[0]); k++) {
		if (!word_is(w1, cond_unary[k]))
			continue;
		if (!skip_ws_nl(p))
			return NULL;
		if (!cond_word_next(p)) {
			char want[48];
			snprintf(want, sizeof(want), "an argument for `%s'",
			         cond_unary[k]);
			return sh_unexpected(p, want);
		}
		struct av_sh_node *n = sh_node(p, AV_SH_COND_UNARY, at);
		if (n == NULL)
			return NULL;
		n->text = cond_unary[k];
		n->len = 2;
		n->kids = sh_read_word(p, WM_NORMAL, 0);
		if (n->kids == NULL)
			return NULL;
		sh_finish(p, n);
		return n;
	}
	sh_skip_ws(p);
	const char *op = NULL;
	char c = sh_peek(p, 0);
	if ((c == '<' || c == '>') && sh_peek(p, 1) != '(')
		op = c == '<' ? "<" : ">";
	for (size_t k = 0; op == NULL && k < sizeof(cond_binary) / sizeof(cond_binary[0]);
	     k++)
		if (at_word(p, cond_binary[k]))
			op = cond_binary[k];
	if (op == NULL) {
		if (cond_word_next(p))
			return sh_unexpected(p, "a conditional binary operator");
		return w1;
	}
	p->pos += strlen(op);
	if (!skip_ws_nl(p))
		return NULL;
	bool regex = strcmp(op, "=~") == 0;
	struct av_sh_node *w2 = NULL;
	if (cond_word_next(p) || (regex && sh_peek(p, 0) == '('))
		w2 = sh_read_word(p, regex ? WM_REGEX : WM_NORMAL, 0);
	if (w2 == NULL) {
		if (p->failed)
			return NULL;
		char want[48];
		snprintf(want, sizeof(want), "an argument for `%s'", op);
		return sh_unexpected(p, want);
	}
	struct av_sh_node *n = sh_node(p, AV_SH_COND_BINARY, at);
	if (n == NULL)
		return NULL;
	n->text = op;
	n->len = (uint32_t)strlen(op);
	n->kids = w1;
	w1->next = w2;
	sh_finish(p, n);
	return n;
}

/* cond_and: cond_term ('&&' cond_term)* ; cond_or: cond_and ('||' cond_and)* */
static struct av_sh_node *cond_chain(struct sh_parser *p, bool is_or)
{
	size_t at = p->pos;
	struct av_sh_node *first = is_or ? cond_chain(p, false) : cond_term(p);
	if (first == NULL || !skip_ws_nl(p))
		return NULL;
	const char *op = is_or ? "||" : "&&";
	if (!at_op(p, op))
		return first;
	struct av_sh_node *n = sh_node(p, is_or ? AV_SH_COND_OR : AV_SH_COND_AND, at);
	struct av_sh_node *tail = NULL;
	if (n == NULL)
		return NULL;
	sh_add(n, &tail, first);
	while (at_op(p, op)) {
		p->pos += 2;
		struct av_sh_node *next = is_or ? cond_chain(p, false) : cond_term(p);
		if (next == NULL || !skip_ws_nl(p))
			return NULL;
		sh_add(n, &tail, next);
	}
	sh_finish(p, n);
	return n;
}

static struct av_sh_node *cond_or(struct sh_parser *p)
{
	return cond_chain(p, true);
}

/* cond_command: '[[' cond_or ']]' */
static struct av_sh_node *parse_cond(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_COND, at);
	if (n == NULL)
		return NULL;
	p->pos += 2;
	n->kids = cond_or(p);
	if (n->kids == NULL || !skip_ws_nl(p) || !expect_word(p, "]]", "`[['", at))
		return NULL;
	return n;
}

/* ---- if, while, until, for, select, case ---- */

/* if_clause: 'if' list 'then' list ('elif' list 'then' list)* ['else' list] 'fi' */
static struct av_sh_node *parse_if(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_IF, at), *tail = NULL;
	if (n == NULL)
		return NULL;
	p->pos += 2;
	for (;;) {
		struct av_sh_node *cond = parse_body(p);
		if (cond == NULL || !expect_word(p, "then", "`if'", at))
			return NULL;
		struct av_sh_node *then = parse_body(p);
		if (then == NULL)
			return NULL;
		sh_add(n, &tail, cond);
		sh_add(n, &tail, then);
		if (!at_word(p, "elif"))
			break;
		p->pos += 4;
	}
	if (at_word(p, "else")) {
		p->pos += 4;
		struct av_sh_node *els = parse_body(p);
		if (els == NULL)
			return NULL;
		sh_add(n, &tail, els);
	}
	if (!expect_word(p, "fi", "`if'", at))
		return NULL;
	return n;
}

/* do_group: 'do' list 'done' | '{' list '}' (bash) */
static bool parse_do_group(struct sh_parser *p, struct av_sh_node *n,
                           struct av_sh_node **tail, const char *opener, size_t at)
{
	if (!skip_ws_nl(p))
		return false;
	bool brace = at_word(p, "{");
	if (!brace && !at_word(p, "do")) {
		if (p->pos >= p->len)
			sh_incomplete(p, "`do'", opener, at);
		else
			sh_unexpected(p, "`do'");
		return false;
	}
	p->pos += brace ? 1 : 2;
	struct av_sh_node *body = parse_body(p);
	if (body == NULL || !expect_word(p, brace ? "}" : "done", opener, at))
		return false;
	sh_add(n, tail, body);
	return true;
}

/* while_clause / until_clause: ('while' | 'until') list do_group */
static struct av_sh_node *parse_while(struct sh_parser *p, bool until)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, until ? AV_SH_UNTIL : AV_SH_WHILE, at),
	                  *tail = NULL;
	if (n == NULL)
		return NULL;
	p->pos += 5;
	struct av_sh_node *cond = parse_body(p);
	if (cond == NULL)
		return NULL;
	sh_add(n, &tail, cond);
	sh_skip_ws(p);
	if (!at_word(p, "do")) {
		if (p->pos >= p->len)
			return sh_incomplete(p, "`do'", until ? "`until'" : "`while'",
			                     at);
		return sh_unexpected(p, "`do'");
	}
	if (!parse_do_group(p, n, &tail, until ? "`until'" : "`while'", at))
		return NULL;
	return n;
}

static bool is_name_word(const struct av_sh_node *w)
{
	if (!is_literal_word(w) || !sh_is_name0(w->kids->text[0]))
		return false;
	for (uint32_t i = 1; i < w->kids->len; i++)
		if (!sh_is_name(w->kids->text[i]))
			return false;
	return true;
}

/* for ((init; test; step)) [;] do_group */
static struct av_sh_node *parse_for_arith(struct sh_parser *p, size_t at)
{
	size_t close;
	if (!sh_scan_arith(p, p->pos + 2, &close))
		return sh_incomplete(p, "`))'", "`for (('", at);
	struct av_sh_node *n = sh_node(p, AV_SH_FOR_ARITH, at), *tail = NULL;
	if (n == NULL)
		return NULL;
	size_t saved = p->len;
	p->len = close;
	p->pos += 2;
	for (int k = 0; k < 3; k++) {
		struct av_sh_node *w = sh_node(p, AV_SH_WORD, p->pos);
		if (w == NULL ||
		    !sh_read_parts(p, w, WM_ARITH, k < 2 ? SH_W_STOP_SEMI : 0)) {
			p->len = saved;
			return NULL;
		}
		sh_finish(p, w);
		sh_add(n, &tail, w);
		if (k < 2) {
			if (sh_peek(p, 0) != ';') {
				p->len = saved;
				return sh_unexpected(p, "`;' in `for (( ; ; ))'");
			}
			p->pos++;
		}
	}
	p->len = saved;
	p->pos = close + 2;
	sh_skip_ws(p);
	if (sh_peek(p, 0) == ';' && p->pos < p->len)
		p->pos++;
	if (!parse_do_group(p, n, &tail, "`for'", at))
		return NULL;
	return n;
}

/* for_clause: 'for' NAME [linebreak 'in' word* (';' | newline)] do_group,
 * and select_clause the same */
static struct av_sh_node *parse_for(struct sh_parser *p, bool select)
{
	size_t at = p->pos;
	const char *opener = select ? "`select'" : "`for'";
	p->pos += select ? 6 : 3;
	sh_skip_ws(p);
	if (!select && at_op(p, "(("))
		return parse_for_arith(p, at);
	struct av_sh_node *n = sh_node(p, select ? AV_SH_SELECT : AV_SH_FOR, at),
	                  *tail = NULL;
	if (n == NULL)
		return NULL;
	struct av_sh_node *name = sh_read_word(p, WM_NORMAL, 0);
	if (name == NULL)
		return p->failed ? NULL : sh_unexpected(p, "a variable name");
	if (!is_name_word(name))
		return sh_fail(p, AV_SH_E_SYNTAX, name->start - p->base,
		               "invalid variable name",
		               "`for' and `select' need a plain name");
	n->text = name->kids->text;
	n->len = name->kids->len;
	sh_skip_ws(p);
	if (sh_peek(p, 0) == ';' && p->pos < p->len) {
		p->pos++;
	} else {
		if (!skip_ws_nl(p))
			return NULL;
		if (at_word(p, "in")) {
			p->pos += 2;
			n->flags |= AV_SH_F_FOR_IN;
			for (;;) {
				sh_skip_ws(p);
				char c = sh_peek(p, 0);
				if (c == ';' && p->pos < p->len) {
					p->pos++;
					break;
				}
				if (c == '\n' && p->pos < p->len) {
					if (!sh_eat_newline(p))
						return NULL;
					break;
				}
				struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
				if (w == NULL) {
					if (p->pos >= p->len)
						return sh_incomplete(p, "`do'", opener,
						                     at);
					return p->failed ? NULL
					                 : sh_unexpected(
					                           p, "`;' or a newline");
				}
				sh_add(n, &tail, w);
			}
		}
	}
	if (!parse_do_group(p, n, &tail, opener, at))
		return NULL;
	return n;
}

/* case_clause: 'case' word linebreak 'in' linebreak case_item* 'esac'
 * case_item: ['('] pattern ('|' pattern)* ')' list (';;' | ';&' | ';;&')? */
static struct av_sh_node *parse_case(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *n = sh_node(p, AV_SH_CASE, at), *tail = NULL;
	if (n == NULL)
		return NULL;
	p->pos += 4;
	sh_skip_ws(p);
	struct av_sh_node *subject = sh_read_word(p, WM_NORMAL, 0);
	if (subject == NULL)
		return p->failed ? NULL : sh_unexpected(p, "a word after `case'");
	sh_add(n, &tail, subject);
	if (!skip_ws_nl(p))
		return NULL;
	if (!at_word(p, "in")) {
		if (p->pos >= p->len)
			return sh_incomplete(p, "`in'", "`case'", at);
		return sh_unexpected(p, "`in'");
	}
	p->pos += 2;
	for (;;) {
		if (!skip_ws_nl(p))
			return NULL;
		if (at_word(p, "esac")) {
			p->pos += 4;
			break;
		}
		if (p->pos >= p->len)
			return sh_incomplete(p, "`esac'", "`case'", at);
		struct av_sh_node *item = sh_node(p, AV_SH_CASE_ITEM, p->pos), *it = NULL;
		if (item == NULL)
			return NULL;
		if (sh_peek(p, 0) == '(')
			p->pos++;
		for (;;) {
			sh_skip_ws(p);
			struct av_sh_node *pat = sh_read_word(p, WM_NORMAL, 0);
			if (pat == NULL)
				return p->failed ? NULL : sh_unexpected(p, "a pattern");
			sh_add(item, &it, pat);
			sh_skip_ws(p);
			if (sh_peek(p, 0) != '|' || sh_peek(p, 1) == '|')
				break;
			p->pos++;
		}
		if (sh_peek(p, 0) != ')' || p->pos >= p->len)
			return sh_unexpected(p, "`)' after the pattern");
		p->pos++;
		struct av_sh_node *body = sh_parse_list(p);
		if (body == NULL)
			return NULL;
		sh_add(item, &it, body);
		if (at_op(p, ";;&")) {
			item->op = AV_SH_CASE_CONT;
			p->pos += 3;
		} else if (at_op(p, ";;")) {
			item->op = AV_SH_CASE_BREAK;
			p->pos += 2;
		} else if (at_op(p, ";&")) {
			item->op = AV_SH_CASE_FALL;
			p->pos += 2;
		} else if (!at_word(p, "esac")) {
			if (p->pos >= p->len)
				return sh_incomplete(p, "`esac'", "`case'", at);
			return sh_unexpected(p, "`;;' or `esac'");
		}
		sh_finish(p, item);
		sh_add(n, &tail, item);
	}
	return n;
}

/* ---- command ---- */

static bool is_compound_start(const struct sh_parser *p)
{
	static const char *const words[] = { "{",     "[[",  "if",     "while",
		                             "until", "for", "select", "case" };
	if (sh_peek(p, 0) == '(' && p->pos < p->len)
		return true;
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (at_word(p, words[k]))
			return true;
	return false;
}

/* compound_command redirect* */
static struct av_sh_node *parse_compound(struct sh_parser *p)
{
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n = NULL;
	char c = sh_peek(p, 0);
	size_t close;
	if (c == '(')
		n = sh_peek(p, 1) == '(' && sh_scan_arith(p, p->pos + 2, &close)
		            ? parse_arith_cmd(p, close)
		            : parse_subshell(p);
	else if (at_word(p, "{"))
		n = parse_group(p);
	else if (at_word(p, "[["))
		n = parse_cond(p);
	else if (at_word(p, "if"))
		n = parse_if(p);
	else if (at_word(p, "while"))
		n = parse_while(p, false);
	else if (at_word(p, "until"))
		n = parse_while(p, true);
	else if (at_word(p, "for"))
		n = parse_for(p, false);
	else if (at_word(p, "select"))
		n = parse_for(p, true);
	else if (at_word(p, "case"))
		n = parse_case(p);
	else
		return sh_unexpected(p, "a compound command");
	if (n == NULL || !parse_redirects(p, n))
		return NULL;
	sh_finish(p, n);
	sh_leave(p);
	return n;
}

/* command: compound_command | function_def | coproc | simple_command */
static struct av_sh_node *parse_command(struct sh_parser *p)
{
	sh_skip_ws(p);
	if (p->pos >= p->len)
		return sh_unexpected(p, "a command");
	char c = p->s[p->pos];
	if (is_compound_start(p))
		return parse_compound(p);
	if (at_list_end(p) || (sh_is_meta(c) && c != '<' && c != '>' &&
	                       !(c == '&' && sh_peek(p, 1) == '>')))
		return sh_unexpected(p, "a command");
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n;
	if (at_word(p, "function"))
		n = parse_function(p);
	else if (at_word(p, "coproc"))
		n = parse_coproc(p);
	else
		n = parse_simple(p, NULL);
	if (n != NULL)
		sh_leave(p);
	return n;
}

/* ---- entry points ---- */

static bool join_continuations(struct sh_parser *p, const char *s, size_t len, bool top);

struct av_sh_node *sh_parse_sub(struct sh_parser *p, const char *buf, size_t len,
                                size_t base)
{
	const char *s = p->s;
	size_t slen = p->len, pos = p->pos, sbase = p->base;
	bool copy = p->copy;
	struct sh_heredoc *h = p->hd_head, *t = p->hd_tail;
	p->s = buf;
	p->len = len;
	p->pos = 0;
	p->base = base;
	p->copy = true;
	p->hd_head = p->hd_tail = NULL;
	struct av_sh_node *list = NULL;
	if (join_continuations(p, buf, len, false))
		list = sh_parse_list(p);
	if (list != NULL && p->pos < p->len)
		list = sh_unexpected(p, NULL);
	if (list != NULL && p->hd_head != NULL)
		list = sh_fail(p, AV_SH_E_SYNTAX, p->pos,
		               "unexpected end of the backquoted command",
		               "a here-document inside it has no body");
	p->s = s;
	p->len = slen;
	p->pos = pos;
	p->base = sbase;
	p->copy = copy;
	p->hd_head = h;
	p->hd_tail = t;
	return list;
}

size_t sh_orig_offset(const struct sh_parser *p, size_t off)
{
	uint32_t lo = 0, hi = p->nremoved;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->removed[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return off + 2 * (size_t)lo;
}

/* Bash drops backslash-newline pairs while reading input, everywhere but
 * inside single quotes, $'...', comments and quoted here-document bodies,
 * before it tokenizes. Doing the same up front (only when the text has one)
 * keeps every later rule simple: `$\<newline>x' is `$x', `~\<newline>' is a
 * tilde. Here-documents are tracked roughly (operator, delimiter, body after
 * the next newline) so a quoted body keeps its bytes and an unquoted one is
 * joined the way sh_word.c compares its lines. The copy's offsets map back
 * through p->removed. */
struct join {
	const char *s;
	size_t len, i;
	char *o;
	size_t k;
	uint32_t *removed;
	uint32_t nr;
};

struct join_hd {
	char *delim;
	size_t dlen;
	bool quoted, strip, usable;
};

/* Where the delimiter word that starts at s[i] ends, as the word reader
 * sees it: quotes, `...`, $(...) and ${...} are whole units. */
static size_t join_word_end(const char *s, size_t len, size_t i)
{
	size_t start = i;
	while (i < len &&
	       (!sh_is_meta(s[i]) || (i == start && (s[i] == '<' || s[i] == '>') &&
	                              i + 1 < len && s[i + 1] == '('))) {
		char c = s[i];
		if (c == '\\') {
			i += 2;
		} else if (c == '\'' || c == '"' || c == '`') {
			for (i++; i < len && s[i] != c; i++)
				if (c != '\'' && s[i] == '\\')
					i++;
			i++;
		} else if ((c == '$' || c == '<' || c == '>') && i + 1 < len &&
		           (s[i + 1] == '(' ||
		            (c == '$' && (s[i + 1] == '{' || s[i + 1] == '[')))) {
			char open = s[i + 1];
			char close = open == '(' ? ')' : open == '{' ? '}' : ']';
			uint32_t depth = 0;
			for (i++; i < len; i++) {
				if (s[i] == '\\')
					i++;
				else if (s[i] == open)
					depth++;
				else if (s[i] == close && --depth == 0)
					break;
			}
			i++;
		} else {
			i++;
		}
	}
	return i < len ? i : len;
}

/* Quote removal of the delimiter word s[i..end), the way
 * sh_read_heredoc_delim does it; writes to d when not NULL and returns the
 * length. */
static size_t join_unquote(const char *s, size_t i, size_t end, char *d, bool *quoted)
{
	size_t n = 0;
	while (i < end) {
		char c = s[i];
		if (c == '\\' && i + 1 < end && s[i + 1] == '\n') {
			i += 2; /* a line continuation, joined like the rest */
			continue;
		}
		if (c == '\\') {
			*quoted = true;
			c = i + 1 < end ? s[++i] : c;
		} else if (c == '\'' || c == '"') {
			*quoted = true;
			char q = c;
			for (i++; i < end && s[i] != q; i++) {
				if (q == '"' && s[i] == '\\' && i + 1 < end &&
				    strchr("$`\"\\", s[i + 1]) != NULL)
					i++;
				if (d != NULL)
					d[n] = s[i];
				n++;
			}
			i++;
			continue;
		}
		if (d != NULL)
			d[n] = c;
		n++;
		i++;
	}
	return n;
}

/* Reads a here-document operator's delimiter at s[i] (after << or <<-). */
static void join_delim(struct av_arena *a, const char *s, size_t len, size_t i,
                       struct join_hd *h)
{
	while (i < len && sh_is_blank(s[i]))
		i++;
	h->quoted = false;
	size_t end = join_word_end(s, len, i);
	h->dlen = join_unquote(s, i, end, NULL, &h->quoted);
	h->delim = av_arena_alloc(a, h->dlen + 1);
	h->usable = h->delim != NULL;
	if (h->usable)
		join_unquote(s, i, end, h->delim, &h->quoted);
}

/* Copies one here-document body and its delimiter line at j->i. */
static void join_body(struct join *j, const struct join_hd *h)
{
	while (j->i < j->len) {
		size_t i = j->i, d = 0;
		bool same = true;
		if (h->strip)
			while (i < j->len && j->s[i] == '\t')
				i++;
		/* Compare the logical line with the delimiter while copying. */
		for (size_t t = j->i; t < i; t++)
			j->o[j->k++] = j->s[t];
		while (i < j->len && j->s[i] != '\n') {
			char c = j->s[i];
			size_t n = 1;
			if (c == '\\' && !h->quoted && i + 1 < j->len) {
				if (j->s[i + 1] == '\n') {
					j->removed[j->nr++] = (uint32_t)j->k;
					i += 2;
					continue;
				}
				n = 2;
			}
			for (size_t t = 0; t < n; t++) {
				if (d < h->dlen && h->delim[d] == j->s[i + t])
					d++;
				else
					same = false;
				j->o[j->k++] = j->s[i + t];
			}
			i += n;
		}
		if (i < j->len)
			j->o[j->k++] = j->s[i++];
		j->i = i;
		if (same && d == h->dlen)
			return;
	}
}

static bool join_continuations(struct sh_parser *p, const char *s, size_t len, bool top)
{
	uint32_t pairs = 0;
	for (const char *q = s; (q = memchr(q, '\\', (size_t)(s + len - q))) != NULL; q++)
		if (q + 1 < s + len && q[1] == '\n')
			pairs++;
	if (pairs == 0)
		return true;
	struct join j = { .s = s, .len = len };
	j.o = av_arena_alloc(p->arena, len);
	j.removed = av_arena_alloc(p->arena, pairs * sizeof(*j.removed));
	/* Room for every here-document operator the parser would accept. */
	uint32_t maxhd = 1;
	for (const char *q = s; maxhd <= p->lim.max_heredocs &&
	                        (q = memchr(q, '<', (size_t)(s + len - q))) != NULL;
	     q++)
		maxhd += q + 1 < s + len && q[1] == '<';
	struct join_hd *hd = av_arena_alloc(p->arena, maxhd * sizeof(*hd));
	if (j.o == NULL || j.removed == NULL || hd == NULL) {
		sh_fail(p, AV_SH_E_NOMEM, 0, "out of memory", "the arena is full");
		return false;
	}
	uint32_t nhd = 0;
	bool bq = false; /* inside `...`, where a comment also ends at the ` */
	/* Inside ${...}, $[...] or arithmetic, << is no here-document operator. */
	uint32_t braces = 0, brackets = 0, arith = 0;
	/* Which open parentheses belong to $( ): a # right after the ) of a
	 * substitution continues the word instead of starting a comment. */
	uint64_t subst_bits = 0;
	uint32_t parens = 0;
	bool closed_subst = false;
	bool prev_dollar = false; /* the previous byte was an unquoted $ */
	enum { NORMAL, SQUOTE, DQUOTE, ANSI, COMMENT } st = NORMAL;
	while (j.i < len) {
		char c = s[j.i];
		bool esc_state = st == NORMAL || st == DQUOTE || st == ANSI;
		if (c == '\\' && esc_state && j.i + 1 < len) {
			if (s[j.i + 1] == '\n' && st != ANSI) {
				j.removed[j.nr++] = (uint32_t)j.k;
				j.i += 2;
				continue;
			}
			j.o[j.k++] = c;
			j.o[j.k++] = s[j.i + 1];
			j.i += 2;
			prev_dollar = false;
			continue;
		}
		j.o[j.k++] = c;
		j.i++;
		bool after_subst = closed_subst, dollar = prev_dollar;
		closed_subst = false;
		prev_dollar = st == NORMAL && c == '$';
		switch (st) {
		case NORMAL:
			if (c == '(') {
				if (parens < 64) {
					uint64_t bit = (uint64_t)1 << parens;
					bool is_subst = dollar;
					subst_bits = is_subst ? subst_bits | bit
					                      : subst_bits & ~bit;
				}
				parens++;
			} else if (c == ')' && parens > 0) {
				parens--;
				closed_subst = parens < 64 && (subst_bits >> parens) & 1;
			}
			if (c == '\'') {
				st = SQUOTE;
			} else if (c == '"') {
				st = DQUOTE;
			} else if (c == '$' && j.i < len && s[j.i] == '\'') {
				j.o[j.k++] = s[j.i++];
				st = ANSI;
			} else if (c == '`') {
				bq = !bq;
			} else if (c == '#' && !after_subst &&
			           (j.k == 1 || sh_is_meta(j.o[j.k - 2]))) {
				st = COMMENT;
			} else if (c == '$' && j.i < len && s[j.i] == '{') {
				braces++;
			} else if (c == '}' && braces > 0) {
				braces--;
			} else if (c == '[' && (brackets > 0 || dollar)) {
				brackets++;
			} else if (c == ']' && brackets > 0) {
				brackets--;
			} else if (c == '(' && arith > 0) {
				arith++;
			} else if (c == '(' && j.i < len && s[j.i] == '(') {
				arith = 1;
			} else if (c == ')' && arith > 0) {
				arith--;
			} else if (c == '<' && j.i < len && s[j.i] == '<' &&
			           braces == 0 && brackets == 0 && arith == 0) {
				j.o[j.k++] = s[j.i++];
				if (j.i < len && s[j.i] == '<') {
					j.o[j.k++] = s[j.i++];
					break;
				}
				bool strip = j.i < len && s[j.i] == '-';
				if (nhd < maxhd) {
					join_delim(p->arena, s, len, j.i + strip,
					           &hd[nhd]);
					hd[nhd].strip = strip;
					nhd++;
				}
			} else if (c == '\n') {
				for (uint32_t h = 0; h < nhd; h++)
					if (hd[h].usable)
						join_body(&j, &hd[h]);
				nhd = 0;
			}
			break;
		case SQUOTE:
		case ANSI:
			if (c == '\'')
				st = NORMAL;
			break;
		case DQUOTE:
			if (c == '"')
				st = NORMAL;
			break;
		case COMMENT:
			if (c == '`' && bq) {
				st = NORMAL;
				bq = false;
			} else if (c == '\n') {
				st = NORMAL;
				for (uint32_t h = 0; h < nhd; h++)
					if (hd[h].usable)
						join_body(&j, &hd[h]);
				nhd = 0;
			}
			break;
		}
	}
	p->s = j.o;
	p->len = j.k;
	p->copy = true;
	if (top) {
		p->removed = j.removed;
		p->nremoved = j.nr;
	}
	return true;
}

/* Offsets in the tree are made input offsets again. */
static void map_offsets(const struct sh_parser *p, struct av_sh_node *n)
{
	for (; n != NULL; n = n->next) {
		n->start = (uint32_t)sh_orig_offset(p, n->start);
		n->end = (uint32_t)sh_orig_offset(p, n->end);
		map_offsets(p, n->kids);
	}
}

int av_sh_parse(const char *src, size_t len, const struct av_sh_limits *lim,
                struct av_arena *arena, struct av_sh_node **out, struct av_sh_error *err)
{
	struct sh_parser p = {
		.s = src,
		.len = len,
		.orig = src,
		.orig_len = len,
		.arena = arena,
		.err = err,
	};
	if (lim != NULL)
		p.lim = *lim;
	if (p.lim.max_len == 0)
		p.lim.max_len = AV_SH_DEFAULT_MAX_LEN;
	if (p.lim.max_depth == 0)
		p.lim.max_depth = AV_SH_DEFAULT_MAX_DEPTH;
	if (p.lim.max_nodes == 0)
		p.lim.max_nodes = AV_SH_DEFAULT_MAX_NODES;
	if (p.lim.max_heredocs == 0)
		p.lim.max_heredocs = AV_SH_DEFAULT_MAX_HEREDOCS;
	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > p.lim.max_len || len > UINT32_MAX / 2) {
		p.orig_len = 0;
		sh_fail(&p, AV_SH_E_LIMIT, 0, "the script is too long",
		        "%zu bytes is more than the limit of %zu", len, p.lim.max_len);
		return -1;
	}
	const char *nul = memchr(src, '\0', len);
	if (nul != NULL) {
		sh_fail(&p, AV_SH_E_SYNTAX, (size_t)(nul - src), "a NUL byte",
		        "shell text cannot contain NUL bytes");
		return -1;
	}
	if (!join_continuations(&p, src, len, true))
		return -1;
	p.top_s = p.s;
	p.top_len = p.len;
	p.scan_budget = 16 * len + ((size_t)1 << 20);
	struct av_sh_node *list = sh_parse_list(&p);
	if (list != NULL && p.pos < p.len)
		list = sh_unexpected(&p, NULL);
	/* Here-documents still open at the end get what is left: nothing,
	 * as bash does (with a warning). */
	if (list != NULL && p.hd_head != NULL && !sh_read_heredocs(&p))
		list = NULL;
	if (list == NULL)
		return -1;
	if (p.nremoved > 0)
		map_offsets(&p, list);
	*out = list;
	return 0;
}
