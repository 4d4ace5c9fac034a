/* sh_util.c - what the shell stage shares with the effects deriver
 * (shell_internal.h): shell names and how a shell invocation reads its
 * program, the pipe source of a command, and the fork-bomb reason. */
#include <string.h>

#include "shell_internal.h"

const char av_shell_fork_bomb[] =
        "a function that runs itself more than once per call, in a pipeline or in "
        "the background (a fork bomb)";

const char *av_shell_basename(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	return s ? s + 1 : argv0;
}

bool av_shell_is_shell(const char *name)
{
	static const char *const shells[] = { "ash",  "bash", "csh",  "dash",
		                              "fish", "ksh",  "mksh", "rbash",
		                              "sh",   "tcsh", "zsh" };
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(name, shells[i]) == 0)
			return true;
	return false;
}

void av_shell_sh_invocation(const char *const *argv, uint32_t argc,
                            struct av_sh_invocation *out)
{
	bool has_c = false, has_s = false;
	uint32_t i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0')
			break;
		if (a[0] == '-' && a[1] == '-') {
			if ((strcmp(a, "--rcfile") == 0 ||
			     strcmp(a, "--init-file") == 0) &&
			    i + 1 < argc)
				i++;
			i++;
			continue;
		}
		bool takes = false;
		for (size_t j = 1; a[j]; j++) {
			if (a[j] == 'c')
				has_c = true;
			else if (a[j] == 's')
				has_s = true;
			else if (a[j] == 'o' || a[j] == 'O')
				takes = true;
		}
		if (takes && i + 1 < argc)
			i++;
		i++;
	}
	out->code = NULL;
	out->script = NULL;
	if (has_c) {
		out->mode = AV_SH_INLINE;
		out->code = i < argc ? argv[i] : NULL;
	} else if (i < argc && !has_s) {
		out->mode = AV_SH_SCRIPT;
		out->script = argv[i];
	} else {
		out->mode = AV_SH_STDIN;
	}
}

int32_t av_shell_pipe_source(const struct av_shell_result *r, uint32_t i)
{
	const struct av_command *c = &r->cmds[i];
	if (c->pipe_index == 0)
		return -1;
	for (uint32_t j = i; j-- > 0;)
		if (r->cmds[j].pipeline == c->pipeline &&
		    r->cmds[j].pipe_index + 1 == c->pipe_index)
			return (int32_t)j;
	return -1;
}
