/* utf8.c - UTF-8 validation and escaping of invalid bytes (see utf8.h). */
#include "util/utf8.h"

#include <stdint.h>

/* Returns the length of the well-formed sequence at s[0..len), or 0. */
static size_t seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2, cp = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, cp = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool av_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = seq_len(u + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t av_utf8_escape_invalid(const char *s, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
#define PUT(ch)                                                                          \
	do {                                                                             \
		if (o + 1 < cap)                                                         \
			out[o] = (char)(ch);                                             \
		o++;                                                                     \
	} while (0)
	for (size_t i = 0; i < len;) {
		size_t n = seq_len(u + i, len - i);
		if (n == 0) {
			PUT('\\');
			PUT('x');
			PUT(hex[u[i] >> 4]);
			PUT(hex[u[i] & 15]);
			i++;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			PUT(u[i + k]);
		i += n;
	}
#undef PUT
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return o;
}
