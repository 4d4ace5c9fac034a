/* The oracle's recorder: every command name in the sandbox's /usr/bin and
 * /usr/sbin (except the pure utilities) is a symlink to this program. It
 * appends its exact argv to the record channel (fd 201) and, for the few
 * wrapper names whose job is to run another command, hands over to the real
 * wrapper (or to bash for sh/bash/dash), so the inner command is recorded
 * too. Everything else exits at once with status $AV_REC_STATUS (default 0)
 * without doing anything: a recorded command never runs.
 *
 * Record format (shared with command_not_found_handle in prelude.bash):
 *   "\001AVR " <argc> "\n" then, for each argument, <byte length> ":" <bytes>
 *   then "\n". One write(2) per record, so records up to PIPE_BUF bytes never
 * interleave on the pipe.
 *
 * This file is test tooling: it is compiled by tests/shell/oracle.py into a
 * private temporary directory and only ever runs inside the bubblewrap
 * sandbox. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define REC_FD 201
#define ORACLE "/srv/oracle"

static void put(char **p, const char *s, size_t n)
{
	memcpy(*p, s, n);
	*p += n;
}

static void record(int argc, char **argv)
{
	size_t cap = 64;
	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 24;
	char *buf = malloc(cap);
	if (!buf)
		return;
	char *p = buf;
	char num[32];
	int n = snprintf(num, sizeof num, "\001AVR %d\n", argc);
	put(&p, num, (size_t)n);
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		n = snprintf(num, sizeof num, "%zu:", len);
		put(&p, num, (size_t)n);
		put(&p, argv[i], len);
	}
	put(&p, "\n", 1);
	size_t left = (size_t)(p - buf);
	char *w = buf;
	while (left > 0) {
		ssize_t k = write(REC_FD, w, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		w += k;
		left -= (size_t)k;
	}
	free(buf);
}

static const char *base(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash ? slash + 1 : s;
}

int main(int argc, char **argv)
{
	if (argc < 1)
		return 0;
	record(argc, argv);

	/* Which name was executed: the path handed to execve (AT_EXECFN), not
	 * argv[0], which the caller chooses freely (exec -a). */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *name = base(execfn ? execfn : argv[0]);

	/* Shells: run the text in the oracle's bash with the prelude loaded, so
	 * what the inner shell runs is recorded as well. argv[0] becomes "bash":
	 * invoked as "sh", bash would enter POSIX mode and skip $BASH_ENV. */
	if (!strcmp(name, "sh") || !strcmp(name, "bash") || !strcmp(name, "dash")) {
		setenv("BASH_ENV", ORACLE "/lib/prelude.bash", 1);
		argv[0] = "bash";
		execv(ORACLE "/bin/bash", argv);
		return 126;
	}
	/* Privilege wrappers are not installed in the sandbox: a small bash model
	 * in wrap.bash parses their options and runs the inner command. */
	if (!strcmp(name, "sudo") || !strcmp(name, "doas") || !strcmp(name, "su")) {
		char **nargv = calloc((size_t)argc + 4, sizeof *nargv);
		if (!nargv)
			return 126;
		nargv[0] = "bash";
		nargv[1] = "-p";
		nargv[2] = ORACLE "/lib/wrap.bash";
		nargv[3] = (char *)name;
		for (int i = 1; i < argc; i++)
			nargv[3 + i] = argv[i];
		execv(ORACLE "/bin/bash", nargv);
		return 126;
	}
	/* Real wrappers (env, nohup, timeout, xargs, find, ...): bound under
	 * ORACLE/real when the host has them. They find the inner command through
	 * PATH, i.e. another symlink to this recorder. */
	char real[4096];
	int n = snprintf(real, sizeof real, ORACLE "/real/%s", name);
	if (n > 0 && (size_t)n < sizeof real && access(real, X_OK) == 0) {
		execv(real, argv);
		return 126;
	}
	const char *st = getenv("AV_REC_STATUS");
	return st ? (int)strtol(st, NULL, 10) & 255 : 0;
}
