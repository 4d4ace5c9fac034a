/* audit_bench.c - the audit log's budget (DESIGN.md: durable appends with
 * group commit >= 50,000 records/s), verification speed, and the latency an
 * audit record adds to one decision.
 *
 *   av_audit_bench [RECORDS]      (default 200000; uses a fresh temp dir)
 *
 * Appends use the default `batch` policy (fsync every 512 records or 20 ms)
 * and a typical 900-byte decision payload; `always` is measured too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentvisor/audit.h"
#include "agentvisor/decide.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void die(const char *what, const struct av_error *err)
{
	fprintf(stderr, "av_audit_bench: %s: %s %s\n", what, err->where, err->message);
	exit(1);
}

static double appends(const char *state, enum av_audit_fsync mode, long n,
                      const char *payload)
{
	struct av_audit_opts o;
	struct av_error err;
	struct av_audit_writer *w;
	if (av_audit_opts_default(&o, &err) < 0)
		die("opts", &err);
	o.fsync = mode;
	if (av_audit_open(state, &o, &w, &err) < 0)
		die("open", &err);
	double t0 = now_s();
	for (long i = 0; i < n; i++)
		if (av_audit_append(w, AV_REC_DECISION, payload, strlen(payload), NULL,
		                    &err) < 0)
			die("append", &err);
	if (av_audit_close(w, &err) < 0) /* includes the final fsync */
		die("close", &err);
	return (double)n / (now_s() - t0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
	if (n < 1000 || n > 100000000) {
		fprintf(stderr, "usage: av_audit_bench [RECORDS, 1000..100000000]\n");
		return 64;
	}
	char dir[] = "/tmp/av-audit-bench-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	char state[256], state2[256];
	snprintf(state, sizeof(state), "%s/a", dir);
	snprintf(state2, sizeof(state2), "%s/b", dir);

	char payload[1024];
	int plen = snprintf(payload, sizeof(payload),
	                    "{\"v\":1,\"decision\":{\"verdict\":\"allow\",\"pad\":\"");
	while (plen < 880)
		payload[plen] = (char)('a' + plen % 26), plen++;
	snprintf(payload + plen, sizeof(payload) - (size_t)plen, "\"}}");

	double batch = appends(state, AV_FSYNC_BATCH, n, payload);
	printf("append, fsync batch (512 records / 20 ms): %.0f records/s (budget >= "
	       "50000)\n",
	       batch);
	double always = appends(state2, AV_FSYNC_ALWAYS, n / 100, payload);
	printf("append, fsync always:                       %.0f records/s\n", always);

	struct av_audit_verify_result r;
	struct av_error err;
	double t0 = now_s();
	if (av_audit_verify(state, NULL, NULL, 0, &r, &err) < 0 || r.fault != AV_AUDIT_OK)
		die("verify", &err);
	double vt = now_s() - t0;
	printf("verify: %llu records in %.2f s = %.0f records/s\n",
	       (unsigned long long)r.records, vt, (double)r.records / vt);

	/* Added latency per decision: building, redacting and appending the
	 * record of a real decision (batch policy). */
	struct av_policy *p = av_policy_new();
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	if (p == NULL || av_policy_add_default(p, &err) < 0)
		die("policy", &err);
	/* The check --batch pipeline in process, on bench/batch.sh's action mix:
	 * decode + decide + verdict JSON without the log (what check did before
	 * the audit log) and with the record appended; the verdict JSON is
	 * shared with the record, as check --batch shares it. */
	static const char *const mix[] = { "git status",      "ls -la src",
		                           "npm test",        "rm -rf build",
		                           "make -j4",        "grep -rn TODO src",
		                           "git diff --stat", "cat README.md",
		                           "pytest -x",       "cargo build" };
	enum { NMIX = sizeof(mix) / sizeof(mix[0]) };
	char lines[NMIX][512];
	for (int i = 0; i < NMIX; i++)
		snprintf(
		        lines[i], sizeof(lines[i]),
		        "{\"id\": \"%d\", \"kind\": \"shell\", \"input\": {\"command\": "
		        "\"%s\"}, \"context\": {\"cwd\": \"/home/dev/project\", "
		        "\"workspace\": \"/home/dev/project\", \"home\": \"/home/dev\"}}",
		        i, mix[i]);
	struct av_audit_opts o;
	struct av_audit_writer *w;
	av_audit_opts_default(&o, &err);
	if (av_audit_open(state, &o, &w, &err) < 0)
		die("open", &err);
	double rate[2];
	for (int with = 0; with < 2; with++) {
		long m = n / 2;
		double start = now_s();
		for (long i = 0; i < m; i++) {
			const char *l = lines[i % NMIX];
			struct av_action a;
			struct av_decision d;
			if (av_action_decode(l, strlen(l), &arena, &a, &err) < 0)
				die("decode", &err);
			av_decide(p, &a, &arena, &d);
			char *v = av_decision_to_json(&d, a.id);
			struct av_audit_decision_info info = { .action_json = l,
				                               .action_len = strlen(l),
				                               .action_is_json = true,
				                               .ctx = &a.ctx,
				                               .verdict_json = v };
			if (with &&
			    av_audit_append_decision(w, &d, &info, NULL, &err) < 0)
				die("append decision", &err);
			free(v);
			av_arena_reset(&arena);
		}
		rate[with] = (double)m / (now_s() - start);
	}
	av_audit_close(w, &err);
	printf("check --batch pipeline in process (decode + decide + verdict JSON):\n"
	       "  without the audit log %.0f actions/s, with it %.0f actions/s "
	       "(%.2fx)\n",
	       rate[0], rate[1], rate[0] / rate[1]);

	av_audit_opts_default(&o, &err);
	if (av_audit_open(state, &o, &w, &err) < 0)
		die("open", &err);
	enum { SAMPLES = 20000 };
	static double lat[SAMPLES];
	const char *cmd = "find . -name '*.c' | xargs grep -n TODO";
	for (int i = 0; i < SAMPLES; i++) {
		struct av_action a;
		memset(&a, 0, sizeof(a));
		a.kind = AV_KIND_SHELL;
		a.in.shell.command = cmd;
		a.in.shell.command_len = strlen(cmd);
		a.ctx.cwd = a.ctx.workspace = "/home/dev/project";
		a.ctx.home = "/home/dev";
		struct av_decision d;
		av_decide(p, &a, &arena, &d);
		static const char aj[] = "{\"kind\":\"shell\",\"input\":{\"command\":"
		                         "\"find . -name '*.c' | xargs grep -n TODO\"}}";
		/* check builds the verdict JSON for its output anyway and shares
		 * it with the record, so it is not part of the added latency. */
		char *v = av_decision_to_json(&d, NULL);
		struct av_audit_decision_info info = { .action_json = aj,
			                               .action_len = sizeof(aj) - 1,
			                               .action_is_json = true,
			                               .verdict_json = v };
		double s = now_s();
		if (av_audit_append_decision(w, &d, &info, NULL, &err) < 0)
			die("append decision", &err);
		lat[i] = (now_s() - s) * 1e6;
		free(v);
		av_arena_reset(&arena);
	}
	av_audit_close(w, &err);
	qsort(lat, SAMPLES, sizeof(lat[0]), cmp_double);
	printf("added latency per decision (build + prefilter/redact + append, batch): "
	       "p50 %.1f "
	       "us, "
	       "p99 %.1f us\n",
	       lat[SAMPLES / 2], lat[SAMPLES * 99 / 100]);
	av_arena_free(&arena);
	av_policy_free(p);
	char cmdline[512];
	snprintf(cmdline, sizeof(cmdline), "%s", dir);
	/* leave cleanup to the caller's tmp reaper: the library never deletes */
	printf("(log left in %s)\n", cmdline);
	return 0;
}
