/* arena.c - the bump allocator behind every decision (see common.h).
 *
 * Chunks form a singly linked list, newest first. Allocations larger than a
 * regular chunk get a chunk of their own. The cap counts bytes handed out,
 * so a hostile input that makes the analyzer allocate without end stops at
 * the cap with NULL instead of exhausting the machine. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentvisor/common.h"

struct av_arena_chunk {
	struct av_arena_chunk *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	max_align_t data[];
};

#define AV_ARENA_CHUNK ((size_t)64 << 10)
#define AV_ALIGN       (sizeof(max_align_t))

void av_arena_init(struct av_arena *a, size_t cap)
{
	a->head = NULL;
	a->used_total = 0;
	a->cap = cap;
	a->chunk_size = AV_ARENA_CHUNK;
}

static struct av_arena_chunk *chunk_new(size_t size)
{
	struct av_arena_chunk *c = malloc(sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *av_arena_alloc(struct av_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	/* Round up to the strictest alignment; refuse sizes that would wrap. */
	if (size > SIZE_MAX - AV_ALIGN)
		return NULL;
	size_t need = (size + AV_ALIGN - 1) & ~(AV_ALIGN - 1);
	if (need > a->cap || a->used_total > a->cap - need)
		return NULL;

	struct av_arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < need) {
		size_t csize = need > a->chunk_size ? need : a->chunk_size;
		struct av_arena_chunk *n = chunk_new(csize);
		if (n == NULL)
			return NULL;
		if (c != NULL && need > a->chunk_size) {
			/* An oversized block goes behind the current chunk so the
			 * space left in the current chunk stays usable. */
			n->next = c->next;
			c->next = n;
			c = n;
		} else {
			n->next = c;
			a->head = n;
			c = n;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	a->used_total += need;
	memset(p, 0, size);
	return p;
}

char *av_arena_strndup(struct av_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *d = av_arena_alloc(a, len + 1);
	if (d == NULL)
		return NULL;
	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *av_arena_strdup(struct av_arena *a, const char *s)
{
	return av_arena_strndup(a, s, strlen(s));
}

char *av_arena_printf(struct av_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *d = av_arena_alloc(a, (size_t)n + 1);
	if (d == NULL)
		return NULL;
	va_start(ap, fmt);
	int m = vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (m != n)
		return NULL; /* defensive: the arguments changed between calls */
	return d;
}

void av_arena_reset(struct av_arena *a)
{
	/* Keep the oldest regular chunk (the tail) and free the rest, so a
	 * steady stream of small decisions never calls malloc. */
	struct av_arena_chunk *c = a->head, *keep = NULL;
	while (c != NULL) {
		struct av_arena_chunk *next = c->next;
		if (next == NULL && c->size == a->chunk_size)
			keep = c;
		else
			free(c);
		c = next;
	}
	if (keep != NULL)
		keep->used = 0;
	a->head = keep;
	a->used_total = 0;
}

void av_arena_free(struct av_arena *a)
{
	struct av_arena_chunk *c = a->head;
	while (c != NULL) {
		struct av_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

void *av_arena_push(struct av_arena *a, void **items, uint32_t *count, uint32_t *capacity,
                    size_t elem_size, uint32_t max)
{
	if (*count >= max)
		return NULL;
	if (*count == *capacity) {
		uint32_t ncap = *capacity ? *capacity * 2 : 8;
		if (ncap > max)
			ncap = max;
		void *n = av_arena_alloc(a, (size_t)ncap * elem_size);
		if (n == NULL)
			return NULL;
		if (*count > 0)
			memcpy(n, *items, (size_t)*count * elem_size);
		*items = n;
		*capacity = ncap;
	}
	char *slot = (char *)*items + (size_t)*count * elem_size;
	memset(slot, 0, elem_size);
	(*count)++;
	return slot;
}
