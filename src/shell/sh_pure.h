/* sh_pure.h - the pure parts of bash that the static evaluator runs for
 * real: arithmetic, pattern matching, brace expansion, and the utilities
 * whose output depends only on their arguments and standard input (echo,
 * printf, base64, xxd, rev, tr, cut, head, tail, simple sed and awk, cat).
 *
 * Everything here is a pure function of its inputs: no file system, no
 * environment, no clock. Every function is bounded by the limits it is
 * given and reports hitting one instead of working on. Private to the
 * library (src/shell); docs/SHELL.md ("Pure utilities") describes the models
 * and limits.
 *
 * Ownership, once for the whole API: inputs are borrowed for the call;
 * outputs come from the caller's arena. */
#ifndef AV_SH_PURE_H
#define AV_SH_PURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentvisor/common.h"
#include "sh_ast.h"

/* How a pure computation ended. */
enum av_sh_pure_status {
	AV_SH_PURE_OK = 0,  /* the result is exactly what bash/coreutils give */
	AV_SH_PURE_UNKNOWN, /* not modelled (an option, a form, unknown data) */
	AV_SH_PURE_LIMIT,   /* a work or size limit was hit */
	AV_SH_PURE_NOMEM,   /* the arena is full */
};

/* ---- utilities ------------------------------------------------------------ */

/* True when NAME (a basename, e.g. "base64") is a utility av_sh_pure_run
 * may model. A true answer does not promise every option is modelled. */
bool av_sh_pure_known(const char *name);

struct av_sh_pure_io {
	const char *in; /* standard input; may hold NUL bytes */
	size_t inlen;
	bool in_known;  /* false: stdin is unknown (a utility reading it is UNKNOWN) */
	size_t max_out; /* output larger than this is AV_SH_PURE_LIMIT */
	/* results */
	char *out; /* standard output (from the arena, NUL-terminated, may hold NULs) */
	size_t outlen;
	int status; /* exit status the real utility would return */
};

/* Runs argv[0..argc) (argv[0] may be a path such as /usr/bin/base64) as the
 * GNU coreutils / bash builtin of that name would, with io->in as standard
 * input. echo and printf are bash's builtins when argv[0] is the bare
 * name; a path (/bin/echo) means coreutils' programs, which behave
 * differently and are UNKNOWN, so a caller that runs them through env,
 * xargs or find -exec should pass a path. Fills io->out, io->outlen and io->status on
 * AV_SH_PURE_OK. A utility that would fail (bad base64, missing operand) is OK with the
 * failing status and whatever output the real one prints to stdout. */
enum av_sh_pure_status av_sh_pure_run(const char *const *argv, uint32_t argc,
                                      struct av_arena *arena, struct av_sh_pure_io *io);

/* ---- arithmetic ----------------------------------------------------------- */

/* Variables as arithmetic sees them. get returns 0 and sets *val (NULL when
 * unset, which counts as 0) or 1 when the value is unknown; the value is a
 * string that is itself evaluated as an expression, as bash does. index is
 * -1 for a plain name, else the evaluated subscript. set returns 0, or 1
 * when the assignment cannot be recorded. */
struct av_sh_arith_vars {
	void *ctx;
	int (*get)(void *ctx, const char *name, size_t n, int64_t index, const char **val,
	           size_t *vlen);
	int (*set)(void *ctx, const char *name, size_t n, int64_t index, int64_t value);
};

struct av_sh_arith_result {
	int64_t value;
	bool error;        /* bash reports an error (syntax, division by 0) */
	char message[128]; /* the error, for provenance */
};

/* Evaluates text[0..len) (already parameter-expanded) with bash's operators,
 * precedence, bases (0x, 0, 2#1010, 64#z), wrapping 64-bit arithmetic,
 * assignment operators and the comma operator. *steps is decremented per
 * operation; reaching 0 is AV_SH_PURE_LIMIT. A variable that get reports
 * unknown makes the result AV_SH_PURE_UNKNOWN. */
enum av_sh_pure_status av_sh_arith_eval(const char *text, size_t len,
                                        const struct av_sh_arith_vars *vars,
                                        uint32_t *steps, struct av_sh_arith_result *out);

/* ---- patterns --------------------------------------------------------------- */

/* A pattern is bash glob syntax in which a character preceded by a backslash
 * is literal (the evaluator escapes the characters that were quoted). */
#define AV_SH_PAT_EXTGLOB 0x1u /* @( ) *( ) +( ) ?( ) !( ) */
#define AV_SH_PAT_NOCASE  0x2u /* nocasematch */

/* True when s matches the whole pattern. *steps bounds the work (the result
 * is false with *steps == 0 when it runs out; callers check *steps). The
 * matcher also sets *steps to 0 for cases it does not model rather than
 * guess (locale-dependent `?`/brackets against bytes >= 0x80, `*!(...)`),
 * so *steps == 0 means "unknown" for every function below.
 * Flags as bash 5.2 uses them: [[ == ]] always matches with extglob on;
 * case, ${x#p} and ${x/p/r} follow `shopt extglob`; nocasematch applies to
 * [[ ]], case and ${x/p/r} but not to ${x#p} and ${x%p}. */
bool av_sh_pattern_match(const char *pat, size_t plen, const char *s, size_t slen,
                         unsigned flags, uint32_t *steps);

/* Longest or shortest prefix (suffix) of s that the pattern matches, for
 * ${x#p} ${x##p} ${x%p} ${x%%p}. Returns its length, or -1 when none. */
int64_t av_sh_pattern_prefix(const char *pat, size_t plen, const char *s, size_t slen,
                             bool longest, unsigned flags, uint32_t *steps);
int64_t av_sh_pattern_suffix(const char *pat, size_t plen, const char *s, size_t slen,
                             bool longest, unsigned flags, uint32_t *steps);

/* The leftmost, then longest, match at or after from, for ${x/p/r}.
 * Returns true and sets *at and *mlen, or false when there is none. */
bool av_sh_pattern_find(const char *pat, size_t plen, const char *s, size_t slen,
                        size_t from, unsigned flags, uint32_t *steps, size_t *at,
                        size_t *mlen);

/* True when pat holds an unescaped glob character (* ? [ or an extglob). */
bool av_sh_pattern_has_magic(const char *pat, size_t plen, unsigned flags);

/* ---- brace expansion -------------------------------------------------------- */

/* Brace-expands one WORD node as bash does before every other expansion:
 * {a,b,c}, nested braces, sequences {1..10} {a..z} {01..10..2}, with quoted
 * and escaped braces and braces inside ${...} left alone. Sets *out to an
 * array (from ARENA) of *n WORD nodes, in bash's order; a word with nothing
 * to expand gives itself (n == 1). More than max_words results, or more
 * than max_bytes of literal text in all, is AV_SH_PURE_LIMIT. */
enum av_sh_pure_status av_sh_brace_expand(const struct av_sh_node *word,
                                          struct av_arena *arena, uint32_t max_words,
                                          size_t max_bytes, struct av_sh_node ***out,
                                          uint32_t *n);

#endif
