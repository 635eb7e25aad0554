/*
 * multiqueue: the MultiQueue and the locked-heap baseline, from
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018 (and Rihani, Sanders,
 *   Dementiev, SPAA 2015, for the engineering).
 * q heaps, each with a padded lock and an atomically readable cached minimum. Insert:
 * a random heap, re-picked while its lock is taken. Delete: read the cached minima of
 * two random heaps without locking, lock the smaller, pop; re-pick on a taken lock.
 * The choices are independent and uniform (two may coincide), as in the sequential
 * process whose long-run mean rank error is 5/6 q - 1 + 1/(6q) (arXiv 2410.08714).
 */
#include "algorithms/relaxed_structures/multiqueue.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "algorithms/relaxed_structures/spinlock.h"

/* Consecutive two-choice samples that found both heaps empty before a delete scans
 * every heap: a few cheap tries first, then the scan that makes `false` mean empty. */
#define MQ_EMPTY_SAMPLES 4

/* One heap on its own cache line(s): its lock and cached minimum are written by one
 * thread at a time and read by all, and must not share a line with a neighbour's. */
struct mq_slot {
	alignas(64) struct spinlock lock;
	_Atomic uint64_t top;    /* the heap's minimum, MQ_EMPTY when empty */
	struct binheap heap;     /* only under the lock */
};

struct mq {
	int queues, stickiness;
	struct mq_slot *slots;
};

void mq_handle_init(struct mq_handle *h, uint64_t seed, uint64_t stream, struct oplog *log)
{
	*h = (struct mq_handle){ .log = log };
	rng_seed(&h->rng, seed, stream);
	h->fast = seed * 0x9e3779b97f4a7c15u ^ (stream + 1) * 0xd1b54a32d192ed03u;
}

static struct mq *mq_create_queues(int queues, int stickiness, size_t capacity_hint)
{
	if (queues < 1 || stickiness < 1)
		return NULL;
	struct mq *mq = calloc(1, sizeof(*mq));
	if (!mq)
		return NULL;
	mq->queues = queues;
	mq->stickiness = stickiness;
	mq->slots = aligned_alloc(alignof(struct mq_slot), (size_t)queues * sizeof(*mq->slots));
	if (!mq->slots) {
		free(mq);
		return NULL;
	}
	/* Room for twice a heap's share: a heap rarely grows past it, and growing under
	 * the lock would be a stall in a timed run. */
	size_t per_heap = 2 * capacity_hint / (size_t)queues + 16;
	int failed = 0;
	for (int i = 0; i < queues; i++) {
		spin_init(&mq->slots[i].lock);
		atomic_init(&mq->slots[i].top, MQ_EMPTY);
		failed |= bh_init(&mq->slots[i].heap, per_heap);
	}
	if (!failed)
		return mq;
	for (int i = 0; i < queues; i++)
		bh_free(&mq->slots[i].heap);
	free(mq->slots);
	free(mq);
	return NULL;
}

static void mq_destroy(struct mq *mq)
{
	if (!mq)
		return;
	for (int i = 0; i < mq->queues; i++)
		bh_free(&mq->slots[i].heap);
	free(mq->slots);
	free(mq);
}

static size_t mq_size(const struct mq *mq)
{
	size_t n = 0;

	for (int i = 0; i < mq->queues; i++)
		n += mq->slots[i].heap.size;
	return n;
}

static int mq_random_queue(const struct mq *mq, struct mq_handle *h)
{
	return (int)rng_below(&h->rng, (uint64_t)mq->queues);
}

/* Under the slot's lock: publish the new minimum, and log at the linearization point. */
static int slot_push_locked(struct mq_slot *s, struct mq_handle *h, uint64_t key)
{
	if (bh_push(&s->heap, key) != 0)
		return -1;
	atomic_store_explicit(&s->top, bh_top(&s->heap), memory_order_relaxed);
	if (h->log)
		oplog_append(h->log, OPLOG_INSERT, key);
	return 0;
}

static uint64_t slot_pop_locked(struct mq_slot *s, struct mq_handle *h)
{
	uint64_t key = bh_pop(&s->heap);

	atomic_store_explicit(&s->top, bh_top(&s->heap), memory_order_relaxed);
	if (h->log)
		oplog_append(h->log, OPLOG_DELETE, key);
	return key;
}

static uint64_t slot_top(const struct mq_slot *s)
{
	return atomic_load_explicit(&s->top, memory_order_relaxed);
}

static int mq_push(struct mq *mq, struct mq_handle *h, uint64_t key)
{
	for (;;) {
		if (h->insert_left == 0) {
			h->insert_queue = mq_random_queue(mq, h);
			h->insert_left = mq->stickiness;
		}
		struct mq_slot *s = &mq->slots[h->insert_queue];
		if (!spin_trylock(&s->lock)) {
			h->insert_left = 0;   /* contended: choose again */
			continue;
		}
		h->insert_left--;
		int rc = slot_push_locked(s, h, key);
		spin_unlock(&s->lock);
		return rc;
	}
}

/* The slow path of an empty-looking structure: visit every heap from a random start
 * and pop from the first non-empty one, waiting for its lock. With no operation in
 * flight every cached minimum is exact, so finding nothing means empty. */
static bool mq_scan_pop(struct mq *mq, struct mq_handle *h, uint64_t *key)
{
	int start = mq_random_queue(mq, h);

	for (int k = 0; k < mq->queues; k++) {
		struct mq_slot *s = &mq->slots[(start + k) % mq->queues];
		if (slot_top(s) == MQ_EMPTY)
			continue;
		spin_lock(&s->lock);
		bool found = s->heap.size > 0;
		if (found)
			*key = slot_pop_locked(s, h);
		spin_unlock(&s->lock);
		if (found)
			return true;
	}
	return false;
}

static void mq_choose_delete_queues(const struct mq *mq, struct mq_handle *h)
{
	if (h->delete_left > 0)
		return;
	h->delete_queue[0] = mq_random_queue(mq, h);
	h->delete_queue[1] = mq_random_queue(mq, h);
	h->delete_left = mq->stickiness;
}

static bool mq_try_pop(struct mq *mq, struct mq_handle *h, uint64_t *key)
{
	int empty_samples = 0;

	for (;;) {
		mq_choose_delete_queues(mq, h);
		struct mq_slot *a = &mq->slots[h->delete_queue[0]];
		struct mq_slot *b = &mq->slots[h->delete_queue[1]];
		uint64_t top_a = slot_top(a), top_b = slot_top(b);
		if (top_a == MQ_EMPTY && top_b == MQ_EMPTY) {
			h->delete_left = 0;
			if (++empty_samples >= MQ_EMPTY_SAMPLES)
				return mq_scan_pop(mq, h, key);
			continue;
		}
		struct mq_slot *s = top_a <= top_b ? a : b;
		if (!spin_trylock(&s->lock)) {
			h->delete_left = 0;
			continue;
		}
		/* The minimum read may be stale; whatever the heap holds now is popped, and
		 * only a heap emptied meanwhile sends us back. */
		if (s->heap.size == 0) {
			spin_unlock(&s->lock);
			h->delete_left = 0;
			continue;
		}
		h->delete_left--;
		*key = slot_pop_locked(s, h);
		spin_unlock(&s->lock);
		return true;
	}
}

static struct mq *mq_create(const struct mq_config *cfg)
{
	return mq_create_queues(cfg->queues, cfg->stickiness, cfg->capacity_hint);
}

const struct mq_ops multiqueue_ops = {
	.name = "multiqueue",
	.summary = "q heaps with cached minima; insert at random, delete the better of two",
	.create = mq_create,
	.destroy = mq_destroy,
	.push = mq_push,
	.try_pop = mq_try_pop,
	.size = mq_size,
};

/* ---- the exact baseline: one heap, one lock ---- */

static struct mq *locked_heap_create(const struct mq_config *cfg)
{
	return mq_create_queues(1, 1, cfg->capacity_hint);
}

static int locked_heap_push(struct mq *mq, struct mq_handle *h, uint64_t key)
{
	struct mq_slot *s = &mq->slots[0];

	spin_lock(&s->lock);
	int rc = slot_push_locked(s, h, key);
	spin_unlock(&s->lock);
	return rc;
}

static bool locked_heap_try_pop(struct mq *mq, struct mq_handle *h, uint64_t *key)
{
	struct mq_slot *s = &mq->slots[0];

	spin_lock(&s->lock);
	bool found = s->heap.size > 0;
	if (found)
		*key = slot_pop_locked(s, h);
	spin_unlock(&s->lock);
	return found;
}

const struct mq_ops locked_heap_ops = {
	.name = "locked_heap",
	.summary = "one binary heap under one lock (exact)",
	.create = locked_heap_create,
	.destroy = mq_destroy,
	.push = locked_heap_push,
	.try_pop = locked_heap_try_pop,
	.size = mq_size,
};
