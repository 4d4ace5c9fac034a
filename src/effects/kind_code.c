/* kind_code.c - effects of code actions: source code that an interpreter
 * runs (python, javascript, shell).
 *
 * The code is handed to the shell stage exactly as the interpreter's
 * one-liner form would be (python3 -c SOURCE, node -e SOURCE, or the shell
 * text itself). The shell stage already knows interpreter code: it
 * extracts the literal command lines given to os.system, subprocess,
 * child_process.exec/execSync/spawn, backticks and the like, analyses
 * them as shell one level deeper, and records the code itself as a
 * code.exec effect that the interpreter rules judge (downloads that are
 * run, decoded payloads, sockets with shells, fork loops). So a code
 * action is judged exactly like the same code run with python -c, and
 * nothing of that knowledge is duplicated here. What is computed at run
 * time (a command built from variables, eval of a string read elsewhere)
 * stays with the interpreter and is judged as the code it is. */
#include <string.h>

#include "kind_internal.h"

/* Quotes src as one shell word after prefix: '...' with ' as '\''. */
static char *quoted(struct kind_x *x, const char *prefix, const char *src, size_t n,
                    size_t *out_len)
{
	size_t pl = strlen(prefix), cap = pl + 4 * n + 3;
	char *buf = av_arena_alloc(x->fx.arena, cap);
	if (buf == NULL)
		return NULL;
	memcpy(buf, prefix, pl);
	size_t o = pl;
	buf[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (src[i] == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = src[i];
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	*out_len = o;
	return buf;
}

int av_kind_code(struct kind_x *x)
{
	const struct av_action *a = x->a;
	static const char *const runner[AV_LANG_COUNT] = {
		[AV_LANG_PYTHON] = "python3 -c ",
		[AV_LANG_JAVASCRIPT] = "node -e ",
		[AV_LANG_SHELL] = NULL,
	};
	static const char *const why[AV_LANG_COUNT] = {
		[AV_LANG_PYTHON] = "python code of a code action",
		[AV_LANG_JAVASCRIPT] = "javascript code of a code action",
		[AV_LANG_SHELL] = "shell code of a code action",
	};
	const char *src = a->in.code.source;
	size_t n = a->in.code.source_len;
	if (runner[a->in.code.language] == NULL)
		return kind_shell(x, src, n, why[a->in.code.language]);
	size_t len = 0;
	char *text = quoted(x, runner[a->in.code.language], src, n, &len);
	if (text == NULL) {
		x->fx.failed = true;
		return 0;
	}
	return kind_shell(x, text, len, why[a->in.code.language]);
}
