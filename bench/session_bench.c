/* session_bench.c - decide() with session state against decide() alone,
 * the memory one active session holds, and the size of the state file
 * after many actions (issue 5, "Evidence").
 *
 *   av_session_bench [ITERATIONS [TOTAL_ACTIONS [SESSIONS]]]
 *
 * 1. latency: ITERATIONS (default 20000) actions of a typical coding
 *    session, each decided by av_decide alone and by av_decide followed by
 *    av_session_decide (one SQLite write transaction, WAL, synchronous
 *    NORMAL) in one session, the session stage alone, round robin over 100
 *    sessions (more than the store caches, so every action reloads its
 *    state), and with group commit (256 decisions a transaction, as check
 *    --batch does from a file); p50/p99/max of the wall clock and of the
 *    thread's CPU time (the machine may be shared).
 * 2. memory: heap the store holds for one active session after 50 actions.
 * 3. size: TOTAL_ACTIONS (default 1000000) actions over SESSIONS (default
 *    1000) sessions, then the size of sessions.db (+ its WAL).
 * The state directory is a fresh one under /tmp, removed at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agentvisor/decide.h"
#include "agentvisor/session.h"

static const char *const typical[] = {
	"git status",
	"ls -la src",
	"npm test",
	"git diff --stat",
	"python3 -m pytest -x tests/ 2>&1 | tail -n 20",
	"cat src/app/models.py",
	"grep -rn 'def create' src",
	"make -j4",
	"git commit -am 'fix: handle empty input'",
	"curl -s http://localhost:8080/healthz",
	"tar czf /tmp/build.tgz dist",
	"chmod +x scripts/run.sh",
	"./scripts/run.sh --fast",
	"rm -f build/app.o",
	"git push origin HEAD",
	"pip install -e .",
};
#define NTYPICAL (sizeof(typical) / sizeof(typical[0]))

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* CPU time of this thread (user + system): on a loaded machine the wall
 * clock also counts time spent waiting for a core; this does not. */
static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report1(const char *what, const char *clock, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%-44s %s p50 %7.1f us  p99 %7.1f us  max %8.1f us\n", what, clock,
	       t[n / 2] / 1e3, t[(size_t)(0.99 * (double)(n - 1))] / 1e3, t[n - 1] / 1e3);
}

static void report(const char *what, double *t, double *c, size_t n)
{
	report1(what, "wall", t, n);
	report1("", "cpu ", c, n);
}

static void make_action(struct av_action *a, size_t i, const char *session, char *idbuf,
                        size_t idcap)
{
	static const struct av_context ctx = {
		.cwd = "/home/dev/src/app",
		.workspace = "/home/dev/src/app",
		.home = "/home/dev",
		.user = "dev",
	};
	memset(a, 0, sizeof(*a));
	snprintf(idbuf, idcap, "a-%zu", i);
	a->id = idbuf;
	a->session = session;
	a->kind = AV_KIND_SHELL;
	a->in.shell.command = typical[i % NTYPICAL];
	a->in.shell.command_len = strlen(a->in.shell.command);
	a->ctx = ctx;
}

static long file_size(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 ? (long)st.st_size : 0;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	long total = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
	long nsess = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	if (iters < 100 || iters > 10000000 || total < 0 || total > 100000000 ||
	    nsess < 1 || nsess > 1000000) {
		fprintf(stderr, "usage: av_session_bench [ITERATIONS [TOTAL_ACTIONS "
		                "[SESSIONS]]]\n");
		return 64;
	}
	struct av_error err;
	struct av_policy *p = av_policy_new();
	if (p == NULL || av_policy_add_default(p, &err) < 0) {
		fprintf(stderr, "policy: %s\n", err.message);
		return 1;
	}
	char dir[] = "/tmp/av-session-bench-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	struct av_session_opts so;
	struct av_session_store *s;
	if (av_session_opts_default(&so, &err) < 0 ||
	    av_session_store_open(dir, &so, &s, &err) < 0) {
		fprintf(stderr, "store: %s\n", err.message);
		return 1;
	}
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	double *t = calloc((size_t)iters, sizeof(double));
	double *c = calloc((size_t)iters, sizeof(double));
	struct av_action a;
	struct av_decision d;
	char id[32];
	int64_t clock_ms = av_session_now_ms();

	/* Warm up (page cache, allocator, statement cache). */
	for (long i = 0; i < 1000; i++) {
		make_action(&a, (size_t)i, "warm", id, sizeof(id));
		av_decide(p, &a, &arena, &d);
		av_session_decide(s, p, &d, &arena, clock_ms);
		av_arena_reset(&arena);
	}
	for (long i = 0; i < iters; i++) {
		make_action(&a, (size_t)i, NULL, id, sizeof(id));
		double t0 = now_ns(), c0 = cpu_ns();
		av_decide(p, &a, &arena, &d);
		t[i] = now_ns() - t0;
		c[i] = cpu_ns() - c0;
		av_arena_reset(&arena);
	}
	report("decide() alone (stateless)", t, c, (size_t)iters);
	long errors = 0;
	for (long i = 0; i < iters; i++) {
		make_action(&a, (size_t)i, "bench-one", id, sizeof(id));
		double t0 = now_ns(), c0 = cpu_ns();
		av_decide(p, &a, &arena, &d);
		errors += av_session_decide(s, p, &d, &arena, clock_ms + i) < 0;
		t[i] = now_ns() - t0;
		c[i] = cpu_ns() - c0;
		av_arena_reset(&arena);
	}
	report("decide() + session stage, one session", t, c, (size_t)iters);
	for (long i = 0; i < iters; i++) {
		make_action(&a, (size_t)i, "bench-stage", id, sizeof(id));
		av_decide(p, &a, &arena, &d);
		double t0 = now_ns(), c0 = cpu_ns();
		errors += av_session_decide(s, p, &d, &arena, clock_ms + i) < 0;
		t[i] = now_ns() - t0;
		c[i] = cpu_ns() - c0;
		av_arena_reset(&arena);
	}
	report("the session stage alone, one session", t, c, (size_t)iters);
	char sid[32];
	for (long i = 0; i < iters; i++) {
		snprintf(sid, sizeof(sid), "rr-%ld", i % 100);
		make_action(&a, (size_t)i, sid, id, sizeof(id));
		double t0 = now_ns(), c0 = cpu_ns();
		av_decide(p, &a, &arena, &d);
		errors += av_session_decide(s, p, &d, &arena, clock_ms + i) < 0;
		t[i] = now_ns() - t0;
		c[i] = cpu_ns() - c0;
		av_arena_reset(&arena);
	}
	report("decide() + session stage, 100 sessions r-r", t, c, (size_t)iters);
	/* Group commit (check --batch from a file): 256 decisions a transaction. */
	av_session_store_group(s, 256);
	for (long i = 0; i < iters; i++) {
		make_action(&a, (size_t)i, "bench-group", id, sizeof(id));
		double t0 = now_ns(), c0 = cpu_ns();
		av_decide(p, &a, &arena, &d);
		errors += av_session_decide(s, p, &d, &arena, clock_ms + i) < 0;
		t[i] = now_ns() - t0;
		c[i] = cpu_ns() - c0;
		av_arena_reset(&arena);
	}
	report("decide() + session stage, group of 256", t, c, (size_t)iters);
	errors += av_session_flush(s, &err) < 0;
	av_session_store_group(s, 1);

	/* Memory of one active session after 50 typical actions. */
	for (long i = 0; i < 50; i++) {
		make_action(&a, (size_t)i, "mem", id, sizeof(id));
		av_decide(p, &a, &arena, &d);
		av_session_decide(s, p, &d, &arena, clock_ms + i);
		av_arena_reset(&arena);
	}
	struct av_session_stats st;
	av_session_stats(s, "mem", &st, &err);
	printf("one active session after 50 actions: %zu bytes of heap in the store's "
	       "cache, %zu bytes of state in the database, %u chain matches in progress, "
	       "%u labelled objects\n",
	       st.memory_bytes, st.state_bytes, st.partials, st.objects);

	/* Size after TOTAL_ACTIONS actions over SESSIONS sessions. */
	double t0 = now_ns();
	for (long i = 0; i < total; i++) {
		snprintf(sid, sizeof(sid), "size-%ld", i % nsess);
		make_action(&a, (size_t)i, sid, id, sizeof(id));
		av_decide(p, &a, &arena, &d);
		errors += av_session_decide(s, p, &d, &arena, clock_ms + i / 100) < 0;
		av_arena_reset(&arena);
	}
	double secs = (now_ns() - t0) / 1e9;
	av_session_stats(s, NULL, &st, &err);
	av_session_store_close(s);
	long db = file_size(dir, "sessions.db"), wal = file_size(dir, "sessions.db-wal");
	printf("%ld actions over %ld sessions in %.1f s (%.0f actions/s): sessions.db "
	       "%ld "
	       "bytes (%.1f MiB), WAL %ld bytes, %llu sessions stored; errors %ld\n",
	       total, nsess, secs, secs > 0 ? (double)total / secs : 0.0, db,
	       (double)db / (1 << 20), wal, (unsigned long long)st.sessions, errors);
	char path[512];
	const char *names[] = { "sessions.db", "sessions.db-wal", "sessions.db-shm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(t);
	free(c);
	av_arena_free(&arena);
	av_policy_free(p);
	return errors == 0 ? 0 : 1;
}
