/* effects_internal.h - helpers shared inside src/effects: path classification
 * with the persistence mechanism, and the derivation state handed to the
 * command knowledge handlers (knowledge.c). Private to the library. */
#ifndef AV_EFFECTS_INTERNAL_H
#define AV_EFFECTS_INTERNAL_H

#include "agentvisor/effects.h"

/* av_path_classify, and for AV_PATH_PERSISTENCE also the mechanism that
 * makes a write there persist ("shell-rc", "cron", ...); *mechanism is set
 * to NULL otherwise. mechanism may be NULL. */
enum av_path_class av_path_classify_mech(const char *resolved,
                                         const struct av_context *ctx,
                                         const char **mechanism);

/* What a knowledge handler sees of one command. */
struct fx_ctx {
	const struct av_shell_result *sh;
	uint32_t idx;                 /* index of the command */
	const struct av_command *c;   /* sh->cmds[idx] */
	const char *name;             /* basename of argv[0] */
	const struct av_context *ctx; /* for path resolution (git -C may swap it) */
	struct av_arena *arena;
	struct av_effect_list *out;
	uint32_t flags; /* added to every effect (AV_FXF_PRIVILEGED) */
	int32_t *fetch; /* per command: index of its first net.fetch effect, or -1 */
	                /* git remotes added earlier in the same text: name, URL */
#define AV_FX_MAX_REMOTES 4
	const char *remotes[AV_FX_MAX_REMOTES][2];
	int nremotes;
	bool failed;           /* an effect could not be appended */
	struct av_effect sink; /* written to after a failure, then ignored */
};

/* Appends an effect of kind k for the current command (flags and cmd set). */
struct av_effect *fx_push(struct fx_ctx *x, enum av_effect_kind k);
/* Appends an effect on path (resolved, classified, wildcard flag). */
struct av_effect *fx_path(struct fx_ctx *x, enum av_effect_kind k, const char *path,
                          uint32_t flags);
/* fs.write of path, plus persist when path is a persistence location. */
struct av_effect *fx_write(struct fx_ctx *x, const char *path, uint32_t flags,
                           const char *detail);
/* Sets e->source (and source_class when it is a path). */
void fx_source_path(struct fx_ctx *x, struct av_effect *e, const char *path);
/* Sets e->url, e->host and e->host_class from a URL or host spec. */
void fx_host(struct fx_ctx *x, struct av_effect *e, const char *url_or_host, bool is_url);
/* The command's net.fetch effect, or of the command feeding its stdin
 * through pass-through filters (tee, base64 -d, gunzip, ...), or NULL. */
const struct av_effect *fx_stdin_fetch(struct fx_ctx *x);
/* A net.fetch of a command or process substitution in this command's own
 * words (bash -c "$(curl ...)", source <(curl ...)), or NULL. */
const struct av_effect *fx_subst_fetch(struct fx_ctx *x);

/* The name of a decoder (base64 -d, xxd -r, rev, tr, gunzip, printf with
 * escapes) feeding this command's stdin through a pipe, or in the command
 * or process substitutions of its own words; NULL when there is none. */
const char *fx_stdin_decoded(struct fx_ctx *x);
const char *fx_subst_decoded(struct fx_ctx *x);

/* The effects of setting git configuration KEY to VALUE (knowledge.c);
 * global: --global/--system scope. */
void av_git_config_effect(struct fx_ctx *x, const char *key, const char *value,
                          bool global);

/* Variables whose value other programs run as shell text (PAGER,
 * GIT_SSH_COMMAND, LESSOPEN, PROMPT_COMMAND, ...): setting one to a
 * command line appends a code.exec with source "env-hook". Returns true
 * when it did (src/effects/extra.c). */
bool av_fx_env_hook(struct fx_ctx *x, const char *name, const char *value);
/* npm/yarn/pnpm publish, npx, go run with a remote module: returns true
 * when it handled the command (extra.c), false to fall back to h_pkg. */
bool av_fx_publish_or_run(struct fx_ctx *x);
/* Arguments that name a mining pool (stratum+tcp://): appends a
 * resource.exhaust (extra.c). */
void av_fx_miner_args(struct fx_ctx *x);

/* A program's knowledge handler. */
typedef void (*fx_handler)(struct fx_ctx *);
struct fx_handler_entry {
	const char *name;
	fx_handler fn;
};
/* Infrastructure tools (infra.c), sorted by name. */
extern const struct fx_handler_entry av_infra_handlers[];
extern const size_t av_infra_handlers_count;
/* Remote code, exfiltration channels, miners (extra.c), sorted by name. */
extern const struct fx_handler_entry av_extra_handlers[];
extern const size_t av_extra_handlers_count;

/* More programs: network clients, archives, capabilities, macOS tools
 * (tools.c), sorted by name. */
extern const struct fx_handler_entry av_tools_handlers[];
extern const size_t av_tools_handlers_count;
/* Signals every command shares, after its own handler (tools.c): a hidden
 * program outside the project, perl -i, project-changing subcommands. */
void av_fx_common(struct fx_ctx *x);
/* `export NAME=VALUE` of LD_PRELOAD or PATH (tools.c): a library injected
 * into later programs, or a hidden directory put first on PATH. */
void av_fx_export(struct fx_ctx *x, const char *name, const char *value);
/* After every command: when the text reads a credential file and also
 * sends data of unseen origin (a pipe, stdin, a DNS name, a ping payload)
 * to a public host, the credential is taken to travel with it: a net.send
 * with the credential as its source is appended (tools.c). */
void av_fx_secret_leaves(struct fx_ctx *x);
/* PATH is "$NAME", "${NAME}" or either followed by "/rest", and NAME was
 * assigned $(mktemp …) earlier in the same text: returns the path with the
 * variable replaced by a temporary directory (/tmp/tmp.mktemp), new in
 * the arena; NULL otherwise (tools.c). */
const char *av_fx_mktemp_var(struct fx_ctx *x, const char *path);
/* Runs the knowledge handler for x->name, if there is one. */
void av_knowledge_apply(struct fx_ctx *x);

#endif
