/* test_daemon.c - the parts of the daemon that need no socket: the one
 * decode-decide-record path every front end shares (av_decide_recorded:
 * recorded verdicts, bad actions recorded as block, fail closed without a
 * log), the socket path rule servers and clients share, and the systemd
 * socket-activation variables. The HTTP side is tested end to end by
 * tests/cli/serve_*.sh, review_*.sh, tests/daemon and tests/web. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agentvisor/audit.h"
#include "agentvisor/daemon.h"
#include "agentvisor/policy.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

struct fixture {
	char dir[64];
	char state[96];
	struct av_policy *p;
	struct av_audit_writer *log;
	struct av_arena arena;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/av-test-daemon-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	struct av_error err;
	f->p = av_policy_new();
	assert_int_equal(av_policy_add_default(f->p, &err), 0);
	struct av_audit_opts ao;
	assert_int_equal(av_audit_opts_default(&ao, &err), 0);
	ao.fsync = AV_FSYNC_NEVER;
	assert_int_equal(av_state_dir_prepare(f->state, &err), 0);
	assert_int_equal(av_audit_open(f->state, &ao, &f->log, &err), 0);
	av_arena_init(&f->arena, AV_ARENA_DEFAULT_CAP);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct av_error err;
	av_audit_close(f->log, &err);
	av_policy_free(f->p);
	av_arena_free(&f->arena);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Counts decision records whose payload contains needle. */
static int count_records(const char *state, const char *needle)
{
	struct av_audit_reader *r;
	struct av_error err;
	assert_int_equal(av_audit_reader_open(state, &r, &err), 0);
	struct av_audit_record rec;
	int n = 0;
	while (av_audit_reader_next(r, &rec, &err) == 1)
		if (rec.type == AV_REC_DECISION &&
		    memmem(rec.payload, rec.payload_len, needle, strlen(needle)) != NULL)
			n++;
	av_audit_reader_free(r);
	return n;
}

static void decided_and_recorded(void **state)
{
	struct fixture *f = *state;
	static const char action[] =
	        "{\"id\":\"u-1\",\"kind\":\"shell\",\"input\":{\"command\":\"ls -la\"}}";
	struct av_context fb = { .home = "/home/u", .user = "u" };
	struct av_recorded r;
	assert_int_equal(av_decide_recorded(f->p, f->log, NULL, NULL, action,
	                                    strlen(action), &fb,
	                                    "{\"transport\":\"test\"}", &f->arena, &r),
	                 0);
	assert_int_equal(r.status, AV_RECORDED_OK);
	assert_int_equal(r.decision.verdict, AV_ALLOW);
	assert_string_equal(r.id, "u-1");
	assert_string_equal(r.action.ctx.home, "/home/u");
	assert_non_null(strstr(r.verdict_json, "\"verdict\":\"allow\""));
	assert_true(r.seq > 0);
	free(r.verdict_json);
	assert_int_equal(count_records(f->state, "\"caller\":{\"transport\":\"test\"}"),
	                 1);
	av_arena_reset(&f->arena);
}

static void bad_action_is_recorded_block(void **state)
{
	struct fixture *f = *state;
	static const char action[] = "{\"id\":\"u-2\",\"kind\":\"shell\",\"input\":{"
	                             "\"command\":\"ls\"},\"x\":1}";
	struct av_recorded r;
	assert_int_equal(av_decide_recorded(f->p, f->log, NULL, NULL, action,
	                                    strlen(action), NULL, NULL, &f->arena, &r),
	                 -1);
	assert_int_equal(r.status, AV_RECORDED_BAD_ACTION);
	assert_int_equal(r.decision.verdict, AV_BLOCK);
	assert_int_equal(r.decision.error.code, AV_E_FIELD);
	assert_string_equal(r.decision.error.where, "x");
	assert_string_equal(r.id, "u-2");
	assert_non_null(strstr(r.verdict_json, "\"verdict\":\"block\""));
	free(r.verdict_json);
	assert_int_equal(count_records(f->state, "\"id\":\"u-2\""), 1);
	av_arena_reset(&f->arena);
}

static void no_log_fails_closed(void **state)
{
	struct fixture *f = *state;
	static const char action[] =
	        "{\"id\":\"u-3\",\"kind\":\"shell\",\"input\":{\"command\":\"ls\"}}";
	struct av_error why;
	av_error_set(&why, AV_E_IO, "/nowhere", "the disk is gone");
	struct av_recorded r;
	assert_int_equal(av_decide_recorded(f->p, NULL, &why, NULL, action,
	                                    strlen(action), NULL, NULL, &f->arena, &r),
	                 -1);
	assert_int_equal(r.status, AV_RECORDED_UNRECORDED);
	assert_int_equal(r.decision.verdict, AV_BLOCK);
	assert_int_equal(r.decision.error.code, AV_E_IO);
	assert_non_null(strstr(r.decision.error.message, "not recorded, so blocked"));
	assert_non_null(strstr(r.verdict_json, "\"code\":\"io\""));
	free(r.verdict_json);
	av_arena_reset(&f->arena);
}

static void socket_path_rule(void **state)
{
	(void)state;
	char out[256];
	struct av_error err;
	setenv("AGENTVISOR_SOCKET", "/run/x/av.sock", 1);
	assert_int_equal(av_daemon_socket_path("/tmp/o.sock", out, sizeof(out), &err), 0);
	assert_string_equal(out, "/tmp/o.sock");
	assert_int_equal(av_daemon_socket_path(NULL, out, sizeof(out), &err), 0);
	assert_string_equal(out, "/run/x/av.sock");
	unsetenv("AGENTVISOR_SOCKET");
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	assert_int_equal(av_daemon_socket_path(NULL, out, sizeof(out), &err), 0);
	assert_string_equal(out, "/run/user/1000/agentvisor/agentvisor.sock");
	assert_int_equal(av_daemon_socket_path("relative.sock", out, sizeof(out), &err),
	                 -1);
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(av_daemon_socket_path(longp, out, sizeof(out), &err), -1);
	assert_int_equal(err.code, AV_E_LIMIT);
}

static void socket_activation_vars(void **state)
{
	(void)state;
	int fds[AV_DAEMON_MAX_LISTEN_FDS];
	struct av_error err;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_int_equal(av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err), 0);
	/* For another process: ignored, and unset. */
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "2", 1);
	assert_int_equal(av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err), 0);
	assert_null(getenv("LISTEN_FDS"));
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	assert_int_equal(av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err), 2);
	assert_int_equal(fds[0], 3);
	assert_int_equal(fds[1], 4);
	assert_null(getenv("LISTEN_PID"));
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "many", 1);
	assert_int_equal(av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err),
	                 -1);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "100", 1);
	assert_int_equal(av_daemon_inherited_fds(fds, AV_DAEMON_MAX_LISTEN_FDS, &err),
	                 -1);
	assert_int_equal(err.code, AV_E_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(decided_and_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_action_is_recorded_block, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(no_log_fails_closed, setup, teardown),
		cmocka_unit_test(socket_path_rule),
		cmocka_unit_test(socket_activation_vars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
