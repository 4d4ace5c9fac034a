/* fuzz_pattern.c - libFuzzer target for bash glob matching (sh_pattern.c):
 * the first byte picks the flags, the rest is PATTERN NUL STRING; every
 * entry point must end within its step budget without crashing, and
 * results must be consistent with the string's bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_pure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & (AV_SH_PAT_EXTGLOB | AV_SH_PAT_NOCASE);
	const char *p = (const char *)data + 1;
	size_t rest = size - 1;
	const char *nul = memchr(p, '\0', rest);
	size_t plen = nul ? (size_t)(nul - p) : rest;
	const char *s = nul ? nul + 1 : "";
	size_t slen = nul ? rest - plen - 1 : 0;
	uint32_t steps = 50000;
	(void)av_sh_pattern_match(p, plen, s, slen, flags, &steps);
	for (int longest = 0; longest < 2; longest++) {
		steps = 50000;
		int64_t k =
		        av_sh_pattern_prefix(p, plen, s, slen, longest, flags, &steps);
		if (k > (int64_t)slen || k < -1)
			abort();
		steps = 50000;
		k = av_sh_pattern_suffix(p, plen, s, slen, longest, flags, &steps);
		if (k > (int64_t)slen || k < -1)
			abort();
	}
	size_t at = 0, mlen = 0;
	steps = 50000;
	if (av_sh_pattern_find(p, plen, s, slen, 0, flags, &steps, &at, &mlen) &&
	    (at > slen || mlen > slen - at))
		abort();
	(void)av_sh_pattern_has_magic(p, plen, flags);
	return 0;
}
