/* shell_fixture.h - what the shell analyzer's unit tests share: a fixed
 * context (home /home/dev, workspace /home/dev/project), an arena reset per
 * analysis, and analyze(), which runs av_shell_analyze and asserts it
 * returned a result. Included by one test program each (static state). */
#ifndef AV_TEST_SHELL_FIXTURE_H
#define AV_TEST_SHELL_FIXTURE_H

#include <string.h>

#include "agentvisor/shell.h"

static const struct av_context ctx = {
	.cwd = "/home/dev/project",
	.workspace = "/home/dev/project",
	.home = "/home/dev",
	.user = "dev",
};

static struct av_arena arena;
static struct av_shell_result res;

static int setup(void **state)
{
	(void)state;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	av_arena_free(&arena);
	return 0;
}

static const struct av_shell_result *analyze(const char *s)
{
	struct av_error err;
	av_arena_reset(&arena);
	assert_int_equal(av_shell_analyze(s, strlen(s), &ctx, &arena, &res, &err), 0);
	return &res;
}

#endif
