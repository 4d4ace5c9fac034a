/* utf8.h - UTF-8 validation, so output JSON stays valid when the analyzer
 * produced arbitrary bytes (ANSI-C strings, base64 decoding). */
#ifndef AV_UTIL_UTF8_H
#define AV_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool av_utf8_valid(const char *s, size_t len);

/* Writes s with every byte that is not part of well-formed UTF-8 replaced by
 * the four characters \xHH, into out (capacity cap, always NUL-terminated
 * when cap > 0). Returns the length the full result needs (like snprintf);
 * a result >= cap means out was truncated. */
size_t av_utf8_escape_invalid(const char *s, size_t len, char *out, size_t cap);

#endif
