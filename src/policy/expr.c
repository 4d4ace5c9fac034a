/* expr.c - lexer, recursive-descent parser, type checker and evaluator of
 * the policy expression language (grammar in docs/POLICY.md):
 *
 *   expr := or ;  or := and ('or' and)* ;  and := not ('and' not)* ;
 *   not  := 'not' not | cmp ;  cmp := value [ op value ] ;
 *   value := STRING | NUMBER | true | false | null | '[' STRING, ... ']'
 *          | FIELD | list.NAME | '(' expr ')'
 *
 * One function per grammar rule; recursion is bounded by
 * AV_POLICY_MAX_EXPR_DEPTH, and chains of `and` / `or` become one n-ary
 * node so long rules do not make deep trees. Everything a check can find
 * before evaluation (unknown fields, type errors, bad regexes, relative
 * `under` bases) is a compile error, so evaluation only fails on resource
 * limits. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/expr.h"

/* ---- the compiled tree ----------------------------------------------- */

enum node_op {
	N_LIT = 0, /* literal value (lit) */
	N_FIELD,   /* field id */
	N_LIST,    /* named list id */
	N_NOT,     /* not a */
	N_AND,     /* kids[0] and kids[1] and ... */
	N_OR,
	N_CMP, /* a <cmp> b */
};

enum cmp_op {
	C_EQ = 0,
	C_NE,
	C_LT,
	C_LE,
	C_GT,
	C_GE,
	C_IN,
	C_NOT_IN,
	C_MATCHES,
	C_GLOB,
	C_UNDER,
	C_NOT_UNDER,
	C_CONTAINS,
	C_STARTSWITH,
	C_ENDSWITH,
	C_IS_NULL,  /* a == null */
	C_NOT_NULL, /* a != null */
};

struct av_expr {
	enum node_op op;
	enum cmp_op cmp;
	enum av_xtype type; /* static type of the node's value */
	uint32_t id;        /* field or list id */
	struct av_value lit;
	const struct av_expr *a, *b;
	const struct av_expr **kids;
	uint32_t nkids, capkids;
	pcre2_code *re; /* C_MATCHES */
};

/* ---- lexer --------------------------------------------------------------- */

enum tok {
	T_EOF = 0,
	T_STR,
	T_NUM,
	T_NAME, /* identifier or dotted field name, keywords included */
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_LPAREN,
	T_RPAREN,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_BAD, /* a lexical error; the parser reports it */
};

struct token {
	enum tok t;
	size_t start, end; /* byte offsets in the source */
	int64_t num;
	const char *str; /* decoded T_STR, from the arena */
	size_t slen;
	const char *bad; /* T_BAD: why */
};

struct parser {
	const char *src;
	size_t len;
	const struct av_expr_env *env;
	struct av_expr_error *err;
	struct token tok; /* the current token */
	int depth;
	bool failed;
};

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scans the string literal that starts at pos, writing the decoded text to
 * out when out is not NULL. Returns the decoded length, or -1 with t set to
 * T_BAD. Called twice, to count and then to copy, so each literal takes
 * exactly its own size from the arena. */
static long scan_string(const struct parser *p, size_t pos, struct token *t, char *out)
{
	char q = p->src[pos];
	size_t n = 0, i = pos + 1;
	for (;;) {
		if (i >= p->len || (p->src[i] == '\\' && i + 1 >= p->len)) {
			t->t = T_BAD;
			t->bad = "unterminated string";
			t->end = p->len;
			return -1;
		}
		char c = p->src[i];
		if (c == q)
			break;
		if (c == '\0') {
			t->t = T_BAD;
			t->bad = "NUL character in a string";
			t->start = i;
			return -1;
		}
		if (c == '\\') {
			switch (p->src[i + 1]) {
			case '"':
			case '\'':
			case '\\':
				c = p->src[i + 1];
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				t->t = T_BAD;
				t->bad = "unknown escape in a string (use \\\" \\' \\\\ "
				         "\\n or \\t)";
				t->start = i;
				t->end = i + 2;
				return -1;
			}
			i++;
		}
		if (out != NULL)
			out[n] = c;
		n++;
		i++;
	}
	t->end = i + 1;
	return (long)n;
}

static void lex_string(struct parser *p, size_t pos, struct token *t)
{
	long n = scan_string(p, pos, t, NULL);
	if (n < 0)
		return;
	char *out = av_arena_alloc(p->env->arena, (size_t)n + 1);
	if (out == NULL) {
		t->t = T_BAD;
		t->bad = "out of memory";
		return;
	}
	scan_string(p, pos, t, out);
	out[n] = '\0';
	t->t = T_STR;
	t->str = out;
	t->slen = (size_t)n;
}

static void lex_number(struct parser *p, size_t pos, struct token *t)
{
	size_t i = pos;
	bool neg = false;
	if (p->src[i] == '-') {
		neg = true;
		i++;
	}
	/* Accumulate as a negative number so INT64_MIN is representable. */
	int64_t v = 0;
	for (; i < p->len && is_digit(p->src[i]); i++) {
		int d = p->src[i] - '0';
		if (v < (INT64_MIN + d) / 10) {
			t->t = T_BAD;
			t->bad = "number out of range";
			t->end = i;
			return;
		}
		v = v * 10 - d;
	}
	if (i < p->len && is_ident_char(p->src[i])) {
		t->t = T_BAD;
		t->bad = "malformed number (only decimal integers are supported)";
		t->end = i + 1;
		return;
	}
	if (!neg) {
		if (v == INT64_MIN) {
			t->t = T_BAD;
			t->bad = "number out of range";
			t->end = i;
			return;
		}
		v = -v;
	}
	t->t = T_NUM;
	t->num = v;
	t->end = i;
}

/* Reads the token that starts at or after pos. Never fails: problems come
 * back as T_BAD with a reason. */
static void lex(struct parser *p, size_t pos, struct token *t)
{
	memset(t, 0, sizeof(*t));
	while (pos < p->len && (p->src[pos] == ' ' || p->src[pos] == '\t' ||
	                        p->src[pos] == '\n' || p->src[pos] == '\r'))
		pos++;
	t->start = pos;
	t->end = pos + 1;
	if (pos >= p->len) {
		t->t = T_EOF;
		t->end = pos;
		return;
	}
	char c = p->src[pos];
	char n = pos + 1 < p->len ? p->src[pos + 1] : '\0';
	switch (c) {
	case '"':
	case '\'':
		lex_string(p, pos, t);
		return;
	case '[':
		t->t = T_LBRACK;
		return;
	case ']':
		t->t = T_RBRACK;
		return;
	case ',':
		t->t = T_COMMA;
		return;
	case '(':
		t->t = T_LPAREN;
		return;
	case ')':
		t->t = T_RPAREN;
		return;
	case '=':
		if (n == '=') {
			t->t = T_EQ;
			t->end = pos + 2;
			return;
		}
		t->t = T_BAD;
		t->bad = "'=' is not an operator (use '==')";
		return;
	case '!':
		if (n == '=') {
			t->t = T_NE;
			t->end = pos + 2;
			return;
		}
		t->t = T_BAD;
		t->bad = "'!' is not an operator (use 'not' or '!=')";
		return;
	case '<':
		t->t = n == '=' ? T_LE : T_LT;
		t->end = pos + (n == '=' ? 2 : 1);
		return;
	case '>':
		t->t = n == '=' ? T_GE : T_GT;
		t->end = pos + (n == '=' ? 2 : 1);
		return;
	default:
		break;
	}
	if (is_digit(c) || (c == '-' && is_digit(n))) {
		lex_number(p, pos, t);
		return;
	}
	if (is_ident_start(c)) {
		size_t i = pos;
		for (;;) {
			while (i < p->len && is_ident_char(p->src[i]))
				i++;
			if (i + 1 < p->len && p->src[i] == '.' &&
			    is_ident_start(p->src[i + 1]))
				i++;
			else
				break;
		}
		t->t = T_NAME;
		t->end = i;
		return;
	}
	t->t = T_BAD;
	t->bad = "unexpected character (strings need quotes)";
}

static bool tok_is(const struct parser *p, const struct token *t, const char *word)
{
	size_t n = strlen(word);
	return t->t == T_NAME && t->end - t->start == n &&
	       memcmp(p->src + t->start, word, n) == 0;
}

static const char *const keywords[] = {
	"and",      "or",         "not",      "in",   "matches", "glob", "under",
	"contains", "startswith", "endswith", "true", "false",   "null",
};

static bool tok_is_keyword(const struct parser *p, const struct token *t)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (tok_is(p, t, keywords[i]))
			return true;
	return false;
}

/* ---- parser helpers -------------------------------------------------------- */

static void *fail_at(struct parser *p, size_t offset, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void *fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	if (!p->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
		va_end(ap);
		p->err->offset = offset;
		p->failed = true;
	}
	return NULL;
}

static void advance(struct parser *p)
{
	lex(p, p->tok.end, &p->tok);
}

/* Describes the current token for "expected X, found Y" messages. */
static void describe(const struct parser *p, const struct token *t, char *buf, size_t cap)
{
	switch (t->t) {
	case T_EOF:
		snprintf(buf, cap, "the end of the expression");
		return;
	case T_STR:
		snprintf(buf, cap, "a string");
		return;
	case T_NUM:
		snprintf(buf, cap, "a number");
		return;
	default: {
		size_t n = t->end - t->start;
		if (n > 40)
			n = 40;
		snprintf(buf, cap, "'%.*s'", (int)n, p->src + t->start);
	}
	}
}

static struct av_expr *new_node(struct parser *p, enum node_op op, enum av_xtype type)
{
	struct av_expr *e = av_arena_alloc(p->env->arena, sizeof(*e));
	if (e == NULL)
		return fail_at(p, p->tok.start, "out of memory compiling the expression");
	e->op = op;
	e->type = type;
	return e;
}

static const char *type_name(enum av_xtype t)
{
	switch (t) {
	case AV_XT_NULL:
		return "null";
	case AV_XT_BOOL:
		return "a boolean";
	case AV_XT_NUM:
		return "a number";
	case AV_XT_STR:
		return "a string";
	case AV_XT_LIST:
		return "a list";
	}
	return "a value";
}

static const char *const cmp_names[] = {
	[C_EQ] = "==",
	[C_NE] = "!=",
	[C_LT] = "<",
	[C_LE] = "<=",
	[C_GT] = ">",
	[C_GE] = ">=",
	[C_IN] = "in",
	[C_NOT_IN] = "not in",
	[C_MATCHES] = "matches",
	[C_GLOB] = "glob",
	[C_UNDER] = "under",
	[C_NOT_UNDER] = "not under",
	[C_CONTAINS] = "contains",
	[C_STARTSWITH] = "startswith",
	[C_ENDSWITH] = "endswith",
	[C_IS_NULL] = "==",
	[C_NOT_NULL] = "!=",
};

/* ---- grammar ----------------------------------------------------------------- */

static struct av_expr *parse_or(struct parser *p);

static bool enter(struct parser *p)
{
	if (++p->depth > AV_POLICY_MAX_EXPR_DEPTH) {
		fail_at(p, p->tok.start, "the expression nests deeper than %d levels",
		        AV_POLICY_MAX_EXPR_DEPTH);
		return false;
	}
	return true;
}

static struct av_expr *parse_list_literal(struct parser *p)
{
	struct av_expr *e = new_node(p, N_LIT, AV_XT_LIST);
	if (e == NULL)
		return NULL;
	const char **items = NULL;
	uint32_t count = 0, cap = 0;
	advance(p); /* '[' */
	if (p->tok.t == T_RBRACK) {
		advance(p);
	} else {
		for (;;) {
			if (p->tok.t == T_BAD)
				return fail_at(p, p->tok.start, "%s", p->tok.bad);
			if (p->tok.t != T_STR)
				return fail_at(p, p->tok.start,
				               "list elements must be string literals");
			const char **slot =
			        av_arena_push(p->env->arena, (void **)&items, &count,
			                      &cap, sizeof(*items), UINT32_MAX);
			if (slot == NULL)
				return fail_at(p, p->tok.start, "out of memory");
			*slot = p->tok.str;
			advance(p);
			if (p->tok.t == T_COMMA) {
				advance(p);
				continue;
			}
			if (p->tok.t == T_RBRACK) {
				advance(p);
				break;
			}
			char what[64];
			describe(p, &p->tok, what, sizeof(what));
			return fail_at(p, p->tok.start,
			               "expected ',' or ']' in a list, found %s", what);
		}
	}
	e->lit.type = AV_XT_LIST;
	e->lit.items = items;
	e->lit.count = count;
	return e;
}

static struct av_expr *parse_name(struct parser *p)
{
	const char *name = p->src + p->tok.start;
	size_t len = p->tok.end - p->tok.start;
	size_t at = p->tok.start;
	struct av_expr *e;

	if (tok_is(p, &p->tok, "true") || tok_is(p, &p->tok, "false")) {
		e = new_node(p, N_LIT, AV_XT_BOOL);
		if (e == NULL)
			return NULL;
		e->lit.type = AV_XT_BOOL;
		e->lit.b = tok_is(p, &p->tok, "true");
		advance(p);
		return e;
	}
	if (tok_is(p, &p->tok, "null")) {
		e = new_node(p, N_LIT, AV_XT_NULL);
		if (e == NULL)
			return NULL;
		advance(p);
		return e;
	}
	if (tok_is_keyword(p, &p->tok))
		return fail_at(p, at, "expected a value, found the keyword '%.*s'",
		               (int)len, name);
	if (len > 5 && memcmp(name, "list.", 5) == 0) {
		int32_t id = p->env->list_lookup != NULL
		                     ? p->env->list_lookup(p->env->ud, name + 5, len - 5)
		                     : -1;
		if (id < 0)
			return fail_at(p, at,
			               "unknown list '%.*s' (define it under lists:)",
			               (int)(len > 64 ? 64 : len), name);
		e = new_node(p, N_LIST, AV_XT_LIST);
		if (e == NULL)
			return NULL;
		e->id = (uint32_t)id;
		advance(p);
		return e;
	}
	int f = av_field_lookup(name, len);
	if (f < 0)
		return fail_at(p, at, "unknown field '%.*s'", (int)(len > 64 ? 64 : len),
		               name);
	if (p->env->action_scope && av_field_scope((enum av_field)f) != AV_SCOPE_ACTION)
		return fail_at(
		        p, at,
		        "field '%s' belongs to an effect or command and is always null "
		        "in an action-level rule",
		        av_field_name((enum av_field)f));
	e = new_node(p, N_FIELD, av_field_type((enum av_field)f));
	if (e == NULL)
		return NULL;
	e->id = (uint32_t)f;
	advance(p);
	return e;
}

static struct av_expr *parse_value(struct parser *p)
{
	struct av_expr *e;
	char what[64];
	switch (p->tok.t) {
	case T_STR:
		e = new_node(p, N_LIT, AV_XT_STR);
		if (e == NULL)
			return NULL;
		e->lit.type = AV_XT_STR;
		e->lit.s = p->tok.str;
		advance(p);
		return e;
	case T_NUM:
		e = new_node(p, N_LIT, AV_XT_NUM);
		if (e == NULL)
			return NULL;
		e->lit.type = AV_XT_NUM;
		e->lit.n = p->tok.num;
		advance(p);
		return e;
	case T_NAME:
		return parse_name(p);
	case T_LBRACK:
		return parse_list_literal(p);
	case T_LPAREN: {
		size_t open = p->tok.start;
		advance(p);
		e = parse_or(p);
		if (e == NULL)
			return NULL;
		if (p->tok.t != T_RPAREN) {
			describe(p, &p->tok, what, sizeof(what));
			return fail_at(
			        p, p->tok.start,
			        "expected ')' to close the '(' at column %zu, found %s",
			        open + 1, what);
		}
		advance(p);
		return e;
	}
	case T_BAD:
		return fail_at(p, p->tok.start, "%s", p->tok.bad);
	default:
		describe(p, &p->tok, what, sizeof(what));
		return fail_at(p, p->tok.start, "expected a value, found %s", what);
	}
}

/* Recognizes a comparison operator at the current token. Returns false
 * when there is none; for "not in" / "not under" it consumes two tokens. */
static bool parse_cmp_op(struct parser *p, enum cmp_op *op)
{
	static const struct {
		const char *word;
		enum cmp_op op;
	} words[] = {
		{ "in", C_IN },
		{ "matches", C_MATCHES },
		{ "glob", C_GLOB },
		{ "under", C_UNDER },
		{ "contains", C_CONTAINS },
		{ "startswith", C_STARTSWITH },
		{ "endswith", C_ENDSWITH },
	};
	switch (p->tok.t) {
	case T_EQ:
		*op = C_EQ;
		break;
	case T_NE:
		*op = C_NE;
		break;
	case T_LT:
		*op = C_LT;
		break;
	case T_LE:
		*op = C_LE;
		break;
	case T_GT:
		*op = C_GT;
		break;
	case T_GE:
		*op = C_GE;
		break;
	case T_NAME:
		if (tok_is(p, &p->tok, "not")) {
			struct token next;
			lex(p, p->tok.end, &next);
			if (tok_is(p, &next, "in"))
				*op = C_NOT_IN;
			else if (tok_is(p, &next, "under"))
				*op = C_NOT_UNDER;
			else
				return false;
			p->tok = next;
			advance(p);
			return true;
		}
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (tok_is(p, &p->tok, words[i].word)) {
				*op = words[i].op;
				advance(p);
				return true;
			}
		}
		return false;
	default:
		return false;
	}
	advance(p);
	return true;
}

static bool is_lit(const struct av_expr *e, enum av_xtype t)
{
	return e->op == N_LIT && e->lit.type == t;
}

/* A literal base for `under` must be absolute or start with "~" / "~/". */
static bool under_base_ok(const char *s)
{
	return s[0] == '/' || (s[0] == '~' && (s[1] == '\0' || s[1] == '/'));
}

/* Rejects string literals that can never equal an enum-valued field. */
static struct av_expr *check_enum_literal(struct parser *p, size_t at,
                                          const struct av_expr *f,
                                          const struct av_expr *lit)
{
	if (f->op != N_FIELD)
		return (struct av_expr *)lit;
	if (lit->op == N_LIT && lit->lit.type == AV_XT_STR) {
		if (!av_field_accepts((enum av_field)f->id, lit->lit.s))
			return fail_at(p, at, "\"%.64s\" is never a value of %s",
			               lit->lit.s, av_field_name((enum av_field)f->id));
	} else if (lit->op == N_LIT && lit->lit.type == AV_XT_LIST) {
		for (uint32_t i = 0; i < lit->lit.count; i++)
			if (!av_field_accepts((enum av_field)f->id, lit->lit.items[i]))
				return fail_at(p, at, "\"%.64s\" is never a value of %s",
				               lit->lit.items[i],
				               av_field_name((enum av_field)f->id));
	}
	return (struct av_expr *)lit;
}

static struct av_expr *compile_regex(struct parser *p, size_t at, struct av_expr *e,
                                     const struct av_expr *pat)
{
	int code = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *re =
	        pcre2_compile((PCRE2_SPTR)pat->lit.s, strlen(pat->lit.s),
	                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[120];
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		return fail_at(
		        p, at,
		        "invalid regular expression: %s at offset %zu of the pattern",
		        (const char *)msg, (size_t)off);
	}
	/* JIT is an optimization: when it is unavailable pcre2_match interprets. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	struct av_expr_regex *r = av_arena_alloc(p->env->arena, sizeof(*r));
	if (r == NULL) {
		pcre2_code_free(re);
		return fail_at(p, at, "out of memory compiling the expression");
	}
	r->code = re;
	if (p->env->regexes != NULL) {
		r->next = *p->env->regexes;
		*p->env->regexes = r;
	}
	e->re = re;
	return e;
}

/* Builds and type-checks a comparison node. at = the operator's offset. */
static struct av_expr *make_cmp(struct parser *p, size_t at, enum cmp_op op,
                                const struct av_expr *a, const struct av_expr *b)
{
	struct av_expr *e = new_node(p, N_CMP, AV_XT_BOOL);
	if (e == NULL)
		return NULL;
	e->cmp = op;
	e->a = a;
	e->b = b;
	const char *on = cmp_names[op];

	switch (op) {
	case C_EQ:
	case C_NE:
		if (a->type == AV_XT_NULL || b->type == AV_XT_NULL) {
			/* `x == null` tests for a missing value; `null == null`
			 * is a constant. */
			if (a->type == AV_XT_NULL && b->type == AV_XT_NULL) {
				e->op = N_LIT;
				e->lit.type = AV_XT_BOOL;
				e->lit.b = op == C_EQ;
				return e;
			}
			e->cmp = op == C_EQ ? C_IS_NULL : C_NOT_NULL;
			e->a = a->type == AV_XT_NULL ? b : a;
			e->b = NULL;
			return e;
		}
		if (a->type == AV_XT_LIST || b->type == AV_XT_LIST)
			return fail_at(
			        p, at,
			        "'%s' cannot compare lists; use 'in' or 'contains'", on);
		if (a->type != b->type)
			return fail_at(p, at, "'%s' cannot compare %s with %s", on,
			               type_name(a->type), type_name(b->type));
		if (check_enum_literal(p, at, a, b) == NULL ||
		    check_enum_literal(p, at, b, a) == NULL)
			return NULL;
		return e;
	case C_LT:
	case C_LE:
	case C_GT:
	case C_GE:
		if (a->type != AV_XT_NUM || b->type != AV_XT_NUM)
			return fail_at(p, at,
			               "'%s' needs numbers on both sides, not %s and %s",
			               on, type_name(a->type), type_name(b->type));
		return e;
	default:
		break;
	}

	/* The remaining operators all need a string on the left, except
	 * `contains`, which also takes a list. */
	if (!(a->type == AV_XT_STR || (op == C_CONTAINS && a->type == AV_XT_LIST)))
		return fail_at(p, at, "the left side of '%s' must be %s, not %s", on,
		               op == C_CONTAINS ? "a string or a list" : "a string",
		               type_name(a->type));

	switch (op) {
	case C_IN:
	case C_NOT_IN:
		if (b->type != AV_XT_LIST)
			return fail_at(
			        p, at,
			        "the right side of '%s' must be a list ([...], list.NAME "
			        "or a list field), not %s",
			        on, type_name(b->type));
		return check_enum_literal(p, at, a, b) == NULL ? NULL : e;
	case C_MATCHES:
		if (!is_lit(b, AV_XT_STR))
			return fail_at(
			        p, at,
			        "the right side of 'matches' must be a string literal "
			        "(a regular expression)");
		return compile_regex(p, at, e, b);
	case C_GLOB:
		if (b->type != AV_XT_STR)
			return fail_at(
			        p, at,
			        "the right side of 'glob' must be a string, not %s",
			        type_name(b->type));
		return e;
	case C_UNDER:
	case C_NOT_UNDER:
		if (is_lit(b, AV_XT_STR)) {
			if (!under_base_ok(b->lit.s))
				return fail_at(
				        p, at,
				        "the right side of '%s' must be an absolute path "
				        "or start with ~/, not \"%.64s\"",
				        on, b->lit.s);
		} else if (is_lit(b, AV_XT_LIST)) {
			for (uint32_t i = 0; i < b->lit.count; i++)
				if (!under_base_ok(b->lit.items[i]))
					return fail_at(
					        p, at,
					        "every path in the list after '%s' must "
					        "be absolute or start with ~/, not "
					        "\"%.64s\"",
					        on, b->lit.items[i]);
		} else if (!(b->op == N_LIST ||
		             (b->op == N_FIELD && b->type == AV_XT_STR))) {
			return fail_at(
			        p, at,
			        "the right side of '%s' must be a path literal, a string "
			        "field, a list literal or list.NAME, not %s",
			        on, type_name(b->type));
		}
		return e;
	case C_CONTAINS:
	case C_STARTSWITH:
	case C_ENDSWITH:
		if (b->type != AV_XT_STR)
			return fail_at(p, at,
			               "the right side of '%s' must be a string, not %s",
			               on, type_name(b->type));
		return e;
	default:
		return fail_at(p, at, "internal error: unhandled operator");
	}
}

static struct av_expr *parse_cmp(struct parser *p)
{
	struct av_expr *a = parse_value(p);
	if (a == NULL)
		return NULL;
	size_t at = p->tok.start;
	enum cmp_op op;
	if (!parse_cmp_op(p, &op))
		return a;
	struct av_expr *b = parse_value(p);
	if (b == NULL)
		return NULL;
	return make_cmp(p, at, op, a, b);
}

static struct av_expr *parse_not(struct parser *p)
{
	if (!tok_is(p, &p->tok, "not"))
		return parse_cmp(p);
	if (!enter(p))
		return NULL;
	advance(p);
	struct av_expr *a = parse_not(p);
	p->depth--;
	if (a == NULL)
		return NULL;
	struct av_expr *e = new_node(p, N_NOT, AV_XT_BOOL);
	if (e == NULL)
		return NULL;
	e->a = a;
	return e;
}

static bool push_kid(struct parser *p, struct av_expr *group, const struct av_expr *kid)
{
	const struct av_expr **slot =
	        av_arena_push(p->env->arena, (void **)&group->kids, &group->nkids,
	                      &group->capkids, sizeof(*slot), UINT32_MAX);
	if (slot == NULL) {
		fail_at(p, p->tok.start, "out of memory compiling the expression");
		return false;
	}
	*slot = kid;
	return true;
}

/* Parses `sub (word sub)*` into one n-ary node (or the single operand). */
static struct av_expr *parse_chain(struct parser *p, const char *word, enum node_op op,
                                   struct av_expr *(*sub)(struct parser *))
{
	struct av_expr *first = sub(p);
	if (first == NULL || !tok_is(p, &p->tok, word))
		return first;
	struct av_expr *group = new_node(p, op, AV_XT_BOOL);
	if (group == NULL || !push_kid(p, group, first))
		return NULL;
	while (tok_is(p, &p->tok, word)) {
		advance(p);
		struct av_expr *next = sub(p);
		if (next == NULL || !push_kid(p, group, next))
			return NULL;
	}
	return group;
}

static struct av_expr *parse_and(struct parser *p)
{
	return parse_chain(p, "and", N_AND, parse_not);
}

static struct av_expr *parse_or(struct parser *p)
{
	if (!enter(p))
		return NULL;
	struct av_expr *e = parse_chain(p, "or", N_OR, parse_and);
	p->depth--;
	return e;
}

int av_expr_compile(const char *src, size_t len, const struct av_expr_env *env,
                    const struct av_expr **out, struct av_expr_error *e)
{
	struct parser p = { .src = src, .len = len, .env = env, .err = e };
	memset(e, 0, sizeof(*e));
	*out = NULL;
	lex(&p, 0, &p.tok);
	if (p.tok.t == T_EOF) {
		fail_at(&p, 0, "the expression is empty");
		return -1;
	}
	struct av_expr *root = parse_or(&p);
	if (root == NULL)
		return -1;
	if (p.tok.t != T_EOF) {
		char what[64];
		if (p.tok.t == T_BAD) {
			fail_at(&p, p.tok.start, "%s", p.tok.bad);
			return -1;
		}
		describe(&p, &p.tok, what, sizeof(what));
		fail_at(&p, p.tok.start,
		        "unexpected %s; expected 'and', 'or' or an operator", what);
		return -1;
	}
	*out = root;
	return 0;
}

void av_expr_regexes_free(struct av_expr_regex *head)
{
	for (struct av_expr_regex *r = head; r != NULL; r = r->next)
		pcre2_code_free(r->code);
}

/* ---- evaluation ----------------------------------------------------------- */

bool av_value_truthy(const struct av_value *v)
{
	switch (v->type) {
	case AV_XT_BOOL:
		return v->b;
	case AV_XT_NUM:
		return v->n != 0;
	case AV_XT_STR:
		return v->s[0] != '\0';
	case AV_XT_LIST:
		return v->count > 0;
	default:
		return false;
	}
}

/* Membership; entries of named lists flagged as patterns match with
 * fnmatch(3) and flags 0. */
static bool list_has(const struct av_value *list, const char *s)
{
	for (uint32_t i = 0; i < list->count; i++) {
		const char *item = list->items[i];
		if (item == NULL)
			continue;
		if (list->glob != NULL && list->glob[i]) {
			if (fnmatch(item, s, 0) == 0)
				return true;
		} else if (strcmp(item, s) == 0) {
			return true;
		}
	}
	return false;
}

static size_t trim_slashes(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] == '/')
		len--;
	return len;
}

/* True when path is base or inside it, at component boundaries: "/a/b"
 * and "/a" are under "/a", "/ab" is not. With tilde set, a base of "~" or
 * "~/x" stands for the action's home (no home: never under). Relative
 * bases never match. */
static bool path_under(const char *path, const char *base, bool tilde, const char *home)
{
	const char *p1 = base, *p2 = "";
	size_t l1, l2 = 0;
	if (path[0] != '/')
		return false;
	if (tilde && base[0] == '~' && (base[1] == '\0' || base[1] == '/')) {
		if (home == NULL || home[0] != '/')
			return false;
		p1 = home;
		p2 = base + 1;
		l1 = trim_slashes(p1, strlen(p1));
		l2 = trim_slashes(p2, strlen(p2));
	} else if (base[0] == '/') {
		l1 = trim_slashes(p1, strlen(p1));
	} else {
		return false;
	}
	if (strncmp(path, p1, l1) != 0)
		return false;
	if (l2 > 0 && strncmp(path + l1, p2, l2) != 0)
		return false;
	size_t n = l1 + l2;
	return n == 0 || path[n] == '\0' || path[n] == '/';
}

static const char *ctx_home(const struct av_expr_ctx *c)
{
	const struct av_action *a = c->facts != NULL ? c->facts->action : NULL;
	return a != NULL ? a->ctx.home : NULL;
}

static void *arena_malloc(size_t size, void *ud)
{
	return av_arena_alloc(ud, size);
}

static void arena_free(void *ptr, void *ud)
{
	/* Arena memory is released all at once when the arena is reset. */
	(void)ptr;
	(void)ud;
}

/* Regex matching allocates its match data (and any backtracking frames)
 * from the evaluation arena through a PCRE2 general context, so it needs no
 * malloc and nothing shared between threads is written. */
static int regex_match(const struct av_expr *e, const char *s, struct av_expr_ctx *c)
{
	if (c->match_data == NULL) {
		if (c->arena == NULL) {
			c->error = "no arena for regular expression matching";
			return -1;
		}
		c->gctx =
		        pcre2_general_context_create(arena_malloc, arena_free, c->arena);
		if (c->gctx != NULL)
			c->match_data = pcre2_match_data_create(1, c->gctx);
		if (c->match_data == NULL) {
			c->error = "out of memory for regular expression matching";
			return -1;
		}
	}
	int rc = pcre2_match(e->re, (PCRE2_SPTR)s, strlen(s), 0, 0, c->match_data,
	                     c->match_context);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	c->error = "a regular expression hit a match limit";
	return -1;
}

static int eval_cond(const struct av_expr *e, struct av_expr_ctx *c);

static int eval_value(const struct av_expr *e, struct av_expr_ctx *c,
                      struct av_value *out)
{
	switch (e->op) {
	case N_LIT:
		*out = e->lit;
		return 0;
	case N_FIELD:
		av_field_get((enum av_field)e->id, c, out);
		return 0;
	case N_LIST: {
		const struct av_expr_list *l = c->lists != NULL ? c->lists[e->id] : NULL;
		memset(out, 0, sizeof(*out));
		out->type = AV_XT_LIST;
		if (l != NULL) {
			out->items = l->items;
			out->glob = l->glob;
			out->count = l->count;
		}
		return 0;
	}
	default: {
		int r = eval_cond(e, c);
		if (r < 0)
			return -1;
		memset(out, 0, sizeof(*out));
		out->type = AV_XT_BOOL;
		out->b = r != 0;
		return 0;
	}
	}
}

static bool values_equal(const struct av_value *x, const struct av_value *y)
{
	switch (x->type) {
	case AV_XT_BOOL:
		return x->b == y->b;
	case AV_XT_NUM:
		return x->n == y->n;
	case AV_XT_STR:
		return strcmp(x->s, y->s) == 0;
	default:
		return false;
	}
}

static bool under_value(const struct av_expr *bnode, const char *path,
                        const struct av_value *base, const struct av_expr_ctx *c)
{
	const char *home = ctx_home(c);
	if (base->type == AV_XT_STR)
		return path_under(path, base->s, bnode->op == N_LIT, home);
	for (uint32_t i = 0; i < base->count; i++)
		if (base->items[i] != NULL &&
		    path_under(path, base->items[i], true, home))
			return true;
	return false;
}

static int eval_cmp(const struct av_expr *e, struct av_expr_ctx *c)
{
	struct av_value x, y;
	if (eval_value(e->a, c, &x) < 0)
		return -1;
	if (e->cmp == C_IS_NULL)
		return x.type == AV_XT_NULL;
	if (e->cmp == C_NOT_NULL)
		return x.type != AV_XT_NULL;
	if (eval_value(e->b, c, &y) < 0)
		return -1;
	/* Every comparison with a missing value is false, including the
	 * negated forms: `path != "/x"` and `host not in list.x` do not fire
	 * when there is no path or host. */
	if (x.type == AV_XT_NULL || y.type == AV_XT_NULL)
		return 0;
	if (e->cmp <= C_GE && x.type != y.type)
		return 0; /* defensive: the compiler rejects mixed types */

	switch (e->cmp) {
	case C_EQ:
		return values_equal(&x, &y);
	case C_NE:
		return !values_equal(&x, &y);
	case C_LT:
		return x.n < y.n;
	case C_LE:
		return x.n <= y.n;
	case C_GT:
		return x.n > y.n;
	case C_GE:
		return x.n >= y.n;
	case C_IN:
		return list_has(&y, x.s);
	case C_NOT_IN:
		return !list_has(&y, x.s);
	case C_MATCHES:
		return regex_match(e, x.s, c);
	case C_GLOB:
		return fnmatch(y.s, x.s, 0) == 0;
	case C_UNDER:
		return under_value(e->b, x.s, &y, c);
	case C_NOT_UNDER:
		return !under_value(e->b, x.s, &y, c);
	case C_CONTAINS:
		if (x.type == AV_XT_LIST)
			return list_has(&x, y.s);
		return strstr(x.s, y.s) != NULL;
	case C_STARTSWITH:
		return strncmp(x.s, y.s, strlen(y.s)) == 0;
	case C_ENDSWITH: {
		size_t lx = strlen(x.s), ly = strlen(y.s);
		return lx >= ly && memcmp(x.s + lx - ly, y.s, ly) == 0;
	}
	default:
		c->error = "internal error: unhandled operator";
		return -1;
	}
}

static int eval_cond(const struct av_expr *e, struct av_expr_ctx *c)
{
	switch (e->op) {
	case N_AND:
		for (uint32_t i = 0; i < e->nkids; i++) {
			int r = eval_cond(e->kids[i], c);
			if (r <= 0)
				return r;
		}
		return 1;
	case N_OR:
		for (uint32_t i = 0; i < e->nkids; i++) {
			int r = eval_cond(e->kids[i], c);
			if (r != 0)
				return r;
		}
		return 0;
	case N_NOT: {
		int r = eval_cond(e->a, c);
		return r < 0 ? -1 : !r;
	}
	case N_CMP:
		return eval_cmp(e, c);
	default: {
		struct av_value v;
		if (eval_value(e, c, &v) < 0)
			return -1;
		return av_value_truthy(&v);
	}
	}
}

int av_expr_eval(const struct av_expr *e, struct av_expr_ctx *ctx)
{
	return eval_cond(e, ctx);
}
