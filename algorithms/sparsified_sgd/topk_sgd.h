/*
 * topk_sgd: data-parallel TopK SGD with error feedback (Algorithm 1 of arXiv
 * 1809.10505) and its variants: dense, TopK without memory, RandK, hard threshold.
 * dense_sgd is the same loop with every coordinate sent. Listed in suite/registry.c.
 */
#ifndef SPARSIFIED_SGD_TOPK_SGD_H
#define SPARSIFIED_SGD_TOPK_SGD_H

#include "suite/registry.h"

extern const struct rb_algorithm topk_sgd_algorithm, dense_sgd_algorithm;

#endif
