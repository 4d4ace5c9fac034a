/* tools.c - what more programs do (WebSocket and file-transfer clients,
 * ping payloads, unzip targets, capabilities, macOS backups, login hooks,
 * firewall and DNS settings, perl -i), and signals every command shares:
 * a program hidden in a dot-file outside the project, a PATH or LD_PRELOAD
 * export, and the project-changing subcommands of build tools (which only
 * lift an allowed action's risk from none to low, per the rubric in
 * docs/POLICY.md). Handlers are tables of data where the shape repeats. */
#include "agentvisor/effects.h"

#include <string.h>

#include "effects_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool starts(const char *s, const char *p)
{
	return s && strncmp(s, p, strlen(p)) == 0;
}

static bool has_arg(const struct av_command *c, const char *a)
{
	for (uint32_t i = 1; i < c->argc; i++)
		if (streq(c->argv[i], a))
			return true;
	return false;
}

/* The argument after option NAME ("-p X"), or the value of "NAME=X". */
static const char *opt_arg(const struct av_command *c, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 1; i < c->argc; i++) {
		if (streq(c->argv[i], name))
			return i + 1 < c->argc ? c->argv[i + 1] : NULL;
		if (strncmp(c->argv[i], name, n) == 0 && c->argv[i][n] == '=')
			return c->argv[i] + n + 1;
	}
	return NULL;
}

/* The first word at or after FROM that is not an option. */
static const char *first_word(const struct av_command *c, uint32_t from)
{
	for (uint32_t i = from; i < c->argc; i++)
		if (c->argv[i][0] != '-')
			return c->argv[i];
	return NULL;
}

/* ---- network clients ---------------------------------------------------- */

/* websocat URL talks to a WebSocket server (what goes in on stdin goes
 * out); websocat -s / -l / a ws-l: address serves one. */
static void h_websocat(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *listen = opt_arg(c, "-s");
	if (!listen)
		listen = opt_arg(c, "--server-mode");
	for (uint32_t i = 1; i < c->argc && !listen; i++)
		if (starts(c->argv[i], "ws-l:") || starts(c->argv[i], "tcp-l:") ||
		    streq(c->argv[i], "-l"))
			listen = c->argv[i];
	if (listen) {
		struct av_effect *e = fx_push(x, AV_FX_NET_EXPOSE);
		e->binary = x->name;
		e->detail = av_arena_printf(x->arena, "websocat serves connections on %s",
		                            listen);
		return;
	}
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (!(starts(a, "ws://") || starts(a, "wss://")))
			continue;
		struct av_effect *e = fx_push(x, AV_FX_NET_CONNECT);
		e->binary = x->name;
		fx_host(x, e, a, true);
		e->detail = "websocat opens a raw WebSocket connection";
		return;
	}
}

/* ping -p PATTERN fills every packet with chosen bytes: a covert channel
 * when the pattern carries data. */
static void h_ping(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *pat = opt_arg(c, "-p");
	if (!pat)
		return;
	const char *host = NULL;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-') {
			if (strchr("cipsWwtIQlM", a[1]) && a[2] == '\0')
				i++; /* the option's argument */
			continue;
		}
		host = a;
	}
	struct av_effect *e = fx_push(x, AV_FX_NET_SEND);
	e->binary = x->name;
	if (host)
		fx_host(x, e, host, false);
	e->source = "inline";
	e->detail = av_arena_printf(
	        x->arena, "ping -p carries chosen bytes (%s) in the ICMP payload", pat);
}

/* ftp, sftp, tftp, lftp HOST or USER@HOST: an interactive file transfer
 * session, both ways. */
static void h_transfer(struct fx_ctx *x)
{
	const char *host = NULL;
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc && !host; i++) {
		const char *a = c->argv[i];
		if (a[0] == '-') {
			if (strchr("PbioFlJSsDRc", a[1]) && a[2] == '\0')
				i++;
			continue;
		}
		host = a;
	}
	if (!host)
		return;
	const char *at = strrchr(host, '@');
	struct av_effect *e = fx_push(x, AV_FX_NET_CONNECT);
	e->binary = x->name;
	fx_host(x, e, at ? at + 1 : host, strstr(host, "://") != NULL);
	e->detail =
	        av_arena_printf(x->arena, "%s opens a file transfer session", x->name);
}

/* openssl s_client -connect HOST:PORT: a raw TLS connection; what is on
 * its standard input (a redirected file, a pipe) goes to the host. */
static void h_openssl(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (c->argc < 2 || !streq(c->argv[1], "s_client"))
		return;
	const char *to = opt_arg(c, "-connect");
	if (!to)
		return;
	const char *src = NULL;
	for (uint32_t i = c->nredirs; i-- > 0 && !src;)
		if (c->redirs[i].fd == 0 && c->redirs[i].op == AV_REDIR_IN)
			src = c->redirs[i].target;
	if (src) {
		/* </dev/null: nothing goes out but the handshake. */
		const char *r = av_path_resolve(src, x->ctx, x->arena);
		if (r && av_path_classify(r, x->ctx) == AV_PATH_NULL)
			src = NULL;
	} else if (c->pipe_index > 0) {
		/* `echo | openssl s_client ...` closes the session at once: a
		 * literal from echo/printf/true is no data of unseen origin. */
		const struct av_command *up =
		        x->idx > 0 ? &x->sh->cmds[x->idx - 1] : NULL;
		const char *un = up && up->argc ? strrchr(up->argv[0], '/') : NULL;
		un = un ? un + 1 : up && up->argc ? up->argv[0] : NULL;
		bool literal =
		        up && up->pipeline == c->pipeline &&
		        ((streq(un, "echo") && up->argc == 1) || streq(un, "true") ||
		         (streq(un, "printf") && up->argc == 2 &&
		          !strpbrk(up->argv[1], "$`%")));
		if (!literal)
			src = "pipe";
	}
	struct av_effect *e = fx_push(x, src ? AV_FX_NET_SEND : AV_FX_NET_CONNECT);
	e->binary = x->name;
	char host[256];
	size_t n = strcspn(to, ":");
	if (n >= sizeof(host))
		return;
	memcpy(host, to, n);
	host[n] = '\0';
	const char *h = av_arena_strdup(x->arena, host);
	if (h)
		fx_host(x, e, h, false);
	if (streq(src, "pipe"))
		e->source = src;
	else if (src)
		fx_source_path(x, e, src);
	e->detail = "openssl s_client opens a raw TLS connection";
}

/* ---- archives ----------------------------------------------------------- */

/* unzip ARCHIVE [-d DIR]: every member is written under DIR (the current
 * directory by default); -o overwrites without asking. */
static void h_unzip(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (has_arg(c, "-l") || has_arg(c, "-v") || has_arg(c, "-t") || has_arg(c, "-Z"))
		return; /* lists or tests only */
	const char *dir = opt_arg(c, "-d");
	fx_write(x, dir ? dir : (x->ctx && x->ctx->cwd ? x->ctx->cwd : "."),
	         AV_FXF_RECURSIVE | (has_arg(c, "-o") ? AV_FXF_FORCE : 0),
	         "extracts an archive into it");
}

/* ---- privilege ---------------------------------------------------------- */

/* setcap CAPS FILE: file capabilities that amount to root for whoever runs
 * the program. cap_net_bind_service and friends are routine. */
static void h_setcap(struct fx_ctx *x)
{
	static const char *const rootlike[] = {
		"cap_setuid",          "cap_setgid",
		"cap_sys_admin",       "cap_dac_override",
		"cap_sys_ptrace",      "cap_sys_module",
		"cap_chown",           "cap_fowner",
		"cap_dac_read_search", "all",
	};
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++) {
		for (size_t k = 0; k < COUNT(rootlike); k++) {
			if (!strstr(c->argv[i], rootlike[k]))
				continue;
			const char *file = i + 1 < c->argc ? c->argv[i + 1] : "?";
			struct av_effect *e = fx_push(x, AV_FX_PRIV);
			e->binary = x->name;
			e->detail = av_arena_printf(x->arena,
			                            "setcap gives %s the capability %s: "
			                            "root for whoever runs it",
			                            file, rootlike[k]);
			return;
		}
	}
}

/* ---- macOS -------------------------------------------------------------- */

/* tmutil delete / deletelocalsnapshots / disable: the backups go. */
static void h_tmutil(struct fx_ctx *x)
{
	const char *sub = first_word(x->c, 1);
	if (streq(sub, "delete") || streq(sub, "deletelocalsnapshots") ||
	    streq(sub, "thinlocalsnapshots")) {
		struct av_effect *e = fx_push(x, AV_FX_DATA_DESTROY);
		e->binary = x->name;
		e->flags |= AV_FXF_RECURSIVE;
		e->detail = av_arena_printf(
		        x->arena, "tmutil %s deletes Time Machine backups", sub);
	} else if (streq(sub, "disable")) {
		struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
		e->binary = x->name;
		e->detail =
		        "tmutil disable stops a security or logging service (backups)";
	}
}

/* defaults write: LoginHook/LogoutHook run a script as root at every
 * login; com.apple.alf globalstate 0 turns the application firewall off. */
static void h_defaults(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	if (!has_arg(c, "write"))
		return;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "LoginHook") || streq(a, "LogoutHook")) {
			struct av_effect *e = fx_push(x, AV_FX_PERSIST);
			e->mechanism = "login-hook";
			e->detail = av_arena_printf(
			        x->arena,
			        "defaults write %s runs a script as root at login", a);
			return;
		}
		if (strstr(a, "com.apple.alf") && i + 2 < c->argc &&
		    streq(c->argv[i + 1], "globalstate") &&
		    (streq(c->argv[c->argc - 1], "0"))) {
			fx_push(x, AV_FX_SYS_CONFIG)->detail =
			        "defaults turns the firewall off (the macOS application "
			        "firewall)";
			return;
		}
	}
}

/* ---- network configuration ---------------------------------------------- */

/* nmcli con mod ... ipv4.dns / ipv6.dns / ignore-auto-dns, resolvectl dns:
 * the machine's name lookups go to another resolver. */
static void h_resolver(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool dns = false;
	for (uint32_t i = 1; i < c->argc && !dns; i++)
		dns = strstr(c->argv[i], ".dns") != NULL ||
		      strstr(c->argv[i], "ignore-auto-dns") != NULL ||
		      (streq(x->name, "resolvectl") && streq(c->argv[i], "dns") &&
		       i + 2 < c->argc);
	if (!dns)
		return;
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = av_arena_printf(x->arena, "%s changes the system's DNS resolver",
	                            x->name);
}

/* hdparm --security-erase / --security-erase-enhanced / --trim-sector-ranges
 * / --write-sector: the drive's own firmware wipes or overwrites it. */
static void h_hdparm(struct fx_ctx *x)
{
	static const char *const wipes[] = {
		"--security-erase", "--security-erase-enhanced", "--trim-sector-ranges",
		"--write-sector",   "--make-bad-sector",         "--dco-restore"
	};
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++)
		for (size_t k = 0; k < COUNT(wipes); k++) {
			if (!streq(c->argv[i], wipes[k]))
				continue;
			const char *dev = c->argv[c->argc - 1];
			struct av_effect *e = fx_path(x, AV_FX_DISK_WRITE, dev, 0);
			e->binary = x->name;
			e->detail = av_arena_printf(x->arena, "hdparm %s overwrites %s",
			                            wipes[k], dev);
			return;
		}
}

/* Offensive payload builders: msfvenom writes a program whose only job is
 * to hand a shell to someone else. */
static void h_payload(struct fx_ctx *x)
{
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	e->source = "payload-builder";
	e->detail = av_arena_printf(
	        x->arena, "%s builds an exploit or reverse-shell payload", x->name);
}

/* ---- the handler table ---------------------------------------------------- */

/* Sorted by name (strcmp order). */
const struct fx_handler_entry av_tools_handlers[] = {
	{ "defaults", h_defaults },   { "ftp", h_transfer },
	{ "hdparm", h_hdparm },       { "lftp", h_transfer },
	{ "msfconsole", h_payload },  { "msfvenom", h_payload },
	{ "nmcli", h_resolver },      { "openssl", h_openssl },
	{ "ping", h_ping },           { "ping6", h_ping },
	{ "resolvectl", h_resolver }, { "setcap", h_setcap },
	{ "sftp", h_transfer },       { "tftp", h_transfer },
	{ "tmutil", h_tmutil },       { "unzip", h_unzip },
	{ "websocat", h_websocat },
};
const size_t av_tools_handlers_count = COUNT(av_tools_handlers);

/* ---- signals every command shares ---------------------------------------- */

/* A file that hides: its name starts with a dot and it sits inside another
 * directory than home itself (~/.profile is configuration; ~/.cache/.x is
 * not), or anywhere under a temporary directory. Workspace files are the
 * project's own. */
static bool hidden_file(struct fx_ctx *x, const char *path)
{
	if (!path || !path[0] || !strchr(path, '/'))
		return false;
	const char *r = av_path_resolve(path, x->ctx, x->arena);
	if (!r || r[0] != '/')
		return false;
	enum av_path_class cls = av_path_classify(r, x->ctx);
	if (cls == AV_PATH_WORKSPACE || cls == AV_PATH_NULL)
		return false;
	const char *b = strrchr(r, '/') + 1;
	if (cls == AV_PATH_TEMP)
		return strstr(r, "/.") != NULL; /* /tmp/.x, /var/tmp/.x/rootsh */
	if (b[0] != '.' || b[1] == '\0' || (b[1] == '.' && b[2] == '\0'))
		return false;
	const char *home = x->ctx ? x->ctx->home : NULL;
	size_t dl = (size_t)(b - 1 - r);
	return !(home && strlen(home) == dl && strncmp(r, home, dl) == 0);
}

/* Interpreters and shells whose first operand is the program they run. */
static const char *const runners[] = { ".",   "bash",   "dash",    "node",    "perl",
	                               "php", "python", "python2", "python3", "ruby",
	                               "sh",  "source", "zsh" };

static void hidden_program(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *prog = NULL;
	if (c->argc > 0 && strchr(c->argv[0], '/') && hidden_file(x, c->argv[0]))
		prog = c->argv[0];
	for (size_t k = 0; !prog && k < COUNT(runners); k++)
		if (streq(x->name, runners[k])) {
			const char *w = first_word(c, 1);
			if (w && hidden_file(x, w))
				prog = w;
		}
	/* Wrappers (nohup python3 ~/.x/.s.py): any word may be the program.
	 * The finding stays on the wrapper, which carries the provenance of
	 * the text it came from. */
	static const char *const wrappers[] = { "env",   "exec",   "nice",
		                                "nohup", "setsid", "timeout" };
	for (size_t k = 0; !prog && k < COUNT(wrappers); k++)
		for (uint32_t i = 1; !prog && streq(x->name, wrappers[k]) && i < c->argc;
		     i++)
			if (c->argv[i][0] != '-' && hidden_file(x, c->argv[i]))
				prog = c->argv[i];
	if (!prog)
		return;
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	e->binary = x->name;
	fx_source_path(x, e, prog);
	e->mechanism = "hidden-file";
	e->detail = av_arena_printf(x->arena, "runs the hidden file %s", prog);
}

void av_fx_export(struct fx_ctx *x, const char *name, const char *value)
{
	if (!value || !value[0])
		return;
	if (streq(name, "LD_PRELOAD")) {
		struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
		fx_source_path(x, e, value);
		e->detail = "LD_PRELOAD loads a library into every program started "
		            "from this shell";
		return;
	}
	if (!streq(name, "PATH"))
		return;
	/* The first PATH entry wins every lookup: a hidden or temporary
	 * directory there shadows sudo, ssh and git for every later shell. */
	size_t n = strcspn(value, ":");
	const char *first = av_arena_strndup(x->arena, value, n);
	if (!first || !hidden_file(x, first))
		return;
	struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
	fx_source_path(x, e, first);
	e->mechanism = "hidden-file";
	e->detail = av_arena_printf(x->arena,
	                            "puts the hidden directory %s first on PATH", first);
}

/* perl -i / -pi / -i.bak edits the named files in place. */
static void perl_in_place(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	bool inplace = false;
	uint32_t i = 1;
	for (; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (streq(a, "--"))
			break;
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-')
			continue;
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'i') {
				inplace = true;
				break; /* the rest is the backup suffix */
			}
			if (*p == 'e' || *p == 'E' || *p == 'M' || *p == 'I') {
				if (!p[1])
					i++; /* the option's argument is the next word */
				break;
			}
		}
	}
	if (!inplace)
		return;
	for (; i < c->argc; i++)
		if (!streq(c->argv[i], "--"))
			fx_write(x, c->argv[i], 0, "perl -i edits it in place");
}

/* Subcommands of build and package tools that change the project (its
 * manifest, lock file, dependencies, database schema, generated or
 * formatted sources). Builds, tests and queries are not here: they leave
 * the project as it was. These only give the rubric's "low" to an allowed
 * action (policy rule change.workspace). */
static const struct {
	const char *cmd, *sub;
} project_changes[] = {
	{ "alembic", "upgrade" },
	{ "alembic", "downgrade" },
	{ "alembic", "revision" },
	{ "bundle", "install" },
	{ "bundle", "add" },
	{ "bundle", "update" },
	{ "bundle", "lock" },
	{ "cargo", "add" },
	{ "cargo", "clean" },
	{ "cargo", "fix" },
	{ "cargo", "generate-lockfile" },
	{ "cargo", "new" },
	{ "cargo", "init" },
	{ "cargo", "remove" },
	{ "cargo", "update" },
	{ "composer", "install" },
	{ "composer", "update" },
	{ "composer", "require" },
	{ "composer", "dump-autoload" },
	{ "corepack", "enable" },
	{ "dbt", "run" },
	{ "dbt", "seed" },
	{ "dotnet", "add" },
	{ "dotnet", "clean" },
	{ "dotnet", "new" },
	{ "dotnet", "restore" },
	{ "git", "add" },
	{ "git", "am" },
	{ "git", "apply" },
	{ "git", "push" },
	{ "git", "reset" },
	{ "git", "tag" },
	{ "gh", "pr" },
	{ "pre-commit", "autoupdate" },
	{ "pre-commit", "run" },
	{ "direnv", "allow" },
	{ "git", "bisect" },
	{ "git", "cherry-pick" },
	{ "git", "clone" },
	{ "git", "commit" },
	{ "git", "format-patch" },
	{ "git", "gc" },
	{ "git", "lfs" },
	{ "git", "merge" },
	{ "git", "mv" },
	{ "git", "pull" },
	{ "git", "rebase" },
	{ "git", "restore" },
	{ "git", "revert" },
	{ "git", "sparse-checkout" },
	{ "git", "stash" },
	{ "git", "submodule" },
	{ "git", "switch" },
	{ "git", "worktree" },
	{ "go", "clean" },
	{ "go", "generate" },
	{ "go", "get" },
	{ "go", "mod" },
	{ "make", "clean" },
	{ "mix", "deps.get" },
	{ "mix", "ecto.migrate" },
	{ "npm", "audit" },
	{ "npm", "ci" },
	{ "npm", "create" },
	{ "npm", "init" },
	{ "npm", "install" },
	{ "npm", "i" },
	{ "npm", "pkg" },
	{ "npm", "uninstall" },
	{ "npm", "update" },
	{ "npm", "version" },
	{ "pnpm", "add" },
	{ "pnpm", "dedupe" },
	{ "pnpm", "install" },
	{ "pnpm", "store" },
	{ "pnpm", "update" },
	{ "poetry", "add" },
	{ "poetry", "install" },
	{ "poetry", "lock" },
	{ "poetry", "remove" },
	{ "poetry", "update" },
	{ "rustup", "component" },
	{ "rustup", "target" },
	{ "rustup", "toolchain" },
	{ "uv", "add" },
	{ "uv", "lock" },
	{ "uv", "pip" },
	{ "uv", "sync" },
	{ "uv", "venv" },
	{ "yarn", "add" },
	{ "yarn", "cache" },
	{ "yarn", "install" },
	{ "yarn", "remove" },
	{ "yarn", "upgrade" },
	{ "yarn", "workspace" },
	/* The local development environment: containers and clusters the
	 * project runs on this machine. */
	{ "docker", "compose" },
	{ "docker", "create" },
	{ "docker", "rm" },
	{ "docker", "run" },
	{ "docker", "start" },
	{ "docker", "stop" },
	{ "docker-compose", "up" },
	{ "docker-compose", "down" },
	{ "kind", "create" },
	{ "kind", "delete" },
	{ "kubectl", "rollout" },
	{ "minikube", "start" },
	{ "minikube", "stop" },
	{ "gradlew", "clean" },
	{ "mvn", "clean" },
	{ "mvnw", "clean" },
	{ "pip", "cache" },
	{ "pip3", "cache" },
	{ "npx", "husky" },
	{ "npx", "lint-staged" },
	{ "npx", "graphql-codegen" },
	{ "npx", "openapi-typescript" },
	{ "npx", "prisma" },
	{ "npx", "playwright" },
	{ "dotnet", "ef" },
};

/* Words anywhere in the command that make a tool rewrite files in place:
 * formatters and linters with --write/--fix, snapshot updates, yq -i. */
static const char *const in_place_words[] = {
	"--write",    "--fix", "-u", "--updateSnapshot", "-i",
	"--in-place", "-a",    "-A", "--autocorrect",    "--clearCache"
};
static const char *const in_place_tools[] = { "eslint",    "prettier", "jest",
	                                      "stylelint", "yq",       "clang-format",
	                                      "ruff",      "rubocop" };

/* Programs that rewrite or create files whenever they run. */
static const char *const always_write[] = { "bzip2", "dos2unix", "gunzip",
	                                    "gzip",  "mkcert",   "unix2dos",
	                                    "unxz",  "xz",       "zstd" };

/* Long options that name the file or directory a program writes. */
static const char *const output_opts[] = { "--out",       "--output",     "--out-dir",
	                                   "--outdir",    "--output-dir", "--out-file",
	                                   "--cert-file", "--key-file" };

/* Migrations run through a project's own entry point (manage.py migrate,
 * rails db:migrate, artisan migrate, knex/prisma/sequelize migrate). */
static bool migration_word(const char *a)
{
	return !strstr(a, "status") &&
	       (streq(a, "migrate") || starts(a, "db:migrate") || starts(a, "migrate:") ||
	        streq(a, "makemigrations") || streq(a, "migrations"));
}

static void project_change(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *what = NULL;
	const char *sub = c->argc > 1 ? c->argv[1] : NULL;
	/* Read-only forms of the same subcommands: `git stash list`, `npm pkg
	 * get`, `git submodule status`, `npm audit` without fix. */
	static const char *const looks[] = {
		"list",   "show",   "status", "get",    "ls",   "view",    "ps",
		"logs",   "config", "top",    "images", "port", "version", "--check",
		"--list", "-l",     "build",  "exec",   "pull", "test",    "studio"
	};
	const char *sub2 = c->argc > 2 ? c->argv[2] : NULL;
	for (size_t k = 0; sub2 && k < COUNT(looks); k++)
		if (streq(sub2, looks[k]))
			return;
	if (streq(x->name, "npm") && streq(sub, "audit") && !streq(sub2, "fix"))
		return;
	if (streq(x->name, "git") && streq(sub, "tag") && c->argc == 2)
		return; /* lists tags */
	/* A container removed when it exits leaves nothing behind; compose
	 * changes the environment only when it starts, stops or removes. */
	if ((streq(x->name, "docker") || streq(x->name, "podman")) && has_arg(c, "--rm"))
		return;
	if (streq(x->name, "docker") && streq(sub, "compose") && !has_arg(c, "up") &&
	    !has_arg(c, "down") && !has_arg(c, "stop") && !has_arg(c, "start") &&
	    !has_arg(c, "restart") && !has_arg(c, "rm") && !has_arg(c, "create"))
		return;
	for (size_t k = 0; !what && sub && k < COUNT(project_changes); k++)
		if (streq(x->name, project_changes[k].cmd) &&
		    streq(sub, project_changes[k].sub))
			what = av_arena_printf(x->arena, "%s %s", x->name, sub);
	/* npx TOOL ...: the tool is the next word. */
	const char *tool = streq(x->name, "npx") || streq(x->name, "bunx")
	                           ? first_word(c, 1)
	                           : x->name;
	for (size_t k = 0; !what && tool && k < COUNT(in_place_tools); k++) {
		if (!streq(tool, in_place_tools[k]))
			continue;
		for (size_t w = 0; w < COUNT(in_place_words); w++)
			if (has_arg(c, in_place_words[w]))
				what = av_arena_printf(x->arena, "%s %s", tool,
				                       in_place_words[w]);
	}
	for (uint32_t i = 1; !what && i < c->argc && i < 4; i++)
		if (migration_word(c->argv[i]))
			what = av_arena_printf(x->arena, "%s %s", x->name, c->argv[i]);
	for (size_t k = 0; !what && k < COUNT(always_write); k++)
		if (streq(x->name, always_write[k]) && !has_arg(c, "-c") &&
		    !has_arg(c, "-dc") && !has_arg(c, "--stdout") && !has_arg(c, "-l") &&
		    !has_arg(c, "-t"))
			what = x->name;
	/* python -m venv DIR, python -m pip install/cache ... */
	if (!what && starts(x->name, "python") && streq(sub, "-m") && sub2 &&
	    (streq(sub2, "venv") ||
	     (streq(sub2, "pip") && c->argc > 3 &&
	      (streq(c->argv[3], "install") || streq(c->argv[3], "uninstall") ||
	       streq(c->argv[3], "cache")))))
		what = av_arena_printf(x->arena, "python -m %s", sub2);
	/* SQL run from a file of the project (psql -f, sqlite3 db < schema). */
	if (!what && (streq(x->name, "psql") || streq(x->name, "sqlite3") ||
	              streq(x->name, "mysql") || streq(x->name, "mariadb"))) {
		bool from_file = has_arg(c, "-f") || has_arg(c, "--file");
		for (uint32_t i = 0; i < c->nredirs && !from_file; i++)
			from_file =
			        c->redirs[i].fd == 0 && c->redirs[i].op == AV_REDIR_IN;
		if (from_file)
			what = av_arena_printf(x->arena, "%s runs SQL from a file",
			                       x->name);
	}
	/* An output named by a long option (--out, --output, ...) inside the
	 * project. Values outside it are left to the program's knowledge. */
	for (uint32_t i = 1; !what && i < c->argc; i++) {
		const char *a = c->argv[i], *v = NULL;
		for (size_t k = 0; !v && k < COUNT(output_opts); k++) {
			size_t n = strlen(output_opts[k]);
			if (strncmp(a, output_opts[k], n) == 0 && a[n] == '=')
				v = a + n + 1;
			else if (streq(a, output_opts[k]) && i + 1 < c->argc)
				v = c->argv[i + 1];
		}
		if (streq(x->name, "ssh-keygen") && streq(a, "-f") && i + 1 < c->argc)
			v = c->argv[i + 1];
		const char *r = v ? av_path_resolve(v, x->ctx, x->arena) : NULL;
		if (r && av_path_classify(r, x->ctx) == AV_PATH_WORKSPACE)
			what = av_arena_printf(x->arena, "%s writes %s", x->name, v);
	}
	if (!what || !x->ctx || !x->ctx->cwd)
		return;
	/* Outside the project this is not the everyday case the table
	 * describes; the program's own knowledge judges it. */
	const char *cwd = av_path_resolve(x->ctx->cwd, x->ctx, x->arena);
	if (!cwd || av_path_classify(cwd, x->ctx) != AV_PATH_WORKSPACE)
		return;
	struct av_effect *e = fx_path(x, AV_FX_FS_WRITE, cwd, AV_FXF_RECURSIVE);
	e->detail = av_arena_printf(x->arena, "the project: %s", what);
}

/* The registry host of an image reference ("evil.example/x:1" ->
 * "evil.example"); NULL for Docker Hub names, which have no dot or port
 * in their first component. */
static const char *image_registry(struct fx_ctx *x, const char *image)
{
	const char *slash = strchr(image, '/');
	if (!slash)
		return NULL;
	size_t n = (size_t)(slash - image);
	if (!memchr(image, '.', n) && !memchr(image, ':', n) &&
	    strncmp(image, "localhost", n) != 0)
		return NULL;
	return av_arena_strndup(x->arena, image, n);
}

/* Container and cluster forms the infrastructure handlers leave out:
 * docker inspect formatted to print .Config.Env, a pod whose --overrides
 * share the node's PID namespace or run privileged, and a container from a
 * foreign registry that restarts at every boot. */
static void container_extras(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *sub = c->argc > 1 ? c->argv[1] : NULL;
	bool docker = streq(x->name, "docker") || streq(x->name, "podman") ||
	              streq(x->name, "nerdctl");
	if (docker && streq(sub, "inspect")) {
		for (uint32_t i = 2; i < c->argc; i++)
			if (strstr(c->argv[i], "Config.Env")) {
				struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
				e->binary = x->name;
				e->detail = "docker inspect prints the containers' "
				            "environment, secrets included";
				return;
			}
	}
	if (streq(x->name, "kubectl") && (streq(sub, "run") || streq(sub, "debug"))) {
		const char *ov = opt_arg(c, "--overrides");
		if (ov &&
		    (strstr(ov, "\"privileged\":true") ||
		     strstr(ov, "\"hostPID\":true") || strstr(ov, "\"hostPath\""))) {
			struct av_effect *e = fx_push(x, AV_FX_PRIV);
			e->binary = x->name;
			e->detail = "container escape: a pod whose overrides run it "
			            "privileged or in the node's namespaces";
		}
		return;
	}
	if (docker && streq(sub, "tag") && c->argc > 3) {
		/* A foreign image given an official name (node:20): every
		 * later FROM node:20 and docker run node:20 gets it. */
		const char *reg = image_registry(x, c->argv[2]);
		if (reg && !image_registry(x, c->argv[3])) {
			struct av_effect *e = fx_push(x, AV_FX_CONFIG_TAMPER);
			e->binary = x->name;
			fx_host(x, e, reg, false);
			e->url = av_arena_printf(x->arena, "https://%s/", reg);
			e->detail = av_arena_printf(
			        x->arena,
			        "docker tag gives %s the name %s, so later "
			        "pulls of it use the foreign image",
			        c->argv[2], c->argv[3]);
		}
		return;
	}
	if (!docker || !streq(sub, "run"))
		return;
	const char *restart = opt_arg(c, "--restart");
	if (!restart || !(streq(restart, "always") || streq(restart, "unless-stopped")))
		return;
	/* The image is the first operand after the options; options with a
	 * separate argument are skipped by their leading dash only, which is
	 * enough to find a registry-qualified name. */
	for (uint32_t i = 2; i < c->argc; i++) {
		const char *reg =
		        c->argv[i][0] != '-' ? image_registry(x, c->argv[i]) : NULL;
		if (!reg)
			continue;
		struct av_effect *e = fx_push(x, AV_FX_PERSIST);
		e->binary = x->name;
		e->mechanism = "container";
		fx_host(x, e, reg, false);
		e->detail =
		        av_arena_printf(x->arena,
		                        "runs %s from %s with --restart %s: it starts "
		                        "again at every boot",
		                        c->argv[i], reg, restart);
		return;
	}
}

/* Package files and kernel modules a command installs or loads: their
 * code runs (maintainer scripts, module init) as root. Recorded as a
 * code.exec with the file as its source, so that a file downloaded earlier
 * in the same text is recognised as network code (effects.c,
 * run_downloads) and judged as curl | sh is. */
static void installs_file(struct fx_ctx *x)
{
	static const char *const loaders[] = { "apt",    "apt-get",   "dnf",      "dpkg",
		                               "insmod", "installer", "modprobe", "rpm",
		                               "yum",    "zypper" };
	bool loader = false;
	for (size_t k = 0; k < COUNT(loaders) && !loader; k++)
		loader = streq(x->name, loaders[k]);
	if (!loader)
		return;
	const struct av_command *c = x->c;
	for (uint32_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		size_t n = strlen(a);
		bool file = a[0] != '-' && (strchr(a, '/') ||
		                            (n > 4 && (strcmp(a + n - 4, ".deb") == 0 ||
		                                       strcmp(a + n - 4, ".rpm") == 0 ||
		                                       strcmp(a + n - 4, ".pkg") == 0)) ||
		                            (n > 3 && strcmp(a + n - 3, ".ko") == 0));
		if (!file)
			continue;
		struct av_effect *e = fx_push(x, AV_FX_CODE_EXEC);
		e->binary = x->name;
		fx_source_path(x, e, a);
		e->mechanism = "package-file";
		e->detail = av_arena_printf(
		        x->arena, "%s installs or loads %s; its code runs as root",
		        x->name, a);
	}
}

/* Forms that throw away work the workspace or its local services hold,
 * recoverable only by redoing it: the rubric's low, with a warning
 * (policy rule change.discard-work). */
static void discards_work(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *sub = c->argc > 1 ? c->argv[1] : NULL;
	const char *what = NULL;
	if (streq(x->name, "docker") && streq(sub, "compose") && has_arg(c, "down") &&
	    (has_arg(c, "-v") || has_arg(c, "--volumes")))
		what = "the project's service volumes (docker compose down -v)";
	else if (streq(x->name, "docker-compose") && streq(sub, "down") &&
	         (has_arg(c, "-v") || has_arg(c, "--volumes")))
		what = "the project's service volumes (docker-compose down -v)";
	else if (streq(x->name, "git") && streq(sub, "branch") &&
	         (has_arg(c, "-D") || (has_arg(c, "-d") && has_arg(c, "--force"))))
		what = "unmerged commits (git branch -D)";
	else if (streq(x->name, "git") && streq(sub, "push") &&
	         (has_arg(c, "--delete") || has_arg(c, "-d")))
		what = "a remote branch (git push --delete)";
	if (!what || !x->ctx || !x->ctx->cwd)
		return;
	const char *cwd = av_path_resolve(x->ctx->cwd, x->ctx, x->arena);
	if (!cwd || av_path_classify(cwd, x->ctx) != AV_PATH_WORKSPACE)
		return;
	struct av_effect *e =
	        fx_path(x, AV_FX_FS_WRITE, cwd, AV_FXF_RECURSIVE | AV_FXF_FORCE);
	e->detail = av_arena_printf(x->arena, "discards %s", what);
}

/* security add-trusted-cert (macOS), update-ca-certificates after a copy,
 * trust anchor (p11-kit): the machine trusts one more authority. */
static void trusts_certificate(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *sub = c->argc > 1 ? c->argv[1] : NULL;
	if (!((streq(x->name, "security") && streq(sub, "add-trusted-cert")) ||
	      (streq(x->name, "trust") && streq(sub, "anchor") &&
	       !has_arg(c, "--remove"))))
		return;
	struct av_effect *e = fx_push(x, AV_FX_SYS_CONFIG);
	e->binary = x->name;
	e->detail = av_arena_printf(x->arena, "%s %s trusts a new root certificate",
	                            x->name, sub);
}

/* Programs whose own script language runs shell commands: GNU sed's `e`
 * command, vim/ex `-c '!…'` or `+!…`, make with a makefile on standard
 * input. What runs is not split out here, so it is marked opaque. */
static void embedded_shell(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *how = NULL;
	if (streq(x->name, "sed") || streq(x->name, "gsed")) {
		for (uint32_t i = 1; i < c->argc && !how; i++) {
			const char *a = c->argv[i];
			if (a[0] == '-')
				continue;
			/* "e CMD" at the start of a command: after an address,
			 * a ';' or the start of the script. */
			for (const char *p = a; *p && !how; p++)
				if (*p == 'e' && p[1] == ' ' &&
				    (p == a || strchr("0123456789$/;{ \n", p[-1])))
					how = "sed runs shell commands from its script "
					      "(e)";
		}
	} else if (streq(x->name, "vim") || streq(x->name, "vi") ||
	           streq(x->name, "nvim") || streq(x->name, "ex")) {
		for (uint32_t i = 1; i < c->argc && !how; i++) {
			const char *a = c->argv[i];
			const char *cmd = streq(a, "-c") && i + 1 < c->argc
			                          ? c->argv[i + 1]
			                  : a[0] == '+' ? a + 1
			                                : NULL;
			if (cmd && (cmd[0] == '!' || starts(cmd, "call system") ||
			            starts(cmd, "r !") || starts(cmd, "w !")))
				how = "vim runs shell commands from its -c commands";
		}
	} else if (streq(x->name, "make") || streq(x->name, "gmake")) {
		const char *f = opt_arg(c, "-f");
		if (!f)
			f = opt_arg(c, "--file");
		if (streq(f, "-") || streq(f, "/dev/stdin"))
			how = "make runs shell commands from its makefile on standard "
			      "input";
	}
	if (!how)
		return;
	struct av_effect *e = fx_push(x, AV_FX_OPAQUE);
	e->binary = x->name;
	e->detail = how;
}

/* Supply-chain edits made from the shell: a submodule from a host, a patch
 * applied straight from a download, sed rewriting where a lock file or a
 * registry setting fetches from. */
static void supply_edits(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *sub = c->argc > 1 ? c->argv[1] : NULL;
	if (streq(x->name, "git") && streq(sub, "submodule") && c->argc > 3 &&
	    streq(c->argv[2], "add")) {
		for (uint32_t i = 3; i < c->argc; i++)
			if (strstr(c->argv[i], "://") || strchr(c->argv[i], '@')) {
				struct av_effect *e = fx_push(x, AV_FX_CONFIG_TAMPER);
				fx_host(x, e, c->argv[i],
				        strstr(c->argv[i], "://") != NULL);
				e->url = c->argv[i];
				e->detail = av_arena_printf(
				        x->arena,
				        "git submodule add vendors code from %s",
				        c->argv[i]);
				return;
			}
	}
	if ((streq(x->name, "git") && (streq(sub, "apply") || streq(sub, "am"))) ||
	    streq(x->name, "patch")) {
		const struct av_effect *f = fx_stdin_fetch(x);
		if (!f || !x->ctx || !x->ctx->cwd)
			return;
		const char *host = f->host, *url = f->url;
		enum av_host_class hc = f->host_class;
		struct av_effect *e =
		        fx_path(x, AV_FX_FS_WRITE, x->ctx->cwd, AV_FXF_RECURSIVE);
		e->host = host, e->url = url, e->host_class = hc;
		e->detail =
		        av_arena_printf(x->arena, "applies a patch downloaded from %s",
		                        host ? host : "the network");
		return;
	}
	if (!(streq(x->name, "sed") || streq(x->name, "perl")))
		return;
	static const char *const sources[] = { "package-lock.json", "yarn.lock",
		                               "pnpm-lock.yaml",    "poetry.lock",
		                               "Pipfile.lock",      ".npmrc",
		                               "pip.conf",          ".yarnrc",
		                               "requirements.txt",  "Cargo.lock" };
	bool lock = false;
	for (uint32_t i = 1; i < c->argc && !lock; i++) {
		const char *b = strrchr(c->argv[i], '/');
		b = b ? b + 1 : c->argv[i];
		for (size_t k = 0; k < COUNT(sources) && !lock; k++)
			lock = streq(b, sources[k]);
	}
	if (!lock)
		return;
	for (uint32_t i = 1; i < c->argc; i++) {
		/* Every URL in the script; the one it writes is the last. */
		const char *u = strstr(c->argv[i], "://"), *last = NULL;
		while (u) {
			last = u;
			u = strstr(u + 3, "://");
		}
		if (!last)
			continue;
		const char *start = last;
		while (start > c->argv[i] && ((start[-1] >= 'a' && start[-1] <= 'z') ||
		                              (start[-1] >= 'A' && start[-1] <= 'Z')))
			start--;
		/* scheme "://" host: up to the next delimiter of the script */
		size_t n = (size_t)(last - start) + 3 + strcspn(last + 3, "#|/ \"'");
		const char *url = av_arena_strndup(x->arena, start, n);
		if (!url)
			return;
		struct av_effect *e = fx_push(x, AV_FX_CONFIG_TAMPER);
		fx_host(x, e, url, true);
		e->url = url;
		e->detail =
		        av_arena_printf(x->arena,
		                        "%s rewrites a lock file or registry setting to "
		                        "fetch from %s",
		                        x->name, url);
		return;
	}
}

/* useradd/usermod/adduser -u 0 (or --uid 0, -o -u 0): a second account
 * with root's uid, a back door that survives a password change of root. */
static void uid_zero(struct fx_ctx *x)
{
	if (!(streq(x->name, "useradd") || streq(x->name, "usermod") ||
	      streq(x->name, "adduser")))
		return;
	const char *uid = opt_arg(x->c, "-u");
	if (!uid)
		uid = opt_arg(x->c, "--uid");
	for (uint32_t i = 1; !uid && i < x->c->argc; i++)
		if (streq(x->c->argv[i], "-u0"))
			uid = "0";
	if (!streq(uid, "0"))
		return;
	struct av_effect *e = fx_push(x, AV_FX_PRIV);
	e->binary = x->name;
	e->detail = av_arena_printf(
	        x->arena, "%s creates an account with uid 0: a second root", x->name);
}

/* printenv or env alone, written to a file: every variable of the
 * session, tokens included, lands where others can read it. yes in the
 * background: a core burnt until someone kills it. */
static void env_dump_and_burn(struct fx_ctx *x)
{
	const struct av_command *c = x->c;
	const char *file = NULL;
	for (uint32_t i = 0; i < c->nredirs; i++) {
		const struct av_redir *r = &c->redirs[i];
		if ((r->op == AV_REDIR_OUT || r->op == AV_REDIR_APPEND ||
		     r->op == AV_REDIR_CLOBBER) &&
		    r->fd == 1 && r->target)
			file = r->target;
	}
	const char *rf = file ? av_path_resolve(file, x->ctx, x->arena) : NULL;
	bool to_null = rf && av_path_classify(rf, x->ctx) == AV_PATH_NULL;
	if ((streq(x->name, "printenv") || streq(x->name, "env")) && c->argc == 1 &&
	    file && !to_null) {
		struct av_effect *e = fx_push(x, AV_FX_CRED_READ);
		e->binary = x->name;
		e->detail = av_arena_printf(
		        x->arena,
		        "%s writes the whole environment, tokens included, to %s",
		        x->name, file);
	} else if (streq(x->name, "yes") && c->background && to_null) {
		struct av_effect *e = fx_push(x, AV_FX_RESOURCE);
		e->binary = x->name;
		e->detail = "yes in the background burns a CPU core until it is killed";
	}
}

void av_fx_common(struct fx_ctx *x)
{
	env_dump_and_burn(x);
	uid_zero(x);
	embedded_shell(x);
	supply_edits(x);
	trusts_certificate(x);
	discards_work(x);
	installs_file(x);
	container_extras(x);
	if (x->c->argc == 0)
		return;
	hidden_program(x);
	if (starts(x->name, "perl"))
		perl_in_place(x);
	project_change(x);
}

void av_fx_secret_leaves(struct fx_ctx *x)
{
	const struct av_effect *secret = NULL;
	for (uint32_t k = 0; k < x->out->count && !secret; k++) {
		const struct av_effect *e = &x->out->items[k];
		if (e->kind == AV_FX_FS_READ && e->path_class == AV_PATH_SECRET &&
		    e->path)
			secret = e;
	}
	if (!secret)
		return;
	uint32_t n = x->out->count;
	for (uint32_t k = 0; k < n && !x->failed; k++) {
		const struct av_effect e = x->out->items[k];
		if (e.kind != AV_FX_NET_SEND || e.source_class == AV_PATH_SECRET ||
		    e.host_class != AV_HOST_PUBLIC)
			continue;
		/* A named file that is not the credential is what is sent;
		 * only data of unseen origin may carry the secret. */
		if (e.source && e.source[0] == '/')
			continue;
		const char *path = secret->path;
		enum av_path_class cls = secret->path_class;
		struct av_effect *c = av_effect_push(x->out, x->arena, AV_FX_NET_SEND);
		if (!c) {
			x->failed = true;
			return;
		}
		*c = e;
		c->source = path;
		c->source_class = cls;
		c->detail =
		        av_arena_printf(x->arena,
		                        "the credential %s, read in the same command, "
		                        "can leave with the data sent to %s",
		                        path, e.host ? e.host : "the network");
		return;
	}
}

const char *av_fx_mktemp_var(struct fx_ctx *x, const char *path)
{
	if (!path || path[0] != '$' || !x->sh)
		return NULL;
	const char *name = path + 1;
	bool brace = name[0] == '{';
	if (brace)
		name++;
	size_t n = 0;
	while ((name[n] >= 'A' && name[n] <= 'Z') || (name[n] >= 'a' && name[n] <= 'z') ||
	       (name[n] >= '0' && name[n] <= '9') || name[n] == '_')
		n++;
	if (n == 0 || (brace && name[n] != '}'))
		return NULL;
	const char *rest = name + n + (brace ? 1 : 0);
	if ((rest[0] != '\0' && rest[0] != '/') || strstr(rest, ".."))
		return NULL; /* "$tmp/.." leaves the fresh directory */
	/* The last assignment to NAME before this command decides. */
	bool fresh = false;
	for (uint32_t i = 0; i < x->idx && i < x->sh->ncmds; i++) {
		const struct av_command *c = &x->sh->cmds[i];
		for (uint32_t k = 0; k < c->nassigns; k++) {
			const char *an = c->assigns[k].name, *v = c->assigns[k].value;
			if (!an || strlen(an) != n || strncmp(an, name, n) != 0)
				continue;
			fresh = v && (starts(v, "$(mktemp") || starts(v, "`mktemp"));
		}
	}
	return fresh ? av_arena_printf(x->arena, "/tmp/tmp.mktemp%s", rest) : NULL;
}
