/* Unit tests for algorithms/kernels/topk: the sampled selection against the full-sort
 * reference on inputs that take every path (exact for small n, filter, fallback on
 * ties and zeros), the lowest-index tie-break, NaN, and the contraction bound
 * |x - TopK(x)|^2 <= (1 - K/n)|x|^2 of the notes' T1. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/kernels/topk.h"

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
