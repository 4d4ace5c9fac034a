/* test_action.c - the strict action decoder: every accepted form, and every
 * kind of bad input rejected with the right code and location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agentvisor/action.h"

struct fixture {
	struct av_arena arena;
	struct av_action a;
	struct av_error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	av_arena_init(&f->arena, (size_t)16 << 20);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	av_arena_free(&f->arena);
	free(f);
	return 0;
}

static int decode(struct fixture *f, const char *json)
{
	av_arena_reset(&f->arena);
	return av_action_decode(json, strlen(json), &f->arena, &f->a, &f->err);
}

/* Asserts that json is rejected with code and where. */
static void reject(struct fixture *f, const char *json, enum av_errcode code,
                   const char *where)
{
	int rc = decode(f, json);
	if (rc != -1 || f->err.code != code || strcmp(f->err.where, where) != 0)
		fail_msg("%s: rc=%d code=%s where=\"%s\" message=\"%s\"; wanted %s at "
		         "\"%s\"",
		         json, rc, av_errcode_name(f->err.code), f->err.where,
		         f->err.message, av_errcode_name(code), where);
	assert_true(f->err.message[0] != '\0');
}

static void shell_minimal(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
	        decode(f, "{\"kind\":\"shell\",\"input\":{\"command\":\"ls -la\"}}"), 0);
	assert_int_equal(f->a.kind, AV_KIND_SHELL);
	assert_string_equal(f->a.in.shell.command, "ls -la");
	assert_int_equal(f->a.in.shell.command_len, 6);
	assert_null(f->a.id);
	assert_null(f->a.ctx.cwd);
}

static void shell_full(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
	        decode(f, "{\"id\":\"x1\",\"session\":\"s1\",\"principal\":\"alice\","
	                  "\"tool\":\"Bash\",\"kind\":\"shell\","
	                  "\"input\":{\"command\":\"echo \\\"hi\\\"\\n\"},"
	                  "\"context\":{\"cwd\":\"/w/src\",\"workspace\":\"/w\","
	                  "\"home\":\"/home/a\",\"user\":\"a\"}}"),
	        0);
	assert_string_equal(f->a.id, "x1");
	assert_string_equal(f->a.session, "s1");
	assert_string_equal(f->a.principal, "alice");
	assert_string_equal(f->a.tool, "Bash");
	assert_string_equal(f->a.in.shell.command, "echo \"hi\"\n");
	assert_string_equal(f->a.ctx.cwd, "/w/src");
	assert_string_equal(f->a.ctx.workspace, "/w");
	assert_string_equal(f->a.ctx.home, "/home/a");
	assert_string_equal(f->a.ctx.user, "a");
}

static void file_ops(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(decode(f, "{\"kind\":\"file\",\"input\":{\"op\":\"write\","
	                           "\"path\":\"a.txt\","
	                           "\"content\":\"x\"}}"),
	                 0);
	assert_int_equal(f->a.in.file.op, AV_FOP_WRITE);
	assert_string_equal(f->a.in.file.path, "a.txt");
	assert_string_equal(f->a.in.file.content, "x");
	assert_int_equal(
	        decode(f, "{\"kind\":\"file\",\"input\":{\"op\":\"move\",\"path\":\"a\","
	                  "\"dest\":\"b\"}}"),
	        0);
	assert_int_equal(f->a.in.file.op, AV_FOP_MOVE);
	assert_string_equal(f->a.in.file.dest, "b");
	assert_int_equal(
	        decode(f, "{\"kind\":\"file\",\"input\":{\"op\":\"chmod\",\"path\":\"a\","
	                  "\"mode\":\"0755\"}}"),
	        0);
	assert_string_equal(f->a.in.file.mode, "0755");
	static const char *const ops[] = { "read",   "edit", "append",
		                           "delete", "list", "copy" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char buf[160];
		bool dest = strcmp(ops[i], "copy") == 0;
		snprintf(buf, sizeof(buf),
		         "{\"kind\":\"file\",\"input\":{\"op\":\"%s\",\"path\":\"p\"%s}}",
		         ops[i], dest ? ",\"dest\":\"q\"" : "");
		assert_int_equal(decode(f, buf), 0);
		assert_string_equal(av_file_op_name(f->a.in.file.op), ops[i]);
	}
}

/* jansson reports where its parser stopped: at or just after the first bad
 * byte, inside the offending token. Check the byte named lies in [lo, hi]. */
static void reject_at(struct fixture *f, const char *json, long lo, long hi)
{
	assert_int_equal(decode(f, json), -1);
	assert_int_equal(f->err.code, AV_E_JSON);
	long at = -1;
	if (sscanf(f->err.where, "byte %ld", &at) != 1 || at < lo || at > hi)
		fail_msg("%s: where=\"%s\", wanted a byte in [%ld, %ld]", json,
		         f->err.where, lo, hi);
}

static void syntax_errors_name_the_byte(void **state)
{
	struct fixture *f = *state;
	reject_at(f, "{\"kind\":\"shell\",", 16, 16);
	reject_at(f, "", 0, 0);
	reject_at(f, "{\"kind\":\"shell\"} trailing", 17, 25);
	reject_at(f, "{\"kind\" \"shell\"}", 8, 15);
}

static void strictness(void **state)
{
	struct fixture *f = *state;
	reject(f, "[]", AV_E_FIELD, "");
	reject(f, "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\"},\"extra\":1}",
	       AV_E_FIELD, "extra");
	reject(f, "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\",\"cwd\":\"/\"}}",
	       AV_E_FIELD, "input.cwd");
	reject(f, "{\"kind\":\"shell\",\"input\":{\"command\":5}}", AV_E_FIELD,
	       "input.command");
	reject(f, "{\"kind\":\"shell\",\"input\":{}}", AV_E_FIELD, "input.command");
	reject(f, "{\"kind\":\"network\",\"input\":{}}", AV_E_FIELD, "kind");
	reject(f, "{\"input\":{\"command\":\"ls\"}}", AV_E_FIELD, "kind");
	reject(f, "{\"kind\":\"shell\"}", AV_E_FIELD, "input");
	reject(f,
	       "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\"},\"context\":{\"cwd\":"
	       "\"rel\"}}",
	       AV_E_FIELD, "context.cwd");
	reject(f,
	       "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\"},\"context\":{"
	       "\"shell\":\"x\"}}",
	       AV_E_FIELD, "context.shell");
	reject(f, "{\"kind\":\"file\",\"input\":{\"op\":\"shred\",\"path\":\"a\"}}",
	       AV_E_FIELD, "input.op");
	reject(f, "{\"kind\":\"file\",\"input\":{\"op\":\"read\"}}", AV_E_FIELD,
	       "input.path");
	reject(f, "{\"kind\":\"file\",\"input\":{\"op\":\"read\",\"path\":\"\"}}",
	       AV_E_FIELD, "input.path");
	reject(f, "{\"kind\":\"file\",\"input\":{\"op\":\"move\",\"path\":\"a\"}}",
	       AV_E_FIELD, "input.dest");
	reject(f, "{\"kind\":\"file\",\"input\":{\"op\":\"chmod\",\"path\":\"a\"}}",
	       AV_E_FIELD, "input.mode");
	reject(f,
	       "{\"kind\":\"file\",\"input\":{\"op\":\"delete\",\"path\":\"a\","
	       "\"content\":\"x\"}}",
	       AV_E_FIELD, "input.content");
	reject(f,
	       "{\"kind\":\"file\",\"input\":{\"op\":\"read\",\"path\":\"a\",\"mode\":"
	       "\"7\"}}",
	       AV_E_FIELD, "input.mode");
}

static void duplicates_nul_and_utf8(void **state)
{
	struct fixture *f = *state;
	/* A duplicate key could make us judge one value while the tool runs
	 * the other. */
	int rc = decode(
	        f,
	        "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\",\"command\":\"rm\"}}");
	assert_int_equal(rc, -1);
	assert_int_equal(f->err.code, AV_E_JSON);
	rc = decode(f,
	            "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\\u0000; rm x\"}}");
	assert_int_equal(rc, -1);
	assert_int_equal(f->err.code, AV_E_JSON);
	const char bad[] = "{\"kind\":\"shell\",\"input\":{\"command\":\"\xff\"}}";
	rc = av_action_decode(bad, sizeof(bad) - 1, &f->arena, &f->a, &f->err);
	assert_int_equal(rc, -1);
	assert_int_equal(f->err.code, AV_E_JSON);
}

static void id_survives_errors(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(decode(f, "{\"id\":\"q7\",\"kind\":\"bogus\",\"input\":{}}"),
	                 -1);
	assert_non_null(f->a.id);
	assert_string_equal(f->a.id, "q7");
}

static void limits(void **state)
{
	struct fixture *f = *state;
	size_t n = AV_ACTION_MAX_BYTES + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	assert_int_equal(av_action_decode(big, n, &f->arena, &f->a, &f->err), -1);
	assert_int_equal(f->err.code, AV_E_LIMIT);
	/* One string just over the per-field limit, inside a legal document. */
	size_t slen = AV_ACTION_MAX_STRING + 1;
	const char head[] = "{\"kind\":\"shell\",\"input\":{\"command\":\"";
	const char tail[] = "\"}}";
	size_t total = sizeof(head) - 1 + slen + sizeof(tail) - 1;
	char *doc = malloc(total);
	assert_non_null(doc);
	memcpy(doc, head, sizeof(head) - 1);
	memset(doc + sizeof(head) - 1, 'a', slen);
	memcpy(doc + sizeof(head) - 1 + slen, tail, sizeof(tail) - 1);
	assert_int_equal(av_action_decode(doc, total, &f->arena, &f->a, &f->err), -1);
	assert_int_equal(f->err.code, AV_E_LIMIT);
	assert_string_equal(f->err.where, "input.command");
	free(doc);
	free(big);
}

static void fill_context(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(decode(f, "{\"kind\":\"shell\",\"input\":{\"command\":\"ls\"},"
	                           "\"context\":{\"cwd\":\"/a\"}}"),
	                 0);
	struct av_context fb = {
		.cwd = "/b", .workspace = "/w", .home = "/h", .user = "u"
	};
	av_action_fill_context(&f->a, &fb);
	assert_string_equal(f->a.ctx.cwd, "/a");
	assert_string_equal(f->a.ctx.workspace, "/w");
	assert_string_equal(f->a.ctx.home, "/h");
	assert_string_equal(f->a.ctx.user, "u");
}

static void arena_cap_and_reset(void **state)
{
	(void)state;
	struct av_arena a;
	av_arena_init(&a, 1000);
	assert_non_null(av_arena_alloc(&a, 500));
	assert_null(av_arena_alloc(&a, 600)); /* over the cap */
	av_arena_reset(&a);
	assert_non_null(av_arena_alloc(&a, 600));
	char *s = av_arena_printf(&a, "%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	av_arena_free(&a);

	av_arena_init(&a, (size_t)8 << 20);
	void *items = NULL;
	uint32_t count = 0, capacity = 0;
	for (uint32_t i = 0; i < 100; i++) {
		uint32_t *slot = av_arena_push(&a, &items, &count, &capacity,
		                               sizeof(uint32_t), 100);
		assert_non_null(slot);
		*slot = i;
	}
	assert_null(av_arena_push(&a, &items, &count, &capacity, sizeof(uint32_t), 100));
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(((uint32_t *)items)[i], i);
	/* An allocation bigger than a chunk, then small ones again. */
	assert_non_null(av_arena_alloc(&a, (size_t)1 << 20));
	assert_non_null(av_arena_alloc(&a, 16));
	av_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shell_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(shell_full, setup, teardown),
		cmocka_unit_test_setup_teardown(file_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_errors_name_the_byte, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(strictness, setup, teardown),
		cmocka_unit_test_setup_teardown(duplicates_nul_and_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(id_survives_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(limits, setup, teardown),
		cmocka_unit_test_setup_teardown(fill_context, setup, teardown),
		cmocka_unit_test(arena_cap_and_reset),
	};
	return cmocka_run_group_tests_name("action", tests, NULL, NULL);
}
