/*
 * dq: differentiable quantization (paper Sec. 4; the authors' optimize_quantization_points
 * and nonUniformQuantization_variable). Every tensor keeps a sorted vector p of 2^b points
 * in the scaled domain [0, 1] of its buckets (per-bucket min/max scaling: alpha = max - min,
 * or 1 below 1e-10; beta = min). A weight maps to the point nearest its scaled value and
 * back, Q_i = alpha p_j(i) + beta. The weights stay frozen; only p is trained, by
 * SGD with Nesterov momentum on dL/dp_j = sum over i with j(i) = j of alpha_i dL/dQ_i,
 * and re-sorted after each step. These points are non-uniform, so they live here, not in
 * kernels/quant.
 */
#ifndef DISTILL_DQ_H
#define DISTILL_DQ_H

#include <stdint.h>

#include "algorithms/models/net.h"

enum dq_init { DQ_QUANTILES, DQ_UNIFORM };

struct dq {
	int ntensors, points;
	int64_t bucket, count;
	struct net_tensor t[2 * NET_MAX_LAYERS];
	float *scaled;       /* count: (w - beta) / alpha of each weight */
	float *alpha, *beta; /* count: the scale of each weight's bucket (kept per weight for speed) */
	int32_t *assign;     /* count: index of the point each weight maps to */
	double *p, *v;       /* ntensors x points: the points and their momentum */
};

/* Set up for the frozen weights w, 2^bits points per tensor, buckets of `bucket` (0 = whole
 * tensor). 0, or -1 when out of memory. */
int dq_setup(struct dq *q, const struct net *n, const float *w, int bits, int64_t bucket,
	     enum dq_init init);
void dq_free(struct dq *q);

/* Assign each weight to its nearest point and write the quantized weights. */
void dq_weights(struct dq *q, float *qw);

/* gp (ntensors x points) = dL/dp from gq = dL/dQ, for the last dq_weights. */
void dq_point_grad(const struct dq *q, const float *gq, double *gp);

/* One Nesterov step on the points, then re-sort each tensor's points (with their
 * momentum) and clamp them to [0, 1]. */
void dq_step(struct dq *q, const double *gp, double lr, double momentum);

/* Bits of the quantized model: b per weight, 64 per bucket, 32 per point; Huffman over
 * the current assignment in *huffman. */
double dq_bits(const struct dq *q, int bits, double *huffman);

#endif
