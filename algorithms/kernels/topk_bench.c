/*
 * topk_bench: the `make bench` case of the top-K kernel (kernels/topk.h). For n = 2^20
 * .. 2^26 doubles and K/n = 0.1%, 1%, 10% it reports the bytes of x that topk_select
 * reads per second as a fraction of the one-thread STREAM copy bandwidth measured in
 * the same run (the kernel is single-threaded), beside the full-sort baseline
 * (topk_select_sort) at the smaller sizes, where a sort still takes well under a second.
 * Every selection is verified before it is timed: K distinct indices, and none of the
 * entries left out comes before any selected one in the selection order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/topk.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/error.h"

#define TOPK_BENCH_LOG2_MIN 20
#define TOPK_BENCH_LOG2_MAX 26
#define TOPK_BENCH_LOG2_STEP 2
/* The sort baseline runs up to this size (2^22 entries sort in about half a second). */
#define TOPK_BENCH_SORT_LOG2_MAX 22
/* Best of at least MIN_REPS timed calls, and as many more as fit in the window. */
#define TOPK_BENCH_MIN_REPS 3
#define TOPK_BENCH_WINDOW_S 0.3

static const double topk_bench_fractions[] = { 0.001, 0.01, 0.1 };

/* Gradient-like values: symmetric about zero, few exact ties (53-bit uniforms from a
 * fixed xorshift stream, so every run benchmarks the same input). */
static void topk_bench_fill(double *x, int64_t n)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (int64_t i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		x[i] = (double)(s >> 11) / 4503599627370496.0 - 1.0;
	}
}

static int before(const double *x, uint32_t a, uint32_t b)
{
	double ma = isnan(x[a]) ? -1.0 : fabs(x[a]), mb = isnan(x[b]) ? -1.0 : fabs(x[b]);
	return ma > mb || (ma == mb && a < b);
}

/* 0 when idx[0..k) is the top k of x: distinct, in range, and the last selected
 * entry in the order comes before every unselected one. */
static int topk_bench_verify(const double *x, int64_t n, const uint32_t *idx, int64_t k,
			     unsigned char *mark)
{
	memset(mark, 0, (size_t)n);
	uint32_t worst = idx[0];
	for (int64_t j = 0; j < k; j++) {
		if ((int64_t)idx[j] >= n || mark[idx[j]])
			return -1;
		mark[idx[j]] = 1;
		worst = before(x, worst, idx[j]) ? idx[j] : worst;
	}
	for (int64_t i = 0; i < n; i++)
		if (!mark[i] && before(x, (uint32_t)i, worst))
			return -1;
	return 0;
}

static double time_select(struct topk_workspace *w, const double *x, int64_t n, int64_t k,
			  uint32_t *idx)
{
	double best = INFINITY, start = calib_now();
	for (int rep = 0; rep < TOPK_BENCH_MIN_REPS || calib_now() - start < TOPK_BENCH_WINDOW_S;
	     rep++) {
		double t0 = calib_now();
		topk_select(w, x, n, k, idx);
		double t = calib_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

struct topk_bench_arrays {
	double *x;
	uint32_t *idx;
	unsigned char *mark;
	struct topk_workspace *w;
};

static int topk_bench_one(struct bench_ctx *ctx, struct topk_bench_arrays *a, int64_t n,
			  double fraction, char *err, size_t errlen)
{
	int64_t k = topk_k_of(n, 0, fraction);
	if (topk_select(a->w, a->x, n, k, a->idx) != 0
	    || topk_bench_verify(a->x, n, a->idx, k, a->mark) != 0)
		return rb_error(err, errlen, "topk_select: wrong selection at n=%lld k=%lld",
				(long long)n, (long long)k);
	double gbs = (double)n * sizeof(double) / time_select(a->w, a->x, n, k, a->idx) / 1e9;
	char params[96];
	snprintf(params, sizeof(params), "n=%lld;k_fraction=%g;method=sample_filter;threads=1",
		 (long long)n, fraction);
	return bench_emit(ctx, params, gbs, "GB/s", bench_copy_limit_gbs(ctx, 1), "GB/s", err,
			  errlen);
}

/* The baseline: sort everything, one timed call (it is slow enough to be stable). */
static int topk_bench_sort(struct bench_ctx *ctx, struct topk_bench_arrays *a, int64_t n,
			   char *err, size_t errlen)
{
	int64_t k = topk_k_of(n, 0, 0.01);
	double t0 = calib_now();
	int rc = topk_select_sort(a->x, n, k, a->idx);
	double t = calib_now() - t0;
	if (rc != 0 || topk_bench_verify(a->x, n, a->idx, k, a->mark) != 0)
		return rb_error(err, errlen, "topk_select_sort: failed at n=%lld", (long long)n);
	char params[96];
	snprintf(params, sizeof(params), "n=%lld;k_fraction=0.01;method=full_sort;threads=1",
		 (long long)n);
	return bench_emit(ctx, params, (double)n * sizeof(double) / t / 1e9, "GB/s",
			  bench_copy_limit_gbs(ctx, 1), "GB/s", err, errlen);
}

static int topk_bench_size(struct bench_ctx *ctx, struct topk_bench_arrays *a, int log2n,
			   char *err, size_t errlen)
{
	int64_t n = (int64_t)1 << log2n;
	topk_bench_fill(a->x, n);
	for (size_t f = 0; f < sizeof(topk_bench_fractions) / sizeof(double); f++)
		if (topk_bench_one(ctx, a, n, topk_bench_fractions[f], err, errlen) != 0)
			return -1;
	if (log2n <= TOPK_BENCH_SORT_LOG2_MAX)
		return topk_bench_sort(ctx, a, n, err, errlen);
	return 0;
}

static int topk_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	int64_t n_max = (int64_t)1 << TOPK_BENCH_LOG2_MAX;
	struct topk_bench_arrays a = {
		.x = malloc((size_t)n_max * sizeof(double)),
		.idx = malloc((size_t)n_max * sizeof(uint32_t)),
		.mark = malloc((size_t)n_max),
		.w = topk_workspace_new(n_max),
	};
	int rc = 0;
	if (!a.x || !a.idx || !a.mark || !a.w)
		rc = rb_error(err, errlen, "topk: cannot allocate for n = %lld", (long long)n_max);
	for (int l = TOPK_BENCH_LOG2_MIN; rc == 0 && l <= TOPK_BENCH_LOG2_MAX;
	     l += TOPK_BENCH_LOG2_STEP)
		rc = topk_bench_size(ctx, &a, l, err, errlen);
	free(a.x);
	free(a.idx);
	free(a.mark);
	topk_workspace_free(a.w);
	return rc;
}

const struct bench_case kernels_topk_bench = {
	.name = "topk",
	.family = "kernels",
	.doc = "exact top-K by magnitude (sampled threshold + one filtering pass): bytes of x "
	       "read per second / 1-thread STREAM copy, same run; full sort as the baseline",
	.run = topk_bench_run,
};
