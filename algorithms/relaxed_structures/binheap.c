/* binheap: array binary min-heap (see binheap.h). */
#include "algorithms/relaxed_structures/binheap.h"

#include <stdlib.h>

#define BH_MIN_CAP 16

int bh_init(struct binheap *h, size_t cap)
{
	*h = (struct binheap){ 0 };
	if (cap == 0)
		return 0;
	h->keys = malloc(cap * sizeof(*h->keys));
	if (!h->keys)
		return -1;
	h->cap = cap;
	return 0;
}

void bh_free(struct binheap *h)
{
	free(h->keys);
	*h = (struct binheap){ 0 };
}

static int bh_grow(struct binheap *h)
{
	size_t cap = h->cap ? 2 * h->cap : BH_MIN_CAP;
	uint64_t *keys = realloc(h->keys, cap * sizeof(*keys));

	if (!keys)
		return -1;
	h->keys = keys;
	h->cap = cap;
	return 0;
}

/* Move the hole at i up until `key` fits above its children. */
int bh_push(struct binheap *h, uint64_t key)
{
	if (h->size == h->cap && bh_grow(h) != 0)
		return -1;
	size_t i = h->size++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->keys[parent] <= key)
			break;
		h->keys[i] = h->keys[parent];
		i = parent;
	}
	h->keys[i] = key;
	return 0;
}

/* Take the last key out and sift it down from the root's hole. */
uint64_t bh_pop(struct binheap *h)
{
	uint64_t top = h->keys[0], last = h->keys[--h->size];
	size_t n = h->size, i = 0;

	if (n == 0)
		return top;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && h->keys[child + 1] < h->keys[child])
			child++;
		if (h->keys[child] >= last)
			break;
		h->keys[i] = h->keys[child];
		i = child;
	}
	h->keys[i] = last;
	return top;
}
