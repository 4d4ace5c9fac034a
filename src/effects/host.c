/* host.c - extracting the host from URLs and remote specs, and classifying
 * hosts (loopback, private, metadata, public). Numeric forms that resolvers
 * accept but humans do not read as addresses (2130706433, 0x7f000001,
 * 0177.0.0.1, 127.1) are parsed with inet_aton, which accepts exactly those,
 * so they cannot slip past as "public names". */
#include "agentvisor/effects.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Copies s[0..n) lowercased, without a trailing dot; NULL when empty. */
static const char *host_copy(struct av_arena *arena, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return NULL;
	char *h = av_arena_strndup(arena, s, n);
	if (!h)
		return NULL;
	for (size_t i = 0; i < n; i++)
		h[i] = lower(h[i]);
	return h;
}

/* Host part of an authority "user@host:port" or "[v6]:port". */
static const char *authority_host(const char *a, size_t n, struct av_arena *arena)
{
	const char *at = NULL;
	for (size_t i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at) {
		n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close)
			return NULL;
		return host_copy(arena, a + 1, (size_t)(close - a - 1));
	}
	const char *colon = memchr(a, ':', n);
	if (colon)
		n = (size_t)(colon - a);
	return host_copy(arena, a, n);
}

const char *av_host_from_url(const char *url, struct av_arena *arena)
{
	if (!url || !url[0])
		return NULL;
	const char *scheme = strstr(url, "://");
	const char *firstslash = strchr(url, '/');
	if (scheme && (!firstslash || firstslash > scheme)) {
		const char *a = scheme + 3;
		size_t n = strcspn(a, "/?#");
		return authority_host(a, n, arena);
	}
	/* No scheme: a path is not a host. */
	if (url[0] == '/' || url[0] == '.' || url[0] == '~')
		return NULL;
	size_t colons = 0;
	for (const char *p = url; *p && *p != '/'; p++)
		colons += *p == ':';
	if (colons >= 2 && url[0] != '[' && !strchr(url, '@')) {
		/* A bare IPv6 address. */
		size_t n = strcspn(url, "/");
		return host_copy(arena, url, n);
	}
	/* user@host:path, host:port, host/path, host */
	size_t n = strcspn(url, "/?#");
	return authority_host(url, n, arena);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static enum av_host_class classify_v4(uint32_t a)
{
	uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16);
	if (b0 == 127 || b0 == 0)
		return AV_HOST_LOOPBACK; /* 0.0.0.0 reaches local services on Linux */
	if (b0 == 169 && b1 == 254)
		return AV_HOST_METADATA; /* link-local, incl. 169.254.169.254 */
	if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168) ||
	    (b0 == 100 && (b1 & 0xc0) == 64))
		return AV_HOST_PRIVATE;
	return AV_HOST_PUBLIC;
}

static enum av_host_class classify_v6(const struct in6_addr *a)
{
	const uint8_t *b = a->s6_addr;
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t any[16] = { 0 };
	static const uint8_t ec2[16] = {
		0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54
	};
	if (memcmp(b, loop, 16) == 0 || memcmp(b, any, 16) == 0)
		return AV_HOST_LOOPBACK;
	if (memcmp(b, ec2, 16) == 0)
		return AV_HOST_METADATA;
	/* IPv4-mapped ::ffff:a.b.c.d */
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (memcmp(b, mapped, 12) == 0)
		return classify_v4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		                   (uint32_t)b[14] << 8 | b[15]);
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return AV_HOST_METADATA; /* fe80::/10 link-local */
	if ((b[0] & 0xfe) == 0xfc)
		return AV_HOST_PRIVATE; /* fc00::/7 */
	return AV_HOST_PUBLIC;
}

enum av_host_class av_host_classify(const char *host)
{
	if (!host || !host[0])
		return AV_HOST_NONE;
	char buf[256];
	size_t n = strlen(host);
	if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof(buf))
		return AV_HOST_PUBLIC;
	for (size_t i = 0; i < n; i++)
		buf[i] = lower(host[i]);
	while (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	if (n == 0)
		return AV_HOST_NONE;

	struct in6_addr a6;
	if (strchr(buf, ':') && inet_pton(AF_INET6, buf, &a6) == 1)
		return classify_v6(&a6);
	struct in_addr a4;
	/* inet_aton also takes decimal, hex, octal and short forms. */
	if (strspn(buf, "0123456789abcdefx.") == n && inet_aton(buf, &a4) != 0)
		return classify_v4(ntohl(a4.s_addr));

	if (strcmp(buf, "metadata.google.internal") == 0 ||
	    strcmp(buf, "metadata") == 0 || strcmp(buf, "instance-data") == 0 ||
	    strcmp(buf, "instance-data.ec2.internal") == 0)
		return AV_HOST_METADATA;
	if (strcmp(buf, "localhost") == 0 || ends_with(buf, ".localhost") ||
	    strcmp(buf, "ip6-localhost") == 0 || strcmp(buf, "ip6-loopback") == 0 ||
	    strcmp(buf, "localhost.localdomain") == 0)
		return AV_HOST_LOOPBACK;
	if (ends_with(buf, ".local") || ends_with(buf, ".internal") ||
	    ends_with(buf, ".lan") || ends_with(buf, ".home.arpa"))
		return AV_HOST_PRIVATE;
	return AV_HOST_PUBLIC;
}
