/* sh_brace.c - bash brace expansion ({a,b}, {1..10..2}) on WORD nodes, with
 * limits on the number and size of the words it makes.
 *
 * A word is flattened into atoms: each byte of an unquoted literal is an
 * atom that may be a brace, comma or dot; every other part (quotes,
 * escapes, ${...}, $(...), globs) is one opaque atom that can never be a
 * delimiter. The expansion then follows bash's braces.c: the first `{' that
 * has a matching `}' starts the expansion; its inside splits at top-level
 * commas, each piece expanded recursively, or, without commas, is a
 * sequence {x..y[..step]}; a brace that is neither stays literal. The
 * results are preamble x pieces x expanded postamble, in bash's order.
 *
 * Hostile input: every product is sized before it is built, so a brace bomb
 * like {1..9}{1..9}{1..9}... stops at max_words after a few
 * multiplications, not after building the product. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sh_pure.h"

#define BRACE_MAX_DEPTH 64

struct atom {
	const struct av_sh_node *part; /* NULL: the byte c of an unquoted literal */
	unsigned char c;
};

/* A list of words, each a run of atoms in one arena array. */
struct seq {
	const struct atom *a;
	size_t n;
};

struct words {
	struct seq *w;
	size_t n;
};

struct bx {
	struct av_arena *arena;
	uint32_t max_words;
	size_t max_bytes;
	enum av_sh_pure_status st;
	unsigned depth;
};

static bool is_byte(const struct atom *a, char c)
{
	return a->part == NULL && a->c == (unsigned char)c;
}

static bool bx_fail(struct bx *b, enum av_sh_pure_status st)
{
	if (b->st == AV_SH_PURE_OK)
		b->st = st;
	return false;
}

static void *bx_alloc(struct bx *b, size_t n)
{
	void *p = av_arena_alloc(b->arena, n ? n : 1);
	if (p == NULL)
		bx_fail(b, AV_SH_PURE_NOMEM);
	return p;
}

static bool one_word(struct bx *b, const struct atom *a, size_t n, struct words *out)
{
	out->w = bx_alloc(b, sizeof(*out->w));
	if (out->w == NULL)
		return false;
	out->w[0].a = a;
	out->w[0].n = n;
	out->n = 1;
	return true;
}

/* bash's brace_gobbler: from a[i], the index of the first `satisfy' at
 * nesting level 0 (braces nest), or n when there is none. Looking for the
 * `}' that closes a brace expansion, a `}' only counts once a top-level
 * comma or `..' has been seen; an earlier one is passed over, so in
 * {0}{1..3},..} the expansion runs to the last brace. */
static size_t gobble(const struct atom *a, size_t n, size_t i, char satisfy)
{
	unsigned level = 0;
	bool armed = satisfy != '}';
	for (; i < n; i++) {
		if (a[i].part != NULL)
			continue;
		char c = (char)a[i].c;
		if (c == satisfy && level == 0 && armed)
			return i;
		if (c == '{') {
			level++;
		} else if (c == '}') {
			if (level > 0)
				level--;
		} else if (satisfy == '}' && level == 0 && c == ',') {
			armed = true;
		} else if (satisfy == '}' && level == 0 && c == '.' && i + 1 < n &&
		           is_byte(&a[i + 1], '.') &&
		           !(i + 2 < n && is_byte(&a[i + 2], '}'))) {
			armed = true;
		}
	}
	return n;
}

static uint64_t total_len(const struct words *w)
{
	uint64_t t = 0;
	for (size_t i = 0; i < w->n; i++)
		t += w->w[i].n;
	return t;
}

/* Every x then every y, concatenated (bash's array_concat), sized first. */
static bool product(struct bx *b, const struct words *x, const struct words *y,
                    struct words *out)
{
	uint64_t count = (uint64_t)x->n * y->n;
	if (count > b->max_words)
		return bx_fail(b, AV_SH_PURE_LIMIT);
	uint64_t bytes = (uint64_t)x->n * total_len(y) + (uint64_t)y->n * total_len(x);
	if (bytes > b->max_bytes)
		return bx_fail(b, AV_SH_PURE_LIMIT);
	out->w = bx_alloc(b, (size_t)count * sizeof(*out->w));
	if (out->w == NULL)
		return false;
	out->n = 0;
	for (size_t i = 0; i < x->n; i++) {
		for (size_t j = 0; j < y->n; j++) {
			size_t n = x->w[i].n + y->w[j].n;
			struct atom *a = bx_alloc(b, n * sizeof(*a));
			if (a == NULL)
				return false;
			if (x->w[i].n)
				memcpy(a, x->w[i].a, x->w[i].n * sizeof(*a));
			if (y->w[j].n)
				memcpy(a + x->w[i].n, y->w[j].a, y->w[j].n * sizeof(*a));
			out->w[out->n].a = a;
			out->w[out->n].n = n;
			out->n++;
		}
	}
	return true;
}

/* The literal bytes of a[0..n) when they are all bytes, into buf. */
static bool plain_text(const struct atom *a, size_t n, char *buf, size_t cap)
{
	if (n + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (a[i].part != NULL)
			return false;
		buf[i] = (char)a[i].c;
	}
	buf[n] = '\0';
	return true;
}

/* bash's integer endpoint: optional sign, then digits only. */
static bool seq_int(const char *s, int64_t *v)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	bool neg = s[0] == '-';
	uint64_t acc = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		uint64_t d = (uint64_t)(*p - '0');
		if (acc > ((uint64_t)INT64_MAX + 1 - d) / 10)
			return false; /* out of range: no expansion */
		acc = acc * 10 + d;
	}
	if (!neg && acc > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return true;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Zero-padding width of an endpoint written with a leading 0 (or -0). */
static size_t pad_width(const char *s)
{
	size_t n = strlen(s);
	if ((n > 1 && s[0] == '0') || (n > 2 && s[0] == '-' && s[1] == '0'))
		return n;
	return 0;
}

/* A sequence {x..y} or {x..y..incr}. Returns false with b->st unchanged when
 * the text is not one (the braces then stay), or with b->st set. */
static bool seqterm(struct bx *b, const struct atom *a, size_t n, struct words *out)
{
	char text[128];
	if (!plain_text(a, n, text, sizeof(text)))
		return false;
	char *dots = strstr(text, "..");
	if (dots == NULL || dots == text)
		return false;
	*dots = '\0';
	char *lhs = text, *rhs = dots + 2;
	char *incs = strstr(rhs, "..");
	int64_t incr = 1;
	if (incs != NULL) {
		*incs = '\0';
		if (!seq_int(incs + 2, &incr))
			return false;
	}
	int64_t lo, hi;
	bool chars = false;
	if (seq_int(lhs, &lo) && seq_int(rhs, &hi)) {
		chars = false;
	} else if (is_alpha(lhs[0]) && lhs[1] == '\0' && is_alpha(rhs[0]) &&
	           rhs[1] == '\0') {
		chars = true;
		lo = (unsigned char)lhs[0];
		hi = (unsigned char)rhs[0];
	} else {
		return false;
	}
	size_t width = 0;
	if (!chars) {
		width = pad_width(lhs);
		size_t w2 = pad_width(rhs);
		if (w2 > width)
			width = w2;
	}
	/* bash's mkseq: the step's sign follows the direction; 0 means 1;
	 * a span that would overflow means no expansion */
	uint64_t step = incr < 0 ? (uint64_t)0 - (uint64_t)incr : (uint64_t)incr;
	if (step == 0)
		step = 1;
	uint64_t span =
	        lo <= hi ? (uint64_t)hi - (uint64_t)lo : (uint64_t)lo - (uint64_t)hi;
	if (span > (uint64_t)INT64_MAX - 2)
		return false;
	uint64_t count = span / step + 1;
	if (count > b->max_words)
		return bx_fail(b, AV_SH_PURE_LIMIT);
	out->w = bx_alloc(b, (size_t)count * sizeof(*out->w));
	if (out->w == NULL)
		return false;
	out->n = 0;
	uint64_t bytes = 0;
	for (uint64_t k = 0; k < count; k++) {
		int64_t v = lo <= hi ? (int64_t)((uint64_t)lo + k * step)
		                     : (int64_t)((uint64_t)lo - k * step);
		char num[48];
		int len;
		if (chars) {
			/* letters only: between Z and a lie [ \ ] ^ _ ` whose
			 * meaning in the resulting word we do not model */
			if (!is_alnum((char)v))
				return bx_fail(b, AV_SH_PURE_UNKNOWN);
			num[0] = (char)v;
			len = 1;
		} else {
			len = snprintf(num, sizeof(num), "%0*" PRId64, (int)width, v);
		}
		if (len < 0 || (size_t)len >= sizeof(num))
			return bx_fail(b, AV_SH_PURE_UNKNOWN);
		bytes += (uint64_t)len;
		if (bytes > b->max_bytes)
			return bx_fail(b, AV_SH_PURE_LIMIT);
		struct atom *w = bx_alloc(b, (size_t)len * sizeof(*w));
		if (w == NULL)
			return false;
		for (int i = 0; i < len; i++) {
			w[i].part = NULL;
			w[i].c = (unsigned char)num[i];
		}
		out->w[out->n].a = w;
		out->w[out->n].n = (size_t)len;
		out->n++;
	}
	return true;
}

static bool expand(struct bx *b, const struct atom *a, size_t n, struct words *out);

/* The pieces between top-level commas, each expanded, one after another. */
static bool amble(struct bx *b, const struct atom *a, size_t n, struct words *out)
{
	out->n = 0;
	out->w = NULL;
	size_t start = 0;
	for (;;) {
		size_t end = gobble(a, n, start, ',');
		struct words piece;
		if (!expand(b, a + start, end - start, &piece))
			return false;
		if (out->n + piece.n > b->max_words)
			return bx_fail(b, AV_SH_PURE_LIMIT);
		struct seq *w = bx_alloc(b, (out->n + piece.n) * sizeof(*w));
		if (w == NULL)
			return false;
		if (out->n)
			memcpy(w, out->w, out->n * sizeof(*w));
		memcpy(w + out->n, piece.w, piece.n * sizeof(*w));
		out->w = w;
		out->n += piece.n;
		if (end >= n)
			break;
		start = end + 1;
	}
	return true;
}

/* bash looks for any comma in the text between the braces (at any depth,
 * quoted or not; only backslashes hide one). Returns 1 (a comma), 0 (none)
 * or -1 when an opaque part's raw text might hold one (not modelled). */
static int has_comma(const struct atom *a, size_t n)
{
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		const struct av_sh_node *p = a[i].part;
		if (p == NULL) {
			if (a[i].c == ',')
				return 1;
		} else if (p->kind == AV_SH_SQ || p->kind == AV_SH_GLOB) {
			if (memchr(p->text, ',', p->len) != NULL)
				r = -1;
		} else if (p->kind != AV_SH_ESC) {
			r = -1;
		}
	}
	return r;
}

/* bash's brace_expand on a[0..n). */
static bool expand(struct bx *b, const struct atom *a, size_t n, struct words *out)
{
	if (++b->depth > BRACE_MAX_DEPTH) {
		b->depth--;
		return bx_fail(b, AV_SH_PURE_LIMIT);
	}
	bool ok = false;
	/* the first { that has a matching } */
	size_t open = 0, close = n;
	for (;; open++) {
		while (open < n && !is_byte(&a[open], '{'))
			open++;
		if (open >= n)
			break;
		close = gobble(a, n, open + 1, '}');
		if (close < n)
			break;
	}
	if (open >= n) {
		ok = one_word(b, a, n, out);
		goto done;
	}
	struct words pre, tack;
	if (!one_word(b, a, open, &pre))
		goto done;
	const struct atom *in = a + open + 1;
	size_t inlen = close - open - 1;
	int comma = has_comma(in, inlen);
	if (comma < 0) {
		bx_fail(b, AV_SH_PURE_UNKNOWN);
		goto done;
	}
	if (comma > 0) {
		if (!amble(b, in, inlen, &tack))
			goto done;
	} else if (!seqterm(b, in, inlen, &tack)) {
		if (b->st != AV_SH_PURE_OK)
			goto done;
		if (close + 1 >= n) {
			ok = one_word(b, a, n, out); /* nothing to expand at all */
			goto done;
		}
		/* the braces stay; what follows may still expand */
		if (!one_word(b, a + open, close - open + 1, &tack))
			goto done;
	}
	struct words res;
	if (!product(b, &pre, &tack, &res))
		goto done;
	if (close + 1 < n) {
		struct words post;
		if (!expand(b, a + close + 1, n - close - 1, &post) ||
		    !product(b, &res, &post, out))
			goto done;
	} else {
		*out = res;
	}
	ok = true;
done:
	b->depth--;
	return ok;
}

/* One result as a WORD node: literal runs become LIT parts, opaque atoms
 * shallow copies of their parts. A result that now starts with an unquoted
 * `~' (as {~,x} makes) gets the TILDE part bash's tilde expansion sees. */
static struct av_sh_node *to_word(struct bx *b, const struct av_sh_node *orig,
                                  const struct seq *s)
{
	struct av_sh_node *w = bx_alloc(b, sizeof(*w));
	if (w == NULL)
		return NULL;
	*w = *orig;
	w->kids = NULL;
	w->next = NULL;
	struct av_sh_node **tail = &w->kids;
	size_t i = 0;
	if (s->n > 0 && is_byte(&s->a[0], '~')) {
		size_t e = 1;
		while (e < s->n && s->a[e].part == NULL && s->a[e].c != '/')
			e++;
		if (e == s->n || s->a[e].part == NULL) {
			struct av_sh_node *t = bx_alloc(b, sizeof(*t));
			char *text = bx_alloc(b, e);
			if (t == NULL || text == NULL)
				return NULL;
			for (size_t k = 1; k < e; k++)
				text[k - 1] = (char)s->a[k].c;
			t->kind = AV_SH_TILDE;
			t->start = orig->start;
			t->end = orig->end;
			t->text = text;
			t->len = (uint32_t)(e - 1);
			*tail = t;
			tail = &t->next;
			i = e;
		}
	}
	while (i < s->n) {
		struct av_sh_node *p = bx_alloc(b, sizeof(*p));
		if (p == NULL)
			return NULL;
		if (s->a[i].part != NULL) {
			*p = *s->a[i].part;
			p->next = NULL;
			i++;
		} else {
			size_t e = i;
			while (e < s->n && s->a[e].part == NULL)
				e++;
			char *text = bx_alloc(b, e - i);
			if (text == NULL)
				return NULL;
			for (size_t k = i; k < e; k++)
				text[k - i] = (char)s->a[k].c;
			p->kind = AV_SH_LIT;
			p->start = orig->start;
			p->end = orig->end;
			p->text = text;
			p->len = (uint32_t)(e - i);
			i = e;
		}
		*tail = p;
		tail = &p->next;
	}
	return w;
}

enum av_sh_pure_status av_sh_brace_expand(const struct av_sh_node *word,
                                          struct av_arena *arena, uint32_t max_words,
                                          size_t max_bytes, struct av_sh_node ***out,
                                          uint32_t *n)
{
	*out = NULL;
	*n = 0;
	if (word == NULL || word->kind != AV_SH_WORD)
		return AV_SH_PURE_UNKNOWN;
	struct bx b = { .arena = arena, .max_words = max_words, .max_bytes = max_bytes };
	/* flatten; a word without an unquoted { expands to itself */
	size_t count = 0;
	bool brace = false;
	for (const struct av_sh_node *p = word->kids; p; p = p->next) {
		if (p->kind == AV_SH_LIT) {
			count += p->len;
			brace = brace || memchr(p->text, '{', p->len) != NULL;
		} else {
			count++;
		}
	}
	if (!brace || count > max_bytes) {
		if (brace)
			return AV_SH_PURE_LIMIT;
		struct av_sh_node **one = av_arena_alloc(arena, sizeof(*one));
		if (one == NULL)
			return AV_SH_PURE_NOMEM;
		one[0] = (struct av_sh_node *)word;
		*out = one;
		*n = 1;
		return AV_SH_PURE_OK;
	}
	struct atom *a = bx_alloc(&b, count * sizeof(*a));
	if (a == NULL)
		return b.st;
	size_t k = 0;
	for (const struct av_sh_node *p = word->kids; p; p = p->next) {
		if (p->kind == AV_SH_LIT) {
			for (uint32_t i = 0; i < p->len; i++) {
				a[k].part = NULL;
				a[k++].c = (unsigned char)p->text[i];
			}
		} else {
			a[k].part = p;
			a[k++].c = 0;
		}
	}
	struct words res;
	if (!expand(&b, a, count, &res))
		return b.st != AV_SH_PURE_OK ? b.st : AV_SH_PURE_NOMEM;
	if (res.n == 1 && res.w[0].a == a && res.w[0].n == count) {
		/* nothing expanded: the word itself */
		struct av_sh_node **one = av_arena_alloc(arena, sizeof(*one));
		if (one == NULL)
			return AV_SH_PURE_NOMEM;
		one[0] = (struct av_sh_node *)word;
		*out = one;
		*n = 1;
		return AV_SH_PURE_OK;
	}
	struct av_sh_node **list = bx_alloc(&b, res.n * sizeof(*list));
	if (list == NULL)
		return b.st;
	for (size_t i = 0; i < res.n; i++) {
		list[i] = to_word(&b, word, &res.w[i]);
		if (list[i] == NULL)
			return b.st;
	}
	*out = list;
	*n = (uint32_t)res.n;
	return AV_SH_PURE_OK;
}
