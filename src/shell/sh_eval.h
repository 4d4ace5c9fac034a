/* sh_eval.h - the static evaluator (sh_eval.c) and the model of PATH it
 * matches command-position globs against (sh_path_names.c). Private to the
 * library (src/shell); docs/SHELL.md ("Evaluator") describes both. */
#ifndef AV_SH_EVAL_H
#define AV_SH_EVAL_H

#include <stddef.h>

#include "agentvisor/shell.h"

/* The evaluator behind av_shell_analyze (shell.h), same contract. */
int av_sh_eval_analyze(const char *src, size_t len, const struct av_context *ctx,
                       struct av_arena *arena, struct av_shell_result *out,
                       struct av_error *err);

/* Program paths without the leading '/', e.g. "usr/bin/rm", sorted. */
extern const char *const av_sh_path_names[];
extern const size_t av_sh_path_nnames;

#endif
