/* common.h - verdicts, risk levels, errors and the per-decision arena shared
 * by every agentvisor module.
 *
 * Ownership, once for the whole library: a function that returns a pointer
 * into an arena says so ("from ARENA"); such memory lives until that arena is
 * reset or freed. Nothing consumes an argument unless its name ends in _take.
 * The library never exits and never prints; errors come back as a negative
 * value plus a filled `struct av_error`. */
#ifndef AGENTVISOR_COMMON_H
#define AGENTVISOR_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Verdicts are ordered by strength: combining two takes the larger. */
enum av_verdict {
	AV_ALLOW = 0,
	AV_WARN = 1,
	AV_REVIEW = 2,
	AV_BLOCK = 3,
};
#define AV_VERDICT_COUNT 4

/* Risk levels are ordered too: combining takes the larger. */
enum av_risk {
	AV_RISK_NONE = 0,
	AV_RISK_LOW = 1,
	AV_RISK_MEDIUM = 2,
	AV_RISK_HIGH = 3,
	AV_RISK_CRITICAL = 4,
};
#define AV_RISK_COUNT 5

/* Returns a static name ("allow", "high", ...); never NULL. */
const char *av_verdict_name(enum av_verdict v);
const char *av_risk_name(enum av_risk r);
/* Parses a name of length len; returns 0 and sets *out, or -1 if unknown. */
int av_verdict_parse(const char *s, size_t len, enum av_verdict *out);
int av_risk_parse(const char *s, size_t len, enum av_risk *out);

/* Error codes are a small documented set (docs/PROTOCOL.md). */
enum av_errcode {
	AV_OK = 0,
	AV_E_JSON,     /* input is not valid JSON (where = "byte N") */
	AV_E_FIELD,    /* a field is missing, unknown or of the wrong type */
	AV_E_LIMIT,    /* a size, depth or work limit was exceeded */
	AV_E_POLICY,   /* a policy file is invalid (where = file:line:col) */
	AV_E_NOMEM,    /* out of memory or arena cap reached */
	AV_E_IO,       /* reading or writing a file failed */
	AV_E_INTERNAL, /* a bug: fails closed */
};
#define AV_ERRCODE_COUNT 8

const char *av_errcode_name(enum av_errcode c);

struct av_error {
	enum av_errcode code;
	char message[256]; /* a full sentence, no trailing newline */
	char where[256];   /* field path, "byte N" or "file:line:col"; may be "" */
};

/* Fills err (which may be NULL) and returns -1, so callers can write
 * `return av_error_set(err, AV_E_FIELD, "input.op", "unknown op");`.
 * Messages longer than the buffers are truncated, never overflowed. */
int av_error_set(struct av_error *err, enum av_errcode code, const char *where,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void av_error_clear(struct av_error *err);

/* ---- arena ----------------------------------------------------------
 * A bump allocator for everything one decision needs. It grows in chunks
 * up to a hard cap, so hostile input cannot take unbounded memory; reset
 * keeps the first chunk, so a steady stream of decisions does no malloc. */
struct av_arena_chunk;
struct av_arena {
	struct av_arena_chunk *head;
	size_t used_total; /* bytes handed out since the last reset */
	size_t cap;        /* maximum bytes handed out between resets */
	size_t chunk_size; /* size of a regular chunk */
};

#define AV_ARENA_DEFAULT_CAP ((size_t)64 << 20)

/* Initialises an empty arena that will hand out at most cap bytes. */
void av_arena_init(struct av_arena *a, size_t cap);
/* Returns zeroed memory from A aligned for any type, or NULL when the cap is
 * reached or malloc fails. */
void *av_arena_alloc(struct av_arena *a, size_t size);
/* Returns a NUL-terminated copy of s[0..len) from A, or NULL. */
char *av_arena_strndup(struct av_arena *a, const char *s, size_t len);
char *av_arena_strdup(struct av_arena *a, const char *s);
/* printf into A; returns the string or NULL. */
char *av_arena_printf(struct av_arena *a, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Forgets every allocation; keeps the first chunk for reuse. */
void av_arena_reset(struct av_arena *a);
/* Frees every chunk; the arena may be initialised again. */
void av_arena_free(struct av_arena *a);

/* A growable array of pointers or structs inside an arena: amortised
 * doubling, bounded by max elements. Returns a pointer to the new zeroed
 * slot, or NULL when max is reached or the arena is full. */
void *av_arena_push(struct av_arena *a, void **items, uint32_t *count, uint32_t *capacity,
                    size_t elem_size, uint32_t max);

#endif
