/*
 * compressor: what a worker of data-parallel SGD sends of its (error-corrected)
 * gradient, as comm/'s (index, value) pairs (the compress role of GRACE's
 * compressor / memory / communicator split; the memory is in topk_sgd.c).
 *   none       every coordinate (the dense baseline; travels as a dense allreduce)
 *   topk       the K largest |.|, ties to the lowest index (algorithms/kernels/topk)
 *   randk      K coordinates uniformly at random, without replacement, unscaled (with
 *              memory the rest is sent later, so no n/K rescaling is needed)
 *   threshold  every coordinate with |.| >= a fixed threshold (a varying count)
 * Values are rounded to float, the wire format; the caller's memory keeps the
 * difference.
 */
#ifndef SPARSIFIED_SGD_COMPRESSOR_H
#define SPARSIFIED_SGD_COMPRESSOR_H

#include <stdint.h>

#include "algorithms/comm/comm.h"
#include "algorithms/kernels/rng.h"
#include "algorithms/kernels/topk.h"

enum compressor_kind { COMPRESSOR_NONE, COMPRESSOR_TOPK, COMPRESSOR_RANDK, COMPRESSOR_THRESHOLD };

struct compressor {
	enum compressor_kind kind;
	int64_t n, k;
	double threshold;
	struct topk_workspace *topk;
	uint32_t *idx;           /* k selected indices (topk) */
	uint32_t *perm;          /* a permutation of 0..n-1 (randk) */
};

/* "none" | "topk" | "randk" | "threshold"; -1 for anything else. */
int compressor_parse(const char *name, enum compressor_kind *out);

/* 0, or -1 when out of memory (c is then safe to pass to compressor_free). */
int compressor_init(struct compressor *c, enum compressor_kind kind, int64_t n, int64_t k,
		    double threshold);
void compressor_free(struct compressor *c);

/* The pairs to send for x[0..n), with float values; returns their count (at most n).
 * randk draws from r. */
int64_t compressor_apply(struct compressor *c, const double *x, struct rng *r,
			 struct comm_pair *out);

#endif
