/* kind_http.c - effects of http actions: the response always comes in
 * (net.fetch), a body goes out (net.send, with the file it is read from),
 * and a DELETE to anything but a local server destroys what the URL names.
 * Hosts are classified by src/effects/host.c (loopback, private,
 * link-local/metadata, public); "allowlisted" is a policy list
 * (list.trusted_hosts), so operators decide it, not the agent. */
#include <string.h>
#include <strings.h>

#include "kind_internal.h"

/* Headers that carry a credential. A literal value in one of them means the
 * secret itself is in the agent's hands and goes wherever the URL points;
 * a broker reference ({{secret:NAME}}) is substituted by the egress proxy
 * only toward the hosts the secret is bound to, so it is not counted. */
static const char *const auth_headers[] = {
	"authorization",
	"proxy-authorization",
	"cookie",
	"x-api-key",
	"api-key",
	"x-auth-token",
	"private-token",
	"x-goog-api-key",
	"x-access-token",
	"x-csrf-token",
	"x-amz-security-token",
};

static bool is_auth_header(const char *name)
{
	for (size_t i = 0; i < sizeof(auth_headers) / sizeof(auth_headers[0]); i++)
		if (strcasecmp(name, auth_headers[i]) == 0)
			return true;
	return false;
}

void av_kind_http_request(struct kind_x *x, const char *method, const char *url,
                          const char *body_source)
{
	/* file:// reads a local file, whatever the "request" says. */
	if (strncasecmp(url, "file://", 7) == 0) {
		fx_path(&x->fx, AV_FX_FS_READ, url + 7, 0);
		return;
	}
	struct av_effect *f = fx_push(&x->fx, AV_FX_NET_FETCH);
	fx_host(&x->fx, f, url, true);
	f->detail = av_arena_printf(x->fx.arena, "HTTP %s %s", method, url);
	enum av_host_class hc = f->host_class;
	/* URL parsers disagree about a backslash in the authority: browsers
	 * and some clients read it as '/', so http://169.254.169.254\@x.com/
	 * goes to the metadata service there and to x.com here. Judge both
	 * readings. */
	const char *sch = strstr(url, "://");
	if (sch != NULL) {
		size_t n = strcspn(sch + 3, "/?#");
		const char *bs = memchr(sch + 3, '\\', n);
		char *alt = bs ? av_arena_strdup(x->fx.arena, url) : NULL;
		if (alt != NULL) {
			alt[bs - url] = '/';
			struct av_effect *g = fx_push(&x->fx, AV_FX_NET_FETCH);
			fx_host(&x->fx, g, alt, true);
			g->detail = av_arena_printf(
			        x->fx.arena, "HTTP %s %s (a backslash read as '/')",
			        method, alt);
		}
	}

	bool sends = body_source != NULL || strcmp(method, "POST") == 0 ||
	             strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	if (sends) {
		bool file = body_source != NULL && strcmp(body_source, "inline") != 0;
		if (file)
			fx_path(&x->fx, AV_FX_FS_READ, body_source, 0);
		struct av_effect *e = fx_push(&x->fx, AV_FX_NET_SEND);
		fx_host(&x->fx, e, url, true);
		if (file)
			fx_source_path(&x->fx, e, body_source);
		else
			e->source = body_source;
		e->detail = av_arena_printf(x->fx.arena, "HTTP %s %s", method, url);
	}
	/* As for curl -X DELETE (knowledge.c): a local dev server is the
	 * project's own business; anything else loses what the URL names, and
	 * a wildcard or _all is the whole store. */
	if (strcmp(method, "DELETE") == 0 && hc != AV_HOST_LOOPBACK) {
		struct av_effect *d = fx_push(&x->fx, AV_FX_DATA_DESTROY);
		fx_host(&x->fx, d, url, true);
		size_t ul = strlen(url);
		if (strstr(url, "/_all") || strstr(url, "/*") ||
		    (ul && url[ul - 1] == '*'))
			d->flags |= AV_FXF_RECURSIVE;
		d->detail = av_arena_printf(x->fx.arena, "HTTP DELETE %s", url);
	}
}

int av_kind_http(struct kind_x *x)
{
	const struct av_action *a = x->a;
	for (uint32_t i = 0; i < a->in.http.nheaders; i++) {
		const struct av_pair *h = &a->in.http.headers[i];
		if (is_auth_header(h->name) && h->value[0] != '\0' &&
		    !av_kind_is_secret_ref(h->value)) {
			/* "Bearer {{secret:X}}" is a reference too. */
			const char *sp = strrchr(h->value, ' ');
			if (!(sp && av_kind_is_secret_ref(sp + 1)))
				x->kf->http_auth = true;
		}
	}
	/* user:password@ in the URL is a credential too. */
	const char *sch = strstr(a->in.http.url, "://");
	if (sch != NULL) {
		const char *auth = sch + 3;
		size_t n = strcspn(auth, "/?#");
		const char *at = memchr(auth, '@', n);
		if (at != NULL && memchr(auth, ':', (size_t)(at - auth)) != NULL)
			x->kf->http_auth = true;
	}
	const char *src = a->in.http.body_file ? a->in.http.body_file
	                  : a->in.http.body    ? "inline"
	                                       : NULL;
	av_kind_http_request(x, a->in.http.method, a->in.http.url, src);
	return 0;
}
