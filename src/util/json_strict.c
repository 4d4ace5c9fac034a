/* json_strict.c - strict JSON object reading shared by the decoders of
 * untrusted input (see json_strict.h). */
#include "util/json_strict.h"

#include <stdio.h>
#include <string.h>

const char *av_json_type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a non-integer number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value"; /* defensive: jansson has no other types */
}

int av_json_load_object(const char *json, size_t len, const char *what, json_t **out,
                        struct av_error *err)
{
	json_error_t jerr;
	*out = NULL;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		char where[64];
		snprintf(where, sizeof(where), "byte %d", jerr.position);
		return av_error_set(err, AV_E_JSON, where, "invalid JSON at byte %d: %s",
		                    jerr.position, jerr.text);
	}
	if (!json_is_object(root)) {
		av_error_set(err, AV_E_FIELD, "", "%s must be a JSON object, not %s",
		             what, av_json_type_name(json_typeof(root)));
		json_decref(root);
		return -1;
	}
	*out = root;
	return 0;
}

int av_json_check_fields(json_t *obj, const struct av_json_field *specs,
                         const char *prefix, struct av_error *err)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		const struct av_json_field *s = specs;
		while (s->name != NULL && strcmp(s->name, key) != 0)
			s++;
		char where[128];
		snprintf(where, sizeof(where), "%s%s", prefix, key);
		if (s->name == NULL)
			return av_error_set(err, AV_E_FIELD, where,
			                    "unknown field \"%s\"", where);
		/* JSON_TRUE in a table means "a boolean": either value. */
		if (json_typeof(val) != s->type &&
		    !(s->type == JSON_TRUE && json_is_boolean(val)))
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" must be %s, not %s", where,
			                    av_json_type_name(s->type),
			                    av_json_type_name(json_typeof(val)));
	}
	return 0;
}

int av_json_get_string(json_t *obj, const char *name, const char *where, size_t max,
                       struct av_arena *arena, const char **out, size_t *out_len,
                       struct av_error *err)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (v == NULL)
		return 0;
	size_t len = json_string_length(v);
	if (len > max)
		return av_error_set(err, AV_E_LIMIT, where,
		                    "field \"%s\" is %zu bytes long; the limit is %zu",
		                    where, len, max);
	char *s = av_arena_strndup(arena, json_string_value(v), len);
	if (s == NULL)
		return av_error_set(err, AV_E_NOMEM, where,
		                    "out of memory copying \"%s\"", where);
	*out = s;
	if (out_len != NULL)
		*out_len = len;
	return 0;
}
