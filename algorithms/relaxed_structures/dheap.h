/*
 * dheap: a sequential 8-ary min-heap of 64-bit keys, the internal queue of the
 * engineered MultiQueue (mq_engineered.h). Why 8-ary: a node's eight children are one
 * 64-byte cache line (the array is offset so that every group of siblings starts on a
 * line), so a sift-down touches log8(n) lines instead of log2(n), at seven compares per
 * level; the layout of Williams and Sanders' multiqueue library (github
 * marvinwilliams/multiqueue). Keys are compared as unsigned integers, as in binheap.
 */
#ifndef DHEAP_H
#define DHEAP_H

#include <stddef.h>
#include <stdint.h>

#define DH_ARITY 8

struct dheap {
	uint64_t *keys;   /* keys[0] is the root; keys + 1 is 64-byte aligned */
	void *block;      /* what was allocated */
	size_t size, cap;
};

/* 0, or -1 when `cap` keys cannot be allocated (cap 0 allocates on the first push). */
int dh_init(struct dheap *h, size_t cap);
void dh_free(struct dheap *h);
/* Room for at least `n` keys: 0, or -1 when growing failed (the heap is unchanged). */
int dh_reserve(struct dheap *h, size_t n);
/* 0, or -1 when growing the array failed (the heap is unchanged). */
int dh_push(struct dheap *h, uint64_t key);
/* Remove and return the minimum; the heap must not be empty. */
uint64_t dh_pop(struct dheap *h);

#endif
