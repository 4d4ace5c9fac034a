/* effects.c - derives typed effects from analysed shell commands: the parts
 * every command shares (proc.exec, redirections, privilege from a sudo
 * ancestor, opacity); per-program knowledge lives in knowledge.c. */
#include "agentvisor/effects.h"

#include <string.h>

#include "effects_internal.h"
#include "shell/shell_internal.h"

struct av_effect *av_effect_push(struct av_effect_list *l, struct av_arena *arena,
                                 enum av_effect_kind k)
{
	struct av_effect *e = av_arena_push(arena, (void **)&l->items, &l->count,
	                                    &l->capacity, sizeof(*e), AV_MAX_EFFECTS);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->cmd = -1;
	return e;
}

struct av_effect *fx_push(struct fx_ctx *x, enum av_effect_kind k)
{
	struct av_effect *e = x->failed ? NULL : av_effect_push(x->out, x->arena, k);
	if (!e) {
		x->failed = true;
		memset(&x->sink, 0, sizeof(x->sink));
		return &x->sink;
	}
	e->cmd = x->sh ? (int32_t)x->idx : -1; /* file actions have no command */
	e->flags = x->flags;
	if (k == AV_FX_NET_FETCH && x->fetch && x->fetch[x->idx] < 0)
		x->fetch[x->idx] = (int32_t)(x->out->count - 1);
	return e;
}

static bool has_glob(const char *s)
{
	const char *lb;
	return strpbrk(s, "*?") || ((lb = strchr(s, '[')) && strchr(lb, ']'));
}

struct av_effect *fx_path(struct fx_ctx *x, enum av_effect_kind k, const char *path,
                          uint32_t flags)
{
	struct av_effect *e = fx_push(x, k);
	e->flags |= flags;
	if (!path)
		return e;
	/* Process substitution: bash passes a /dev/fd path. */
	if ((path[0] == '<' || path[0] == '>') && path[1] == '(')
		path = "/dev/fd/63";
	/* "$tmp" where tmp=$(mktemp ...) earlier: a fresh temporary path. */
	const char *tmp = av_fx_mktemp_var(x, path);
	if (tmp)
		path = tmp;
	e->path = av_path_resolve(path, x->ctx, x->arena);
	if (!e->path) {
		x->failed = true;
		e->path = path;
	}
	/* An expansion left unresolved means the real path is not known. */
	e->path_class =
	        strpbrk(path, "$`") ? AV_PATH_UNKNOWN : av_path_classify(e->path, x->ctx);
	if (has_glob(path))
		e->flags |= AV_FXF_WILDCARD;
	return e;
}

/* Names of programs that agents and users run all the time: a file of that
 * name in a PATH directory of the home (ahead of /usr/bin) hijacks them. */
static bool common_command(const char *name)
{
	static const char *const names[] = {
		"apt",    "bash",    "cat",       "cd",     "chmod", "cp",    "curl",
		"docker", "env",     "find",      "gcc",    "git",   "go",    "grep",
		"gpg",    "java",    "kubectl",   "less",   "ls",    "make",  "mv",
		"node",   "npm",     "npx",       "passwd", "pip",   "pip3",  "ps",
		"python", "python3", "rm",        "scp",    "sed",   "sh",    "ssh",
		"su",     "sudo",    "tar",       "vi",     "vim",   "wget",  "yarn",
		"zsh",    "code",    "nano",      "emacs",  "brew",  "cargo", "pnpm",
		"ruby",   "perl",    "terraform", "aws",    "gh",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* The PATH directories of a home that come before the system's. */
static bool in_home_bin(const char *p, const struct av_context *ctx)
{
	const char *home = ctx ? ctx->home : NULL;
	size_t hl = home ? strlen(home) : 0;
	if (!hl || strncmp(p, home, hl) != 0 || p[hl] != '/')
		return false;
	const char *rest = p + hl + 1;
	const char *slash = strrchr(rest, '/');
	if (!slash)
		return false;
	size_t dl = (size_t)(slash - rest);
	return (dl == 10 && strncmp(rest, ".local/bin", 10) == 0) ||
	       (dl == 3 && strncmp(rest, "bin", 3) == 0);
}

struct av_effect *fx_write(struct fx_ctx *x, const char *path, uint32_t flags,
                           const char *detail)
{
	struct av_effect *e = fx_path(x, AV_FX_FS_WRITE, path, flags);
	e->detail = detail;
	const char *mech = NULL;
	if (e->path && e->path[0] == '/' && in_home_bin(e->path, x->ctx) &&
	    common_command(strrchr(e->path, '/') + 1)) {
		const char *p = e->path;
		uint32_t f = e->flags;
		struct av_effect *q = fx_push(x, AV_FX_PERSIST);
		q->path = p;
		q->path_class = av_path_classify(p, x->ctx);
		q->flags = f;
		q->mechanism = "path-hijack";
		q->detail = "shadows a common command on PATH";
		return x->failed ? &x->sink : &x->out->items[x->out->count - 2];
	}
	if (e->path &&
	    av_path_classify_mech(e->path, x->ctx, &mech) == AV_PATH_PERSISTENCE &&
	    mech) {
		const char *p = e->path;
		uint32_t f = e->flags;
		struct av_effect *q = fx_push(x, AV_FX_PERSIST);
		q->path = p;
		q->path_class = AV_PATH_PERSISTENCE;
		q->flags = f;
		q->mechanism = mech;
		q->detail = "writes a startup location";
		/* q may have moved the list; re-find the write for the caller. */
		return x->failed ? &x->sink : &x->out->items[x->out->count - 2];
	}
	return e;
}

void fx_source_path(struct fx_ctx *x, struct av_effect *e, const char *path)
{
	const char *r = av_path_resolve(path, x->ctx, x->arena);
	e->source = r ? r : path;
	e->source_class = av_path_classify(e->source, x->ctx);
}

void fx_host(struct fx_ctx *x, struct av_effect *e, const char *spec, bool is_url)
{
	if (!spec)
		return;
	if (is_url)
		e->url = spec;
	e->host = av_host_from_url(spec, x->arena);
	e->host_class = av_host_classify(e->host);
}

/* Filters that pass their standard input through (possibly transformed):
 * a download piped through them is still a download. */
static bool passes_through(const struct av_command *c)
{
	static const char *const names[] = { "base64",  "cat", "gunzip",  "gzip",  "zcat",
		                             "tee",     "tr",  "xxd",     "rev",   "head",
		                             "tail",    "sed", "dd",      "bzip2", "xz",
		                             "openssl", "gpg", "bunzip2", "unxz" };
	if (c->argc == 0)
		return false;
	const char *n = av_shell_basename(c->argv[0]);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return true;
	return false;
}

const struct av_effect *fx_stdin_fetch(struct fx_ctx *x)
{
	int32_t j = av_shell_pipe_source(x->sh, x->idx);
	for (int hops = 0; j >= 0 && hops < 8; hops++) {
		if (x->fetch[j] >= 0)
			return &x->out->items[x->fetch[j]];
		if (!passes_through(&x->sh->cmds[j]))
			return NULL;
		j = av_shell_pipe_source(x->sh, (uint32_t)j);
	}
	return NULL;
}

const struct av_effect *fx_subst_fetch(struct fx_ctx *x)
{
	/* The substitutions in a command's words are analysed, and appended,
	 * just before the command itself, one level deeper. */
	uint32_t depth = x->c->depth;
	for (uint32_t j = x->idx, n = 0; j-- > 0 && n < 256; n++) {
		const struct av_command *s = &x->sh->cmds[j];
		if (s->depth <= depth)
			break;
		if (x->fetch[j] >= 0)
			return &x->out->items[x->fetch[j]];
	}
	return NULL;
}

/* A command that turns encoded or scrambled text back into text: base64 -d,
 * xxd -r, rev, tr, openssl enc -d, gunzip, printf with escapes. Its output
 * fed to a shell is obfuscated code (docs/POLICY.md, "decoded"). Returns
 * the decoder's name, or NULL. */
static const char *decoder_name(const struct av_command *c)
{
	if (c->argc == 0)
		return NULL;
	const char *n = av_shell_basename(c->argv[0]);
	static const char *const always[] = { "rev",     "tr",    "zcat",     "gunzip",
		                              "bunzip2", "unxz",  "uudecode", "base58",
		                              "xzcat",   "bzcat", "zstdcat",  "unzstd" };
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(n, always[i]) == 0)
			return n;
	bool dec = strcmp(n, "base64") == 0 || strcmp(n, "base32") == 0 ||
	           strcmp(n, "basenc") == 0 || strcmp(n, "openssl") == 0 ||
	           strcmp(n, "gzip") == 0 || strcmp(n, "bzip2") == 0 ||
	           strcmp(n, "xz") == 0 || strcmp(n, "zstd") == 0;
	bool xxd = strcmp(n, "xxd") == 0;
	bool print = strcmp(n, "printf") == 0 || strcmp(n, "echo") == 0;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (dec && a[0] == '-' && a[1] != '-' && strpbrk(a + 1, "dD"))
			return n;
		if (dec && strcmp(a, "--decode") == 0)
			return n;
		if (xxd && a[0] == '-' && strchr(a + 1, 'r'))
			return n;
		if (print && (strstr(a, "\\x") || strstr(a, "\\0") || strstr(a, "\\u")))
			return n;
	}
	return NULL;
}

const char *fx_stdin_decoded(struct fx_ctx *x)
{
	int32_t j = av_shell_pipe_source(x->sh, x->idx);
	for (int hops = 0; j >= 0 && hops < 8; hops++) {
		const char *d = decoder_name(&x->sh->cmds[j]);
		if (d)
			return d;
		j = av_shell_pipe_source(x->sh, (uint32_t)j);
	}
	return NULL;
}

const char *fx_subst_decoded(struct fx_ctx *x)
{
	uint32_t depth = x->c->depth;
	for (uint32_t j = x->idx, n = 0; j-- > 0 && n < 256; n++) {
		const struct av_command *s = &x->sh->cmds[j];
		if (s->depth <= depth)
			break;
		const char *d = decoder_name(s);
		if (d)
			return d;
	}
	return NULL;
}

/* Privilege comes from any wrapper above the command. */
static bool under_privilege(const struct av_shell_result *sh, const struct av_command *c)
{
	static const char *const priv[] = { "sudo",   "doas", "su",
		                            "pkexec", "run0", "runuser" };
	int32_t p = c->parent;
	for (int guard = 0; p >= 0 && (uint32_t)p < sh->ncmds && guard < 64; guard++) {
		const struct av_command *w = &sh->cmds[p];
		if (w->argc > 0) {
			const char *n = av_shell_basename(w->argv[0]);
			for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
				if (strcmp(n, priv[i]) == 0)
					return true;
		}
		p = w->parent;
	}
	return false;
}

/* bash's /dev/tcp/HOST/PORT and /dev/udp/HOST/PORT pseudo-files. */
static const char *dev_net_host(struct fx_ctx *x, const char *resolved)
{
	if (!resolved || (strncmp(resolved, "/dev/tcp/", 9) != 0 &&
	                  strncmp(resolved, "/dev/udp/", 9) != 0))
		return NULL;
	const char *h = resolved + 9;
	size_t n = strcspn(h, "/");
	return n ? av_arena_strndup(x->arena, h, n) : NULL;
}

static void redirect_effects(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	/* A wrapped command shares its wrapper's descriptors: count them once. */
	if (c->parent >= 0 && c->redirs && c->redirs == x->sh->cmds[c->parent].redirs)
		return;
	for (uint32_t i = 0; i < c->nredirs; i++) {
		const struct av_redir *r = &c->redirs[i];
		if (!r->target || !r->target[0])
			continue;
		struct av_effect *e = NULL;
		bool write = false;
		switch (r->op) {
		case AV_REDIR_OUT:
		case AV_REDIR_CLOBBER:
		case AV_REDIR_OUT_ERR:
		case AV_REDIR_INOUT:
			e = fx_write(x, r->target, 0, NULL);
			write = true;
			break;
		case AV_REDIR_APPEND:
			e = fx_write(x, r->target, 0, "append");
			write = true;
			break;
		case AV_REDIR_IN:
			e = fx_path(x, AV_FX_FS_READ, r->target, 0);
			break;
		case AV_REDIR_DUP_IN:
		case AV_REDIR_DUP_OUT:
		case AV_REDIR_HEREDOC:
		case AV_REDIR_HERESTRING:
			break;
		}
		const char *host = e ? dev_net_host(x, e->path) : NULL;
		if (host) {
			struct av_effect *n =
			        fx_push(x, write ? AV_FX_NET_SEND : AV_FX_NET_FETCH);
			n->host = host;
			n->host_class = av_host_classify(host);
			if (write) {
				n->source = "pipe";
				n->detail = "redirects output to a /dev/tcp connection";
			}
		}
	}
}

/* Assignments that change what a program loads or what the shell records. */
static void assign_effects(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	for (uint32_t i = 0; i < c->nassigns; i++) {
		const char *n = c->assigns[i].name, *v = c->assigns[i].value;
		if (strcmp(n, "LD_PRELOAD") == 0 && v && v[0]) {
			struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
			e->binary = c->argc ? x->name : NULL;
			fx_source_path(x, e, v);
			e->detail = "LD_PRELOAD loads a library into the program";
		} else if (v && av_fx_env_hook(x, n, v)) {
			continue;
		} else if (strcmp(n, "HISTFILE") == 0 ||
		           ((strcmp(n, "HISTSIZE") == 0 ||
		             strcmp(n, "HISTFILESIZE") == 0) &&
		            v && strcmp(v, "0") == 0)) {
			struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
			e->detail = "disables shell history";
		}
	}
}

/* cd DIR / pushd DIR: later relative paths resolve against DIR; an
 * unknown target makes them unresolvable (class unknown). */
static void track_cd(struct fx_ctx *x, struct av_context *cur)
{
	const struct av_command *c = x->c;
	if (strcmp(x->name, "cd") != 0 && strcmp(x->name, "pushd") != 0)
		return;
	uint32_t i = 1;
	while (i < c->argc && c->argv[i][0] == '-' && c->argv[i][1] &&
	       strcmp(c->argv[i], "--") != 0)
		i++;
	if (i < c->argc && strcmp(c->argv[i], "--") == 0)
		i++;
	const char *dir = i < c->argc ? c->argv[i] : cur->home;
	if (!dir || strpbrk(dir, "$`") || strcmp(dir, "-") == 0) {
		cur->cwd = NULL;
		return;
	}
	const char *r = av_path_resolve(dir, cur, x->arena);
	cur->cwd = r && r[0] == '/' ? r : NULL;
}

/* Files and trees fetched from the network earlier in the same text
 * (curl -o, wget -O, git clone): running one of them later in the text runs
 * code from the network as surely as curl | sh does. */
#define FX_MAX_DOWNLOADS 8
struct downloads {
	const char *path[FX_MAX_DOWNLOADS];
	uint32_t fetch[FX_MAX_DOWNLOADS]; /* index of the net.fetch effect */
	uint32_t n;
};

static bool path_under(const char *p, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static void note_downloads(struct fx_ctx *x, struct downloads *d, uint32_t from)
{
	int32_t f = x->fetch[x->idx];
	if (f < 0)
		return;
	for (uint32_t k = from; k < x->out->count && d->n < FX_MAX_DOWNLOADS; k++) {
		const struct av_effect *e = &x->out->items[k];
		if (e->kind == AV_FX_FS_WRITE && e->path && e->path[0] == '/' &&
		    e->detail &&
		    (strcmp(e->detail, "download") == 0 ||
		     strcmp(e->detail, "git clone") == 0)) {
			d->path[d->n] = e->path;
			d->fetch[d->n++] = (uint32_t)f;
		}
	}
}

/* A copy of the net.fetch that brought p, or false. */
static bool downloaded(const struct fx_ctx *x, const struct downloads *d, const char *p,
                       struct av_effect *f)
{
	for (uint32_t i = 0; p && p[0] == '/' && i < d->n; i++)
		if (path_under(p, d->path[i])) {
			*f = x->out->items[d->fetch[i]];
			return true;
		}
	return false;
}

/* Marks code this command runs from a downloaded file as network code. */
static void run_downloads(struct fx_ctx *x, const struct downloads *d, uint32_t from)
{
	if (d->n == 0)
		return;
	uint32_t end = x->out->count;
	for (uint32_t k = from; k < end && !x->failed; k++) {
		struct av_effect *e = &x->out->items[k];
		struct av_effect f;
		if (e->kind == AV_FX_CODE_EXEC && e->source && e->source[0] == '/') {
			if (downloaded(x, d, e->source, &f)) {
				e->detail = av_arena_printf(x->arena,
				                            "runs %s, downloaded earlier "
				                            "in this command",
				                            e->source);
				e->source = "network";
				e->host = f.host, e->host_class = f.host_class,
				e->url = f.url;
			}
		} else if (e->kind == AV_FX_PROC_EXEC && e->binary &&
		           strchr(e->binary, '/')) {
			const char *b = e->binary;
			const char *r = av_path_resolve(b, x->ctx, x->arena);
			if (downloaded(x, d, r, &f)) {
				struct av_effect *c = fx_push(x, AV_FX_CODE_EXEC);
				c->binary = b;
				c->source = "network";
				c->host = f.host, c->host_class = f.host_class,
				c->url = f.url;
				c->detail = "runs a program downloaded earlier in this "
				            "command";
			}
		}
	}
}

static bool argv0_known(const char *a)
{
	return a[0] && !strpbrk(a, "$`") && !has_glob(a);
}

int av_effects_from_commands(const struct av_shell_result *sh,
                             const struct av_context *ctx, struct av_arena *arena,
                             struct av_effect_list *out, struct av_error *err)
{
	int32_t *fetch = NULL;
	if (sh->ncmds) {
		fetch = av_arena_alloc(arena, sizeof(*fetch) * sh->ncmds);
		if (!fetch)
			return av_error_set(err, AV_E_NOMEM, "",
			                    "out of arena memory for effects");
		for (uint32_t i = 0; i < sh->ncmds; i++)
			fetch[i] = -1;
	}
	/* cd changes where later relative paths point; track it in order of
	 * execution (subshell scoping is ignored: an over-approximation). */
	struct av_context cur = ctx ? *ctx : (struct av_context){ 0 };
	struct fx_ctx x = {
		.sh = sh, .ctx = &cur, .arena = arena, .out = out, .fetch = fetch
	};
	struct downloads dl = { .n = 0 };
	for (uint32_t i = 0; i < sh->ncmds && !x.failed; i++) {
		const struct av_command *c = &sh->cmds[i];
		uint32_t first = out->count;
		x.idx = i;
		x.c = c;
		x.ctx = &cur;
		x.name = c->argc ? av_shell_basename(c->argv[0]) : "";
		x.flags = under_privilege(sh, c) ? AV_FXF_PRIVILEGED : 0;
		if (c->argc > 0 && argv0_known(c->argv[0])) {
			struct av_effect *e = fx_push(&x, AV_FX_PROC_EXEC);
			e->binary = c->argv[0];
			if (c->provenance)
				e->detail = c->provenance;
			av_knowledge_apply(&x);
			av_fx_miner_args(&x);
			x.ctx = &cur;
			track_cd(&x, &cur);
		}
		assign_effects(&x);
		redirect_effects(&x);
		run_downloads(&x, &dl, first);
		note_downloads(&x, &dl, first);
		if (c->opaque == av_shell_fork_bomb) {
			struct av_effect *e = fx_push(&x, AV_FX_RESOURCE);
			e->binary = c->argc ? c->argv[0] : NULL;
			e->detail = c->opaque;
		} else if (c->opaque) {
			struct av_effect *e = fx_push(&x, AV_FX_OPAQUE);
			e->binary = c->argc ? c->argv[0] : NULL;
			e->detail = c->opaque;
			/* $(… | base64 -d) in command position runs decoded text. */
			const char *dec = c->argc && strpbrk(c->argv[0], "$`")
			                          ? fx_subst_decoded(&x)
			                          : NULL;
			if (dec) {
				struct av_effect *d = fx_push(&x, AV_FX_CODE_EXEC);
				d->binary = c->argv[0];
				d->source = "decoded";
				d->detail = av_arena_printf(
				        arena, "runs text decoded by %s as a command",
				        dec);
			}
		} else if (c->decoded && c->argc) {
			/* The evaluator resolved a command name that decoding
			 * produced: known, but deliberately hidden. */
			struct av_effect *d = fx_push(&x, AV_FX_CODE_EXEC);
			d->binary = c->argv[0];
			d->source = "decoded";
			d->detail = av_arena_printf(arena, "runs text %s as a command",
			                            c->decoded);
		}
	}
	if (!x.failed)
		av_fx_secret_leaves(&x);
	if (sh->truncated && !x.failed) {
		struct av_effect *e = av_effect_push(out, arena, AV_FX_OPAQUE);
		if (e)
			e->detail = av_arena_printf(
			        arena, "the analysis stopped at a limit (%s)",
			        sh->truncated);
		if (!e || !e->detail)
			x.failed = true;
	}
	if (x.failed) {
		if (out->count >= AV_MAX_EFFECTS)
			return av_error_set(err, AV_E_LIMIT, "", "more than %d effects",
			                    AV_MAX_EFFECTS);
		return av_error_set(err, AV_E_NOMEM, "",
		                    "out of arena memory for effects");
	}
	return 0;
}
