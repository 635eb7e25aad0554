/*
 * stream_bench: the `make bench` case of SparCML's stream merges (comm/sparse_stream):
 * the two merges every sparse allreduce step runs, as bytes touched per second over the
 * one-thread STREAM copy bandwidth of the same run (the merges are single-threaded):
 *   dense + dense   acc += b in place over N f32 (ss_accumulate, the `#pragma omp
 *                   simd` loop; 12 bytes per entry: read both, write acc);
 *   sparse + sparse two-pointer merge of two N/16-pair streams (24 bytes per output
 *                   pair at most: two reads of 8, one write of 8).
 * Each merge is checked against a direct sum before it is timed. The operands (2-48 MiB)
 * fit in a large L3 (260 MiB on the 2-core VM), where a ratio above 1 is cache bandwidth:
 * the yardstick is the memory copy a merge of gradient-sized streams would meet.
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

static double best_accumulate(struct ss_stream *a, const struct ss_stream *b,
			      struct ss_stream *out)
{
	double best = INFINITY, start = calib_now();
	for (int r = 0; r < STREAM_BENCH_MIN_REPS || calib_now() - start < STREAM_BENCH_WINDOW_S; r++) {
		double t0 = calib_now();
		ss_accumulate(a, b, out, 0);
		double dt = calib_now() - t0;
		best = dt < best ? dt : best;
	}
	return best;
}

/* The sparse operands (a, b), their dense forms (da, db) and the outputs. */
struct stream_bench {
	struct ss_stream a, b, da, db, out, dout;
	size_t stream_bytes;
};

/* Fill and check both merges; 0 or -1 with err. */
static int stream_bench_setup(struct stream_bench *s, uint32_t n, char *err, size_t errlen)
{
	if (fill_sparse(&s->a, n, 16, 8) != 0 || fill_sparse(&s->b, n, 16, 0) != 0
	    || fill_sparse(&s->da, n, 16, 8) != 0 || fill_sparse(&s->db, n, 16, 0) != 0)
		return rb_error(err, errlen, "no memory for 2^%d", STREAM_BENCH_LOG2N);
	if (ss_merge(&s->out, &s->a, &s->b, 0) != 0 || check_merge(&s->out, &s->a, &s->b) != 0)
		return rb_error(err, errlen, "sparse merge: wrong sum");
	if (ss_densify(&s->da) != 0 || ss_densify(&s->db) != 0)
		return rb_error(err, errlen, "no memory for dense 2^%d", STREAM_BENCH_LOG2N);
	if (ss_merge(&s->dout, &s->da, &s->db, 0) != 0 || check_merge(&s->dout, &s->da, &s->db) != 0
	    || ss_accumulate(&s->da, &s->db, &s->dout, 0) != 0
	    || ss_get(&s->da, 4095) != ss_get(&s->dout, 4095))
		return rb_error(err, errlen, "dense merge: wrong sum");
	return 0;
}

/* One repetition: the one-thread copy limit, then both merges. */
static int stream_bench_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct stream_bench *s = arg;
	double copy = calib_copy_bandwidth_gbs_sized(1, s->stream_bytes);
	double t = best_merge(&s->out, &s->a, &s->b);
	if (t < 0)
		return rb_error(err, errlen, "sparse merge: out of memory");
	double bytes = 8.0 * ((double)s->a.nnz + s->b.nnz + s->out.nnz);
	rep[0] = (struct bench_rep){ bytes / t / 1e9, copy };
	double td = best_accumulate(&s->da, &s->db, &s->dout);
	rep[1] = (struct bench_rep){ 12.0 * s->da.n / td / 1e9, copy };
	return 0;
}

static int stream_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	uint32_t n = 1u << STREAM_BENCH_LOG2N;
	struct stream_bench s = { .stream_bytes = ctx->limits.stream_bytes };
	struct ss_stream *all[] = { &s.a, &s.b, &s.da, &s.db, &s.out, &s.dout };
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		ss_init(all[k]);
	int rc = stream_bench_setup(&s, n, err, errlen);
	if (rc == 0) {
		char p0[96], p1[96];
		snprintf(p0, sizeof(p0), "n=%u;pairs=%u;merge=sparse_sparse;threads=1", n, s.a.nnz);
		snprintf(p1, sizeof(p1), "n=%u;merge=dense_dense;threads=1", n);
		struct bench_row rows[2] = { { p0, "GB/s", "copy_GB/s" }, { p1, "GB/s", "copy_GB/s" } };
		rc = bench_measure_rows(ctx, rows, 2, 1, BENCH_MIN_REPS, stream_bench_rep, &s, err,
					errlen);
	}
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		ss_free(all[k]);
	return rc;
}

const struct bench_case sparse_collectives_stream_bench = {
	.name = "sparse_collectives_stream",
	.family = "sparse_collectives",
	.doc = "SparCML stream merges (sparse+sparse two-pointer, dense+dense simd): bytes "
	       "touched per second / one-thread STREAM copy bandwidth, both in each repetition",
	.run = stream_bench_run,
};
