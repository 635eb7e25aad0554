/*
 * qmodel: a network's weights through the shared uniform quantizer (kernels/quant),
 * tensor by tensor (every weight matrix and bias vector, as the authors' small CIFAR-10
 * networks do), with the storage accounting of compress.h and the verifier that each
 * bucket holds at most 2^b distinct values.
 */
#ifndef DISTILL_QMODEL_H
#define DISTILL_QMODEL_H

#include <stdint.h>

#include "algorithms/kernels/quant.h"
#include "algorithms/kernels/rng.h"
#include "algorithms/models/net.h"

struct qm_size {
	double bits_fp;        /* 32 per parameter */
	double bits_plain;     /* b per value + 64 per bucket (+ extra, e.g. DQ's points) */
	double bits_huffman;   /* Huffman-coded values + 64 per bucket (+ extra) */
	int64_t buckets;
};

/* qw = Q(w), every tensor. 0, or -1 (quant refused, or out of memory). */
int qm_apply(const struct net *n, const struct quant_spec *q, const float *w, float *qw,
	     struct rng *r);

/* qw = Q(w) through quant_encode / quant_decode, with the sizes. 0, or -1. */
int qm_quantize(const struct net *n, const struct quant_spec *q, const float *w, float *qw,
		struct rng *r, struct qm_size *size);

/* Largest number of distinct values in one bucket of one tensor of qw (buckets of
 * `bucket` consecutive values, 0 = the whole tensor). -1 when out of memory. */
int64_t qm_max_distinct(const struct net *n, int64_t bucket, const float *qw);

#endif
