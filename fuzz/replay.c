/* replay.c - runs a fuzz target over saved inputs without libFuzzer, so the
 * normal test run (ctest, gcc or clang, with or without sanitizers) replays
 * every corpus file and every past crasher. Arguments are files or
 * directories; directories are read one level deep. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agentvisor/sys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT ((size_t)16 << 20)

static int run_file(const char *path)
{
	char *buf;
	size_t len;
	struct av_error err;
	if (av_read_file(path, REPLAY_MAX_INPUT, &buf, &len, &err) < 0) {
		fprintf(stderr, "replay: %s\n", err.message);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long files = 0;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]) < 0;
			files++;
			continue;
		}
		struct dirent **names;
		int n = scandir(argv[i], &names, NULL, alphasort);
		if (n < 0) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 1;
		}
		for (int k = 0; k < n; k++) {
			if (names[k]->d_name[0] != '.') {
				char path[4096];
				int m = snprintf(path, sizeof(path), "%s/%s", argv[i],
				                 names[k]->d_name);
				if (m > 0 && (size_t)m < sizeof(path)) {
					failed |= run_file(path) < 0;
					files++;
				}
			}
			free(names[k]);
		}
		free(names);
	}
	if (files == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replayed %lu inputs\n", files);
	return failed;
}
