/* Unit tests for algorithms/kernels/qgemv: pack/unpack round trips at 2/4/8 bits, every
 * available SIMD kernel equal (to float rounding) to the portable one on random tiles
 * for A x and A^T r, the products equal to those of the decoded matrix, the quantized
 * matrix independent of the thread count, and 4-bit stochastic rounding unbiased in
 * the product (E[Q] x = A x). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/qgemv.h"
#include "algorithms/kernels/rng.h"

TestSuite(qgemv, .fini = NULL);

static float *uniforms(int64_t n, uint64_t seed)
{
	struct rng r;
	float *x = malloc((size_t)n * sizeof(float));
	cr_assert(x);
	rng_seed(&r, seed, 0);
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(2.0 * rng_uniform(&r) - 1.0);
	return x;
}

Test(qgemv, pack_unpack_round_trip)
{
	struct rng r;
	rng_seed(&r, 9, 0);
	for (int bits = 2; bits <= 8; bits *= 2) {
		int half = (1 << (bits - 1)) - 1;
		for (int rep = 0; rep < 200; rep++) {
			int8_t q[64], back[64];
			uint8_t packed[64];
			for (int j = 0; j < 64; j++)
				q[j] = (int8_t)((int)rng_below(&r, (uint64_t)(2 * half + 1)) - half);
			qgemv_pack_row(bits, q, packed);
			qgemv_unpack_row(bits, packed, back);
			cr_assert_eq(memcmp(q, back, 64), 0, "bits %d", bits);
		}
	}
}

/* Reference products from the decoded matrix, in double. */
static void reference(const float *d, int64_t m, int64_t n, const float *x, const float *r,
		      double *y, double *g)
{
	for (int64_t i = 0; i < m; i++) {
		double s = 0;
		for (int64_t j = 0; j < n; j++)
			s += (double)d[i * n + j] * x[j];
		y[i] = s;
	}
	for (int64_t j = 0; j < n; j++)
		g[j] = 0;
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++)
			g[j] += (double)d[i * n + j] * r[i];
}

static void check_isa(enum qgemv_isa isa, int bits, int64_t m, int64_t n, int threads)
{
	if (qgemv_set_isa(isa) != 0)
		return; /* this CPU lacks it: nothing to compare */
	float *a = uniforms(m * n, 1 + (uint64_t)bits), *x = uniforms(n, 2), *r = uniforms(m, 3);
	float *d = malloc((size_t)(m * n) * sizeof(float)), *y = malloc((size_t)m * sizeof(float));
	float *g = malloc((size_t)n * sizeof(float));
	double *yr = malloc((size_t)m * sizeof(double)), *gr = malloc((size_t)n * sizeof(double));
	struct qmat q;
	cr_assert_eq(qmat_quantize(&q, a, m, n, bits, QUANT_STOCHASTIC, 5, threads), 0);
	qmat_decode(&q, d);
	reference(d, m, n, x, r, yr, gr);
	qgemv(&q, x, y, threads);
	qgemv_t(&q, r, g, threads);
	/* Terms are at most |step * q| * |x| <= 1: a sum of n of them in float errs by
	 * about n * 2^-24 at most, far below 1e-4 * n. */
	for (int64_t i = 0; i < m; i++)
		cr_assert_leq(fabs(y[i] - yr[i]), 1e-5 * (double)n, "%s %d bits y[%lld]: %g vs %g",
			      qgemv_isa_name(), bits, (long long)i, y[i], yr[i]);
	for (int64_t j = 0; j < n; j++)
		cr_assert_leq(fabs(g[j] - gr[j]), 1e-5 * (double)m, "%s %d bits g[%lld]: %g vs %g",
			      qgemv_isa_name(), bits, (long long)j, g[j], gr[j]);
	qmat_free(&q);
	free(a), free(x), free(r), free(d), free(y), free(g), free(yr), free(gr);
}

/* Sizes off the tile grid exercise the padding. */
Test(qgemv, every_kernel_matches_the_decoded_matrix)
{
	static const enum qgemv_isa isas[] = { QGEMV_PORTABLE, QGEMV_AVX2, QGEMV_AVX512 };
	for (size_t k = 0; k < 3; k++)
		for (int bits = 2; bits <= 8; bits *= 2) {
			check_isa(isas[k], bits, 64, 64, 1);
			check_isa(isas[k], bits, 150, 70, 2);
			check_isa(isas[k], bits, 37, 200, 2);
		}
	qgemv_set_isa(QGEMV_AUTO);
}

/* SIMD and portable give the same numbers up to the order of float additions. */
Test(qgemv, simd_equals_portable)
{
	const int64_t m = 192, n = 320;
	float *a = uniforms(m * n, 77), *x = uniforms(n, 78), *r = uniforms(m, 79);
	float y0[192], y1[192], g0[320], g1[320];
	static const enum qgemv_isa isas[] = { QGEMV_AVX2, QGEMV_AVX512 };
	int compared = 0;
	for (int bits = 2; bits <= 8; bits *= 2) {
		struct qmat q;
		cr_assert_eq(qmat_quantize(&q, a, m, n, bits, QUANT_NEAREST, 1, 1), 0);
		qgemv_set_isa(QGEMV_PORTABLE);
		qgemv(&q, x, y0, 1);
		qgemv_t(&q, r, g0, 1);
		for (int k = 0; k < 2; k++) {
			if (qgemv_set_isa(isas[k]) != 0)
				continue;
			compared++;
			qgemv(&q, x, y1, 2);
			qgemv_t(&q, r, g1, 2);
			for (int64_t i = 0; i < m; i++)
				cr_assert_float_eq(y0[i], y1[i], 1e-3, "%s bits %d", qgemv_isa_name(), bits);
			for (int64_t j = 0; j < n; j++)
				cr_assert_float_eq(g0[j], g1[j], 1e-3, "%s bits %d", qgemv_isa_name(), bits);
		}
		qmat_free(&q);
	}
	qgemv_set_isa(QGEMV_AUTO);
	cr_log_info("qgemv: %d SIMD comparisons, auto kernel %s", compared, qgemv_isa_name());
	free(a), free(x), free(r);
}

Test(qgemv, quantized_matrix_does_not_depend_on_threads)
{
	const int64_t m = 300, n = 130;
	float *a = uniforms(m * n, 4);
	struct qmat q1, q2;
	cr_assert_eq(qmat_quantize(&q1, a, m, n, 4, QUANT_STOCHASTIC, 8, 1), 0);
	cr_assert_eq(qmat_quantize(&q2, a, m, n, 4, QUANT_STOCHASTIC, 8, 2), 0);
	cr_assert_eq(memcmp(q1.data, q2.data, (size_t)(q1.mt * q1.nt * 64 * 32)), 0);
	cr_assert_eq(memcmp(q1.step, q2.step, (size_t)(q1.mt * 64 * q1.nt) * sizeof(float)), 0);
	cr_assert_eq(qmat_quantize(&q2, a, m, n, 4, QUANT_STOCHASTIC, 9, 1), 0);
	cr_assert_neq(memcmp(q1.data, q2.data, (size_t)(q1.mt * q1.nt * 64 * 32)), 0, "seed matters");
	cr_assert_eq(qmat_quantize(&q2, a, m, n, 3, QUANT_STOCHASTIC, 9, 1), -1);
	qmat_free(&q1), qmat_free(&q2);
	free(a);
}

/* The mean of independent 2-bit stochastic quantizations converges to A. */
Test(qgemv, stochastic_matrix_is_unbiased)
{
	const int64_t m = 64, n = 64, draws = 400;
	float *a = uniforms(m * n, 12), *d = malloc((size_t)(m * n) * sizeof(float));
	double *mean = calloc((size_t)(m * n), sizeof(double));
	for (int64_t k = 0; k < draws; k++) {
		struct qmat q;
		cr_assert_eq(qmat_quantize(&q, a, m, n, 2, QUANT_STOCHASTIC, 100 + (uint64_t)k, 1), 0);
		qmat_decode(&q, d);
		for (int64_t i = 0; i < m * n; i++)
			mean[i] += d[i] / (double)draws;
		qmat_free(&q);
	}
	/* 2 bits: step = max|v| <= 1, sigma of one draw <= 1/2, of the mean <= 0.025. */
	double worst = 0;
	for (int64_t i = 0; i < m * n; i++)
		worst = fmax(worst, fabs(mean[i] - a[i]));
	cr_assert_lt(worst, 5 * 0.025, "largest deviation of the mean %g", worst);
	free(a), free(d), free(mean);
}
