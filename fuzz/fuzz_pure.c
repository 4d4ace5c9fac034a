/* fuzz_pure.c - libFuzzer target for the pure utilities (sh_pure.c). The
 * input is NUL-separated: the first byte picks the utility, then argument
 * strings up to an empty one, then standard input. Every run must end OK
 * with bounded output, UNKNOWN or LIMIT, never crash or run away. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/sh_pure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"echo",    "printf", "base64", "base32", "xxd",  "rev", "tr",
	"cut",     "head",   "tail",   "cat",    "sed",  "awk", "basename",
	"dirname", "seq",    "tac",    "sort",   "uniq", "wc",  "expr",
	"fold",    "od",     "true",   "false",
};

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *argv[MAX_ARGS + 1];
	uint32_t argc = 0;
	argv[argc++] = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	/* arguments need NUL terminators: copy the input */
	char *buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	size_t i = 0, n = size - 1;
	while (i < n && argc < MAX_ARGS) {
		size_t len = strlen(buf + i);
		if (len == 0) {
			i++;
			break;
		}
		argv[argc++] = buf + i;
		i += len + 1;
	}
	argv[argc] = NULL;
	struct av_arena arena;
	av_arena_init(&arena, (size_t)16 << 20);
	struct av_sh_pure_io io = { .in = buf + (i < n ? i : n),
		                    .inlen = i < n ? n - i : 0,
		                    .in_known = true,
		                    .max_out = 1 << 16 };
	enum av_sh_pure_status st = av_sh_pure_run(argv, argc, &arena, &io);
	if (st == AV_SH_PURE_OK &&
	    (io.out == NULL || io.outlen > io.max_out || io.out[io.outlen] != '\0' ||
	     io.status < 0 || io.status > 255))
		abort();
	av_arena_free(&arena);
	free(buf);
	return 0;
}
