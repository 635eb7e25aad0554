/* Unit tests for algorithms/kernels/topk: the sampled selection against the full-sort
 * reference on inputs that take every path (exact for small n, filter, fallback on
 * ties and zeros), the lowest-index tie-break, NaN, and the contraction bound
 * |x - TopK(x)|^2 <= (1 - K/n)|x|^2 of the notes' T1; the fp32 kernel against the fp64
 * one on the widened values, every thread count and every filter ISA against the
 * one-thread portable output, and the Floyd-Rivest baseline (kernels/topk_nth)
 * against the full sort. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/kernels/topk.h"
#include "algorithms/kernels/topk_nth.h"

TestSuite(topk);

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* topk_select and topk_select_sort choose the same set (compared sorted). */
static void check_same(const double *x, int64_t n, int64_t k)
{
	struct topk_workspace *w = topk_workspace_new(n);
	uint32_t *a = malloc(((size_t)k + 1) * sizeof(uint32_t));
	uint32_t *b = malloc(((size_t)k + 1) * sizeof(uint32_t));
	cr_assert(w && a && b);
	cr_assert_eq(topk_select(w, x, n, k, a), 0);
	cr_assert_eq(topk_select_sort(x, n, k, b), 0);
	qsort(a, (size_t)k, sizeof(uint32_t), compare_u32);
	qsort(b, (size_t)k, sizeof(uint32_t), compare_u32);
	for (int64_t j = 0; j < k; j++)
		cr_assert_eq(a[j], b[j], "n=%lld k=%lld: entry %lld differs (%u vs %u)",
			     (long long)n, (long long)k, (long long)j, a[j], b[j]);
	free(a);
	free(b);
	topk_workspace_free(w);
}

static double *normals(int64_t n, uint64_t seed)
{
	struct rng r;
	double *x = malloc((size_t)n * sizeof(double));
	cr_assert(x);
	rng_seed(&r, seed, 0);
	for (int64_t i = 0; i < n; i++)
		x[i] = rng_normal(&r);
	return x;
}

Test(topk, matches_full_sort_on_random_inputs)
{
	static const int64_t sizes[] = { 1, 7, 100, 8191, 8192, 50000, 300000 };
	static const double fractions[] = { 0.0001, 0.001, 0.01, 0.1, 0.5, 1.0 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double *x = normals(sizes[s], 11 + s);
		for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++)
			check_same(x, sizes[s], topk_k_of(sizes[s], 0, fractions[f]));
		free(x);
	}
}

Test(topk, ties_go_to_the_lowest_index)
{
	double x[] = { 1, -3, 3, 2, -3, 0, 3 };
	uint32_t idx[3];
	struct topk_workspace *w = topk_workspace_new(7);
	cr_assert_eq(topk_select(w, x, 7, 2, idx), 0);
	qsort(idx, 2, sizeof(uint32_t), compare_u32);
	cr_assert(idx[0] == 1 && idx[1] == 2, "got %u %u", idx[0], idx[1]);
	cr_assert_eq(topk_select(w, x, 7, 3, idx), 0);
	qsort(idx, 3, sizeof(uint32_t), compare_u32);
	cr_assert(idx[0] == 1 && idx[1] == 2 && idx[2] == 4);
	topk_workspace_free(w);
}

/* Large inputs with many ties and zeros: the filter's threshold equals a run of
 * values, and mostly-zero vectors send the call to the exact fallback. */
Test(topk, ties_and_zeros_in_large_inputs)
{
	int64_t n = 200000;
	double *x = malloc((size_t)n * sizeof(double));
	struct rng r;
	rng_seed(&r, 5, 0);
	for (int64_t i = 0; i < n; i++)
		x[i] = (double)((int64_t)rng_below(&r, 9) - 4);
	check_same(x, n, 1000);
	check_same(x, n, 30000);
	for (int64_t i = 0; i < n; i++)
		x[i] = i % 1000 == 0 ? rng_normal(&r) : 0.0;
	check_same(x, n, 150);
	check_same(x, n, 2000);
	free(x);
}

Test(topk, nan_counts_below_every_number)
{
	double x[] = { NAN, 0.5, -NAN, 0.0, 2.0 };
	uint32_t idx[4];
	struct topk_workspace *w = topk_workspace_new(5);
	cr_assert_eq(topk_select(w, x, 5, 3, idx), 0);
	qsort(idx, 3, sizeof(uint32_t), compare_u32);
	cr_assert(idx[0] == 1 && idx[1] == 3 && idx[2] == 4);
	topk_workspace_free(w);
}

Test(topk, contraction_bound_holds)
{
	int64_t n = 20000;
	double *x = normals(n, 3);
	uint32_t *idx = malloc((size_t)n * sizeof(uint32_t));
	struct topk_workspace *w = topk_workspace_new(n);
	double total = 0.0;
	for (int64_t i = 0; i < n; i++)
		total += x[i] * x[i];
	for (int64_t k = 1; k <= n; k = k * 3 + 1) {
		double kept = 0.0;
		topk_select(w, x, n, k, idx);
		for (int64_t j = 0; j < k; j++)
			kept += x[idx[j]] * x[idx[j]];
		cr_assert_leq(total - kept, (1.0 - (double)k / (double)n) * total * (1 + 1e-12));
	}
	free(idx);
	free(x);
	topk_workspace_free(w);
}

Test(topk, rejects_bad_arguments)
{
	double x[4] = { 1, 2, 3, 4 };
	uint32_t idx[4];
	struct topk_workspace *w = topk_workspace_new(3);
	cr_assert_eq(topk_select(w, x, 4, 1, idx), -1, "n above the workspace");
	cr_assert_eq(topk_select(w, x, 3, 4, idx), -1, "k above n");
	cr_assert_eq(topk_select(w, x, 3, -1, idx), -1);
	cr_assert_eq(topk_select(w, x, 3, 0, idx), 0);
	cr_assert_null(topk_workspace_new(0));
	cr_assert_eq(topk_k_of(1000, 0, 0.001), 1);
	cr_assert_eq(topk_k_of(123, 0, 0.01), 2);
	cr_assert_eq(topk_k_of(10, 50, 0.5), 10);
	topk_workspace_free(w);
}

/* ---- fp32, threads, ISAs, the baseline ---- */

/* Gradient-like floats with the awkward values mixed in: ties (values on a coarse
 * grid), zeros of both signs, NaN, infinities and subnormals. */
static float *awkward_floats(int64_t n, uint64_t seed)
{
	struct rng r;
	float *x = malloc((size_t)n * sizeof(float));
	cr_assert(x);
	rng_seed(&r, seed, 0);
	for (int64_t i = 0; i < n; i++) {
		uint64_t kind = rng_below(&r, 100);
		double v = rng_normal(&r);
		x[i] = kind == 0   ? NAN
		       : kind == 1 ? (rng_below(&r, 2) ? INFINITY : -INFINITY)
		       : kind == 2 ? (rng_below(&r, 2) ? 0.0f : -0.0f)
		       : kind == 3 ? (float)(v * 1e-40)
		       : kind < 30 ? (float)(round(v * 8.0) / 8.0)
				   : (float)v;
	}
	return x;
}

static double *widened(const float *x, int64_t n)
{
	double *d = malloc((size_t)n * sizeof(double));
	cr_assert(d);
	for (int64_t i = 0; i < n; i++)
		d[i] = (double)x[i];
	return d;
}

/* The same indices in the same order. */
static void assert_same_output(const uint32_t *a, const uint32_t *b, int64_t k, const char *what)
{
	for (int64_t j = 0; j < k; j++)
		cr_assert_eq(a[j], b[j], "%s: entry %lld differs (%u vs %u)", what, (long long)j,
			     a[j], b[j]);
}

Test(topk, f32_returns_the_f64_output_on_widened_values)
{
	static const int64_t sizes[] = { 1, 100, 8191, 8192, 50000, 300001 };
	static const double fractions[] = { 0.0001, 0.001, 0.01, 0.1, 0.5, 1.0 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int64_t n = sizes[s];
		float *x = awkward_floats(n, 21 + s);
		double *d = widened(x, n);
		struct topk_workspace *w = topk_workspace_new(n);
		uint32_t *a = malloc((size_t)n * sizeof(uint32_t)), *b = malloc((size_t)n * sizeof(uint32_t));
		cr_assert(w && a && b);
		for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
			int64_t k = topk_k_of(n, 0, fractions[f]);
			cr_assert_eq(topk_select_f32(w, x, n, k, a), 0);
			cr_assert_eq(topk_select(w, d, n, k, b), 0);
			assert_same_output(a, b, k, "f32 vs f64");
			check_same(d, n, k);
		}
		free(a), free(b), free(x), free(d);
		topk_workspace_free(w);
	}
}

/* threads = 1 vs 2, 3, 4 (and a request above TOPK_MAX_THREADS), fp64 and fp32, on
 * inputs that take the filter and the exact fallback. */
Test(topk, every_thread_count_gives_the_one_thread_output)
{
	int64_t n = 400003;
	float *x = awkward_floats(n, 9);
	double *d = normals(n, 10);
	struct topk_workspace *w = topk_workspace_new(n);
	uint32_t *one = malloc((size_t)n * sizeof(uint32_t)), *many = malloc((size_t)n * sizeof(uint32_t));
	cr_assert(w && one && many);
	static const int threads[] = { 2, 3, 4, 1000 };
	static const double fractions[] = { 0.001, 0.01, 0.3 };
	for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
		int64_t k = topk_k_of(n, 0, fractions[f]);
		for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
			cr_assert_eq(topk_select_threads(w, d, n, k, 1, one), 0);
			cr_assert_eq(topk_select_threads(w, d, n, k, threads[t], many), 0);
			assert_same_output(one, many, k, "f64 threads");
			cr_assert_eq(topk_select_f32_threads(w, x, n, k, 1, one), 0);
			cr_assert_eq(topk_select_f32_threads(w, x, n, k, threads[t], many), 0);
			assert_same_output(one, many, k, "f32 threads");
		}
	}
	/* Mostly zeros: fewer survivors than K, the exact path over all n. */
	for (int64_t i = 0; i < n; i++)
		d[i] = i % 5000 == 0 ? (double)i : 0.0;
	cr_assert_eq(topk_select_threads(w, d, n, 500, 1, one), 0);
	cr_assert_eq(topk_select_threads(w, d, n, 500, 2, many), 0);
	assert_same_output(one, many, 500, "f64 threads, zeros");
	check_same(d, n, 500);
	free(one), free(many), free(x), free(d);
	topk_workspace_free(w);
}

/* Every filter kernel this CPU has gives the portable kernel's output, entry for
 * entry, at sizes that leave a tail after the last 32-entry block. */
Test(topk, every_isa_gives_the_portable_output)
{
	static const enum topk_isa isas[] = { TOPK_ISA_AVX, TOPK_ISA_AVX512 };
	static const int64_t sizes[] = { 8200, 100003, 300031 };
	static const double fractions[] = { 0.001, 0.01, 0.2 };
	int covered = 0;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int64_t n = sizes[s];
		float *x = awkward_floats(n, 40 + s);
		double *d = widened(x, n);
		for (int64_t i = 0; i < n; i += 7)
			d[i] *= 1.0 + 1e-12; /* values no float has */
		struct topk_workspace *w = topk_workspace_new(n);
		uint32_t *ref = malloc((size_t)n * sizeof(uint32_t)), *got = malloc((size_t)n * sizeof(uint32_t));
		uint32_t *ref32 = malloc((size_t)n * sizeof(uint32_t));
		cr_assert(w && ref && got && ref32);
		for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
			int64_t k = topk_k_of(n, 0, fractions[f]);
			cr_assert_eq(topk_set_isa(TOPK_ISA_PORTABLE), 0);
			cr_assert_str_eq(topk_isa_name(), "portable");
			cr_assert_eq(topk_select(w, d, n, k, ref), 0);
			cr_assert_eq(topk_select_f32(w, x, n, k, ref32), 0);
			check_same(d, n, k);
			for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); i++) {
				if (topk_set_isa(isas[i]) != 0)
					continue;
				covered |= 1 << i;
				cr_assert_eq(topk_select(w, d, n, k, got), 0);
				assert_same_output(ref, got, k, topk_isa_name());
				cr_assert_eq(topk_select_f32_threads(w, x, n, k, 2, got), 0);
				assert_same_output(ref32, got, k, topk_isa_name());
			}
		}
		cr_assert_eq(topk_set_isa(TOPK_ISA_AUTO), 0);
		free(ref), free(got), free(ref32), free(x), free(d);
		topk_workspace_free(w);
	}
	cr_log_info("topk ISAs checked against portable: avx %s, avx512 %s",
		    covered & 1 ? "yes" : "no (CPU lacks it)", covered & 2 ? "yes" : "no (CPU lacks it)");
}

/* The Floyd-Rivest baseline chooses the full sort's set, fp64 and fp32, with and
 * without caller scratch. */
Test(topk, nth_baseline_matches_full_sort)
{
	static const int64_t sizes[] = { 1, 7, 601, 5000, 100000 };
	static const double fractions[] = { 0.0001, 0.01, 0.1, 0.5, 1.0 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int64_t n = sizes[s];
		float *x = awkward_floats(n, 60 + s);
		double *d = widened(x, n);
		uint32_t *a = malloc((size_t)n * sizeof(uint32_t)), *b = malloc((size_t)n * sizeof(uint32_t));
		void *scratch = malloc(topk_nth_scratch_bytes(n, 0));
		cr_assert(a && b && scratch);
		for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
			int64_t k = topk_k_of(n, 0, fractions[f]);
			cr_assert_eq(topk_select_sort(d, n, k, b), 0);
			qsort(b, (size_t)k, sizeof(uint32_t), compare_u32);
			cr_assert_eq(topk_nth_select(f % 2 ? scratch : NULL, d, n, k, a), 0);
			qsort(a, (size_t)k, sizeof(uint32_t), compare_u32);
			assert_same_output(a, b, k, "nth f64 vs sort");
			cr_assert_eq(topk_nth_select_f32(f % 2 ? NULL : scratch, x, n, k, a), 0);
			qsort(a, (size_t)k, sizeof(uint32_t), compare_u32);
			assert_same_output(a, b, k, "nth f32 vs sort");
		}
		cr_assert_eq(topk_nth_select(NULL, d, n, n + 1, a), -1);
		free(a), free(b), free(scratch), free(x), free(d);
	}
}
