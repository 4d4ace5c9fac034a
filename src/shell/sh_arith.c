/* sh_arith.c - bash arithmetic ($(( )), (( )), let, array subscripts) for the
 * static evaluator: operators, precedence, bases and wrap-around 64-bit.
 *
 * The structure follows bash's expr.c closely (one function per precedence
 * level, a one-token lexer with bash's rules for when `++` is a pre- or
 * post-increment, a "noeval" count for the parts that && || ?: skip), since
 * the point is to compute what bash computes, quirks included: unary minus
 * binds tighter than **, shift counts are taken modulo 64 (what x86-64 bash
 * does), INT64_MIN / -1 is INT64_MIN. All arithmetic is done on uint64_t so
 * hostile input cannot reach signed-overflow undefined behaviour. */
#include <stdio.h>
#include <string.h>

#include "sh_pure.h"

/* Paren nesting plus variable-value recursion. bash allows 1024; we stop
 * earlier (AV_SH_PURE_LIMIT) to keep the C stack small. */
#define ARITH_MAX_DEPTH 128

enum tok {
	T_EOF = 0,
	T_NUM,
	T_ID,       /* a name, maybe with a [subscript] */
	T_EQ,       /* = */
	T_OPASSIGN, /* op= ; the op is in aop */
	T_PLUS,
	T_MINUS,
	T_MUL,
	T_DIV,
	T_MOD,
	T_POW,
	T_LSH,
	T_RSH,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_EQEQ,
	T_NE,
	T_BAND,
	T_BXOR,
	T_BOR,
	T_LAND,
	T_LOR,
	T_NOT,
	T_BNOT,
	T_QUES,
	T_COLON,
	T_COMMA,
	T_LPAR,
	T_RPAR,
	T_PREINC,
	T_PREDEC,
	T_POSTINC,
	T_POSTDEC,
};

struct arith {
	const char *s;
	size_t len, pos;
	const struct av_sh_arith_vars *vars;
	uint32_t *steps;
	unsigned noeval; /* > 0 inside a part that && || ?: skip */
	unsigned depth;
	bool stop; /* an error, unknown value or limit: unwind */
	enum av_sh_pure_status status;
	struct av_sh_arith_result *out;
	/* the current token */
	enum tok tok;
	enum tok last; /* the token before it (bash's lasttok) */
	enum tok aop;  /* for T_OPASSIGN: T_PLUS, T_MUL, ... */
	uint64_t num;
	size_t id, idlen;   /* T_ID: the name */
	size_t sub, sublen; /* T_ID: the subscript text, sublen 0 when none */
	bool has_sub;
	size_t tokstart;
};

static void fail(struct arith *a, enum av_sh_pure_status st, const char *msg)
{
	if (a->stop)
		return;
	a->stop = true;
	a->status = st;
	if (st == AV_SH_PURE_OK) {
		a->out->error = true;
		size_t from = a->tokstart < a->len ? a->tokstart : a->len;
		int shown = (int)(a->len - from > 40 ? 40 : a->len - from);
		snprintf(a->out->message, sizeof(a->out->message),
		         "%s (error token is \"%.*s\")", msg, shown, a->s + from);
	} else {
		snprintf(a->out->message, sizeof(a->out->message), "%s", msg);
	}
}

static bool step(struct arith *a)
{
	if (a->stop)
		return false;
	if (*a->steps == 0) {
		fail(a, AV_SH_PURE_LIMIT, "the arithmetic step limit was reached");
		return false;
	}
	(*a->steps)--;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* bash's strlong: a constant with an optional 0 / 0x / base# prefix. Digits
 * above 9 are a-z, A-Z (the same as a-z up to base 36), @ and _. Values wrap
 * (bash multiplies without an overflow check). */
static uint64_t read_number(struct arith *a, const char *t, size_t n)
{
	size_t i = 0;
	unsigned base = 10;
	bool foundbase = false;
	uint64_t val = 0;
	if (t[0] == '0') {
		i = 1;
		if (n == 1)
			return 0;
		if (t[1] == 'x' || t[1] == 'X') {
			base = 16;
			i = 2;
		} else {
			base = 8;
		}
		foundbase = true;
	}
	for (; i < n; i++) {
		char c = t[i];
		if (c == '#') {
			if (foundbase) {
				fail(a, AV_SH_PURE_OK, "invalid number");
				return 0;
			}
			if (val < 2 || val > 64) {
				fail(a, AV_SH_PURE_OK, "invalid arithmetic base");
				return 0;
			}
			base = (unsigned)val;
			val = 0;
			foundbase = true;
			if (i + 1 >= n || !(is_alnum(t[i + 1]) || t[i + 1] == '@')) {
				fail(a, AV_SH_PURE_OK, "invalid integer constant");
				return 0;
			}
			continue;
		}
		unsigned d;
		if (is_digit(c))
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'z')
			d = (unsigned)(c - 'a') + 10;
		else if (c >= 'A' && c <= 'Z')
			d = (unsigned)(c - 'A') + (base <= 36 ? 10 : 36);
		else if (c == '@')
			d = 62;
		else
			d = 63; /* '_' */
		if (d >= base) {
			fail(a, AV_SH_PURE_OK, "value too great for base");
			return 0;
		}
		val = val * base + d;
	}
	return val;
}

/* Two- and three-character operators, longest first; the table order is the
 * order bash's readtok tries them in. */
static const struct {
	const char *text;
	enum tok tok;
	enum tok aop; /* for op= */
} ops[] = {
	{ "<<=", T_OPASSIGN, T_LSH },
	{ ">>=", T_OPASSIGN, T_RSH },
	{ "==", T_EQEQ, 0 },
	{ "!=", T_NE, 0 },
	{ "<=", T_LE, 0 },
	{ ">=", T_GE, 0 },
	{ "<<", T_LSH, 0 },
	{ ">>", T_RSH, 0 },
	{ "&&", T_LAND, 0 },
	{ "||", T_LOR, 0 },
	{ "**", T_POW, 0 },
};

static const struct {
	char c;
	enum tok tok;
} singles[] = {
	{ '=', T_EQ },   { '+', T_PLUS }, { '-', T_MINUS }, { '*', T_MUL },
	{ '/', T_DIV },  { '%', T_MOD },  { '<', T_LT },    { '>', T_GT },
	{ '&', T_BAND }, { '^', T_BXOR }, { '|', T_BOR },   { '!', T_NOT },
	{ '~', T_BNOT }, { '?', T_QUES }, { ':', T_COLON }, { ',', T_COMMA },
	{ '(', T_LPAR }, { ')', T_RPAR },
};

static enum tok single_tok(char c)
{
	for (size_t i = 0; i < sizeof(singles) / sizeof(singles[0]); i++)
		if (singles[i].c == c)
			return singles[i].tok;
	return T_EOF;
}

/* Finds the ] that closes the subscript opened at s[open] ('['), counting
 * nested brackets as bash's skipsubscript does. Returns its index or len. */
static size_t skip_subscript(const char *s, size_t len, size_t open)
{
	unsigned nest = 0;
	for (size_t i = open; i < len; i++) {
		if (s[i] == '[')
			nest++;
		else if (s[i] == ']' && --nest == 0)
			return i;
	}
	return len;
}

static void next(struct arith *a)
{
	if (!step(a))
		return;
	a->last = a->tok;
	while (a->pos < a->len && is_space(a->s[a->pos]))
		a->pos++;
	a->tokstart = a->pos;
	if (a->pos >= a->len) {
		a->tok = T_EOF;
		return;
	}
	const char *s = a->s;
	size_t p = a->pos;
	char c = s[p];
	if (is_alpha(c)) {
		size_t e = p;
		while (e < a->len && is_alnum(s[e]))
			e++;
		a->id = p;
		a->idlen = e - p;
		a->has_sub = false;
		a->sublen = 0;
		if (e < a->len && s[e] == '[') {
			size_t close = skip_subscript(s, a->len, e);
			if (close >= a->len) {
				fail(a, AV_SH_PURE_OK, "bad array subscript");
				return;
			}
			a->has_sub = true;
			a->sub = e + 1;
			a->sublen = close - e - 1;
			e = close + 1;
		}
		a->pos = e;
		a->tok = T_ID;
		return;
	}
	if (is_digit(c)) {
		size_t e = p;
		while (e < a->len && (is_alnum(s[e]) || s[e] == '#' || s[e] == '@'))
			e++;
		a->num = read_number(a, s + p, e - p);
		a->pos = e;
		a->tok = T_NUM;
		return;
	}
	size_t left = a->len - p;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (n <= left && memcmp(s + p, ops[i].text, n) == 0) {
			a->pos = p + n;
			a->tok = ops[i].tok;
			a->aop = ops[i].aop;
			return;
		}
	}
	char c1 = left > 1 ? s[p + 1] : '\0';
	if ((c == '+' || c == '-') && c1 == c) {
		if (a->tok == T_ID) {
			a->pos = p + 2;
			a->tok = c == '+' ? T_POSTINC : T_POSTDEC;
			return;
		}
		/* `++` is a pre-increment only when a name follows; otherwise
		 * it is two unary signs (bash: ++5 is 5). */
		size_t x = p + 2;
		while (x < a->len && is_space(s[x]))
			x++;
		if (x < a->len && is_alpha(s[x])) {
			a->pos = p + 2;
			a->tok = c == '+' ? T_PREINC : T_PREDEC;
			return;
		}
	}
	if (c1 == '=' && c != '\0' && strchr("*/%+-&^|", c) != NULL) {
		a->pos = p + 2;
		a->tok = T_OPASSIGN;
		a->aop = single_tok(c);
		return;
	}
	enum tok t = single_tok(c);
	if (t == T_EOF) {
		fail(a, AV_SH_PURE_OK, "syntax error: invalid arithmetic operator");
		return;
	}
	a->pos = p + 1;
	a->tok = t;
}

static uint64_t eval_text(struct arith *a, const char *t, size_t n);

/* The subscript of the current T_ID, evaluated; -1 when there is none. */
static int64_t subscript_value(struct arith *a, size_t sub, size_t sublen, bool has)
{
	if (!has)
		return -1;
	if (sublen == 0) {
		/* bash prints "bad array subscript" but goes on with a value we
		 * do not model. */
		fail(a, AV_SH_PURE_UNKNOWN, "an empty array subscript");
		return 0;
	}
	return (int64_t)eval_text(a, a->s + sub, sublen);
}

/* The value of a variable as arithmetic sees it: its text evaluated as an
 * expression (unset or empty is 0). */
static uint64_t var_value(struct arith *a, size_t id, size_t idlen, int64_t index)
{
	if (a->stop || a->noeval > 0)
		return 0;
	if (a->vars == NULL || a->vars->get == NULL) {
		fail(a, AV_SH_PURE_UNKNOWN, "variables are not known");
		return 0;
	}
	const char *val = NULL;
	size_t vlen = 0;
	if (a->vars->get(a->vars->ctx, a->s + id, idlen, index, &val, &vlen) != 0) {
		fail(a, AV_SH_PURE_UNKNOWN, "a variable's value is not known");
		return 0;
	}
	if (val == NULL || vlen == 0)
		return 0;
	return eval_text(a, val, vlen);
}

static void var_set(struct arith *a, size_t id, size_t idlen, int64_t index, uint64_t v)
{
	if (a->stop || a->noeval > 0)
		return;
	if (a->vars == NULL || a->vars->set == NULL ||
	    a->vars->set(a->vars->ctx, a->s + id, idlen, index, (int64_t)v) != 0)
		fail(a, AV_SH_PURE_UNKNOWN, "an assignment cannot be recorded");
}

static uint64_t expcomma(struct arith *a);
static uint64_t expcond(struct arith *a);

/* Wrap-around helpers on the two's-complement bit patterns. */
static uint64_t shift_left(uint64_t v, uint64_t n)
{
	return v << (n & 63);
}

static uint64_t shift_right(uint64_t v, uint64_t n)
{
	unsigned k = (unsigned)(n & 63);
	if ((int64_t)v >= 0)
		return v >> k;
	return ~(~v >> k); /* arithmetic shift of a negative value */
}

static uint64_t power(uint64_t base, uint64_t exp)
{
	uint64_t r = 1;
	while (exp != 0) {
		if (exp & 1)
			r *= base;
		exp >>= 1;
		base *= base;
	}
	return r;
}

/* Division and remainder with bash's checks: 0 is an error unless the part
 * is skipped (then the divisor becomes 1), and INT64_MIN / -1 does not trap. */
static uint64_t divide(struct arith *a, enum tok op, uint64_t x, uint64_t y)
{
	if (y == 0) {
		if (a->noeval == 0) {
			fail(a, AV_SH_PURE_OK, "division by 0");
			return 0;
		}
		y = 1;
	}
	int64_t sx = (int64_t)x, sy = (int64_t)y;
	if (sx == INT64_MIN && sy == -1)
		return op == T_DIV ? x : 0;
	return (uint64_t)(op == T_DIV ? sx / sy : sx % sy);
}

static uint64_t binop(struct arith *a, enum tok op, uint64_t x, uint64_t y)
{
	int64_t sx = (int64_t)x, sy = (int64_t)y;
	switch (op) {
	case T_PLUS:
		return x + y;
	case T_MINUS:
		return x - y;
	case T_MUL:
		return x * y;
	case T_DIV:
	case T_MOD:
		return divide(a, op, x, y);
	case T_LSH:
		return shift_left(x, y);
	case T_RSH:
		return shift_right(x, y);
	case T_BAND:
		return x & y;
	case T_BXOR:
		return x ^ y;
	case T_BOR:
		return x | y;
	case T_LT:
		return sx < sy;
	case T_LE:
		return sx <= sy;
	case T_GT:
		return sx > sy;
	case T_GE:
		return sx >= sy;
	case T_EQEQ:
		return x == y;
	case T_NE:
		return x != y;
	default:
		fail(a, AV_SH_PURE_UNKNOWN, "internal: not a binary operator");
		return 0;
	}
}

static uint64_t exp1(struct arith *a);

/* Primary: ++x, --x, ( expr ), a number, a name (with x++ x--). */
static uint64_t exp0(struct arith *a)
{
	if (a->stop)
		return 0;
	if (a->tok == T_PREINC || a->tok == T_PREDEC) {
		enum tok st = a->tok;
		next(a);
		if (a->stop)
			return 0;
		if (a->tok != T_ID) {
			fail(a, AV_SH_PURE_OK,
			     "identifier expected after pre-increment or pre-decrement");
			return 0;
		}
		size_t id = a->id, idlen = a->idlen, sub = a->sub, sublen = a->sublen;
		bool has = a->has_sub;
		int64_t idx = a->noeval ? 0 : subscript_value(a, sub, sublen, has);
		uint64_t v = var_value(a, id, idlen, idx);
		v += st == T_PREINC ? 1 : (uint64_t)-1;
		var_set(a, id, idlen, idx, v);
		a->tok = T_NUM; /* so that ++x=7 is an error, as in bash */
		next(a);
		return v;
	}
	if (a->tok == T_LPAR) {
		if (++a->depth > ARITH_MAX_DEPTH) {
			fail(a, AV_SH_PURE_LIMIT, "arithmetic nesting is too deep");
			return 0;
		}
		next(a);
		uint64_t v = expcomma(a);
		a->depth--;
		if (a->stop)
			return 0;
		if (a->tok != T_RPAR) {
			fail(a, AV_SH_PURE_OK, "missing `)'");
			return 0;
		}
		next(a);
		return v;
	}
	if (a->tok == T_NUM) {
		uint64_t v = a->num;
		next(a);
		return v;
	}
	if (a->tok == T_ID) {
		size_t id = a->id, idlen = a->idlen, sub = a->sub, sublen = a->sublen;
		bool has = a->has_sub;
		int64_t idx = a->noeval ? 0 : subscript_value(a, sub, sublen, has);
		uint64_t v = var_value(a, id, idlen, idx);
		next(a);
		if (a->stop)
			return 0;
		if (a->tok == T_POSTINC || a->tok == T_POSTDEC) {
			var_set(a, id, idlen, idx,
			        v + (a->tok == T_POSTINC ? 1 : (uint64_t)-1));
			a->tok = T_NUM; /* x++=7 is an error */
			next(a);
		}
		return v;
	}
	if (a->tok == T_EOF)
		a->tokstart = a->len;
	fail(a, AV_SH_PURE_OK, "syntax error: operand expected");
	return 0;
}

/* Unary ! ~ - + (they bind tighter than **, as in bash). */
static uint64_t exp1(struct arith *a)
{
	if (a->stop)
		return 0;
	enum tok t = a->tok;
	if (t == T_NOT || t == T_BNOT || t == T_MINUS || t == T_PLUS) {
		if (++a->depth > ARITH_MAX_DEPTH) {
			fail(a, AV_SH_PURE_LIMIT, "arithmetic nesting is too deep");
			return 0;
		}
		next(a);
		uint64_t v = exp1(a);
		a->depth--;
		a->last = T_NUM;
		switch (t) {
		case T_NOT:
			return v == 0;
		case T_BNOT:
			return ~v;
		case T_MINUS:
			return (uint64_t)0 - v;
		default:
			return v;
		}
	}
	return exp0(a);
}

/* ** is right-associative; a negative exponent is an error even in a
 * skipped part (bash checks it unconditionally). */
static uint64_t exppower(struct arith *a)
{
	uint64_t v = exp1(a);
	if (a->stop || a->tok != T_POW)
		return v;
	if (++a->depth > ARITH_MAX_DEPTH) {
		fail(a, AV_SH_PURE_LIMIT, "arithmetic nesting is too deep");
		return 0;
	}
	next(a);
	uint64_t e = exppower(a);
	a->depth--;
	if (a->stop)
		return 0;
	if (!step(a))
		return 0;
	if (e == 0)
		return 1;
	if ((int64_t)e < 0) {
		fail(a, AV_SH_PURE_OK, "exponent less than 0");
		return 0;
	}
	return power(v, e);
}

/* The left-associative binary levels, from tightest to loosest. Each level
 * lists its operators; level 0 sits on exppower. */
static const enum tok levels[][4] = {
	{ T_MUL, T_DIV, T_MOD },
	{ T_PLUS, T_MINUS },
	{ T_LSH, T_RSH },
	{ T_LT, T_LE, T_GT, T_GE },
	{ T_EQEQ, T_NE },
	{ T_BAND },
	{ T_BXOR },
	{ T_BOR },
};
#define LEVEL_COUNT (sizeof(levels) / sizeof(levels[0]))

static bool at_level(enum tok t, size_t level)
{
	for (size_t i = 0; i < 4 && levels[level][i] != T_EOF; i++)
		if (levels[level][i] == t)
			return true;
	return false;
}

static uint64_t explevel(struct arith *a, size_t level)
{
	uint64_t v = level == 0 ? exppower(a) : explevel(a, level - 1);
	while (!a->stop && at_level(a->tok, level)) {
		enum tok op = a->tok;
		next(a);
		uint64_t w = level == 0 ? exppower(a) : explevel(a, level - 1);
		if (a->stop || !step(a))
			return 0;
		v = binop(a, op, v, w);
		a->last = T_NUM;
	}
	return v;
}

/* && and ||: the right side is parsed but not evaluated when the left side
 * decides (no assignments, no variable reads, no division errors). */
static uint64_t expland(struct arith *a)
{
	uint64_t v = explevel(a, LEVEL_COUNT - 1);
	while (!a->stop && a->tok == T_LAND) {
		bool skip = v == 0;
		a->noeval += skip;
		next(a);
		uint64_t w = explevel(a, LEVEL_COUNT - 1);
		a->noeval -= skip;
		v = v != 0 && w != 0;
		a->last = T_LAND;
	}
	return v;
}

static uint64_t explor(struct arith *a)
{
	uint64_t v = expland(a);
	while (!a->stop && a->tok == T_LOR) {
		bool skip = v != 0;
		a->noeval += skip;
		next(a);
		uint64_t w = expland(a);
		a->noeval -= skip;
		v = v != 0 || w != 0;
		a->last = T_LOR;
	}
	return v;
}

static uint64_t expcond(struct arith *a)
{
	uint64_t c = explor(a);
	if (a->stop || a->tok != T_QUES)
		return c;
	if (++a->depth > ARITH_MAX_DEPTH) {
		fail(a, AV_SH_PURE_LIMIT, "arithmetic nesting is too deep");
		return 0;
	}
	next(a);
	if (a->tok == T_EOF || a->tok == T_COLON) {
		fail(a, AV_SH_PURE_OK, "expression expected");
		return 0;
	}
	a->noeval += c == 0;
	uint64_t v1 = expcomma(a);
	a->noeval -= c == 0;
	if (a->stop)
		return 0;
	if (a->tok != T_COLON) {
		fail(a, AV_SH_PURE_OK, "`:' expected for conditional expression");
		return 0;
	}
	next(a);
	if (a->tok == T_EOF) {
		fail(a, AV_SH_PURE_OK, "expression expected");
		return 0;
	}
	a->noeval += c != 0;
	uint64_t v2 = expcond(a);
	a->noeval -= c != 0;
	a->depth--;
	return c != 0 ? v1 : v2;
}

/* Looks at the token after the current one without consuming it. */
static enum tok peek(struct arith *a, enum tok *aop)
{
	struct arith save = *a;
	next(a);
	enum tok t = a->tok;
	*aop = a->aop;
	bool stopped = a->stop;
	*a = save;
	(void)stopped; /* a lexing error shows again when the token is read */
	return t;
}

/* name = expr, name op= expr (right-associative); otherwise a conditional. */
static uint64_t expassign(struct arith *a)
{
	if (a->stop)
		return 0;
	if (a->tok == T_ID) {
		enum tok aop = T_EOF;
		enum tok t = peek(a, &aop);
		if (t == T_EQ || t == T_OPASSIGN) {
			size_t id = a->id, idlen = a->idlen, sub = a->sub;
			size_t sublen = a->sublen;
			bool has = a->has_sub;
			int64_t idx = 0;
			uint64_t lv = 0;
			if (t == T_OPASSIGN && a->noeval == 0) {
				/* bash reads the left side before the right. */
				idx = subscript_value(a, sub, sublen, has);
				lv = var_value(a, id, idlen, idx);
			}
			next(a); /* the operator */
			next(a);
			if (++a->depth > ARITH_MAX_DEPTH) {
				fail(a, AV_SH_PURE_LIMIT,
				     "arithmetic nesting is too deep");
				return 0;
			}
			uint64_t r = expassign(a);
			a->depth--;
			if (a->stop)
				return 0;
			if (t == T_OPASSIGN) {
				if (!step(a))
					return 0;
				r = binop(a, aop, lv, r);
			} else if (a->noeval == 0) {
				idx = subscript_value(a, sub, sublen, has);
			}
			var_set(a, id, idlen, idx, r);
			return r;
		}
	}
	uint64_t v = expcond(a);
	if (!a->stop && (a->tok == T_EQ || a->tok == T_OPASSIGN))
		fail(a, AV_SH_PURE_OK, "attempted assignment to non-variable");
	return v;
}

static uint64_t expcomma(struct arith *a)
{
	uint64_t v = expassign(a);
	while (!a->stop && a->tok == T_COMMA) {
		next(a);
		v = expassign(a);
	}
	return v;
}

/* Evaluates a whole expression (the top level, a variable's value or a
 * subscript) with its own lexer state; the shared state is the budget, the
 * depth and the skip count. */
static uint64_t eval_text(struct arith *a, const char *t, size_t n)
{
	if (a->stop)
		return 0;
	if (++a->depth > ARITH_MAX_DEPTH) {
		fail(a, AV_SH_PURE_LIMIT, "arithmetic recursion is too deep");
		return 0;
	}
	struct arith sub = *a;
	sub.s = t;
	sub.len = n;
	sub.pos = 0;
	sub.tok = T_EOF;
	sub.last = T_EOF;
	uint64_t v = 0;
	next(&sub);
	if (!sub.stop && sub.tok != T_EOF) {
		v = expcomma(&sub);
		if (!sub.stop && sub.tok != T_EOF)
			fail(&sub, AV_SH_PURE_OK, "syntax error in expression");
	}
	a->stop = sub.stop;
	a->status = sub.status;
	a->depth--;
	return v;
}

enum av_sh_pure_status av_sh_arith_eval(const char *text, size_t len,
                                        const struct av_sh_arith_vars *vars,
                                        uint32_t *steps, struct av_sh_arith_result *out)
{
	struct arith a;
	memset(&a, 0, sizeof(a));
	memset(out, 0, sizeof(*out));
	a.vars = vars;
	a.steps = steps;
	a.out = out;
	a.status = AV_SH_PURE_OK;
	uint64_t v = eval_text(&a, text, len);
	if (a.stop && a.status != AV_SH_PURE_OK)
		return a.status;
	out->value = a.stop ? 0 : (int64_t)v;
	return AV_SH_PURE_OK;
}
