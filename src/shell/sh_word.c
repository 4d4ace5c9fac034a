/* sh_word.c - reads shell words into structured parts: literals, quotes,
 * ANSI-C and locale strings, parameter expansions with their operators,
 * command and arithmetic substitutions, process substitutions, tildes and
 * glob characters; plus assignments and here-document bodies.
 *
 * Literal runs are not copied: a LIT points into the buffer unless escapes or
 * line continuations broke it up, in which case it is gathered into one
 * arena buffer that doubles (so a long run of escapes stays linear). */
#include <string.h>

#include "shell/sh_parser.h"

/* A literal run being gathered. */
struct lit {
	const char *direct; /* points into the buffer while contiguous */
	char *buf;          /* the gathered copy once it is not */
	size_t len, cap;
	size_t start;
	bool copied;
};

static bool lit_add(struct sh_parser *p, struct lit *l, const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (l->len == 0 && !l->copied) {
		l->direct = s;
		l->len = n;
		l->start = p->pos;
		return true;
	}
	if (!l->copied && l->direct + l->len == s) {
		l->len += n;
		return true;
	}
	if (!l->copied || l->len + n > l->cap) {
		size_t cap = (l->len + n) * 2;
		if (cap < 32)
			cap = 32;
		char *nb = av_arena_alloc(p->arena, cap);
		if (nb == NULL) {
			sh_fail(p, AV_SH_E_NOMEM, p->pos, "out of memory",
			        "the arena is full");
			return false;
		}
		memcpy(nb, l->copied ? l->buf : l->direct, l->len);
		l->buf = nb;
		l->cap = cap;
		l->copied = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	return true;
}

static bool lit_flush(struct sh_parser *p, struct av_sh_node *word,
                      struct av_sh_node **tail, struct lit *l)
{
	if (l->len == 0)
		return true;
	if (l->len > UINT32_MAX) {
		sh_fail(p, AV_SH_E_LIMIT, l->start, "a literal is too long",
		        "the limit is 4 GiB");
		return false;
	}
	struct av_sh_node *n = sh_node(p, AV_SH_LIT, l->start);
	if (n == NULL)
		return false;
	n->text = l->copied ? l->buf : l->direct;
	n->len = (uint32_t)l->len;
	sh_finish(p, n);
	sh_add(word, tail, n);
	memset(l, 0, sizeof(*l));
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_unquoted_mode(enum sh_wmode m)
{
	return m == WM_NORMAL || m == WM_REGEX || m == WM_OPERAND || m == WM_SUBSCRIPT;
}

/* The characters that end a literal run in each mode. */
static bool special(char c, enum sh_wmode m, unsigned wf)
{
	switch (c) {
	case '\\':
	case '$':
	case '`':
		return true;
	case '"':
		return m != WM_HEREDOC;
	default:
		break;
	}
	switch (m) {
	case WM_NORMAL:
	case WM_REGEX:
		return sh_is_meta(c) || c == '\'' || c == '*' || c == '?' || c == '[' ||
		       c == '+' || c == '@' || c == '!' ||
		       (c == ':' && (wf & SH_W_ASSIGN));
	case WM_DQ:
	case WM_HEREDOC:
		return false;
	case WM_ARITH:
		return c == ';' && (wf & SH_W_STOP_SEMI);
	case WM_OPERAND:
		return c == '}' || c == '\'' || c == '*' || c == '?' || c == '[' ||
		       c == '+' || c == '@' || c == '!' ||
		       (c == ':' && (wf & SH_W_STOP_COLON)) ||
		       (c == '/' && (wf & SH_W_STOP_SLASH));
	case WM_OPERAND_DQ:
		return c == '}' || (c == ':' && (wf & SH_W_STOP_COLON)) ||
		       (c == '/' && (wf & SH_W_STOP_SLASH)) ||
		       ((wf & SH_W_GLOB) && (c == '*' || c == '?' || c == '[' ||
		                             c == '+' || c == '@' || c == '!'));
	case WM_SUBSCRIPT:
		return c == ']' || c == '[' || c == '\'';
	}
	return false;
}

/* Characters a backslash quotes inside a double-quote-like mode. */
static bool dq_escapable(char c, enum sh_wmode m, unsigned wf)
{
	/* Arithmetic text keeps its backslashes as written, so its
	 * parentheses and quotes balance the same way when printed. */
	if (m == WM_ARITH)
		return false;
	if (c == '$' || c == '`' || c == '\\')
		return true;
	if (c == '"')
		return m != WM_HEREDOC;
	if (m == WM_OPERAND_DQ)
		return c == '}' || (c == ':' && (wf & SH_W_STOP_COLON)) ||
		       (c == '/' && (wf & SH_W_STOP_SLASH)) ||
		       ((wf & SH_W_GLOB) && c != '\0' && strchr("*?[+@!", c) != NULL);
	return false;
}

/* Skips a quoted region or a balanced construct when scanning raw text
 * ahead of parsing; returns the index after it, or len if unterminated. A
 * single quote right after $ opens $'...', where backslashes escape. */
static size_t skip_quoted(const char *s, size_t i, size_t len)
{
	char q = s[i];
	bool esc = q == '"' || q == '`' || (q == '\'' && i > 0 && s[i - 1] == '$');
	i++;
	while (i < len && s[i] != q) {
		if (esc && s[i] == '\\')
			i++;
		i++;
	}
	return i < len ? i + 1 : len;
}

/* Finds the ) closing an extglob group that opens at s[i] == '('; returns
 * the index after it, or 0 if it is not closed on this line. */
static size_t scan_extglob_raw(const struct sh_parser *p, size_t i, enum sh_wmode m)
{
	uint32_t depth = 0;
	bool operand = m == WM_OPERAND || m == WM_OPERAND_DQ;
	while (i < p->len) {
		char c = p->s[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if ((c == '\'' && m != WM_OPERAND_DQ) || c == '"') {
			i = skip_quoted(p->s, i, p->len);
			continue;
		}
		/* Inside ${...} the group may not run past the closing brace. */
		if (c == '\n' || (operand && c == '}'))
			return 0;
		if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

static size_t scan_extglob(struct sh_parser *p, size_t i, enum sh_wmode m)
{
	size_t from = i, end = scan_extglob_raw(p, i, m);
	return sh_charge_scan(p, (end ? end : p->len) - from) ? end : 0;
}

bool sh_scan_arith(struct sh_parser *p, size_t from, size_t *close)
{
	uint32_t depth = 0;
	size_t i = from;
	bool found = false;
	while (i < p->len) {
		char c = p->s[i];
		switch (c) {
		case '\\':
			i += 2;
			continue;
		case '\'':
		case '"':
			i = skip_quoted(p->s, i, p->len);
			continue;
		case '(':
			depth++;
			break;
		case ')':
			if (depth == 0) {
				if (i + 1 < p->len && p->s[i + 1] == ')') {
					*close = i;
					found = true;
				}
				goto done;
			}
			depth--;
			break;
		default:
			break;
		}
		i++;
	}
done:
	return sh_charge_scan(p, i - from) && found;
}

/* Index just past the ] that closes the subscript opening at s[i] == '[',
 * or 0 when there is none before a newline. */
static size_t scan_subscript_raw(const struct sh_parser *p, size_t i)
{
	uint32_t depth = 0, parens = 0;
	while (i < p->len) {
		char c = p->s[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`') {
			i = skip_quoted(p->s, i, p->len);
			continue;
		}
		if (c == '$' && i + 1 < p->len && p->s[i + 1] == '(') {
			/* Skip $(...) by its parentheses, as bash's matched-pair
			 * reader does. */
			uint32_t d = 0;
			for (i++; i < p->len; i++) {
				if (p->s[i] == '\\') {
					i++;
				} else if (p->s[i] == '\'' || p->s[i] == '"') {
					i = skip_quoted(p->s, i, p->len) - 1;
				} else if (p->s[i] == '(') {
					d++;
				} else if (p->s[i] == ')' && --d == 0) {
					break;
				}
			}
			i++;
			continue;
		}
		/* A subscript may hold blanks and balanced parentheses, but no
		 * other operator: `$(r[)]=' is not an assignment. */
		if (c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>')
			return 0;
		if (c == '(')
			parens++;
		else if (c == ')' && parens-- == 0)
			return 0;
		if (c == '[')
			depth++;
		else if (c == ']' && --depth == 0)
			return i + 1;
		i++;
	}
	return 0;
}

static size_t scan_subscript(struct sh_parser *p, size_t i)
{
	size_t from = i, end = scan_subscript_raw(p, i);
	return sh_charge_scan(p, (end ? end : p->len) - from) ? end : 0;
}

/* ---- $'...' ---- */

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the body of $'...' (s[0..n)) into o, which has room for n bytes:
 * every escape is at least as long as what it produces. */
static size_t ansi_decode(const char *s, size_t n, char *o)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\' || i + 1 >= n) {
			o[k++] = s[i++];
			continue;
		}
		char e = s[i + 1];
		i += 2;
		switch (e) {
		case 'a':
			o[k++] = '\a';
			break;
		case 'b':
			o[k++] = '\b';
			break;
		case 'e':
		case 'E':
			o[k++] = 27;
			break;
		case 'f':
			o[k++] = '\f';
			break;
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		case 't':
			o[k++] = '\t';
			break;
		case 'v':
			o[k++] = '\v';
			break;
		case '\\':
		case '\'':
		case '"':
		case '?':
			o[k++] = e;
			break;
		case 'c':
			if (i < n) {
				o[k++] = (char)(s[i] & 0x1F);
				i++;
			} else {
				o[k++] = '\\';
				o[k++] = 'c';
			}
			break;
		case 'x':
		case 'u':
		case 'U': {
			unsigned max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			uint32_t v = 0;
			unsigned d = 0;
			while (d < max && i < n && hexval(s[i]) >= 0) {
				v = v * 16 + (uint32_t)hexval(s[i]);
				i++;
				d++;
			}
			if (d == 0) {
				o[k++] = '\\';
				o[k++] = e;
			} else if (e == 'x') {
				o[k++] = (char)v;
			} else {
				k += put_utf8(o + k, v);
			}
			break;
		}
		default:
			if (e >= '0' && e <= '7') {
				unsigned v = (unsigned)(e - '0');
				for (unsigned d = 1;
				     d < 3 && i < n && s[i] >= '0' && s[i] <= '7';
				     d++, i++)
					v = v * 8 + (unsigned)(s[i] - '0');
				o[k++] = (char)v;
			} else {
				o[k++] = '\\';
				o[k++] = e;
			}
			break;
		}
	}
	return k;
}

static struct av_sh_node *read_ansi(struct sh_parser *p)
{
	size_t at = p->pos, i = at + 2;
	while (i < p->len && p->s[i] != '\'')
		i += p->s[i] == '\\' ? 2 : 1;
	if (i >= p->len)
		return sh_incomplete(p, "`''", "the $'...' string", at);
	struct av_sh_node *n = sh_node(p, AV_SH_ANSI, at);
	if (n == NULL)
		return NULL;
	size_t raw = i - (at + 2);
	char *o = av_arena_alloc(p->arena, raw + 1);
	if (o == NULL)
		return sh_fail(p, AV_SH_E_NOMEM, at, "out of memory",
		               "the arena is full");
	n->text = o;
	n->len = (uint32_t)ansi_decode(p->s + at + 2, raw, o);
	p->pos = i + 1;
	sh_finish(p, n);
	return n;
}

/* ---- $(...), `...`, $((...)), $[...] ---- */

static struct av_sh_node *read_cmdsub(struct sh_parser *p, size_t at, size_t body,
                                      enum av_sh_kind kind)
{
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n = sh_node(p, kind, at);
	if (n == NULL)
		return NULL;
	struct sh_heredoc *h = p->hd_head, *t = p->hd_tail;
	p->hd_head = p->hd_tail = NULL;
	p->pos = body;
	struct av_sh_node *list = sh_parse_list(p);
	if (list == NULL)
		return NULL;
	if (p->pos >= p->len)
		return sh_incomplete(p, "`)'",
		                     kind == AV_SH_PROCSUB ? "the process substitution"
		                                           : "the command substitution",
		                     at);
	if (sh_peek(p, 0) != ')')
		return sh_unexpected(p, "`)'");
	if (p->hd_head != NULL)
		return sh_fail(p, AV_SH_E_SYNTAX, p->pos, "unexpected `)'",
		               "a here-document inside it has no body yet");
	p->pos++;
	p->hd_head = h;
	p->hd_tail = t;
	n->kids = list;
	sh_finish(p, n);
	sh_leave(p);
	return n;
}

static struct av_sh_node *read_backquote(struct sh_parser *p, bool dq)
{
	size_t at = p->pos, i = at + 1;
	while (i < p->len && p->s[i] != '`')
		i += p->s[i] == '\\' ? 2 : 1;
	if (!sh_charge_scan(p, i - at))
		return NULL;
	if (i >= p->len)
		return sh_incomplete(p, "``'", "the backquoted command", at);
	char *copy = av_arena_alloc(p->arena, i - at);
	if (copy == NULL)
		return sh_fail(p, AV_SH_E_NOMEM, at, "out of memory",
		               "the arena is full");
	size_t k = 0;
	for (size_t j = at + 1; j < i; j++) {
		char c = p->s[j];
		if (c == '\\' && j + 1 < i) {
			char e = p->s[j + 1];
			if (e == '$' || e == '`' || e == '\\' || (dq && e == '"')) {
				copy[k++] = e;
				j++;
				continue;
			}
		}
		copy[k++] = c;
	}
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n = sh_node(p, AV_SH_CMDSUB, at);
	if (n == NULL)
		return NULL;
	n->flags |= AV_SH_F_BACKQUOTE;
	struct av_sh_node *list = sh_parse_sub(p, copy, k, p->base + at + 1);
	if (list == NULL)
		return NULL;
	n->kids = list;
	p->pos = i + 1;
	sh_finish(p, n);
	sh_leave(p);
	return n;
}

/* Reads arithmetic text s[from..close) as one WORD in WM_ARITH. */
static struct av_sh_node *read_arith_word(struct sh_parser *p, size_t from, size_t close,
                                          unsigned wf)
{
	struct av_sh_node *w = sh_node(p, AV_SH_WORD, from);
	if (w == NULL)
		return NULL;
	size_t saved = p->len;
	p->len = close;
	p->pos = from;
	bool ok = sh_read_parts(p, w, WM_ARITH, wf);
	p->len = saved;
	if (!ok)
		return NULL;
	sh_finish(p, w);
	return w;
}

static struct av_sh_node *read_arith(struct sh_parser *p, size_t at, size_t from,
                                     size_t close, size_t after)
{
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n = sh_node(p, AV_SH_ARITH, at);
	if (n == NULL)
		return NULL;
	struct av_sh_node *w = read_arith_word(p, from, close, 0);
	if (w == NULL)
		return NULL;
	n->kids = w;
	p->pos = after;
	sh_finish(p, n);
	sh_leave(p);
	return n;
}

static struct av_sh_node *read_legacy_arith(struct sh_parser *p)
{
	size_t at = p->pos, i = at + 2;
	uint32_t depth = 0;
	for (; i < p->len; i++) {
		char c = p->s[i];
		if (c == '\\') {
			i++;
			continue;
		}
		if (c == '\'' || c == '"') {
			/* Quotes hide brackets, as in bash's matched-pair reader. */
			i = skip_quoted(p->s, i, p->len) - 1;
			continue;
		}
		if (c == '[')
			depth++;
		else if (c == ']' && depth-- == 0)
			break;
	}
	if (!sh_charge_scan(p, i - at))
		return NULL;
	if (i >= p->len)
		return sh_incomplete(p, "`]'", "the $[...] arithmetic", at);
	struct av_sh_node *n = read_arith(p, at, at + 2, i, i + 1);
	if (n != NULL)
		n->flags |= AV_SH_F_LEGACY;
	return n;
}

/* ---- ${...} ---- */

/* Reads a parameter name at p->pos: an identifier, digits or one special
 * character. Returns its length (0 if none); *ident says which. */
static size_t read_param_name(struct sh_parser *p, bool *ident)
{
	size_t i = p->pos;
	char c = sh_peek(p, 0);
	*ident = false;
	if (sh_is_name0(c)) {
		while (i < p->len && sh_is_name(p->s[i]))
			i++;
		*ident = true;
	} else if (is_digit(c)) {
		while (i < p->len && is_digit(p->s[i]))
			i++;
	} else if (c != '\0' && strchr("@*#?-$!", c) != NULL) {
		i++;
	}
	size_t n = i - p->pos;
	p->pos = i;
	return n;
}

static bool add_operand(struct sh_parser *p, struct av_sh_node *n,
                        struct av_sh_node **tail, bool dq, unsigned wf)
{
	struct av_sh_node *w = sh_node(p, AV_SH_WORD, p->pos);
	if (w == NULL)
		return false;
	if (!sh_read_parts(p, w, dq ? WM_OPERAND_DQ : WM_OPERAND, wf))
		return false;
	sh_finish(p, w);
	sh_add(n, tail, w);
	return true;
}

static void *bad_subst(struct sh_parser *p, size_t at)
{
	if (p->pos >= p->len)
		return sh_incomplete(p, "`}'", "the parameter expansion", at);
	return sh_unexpected(p,
	                     "a parameter expansion operator or `}' (bad substitution)");
}

static struct av_sh_node *read_subscript(struct sh_parser *p)
{
	size_t at = p->pos;
	struct av_sh_node *sub = sh_node(p, AV_SH_SUBSCRIPT, at);
	struct av_sh_node *w = sub ? sh_node(p, AV_SH_WORD, at + 1) : NULL;
	if (w == NULL)
		return NULL;
	p->pos = at + 1;
	if (!sh_read_parts(p, w, WM_SUBSCRIPT, 0))
		return NULL;
	if (sh_peek(p, 0) != ']' || p->pos >= p->len) {
		if (p->pos >= p->len)
			return sh_incomplete(p, "`]'", "the subscript", at);
		return sh_unexpected(p, "`]'");
	}
	sh_finish(p, w);
	p->pos++;
	sub->kids = w;
	sh_finish(p, sub);
	return sub;
}

static struct av_sh_node *read_param_braced(struct sh_parser *p, bool dq)
{
	size_t at = p->pos;
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *n = sh_node(p, AV_SH_PARAM, at), *tail = NULL;
	if (n == NULL)
		return NULL;
	n->flags |= AV_SH_F_BRACED;
	p->pos = at + 2;
	bool ident = false;
	size_t name_at = p->pos, nlen = 0;
	char c = sh_peek(p, 0);
	if (c == '#' && sh_peek(p, 1) != '}') {
		p->pos++;
		size_t try_at = p->pos;
		nlen = read_param_name(p, &ident);
		char d = sh_peek(p, 0);
		if (nlen > 0 && (d == '}' || (d == '[' && ident))) {
			n->flags |= AV_SH_F_LENGTH;
			name_at = try_at;
		} else {
			p->pos = name_at;
			nlen = 0;
		}
	} else if (c == '!' && sh_peek(p, 1) != '}') {
		p->pos++;
		name_at = p->pos;
		nlen = read_param_name(p, &ident);
		if (nlen == 0)
			return bad_subst(p, at);
		char d = sh_peek(p, 0);
		if ((d == '*' || d == '@') && sh_peek(p, 1) == '}' && ident) {
			n->op = AV_SH_P_PREFIX;
			n->num = d;
			p->pos++;
		} else {
			n->flags |= AV_SH_F_INDIRECT;
		}
	}
	if (nlen == 0) {
		name_at = p->pos;
		nlen = read_param_name(p, &ident);
		if (nlen == 0)
			return bad_subst(p, at);
	}
	n->text = p->s + name_at;
	n->len = (uint32_t)nlen;
	if (ident && sh_peek(p, 0) == '[' && n->op != AV_SH_P_PREFIX) {
		struct av_sh_node *sub = read_subscript(p);
		if (sub == NULL)
			return NULL;
		sh_add(n, &tail, sub);
	}
	c = sh_peek(p, 0);
	if ((n->flags & AV_SH_F_LENGTH) || n->op == AV_SH_P_PREFIX || c == '}' ||
	    p->pos >= p->len)
		goto close;
	const unsigned glob = SH_W_GLOB;
	switch (c) {
	case ':': {
		char d = sh_peek(p, 1);
		const char *ops = "-=?+";
		const char *hit = d ? strchr(ops, d) : NULL;
		if (hit != NULL) {
			n->flags |= AV_SH_F_COLON;
			n->op = (uint8_t)(AV_SH_P_DEFAULT + (hit - ops));
			p->pos += 2;
			if (!add_operand(p, n, &tail, dq, 0))
				return NULL;
			break;
		}
		n->op = AV_SH_P_SUBSTR;
		p->pos++;
		if (!add_operand(p, n, &tail, dq, SH_W_STOP_COLON))
			return NULL;
		if (sh_peek(p, 0) == ':' && p->pos < p->len) {
			p->pos++;
			if (!add_operand(p, n, &tail, dq, 0))
				return NULL;
		}
		break;
	}
	case '-':
	case '=':
	case '?':
	case '+':
		n->op = (uint8_t)(AV_SH_P_DEFAULT + (strchr("-=?+", c) - "-=?+"));
		p->pos++;
		if (!add_operand(p, n, &tail, dq, 0))
			return NULL;
		break;
	case '#':
	case '%': {
		bool twice = sh_peek(p, 1) == c;
		n->op = c == '#' ? (twice ? AV_SH_P_RM_LPREFIX : AV_SH_P_RM_SPREFIX)
		                 : (twice ? AV_SH_P_RM_LSUFFIX : AV_SH_P_RM_SSUFFIX);
		p->pos += twice ? 2 : 1;
		if (!add_operand(p, n, &tail, dq, glob))
			return NULL;
		break;
	}
	case '/': {
		char d = sh_peek(p, 1);
		n->op = d == '/'   ? AV_SH_P_REPL_ALL
		        : d == '#' ? AV_SH_P_REPL_PREFIX
		        : d == '%' ? AV_SH_P_REPL_SUFFIX
		                   : AV_SH_P_REPL;
		p->pos += n->op == AV_SH_P_REPL ? 1 : 2;
		if (!add_operand(p, n, &tail, dq, glob | SH_W_STOP_SLASH))
			return NULL;
		/* With an empty pattern / and // both change nothing; keep one
		 * form so that the printer's ${x///r} reads back the same. */
		if (n->op == AV_SH_P_REPL && tail->kids == NULL)
			n->op = AV_SH_P_REPL_ALL;
		if (sh_peek(p, 0) == '/' && p->pos < p->len)
			p->pos++;
		if (!add_operand(p, n, &tail, dq, 0))
			return NULL;
		break;
	}
	case '^':
	case ',': {
		bool twice = sh_peek(p, 1) == c;
		n->op = c == '^' ? (twice ? AV_SH_P_UPPER : AV_SH_P_UPPER1)
		                 : (twice ? AV_SH_P_LOWER : AV_SH_P_LOWER1);
		p->pos += twice ? 2 : 1;
		if (sh_peek(p, 0) != '}' && !add_operand(p, n, &tail, dq, glob))
			return NULL;
		break;
	}
	case '@': {
		char d = sh_peek(p, 1);
		if (!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) ||
		    sh_peek(p, 2) != '}') {
			p->pos++;
			return bad_subst(p, at);
		}
		n->op = AV_SH_P_TRANSFORM;
		n->num = d;
		p->pos += 2;
		break;
	}
	default:
		return bad_subst(p, at);
	}
close:
	if (p->pos >= p->len || sh_peek(p, 0) != '}')
		return bad_subst(p, at);
	p->pos++;
	sh_finish(p, n);
	sh_leave(p);
	return n;
}

/* Reads what follows a $; returns NULL without an error when the $ is
 * literal. */
static struct av_sh_node *read_dollar(struct sh_parser *p, enum sh_wmode m)
{
	size_t at = p->pos;
	char c = sh_peek(p, 1);
	bool unq = is_unquoted_mode(m);
	if (p->pos + 1 >= p->len)
		return NULL;
	if (c == '\'' && unq)
		return read_ansi(p);
	if (c == '"' && unq) {
		if (!sh_enter(p))
			return NULL;
		struct av_sh_node *n = sh_node(p, AV_SH_LOCALE, at);
		if (n == NULL)
			return NULL;
		p->pos = at + 2;
		if (!sh_read_parts(p, n, WM_DQ, 0))
			return NULL;
		if (p->pos >= p->len)
			return sh_incomplete(p, "`\"'", "the $\"...\" string", at);
		p->pos++;
		sh_finish(p, n);
		sh_leave(p);
		return n;
	}
	if (c == '(') {
		size_t close;
		if (sh_peek(p, 2) == '(' && sh_scan_arith(p, at + 3, &close))
			return read_arith(p, at, at + 3, close, close + 2);
		return read_cmdsub(p, at, at + 2, AV_SH_CMDSUB);
	}
	if (c == '[')
		return read_legacy_arith(p);
	bool dq = m == WM_DQ || m == WM_HEREDOC || m == WM_ARITH || m == WM_OPERAND_DQ;
	if (c == '{')
		return read_param_braced(p, dq);
	if (sh_is_name0(c) || is_digit(c) || strchr("@*#?-$!", c) != NULL) {
		struct av_sh_node *n = sh_node(p, AV_SH_PARAM, at);
		if (n == NULL)
			return NULL;
		size_t i = at + 1;
		if (sh_is_name0(c))
			while (i < p->len && sh_is_name(p->s[i]))
				i++;
		else
			i++;
		n->text = p->s + at + 1;
		n->len = (uint32_t)(i - at - 1);
		p->pos = i;
		sh_finish(p, n);
		return n;
	}
	return NULL;
}

/* ---- the part loop ---- */

static bool at_word_end(const struct sh_parser *p, size_t i, enum sh_wmode m, unsigned wf)
{
	if (i >= p->len)
		return true;
	char c = p->s[i];
	if (c == '/' || ((wf & SH_W_ASSIGN) && c == ':'))
		return true;
	if (m == WM_OPERAND)
		return c == '}';
	return sh_is_meta(c);
}

/* A tilde prefix at p->pos: ~ and the unquoted name characters up to the
 * end of the word or a /. Returns NULL (no error) if this is no prefix. */
static struct av_sh_node *read_tilde(struct sh_parser *p, enum sh_wmode m, unsigned wf)
{
	size_t i = p->pos + 1;
	while (i < p->len) {
		char c = p->s[i];
		if (sh_is_meta(c) || c == '/' || c == ':' || c == '}' || c == '\\' ||
		    c == '\'' || c == '"' || c == '$' || c == '`' || c == '*' ||
		    c == '?' || c == '[' || c == '(')
			break;
		i++;
	}
	/* A line continuation the joining pass left (it cannot see every
	 * context) still ends the prefix when the word ends after it. */
	size_t after = i;
	while (after + 1 < p->len && p->s[after] == '\\' && p->s[after + 1] == '\n')
		after += 2;
	if (!at_word_end(p, after, m, wf))
		return NULL;
	struct av_sh_node *n = sh_node(p, AV_SH_TILDE, p->pos);
	if (n == NULL)
		return NULL;
	n->text = p->s + p->pos + 1;
	n->len = (uint32_t)(i - p->pos - 1);
	p->pos = after;
	sh_finish(p, n);
	return n;
}

static struct av_sh_node *leaf(struct sh_parser *p, enum av_sh_kind kind, size_t from,
                               size_t to, size_t after)
{
	struct av_sh_node *n = sh_node(p, kind, p->pos);
	if (n == NULL)
		return NULL;
	n->text = p->s + from;
	n->len = (uint32_t)(to - from);
	p->pos = after;
	sh_finish(p, n);
	return n;
}

bool sh_read_parts(struct sh_parser *p, struct av_sh_node *word, enum sh_wmode m,
                   unsigned wf)
{
	struct av_sh_node *tail = word->kids;
	while (tail != NULL && tail->next != NULL)
		tail = tail->next;
	struct lit l = { 0 };
	bool globs = m == WM_NORMAL || m == WM_REGEX || m == WM_OPERAND ||
	             (m == WM_OPERAND_DQ && (wf & SH_W_GLOB));
	bool tilde_ok = word->kids == NULL && (m == WM_NORMAL || m == WM_REGEX ||
	                                       m == WM_OPERAND || (wf & SH_W_ASSIGN));
	uint32_t depth = 0; /* ( in a regex, [ in a subscript */
	if (!sh_enter(p))
		return false;
	while (p->pos < p->len && !p->failed) {
		size_t at = p->pos;
		char c = p->s[at];
		struct av_sh_node *part = NULL;
		bool was_tilde_ok = tilde_ok;
		tilde_ok = false;
		/* The end of the word in this mode. */
		if (m == WM_DQ && c == '"')
			break;
		if ((m == WM_OPERAND || m == WM_OPERAND_DQ) &&
		    (c == '}' || (c == ':' && (wf & SH_W_STOP_COLON)) ||
		     (c == '/' && (wf & SH_W_STOP_SLASH))))
			break;
		if (m == WM_ARITH && c == ';' && (wf & SH_W_STOP_SEMI))
			break;
		if (m == WM_SUBSCRIPT) {
			if (c == ']' && depth == 0)
				break;
			if (c == '[' || c == ']') {
				depth += c == '[' ? 1 : -1u;
				if (!lit_add(p, &l, p->s + at, 1))
					break;
				p->pos++;
				continue;
			}
		}
		if (m == WM_REGEX) {
			if (c == '(' || (c == ')' && depth > 0) || c == '|' ||
			    (depth > 0 && c != '\n' && sh_is_meta(c))) {
				if (c == '(')
					depth++;
				else if (c == ')')
					depth--;
				if (!lit_add(p, &l, p->s + at, 1))
					break;
				p->pos++;
				continue;
			}
			if (sh_is_meta(c))
				break;
		}
		if (m == WM_NORMAL && sh_is_meta(c))
			break;

		if (was_tilde_ok && c == '~') {
			if (!lit_flush(p, word, &tail, &l))
				break;
			part = read_tilde(p, m, wf);
			if (part != NULL || p->failed) {
				if (part != NULL)
					sh_add(word, &tail, part);
				continue;
			}
		}
		switch (c) {
		case '\\': {
			char e = sh_peek(p, 1);
			if (at + 1 < p->len && e == '\n') {
				p->pos += 2;
				tilde_ok = was_tilde_ok && (wf & SH_W_ASSIGN);
				continue;
			}
			if (is_unquoted_mode(m)) {
				if (!lit_flush(p, word, &tail, &l))
					break;
				if (at + 1 >= p->len)
					part = leaf(p, AV_SH_ESC, at, at + 1, at + 1);
				else
					part = leaf(p, AV_SH_ESC, at + 1, at + 2, at + 2);
				break;
			}
			if (at + 1 >= p->len) {
				lit_add(p, &l, p->s + at, 1);
				p->pos++;
			} else if (dq_escapable(e, m, wf)) {
				lit_add(p, &l, p->s + at + 1, 1);
				p->pos += 2;
			} else {
				lit_add(p, &l, p->s + at, 2);
				p->pos += 2;
			}
			continue;
		}
		case '\'':
			if (!is_unquoted_mode(m))
				goto literal;
			{
				const char *q =
				        memchr(p->s + at + 1, '\'', p->len - at - 1);
				if (q == NULL) {
					sh_incomplete(p, "`''", "the single quote", at);
					break;
				}
				if (!lit_flush(p, word, &tail, &l))
					break;
				size_t end = (size_t)(q - p->s);
				part = leaf(p, AV_SH_SQ, at + 1, end, end + 1);
			}
			break;
		case '"':
			if (m == WM_HEREDOC)
				goto literal;
			if (!lit_flush(p, word, &tail, &l))
				break;
			if (!sh_enter(p))
				break;
			part = sh_node(p, AV_SH_DQ, at);
			if (part == NULL)
				break;
			p->pos++;
			if (!sh_read_parts(p, part, WM_DQ, 0))
				break;
			if (p->pos >= p->len) {
				sh_incomplete(p, "`\"'", "the double quote", at);
				part = NULL;
				break;
			}
			p->pos++;
			sh_finish(p, part);
			sh_leave(p);
			break;
		case '$':
			part = read_dollar(p, m);
			if (part == NULL && !p->failed) {
				lit_add(p, &l, p->s + at, 1);
				p->pos++;
				continue;
			}
			break;
		case '`':
			if (!lit_flush(p, word, &tail, &l))
				break;
			part = read_backquote(p, !is_unquoted_mode(m));
			break;
		case '*':
		case '?':
		case '[':
		case '+':
		case '@':
		case '!':
			if (!globs)
				goto literal;
			if (c != '[' && sh_peek(p, 1) == '(') {
				size_t end = scan_extglob(p, at + 1, m);
				if (end != 0) {
					if (!lit_flush(p, word, &tail, &l))
						break;
					part = leaf(p, AV_SH_GLOB, at, end, end);
					break;
				}
			}
			if (c == '+' || c == '@' || c == '!')
				goto literal;
			if (!lit_flush(p, word, &tail, &l))
				break;
			part = leaf(p, AV_SH_GLOB, at, at + 1, at + 1);
			break;
		case ':':
			if (wf & SH_W_ASSIGN)
				tilde_ok = true;
			goto literal;
		default:
		literal : {
			size_t i = at + 1;
			while (i < p->len && !special(p->s[i], m, wf))
				i++;
			if (c == ':' && (wf & SH_W_ASSIGN))
				i = at + 1;
			lit_add(p, &l, p->s + at, i - at);
			p->pos = i;
			continue;
		}
		}
		if (part == NULL || !lit_flush(p, word, &tail, &l))
			break;
		sh_add(word, &tail, part);
	}
	if (p->failed)
		return false;
	if (m == WM_REGEX && depth > 0) {
		/* Unbalanced ( in a regular expression: where it would end
		 * depends on text after the newline; refuse it. */
		sh_unexpected(p, "`)' to close the group in the regular expression");
		return false;
	}
	if (!lit_flush(p, word, &tail, &l))
		return false;
	sh_leave(p);
	return true;
}

struct av_sh_node *sh_read_word(struct sh_parser *p, enum sh_wmode m, unsigned wf)
{
	if (p->pos >= p->len)
		return NULL;
	size_t at = p->pos;
	char c = p->s[at];
	struct av_sh_node *w = sh_node(p, AV_SH_WORD, at), *tail = NULL;
	if (w == NULL)
		return NULL;
	if ((m == WM_NORMAL || m == WM_REGEX) && (c == '<' || c == '>') &&
	    sh_peek(p, 1) == '(') {
		struct av_sh_node *ps = read_cmdsub(p, at, at + 2, AV_SH_PROCSUB);
		if (ps == NULL)
			return NULL;
		if (c == '>')
			ps->flags |= AV_SH_F_PROC_OUT;
		sh_add(w, &tail, ps);
	} else if (sh_is_meta(c) && m != WM_REGEX) {
		return NULL;
	}
	if (!sh_read_parts(p, w, m, wf))
		return NULL;
	if (w->kids == NULL)
		return NULL;
	sh_finish(p, w);
	return w;
}

/* ---- assignments ---- */

bool sh_at_assignment(struct sh_parser *p)
{
	size_t i = p->pos;
	if (i >= p->len || !sh_is_name0(p->s[i]))
		return false;
	while (i < p->len && sh_is_name(p->s[i]))
		i++;
	if (i < p->len && p->s[i] == '[') {
		i = scan_subscript(p, i);
		if (i == 0)
			return false;
	}
	if (i < p->len && p->s[i] == '=')
		return true;
	return i + 1 < p->len && p->s[i] == '+' && p->s[i + 1] == '=';
}

static struct av_sh_node *read_value(struct sh_parser *p, struct av_sh_node *a,
                                     struct av_sh_node **tail)
{
	if (sh_peek(p, 0) == '+') {
		a->flags |= AV_SH_F_APPEND;
		p->pos++;
	}
	if (sh_peek(p, 0) != '=' || p->pos >= p->len)
		return sh_unexpected(p, "`=' in the assignment");
	p->pos++;
	struct av_sh_node *w = sh_node(p, AV_SH_WORD, p->pos);
	if (w == NULL || !sh_read_parts(p, w, WM_NORMAL, SH_W_ASSIGN))
		return NULL;
	sh_finish(p, w);
	sh_add(a, tail, w);
	return w;
}

static struct av_sh_node *read_array(struct sh_parser *p)
{
	size_t at = p->pos;
	if (!sh_enter(p))
		return NULL;
	struct av_sh_node *arr = sh_node(p, AV_SH_ARRAY, at), *tail = NULL;
	if (arr == NULL)
		return NULL;
	p->pos++;
	for (;;) {
		sh_skip_ws(p);
		if (p->failed)
			return NULL;
		if (p->pos >= p->len)
			return sh_incomplete(p, "`)'", "the array", at);
		char c = p->s[p->pos];
		if (c == '\n') {
			if (!sh_eat_newline(p))
				return NULL;
			continue;
		}
		if (c == ')') {
			p->pos++;
			break;
		}
		size_t end = c == '[' ? scan_subscript(p, p->pos) : 0;
		if (end != 0 && end < p->len &&
		    (p->s[end] == '=' ||
		     (p->s[end] == '+' && end + 1 < p->len && p->s[end + 1] == '='))) {
			struct av_sh_node *e = sh_node(p, AV_SH_ELEM, p->pos), *et = NULL;
			struct av_sh_node *sub = e ? read_subscript(p) : NULL;
			if (sub == NULL)
				return NULL;
			sh_add(e, &et, sub);
			if (read_value(p, e, &et) == NULL)
				return NULL;
			sh_finish(p, e);
			sh_add(arr, &tail, e);
			continue;
		}
		struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
		if (w == NULL)
			return p->failed ? NULL
			                 : sh_unexpected(p, "an array element or `)'");
		sh_add(arr, &tail, w);
	}
	sh_finish(p, arr);
	sh_leave(p);
	return arr;
}

struct av_sh_node *sh_read_assignment(struct sh_parser *p)
{
	size_t at = p->pos, i = at;
	struct av_sh_node *a = sh_node(p, AV_SH_ASSIGN, at), *tail = NULL;
	if (a == NULL)
		return NULL;
	while (i < p->len && sh_is_name(p->s[i]))
		i++;
	a->text = p->s + at;
	a->len = (uint32_t)(i - at);
	p->pos = i;
	if (sh_peek(p, 0) == '[') {
		struct av_sh_node *sub = read_subscript(p);
		if (sub == NULL)
			return NULL;
		sh_add(a, &tail, sub);
	}
	size_t eq = p->pos + (sh_peek(p, 0) == '+' ? 1 : 0);
	if (eq >= p->len || p->s[eq] != '=') {
		p->pos = eq;
		return sh_unexpected(p, "`=' after the subscript");
	}
	if (eq + 1 < p->len && p->s[eq + 1] == '(') {
		if (eq > p->pos)
			a->flags |= AV_SH_F_APPEND;
		p->pos = eq + 1;
		struct av_sh_node *arr = read_array(p);
		if (arr == NULL)
			return NULL;
		sh_add(a, &tail, arr);
	} else if (read_value(p, a, &tail) == NULL) {
		return NULL;
	}
	sh_finish(p, a);
	return a;
}

/* ---- here-documents ---- */

bool sh_read_heredoc_delim(struct sh_parser *p, struct av_sh_node *r)
{
	size_t at = p->pos;
	struct av_sh_node *w = sh_read_word(p, WM_NORMAL, 0);
	if (w == NULL) {
		if (!p->failed)
			sh_unexpected(p, "a here-document delimiter");
		return false;
	}
	size_t end = p->pos;
	char *d = av_arena_alloc(p->arena, end - at + 1);
	if (d == NULL) {
		sh_fail(p, AV_SH_E_NOMEM, at, "out of memory", "the arena is full");
		return false;
	}
	/* Quote removal without expansion, as bash does for the delimiter. */
	size_t k = 0;
	bool quoted = false;
	for (size_t i = at; i < end;) {
		char c = p->s[i];
		if (c == '\\') {
			/* A backslash quotes the next byte, or itself at the end. */
			d[k++] = i + 1 < end ? p->s[i + 1] : c;
			quoted = true;
			i += 2;
		} else if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (j < end && p->s[j] != c) {
				if (c == '"' && p->s[j] == '\\' && j + 1 < end &&
				    strchr("$`\"\\", p->s[j + 1]) != NULL)
					j++;
				d[k++] = p->s[j++];
			}
			quoted = true;
			i = j + 1;
		} else {
			d[k++] = c;
			i++;
		}
	}
	if (memchr(d, '\n', k) != NULL ||
	    (k > 0 && d[0] == '\t' && (r->flags & AV_SH_F_HD_STRIP))) {
		/* bash would read to the end of the input; we refuse rather
		 * than guess where the body ends. */
		sh_fail(p, AV_SH_E_SYNTAX, at, "unsupported here-document delimiter",
		        "this delimiter can never match a line");
		return false;
	}
	struct av_sh_node *dw = sh_node(p, AV_SH_WORD, at);
	struct av_sh_node *lit = dw ? sh_node(p, AV_SH_LIT, at) : NULL;
	struct sh_heredoc *h = lit ? av_arena_alloc(p->arena, sizeof(*h)) : NULL;
	if (h == NULL) {
		if (!p->failed)
			sh_fail(p, AV_SH_E_NOMEM, at, "out of memory",
			        "the arena is full");
		return false;
	}
	lit->text = d;
	lit->len = (uint32_t)k;
	dw->kids = k > 0 ? lit : NULL;
	sh_finish(p, lit);
	sh_finish(p, dw);
	r->kids = dw;
	if (quoted)
		r->flags |= AV_SH_F_HD_QUOTED;
	if (++p->heredocs > p->lim.max_heredocs) {
		sh_fail(p, AV_SH_E_LIMIT, at, "too many here-documents",
		        "the limit is %u", p->lim.max_heredocs);
		return false;
	}
	h->redir = r;
	h->delim = d;
	h->delim_len = k;
	if (p->hd_tail != NULL)
		p->hd_tail->next = h;
	else
		p->hd_head = h;
	p->hd_tail = h;
	return true;
}

/* Compares the logical line at s[i] (continuations joined unless quoted)
 * with the delimiter; *next is where the following line starts. */
static bool line_is_delim(const struct sh_parser *p, size_t i, const struct sh_heredoc *h,
                          bool quoted, size_t *next)
{
	size_t j = 0;
	bool same = true;
	while (i < p->len && p->s[i] != '\n') {
		char c = p->s[i];
		size_t n = 1;
		if (c == '\\' && !quoted && i + 1 < p->len) {
			if (p->s[i + 1] == '\n') {
				i += 2;
				continue;
			}
			n = 2;
		}
		for (size_t k = 0; k < n; k++) {
			if (j < h->delim_len && h->delim[j] == p->s[i + k])
				j++;
			else
				same = false;
		}
		i += n;
	}
	*next = i < p->len ? i + 1 : p->len;
	return same && j == h->delim_len;
}

/* Appends "\n" to the last literal of word, or as a new literal. */
static bool append_newline(struct sh_parser *p, struct av_sh_node *w)
{
	struct av_sh_node *last = w->kids;
	while (last != NULL && last->next != NULL)
		last = last->next;
	if (last != NULL && last->kind == AV_SH_LIT) {
		char *t = av_arena_alloc(p->arena, (size_t)last->len + 1);
		if (t == NULL) {
			sh_fail(p, AV_SH_E_NOMEM, p->pos, "out of memory",
			        "the arena is full");
			return false;
		}
		memcpy(t, last->text, last->len);
		t[last->len] = '\n';
		last->text = t;
		last->len++;
		return true;
	}
	struct av_sh_node *l = sh_node(p, AV_SH_LIT, p->pos);
	if (l == NULL)
		return false;
	l->text = "\n";
	l->len = 1;
	if (last != NULL)
		last->next = l;
	else
		w->kids = l;
	return true;
}

static bool read_one_heredoc(struct sh_parser *p, struct sh_heredoc *h)
{
	struct av_sh_node *r = h->redir;
	bool strip = r->flags & AV_SH_F_HD_STRIP;
	bool quoted = r->flags & AV_SH_F_HD_QUOTED;
	size_t body = p->pos, body_end = p->len, next = p->len;
	bool terminated = false;
	while (p->pos < p->len) {
		size_t i = p->pos;
		if (strip)
			while (i < p->len && p->s[i] == '\t')
				i++;
		if (line_is_delim(p, i, h, quoted, &next)) {
			body_end = p->pos;
			terminated = true;
			break;
		}
		p->pos = next;
	}
	if (!terminated && (p->s != p->top_s || p->len != p->top_len))
		return sh_fail(p, AV_SH_E_SYNTAX, p->pos, "unterminated here-document",
		               "the delimiter `%.*s' is missing inside a substitution or "
		               "body",
		               (int)(h->delim_len > 40 ? 40 : h->delim_len),
		               h->delim) != NULL;
	size_t after = terminated ? next : p->len;
	/* The body text: direct, or a copy without leading tabs and with a
	 * final newline when the input ended first. */
	const char *text = p->s + body;
	size_t n = body_end - body;
	bool need_nl = !terminated && n > 0 && text[n - 1] != '\n';
	if (strip || need_nl) {
		char *c = av_arena_alloc(p->arena, n + 2);
		if (c == NULL) {
			sh_fail(p, AV_SH_E_NOMEM, body, "out of memory",
			        "the arena is full");
			return false;
		}
		size_t k = 0;
		bool bol = true;
		for (size_t i = 0; i < n; i++) {
			if (strip && bol && text[i] == '\t')
				continue;
			bol = text[i] == '\n';
			c[k++] = text[i];
		}
		if (need_nl)
			c[k++] = '\n';
		text = c;
		n = k;
	}
	struct av_sh_node *w = sh_node(p, AV_SH_WORD, body);
	if (w == NULL)
		return false;
	if (quoted) {
		if (n > 0) {
			struct av_sh_node *l = sh_node(p, AV_SH_LIT, body);
			if (l == NULL)
				return false;
			l->text = text;
			l->len = (uint32_t)n;
			w->kids = l;
		}
	} else if (n > 0) {
		const char *s = p->s;
		size_t len = p->len, base = p->base;
		bool copy = p->copy;
		if (text != p->s + body) {
			p->s = text;
			p->base = base + body;
			p->copy = true;
			p->pos = 0;
			/* The newline added at the end of input is appended after
			 * parsing, so a final backslash cannot join it. */
			p->len = need_nl ? n - 1 : n;
		} else {
			p->pos = body;
			p->len = body_end;
		}
		bool ok = sh_read_parts(p, w, WM_HEREDOC, 0);
		p->s = s;
		p->len = len;
		p->base = base;
		p->copy = copy;
		if (!ok)
			return false;
		if (need_nl && !append_newline(p, w))
			return false;
	}
	p->pos = after;
	sh_finish(p, w);
	w->end = w->start + (uint32_t)n;
	r->kids->next = w;
	return true;
}

bool sh_read_heredocs(struct sh_parser *p)
{
	struct sh_heredoc *h = p->hd_head;
	p->hd_head = p->hd_tail = NULL;
	for (; h != NULL; h = h->next)
		if (!read_one_heredoc(p, h))
			return false;
	return true;
}
