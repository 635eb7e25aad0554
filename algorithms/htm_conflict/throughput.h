/*
 * throughput: `htm_sim`, the simulated-HTM experiment of the transactional-conflict
 * family (arXiv 1804.00947): throughput, abort rate and wasted cycles of a delay policy
 * on a data-structure workload (htmsim.h, workload.h). Listed in suite/registry.c.
 */
#ifndef HTM_CONFLICT_THROUGHPUT_H
#define HTM_CONFLICT_THROUGHPUT_H

#include "suite/registry.h"

extern const struct rb_algorithm htm_sim_algorithm;

#endif
