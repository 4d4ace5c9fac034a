/* kind_k8s.c - effects of kubernetes actions: a verb on a resource, and
 * the manifest applied.
 *
 * The verb, resource, name and namespace are what kubectl would be given,
 * so they go to the shell stage as that kubectl command line and the
 * cluster knowledge of src/effects/infra.c judges them (deletes, drains,
 * scaling to zero, role bindings), exactly as for the command typed in a
 * shell. A delete given as a manifest becomes one kubectl delete per
 * object in it, so a one-Deployment manifest is not judged as "delete -f"
 * of anything.
 *
 * The manifest itself (YAML, read with libyaml) is what kubectl cannot
 * show on a command line: pods that are root on the node (privileged
 * containers, hostPID/hostIPC, host paths such as / or the runtime socket,
 * dangerous capabilities), hostNetwork, role bindings to cluster-admin,
 * roles that allow every verb on every resource, and CronJobs (code on a
 * schedule). A manifest that does not parse is opaque. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "kind_internal.h"

#define K8S_MAX_DOCS    64
#define K8S_MAX_OBJECTS 64

struct manifest {
	yaml_document_t doc;
};

static yaml_node_t *node(yaml_document_t *d, int i)
{
	return i > 0 ? yaml_document_get_node(d, i) : NULL;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n != NULL && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.length == strlen(s) &&
	       strncmp((const char *)n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++)
		if (scalar_is(node(d, p->key), key))
			return node(d, p->value);
	return NULL;
}

/* A path of keys from m. */
static yaml_node_t *path(yaml_document_t *d, yaml_node_t *m, const char *const *keys)
{
	for (; m != NULL && *keys != NULL; keys++)
		m = get(d, m, *keys);
	return m;
}

static const char *scalar(struct kind_x *x, const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return av_arena_strndup(x->fx.arena, (const char *)n->data.scalar.value,
	                        n->data.scalar.length);
}

static bool is_true(const yaml_node_t *n)
{
	return scalar_is(n, "true") || scalar_is(n, "True") || scalar_is(n, "TRUE") ||
	       scalar_is(n, "yes") || scalar_is(n, "on");
}

static struct av_effect *escape(struct kind_x *x, const char *detail, const char *p)
{
	struct av_effect *e =
	        p ? fx_path(&x->fx, AV_FX_PRIV, p, 0) : fx_push(&x->fx, AV_FX_PRIV);
	e->binary = "kubectl";
	e->detail = detail;
	return e;
}

/* Capabilities that give a container the node (as for docker --cap-add). */
static const char *const escape_caps[] = { "ALL",        "SYS_ADMIN", "SYS_PTRACE",
	                                   "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH",
	                                   "SYS_BOOT",   "BPF",       "PERFMON" };

/* The registry host of an image reference ("docker.io" when none). */
static const char *image_host(struct kind_x *x, const char *image)
{
	const char *slash = image ? strchr(image, '/') : NULL;
	if (slash == NULL)
		return "docker.io";
	size_t n = (size_t)(slash - image);
	const char *first = av_arena_strndup(x->fx.arena, image, n);
	if (first &&
	    (strchr(first, '.') || strchr(first, ':') || strcmp(first, "localhost") == 0))
		return first;
	return "docker.io";
}

/* Mining pools in a container's command line: the workload is a miner,
 * whatever the image is called. */
static void miner_checks(struct kind_x *x, yaml_document_t *d, yaml_node_t *c,
                         const char *obj)
{
	static const char *const keys[] = { "command", "args" };
	for (size_t k = 0; k < 2; k++) {
		yaml_node_t *l = get(d, c, keys[k]);
		if (l == NULL || l->type != YAML_SEQUENCE_NODE)
			continue;
		for (yaml_node_item_t *it = l->data.sequence.items.start;
		     it < l->data.sequence.items.top; it++) {
			const char *v = scalar(x, node(d, *it));
			if (v &&
			    (strstr(v, "stratum+tcp://") || strstr(v, "stratum+ssl://") ||
			     strstr(v, "stratum2+tcp://"))) {
				struct av_effect *e = fx_push(&x->fx, AV_FX_RESOURCE);
				e->binary = "kubectl";
				e->detail = av_arena_printf(
				        x->fx.arena,
				        "%s connects to a mining pool (a miner)", obj);
				return;
			}
		}
	}
}

static void container_checks(struct kind_x *x, yaml_document_t *d, yaml_node_t *c,
                             const char *obj)
{
	const char *cname = scalar(x, get(d, c, "name"));
	miner_checks(x, d, c, obj);
	yaml_node_t *sc = get(d, c, "securityContext");
	if (is_true(get(d, sc, "privileged")))
		escape(x,
		       av_arena_printf(
		               x->fx.arena,
		               "container escape: privileged container %s in %s gets "
		               "the node's devices and capabilities",
		               cname ? cname : "?", obj),
		       NULL);
	static const char *const addk[] = { "capabilities", "add", NULL };
	yaml_node_t *add = path(d, sc, addk);
	if (add != NULL && add->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = add->data.sequence.items.start;
		     it < add->data.sequence.items.top; it++) {
			yaml_node_t *cap = node(d, *it);
			for (size_t k = 0;
			     k < sizeof(escape_caps) / sizeof(escape_caps[0]); k++) {
				char with[32];
				snprintf(with, sizeof(with), "CAP_%s", escape_caps[k]);
				if (scalar_is(cap, escape_caps[k]) ||
				    scalar_is(cap, with))
					escape(x,
					       av_arena_printf(x->fx.arena,
					                       "container escape: "
					                       "container %s in %s "
					                       "adds the %s capability",
					                       cname ? cname : "?", obj,
					                       escape_caps[k]),
					       NULL);
			}
		}
}

static void pod_checks(struct kind_x *x, yaml_document_t *d, yaml_node_t *spec,
                       const char *obj)
{
	if (spec == NULL || spec->type != YAML_MAPPING_NODE)
		return;
	static const char *const ns_keys[] = { "hostPID", "hostIPC" };
	for (size_t k = 0; k < 2; k++)
		if (is_true(get(d, spec, ns_keys[k])))
			escape(x,
			       av_arena_printf(
			               x->fx.arena,
			               "container escape: %s shares the node's %s "
			               "namespace (%s)",
			               obj, k == 0 ? "pid" : "ipc", ns_keys[k]),
			       NULL);
	if (is_true(get(d, spec, "hostNetwork")))
		escape(x,
		       av_arena_printf(
		               x->fx.arena,
		               "%s shares the node's network namespace (hostNetwork)",
		               obj),
		       NULL);
	static const char *const lists[] = { "containers", "initContainers",
		                             "ephemeralContainers" };
	for (size_t k = 0; k < 3; k++) {
		yaml_node_t *cs = get(d, spec, lists[k]);
		if (cs == NULL || cs->type != YAML_SEQUENCE_NODE)
			continue;
		for (yaml_node_item_t *it = cs->data.sequence.items.start;
		     it < cs->data.sequence.items.top; it++)
			container_checks(x, d, node(d, *it), obj);
	}
	yaml_node_t *vols = get(d, spec, "volumes");
	if (vols == NULL || vols->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = vols->data.sequence.items.start;
	     it < vols->data.sequence.items.top; it++) {
		static const char *const hp[] = { "hostPath", "path", NULL };
		const char *p = scalar(x, path(d, node(d, *it), hp));
		if (p == NULL || p[0] != '/')
			continue;
		/* Host paths are on the node: classified like a path here, the
		 * cautious reading (/ is the root, /etc is system, /var/run/
		 * docker.sock is the runtime). */
		const char *r = av_path_resolve(p, x->fx.ctx, x->fx.arena);
		enum av_path_class cls =
		        r ? av_path_classify(r, x->fx.ctx) : AV_PATH_UNKNOWN;
		const char *base = strrchr(p, '/');
		bool sock = base && (strcmp(base, "/docker.sock") == 0 ||
		                     strcmp(base, "/containerd.sock") == 0 ||
		                     strcmp(base, "/crio.sock") == 0 ||
		                     strcmp(base, "/podman.sock") == 0);
		if (sock)
			escape(x,
			       av_arena_printf(x->fx.arena,
			                       "container escape: %s mounts the "
			                       "container runtime "
			                       "socket %s, root on the node",
			                       obj, p),
			       p);
		else if (cls == AV_PATH_ROOT || cls == AV_PATH_SYSTEM ||
		         cls == AV_PATH_DEVICE || cls == AV_PATH_SECRET ||
		         cls == AV_PATH_PERSISTENCE || cls == AV_PATH_HOME)
			escape(x,
			       av_arena_printf(x->fx.arena,
			                       "container escape: %s mounts the node's "
			                       "%s path %s",
			                       obj, av_path_class_name(cls), p),
			       p);
		else if (cls != AV_PATH_WORKSPACE && cls != AV_PATH_TEMP)
			escape(x,
			       av_arena_printf(x->fx.arena,
			                       "%s mounts the node path %s (hostPath)",
			                       obj, p),
			       p);
	}
}

/* Where each workload kind keeps its pod spec. */
static const struct {
	const char *kind;
	const char *const keys[6];
} pod_specs[] = {
	{ "Pod", { "spec", NULL } },
	{ "Deployment", { "spec", "template", "spec", NULL } },
	{ "StatefulSet", { "spec", "template", "spec", NULL } },
	{ "DaemonSet", { "spec", "template", "spec", NULL } },
	{ "ReplicaSet", { "spec", "template", "spec", NULL } },
	{ "ReplicationController", { "spec", "template", "spec", NULL } },
	{ "Job", { "spec", "template", "spec", NULL } },
	{ "CronJob", { "spec", "jobTemplate", "spec", "template", "spec", NULL } },
	{ "PodTemplate", { "template", "spec", NULL } },
};

/* Roles that hand over a cluster or a namespace. */
static const char *const admin_roles[] = { "cluster-admin", "admin", "system:masters" };

static void rbac_checks(struct kind_x *x, yaml_document_t *d, yaml_node_t *root,
                        const char *kind, const char *obj)
{
	if (strcmp(kind, "ClusterRoleBinding") == 0 || strcmp(kind, "RoleBinding") == 0) {
		static const char *const rk[] = { "roleRef", "name", NULL };
		const char *role = scalar(x, path(d, root, rk));
		if (role == NULL)
			return;
		bool admin = false;
		for (size_t k = 0; k < sizeof(admin_roles) / sizeof(admin_roles[0]); k++)
			admin = admin || strcmp(role, admin_roles[k]) == 0;
		/* The first subject, for the reason. */
		yaml_node_t *subs = get(d, root, "subjects");
		const char *who = NULL;
		if (subs != NULL && subs->type == YAML_SEQUENCE_NODE &&
		    subs->data.sequence.items.start < subs->data.sequence.items.top)
			who = scalar(x, get(d, node(d, *subs->data.sequence.items.start),
			                    "name"));
		struct av_effect *e = admin ? fx_push(&x->fx, AV_FX_PRIV)
		                            : fx_push(&x->fx, AV_FX_SYS_CONFIG);
		e->binary = "kubectl";
		e->detail = av_arena_printf(
		        x->fx.arena, "grants cluster permissions: %s binds %s to %s", obj,
		        role, who ? who : "?");
		if (!admin)
			e->detail = av_arena_printf(x->fx.arena,
			                            "role binding: %s binds %s to %s",
			                            obj, role, who ? who : "?");
		return;
	}
	if (strcmp(kind, "ClusterRole") != 0 && strcmp(kind, "Role") != 0)
		return;
	yaml_node_t *rules = get(d, root, "rules");
	if (rules == NULL || rules->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = rules->data.sequence.items.start;
	     it < rules->data.sequence.items.top; it++) {
		yaml_node_t *r = node(d, *it);
		bool all_verbs = false, all_res = false, secrets = false;
		const char *const lk[] = { "verbs", "resources" };
		for (size_t k = 0; k < 2; k++) {
			yaml_node_t *l = get(d, r, lk[k]);
			if (l == NULL || l->type != YAML_SEQUENCE_NODE)
				continue;
			for (yaml_node_item_t *j = l->data.sequence.items.start;
			     j < l->data.sequence.items.top; j++) {
				yaml_node_t *v = node(d, *j);
				if (scalar_is(v, "*")) {
					if (k == 0)
						all_verbs = true;
					else
						all_res = true;
				}
				if (k == 1 && scalar_is(v, "secrets"))
					secrets = true;
			}
		}
		if (all_verbs && all_res) {
			struct av_effect *e = fx_push(&x->fx, AV_FX_PRIV);
			e->binary = "kubectl";
			e->detail = av_arena_printf(
			        x->fx.arena,
			        "grants cluster permissions: %s allows every verb "
			        "on every resource",
			        obj);
			return;
		}
		if (secrets) {
			struct av_effect *e = fx_push(&x->fx, AV_FX_SYS_CONFIG);
			e->binary = "kubectl";
			e->detail = av_arena_printf(
			        x->fx.arena, "role: %s grants access to secrets", obj);
		}
	}
}

/* Runs kubectl words through the shell stage. */
static int kubectl(struct kind_x *x, const char *verb, const char *res, const char *name,
                   const char *ns)
{
	const struct av_action *a = x->a;
	char rep[32] = "";
	if (a->in.k8s.replicas >= 0)
		snprintf(rep, sizeof(rep), " --replicas %lld",
		         (long long)a->in.k8s.replicas);
	char *text = av_arena_printf(x->fx.arena, "kubectl %s%s%s%s%s%s%s%s%s%s%s", verb,
	                             res ? " " : "", res ? res : "", name ? " " : "",
	                             name ? name : "", ns ? " -n " : "", ns ? ns : "",
	                             a->in.k8s.all ? " --all" : "",
	                             a->in.k8s.cluster ? " --context " : "",
	                             a->in.k8s.cluster ? a->in.k8s.cluster : "", rep);
	if (text == NULL) {
		x->fx.failed = true;
		return 0;
	}
	return kind_shell(x, text, strlen(text),
	                  "kubectl command of a kubernetes action");
}

/* The words of an object are kubectl arguments: refuse what would not be
 * one word (the decoder checks the input fields the same way). */
static bool one_word(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                         "0123456789._-:/@";
	return s != NULL && s[0] != '\0' && s[0] != '-' && strlen(s) <= 253 &&
	       strspn(s, ok) == strlen(s);
}

static int manifest(struct kind_x *x, bool mutating, bool deleting)
{
	const struct av_action *a = x->a;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		x->fx.failed = true;
		return 0;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)a->in.k8s.manifest,
	                             a->in.k8s.manifest_len);
	const char **kinds =
	        av_arena_alloc(x->fx.arena, K8S_MAX_OBJECTS * sizeof(*kinds));
	uint32_t nk = 0;
	int rc = 0;
	for (int ndoc = 0; kinds != NULL && rc == 0; ndoc++) {
		yaml_document_t d;
		if (!yaml_parser_load(&p, &d)) {
			struct av_effect *o = fx_push(&x->fx, AV_FX_OPAQUE);
			o->detail = av_arena_printf(
			        x->fx.arena, "the manifest is not valid YAML (%s)",
			        p.problem ? p.problem : "parse error");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&d);
		if (root == NULL) { /* the end of the stream */
			yaml_document_delete(&d);
			break;
		}
		if (ndoc == K8S_MAX_DOCS) {
			struct av_effect *o = fx_push(&x->fx, AV_FX_OPAQUE);
			o->detail = "the manifest has more objects than are analysed";
			yaml_document_delete(&d);
			break;
		}
		const char *kind = scalar(x, get(&d, root, "kind"));
		static const char *const mn[] = { "metadata", "name", NULL };
		static const char *const mns[] = { "metadata", "namespace", NULL };
		const char *name = scalar(x, path(&d, root, mn));
		const char *ns = scalar(x, path(&d, root, mns));
		if (ns == NULL)
			ns = a->in.k8s.ns;
		if (kind != NULL && nk < K8S_MAX_OBJECTS)
			kinds[nk++] = kind;
		const char *obj = av_arena_printf(
		        x->fx.arena, "%s %s", kind ? kind : "object", name ? name : "?");
		if (kind != NULL && mutating) {
			for (size_t k = 0; k < sizeof(pod_specs) / sizeof(pod_specs[0]);
			     k++)
				if (strcmp(kind, pod_specs[k].kind) == 0)
					pod_checks(x, &d,
					           path(&d, root, pod_specs[k].keys),
					           obj);
			rbac_checks(x, &d, root, kind, obj);
			if (strcmp(kind, "CronJob") == 0) {
				/* Code on a schedule, in the cluster rather than on
				 * this machine: judged like a container that keeps
				 * running (persist.container), by its registry. */
				static const char *const ck[] = { "spec", "jobTemplate",
					                          "spec", "template",
					                          "spec", "containers",
					                          NULL };
				yaml_node_t *cs = path(&d, root, ck);
				const char *image = NULL;
				if (cs != NULL && cs->type == YAML_SEQUENCE_NODE &&
				    cs->data.sequence.items.start <
				            cs->data.sequence.items.top)
					image = scalar(
					        x,
					        get(&d,
					            node(&d,
					                 *cs->data.sequence.items.start),
					            "image"));
				struct av_effect *e = fx_push(&x->fx, AV_FX_PERSIST);
				e->mechanism = "container";
				e->binary = "kubectl";
				fx_host(&x->fx, e, image_host(x, image), false);
				e->detail = av_arena_printf(
				        x->fx.arena, "%s runs the image %s on a schedule",
				        obj, image ? image : "?");
			}
		}
		if (kind != NULL && deleting) {
			/* One kubectl delete per object, judged by infra.c. */
			char lk[64];
			size_t kl = strlen(kind);
			if (kl < sizeof(lk) && one_word(kind) &&
			    (name == NULL || one_word(name)) &&
			    (ns == NULL || one_word(ns))) {
				for (size_t i = 0; i <= kl; i++)
					lk[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z'
					                       ? kind[i] + 32
					                       : kind[i]);
				rc = kubectl(x, "delete",
				             av_arena_strdup(x->fx.arena, lk), name, ns);
			}
		}
		yaml_document_delete(&d);
	}
	yaml_parser_delete(&p);
	x->kf->k8s_kinds = kinds;
	x->kf->nk8s_kinds = nk;
	return rc;
}

/* Verbs that create or change objects from a manifest. */
static const char *const mutating_verbs[] = { "apply", "create", "replace", "patch",
	                                      "run" };

int av_kind_k8s(struct kind_x *x)
{
	const struct av_action *a = x->a;
	const char *verb = a->in.k8s.verb;
	bool mutating = false;
	for (size_t k = 0; k < sizeof(mutating_verbs) / sizeof(mutating_verbs[0]); k++)
		mutating = mutating || strcmp(verb, mutating_verbs[k]) == 0;
	bool deleting = strcmp(verb, "delete") == 0;
	/* A named secret fetched whole carries its values (base64 is not
	 * encryption): the credential is in the transcript. */
	const char *res = a->in.k8s.resource;
	if (res != NULL && (strcmp(verb, "get") == 0 || strcmp(verb, "edit") == 0) &&
	    (strcasecmp(res, "secret") == 0 || strcasecmp(res, "secrets") == 0 ||
	     strncasecmp(res, "secret/", 7) == 0) &&
	    (a->in.k8s.name != NULL || strchr(res, '/') != NULL)) {
		struct av_effect *e = fx_push(&x->fx, AV_FX_CRED_READ);
		e->binary = "kubectl";
		e->detail =
		        av_arena_printf(x->fx.arena, "reads the Kubernetes secret %s%s%s",
		                        a->in.k8s.name ? a->in.k8s.name : res,
		                        a->in.k8s.ns ? " in namespace " : "",
		                        a->in.k8s.ns ? a->in.k8s.ns : "");
	}
	if (a->in.k8s.manifest != NULL) {
		if (manifest(x, mutating, deleting) < 0)
			return -1;
		if (deleting || a->in.k8s.resource == NULL)
			return x->rc;
	}
	return kubectl(x, verb, res, a->in.k8s.name, a->in.k8s.ns);
}
