/* yaml_doc.h - strict helpers over libyaml's document API, shared by the
 * policy loader and the policy test-file loader. Every helper that fails
 * fills the caller's struct av_error with code AV_E_POLICY, a full sentence,
 * and where = "NAME:LINE:COL" (1-based), and returns -1. */
#ifndef AV_POLICY_YAML_DOC_H
#define AV_POLICY_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "agentvisor/common.h"

/* Deepest collection nesting accepted in any file these helpers load. The
 * policy schema needs 4 levels; test files carry actions (JSON depth 32). */
#define AV_YDOC_MAX_DEPTH 40

struct av_ydoc {
	yaml_document_t doc;
	bool loaded;
	const char *name; /* borrowed: used in where strings */
	const char *src;  /* borrowed: used to map columns inside scalars */
	size_t len;
	struct av_error *err; /* borrowed; may be NULL */
};

/* Parses src[0..len) (borrowed; must outlive y) as exactly one YAML
 * document. Anchors and aliases, more than one document, nesting deeper
 * than AV_YDOC_MAX_DEPTH and YAML syntax errors are rejected. On success
 * returns 0 and y must later be released with av_ydoc_free(); on error
 * returns -1 and y needs no release (av_ydoc_free is harmless). */
int av_ydoc_load(struct av_ydoc *y, const char *name, const char *src, size_t len,
                 struct av_error *err);
void av_ydoc_free(struct av_ydoc *y);

/* The root node, or NULL for an empty document. */
yaml_node_t *av_ydoc_root(struct av_ydoc *y);
yaml_node_t *av_ydoc_node(struct av_ydoc *y, int index);

/* Fills y->err with a message about node `at` (its start position) and
 * returns -1. */
int av_ydoc_fail(struct av_ydoc *y, const yaml_node_t *at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Same, with an explicit 1-based line and column. */
int av_ydoc_fail_at(struct av_ydoc *y, size_t line, size_t col, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Checks that map is a mapping whose keys are plain scalars drawn from
 * keys[0..nkeys), each at most once, and stores the value node of keys[i]
 * in vals[i] (NULL when absent). `what` names the mapping in messages
 * ("the policy", "rule \"x\""). */
int av_ydoc_mapping(struct av_ydoc *y, yaml_node_t *map, const char *what,
                    const char *const *keys, size_t nkeys, yaml_node_t **vals);

/* Reads a scalar as a string: returns 0 and a pointer into the document
 * (NUL-terminated, valid until av_ydoc_free) with its length. A non-scalar,
 * a plain null (`~`, `null`, empty) or a value holding a NUL byte is an
 * error naming `what`. */
int av_ydoc_string(struct av_ydoc *y, yaml_node_t *n, const char *what, const char **s,
                   size_t *len);

/* Reads a plain `true` or `false`. */
int av_ydoc_bool(struct av_ydoc *y, yaml_node_t *n, const char *what, bool *out);

/* True when n is a plain (unquoted) scalar equal to lit. */
bool av_ydoc_is_plain(const yaml_node_t *n, const char *lit);

/* Where the character at byte offset `off` of scalar n's value sits in the
 * file: exact when the scalar is written on one line without escapes,
 * otherwise the scalar's own start. Writes 1-based line and column. */
void av_ydoc_scalar_pos(const struct av_ydoc *y, const yaml_node_t *n, size_t off,
                        size_t *line, size_t *col);

#endif
