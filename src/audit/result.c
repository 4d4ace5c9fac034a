/* result.c - strict decoding of an execution result report (docs/PROTOCOL.md,
 * "Result report"). The report comes from the agent's side, like an action:
 * nothing in it is trusted, every field is checked against a table, and
 * anything unknown is an error that names the field, so a typo never turns
 * into a silently missing fact in the audit log. Pure. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "util/json_strict.h"

static const struct av_json_field result_fields[] = {
	{ "id", JSON_STRING },
	{ "session", JSON_STRING },
	{ "principal", JSON_STRING },
	{ "exit", JSON_INTEGER },
	{ "output_digest", JSON_STRING },
	{ "output_bytes", JSON_INTEGER },
	{ "paths_written", JSON_ARRAY },
	{ "error", JSON_STRING },
	{ "duration_ms", JSON_INTEGER },
	{ NULL, JSON_NULL },
};

/* A non-negative integer field, or -1 when absent. */
static int get_count(json_t *root, const char *name, int64_t *out, struct av_error *err)
{
	json_t *v = json_object_get(root, name);
	*out = -1;
	if (v == NULL)
		return 0;
	if (json_integer_value(v) < 0)
		return av_error_set(err, AV_E_FIELD, name,
		                    "field \"%s\" must not be negative", name);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int decode_digest(json_t *root, struct av_result *out, struct av_error *err)
{
	json_t *v = json_object_get(root, "output_digest");
	if (v == NULL)
		return 0;
	static const char prefix[] = "sha256:";
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len != sizeof(prefix) - 1 + 64 ||
	    memcmp(s, prefix, sizeof(prefix) - 1) != 0 ||
	    av_unhex(s + sizeof(prefix) - 1, 64, out->output_sha256, 32) < 0)
		return av_error_set(
		        err, AV_E_FIELD, "output_digest",
		        "field \"output_digest\" must be \"sha256:\" followed by "
		        "64 lower-case hex digits");
	out->has_output_digest = true;
	return 0;
}

static int decode_paths(json_t *root, struct av_arena *arena, struct av_result *out,
                        struct av_error *err)
{
	json_t *arr = json_object_get(root, "paths_written");
	if (arr == NULL)
		return 0;
	size_t n = json_array_size(arr);
	if (n > AV_RESULT_MAX_PATHS)
		return av_error_set(
		        err, AV_E_LIMIT, "paths_written",
		        "field \"paths_written\" has %zu entries; the limit is %d", n,
		        AV_RESULT_MAX_PATHS);
	out->paths_written = av_arena_alloc(arena, (n ? n : 1) * sizeof(char *));
	if (out->paths_written == NULL)
		return av_error_set(err, AV_E_NOMEM, "paths_written", "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(arr, i);
		char where[64];
		snprintf(where, sizeof(where), "paths_written[%zu]", i);
		if (!json_is_string(p))
			return av_error_set(err, AV_E_FIELD, where,
			                    "field \"%s\" must be a string, not %s",
			                    where, av_json_type_name(json_typeof(p)));
		size_t len = json_string_length(p);
		if (len == 0 || len > AV_RESULT_MAX_PATH)
			return av_error_set(
			        err, len ? AV_E_LIMIT : AV_E_FIELD, where,
			        "field \"%s\" must be a path of 1 to %d bytes", where,
			        AV_RESULT_MAX_PATH);
		out->paths_written[i] =
		        av_arena_strndup(arena, json_string_value(p), len);
		if (out->paths_written[i] == NULL)
			return av_error_set(err, AV_E_NOMEM, where, "out of memory");
	}
	out->npaths = n;
	return 0;
}

int av_result_decode(const char *json, size_t len, struct av_arena *arena,
                     struct av_result *out, struct av_error *err)
{
	memset(out, 0, sizeof(*out));
	out->output_bytes = out->duration_ms = -1;
	av_error_clear(err);
	if (len > AV_RESULT_MAX_BYTES)
		return av_error_set(
		        err, AV_E_LIMIT, "",
		        "the result report is %zu bytes long; the limit is %zu", len,
		        AV_RESULT_MAX_BYTES);
	json_t *root;
	if (av_json_load_object(json, len, "a result report", &root, err) < 0)
		return -1;
	int rc = -1;
	if (av_json_check_fields(root, result_fields, "", err) < 0 ||
	    av_json_get_string(root, "id", "id", AV_RESULT_MAX_STRING, arena, &out->id,
	                       NULL, err) < 0 ||
	    av_json_get_string(root, "session", "session", AV_RESULT_MAX_STRING, arena,
	                       &out->session, NULL, err) < 0 ||
	    av_json_get_string(root, "principal", "principal", AV_RESULT_MAX_STRING,
	                       arena, &out->principal, NULL, err) < 0 ||
	    av_json_get_string(root, "error", "error", AV_RESULT_MAX_STRING, arena,
	                       &out->error, NULL, err) < 0 ||
	    get_count(root, "output_bytes", &out->output_bytes, err) < 0 ||
	    get_count(root, "duration_ms", &out->duration_ms, err) < 0 ||
	    decode_digest(root, out, err) < 0 || decode_paths(root, arena, out, err) < 0)
		goto out;
	if (out->id == NULL || out->id[0] == '\0') {
		av_error_set(err, AV_E_FIELD, "id",
		             out->id == NULL ? "required field \"id\" is missing"
		                             : "field \"id\" must not be empty");
		goto out;
	}
	json_t *ex = json_object_get(root, "exit");
	if (ex == NULL) {
		av_error_set(err, AV_E_FIELD, "exit",
		             "required field \"exit\" is missing");
		goto out;
	}
	out->exit_status = (int64_t)json_integer_value(ex);
	if (out->exit_status < INT32_MIN || out->exit_status > INT32_MAX) {
		av_error_set(err, AV_E_FIELD, "exit",
		             "field \"exit\" must be a 32-bit integer");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}
