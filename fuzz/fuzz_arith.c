/* fuzz_arith.c - libFuzzer target for bash arithmetic (sh_arith.c): any
 * text must evaluate, report an error, or stop at the step budget, never
 * crash or overflow the stack; signed overflow is checked by UBSan. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_pure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few fixed variables, one of them self-referential, one unknown. */
static int get(void *ctx, const char *name, size_t n, int64_t index, const char **val,
               size_t *vlen)
{
	(void)ctx;
	(void)index;
	static const struct {
		const char *name, *value;
	} vars[] = {
		{ "x", "2" }, { "y", "x+1" }, { "r", "r" }, { "e", "" }, { "s", "1/0" }
	};
	if (n == 1 && name[0] == 'u')
		return 1;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (strlen(vars[i].name) == n && memcmp(vars[i].name, name, n) == 0) {
			*val = vars[i].value;
			*vlen = strlen(vars[i].value);
			return 0;
		}
	}
	*val = NULL;
	*vlen = 0;
	return 0;
}

static int set(void *ctx, const char *name, size_t n, int64_t index, int64_t value)
{
	(void)ctx;
	(void)name;
	(void)index;
	(void)value;
	return n == 1 && name[0] == 'z';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct av_sh_arith_vars vars = { .ctx = NULL, .get = get, .set = set };
	struct av_sh_arith_result res;
	uint32_t steps = 100000;
	enum av_sh_pure_status st =
	        av_sh_arith_eval((const char *)data, size, &vars, &steps, &res);
	if (st != AV_SH_PURE_OK && st != AV_SH_PURE_UNKNOWN && st != AV_SH_PURE_LIMIT)
		abort();
	if (memchr(res.message, '\0', sizeof(res.message)) == NULL)
		abort();
	if (st == AV_SH_PURE_OK && res.error && res.message[0] == '\0')
		abort();
	return 0;
}
