/* av_shell_bench.c - decide() on obfuscated and hostile shell text, in
 * process (issue 3 section 5).
 *
 *   av_shell_bench [-c] [-n ITERATIONS] OBFUSCATED.txt [HOSTILE_DIR]
 *
 * OBFUSCATED.txt holds one command per line (bench/obfuscated.txt): each is
 * decided ITERATIONS times (default 2000) after a warm-up; the program prints
 * p50/p99/max over all of them, the slowest commands and the verdicts.
 * HOSTILE_DIR holds the inputs bench/make_hostile.py writes: every *.sh file
 * is one shell text, decided three times; the program prints its size, the
 * worst wall time of the three, the verdict and the analyzer's limit or
 * error, and the worst case over all inputs. -c measures the thread's CPU
 * time instead of wall time: on a loaded machine (other builds sharing the
 * cores) wall-clock percentiles measure the scheduler, CPU time measures
 * decide(). This is a measuring program,
 * not a test: tests/shell/hostile_run.py asserts the verdicts. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentvisor/decide.h"
#include "agentvisor/sys.h"

#define MAX_LINES    4096
#define MAX_OBF      ((size_t)1 << 20)
#define MAX_HOSTILE  ((size_t)8 << 20)
#define MAX_INPUTS   256
#define HOSTILE_REPS 3

struct line_stat {
	const char *text;
	double p50, p99;
	enum av_verdict verdict;
};

/* CLOCK_MONOTONIC, or CLOCK_THREAD_CPUTIME_ID with -c. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_p50_desc(const void *a, const void *b)
{
	const struct line_stat *x = a, *y = b;
	return (x->p50 < y->p50) - (x->p50 > y->p50);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double pct(const double *sorted, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i];
}

static struct av_action shell_action(const char *text, size_t len)
{
	struct av_context ctx = {
		.cwd = "/home/u", .workspace = "/home/u", .home = "/home/u", .user = "u"
	};
	struct av_action a = { .kind = AV_KIND_SHELL, .ctx = ctx };
	a.in.shell.command = text;
	a.in.shell.command_len = len;
	return a;
}

/* Splits buf in place into at most MAX_LINES non-empty lines. */
static size_t split_lines(char *buf, char **lines)
{
	size_t n = 0;
	for (char *p = buf; *p != '\0' && n < MAX_LINES;) {
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (*p != '\0')
			lines[n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

static int bench_obfuscated(const struct av_policy *p, struct av_arena *arena,
                            const char *path, long iters)
{
	struct av_error err;
	char *buf = NULL;
	size_t len = 0;
	if (av_read_file(path, MAX_OBF, &buf, &len, &err) < 0) {
		fprintf(stderr, "av_shell_bench: %s: %s\n", path, err.message);
		return 66;
	}
	char **lines = malloc(sizeof(char *) * MAX_LINES);
	size_t n = lines != NULL ? split_lines(buf, lines) : 0;
	struct line_stat *st = calloc(n ? n : 1, sizeof(*st));
	double *all = malloc(sizeof(double) * (n ? n : 1) * (size_t)iters);
	double *one = malloc(sizeof(double) * (size_t)iters);
	if (lines == NULL || st == NULL || all == NULL || one == NULL || n == 0) {
		fprintf(stderr, "av_shell_bench: %s: no commands or no memory\n", path);
		free(buf), free(lines), free(st), free(all), free(one);
		return 70;
	}
	size_t k = 0;
	unsigned counts[AV_BLOCK + 1] = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct av_action a = shell_action(lines[i], strlen(lines[i]));
		struct av_decision d;
		for (long w = 0; w < iters / 10 + 1; w++) {
			av_decide(p, &a, arena, &d);
			av_arena_reset(arena);
		}
		for (long r = 0; r < iters; r++) {
			double t0 = now_ns();
			av_decide(p, &a, arena, &d);
			double t1 = now_ns();
			st[i].verdict = d.verdict;
			av_arena_reset(arena);
			one[r] = (t1 - t0) / 1000.0;
			all[k++] = one[r];
		}
		qsort(one, (size_t)iters, sizeof(double), cmp_double);
		st[i].text = lines[i];
		st[i].p50 = pct(one, (size_t)iters, 0.50);
		st[i].p99 = pct(one, (size_t)iters, 0.99);
		if (st[i].verdict <= AV_BLOCK)
			counts[st[i].verdict]++;
	}
	qsort(all, k, sizeof(double), cmp_double);
	printf("decide() over %zu obfuscated commands (%s), %ld iterations each, "
	       "%s time\n",
	       n, path, iters, bench_clock == CLOCK_MONOTONIC ? "wall" : "thread CPU");
	printf("  p50 %.2f us, p99 %.2f us, max %.2f us\n", pct(all, k, 0.50),
	       pct(all, k, 0.99), all[k - 1]);
	printf("  verdicts: allow %u, warn %u, review %u, block %u\n", counts[AV_ALLOW],
	       counts[AV_WARN], counts[AV_REVIEW], counts[AV_BLOCK]);
	qsort(st, n, sizeof(*st), cmp_p50_desc);
	printf("  slowest by p50:\n");
	for (size_t i = 0; i < n && i < 5; i++)
		printf("  %9.2f us p50 %9.2f us p99  %-6s %.60s\n", st[i].p50, st[i].p99,
		       av_verdict_name(st[i].verdict), st[i].text);
	for (size_t i = 0; i < n; i++)
		if (st[i].verdict == AV_ALLOW)
			printf("  allowed: %.100s\n", st[i].text);
	free(buf), free(lines), free(st), free(all), free(one);
	return 0;
}

static int bench_hostile(const struct av_policy *p, struct av_arena *arena,
                         const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "av_shell_bench: cannot open %s\n", dir);
		return 66;
	}
	char *names[MAX_INPUTS];
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL && n < MAX_INPUTS;) {
		size_t l = strlen(e->d_name);
		if (l > 3 && strcmp(e->d_name + l - 3, ".sh") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	printf("hostile inputs (%s), worst of %d decide() calls each\n", dir,
	       HOSTILE_REPS);
	printf("  %-22s %9s %10s %-7s %s\n", "input", "bytes",
	       bench_clock == CLOCK_MONOTONIC ? "wall ms" : "cpu ms", "verdict",
	       "limit or error");
	double worst = 0;
	const char *worst_name = "-";
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		int m = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (m < 0 || (size_t)m >= sizeof(path))
			continue;
		struct av_error err;
		char *text = NULL;
		size_t len = 0;
		if (av_read_file(path, MAX_HOSTILE, &text, &len, &err) < 0) {
			fprintf(stderr, "av_shell_bench: %s: %s\n", path, err.message);
			rc = 66;
			continue;
		}
		struct av_action a = shell_action(text, len);
		double ms = 0;
		enum av_verdict v = AV_ALLOW;
		char why[128] = "";
		for (int r = 0; r < HOSTILE_REPS; r++) {
			struct av_decision dec;
			double t0 = now_ns();
			av_decide(p, &a, arena, &dec);
			double t = (now_ns() - t0) / 1e6;
			ms = t > ms ? t : ms;
			v = dec.verdict;
			if (dec.has_error)
				snprintf(why, sizeof(why), "error: %.100s",
				         dec.error.message);
			else if (dec.shell.truncated != NULL)
				snprintf(why, sizeof(why), "limit: %.100s",
				         dec.shell.truncated);
			av_arena_reset(arena);
		}
		printf("  %-22.22s %9zu %10.2f %-7s %s\n", names[i], len, ms,
		       av_verdict_name(v), why);
		if (ms > worst) {
			worst = ms;
			worst_name = names[i];
		}
		free(text);
	}
	printf("  worst case: %s, %.2f ms\n", worst_name, worst);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

int main(int argc, char **argv)
{
	long iters = 2000;
	int i = 1;
	if (argc > i && strcmp(argv[i], "-c") == 0) {
		bench_clock = CLOCK_THREAD_CPUTIME_ID;
		i++;
	}
	if (argc > i + 1 && strcmp(argv[i], "-n") == 0) {
		iters = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (iters < 10 || iters > 1000000 || argc - i < 1 || argc - i > 2) {
		fprintf(stderr, "usage: av_shell_bench [-c] [-n ITERATIONS 10..1000000] "
		                "OBFUSCATED.txt [HOSTILE_DIR]\n");
		return 64;
	}
	struct av_error err;
	struct av_policy *p = av_policy_new();
	if (p == NULL || av_policy_add_default(p, &err) < 0) {
		fprintf(stderr, "av_shell_bench: cannot load the default policy: %s\n",
		        err.message);
		return 70;
	}
	struct av_arena arena;
	av_arena_init(&arena, AV_ARENA_DEFAULT_CAP);
	int rc = bench_obfuscated(p, &arena, argv[i], iters);
	if (rc == 0 && argc - i == 2)
		rc = bench_hostile(p, &arena, argv[i + 1]);
	av_arena_free(&arena);
	av_policy_free(p);
	return rc;
}
