/* nametable.h - lookup in the designated-initializer tables that map enum
 * values to their wire names (verdicts, effect kinds, path classes, ...). */
#ifndef AV_UTIL_NAMETABLE_H
#define AV_UTIL_NAMETABLE_H

#include <stddef.h>

/* Returns the index i < n whose names[i] equals s[0..len), or -1. NULL
 * entries (gaps in a table) and a NULL s never match. Pure. */
int av_nametable_find(const char *const *names, size_t n, const char *s, size_t len);

#endif
