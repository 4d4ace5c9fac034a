/* oracle_spawn.h - runs a real program (bash, coreutils) with an argv and a
 * standard input and captures its standard output and exit status, so the
 * pure-evaluator tests can use the real thing as their oracle. Header-only
 * (static functions) because each unit test is its own program.
 *
 * Only harmless text ever goes through here: the cases are echo/printf/tr
 * style data transformations, never commands with effects. */
#ifndef AV_TEST_ORACLE_SPAWN_H
#define AV_TEST_ORACLE_SPAWN_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv (argv[0] looked up in PATH) with in[0..inlen) on stdin (stdin is
 * /dev/null when in is NULL). On success returns 0, *out is malloc'd
 * (NUL-terminated; free it) and *status is the exit status (128+N after a
 * signal). Returns -1 when the program could not be run. */
static int oracle_run(const char *const *argv, const char *in, size_t inlen, char **out,
                      size_t *outlen, int *status)
{
	int pin[2], pout[2];
	if (pipe(pin) != 0)
		return -1;
	if (pipe(pout) != 0) {
		close(pin[0]);
		close(pin[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pin[1]);
	posix_spawn_file_actions_addclose(&fa, pout[0]);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pin[0]);
	close(pout[1]);
	if (rc != 0) {
		close(pin[1]);
		close(pout[0]);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	size_t cap = 4096, len = 0, sent = 0;
	char *buf = malloc(cap);
	if (in == NULL || inlen == 0) {
		close(pin[1]);
		pin[1] = -1;
	}
	for (;;) {
		struct pollfd fds[2] = { { .fd = pout[0], .events = POLLIN },
			                 { .fd = pin[1], .events = POLLOUT } };
		int nfds = pin[1] >= 0 ? 2 : 1;
		if (poll(fds, (nfds_t)nfds, 10000) <= 0)
			break;
		if (nfds == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(pin[1], in + sent, inlen - sent);
			if (w > 0)
				sent += (size_t)w;
			if (w < 0 || sent == inlen) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (len + 1024 > cap) {
				cap *= 2;
				buf = realloc(buf, cap);
			}
			ssize_t r = read(pout[0], buf + len, cap - len - 1);
			if (r <= 0)
				break;
			len += (size_t)r;
		}
	}
	if (pin[1] >= 0)
		close(pin[1]);
	close(pout[0]);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

#endif
