/*
 * mis_experiments: the runnable experiments of arXiv 1808.04155 (greedy MIS and matching
 * on relaxed schedulers; see greedy.h, scheduler.h, mis_exec.h):
 *
 *   mis_sim       sequential simulation through an exact, top-k or MultiQueue scheduler:
 *                 extra (wasted) iterations against k, n and the graph
 *   mis_parallel  OpenMP threads over the concurrent MultiQueue (or the exact locked
 *                 heap), timed in alternating rounds with sequential greedy and, when
 *                 paired, the exact locked heap: speedup and ratio in one run
 *
 * and the `make bench` case relaxed_mis (mis_bench.c: MIS vertices/s as ratios to a
 * baseline timed in the same repetition).
 * Every run checks its output against sequential greedy for the same permutation.
 */
#ifndef MIS_EXPERIMENTS_H
#define MIS_EXPERIMENTS_H

#include "suite/bench.h"
#include "suite/registry.h"

extern const struct rb_algorithm mis_sim_algorithm;
extern const struct rb_algorithm mis_parallel_algorithm;
extern const struct bench_case relaxed_mis_bench;

#endif
