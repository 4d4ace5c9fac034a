/* json_strict.h - the strict reading of JSON objects that every decoder of
 * untrusted input shares (actions, result reports): whole-buffer parsing
 * with duplicate keys refused, field tables where anything unknown or of the
 * wrong type is an error naming the field, and bounded string copies into
 * an arena. Pure. */
#ifndef AV_UTIL_JSON_STRICT_H
#define AV_UTIL_JSON_STRICT_H

#include <jansson.h>

#include "agentvisor/common.h"

/* One permitted field of an object; tables end with { NULL, 0 }. */
struct av_json_field {
	const char *name;
	json_type type;
};

/* "a string", "an integer", ...: for messages. Static; never NULL. */
const char *av_json_type_name(json_type t);

/* Parses json[0..len) as one JSON object (jansson's strict defaults: valid
 * UTF-8, no NUL in strings; plus duplicate keys refused). what names the
 * document in messages ("an action"). Returns 0 and a new reference in *out
 * (json_decref it), or -1 with err: AV_E_JSON where "byte N" for syntax,
 * AV_E_FIELD when the document is not an object. */
int av_json_load_object(const char *json, size_t len, const char *what, json_t **out,
                        struct av_error *err);

/* Checks every key of obj against specs; prefix ("input.") is prepended to
 * the field name in where and in messages. A spec of type JSON_TRUE accepts
 * either boolean. Returns 0 or -1 with AV_E_FIELD. */
int av_json_check_fields(json_t *obj, const struct av_json_field *specs,
                         const char *prefix, struct av_error *err);

/* Copies the string field name of obj (type already checked) into ARENA,
 * or leaves *out NULL when absent. where names it in errors; longer than
 * max bytes is AV_E_LIMIT. out_len may be NULL. */
int av_json_get_string(json_t *obj, const char *name, const char *where, size_t max,
                       struct av_arena *arena, const char **out, size_t *out_len,
                       struct av_error *err);

#endif
