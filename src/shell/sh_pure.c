/* sh_pure.c - the utilities whose output depends only on their arguments and
 * standard input (echo, printf, base64, tr, ...), run for the evaluator.
 *
 * Each model follows the bash builtin or the GNU coreutils / Debian tool of
 * that name (checked against the real ones by tests/unit/test_pure.c). The
 * rule everywhere: an option, form or input we have not modelled exactly is
 * AV_SH_PURE_UNKNOWN, never a guess, because a wrong output would let the
 * evaluator resolve a command to something bash would not run. Bytes >= 0x80
 * are UNKNOWN wherever the answer depends on the locale (characters rather
 * than bytes). Output is bounded by io->max_out. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh_pure.h"

/* ---- output buffer ---------------------------------------------------------- */

struct run {
	const char *const *argv;
	uint32_t argc;
	struct av_arena *arena;
	struct av_sh_pure_io *io;
	char *buf;
	size_t len, cap;
	enum av_sh_pure_status st; /* first failure; AV_SH_PURE_OK while fine */
	int status;                /* exit status being built */
};

static bool failed(const struct run *r)
{
	return r->st != AV_SH_PURE_OK;
}

static void fail_with(struct run *r, enum av_sh_pure_status st)
{
	if (r->st == AV_SH_PURE_OK)
		r->st = st;
}

/* Marks the run UNKNOWN; returns false so callers can `return unknown(r)'. */
static bool unknown(struct run *r)
{
	fail_with(r, AV_SH_PURE_UNKNOWN);
	return false;
}

static bool put(struct run *r, const void *p, size_t n)
{
	if (failed(r))
		return false;
	if (n == 0)
		return true;
	if (n > r->io->max_out || r->len > r->io->max_out - n) {
		fail_with(r, AV_SH_PURE_LIMIT);
		return false;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		while (cap < r->len + n + 1)
			cap *= 2;
		char *nb = av_arena_alloc(r->arena, cap);
		if (nb == NULL) {
			fail_with(r, AV_SH_PURE_NOMEM);
			return false;
		}
		if (r->len)
			memcpy(nb, r->buf, r->len);
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return true;
}

static bool putc1(struct run *r, char c)
{
	return put(r, &c, 1);
}

static bool puts0(struct run *r, const char *s)
{
	return put(r, s, strlen(s));
}

/* Standard input, or UNKNOWN when the evaluator does not know it. */
static bool input(struct run *r, const char **in, size_t *n)
{
	if (!r->io->in_known)
		return unknown(r);
	*in = r->io->in ? r->io->in : "";
	*n = r->io->inlen;
	return true;
}

static bool has_high(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
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

/* ---- backslash escapes (echo -e, printf formats and %b) --------------------- */

enum esc_mode {
	ESC_ECHO,   /* echo -e: \0NNN octal only with the leading 0; \c stops */
	ESC_FORMAT, /* a printf format: \NNN octal; \c is not special */
	ESC_PCT_B,  /* printf %b: \0NNN and \NNN; \c stops */
};

/* Expands the escape at s[*i] == '\\'. Returns false when the output must
 * stop here (\c), setting *stop; UNKNOWN forms set r's status. */
static bool expand_escape(struct run *r, const char *s, size_t n, size_t *i,
                          enum esc_mode mode, bool *stop)
{
	size_t k = *i + 1;
	if (k >= n) {
		*i = k;
		return putc1(r, '\\');
	}
	char c = s[k++];
	static const struct {
		char c;
		char out;
	} simple[] = {
		{ 'a', '\a' }, { 'b', '\b' },  { 'e', 27 },   { 'E', 27 },
		{ 'f', '\f' }, { 'n', '\n' },  { 'r', '\r' }, { 't', '\t' },
		{ 'v', '\v' }, { '\\', '\\' },
	};
	for (size_t j = 0; j < sizeof(simple) / sizeof(simple[0]); j++) {
		if (simple[j].c == c) {
			*i = k;
			return putc1(r, simple[j].out);
		}
	}
	if (c == 'c' && mode != ESC_FORMAT) {
		*stop = true;
		*i = k;
		return false;
	}
	if (mode == ESC_FORMAT && (c == '"' || c == '\'' || c == '?')) {
		*i = k;
		return putc1(r, c);
	}
	if (is_octal(c) && (c == '0' || mode != ESC_ECHO)) {
		/* \0 takes up to three more digits in echo and %b; a format's
		 * \NNN takes three in all */
		unsigned v = (unsigned)(c - '0');
		int more = (c == '0' && mode != ESC_FORMAT) ? 3 : 2;
		while (more-- > 0 && k < n && is_octal(s[k]))
			v = v * 8 + (unsigned)(s[k++] - '0');
		*i = k;
		return putc1(r, (char)(v & 0xff));
	}
	if (c == 'x') {
		unsigned v = 0;
		int d = 0;
		while (d < 2 && k < n && hexval(s[k]) >= 0) {
			v = v * 16 + (unsigned)hexval(s[k++]);
			d++;
		}
		if (d == 0) {
			/* bash prints \x as is (a format warns "missing hex digit") */
			if (mode == ESC_FORMAT)
				return unknown(r);
			*i = k;
			return put(r, "\\x", 2);
		}
		*i = k;
		return putc1(r, (char)v);
	}
	if (c == 'u' || c == 'U') {
		unsigned long v = 0;
		int d = 0, max = c == 'u' ? 4 : 8;
		while (d < max && k < n && hexval(s[k]) >= 0) {
			v = v * 16 + (unsigned long)hexval(s[k++]);
			d++;
		}
		if (d == 0) {
			if (mode == ESC_FORMAT)
				return unknown(r);
			*i = k;
			putc1(r, '\\');
			return putc1(r, c);
		}
		/* Above ASCII the bytes depend on the locale. */
		if (v >= 0x80 || v == 0)
			return unknown(r);
		*i = k;
		return putc1(r, (char)v);
	}
	/* anything else: the backslash stays */
	*i = k;
	putc1(r, '\\');
	return putc1(r, c);
}

/* Writes s with escapes expanded; returns false when \c stopped output. */
static bool put_escaped(struct run *r, const char *s, size_t n, enum esc_mode mode)
{
	for (size_t i = 0; i < n && !failed(r);) {
		if (s[i] != '\\') {
			size_t j = i;
			while (j < n && s[j] != '\\')
				j++;
			put(r, s + i, j - i);
			i = j;
			continue;
		}
		bool stop = false;
		expand_escape(r, s, n, &i, mode, &stop);
		if (stop)
			return false;
	}
	return true;
}

/* ---- echo (bash builtin) ---------------------------------------------------- */

static void run_echo(struct run *r)
{
	bool newline = true, escapes = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strspn(a + 1, "neE") != strlen(a + 1))
			break; /* not all option letters: a word to print */
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'n')
				newline = false;
			else
				escapes = *p == 'e';
		}
	}
	for (uint32_t first = i; i < r->argc; i++) {
		if (i > first)
			putc1(r, ' ');
		const char *a = r->argv[i];
		if (!escapes) {
			puts0(r, a);
		} else if (!put_escaped(r, a, strlen(a), ESC_ECHO)) {
			return; /* \c: nothing more, not even the newline */
		}
	}
	if (newline)
		putc1(r, '\n');
}

/* ---- printf (bash builtin) -------------------------------------------------- */

struct pf {
	struct run *r;
	uint32_t next; /* next argument */
	bool stop;     /* \c in %b */
};

static const char *next_arg(struct pf *p, bool *have)
{
	*have = p->next < p->r->argc;
	return *have ? p->r->argv[p->next++] : "";
}

/* bash's getintmax/getuintmax: strtoimax with base 0 after optional blanks;
 * 'c or "c gives the character's code; trailing garbage is an error (the
 * value read so far is used, status 1); out of range clamps (a warning,
 * status unchanged). */
static bool number_arg(struct pf *p, const char *a, bool is_unsigned, uint64_t *out)
{
	struct run *r = p->r;
	if (a[0] == '\'' || a[0] == '"') {
		if ((unsigned char)a[1] >= 0x80)
			return unknown(r); /* a multibyte character's code */
		*out = (unsigned char)a[1];
		return true;
	}
	if (a[0] == '\0') {
		*out = 0;
		return true;
	}
	const char *s = a;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hexval(s[2]) >= 0) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	bool overflow = false, digits = false;
	for (;; s++) {
		int d = hexval(*s);
		if (d < 0 || (unsigned)d >= base)
			break;
		digits = true;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned)d;
	}
	if (*s != '\0' || !digits) {
		/* "invalid number": what strtoimax read is used */
		r->status = 1;
		if (!digits)
			v = 0;
	}
	if (overflow)
		return unknown(r); /* clamping rules differ between signed and not */
	if (is_unsigned) {
		*out = neg ? (uint64_t)0 - v : v;
		return true;
	}
	if (!neg && v > (uint64_t)INT64_MAX)
		return unknown(r);
	if (neg && v > (uint64_t)INT64_MAX + 1)
		return unknown(r);
	*out = neg ? (uint64_t)0 - v : v;
	return true;
}

/* Characters printf %q escapes with a backslash (bash's sh_backslash_quote);
 * # and ~ only at the start of the word. */
static bool q_special(char c)
{
	return c != '\0' && strchr(" !\"$&'()*,;<>?[\\]^`{|}", c) != NULL;
}

static void put_quoted(struct run *r, const char *a)
{
	size_t n = strlen(a);
	if (n == 0) {
		put(r, "''", 2);
		return;
	}
	bool control = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c >= 0x80) {
			unknown(r); /* printable or not depends on the locale */
			return;
		}
		control = control || c < 0x20 || c == 0x7f;
	}
	if (control) {
		/* bash's ansic_quote: $'...' with C escapes, octal otherwise */
		static const char from[] = "\a\b\f\n\r\t\v\033\\'", to[] = "abfnrtvE\\'";
		put(r, "$'", 2);
		for (size_t i = 0; i < n && !failed(r); i++) {
			unsigned char c = (unsigned char)a[i];
			const char *f = memchr(from, c, sizeof(from) - 1);
			if (f != NULL) {
				putc1(r, '\\');
				putc1(r, to[f - from]);
			} else if (c < 0x20 || c == 0x7f) {
				char oct[5] = { '\\', (char)('0' + (c >> 6)),
					        (char)('0' + ((c >> 3) & 7)),
					        (char)('0' + (c & 7)), '\0' };
				put(r, oct, 4);
			} else {
				putc1(r, (char)c);
			}
		}
		putc1(r, '\'');
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = a[i];
		if (q_special(c) || (i == 0 && (c == '#' || c == '~')))
			putc1(r, '\\');
		else if (c == '~' && (a[i - 1] == '=' || a[i - 1] == ':'))
			return (void)unknown(r);
		putc1(r, c);
	}
}

/* Pads s[0..n) to width (left-justified with '-'), as %s does. */
static void put_padded(struct run *r, const char *s, size_t n, long width, bool left)
{
	size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
	for (size_t i = 0; !left && i < pad; i++)
		putc1(r, ' ');
	put(r, s, n);
	for (size_t i = 0; left && i < pad; i++)
		putc1(r, ' ');
}

#define PF_MAX_WIDTH 100000L

/* One conversion at fmt[*i] == '%'. */
static void pf_conversion(struct pf *p, const char *fmt, size_t n, size_t *i, bool *used)
{
	struct run *r = p->r;
	size_t k = *i + 1;
	char flags[8];
	size_t nflags = 0;
	while (k < n && strchr("-+ #0", fmt[k]) != NULL && fmt[k] != '\0') {
		if (nflags < sizeof(flags) - 1)
			flags[nflags++] = fmt[k];
		k++;
	}
	flags[nflags] = '\0';
	long width = -1, prec = -1;
	bool left = strchr(flags, '-') != NULL;
	for (int part = 0; part < 2; part++) {
		long *dst = part == 0 ? &width : &prec;
		if (part == 1) {
			if (k >= n || fmt[k] != '.')
				break;
			k++;
			prec = 0;
		}
		if (k < n && fmt[k] == '*') {
			k++;
			bool have;
			uint64_t v;
			*used = true;
			if (!number_arg(p, next_arg(p, &have), false, &v))
				return;
			int64_t sv = (int64_t)v;
			if (sv > PF_MAX_WIDTH || sv < -PF_MAX_WIDTH) {
				unknown(r);
				return;
			}
			if (part == 0 && sv < 0) {
				left = true;
				sv = -sv;
			}
			*dst = part == 1 && sv < 0 ? -1 : (long)sv;
			continue;
		}
		long v = part == 0 ? -1 : 0;
		while (k < n && fmt[k] >= '0' && fmt[k] <= '9') {
			v = (v < 0 ? 0 : v) * 10 + (fmt[k++] - '0');
			if (v > PF_MAX_WIDTH) {
				unknown(r);
				return;
			}
		}
		*dst = v;
	}
	if (k >= n) {
		unknown(r); /* "missing format character" */
		return;
	}
	char conv = fmt[k++];
	*i = k;
	bool have = false;
	if (conv == 's' || conv == 'b' || conv == 'q') {
		*used = true;
		const char *a = next_arg(p, &have);
		if (conv == 'q' && !have) {
			/* bash prints '' for a missing %q argument */
			a = "";
		}
		if (conv == 's') {
			size_t len = strlen(a);
			if (prec >= 0 && (size_t)prec < len)
				len = (size_t)prec;
			if ((width > 0 || prec >= 0) && has_high(a, strlen(a))) {
				unknown(r); /* widths count characters in bash 5.2 */
				return;
			}
			put_padded(r, a, len, width, left);
			return;
		}
		if (width >= 0 || prec >= 0) {
			unknown(r);
			return;
		}
		if (conv == 'q') {
			put_quoted(r, a);
			return;
		}
		if (!put_escaped(r, a, strlen(a), ESC_PCT_B))
			p->stop = true;
		return;
	}
	if (conv == 'c') {
		*used = true;
		const char *a = next_arg(p, &have);
		if (prec >= 0 || (unsigned char)a[0] >= 0x80) {
			unknown(r);
			return;
		}
		/* an empty argument prints a NUL byte */
		put_padded(r, a, 1, width, left);
		return;
	}
	if (strchr("diouxX", conv) == NULL || conv == '\0') {
		unknown(r); /* %e %f %g %a %(...)T %n and invalid ones */
		return;
	}
	*used = true;
	uint64_t v = 0;
	bool is_unsigned = conv != 'd' && conv != 'i';
	if (!number_arg(p, next_arg(p, &have), is_unsigned, &v))
		return;
	/* A format built only from validated pieces, so snprintf is safe. */
	char spec[32];
	int sn = snprintf(spec, sizeof(spec), "%%%s%s*.*ll%c", flags, left ? "-" : "",
	                  conv == 'i' ? 'd' : conv);
	if (sn < 0 || (size_t)sn >= sizeof(spec)) {
		unknown(r);
		return;
	}
	int w = width < 0 ? 0 : (int)width, pr = (int)prec;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	int len = is_unsigned ? snprintf(NULL, 0, spec, w, pr, (unsigned long long)v)
	                      : snprintf(NULL, 0, spec, w, pr, (long long)v);
	char *tmp = len >= 0 ? av_arena_alloc(r->arena, (size_t)len + 1) : NULL;
	if (tmp != NULL)
		len = is_unsigned
		              ? snprintf(tmp, (size_t)len + 1, spec, w, pr,
		                         (unsigned long long)v)
		              : snprintf(tmp, (size_t)len + 1, spec, w, pr, (long long)v);
#pragma GCC diagnostic pop
	if (tmp == NULL || len < 0) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	put(r, tmp, (size_t)len);
}

static void run_printf(struct run *r)
{
	uint32_t i = 1;
	if (i < r->argc && strcmp(r->argv[i], "--") == 0)
		i++;
	if (i < r->argc && r->argv[i][0] == '-' && r->argv[i][1] != '\0') {
		unknown(r); /* -v VAR assigns instead of printing */
		return;
	}
	if (i >= r->argc) {
		r->status = 2; /* usage */
		return;
	}
	const char *fmt = r->argv[i];
	size_t n = strlen(fmt);
	struct pf p = { .r = r, .next = i + 1 };
	for (;;) {
		bool used = false;
		for (size_t k = 0; k < n && !failed(r) && !p.stop;) {
			if (fmt[k] == '\\') {
				bool stop = false;
				expand_escape(r, fmt, n, &k, ESC_FORMAT, &stop);
				continue;
			}
			if (fmt[k] == '%') {
				if (k + 1 < n && fmt[k + 1] == '%') {
					putc1(r, '%');
					k += 2;
					continue;
				}
				pf_conversion(&p, fmt, n, &k, &used);
				continue;
			}
			size_t j = k;
			while (j < n && fmt[j] != '\\' && fmt[j] != '%')
				j++;
			put(r, fmt + k, j - k);
			k = j;
		}
		/* the format is reused while arguments remain and it took some */
		if (failed(r) || p.stop || !used || p.next >= r->argc)
			break;
	}
}

/* ---- true, false -------------------------------------------------------------- */

static void run_true(struct run *r)
{
	r->status = 0;
}

static void run_false(struct run *r)
{
	r->status = 1;
}

/* ---- cat (standard input and - only) --------------------------------------- */

static void run_cat(struct run *r)
{
	bool used_stdin = false;
	uint32_t operands = 0;
	bool opts = true;
	for (uint32_t i = 1; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && strcmp(a, "-u") == 0)
			continue; /* ignored by GNU cat */
		if (strcmp(a, "-") != 0) {
			unknown(r); /* a file, or an option we do not model */
			return;
		}
		operands++;
	}
	if (operands == 0)
		operands = 1;
	for (uint32_t k = 0; k < operands; k++) {
		const char *in;
		size_t n;
		if (!input(r, &in, &n))
			return;
		/* the first - reads standard input to its end; later ones get
		 * end of file at once */
		if (!used_stdin)
			put(r, in, n);
		used_stdin = true;
	}
}

/* ---- base64, base32 (GNU coreutils) --------------------------------------- */

static const char b64_alpha[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int alpha_index(const char *alpha, char c)
{
	if (c == '\0' || c == '=')
		return -1;
	const char *p = strchr(alpha, c);
	return p ? (int)(p - alpha) : -1;
}

struct codec_opts {
	bool decode, ignore;
	long wrap;
};

/* Options of base64/base32: -d -i -w N (also bundled, --decode,
 * --ignore-garbage, --wrap=N) and at most one operand, "-". */
static bool codec_args(struct run *r, struct codec_opts *o)
{
	o->decode = false;
	o->ignore = false;
	o->wrap = 76;
	bool opts = true;
	for (uint32_t i = 1; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
			continue;
		}
		const char *wrap = NULL;
		if (opts && strcmp(a, "--decode") == 0) {
			o->decode = true;
		} else if (opts && strcmp(a, "--ignore-garbage") == 0) {
			o->ignore = true;
		} else if (opts && strncmp(a, "--wrap=", 7) == 0) {
			wrap = a + 7;
		} else if (opts && a[0] == '-' && a[1] != '\0' && a[1] != '-') {
			for (const char *p = a + 1; *p && wrap == NULL; p++) {
				if (*p == 'd') {
					o->decode = true;
				} else if (*p == 'i') {
					o->ignore = true;
				} else if (*p == 'w') {
					if (p[1] != '\0')
						wrap = p + 1;
					else if (i + 1 < r->argc)
						wrap = r->argv[++i];
					else
						return unknown(r);
				} else {
					return unknown(r);
				}
			}
		} else if (strcmp(a, "-") != 0) {
			return unknown(r); /* a file */
		}
		if (wrap != NULL) {
			char *end = NULL;
			long v = strtol(wrap, &end, 10);
			if (*wrap == '\0' || *end != '\0' || v < 0 || v > 1000000)
				return unknown(r);
			o->wrap = v;
		}
	}
	return true;
}

static void encode_out(struct run *r, const char *enc, size_t n, long wrap)
{
	if (wrap == 0) {
		put(r, enc, n);
		return;
	}
	for (size_t i = 0; i < n && !failed(r); i += (size_t)wrap) {
		size_t k = n - i < (size_t)wrap ? n - i : (size_t)wrap;
		put(r, enc + i, k);
		putc1(r, '\n');
	}
}

/* Input for decoding: newlines dropped (and with -i everything outside the
 * alphabet and '='), into an arena copy. */
static char *decode_input(struct run *r, const char *alpha, bool ignore, const char *in,
                          size_t n, size_t *len)
{
	char *t = av_arena_alloc(r->arena, n + 1);
	if (t == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '\n')
			continue;
		if (ignore && c != '=' && alpha_index(alpha, c) < 0)
			continue;
		t[k++] = c;
	}
	*len = k;
	return t;
}

/* gnulib's decode_4: bytes are written as soon as their characters are
 * read, so a bad group still yields its first bytes. */
static bool b64_group(struct run *r, const char *g, size_t n)
{
	int v[4];
	for (size_t i = 0; i < 4; i++)
		v[i] = i < n ? alpha_index(b64_alpha, g[i]) : -1;
	if (n < 2 || v[0] < 0 || v[1] < 0)
		return false;
	putc1(r, (char)((v[0] << 2) | (v[1] >> 4)));
	if (n == 2)
		return false;
	if (g[2] == '=')
		return n == 4 && g[3] == '=';
	if (v[2] < 0)
		return false;
	putc1(r, (char)(((v[1] << 4) & 0xf0) | (v[2] >> 2)));
	if (n == 3)
		return false;
	if (g[3] == '=')
		return n == 4;
	if (v[3] < 0)
		return false;
	putc1(r, (char)(((v[2] << 6) & 0xc0) | v[3]));
	return true;
}

/* gnulib's decode_8: a short group yields nothing. */
static bool b32_group(struct run *r, const char *g, size_t n)
{
	if (n < 8)
		return false;
	int v[8];
	for (size_t i = 0; i < 8; i++)
		v[i] = alpha_index(b32_alpha, g[i]);
	if (v[0] < 0 || v[1] < 0)
		return false;
	putc1(r, (char)((v[0] << 3) | (v[1] >> 2)));
	if (g[2] == '=')
		return strncmp(g + 3, "=====", 5) == 0;
	if (v[2] < 0 || v[3] < 0)
		return false;
	putc1(r, (char)(((v[1] << 6) & 0xc0) | (v[2] << 1) | (v[3] >> 4)));
	if (g[4] == '=')
		return strncmp(g + 5, "===", 3) == 0;
	if (v[4] < 0)
		return false;
	putc1(r, (char)(((v[3] << 4) & 0xf0) | (v[4] >> 1)));
	if (g[5] == '=')
		return g[6] == '=' && g[7] == '=';
	if (v[5] < 0 || v[6] < 0)
		return false;
	putc1(r, (char)(((v[4] << 7) & 0x80) | (v[5] << 2) | (v[6] >> 3)));
	if (g[7] == '=')
		return true;
	if (v[7] < 0)
		return false;
	putc1(r, (char)(((v[6] << 5) & 0xe0) | v[7]));
	return true;
}

static void run_codec(struct run *r, bool is32)
{
	struct codec_opts o;
	const char *in;
	size_t n;
	if (!codec_args(r, &o) || !input(r, &in, &n))
		return;
	const char *alpha = is32 ? b32_alpha : b64_alpha;
	size_t group = is32 ? 8 : 4, bytes = is32 ? 5 : 3;
	if (o.decode) {
		size_t len = 0;
		char *t = decode_input(r, alpha, o.ignore, in, n, &len);
		if (t == NULL)
			return;
		for (size_t i = 0; i < len && !failed(r); i += group) {
			size_t k = len - i < group ? len - i : group;
			bool ok = is32 ? b32_group(r, t + i, k) : b64_group(r, t + i, k);
			if (!ok) {
				r->status = 1; /* "invalid input" */
				return;
			}
		}
		return;
	}
	size_t outn = (n + bytes - 1) / bytes * group;
	if (outn > r->io->max_out) {
		fail_with(r, AV_SH_PURE_LIMIT);
		return;
	}
	char *enc = av_arena_alloc(r->arena, outn + 1);
	if (enc == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	size_t k = 0;
	const unsigned char *u = (const unsigned char *)in;
	for (size_t i = 0; i < n; i += bytes) {
		size_t left = n - i < bytes ? n - i : bytes;
		uint64_t acc = 0;
		for (size_t j = 0; j < bytes; j++)
			acc = (acc << 8) | (j < left ? u[i + j] : 0);
		size_t bits = bytes * 8,
		       chars = (left * 8 + (is32 ? 4 : 5)) / (is32 ? 5 : 6);
		for (size_t j = 0; j < group; j++) {
			bits -= is32 ? 5 : 6;
			enc[k++] =
			        j < chars ? alpha[(acc >> bits) & (is32 ? 31 : 63)] : '=';
		}
	}
	encode_out(r, enc, k, o.wrap);
}

static void run_base64(struct run *r)
{
	run_codec(r, false);
}

static void run_base32(struct run *r)
{
	run_codec(r, true);
}

/* ---- rev (util-linux) --------------------------------------------------------- */

static void run_rev(struct run *r)
{
	const char *in;
	size_t n;
	if (r->argc > 1)
		return (void)unknown(r); /* files and options */
	if (!input(r, &in, &n))
		return;
	if (has_high(in, n) || memchr(in, '\0', n) != NULL)
		return (void)unknown(r); /* characters, not bytes */
	for (size_t i = 0; i < n && !failed(r);) {
		size_t e = i;
		while (e < n && in[e] != '\n')
			e++;
		for (size_t k = e; k > i; k--)
			putc1(r, in[k - 1]);
		if (e < n)
			putc1(r, '\n');
		i = e + 1;
	}
}

/* ---- tr (GNU coreutils) ----------------------------------------------------------- */

#define TR_MAX_SET 4096

struct tr_set {
	unsigned char c[TR_MAX_SET];
	size_t n;
	bool has_class; /* a class other than upper/lower appeared */
	bool has_case;  /* [:upper:] or [:lower:] appeared */
};

static bool tr_add(struct run *r, struct tr_set *s, unsigned char c)
{
	if (s->n >= TR_MAX_SET)
		return unknown(r);
	s->c[s->n++] = c;
	return true;
}

/* One character of a set at a[*i], with tr's escapes. */
static unsigned char tr_char(const char *a, size_t *i)
{
	if (a[*i] != '\\' || a[*i + 1] == '\0')
		return (unsigned char)a[(*i)++];
	(*i)++;
	char c = a[(*i)++];
	static const char from[] = "abfnrtv\\", to[] = "\a\b\f\n\r\t\v\\";
	const char *p = c ? strchr(from, c) : NULL;
	if (p != NULL)
		return (unsigned char)to[p - from];
	if (is_octal(c)) {
		unsigned v = (unsigned)(c - '0');
		for (int k = 0; k < 2 && is_octal(a[*i]); k++) {
			unsigned nv = v * 8 + (unsigned)(a[*i] - '0');
			if (nv > 255)
				break;
			v = nv;
			(*i)++;
		}
		return (unsigned char)v;
	}
	return (unsigned char)c;
}

static const struct {
	const char *name;
	int (*test)(int);
} tr_classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
	{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
	{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
	{ "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
};

/* Expands a tr set; false with r failed (UNKNOWN) or with *bad set (an
 * error tr reports itself: status 1, no output). */
static bool tr_parse(struct run *r, const char *a, struct tr_set *s, bool *bad)
{
	s->n = 0;
	s->has_class = false;
	s->has_case = false;
	size_t i = 0;
	while (a[i] != '\0') {
		if (a[i] == '[' && (a[i + 1] == ':' || a[i + 1] == '=')) {
			char kind = a[i + 1];
			const char *close = strstr(a + i + 2, kind == ':' ? ":]" : "=]");
			if (close != NULL) {
				size_t nlen = (size_t)(close - (a + i + 2));
				if (kind == '=') {
					if (nlen != 1)
						return unknown(r);
					if (!tr_add(r, s, (unsigned char)a[i + 2]))
						return false;
					s->has_class = true; /* not allowed in string2 */
					i += 5;
					continue;
				}
				size_t k = 0,
				       nc = sizeof(tr_classes) / sizeof(tr_classes[0]);
				while (k < nc && !(strlen(tr_classes[k].name) == nlen &&
				                   memcmp(tr_classes[k].name, a + i + 2,
				                          nlen) == 0))
					k++;
				if (k == nc)
					return unknown(r);
				if (strcmp(tr_classes[k].name, "upper") != 0 &&
				    strcmp(tr_classes[k].name, "lower") != 0)
					s->has_class = true;
				else
					s->has_case = true;
				/* ASCII only: bytes >= 0x80 are in no class in the C
				 * and UTF-8 locales tr runs in */
				for (int c = 0; c < 128; c++)
					if (tr_classes[k].test(c) &&
					    !tr_add(r, s, (unsigned char)c))
						return false;
				i += nlen + 4;
				continue;
			}
		}
		if (a[i] == '[' && strchr(a + i, '*') != NULL &&
		    strchr(a + i, ']') != NULL)
			return unknown(r); /* [c*n] repeats */
		unsigned char c = tr_char(a, &i);
		if (a[i] == '-' && a[i + 1] != '\0') {
			i++;
			unsigned char e = tr_char(a, &i);
			if (e < c) {
				*bad = true; /* "range-endpoints ... in reverse order" */
				return false;
			}
			for (unsigned v = c; v <= e; v++)
				if (!tr_add(r, s, (unsigned char)v))
					return false;
			continue;
		}
		if (!tr_add(r, s, c))
			return false;
	}
	return true;
}

static void run_tr(struct run *r)
{
	bool del = false, squeeze = false, comp = false, trunc = false;
	const char *sets[3];
	uint32_t nsets = 0;
	bool opts = true;
	for (uint32_t i = 1; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && a[0] == '-' && a[1] != '\0') {
			for (const char *p = a + 1; *p; p++) {
				if (*p == 'd')
					del = true;
				else if (*p == 's')
					squeeze = true;
				else if (*p == 'c' || *p == 'C')
					comp = true;
				else if (*p == 't')
					trunc = true;
				else
					return (void)unknown(r);
			}
			continue;
		}
		if (nsets == 3)
			return (void)unknown(r);
		sets[nsets++] = a;
	}
	/* operand counts tr accepts; anything else is its usage error */
	bool translate = !del && nsets == 2;
	uint32_t want = del ? (squeeze ? 2 : 1) : (squeeze ? (nsets == 2 ? 2 : 1) : 2);
	if (nsets != want) {
		r->status = 1;
		return;
	}
	struct tr_set *a1 = av_arena_alloc(r->arena, sizeof(*a1));
	struct tr_set *a2 = av_arena_alloc(r->arena, sizeof(*a2));
	if (a1 == NULL || a2 == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	bool bad = false;
	if (!tr_parse(r, sets[0], a1, &bad) ||
	    (nsets == 2 && !tr_parse(r, sets[1], a2, &bad))) {
		if (bad && !failed(r))
			r->status = 1;
		return;
	}
	if (nsets < 2)
		a2->n = 0;
	bool in1[256] = { false };
	for (size_t i = 0; i < a1->n; i++)
		in1[a1->c[i]] = true;
	if (comp) {
		/* the complement, in ascending byte order */
		size_t k = 0;
		for (int c = 0; c < 256; c++)
			if (!in1[c])
				a1->c[k++] = (unsigned char)c;
		a1->n = k;
		for (int c = 0; c < 256; c++)
			in1[c] = !in1[c];
	}
	unsigned char map[256];
	for (int c = 0; c < 256; c++)
		map[c] = (unsigned char)c;
	if (translate) {
		if (a2->has_class || (comp && a2->n > 1))
			return (void)unknown(r); /* tr's special rules for these */
		/* a case class in string2 must face the other one in string1 */
		bool l2u = strcmp(sets[0], "[:lower:]") == 0 &&
		           strcmp(sets[1], "[:upper:]") == 0;
		bool u2l = strcmp(sets[0], "[:upper:]") == 0 &&
		           strcmp(sets[1], "[:lower:]") == 0;
		if (a2->has_case && !l2u && !u2l)
			return (void)unknown(r);
		if (a2->n == 0) {
			r->status = 1; /* "string2 must be non-empty" */
			return;
		}
		size_t n1 = trunc && a1->n > a2->n ? a2->n : a1->n;
		for (size_t i = 0; i < n1; i++)
			map[a1->c[i]] = a2->c[i < a2->n ? i : a2->n - 1];
		for (int c = 0; c < 256; c++)
			in1[c] = false;
		for (size_t i = 0; i < n1; i++)
			in1[a1->c[i]] = true;
	}
	/* the squeeze set: the last set given */
	bool sq[256] = { false };
	if (squeeze) {
		if (nsets == 2) {
			for (size_t i = 0; i < a2->n; i++)
				sq[a2->c[i]] = true;
		} else {
			for (int c = 0; c < 256; c++)
				sq[c] = in1[c];
		}
	}
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	int last = -1;
	for (size_t i = 0; i < n && !failed(r); i++) {
		unsigned char c = (unsigned char)in[i];
		if (del && in1[c])
			continue;
		c = map[c];
		if (squeeze && sq[c] && last == c)
			continue;
		last = c;
		putc1(r, (char)c);
	}
}

/* ---- xxd (vim's) ----------------------------------------------------------------- */

static void xxd_plain(struct run *r, const char *in, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (size_t i = 0; i < n && !failed(r); i++) {
		unsigned char c = (unsigned char)in[i];
		putc1(r, digits[c >> 4]);
		putc1(r, digits[c & 15]);
		if (i % 30 == 29 || i + 1 == n)
			putc1(r, '\n');
	}
}

static void xxd_dump(struct run *r, const char *in, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (size_t off = 0; off < n && !failed(r); off += 16) {
		char line[80];
		int k = snprintf(line, sizeof(line), "%08zx: ", off);
		if (k < 0)
			return (void)unknown(r);
		size_t m = n - off < 16 ? n - off : 16;
		for (size_t j = 0; j < 16; j++) {
			if (j < m) {
				unsigned char c = (unsigned char)in[off + j];
				line[k++] = digits[c >> 4];
				line[k++] = digits[c & 15];
			} else {
				line[k++] = ' ';
				line[k++] = ' ';
			}
			if (j % 2 == 1)
				line[k++] = ' ';
		}
		line[k++] = ' ';
		for (size_t j = 0; j < m; j++) {
			unsigned char c = (unsigned char)in[off + j];
			line[k++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[k++] = '\n';
		put(r, line, (size_t)k);
	}
}

/* xxd -r -p: hex digit pairs; blanks, tabs, newlines and CRs are skipped;
 * leading garbage on a line is skipped; one stray character drops a
 * half-read byte; two in a row skip the rest of the line. */
static void xxd_revert_plain(struct run *r, const char *in, size_t n)
{
	int n1 = -1, n2 = -1, n3 = -1;
	bool ignore = true;
	for (size_t i = 0; i < n && !failed(r); i++) {
		char c = in[i];
		if (c == '\r' || c == ' ' || c == '\n' || c == '\t')
			continue;
		n3 = n2;
		n2 = n1;
		n1 = hexval(c);
		if (n1 < 0 && ignore)
			continue;
		ignore = false;
		if (n1 < 0 && n2 < 0 && n3 < 0) {
			while (i < n && in[i] != '\n')
				i++;
			ignore = true;
			continue;
		}
		if (n1 >= 0 && n2 >= 0) {
			putc1(r, (char)((n2 << 4) | n1));
			n1 = -1;
		}
	}
}

static void run_xxd(struct run *r)
{
	bool plain = false, revert = false, upper = false;
	for (uint32_t i = 1; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "-p") == 0 || strcmp(a, "-ps") == 0 ||
		    strcmp(a, "-postscript") == 0 || strcmp(a, "-plain") == 0)
			plain = true;
		else if (strcmp(a, "-r") == 0 || strcmp(a, "-revert") == 0)
			revert = true;
		else if (strcmp(a, "-rp") == 0 || strcmp(a, "-pr") == 0)
			plain = revert = true;
		else if (strcmp(a, "-u") == 0)
			upper = true;
		else if (strcmp(a, "-") != 0)
			return (void)unknown(r);
	}
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (revert && !plain)
		return (void)unknown(r); /* the dump format with addresses */
	if (revert)
		xxd_revert_plain(r, in, n);
	else if (plain)
		xxd_plain(r, in, n, upper);
	else
		xxd_dump(r, in, n, upper);
}

/* ---- line helpers ----------------------------------------------------------- */

/* The next line of in[0..n) from *pos: its start and length without the
 * newline; *nl says whether a newline ended it. False at the end. */
static bool next_line(const char *in, size_t n, size_t *pos, const char **line,
                      size_t *len, bool *nl)
{
	if (*pos >= n)
		return false;
	const char *s = in + *pos;
	const char *e = memchr(s, '\n', n - *pos);
	*line = s;
	*len = e ? (size_t)(e - s) : n - *pos;
	*nl = e != NULL;
	*pos += *len + (e != NULL);
	return true;
}

/* A count argument: decimal digits only (suffixes like 1k are UNKNOWN). */
static bool count_arg(struct run *r, const char *a, uint64_t *v)
{
	if (*a == '\0')
		return unknown(r);
	uint64_t acc = 0;
	for (const char *p = a; *p; p++) {
		if (*p < '0' || *p > '9')
			return unknown(r);
		if (acc > (UINT64_MAX - 9) / 10)
			return unknown(r);
		acc = acc * 10 + (uint64_t)(*p - '0');
	}
	*v = acc;
	return true;
}

/* Only standard input: no operands but "-" (once). */
static bool stdin_operands(struct run *r, uint32_t from)
{
	uint32_t dashes = 0;
	for (uint32_t i = from; i < r->argc; i++) {
		if (strcmp(r->argv[i], "-") != 0)
			return unknown(r);
		dashes++;
	}
	return dashes <= 1 || unknown(r);
}

/* ---- head, tail (GNU coreutils) ------------------------------------------------ */

struct ht {
	bool bytes; /* -c rather than -n */
	bool sign;  /* head: -n -N (all but); tail: -n +N (from) */
	uint64_t num;
};

/* -n N, -nN, --lines=N, -c N, --bytes=N, -N; then operands. */
static bool ht_args(struct run *r, bool tail, struct ht *o)
{
	o->bytes = false;
	o->sign = false;
	o->num = 10;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		const char *val = NULL;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] >= '0' && a[1] <= '9') {
			val = a + 1; /* -N */
			o->bytes = false;
		} else if (a[1] == 'n' || a[1] == 'c') {
			o->bytes = a[1] == 'c';
			val = a[2] ? a + 2 : (i + 1 < r->argc ? r->argv[++i] : NULL);
		} else if (strncmp(a, "--lines=", 8) == 0 ||
		           strncmp(a, "--bytes=", 8) == 0) {
			o->bytes = a[2] == 'b';
			val = a + 8;
		} else {
			return unknown(r);
		}
		if (val == NULL)
			return unknown(r);
		o->sign = false;
		if (val[0] == (tail ? '+' : '-')) {
			o->sign = true;
			val++;
		} else if (tail && val[0] == '-') {
			val++;
		}
		if (!count_arg(r, val, &o->num))
			return false;
	}
	return stdin_operands(r, i);
}

static void run_head(struct run *r)
{
	struct ht o;
	const char *in;
	size_t n;
	if (!ht_args(r, false, &o) || !input(r, &in, &n))
		return;
	if (o.bytes) {
		uint64_t k =
		        o.sign ? (o.num >= n ? 0 : n - o.num) : (o.num < n ? o.num : n);
		put(r, in, (size_t)k);
		return;
	}
	/* line ends: N lines, or all but the last N */
	uint64_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += in[i] == '\n';
	if (n > 0 && in[n - 1] != '\n')
		lines++;
	uint64_t want = o.sign ? (o.num >= lines ? 0 : lines - o.num) : o.num;
	size_t pos = 0, end = 0;
	const char *line;
	size_t len;
	bool nl;
	for (uint64_t k = 0; k < want && next_line(in, n, &pos, &line, &len, &nl); k++)
		end = pos;
	put(r, in, end);
}

static void run_tail(struct run *r)
{
	struct ht o;
	const char *in;
	size_t n;
	if (!ht_args(r, true, &o) || !input(r, &in, &n))
		return;
	if (o.bytes) {
		size_t from;
		if (o.sign)
			from = o.num == 0 ? 0 : (o.num - 1 < n ? (size_t)o.num - 1 : n);
		else
			from = o.num < n ? n - (size_t)o.num : 0;
		put(r, in + from, n - from);
		return;
	}
	uint64_t lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += in[i] == '\n';
	if (n > 0 && in[n - 1] != '\n')
		lines++;
	uint64_t skip;
	if (o.sign)
		skip = o.num == 0 ? 0 : o.num - 1;
	else
		skip = o.num < lines ? lines - o.num : 0;
	size_t pos = 0;
	const char *line;
	size_t len;
	bool nl;
	for (uint64_t k = 0; k < skip && next_line(in, n, &pos, &line, &len, &nl); k++) {
	}
	put(r, in + pos, n - pos);
}

/* ---- cut (GNU coreutils) ----------------------------------------------------------- */

#define CUT_MAX_RANGES 64

struct cut_range {
	uint64_t lo, hi; /* 1-based, inclusive; hi UINT64_MAX = to the end */
};

static bool cut_list(struct run *r, const char *list, struct cut_range *rg, size_t *nr,
                     bool *bad)
{
	*nr = 0;
	const char *p = list;
	for (;;) {
		if (*nr == CUT_MAX_RANGES)
			return unknown(r);
		struct cut_range x = { 0, 0 };
		bool have_lo = false, dash = false, have_hi = false;
		while (*p >= '0' && *p <= '9') {
			if (x.lo > 100000000)
				return unknown(r);
			x.lo = x.lo * 10 + (uint64_t)(*p++ - '0');
			have_lo = true;
		}
		if (*p == '-') {
			dash = true;
			p++;
			while (*p >= '0' && *p <= '9') {
				if (x.hi > 100000000)
					return unknown(r);
				x.hi = x.hi * 10 + (uint64_t)(*p++ - '0');
				have_hi = true;
			}
		}
		if (*p != ',' && *p != '\0')
			return unknown(r); /* blanks as separators and other forms */
		if ((!have_lo && !have_hi) || (have_lo && x.lo == 0) ||
		    (have_hi && x.hi == 0)) {
			*bad = true; /* "invalid range" / "numbered from 1" */
			return false;
		}
		if (!have_lo)
			x.lo = 1;
		if (!dash)
			x.hi = x.lo;
		else if (!have_hi)
			x.hi = UINT64_MAX;
		if (x.hi < x.lo) {
			*bad = true; /* "invalid decreasing range" */
			return false;
		}
		rg[(*nr)++] = x;
		if (*p == '\0')
			return true;
		p++;
	}
}

static bool cut_selected(const struct cut_range *rg, size_t nr, uint64_t k,
                         bool complement)
{
	bool in = false;
	for (size_t i = 0; i < nr && !in; i++)
		in = k >= rg[i].lo && k <= rg[i].hi;
	return in != complement;
}

static void run_cut(struct run *r)
{
	char mode = 0;
	const char *list = NULL, *delim = "\t", *outdelim = NULL;
	bool delim_given = false;
	bool only_delimited = false, complement = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--complement") == 0) {
			complement = true;
			continue;
		}
		if (strcmp(a, "--only-delimited") == 0) {
			only_delimited = true;
			continue;
		}
		if (strncmp(a, "--output-delimiter=", 19) == 0) {
			outdelim = a + 19;
			continue;
		}
		static const struct {
			const char *name;
			char opt;
		} longs[] = { { "--bytes=", 'b' },
			      { "--characters=", 'c' },
			      { "--fields=", 'f' },
			      { "--delimiter=", 'd' } };
		bool matched = false;
		for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]) && !matched;
		     k++) {
			size_t l = strlen(longs[k].name);
			if (strncmp(a, longs[k].name, l) == 0) {
				matched = true;
				if (longs[k].opt == 'd') {
					delim = a + l;
					delim_given = true;
				} else {
					if (mode && mode != longs[k].opt)
						return (void)(r->status = 1);
					mode = longs[k].opt;
					list = a + l;
				}
			}
		}
		if (matched)
			continue;
		if (a[1] == '-')
			return (void)unknown(r);
		for (const char *p = a + 1; *p; p++) {
			char c = *p;
			if (c == 's') {
				only_delimited = true;
			} else if (c == 'n') {
				/* ignored */
			} else if (c == 'b' || c == 'c' || c == 'f' || c == 'd') {
				const char *v =
				        p[1] ? p + 1
				             : (i + 1 < r->argc ? r->argv[++i] : NULL);
				if (v == NULL) {
					r->status = 1;
					return;
				}
				if (c == 'd') {
					delim = v;
					delim_given = true;
				} else {
					if (mode && mode != c) {
						r->status = 1; /* only one list */
						return;
					}
					mode = c;
					list = v;
				}
				break;
			} else {
				return (void)unknown(r);
			}
		}
	}
	if (!stdin_operands(r, i))
		return;
	if (mode == 0 || strlen(delim) > 1 || (mode != 'f' && only_delimited) ||
	    (mode != 'f' && delim_given)) {
		r->status = 1; /* usage errors */
		return;
	}
	struct cut_range rg[CUT_MAX_RANGES];
	size_t nr = 0;
	bool bad = false;
	if (!cut_list(r, list, rg, &nr, &bad)) {
		if (bad && !failed(r))
			r->status = 1;
		return;
	}
	if (delim[0] == '\0')
		return (void)unknown(r); /* GNU: -d '' means NUL */
	char d = delim[0];
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (mode == 'c' && has_high(in, n))
		return (void)unknown(r);
	size_t pos = 0;
	const char *line;
	size_t len;
	bool nl;
	while (!failed(r) && next_line(in, n, &pos, &line, &len, &nl)) {
		if (mode != 'f') {
			bool prev = false;
			for (size_t k = 0; k < len; k++) {
				bool sel = cut_selected(rg, nr, k + 1, complement);
				if (sel && prev == false && k > 0 && outdelim != NULL) {
					/* a delimiter between separate ranges */
					bool any_before = false;
					for (size_t j = 0; j < k && !any_before; j++)
						any_before = cut_selected(rg, nr, j + 1,
						                          complement);
					if (any_before)
						puts0(r, outdelim);
				}
				if (sel)
					putc1(r, line[k]);
				prev = sel;
			}
			putc1(r, '\n');
			continue;
		}
		if (memchr(line, d, len) == NULL) {
			if (!only_delimited) {
				put(r, line, len);
				putc1(r, '\n');
			}
			continue;
		}
		uint64_t field = 1;
		bool first = true;
		size_t start = 0;
		for (size_t k = 0; k <= len; k++) {
			if (k < len && line[k] != d)
				continue;
			if (cut_selected(rg, nr, field, complement)) {
				if (!first) {
					if (outdelim)
						puts0(r, outdelim);
					else
						putc1(r, d);
				}
				put(r, line + start, k - start);
				first = false;
			}
			field++;
			start = k + 1;
		}
		putc1(r, '\n');
	}
}

/* ---- tac, rev's cousins ---------------------------------------------------------- */

static void run_tac(struct run *r)
{
	const char *in;
	size_t n;
	if (!stdin_operands(r, 1) || !input(r, &in, &n))
		return;
	/* records end with a newline; the last may lack it and is printed
	 * as is, directly followed by the one before it */
	size_t end = n;
	while (end > 0 && !failed(r)) {
		size_t start = end - 1; /* the record's last byte */
		while (start > 0 && in[start - 1] != '\n')
			start--;
		put(r, in + start, end - start);
		end = start;
	}
}

/* ---- basename, dirname (GNU coreutils) ----------------------------------------------
 */

static void put_basename(struct run *r, const char *name, const char *suffix)
{
	size_t n = strlen(name);
	while (n > 1 && name[n - 1] == '/')
		n--;
	if (n == 0) {
		putc1(r, '\n');
		return;
	}
	size_t s = n;
	while (s > 0 && name[s - 1] != '/')
		s--;
	if (s == n) {
		/* only slashes */
		putc1(r, '/');
		putc1(r, '\n');
		return;
	}
	size_t len = n - s;
	size_t sl = suffix ? strlen(suffix) : 0;
	if (sl > 0 && sl < len && memcmp(name + s + len - sl, suffix, sl) == 0)
		len -= sl;
	put(r, name + s, len);
	putc1(r, '\n');
}

static void run_basename(struct run *r)
{
	bool multiple = false;
	const char *suffix = NULL;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-a") == 0 || strcmp(a, "--multiple") == 0) {
			multiple = true;
		} else if (strcmp(a, "-s") == 0 && i + 1 < r->argc) {
			suffix = r->argv[++i];
			multiple = true;
		} else if (strncmp(a, "--suffix=", 9) == 0) {
			suffix = a + 9;
			multiple = true;
		} else {
			return (void)unknown(r);
		}
	}
	uint32_t ops = r->argc - i;
	if (ops == 0 || (!multiple && ops > 2)) {
		r->status = 1;
		return;
	}
	if (!multiple) {
		put_basename(r, r->argv[i], ops == 2 ? r->argv[i + 1] : NULL);
		return;
	}
	for (; i < r->argc; i++)
		put_basename(r, r->argv[i], suffix);
}

static void run_dirname(struct run *r)
{
	uint32_t i = 1;
	if (i < r->argc && strcmp(r->argv[i], "--") == 0)
		i++;
	else if (i < r->argc && r->argv[i][0] == '-' && r->argv[i][1] != '\0')
		return (void)unknown(r);
	if (i >= r->argc) {
		r->status = 1;
		return;
	}
	for (; i < r->argc; i++) {
		const char *p = r->argv[i];
		size_t n = strlen(p);
		/* gnulib dir_len: drop the last component and the slashes
		 * before it, keeping a leading slash */
		size_t prefix = p[0] == '/' ? 1 : 0;
		size_t k = n;
		while (k > prefix && p[k - 1] == '/')
			k--;
		while (k > prefix && p[k - 1] != '/')
			k--;
		while (k > prefix && p[k - 1] == '/')
			k--;
		if (k == 0)
			putc1(r, '.');
		else
			put(r, p, k);
		putc1(r, '\n');
	}
}

/* ---- seq (GNU coreutils; integers only) ------------------------------------------ */

static bool seq_num(const char *a, int64_t *v)
{
	const char *p = a;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0')
		return false;
	uint64_t acc = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || acc > 100000000000000ULL)
			return false;
		acc = acc * 10 + (uint64_t)(*p - '0');
	}
	*v = a[0] == '-' ? -(int64_t)acc : (int64_t)acc;
	return true;
}

static void run_seq(struct run *r)
{
	const char *sep = "\n", *fmt = NULL;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9'))
			break;
		if (strcmp(a, "-s") == 0 && i + 1 < r->argc)
			sep = r->argv[++i];
		else if (strncmp(a, "-s", 2) == 0 && a[2] != '\0')
			sep = a + 2;
		else if (strcmp(a, "-f") == 0 && i + 1 < r->argc)
			fmt = r->argv[++i];
		else if (strncmp(a, "-f", 2) == 0 && a[2] != '\0')
			fmt = a + 2;
		else
			return (void)unknown(r); /* -w and others */
	}
	/* -f: exactly one %[flags][width][.precision] of g, f or e (and %%);
	 * the numbers are integers, exact as doubles, so C's printf gives
	 * what seq's long double formatting gives */
	char cfmt[64] = "";
	if (fmt != NULL) {
		size_t k = 0, directives = 0;
		for (const char *p = fmt; *p; p++) {
			if (k + 4 >= sizeof(cfmt))
				return (void)unknown(r);
			if (*p != '%') {
				cfmt[k++] = *p;
				continue;
			}
			if (p[1] == '%') {
				cfmt[k++] = '%';
				cfmt[k++] = '%';
				p++;
				continue;
			}
			cfmt[k++] = *p++;
			while (*p && strchr("-+ #0123456789.", *p) != NULL &&
			       k + 4 < sizeof(cfmt))
				cfmt[k++] = *p++;
			if (*p != 'g' && *p != 'f' && *p != 'e')
				return (void)unknown(r);
			cfmt[k++] = *p;
			directives++;
		}
		cfmt[k] = '\0';
		if (directives != 1)
			return (void)unknown(r);
	}
	uint32_t ops = r->argc - i;
	int64_t v[3] = { 1, 1, 0 };
	if (ops < 1 || ops > 3)
		return (void)unknown(r);
	for (uint32_t k = 0; k < ops; k++)
		if (!seq_num(r->argv[i + k], &v[3 - ops + k]))
			return (void)unknown(r); /* floats, hex, garbage */
	int64_t first = ops == 1 ? 1 : v[ops == 2 ? 1 : 0];
	int64_t step = ops == 3 ? v[1] : 1;
	int64_t last = v[2];
	if (ops == 2) {
		first = v[1];
		last = v[2];
	}
	if (step == 0) {
		r->status = 1;
		return;
	}
	bool any = false;
	for (int64_t x = first; step > 0 ? x <= last : x >= last; x += step) {
		char num[128];
		int len;
		if (fmt != NULL) {
			/* cfmt was checked above: one floating directive */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			len = snprintf(num, sizeof(num), cfmt, (double)x);
#pragma GCC diagnostic pop
		} else {
			len = snprintf(num, sizeof(num), "%" PRId64, x);
		}
		if (len < 0 || (size_t)len >= sizeof(num))
			return (void)unknown(r);
		if (any)
			puts0(r, sep);
		put(r, num, (size_t)(len > 0 ? len : 0));
		any = true;
		if (failed(r))
			return;
	}
	if (any)
		putc1(r, '\n');
}

/* ---- wc, uniq, sort ---------------------------------------------------------------- */

static void run_wc(struct run *r)
{
	bool l = false, w = false, c = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			return (void)unknown(r); /* files (and "-", printed as a name) */
		if (strcmp(a, "--lines") == 0) {
			l = true;
			continue;
		}
		if (strcmp(a, "--words") == 0) {
			w = true;
			continue;
		}
		if (strcmp(a, "--bytes") == 0) {
			c = true;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'l')
				l = true;
			else if (*p == 'w')
				w = true;
			else if (*p == 'c')
				c = true;
			else
				return (void)unknown(r);
		}
	}
	if (!l && !w && !c)
		l = w = c = true;
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (w && has_high(in, n))
		return (void)unknown(r);
	uint64_t lines = 0, words = 0;
	bool inword = false;
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)in[k];
		lines += ch == '\n';
		bool sp = isspace(ch) != 0;
		if (!sp && !inword)
			words++;
		inword = !sp;
	}
	uint64_t vals[3] = { lines, words, (uint64_t)n };
	bool on[3] = { l, w, c };
	int shown = l + w + c;
	bool first = true;
	for (int k = 0; k < 3; k++) {
		if (!on[k])
			continue;
		char num[32];
		int len = snprintf(num, sizeof(num),
		                   shown == 1 ? "%s%" PRIu64 : "%s%7" PRIu64,
		                   first ? "" : " ", vals[k]);
		put(r, num, (size_t)(len > 0 ? len : 0));
		first = false;
	}
	putc1(r, '\n');
}

static void run_uniq(struct run *r)
{
	bool count = false, dups = false, uniques = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'c')
				count = true;
			else if (*p == 'd')
				dups = true;
			else if (*p == 'u')
				uniques = true;
			else
				return (void)unknown(r);
		}
	}
	if (!stdin_operands(r, i))
		return;
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (has_high(in, n))
		return (void)unknown(r); /* collation */
	size_t pos = 0;
	const char *line, *prev = NULL;
	size_t len, plen = 0;
	bool nl;
	uint64_t reps = 0;
	for (bool more = true; more && !failed(r);) {
		more = next_line(in, n, &pos, &line, &len, &nl);
		if (prev != NULL && more && len == plen && memcmp(line, prev, len) == 0) {
			reps++;
			continue;
		}
		if (prev != NULL && (!dups || reps > 1) && (!uniques || reps == 1)) {
			if (count) {
				char num[32];
				int k = snprintf(num, sizeof(num), "%7" PRIu64 " ", reps);
				put(r, num, (size_t)(k > 0 ? k : 0));
			}
			put(r, prev, plen);
			putc1(r, '\n');
		}
		prev = line;
		plen = len;
		reps = 1;
	}
}

struct line_ref {
	const char *s;
	size_t n;
};

static int line_cmp(const void *a, const void *b)
{
	const struct line_ref *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, m);
	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void run_sort(struct run *r)
{
	bool reverse = false, uniq = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'r')
				reverse = true;
			else if (*p == 'u')
				uniq = true;
			else
				return (void)unknown(r);
		}
	}
	if (!stdin_operands(r, i))
		return;
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	/* The order depends on the locale's collation, except for lines made
	 * only of lower-case letters and digits (or only upper-case ones),
	 * which every common locale orders as C does. */
	bool lower = false, upper = false;
	size_t count = 0;
	for (size_t k = 0; k < n; k++) {
		char c = in[k];
		if (c == '\n') {
			count++;
			continue;
		}
		if (c >= 'a' && c <= 'z')
			lower = true;
		else if (c >= 'A' && c <= 'Z')
			upper = true;
		else if (c < '0' || c > '9')
			return (void)unknown(r);
	}
	if (lower && upper)
		return (void)unknown(r);
	count += n > 0 && in[n - 1] != '\n';
	struct line_ref *v = av_arena_alloc(r->arena, (count ? count : 1) * sizeof(*v));
	if (v == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	size_t pos = 0, k = 0;
	const char *line;
	size_t len;
	bool nl;
	while (k < count && next_line(in, n, &pos, &line, &len, &nl)) {
		v[k].s = line;
		v[k++].n = len;
	}
	qsort(v, k, sizeof(*v), line_cmp);
	for (size_t j = 0; j < k && !failed(r); j++) {
		size_t at = reverse ? k - 1 - j : j;
		if (uniq && j > 0 && line_cmp(&v[at], &v[reverse ? at + 1 : at - 1]) == 0)
			continue;
		put(r, v[at].s, v[at].n);
		putc1(r, '\n');
	}
}

/* ---- sed (GNU; a subset) ----------------------------------------------------------- */

#define SED_MAX_CMDS 32
#define SED_MAX_TEXT 4096

enum sed_addr_kind { SA_NONE = 0, SA_LINE, SA_LAST, SA_RE };

struct sed_addr {
	enum sed_addr_kind kind;
	uint64_t line;
	regex_t *re;
};

struct sed_cmd {
	struct sed_addr a1, a2;
	bool negate;
	bool in_range;
	char op; /* s y d p q Q = */
	/* s */
	regex_t *re;
	char *rep;
	size_t replen;
	bool global, print;
	uint64_t nth;
	/* y */
	unsigned char map[256];
	/* q Q */
	int exit_code;
};

struct sed {
	struct run *r;
	bool extended;
	struct sed_cmd cmds[SED_MAX_CMDS];
	size_t ncmds;
	regex_t *regs[SED_MAX_CMDS * 3];
	size_t nregs;
	bool bad_script; /* an error sed reports before reading input */
};

static void sed_free(struct sed *sd)
{
	for (size_t i = 0; i < sd->nregs; i++)
		regfree(sd->regs[i]);
}

/* Reads a delimited part (regex, replacement, y string) from t[*i] up to
 * the unescaped delimiter, into an arena copy. In a regex, \<delim>
 * becomes <delim> and \n a newline; GNU's \t and friends become their
 * bytes; other escapes stay for regcomp. Returns NULL on a form not
 * modelled (r failed) or a missing delimiter. */
static char *sed_part(struct sed *sd, const char *t, size_t *i, char delim, bool regex,
                      size_t *len)
{
	struct run *r = sd->r;
	char *out = av_arena_alloc(r->arena, SED_MAX_TEXT);
	if (out == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return NULL;
	}
	size_t k = 0;
	bool in_bracket = false;
	for (;;) {
		char c = t[*i];
		if (c == '\0' || k + 3 >= SED_MAX_TEXT) {
			unknown(r);
			return NULL;
		}
		(*i)++;
		if (c == delim && !in_bracket) {
			out[k] = '\0';
			*len = k;
			return out;
		}
		if (regex && c == '[' && !in_bracket) {
			/* a bracket expression: the delimiter and backslash are
			 * plain inside it, and GNU's rules here are subtle */
			if (strchr(t + *i, ']') == NULL) {
				unknown(r);
				return NULL;
			}
			in_bracket = true;
			out[k++] = c;
			if (t[*i] == '^')
				out[k++] = t[(*i)++];
			if (t[*i] == ']')
				out[k++] = t[(*i)++];
			continue;
		}
		if (in_bracket) {
			if (c == '[' && (t[*i] == ':' || t[*i] == '.' || t[*i] == '=')) {
				unknown(r);
				return NULL;
			}
			if (c == ']')
				in_bracket = false;
			if (c == '\\' || c == '\n') {
				unknown(r);
				return NULL;
			}
			out[k++] = c;
			continue;
		}
		if (c != '\\') {
			out[k++] = c;
			continue;
		}
		char e = t[(*i)++];
		if (e == '\0') {
			unknown(r);
			return NULL;
		}
		static const char from[] = "ntafvr", to[] = "\n\t\a\f\v\r";
		const char *f = strchr(from, e);
		if (e == delim) {
			out[k++] = e;
		} else if (f != NULL) {
			/* \n etc. are the byte itself; in a regex a special
			 * byte cannot arise this way, so no escaping is needed */
			out[k++] = to[f - from];
		} else if (strchr("dxocLUlueE", e) != NULL && !(regex && e == 'E')) {
			unknown(r); /* \d123 \x41 \cX and case conversions */
			return NULL;
		} else if (!regex && e != '&' && e != '\\' && !(e >= '0' && e <= '9')) {
			out[k++] = e; /* in replacements, \c is c */
		} else {
			out[k++] = '\\';
			out[k++] = e;
		}
	}
}

static regex_t *sed_regex(struct sed *sd, const char *text, bool icase)
{
	struct run *r = sd->r;
	if (text[0] == '\0') {
		unknown(r); /* the empty regex reuses the last one */
		return NULL;
	}
	if (sd->nregs >= sizeof(sd->regs) / sizeof(sd->regs[0])) {
		unknown(r);
		return NULL;
	}
	regex_t *re = av_arena_alloc(r->arena, sizeof(*re));
	if (re == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return NULL;
	}
	int flags = (sd->extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0);
	if (regcomp(re, text, flags) != 0) {
		unknown(r); /* GNU sed's messages and exit status differ by case */
		return NULL;
	}
	sd->regs[sd->nregs++] = re;
	return re;
}

static bool sed_address(struct sed *sd, const char *t, size_t *i, struct sed_addr *a)
{
	a->kind = SA_NONE;
	if (t[*i] >= '0' && t[*i] <= '9') {
		uint64_t v = 0;
		while (t[*i] >= '0' && t[*i] <= '9') {
			if (v > 1000000000)
				return unknown(sd->r);
			v = v * 10 + (uint64_t)(t[(*i)++] - '0');
		}
		if (t[*i] == '~' || v == 0)
			return unknown(sd->r); /* first~step, 0,/re/ */
		a->kind = SA_LINE;
		a->line = v;
	} else if (t[*i] == '$') {
		(*i)++;
		a->kind = SA_LAST;
	} else if (t[*i] == '/') {
		(*i)++;
		size_t len;
		char *re = sed_part(sd, t, i, '/', true, &len);
		if (re == NULL)
			return false;
		bool icase = false;
		if (t[*i] == 'I') {
			icase = true;
			(*i)++;
		}
		a->re = sed_regex(sd, re, icase);
		if (a->re == NULL)
			return false;
		a->kind = SA_RE;
	}
	return true;
}

static bool sed_parse(struct sed *sd, const char *t)
{
	struct run *r = sd->r;
	size_t i = 0;
	for (;;) {
		while (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == ';')
			i++;
		if (t[i] == '\0')
			return true;
		if (sd->ncmds == SED_MAX_CMDS)
			return unknown(r);
		struct sed_cmd *c = &sd->cmds[sd->ncmds++];
		memset(c, 0, sizeof(*c));
		if (!sed_address(sd, t, &i, &c->a1))
			return false;
		if (t[i] == ',') {
			i++;
			if (t[i] == '+' || t[i] == '~')
				return unknown(r);
			if (!sed_address(sd, t, &i, &c->a2) || c->a2.kind == SA_NONE)
				return unknown(r);
		}
		while (t[i] == ' ')
			i++;
		if (t[i] == '!') {
			c->negate = true;
			i++;
			while (t[i] == ' ')
				i++;
		}
		c->op = t[i];
		if (c->op == '\0')
			return unknown(r);
		i++;
		if (c->op == 's') {
			char delim = t[i++];
			if (delim == '\0' || delim == '\\' || delim == '\n')
				return unknown(r);
			size_t len;
			char *re = sed_part(sd, t, &i, delim, true, &len);
			if (re == NULL)
				return false;
			c->rep = sed_part(sd, t, &i, delim, false, &c->replen);
			if (c->rep == NULL)
				return false;
			bool icase = false;
			c->nth = 1;
			for (bool more = true; more;) {
				char f = t[i];
				if (f == 'g') {
					c->global = true;
				} else if (f == 'p') {
					c->print = true;
				} else if (f == 'I' || f == 'i') {
					icase = true;
				} else if (f >= '1' && f <= '9') {
					uint64_t v = 0;
					while (t[i] >= '0' && t[i] <= '9' && v < 100000)
						v = v * 10 + (uint64_t)(t[i++] - '0');
					c->nth = v;
					continue;
				} else {
					more = false;
					continue;
				}
				i++;
			}
			c->re = sed_regex(sd, re, icase);
			if (c->re == NULL)
				return false;
			/* \N beyond the groups is GNU sed's "invalid reference"
			 * error: exit status 1 before any input is read */
			for (size_t k = 0; k + 1 < c->replen; k++) {
				if (c->rep[k] != '\\')
					continue;
				char e = c->rep[++k];
				if (e >= '1' && e <= '9' &&
				    (size_t)(e - '0') > c->re->re_nsub)
					sd->bad_script = true;
			}
		} else if (c->op == 'y') {
			char delim = t[i++];
			if (delim == '\0' || delim == '\\' || delim == '\n')
				return unknown(r);
			size_t l1, l2;
			char *a = sed_part(sd, t, &i, delim, false, &l1);
			char *b = a ? sed_part(sd, t, &i, delim, false, &l2) : NULL;
			if (b == NULL)
				return false;
			if (l1 != l2 || has_high(a, l1) || has_high(b, l2))
				return unknown(r);
			for (int k = 0; k < 256; k++)
				c->map[k] = (unsigned char)k;
			for (size_t k = 0; k < l1; k++)
				c->map[(unsigned char)a[k]] = (unsigned char)b[k];
		} else if (c->op == 'q' || c->op == 'Q') {
			while (t[i] == ' ')
				i++;
			int code = 0;
			while (t[i] >= '0' && t[i] <= '9' && code < 1000)
				code = code * 10 + (t[i++] - '0');
			c->exit_code = code & 255;
			if (c->a2.kind != SA_NONE)
				return unknown(r); /* one address only */
		} else if (c->op != 'd' && c->op != 'p' && c->op != '=') {
			return unknown(r); /* { } n N a i c r w e h g x b t ... */
		}
		while (t[i] == ' ' || t[i] == '\t')
			i++;
		if (t[i] != '\0' && t[i] != ';' && t[i] != '\n')
			return unknown(r);
	}
}

static bool sed_match_addr(const struct sed_addr *a, const char *line, size_t len,
                           uint64_t lineno, bool last)
{
	switch (a->kind) {
	case SA_LINE:
		return lineno == a->line;
	case SA_LAST:
		return last;
	case SA_RE: {
		regmatch_t m[1] = { { 0, (regoff_t)len } };
		return regexec(a->re, line, 1, m, REG_STARTEND) == 0;
	}
	default:
		return true;
	}
}

static bool sed_selected(struct sed_cmd *c, const char *line, size_t len, uint64_t lineno,
                         bool last)
{
	bool sel;
	if (c->a1.kind == SA_NONE) {
		sel = true;
	} else if (c->a2.kind == SA_NONE) {
		sel = sed_match_addr(&c->a1, line, len, lineno, last);
	} else if (!c->in_range) {
		sel = sed_match_addr(&c->a1, line, len, lineno, last);
		if (sel) {
			c->in_range = true;
			/* a line-number end at or before this line closes at once */
			if (c->a2.kind == SA_LINE && c->a2.line <= lineno)
				c->in_range = false;
			if (c->a2.kind == SA_LAST && last)
				c->in_range = false;
		}
	} else {
		sel = true;
		if (c->a2.kind == SA_LINE
		            ? lineno >= c->a2.line
		            : sed_match_addr(&c->a2, line, len, lineno, last))
			c->in_range = false;
	}
	return sel != c->negate;
}

/* The pattern space: a growable arena buffer. */
struct space {
	char *s;
	size_t n, cap;
};

static bool space_add(struct run *r, struct space *sp, const char *p, size_t n)
{
	if (sp->n + n + 1 > sp->cap) {
		size_t cap = (sp->n + n + 1) * 2;
		if (cap > r->io->max_out + 64) {
			fail_with(r, AV_SH_PURE_LIMIT);
			return false;
		}
		char *nb = av_arena_alloc(r->arena, cap);
		if (nb == NULL) {
			fail_with(r, AV_SH_PURE_NOMEM);
			return false;
		}
		if (sp->n)
			memcpy(nb, sp->s, sp->n);
		sp->s = nb;
		sp->cap = cap;
	}
	memcpy(sp->s + sp->n, p, n);
	sp->n += n;
	sp->s[sp->n] = '\0';
	return true;
}

/* Appends the replacement for one match. */
static bool sed_replace(struct run *r, struct space *out, const struct sed_cmd *c,
                        const char *line, const regmatch_t *m)
{
	for (size_t k = 0; k < c->replen; k++) {
		char ch = c->rep[k];
		if (ch == '&') {
			space_add(r, out, line + m[0].rm_so,
			          (size_t)(m[0].rm_eo - m[0].rm_so));
		} else if (ch == '\\' && k + 1 < c->replen) {
			char e = c->rep[++k];
			if (e >= '0' && e <= '9') {
				const regmatch_t *g = &m[e - '0'];
				if (g->rm_so >= 0)
					space_add(r, out, line + g->rm_so,
					          (size_t)(g->rm_eo - g->rm_so));
			} else {
				space_add(r, out, &e, 1);
			}
		} else {
			space_add(r, out, &ch, 1);
		}
		if (failed(r))
			return false;
	}
	return true;
}

/* GNU sed's s///: an empty match right after the previous match is passed
 * over, so replacing a* by x globally turns baaac into xbxcx. Returns whether
 * it replaced.  */
static bool sed_subst(struct run *r, const struct sed_cmd *c, struct space *ps)
{
	if (c->re->re_nsub > 9)
		return unknown(r);
	struct space out = { 0 };
	size_t start = 0, len = ps->n;
	const char *line = ps->s ? ps->s : "";
	uint64_t count = 0;
	bool replaced = false;
	long prev_end = -1;
	unsigned steps = 0;
	while (start <= len) {
		if (++steps > 1000000)
			return fail_with(r, AV_SH_PURE_LIMIT), false;
		regmatch_t m[10];
		m[0].rm_so = (regoff_t)start;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(c->re, line, 10, m,
		            REG_STARTEND | (start > 0 ? REG_NOTBOL : 0)) != 0)
			break;
		size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
		space_add(r, &out, line + start, so - start);
		if (so == eo && (long)so == prev_end) {
			if (so < len)
				space_add(r, &out, line + so, 1);
			start = so + 1;
			continue;
		}
		count++;
		if (count >= c->nth) {
			sed_replace(r, &out, c, line, m);
			replaced = true;
		} else {
			space_add(r, &out, line + so, eo - so);
		}
		prev_end = (long)eo;
		if (so == eo) {
			if (so < len)
				space_add(r, &out, line + so, 1);
			start = eo + 1;
		} else {
			start = eo;
		}
		if (failed(r))
			return false;
		if (replaced && !c->global)
			break;
	}
	if (start < len)
		space_add(r, &out, line + start, len - start);
	if (failed(r))
		return false;
	if (replaced)
		*ps = out;
	return replaced;
}

struct sed_out {
	bool missing_nl; /* the last line printed lacked its newline */
};

static void sed_print(struct run *r, struct sed_out *o, const char *s, size_t n, bool nl)
{
	if (o->missing_nl)
		putc1(r, '\n');
	put(r, s, n);
	if (nl)
		putc1(r, '\n');
	o->missing_nl = !nl;
}

static void run_sed(struct run *r)
{
	struct sed *sd = av_arena_alloc(r->arena, sizeof(*sd));
	if (sd == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	sd->r = r;
	bool quiet = false, have_script = false;
	const char *scripts[16];
	size_t nscripts = 0;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "--silent") == 0) {
			quiet = true;
			continue;
		}
		if (strcmp(a, "--regexp-extended") == 0) {
			sd->extended = true;
			continue;
		}
		if (strncmp(a, "--expression=", 13) == 0) {
			if (nscripts == 16)
				return (void)unknown(r);
			scripts[nscripts++] = a + 13;
			have_script = true;
			continue;
		}
		if (a[1] == '-')
			return (void)unknown(r);
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'n') {
				quiet = true;
			} else if (*p == 'E' || *p == 'r') {
				sd->extended = true;
			} else if (*p == 'e') {
				const char *v =
				        p[1] ? p + 1
				             : (i + 1 < r->argc ? r->argv[++i] : NULL);
				if (v == NULL || nscripts == 16)
					return (void)unknown(r);
				scripts[nscripts++] = v;
				have_script = true;
				break;
			} else {
				return (void)unknown(r); /* -i -z -s -u -l --posix ... */
			}
		}
	}
	if (!have_script) {
		if (i >= r->argc) {
			r->status = 1; /* usage */
			return;
		}
		scripts[nscripts++] = r->argv[i++];
	}
	if (!stdin_operands(r, i))
		return;
	/* -e pieces join with newlines */
	size_t total = 1;
	for (size_t k = 0; k < nscripts; k++)
		total += strlen(scripts[k]) + 1;
	char *script = av_arena_alloc(r->arena, total);
	if (script == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	size_t at = 0;
	for (size_t k = 0; k < nscripts; k++) {
		size_t l = strlen(scripts[k]);
		memcpy(script + at, scripts[k], l);
		at += l;
		script[at++] = '\n';
	}
	script[at] = '\0';
	const char *in;
	size_t n;
	if (sed_parse(sd, script) && sd->bad_script) {
		r->status = 1;
	} else if (!failed(r) && input(r, &in, &n)) {
		struct sed_out o = { false };
		size_t pos = 0;
		uint64_t lineno = 0;
		const char *line;
		size_t len;
		bool nl;
		bool quit = false;
		while (!quit && !failed(r) && next_line(in, n, &pos, &line, &len, &nl)) {
			lineno++;
			bool last = pos >= n;
			struct space ps = { 0 };
			if (!space_add(r, &ps, line, len))
				break;
			bool deleted = false;
			for (size_t k = 0;
			     k < sd->ncmds && !deleted && !quit && !failed(r); k++) {
				struct sed_cmd *c = &sd->cmds[k];
				if (!sed_selected(c, ps.s, ps.n, lineno, last))
					continue;
				switch (c->op) {
				case 'd':
					deleted = true;
					break;
				case 'p':
					sed_print(r, &o, ps.s, ps.n, nl);
					break;
				case '=': {
					char num[32];
					int l = snprintf(num, sizeof(num), "%" PRIu64,
					                 lineno);
					sed_print(r, &o, num, (size_t)(l > 0 ? l : 0),
					          true);
					break;
				}
				case 'q':
				case 'Q':
					quit = true;
					r->status = c->exit_code;
					deleted = c->op == 'Q';
					break;
				case 'y':
					for (size_t j = 0; j < ps.n; j++)
						ps.s[j] = (char)c->map[(unsigned char)
						                               ps.s[j]];
					break;
				case 's':
					if (sed_subst(r, c, &ps) && c->print)
						sed_print(r, &o, ps.s, ps.n, nl);
					break;
				default:
					unknown(r);
					break;
				}
			}
			/* the line q prints always gets its newline */
			if (!deleted && !quiet && !failed(r))
				sed_print(r, &o, ps.s, ps.n, nl || quit);
		}
	}
	sed_free(sd);
}

/* ---- awk (only the simplest programs) ---------------------------------------------- */

enum awk_item_kind { AI_FIELD, AI_FIELD_NF, AI_NF, AI_NR, AI_STR };

struct awk_item {
	enum awk_item_kind kind;
	uint64_t field;
	const char *str;
	size_t len;
	bool concat; /* joined to the previous item without OFS */
};

#define AWK_MAX_ITEMS 32

struct awk_stmt {
	bool printf_;
	struct awk_item items[AWK_MAX_ITEMS];
	size_t n;
};

struct awk_prog {
	bool begin;
	struct awk_stmt stmts[8];
	size_t n;
};

static void awk_skip(const char *t, size_t *i)
{
	while (t[*i] == ' ' || t[*i] == '\t' || t[*i] == '\n')
		(*i)++;
}

/* A string literal at t[*i] == '"', escapes decoded into the arena. */
static bool awk_string(struct run *r, const char *t, size_t *i, struct awk_item *it)
{
	size_t j = *i + 1;
	char *out = av_arena_alloc(r->arena, strlen(t) + 1);
	if (out == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return false;
	}
	size_t k = 0;
	for (;;) {
		char c = t[j++];
		if (c == '\0' || c == '\n')
			return unknown(r);
		if (c == '"')
			break;
		if (c != '\\') {
			out[k++] = c;
			continue;
		}
		char e = t[j++];
		static const char from[] = "ntr\\\"/abfv", to[] = "\n\t\r\\\"/\a\b\f\v";
		const char *f = e ? strchr(from, e) : NULL;
		if (f == NULL)
			return unknown(r); /* octal and the rest */
		out[k++] = to[f - from];
	}
	it->kind = AI_STR;
	it->str = out;
	it->len = k;
	*i = j;
	return true;
}

static bool awk_item(struct run *r, const char *t, size_t *i, struct awk_item *it)
{
	if (t[*i] == '"')
		return awk_string(r, t, i, it);
	if (t[*i] == '$') {
		(*i)++;
		if (strncmp(t + *i, "NF", 2) == 0 && !isalnum((unsigned char)t[*i + 2])) {
			*i += 2;
			it->kind = AI_FIELD_NF;
			return true;
		}
		if (t[*i] < '0' || t[*i] > '9')
			return unknown(r); /* $(expr), $i */
		uint64_t v = 0;
		while (t[*i] >= '0' && t[*i] <= '9' && v < 100000)
			v = v * 10 + (uint64_t)(t[(*i)++] - '0');
		it->kind = AI_FIELD;
		it->field = v;
		return true;
	}
	if ((strncmp(t + *i, "NF", 2) == 0 || strncmp(t + *i, "NR", 2) == 0) &&
	    !isalnum((unsigned char)t[*i + 2]) && t[*i + 2] != '_') {
		it->kind = t[*i + 1] == 'F' ? AI_NF : AI_NR;
		*i += 2;
		return true;
	}
	return unknown(r);
}

static bool awk_parse(struct run *r, const char *t, struct awk_prog *p)
{
	size_t i = 0;
	memset(p, 0, sizeof(*p));
	awk_skip(t, &i);
	if (strncmp(t + i, "BEGIN", 5) == 0) {
		p->begin = true;
		i += 5;
		awk_skip(t, &i);
	}
	if (t[i] != '{')
		return unknown(r); /* patterns, functions, END */
	i++;
	for (;;) {
		awk_skip(t, &i);
		while (t[i] == ';') {
			i++;
			awk_skip(t, &i);
		}
		if (t[i] == '}')
			break;
		if (p->n == 8)
			return unknown(r);
		struct awk_stmt *s = &p->stmts[p->n++];
		if (strncmp(t + i, "printf", 6) == 0 &&
		    !isalnum((unsigned char)t[i + 6])) {
			s->printf_ = true;
			i += 6;
		} else if (strncmp(t + i, "print", 5) == 0 &&
		           !isalnum((unsigned char)t[i + 5])) {
			i += 5;
		} else {
			return unknown(r);
		}
		bool concat = false;
		for (;;) {
			awk_skip(t, &i);
			if (t[i] == ';' || t[i] == '}')
				break;
			if (t[i] == ',') {
				if (s->n == 0)
					return unknown(r);
				i++;
				concat = false;
				continue;
			}
			if (s->n == AWK_MAX_ITEMS)
				return unknown(r);
			struct awk_item *it = &s->items[s->n];
			if (!awk_item(r, t, &i, it))
				return false;
			it->concat = concat && s->n > 0;
			s->n++;
			concat = true;
		}
		if (s->printf_ &&
		    (s->n == 0 || s->items[0].kind != AI_STR || s->items[0].concat))
			return unknown(r);
	}
	i++;
	awk_skip(t, &i);
	if (t[i] != '\0')
		return unknown(r); /* more rules */
	return true;
}

struct awk_rec {
	const char *line;
	size_t len;
	const char *f[256]; /* field starts */
	size_t fl[256];
	size_t nf;
	uint64_t nr;
};

static bool awk_split(struct run *r, struct awk_rec *rec, char fs)
{
	rec->nf = 0;
	const char *s = rec->line;
	size_t n = rec->len;
	if (n == 0)
		return true;
	if (fs == ' ') {
		size_t i = 0;
		for (;;) {
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i >= n)
				return true;
			size_t st = i;
			while (i < n && s[i] != ' ' && s[i] != '\t')
				i++;
			if (rec->nf == 256)
				return unknown(r);
			rec->f[rec->nf] = s + st;
			rec->fl[rec->nf++] = i - st;
		}
	}
	size_t st = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != fs)
			continue;
		if (rec->nf == 256)
			return unknown(r);
		rec->f[rec->nf] = s + st;
		rec->fl[rec->nf++] = i - st;
		st = i + 1;
	}
	return true;
}

/* The text of one item for a record (rec NULL in BEGIN). */
static bool awk_value(struct run *r, const struct awk_item *it, const struct awk_rec *rec,
                      const char **s, size_t *n, char *num)
{
	switch (it->kind) {
	case AI_STR:
		*s = it->str;
		*n = it->len;
		return true;
	case AI_NF:
	case AI_NR: {
		uint64_t v = rec == NULL ? 0 : (it->kind == AI_NF ? rec->nf : rec->nr);
		int l = snprintf(num, 32, "%" PRIu64, v);
		*s = num;
		*n = (size_t)(l > 0 ? l : 0);
		return true;
	}
	case AI_FIELD:
	case AI_FIELD_NF: {
		if (rec == NULL)
			return unknown(r); /* fields in BEGIN */
		uint64_t f = it->kind == AI_FIELD_NF ? rec->nf : it->field;
		if (f == 0) {
			*s = rec->line;
			*n = rec->len;
		} else if (f <= rec->nf) {
			*s = rec->f[f - 1];
			*n = rec->fl[f - 1];
		} else {
			*s = "";
			*n = 0;
		}
		return true;
	}
	}
	return unknown(r);
}

/* awk's printf with %s, %d (of plain integers) and %%. */
static void awk_printf(struct run *r, const struct awk_stmt *st,
                       const struct awk_rec *rec)
{
	const struct awk_item *fmt = &st->items[0];
	size_t arg = 1;
	for (size_t k = 0; k < fmt->len && !failed(r); k++) {
		char c = fmt->str[k];
		if (c != '%') {
			putc1(r, c);
			continue;
		}
		if (++k >= fmt->len)
			return (void)unknown(r);
		bool left = false;
		if (fmt->str[k] == '-') {
			left = true;
			k++;
		}
		long width = 0;
		while (k < fmt->len && fmt->str[k] >= '0' && fmt->str[k] <= '9' &&
		       width < 1000)
			width = width * 10 + (fmt->str[k++] - '0');
		if (k >= fmt->len)
			return (void)unknown(r);
		char conv = fmt->str[k];
		if (conv == '%' && width == 0 && !left) {
			putc1(r, '%');
			continue;
		}
		if (conv != 's' && conv != 'd')
			return (void)unknown(r);
		const char *s = "";
		size_t n = 0;
		char num[32];
		if (arg < st->n) {
			if (st->items[arg].concat)
				return (void)unknown(r);
			if (!awk_value(r, &st->items[arg++], rec, &s, &n, num))
				return;
		}
		if (conv == 'd') {
			/* only text that is a plain integer converts trivially */
			size_t j = (n > 0 && s[0] == '-') ? 1 : 0;
			if (j == n || n > 18)
				return (void)unknown(r);
			for (; j < n; j++)
				if (s[j] < '0' || s[j] > '9')
					return (void)unknown(r);
			if (n > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0')))
				return (void)unknown(r);
		}
		put_padded(r, s, n, width, left);
	}
	if (arg < st->n)
		return; /* extra arguments are ignored */
}

static void awk_run_stmt(struct run *r, const struct awk_stmt *st,
                         const struct awk_rec *rec)
{
	if (st->printf_) {
		awk_printf(r, st, rec);
		return;
	}
	if (st->n == 0) {
		if (rec == NULL)
			return (void)unknown(r);
		put(r, rec->line, rec->len);
		putc1(r, '\n');
		return;
	}
	for (size_t k = 0; k < st->n && !failed(r); k++) {
		if (k > 0 && !st->items[k].concat)
			putc1(r, ' ');
		const char *s;
		size_t n;
		char num[32];
		if (!awk_value(r, &st->items[k], rec, &s, &n, num))
			return;
		put(r, s, n);
	}
	putc1(r, '\n');
}

static void run_awk(struct run *r)
{
	char fs = ' ';
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] != 'F')
			return (void)unknown(r); /* -v -f and the rest */
		const char *v = a[2] ? a + 2 : (i + 1 < r->argc ? r->argv[++i] : NULL);
		if (v == NULL)
			return (void)unknown(r);
		if (strcmp(v, "\\t") == 0)
			fs = '\t';
		else if (strlen(v) == 1 && strchr(":,;/=_-@#%!&", v[0]) != NULL &&
		         v[0] != '\0')
			fs = v[0];
		else if (strlen(v) == 1 && isalnum((unsigned char)v[0]) && v[0] != 't')
			fs = v[0];
		else
			return (void)unknown(r); /* regexes, "t", " " */
	}
	if (i >= r->argc)
		return (void)unknown(r); /* usage */
	struct awk_prog *p = av_arena_alloc(r->arena, sizeof(*p));
	struct awk_rec *rec = av_arena_alloc(r->arena, sizeof(*rec));
	if (p == NULL || rec == NULL) {
		fail_with(r, AV_SH_PURE_NOMEM);
		return;
	}
	if (!awk_parse(r, r->argv[i++], p) || !stdin_operands(r, i))
		return;
	if (p->begin) {
		for (size_t k = 0; k < p->n && !failed(r); k++)
			awk_run_stmt(r, &p->stmts[k], NULL);
		return; /* BEGIN alone reads no input */
	}
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (has_high(in, n) || memchr(in, '\0', n) != NULL)
		return (void)unknown(r);
	size_t pos = 0;
	bool nl;
	rec->nr = 0;
	while (!failed(r) && next_line(in, n, &pos, &rec->line, &rec->len, &nl)) {
		rec->nr++;
		if (!awk_split(r, rec, fs))
			return;
		for (size_t k = 0; k < p->n && !failed(r); k++)
			awk_run_stmt(r, &p->stmts[k], rec);
	}
}

/* ---- expr (GNU coreutils; no regex matching) -----------------------------------------
 */

struct ex {
	struct run *r;
	const char *const *a;
	uint32_t n, i;
	bool err; /* a syntax or arithmetic error: status 2 */
	char buf[8][32];
	unsigned nbuf;
};

struct exv {
	const char *s; /* the value as text */
	bool num;
	int64_t v;
};

static bool ex_isint(const char *s, int64_t *v)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p == '\0')
		return false;
	uint64_t acc = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || acc > 100000000000000000ULL)
			return false;
		acc = acc * 10 + (uint64_t)(*p - '0');
	}
	*v = s[0] == '-' ? -(int64_t)acc : (int64_t)acc;
	return true;
}

static struct exv ex_str(struct ex *e, const char *s)
{
	struct exv x = { s, false, 0 };
	x.num = ex_isint(s, &x.v);
	const char *p = s + (s[0] == '-');
	if (!x.num && *p != '\0' && strspn(p, "0123456789") == strlen(p))
		unknown(e->r); /* an integer beyond 64 bits: GNU expr has bignums */
	return x;
}

static struct exv ex_int(struct ex *e, int64_t v)
{
	struct exv x = { "", true, v };
	char *b = av_arena_alloc(e->r->arena, 32);
	if (b == NULL) {
		fail_with(e->r, AV_SH_PURE_NOMEM);
		return x;
	}
	snprintf(b, 32, "%" PRId64, v);
	x.s = b;
	return x;
}

static bool ex_null(const struct exv *x)
{
	return x->s[0] == '\0' || (x->num && x->v == 0);
}

static bool ex_is(struct ex *e, const char *op)
{
	return e->i < e->n && strcmp(e->a[e->i], op) == 0;
}

static struct exv ex_or(struct ex *e, unsigned depth);

static struct exv ex_primary(struct ex *e, unsigned depth)
{
	struct exv none = { "", false, 0 };
	if (failed(e->r) || e->err || depth > 64) {
		if (depth > 64)
			unknown(e->r);
		return none;
	}
	if (e->i >= e->n) {
		e->err = true;
		return none;
	}
	const char *t = e->a[e->i];
	if (strcmp(t, "(") == 0) {
		e->i++;
		struct exv x = ex_or(e, depth + 1);
		if (!ex_is(e, ")")) {
			e->err = true;
			return none;
		}
		e->i++;
		return x;
	}
	if (strcmp(t, ")") == 0) {
		e->err = true;
		return none;
	}
	/* keywords are operators wherever an operand is expected; missing
	 * operands after them are syntax errors */
	static const struct {
		const char *kw;
		uint32_t args;
	} kws[] = { { "+", 1 }, { "length", 1 }, { "substr", 3 }, { "index", 2 } };
	for (size_t k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
		if (strcmp(t, kws[k].kw) == 0 && e->i + kws[k].args >= e->n) {
			e->err = true;
			return none;
		}
	}
	if (strcmp(t, "+") == 0 && e->i + 1 < e->n) {
		e->i += 2;
		return ex_str(e, e->a[e->i - 1]);
	}
	if (strcmp(t, "length") == 0 && e->i + 1 < e->n) {
		struct exv x;
		e->i++;
		x = ex_primary(e, depth + 1);
		if (has_high(x.s, strlen(x.s)))
			unknown(e->r);
		return ex_int(e, (int64_t)strlen(x.s));
	}
	if (strcmp(t, "substr") == 0 && e->i + 3 < e->n) {
		e->i++;
		struct exv s = ex_primary(e, depth + 1);
		struct exv p = ex_primary(e, depth + 1);
		struct exv l = ex_primary(e, depth + 1);
		size_t sl = strlen(s.s);
		if (has_high(s.s, sl))
			unknown(e->r);
		if (!p.num || !l.num || p.v < 1 || l.v < 1 || (uint64_t)p.v > sl)
			return ex_str(e, "");
		size_t from = (size_t)p.v - 1, len = (size_t)l.v;
		if (len > sl - from)
			len = sl - from;
		char *b = av_arena_strndup(e->r->arena, s.s + from, len);
		if (b == NULL) {
			fail_with(e->r, AV_SH_PURE_NOMEM);
			return none;
		}
		return ex_str(e, b);
	}
	if (strcmp(t, "index") == 0 && e->i + 2 < e->n) {
		e->i++;
		struct exv s = ex_primary(e, depth + 1);
		struct exv c = ex_primary(e, depth + 1);
		if (has_high(s.s, strlen(s.s)) || has_high(c.s, strlen(c.s)))
			unknown(e->r);
		size_t k = strcspn(s.s, c.s);
		return ex_int(e, s.s[k] ? (int64_t)k + 1 : 0);
	}
	if (strcmp(t, "match") == 0 || strcmp(t, ":") == 0) {
		unknown(e->r);
		return none;
	}
	e->i++;
	return ex_str(e, t);
}

static struct exv ex_match(struct ex *e, unsigned depth)
{
	struct exv x = ex_primary(e, depth);
	if (ex_is(e, ":"))
		unknown(e->r); /* regular expression matching */
	return x;
}

static struct exv ex_arith(struct ex *e, unsigned depth, bool mul)
{
	struct exv x = mul ? ex_match(e, depth) : ex_arith(e, depth, true);
	for (;;) {
		const char *ops = mul ? "*/%" : "+-";
		if (e->i >= e->n || strlen(e->a[e->i]) != 1 ||
		    strchr(ops, e->a[e->i][0]) == NULL)
			return x;
		char op = e->a[e->i++][0];
		struct exv y = mul ? ex_match(e, depth) : ex_arith(e, depth, true);
		if (failed(e->r) || e->err)
			return x;
		if (!x.num || !y.num) {
			e->err = true; /* "non-integer argument" */
			return x;
		}
		int64_t v = 0;
		bool ovf = false;
		switch (op) {
		case '+':
			ovf = __builtin_add_overflow(x.v, y.v, &v);
			break;
		case '-':
			ovf = __builtin_sub_overflow(x.v, y.v, &v);
			break;
		case '*':
			ovf = __builtin_mul_overflow(x.v, y.v, &v);
			break;
		default:
			if (y.v == 0) {
				e->err = true; /* "division by zero" */
				return x;
			}
			if (x.v == INT64_MIN && y.v == -1)
				ovf = true;
			else
				v = op == '/' ? x.v / y.v : x.v % y.v;
		}
		if (ovf) {
			unknown(e->r); /* GNU expr goes on with big numbers */
			return x;
		}
		x = ex_int(e, v);
	}
}

static struct exv ex_cmp(struct ex *e, unsigned depth)
{
	struct exv x = ex_arith(e, depth, false);
	static const char *const ops[] = { "<", "<=", "=", "==", "!=", ">=", ">" };
	for (;;) {
		size_t k = 0;
		while (k < 7 && !ex_is(e, ops[k]))
			k++;
		if (k == 7)
			return x;
		e->i++;
		struct exv y = ex_arith(e, depth, false);
		int c;
		if (x.num && y.num) {
			c = x.v < y.v ? -1 : x.v > y.v;
		} else {
			/* strings compare by the locale's collation; only
			 * equality is the same everywhere for ASCII */
			if (k != 2 && k != 3 && k != 4)
				unknown(e->r);
			if (has_high(x.s, strlen(x.s)) || has_high(y.s, strlen(y.s)))
				unknown(e->r);
			c = strcmp(x.s, y.s);
		}
		bool t = (k == 0 && c < 0) || (k == 1 && c <= 0) ||
		         ((k == 2 || k == 3) && c == 0) || (k == 4 && c != 0) ||
		         (k == 5 && c >= 0) || (k == 6 && c > 0);
		x = ex_int(e, t);
	}
}

static struct exv ex_and(struct ex *e, unsigned depth)
{
	struct exv x = ex_cmp(e, depth);
	while (ex_is(e, "&")) {
		e->i++;
		struct exv y = ex_cmp(e, depth);
		if (ex_null(&x) || ex_null(&y))
			x = ex_int(e, 0);
	}
	return x;
}

static struct exv ex_or(struct ex *e, unsigned depth)
{
	struct exv x = ex_and(e, depth);
	while (ex_is(e, "|")) {
		e->i++;
		struct exv y = ex_and(e, depth);
		if (ex_null(&x))
			x = ex_null(&y) ? ex_int(e, 0) : y;
	}
	return x;
}

static void run_expr(struct run *r)
{
	uint32_t i = 1;
	if (i < r->argc && strcmp(r->argv[i], "--") == 0)
		i++;
	struct ex e = { .r = r, .a = r->argv + i, .n = r->argc - i };
	if (e.n == 0) {
		r->status = 2; /* "missing operand" */
		return;
	}
	struct exv x = ex_or(&e, 0);
	if (failed(r))
		return;
	if (e.err || e.i != e.n) {
		r->status = 2;
		return;
	}
	puts0(r, x.s);
	putc1(r, '\n');
	r->status = ex_null(&x) ? 1 : 0;
}

/* ---- fold, od (GNU coreutils; plain forms) ------------------------------------------
 */

static void run_fold(struct run *r)
{
	uint64_t width = 80;
	bool bytes = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		const char *v = NULL;
		if (a[1] >= '0' && a[1] <= '9')
			v = a + 1;
		else if (a[1] == 'w')
			v = a[2] ? a + 2 : (i + 1 < r->argc ? r->argv[++i] : NULL);
		else if (strcmp(a, "-b") == 0)
			bytes = true;
		else
			return (void)unknown(r); /* -s breaks at blanks */
		if (a[1] == 'w' || (a[1] >= '0' && a[1] <= '9')) {
			if (v == NULL || !count_arg(r, v, &width))
				return (void)unknown(r);
			if (width == 0)
				return (void)unknown(r);
		}
	}
	if (!stdin_operands(r, i))
		return;
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	/* columns are characters, and tabs, backspaces and carriage returns
	 * move the column; only plain text is modelled */
	if (has_high(in, n) || (!bytes && (memchr(in, '\t', n) || memchr(in, '\b', n) ||
	                                   memchr(in, '\r', n))))
		return (void)unknown(r);
	uint64_t col = 0;
	for (size_t k = 0; k < n && !failed(r); k++) {
		if (in[k] == '\n') {
			putc1(r, '\n');
			col = 0;
			continue;
		}
		if (col == width) {
			putc1(r, '\n');
			col = 0;
		}
		putc1(r, in[k]);
		col++;
	}
}

/* od with one single-byte type: -t x1 o1 u1 d1 c, -b, -c; -A; -v. */
static void run_od(struct run *r)
{
	char radix = 'o', type = 'o';
	bool dups = true, have_type = false;
	uint32_t i = 1;
	for (; i < r->argc; i++) {
		const char *a = r->argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		const char *v = NULL;
		if (a[1] == 'A' || a[1] == 't')
			v = a[2] ? a + 2 : (i + 1 < r->argc ? r->argv[++i] : NULL);
		if (a[1] == 'A') {
			if (v == NULL || strlen(v) != 1 || strchr("doxn", v[0]) == NULL)
				return (void)unknown(r);
			radix = v[0];
		} else if (a[1] == 't') {
			if (v == NULL || have_type)
				return (void)unknown(r);
			if (strcmp(v, "c") == 0)
				type = 'c';
			else if (strlen(v) == 2 && strchr("xoud", v[0]) && v[1] == '1')
				type = v[0];
			else
				return (void)unknown(
				        r); /* wider types, floats, several */
			have_type = true;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "-b") == 0) {
			if (have_type)
				return (void)unknown(r);
			type = a[1] == 'c' ? 'c' : 'o';
			have_type = true;
		} else if (strcmp(a, "-v") == 0) {
			dups = false;
		} else if (strcmp(a, "-An") == 0) {
			radix = 'n';
		} else {
			return (void)unknown(r);
		}
	}
	if (!have_type)
		return (void)unknown(r); /* the default is two-byte octal words */
	if (!stdin_operands(r, i))
		return;
	const char *in;
	size_t n;
	if (!input(r, &in, &n))
		return;
	if (type == 'c' && has_high(in, n))
		return (void)unknown(r); /* multibyte characters */
	bool starred = false;
	for (size_t off = 0; off <= n && !failed(r); off += 16) {
		char line[128];
		int k = 0;
		if (off == n || radix == 'n') {
			if (off == n)
				break;
		}
		size_t m = n - off < 16 ? n - off : 16;
		if (dups && off >= 16 && m == 16 &&
		    memcmp(in + off, in + off - 16, 16) == 0) {
			if (!starred)
				puts0(r, "*\n");
			starred = true;
			continue;
		}
		starred = false;
		if (radix != 'n')
			k = snprintf(line, sizeof(line),
			             radix == 'o'   ? "%07zo"
			             : radix == 'd' ? "%07zu"
			                            : "%06zx",
			             off);
		for (size_t j = 0; j < m && k >= 0; j++) {
			unsigned char c = (unsigned char)in[off + j];
			static const char esc_from[] = "\a\b\f\n\r\t\v",
			                  esc_to[] = "abfnrtv";
			const char *e = c ? memchr(esc_from, c, 7) : NULL;
			if (type == 'x')
				k += snprintf(line + k, sizeof(line) - (size_t)k, " %02x",
				              c);
			else if (type == 'o')
				k += snprintf(line + k, sizeof(line) - (size_t)k, " %03o",
				              c);
			else if (type == 'u')
				k += snprintf(line + k, sizeof(line) - (size_t)k, " %3u",
				              c);
			else if (type == 'd')
				k += snprintf(line + k, sizeof(line) - (size_t)k, " %4d",
				              (signed char)c);
			else if (c == 0)
				k += snprintf(line + k, sizeof(line) - (size_t)k,
				              "  \\0");
			else if (e != NULL)
				k += snprintf(line + k, sizeof(line) - (size_t)k,
				              "  \\%c", esc_to[e - esc_from]);
			else if (c >= 0x20 && c < 0x7f)
				k += snprintf(line + k, sizeof(line) - (size_t)k, "   %c",
				              c);
			else
				k += snprintf(line + k, sizeof(line) - (size_t)k, " %03o",
				              c);
		}
		if (k < 0 || (size_t)k >= sizeof(line) - 1)
			return (void)unknown(r);
		line[k++] = '\n';
		put(r, line, (size_t)k);
	}
	if (radix != 'n') {
		char last[32];
		int k = snprintf(last, sizeof(last),
		                 radix == 'o'   ? "%07zo\n"
		                 : radix == 'd' ? "%07zu\n"
		                                : "%06zx\n",
		                 n);
		if (k > 0)
			put(r, last, (size_t)k);
	}
}

/* ---- the table ------------------------------------------------------------------ */

static const struct util {
	const char *name;
	void (*run)(struct run *r);
} utils[] = {
	{ "echo", run_echo },
	{ "printf", run_printf },
	{ "true", run_true },
	{ "false", run_false },
	{ "cat", run_cat },
	{ "base64", run_base64 },
	{ "base32", run_base32 },
	{ "rev", run_rev },
	{ "tr", run_tr },
	{ "xxd", run_xxd },
	{ "head", run_head },
	{ "tail", run_tail },
	{ "cut", run_cut },
	{ "tac", run_tac },
	{ "basename", run_basename },
	{ "dirname", run_dirname },
	{ "seq", run_seq },
	{ "wc", run_wc },
	{ "uniq", run_uniq },
	{ "sort", run_sort },
	{ "sed", run_sed },
	{ "awk", run_awk },
	{ "mawk", run_awk },
	{ "gawk", run_awk },
	{ "expr", run_expr },
	{ "fold", run_fold },
	{ "od", run_od },
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static const struct util *find_util(const char *name)
{
	const char *b = base_name(name);
	for (size_t i = 0; i < sizeof(utils) / sizeof(utils[0]); i++)
		if (strcmp(utils[i].name, b) == 0)
			return &utils[i];
	return NULL;
}

bool av_sh_pure_known(const char *name)
{
	return name != NULL && find_util(name) != NULL;
}

enum av_sh_pure_status av_sh_pure_run(const char *const *argv, uint32_t argc,
                                      struct av_arena *arena, struct av_sh_pure_io *io)
{
	io->out = NULL;
	io->outlen = 0;
	io->status = 0;
	if (argv == NULL || argc == 0 || argv[0] == NULL)
		return AV_SH_PURE_UNKNOWN;
	const struct util *u = find_util(argv[0]);
	if (u == NULL)
		return AV_SH_PURE_UNKNOWN;
	/* echo and printf are modelled as bash's builtins; named by a path
	 * they are coreutils' programs, which differ (echo -e '\101', printf
	 * %q and \c, \u), and are not modelled. */
	if ((u->run == run_echo || u->run == run_printf) && strchr(argv[0], '/') != NULL)
		return AV_SH_PURE_UNKNOWN;
	struct run r = { .argv = argv, .argc = argc, .arena = arena, .io = io };
	u->run(&r);
	if (failed(&r))
		return r.st;
	if (r.buf == NULL) {
		r.buf = av_arena_alloc(arena, 1);
		if (r.buf == NULL)
			return AV_SH_PURE_NOMEM;
	}
	io->out = r.buf;
	io->outlen = r.len;
	io->status = r.status;
	return AV_SH_PURE_OK;
}
