/*
 * quant: bucketed uniform scalar quantization (see quant.h).
 *
 * The arithmetic of one value is done in double: (v - lo) / step then lands within a
 * few ulps of its exact value, so rounding to a grid point is decided by the data and
 * the draw, not by float cancellation, and stochastic rounding stays unbiased to far
 * below any test's resolution.
 */
#include "algorithms/kernels/quant.h"

#include <math.h>

/* Polino et al.'s rule: a bucket this flat is coded with step 1, i.e. exactly. */
#define QUANT_FLAT 1e-10

static int spec_valid(const struct quant_spec *q)
{
	if (!q || q->bits < 1 || q->bits > 8 || q->bucket < 0)
		return 0;
	if (q->scaling != QUANT_MINMAX && q->scaling != QUANT_MAXABS)
		return 0;
	if (q->rounding != QUANT_NEAREST && q->rounding != QUANT_STOCHASTIC)
		return 0;
	return q->scaling == QUANT_MINMAX || q->bits >= 2;
}

int quant_levels(const struct quant_spec *q)
{
	if (!spec_valid(q))
		return 0;
	return q->scaling == QUANT_MINMAX ? 1 << q->bits : (1 << q->bits) - 1;
}

int64_t quant_nbuckets(const struct quant_spec *q, int64_t n)
{
	if (n <= 0)
		return 0;
	if (!q || q->bucket <= 0)
		return 1;
	return (n + q->bucket - 1) / q->bucket;
}

/* The grid of one bucket x[0..len). */
static void bucket_grid(const struct quant_spec *q, const float *x, int64_t len, float *lo,
			float *step)
{
	float mn = x[0], mx = x[0], amax = fabsf(x[0]);
	for (int64_t i = 1; i < len; i++) {
		mn = x[i] < mn ? x[i] : mn;
		mx = x[i] > mx ? x[i] : mx;
		amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
	}
	int levels = quant_levels(q);
	if (q->scaling == QUANT_MINMAX) {
		*lo = mn;
		*step = (double)mx - mn < QUANT_FLAT ? 1.0f : (float)(((double)mx - mn) / (levels - 1));
		return;
	}
	*lo = -amax;
	*step = 2.0 * amax < QUANT_FLAT ? 1.0f : (float)((double)amax / ((levels - 1) / 2));
}

static uint8_t code_of(float v, float lo, float step, int levels, enum quant_rounding rounding,
		       struct rng *r)
{
	double t = ((double)v - lo) / step;
	double c = floor(t + (rounding == QUANT_STOCHASTIC ? rng_uniform(r) : 0.5));
	if (!(c >= 0))  /* also NaN */
		return 0;
	return c > levels - 1 ? (uint8_t)(levels - 1) : (uint8_t)c;
}

int quant_encode(const struct quant_spec *q, const float *x, int64_t n, uint8_t *codes, float *lo,
		 float *step, struct rng *r)
{
	if (!spec_valid(q) || n < 0 || (q->rounding == QUANT_STOCHASTIC && !r))
		return -1;
	int levels = quant_levels(q);
	int64_t len = q->bucket > 0 ? q->bucket : n;
	for (int64_t j = 0, start = 0; start < n; j++, start += len) {
		int64_t m = n - start < len ? n - start : len;
		bucket_grid(q, x + start, m, &lo[j], &step[j]);
		for (int64_t i = 0; i < m; i++)
			codes[start + i] = code_of(x[start + i], lo[j], step[j], levels, q->rounding, r);
	}
	return 0;
}

void quant_decode(const struct quant_spec *q, const uint8_t *codes, int64_t n, const float *lo,
		  const float *step, float *out)
{
	int64_t len = q->bucket > 0 ? q->bucket : n;
	for (int64_t i = 0; i < n; i++) {
		int64_t j = i / len;
		out[i] = lo[j] + (float)codes[i] * step[j];
	}
}

int quant_apply(const struct quant_spec *q, const float *x, int64_t n, float *out, struct rng *r)
{
	if (!spec_valid(q) || n < 0 || (q->rounding == QUANT_STOCHASTIC && !r))
		return -1;
	int levels = quant_levels(q);
	int64_t len = q->bucket > 0 ? q->bucket : n;
	for (int64_t start = 0; start < n; start += len) {
		int64_t m = n - start < len ? n - start : len;
		float lo, step;
		bucket_grid(q, x + start, m, &lo, &step);
		/* Each value is read before it is written: out may equal x. */
		for (int64_t i = 0; i < m; i++)
			out[start + i] = lo + (float)code_of(x[start + i], lo, step, levels, q->rounding, r) * step;
	}
	return 0;
}
