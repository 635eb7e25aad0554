/*
 * stream_bench: the `make bench` case of SparCML's stream merges (comm/sparse_stream):
 * the two merges every sparse allreduce step runs, as bytes touched per second over the
 * one-thread STREAM copy bandwidth of the same run (the merges are single-threaded):
 *   dense + dense   acc += b in place over N f32 (ss_accumulate, the `#pragma omp
 *                   simd` loop; 12 bytes per entry: read both, write acc);
 *   sparse + sparse two-pointer merge of two N/16-pair streams (24 bytes per output
 *                   pair at most: two reads of 8, one write of 8).
 * Each merge is checked against a direct sum before it is timed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "algorithms/comm/sparse_stream.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/error.h"

#define STREAM_BENCH_LOG2N 22
#define STREAM_BENCH_MIN_REPS 5
#define STREAM_BENCH_WINDOW_S 0.3

/* a: even indices' multiples of 16, b: offset by 8 every other one (half overlap) */
static int fill_sparse(struct ss_stream *s, uint32_t n, uint32_t step, uint32_t off)
{
	uint32_t cnt = n / step;
	if (ss_reset(s, 0, n) != 0 || ss_reserve(s, cnt) != 0)
		return -1;
	for (uint32_t j = 0; j < cnt; j++) {
		s->idx[j] = j * step + (j % 2 ? off : 0);
		s->val[j] = (float)(j % 7);
	}
	s->nnz = cnt;
	return 0;
}

static double best_merge(struct ss_stream *out, const struct ss_stream *a, const struct ss_stream *b)
{
	double best = INFINITY, start = calib_now();
	for (int r = 0; r < STREAM_BENCH_MIN_REPS || calib_now() - start < STREAM_BENCH_WINDOW_S; r++) {
		double t0 = calib_now();
		if (ss_merge(out, a, b, 0) != 0)
			return -1;
		double t = calib_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

static int check_merge(const struct ss_stream *out, const struct ss_stream *a,
		       const struct ss_stream *b)
{
	for (uint32_t i = 0; i < a->n; i += 997)
		if (ss_get(out, i) != ss_get(a, i) + ss_get(b, i))
			return -1;
	return 0;
}

static int stream_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	uint32_t n = 1u << STREAM_BENCH_LOG2N;
	struct ss_stream a, b, out;
	ss_init(&a);
	ss_init(&b);
	ss_init(&out);
	int rc = -1;
	if (fill_sparse(&a, n, 16, 8) != 0 || fill_sparse(&b, n, 16, 0) != 0) {
		rc = rb_error(err, errlen, "no memory for 2^%d", STREAM_BENCH_LOG2N);
		goto done;
	}
	double t = best_merge(&out, &a, &b);
	if (t < 0 || check_merge(&out, &a, &b) != 0) {
		rc = rb_error(err, errlen, "sparse merge: wrong sum");
		goto done;
	}
	char params[96];
	snprintf(params, sizeof(params), "n=%u;pairs=%u;merge=sparse_sparse;threads=1", n, a.nnz);
	double bytes = 8.0 * ((double)a.nnz + b.nnz + out.nnz);
	if (bench_emit(ctx, params, bytes / t / 1e9, "GB/s", bench_copy_limit_gbs(ctx, 1), "GB/s",
		       err, errlen) != 0)
		goto done;
	if (ss_densify(&a) != 0 || ss_densify(&b) != 0) {
		rc = rb_error(err, errlen, "no memory for dense 2^%d", STREAM_BENCH_LOG2N);
		goto done;
	}
	if (ss_merge(&out, &a, &b, 0) != 0 || check_merge(&out, &a, &b) != 0 ||
	    ss_accumulate(&a, &b, &out, 0) != 0 || ss_get(&a, 4095) != ss_get(&out, 4095)) {
		rc = rb_error(err, errlen, "dense merge: wrong sum");
		goto done;
	}
	t = INFINITY;
	double start = calib_now();
	for (int r = 0; r < STREAM_BENCH_MIN_REPS || calib_now() - start < STREAM_BENCH_WINDOW_S; r++) {
		double t0 = calib_now();
		ss_accumulate(&a, &b, &out, 0);
		double dt = calib_now() - t0;
		t = dt < t ? dt : t;
	}
	snprintf(params, sizeof(params), "n=%u;merge=dense_dense;threads=1", n);
	rc = bench_emit(ctx, params, 12.0 * n / t / 1e9, "GB/s", bench_copy_limit_gbs(ctx, 1),
			"GB/s", err, errlen);
done:
	ss_free(&a);
	ss_free(&b);
	ss_free(&out);
	return rc;
}

const struct bench_case sparse_collectives_stream_bench = {
	.name = "sparse_collectives_stream",
	.family = "sparse_collectives",
	.doc = "SparCML stream merges (sparse+sparse two-pointer, dense+dense simd): bytes "
	       "touched per second / one-thread STREAM copy bandwidth, same run",
	.run = stream_bench_run,
};
