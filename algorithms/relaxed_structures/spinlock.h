/*
 * spinlock: the test-and-test-and-set lock of the MultiQueue's heaps and of the
 * locked-heap baseline (one lock type for both, so that the throughput ratio measures
 * the data structure, not the lock). try_lock is what the MultiQueue needs (Rihani,
 * Sanders, Dementiev, "MultiQueues: Simple Relaxed Concurrent Priority Queues",
 * SPAA 2015): a thread that finds a heap busy picks another instead of waiting.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>

struct spinlock {
	atomic_bool held;
};

static inline void spin_init(struct spinlock *l)
{
	atomic_init(&l->held, false);
}

/* The plain load first: a busy lock is only read, so its line stays shared instead of
 * bouncing between the waiting cores on every failed exchange. */
static inline bool spin_trylock(struct spinlock *l)
{
	return !atomic_load_explicit(&l->held, memory_order_relaxed)
	       && !atomic_exchange_explicit(&l->held, true, memory_order_acquire);
}

static inline void spin_unlock(struct spinlock *l)
{
	atomic_store_explicit(&l->held, false, memory_order_release);
}

/* Spin, then yield: with more threads than cores the holder may be descheduled. */
void spin_lock(struct spinlock *l);

/* A pause hint for spin loops (nothing where the architecture has none). */
void spin_relax(void);

#endif
