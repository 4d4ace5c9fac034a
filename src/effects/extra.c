/* extra.c - knowledge of the tools behind remote code, resource abuse, data
 * destruction and exfiltration channels that the core table (knowledge.c)
 * and the infrastructure table (infra.c) do not cover: npx and go run of
 * remote modules, package publishing, DNS lookups that carry data, mail
 * with attachments, rclone, twine, gsutil, etcdctl, cqlsh, heroku, miners,
 * `yes > file`, and variables whose value other programs run as shell. */
#include <string.h>

#include "effects_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The first argument from index `from` that is not an option. */
static int32_t first_operand(const struct av_command *c, uint32_t from)
{
	for (uint32_t i = from; i < c->argc; i++)
		if (c->argv[i][0] != '-')
			return (int32_t)i;
	return -1;
}

static const char *opt_value(const struct av_command *c, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strncmp(a, name, n) == 0 && a[n] == '=')
			return a + n + 1;
		if (streq(a, name) && i + 1 < c->argc)
			return c->argv[i + 1];
	}
	return NULL;
}

static bool has_arg(const struct av_command *c, const char *name)
{
	for (uint32_t i = 1; i < c->argc; i++)
		if (streq(c->argv[i], name))
			return true;
	return false;
}

static struct av_effect *destroy(struct fx_ctx *x, bool whole, const char *detail)
{
	struct av_effect *e = fx_push(x, AV_FX_DATA_DESTROY);
	e->binary = x->name;
	if (whole)
		e->flags |= AV_FXF_RECURSIVE;
	e->detail = detail;
	return e;
}

/* ---- variables run as shell --------------------------------------------- */

bool av_fx_env_hook(struct fx_ctx *x, const char *name, const char *value)
{
	static const char *const hooks[] = {
		"BASH_ENV",
		"EDITOR",
		"ENV",
		"GIT_ASKPASS",
		"GIT_EDITOR",
		"GIT_EXTERNAL_DIFF",
		"GIT_PAGER",
		"GIT_PROXY_COMMAND",
		"GIT_SEQUENCE_EDITOR",
		"GIT_SSH",
		"GIT_SSH_COMMAND",
		"LESSCLOSE",
		"LESSOPEN",
		"MANPAGER",
		"PAGER",
		"PROMPT_COMMAND",
		"SSH_ASKPASS",
		"SUDO_ASKPASS",
		"VISUAL",
	};
	bool hook = false;
	for (size_t i = 0; i < COUNT(hooks) && !hook; i++)
		hook = streq(name, hooks[i]);
	if (!hook || !value || !value[0])
		return false;
	/* A plain program name or path ("less -R", "vim") is configuration;
	 * shell syntax in the value is a command line someone else will run. */
	bool shell = strpbrk(value, ";|&`$<>") != NULL || starts(value, "sh -c") ||
	             starts(value, "bash -c") || strstr(value, "/dev/tcp/") ||
	             strstr(value, "curl ") || strstr(value, "wget ") ||
	             strstr(value, "nc ");
	if (!shell)
		return false;
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = name;
	e->source = "env-hook";
	e->detail = av_arena_printf(x->arena, "%s=%s", name, value);
	return true;
}

/* ---- remote packages and publishing -------------------------------------- */

static void remote_code(struct fx_ctx *x, const char *what, const char *spec)
{
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	if (strstr(spec, "://")) {
		e->source = "network";
		fx_host(x, e, spec, true);
	} else {
		e->source = "remote-package";
		/* A Go module path starts with its host (evil.example/x@v1);
		 * a GitHub shorthand (github:owner/repo, owner/repo) names
		 * github.com. */
		const char *slash = strchr(spec, '/');
		const char *colon = strchr(spec, ':');
		if (colon && (!slash || colon < slash)) {
			size_t n = (size_t)(colon - spec);
			const char *h = strncmp(spec, "github", n) == 0   ? "github.com"
			                : strncmp(spec, "gitlab", n) == 0 ? "gitlab.com"
			                : strncmp(spec, "bitbucket", n) == 0
			                        ? "bitbucket.org"
			                        : NULL;
			if (h)
				fx_host(x, e, h, false);
		} else if (slash && memchr(spec, '.', (size_t)(slash - spec))) {
			const char *h =
			        av_arena_strndup(x->arena, spec, (size_t)(slash - spec));
			if (h)
				fx_host(x, e, h, false);
		} else if (slash) {
			fx_host(x, e, "github.com", false);
		}
	}
	e->detail = av_arena_printf(x->arena, "%s %s", what, spec);
}

/* npx/bunx/pnpm dlx SPEC: a registry name is ordinary; a URL, a git
 * remote or a GitHub shorthand runs unreviewed code from that place. */
static bool npx_spec(struct fx_ctx *x, uint32_t from)
{
	const struct av_command *c = x->c;
	for (uint32_t i = from; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "-p") || streq(a, "--package")) {
			if (i + 1 < c->argc)
				a = c->argv[++i];
		} else if (starts(a, "--package=")) {
			a += 10;
		} else if (a[0] == '-') {
			continue;
		}
		bool remote = strstr(a, "://") || starts(a, "github:") ||
		              starts(a, "gitlab:") || starts(a, "bitbucket:") ||
		              starts(a, "git+") || starts(a, "gist:") ||
		              (a[0] != '@' && strchr(a, '/') && !strchr(a, ' ') &&
		               a[0] != '.' && a[0] != '/');
		if (remote)
			remote_code(x, "runs the package", a);
		return true;
	}
	return true;
}

bool av_fx_publish_or_run(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	int32_t s = first_operand(c, 1);
	if (s < 0)
		return false;
	const char *sub = c->argv[s];
	bool js = streq(x->name, "npm") || streq(x->name, "yarn") ||
	          streq(x->name, "pnpm") || streq(x->name, "bun");
	if (js && streq(sub, "publish")) {
		const char *reg = opt_value(c, "--registry");
		struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
		e->binary = x->name;
		fx_host(x, e, reg ? reg : "https://registry.npmjs.org", true);
		fx_source_path(x, e, x->ctx && x->ctx->cwd ? x->ctx->cwd : ".");
		e->detail = "publishes the package";
		return true;
	}
	if ((streq(x->name, "pnpm") && streq(sub, "dlx")) ||
	    (streq(x->name, "npm") && (streq(sub, "exec") || streq(sub, "x"))) ||
	    (streq(x->name, "yarn") && streq(sub, "dlx")))
		return npx_spec(x, (uint32_t)s + 1);
	if (streq(x->name, "go") && streq(sub, "run")) {
		for (uint32_t i = (uint32_t)s + 1; i < c->argc; i++) {
			const char *a = c->argv[i];
			if (a[0] == '-')
				continue;
			const char *slash = strchr(a, '/');
			const char *dot = strchr(a, '.');
			if (slash && dot && dot < slash && strchr(a, '@'))
				remote_code(x, "go run", a);
			break;
		}
		return true;
	}
	return false;
}

static void h_npx(struct fx_ctx *x)
{
	npx_spec(x, 1);
}

/* twine upload [--repository-url URL | -r NAME] DIST...: the workspace's
 * package goes to PyPI or to wherever the URL points. */
static void h_twine(struct fx_ctx *x)
{
	int32_t s = first_operand(x->c, 1);
	if (s < 0 || !streq(x->c->argv[s], "upload"))
		return;
	const char *url = opt_value(x->c, "--repository-url");
	struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
	e->binary = x->name;
	fx_host(x, e, url ? url : "https://upload.pypi.org", true);
	fx_source_path(x, e, x->ctx && x->ctx->cwd ? x->ctx->cwd : ".");
	e->detail = "uploads the package distribution";
}

/* ---- exfiltration channels ----------------------------------------------- */

/* dig/nslookup/host/drill NAME: a name built from a substitution or a
 * variable carries data out in the DNS query itself. */
static void h_dns(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-' || a[0] == '@' || a[0] == '+')
			continue;
		if (!strpbrk(a, "$`"))
			continue;
		/* The fixed suffix after the last expansion is the attacker's
		 * zone. */
		const char *z = a;
		for (const char *p = a; *p; p++)
			if (*p == ')' || *p == '}' || *p == '`')
				z = p + 1;
		while (*z == '.')
			z++;
		struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
		e->binary = x->name;
		e->source = "dns";
		if (z[0] && !strpbrk(z, "$`")) {
			e->host = av_arena_strndup(x->arena, z, strlen(z));
			e->host_class = av_host_classify(e->host);
		}
		e->detail = av_arena_printf(
		        x->arena, "DNS lookup of %s carries data in the name", a);
		return;
	}
}

/* mail/mailx/mutt -a FILE, sendmail/swaks --attach FILE RCPT: a file leaves
 * by mail; the recipient's domain is the host. */
static void h_mail(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *rcpt = NULL;
	const char *att[8];
	uint32_t natt = 0;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if ((streq(a, "-a") || streq(a, "-A") || streq(a, "--attach") ||
		     streq(a, "--attach-file")) &&
		    i + 1 < c->argc) {
			if (natt < COUNT(att))
				att[natt++] = c->argv[i + 1];
			i++;
		} else if ((streq(a, "-s") || streq(a, "--subject") || streq(a, "-r") ||
		            streq(a, "--from") || streq(a, "-f") ||
		            streq(a, "--server") || streq(a, "--header") ||
		            streq(a, "--body")) &&
		           i + 1 < c->argc) {
			i++;
		} else if ((streq(a, "--to") || streq(a, "-t")) && i + 1 < c->argc) {
			rcpt = c->argv[++i];
		} else if (a[0] != '-' && strchr(a, '@')) {
			rcpt = a;
		}
	}
	const char *dom = rcpt ? strrchr(rcpt, '@') : NULL;
	for (uint32_t k = 0; k < (natt ? natt : 1); k++) {
		struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
		e->binary = x->name;
		if (dom && dom[1]) {
			e->host = av_arena_strndup(x->arena, dom + 1, strlen(dom + 1));
			e->host_class = av_host_classify(e->host);
		}
		if (natt) {
			fx_path(x, AV_FX_FS_READ, att[k], 0);
			fx_source_path(x, e, att[k]);
		} else {
			e->source = c->pipe_index > 0 ? "pipe" : "stdin";
		}
		e->detail =
		        av_arena_printf(x->arena, "sends mail to %s", rcpt ? rcpt : "?");
	}
}

/* rclone copy|sync|move SRC DST, rclone delete|purge REMOTE:PATH. */
static void h_rclone(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *w[4];
	uint32_t n = 0;
	for (uint32_t i = 1; i < c->argc && n < COUNT(w); i++)
		if (c->argv[i][0] != '-')
			w[n++] = c->argv[i];
	if (n < 2)
		return;
	const char *sub = w[0];
	if ((streq(sub, "purge") || streq(sub, "delete") || streq(sub, "deletefile")) &&
	    strchr(w[1], ':')) {
		destroy(x, !streq(sub, "deletefile"),
		        av_arena_printf(x->arena, "rclone %s %s", sub, w[1]));
		return;
	}
	if (n < 3 || !(streq(sub, "copy") || streq(sub, "sync") || streq(sub, "move") ||
	               streq(sub, "copyto") || streq(sub, "moveto")))
		return;
	const char *src = w[1], *dst = w[2];
	const char *colon = strchr(dst, ':');
	if (!colon || strchr(src, ':'))
		return;
	fx_path(x, AV_FX_FS_READ, src, AV_FXF_RECURSIVE);
	struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
	e->binary = x->name;
	e->host = av_arena_strndup(x->arena, dst, (size_t)(colon - dst));
	e->host_class = AV_HOST_PUBLIC;
	fx_source_path(x, e, src);
	e->detail =
	        av_arena_printf(x->arena, "rclone %s %s to the remote %s", sub, src, dst);
}

/* ---- data destruction ----------------------------------------------------- */

static void h_gsutil(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	int32_t s = first_operand(c, 1);
	if (s < 0)
		return;
	const char *sub = c->argv[s];
	if (streq(sub, "rb")) {
		destroy(x, true, "gsutil rb deletes a bucket");
	} else if (streq(sub, "rm")) {
		bool rec = false;
		for (uint32_t i = (uint32_t)s + 1; i < c->argc; i++) {
			const char *a = c->argv[i];
			if (a[0] == '-' && a[1] != '-' &&
			    (strchr(a, 'r') || strchr(a, 'R')))
				rec = true;
			if (a[0] != '-' && starts(a, "gs://") &&
			    (strlen(a) <= 5 || !strchr(a + 5, '/') || strstr(a, "/**")))
				rec = true; /* the bucket itself, or everything in it */
		}
		destroy(x, rec,
		        rec ? "gsutil rm -r deletes a bucket's objects"
		            : "gsutil rm deletes objects");
	} else if (streq(sub, "cp") || streq(sub, "rsync") || streq(sub, "mv")) {
		const char *src = NULL, *dst = NULL;
		for (uint32_t i = (uint32_t)s + 1; i < c->argc; i++)
			if (c->argv[i][0] != '-') {
				if (!src)
					src = c->argv[i];
				else
					dst = c->argv[i];
			}
		if (src && dst && !starts(src, "gs://") && starts(dst, "gs://")) {
			struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
			e->binary = x->name;
			e->host = "storage.googleapis.com";
			e->host_class = AV_HOST_PUBLIC;
			fx_source_path(x, e, src);
			e->detail =
			        av_arena_printf(x->arena, "uploads %s to %s", src, dst);
		}
	}
}

static void h_etcdctl(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	int32_t s = first_operand(c, 1);
	if (s < 0 || !(streq(c->argv[s], "del") || streq(c->argv[s], "rm") ||
	               streq(c->argv[s], "rmdir")))
		return;
	bool whole = has_arg(c, "--prefix") || has_arg(c, "--from-key") ||
	             has_arg(c, "-r") || has_arg(c, "--recursive");
	destroy(x, whole,
	        whole ? "etcdctl deletes every key under a prefix"
	              : "etcdctl deletes a key");
}

/* Case-insensitive substring search, bounded by the haystack. */
static bool icontains(const char *h, const char *n)
{
	size_t nl = strlen(n);
	for (; *h; h++) {
		size_t k = 0;
		while (k < nl && h[k] && (h[k] | 0x20) == (n[k] | 0x20))
			k++;
		if (k == nl)
			return true;
	}
	return false;
}

static void h_cqlsh(struct fx_ctx *x)
{
	const char *q = opt_value(x->c, "-e");
	if (!q)
		q = opt_value(x->c, "--execute");
	if (!q)
		return;
	if (icontains(q, "drop keyspace") || icontains(q, "drop table") ||
	    icontains(q, "truncate"))
		destroy(x, true, av_arena_printf(x->arena, "cqlsh %s", q));
	else if (icontains(q, "delete from") && !icontains(q, " where "))
		destroy(x, true, av_arena_printf(x->arena, "cqlsh %s", q));
	else if (icontains(q, "delete from") || icontains(q, "drop "))
		destroy(x, false, av_arena_printf(x->arena, "cqlsh %s", q));
}

static void h_heroku(struct fx_ctx *x)
{
	int32_t s = first_operand(x->c, 1);
	if (s < 0)
		return;
	const char *sub = x->c->argv[s];
	if (streq(sub, "pg:reset") || streq(sub, "apps:destroy") ||
	    streq(sub, "addons:destroy") || streq(sub, "destroy"))
		destroy(x, true, av_arena_printf(x->arena, "heroku %s", sub));
	else if (streq(sub, "config:get") || streq(sub, "config") ||
	         streq(sub, "auth:token")) {
		struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
		e->binary = x->name;
		e->detail = av_arena_printf(x->arena, "heroku %s prints secrets", sub);
	}
}

/* ---- resource abuse ------------------------------------------------------- */

static void h_miner(struct fx_ctx *x)
{
	struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
	e->binary = x->name;
	e->detail =
	        av_arena_printf(x->arena, "runs the cryptocurrency miner %s", x->name);
}

void av_fx_miner_args(struct fx_ctx *x)
{
	for (uint32_t i = 1; i < x->c->argc; i++)
		if (strstr(x->c->argv[i], "stratum+") ||
		    strstr(x->c->argv[i], "stratum2+")) {
			struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
			e->binary = x->name;
			e->detail = av_arena_printf(x->arena,
			                            "connects to the mining pool %s",
			                            x->c->argv[i]);
			return;
		}
}

/* yes > FILE: an endless stream into a file fills the disk. */
static void h_yes(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 0; i < c->nredirs; i++) {
		const struct av_redir *r = &c->redirs[i];
		if ((r->op != AV_REDIR_OUT && r->op != AV_REDIR_APPEND &&
		     r->op != AV_REDIR_CLOBBER) ||
		    !r->target)
			continue;
		const char *p = av_path_resolve(r->target, x->ctx, x->arena);
		if (p && av_path_classify(p, x->ctx) == AV_PATH_NULL)
			continue;
		struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
		e->binary = x->name;
		e->detail = av_arena_printf(
		        x->arena, "yes writes to %s until the disk is full", r->target);
		return;
	}
}

/* ---- security frameworks and surveillance -------------------------------- */

/* setenforce 0, aa-teardown, aa-disable, aa-complain: mandatory access
 * control turned off or loosened. */
static void h_mac(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (streq(x->name, "setenforce") &&
	    !(c->argc > 1 && (streq(c->argv[1], "0") || streq(c->argv[1], "Permissive") ||
	                      streq(c->argv[1], "permissive"))))
		return;
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = av_arena_printf(x->arena, "%s turns off mandatory access control",
	                            x->name);
}

/* Keyboard and screen capture: what the user types and sees, passwords
 * included. xinput only with `test`, import only with `-window root`. */
static void h_capture(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (streq(x->name, "xinput") && !(c->argc > 1 && (streq(c->argv[1], "test") ||
	                                                  streq(c->argv[1], "test-xi2"))))
		return;
	if (streq(x->name, "import") && !has_arg(c, "-window"))
		return;
	struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
	e->binary = x->name;
	e->detail = av_arena_printf(x->arena, "%s captures the keyboard or the screen",
	                            x->name);
}

/* Password crackers and memory dumpers: credentials recovered from hashes
 * or from another process. */
static void h_cred_tool(struct fx_ctx *x)
{
	struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
	e->binary = x->name;
	e->detail = streq(x->name, "gcore")
	                    ? "gcore dumps a process's memory, secrets included"
	                    : av_arena_printf(x->arena, "%s cracks or dumps passwords",
	                                      x->name);
}

/* echo/printf of a secret-looking variable prints the secret into the
 * transcript. */
static void h_echo(struct fx_ctx *x)
{
	static const char *const marks[] = { "TOKEN",      "SECRET",      "PASSWORD",
		                             "PASSWD",     "API_KEY",     "APIKEY",
		                             "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL" };
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *d = strchr(c->argv[i], '$');
		if (!d)
			continue;
		for (size_t k = 0; k < COUNT(marks); k++) {
			const char *m = strstr(d, marks[k]);
			if (!m)
				continue;
			struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
			e->binary = x->name;
			e->detail = av_arena_printf(
			        x->arena, "prints a secret-looking variable (%s)",
			        c->argv[i]);
			return;
		}
	}
}

/* systemd-run with a timer or trigger schedules the command to run later,
 * outside the session. */
static void h_systemd_run(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++)
		if (starts(c->argv[i], "--on-")) {
			struct av_effect *e = fx_push(x, AV_FX_PERSIST);
			e->mechanism = "systemd";
			e->detail = av_arena_printf(x->arena,
			                            "systemd-run %s schedules a command",
			                            c->argv[i]);
			return;
		}
}

/* osascript that makes a login item starts the program at every login. */
static void h_osascript(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++)
		if (strstr(c->argv[i], "login item")) {
			struct av_effect *e = fx_push(x, AV_FX_PERSIST);
			e->mechanism = "autostart";
			e->detail = "osascript adds a login item";
			return;
		}
}

/* Sorted by name (strcmp order). */
const struct fx_handler_entry av_extra_handlers[] = {
	{ "aa-complain", h_mac },
	{ "aa-disable", h_mac },
	{ "aa-teardown", h_mac },
	{ "bfgminer", h_miner },
	{ "bunx", h_npx },
	{ "ccminer", h_miner },
	{ "cgminer", h_miner },
	{ "cpuminer", h_miner },
	{ "cqlsh", h_cqlsh },
	{ "dig", h_dns },
	{ "drill", h_dns },
	{ "echo", h_echo },
	{ "etcdctl", h_etcdctl },
	{ "ethminer", h_miner },
	{ "gcore", h_cred_tool },
	{ "gminer", h_miner },
	{ "gnome-screenshot", h_capture },
	{ "gsutil", h_gsutil },
	{ "hashcat", h_cred_tool },
	{ "heroku", h_heroku },
	{ "host", h_dns },
	{ "import", h_capture },
	{ "john", h_cred_tool },
	{ "lazagne", h_cred_tool },
	{ "logkeys", h_capture },
	{ "lolminer", h_miner },
	{ "mail", h_mail },
	{ "mailx", h_mail },
	{ "mimikatz", h_cred_tool },
	{ "minerd", h_miner },
	{ "mutt", h_mail },
	{ "nanominer", h_miner },
	{ "nbminer", h_miner },
	{ "npx", h_npx },
	{ "nslookup", h_dns },
	{ "osascript", h_osascript },
	{ "phoenixminer", h_miner },
	{ "pnpx", h_npx },
	{ "printf", h_echo },
	{ "rclone", h_rclone },
	{ "screencapture", h_capture },
	{ "scrot", h_capture },
	{ "sendmail", h_mail },
	{ "setenforce", h_mac },
	{ "swaks", h_mail },
	{ "systemd-run", h_systemd_run },
	{ "t-rex", h_miner },
	{ "twine", h_twine },
	{ "unshadow", h_cred_tool },
	{ "xinput", h_capture },
	{ "xmr-stak", h_miner },
	{ "xmrig", h_miner },
	{ "xwd", h_capture },
	{ "yes", h_yes },
};
const size_t av_extra_handlers_count = COUNT(av_extra_handlers);
