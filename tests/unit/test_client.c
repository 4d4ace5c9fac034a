/* test_client.c - the daemon client (agentvisor/client.h): the response
 * parser on its own, and whole requests against a real Unix socket served
 * by a child process that answers with canned bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agentvisor/client.h"

static int parse(const char *s, int *status, size_t *off, size_t *len)
{
	char why[128];
	return av_client_parse_response(s, strlen(s), status, off, len, why, sizeof(why));
}

static void test_parse(void **state)
{
	(void)state;
	int st;
	size_t off, len;
	const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	assert_int_equal(parse(ok, &st, &off, &len), 0);
	assert_int_equal(st, 200);
	assert_int_equal(len, 2);
	assert_memory_equal(ok + off, "{}", 2);
	/* Without a length, the body runs to the close. */
	assert_int_equal(parse("HTTP/1.0 404 Not Found\r\n\r\nnope", &st, &off, &len), 0);
	assert_int_equal(st, 404);
	assert_int_equal(len, 4);
	/* Refused: not our daemon's dialect, or a body cut short. */
	static const char *const bad[] = {
		"",
		"HTTP/2 200\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n",       /* no header end */
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}", /* cut short */
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{}", /* extra bytes */
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
		"chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &st, &off, &len) == 0) {
			print_error("accepted bad response %zu: %s\n", i, bad[i]);
			fail();
		}
}

/* Serves one connection on path: reads the request head, then writes
 * reply (or, with reply NULL, stays silent until killed). Returns the pid. */
static pid_t serve_once(const char *path, const char *reply)
{
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(l, NULL, NULL);
		/* Read the whole request (head and Content-Length body), as
		 * the daemon does, so the client is never cut off mid-send. */
		char buf[4096];
		size_t have = 0;
		for (;;) {
			ssize_t n = read(c, buf + have, sizeof(buf) - 1 - have);
			if (n <= 0)
				break;
			have += (size_t)n;
			buf[have] = '\0';
			const char *end = strstr(buf, "\r\n\r\n");
			const char *cl = strstr(buf, "Content-Length: ");
			if (end != NULL && cl != NULL &&
			    have >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
				break;
		}
		if (reply == NULL)
			pause();
		ssize_t w = write(c, reply, strlen(reply));
		(void)w;
		close(c);
		_exit(0);
	}
	close(l);
	return pid;
}

static void test_requests(void **state)
{
	(void)state;
	char dir[] = "/tmp/av-client-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	struct av_client_response r;
	char why[256];

	/* No socket file: no server. */
	assert_int_equal(av_client_request(path, "GET", "/healthz", NULL, 0, 1000, 1024,
	                                   &r, why, sizeof(why)),
	                 AV_CLIENT_NO_SERVER);

	pid_t pid = serve_once(
	        path, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
	assert_int_equal(av_client_request(path, "POST", "/v1/decide", "{}", 2, 5000,
	                                   1024, &r, why, sizeof(why)),
	                 AV_CLIENT_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"ok\":true}");
	free(r.body);
	waitpid(pid, NULL, 0);

	/* A body over the caller's bound fails. */
	pid = serve_once(path,
	                 "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
	assert_int_equal(av_client_request(path, "GET", "/", NULL, 0, 5000, 4, &r, why,
	                                   sizeof(why)),
	                 AV_CLIENT_FAILED);
	assert_null(r.body);
	waitpid(pid, NULL, 0);

	/* A server that never answers: the deadline ends the wait. */
	pid = serve_once(path, NULL);
	assert_int_equal(av_client_request(path, "GET", "/", NULL, 0, 200, 1024, &r, why,
	                                   sizeof(why)),
	                 AV_CLIENT_FAILED);
	assert_non_null(strstr(why, "timed out"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* A socket file nobody listens on: no server (a stale daemon socket). */
	assert_int_equal(av_client_request(path, "GET", "/", NULL, 0, 1000, 1024, &r, why,
	                                   sizeof(why)),
	                 AV_CLIENT_NO_SERVER);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
