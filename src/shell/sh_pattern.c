/* sh_pattern.c - bash glob pattern matching (case, [[ == ]], ${x#p} and
 * friends) with extglob, bounded by a step budget.
 *
 * The matcher walks the pattern text the way bash's gmatch/extmatch/
 * BRACKMATCH (lib/glob/sm_loop.c) do, so edge cases come out the same: an
 * unclosed [ is a literal, ] first in a bracket is a member, ranges compare
 * bytes (globasciiranges, bash 5.2's default), nocasematch folds both sides
 * to lower case. Two things keep hostile patterns cheap: every call and loop
 * turn costs a step from *steps, and failures of the top-level pattern at
 * (pattern offset, string offset) are remembered, so `*a*a*a*a*b` against a
 * long run of a's is polynomial instead of exponential.
 *
 * Bytes >= 0x80: bash matches characters of the current locale, so `?` or
 * a bracket against a multibyte character depends on a locale we do not
 * know. Such cases give up (*steps = 0, which callers treat as a limit)
 * instead of guessing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sh_pure.h"

/* Memo cells above this count are not allocated; the budget alone bounds
 * the work then. */
#define MEMO_MAX_CELLS ((size_t)1 << 20)

struct pm {
	const char *p;
	size_t plen;
	const char *s;
	size_t slen;
	unsigned flags;
	uint32_t *steps;
	bool stop;      /* out of steps or an unmodelled form: every call fails */
	size_t top_se;  /* the string end of the current top-level match */
	uint32_t *memo; /* (plen+1) x (slen+1) generations of known failures */
	uint32_t gen;
};

static bool spend(struct pm *m)
{
	if (m->stop)
		return false;
	if (*m->steps == 0) {
		m->stop = true;
		return false;
	}
	(*m->steps)--;
	return true;
}

static void give_up(struct pm *m)
{
	m->stop = true;
	*m->steps = 0;
}

static unsigned char fold(const struct pm *m, unsigned char c)
{
	if ((m->flags & AV_SH_PAT_NOCASE) && c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A' + 'a');
	return c;
}

/* Character classes: the C-locale meaning, which every locale shares for
 * ASCII (non-ASCII subjects never reach here, see the file comment). */
static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static const struct {
	const char *name;
	int (*test)(int);
} classes[] = {
	{ "alpha", isalpha }, { "digit", isdigit }, { "alnum", isalnum },
	{ "upper", isupper }, { "lower", islower }, { "space", isspace },
	{ "blank", isblank }, { "punct", ispunct }, { "print", isprint },
	{ "graph", isgraph }, { "cntrl", iscntrl }, { "xdigit", isxdigit },
	{ "word", is_word },
};

/* Matches one bracket expression starting at p[pi] == '[' against c.
 * Returns 1 (match) or 0 (no match) and sets *end past the closing ], or
 * returns -1 when there is no closing ] (the [ is then a literal). Sets
 * m->stop for forms it does not model. */
static int bracket(struct pm *m, size_t pi, size_t pe, unsigned char test, size_t *end)
{
	const char *p = m->p;
	size_t i = pi + 1;
	bool neg = false;
	unsigned char orig = test;
	test = fold(m, test);
	if (i < pe && (p[i] == '!' || p[i] == '^')) {
		neg = true;
		i++;
	}
	bool matched = false;
	bool first = true;
	for (;;) {
		if (i >= pe)
			return -1;
		unsigned char c = (unsigned char)p[i];
		if (c == ']' && !first) {
			*end = i + 1;
			return matched != neg;
		}
		first = false;
		if (c == '[' && i + 1 < pe &&
		    (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
			char kind = p[i + 1];
			size_t close = i + 2;
			while (close + 1 < pe &&
			       !(p[close] == kind && p[close + 1] == ']'))
				close++;
			if (close + 1 >= pe) {
				give_up(m); /* bash reads on past the pattern here */
				return 0;
			}
			const char *name = p + i + 2;
			size_t nlen = close - (i + 2);
			if (kind == ':') {
				size_t k = 0;
				size_t n = sizeof(classes) / sizeof(classes[0]);
				while (k < n &&
				       !(strlen(classes[k].name) == nlen &&
				         memcmp(classes[k].name, name, nlen) == 0))
					k++;
				if (k == n) {
					give_up(m); /* an unknown class name */
					return 0;
				}
				if (classes[k].test(orig))
					matched = true;
				i = close + 2;
				continue; /* a class cannot start a range */
			}
			if (nlen != 1) {
				give_up(m); /* multi-character collating elements */
				return 0;
			}
			/* [=c=] and [.c.] of one ASCII byte stand for that byte
			 * (it may start a range, as in bash). */
			c = (unsigned char)name[0];
			i = close + 1;
		} else if (c == '\\' && i + 1 < pe) {
			i++;
			c = (unsigned char)p[i];
		}
		i++;
		unsigned char lo = fold(m, c), hi = lo;
		if (i + 1 < pe && p[i] == '-' && p[i + 1] != ']') {
			unsigned char e = (unsigned char)p[i + 1];
			i += 2;
			if (e == '\\' && i < pe) {
				e = (unsigned char)p[i];
				i++;
			} else if (e == '[' && i < pe &&
			           (p[i] == '.' || p[i] == '=' || p[i] == ':')) {
				give_up(m);
				return 0;
			}
			hi = fold(m, e);
			if (lo > hi)
				continue; /* an empty range matches nothing */
		}
		if (test >= lo && test <= hi)
			matched = true;
	}
}

/* bash's PATSCAN: from just after an extglob's `(`, the offset just past
 * its `)` (delim 0) or past the next top-level `|` (delim '|'); brackets
 * hide parens. Returns 0 when there is none. */
static size_t patscan(const char *p, size_t from, size_t pe, char delim)
{
	int pnest = 0, bnest = 0;
	size_t bfirst = 0;
	for (size_t i = from; i < pe; i++) {
		char c = p[i];
		if (c == '\\') {
			i++;
			continue;
		}
		if (c == '[') {
			if (bnest == 0) {
				bfirst = i + 1;
				if (bfirst < pe && (p[bfirst] == '!' || p[bfirst] == '^'))
					bfirst++;
				bnest++;
			} else if (i + 1 < pe && (p[i + 1] == ':' || p[i + 1] == '.' ||
			                          p[i + 1] == '=')) {
				size_t t = i + 2;
				while (t + 1 < pe &&
				       !(p[t] == p[i + 1] && p[t + 1] == ']'))
					t++;
				if (t + 1 < pe)
					i = t + 1;
			}
		} else if (c == ']') {
			if (bnest && i != bfirst) {
				bnest--;
				bfirst = 0;
			}
		} else if (c == '(') {
			if (bnest == 0)
				pnest++;
		} else if (c == ')') {
			if (bnest == 0 && pnest-- <= 0)
				return i + 1;
		} else if (c == '|') {
			if (bnest == 0 && pnest == 0 && delim == '|')
				return i + 1;
		}
	}
	return 0;
}

static bool gmatch(struct pm *m, size_t si, size_t se, size_t pi, size_t pe);

/* An extglob at p[pi] (the operator) whose `)` ends at rest-1. */
static bool extmatch(struct pm *m, size_t si, size_t se, size_t pi, size_t rest,
                     size_t pe)
{
	char op = m->p[pi];
	size_t body = pi + 2;
	if ((op == '?' || op == '*') && gmatch(m, si, se, rest, pe))
		return true;
	if (op == '!') {
		for (size_t j = si; j <= se; j++) {
			bool any = false;
			for (size_t a = body;;) {
				size_t next = patscan(m->p, a, rest, '|');
				if (next == 0 || m->stop)
					return false;
				if (gmatch(m, si, j, a, next - 1)) {
					any = true;
					break;
				}
				if (next == rest)
					break;
				a = next;
			}
			if (!any && gmatch(m, j, se, rest, pe))
				return true;
			if (m->stop)
				return false;
		}
		return false;
	}
	for (size_t a = body;;) {
		size_t next = patscan(m->p, a, rest, '|');
		if (next == 0 || m->stop)
			return false;
		size_t j = (op == '?' || op == '@') && rest == pe ? se : si;
		for (; j <= se; j++) {
			if (!gmatch(m, si, j, a, next - 1))
				continue;
			if (gmatch(m, j, se, rest, pe))
				return true;
			/* *( ) and +( ): more repetitions of the whole group */
			if ((op == '*' || op == '+') && j > si &&
			    gmatch(m, j, se, pi, pe))
				return true;
			if (m->stop)
				return false;
		}
		if (next == rest)
			break;
		a = next;
	}
	return false;
}

static bool is_memo_key(const struct pm *m, size_t se, size_t pe)
{
	return m->memo != NULL && pe == m->plen && se == m->top_se;
}

static bool gmatch_body(struct pm *m, size_t si, size_t se, size_t pi, size_t pe);

/* True when s[si..se) matches p[pi..pe). */
static bool gmatch(struct pm *m, size_t si, size_t se, size_t pi, size_t pe)
{
	if (!spend(m))
		return false;
	size_t cell = 0;
	bool key = is_memo_key(m, se, pe);
	if (key) {
		cell = pi * (m->slen + 1) + si;
		if (m->memo[cell] == m->gen)
			return false;
	}
	bool r = gmatch_body(m, si, se, pi, pe);
	if (!r && key && !m->stop)
		m->memo[cell] = m->gen;
	return r;
}

static bool is_ext(const struct pm *m, size_t pi, size_t pe, char op)
{
	return (m->flags & AV_SH_PAT_EXTGLOB) && m->p[pi] == op && pi + 1 < pe &&
	       m->p[pi + 1] == '(';
}

/* A run of wildcards after a `*', as bash's gmatch does it: `?' consumes
 * a character, `?(...)' is tried once here and then dropped, `*(...)' is
 * tried at every position before the end and then dropped; a pattern that
 * ends here matches. Otherwise the rest is tried at every position BEFORE
 * the end of the string, never at the end itself: so `*@(|x)' does not
 * match "a" in bash, and does not here. */
static bool star(struct pm *m, size_t si, size_t se, size_t pi, size_t pe)
{
	const char *p = m->p;
	for (;;) {
		if (!spend(m))
			return false;
		if (pi == pe)
			return true;
		if (is_ext(m, pi, pe, '?') || is_ext(m, pi, pe, '*')) {
			size_t rest = patscan(p, pi + 2, pe, 0);
			if (rest == 0) {
				give_up(m); /* bash's own handling here is not modelled */
				return false;
			}
			size_t last = p[pi] == '?' ? si + 1 : se;
			for (size_t j = si; j < last && j <= se; j++) {
				if (extmatch(m, j, se, pi, rest, pe))
					return true;
				if (m->stop)
					return false;
			}
			pi = rest;
			continue;
		}
		if (p[pi] == '?') {
			if (si == se)
				return false;
			si++;
			pi++;
			continue;
		}
		if (p[pi] == '*') {
			pi++;
			continue;
		}
		break;
	}
	if (p[pi] == '\\' && pi + 1 == pe) {
		/* `*' then a trailing backslash: bash compares the character
		 * after the backslash (the pattern's terminator) with each
		 * candidate first, so this never matches at the end of the
		 * whole pattern; inside an extglob it depends on what follows. */
		if (pe == m->plen)
			return false;
		give_up(m);
		return false;
	}
	if (is_ext(m, pi, pe, '!')) {
		/* `*!(...)': bash 5.2 has special cases here (at the end of
		 * the string it can answer the opposite of the extglob) that
		 * are not modelled; give up rather than guess. */
		give_up(m);
		return false;
	}
	for (size_t j = si; j < se; j++) {
		if (gmatch(m, j, se, pi, pe))
			return true;
		if (m->stop)
			return false;
	}
	return false;
}

static bool gmatch_body(struct pm *m, size_t si, size_t se, size_t pi, size_t pe)
{
	const char *p = m->p;
	while (pi < pe) {
		if (!spend(m))
			return false;
		unsigned char c = (unsigned char)p[pi];
		if ((m->flags & AV_SH_PAT_EXTGLOB) && strchr("?*+@!", c) != NULL &&
		    c != '\0' && pi + 1 < pe && p[pi + 1] == '(') {
			size_t rest = patscan(p, pi + 2, pe, 0);
			if (rest != 0)
				return extmatch(m, si, se, pi, rest, pe);
			/* bash compares an ill-formed extglob and the rest of
			 * the pattern with the string as plain text */
			return pe - pi == se - si &&
			       memcmp(p + pi, m->s + si, se - si) == 0;
		}
		if (c == '?') {
			if (si == se)
				return false;
			si++;
			pi++;
			continue;
		}
		if (c == '*')
			return star(m, si, se, pi + 1, pe);
		if (c == '[') {
			if (si == se)
				return false;
			size_t end = 0;
			int r = bracket(m, pi, pe, (unsigned char)m->s[si], &end);
			if (m->stop)
				return false;
			if (r >= 0) {
				if (r == 0)
					return false;
				si++;
				pi = end;
				continue;
			}
			/* no closing ]: a literal [ */
		}
		if (c == '\\' && pi + 1 < pe) {
			pi++;
			c = (unsigned char)p[pi];
		}
		if (si == se || fold(m, (unsigned char)m->s[si]) != fold(m, c))
			return false;
		si++;
		pi++;
	}
	return si == se;
}

static bool has_high(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] >= 0x80)
			return true;
	return false;
}

/* Sets up a matcher; false when the inputs hold a locale-dependent case. */
static bool pm_init(struct pm *m, const char *pat, size_t plen, const char *s,
                    size_t slen, unsigned flags, uint32_t *steps)
{
	memset(m, 0, sizeof(*m));
	m->p = pat;
	m->plen = plen;
	m->s = s;
	m->slen = slen;
	m->flags = flags;
	m->steps = steps;
	if (*steps == 0)
		return false;
	if (has_high(s, slen) || has_high(pat, plen)) {
		bool single = (flags & AV_SH_PAT_NOCASE) != 0;
		for (size_t i = 0; i < plen && !single; i++) {
			if (pat[i] == '\\')
				i++;
			else if (pat[i] == '?' || pat[i] == '[')
				single = true;
		}
		if (single) {
			*steps = 0;
			return false;
		}
	}
	/* Only a `*' (or an extglob) backtracks; without one there is nothing
	 * to remember. */
	bool backtracks = memchr(pat, '*', plen) != NULL ||
	                  ((flags & AV_SH_PAT_EXTGLOB) && memchr(pat, '(', plen) != NULL);
	size_t cells = (plen + 1) * (slen + 1);
	if (backtracks && slen < MEMO_MAX_CELLS && plen < MEMO_MAX_CELLS &&
	    cells <= MEMO_MAX_CELLS)
		m->memo = calloc(cells, sizeof(uint32_t));
	return true;
}

static void pm_free(struct pm *m)
{
	free(m->memo);
}

/* One top-level match of the whole pattern against s[si..se). */
static bool pm_whole(struct pm *m, size_t si, size_t se)
{
	m->top_se = se;
	m->gen++;
	return gmatch(m, si, se, 0, m->plen);
}

bool av_sh_pattern_match(const char *pat, size_t plen, const char *s, size_t slen,
                         unsigned flags, uint32_t *steps)
{
	struct pm m;
	if (!pm_init(&m, pat, plen, s, slen, flags, steps))
		return false;
	bool r = pm_whole(&m, 0, slen);
	pm_free(&m);
	return r && !m.stop;
}

int64_t av_sh_pattern_prefix(const char *pat, size_t plen, const char *s, size_t slen,
                             bool longest, unsigned flags, uint32_t *steps)
{
	struct pm m;
	if (!pm_init(&m, pat, plen, s, slen, flags, steps))
		return -1;
	int64_t found = -1;
	for (size_t k = 0; k <= slen && !m.stop; k++) {
		size_t end = longest ? slen - k : k;
		if (pm_whole(&m, 0, end)) {
			found = (int64_t)end;
			break;
		}
	}
	pm_free(&m);
	return m.stop ? -1 : found;
}

int64_t av_sh_pattern_suffix(const char *pat, size_t plen, const char *s, size_t slen,
                             bool longest, unsigned flags, uint32_t *steps)
{
	struct pm m;
	if (!pm_init(&m, pat, plen, s, slen, flags, steps))
		return -1;
	int64_t found = -1;
	for (size_t k = 0; k <= slen && !m.stop; k++) {
		size_t start = longest ? k : slen - k;
		if (pm_whole(&m, start, slen)) {
			found = (int64_t)(slen - start);
			break;
		}
	}
	pm_free(&m);
	return m.stop ? -1 : found;
}

/* bash's match_pattern_char: could the match start at s[i]? An empty rest
 * of the string only starts a match for a pattern that begins with `*'. */
static bool may_start(const struct pm *m, size_t i)
{
	const char *p = m->p;
	if (i >= m->slen)
		return m->plen > 0 && p[0] == '*';
	unsigned char c = (unsigned char)m->s[i];
	char next = m->plen > 1 ? p[1] : '\0';
	switch (p[0]) {
	case '\\':
		return fold(m, c) == fold(m, (unsigned char)next);
	case '?':
		return true;
	case '*':
		return true;
	case '+':
	case '!':
	case '@':
		return next == '(' || fold(m, c) == fold(m, (unsigned char)p[0]);
	case '[':
		return true;
	default:
		return fold(m, c) == fold(m, (unsigned char)p[0]);
	}
}

/* bash's umatchlen: the fixed length a pattern matches, or -1 when it can
 * vary. ${x/p/r} only tries matches of this length, so its quirks (such as
 * counting [!]] as two characters) are part of bash's behaviour. */
static int64_t fixed_len(const char *p, size_t plen)
{
	size_t i = 0;
	int64_t n = 0;
#define PC(k) ((k) < plen ? p[k] : '\0')
	while (i < plen) {
		char c = p[i++];
		if (c == '\\') {
			n++;
			if (i >= plen)
				return n;
			i++;
		} else if (c == '*') {
			return -1;
		} else if ((c == '?' || c == '+' || c == '!' || c == '@') &&
		           PC(i) == '(') {
			return -1;
		} else if (c == '[') {
			int64_t brack = 1;
			bool cclass = false, coll = false, equiv = false, bad = false;
			c = PC(i);
			i++;
			do {
				if (c == '\0') {
					i--;
					n += brack;
					bad = true;
					break;
				} else if (c == '\\') {
					brack++;
					if (PC(i) == '\0' || PC(i + 1) == '\0') {
						i++;
						n += brack;
						bad = true;
						break;
					}
					i++;
				} else if (c == '[' && PC(i) == ':') {
					i++;
					brack++;
					cclass = true;
				} else if (cclass && c == ':' && PC(i) == ']') {
					i++;
					brack++;
					cclass = false;
				} else if (c == '[' && (PC(i) == '.' || PC(i) == '=')) {
					bool dot = PC(i) == '.';
					i++;
					brack++;
					if (PC(i) == ']') {
						i++;
						brack++;
					}
					coll = coll || dot;
					equiv = equiv || !dot;
				} else if (coll && c == '.' && PC(i) == ']') {
					i++;
					brack++;
					coll = false;
				} else if (equiv && c == '=' && PC(i) == ']') {
					i++;
					brack++;
					equiv = false;
				} else {
					brack++;
				}
				c = PC(i);
				i++;
			} while (c != ']');
			if (!bad)
				n++;
			if (i > plen)
				i = plen;
		} else {
			n++;
		}
	}
#undef PC
	return n;
}

/* bash's match_upattern first checks that `*PAT*' matches the string at
 * all, adding the stars with its own rules: a pattern that ends in an
 * unescaped backslash gets a `*' that the backslash then escapes, so such a
 * pattern never matches anywhere. Done the same way for the same answers. */
static bool anywhere(const char *pat, size_t plen, const char *s, size_t slen,
                     unsigned flags, uint32_t *steps)
{
	bool ext = (flags & AV_SH_PAT_EXTGLOB) != 0;
	bool star_ext = pat[0] == '*' && plen > 1 && pat[1] == '(' && ext;
	if (pat[0] == '*' && !star_ext && pat[plen - 1] == '*')
		return true; /* bash matches PAT itself, which the caller does next */
	char *np = malloc(plen + 3);
	if (np == NULL) {
		*steps = 0;
		return false;
	}
	size_t n = 0;
	if (pat[0] != '*' || star_ext)
		np[n++] = '*';
	memcpy(np + n, pat, plen);
	n += plen;
	if (pat[plen - 1] == '*' && plen >= 2 && pat[plen - 2] == '\\') {
		bool unescaped = true;
		for (size_t k = plen - 2; k-- > 0 && pat[k] == '\\';)
			unescaped = !unescaped;
		if (unescaped)
			np[n++] = '*';
	} else if (pat[plen - 1] != '*') {
		np[n++] = '*';
	}
	bool r = av_sh_pattern_match(np, n, s, slen, flags, steps);
	free(np);
	return r;
}

bool av_sh_pattern_find(const char *pat, size_t plen, const char *s, size_t slen,
                        size_t from, unsigned flags, uint32_t *steps, size_t *at,
                        size_t *mlen)
{
	struct pm m;
	if (from > slen || plen == 0 || !pm_init(&m, pat, plen, s, slen, flags, steps))
		return false;
	if (!anywhere(pat, plen, s + from, slen - from, flags, steps)) {
		pm_free(&m);
		return false;
	}
	bool found = false;
	int64_t fixed = fixed_len(pat, plen);
	if (fixed > (int64_t)(slen - from))
		fixed = INT64_MAX; /* longer than the string: nothing matches */
	for (size_t i = from; i <= slen && !found && !m.stop && fixed != INT64_MAX; i++) {
		if (!may_start(&m, i))
			continue;
		size_t e = fixed < 0 ? slen : i + (size_t)fixed;
		if (e > slen)
			break;
		for (;;) {
			if (pm_whole(&m, i, e)) {
				*at = i;
				*mlen = e - i;
				found = true;
				break;
			}
			if (fixed >= 0 || e == i || m.stop)
				break;
			e--;
		}
	}
	pm_free(&m);
	return found && !m.stop;
}

bool av_sh_pattern_has_magic(const char *pat, size_t plen, unsigned flags)
{
	bool open = false;
	for (size_t i = 0; i < plen; i++) {
		char c = pat[i];
		if (c == '\\') {
			i++;
		} else if (c == '*' || c == '?') {
			return true;
		} else if (c == '[') {
			open = true;
		} else if (c == ']' && open) {
			return true;
		} else if ((flags & AV_SH_PAT_EXTGLOB) &&
		           (c == '+' || c == '@' || c == '!') && i + 1 < plen &&
		           pat[i + 1] == '(') {
			return true;
		}
	}
	return false;
}
