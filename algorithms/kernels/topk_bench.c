/*
 * topk_bench: the `make bench` case of the top-K kernel (kernels/topk.h), measured at a
 * size that streams from memory: one array of limits.stream_bytes (calib_stream_array_
 * bytes(): 4x the last-level cache, at most 1 GiB), as fp64 and as fp32 (so 2^27 doubles
 * or 2^28 floats where that is 1 GiB). Two kinds of rows, each from bench_measure
 * (median of BENCH_MIN_REPS repetitions, each paired):
 *   vs=read  bytes of x that topk_select reads per second against the read bandwidth
 *            of a sum of the same array (the STREAM "read" case: 8 or 4 bytes per
 *            element, OpenMP on the same thread count, vectorised), timed A B B A in
 *            the repetition; K/n = 0.1% and 1%, 1 and 2 threads;
 *   vs=nth   topk_select against the Floyd-Rivest quickselect over (|x|, index) pairs
 *            (kernels/topk_nth, the std::nth_element a practitioner would use), both on
 *            one thread at K/n = 1%, timed A B A: the ratio is the speedup.
 * Every selection is verified before it is timed (K distinct indices, none of the
 * entries left out before any selected one), and the 2-thread output must equal the
 * 1-thread output entry for entry. The array, the workspace and the baseline's pairs
 * are allocated once and reused.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/topk.h"
#include "algorithms/kernels/topk_nth.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/error.h"

static const double topk_bench_fractions[] = { 0.001, 0.01 };
/* The fraction the quickselect comparison runs at. */
#define TOPK_BENCH_NTH_FRACTION 0.01

struct topk_bench {
	void *x;               /* stream_bytes: n doubles or n floats */
	int fp32;
	int64_t n, k;
	int threads;
	uint32_t *idx, *idx2;
	unsigned char *mark;
	struct topk_workspace *w;
	void *pairs;           /* the baseline's (|x|, index) pairs */
	volatile double sink;  /* the read kernel's sum, kept so the sum is computed */
};

/* ---- the read kernel: a vectorised sum, 4 independent accumulators ---- */

typedef double topk_v8d __attribute__((vector_size(64)));
typedef float topk_v16f __attribute__((vector_size(64)));

/* Sum of p[0..n): one body for every ISA, compiled per
 * target by the attribute (the vector type is split to what the target has). */
#define TOPK_BENCH_READ(name, TGT, T, V)                                                 \
	TGT static T name(const T *p, int64_t n)                                         \
	{                                                                                \
		const int64_t lanes = (int64_t)(sizeof(V) / sizeof(T));                  \
		V a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };                        \
		int64_t i = 0;                                                           \
		for (; i + 4 * lanes <= n; i += 4 * lanes) {                             \
			V v0, v1, v2, v3;                                                \
			memcpy(&v0, p + i, sizeof(V));                                   \
			memcpy(&v1, p + i + lanes, sizeof(V));                           \
			memcpy(&v2, p + i + 2 * lanes, sizeof(V));                       \
			memcpy(&v3, p + i + 3 * lanes, sizeof(V));                       \
			a0 += v0, a1 += v1, a2 += v2, a3 += v3;                          \
		}                                                                        \
		V a = a0 + a1 + a2 + a3;                                                 \
		T s = 0;                                                                 \
		for (int64_t l = 0; l < lanes; l++)                                      \
			s += a[l];                                                       \
		for (; i < n; i++)                                                       \
			s += p[i];                                                       \
		return s;                                                                \
	}

#if defined(__x86_64__)
TOPK_BENCH_READ(read_f64_avx512, __attribute__((target("avx512f"))), double, topk_v8d)
TOPK_BENCH_READ(read_f32_avx512, __attribute__((target("avx512f"))), float, topk_v16f)
TOPK_BENCH_READ(read_f64_avx, __attribute__((target("avx"))), double, topk_v8d)
TOPK_BENCH_READ(read_f32_avx, __attribute__((target("avx"))), float, topk_v16f)
#endif
TOPK_BENCH_READ(read_f64_base, , double, topk_v8d)
TOPK_BENCH_READ(read_f32_base, , float, topk_v16f)

static double read_slice(const struct topk_bench *b, int64_t lo, int64_t hi)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx512f"))
		return b->fp32 ? read_f32_avx512((const float *)b->x + lo, hi - lo)
			       : read_f64_avx512((const double *)b->x + lo, hi - lo);
	if (__builtin_cpu_supports("avx"))
		return b->fp32 ? read_f32_avx((const float *)b->x + lo, hi - lo)
			       : read_f64_avx((const double *)b->x + lo, hi - lo);
#endif
	return b->fp32 ? read_f32_base((const float *)b->x + lo, hi - lo)
		       : read_f64_base((const double *)b->x + lo, hi - lo);
}

/* Seconds for one sum of x on b->threads threads (slices of whole cache lines). */
static double time_read(struct topk_bench *b)
{
	double total = 0.0, t0 = calib_now();
#pragma omp parallel num_threads(b->threads) reduction(+ : total)
	{
		int t = omp_get_thread_num(), nt = omp_get_num_threads();
		int64_t lo = b->n * t / nt / 64 * 64, hi = t + 1 == nt ? b->n : b->n * (t + 1) / nt / 64 * 64;
		total += read_slice(b, lo, hi);
	}
	double s = calib_now() - t0;
	b->sink = total;
	return s;
}

/* ---- the kernels under test ---- */

static int run_topk(struct topk_bench *b, int threads, uint32_t *idx)
{
	return b->fp32 ? topk_select_f32_threads(b->w, b->x, b->n, b->k, threads, idx)
		       : topk_select_threads(b->w, b->x, b->n, b->k, threads, idx);
}

static double time_topk(struct topk_bench *b)
{
	double t0 = calib_now();
	run_topk(b, b->threads, b->idx);
	return calib_now() - t0;
}

static int run_nth(struct topk_bench *b)
{
	return b->fp32 ? topk_nth_select_f32(b->pairs, b->x, b->n, b->k, b->idx2)
		       : topk_nth_select(b->pairs, b->x, b->n, b->k, b->idx2);
}

static double time_nth(struct topk_bench *b)
{
	double t0 = calib_now();
	run_nth(b);
	return calib_now() - t0;
}

/* ---- input and verification ---- */

/* Uniform values in [-1, 1) from a hash of the index (few exact ties; the same input
 * every run and for every thread count). */
static double topk_bench_value(int64_t i)
{
	uint64_t z = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double)((z ^ (z >> 31)) >> 11) / 4503599627370496.0 - 1.0;
}

static void topk_bench_fill(struct topk_bench *b)
{
#pragma omp parallel for schedule(static)
	for (int64_t i = 0; i < b->n; i++) {
		if (b->fp32)
			((float *)b->x)[i] = (float)topk_bench_value(i);
		else
			((double *)b->x)[i] = topk_bench_value(i);
	}
}

static double mag_at(const struct topk_bench *b, int64_t i)
{
	double v = b->fp32 ? (double)((const float *)b->x)[i] : ((const double *)b->x)[i];
	return isnan(v) ? -1.0 : fabs(v);
}

static int before(const struct topk_bench *b, uint32_t i, uint32_t j)
{
	double mi = mag_at(b, i), mj = mag_at(b, j);
	return mi > mj || (mi == mj && i < j);
}

/* 0 when idx[0..k) is the top k of x: distinct, in range, and the last selected entry
 * in the order comes before every unselected one. */
static int topk_bench_verify(struct topk_bench *b, const uint32_t *idx)
{
	memset(b->mark, 0, (size_t)b->n);
	uint32_t worst = idx[0];
	for (int64_t j = 0; j < b->k; j++) {
		if ((int64_t)idx[j] >= b->n || b->mark[idx[j]])
			return -1;
		b->mark[idx[j]] = 1;
		worst = before(b, worst, idx[j]) ? idx[j] : worst;
	}
	for (int64_t i = 0; i < b->n; i++)
		if (!b->mark[i] && before(b, (uint32_t)i, worst))
			return -1;
	return 0;
}

/* ---- repetitions ---- */

/* topk, read, read, topk: each figure from the mean of its two timings. */
static int rep_vs_read(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct topk_bench *b = arg;
	(void)err, (void)errlen;
	double a = time_topk(b), r = time_read(b);
	r += time_read(b);
	a += time_topk(b);
	double bytes = 2.0 * (double)b->n * (b->fp32 ? 4.0 : 8.0) / 1e9;
	rep->figure = bytes / a;
	rep->limit = bytes / r;
	return 0;
}

/* topk, nth, topk: the baseline is about ten times slower, so it is timed once. */
static int rep_vs_nth(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct topk_bench *b = arg;
	(void)err, (void)errlen;
	double a = time_topk(b), q = time_nth(b);
	a = (a + time_topk(b)) / 2.0;
	double bytes = (double)b->n * (b->fp32 ? 4.0 : 8.0) / 1e9;
	rep->figure = bytes / a;
	rep->limit = bytes / q;
	return 0;
}

static void params_of(const struct topk_bench *b, double fraction, const char *vs, char *out,
		      size_t len)
{
	snprintf(out, len, "type=%s;n=%lld;bytes=%lld;k_fraction=%g;threads=%d;isa=%s;vs=%s",
		 b->fp32 ? "f32" : "f64", (long long)b->n,
		 (long long)b->n * (b->fp32 ? 4 : 8), fraction, b->threads, topk_isa_name(), vs);
}

/* Verify one and two threads at this K, then the rows against the read kernel. */
static int topk_bench_fraction(struct bench_ctx *ctx, struct topk_bench *b, double fraction,
			       char *err, size_t errlen)
{
	b->k = topk_k_of(b->n, 0, fraction);
	const char *type = b->fp32 ? "f32" : "f64";
	if (run_topk(b, 1, b->idx) != 0 || topk_bench_verify(b, b->idx) != 0)
		return rb_error(err, errlen, "topk %s: wrong selection at n=%lld k=%lld", type,
				(long long)b->n, (long long)b->k);
	if (run_topk(b, 2, b->idx2) != 0 || memcmp(b->idx, b->idx2, (size_t)b->k * sizeof(uint32_t)) != 0)
		return rb_error(err, errlen, "topk %s: 2 threads differ from 1 at n=%lld k=%lld",
				type, (long long)b->n, (long long)b->k);
	char params[160];
	for (b->threads = 1; b->threads <= 2; b->threads++) {
		params_of(b, fraction, "read", params, sizeof(params));
		if (bench_measure(ctx, params, b->threads, BENCH_MIN_REPS, rep_vs_read, b, "GB/s",
				  "read_GB/s", err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int topk_bench_nth(struct bench_ctx *ctx, struct topk_bench *b, char *err, size_t errlen)
{
	b->k = topk_k_of(b->n, 0, TOPK_BENCH_NTH_FRACTION);
	b->threads = 1;
	if (run_nth(b) != 0 || topk_bench_verify(b, b->idx2) != 0)
		return rb_error(err, errlen, "topk_nth %s: wrong selection at n=%lld k=%lld",
				b->fp32 ? "f32" : "f64", (long long)b->n, (long long)b->k);
	char params[160];
	params_of(b, TOPK_BENCH_NTH_FRACTION, "nth", params, sizeof(params));
	return bench_measure(ctx, params, 1, BENCH_MIN_REPS, rep_vs_nth, b, "GB/s", "nth_GB/s",
			     err, errlen);
}

static int topk_bench_type(struct bench_ctx *ctx, struct topk_bench *b, int fp32, char *err,
			   size_t errlen)
{
	b->fp32 = fp32;
	b->n = (int64_t)(ctx->limits.stream_bytes / (fp32 ? sizeof(float) : sizeof(double)));
	topk_bench_fill(b);
	for (size_t f = 0; f < sizeof(topk_bench_fractions) / sizeof(double); f++)
		if (topk_bench_fraction(ctx, b, topk_bench_fractions[f], err, errlen) != 0)
			return -1;
	return topk_bench_nth(ctx, b, err, errlen);
}

static int topk_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	size_t bytes = ctx->limits.stream_bytes;
	int64_t n_max = (int64_t)(bytes / sizeof(float));
	if (n_max < 1 || n_max > TOPK_MAX_N)
		return rb_error(err, errlen, "topk: %zu-byte arrays are out of range", bytes);
	/* Indices and pairs for the larger count (fp32); the workspace reserves its items
	 * and touches only the survivors'. */
	struct topk_bench b = {
		.x = malloc(bytes),
		.idx = malloc((size_t)n_max * sizeof(uint32_t)),
		.idx2 = malloc((size_t)n_max * sizeof(uint32_t)),
		.mark = malloc((size_t)n_max),
		.w = topk_workspace_new(n_max),
		.pairs = malloc(topk_nth_scratch_bytes(n_max, 1) > topk_nth_scratch_bytes(n_max / 2, 0)
					? topk_nth_scratch_bytes(n_max, 1)
					: topk_nth_scratch_bytes(n_max / 2, 0)),
	};
	int rc = 0;
	if (!b.x || !b.idx || !b.idx2 || !b.mark || !b.w || !b.pairs)
		rc = rb_error(err, errlen, "topk: cannot allocate for %zu-byte arrays", bytes);
	for (int fp32 = 0; rc == 0 && fp32 <= 1; fp32++)
		rc = topk_bench_type(ctx, &b, fp32, err, errlen);
	free(b.x);
	free(b.idx);
	free(b.idx2);
	free(b.mark);
	free(b.pairs);
	topk_workspace_free(b.w);
	return rc;
}

const struct bench_case kernels_topk_bench = {
	.name = "topk",
	.family = "kernels",
	.doc = "exact top-K by magnitude, fp64 and fp32, 1 and 2 threads, on arrays of "
	       "stream_bytes: bytes read per second / a vectorised sum's (read) on as many "
	       "threads, and / Floyd-Rivest quickselect over (|x|, index) pairs, paired",
	.run = topk_bench_run,
};
