/* sh_eval.h - the static evaluator (sh_eval.c) and the model of PATH it
 * matches command-position globs against (sh_path_names.c). Private to the
 * library (src/shell); docs/SHELL.md ("Evaluator") describes both. */
#ifndef AV_SH_EVAL_H
#define AV_SH_EVAL_H

#include <stddef.h>

#include "agentvisor/shell.h"

/* Program paths without the leading '/', e.g. "usr/bin/rm", sorted. */
extern const char *const av_sh_path_names[];
extern const size_t av_sh_path_nnames;

#endif
