/*
 * qgemv_bench: the `make bench` case of kernels/qgemv. An m x n matrix (n = 2m) whose
 * 32-bit form is at least 4x the L3 cache and at least the STREAM array size, so that
 * every kernel streams it from memory. For 8 and 4 bits, A x and A^T r: the bytes of the
 * packed matrix read per second as a fraction of the STREAM copy bandwidth (the goal is
 * >= 0.7 at 4 bits: the data-movement bound that turns into the speedup), and the
 * speedup over OpenBLAS sgemv of the float matrix (32-bit bytes per second of the
 * quantized kernel / sgemv's). sgemv's own bytes/s over copy is the baseline row. All at
 * the bench's thread count. Every kernel is checked against sgemv of the decoded matrix
 * before it is timed.
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
#define QB_WINDOW_S 0.4
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

static int qb_emit(struct bench_ctx *ctx, struct qb *b, const char *kernel, int bits, double bytes,
		   double t, double t32, char *err, size_t errlen)
{
	char params[160];
	snprintf(params, sizeof(params), "m=%lld;n=%lld;bits=%d;kernel=%s;isa=%s;threads=%d",
		 (long long)b->m, (long long)b->n, bits, kernel, qgemv_isa_name(), b->threads);
	if (bench_emit(ctx, params, bytes / t / 1e9, "GB/s", bench_copy_limit_gbs(ctx, b->threads),
		       "GB/s_copy", err, errlen) != 0)
		return -1;
	if (bits == 32)
		return 0;
	double f32 = (double)(b->m * b->n) * 4.0;
	return bench_emit(ctx, params, f32 / t / 1e9, "GB/s_fp32_equiv", f32 / t32 / 1e9,
			  "GB/s_sgemv", err, errlen);
}

static int qb_bits(struct bench_ctx *ctx, struct qb *b, int bits, double t32, double t32t,
		   char *err, size_t errlen)
{
	struct qmat q;
	if (qmat_quantize(&q, b->a, b->m, b->n, bits, QUANT_NEAREST, 1, b->threads) != 0)
		return rb_error(err, errlen, "qgemv: cannot quantize %lld x %lld at %d bits",
				(long long)b->m, (long long)b->n, bits);
	int rc = qb_verify(b, &q);
	if (rc != 0)
		rc = rb_error(err, errlen, "qgemv: %d-bit product differs from sgemv of the decoded matrix", bits);
	double bytes = (double)qmat_bytes(&q);
	if (rc == 0)
		rc = qb_emit(ctx, b, "gemv", bits, bytes, qb_time(b, &q, 2), t32, err, errlen);
	if (rc == 0)
		rc = qb_emit(ctx, b, "gemv_t", bits, bytes, qb_time(b, &q, 3), t32t, err, errlen);
	qmat_free(&q);
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
	double t32 = 0, t32t = 0, bytes32 = (double)(b.m * b.n) * 4.0;
	if (rc == 0) {
		t32 = qb_time(&b, NULL, 0);
		t32t = qb_time(&b, NULL, 1);
		rc = qb_emit(ctx, &b, "sgemv", 32, bytes32, t32, t32, err, errlen);
	}
	if (rc == 0)
		rc = qb_emit(ctx, &b, "sgemv_t", 32, bytes32, t32t, t32t, err, errlen);
	if (rc == 0)
		rc = qb_bits(ctx, &b, 8, t32, t32t, err, errlen);
	if (rc == 0)
		rc = qb_bits(ctx, &b, 4, t32, t32t, err, errlen);
	free(b.a), free(b.x), free(b.g), free(b.r), free(b.y);
	return rc;
}

const struct bench_case kernels_qgemv_bench = {
	.name = "qgemv",
	.family = "kernels",
	.doc = "8/4-bit tiled GEMV and transposed GEMV beyond L3: packed bytes/s / STREAM copy, "
	       "and fp32-equivalent bytes/s / OpenBLAS sgemv's, same run",
	.run = qgemv_bench_run,
};
