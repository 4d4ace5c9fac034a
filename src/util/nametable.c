/* nametable.c - lookup in enum name tables (see nametable.h). */
#include "util/nametable.h"

#include <string.h>

int av_nametable_find(const char *const *names, size_t n, const char *s, size_t len)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strlen(names[i]) == len &&
		    memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}
