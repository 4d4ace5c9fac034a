/* core_internal.h - helpers shared inside src/core, not part of the API. */
#ifndef AV_CORE_INTERNAL_H
#define AV_CORE_INTERNAL_H

#include "agentvisor/action.h"

/* Parse wire names; return 0 and set *out, or -1 when unknown. */
int av_action_kind_parse(const char *s, size_t len, enum av_action_kind *out);
int av_file_op_parse(const char *s, size_t len, enum av_file_op *out);
int av_code_lang_parse(const char *s, size_t len, enum av_code_lang *out);

#endif
