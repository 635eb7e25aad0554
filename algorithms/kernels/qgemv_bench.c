/*
 * qgemv_bench: the `make bench` case of kernels/qgemv. An m x n matrix (n = 2m) whose
 * 32-bit form is at least 4x the L3 cache and at least the STREAM array size, so that
 * every kernel streams it from memory. For 8 and 4 bits, A x and A^T r: the bytes of the
 * packed matrix read per second as a fraction of the STREAM copy bandwidth (the goal is
 * >= 0.7 at 4 bits: the data-movement bound that turns into the speedup), and the
 * speedup over OpenBLAS sgemv of the float matrix (32-bit bytes per second of the
 * quantized kernel / sgemv's). sgemv's own bytes/s over copy is the baseline row. All at
 * the bench's thread count, each repetition timing the copy and all six products. Every
 * kernel is checked against sgemv of the decoded matrix before it is timed.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/qgemv.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/error.h"

#define QB_MIN_REPS 3
#define QB_WINDOW_S 0.2
#define QB_MAX_BYTES ((int64_t)3 << 30)

struct qb {
	int64_t m, n;
	int threads;
	float *a, *x, *r, *y, *g;
};

/* Best time of one product: 0 = sgemv, 1 = sgemv transposed, 2 = qgemv, 3 = qgemv_t. */
static double qb_time(struct qb *b, struct qmat *q, int which)
{
	double best = INFINITY, start = calib_now();
	for (int rep = 0; rep < QB_MIN_REPS || calib_now() - start < QB_WINDOW_S; rep++) {
		double t0 = calib_now();
		if (which == 0)
			cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)b->m, (int)b->n, 1.0f, b->a,
				    (int)b->n, b->x, 1, 0.0f, b->y, 1);
		else if (which == 1)
			cblas_sgemv(CblasRowMajor, CblasTrans, (int)b->m, (int)b->n, 1.0f, b->a,
				    (int)b->n, b->r, 1, 0.0f, b->g, 1);
		else if (which == 2)
			qgemv(q, b->x, b->y, b->threads);
		else
			qgemv_t(q, b->r, b->g, b->threads);
		double t = calib_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

/* qgemv against sgemv on a row band of the decoded matrix (a full decode would double
 * the memory). */
static int qb_verify(struct qb *b, struct qmat *q)
{
	int64_t rows = b->m < 64 ? b->m : 64;
	float *d = malloc((size_t)(q->rows * q->cols) * sizeof(float));
	float *ref = malloc((size_t)rows * sizeof(float));
	if (!d || !ref) {
		free(d), free(ref);
		return -1;
	}
	qmat_decode(q, d);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)b->n, 1.0f, d, (int)b->n, b->x, 1,
		    0.0f, ref, 1);
	qgemv(q, b->x, b->y, b->threads);
	int bad = 0;
	for (int64_t i = 0; i < rows; i++)
		bad |= fabsf(ref[i] - b->y[i]) > 1e-4f * (float)b->n;
	free(d), free(ref);
	return bad ? -1 : 0;
}

/* The 8- and 4-bit forms of the matrix, each verified before any timing. */
static int qb_quantize(struct qb *b, struct qmat *q, int bits, char *err, size_t errlen)
{
	if (qmat_quantize(q, b->a, b->m, b->n, bits, QUANT_NEAREST, 1, b->threads) != 0)
		return rb_error(err, errlen, "qgemv: cannot quantize %lld x %lld at %d bits",
				(long long)b->m, (long long)b->n, bits);
	if (qb_verify(b, q) != 0) {
		qmat_free(q);
		return rb_error(err, errlen, "qgemv: %d-bit product differs from sgemv of the "
				"decoded matrix", bits);
	}
	return 0;
}

#define QB_ROWS 10

struct qb_rep_arg {
	struct qb *b;
	struct qmat *q8, *q4;
	size_t stream_bytes;
};

/*
 * One repetition: copy bandwidth, then the six products. Rows, in qb_row_params order:
 * for sgemv and sgemv_t, bytes/s over copy; for each quantized kernel, packed bytes/s
 * over copy and then fp32-equivalent bytes/s over sgemv's (the speedup), both from the
 * one timing.
 */
static int qb_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct qb_rep_arg *a = arg;
	struct qb *b = a->b;
	double copy = calib_copy_bandwidth_gbs_sized(b->threads, a->stream_bytes);
	double f32 = (double)(b->m * b->n) * 4.0 / 1e9;
	double t32 = qb_time(b, NULL, 0), t32t = qb_time(b, NULL, 1);
	rep[0] = (struct bench_rep){ f32 / t32, copy };
	rep[1] = (struct bench_rep){ f32 / t32t, copy };
	struct qmat *q[2] = { a->q8, a->q4 };
	for (int k = 0; k < 2; k++) {
		double bytes = (double)qmat_bytes(q[k]) / 1e9;
		double t = qb_time(b, q[k], 2), tt = qb_time(b, q[k], 3);
		struct bench_rep *r = rep + 2 + 4 * k;
		r[0] = (struct bench_rep){ bytes / t, copy };
		r[1] = (struct bench_rep){ f32 / t, f32 / t32 };
		r[2] = (struct bench_rep){ bytes / tt, copy };
		r[3] = (struct bench_rep){ f32 / tt, f32 / t32t };
	}
	return 0;
}

static void qb_row_params(const struct qb *b, char params[QB_ROWS][160], struct bench_row *rows)
{
	static const int bits[QB_ROWS] = { 32, 32, 8, 8, 8, 8, 4, 4, 4, 4 };
	static const char *const kernel[QB_ROWS] = { "sgemv", "sgemv_t", "gemv", "gemv", "gemv_t",
						     "gemv_t", "gemv", "gemv", "gemv_t", "gemv_t" };
	for (int k = 0; k < QB_ROWS; k++) {
		int speedup = k >= 2 && k % 2 == 1;
		snprintf(params[k], 160, "m=%lld;n=%lld;bits=%d;kernel=%s;isa=%s;threads=%d",
			 (long long)b->m, (long long)b->n, bits[k], kernel[k], qgemv_isa_name(),
			 b->threads);
		rows[k] = (struct bench_row){ params[k], speedup ? "GB/s_fp32_equiv" : "GB/s",
					      speedup ? "GB/s_sgemv" : "GB/s_copy" };
	}
}

static int qb_measure(struct bench_ctx *ctx, struct qb *b, char *err, size_t errlen)
{
	struct qmat q8, q4;
	if (qb_quantize(b, &q8, 8, err, errlen) != 0)
		return -1;
	if (qb_quantize(b, &q4, 4, err, errlen) != 0) {
		qmat_free(&q8);
		return -1;
	}
	char params[QB_ROWS][160];
	struct bench_row rows[QB_ROWS];
	qb_row_params(b, params, rows);
	struct qb_rep_arg a = { b, &q8, &q4, ctx->limits.stream_bytes };
	int rc = bench_measure_rows(ctx, rows, QB_ROWS, b->threads, BENCH_MIN_REPS, qb_rep, &a,
				    err, errlen);
	qmat_free(&q8);
	qmat_free(&q4);
	return rc;
}

static int qgemv_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	int64_t want = 4 * qgemv_cache_bytes(3);
	want = want > (int64_t)ctx->limits.stream_bytes ? want : (int64_t)ctx->limits.stream_bytes;
	want = want < QB_MAX_BYTES ? want : QB_MAX_BYTES;
	struct qb b = { .threads = ctx->limits.threads };
	b.m = ((int64_t)ceil(sqrt((double)want / 8.0)) + 63) / 64 * 64;
	b.n = 2 * b.m;
	b.a = malloc((size_t)(b.m * b.n) * sizeof(float));
	b.x = malloc((size_t)b.n * sizeof(float)), b.g = malloc((size_t)b.n * sizeof(float));
	b.r = malloc((size_t)b.m * sizeof(float)), b.y = malloc((size_t)b.m * sizeof(float));
	int rc = 0;
	if (!b.a || !b.x || !b.g || !b.r || !b.y)
		rc = rb_error(err, errlen, "qgemv: cannot allocate a %lld x %lld matrix",
			      (long long)b.m, (long long)b.n);
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	for (int64_t i = 0; rc == 0 && i < b.m * b.n; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		b.a[i] = (float)((double)(s >> 40) / 8388608.0 - 1.0);
	}
	for (int64_t j = 0; rc == 0 && j < b.n; j++)
		b.x[j] = (float)((j % 7) - 3) / 3.0f;
	for (int64_t i = 0; rc == 0 && i < b.m; i++)
		b.r[i] = (float)((i % 5) - 2) / 2.0f;
	if (rc == 0)
		rc = qb_measure(ctx, &b, err, errlen);
	free(b.a), free(b.x), free(b.g), free(b.r), free(b.y);
	return rc;
}

const struct bench_case kernels_qgemv_bench = {
	.name = "qgemv",
	.family = "kernels",
	.doc = "8/4-bit tiled GEMV and transposed GEMV beyond L3: packed bytes/s / STREAM copy, "
	       "and fp32-equivalent bytes/s / OpenBLAS sgemv's, all in each repetition",
	.run = qgemv_bench_run,
};
