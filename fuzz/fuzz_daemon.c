/* fuzz_daemon.c - the daemon's whole request path under fuzzing: each input
 * is sent as raw bytes (an HTTP request, or anything else) to a real daemon
 * on a Unix socket in a temporary directory, which parses it with evhttp,
 * routes it, decodes bodies and query strings, decides, records and
 * queues reviews. The daemon must answer or close, never crash or leak, and
 * keep answering the next input. Held requests (?wait=) are cut off by the
 * client after a few loop turns, which exercises disconnects too.
 *
 * Inputs that contain "\n--\n" are split there into several requests sent
 * one after another on one connection (keep-alive). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/daemon_internal.h"

static struct av_daemon daemon_state;
static struct av_daemon_opts opts;
static char dir[] = "/tmp/av-fuzz-daemon-XXXXXX";
static char sock[100], state[100];
static bool started;

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : 0; /* best effort */
}

/* Stops the daemon and removes its temporary directory. */
static void cleanup(void)
{
	struct av_error err;
	if (started && getenv("AV_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_daemon: %llu decisions, %u pending reviews\n",
		        (unsigned long long)daemon_state.decisions,
		        daemon_state.npending);
	if (started)
		av_daemon_finish(&daemon_state, 0, &err);
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int start(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/av.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	opts.socket_path = sock;
	opts.state_dir = state;
	opts.review_timeout_s = 1;
	opts.io_timeout_s = 1;
	struct av_error err;
	if (av_audit_opts_default(&opts.audit, &err) < 0)
		return -1;
	opts.audit.fsync = AV_FSYNC_NEVER;
	if (av_daemon_start(&daemon_state, &opts, &err) < 0) {
		fprintf(stderr, "fuzz_daemon: %s: %s\n", err.where, err.message);
		return -1;
	}
	started = true;
	atexit(cleanup);
	return 0;
}

/* Runs the daemon's loop until the client sees EOF (or enough turns). */
static void pump(int fd)
{
	char buf[65536];
	for (int turn = 0; turn < 200; turn++) {
		event_base_loop(daemon_state.base, EVLOOP_NONBLOCK);
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return;
	}
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_base_loop(daemon_state.base, EVLOOP_NONBLOCK);
			char drain[65536];
			while (read(fd, drain, sizeof(drain)) > 0)
				;
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!started && start() < 0)
		abort();
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	event_base_loop(daemon_state.base, EVLOOP_NONBLOCK); /* accept */
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *cut = NULL;
		for (const uint8_t *q = p; q + 4 <= end; q++)
			if (memcmp(q, "\n--\n", 4) == 0) {
				cut = q;
				break;
			}
		const uint8_t *stop = cut != NULL ? cut : end;
		send_all(fd, p, (size_t)(stop - p));
		for (int i = 0; i < 5; i++)
			event_base_loop(daemon_state.base, EVLOOP_NONBLOCK);
		p = cut != NULL ? cut + 4 : end;
	}
	shutdown(fd, SHUT_WR);
	pump(fd);
	close(fd);
	/* Let the daemon see the close (and drop any held request). */
	for (int i = 0; i < 5; i++)
		event_base_loop(daemon_state.base, EVLOOP_NONBLOCK);
	av_arena_reset(&daemon_state.arena);
	return 0;
}
