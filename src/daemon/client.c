/* client.c - one HTTP/1.1 request to the daemon over its Unix socket
 * (client.h explains why this is not libcurl).
 *
 * Every step is bounded: the connect, the write and the read share one
 * deadline on the monotonic clock, the response is capped (headers 64 KiB,
 * body max_body), and the parser accepts only what the daemon's evhttp
 * sends for a complete reply: a status line, headers, and a body whose
 * Content-Length matches what arrived before the server closed. */
#include "agentvisor/client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HEADERS_MAX ((size_t)64 << 10)

__attribute__((format(printf, 3, 4))) static void say(char *why, size_t whylen,
                                                      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (whylen > 0)
		vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- parsing ------------------------------------------------------------- */

/* The value of header NAME in the header block h[0..n) (after the status
 * line), trimmed; *vlen set. NULL when absent. Sets *dup when it appears
 * more than once (a smuggling shape: refused by the caller). */
static const char *header(const char *h, size_t n, const char *name, size_t *vlen,
                          bool *dup)
{
	size_t nl = strlen(name);
	const char *found = NULL;
	*dup = false;
	for (size_t i = 0; i < n;) {
		const char *eol = memchr(h + i, '\n', n - i);
		size_t line = eol ? (size_t)(eol - (h + i)) : n - i;
		const char *l = h + i;
		if (line > nl && l[nl] == ':' && strncasecmp(l, name, nl) == 0) {
			const char *v = l + nl + 1;
			const char *e = l + line;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (found != NULL)
				*dup = true;
			found = v;
			*vlen = (size_t)(e - v);
		}
		i += line + 1;
	}
	return found;
}

int av_client_parse_response(const char *buf, size_t len, int *status, size_t *body_off,
                             size_t *body_len, char *why, size_t whylen)
{
	/* "HTTP/1.x NNN" */
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ' || buf[9] < '1' ||
	    buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' ||
	    buf[11] > '9') {
		say(why, whylen, "%s",
		    "the response does not start with an HTTP/1.x status line");
		return -1;
	}
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	const char *end = NULL;
	for (size_t i = 0; i + 3 < len && i < HEADERS_MAX; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n') {
			end = buf + i;
			break;
		}
	if (end == NULL) {
		say(why, whylen, "%s",
		    "the response headers do not end (or exceed 64 KiB)");
		return -1;
	}
	const char *hs = memchr(buf, '\n', (size_t)(end - buf));
	size_t hn = hs ? (size_t)(end - (hs + 1)) : 0;
	hs = hs ? hs + 1 : end;
	size_t off = (size_t)(end - buf) + 4;
	size_t vlen = 0;
	bool dup;
	if (header(hs, hn, "Transfer-Encoding", &vlen, &dup) != NULL) {
		say(why, whylen, "%s",
		    "the response uses Transfer-Encoding, which is not expected");
		return -1;
	}
	const char *cl = header(hs, hn, "Content-Length", &vlen, &dup);
	if (cl == NULL) { /* the body runs to the close */
		*body_off = off;
		*body_len = len - off;
		return 0;
	}
	if (dup || vlen == 0 || vlen > 15) {
		say(why, whylen, "%s",
		    "the response has a bad or repeated Content-Length");
		return -1;
	}
	uint64_t n = 0;
	for (size_t i = 0; i < vlen; i++) {
		if (cl[i] < '0' || cl[i] > '9') {
			say(why, whylen, "%s",
			    "the response's Content-Length is not a number");
			return -1;
		}
		n = n * 10 + (uint64_t)(cl[i] - '0');
	}
	if (n != len - off) {
		say(why, whylen, "%s",
		    "the response body does not have the length its Content-Length "
		    "gives");
		return -1;
	}
	*body_off = off;
	*body_len = (size_t)n;
	return 0;
}

/* ---- the request ---------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events before the deadline; false on
 * timeout or error. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static bool send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			return false;
		} else if (!wait_fd(fd, POLLOUT, deadline)) {
			return false;
		}
	}
	return true;
}

enum av_client_status av_client_request(const char *socket_path, const char *method,
                                        const char *target, const char *body,
                                        size_t body_len, int timeout_ms, size_t max_body,
                                        struct av_client_response *out, char *why,
                                        size_t whylen)
{
	memset(out, 0, sizeof(*out));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		say(why, whylen, "the socket path %.200s is too long", socket_path);
		return AV_CLIENT_FAILED;
	}
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		say(why, whylen, "cannot create a socket: %s", strerror(errno));
		return AV_CLIENT_FAILED;
	}
	enum av_client_status st = AV_CLIENT_FAILED;
	char *buf = NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		/* A Unix socket connects at once or not at all: ENOENT and
		 * ECONNREFUSED mean no daemon; EAGAIN means its backlog is
		 * full, which is a failure to answer, not an absent daemon. */
		st = errno == ENOENT || errno == ECONNREFUSED ? AV_CLIENT_NO_SERVER
		                                              : AV_CLIENT_FAILED;
		say(why, whylen, "cannot connect: %s", strerror(errno));
		goto out;
	}
	char head[512];
	int hl = snprintf(head, sizeof(head),
	                  "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
	                  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	                  method, target, body != NULL ? body_len : 0);
	if (hl < 0 || (size_t)hl >= sizeof(head)) {
		say(why, whylen, "%s", "the request target is too long");
		goto out;
	}
	if (!send_all(fd, head, (size_t)hl, deadline) ||
	    (body != NULL && !send_all(fd, body, body_len, deadline))) {
		say(why, whylen, "cannot send the request: %s",
		    errno ? strerror(errno) : "timed out");
		goto out;
	}
	size_t cap = 4096, len = 0, limit = HEADERS_MAX + max_body;
	buf = malloc(cap + 1);
	for (;;) {
		if (buf == NULL) {
			say(why, whylen, "%s", "out of memory");
			goto out;
		}
		if (len == cap) {
			if (cap >= limit) {
				say(why, whylen, "%s", "the response is too long");
				goto out;
			}
			cap = cap * 2 > limit ? limit : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = nb;
		}
		ssize_t r = recv(fd, buf + len, cap - len, 0);
		if (r > 0) {
			len += (size_t)r;
		} else if (r == 0) {
			break; /* the server closed: the response is complete */
		} else if ((errno != EAGAIN && errno != EINTR) ||
		           !wait_fd(fd, POLLIN, deadline)) {
			say(why, whylen, "no complete answer: %s",
			    errno == EAGAIN ? "timed out" : strerror(errno));
			goto out;
		}
	}
	size_t off, blen;
	if (av_client_parse_response(buf, len, &out->status, &off, &blen, why, whylen) <
	    0)
		goto out;
	if (blen > max_body) {
		say(why, whylen, "%s", "the response body is too long");
		goto out;
	}
	memmove(buf, buf + off, blen);
	buf[blen] = '\0';
	out->body = buf;
	out->len = blen;
	buf = NULL;
	st = AV_CLIENT_OK;
out:
	free(buf);
	close(fd);
	return st;
}
