/* effects.h - the typed facts every action is reduced to, and the
 * classification of the paths and hosts they name. Rules are written against
 * effects, never against raw strings (docs/POLICY.md lists the fields). */
#ifndef AGENTVISOR_EFFECTS_H
#define AGENTVISOR_EFFECTS_H

#include "agentvisor/action.h"
#include "agentvisor/common.h"
#include "agentvisor/shell.h"

/* The effect vocabulary. Names (av_effect_kind_name) are what policies use. */
enum av_effect_kind {
	AV_FX_FS_READ = 0,   /* "fs.read": read file content */
	AV_FX_FS_WRITE,      /* "fs.write": create, overwrite, append, edit */
	AV_FX_FS_DELETE,     /* "fs.delete" */
	AV_FX_FS_LIST,       /* "fs.list": enumerate a directory */
	AV_FX_FS_CHMOD,      /* "fs.chmod" (mode) */
	AV_FX_FS_CHOWN,      /* "fs.chown" */
	AV_FX_FS_MOVE,       /* "fs.move": path -> dest */
	AV_FX_NET_FETCH,     /* "net.fetch": data comes in from a host */
	AV_FX_NET_SEND,      /* "net.send": data goes out to a host (source) */
	AV_FX_NET_CONNECT,   /* "net.connect": interactive or raw connection */
	AV_FX_PROC_EXEC,     /* "proc.exec": a program runs (binary) */
	AV_FX_CODE_EXEC,     /* "code.exec": an interpreter runs code (binary,
	                        source = "inline", "stdin", "network", a path) */
	AV_FX_PRIV,          /* "priv.escalate": runs with more privilege */
	AV_FX_PERSIST,       /* "persist": survives the session (mechanism) */
	AV_FX_DISK_WRITE,    /* "disk.write": raw device or file system write */
	AV_FX_SYS_CONFIG,    /* "sys.config": changes system state (detail) */
	AV_FX_PKG_INSTALL,   /* "pkg.install" (detail = manager, url if any) */
	AV_FX_OPAQUE,        /* "opaque": something runs that cannot be seen */
	AV_FX_DATA_DESTROY,  /* "data.destroy": data outside the file system is
	                        destroyed: a database, bucket, cluster object,
	                        cloud resource, remote branch (detail, host) */
	AV_FX_CRED_READ,     /* "cred.read": a credential obtained through a tool
	                        (token printer, secret store, key export) or
	                        searched for (detail, binary, path) */
	AV_FX_CONFIG_TAMPER, /* "config.tamper": redirects where tools fetch from
	                        or what they run (git config, registries;
	                        detail = key and value, url/host, path) */
	AV_FX_NET_EXPOSE,    /* "net.expose": a tunnel or server exposes local
	                        services or files (detail, path, host) */
	AV_FX_RESOURCE,      /* "resource.exhaust": exhausts or kills machine
	                        resources (fork bomb, killing every process) */
};
#define AV_FX_COUNT 23

enum av_path_class {
	AV_PATH_UNKNOWN = 0, /* unresolved (relative path, no cwd) */
	AV_PATH_ROOT,        /* "/" itself */
	AV_PATH_SECRET,      /* keys, credentials, tokens, .env files */
	AV_PATH_PERSISTENCE, /* shell rc files, cron, systemd units, hooks */
	AV_PATH_SYSTEM,      /* /etc, /usr, /boot, ... */
	AV_PATH_DEVICE,      /* /dev/sd*, /dev/nvme*, ... (not /dev/null) */
	AV_PATH_HOME,        /* the home directory itself */
	AV_PATH_USER,        /* under home, outside the workspace */
	AV_PATH_WORKSPACE,   /* under the workspace */
	AV_PATH_TEMP,        /* /tmp, /var/tmp, /dev/shm */
	AV_PATH_NULL,        /* /dev/null, /dev/zero, /dev/std* ... harmless */
	AV_PATH_OTHER,       /* anything else */
};
#define AV_PATH_CLASS_COUNT 12

enum av_host_class {
	AV_HOST_NONE = 0, /* no host */
	AV_HOST_LOOPBACK, /* localhost, 127/8, ::1 */
	AV_HOST_PRIVATE,  /* RFC 1918, fc00::/7, *.local, *.internal */
	AV_HOST_METADATA, /* link-local, 169.254.169.254, metadata.google... */
	AV_HOST_PUBLIC,   /* any other name or address */
};
#define AV_HOST_CLASS_COUNT 5

/* Effect flags. */
#define AV_FXF_RECURSIVE  (1u << 0) /* applies to a whole tree */
#define AV_FXF_FORCE      (1u << 1) /* suppresses prompts or safety checks */
#define AV_FXF_PRIVILEGED (1u << 2) /* runs under sudo/doas/su/pkexec */
#define AV_FXF_WILDCARD                                                                  \
	(1u << 3) /* path contains an unexpanded glob, or the                            \
	             effect applies only to the names under                              \
	             path that match a filter (find -name) */

struct av_effect {
	enum av_effect_kind kind;
	uint32_t flags;
	int32_t cmd;      /* index into the shell commands, or -1 */
	const char *path; /* absolute and normalized when resolvable */
	enum av_path_class path_class;
	const char *dest; /* move/copy destination, redirect target */
	enum av_path_class dest_class;
	const char *host;
	enum av_host_class host_class;
	const char *url;
	const char *binary;              /* proc.exec / code.exec / pkg.install */
	const char *mode;                /* fs.chmod mode as written */
	const char *source;              /* net.send / code.exec: what is sent or run */
	enum av_path_class source_class; /* when source is a path */
	const char *mechanism;           /* persist: "cron", "systemd", "shell-rc", ... */
	const char *detail;              /* short free text for explanations */
};

struct av_effect_list {
	struct av_effect *items;
	uint32_t count;
	uint32_t capacity;
};
#define AV_MAX_EFFECTS 4096

const char *av_effect_kind_name(enum av_effect_kind k);
int av_effect_kind_parse(const char *s, size_t len, enum av_effect_kind *out);
const char *av_path_class_name(enum av_path_class c);
int av_path_class_parse(const char *s, size_t len, enum av_path_class *out);
const char *av_host_class_name(enum av_host_class c);
int av_host_class_parse(const char *s, size_t len, enum av_host_class *out);

/* Resolves path against ctx: "~" and "~/" use ctx->home, relative paths use
 * ctx->cwd, then "." and ".." and repeated slashes are removed lexically
 * (".." never climbs above "/"). Returns an absolute path from ARENA, or
 * the input copied unchanged when it cannot be resolved (relative with no
 * cwd, "~user"). Never touches the file system. NULL only on arena
 * exhaustion. */
const char *av_path_resolve(const char *path, const struct av_context *ctx,
                            struct av_arena *arena);

/* Classifies an already resolved path (a table of prefixes and names; see
 * src/effects/pathclass.c). Pure. */
enum av_path_class av_path_classify(const char *resolved, const struct av_context *ctx);

/* Extracts the host of a URL or "host:port" / "user@host:path" spec into
 * ARENA (lowercased, brackets stripped), or NULL if none. */
const char *av_host_from_url(const char *url, struct av_arena *arena);
enum av_host_class av_host_classify(const char *host);

/* Derives the effects of shell commands (borrowed) and appends them to out.
 * Uses the compiled-in command knowledge table. Returns 0, or -1 with err
 * set on arena exhaustion or when AV_MAX_EFFECTS is reached (AV_E_LIMIT). */
int av_effects_from_commands(const struct av_shell_result *sh,
                             const struct av_context *ctx, struct av_arena *arena,
                             struct av_effect_list *out, struct av_error *err);

/* Derives the effects of a file action. Same contract. */
int av_effects_from_file(const struct av_action *a, struct av_arena *arena,
                         struct av_effect_list *out, struct av_error *err);

/* When PATH names a file whose content a build or CI tool runs later as
 * shell commands (a Makefile, a CI workflow, package.json, setup.py or
 * conftest.py, .envrc, a husky hook), extracts those commands from CONTENT
 * (borrowed, LEN bytes) as newline-separated shell text into ARENA: *out
 * and *out_len, and *what names where they run ("a Makefile recipe").
 * Returns 1 when some text was found, 0 when none or PATH is not such a
 * file, -1 on arena exhaustion. Pure; see src/effects/runlater.c. */
int av_runs_later_text(const char *path, const char *content, size_t len,
                       struct av_arena *arena, const char **out, size_t *out_len,
                       const char **what);

/* ---- the kinds beyond shell and file (src/effects/kind_*.c) ----------- */

/* Statement classes of SQL text (src/effects/sql.c), ordered by how much
 * they can do; sql.class is the strongest class of the text. */
enum av_sql_class {
	AV_SQL_NONE = 0,    /* empty text, comments only */
	AV_SQL_READ,        /* SELECT, SHOW, EXPLAIN, ... */
	AV_SQL_TRANSACTION, /* BEGIN, COMMIT, ROLLBACK, SAVEPOINT */
	AV_SQL_SESSION,     /* SET, USE, VACUUM, ANALYZE, ... */
	AV_SQL_WRITE,       /* INSERT, UPDATE/DELETE with WHERE, MERGE, COPY FROM */
	AV_SQL_DDL,         /* CREATE, ALTER (adding), COMMENT, RENAME */
	AV_SQL_PRIVILEGE,   /* GRANT, REVOKE, CREATE/ALTER USER or ROLE */
	AV_SQL_DESTRUCTIVE, /* DROP, TRUNCATE, DELETE/UPDATE without WHERE, ALTER ... DROP
	                     */
	AV_SQL_OTHER,       /* anything not recognized (CALL, dialect verbs) */
};
#define AV_SQL_CLASS_COUNT 9

const char *av_sql_class_name(enum av_sql_class c);

/* What the kind stage learned beyond effects, for the policy fields of
 * docs/POLICY.md ("Kind fields"). Zeroed for shell and file actions. The
 * SQL and message parts are filled by an MCP tool mapped to those stages
 * too, so sql.* and message.* rules judge it the same way. */
struct av_kind_facts {
	enum av_sql_class sql_class;        /* strongest class of the SQL text */
	uint32_t sql_classes;               /* bit (1u << class) for each class present */
	uint32_t sql_statements;            /* statements in the text */
	const char *const *sql_class_names; /* the classes present, by name */
	uint32_t nsql_class_names;
	bool http_auth;  /* a credential-bearing header with a literal value */
	bool mcp_mapped; /* an mcp_tools entry matched the server and tool */
	const char *const *k8s_kinds; /* object kinds in the manifest */
	uint32_t nk8s_kinds;
	/* A message the action sends (a message action, or an MCP tool mapped
	 * to the message stage); all NULL when it sends none. */
	const char *msg_channel, *msg_recipient, *msg_subject, *msg_body;
	const char *const *msg_attachments;
	uint32_t nmsg_attachments;
};

/* What the kind stage needs from the pipeline. Effects never call the
 * shell stage directly: shell text found inside another kind (a code
 * action, COPY ... PROGRAM in SQL, an MCP argument mapped to shell, a
 * kubectl command line) is handed to shell(), which analyses it and appends
 * its commands and effects to the same list (so effect pointers taken
 * before a call must not be used after it). */
struct av_kind_env {
	/* Entries of the policy list mcp_tools (borrowed), see
	 * av_mcp_map_check() for the syntax. */
	const char *const *mcp_map;
	uint32_t mcp_map_count;
	int (*shell)(void *ud, const char *text, size_t len, const char *why,
	             struct av_error *err);
	void *ud;
};

/* Derives the effects of an http, sql, kubernetes, code, message,
 * credential, delegate or mcp action (borrowed) into out, and fills *kf.
 * Returns 0, or -1 with err set (arena exhausted, AV_MAX_EFFECTS reached,
 * AV_E_FIELD for an mcp_tools entry that does not parse). */
int av_effects_from_kind(const struct av_action *a, const struct av_kind_env *env,
                         struct av_arena *arena, struct av_effect_list *out,
                         struct av_kind_facts *kf, struct av_error *err);

/* Checks one mcp_tools list entry ("SERVER/TOOL EFFECT FIELD=VALUE ...",
 * docs/POLICY.md "MCP tools"). Returns 0, or -1 with a full sentence in
 * why[0..whylen). Pure; used when a policy layer loads. */
int av_mcp_map_check(const char *entry, char *why, size_t whylen);

/* Appends one zeroed effect (cmd = -1) of kind k and returns it, or NULL. */
struct av_effect *av_effect_push(struct av_effect_list *l, struct av_arena *arena,
                                 enum av_effect_kind k);

#endif
