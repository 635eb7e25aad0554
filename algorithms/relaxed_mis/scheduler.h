/*
 * scheduler: the sequential schedulers of the relaxed-scheduler model (arXiv 1808.04155,
 * notes section 1.2) behind one interface: insert a task key, and an approximate
 * get-min that removes and returns a key (a task that must be retried is inserted again).
 *
 *   SCHED_EXACT       a binary heap: always the minimum (k = 1)
 *   SCHED_TOPK        a uniformly random key among the k smallest present: the rank bound
 *                     k holds deterministically, and a task that is the minimum is
 *                     returned within O(k) draws in expectation (fairness)
 *   SCHED_MULTIQUEUE  the two-choice MultiQueue (algorithms/relaxed_structures) with q
 *                     heaps, driven by one thread: k = O(q log q) w.h.p. (notes 1.2)
 *
 * Keys are distinct uint64 below SCHED_EMPTY. Costs: exact O(log n) per operation;
 * (O(1) for keys of sched_fill);
 * top-k keeps the k smallest in an unsorted window above a heap of the rest, so a get
 * is O(1) plus one heap pop to refill and re-inserting what was just taken is O(1);
 * MultiQueue O(log(n/q)).
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/binheap.h"
#include "algorithms/relaxed_structures/multiqueue.h"

#define SCHED_EMPTY BH_EMPTY

enum sched_kind { SCHED_EXACT, SCHED_TOPK, SCHED_MULTIQUEUE };

struct sched {
	enum sched_kind kind;
	int k;                   /* top-k: k; MultiQueue: q */
	struct binheap heap;     /* exact: everything; top-k: all but the window */
	uint64_t fresh, fresh_end;   /* exact, top-k: keys [fresh, fresh_end) of sched_fill,
				      * not yet taken, held as a range beside the heap */
	uint64_t *window;        /* top-k: the (up to) k smallest keys, unordered */
	int window_size;
	struct rng rng;          /* top-k's draws */
	struct mq *mq;           /* MultiQueue */
	struct mq_handle handle;
};

/* `k` is k for top-k, q for the MultiQueue, ignored for exact. `capacity` sizes the
 * heaps. 0, or -1 when out of memory or k < 1. */
int sched_init(struct sched *s, enum sched_kind kind, int k, size_t capacity, uint64_t seed);
void sched_free(struct sched *s);
/* 0, or -1 when out of memory. */
int sched_push(struct sched *s, uint64_t key);
/* Insert the keys 0..count-1 into an empty scheduler: O(1) for exact and top-k (a range
 * that pops in order, which is what a heap fed sorted keys would do), count pushes for
 * the MultiQueue. 0, or -1 when out of memory. */
int sched_fill(struct sched *s, uint64_t count);
/* Remove and return a key; false when empty. */
bool sched_pop(struct sched *s, uint64_t *key);

/* "exact", "topk", "multiqueue" -> kind; -1 when none. */
int sched_parse(const char *name);

#endif
