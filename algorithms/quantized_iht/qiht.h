/*
 * qiht: iterative hard thresholding (Blumensath and Davies 2009) and normalised IHT
 * (Blumensath and Davies 2010, with the step-shrink rule) on full-precision or
 * quantized data, the algorithm of Gurel, Kara, Alistarh, Zhang, "Compressive Sensing
 * with Low Precision Data Representation: Radio Astronomy and Beyond", arXiv 1802.04907.
 *
 * The operator is either the float matrix (OpenBLAS sgemv, the 32-bit baseline) or a
 * kernels/qgemv matrix quantized once; with double sampling the forward product uses
 * one quantization and the transposed product an independent second one (ZipML's
 * trick; Clover does not use it). Vectors (y, the iterate x and the residual r) can be
 * kept in float or re-quantized to vec_bits every iteration (Clover's "pure" and
 * "mixed 4/8" variants) with kernels/quant's blocks of 64 and max|v| scale.
 */
#ifndef QIHT_H
#define QIHT_H

#include <stdint.h>

#include "algorithms/kernels/qgemv.h"
#include "algorithms/kernels/quant.h"
#include "algorithms/kernels/rng.h"
#include "algorithms/kernels/topk.h"

/* y = A x (fwd) and g = A^T r (bwd): a float matrix when q is NULL, else qgemv. */
struct qiht_op {
	int64_t m, n;
	const float *a;      /* row-major m x n, when q is NULL */
	struct qmat *q;      /* forward product */
	struct qmat *q_t;    /* transposed product (== q without double sampling) */
	int threads;
};

void qiht_fwd(const struct qiht_op *op, const float *x, float *y);
void qiht_bwd(const struct qiht_op *op, const float *r, float *g);

struct qiht_config {
	int64_t s;             /* sparsity of the iterate */
	int normalized;        /* 1: NIHT step with the shrink rule; 0: fixed mu */
	double mu;             /* the fixed step */
	int vec_bits;          /* 0: float vectors; 2..8: x and r re-quantized each iteration */
	enum quant_rounding rounding;
};

struct qiht_state {
	int64_t m, n;
	float *x, *r, *g, *t, *u, *mv;   /* iterate (n), residual (m), gradient (n), scratch */
	double *mag;                     /* |candidate| for the top-s selection */
	uint32_t *idx;
	uint8_t *supp, *supp_new;
	struct topk_workspace *w;
	struct rng rng;
	int64_t shrinks;                 /* step shrinks taken so far (NIHT) */
	double last_mu;
};

/* x = 0. 0, or -1 when out of memory. */
int qiht_state_init(struct qiht_state *st, int64_t m, int64_t n, uint64_t seed);
void qiht_state_free(struct qiht_state *st);
/* One iteration x <- H_s(x + mu A^T (y - A x)); st->r holds y - A x of the x it
 * started from. 0, or -1 on a bad config. */
int qiht_step(const struct qiht_op *op, const float *y, const struct qiht_config *c,
	      struct qiht_state *st);

/* ||x - truth|| / ||truth|| and |supp(x) ∩ supp(truth)| / |supp(truth)|. */
double qiht_rel_error(const float *x, const double *truth, int64_t n);
double qiht_support_recall(const float *x, const double *truth, int64_t n);

#endif
