/* daemon_bench.c - decisions through the daemon's Unix socket: throughput
 * and per-request latency (p50/p99) with 1, 16 and 256 concurrent clients,
 * each on its own keep-alive connection, and the daemon's RSS with the
 * default policy. Starts its own daemon (state in a temporary directory).
 *
 *   av_daemon_bench AGENTVISOR_BINARY [SECONDS_PER_RUN] [FSYNC] [PACE_US]
 *
 * With AV_DBENCH_SESSION=1 in the environment each client sends its
 * actions under its own session id (the hooks' case: session stage on).
 *
 * Two loads. Closed loop: each client sends its next request as soon as
 * the last is answered, so the daemon is saturated and the latency is
 * mostly queueing (N clients wait behind each other: p50 is about N times
 * the service time). Paced: each client sends one request every PACE_US
 * microseconds (default 5000: 16 clients = 3,200 decisions/s), the load of
 * agents that think between tool calls; the latency is then the service
 * time plus what queueing the bursts cause.
 *
 * Budgets (DESIGN.md): p99 <= 200 us at 16 clients; RSS <= 16 MiB. FSYNC
 * (batch by default) is the daemon's --fsync; the audit record is written
 * for every decision whatever it is.
 *
 * The hook: `agentvisor hook claude` started as Claude Code starts it (a new
 * process with the PreToolUse JSON on stdin), timed from the spawn to the
 * end of its answer and its exit; through this daemon, then in process
 * (no daemon: the policy is compiled in every run). Budget: <= 3 ms.
 *
 * The floor: the same loads against a minimal single-threaded epoll HTTP
 * responder (a forked process answering every request with a fixed
 * verdict-sized body, no work). It measures what this machine charges
 * before the daemon does anything: socket round trips, waking a sleeping
 * process (costly on a virtual machine, where an idle vCPU is halted) and
 * queueing behind other clients' round trips. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static const char *const actions[] = {
	"{\"kind\":\"shell\",\"input\":{\"command\":\"git status\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"ls -la src\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"npm test\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"rm -rf build\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"git commit -m 'fix: handle empty "
	"input'\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"find . -name '*.c' | xargs grep -n "
	"TODO\"}}",
	"{\"kind\":\"file\",\"input\":{\"op\":\"write\",\"path\":\"src/main.c\","
	"\"content\":\"int main(void) { return 0; }\"}}",
	"{\"kind\":\"shell\",\"input\":{\"command\":\"cd src && make -j4 && ./run_tests "
	"--verbose > test.log\"}}",
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

struct run {
	const char *sock;
	double seconds;
	double *lat; /* samples, ns */
	size_t nlat, cap;
	pthread_mutex_t mu;
	volatile int go;
	long errors;
	double pace_ns; /* 0: closed loop */
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int connect_unix(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- the floor: a responder that does no work ---- */

#define FLOOR_FDS 1024

/* A verdict-sized answer; floor_reply is the whole HTTP response. */
static const char floor_body[] =
        "{\"id\":null,\"verdict\":\"allow\",\"risk\":\"none\",\"findings\":[],"
        "\"commands\":[{\"argv\":[\"git\",\"status\"],\"depth\":0}],\"effects\":"
        "[{\"kind\":\"proc.exec\",\"command\":0,\"binary\":\"git\"}],\"policy\":"
        "\"0123456789abcdef0123456789abcdef\"}\n";
static char floor_reply[512];
static size_t floor_reply_len;

/* Consumes every complete request at the start of b[0..*have) and answers
 * each with floor_reply. */
static void floor_answer(int fd, char *b, size_t *have)
{
	for (;;) {
		b[*have] = '\0';
		char *end = strstr(b, "\r\n\r\n");
		if (end == NULL)
			return;
		char *cl = strcasestr(b, "Content-Length:");
		size_t need =
		        (size_t)(end + 4 - b) +
		        (cl != NULL && cl < end ? (size_t)strtol(cl + 15, NULL, 10) : 0);
		if (need > *have)
			return;
		if (write(fd, floor_reply, floor_reply_len) < 0)
			return;
		memmove(b, b + need, *have - need);
		*have -= need;
	}
}

/* Serves path until killed (runs in a forked child). */
static void floor_server(const char *path)
{
	int hl = snprintf(floor_reply, sizeof(floor_reply),
	                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	                  "Content-Length: %zu\r\n\r\n%s",
	                  sizeof(floor_body) - 1, floor_body);
	if (hl < 0 || (size_t)hl >= sizeof(floor_reply))
		_exit(70);
	floor_reply_len = (size_t)hl;
	static char bufs[FLOOR_FDS][2048];
	static size_t have[FLOOR_FDS];
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		_exit(70);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	if (ls < 0 || ep < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(ls, 512) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) != 0)
		_exit(70);
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
					struct epoll_event ce = { .events = EPOLLIN,
						                  .data.fd = c };
					if (c >= FLOOR_FDS ||
					    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce) != 0)
						close(c);
					else
						have[c] = 0;
				}
				continue;
			}
			ssize_t r = read(fd, bufs[fd] + have[fd],
			                 sizeof(bufs[fd]) - 1 - have[fd]);
			if (r <= 0) {
				close(fd);
				continue;
			}
			have[fd] += (size_t)r;
			floor_answer(fd, bufs[fd], &have[fd]);
		}
	}
}

/* Sends one request and reads one reply on a keep-alive connection.
 * Returns the HTTP status, or -1. */
static int roundtrip(int fd, const char *req, size_t reqlen, char *buf, size_t cap)
{
	size_t off = 0;
	while (off < reqlen) {
		ssize_t n = write(fd, req + off, reqlen - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	size_t have = 0;
	char *body = NULL;
	long clen = -1;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (body == NULL && (body = strstr(buf, "\r\n\r\n")) != NULL) {
			body += 4;
			char *cl = strcasestr(buf, "Content-Length:");
			clen = cl != NULL ? strtol(cl + 15, NULL, 10) : 0;
		}
		if (body != NULL && (long)(have - (size_t)(body - buf)) >= clen)
			break;
		if (have + 1 >= cap)
			return -1;
	}
	return (int)strtol(buf + 9, NULL, 10);
}

static void *client(void *arg)
{
	struct run *r = arg;
	int fd = connect_unix(r->sock);
	char reqs[NACTIONS][1024];
	size_t lens[NACTIONS];
	/* AV_DBENCH_SESSION=1: each client is one agent run with its own
	 * session id, so every decision also goes through the session stage
	 * (one store transaction per event-loop pass, group-committed). */
	static unsigned next_client;
	unsigned me = __atomic_fetch_add(&next_client, 1, __ATOMIC_RELAXED);
	const char *sess = getenv("AV_DBENCH_SESSION");
	bool with_session = sess != NULL && sess[0] == '1';
	for (size_t i = 0; i < NACTIONS; i++) {
		char body[768];
		if (with_session)
			snprintf(body, sizeof(body), "{\"session\":\"bench-%u\",%s", me,
			         actions[i] + 1);
		else
			snprintf(body, sizeof(body), "%s", actions[i]);
		int n = snprintf(reqs[i], sizeof(reqs[i]),
		                 "POST /v1/decide HTTP/1.1\r\nHost: av\r\nContent-Type: "
		                 "application/json\r\nContent-Length: %zu\r\n\r\n%s",
		                 strlen(body), body);
		lens[i] = (size_t)n;
	}
	double *local = malloc(sizeof(double) * 200000);
	size_t nlocal = 0;
	char *buf = malloc(1 << 16);
	while (!r->go)
		usleep(100);
	double start = now_ns();
	double end = start + r->seconds * 1e9;
	/* Paced clients start at staggered offsets, as independent agents. */
	double next = start +
	              (r->pace_ns > 0 ? (double)(rand() % 1000) * r->pace_ns / 1000 : 0);
	for (size_t i = 0; fd >= 0 && local && buf; i++) {
		if (r->pace_ns > 0) {
			double wait = next - now_ns();
			if (wait > 0) {
				struct timespec ts = { (time_t)(wait / 1e9),
					               (long)((long long)wait %
					                      1000000000) };
				nanosleep(&ts, NULL);
			}
			next += r->pace_ns;
		}
		double t0 = now_ns();
		if (t0 >= end)
			break;
		int st = roundtrip(fd, reqs[i % NACTIONS], lens[i % NACTIONS], buf,
		                   1 << 16);
		double t1 = now_ns();
		if (st != 200) {
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_RELAXED);
			close(fd);
			fd = connect_unix(r->sock);
			continue;
		}
		if (nlocal < 200000)
			local[nlocal++] = t1 - t0;
	}
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < nlocal && r->nlat < r->cap; i++)
		r->lat[r->nlat++] = local[i];
	pthread_mutex_unlock(&r->mu);
	free(local);
	free(buf);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The daemon's CPU time (user + system) in seconds, from /proc. */
static double cpu_s(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	/* After the comm: state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime. */
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
	           &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long v = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	if (f != NULL)
		fclose(f);
	return v;
}

/* Runs one load (clients clients, paced or closed) against sock and prints
 * its row; pid is the server whose CPU time is charged. Returns the number
 * of failed requests. */
static long run_load(const char *label, const char *sock, pid_t pid, int clients,
                     bool paced, double seconds, double pace_us)
{
	struct run r = { .sock = sock,
		         .seconds = seconds,
		         .cap = MAX_SAMPLES,
		         .pace_ns = paced ? pace_us * 1e3 : 0 };
	r.lat = malloc(sizeof(double) * r.cap);
	if (r.lat == NULL)
		return 1;
	pthread_mutex_init(&r.mu, NULL);
	pthread_t th[256];
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, client, &r);
	usleep(100000);
	double t0 = now_ns();
	double cpu0 = cpu_s(pid);
	r.go = 1;
	for (int i = 0; i < clients; i++)
		pthread_join(th[i], NULL);
	double wall = (now_ns() - t0) / 1e9;
	double cpu = cpu_s(pid) - cpu0;
	qsort(r.lat, r.nlat, sizeof(double), cmp_double);
	double p50 = r.nlat ? r.lat[r.nlat / 2] / 1e3 : 0;
	double p99 = r.nlat ? r.lat[(size_t)((double)(r.nlat - 1) * 0.99)] / 1e3 : 0;
	double mx = r.nlat ? r.lat[r.nlat - 1] / 1e3 : 0;
	printf("%-8s %-7s %8d %12.0f %10.1f %10.1f %10.1f %8ld %12.1f\n", label,
	       paced ? "paced" : "closed", clients, (double)r.nlat / wall, p50, p99, mx,
	       r.errors, r.nlat ? cpu * 1e6 / (double)r.nlat : 0);
	fflush(stdout);
	free(r.lat);
	pthread_mutex_destroy(&r.mu);
	return r.errors;
}

/* A Claude Code PreToolUse event for an ordinary command. */
static const char hook_input[] =
        "{\"session_id\":\"bench-hook\",\"transcript_path\":\"/tmp/t.jsonl\","
        "\"cwd\":\"/tmp\",\"permission_mode\":\"default\",\"hook_event_name\":"
        "\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":"
        "\"git status\",\"description\":\"Show status\"},\"tool_use_id\":"
        "\"toolu_bench\"}";

/* Runs `AV hook claude` once with env; returns the wall time in ns from
 * the spawn to its exit, or -1 when it did not answer with exit 0 and an
 * allow. */
static double hook_once(const char *av, char *const env[])
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	static char hook_arg[] = "hook", claude_arg[] = "claude";
	char *const argv[] = { (char *)av, hook_arg, claude_arg, NULL };
	double t0 = now_ns();
	pid_t pid;
	int rc = posix_spawn(&pid, av, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	char buf[8192];
	size_t have = 0;
	if (rc == 0) {
		if (write(in[1], hook_input, sizeof(hook_input) - 1) < 0)
			rc = -1;
		close(in[1]);
		ssize_t n;
		while (have + 1 < sizeof(buf) &&
		       (n = read(out[0], buf + have, sizeof(buf) - 1 - have)) > 0)
			have += (size_t)n;
	} else {
		close(in[1]);
	}
	close(out[0]);
	int status = 0;
	if (rc == 0)
		waitpid(pid, &status, 0);
	double t = now_ns() - t0;
	buf[have] = '\0';
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    strstr(buf, "\"allow\"") == NULL)
		return -1;
	return t;
}

/* Times n hook runs with extra (NAME=VALUE strings) added to the
 * environment and prints the row. Returns the number of failed runs. */
static long run_hooks(const char *label, const char *av, int n, char *extra[])
{
	char *env[512];
	size_t k = 0;
	for (size_t i = 0; extra[i] != NULL && k < 16; i++)
		env[k++] = extra[i];
	for (char **e = environ; *e != NULL && k + 1 < sizeof(env) / sizeof(env[0]); e++)
		if (strncmp(*e, "AGENTVISOR_", 11) != 0)
			env[k++] = *e;
	env[k] = NULL;
	double *lat = malloc(sizeof(double) * (size_t)n);
	long errors = 0;
	size_t m = 0;
	for (int i = 0; lat != NULL && i < n; i++) {
		double t = hook_once(av, env);
		if (t < 0)
			errors++;
		else
			lat[m++] = t;
	}
	if (lat != NULL && m > 0) {
		qsort(lat, m, sizeof(double), cmp_double);
		printf("%-22s %6zu runs  p50 %7.0f us  p99 %7.0f us  max %7.0f us  "
		       "errors %ld\n",
		       label, m, lat[m / 2] / 1e3,
		       lat[(size_t)((double)(m - 1) * 0.99)] / 1e3, lat[m - 1] / 1e3,
		       errors);
	} else {
		printf("%-22s no run answered (errors %ld)\n", label, errors);
	}
	fflush(stdout);
	free(lat);
	return errors > 0 || m == 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
		        "usage: av_daemon_bench AGENTVISOR_BINARY [SECONDS] [FSYNC]\n");
		return 64;
	}
	double seconds = argc > 2 ? strtod(argv[2], NULL) : 3.0;
	const char *fsync_mode = argc > 3 ? argv[3] : "batch";
	double pace_us = argc > 4 ? strtod(argv[4], NULL) : 5000;
	if (pace_us < 10 || pace_us > 1e6)
		pace_us = 5000;
	if (seconds <= 0 || seconds > 600)
		seconds = 3.0;
	char dir[] = "/tmp/av-dbench-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 70;
	char sock[256], state[256];
	snprintf(sock, sizeof(sock), "%s/av.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	pid_t pid = fork();
	if (pid == 0) {
		execl(argv[1], argv[1], "serve", "--socket", sock, "--state", state,
		      "--fsync", fsync_mode, (char *)NULL);
		_exit(127);
	}
	int fd = -1;
	for (int i = 0; i < 200 && (fd = connect_unix(sock)) < 0; i++)
		usleep(20000);
	if (fd < 0) {
		fprintf(stderr, "av_daemon_bench: the daemon did not start\n");
		kill(pid, SIGTERM);
		return 70;
	}
	close(fd);
	printf("daemon RSS at start (default policy): %ld KiB\n", rss_kib(pid));
	printf("%-8s %-7s %8s %12s %10s %10s %10s %8s %12s\n", "server", "load",
	       "clients", "requests/s", "p50 us", "p99 us", "max us", "errors",
	       "server cpu us");
	static const int clients[] = { 1, 16, 256, 1, 16, 256 };
	int rc = 0;
	for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++)
		if (run_load("daemon", sock, pid, clients[c], c >= 3, seconds, pace_us))
			rc = 1;
	printf("daemon RSS after the runs: %ld KiB\n", rss_kib(pid));
	/* The hook, through this daemon and then alone (its own state). */
	char env_sock[300], env_state[300], env_nosock[300];
	snprintf(env_sock, sizeof(env_sock), "AGENTVISOR_SOCKET=%s", sock);
	snprintf(env_state, sizeof(env_state), "AGENTVISOR_STATE=%s/hook-state", dir);
	snprintf(env_nosock, sizeof(env_nosock), "AGENTVISOR_SOCKET=%s/none.sock", dir);
	char *via_daemon[] = { env_sock, env_state, NULL };
	char *alone[] = { env_nosock, env_state, NULL };
	if (run_hooks("hook via the daemon", argv[1], 300, via_daemon) ||
	    run_hooks("hook in process", argv[1], 40, alone))
		rc = 1;
	kill(pid, SIGTERM);
	int status;
	waitpid(pid, &status, 0);
	/* The floor, under the same loads (but 256). */
	char fsock[256];
	snprintf(fsock, sizeof(fsock), "%s/floor.sock", dir);
	pid_t fpid = fork();
	if (fpid == 0) {
		floor_server(fsock);
		_exit(0);
	}
	for (int i = 0; i < 200 && (fd = connect_unix(fsock)) < 0; i++)
		usleep(20000);
	if (fd >= 0) {
		close(fd);
		static const int fclients[] = { 1, 16, 1, 16 };
		for (size_t c = 0; c < 4; c++)
			run_load("floor", fsock, fpid, fclients[c], c >= 2, seconds,
			         pace_us);
	}
	kill(fpid, SIGTERM);
	waitpid(fpid, &status, 0);
	/* The state directory is left for inspection only on failure. */
	if (rc == 0) {
		pid_t rm = fork();
		if (rm == 0) {
			execlp("rm", "rm", "-rf", dir, (char *)NULL);
			_exit(127);
		}
		waitpid(rm, &status, 0);
	}
	return rc;
}
