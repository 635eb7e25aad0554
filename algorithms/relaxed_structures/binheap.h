/*
 * binheap: a sequential binary min-heap of 64-bit keys, the internal queue of the
 * MultiQueue and the whole of the locked-heap baseline. Keys are compared as unsigned
 * integers; callers make them distinct (priority in the high bits, a unique tag in the
 * low bits) so that the rank of a key is well defined.
 */
#ifndef BINHEAP_H
#define BINHEAP_H

#include <stddef.h>
#include <stdint.h>

/* What bh_top reports for an empty heap; no key may equal it. */
#define BH_EMPTY UINT64_MAX

struct binheap {
	uint64_t *keys;
	size_t size, cap;
};

/* 0, or -1 when `cap` keys cannot be allocated (cap 0 allocates on the first push). */
int bh_init(struct binheap *h, size_t cap);
void bh_free(struct binheap *h);
/* 0, or -1 when growing the array failed (the heap is unchanged). */
int bh_push(struct binheap *h, uint64_t key);
/* Remove and return the minimum; the heap must not be empty. */
uint64_t bh_pop(struct binheap *h);

static inline uint64_t bh_top(const struct binheap *h)
{
	return h->size ? h->keys[0] : BH_EMPTY;
}

#endif
