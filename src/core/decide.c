/* decide.c - the decision pipeline: normalize -> effects -> policy -> verdict.
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

static int stage_file(const struct av_action *a, struct av_arena *arena,
                      struct av_decision *d, struct av_error *err)
{
	if (av_effects_from_file(a, arena, &d->effects, err) < 0)
		return -1;
	if (!writes_startup_code(a, &d->effects))
		return 0;
	/* Content written to a startup location is a program that will run
	 * later, outside any mediation: judge it now as the shell text it is,
	 * so a hook that pipes a download into sh is seen for what it does. */
	const char *why =
	        av_arena_printf(arena, "written to %s, runs later", a->in.file.path);
	if (why == NULL)
		return av_error_set(err, AV_E_NOMEM, "", "out of memory");
	if (analyze_shell_text(a->in.file.content, a->in.file.content_len, &a->ctx, arena,
	                       d, err) < 0)
		return -1;
	for (uint32_t i = 0; i < d->shell.ncmds; i++)
		if (d->shell.cmds[i].provenance == NULL)
			d->shell.cmds[i].provenance = why;
	return 0;
}

static int (*const stages[AV_KIND_COUNT])(const struct av_action *, struct av_arena *,
                                          struct av_decision *, struct av_error *) = {
	[AV_KIND_SHELL] = stage_shell,
	[AV_KIND_FILE] = stage_file,
};

int av_decide(const struct av_policy *p, const struct av_action *a,
              struct av_arena *arena, struct av_decision *d)
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
	if (stages[a->kind](a, arena, d, &err) < 0) {
		fail(d, &err);
		return -1;
	}
	struct av_facts facts = {
		.action = a,
		.shell =
		        d->shell.ncmds > 0 || a->kind == AV_KIND_SHELL ? &d->shell : NULL,
		.effects = d->effects.items,
		.neffects = d->effects.count,
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
	return 0;
}

void av_decision_from_error(struct av_decision *d, const struct av_policy *p,
                            const struct av_error *err)
{
	memset(d, 0, sizeof(*d));
	d->policy_digest = p != NULL ? av_policy_digest(p) : NULL;
	fail(d, err);
}
