/* decide.c - the decision pipeline: normalize -> effects -> policy -> verdict,
 * then the SafeFix re-check of any concrete safer command a finding proposes.
 *
 * Each stage is reached only through its module's public interface, so a
 * stage can be replaced (the shell splitter by the full evaluator, say)
 * without touching this file. The pipeline fails closed: any error from a
 * stage turns the whole decision into a block carrying that error. */
#include <string.h>

#include "agentvisor/decide.h"

/* Engine findings do not come from a policy layer and cannot be disabled:
 * they are the pipeline's own fail-closed signals. */
static const char ENGINE_LIMIT_RULE[] = "engine.limit";

static void fail(struct av_decision *d, const struct av_error *err)
{
	d->verdict = AV_BLOCK;
	d->risk = AV_RISK_HIGH;
	d->has_error = true;
	d->error = *err;
	if (d->error.code == AV_OK) /* defensive: a stage failed without saying why */
		av_error_set(&d->error, AV_E_INTERNAL, "", "a pipeline stage failed");
}

static int add_limit_finding(struct av_decision *d, struct av_arena *arena,
                             const char *limit, struct av_error *err)
{
	struct av_finding *f =
	        av_arena_push(arena, (void **)&d->findings.items, &d->findings.count,
	                      &d->findings.capacity, sizeof(*f), AV_MAX_FINDINGS);
	if (f == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "no room for a finding");
	f->rule = ENGINE_LIMIT_RULE;
	f->verdict = AV_BLOCK;
	f->risk = AV_RISK_HIGH;
	f->reason = av_arena_printf(arena,
	                            "the analysis hit a limit (%s), so part of what this "
	                            "action does is unknown",
	                            limit);
	f->effect = -1;
	return f->reason != NULL ? 0 : av_error_set(err, AV_E_NOMEM, "", "out of memory");
}

/* Shell text -> commands -> effects, appended to d. Used for shell actions
 * and for startup code that a file action writes. */
static int analyze_shell_text(const char *text, size_t len, const struct av_context *ctx,
                              struct av_arena *arena, struct av_decision *d,
                              struct av_error *err)
{
	if (av_shell_analyze(text, len, ctx, arena, &d->shell, err) < 0)
		return -1;
	if (av_effects_from_commands(&d->shell, ctx, arena, &d->effects, err) < 0)
		return -1;
	if (d->shell.truncated != NULL)
		return add_limit_finding(d, arena, d->shell.truncated, err);
	return 0;
}

/* The normalize and effects stages for each kind, as a table so adding a
 * kind is one entry. */
static int stage_shell(const struct av_action *a, struct av_arena *arena,
                       struct av_decision *d, struct av_error *err)
{
	return analyze_shell_text(a->in.shell.command, a->in.shell.command_len, &a->ctx,
	                          arena, d, err);
}

/* True when the file action writes content into a place that runs it later
 * (a shell startup file, a cron table, a git hook). */
static bool writes_startup_code(const struct av_action *a,
                                const struct av_effect_list *fx)
{
	if (a->in.file.content == NULL ||
	    !(a->in.file.op == AV_FOP_WRITE || a->in.file.op == AV_FOP_APPEND ||
	      a->in.file.op == AV_FOP_EDIT))
		return false;
	for (uint32_t i = 0; i < fx->count; i++)
		if (fx->items[i].kind == AV_FX_PERSIST)
			return true;
	return false;
}

/* Marks the commands found in written content with where they will run. */
static void mark_provenance(struct av_decision *d, const char *why)
{
	for (uint32_t i = 0; i < d->shell.ncmds; i++)
		if (d->shell.cmds[i].provenance == NULL)
			d->shell.cmds[i].provenance = why;
}

/* A Python file that runs later (setup.py, conftest.py, a .pth file) is
 * itself code: the rules for interpreter code judge it (downloads that are
 * executed, sockets with shells, credential reads). The first 64 KiB is
 * enough for any hook that hides something at the top. */
static int python_code_effect(const struct av_action *a, const char *path,
                              struct av_arena *arena, struct av_decision *d,
                              struct av_error *err)
{
	struct av_effect *e = av_effect_push(&d->effects, arena, AV_FX_CODE_EXEC);
	if (e == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	size_t n = a->in.file.content_len < 65536 ? a->in.file.content_len : 65536;
	e->binary = "python";
	e->source = "build-file";
	e->path = path;
	e->path_class = av_path_classify(path, &a->ctx);
	e->detail = av_arena_strndup(arena, a->in.file.content, n);
	return e->detail != NULL ? 0 : av_error_set(err, AV_E_NOMEM, "", "out of memory");
}

static int stage_file(const struct av_action *a, struct av_arena *arena,
                      struct av_decision *d, struct av_error *err)
{
	if (av_effects_from_file(a, arena, &d->effects, err) < 0)
		return -1;
	if (a->in.file.content == NULL ||
	    !(a->in.file.op == AV_FOP_WRITE || a->in.file.op == AV_FOP_APPEND ||
	      a->in.file.op == AV_FOP_EDIT))
		return 0;
	/* Build and CI files are programs too, run by the next `make`, push
	 * or `npm install`: the commands inside them (recipes, `run:` steps,
	 * scripts, os.system strings) are judged as shell text now. Only the
	 * command parts are extracted (src/effects/runlater.c), so ordinary
	 * content is not mistaken for shell. */
	const char *path = av_path_resolve(a->in.file.path, &a->ctx, arena);
	const char *text = NULL, *what = NULL;
	size_t len = 0;
	int r = path ? av_runs_later_text(path, a->in.file.content,
	                                  a->in.file.content_len, arena, &text, &len,
	                                  &what)
	             : -1;
	if (r < 0)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	size_t pl = strlen(path);
	if (what != NULL && pl > 3 &&
	    (strcmp(path + pl - 3, ".py") == 0 || strcmp(path + pl - 4, ".pth") == 0) &&
	    python_code_effect(a, path, arena, d, err) < 0)
		return -1;
	const char *why = NULL;
	if (r > 0) {
		why = av_arena_printf(arena, "%s in %s, runs later", what,
		                      a->in.file.path);
	} else if (writes_startup_code(a, &d->effects)) {
		/* Content written to a startup location is a program that will
		 * run later, outside any mediation: judge it now as the shell
		 * text it is, so a hook that pipes a download into sh is seen
		 * for what it does. */
		text = a->in.file.content;
		len = a->in.file.content_len;
		why = av_arena_printf(arena, "written to %s, runs later",
		                      a->in.file.path);
	} else {
		return 0;
	}
	if (why == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	if (analyze_shell_text(text, len, &a->ctx, arena, d, err) < 0)
		return -1;
	mark_provenance(d, why);
	return 0;
}

/* The kinds beyond shell and file (src/effects/kind_*.c). Shell text found
 * inside them (code, SQL COPY ... PROGRAM, kubectl command lines, MCP
 * arguments mapped to shell) comes back here, so it is analysed by the one
 * shell stage and judged by the same rules as a shell action. */
struct kind_shell_ud {
	const struct av_action *a;
	struct av_arena *arena;
	struct av_decision *d;
};

static int kind_shell_text(void *ud, const char *text, size_t len, const char *why,
                           struct av_error *err)
{
	struct kind_shell_ud *k = ud;
	struct av_decision *d = k->d;
	struct av_shell_result sub;
	if (av_shell_analyze(text, len, &k->a->ctx, k->arena, &sub, err) < 0)
		return -1;
	uint32_t first = d->shell.ncmds, fx0 = d->effects.count;
	if (av_effects_from_commands(&sub, &k->a->ctx, k->arena, &d->effects, err) < 0)
		return -1;
	if (first > 0) {
		/* Several texts in one action: append the new commands after
		 * the earlier ones and shift the indexes that point into them. */
		uint32_t n = first + sub.ncmds;
		if (n > AV_SHELL_MAX_COMMANDS)
			return add_limit_finding(d, k->arena, "commands", err);
		struct av_command *all = av_arena_alloc(k->arena, n * sizeof(*all));
		if (all == NULL)
			return av_error_set(err, AV_E_NOMEM, "", "out of memory");
		memcpy(all, d->shell.cmds, first * sizeof(*all));
		memcpy(all + first, sub.cmds, sub.ncmds * sizeof(*all));
		uint32_t pipes = 0;
		for (uint32_t i = 0; i < first; i++)
			if (all[i].pipeline + 1 > pipes)
				pipes = all[i].pipeline + 1;
		for (uint32_t i = first; i < n; i++) {
			all[i].pipeline += pipes;
			if (all[i].parent >= 0)
				all[i].parent += (int32_t)first;
		}
		for (uint32_t i = fx0; i < d->effects.count; i++)
			if (d->effects.items[i].cmd >= 0)
				d->effects.items[i].cmd += (int32_t)first;
		d->shell.cmds = all;
		d->shell.ncmds = n;
		if (sub.truncated != NULL)
			d->shell.truncated = sub.truncated;
	} else {
		d->shell = sub;
	}
	for (uint32_t i = first; i < d->shell.ncmds; i++)
		if (d->shell.cmds[i].provenance == NULL)
			d->shell.cmds[i].provenance = why;
	if (sub.truncated != NULL)
		return add_limit_finding(d, k->arena, sub.truncated, err);
	return 0;
}

static int stage_kind(const struct av_action *a, struct av_arena *arena,
                      struct av_decision *d, struct av_error *err,
                      const struct av_policy *p)
{
	struct kind_shell_ud ud = { .a = a, .arena = arena, .d = d };
	struct av_kind_env env = { .shell = kind_shell_text, .ud = &ud };
	env.mcp_map = av_policy_list(p, "mcp_tools", &env.mcp_map_count);
	return av_effects_from_kind(a, &env, arena, &d->effects, &d->kind, err);
}

static int (*const stages[AV_KIND_COUNT])(const struct av_action *, struct av_arena *,
                                          struct av_decision *, struct av_error *) = {
	[AV_KIND_SHELL] = stage_shell,
	[AV_KIND_FILE] = stage_file,
};

/* Forward: a safefix re-check runs the whole pipeline again. */
static int decide_one(const struct av_policy *p, const struct av_action *a,
                      struct av_arena *arena, struct av_decision *d, bool offer_fixes);

/* The re-check of SafeFix (docs/POLICY.md, "Safe fixes"): the proposed
 * command is decided as a shell action in the same context, by the same
 * policy and pipeline, and offered only when that decision is clean, allow
 * or warn, and strictly weaker than the finding it would replace. A fix that
 * would itself be stopped is never offered. The re-check runs with
 * offer_fixes false, so it never re-checks its own fixes: the recursion is
 * one level deep whatever the policy says. A failed re-check (an error, a
 * full arena) only drops the fix; the decision itself is unchanged. */
static bool fix_is_safe(const struct av_policy *p, const struct av_action *a,
                        const char *fix, enum av_verdict finding_verdict,
                        struct av_arena *arena)
{
	struct av_action fa = {
		.id = a->id,
		.session = a->session,
		.principal = a->principal,
		.tool = a->kind == AV_KIND_SHELL ? a->tool : NULL,
		.kind = AV_KIND_SHELL,
		.in.shell = { .command = fix, .command_len = strlen(fix) },
		.ctx = a->ctx,
	};
	struct av_decision fd;
	if (decide_one(p, &fa, arena, &fd, false) < 0 || fd.has_error)
		return false;
	return fd.verdict <= AV_WARN && fd.verdict < finding_verdict;
}

/* Re-checks each finding's candidate command and keeps only those that
 * pass. Findings that share a command (one rule over several effects often
 * gives the same text) are checked once. Only findings whose rule has a
 * safefix_command reach the pipeline again, so an action without such
 * findings, every allowed one included, pays nothing. */
static void recheck_fixes(const struct av_policy *p, const struct av_action *a,
                          struct av_arena *arena, struct av_decision *d)
{
	struct av_finding *fs = d->findings.items;
	for (uint32_t i = 0; i < d->findings.count; i++) {
		const char *fix = fs[i].safefix_command;
		if (fix == NULL)
			continue;
		if (fs[i].verdict == AV_ALLOW) { /* nothing is weaker than allow */
			fs[i].safefix_command = NULL;
			continue;
		}
		/* An earlier finding with the same verdict that was offered
		 * the same command answers for this one. (A dropped one is
		 * NULL by now and is simply checked again.) */
		int known = -1; /* -1 unknown, 0 dropped, 1 offered */
		for (uint32_t j = 0; j < i && known < 0; j++)
			if (fs[j].verdict == fs[i].verdict &&
			    fs[j].safefix_command != NULL &&
			    strcmp(fs[j].safefix_command, fix) == 0)
				known = 1;
		if (known < 0)
			known = fix_is_safe(p, a, fix, fs[i].verdict, arena) ? 1 : 0;
		if (known == 0)
			fs[i].safefix_command = NULL;
	}
}

static int decide_one(const struct av_policy *p, const struct av_action *a,
                      struct av_arena *arena, struct av_decision *d, bool offer_fixes)
{
	struct av_error err;
	av_error_clear(&err);
	memset(d, 0, sizeof(*d));
	d->action = a;
	d->policy_digest = av_policy_digest(p);

	if ((unsigned)a->kind >= AV_KIND_COUNT) {
		av_error_set(&err, AV_E_INTERNAL, "kind",
		             "action kind %d has no pipeline", (int)a->kind);
		fail(d, &err);
		return -1;
	}
	int staged = stages[a->kind] != NULL ? stages[a->kind](a, arena, d, &err)
	                                     : stage_kind(a, arena, d, &err, p);
	if (staged < 0) {
		fail(d, &err);
		return -1;
	}
	struct av_facts facts = {
		.action = a,
		.shell =
		        d->shell.ncmds > 0 || a->kind == AV_KIND_SHELL ? &d->shell : NULL,
		.effects = d->effects.items,
		.neffects = d->effects.count,
		.kind = a->kind == AV_KIND_SHELL || a->kind == AV_KIND_FILE ? NULL
		                                                            : &d->kind,
	};
	if (av_policy_eval(p, &facts, arena, &d->findings, &err) < 0) {
		fail(d, &err);
		return -1;
	}
	/* Strongest wins, for the verdict and the risk independently. */
	for (uint32_t i = 0; i < d->findings.count; i++) {
		const struct av_finding *f = &d->findings.items[i];
		if (f->verdict > d->verdict)
			d->verdict = f->verdict;
		if (f->risk > d->risk)
			d->risk = f->risk;
	}
	if (offer_fixes)
		recheck_fixes(p, a, arena, d);
	else /* a re-check: its own fixes are never checked, so never offered */
		for (uint32_t i = 0; i < d->findings.count; i++)
			d->findings.items[i].safefix_command = NULL;
	return 0;
}

int av_decide(const struct av_policy *p, const struct av_action *a,
              struct av_arena *arena, struct av_decision *d)
{
	return decide_one(p, a, arena, d, true);
}

void av_decision_from_error(struct av_decision *d, const struct av_policy *p,
                            const struct av_error *err)
{
	memset(d, 0, sizeof(*d));
	d->policy_digest = p != NULL ? av_policy_digest(p) : NULL;
	fail(d, err);
}
