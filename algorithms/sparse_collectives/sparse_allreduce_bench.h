/*
 * sparse_allreduce_bench: the OSU-style driver of SparCML's sparse collectives
 * (arXiv 1802.08021): per variant a checked call, warm-up, timed iterations.
 */
#ifndef SPARSE_ALLREDUCE_BENCH_H
#define SPARSE_ALLREDUCE_BENCH_H

#include "suite/registry.h"

extern const struct rb_algorithm sparse_allreduce_bench_algorithm;

#endif
