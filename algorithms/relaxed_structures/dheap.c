/* dheap: array 8-ary min-heap with cache-line sibling groups (see dheap.h). */
#include "algorithms/relaxed_structures/dheap.h"

#include <stdlib.h>
#include <string.h>

#define DH_MIN_CAP 64
#define DH_LINE 64
/* keys[0] sits this many keys into the block, so that keys[8i + 1] is line aligned. */
#define DH_OFFSET (DH_LINE / sizeof(uint64_t) - 1)

/* A block for `cap` keys after the offset, rounded up to whole lines. */
static int dh_alloc(struct dheap *h, size_t cap)
{
	size_t bytes = (cap + DH_OFFSET) * sizeof(uint64_t);
	void *block = aligned_alloc(DH_LINE, (bytes + DH_LINE - 1) / DH_LINE * DH_LINE);

	if (!block)
		return -1;
	uint64_t *keys = (uint64_t *)block + DH_OFFSET;
	if (h->size)
		memcpy(keys, h->keys, h->size * sizeof(*keys));
	free(h->block);
	h->block = block;
	h->keys = keys;
	h->cap = cap;
	return 0;
}

int dh_init(struct dheap *h, size_t cap)
{
	*h = (struct dheap){ 0 };
	return cap ? dh_alloc(h, cap) : 0;
}

void dh_free(struct dheap *h)
{
	free(h->block);
	*h = (struct dheap){ 0 };
}

int dh_reserve(struct dheap *h, size_t n)
{
	if (n <= h->cap)
		return 0;
	size_t cap = h->cap ? 2 * h->cap : DH_MIN_CAP;
	while (cap < n)
		cap *= 2;
	return dh_alloc(h, cap);
}

/* Move the hole at the end up until `key` fits below its parent. */
int dh_push(struct dheap *h, uint64_t key)
{
	if (dh_reserve(h, h->size + 1) != 0)
		return -1;
	size_t i = h->size++;
	while (i > 0) {
		size_t parent = (i - 1) / DH_ARITY;
		if (h->keys[parent] <= key)
			break;
		h->keys[i] = h->keys[parent];
		i = parent;
	}
	h->keys[i] = key;
	return 0;
}

/* The smallest of the children of i (there is at least one). */
static size_t dh_min_child(const struct dheap *h, size_t first)
{
	size_t end = first + DH_ARITY < h->size ? first + DH_ARITY : h->size, best = first;

	for (size_t c = first + 1; c < end; c++)
		if (h->keys[c] < h->keys[best])
			best = c;
	return best;
}

/* Take the last key out and sift it down from the root's hole. */
uint64_t dh_pop(struct dheap *h)
{
	uint64_t top = h->keys[0], last = h->keys[--h->size];
	size_t i = 0;

	if (h->size == 0)
		return top;
	for (;;) {
		size_t first = DH_ARITY * i + 1;
		if (first >= h->size)
			break;
		size_t child = dh_min_child(h, first);
		if (h->keys[child] >= last)
			break;
		h->keys[i] = h->keys[child];
		i = child;
	}
	h->keys[i] = last;
	return top;
}
