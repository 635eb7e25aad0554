/*
 * multiqueue: relaxed concurrent priority queues behind one ops table, from
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018,
 * which proves the rank guarantees of the MultiQueue of Rihani, Sanders and Dementiev
 * (SPAA 2015) in concurrent executions:
 *   q sequential heaps, each under its own lock with its minimum cached where any
 *   thread can read it; insert into a random heap; delete from the better of two
 *   random heaps, retrying elsewhere when its lock is taken.
 *
 * Variants (`const struct mq_ops`):
 *   multiqueue_ops   the MultiQueue, with optional stickiness (a thread keeps its
 *                    choices for several operations, github marvinwilliams/multiqueue)
 *   multiqueue_engineered_ops (mq_engineered.h) the same process engineered for speed
 *   locked_heap_ops  the exact baseline: one binary heap under one lock
 *
 * Keys are distinct 64-bit integers other than MQ_EMPTY. Operations are thread-safe;
 * `size` and `destroy` need a quiescent structure. A handle is one thread's state and
 * is never shared.
 */
#ifndef MULTIQUEUE_H
#define MULTIQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/binheap.h"
#include "algorithms/relaxed_structures/oplog.h"

#define MQ_EMPTY BH_EMPTY

struct mq;

struct mq_config {
	int queues;              /* q, the number of heaps (the locked heap uses 1) */
	int stickiness;          /* operations a thread keeps its random choices for; 1 = none */
	size_t capacity_hint;    /* elements expected in total, to size the heaps */
};

/* One thread's state: its random stream, its sticky choices and, in a quality run, its
 * log (NULL in timed runs). */
struct mq_handle {
	struct rng rng;
	struct oplog *log;
	int insert_queue, insert_left;
	int delete_queue[2], delete_left;
	/* The engineered variant's cheap generator (splitmix64 state), seeded apart from
	 * `rng` so that the paper's variant draws the same stream as before. */
	uint64_t fast;
};

struct mq_ops {
	const char *name;
	const char *summary;
	/* NULL when out of memory or the configuration is invalid. */
	struct mq *(*create)(const struct mq_config *cfg);
	void (*destroy)(struct mq *mq);
	/* 0, or -1 when out of memory (the key was not inserted). */
	int (*push)(struct mq *mq, struct mq_handle *h, uint64_t key);
	/* True with a key removed; false when the structure was found empty. In a
	 * quiescent state false means empty: it is never returned while elements remain. */
	bool (*try_pop)(struct mq *mq, struct mq_handle *h, uint64_t *key);
	/* Elements present; only in a quiescent state. */
	size_t (*size)(const struct mq *mq);
};

extern const struct mq_ops multiqueue_ops;
extern const struct mq_ops locked_heap_ops;

/* A handle drawing from stream `stream` of `seed`; `log` may be NULL. */
void mq_handle_init(struct mq_handle *h, uint64_t seed, uint64_t stream, struct oplog *log);

#endif
