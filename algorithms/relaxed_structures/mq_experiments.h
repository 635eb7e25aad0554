/*
 * mq_experiments: the runnable MultiQueue experiments of arXiv 1804.01018 (see
 * multiqueue.h): the sequential simulation that the theory describes, concurrent
 * timed runs and concurrent logged (quality) runs of the MultiQueue and its locked-heap
 * baseline, and the `make bench` case that reports the MultiQueue's throughput as a
 * ratio to the locked heap's measured in the same run.
 */
#ifndef MQ_EXPERIMENTS_H
#define MQ_EXPERIMENTS_H

#include "suite/bench.h"
#include "suite/registry.h"

extern const struct rb_algorithm multiqueue_seq_algorithm;
extern const struct rb_algorithm multiqueue_algorithm;
extern const struct rb_algorithm locked_heap_algorithm;
extern const struct bench_case relaxed_structures_multiqueue_bench;

#endif
