/* Unit tests for algorithms/kernels/quant: stochastic rounding is unbiased (the mean of
 * many draws lies within 3 sigma of the value), a bucket uses at most quant_levels
 * distinct values, nearest rounding errs by at most step/2, a constant bucket codes
 * exactly, for both scalings; invalid specs are refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/quant.h"
#include "algorithms/kernels/rng.h"

TestSuite(quant);

static float *uniforms(int64_t n, uint64_t seed, float scale)
{
	struct rng r;
	float *x = malloc((size_t)n * sizeof(float));
	cr_assert(x);
	rng_seed(&r, seed, 0);
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(scale * (2.0 * rng_uniform(&r) - 1.0));
	return x;
}

static const enum quant_scaling scalings[] = { QUANT_MINMAX, QUANT_MAXABS };

Test(quant, levels_and_buckets)
{
	struct quant_spec a = { 4, 64, QUANT_MINMAX, QUANT_NEAREST };
	struct quant_spec b = { 4, 64, QUANT_MAXABS, QUANT_NEAREST };
	struct quant_spec bad = { 1, 64, QUANT_MAXABS, QUANT_NEAREST };
	cr_assert_eq(quant_levels(&a), 16);
	cr_assert_eq(quant_levels(&b), 15);
	cr_assert_eq(quant_levels(&bad), 0);
	cr_assert_eq(quant_nbuckets(&a, 129), 3);
	cr_assert_eq(quant_nbuckets(&a, 128), 2);
	a.bucket = 0;
	cr_assert_eq(quant_nbuckets(&a, 1000), 1);
	float x[4] = { 1, 2, 3, 4 }, out[4];
	uint8_t c[4];
	float lo, step;
	cr_assert_eq(quant_encode(&bad, x, 4, c, &lo, &step, NULL), -1);
	struct quant_spec sto = { 4, 64, QUANT_MINMAX, QUANT_STOCHASTIC };
	cr_assert_eq(quant_apply(&sto, x, 4, out, NULL), -1, "stochastic rounding needs an rng");
	struct quant_spec nine = { 9, 64, QUANT_MINMAX, QUANT_NEAREST };
	cr_assert_eq(quant_apply(&nine, x, 4, out, NULL), -1);
}

/* The mean of `draws` stochastic quantizations of each value is within 3 sigma of it,
 * sigma = step * sqrt(p (1 - p)) / sqrt(draws) with p the fractional position. */
Test(quant, stochastic_rounding_is_unbiased)
{
	const int64_t n = 256, draws = 4000;
	for (int s = 0; s < 2; s++)
		for (int bits = 2; bits <= 8; bits += 2) {
			struct quant_spec q = { bits, 64, scalings[s], QUANT_STOCHASTIC };
			float *x = uniforms(n, 100 + (uint64_t)bits, 3.0f);
			double *sum = calloc((size_t)n, sizeof(double));
			float *out = malloc((size_t)n * sizeof(float));
			float lo[4], step[4];
			uint8_t *codes = malloc((size_t)n);
			struct rng r;
			rng_seed(&r, 7, (uint64_t)bits);
			for (int64_t d = 0; d < draws; d++) {
				cr_assert_eq(quant_apply(&q, x, n, out, &r), 0);
				for (int64_t i = 0; i < n; i++)
					sum[i] += out[i];
			}
			cr_assert_eq(quant_encode(&q, x, n, codes, lo, step, &r), 0);
			int outside = 0;
			for (int64_t i = 0; i < n; i++) {
				double st = step[i / 64], t = (x[i] - lo[i / 64]) / st;
				double p = t - floor(t);
				double sigma = st * sqrt(p * (1 - p) / (double)draws) + 1e-6 * st;
				if (fabs(sum[i] / (double)draws - x[i]) > 3 * sigma)
					outside++;
			}
			/* 3 sigma: about 0.3% of 256 values (under one) may fall outside by chance. */
			cr_assert_leq(outside, 3, "scaling %d, %d bits: %d of %lld means outside 3 sigma",
				      s, bits, outside, (long long)n);
			free(x), free(sum), free(out), free(codes);
		}
}

Test(quant, at_most_levels_distinct_values_per_bucket)
{
	const int64_t n = 1000, bucket = 100;
	for (int s = 0; s < 2; s++)
		for (int bits = 2; bits <= 8; bits++)
			for (int rd = 0; rd < 2; rd++) {
				struct quant_spec q = { bits, bucket, scalings[s], rd ? QUANT_STOCHASTIC : QUANT_NEAREST };
				float *x = uniforms(n, 5 + (uint64_t)bits, 1.0f), *out = malloc((size_t)n * sizeof(float));
				uint8_t *codes = malloc((size_t)n);
				float lo[10], step[10];
				struct rng r;
				rng_seed(&r, 3, 0);
				cr_assert_eq(quant_encode(&q, x, n, codes, lo, step, &r), 0);
				quant_decode(&q, codes, n, lo, step, out);
				for (int64_t j = 0; j < n / bucket; j++) {
					int seen[256] = { 0 }, distinct = 0;
					for (int64_t i = j * bucket; i < (j + 1) * bucket; i++) {
						cr_assert_lt(codes[i], quant_levels(&q));
						distinct += !seen[codes[i]]++;
					}
					cr_assert_leq(distinct, quant_levels(&q));
				}
				free(x), free(out), free(codes);
			}
}

Test(quant, nearest_error_at_most_half_a_step)
{
	const int64_t n = 4096;
	for (int s = 0; s < 2; s++)
		for (int bits = 2; bits <= 8; bits++) {
			struct quant_spec q = { bits, 64, scalings[s], QUANT_NEAREST };
			float *x = uniforms(n, 40 + (uint64_t)bits, 10.0f), *out = malloc((size_t)n * sizeof(float));
			uint8_t *codes = malloc((size_t)n);
			float lo[64], step[64];
			cr_assert_eq(quant_encode(&q, x, n, codes, lo, step, NULL), 0);
			quant_decode(&q, codes, n, lo, step, out);
			for (int64_t i = 0; i < n; i++)
				cr_assert_leq(fabs((double)out[i] - x[i]), step[i / 64] * (0.5 + 1e-5),
					      "bits %d value %lld: %g coded as %g, step %g", bits,
					      (long long)i, x[i], out[i], step[i / 64]);
			/* quant_apply gives the same values in place. */
			cr_assert_eq(quant_apply(&q, x, n, x, NULL), 0);
			cr_assert_eq(memcmp(x, out, (size_t)n * sizeof(float)), 0);
			free(x), free(out), free(codes);
		}
}

Test(quant, constant_bucket_is_exact)
{
	float x[64], out[64];
	for (int s = 0; s < 2; s++)
		for (int rd = 0; rd < 2; rd++) {
			struct quant_spec q = { 2, 0, scalings[s], rd ? QUANT_STOCHASTIC : QUANT_NEAREST };
			struct rng r;
			rng_seed(&r, 1, 0);
			for (int i = 0; i < 64; i++)
				x[i] = 0.3f;
			cr_assert_eq(quant_apply(&q, x, 64, out, &r), 0);
			for (int i = 0; i < 64; i++)
				cr_assert_float_eq(out[i], 0.3f, 1e-7, "scaling %d: %g", s, out[i]);
			memset(x, 0, sizeof(x));
			cr_assert_eq(quant_apply(&q, x, 64, out, &r), 0);
			for (int i = 0; i < 64; i++)
				cr_assert_eq(out[i], 0.0f);
		}
	/* MINMAX: a bucket flatter than 1e-10 keeps its one value exactly (step 1). */
	struct quant_spec q = { 3, 0, QUANT_MINMAX, QUANT_NEAREST };
	for (int i = 0; i < 64; i++)
		x[i] = -1234.5f;
	cr_assert_eq(quant_apply(&q, x, 64, out, NULL), 0);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(out[i], -1234.5f);
}

/* The extremes of a bucket are grid points: min/max (MINMAX) and +-max|v| (MAXABS). */
Test(quant, extremes_are_grid_points)
{
	float x[5] = { -2.0f, 0.7f, 1.1f, 3.0f, 0.0f }, out[5];
	struct quant_spec a = { 4, 0, QUANT_MINMAX, QUANT_NEAREST };
	cr_assert_eq(quant_apply(&a, x, 5, out, NULL), 0);
	cr_assert_float_eq(out[0], -2.0f, 1e-6);
	cr_assert_float_eq(out[3], 3.0f, 1e-6);
	struct quant_spec b = { 4, 0, QUANT_MAXABS, QUANT_NEAREST };
	cr_assert_eq(quant_apply(&b, x, 5, out, NULL), 0);
	cr_assert_float_eq(out[3], 3.0f, 1e-6);
	cr_assert_float_eq(out[4], 0.0f, 1e-6, "MAXABS has 0 on its grid");
}
