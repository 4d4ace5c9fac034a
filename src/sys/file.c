/* file.c - bounded whole-file reads (see sys.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/sys.h"

int av_read_file(const char *path, size_t max, char **out, size_t *out_len,
                 struct av_error *err)
{
	*out = NULL;
	*out_len = 0;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL)
		return av_error_set(err, AV_E_IO, path, "cannot open %s: %s", path,
		                    strerror(errno));
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int rc = -1;
	if (buf == NULL) {
		av_error_set(err, AV_E_NOMEM, path, "out of memory reading %s", path);
		goto out;
	}
	for (;;) {
		if (len == cap - 1) {
			if (cap - 1 > max) {
				av_error_set(err, AV_E_LIMIT, path,
				             "%s is larger than the limit of %zu bytes",
				             path, max);
				goto out;
			}
			size_t ncap = cap * 2;
			char *n = realloc(buf, ncap);
			if (n == NULL) {
				av_error_set(err, AV_E_NOMEM, path,
				             "out of memory reading %s", path);
				goto out;
			}
			buf = n;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				av_error_set(err, AV_E_IO, path, "cannot read %s: %s",
				             path, strerror(errno));
				goto out;
			}
			break;
		}
	}
	if (len > max) {
		av_error_set(err, AV_E_LIMIT, path,
		             "%s is larger than the limit of %zu bytes", path, max);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}
