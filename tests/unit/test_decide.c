/* test_decide.c - the decision pipeline's SafeFix re-check: a rule's
 * safefix_command is offered only when the same pipeline, in the same
 * context, would let it run (allow or warn) with a strictly weaker verdict;
 * a re-check never re-checks its own fixes; values are shell-quoted; and
 * the offer reaches the verdict JSON and the explanation. Commands here are
 * only analyzed, never run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agentvisor/decide.h"

static const struct av_context ctx = {
	.cwd = "/home/dev/project",
	.workspace = "/home/dev/project",
	.home = "/home/dev",
	.user = "dev",
};

/* Rules on made-up program names, so no default rule interferes. */
static const char test_policy[] = "version: 1\n"
                                  "rules:\n"
                                  "  - id: t.offered\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"xoffer\"'\n"
                                  "    verdict: block\n"
                                  "    risk: high\n"
                                  "    reason: r\n"
                                  "    safefix: use yfine\n"
                                  "    safefix_command: \"yfine --dry-run\"\n"
                                  "  - id: t.blocked-fix\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"xdrop\"'\n"
                                  "    verdict: review\n"
                                  "    risk: medium\n"
                                  "    reason: r\n"
                                  "    safefix: use zbad\n"
                                  "    safefix_command: zbad\n"
                                  "  - id: t.zbad\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"zbad\"'\n"
                                  "    verdict: block\n"
                                  "    risk: high\n"
                                  "    reason: r\n"
                                  "  - id: t.not-weaker\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"xwarn\"'\n"
                                  "    verdict: warn\n"
                                  "    risk: low\n"
                                  "    reason: r\n"
                                  "    safefix_command: ywarn\n"
                                  "  - id: t.ywarn\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"ywarn\"'\n"
                                  "    verdict: warn\n"
                                  "    risk: low\n"
                                  "    reason: r\n"
                                  /* ping and pong propose each other: without the guard
                                   * deciding either would never end. */
                                  "  - id: t.ping\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"ping-x\"'\n"
                                  "    verdict: block\n"
                                  "    risk: high\n"
                                  "    reason: r\n"
                                  "    safefix_command: pong-x\n"
                                  "  - id: t.pong\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"pong-x\"'\n"
                                  "    verdict: warn\n"
                                  "    risk: low\n"
                                  "    reason: r\n"
                                  "    safefix_command: ping-x\n"
                                  "  - id: t.missing-value\n"
                                  "    on: proc.exec\n"
                                  "    when: 'argv0 == \"xnohost\"'\n"
                                  "    verdict: block\n"
                                  "    risk: high\n"
                                  "    reason: r\n"
                                  "    safefix_command: \"yfine {host}\"\n";

struct fixture {
	struct av_policy *p;
	struct av_arena arena;
	struct av_action a;
	struct av_decision d;
};

static int setup_with(void **state, bool with_default)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	f->p = av_policy_new();
	struct av_error err;
	if (f->p == NULL ||
	    (with_default ? av_policy_add_default(f->p, &err)
	                  : av_policy_add_layer(f->p, "t.yaml", test_policy,
	                                        strlen(test_policy), &err)) < 0) {
		fprintf(stderr, "policy: %s: %s\n", err.where, err.message);
		return -1;
	}
	av_arena_init(&f->arena, AV_ARENA_DEFAULT_CAP);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_default(void **state)
{
	return setup_with(state, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	av_arena_free(&f->arena);
	av_policy_free(f->p);
	free(f);
	return 0;
}

static const struct av_decision *decide_shell(struct fixture *f, const char *cmd)
{
	av_arena_reset(&f->arena);
	memset(&f->a, 0, sizeof(f->a));
	f->a.kind = AV_KIND_SHELL;
	f->a.in.shell.command = cmd;
	f->a.in.shell.command_len = strlen(cmd);
	f->a.ctx = ctx;
	assert_int_equal(av_decide(f->p, &f->a, &f->arena, &f->d), 0);
	return &f->d;
}

static const struct av_decision *decide_chmod(struct fixture *f, const char *path,
                                              const char *mode)
{
	av_arena_reset(&f->arena);
	memset(&f->a, 0, sizeof(f->a));
	f->a.kind = AV_KIND_FILE;
	f->a.in.file.op = AV_FOP_CHMOD;
	f->a.in.file.path = path;
	f->a.in.file.mode = mode;
	f->a.ctx = ctx;
	assert_int_equal(av_decide(f->p, &f->a, &f->arena, &f->d), 0);
	return &f->d;
}

static const struct av_finding *finding(const struct av_decision *d, const char *rule)
{
	for (uint32_t i = 0; i < d->findings.count; i++)
		if (strcmp(d->findings.items[i].rule, rule) == 0)
			return &d->findings.items[i];
	print_error("no finding %s\n", rule);
	fail();
	return NULL;
}

/* A fix the pipeline allows is offered, beside the prose safefix. */
static void allowed_fix_is_offered(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "xoffer --now");
	assert_int_equal(d->verdict, AV_BLOCK);
	const struct av_finding *fi = finding(d, "t.offered");
	assert_string_equal(fi->safefix, "use yfine");
	assert_non_null(fi->safefix_command);
	assert_string_equal(fi->safefix_command, "yfine --dry-run");
	/* The re-check changed nothing about the decision itself. */
	assert_int_equal(d->findings.count, 1);
	assert_string_equal(d->action->in.shell.command, "xoffer --now");

	char *json = av_decision_to_json(d, NULL);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"safefix_command\":\"yfine --dry-run\""));
	free(json);
	char *text = av_decision_explain(d);
	assert_non_null(text);
	assert_non_null(strstr(text, "safer command: yfine --dry-run"));
	free(text);
}

/* A fix that would itself be blocked is dropped; the prose stays. */
static void blocked_fix_is_dropped(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "xdrop");
	const struct av_finding *fi = finding(d, "t.blocked-fix");
	assert_null(fi->safefix_command);
	assert_string_equal(fi->safefix, "use zbad");
	char *json = av_decision_to_json(d, NULL);
	assert_non_null(json);
	assert_null(strstr(json, "safefix_command"));
	free(json);
}

/* A fix must be strictly weaker than the finding: warn for warn is no fix. */
static void fix_must_be_weaker(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "xwarn");
	assert_int_equal(d->verdict, AV_WARN);
	assert_null(finding(d, "t.not-weaker")->safefix_command);
}

/* ping's fix pong is re-checked once; pong's own fix (ping) is never
 * re-checked from inside that re-check, so the decision ends. */
static void recheck_does_not_recurse(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "ping-x");
	assert_int_equal(d->verdict, AV_BLOCK);
	assert_string_equal(finding(d, "t.ping")->safefix_command, "pong-x");
	d = decide_shell(f, "pong-x");
	assert_int_equal(d->verdict, AV_WARN);
	assert_null(finding(d, "t.pong")->safefix_command); /* ping-x is blocked */
}

/* A placeholder without a value gives no command rather than a guess. */
static void missing_value_gives_no_command(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "xnohost");
	assert_null(finding(d, "t.missing-value")->safefix_command);
}

/* Allowed actions never reach the re-check; nothing to offer. */
static void allow_has_no_fixes(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_shell(f, "yfine --dry-run");
	assert_int_equal(d->verdict, AV_ALLOW);
	assert_int_equal(d->findings.count, 0);
}

/* The default policy: chmod fixes are offered inside the workspace and
 * for credentials, with paths shell-quoted, and dropped where the fix
 * itself needs a human (a system file). */
static void default_policy_chmod_fixes(void **state)
{
	struct fixture *f = *state;
	const struct av_decision *d = decide_chmod(f, "build/out.log", "0777");
	assert_string_equal(finding(d, "fs.chmod.world-writable")->safefix_command,
	                    "chmod 755 /home/dev/project/build/out.log");

	d = decide_chmod(f, "/home/dev/project/it's a file", "0777");
	assert_string_equal(finding(d, "fs.chmod.world-writable")->safefix_command,
	                    "chmod 755 '/home/dev/project/it'\\''s a file'");

	d = decide_chmod(f, "bin/tool", "4755");
	assert_int_equal(d->verdict, AV_BLOCK);
	assert_string_equal(finding(d, "fs.chmod.setuid")->safefix_command,
	                    "chmod u+x /home/dev/project/bin/tool");

	d = decide_chmod(f, "/etc/passwd", "0777");
	assert_int_equal(d->verdict, AV_BLOCK);
	const struct av_finding *fi = finding(d, "fs.chmod.world-writable-system");
	assert_non_null(fi->safefix);
	assert_null(fi->safefix_command); /* chmod 755 /etc/passwd needs review */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(allowed_fix_is_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(blocked_fix_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(fix_must_be_weaker, setup, teardown),
		cmocka_unit_test_setup_teardown(recheck_does_not_recurse, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(missing_value_gives_no_command, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(allow_has_no_fixes, setup, teardown),
		cmocka_unit_test_setup_teardown(default_policy_chmod_fixes, setup_default,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
