/*
 * quant: bucketed uniform scalar quantization, shared by quantized IHT (Gurel, Kara,
 * Alistarh, Zhang, arXiv 1802.04907, and its Clover library: blocks of 64 with scale
 * max|v|) and quantized distillation (Polino, Pascanu, Alistarh, arXiv 1802.05668:
 * buckets of 256, min/max scaling).
 *
 * A vector is cut into buckets of `bucket` consecutive values (the last one may be
 * shorter); each bucket j has its own grid lo[j] + c * step[j], c = 0 .. levels - 1,
 * and every value is rounded to a point of its bucket's grid, either to the nearest
 * point or stochastically (to one of the two neighbours, with the probabilities that
 * make the rounding unbiased: E[Q(v)] = v). Packing codes into bits lives with the
 * kernels that use it (kernels/qgemv), not here.
 */
#ifndef QUANT_H
#define QUANT_H

#include <stdint.h>

#include "algorithms/kernels/rng.h"

enum quant_scaling {
	QUANT_MINMAX, /* levels lo + c*step, c = 0..2^b-1, lo = min, step = (max-min)/(2^b-1) (Polino et al.) */
	QUANT_MAXABS  /* 2^b - 1 levels symmetric about 0: lo = -s, step = s/(2^(b-1)-1), s = max|v| (Clover) */
};
enum quant_rounding {
	QUANT_NEAREST,
	QUANT_STOCHASTIC /* floor((v-lo)/step + u), u ~ U[0,1): unbiased */
};
struct quant_spec {
	int bits;        /* 1..8 (MAXABS needs >= 2) */
	int64_t bucket;  /* values per bucket; 0 = one bucket for all */
	enum quant_scaling scaling;
	enum quant_rounding rounding;
};

/* Distinct codes a bucket may use: 2^bits (MINMAX) or 2^bits - 1 (MAXABS); 0 for an
 * invalid spec. */
int quant_levels(const struct quant_spec *q);
/* Buckets of a vector of n values: ceil(n / bucket), 1 when bucket is 0 (0 when n is 0). */
int64_t quant_nbuckets(const struct quant_spec *q, int64_t n);
/* codes[i] in [0, quant_levels); bucket j's value of code c is lo[j] + c * step[j]. A
 * bucket whose range is below 1e-10 gets step 1 (Polino's rule) so every value codes
 * exactly. r may be NULL for QUANT_NEAREST. lo and step hold quant_nbuckets values.
 * Returns 0, or -1 for an invalid spec (or stochastic rounding without r). */
int quant_encode(const struct quant_spec *q, const float *x, int64_t n, uint8_t *codes, float *lo,
		 float *step, struct rng *r);
void quant_decode(const struct quant_spec *q, const uint8_t *codes, int64_t n, const float *lo,
		  const float *step, float *out);
/* out = Q(x) (out may equal x). 0, or -1 as quant_encode. */
int quant_apply(const struct quant_spec *q, const float *x, int64_t n, float *out, struct rng *r);

#endif
