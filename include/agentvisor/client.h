/* client.h - the client side of the daemon's HTTP/1.1 over a Unix socket,
 * for `agentvisor hook claude` and `agentvisor review`.
 *
 * Why not libcurl: the hook is started once per tool call and its budget is
 * 3 ms from start to verdict. libcurl (OpenSSL build) brings ~30 shared
 * libraries whose relocation, plus OpenSSL's start-up, cost ~90% of the
 * hook's instructions. The daemon is ours and speaks a narrow dialect
 * (one request per connection, Content-Length bodies), so the client is a
 * small, bounded request writer and response reader; anything outside that
 * dialect (chunked bodies, a missing or contradictory length, oversize) is
 * an error, and the callers turn errors into a deny. */
#ifndef AGENTVISOR_CLIENT_H
#define AGENTVISOR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "agentvisor/common.h"

enum av_client_status {
	AV_CLIENT_OK = 0,    /* a complete, well-formed response was read */
	AV_CLIENT_NO_SERVER, /* no socket file, or nobody listens on it */
	AV_CLIENT_FAILED,    /* anything else: timeout, bad response, too long */
};

struct av_client_response {
	int status; /* HTTP status code */
	char *body; /* NUL-terminated, malloc'd (free with free()); may hold NULs */
	size_t len; /* body bytes */
};

/* Sends one request (method, target such as "/v1/reviews", optional
 * application/json body) to the daemon listening on the Unix socket at
 * socket_path and reads the whole response within timeout_ms. Bodies
 * longer than max_body fail. On AV_CLIENT_OK fills *out (caller frees
 * out->body); otherwise *out is zeroed and why (NUL-terminated, cap whylen)
 * says what went wrong. All arguments are borrowed. */
enum av_client_status av_client_request(const char *socket_path, const char *method,
                                        const char *target, const char *body,
                                        size_t body_len, int timeout_ms, size_t max_body,
                                        struct av_client_response *out, char *why,
                                        size_t whylen);

/* Parses a complete HTTP/1.x response buf[0..len) (read until the server
 * closed the connection). Returns 0 and sets *status, *body_off and
 * *body_len, or -1 with why filled. Pure; exposed for tests and fuzzing. */
int av_client_parse_response(const char *buf, size_t len, int *status, size_t *body_off,
                             size_t *body_len, char *why, size_t whylen);

#endif
