/*
 * mc_experiments: the runnable MultiCounter experiments of arXiv 1804.01018 (see
 * multicounter.h): the sequential simulation, concurrent timed runs and concurrent
 * logged (error) runs of the MultiCounter and its fetch_add baseline, and the
 * `make bench` case that reports MultiCounter increments/s as a ratio to one
 * fetch_add counter's measured in the same run.
 */
#ifndef MC_EXPERIMENTS_H
#define MC_EXPERIMENTS_H

#include "suite/bench.h"
#include "suite/registry.h"

extern const struct rb_algorithm multicounter_seq_algorithm;
extern const struct rb_algorithm multicounter_algorithm;
extern const struct rb_algorithm fetch_add_counter_algorithm;
extern const struct bench_case relaxed_structures_multicounter_bench;

#endif
