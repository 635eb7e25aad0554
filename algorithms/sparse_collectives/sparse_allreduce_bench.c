/*
 * sparse_allreduce_bench: an OSU-style driver for the sparse allreduce variants of
 * SparCML (Renggli et al., SC19, arXiv 1802.08021; notes 4.2-4.4), after the authors'
 * benchmark: every rank draws a support of k = d N indices (uniform and independent,
 * one shared support, or skewed towards low indices) with values integers in [-100,
 * 100) (exact checks) or floats in [-1, 1); each variant's first call is checked
 * against the dense sum, then warm-up calls, then timed iterations, each after a
 * barrier and timed as the maximum over ranks. Records, per variant, the bytes and
 * messages each rank sent (comm/ counts them), the critical-path bytes, the alpha-beta
 * modelled time of both parameter sets, and what the model of 4.4 expects.
 *
 * In process the P workers are simulated in turn: "time" is then the compute time of
 * the whole collective on this machine, and the modelled time is the network figure.
 */
#include "algorithms/sparse_collectives/sparse_allreduce_bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/comm/alphabeta.h"
#include "algorithms/comm/comm_mpi.h"
#include "algorithms/comm/qsgd.h"
#include "algorithms/comm/sparse_allreduce.h"
#include "algorithms/kernels/rng.h"
#include "suite/calibrate.h"

/* Float results: |got - exact| <= FLOAT_TOLERANCE * sum_p |v_p,i| (f32 merges of at
 * most log2 P + 2 levels round far below it). */
#define FLOAT_TOLERANCE 1e-6
/* The shared support's rng stream, apart from every rank's. */
#define SHARED_STREAM (1ull << 40)

static const struct rb_param_spec bench_params[] = {
	{ "n_log2", RB_INT, "20", 1, 26, NULL, "N = 2^n_log2 entries per vector" },
	{ "workers", RB_INT, "4", 1, 256, NULL, "P, ranks (in process: simulated in turn)" },
	{ "density", RB_REAL, "0.001", 1e-7, 1, NULL, "d: each rank contributes k = round(d N) non-zeros" },
	{ "distribution", RB_CHOICE, "uniform", 0, 0, "uniform|shared|skewed",
	  "supports: independent uniform per rank, one support shared by all, or power-law skewed (index = N u^3)" },
	{ "values", RB_CHOICE, "integer", 0, 0, "integer|float",
	  "integers in [-100, 100) (exact sums) or floats in [-1, 1) (within 1e-6)" },
	{ "variant", RB_CHOICE, "all", 0, 0,
	  "all|sparse|ssar_recursive_double|ssar_split_allgather|dsar_split_allgather|sparse_ring|hybrid|dense_ring|rabenseifner",
	  "which collectives run: all, the five sparse ones, or one" },
	{ "qsgd_bits", RB_INT, "0", 0, 8, NULL, "0, or 2/4/8: QSGD on the dense phases (bucket 1024)" },
	{ "warmup", RB_INT, "1", 0, 1000, NULL, "untimed calls after the checked one" },
	{ "iterations", RB_INT, "3", 1, 100000, NULL, "timed calls" },
	{ "backend", RB_CHOICE, "inprocess", 0, 0, "inprocess|mpi", "comm/ backend" },
	{ 0 },
};

struct bench {
	struct comm *c;
	struct sar_ctx *x;
	uint32_t n, k;
	int workers, integer, shared, pow2;
	double d;
	struct ss_stream *in, *out;       /* local_count each */
	double *ref;                      /* exact sums */
	float *abs_sum;                   /* sum of |v| per index */
	uint8_t *support;
	uint64_t union_k;                 /* |union of supports| */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static uint32_t draw_index(struct rng *r, uint32_t n, int skewed)
{
	if (!skewed)
		return (uint32_t)rng_below(r, n);
	double u = rng_uniform(r);
	uint32_t i = (uint32_t)((double)n * u * u * u);
	return i < n ? i : n - 1;
}

/* Sort and drop repeats; returns the distinct count. */
static uint32_t sort_unique(uint32_t *a, uint32_t m)
{
	qsort(a, m, sizeof(*a), cmp_u32);
	uint32_t k = 0;
	for (uint32_t i = 0; i < m; i++)
		if (k == 0 || a[i] != a[k - 1])
			a[k++] = a[i];
	return k;
}

/* k distinct sorted indices of [0, n): selection sampling (Knuth's Algorithm S) when
 * dense, else draw, sort, drop repeats and draw the shortfall again. A skewed support
 * that saturates its head is topped up uniformly. */
static void draw_support(struct rng *r, uint32_t n, uint32_t k, int skewed, uint32_t *idx)
{
	if (!skewed && (uint64_t)k * 8 > n) {
		uint32_t got = 0;
		for (uint32_t i = 0; i < n && got < k; i++)
			if (rng_below(r, n - i) < k - got)
				idx[got++] = i;
		return;
	}
	uint32_t have = 0;
	for (int round = 0; have < k; round++) {
		for (uint32_t j = have; j < k; j++)
			idx[j] = draw_index(r, n, skewed && round < 20);
		have = sort_unique(idx, k);
	}
}

static float draw_value(struct rng *r, int integer)
{
	if (integer)
		return (float)((int)rng_below(r, 200) - 100);
	return (float)(2.0 * rng_uniform(r) - 1.0);
}

static int make_inputs(struct bench *b, uint64_t seed, const char *dist)
{
	int skewed = !strcmp(dist, "skewed");
	uint32_t *idx = malloc((size_t)(b->k ? b->k : 1) * sizeof(*idx));
	float *val = malloc((size_t)(b->k ? b->k : 1) * sizeof(*val));
	if (!idx || !val) {
		free(idx);
		free(val);
		return -1;
	}
	int rc = 0;
	if (b->shared) {
		struct rng s;
		rng_seed(&s, seed, SHARED_STREAM);
		draw_support(&s, b->n, b->k, 0, idx);
	}
	for (int w = 0; rc == 0 && w < b->c->local_count; w++) {
		struct rng r;
		rng_seed(&r, seed, (uint64_t)(b->c->local_first + w));
		if (!b->shared)
			draw_support(&r, b->n, b->k, skewed, idx);
		for (uint32_t j = 0; j < b->k; j++)
			val[j] = draw_value(&r, b->integer);
		rc = ss_from_pairs(&b->in[w], 0, b->n, idx, val, b->k);
		for (uint32_t j = 0; rc == 0 && j < b->k; j++) {
			b->ref[idx[j]] += (double)val[j];
			b->abs_sum[idx[j]] += fabsf(val[j]);
			b->support[idx[j]] = 1;
		}
	}
	free(idx);
	free(val);
	return rc;
}

/* With ranks in other processes, the local sums are summed over them (MPI). */
static int complete_reference(struct bench *b)
{
	if (b->c->local_count < b->workers) {
		if (b->c->local_count != 1)
			return -1;
		double *tmp = malloc((size_t)b->n * sizeof(*tmp));
		if (!tmp)
			return -1;
		const double *send[1] = { b->ref };  /* then the support, then |v| */
		int rc = comm_allreduce_dense(b->c, send, b->n, tmp);
		memcpy(b->ref, tmp, (size_t)b->n * sizeof(*tmp));
		double *mine = rc == 0 ? malloc((size_t)b->n * sizeof(*mine)) : NULL;
		rc = mine ? 0 : -1;
		for (uint32_t i = 0; rc == 0 && i < b->n; i++)
			mine[i] = b->support[i];
		send[0] = mine;
		rc = rc ? rc : comm_allreduce_dense(b->c, send, b->n, tmp);
		for (uint32_t i = 0; rc == 0 && i < b->n; i++)
			b->support[i] = tmp[i] > 0;
		for (uint32_t i = 0; rc == 0 && i < b->n; i++)
			mine[i] = b->abs_sum[i];
		rc = rc ? rc : comm_allreduce_dense(b->c, send, b->n, tmp);
		for (uint32_t i = 0; rc == 0 && i < b->n; i++)
			b->abs_sum[i] = (float)tmp[i];
		free(mine);
		free(tmp);
		if (rc != 0)
			return rc;
	}
	b->union_k = 0;
	for (uint32_t i = 0; i < b->n; i++)
		b->union_k += b->support[i];
	return 0;
}

static int value_ok(const struct bench *b, uint32_t i, float got)
{
	if (b->integer)
		return (double)got == b->ref[i];
	return fabs((double)got - b->ref[i]) <= FLOAT_TOLERANCE * (double)b->abs_sum[i] + 1e-30;
}

/* Worker w's result against the dense sum. */
static int result_ok(const struct bench *b, const struct ss_stream *s)
{
	if (s->lo != 0 || s->n != b->n)
		return 0;
	if (s->dense) {
		for (uint32_t i = 0; i < b->n; i++)
			if (!value_ok(b, i, s->val[i]))
				return 0;
		return 1;
	}
	/* A block that was dense enters a sparse join whole, zeros included (the stream
	 * counts it at its length): entries off the support must then be exact zeros. */
	uint64_t covered = 0;
	for (uint32_t j = 0; j < s->nnz; j++) {
		uint32_t i = s->idx[j];
		if (!value_ok(b, i, s->val[j]) || (!b->support[i] && s->val[j] != 0.0f))
			return 0;
		covered += b->support[i];
	}
	return covered == b->union_k;
}

/* The switching rule (S2 of the notes), where a variant's output follows it: recursive
 * doubling's output is dense iff K c_s >= N c_d; the block-wise ones (split allgather,
 * ring) are dense whenever it holds (a dense block may make them dense earlier). */
static int switch_ok(const struct bench *b, enum sar_variant v, const struct ss_stream *s)
{
	int rule = ss_should_be_dense(b->union_k, b->n);
	if (b->workers == 1)
		return s->dense == rule;
	switch (v) {
	case SAR_RECURSIVE_DOUBLE:
		return s->dense == rule;
	case SAR_SPLIT_ALLGATHER:
	case SAR_SPARSE_RING:
		return s->dense || !rule;
	default:
		return s->dense;
	}
}

static int same_result(const struct ss_stream *a, const struct ss_stream *b)
{
	if (a->dense != b->dense || a->nnz != b->nnz)
		return 0;
	if (memcmp(a->val, b->val, (size_t)a->nnz * sizeof(float)))
		return 0;
	return a->dense || !memcmp(a->idx, b->idx, (size_t)a->nnz * sizeof(uint32_t));
}

/* Relative l2 error of worker 0's result (the quantized variants' figure). */
static double rel_error(const struct bench *b, const struct ss_stream *s)
{
	double e = 0, r = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		double g = ss_get(s, i) - b->ref[i];
		e += g * g;
		r += b->ref[i] * b->ref[i];
	}
	return r > 0 ? sqrt(e / r) : sqrt(e);
}

static int quantized(enum sar_variant v, int bits)
{
	return bits && (v == SAR_RABENSEIFNER || v == SAR_DSAR_SPLIT_ALLGATHER || v == SAR_HYBRID);
}

static void summary(struct rb_recorder *rec, const char *what, enum sar_variant v, double value)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_%s", what, sar_variant_name(v));
	rb_summary(rec, name, value);
}

/* Bytes, messages and model figures of the checked call, as max or mean over ranks. */
static int record_cost(struct bench *b, struct rb_recorder *rec, enum sar_variant v)
{
	int lc = b->c->local_count;
	double *m = calloc((size_t)lc * 6, sizeof(*m));
	if (!m)
		return -1;
	double mean_bytes = 0;
	for (int w = 0; w < lc; w++) {
		const struct sar_cost *k = sar_cost_of(b->x, w);
		m[w] = (double)k->bytes_sent;
		m[lc + w] = (double)k->crit_bytes;
		m[2 * lc + w] = (double)k->steps;
		m[3 * lc + w] = k->model_s[0];
		m[4 * lc + w] = k->model_s[1];
		mean_bytes += (double)k->bytes_sent;
	}
	/* the mean over ranks: on MPI every rank sums its own through the max of sums */
	m[5 * lc] = mean_bytes;
	int rc = 0;
	for (int q = 0; q < 5 && rc == 0; q++)
		rc = sar_max(b->x, m + q * lc);
	if (rc == 0 && lc < b->workers) {
		double *tmp = calloc(1, sizeof(double));
		const double *send[1] = { m + 5 * lc };
		rc = tmp ? comm_allreduce_dense(b->c, send, 1, tmp) : -1;
		if (rc == 0)
			m[5 * lc] = *tmp;
		free(tmp);
	}
	if (rc == 0) {
		summary(rec, "bytes", v, m[5 * lc] / b->workers);
		summary(rec, "bytes_max", v, m[0]);
		summary(rec, "crit_bytes", v, m[lc]);
		summary(rec, "msgs", v, m[2 * lc]);
		summary(rec, "model_aries", v, m[3 * lc]);
		summary(rec, "model_ethernet", v, m[4 * lc]);
	}
	free(m);
	return rc;
}

static void record_expected(struct bench *b, struct rb_recorder *rec, enum sar_variant v)
{
	struct ab_expect e;
	int t = sar_hybrid_rounds(b->n, b->k, b->workers);
	if (ab_expected(v, b->n, b->workers, b->d, b->shared, t, &e) != 0)
		return;
	summary(rec, "expect_bytes", v, e.bytes_sent);
	summary(rec, "expect_aries", v, ab_expected_time(&ab_sets[0], &e));
	summary(rec, "expect_ethernet", v, ab_expected_time(&ab_sets[1], &e));
}

/* The timed iterations: barrier, call, the maximum over ranks of each one's time. */
static int timed(struct bench *b, enum sar_variant v, long long iterations, double *mean)
{
	double sum = 0;
	int lc = b->c->local_count;
	double *t = calloc((size_t)lc, sizeof(*t));
	if (!t)
		return -1;
	for (long long it = 0; it < iterations; it++) {
		if (sar_barrier(b->x) != 0)
			break;
		double t0 = calib_now();
		if (sar_allreduce(b->x, v, b->in, b->out) != 0)
			break;
		double dt = calib_now() - t0;
		for (int w = 0; w < lc; w++)
			t[w] = dt;
		if (sar_max(b->x, t) != 0)
			break;
		sum += t[0];
		if (it + 1 == iterations) {
			free(t);
			*mean = sum / (double)iterations;
			return 0;
		}
	}
	free(t);
	return -1;
}

static int run_variant(struct bench *b, struct rb_recorder *rec, enum sar_variant v,
		       long long warmup, long long iterations, int bits)
{
	if (sar_allreduce(b->x, v, b->in, b->out) != 0)
		return rb_fail(rec, RB_ERROR, "%s failed (no memory or a bad message)",
			       sar_variant_name(v));
	rb_eval_begin(rec);
	int ok = 1, consistent = 1, switched = 1;
	for (int w = 0; w < b->c->local_count; w++) {
		if (!quantized(v, bits))
			ok = ok && result_ok(b, &b->out[w]);
		consistent = consistent && same_result(&b->out[0], &b->out[w]);
		switched = switched && (quantized(v, bits) || switch_ok(b, v, &b->out[w]));
	}
	char what[128];
	snprintf(what, sizeof(what), "%s equals the dense sum on every rank", sar_variant_name(v));
	rb_verify(rec, ok, what);
	snprintf(what, sizeof(what), "%s: every rank holds the same result", sar_variant_name(v));
	rb_verify(rec, consistent, what);
	snprintf(what, sizeof(what), "%s: output encoding follows K c_s >= N c_d", sar_variant_name(v));
	rb_verify(rec, switched, what);
	summary(rec, "dense_out", v, b->out[0].dense);
	summary(rec, "out_items", v, b->out[0].nnz);
	if (quantized(v, bits))
		summary(rec, "rel_error", v, rel_error(b, &b->out[0]));
	rb_eval_end(rec);
	if (record_cost(b, rec, v) != 0)
		return rb_fail(rec, RB_ERROR, "gathering the costs failed");
	for (long long i = 0; i < warmup; i++)
		if (sar_allreduce(b->x, v, b->in, b->out) != 0)
			return rb_fail(rec, RB_ERROR, "%s failed in warm-up", sar_variant_name(v));
	double mean;
	if (timed(b, v, iterations, &mean) != 0)
		return rb_fail(rec, RB_ERROR, "%s failed while timed", sar_variant_name(v));
	summary(rec, "time", v, mean);
	return 0;
}

static int selected(const char *which, enum sar_variant v)
{
	if (!strcmp(which, "all"))
		return 1;
	if (!strcmp(which, "sparse"))
		return !sar_variant_is_dense(v);
	return !strcmp(which, sar_variant_name(v));
}

static void bench_free(struct bench *b)
{
	for (int w = 0; b->c && w < b->c->local_count; w++) {
		if (b->in)
			ss_free(&b->in[w]);
		if (b->out)
			ss_free(&b->out[w]);
	}
	free(b->in);
	free(b->out);
	free(b->ref);
	free(b->abs_sum);
	free(b->support);
	sar_free(b->x);
	comm_free(b->c);
}

static int bench_setup(struct bench *b, const struct rb_run *run, struct rb_recorder *rec)
{
	b->workers = (int)rb_param_int(run, "workers");
	b->n = 1u << rb_param_int(run, "n_log2");
	b->d = rb_param_real(run, "density");
	b->k = (uint32_t)llround(b->d * b->n);
	if (b->k > b->n)
		b->k = b->n;
	b->integer = !strcmp(rb_param_str(run, "values"), "integer");
	b->shared = !strcmp(rb_param_str(run, "distribution"), "shared");
	char why[256];
	b->c = comm_new_backend(rb_param_str(run, "backend"), b->workers, why, sizeof(why));
	if (!b->c)
		return rb_fail(rec, RB_INVALID_INPUT, "%s", why);
	struct sar_options o = { (int)rb_param_int(run, "qsgd_bits"), run->seed ^ 0x5eed, b->k };
	b->x = b->c ? sar_new(b->c, b->n, &o) : NULL;
	int lc = b->c ? b->c->local_count : 0;
	b->in = calloc((size_t)lc, sizeof(*b->in));
	b->out = calloc((size_t)lc, sizeof(*b->out));
	b->ref = calloc(b->n, sizeof(*b->ref));
	b->abs_sum = calloc(b->n, sizeof(*b->abs_sum));
	b->support = calloc(b->n, sizeof(*b->support));
	if (!b->x || !b->in || !b->out || !b->ref || !b->abs_sum || !b->support)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for P = %d, N = %u", b->workers, b->n);
	if (make_inputs(b, run->seed, rb_param_str(run, "distribution")) != 0 ||
	    complete_reference(b) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the inputs");
	return 0;
}

/* The practitioner's dense baseline on MPI: MPI_Allreduce of the N floats, timed as the
 * variants are (barrier, call, maximum over ranks). */
static int time_mpi_allreduce(struct bench *b, struct rb_recorder *rec, long long warmup,
			      long long iterations)
{
	float *x = calloc(b->n, sizeof(float)), *y = calloc(b->n, sizeof(float));
	double sum = 0;
	int rc = x && y ? 0 : -1;
	for (uint32_t j = 0; rc == 0 && j < b->in[0].nnz && !b->in[0].dense; j++)
		x[b->in[0].idx[j]] = b->in[0].val[j];
	for (long long i = 0; rc == 0 && i < warmup + iterations; i++) {
		comm_barrier(b->c);
		double t0 = calib_now();
		rc = comm_mpi_allreduce_f32(b->c, x, y, b->n);
		double dt = comm_max_double(b->c, calib_now() - t0);
		if (i >= warmup)
			sum += dt;
	}
	free(x);
	free(y);
	if (rc != 0)
		return rb_fail(rec, RB_ERROR, "MPI_Allreduce failed");
	rb_summary(rec, "time_mpi_allreduce", sum / (double)iterations);
	return 0;
}

static int bench_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct bench b = { 0 };
	int rc = bench_setup(&b, run, rec);
	if (rc == 0) {
		double n = b.n, p = b.workers;
		rb_summary(rec, "k", b.k);
		rb_summary(rec, "union_k", (double)b.union_k);
		rb_summary(rec, "expected_union_k", n * (1.0 - pow(1.0 - b.d, p)));
		rb_summary(rec, "union_dense", ss_should_be_dense(b.union_k, b.n));
		rb_summary(rec, "hybrid_rounds", sar_hybrid_rounds(b.n, b.k, b.workers));
		/* every variant's expectation, run or not: the dense baselines' at N = 2^24
		 * are analytical where running them in process would take P N floats */
		for (int v = 0; v < SAR_VARIANTS; v++)
			record_expected(&b, rec, (enum sar_variant)v);
	}
	const char *which = rb_param_str(run, "variant");
	int bits = (int)rb_param_int(run, "qsgd_bits");
	for (int v = 0; rc == 0 && v < SAR_VARIANTS; v++)
		if (selected(which, (enum sar_variant)v))
			rc = run_variant(&b, rec, (enum sar_variant)v, rb_param_int(run, "warmup"),
					 rb_param_int(run, "iterations"), bits);
	if (rc == 0 && !strcmp(rb_param_str(run, "backend"), "mpi"))
		rc = time_mpi_allreduce(&b, rec, rb_param_int(run, "warmup"), rb_param_int(run, "iterations"));
	bench_free(&b);
	return rc;
}

static int bench_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	long long bits = rb_paramset_get(ps, "qsgd_bits")->i;
	if (bits != 0 && !qsgd_bits_ok((int)bits)) {
		snprintf(err, errlen, "qsgd_bits must be 0, 2, 4 or 8, not %lld", bits);
		return -1;
	}
	return 0;
}

const struct rb_algorithm sparse_allreduce_bench_algorithm = {
	.name = "sparse_allreduce_bench",
	.family = "sparse_collectives",
	.summary = "OSU-style driver of SparCML's sparse allreduces and the dense baselines: "
		   "checked, warmed up, timed, bytes/messages counted, alpha-beta modelled",
	.paper = "arXiv 1802.08021",
	.params = bench_params,
	.run = bench_run,
	.validate = bench_validate,
};
