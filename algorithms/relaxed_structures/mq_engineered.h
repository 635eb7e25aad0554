/*
 * mq_engineered: the MultiQueue of multiqueue.h engineered for throughput, after what
 * the fastest public implementation does (Williams, Sanders, Dementiev, "Engineering
 * MultiQueues: Fast Relaxed Concurrent Priority Queues", ESA 2021; github
 * marvinwilliams/multiqueue), written here from its description:
 *   - each queue is an 8-ary heap (dheap.h) behind two buffers of MQE_BUFFER keys: a
 *     deletion buffer holding the queue's smallest keys in sorted order and an
 *     unsorted insertion buffer; most pushes and pops touch only a buffer line;
 *   - the two choices are two *distinct* uniform queues, from a cheap inline
 *     generator (splitmix64) instead of the unbiased xoshiro draw;
 *   - stickiness is one countdown shared by pushes and pops: a push goes to one of
 *     the two sticky queues (a random one of the pair), a pop to the one with the
 *     smaller cached minimum; a taken lock draws a fresh pair;
 *   - each queue's lock and cached minimum share one padded line, read without the
 *     lock by the choosing threads; the buffers and heap sit on lines of their own.
 * Each queue still deletes its exact minimum under its lock, so an operation is logged
 * at the same linearization point as the paper's variant and the rank-error replay
 * (rank_error.h) applies unchanged. Same ops table, config and handle as multiqueue.h;
 * stickiness 1 = fresh choices for every operation.
 */
#ifndef MQ_ENGINEERED_H
#define MQ_ENGINEERED_H

#include "algorithms/relaxed_structures/multiqueue.h"

/* Keys per insertion and per deletion buffer: 16, two cache lines each. */
#define MQE_BUFFER 16

extern const struct mq_ops multiqueue_engineered_ops;

#endif
