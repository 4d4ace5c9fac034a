/* infra.c - command knowledge for the tools that reach beyond the local file
 * system: containers (docker, podman), clusters (kubectl, helm), cloud CLIs
 * (aws, gcloud, az, terraform, pulumi), database clients (psql, mysql,
 * sqlite3, redis-cli, mongosh), secret stores and token printers (gh, vault,
 * pass, op, security, gpg), archives (tar, zip, 7z), tunnels and servers that
 * expose local services, and process killers. Handlers are listed in the
 * table of knowledge.c; each reads the program's documented option grammar
 * just far enough to find its verb and operands. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "effects_internal.h"
#include "shell/shell_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(s, set[i]))
			return true;
	return false;
}

static bool ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* The positional words of a subcommand CLI, options skipped. valopts lists
 * the long options (without "--") that take a separate value; sval the
 * short options that do. "--" ends the options. */
#define MAX_WORDS 64
struct words {
	const char *v[MAX_WORDS];
	uint32_t n;
};

static void positionals(const struct av_command *c, uint32_t start,
                        const char *const *valopts, size_t nval, const char *sval,
                        struct words *w)
{
	w->n = 0;
	bool done = false;
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (!done && streq(a, "--")) {
			done = true;
			continue;
		}
		if (!done && a[0] == '-' && a[1] == '-') {
			if (!strchr(a, '=') && in_set(a + 2, valopts, nval))
				i++;
			continue;
		}
		if (!done && a[0] == '-' && a[1]) {
			/* -n VALUE, or -nVALUE: the value is attached */
			if (a[2] == '\0' && sval && strchr(sval, a[1]))
				i++;
			continue;
		}
		if (w->n < MAX_WORDS)
			w->v[w->n++] = a;
	}
}

/* True when the command has option name (exact, or "name=..."). */
static const char *opt_value(const struct av_command *c, uint32_t start, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "--"))
			break;
		if (strncmp(a, name, n) == 0) {
			if (a[n] == '=')
				return a + n + 1;
			if (a[n] == '\0')
				return i + 1 < c->argc ? c->argv[i + 1] : "";
		}
	}
	return NULL;
}

static bool has_opt(const struct av_command *c, uint32_t start, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "--"))
			break;
		if (strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '='))
			return true;
	}
	return false;
}

/* A short flag, alone or bundled (-af has 'f'). */
static bool has_short(const struct av_command *c, uint32_t start, char ch)
{
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "--"))
			break;
		if (a[0] == '-' && a[1] != '-' && a[1] && strchr(a + 1, ch))
			return true;
	}
	return false;
}

static struct av_effect *destroy(struct fx_ctx *x, bool whole, bool force,
                                 const char *detail)
{
	struct av_effect *e = fx_push(x, AV_FX_DATA_DESTROY);
	e->binary = x->name;
	e->flags |= (whole ? AV_FXF_RECURSIVE : 0) | (force ? AV_FXF_FORCE : 0);
	e->detail = detail;
	return e;
}

static struct av_effect *cred(struct fx_ctx *x, const char *detail)
{
	struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
	e->binary = x->name;
	e->detail = detail;
	return e;
}

/* "verb noun..." of words[from..] joined, for explanations. */
/* A grant of administrative rights in a cloud or cluster (IAM policy
 * attachments, role bindings): privilege that outlives the session. */
static void grant(struct fx_ctx *x, const char *detail)
{
	struct av_effect *e = fx_push(x, AV_FX_PRIV);
	e->binary = x->name;
	e->detail = detail;
}

static const char *joined(struct fx_ctx *x, const struct words *w, uint32_t from,
                          uint32_t upto)
{
	char buf[256];
	size_t k = 0;
	buf[0] = '\0';
	for (uint32_t i = from; i < w->n && i < upto; i++) {
		int r = snprintf(buf + k, sizeof(buf) - k, "%s%s", k ? " " : "", w->v[i]);
		if (r < 0 || (size_t)r >= sizeof(buf) - k)
			break;
		k += (size_t)r;
	}
	return av_arena_printf(x->arena, "%s %s", x->name, buf);
}

/* ---- containers --------------------------------------------------------- */

static const char *const docker_global_val[] = { "host",      "context",   "config",
	                                         "log-level", "tlscacert", "tlscert",
	                                         "tlskey" };

static const char *const docker_run_val[] = {
	"volume",       "env",          "publish",       "name",       "network",
	"net",          "workdir",      "mount",         "pid",        "ipc",
	"uts",          "userns",       "cap-add",       "cap-drop",   "device",
	"security-opt", "user",         "entrypoint",    "env-file",   "label",
	"restart",      "memory",       "cpus",          "hostname",   "add-host",
	"dns",          "platform",     "pull",          "gpus",       "shm-size",
	"tmpfs",        "ulimit",       "log-driver",    "log-opt",    "volumes-from",
	"cidfile",      "stop-signal",  "health-cmd",    "cgroupns",   "group-add",
	"expose",       "link",         "network-alias", "runtime",    "cpu-shares",
	"memory-swap",  "attach",       "annotation",    "label-file", "ip",
	"mac-address",  "stop-timeout", "cgroup-parent", "domainname", "sysctl",
};

static const char *const escape_caps[] = {
	"ALL",       "SYS_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH",
	"SYS_RAWIO", "NET_ADMIN", "BPF"
};

static void container_escape(struct fx_ctx *x, const char *detail, const char *path)
{
	struct av_effect *e =
	        path ? fx_path(x, AV_FX_PRIV, path, 0) : fx_push(x, AV_FX_PRIV);
	e->binary = x->name;
	e->detail = detail;
}

/* -v SRC:DST[:opts] / --mount type=bind,source=SRC,...: a host path
 * mounted into the container. Named volumes (no slash) are not host paths. */
static void container_mount(struct fx_ctx *x, const char *spec, bool mount_syntax)
{
	const char *src = spec;
	size_t n;
	if (mount_syntax) {
		const char *s = strstr(spec, "source=");
		if (!s)
			s = strstr(spec, "src=");
		if (!s)
			return;
		src = strchr(s, '=') + 1;
		n = strcspn(src, ",");
	} else {
		n = strcspn(spec, ":");
	}
	if (n == 0 || (src[0] != '/' && src[0] != '~' && src[0] != '.'))
		return;
	const char *p = av_arena_strndup(x->arena, src, n);
	if (!p || strpbrk(p, "$`"))
		return;
	const char *r = av_path_resolve(p, x->ctx, x->arena);
	if (!r)
		return;
	enum av_path_class cls = av_path_classify(r, x->ctx);
	const char *base = strrchr(r, '/');
	if (base && (streq(base, "/docker.sock") || streq(base, "/podman.sock") ||
	             streq(base, "/containerd.sock"))) {
		container_escape(x,
		                 "container escape: mounts the container runtime socket, "
		                 "root on the host",
		                 p);
		return;
	}
	if (cls == AV_PATH_ROOT || cls == AV_PATH_SYSTEM || cls == AV_PATH_DEVICE ||
	    cls == AV_PATH_SECRET || cls == AV_PATH_PERSISTENCE || cls == AV_PATH_HOME)
		container_escape(x,
		                 av_arena_printf(x->arena,
		                                 "container escape: mounts the host's %s "
		                                 "path %s",
		                                 av_path_class_name(cls), r),
		                 p);
}

static void h_container_run(struct fx_ctx *x, uint32_t start)
{
	const struct av_command *c = x->c;
	for (uint32_t i = start; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] != '-')
			break; /* the image: what follows runs inside the container */
		const char *eq = strchr(a, '=');
		const char *val = eq ? eq + 1 : (i + 1 < c->argc ? c->argv[i + 1] : "");
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);
		bool takes = false;
		if (a[1] == '-') {
			char name[32];
			if (nl - 2 < sizeof(name)) {
				memcpy(name, a + 2, nl - 2);
				name[nl - 2] = '\0';
				takes = in_set(name, docker_run_val,
				               COUNT(docker_run_val));
			}
		} else {
			/* short options with a value: -v -e -p -w -u -h -l -m -a -c */
			takes = a[2] == '\0' && strchr("veapwuhlmc", a[1]);
			if (!takes && a[2] && strchr("vepwuhlm", a[1]) && a[1] != '-') {
				val = a[2] == '=' ? a + 3 : a + 2; /* attached: -v/:/x */
				nl = 2;
			}
		}
		bool sep = takes && !eq;
		if (strncmp(a, "--privileged", nl) == 0 && nl == 12)
			container_escape(
			        x,
			        "container escape: --privileged gives the container "
			        "the host's devices and capabilities",
			        NULL);
		else if ((strncmp(a, "-v", 2) == 0 && nl == 2) ||
		         (strncmp(a, "--volume", nl) == 0 && nl == 8))
			container_mount(x, val, false);
		else if (strncmp(a, "--mount", nl) == 0 && nl == 7)
			container_mount(x, val, true);
		else if ((nl == 5 && strncmp(a, "--pid", 5) == 0) ||
		         (nl == 5 && strncmp(a, "--ipc", 5) == 0) ||
		         (nl == 8 && strncmp(a, "--userns", 8) == 0) ||
		         (nl == 5 && strncmp(a, "--uts", 5) == 0) ||
		         (nl == 10 && strncmp(a, "--cgroupns", 10) == 0)) {
			if (streq(val, "host"))
				container_escape(
				        x,
				        av_arena_printf(
				                x->arena,
				                "container escape: shares the host's "
				                "%.*s namespace",
				                (int)(nl - 2), a + 2),
				        NULL);
		} else if ((nl == 9 && strncmp(a, "--network", 9) == 0) ||
		           (nl == 5 && strncmp(a, "--net", 5) == 0)) {
			if (streq(val, "host"))
				container_escape(x,
				                 "container shares the host's network "
				                 "namespace",
				                 NULL);
		} else if (nl == 9 && strncmp(a, "--cap-add", 9) == 0) {
			const char *cap =
			        strncasecmp(val, "CAP_", 4) == 0 ? val + 4 : val;
			for (size_t k = 0; k < COUNT(escape_caps); k++)
				if (ieq(cap, escape_caps[k]))
					container_escape(
					        x,
					        av_arena_printf(
					                x->arena,
					                "container escape: adds the "
					                "%s capability",
					                escape_caps[k]),
					        NULL);
		} else if (nl == 8 && strncmp(a, "--device", 8) == 0) {
			size_t dn = strcspn(val, ":");
			const char *dev = av_arena_strndup(x->arena, val, dn);
			container_escape(
			        x, "container escape: passes a host device through", dev);
		} else if (nl == 14 && strncmp(a, "--security-opt", 14) == 0) {
			if (strstr(val, "unconfined") ||
			    strstr(val, "no-new-privileges=false"))
				container_escape(
				        x,
				        "container escape: turns off the container's "
				        "security profile",
				        NULL);
		}
		if (sep)
			i++;
	}
}

static void h_container(struct fx_ctx *x)
{
	struct words w;
	positionals(x->c, 1, docker_global_val, COUNT(docker_global_val), "Hcl", &w);
	if (w.n == 0)
		return;
	uint32_t v = 0;
	/* "docker container run" == "docker run"; "docker system prune" */
	if ((streq(w.v[0], "container") || streq(w.v[0], "image") ||
	     streq(w.v[0], "volume") || streq(w.v[0], "system") ||
	     streq(w.v[0], "network") || streq(w.v[0], "builder")) &&
	    w.n > 1)
		v = 1;
	const char *verb = w.v[v];
	const char *group = v ? w.v[0] : "";
	/* Find the verb's position in argv to parse its options from there. */
	uint32_t at = 1;
	while (at < x->c->argc && x->c->argv[at] != w.v[v])
		at++;
	if (streq(verb, "run") || streq(verb, "create")) {
		h_container_run(x, at + 1);
		return;
	}
	bool all = has_short(x->c, at + 1, 'a') || has_opt(x->c, at + 1, "--all");
	bool force = has_short(x->c, at + 1, 'f') || has_opt(x->c, at + 1, "--force");
	if (streq(verb, "prune")) {
		bool volumes =
		        streq(group, "volume") || has_opt(x->c, at + 1, "--volumes");
		/* Only volumes no container uses, on this machine: part of
		 * the local data, not a whole store. */
		if (volumes)
			destroy(x, false, force,
			        av_arena_printf(
			                x->arena,
			                "%s %s prune deletes %svolumes and the data in "
			                "them",
			                x->name, group, all ? "all unused " : ""));
		else
			fx_push(x, AV_FX_SYS_CONFIG)->detail = av_arena_printf(
			        x->arena, "%s %s prune removes unused %s", x->name, group,
			        all ? "images and containers" : "objects");
	} else if (streq(group, "volume") &&
	           (streq(verb, "rm") || streq(verb, "remove"))) {
		destroy(x, false, force,
		        av_arena_printf(x->arena,
		                        "%s volume rm deletes volumes and their data",
		                        x->name));
	}
}

/* ---- clusters ----------------------------------------------------------- */

static const char *const kubectl_val[] = {
	"namespace", "context",         "kubeconfig", "selector",
	"output",    "filename",        "cluster",    "user",
	"container", "field-selector",  "server",     "token",
	"as",        "replicas",        "timeout",    "grace-period",
	"type",      "from-literal",    "image",      "port",
	"cascade",   "request-timeout", "sort-by",    "template",
};

static void h_kubectl(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	struct words w;
	positionals(c, 1, kubectl_val, COUNT(kubectl_val), "nlofcspl", &w);
	if (w.n == 0)
		return;
	const char *verb = w.v[0];
	bool dry = opt_value(c, 1, "--dry-run") != NULL;
	if (!dry && streq(verb, "create") && w.n > 1 &&
	    (streq(w.v[1], "cronjob") || streq(w.v[1], "cj"))) {
		struct av_effect *p = fx_push(x, AV_FX_PERSIST);
		p->mechanism = "cron";
		p->detail = "kubectl create cronjob runs a container on a schedule";
	}
	const char *rep = opt_value(c, 1, "--replicas");
	if (!dry && streq(verb, "scale") && rep && strlen(rep) >= 3) {
		struct av_effect *r = fx_push(x, AV_FX_RESOURCE);
		r->binary = x->name;
		r->detail =
		        av_arena_printf(x->arena, "kubectl scale to %s replicas", rep);
	}
	const char *ns = opt_value(c, 1, "--namespace");
	if (!ns)
		ns = opt_value(c, 1, "-n");
	bool all = has_opt(c, 1, "--all") || has_short(c, 1, 'A') ||
	           has_opt(c, 1, "--all-namespaces");
	if (streq(verb, "create") && w.n > 1 && !dry &&
	    (streq(w.v[1], "clusterrolebinding") || streq(w.v[1], "rolebinding"))) {
		grant(x, av_arena_printf(x->arena,
		                         "grants cluster permissions: kubectl "
		                         "create %s",
		                         w.v[1]));
		return;
	}
	if (streq(verb, "config") && w.n > 1 && streq(w.v[1], "view") &&
	    has_opt(c, 1, "--raw")) {
		cred(x, "kubectl config view --raw prints cluster credentials");
		return;
	}
	if (streq(verb, "delete") && !dry) {
		static const char *const whole[] = { "namespace",
			                             "namespaces",
			                             "ns",
			                             "all",
			                             "pv",
			                             "persistentvolume",
			                             "persistentvolumes",
			                             "pvc",
			                             "crd",
			                             "customresourcedefinition",
			                             "node",
			                             "nodes",
			                             "persistentvolumeclaim",
			                             "persistentvolumeclaims" };
		const char *kind = w.n > 1 ? w.v[1] : "";
		char kbuf[64];
		size_t kn = strcspn(kind, "/.");
		if (kn >= sizeof(kbuf))
			kn = sizeof(kbuf) - 1;
		memcpy(kbuf, kind, kn);
		kbuf[kn] = '\0';
		bool broad = all || in_set(kbuf, whole, COUNT(whole)) ||
		             has_opt(c, 1, "--filename") || has_short(c, 1, 'f');
		struct av_effect *e = destroy(
		        x, broad, has_opt(c, 1, "--force"),
		        av_arena_printf(x->arena, "%s%s%s", joined(x, &w, 0, 4),
		                        ns ? " in namespace " : "", ns ? ns : ""));
		(void)e;
	} else if (streq(verb, "drain") && !dry) {
		destroy(x, false, has_opt(c, 1, "--force"), joined(x, &w, 0, 3))->detail =
		        av_arena_printf(x->arena,
		                        "kubectl drain evicts every pod from %s",
		                        w.n > 1 ? w.v[1] : "a node");
	} else if (streq(verb, "scale") && !dry) {
		const char *r = opt_value(c, 1, "--replicas");
		if (streq(r, "0"))
			destroy(x, false, false,
			        av_arena_printf(x->arena, "%s scaled to zero replicas",
			                        joined(x, &w, 0, 3)));
	} else if ((streq(verb, "get") || streq(verb, "describe")) && w.n > 1) {
		const char *k = w.v[1];
		bool secret = strncmp(k, "secret", 6) == 0;
		const char *o = opt_value(c, 1, "--output");
		if (!o)
			o = opt_value(c, 1, "-o");
		if (!o)
			for (uint32_t i = 1; i < c->argc; i++)
				if (strncmp(c->argv[i], "-o", 2) == 0 && c->argv[i][2])
					o = c->argv[i] + 2;
		bool values = (o && !streq(o, "name") && !streq(o, "wide")) ||
		              streq(verb, "describe");
		if (secret && values && !streq(verb, "describe"))
			cred(x, av_arena_printf(x->arena,
			                        "reads Kubernetes secret values (%s)",
			                        joined(x, &w, 1, 3)));
	} else if ((streq(verb, "apply") || streq(verb, "create") ||
	            streq(verb, "replace")) &&
	           !dry) {
		const char *f = opt_value(c, 1, "--filename");
		if (!f)
			f = opt_value(c, 1, "-f");
		if (f && strstr(f, "://")) {
			struct av_effect *e = fx_push(x, AV_FX_PKG_INSTALL);
			e->binary = x->name;
			e->detail = "kubectl applies manifests from a URL";
			fx_host(x, e, f, true);
		}
	}
}

static void h_helm(struct fx_ctx *x)
{
	static const char *const val[] = { "namespace", "kube-context", "kubeconfig" };
	struct words w;
	positionals(x->c, 1, val, COUNT(val), "n", &w);
	if (w.n > 0 &&
	    (streq(w.v[0], "uninstall") || streq(w.v[0], "delete") ||
	     streq(w.v[0], "del") || streq(w.v[0], "un")) &&
	    !has_opt(x->c, 1, "--dry-run"))
		destroy(x, true, false, joined(x, &w, 0, 3));
}

/* ---- cloud CLIs --------------------------------------------------------- */

static const char *const aws_val[] = {
	"profile",
	"region",
	"output",
	"query",
	"endpoint-url",
	"cli-input-json",
	"exclude",
	"include",
	"acl",
	"storage-class",
	"sse",
	"expires",
	"content-type",
	"cache-control",
	"metadata",
	"grants",
	"sse-kms-key-id",
	"secret-id",
	"name",
	"names",
	"path",
	"version-id",
	"version-stage",
	"bucket",
	"key",
	"instance-ids",
	"db-instance-identifier",
	"stack-name",
	"table-name",
	"user-name",
	"function-name",
	"cluster",
	"role-arn",
	"role-session-name",
	"page-size",
};

static bool is_s3(const char *s)
{
	return strncmp(s, "s3://", 5) == 0;
}

static void h_aws(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	struct words w;
	positionals(c, 1, aws_val, COUNT(aws_val), "", &w);
	if (w.n < 2)
		return;
	const char *count = opt_value(c, 1, "--count");
	if (streq(w.v[0], "ec2") && streq(w.v[1], "run-instances") && count &&
	    strlen(count) >= 2) {
		struct av_effect *r = fx_push(x, AV_FX_RESOURCE);
		r->binary = x->name;
		r->detail = av_arena_printf(
		        x->arena, "aws ec2 run-instances launches %s instances", count);
	}
	const char *svc = w.v[0], *op = w.v[1];
	bool recursive = has_opt(c, 1, "--recursive");
	bool dry = has_opt(c, 1, "--dryrun") || has_opt(c, 1, "--dry-run");
	if (streq(svc, "s3")) {
		if (dry)
			return;
		if (streq(op, "rm") && w.n > 2) {
			/* The whole bucket only without a key prefix
			 * (s3://bucket or s3://bucket/); a prefix is part. */
			const char *key = strncmp(w.v[2], "s3://", 5) == 0
			                          ? strchr(w.v[2] + 5, '/')
			                          : NULL;
			bool whole = recursive && (!key || key[1] == '\0');
			struct av_effect *e = destroy(
			        x, whole, true,
			        av_arena_printf(x->arena, "aws s3 rm %s%s", w.v[2],
			                        recursive ? " --recursive" : ""));
			fx_host(x, e, w.v[2], true);
		} else if (streq(op, "rb") && w.n > 2) {
			struct av_effect *e = destroy(
			        x, has_opt(c, 1, "--force"), has_opt(c, 1, "--force"),
			        av_arena_printf(x->arena,
			                        "aws s3 rb %s deletes the bucket",
			                        w.v[2]));
			fx_host(x, e, w.v[2], true);
		} else if ((streq(op, "cp") || streq(op, "sync") || streq(op, "mv")) &&
		           w.n > 3) {
			const char *src = w.v[2], *dst = w.v[3];
			uint32_t fl =
			        recursive || streq(op, "sync") ? AV_FXF_RECURSIVE : 0;
			if (!is_s3(src) && is_s3(dst)) {
				if (!streq(src, "-"))
					fx_path(x, AV_FX_FS_READ, src, fl);
				struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
				fx_host(x, e, dst, true);
				e->flags |= fl;
				if (streq(src, "-"))
					e->source = c->pipe_index > 0 ? "pipe" : "stdin";
				else
					fx_source_path(x, e, src);
			} else if (is_s3(src) && !is_s3(dst)) {
				struct av_effect *e = fx_push(x, AV_FX_NET_FETCH);
				fx_host(x, e, src, true);
				if (!streq(dst, "-"))
					fx_write(x, dst, fl, "download");
			}
			if (is_s3(dst) && streq(op, "sync") &&
			    has_opt(c, 1, "--delete")) {
				struct av_effect *e = destroy(
				        x, false, true,
				        av_arena_printf(x->arena,
				                        "aws s3 sync --delete removes "
				                        "objects from %s",
				                        dst));
				fx_host(x, e, dst, true);
			}
		}
		return;
	}
	static const char *const whole_ops[] = {
		"delete-bucket",      "delete-stack",       "delete-table",
		"delete-db-instance", "delete-db-cluster",  "delete-cluster",
		"delete-repository",  "delete-file-system", "delete-global-table",
		"delete-backup-vault"
	};
	if ((strncmp(op, "delete-", 7) == 0 || strncmp(op, "terminate-", 10) == 0 ||
	     strncmp(op, "remove-", 7) == 0 || strncmp(op, "purge-", 6) == 0 ||
	     streq(op, "empty-bucket")) &&
	    !dry) {
		destroy(x, in_set(op, whole_ops, COUNT(whole_ops)), false,
		        av_arena_printf(x->arena, "aws %s %s", svc, op));
		return;
	}
	static const char *const iam_grants[] = {
		"attach-user-policy", "attach-role-policy",   "attach-group-policy",
		"put-user-policy",    "put-role-policy",      "put-group-policy",
		"add-user-to-group",  "create-login-profile", "update-assume-role-policy"
	};
	if (streq(svc, "iam") && in_set(op, iam_grants, COUNT(iam_grants))) {
		grant(x, av_arena_printf(x->arena, "grants cloud permissions: aws iam %s",
		                         op));
		return;
	}
	if ((streq(svc, "secretsmanager") && streq(op, "get-secret-value")) ||
	    (streq(svc, "ssm") && strncmp(op, "get-parameter", 13) == 0 &&
	     has_opt(c, 1, "--with-decryption")) ||
	    (streq(svc, "iam") && streq(op, "create-access-key")) ||
	    (streq(svc, "kms") && streq(op, "decrypt")) ||
	    (streq(svc, "configure") &&
	     (streq(op, "export-credentials") ||
	      (streq(op, "get") && w.n > 2 && strstr(w.v[2], "secret")))) ||
	    (streq(svc, "sts") && streq(op, "get-session-token")))
		cred(x, av_arena_printf(x->arena, "aws %s %s returns a secret", svc, op));
}

static void h_gcloud(struct fx_ctx *x)
{
	static const char *const val[] = { "project", "zone",
		                           "region",  "format",
		                           "account", "configuration",
		                           "filter",  "impersonate-service-account",
		                           "secret" };
	const struct av_command *c = x->c;
	struct words w;
	positionals(c, 1, val, COUNT(val), "", &w);
	if (w.n < 2)
		return;
	bool quiet = has_opt(c, 1, "--quiet") || has_short(c, 1, 'q');
	/* Project or instance metadata ssh-keys are installed on every VM as
	 * authorized keys. */
	for (uint32_t i = 1; i < w.n; i++)
		if (streq(w.v[i], "add-metadata")) {
			for (uint32_t k = 1; k < c->argc; k++)
				if (strstr(c->argv[k], "ssh-keys") ||
				    strstr(c->argv[k], "sshKeys")) {
					struct av_effect *p = fx_push(x, AV_FX_PERSIST);
					p->mechanism = "ssh-authorized-keys";
					p->detail = "gcloud adds SSH keys to instance "
					            "metadata";
					return;
				}
		}
	for (uint32_t i = 1; i < w.n; i++) {
		if (streq(w.v[i], "delete")) {
			static const char *const whole[] = { "projects", "clusters",
				                             "instances", "buckets",
				                             "databases" };
			destroy(x, in_set(w.v[i - 1], whole, COUNT(whole)), quiet,
			        joined(x, &w, 0, i + 2));
			return;
		}
	}
	for (uint32_t i = 1; i < w.n; i++)
		if (streq(w.v[i], "add-iam-policy-binding") ||
		    streq(w.v[i], "set-iam-policy")) {
			grant(x, av_arena_printf(x->arena, "grants cloud permissions: %s",
			                         joined(x, &w, 0, i + 1)));
			return;
		}
	if ((streq(w.v[0], "secrets") && w.n > 2 && streq(w.v[1], "versions") &&
	     streq(w.v[2], "access")) ||
	    (streq(w.v[0], "auth") && (streq(w.v[1], "print-access-token") ||
	                               streq(w.v[1], "print-identity-token"))) ||
	    (streq(w.v[0], "iam") && w.n > 2 && streq(w.v[1], "service-accounts") &&
	     streq(w.v[2], "keys") && w.n > 3 && streq(w.v[3], "create")))
		cred(x, av_arena_printf(x->arena, "%s returns a secret",
		                        joined(x, &w, 0, 4)));
	if (streq(w.v[0], "storage") && (streq(w.v[1], "rm") || streq(w.v[1], "rb")))
		destroy(x, has_short(c, 1, 'r') || has_opt(c, 1, "--recursive"), quiet,
		        joined(x, &w, 0, 3));
}

static void h_az(struct fx_ctx *x)
{
	static const char *const val[] = { "name",   "resource-group", "subscription",
		                           "output", "query",          "vault-name",
		                           "id",     "location" };
	const struct av_command *c = x->c;
	struct words w;
	positionals(c, 1, val, COUNT(val), "gno", &w);
	if (w.n < 2)
		return;
	bool yes = has_opt(c, 1, "--yes") || has_short(c, 1, 'y');
	for (uint32_t i = 1; i < w.n; i++)
		if (streq(w.v[i], "delete") || streq(w.v[i], "purge")) {
			destroy(x, streq(w.v[0], "group") || streq(w.v[i - 1], "account"),
			        yes, joined(x, &w, 0, i + 1));
			return;
		}
	if (w.n > 2 && streq(w.v[0], "role") && streq(w.v[1], "assignment") &&
	    streq(w.v[2], "create")) {
		grant(x, "grants cloud permissions: az role assignment create");
		return;
	}
	if ((streq(w.v[0], "keyvault") && w.n > 2 &&
	     (streq(w.v[1], "secret") || streq(w.v[1], "key") ||
	      streq(w.v[1], "certificate")) &&
	     (streq(w.v[2], "show") || streq(w.v[2], "download"))) ||
	    (streq(w.v[0], "account") && streq(w.v[1], "get-access-token")))
		cred(x, av_arena_printf(x->arena, "%s returns a secret",
		                        joined(x, &w, 0, 3)));
}

static void h_iac(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	struct words w;
	static const char *const val[] = { "stack", "target", "var", "var-file",
		                           "chdir" };
	positionals(c, 1, val, COUNT(val), "s", &w);
	if (w.n == 0)
		return;
	bool pulumi = streq(x->name, "pulumi");
	bool force = has_opt(c, 1, "-auto-approve") || has_opt(c, 1, "--auto-approve") ||
	             has_opt(c, 1, "--yes") || has_short(c, 1, 'y') ||
	             has_opt(c, 1, "--force");
	const char *verb = w.v[0];
	if (streq(verb, "run-all") && w.n > 1) /* terragrunt run-all destroy */
		verb = w.v[1];
	bool targeted = has_opt(c, 1, "-target") || has_opt(c, 1, "--target");
	if (streq(verb, "destroy") ||
	    (streq(verb, "apply") &&
	     (has_opt(c, 1, "-destroy") || has_opt(c, 1, "--destroy"))) ||
	    (pulumi && streq(verb, "stack") && w.n > 1 && streq(w.v[1], "rm")))
		destroy(x, !targeted, force,
		        av_arena_printf(x->arena, "%s %s destroys %s", x->name, verb,
		                        targeted ? "the targeted resources"
		                                 : "every resource it manages"));
	else if ((streq(verb, "apply") || streq(verb, "up")) && force &&
	         !has_opt(c, 1, "-refresh-only"))
		/* Without the plan in front of a human, an apply replaces or
		 * deletes whatever the configuration no longer matches. */
		destroy(x, false, true,
		        av_arena_printf(x->arena,
		                        "%s %s applies infrastructure changes without "
		                        "reviewing the plan (it may replace or delete "
		                        "resources)",
		                        x->name, verb));
}

/* ---- database clients --------------------------------------------------- */

/* Skips blanks and SQL comments. */
static const char *sql_skip(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '(')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			s = e ? e + 2 : s + strlen(s);
			continue;
		}
		return s;
	}
}

/* Copies the next keyword (letters, digits, _) into kw, uppercased. */
static const char *sql_word(const char *s, char *kw, size_t cap)
{
	s = sql_skip(s);
	size_t n = 0;
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	       (*s >= '0' && *s <= '9') || *s == '_' || *s == '"' || *s == '`' ||
	       *s == '.') {
		if (n + 1 < cap)
			kw[n++] = (char)((*s >= 'a' && *s <= 'z') ? *s - 32 : *s);
		s++;
	}
	kw[n] = '\0';
	return s;
}

/* True when the statement [s, end) has the keyword WHERE outside quotes. */
static bool sql_has_where(const char *s, const char *end)
{
	char q = 0;
	for (const char *p = s; p < end; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`') {
			q = *p;
			continue;
		}
		if ((p == s || !((p[-1] >= 'A' && p[-1] <= 'Z') ||
		                 (p[-1] >= 'a' && p[-1] <= 'z') || p[-1] == '_')) &&
		    strncasecmp(p, "where", 5) == 0 && end - p >= 5 &&
		    !((p[5] >= 'A' && p[5] <= 'Z') || (p[5] >= 'a' && p[5] <= 'z') ||
		      p[5] == '_'))
			return true;
	}
	return false;
}

/* Classifies each statement of sql and emits data.destroy for DROP,
 * TRUNCATE, and DELETE/UPDATE without WHERE. A small keyword scanner, not
 * a parser: statements are split at semicolons outside quotes. */
static void sql_effects(struct fx_ctx *x, const char *sql, const char *host,
                        const char *dbfile)
{
	const char *s = sql;
	for (int guard = 0; *s && guard < 256; guard++) {
		/* the end of this statement */
		const char *e = s;
		char q = 0;
		for (; *e; e++) {
			if (q) {
				if (*e == q)
					q = 0;
			} else if (*e == '\'' || *e == '"' || *e == '`') {
				q = *e;
			} else if (*e == ';') {
				break;
			}
		}
		char k1[24], k2[24], k3[64];
		const char *p = sql_word(s, k1, sizeof(k1));
		p = sql_word(p, k2, sizeof(k2));
		sql_word(p, k3, sizeof(k3));
		const char *what = NULL;
		bool whole = false;
		if (streq(k1, "DROP")) {
			whole = streq(k2, "DATABASE") || streq(k2, "SCHEMA") ||
			        streq(k2, "TABLE") || streq(k2, "KEYSPACE");
			what = av_arena_printf(x->arena, "DROP %s %s", k2, k3);
		} else if (streq(k1, "TRUNCATE")) {
			whole = true;
			what = av_arena_printf(x->arena, "TRUNCATE %s",
			                       streq(k2, "TABLE") ? k3 : k2);
		} else if ((streq(k1, "DELETE") || streq(k1, "UPDATE")) &&
		           !sql_has_where(s, e)) {
			whole = true;
			what = av_arena_printf(x->arena,
			                       "%s without WHERE (every row of %s)", k1,
			                       streq(k1, "DELETE") ? k3 : k2);
		} else if (streq(k1, "ALTER") && strstr(s, "DROP") &&
		           strstr(s, "DROP") < e) {
			what = av_arena_printf(x->arena, "ALTER %s %s ... DROP", k2, k3);
		}
		if (what) {
			struct av_effect *d =
			        host || !dbfile ? destroy(x, whole, false, what) : NULL;
			if (d) {
				d->host = host ? host : "localhost";
				d->host_class = av_host_classify(d->host);
			} else {
				d = fx_path(x, AV_FX_DATA_DESTROY, dbfile, 0);
				d->binary = x->name;
				d->flags |= whole ? AV_FXF_RECURSIVE : 0;
				d->detail = what;
			}
		}
		s = *e ? e + 1 : e;
	}
}

/* The here-document or here-string a command reads, or NULL. */
static const char *stdin_text(const struct av_command *c)
{
	for (uint32_t i = c->nredirs; i-- > 0;) {
		const struct av_redir *r = &c->redirs[i];
		if (r->fd == 0 &&
		    (r->op == AV_REDIR_HEREDOC || r->op == AV_REDIR_HERESTRING))
			return r->target;
	}
	return NULL;
}

/* psql, mysql/mariadb, sqlite3, clickhouse-client. */
static void h_sql(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool psql = streq(x->name, "psql");
	bool sqlite = strncmp(x->name, "sqlite", 6) == 0;
	const char *host = NULL, *dbfile = NULL;
	const char *stmts[16];
	uint32_t ns = 0;
	bool done = false;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *next = i + 1 < c->argc ? c->argv[i + 1] : NULL;
		if (!done && streq(a, "--")) {
			done = true;
			continue;
		}
		if (!done && a[0] == '-' && a[1]) {
			const char *eq = strchr(a, '=');
			if (strncmp(a, "--command", 9) == 0 ||
			    strncmp(a, "--execute", 9) == 0 ||
			    strncmp(a, "--query", 7) == 0) {
				const char *v = eq ? eq + 1 : next;
				if (!eq)
					i++;
				if (v && ns < COUNT(stmts))
					stmts[ns++] = v;
			} else if (strncmp(a, "--host", 6) == 0) {
				host = eq ? eq + 1 : next;
				if (!eq)
					i++;
			} else if (sqlite && (streq(a, "-cmd"))) {
				if (next && ns < COUNT(stmts))
					stmts[ns++] = next;
				i++;
			} else if (a[1] == '-') {
				if (!eq && next && next[0] != '-' && !psql && !sqlite &&
				    (strncmp(a, "--user", 6) == 0 ||
				     strncmp(a, "--database", 10) == 0 ||
				     strncmp(a, "--port", 6) == 0))
					i++;
			} else if ((psql && a[1] == 'c') ||
			           (!psql && !sqlite && a[1] == 'e')) {
				const char *v = a[2] ? a + 2 : next;
				if (!a[2])
					i++;
				if (v && ns < COUNT(stmts))
					stmts[ns++] = v;
			} else if (a[1] == 'h' && !sqlite) {
				host = a[2] ? a + 2 : next;
				if (!a[2])
					i++;
			} else if (!sqlite && a[2] == '\0' &&
			           strchr(psql ? "dfUpvoLFRPT" : "uDPSh", a[1])) {
				i++; /* an option with a separate value (mysql -p is
				        attached) */
			}
			continue;
		}
		if (sqlite) {
			if (!dbfile)
				dbfile = a;
			else if (ns < COUNT(stmts))
				stmts[ns++] = a;
		}
	}
	const char *in = stdin_text(c);
	if (in && ns < COUNT(stmts))
		stmts[ns++] = in;
	if (sqlite && !dbfile)
		dbfile = ":memory:";
	if (sqlite && streq(dbfile, ":memory:"))
		return; /* nothing persistent to destroy */
	if (sqlite)     /* the database file is read: a browser store, say */
		fx_path(x, AV_FX_FS_READ, dbfile, 0);
	for (uint32_t i = 0; i < ns; i++)
		sql_effects(x, stmts[i], sqlite ? NULL : host, sqlite ? dbfile : NULL);
}

static void h_redis(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *host = "127.0.0.1";
	uint32_t i = 1;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] != '-')
			break;
		if (streq(a, "-h") && i + 1 < c->argc)
			host = c->argv[++i];
		else if (streq(a, "-u") && i + 1 < c->argc) {
			const char *u = c->argv[++i];
			if (strstr(u, "://"))
				host = u;
		} else if (a[2] == '\0' && strchr("pansrid", a[1]) && i + 1 < c->argc)
			i++;
		else if (strncmp(a, "--", 2) == 0 && !strchr(a, '=') && i + 1 < c->argc &&
		         (streq(a, "--user") || streq(a, "--pass") ||
		          streq(a, "--cacert") || streq(a, "--cert") ||
		          streq(a, "--key") || streq(a, "--sni")))
			i++;
	}
	if (i >= c->argc)
		return;
	const char *cmd = c->argv[i];
	struct av_effect *e = NULL;
	if (ieq(cmd, "FLUSHALL") || ieq(cmd, "FLUSHDB"))
		e = destroy(x, true, false,
		            av_arena_printf(x->arena, "redis %s deletes every key", cmd));
	else if (ieq(cmd, "CONFIG") && i + 1 < c->argc && ieq(c->argv[i + 1], "SET"))
		e = fx_push(x, AV_FX_CONFIG_TAMPER),
		e->detail = av_arena_printf(x->arena, "redis CONFIG SET %s",
		                            i + 2 < c->argc ? c->argv[i + 2] : "");
	if (e) {
		const char *h =
		        strstr(host, "://") ? av_host_from_url(host, x->arena) : host;
		e->host = h;
		e->host_class = av_host_classify(h);
	}
}

static void h_mongo(struct fx_ctx *x)
{
	const char *code = NULL;
	for (uint32_t i = 1; i < x->c->argc; i++)
		if (streq(x->c->argv[i], "--eval") && i + 1 < x->c->argc)
			code = x->c->argv[++i];
	if (!code)
		code = stdin_text(x->c);
	if (!code)
		return;
	static const char *const calls[] = { "dropDatabase(", ".drop(", "deleteMany({})",
		                             "remove({})", "dropAllUsers(" };
	for (size_t k = 0; k < COUNT(calls); k++)
		if (strstr(code, calls[k])) {
			destroy(x, true, false,
			        av_arena_printf(x->arena, "mongo %.*s",
			                        (int)strlen(calls[k]) - 1, calls[k]));
			return;
		}
}

/* ---- secret stores and token printers ----------------------------------- */

static void h_gh(struct fx_ctx *x)
{
	static const char *const val[] = { "repo",        "hostname", "desc",
		                           "description", "filename", "jq",
		                           "template" };
	const struct av_command *c = x->c;
	struct words w;
	positionals(c, 1, val, COUNT(val), "Rhdfq", &w);
	if (w.n < 2)
		return;
	if (streq(w.v[0], "auth") &&
	    (streq(w.v[1], "token") ||
	     (streq(w.v[1], "status") &&
	      (has_short(c, 1, 't') || has_opt(c, 1, "--show-token")))))
		cred(x, "gh prints the GitHub token");
	else if (streq(w.v[0], "gist") &&
	         (streq(w.v[1], "create") || streq(w.v[1], "new"))) {
		for (uint32_t i = 2; i < w.n; i++) {
			struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
			fx_host(x, e, "gist.github.com", false);
			if (streq(w.v[i], "-"))
				e->source = c->pipe_index > 0 ? "pipe" : "stdin";
			else
				fx_source_path(x, e, w.v[i]);
			e->detail = has_opt(c, 1, "--public") || has_short(c, 1, 'p')
			                    ? "gh gist create --public publishes the file"
			                    : "gh gist create uploads the file";
			if (!streq(w.v[i], "-"))
				fx_path(x, AV_FX_FS_READ, w.v[i], 0);
		}
	} else if (streq(w.v[0], "repo") && streq(w.v[1], "delete")) {
		destroy(x, true, has_opt(c, 1, "--yes"), joined(x, &w, 0, 3));
	} else if (streq(w.v[0], "secret") && streq(w.v[1], "list")) {
		return;
	}
}

static void h_vault(struct fx_ctx *x)
{
	static const char *const val[] = { "format", "field", "mount", "address",
		                           "namespace" };
	struct words w;
	positionals(x->c, 1, val, COUNT(val), "", &w);
	if (w.n == 0)
		return;
	const char *v0 = w.v[0], *v1 = w.n > 1 ? w.v[1] : "";
	if ((streq(v0, "kv") && (streq(v1, "get") || streq(v1, "read"))) ||
	    streq(v0, "read") || (streq(v0, "token") && streq(v1, "create")) ||
	    streq(v0, "unwrap"))
		cred(x,
		     av_arena_printf(x->arena, "%s reads a secret", joined(x, &w, 0, 3)));
	else if ((streq(v0, "kv") && (streq(v1, "delete") || streq(v1, "destroy") ||
	                              streq(v1, "metadata"))) ||
	         streq(v0, "delete"))
		destroy(x, streq(v1, "metadata"), false, joined(x, &w, 0, 4));
}

/* pass, gopass, op, bw, security, secret-tool: password managers. */
static void h_passwords(struct fx_ctx *x)
{
	struct words w;
	positionals(x->c, 1, NULL, 0, "", &w);
	const char *v0 = w.n > 0 ? w.v[0] : "";
	const char *v1 = w.n > 1 ? w.v[1] : "";
	bool read = false;
	if (streq(x->name, "pass") || streq(x->name, "gopass"))
		read = streq(v0, "show") || streq(v0, "cat") ||
		       (w.n == 1 && !streq(v0, "ls") && !streq(v0, "list") &&
		        !streq(v0, "init") && !streq(v0, "git") && !streq(v0, "find") &&
		        !streq(v0, "grep") && !streq(v0, "version") &&
		        !streq(v0, "help"));
	else if (streq(x->name, "op"))
		read = streq(v0, "read") ||
		       ((streq(v0, "item") || streq(v0, "document")) && streq(v1, "get"));
	else if (streq(x->name, "bw"))
		read = streq(v0, "get") || streq(v0, "export");
	else if (streq(x->name, "security"))
		read = strncmp(v0, "find-", 5) == 0
		               ? (has_short(x->c, 1, 'w') || has_short(x->c, 1, 'g'))
		               : streq(v0, "dump-keychain") || streq(v0, "export");
	else if (streq(x->name, "secret-tool"))
		read = streq(v0, "lookup") || streq(v0, "search");
	if (read)
		cred(x, av_arena_printf(x->arena, "%s reads a stored password", x->name));
}

static void h_gpg(struct fx_ctx *x)
{
	for (uint32_t i = 1; i < x->c->argc; i++) {
		const char *a = x->c->argv[i];
		if (strncmp(a, "--export-secret-keys", 20) == 0 ||
		    strncmp(a, "--export-secret-subkeys", 23) == 0 ||
		    streq(a, "--export-ssh-key")) {
			cred(x, "gpg exports private keys");
			return;
		}
	}
}

/* printenv, env (with no command): dumping the environment is a credential
 * read when a secret-looking variable is named, or the output is filtered
 * for secret-looking names. */
static bool secretish(const char *s)
{
	static const char *const words[] = { "key",  "token", "secret", "pass",
		                             "cred", "auth",  "aws_",   "api" };
	for (const char *p = s; *p; p++)
		for (size_t k = 0; k < COUNT(words); k++)
			if (strncasecmp(p, words[k], strlen(words[k])) == 0)
				return true;
	return false;
}

static void h_printenv(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (streq(x->name, "env")) {
		/* env with a command runs it (unwrapped by the shell analysis). */
		for (uint32_t i = 1; i < c->argc; i++)
			if (c->argv[i][0] != '-' && !strchr(c->argv[i], '='))
				return;
	}
	for (uint32_t i = 1; i < c->argc; i++)
		if (c->argv[i][0] != '-' && !strchr(c->argv[i], '=') &&
		    secretish(c->argv[i])) {
			cred(x, av_arena_printf(x->arena, "prints the variable %s",
			                        c->argv[i]));
			return;
		}
	/* the next stage of the pipeline: a filter for secret-looking names */
	if (c->pipe_index + 1 >= c->pipe_len)
		return;
	for (uint32_t j = x->idx + 1; j < x->sh->ncmds; j++) {
		const struct av_command *n = &x->sh->cmds[j];
		if (n->pipeline != c->pipeline || n->pipe_index != c->pipe_index + 1)
			continue;
		if (n->argc == 0)
			return;
		const char *nm = av_shell_basename(n->argv[0]);
		if (!streq(nm, "grep") && !streq(nm, "egrep") && !streq(nm, "rg") &&
		    !streq(nm, "awk") && !streq(nm, "sed") && !streq(nm, "fgrep"))
			return;
		for (uint32_t k = 1; k < n->argc; k++)
			if (secretish(n->argv[k])) {
				cred(x, "reads secret-looking environment variables");
				return;
			}
		return;
	}
}

/* ---- archives ----------------------------------------------------------- */

static const char *const tar_val[] = { "file",
	                               "directory",
	                               "files-from",
	                               "exclude",
	                               "exclude-from",
	                               "transform",
	                               "owner",
	                               "group",
	                               "mode",
	                               "mtime",
	                               "format",
	                               "blocking-factor",
	                               "use-compress-program",
	                               "to-command",
	                               "label",
	                               "newer",
	                               "after-date",
	                               "strip-components",
	                               "checkpoint-action",
	                               "info-script",
	                               "new-volume-script",
	                               "rsh-command",
	                               "record-size",
	                               "tape-length" };

static void h_tar(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	char mode = 0;
	const char *archive = NULL, *dir = NULL;
	const char *paths[64];
	uint32_t np = 0;
	uint32_t i = 1;
	/* Old style: the first word is a bundle of letters without a dash, and
	 * its f/C/T/b letters take the following words in order. */
	const char *pend = "";
	char pending[8];
	size_t npend = 0;
	if (c->argc > 1 && c->argv[1][0] != '-') {
		for (const char *p = c->argv[1]; *p; p++) {
			if (strchr("cxtru", *p))
				mode = *p == 'u' || *p == 'r' ? 'c' : *p;
			if (strchr("fCTbXIN", *p) && npend < sizeof(pending))
				pending[npend++] = *p;
		}
		i = 2;
		for (size_t k = 0; k < npend && i < c->argc; k++, i++) {
			if (pending[k] == 'f')
				archive = c->argv[i];
			else if (pending[k] == 'C')
				dir = c->argv[i];
		}
	}
	(void)pend;
	bool done = false;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (!done && streq(a, "--")) {
			done = true;
			continue;
		}
		if (!done && a[0] == '-' && a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			char name[32];
			if (n >= sizeof(name))
				continue;
			memcpy(name, a + 2, n);
			name[n] = '\0';
			const char *v = eq ? eq + 1 : NULL;
			if (!eq && in_set(name, tar_val, COUNT(tar_val)) &&
			    i + 1 < c->argc)
				v = c->argv[++i];
			if (streq(name, "create") || streq(name, "append") ||
			    streq(name, "update"))
				mode = 'c';
			else if (streq(name, "extract") || streq(name, "get"))
				mode = 'x';
			else if (streq(name, "list"))
				mode = 't';
			else if (streq(name, "file"))
				archive = v;
			else if (streq(name, "directory"))
				dir = v;
			continue;
		}
		if (!done && a[0] == '-' && a[1]) {
			for (const char *p = a + 1; *p; p++) {
				if (strchr("cxtru", *p))
					mode = *p == 'u' || *p == 'r' ? 'c' : *p;
				if (strchr("fCTbXIN", *p)) {
					const char *v =
					        p[1] ? p + 1
					             : (i + 1 < c->argc ? c->argv[++i]
					                                : NULL);
					if (*p == 'f')
						archive = v;
					else if (*p == 'C')
						dir = v;
					break;
				}
			}
			continue;
		}
		if (np < COUNT(paths))
			paths[np++] = a;
	}
	struct av_context sub;
	const struct av_context *saved = x->ctx;
	if (mode == 'c') {
		for (uint32_t k = 0; k < np; k++) {
			if (dir) {
				sub = *saved;
				sub.cwd = av_path_resolve(dir, saved, x->arena);
				x->ctx = &sub;
			}
			fx_path(x, AV_FX_FS_READ, paths[k], AV_FXF_RECURSIVE)->detail =
			        "archived";
			x->ctx = saved;
		}
		if (archive && !streq(archive, "-"))
			fx_write(x, archive, 0, "archive");
	} else if (mode == 'x') {
		if (archive && !streq(archive, "-"))
			fx_path(x, AV_FX_FS_READ, archive, 0);
		fx_write(x, dir ? dir : (x->ctx && x->ctx->cwd ? x->ctx->cwd : "."),
		         AV_FXF_RECURSIVE, "extracts an archive");
	} else if (mode == 't') {
		if (archive && !streq(archive, "-"))
			fx_path(x, AV_FX_FS_READ, archive, 0);
	}
}

/* zip [-r] ARCHIVE FILE...; 7z a ARCHIVE FILE... */
static void h_zip(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool seven = x->name[0] == '7';
	uint32_t i = 1;
	if (seven) {
		if (c->argc < 3 || !streq(c->argv[1], "a"))
			return;
		i = 2;
	}
	const char *archive = NULL;
	uint32_t rec = seven ? AV_FXF_RECURSIVE : 0;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-' && a[1]) {
			if (!seven && a[1] != '-' && strchr(a + 1, 'r'))
				rec = AV_FXF_RECURSIVE;
			if (!seven && (streq(a, "-x") || streq(a, "-i"))) {
				while (i + 1 < c->argc && c->argv[i + 1][0] != '-')
					i++;
			} else if (!seven && a[2] == '\0' && strchr("bntPZ", a[1])) {
				i++;
			}
			continue;
		}
		if (!archive) {
			archive = a;
			fx_write(x, a, 0, "archive");
			continue;
		}
		fx_path(x, AV_FX_FS_READ, a, rec)->detail = "archived";
	}
}

/* ---- exposure ----------------------------------------------------------- */

static struct av_effect *expose(struct fx_ctx *x, const char *detail)
{
	struct av_effect *e = fx_push(x, AV_FX_NET_EXPOSE);
	e->binary = x->name;
	e->detail = detail;
	return e;
}

/* ngrok, cloudflared, lt/localtunnel, bore: publish a local port or
 * directory to the internet through a relay. */
static void h_tunnel(struct fx_ctx *x)
{
	struct words w;
	positionals(x->c, 1, NULL, 0, "", &w);
	const char *v0 = w.n > 0 ? w.v[0] : "";
	if (streq(x->name, "ngrok")) {
		if (!streq(v0, "http") && !streq(v0, "tcp") && !streq(v0, "tls") &&
		    !streq(v0, "start") && !streq(v0, "tunnel"))
			return;
	} else if (streq(x->name, "cloudflared")) {
		if (!streq(v0, "tunnel") && !streq(v0, "access"))
			return;
		if (w.n > 1 && (streq(w.v[1], "list") || streq(w.v[1], "login") ||
		                streq(w.v[1], "info")))
			return;
	} else if (streq(x->name, "bore")) {
		if (!streq(v0, "local"))
			return;
	}
	struct av_effect *e =
	        expose(x, av_arena_printf(x->arena,
	                                  "%s publishes a local service (%s) to "
	                                  "the internet",
	                                  x->name, w.n > 1 ? w.v[w.n - 1] : v0));
	const char *to = opt_value(x->c, 1, "--to");
	if (to)
		fx_host(x, e, to, false);
}

/* busybox httpd / httpd -h DIR: serves DIR (default: the current one). */
static void h_httpd(struct fx_ctx *x)
{
	const char *dir = opt_value(x->c, 1, "-h");
	struct av_effect *e =
	        fx_path(x, AV_FX_NET_EXPOSE,
	                dir ? dir : (x->ctx && x->ctx->cwd ? x->ctx->cwd : "."), 0);
	e->binary = x->name;
	e->detail = "httpd serves a directory over HTTP";
}

/* ---- processes ---------------------------------------------------------- */

/* kill [-s SIG | -SIG | -n SIG] PID...: pid -1 signals every process the
 * user may signal; pid 1 is init. killall5 signals every process. */
static void h_kill(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (streq(x->name, "killall5")) {
		fx_push(x, AV_FX_RESOURCE)->detail = "killall5 signals every process";
		return;
	}
	bool sig_seen = false, list = false;
	/* Targets named outright (a pid, a job %N) are the user's own
	 * process; pids computed at run time ($(lsof -t ...), xargs) are
	 * whatever holds the port then, unseen now. */
	bool named = false, unseen = false;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "--")) {
			sig_seen = true;
			continue;
		}
		if (streq(a, "-l") || streq(a, "-L") || streq(a, "--list") ||
		    streq(a, "--table"))
			list = true;
		if (streq(a, "-s") || streq(a, "-n") || streq(a, "--signal")) {
			i++;
			sig_seen = true;
			continue;
		}
		if (a[0] == '-' && !sig_seen && a[1] && !streq(a, "-1")) {
			sig_seen = true; /* -9, -KILL, -SIGTERM */
			continue;
		}
		if (list)
			return;
		if (streq(a, "-1")) {
			struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
			e->binary = x->name;
			e->detail = "kill -1 signals every process the user can reach";
			return;
		}
		if (streq(a, "1")) {
			struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
			e->binary = x->name;
			e->detail = "signals init (pid 1)";
			return;
		}
		sig_seen = true;
		bool digits = a[0] != '\0';
		for (const char *p = a[0] == '%' ? a + 1 : a; *p; p++)
			digits = digits && *p >= '0' && *p <= '9';
		named = named || digits;
		unseen = unseen || !digits;
	}
	fx_push(x, AV_FX_SYS_CONFIG)->detail =
	        named && !unseen ? "signals the named process" : "signals processes";
}

/* Sorted by name (strcmp order): knowledge.c looks names up here when its
 * own table has no entry. */
const struct fx_handler_entry av_infra_handlers[] = {
	{ "7z", h_zip },
	{ "7za", h_zip },
	{ "aws", h_aws },
	{ "az", h_az },
	{ "bore", h_tunnel },
	{ "bw", h_passwords },
	{ "clickhouse-client", h_sql },
	{ "cloudflared", h_tunnel },
	{ "docker", h_container },
	{ "env", h_printenv },
	{ "gcloud", h_gcloud },
	{ "gh", h_gh },
	{ "gopass", h_passwords },
	{ "gpg", h_gpg },
	{ "gpg2", h_gpg },
	{ "helm", h_helm },
	{ "httpd", h_httpd },
	{ "kill", h_kill },
	{ "killall5", h_kill },
	{ "kubectl", h_kubectl },
	{ "lt", h_tunnel },
	{ "mariadb", h_sql },
	{ "mongo", h_mongo },
	{ "mongosh", h_mongo },
	{ "mysql", h_sql },
	{ "nerdctl", h_container },
	{ "ngrok", h_tunnel },
	{ "oc", h_kubectl },
	{ "op", h_passwords },
	{ "pass", h_passwords },
	{ "podman", h_container },
	{ "printenv", h_printenv },
	{ "psql", h_sql },
	{ "pulumi", h_iac },
	{ "redis-cli", h_redis },
	{ "secret-tool", h_passwords },
	{ "security", h_passwords },
	{ "sqlite3", h_sql },
	{ "tar", h_tar },
	{ "terraform", h_iac },
	{ "terragrunt", h_iac },
	{ "tofu", h_iac },
	{ "vault", h_vault },
	{ "zip", h_zip },
};
const size_t av_infra_handlers_count = COUNT(av_infra_handlers);
