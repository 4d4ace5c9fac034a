/* yaml_doc.c - strict reading of YAML documents for policy and test files.
 *
 * libyaml builds the document; these helpers add what a strict schema needs
 * on top: a pre-pass that refuses anchors, aliases, several documents and
 * deep nesting before any tree is built (aliases turn the tree into a graph,
 * which a naive walk could expand exponentially or loop on), and messages
 * that always name the file, line and column. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/yaml_doc.h"

static int vfail(struct av_ydoc *y, enum av_errcode code, size_t line, size_t col,
                 const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static int vfail(struct av_ydoc *y, enum av_errcode code, size_t line, size_t col,
                 const char *fmt, va_list ap)
{
	if (y->err == NULL)
		return -1;
	char where[sizeof(y->err->where)];
	char msg[sizeof(y->err->message)];
	snprintf(where, sizeof(where), "%s:%zu:%zu", y->name, line, col);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return av_error_set(y->err, code, where, "%s", msg);
}

int av_ydoc_fail_at(struct av_ydoc *y, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(y, AV_E_POLICY, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int av_ydoc_fail(struct av_ydoc *y, const yaml_node_t *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(y, AV_E_POLICY, at->start_mark.line + 1, at->start_mark.column + 1, fmt,
	      ap);
	va_end(ap);
	return -1;
}

static int syntax_error(struct av_ydoc *y, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		if (y->err != NULL)
			av_error_set(y->err, AV_E_NOMEM, y->name,
			             "Out of memory while parsing YAML.");
		return -1;
	}
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	if (p->error == YAML_READER_ERROR)
		return av_ydoc_fail_at(
		        y, 1, 1,
		        "The file is not valid YAML: %s (byte %zu of the input).",
		        problem, p->problem_offset);
	if (p->context != NULL)
		return av_ydoc_fail_at(
		        y, p->problem_mark.line + 1, p->problem_mark.column + 1,
		        "The file is not valid YAML: %s %s.", problem, p->context);
	return av_ydoc_fail_at(y, p->problem_mark.line + 1, p->problem_mark.column + 1,
	                       "The file is not valid YAML: %s.", problem);
}

static const char *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/* Streams the events once and stops at the first thing the loaders refuse,
 * so the document built afterwards is a bounded tree. */
static int prescan(struct av_ydoc *y)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		if (y->err != NULL)
			av_error_set(y->err, AV_E_NOMEM, y->name, "Out of memory.");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)y->src, y->len);
	int depth = 0, docs = 0, rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(y, &p);
			break;
		}
		size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
		yaml_event_type_t type = ev.type;
		const char *anchor = event_anchor(&ev);
		if (anchor != NULL) {
			rc = av_ydoc_fail_at(
			        y, line, col,
			        "YAML anchors (&%s) are not supported; write the "
			        "value out.",
			        anchor);
		} else if (type == YAML_ALIAS_EVENT) {
			rc = av_ydoc_fail_at(
			        y, line, col,
			        "YAML aliases (*name) are not supported; write the "
			        "value out.");
		} else if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			rc = av_ydoc_fail_at(
			        y, line, col,
			        "The file holds more than one YAML document; only "
			        "one is allowed.");
		} else if (type == YAML_SEQUENCE_START_EVENT ||
		           type == YAML_MAPPING_START_EVENT) {
			if (++depth > AV_YDOC_MAX_DEPTH)
				rc = av_ydoc_fail_at(
				        y, line, col,
				        "The YAML nesting is deeper than %d levels.",
				        AV_YDOC_MAX_DEPTH);
		} else if (type == YAML_SEQUENCE_END_EVENT ||
		           type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (rc != 0 || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

int av_ydoc_load(struct av_ydoc *y, const char *name, const char *src, size_t len,
                 struct av_error *err)
{
	memset(y, 0, sizeof(*y));
	y->name = name;
	y->src = src;
	y->len = len;
	y->err = err;
	if (prescan(y) < 0)
		return -1;

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		if (err != NULL)
			av_error_set(err, AV_E_NOMEM, name, "Out of memory.");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src, len);
	int rc = 0;
	if (!yaml_parser_load(&p, &y->doc))
		rc = syntax_error(y, &p);
	else
		y->loaded = true;
	yaml_parser_delete(&p);
	return rc;
}

void av_ydoc_free(struct av_ydoc *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *av_ydoc_root(struct av_ydoc *y)
{
	return yaml_document_get_root_node(&y->doc);
}

yaml_node_t *av_ydoc_node(struct av_ydoc *y, int index)
{
	return yaml_document_get_node(&y->doc, index);
}

bool av_ydoc_is_plain(const yaml_node_t *n, const char *lit)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       n->data.scalar.length == strlen(lit) &&
	       memcmp(n->data.scalar.value, lit, n->data.scalar.length) == 0;
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a scalar";
	}
}

static bool is_plain_null(const yaml_node_t *n)
{
	return av_ydoc_is_plain(n, "") || av_ydoc_is_plain(n, "~") ||
	       av_ydoc_is_plain(n, "null") || av_ydoc_is_plain(n, "Null") ||
	       av_ydoc_is_plain(n, "NULL");
}

int av_ydoc_string(struct av_ydoc *y, yaml_node_t *n, const char *what, const char **s,
                   size_t *len)
{
	if (n->type != YAML_SCALAR_NODE)
		return av_ydoc_fail(y, n, "%s must be a string, not %s.", what,
		                    node_type_name(n));
	if (is_plain_null(n))
		return av_ydoc_fail(y, n, "%s must be a string, not null.", what);
	const char *v = (const char *)n->data.scalar.value;
	size_t l = n->data.scalar.length;
	if (memchr(v, '\0', l) != NULL)
		return av_ydoc_fail(y, n, "%s must not contain a NUL character.", what);
	*s = v;
	*len = l;
	return 0;
}

int av_ydoc_bool(struct av_ydoc *y, yaml_node_t *n, const char *what, bool *out)
{
	if (av_ydoc_is_plain(n, "true")) {
		*out = true;
		return 0;
	}
	if (av_ydoc_is_plain(n, "false")) {
		*out = false;
		return 0;
	}
	return av_ydoc_fail(y, n, "%s must be true or false.", what);
}

int av_ydoc_mapping(struct av_ydoc *y, yaml_node_t *map, const char *what,
                    const char *const *keys, size_t nkeys, yaml_node_t **vals)
{
	for (size_t i = 0; i < nkeys; i++)
		vals[i] = NULL;
	if (map->type != YAML_MAPPING_NODE)
		return av_ydoc_fail(y, map, "%s must be a mapping, not %s.", what,
		                    node_type_name(map));
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = av_ydoc_node(y, pair->key);
		yaml_node_t *v = av_ydoc_node(y, pair->value);
		if (k == NULL || v == NULL) /* defensive: libyaml always links both */
			return av_ydoc_fail_at(y, 1, 1,
			                       "The YAML document is malformed.");
		if (k->type != YAML_SCALAR_NODE)
			return av_ydoc_fail(y, k,
			                    "A key of %s is %s; keys must be names.",
			                    what, node_type_name(k));
		const char *ks = (const char *)k->data.scalar.value;
		size_t kl = k->data.scalar.length;
		size_t i;
		for (i = 0; i < nkeys; i++)
			if (strlen(keys[i]) == kl && memcmp(keys[i], ks, kl) == 0)
				break;
		if (i == nkeys) {
			char allowed[160];
			size_t used = 0;
			allowed[0] = '\0';
			for (size_t j = 0; j < nkeys && used < sizeof(allowed); j++) {
				int n = snprintf(allowed + used, sizeof(allowed) - used,
				                 "%s%s", j == 0 ? "" : ", ", keys[j]);
				if (n < 0)
					break;
				used += (size_t)n;
			}
			return av_ydoc_fail(
			        y, k, "Unknown key \"%.*s\" in %s; expected one of: %s.",
			        (int)(kl > 64 ? 64 : kl), ks, what, allowed);
		}
		if (vals[i] != NULL)
			return av_ydoc_fail(y, k, "Duplicate key \"%s\" in %s.", keys[i],
			                    what);
		vals[i] = v;
	}
	return 0;
}

/* Moves *p forward over one UTF-8 character (a lead byte and its
 * continuation bytes), never past end. */
static const char *next_char(const char *p, const char *end)
{
	p++;
	while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
		p++;
	return p;
}

static size_t count_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (const char *p = s, *end = s + len; p < end; p = next_char(p, end))
		n++;
	return n;
}

void av_ydoc_scalar_pos(const struct av_ydoc *y, const yaml_node_t *n, size_t off,
                        size_t *line, size_t *col)
{
	*line = n->start_mark.line + 1;
	*col = n->start_mark.column + 1;
	if (n->type != YAML_SCALAR_NODE || n->start_mark.line != n->end_mark.line)
		return;
	const char *v = (const char *)n->data.scalar.value;
	size_t vlen = n->data.scalar.length;
	if (off > vlen)
		return;

	/* Find the scalar's first byte from its line and column: libyaml counts
	 * characters, not bytes, so walk the source. */
	const char *p = y->src, *end = y->src + y->len;
	for (size_t l = 0; l < n->start_mark.line && p < end; p++) {
		if (*p == '\n' || (*p == '\r' && (p + 1 >= end || p[1] != '\n')))
			l++;
	}
	for (size_t c = 0; c < n->start_mark.column && p < end; c++)
		p = next_char(p, end);

	size_t quote = 0;
	yaml_scalar_style_t style = n->data.scalar.style;
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		quote = 1;
	else if (style != YAML_PLAIN_SCALAR_STYLE)
		return;
	/* Only when the raw text is the value byte for byte (no escapes, no
	 * folding) does an offset in the value map to a column in the file. */
	if ((size_t)(end - p) < vlen + 2 * quote || memcmp(p + quote, v, vlen) != 0)
		return;
	if (quote != 0 && (p[0] != p[1 + vlen] || (p[0] != '\'' && p[0] != '"')))
		return;
	*col += quote + count_chars(v, off);
}
