/* redact.c - removes secret values from JSON text before it is written to
 * the audit log. Patterns are a table (docs/AUDIT.md, "Redaction"); only
 * the bytes inside one JSON string are ever replaced, so the JSON structure
 * cannot change. Pure, apart from compiling the patterns once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "audit/audit_internal.h"

enum value_check {
	CHECK_NONE,    /* the pattern alone is specific enough */
	CHECK_ENTROPY, /* the value must look random (see high_entropy) */
};

/* Each pattern's capture group 1 is the secret; only it is replaced.
 *
 * hints: literals every match must contain (any one of them; ASCII case
 * ignored when icase). A pattern runs only when the one-pass prefilter
 * (hint_scan) found one of its hints, so ordinary records cost one scan and
 * no regex. A hint list must be a necessary condition of its pattern: keep
 * the two in step when a pattern changes (test_audit.c checks each kind). */
#define MAX_HINTS 6
static const struct redaction {
	const char *kind;
	const char *pattern;
	enum value_check check;
	bool icase;
	const char *hints[MAX_HINTS];
} redactions[] = {
	/* A PEM private key block: everything from the BEGIN line to the END
	 * line, or to the end of the string when the END line is missing. */
	{ "private-key",
	  "(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----(?:.*?-----END [A-Z0-9 "
	  "]{0,40}PRIVATE "
	  "KEY-----|[^\"]*))",
	  CHECK_NONE,
	  false,
	  { "-----BEGIN " } },
	{ "aws-access-key",
	  "\\b((?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16})\\b",
	  CHECK_NONE,
	  false,
	  { "AKIA", "ASIA", "AGPA", "AIDA", "AROA" } },
	{ "github-token",
	  "\\b((?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255}))",
	  CHECK_NONE,
	  false,
	  { "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_" } },
	{ "slack-token",
	  "\\b(xox[abposr]-[A-Za-z0-9-]{10,250})",
	  CHECK_NONE,
	  false,
	  { "xox" } },
	{ "api-key", "\\b(sk-[A-Za-z0-9_-]{20,250})", CHECK_NONE, false, { "sk-" } },
	{ "google-api-key", "\\b(AIza[0-9A-Za-z_-]{35})", CHECK_NONE, false, { "AIza" } },
	{ "jwt",
	  "\\b(eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})",
	  CHECK_NONE,
	  false,
	  { "eyJ" } },
	{ "bearer-token",
	  "(?i:\\bbearer\\s+)([A-Za-z0-9._~+/=-]{16,})",
	  CHECK_NONE,
	  true,
	  { "bearer" } },
	/* A password-like name followed by = or : and a value: any value of 4
	 * or more characters, since passwords need not look random. */
	{ "password",
	  "(?i:(?:passw(?:or)?d|passphrase|pwd)[A-Za-z0-9_.-]*)(?:\\\\?[\"'])?"
	  "\\s*[:=]\\s*(?:\\\\?[\"'])?([^\\s\"'\\\\&;|]{4,})",
	  CHECK_NONE,
	  true,
	  { "pass", "pwd" } },
	/* KEY / TOKEN / SECRET / CREDENTIAL names: long values that look random. */
	{ "secret",
	  "(?i:(?:key|token|secret|credential|auth)[A-Za-z0-9_.-]*)(?:\\\\?[\"'])?"
	  "\\s*[:=]\\s*(?:\\\\?[\"'])?([A-Za-z0-9+/=_.~-]{16,})",
	  CHECK_ENTROPY,
	  true,
	  { "key", "token", "secret", "credential", "auth" } },
};
#define NREDACTIONS (sizeof(redactions) / sizeof(redactions[0]))

static pcre2_code *compiled[NREDACTIONS];
static bool compile_failed;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The prefilter's index: for each byte, the hints that start with it. */
struct hint_ref {
	unsigned char pattern;
	unsigned char len;
	const char *text;
};
#define MAX_REFS 8
static struct hint_ref hints_by_first[256][MAX_REFS];
static unsigned char nhints_by_first[256];

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 32) : c;
}

static bool index_hint(size_t r, const char *h)
{
	unsigned char first = (unsigned char)h[0];
	unsigned char firsts[2] = { first, first };
	if (redactions[r].icase) {
		firsts[0] = ascii_lower(first);
		firsts[1] = firsts[0] >= 'a' && firsts[0] <= 'z'
		                    ? (unsigned char)(firsts[0] & ~32)
		                    : firsts[0];
	}
	for (int k = 0; k < (firsts[0] == firsts[1] ? 1 : 2); k++) {
		unsigned char c = firsts[k];
		if (nhints_by_first[c] == MAX_REFS) /* defensive: the table is ours */
			return false;
		hints_by_first[c][nhints_by_first[c]++] = (struct hint_ref){
			.pattern = (unsigned char)r,
			.len = (unsigned char)strlen(h),
			.text = h,
		};
	}
	return true;
}

static void compile_all(void)
{
	for (size_t i = 0; i < NREDACTIONS; i++)
		for (size_t k = 0; k < MAX_HINTS && redactions[i].hints[k] != NULL; k++)
			if (!index_hint(i, redactions[i].hints[k])) {
				compile_failed = true;
				return;
			}
	for (size_t i = 0; i < NREDACTIONS; i++) {
		int ec;
		PCRE2_SIZE eo;
		compiled[i] = pcre2_compile((PCRE2_SPTR)redactions[i].pattern,
		                            PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, &ec, &eo,
		                            NULL);
		if (compiled[i] == NULL) { /* defensive: patterns are constants */
			compile_failed = true;
			return;
		}
		pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE);
	}
}

static bool hint_at(const char *s, size_t left, const struct hint_ref *h)
{
	if (h->len > left)
		return false;
	if (!redactions[h->pattern].icase)
		return memcmp(s, h->text, h->len) == 0;
	for (size_t i = 0; i < h->len; i++)
		if (ascii_lower((unsigned char)s[i]) != (unsigned char)h->text[i])
			return false;
	return true;
}

/* One pass over the text: bit r of the result is set when pattern r could
 * match (one of its hints occurs). Zero for almost every record. */
static unsigned hint_scan(const char *s, size_t len)
{
	const unsigned all = (1u << NREDACTIONS) - 1;
	unsigned mask = 0;
	for (size_t i = 0; i < len && mask != all; i++) {
		unsigned char c = (unsigned char)s[i];
		for (unsigned k = 0; k < nhints_by_first[c]; k++) {
			const struct hint_ref *h = &hints_by_first[c][k];
			if (!(mask & 1u << h->pattern) && hint_at(s + i, len - i, h))
				mask |= 1u << h->pattern;
		}
	}
	return mask;
}

bool av_redact_needed(const char *json, size_t len)
{
	pthread_once(&once, compile_all);
	return compile_failed || hint_scan(json, len) != 0;
}

/* Random-looking: both letters and digits (so words, paths and numbers
 * stay readable) and at least 10 distinct characters (a random 16-character
 * token has about 14; "aaaa1111bbbb2222" has 4). */
static bool high_entropy(const char *s, size_t n)
{
	bool seen[256] = { false };
	bool alpha = false, digit = false;
	unsigned distinct = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		distinct += !seen[c];
		seen[c] = true;
		alpha |= (c | 32) >= 'a' && (c | 32) <= 'z';
		digit |= c >= '0' && c <= '9';
	}
	return alpha && digit && distinct >= 10;
}

/* in_string[i] says whether byte i of the JSON text is inside a string's
 * contents (between its quotes). Built only when a pattern matched. */
static unsigned char *string_map(const char *s, size_t len)
{
	unsigned char *m = malloc(len + 1);
	if (m == NULL)
		return NULL;
	bool in = false, esc = false;
	for (size_t i = 0; i < len; i++) {
		if (!in) {
			m[i] = 0;
			in = s[i] == '"';
			continue;
		}
		if (esc) {
			esc = false;
			m[i] = 1;
		} else if (s[i] == '\\') {
			esc = true;
			m[i] = 1;
		} else if (s[i] == '"') {
			in = false;
			m[i] = 0;
		} else {
			m[i] = 1;
		}
	}
	m[len] = 0;
	return m;
}

/* Widens [*s, *e) so it never splits an escape sequence (\n, \", \u00e9):
 * replacing half of one would leave invalid JSON. Walks the string that
 * holds *s from its opening quote; map must say *s is inside a string. */
static void whole_escapes(const char *json, size_t len, const unsigned char *map,
                          size_t *s, size_t *e)
{
	size_t open = *s;
	while (open > 0 && map[open - 1])
		open--;
	for (size_t i = open; i < len && map[i] && i < *e;) {
		size_t n = 1;
		if (json[i] == '\\')
			n = i + 1 < len && json[i + 1] == 'u' ? 6 : 2;
		if (n > 1 && i < *s && *s < i + n)
			*s = i;
		if (n > 1 && i < *e && *e < i + n)
			*e = i + n <= len ? i + n : len;
		i += n;
	}
}

struct span {
	size_t start, end;
	const char *kind;
};

char *av_redact_json(const char *json, size_t len, size_t *out_len, unsigned *count)
{
	pthread_once(&once, compile_all);
	if (count != NULL)
		*count = 0;
	if (compile_failed)
		return NULL;
	struct span *spans = NULL;
	size_t nspans = 0, capspans = 0;
	unsigned char *map = NULL;
	pcre2_match_data *md = NULL;
	char *out = NULL;

	unsigned candidates = hint_scan(json, len);
	for (size_t r = 0; r < NREDACTIONS; r++) {
		if (!(candidates & 1u << r))
			continue;
		PCRE2_SIZE start = 0;
		while (start < len) {
			if (md == NULL && (md = pcre2_match_data_create_from_pattern(
			                           compiled[r], NULL)) == NULL)
				goto fail;
			int rc = pcre2_match(compiled[r], (PCRE2_SPTR)json, len, start, 0,
			                     md, NULL);
			if (rc < 2)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t s = ov[2], e = ov[3];
			start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			if (e <= s)
				continue;
			if (redactions[r].check == CHECK_ENTROPY &&
			    !high_entropy(json + s, e - s))
				continue;
			if (map == NULL && (map = string_map(json, len)) == NULL)
				goto fail;
			/* Only string contents: clip a match at the first byte that
			 * leaves the string it started in. */
			if (!map[s])
				continue;
			size_t k = s;
			while (k < e && map[k])
				k++;
			e = k;
			whole_escapes(json, len, map, &s, &e);
			if (nspans == capspans) {
				size_t nc = capspans ? capspans * 2 : 8;
				struct span *n = realloc(spans, nc * sizeof(*n));
				if (n == NULL)
					goto fail;
				spans = n;
				capspans = nc;
			}
			spans[nspans++] = (struct span){ s, e, redactions[r].kind };
		}
		pcre2_match_data_free(md);
		md = NULL;
	}
	/* Sort spans by start (insertion sort: there are few) and merge
	 * overlaps so every secret byte is covered exactly once. */
	for (size_t i = 1; i < nspans; i++) {
		struct span t = spans[i];
		size_t j = i;
		while (j > 0 && spans[j - 1].start > t.start) {
			spans[j] = spans[j - 1];
			j--;
		}
		spans[j] = t;
	}
	size_t cap = len + 1;
	for (size_t i = 0; i < nspans; i++)
		cap += strlen(spans[i].kind) + 16;
	out = malloc(cap);
	if (out == NULL)
		goto fail;
	size_t o = 0, pos = 0;
	unsigned n = 0;
	for (size_t i = 0; i < nspans; i++) {
		if (spans[i].end <= pos)
			continue;
		size_t s = spans[i].start > pos ? spans[i].start : pos;
		memcpy(out + o, json + pos, s - pos);
		o += s - pos;
		static const char pre[] = "[REDACTED:";
		memcpy(out + o, pre, sizeof(pre) - 1);
		o += sizeof(pre) - 1;
		size_t kl = strlen(spans[i].kind);
		memcpy(out + o, spans[i].kind, kl);
		o += kl;
		out[o++] = ']';
		pos = spans[i].end;
		n++;
	}
	memcpy(out + o, json + pos, len - pos);
	o += len - pos;
	out[o] = '\0';
	*out_len = o;
	if (count != NULL)
		*count = n;
	free(spans);
	free(map);
	return out;
fail:
	pcre2_match_data_free(md);
	free(spans);
	free(map);
	free(out);
	return NULL;
}
