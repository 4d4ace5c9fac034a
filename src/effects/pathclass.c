/* pathclass.c - lexical path resolution and the table-driven path classes
 * that rules are written against (effects.h). Pure: never touches the file
 * system.
 *
 * Precedence, first match wins (documented here because rules depend on it):
 *   1. root         "/" itself
 *   2. null         /dev/null, /dev/zero, /dev/std*, /dev/fd/... (harmless)
 *   3. persistence  startup files, cron, systemd, autostart, authorized_keys,
 *                   any .git/hooks/ directory (absolute and home tables)
 *   4. secret       credentials under a home directory, system secrets, and
 *                   secret file names anywhere (.env, *.pem, id_rsa, ...)
 *   5. home         exactly ctx->home (before workspace: deleting the home
 *                   directory stays "home" even when it is the workspace)
 *   6. workspace    under ctx->workspace (after 3-4 so that ./.env is secret
 *                   and ./.git/hooks/x is persistence)
 *   7. temp         /tmp, /var/tmp, /dev/shm
 *   8. device       everything else under /dev
 *   9. user         under ctx->home
 *  10. system       /etc, /usr, /bin, /boot, /opt, /var, /root, ...
 *  11. other
 * Home-relative tables apply to ctx->home, to /root and to /home/<name>, so
 * another account's keys are secret too. */
#include "agentvisor/effects.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "effects_internal.h"

enum pmatch {
	PM_EXACT = 0, /* the path itself */
	PM_UNDER,     /* the path or anything below it */
	PM_PREFIX,    /* any path starting with the string (/etc/cron*) */
};

struct prule {
	const char *path;
	enum pmatch match;
	enum av_path_class cls;
	const char *mechanism; /* for persistence */
};

/* Relative to a home directory. Persistence entries come first so that
 * .ssh/authorized_keys is persistence while the rest of .ssh is secret. */
static const struct prule home_rules[] = {
	{ .path = ".ssh/authorized_keys",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "ssh-authorized-keys" },
	{ .path = ".ssh/authorized_keys2",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "ssh-authorized-keys" },
	{ .path = ".ssh/rc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".bashrc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".bash_profile", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".bash_login", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".bash_logout", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".profile", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".zshrc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".zprofile", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".zshenv", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".zlogin", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".xprofile", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".config/fish/config.fish",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = ".xsession", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".xsessionrc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".xinitrc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = ".config/fish/config.fish",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = ".config/fish/conf.d",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = ".config/autostart",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "autostart" },
	{ .path = ".config/systemd/user",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "systemd" },
	{ .path = ".local/share/systemd",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "systemd" },
	{ .path = "Library/LaunchAgents",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "launchagent" },

	{ .path = ".ssh", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".aws", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".gnupg", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".netrc", .cls = AV_PATH_SECRET },
	{ .path = ".git-credentials", .cls = AV_PATH_SECRET },
	{ .path = ".docker/config.json", .cls = AV_PATH_SECRET },
	{ .path = ".kube/config", .cls = AV_PATH_SECRET },
	{ .path = ".config/gh/hosts.yml", .cls = AV_PATH_SECRET },
	{ .path = ".npmrc", .cls = AV_PATH_SECRET },
	{ .path = ".pypirc", .cls = AV_PATH_SECRET },
	{ .path = ".pgpass", .cls = AV_PATH_SECRET },
	{ .path = ".my.cnf", .cls = AV_PATH_SECRET },
	{ .path = ".vault-token", .cls = AV_PATH_SECRET },
	{ .path = ".terraform.d/credentials.tfrc.json", .cls = AV_PATH_SECRET },
	{ .path = ".cargo/credentials", .cls = AV_PATH_SECRET },
	{ .path = ".cargo/credentials.toml", .cls = AV_PATH_SECRET },
	{ .path = ".gem/credentials", .cls = AV_PATH_SECRET },
	{ .path = ".azure", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/gcloud", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".password-store", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".local/share/keyrings", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Keychains", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	/* Shell histories hold typed passwords and tokens; browser profiles hold
	 * cookies and saved logins; agent and wallet credentials. */
	{ .path = ".bash_history", .cls = AV_PATH_SECRET },
	{ .path = ".zsh_history", .cls = AV_PATH_SECRET },
	{ .path = ".mozilla", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/google-chrome", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/chromium", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".claude/.credentials.json", .cls = AV_PATH_SECRET },
	{ .path = ".config/solana", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	/* Database client histories keep the statements typed, passwords
	 * included. */
	{ .path = ".mysql_history", .cls = AV_PATH_SECRET },
	{ .path = ".psql_history", .cls = AV_PATH_SECRET },
	{ .path = ".rediscli_history", .cls = AV_PATH_SECRET },
	{ .path = ".sqlite_history", .cls = AV_PATH_SECRET },
	/* Browser and chat-app profiles (session cookies, saved logins, tokens)
	 * on Linux and macOS. */
	{ .path = ".config/BraveSoftware", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/microsoft-edge", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/discord", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/Slack", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Cookies", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Google/Chrome",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Firefox",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/BraveSoftware",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Microsoft Edge",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Slack",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/discord",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	/* Password managers and cryptocurrency wallets. */
	{ .path = ".config/Bitwarden", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Bitwarden",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = ".config/op", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Group Containers/2BUA8C4S2C.com.1password",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = ".electrum", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".bitcoin", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".ethereum/keystore", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = ".config/Exodus", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Exodus",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Bitcoin",
	  .match = PM_UNDER,
	  .cls = AV_PATH_SECRET },
	/* Tool credential stores: rclone and s3cmd remotes, boto, the VS Code
	 * state database that holds extension auth tokens. */
	{ .path = ".config/rclone/rclone.conf", .cls = AV_PATH_SECRET },
	{ .path = ".s3cfg", .cls = AV_PATH_SECRET },
	{ .path = ".boto", .cls = AV_PATH_SECRET },
	{ .path = ".config/Code/User/globalStorage/state.vscdb", .cls = AV_PATH_SECRET },
	{ .path = "Library/Application Support/Code/User/globalStorage/state.vscdb",
	  .cls = AV_PATH_SECRET },
};

/* Absolute locations. */
static const struct prule abs_rules[] = {
	{ .path = "/etc/cron",
	  .match = PM_PREFIX,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "cron" },
	{ .path = "/var/spool/cron",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "cron" },
	{ .path = "/etc/anacrontab", .cls = AV_PATH_PERSISTENCE, .mechanism = "cron" },
	{ .path = "/etc/systemd",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "systemd" },
	{ .path = "/lib/systemd/system",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "systemd" },
	{ .path = "/usr/lib/systemd",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "systemd" },
	{ .path = "/etc/init.d",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "init" },
	{ .path = "/etc/rc.local", .cls = AV_PATH_PERSISTENCE, .mechanism = "init" },
	{ .path = "/etc/profile", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = "/etc/profile.d",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = "/etc/bash.bashrc",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = "/etc/environment",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = "/etc/zsh",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "shell-rc" },
	{ .path = "/etc/zshrc", .cls = AV_PATH_PERSISTENCE, .mechanism = "shell-rc" },
	{ .path = "/etc/ld.so.preload",
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "ld-preload" },
	{ .path = "/etc/xdg/autostart",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "autostart" },
	{ .path = "/Library/LaunchAgents",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "launchagent" },
	{ .path = "/Library/LaunchDaemons",
	  .match = PM_UNDER,
	  .cls = AV_PATH_PERSISTENCE,
	  .mechanism = "launchagent" },

	{ .path = "/etc/shadow", .cls = AV_PATH_SECRET },
	{ .path = "/etc/shadow-", .cls = AV_PATH_SECRET },
	{ .path = "/etc/gshadow", .cls = AV_PATH_SECRET },
	{ .path = "/etc/gshadow-", .cls = AV_PATH_SECRET },
	{ .path = "/etc/sudoers", .match = PM_PREFIX, .cls = AV_PATH_SECRET },
	{ .path = "/etc/ssl/private", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "/etc/ssh/ssh_host_", .match = PM_PREFIX, .cls = AV_PATH_SECRET },
	/* Secrets mounted into containers and pods (Docker, Kubernetes service
	 * account tokens), cluster admin configs, CI runner tokens. */
	{ .path = "/var/run/secrets", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "/run/secrets", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "/etc/kubernetes/admin.conf", .cls = AV_PATH_SECRET },
	{ .path = "/etc/kubernetes/pki", .match = PM_UNDER, .cls = AV_PATH_SECRET },
	{ .path = "/etc/rancher/k3s/k3s.yaml", .cls = AV_PATH_SECRET },
	{ .path = "/etc/gitlab-runner/config.toml", .cls = AV_PATH_SECRET },
};

static const char *const null_devices[] = {
	"/dev/null",  "/dev/zero",   "/dev/random", "/dev/urandom", "/dev/full",
	"/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty",
};

static const char *const temp_dirs[] = { "/tmp", "/var/tmp", "/dev/shm" };

static const char *const system_dirs[] = {
	"/etc",   "/usr",    "/bin",  "/sbin",   "/lib",          "/lib32",
	"/lib64", "/libx32", "/boot", "/opt",    "/var",          "/root",
	"/sys",   "/proc",   "/snap", "/System", "/Applications", "/Library",
};

/* Secret file names, wherever they are. */
static const char *const secret_names[] = {
	".env",
	".netrc",
	".git-credentials",
	".pgpass",
	".vault-token",
	"credentials.json",
	"secrets.yaml",
	"secrets.yml",
	".htpasswd",
	/* Terraform state holds every resource attribute, passwords included. */
	"terraform.tfstate",
	"terraform.tfstate.backup",
};
static const char *const secret_name_prefixes[] = { "id_rsa", "id_dsa", "id_ecdsa",
	                                            "id_ed25519" };
static const char *const secret_suffixes[] = { ".pem", ".key", ".p12", ".pfx", ".kdbx" };
/* .env.* files that are templates, not secrets. */
static const char *const env_templates[] = { ".env.example", ".env.sample",
	                                     ".env.template" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* True when path equals dir (length dl) or lies below it. */
static bool under(const char *path, const char *dir, size_t dl)
{
	return strncmp(path, dir, dl) == 0 && (path[dl] == '\0' || path[dl] == '/');
}

static bool rule_matches(const struct prule *r, const char *path)
{
	size_t n = strlen(r->path);
	switch (r->match) {
	case PM_EXACT:
		return strcmp(path, r->path) == 0;
	case PM_UNDER:
		return under(path, r->path, n);
	case PM_PREFIX:
		return strncmp(path, r->path, n) == 0;
	}
	return false;
}

static const struct prule *match_table(const struct prule *t, size_t n, const char *path)
{
	/* Cheap filter on the first two bytes before the full comparison. */
	for (size_t i = 0; i < n; i++)
		if (t[i].path[0] == path[0] && t[i].path[1] == path[1] &&
		    rule_matches(&t[i], path))
			return &t[i];
	return NULL;
}

/* Length of a directory setting without trailing slashes; 0 when unusable
 * (NULL, relative, or "/" which would swallow every path). */
static size_t dir_len(const char *d)
{
	if (!d || d[0] != '/')
		return 0;
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	return n > 1 ? n : 0;
}

/* Matches the home-relative table against path below each candidate home. */
static const struct prule *match_home(const char *path, const struct av_context *ctx)
{
	size_t hl = dir_len(ctx ? ctx->home : NULL);
	if (hl && strncmp(path, ctx->home, hl) == 0 && path[hl] == '/')
		return match_table(home_rules, COUNT(home_rules), path + hl + 1);
	if (strncmp(path, "/root/", 6) == 0)
		return match_table(home_rules, COUNT(home_rules), path + 6);
	if (strncmp(path, "/home/", 6) == 0) {
		const char *slash = strchr(path + 6, '/');
		if (slash)
			return match_table(home_rules, COUNT(home_rules), slash + 1);
	}
	return NULL;
}

static bool secret_basename(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	/* Dispatch on the first byte: most names match nothing. */
	if (b[0] == '.' || b[0] == 'c' || b[0] == 's' || b[0] == 't') {
		for (size_t i = 0; i < COUNT(secret_names); i++)
			if (secret_names[i][0] == b[0] && strcmp(b, secret_names[i]) == 0)
				return true;
		if (strncmp(b, ".env.", 5) == 0) {
			for (size_t i = 0; i < COUNT(env_templates); i++)
				if (strcmp(b, env_templates[i]) == 0)
					return false;
			return true;
		}
	}
	/* Private keys by name; their .pub halves are public. */
	if (b[0] == 'i' && b[1] == 'd' && b[2] == '_') {
		for (size_t i = 0; i < COUNT(secret_name_prefixes); i++) {
			size_t pl = strlen(secret_name_prefixes[i]);
			if (strncmp(b, secret_name_prefixes[i], pl) == 0)
				return !(n >= 4 && strcmp(b + n - 4, ".pub") == 0);
		}
	}
	const char *ext = strrchr(b, '.');
	if (ext && ext != b) {
		for (size_t i = 0; i < COUNT(secret_suffixes); i++)
			if (strcmp(ext, secret_suffixes[i]) == 0)
				return true;
	}
	return false;
}

/* True when p is under one of dirs (first bytes compared first). */
static bool under_any(const char *p, const char *const *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dirs[i][1] == p[1] && under(p, dirs[i], strlen(dirs[i])))
			return true;
	return false;
}

/* Globbed paths (cat ~/.ss?/id_*): the class of the most sensitive known
 * location the pattern matches, tried by fnmatch(3) against the table
 * entries (and a few file names below the directory entries), as the shell
 * would expand it. AV_PATH_UNKNOWN when nothing sensitive matches. */
static enum av_path_class glob_class(const char *pat, const struct av_context *ctx,
                                     const char **mechanism)
{
	static const char *const below[] = { "id_rsa", "id_ed25519", "credentials",
		                             "config", "private.key" };
	static const char *const names[] = {
		"id_rsa",           "id_ed25519", "id_ecdsa",   ".env",   ".netrc",
		".git-credentials", "server.pem", "server.key", ".pgpass"
	};
	const int fl = FNM_PATHNAME | FNM_PERIOD;
	char buf[512];
	enum av_path_class best = AV_PATH_UNKNOWN;
	size_t hl = dir_len(ctx ? ctx->home : NULL);
	for (int t = 0; t < 2; t++) {
		const struct prule *tab = t ? home_rules : abs_rules;
		size_t n = t ? COUNT(home_rules) : COUNT(abs_rules);
		if (t && !hl)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct prule *r = &tab[i];
			for (size_t k = 0; k <= COUNT(below); k++) {
				if (k > 0 && r->match == PM_EXACT)
					break;
				int w = t ? snprintf(buf, sizeof(buf), "%.*s/%s%s%s",
				                     (int)hl, ctx->home, r->path,
				                     k ? "/" : "", k ? below[k - 1] : "")
				          : snprintf(buf, sizeof(buf), "%s%s%s", r->path,
				                     k ? "/" : "", k ? below[k - 1] : "");
				if (w < 0 || (size_t)w >= sizeof(buf) ||
				    fnmatch(pat, buf, fl) != 0)
					continue;
				if (r->cls == AV_PATH_PERSISTENCE) {
					*mechanism = r->mechanism;
					return AV_PATH_PERSISTENCE;
				}
				best = r->cls;
			}
		}
	}
	if (best != AV_PATH_UNKNOWN)
		return best;
	const char *slash = strrchr(pat, '/');
	const char *base = slash ? slash + 1 : pat;
	for (size_t i = 0; i < COUNT(names); i++)
		if (fnmatch(base, names[i], FNM_PERIOD) == 0)
			return AV_PATH_SECRET;
	return AV_PATH_UNKNOWN;
}

enum av_path_class av_path_classify_mech(const char *p, const struct av_context *ctx,
                                         const char **mechanism)
{
	const char *dummy;
	if (!mechanism)
		mechanism = &dummy;
	*mechanism = NULL;
	if (!p || p[0] != '/')
		return AV_PATH_UNKNOWN;
	if (p[1] == '\0')
		return AV_PATH_ROOT;
	/* A last component of "*" or ".*" directly under the root or the home
	 * directory names every entry there: deleting them is deleting the
	 * directory, whatever else the pattern matches. */
	static const char *const every[] = { "*", ".*", ".[!.]*", "{*,.*}" };
	const char *last = strrchr(p, '/');
	for (size_t i = 0; i < COUNT(every); i++) {
		if (strcmp(last + 1, every[i]) != 0)
			continue;
		size_t dl = (size_t)(last - p);
		if (dl == 0)
			return AV_PATH_ROOT;
		if (ctx && ctx->home && strlen(ctx->home) == dl &&
		    strncmp(p, ctx->home, dl) == 0)
			return AV_PATH_HOME;
	}
	if (strncmp(p, "/dev/", 5) == 0) {
		for (size_t i = 0; i < COUNT(null_devices); i++)
			if (strcmp(p, null_devices[i]) == 0)
				return AV_PATH_NULL;
		if (under(p, "/dev/fd", 7))
			return AV_PATH_NULL;
	}

	const struct prule *r = match_table(abs_rules, COUNT(abs_rules), p);
	const struct prule *h = match_home(p, ctx);
	/* Persistence wins over secret, whichever table said it. */
	if (h && h->cls == AV_PATH_PERSISTENCE)
		r = h;
	else if (!r || r->cls != AV_PATH_PERSISTENCE)
		r = r ? r : h;
	if (!r || r->cls != AV_PATH_PERSISTENCE) {
		const char *hooks = strstr(p, "/.git/hooks/");
		if (hooks && hooks[12] != '\0') {
			*mechanism = "git-hook";
			return AV_PATH_PERSISTENCE;
		}
		/* Python runs the import lines of every .pth file, and
		 * sitecustomize/usercustomize, at each interpreter start. A
		 * project's own virtualenv is its business, so only paths
		 * outside the workspace count. */
		const char *sp = strstr(p, "/site-packages/");
		if (!sp)
			sp = strstr(p, "/dist-packages/");
		const char *b = strrchr(p, '/');
		size_t bl = b ? strlen(b) : 0;
		bool in_ws = ctx && ctx->workspace &&
		             under(p, ctx->workspace, strlen(ctx->workspace));
		if (sp && b && !in_ws &&
		    ((bl > 4 && strcmp(b + bl - 4, ".pth") == 0) ||
		     strcmp(b, "/sitecustomize.py") == 0 ||
		     strcmp(b, "/usercustomize.py") == 0)) {
			*mechanism = "python-startup";
			return AV_PATH_PERSISTENCE;
		}
	}
	/* Public keys (*.pub) are not secrets, even inside ~/.ssh. */
	size_t pl = strlen(p);
	if (r && r->cls == AV_PATH_SECRET && pl > 4 && strcmp(p + pl - 4, ".pub") == 0)
		r = NULL;
	if (r) {
		*mechanism = r->mechanism;
		return r->cls;
	}
	if (secret_basename(p))
		return AV_PATH_SECRET;
	if (strpbrk(p, "*?[")) {
		enum av_path_class g = glob_class(p, ctx, mechanism);
		if (g != AV_PATH_UNKNOWN)
			return g;
	}
	/* /proc/PID/environ exposes a process's environment, tokens included. */
	if (strncmp(p, "/proc/", 6) == 0) {
		size_t pl2 = strlen(p);
		if (pl2 > 8 && strcmp(p + pl2 - 8, "/environ") == 0)
			return AV_PATH_SECRET;
	}

	size_t hl = dir_len(ctx ? ctx->home : NULL);
	if (hl && strncmp(p, ctx->home, hl) == 0 && p[hl] == '\0')
		return AV_PATH_HOME;
	size_t wl = dir_len(ctx ? ctx->workspace : NULL);
	if (wl && under(p, ctx->workspace, wl))
		return AV_PATH_WORKSPACE;
	if (under_any(p, temp_dirs, COUNT(temp_dirs)))
		return AV_PATH_TEMP;
	if (under(p, "/dev", 4))
		return AV_PATH_DEVICE;
	if (hl && under(p, ctx->home, hl))
		return AV_PATH_USER;
	if (under_any(p, system_dirs, COUNT(system_dirs)))
		return AV_PATH_SYSTEM;
	return AV_PATH_OTHER;
}

enum av_path_class av_path_classify(const char *resolved, const struct av_context *ctx)
{
	return av_path_classify_mech(resolved, ctx, NULL);
}

/* Removes "." and ".." components and repeated slashes in place; s is
 * absolute. ".." at the root stays at the root. */
static void normalize(char *s)
{
	size_t r = 0, w = 0;
	while (s[r]) {
		while (s[r] == '/')
			r++;
		if (!s[r])
			break;
		size_t start = r;
		while (s[r] && s[r] != '/')
			r++;
		size_t n = r - start;
		if (n == 1 && s[start] == '.')
			continue;
		if (n == 2 && s[start] == '.' && s[start + 1] == '.') {
			while (w > 0 && s[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			continue;
		}
		s[w++] = '/';
		memmove(s + w, s + start, n);
		w += n;
	}
	if (w == 0)
		s[w++] = '/';
	s[w] = '\0';
}

const char *av_path_resolve(const char *path, const struct av_context *ctx,
                            struct av_arena *arena)
{
	if (!path)
		return NULL;
	const char *base;
	const char *rest = path;
	if (path[0] == '~') {
		if ((path[1] != '\0' && path[1] != '/') || !ctx || !ctx->home ||
		    ctx->home[0] != '/')
			return av_arena_strdup(arena, path); /* ~user, or no home */
		base = ctx->home;
		rest = path + 1;
	} else if (path[0] == '/') {
		base = "";
	} else if (ctx && ctx->cwd && ctx->cwd[0] == '/') {
		base = ctx->cwd;
	} else {
		return av_arena_strdup(arena, path);
	}
	size_t bl = strlen(base), rl = strlen(rest);
	char *buf = av_arena_alloc(arena, bl + rl + 2);
	if (!buf)
		return NULL;
	memcpy(buf, base, bl);
	buf[bl] = '/';
	memcpy(buf + bl + 1, rest, rl);
	buf[bl + rl + 1] = '\0';
	normalize(buf);
	return buf;
}
