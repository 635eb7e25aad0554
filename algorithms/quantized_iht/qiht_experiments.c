/*
 * qiht_experiments: iht, qiht and qiht_speed (see qiht_experiments.h).
 */
#include "algorithms/quantized_iht/qiht_experiments.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/paired.h"
#include "algorithms/quantized_iht/qiht.h"
#include "suite/calibrate.h"

#define SOLVER_PARAMS \
	{ "iterations", RB_INT, "100", 1, 100000, NULL, "IHT iterations" }, \
	{ "s", RB_INT, "0", 0, 1e8, NULL, "sparsity of the iterate; 0 = the planted signal's" }, \
	{ "step_rule", RB_CHOICE, "normalized", 0, 0, "normalized|fixed", \
	  "normalised IHT (Blumensath-Davies step with the shrink rule) or a fixed mu" }, \
	{ "mu", RB_REAL, "1", 1e-12, 1e12, NULL, "the fixed step (step_rule: fixed)" }, \
	{ "record_every", RB_INT, "1", 1, 100000, NULL, "iterations between recorded points" }

static const struct rb_param_spec iht_params[] = {
	SOLVER_PARAMS,
	{ 0 },
};

static const struct rb_param_spec qiht_params[] = {
	SOLVER_PARAMS,
	{ "bits", RB_INT, "4", 2, 8, NULL, "bits per value of the quantized Phi (2, 4 or 8)" },
	{ "rounding", RB_CHOICE, "stochastic", 0, 0, "stochastic|nearest",
	  "unbiased stochastic rounding or deterministic rounding to the nearest level" },
	{ "vectors", RB_CHOICE, "float", 0, 0, "float|pure|mixed",
	  "y quantized once at `bits` and x, r in float (the analysed algorithm); pure: x, r, y "
	  "re-quantized to `bits` every iteration; mixed: y, x, r at 8 bits" },
	{ "double_sampling", RB_BOOL, "false", 0, 0, NULL,
	  "an independent second quantization of Phi for the transposed product (ZipML)" },
	{ 0 },
};

static int validate_bits(const struct rb_paramset *ps, char *err, size_t errlen)
{
	long long b = rb_paramset_get(ps, "bits")->i;
	if (b != 2 && b != 4 && b != 8) {
		snprintf(err, errlen, "bits must be 2, 4 or 8 (got %lld)", b);
		return -1;
	}
	return 0;
}

/* ---- iht and qiht on a dataset ---- */

struct solve {
	int64_t m, n;
	float *a, *y;                 /* float copies of the dataset */
	const double *truth;
	struct qmat q, q2;
	struct qiht_op op;
	struct qiht_config cfg;
	float *yq;                    /* y as the solver sees it */
};

static void solve_free(struct solve *s)
{
	free(s->a), free(s->y), free(s->yq);
	qmat_free(&s->q), qmat_free(&s->q2);
}

static int load(const struct rb_run *run, struct rb_recorder *rec, struct solve *s)
{
	const struct ds_dataset *d = run->data;
	if (!d || d->kind != DS_SIGNAL || d->train.x.sparse || !d->truth ||
	    d->truth_len != d->train.x.cols)
		return rb_fail(rec, RB_INVALID_INPUT, "needs a dense sensing dataset (sensing_*)");
	s->m = d->train.x.rows, s->n = d->train.x.cols, s->truth = d->truth;
	s->a = malloc((size_t)(s->m * s->n) * sizeof(float));
	s->y = malloc((size_t)s->m * sizeof(float));
	s->yq = malloc((size_t)s->m * sizeof(float));
	if (!s->a || !s->y || !s->yq)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "%lld x %lld matrix", (long long)s->m,
			       (long long)s->n);
	for (int64_t i = 0; i < s->m * s->n; i++)
		s->a[i] = (float)d->train.x.dense[i];
	for (int64_t i = 0; i < s->m; i++)
		s->y[i] = (float)d->train.y[i];
	int64_t nnz = 0;
	for (int64_t j = 0; j < s->n; j++)
		nnz += d->truth[j] != 0;
	long long sp = rb_param_int(run, "s");
	s->cfg.s = sp > 0 ? sp : nnz;
	if (s->cfg.s < 1 || s->cfg.s > s->n)
		return rb_fail(rec, RB_INVALID_INPUT, "s = %lld outside [1, n = %lld]",
			       (long long)s->cfg.s, (long long)s->n);
	s->cfg.normalized = !strcmp(rb_param_str(run, "step_rule"), "normalized");
	s->cfg.mu = rb_param_real(run, "mu");
	s->op = (struct qiht_op){ .m = s->m, .n = s->n, .a = s->a, .threads = run->threads };
	memcpy(s->yq, s->y, (size_t)s->m * sizeof(float));
	return 0;
}

/* Quantize Phi (twice with double sampling) and y once, before iterating. */
static int quantize_data(const struct rb_run *run, struct rb_recorder *rec, struct solve *s)
{
	int bits = (int)rb_param_int(run, "bits");
	const char *vec = rb_param_str(run, "vectors");
	s->cfg.rounding = !strcmp(rb_param_str(run, "rounding"), "stochastic") ? QUANT_STOCHASTIC
									      : QUANT_NEAREST;
	s->cfg.vec_bits = !strcmp(vec, "pure") ? bits : !strcmp(vec, "mixed") ? 8 : 0;
	if (qmat_quantize(&s->q, s->a, s->m, s->n, bits, s->cfg.rounding, run->seed, run->threads))
		return rb_fail(rec, RB_OUT_OF_MEMORY, "cannot quantize Phi");
	s->op.q = &s->q;
	if (rb_param_bool(run, "double_sampling")) {
		if (qmat_quantize(&s->q2, s->a, s->m, s->n, bits, s->cfg.rounding, run->seed ^ 0x5eed,
				  run->threads))
			return rb_fail(rec, RB_OUT_OF_MEMORY, "cannot quantize Phi twice");
		s->op.q_t = &s->q2;
	}
	struct quant_spec yq = { s->cfg.vec_bits ? s->cfg.vec_bits : bits, QGEMV_TILE, QUANT_MAXABS,
				 s->cfg.rounding };
	struct rng r;
	rng_seed(&r, run->seed, 0x79);
	quant_apply(&yq, s->y, s->m, s->yq, &r);
	rb_summary(rec, "matrix_bytes", (double)qmat_bytes(&s->q));
	return 0;
}

static void record_point(struct rb_recorder *rec, struct solve *s, struct qiht_state *st,
			 double it)
{
	rb_eval_begin(rec);
	rb_record(rec, it, "rel_error", qiht_rel_error(st->x, s->truth, s->n));
	rb_record(rec, it, "support_recall", qiht_support_recall(st->x, s->truth, s->n));
	/* The residual of the full-precision system: what the data says about x. */
	float *ax = malloc((size_t)s->m * sizeof(float));
	if (ax) {
		struct qiht_op f = s->op;
		f.q = f.q_t = NULL;
		qiht_fwd(&f, st->x, ax);
		double rr = 0, yy = 0;
		for (int64_t i = 0; i < s->m; i++)
			rr += (double)(s->y[i] - ax[i]) * (s->y[i] - ax[i]), yy += (double)s->y[i] * s->y[i];
		rb_record(rec, it, "residual", yy > 0 ? sqrt(rr / yy) : sqrt(rr));
		free(ax);
	}
	rb_eval_end(rec);
}

static int iterate(const struct rb_run *run, struct rb_recorder *rec, struct solve *s)
{
	struct qiht_state st;
	if (qiht_state_init(&st, s->m, s->n, run->seed))
		return rb_fail(rec, RB_OUT_OF_MEMORY, "IHT state");
	long long iters = rb_param_int(run, "iterations"), every = rb_param_int(run, "record_every");
	record_point(rec, s, &st, 0);
	double t0 = calib_now(), eval = 0;
	for (long long it = 1; it <= iters && !rb_diverged(rec); it++) {
		qiht_step(&s->op, s->yq, &s->cfg, &st);
		if (it % every == 0 || it == iters) {
			double e0 = calib_now();
			record_point(rec, s, &st, (double)it);
			eval += calib_now() - e0;
		}
	}
	rb_summary(rec, "time_per_iteration", (calib_now() - t0 - eval) / (double)iters);
	/* The recovered and the true sources by pixel (row-major image index): the
	 * positions found, for the sky table. */
	for (int64_t j = 0; j < s->n; j++) {
		if (st.x[j] != 0)
			rb_record(rec, (double)j, "recovered_flux", st.x[j]);
		if (s->truth[j] != 0)
			rb_record(rec, (double)j, "true_flux", s->truth[j]);
	}
	rb_summary(rec, "final_rel_error", qiht_rel_error(st.x, s->truth, s->n));
	rb_summary(rec, "final_support_recall", qiht_support_recall(st.x, s->truth, s->n));
	rb_summary(rec, "step_shrinks", (double)st.shrinks);
	rb_summary(rec, "sparsity", (double)s->cfg.s);
	rb_summary(rec, "s_over_n", (double)s->cfg.s / (double)s->n);
	qiht_state_free(&st);
	return 0;
}

static int run_solver(const struct rb_run *run, struct rb_recorder *rec, int quantized)
{
	struct solve s = { 0 };
	int rc = load(run, rec, &s);
	if (rc == 0 && quantized)
		rc = quantize_data(run, rec, &s);
	if (rc == 0)
		rc = iterate(run, rec, &s);
	solve_free(&s);
	return rc;
}

static int iht_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return run_solver(run, rec, 0);
}

static int qiht_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return run_solver(run, rec, 1);
}

/* ---- qiht_speed ---- */

static const struct rb_param_spec speed_params[] = {
	{ "size", RB_CHOICE, "beyond_l3", 0, 0, "l2|l3|beyond_l3",
	  "the 32-bit M x N matrix (M = N/2) fits in half the L2, in a quarter of the L3, or is "
	  ">= 4x the L3 (cache sizes read at run time)" },
	{ "columns", RB_INT, "0", 0, 1e6, NULL, "N explicitly (a multiple of 64); 0 = from `size`" },
	{ "bits", RB_INT, "4", 2, 8, NULL, "bits of the quantized side (2, 4 or 8)" },
	{ "s_fraction", RB_REAL, "0.01", 1e-6, 0.5, NULL, "s / N of the planted signal" },
	{ "target", RB_REAL, "0.05", 1e-9, 1, NULL, "relative error that ends a timed solve" },
	{ "max_iterations", RB_INT, "60", 1, 100000, NULL, "cap of a solve to the target" },
	{ "slices", RB_INT, "4", 2, 1000, NULL, "ABBA slices of the per-iteration timing" },
	{ "seconds", RB_REAL, "2", 0.01, 3600, NULL, "timed seconds per side (per iteration)" },
	{ 0 },
};

struct speed_side {
	struct paired_side side;
	struct qiht_op op;
	struct qiht_config cfg;
	struct qiht_state st;
	const float *y;
	long long iters;
};

static int speed_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct speed_side *s = ctx;
	(void)err, (void)errlen;
	double t0 = calib_now(), t;
	do {
		qiht_step(&s->op, s->y, &s->cfg, &s->st);
		s->iters++;
		t = calib_now() - t0;
	} while (t < seconds);
	*elapsed += t;
	return 0;
}

static void speed_restart(void *ctx)
{
	((struct speed_side *)ctx)->iters = 0;
}

/* N for the run: explicit, or from the cache sizes (M = N / 2, 4 M N bytes). */
static int64_t speed_n(const struct rb_run *run, struct rb_recorder *rec)
{
	int64_t l2 = qgemv_cache_bytes(2), l3 = qgemv_cache_bytes(3);
	rb_summary(rec, "l2_bytes", (double)l2);
	rb_summary(rec, "l3_bytes", (double)l3);
	long long n = rb_param_int(run, "columns");
	if (n > 0)
		return (n + 63) / 64 * 64;
	const char *size = rb_param_str(run, "size");
	if (l2 <= 0 || l3 <= 0)
		return 0;
	if (!strcmp(size, "l2"))
		return (int64_t)floor(sqrt((double)l2 / 4.0) / 64) * 64;
	if (!strcmp(size, "l3"))
		return (int64_t)floor(sqrt((double)l3 / 8.0) / 64) * 64;
	return (int64_t)ceil(sqrt(2.0 * (double)l3) / 64) * 64;
}

struct speed {
	int64_t m, n;
	float *a, *y;
	double *truth;
	struct qmat q;
};

/* Phi uniform in [-1, 1] (Clover's accuracy and speed tests), x* with s entries +-1,
 * y = Phi x*. Row block i draws from stream i, so the data do not depend on threads. */
static int speed_data(const struct rb_run *run, struct speed *d)
{
	d->a = malloc((size_t)(d->m * d->n) * sizeof(float));
	d->y = calloc((size_t)d->m, sizeof(float));
	d->truth = calloc((size_t)d->n, sizeof(double));
	if (!d->a || !d->y || !d->truth)
		return -1;
	int64_t blocks = (d->m + 63) / 64;
#pragma omp parallel for num_threads(run->threads) schedule(static)
	for (int64_t b = 0; b < blocks; b++) {
		struct rng r;
		rng_seed(&r, run->seed, 1000 + (uint64_t)b);
		for (int64_t i = b * 64 * d->n; i < (b + 1) * 64 * d->n && i < d->m * d->n; i++)
			d->a[i] = (float)(2.0 * rng_uniform(&r) - 1.0);
	}
	struct rng r;
	rng_seed(&r, run->seed, 7);
	int64_t s = (int64_t)ceil(rb_param_real(run, "s_fraction") * (double)d->n);
	for (int64_t k = 0; k < s;) {
		int64_t j = (int64_t)rng_below(&r, (uint64_t)d->n);
		if (d->truth[j] == 0)
			d->truth[j] = rng_uniform(&r) < 0.5 ? -1 : 1, k++;
	}
	float *x = calloc((size_t)d->n, sizeof(float));
	if (!x)
		return -1;
	for (int64_t j = 0; j < d->n; j++)
		x[j] = (float)d->truth[j];
	struct qiht_op op = { .m = d->m, .n = d->n, .a = d->a, .threads = run->threads };
	qiht_fwd(&op, x, d->y);
	free(x);
	return 0;
}

static int side_init(struct speed_side *s, const struct rb_run *run, struct speed *d,
		     struct qmat *q, int normalized)
{
	s->op = (struct qiht_op){ .m = d->m, .n = d->n, .a = d->a, .q = q, .threads = run->threads };
	s->cfg = (struct qiht_config){ .s = (int64_t)ceil(rb_param_real(run, "s_fraction") * (double)d->n),
				       .normalized = normalized,
				       /* 1 / |Phi|^2 for uniform [-1, 1]: |Phi| ~ (sqrt M + sqrt N) / sqrt 3 */
				       .mu = 0.9 * 3.0 / pow(sqrt((double)d->m) + sqrt((double)d->n), 2),
				       .rounding = QUANT_STOCHASTIC };
	s->y = d->y;
	s->side = (struct paired_side){ .ctx = s, .run = speed_slice, .restart = speed_restart };
	return qiht_state_init(&s->st, d->m, d->n, run->seed);
}

/* NIHT from x = 0 until the relative error is <= target: wall seconds (error checks
 * excluded) and iterations; the iterations are -1 when the cap came first. */
static double solve_to_target(struct speed_side *s, const struct rb_run *run, struct speed *d,
			      long long *iters)
{
	double target = rb_param_real(run, "target"), t = 0;
	long long cap = rb_param_int(run, "max_iterations");
	memset(s->st.x, 0, (size_t)d->n * sizeof(float));
	memset(s->st.supp, 0, (size_t)d->n);
	*iters = -1;
	for (long long it = 1; it <= cap; it++) {
		double t0 = calib_now();
		qiht_step(&s->op, s->y, &s->cfg, &s->st);
		t += calib_now() - t0;
		if (qiht_rel_error(s->st.x, d->truth, d->n) <= target) {
			*iters = it;
			break;
		}
	}
	return t;
}

/* Time to target, A B B A: the mean of each side's two solves. */
static void time_to_target(struct rb_recorder *rec, const struct rb_run *run, struct speed *d,
			   struct speed_side *f, struct speed_side *q)
{
	f->cfg.normalized = q->cfg.normalized = 1;
	long long i32, ib, i2;
	double t32 = solve_to_target(f, run, d, &i32);
	double tb = solve_to_target(q, run, d, &ib);
	tb += solve_to_target(q, run, d, &i2);
	t32 += solve_to_target(f, run, d, &i2);
	rb_summary(rec, "iterations_to_target_32", (double)i32);
	rb_summary(rec, "iterations_to_target_b", (double)ib);
	rb_summary(rec, "final_rel_error_b", qiht_rel_error(q->st.x, d->truth, d->n));
	if (i32 > 0 && ib > 0) {
		rb_summary(rec, "time_to_target_32", t32 / 2);
		rb_summary(rec, "time_to_target_b", tb / 2);
		rb_summary(rec, "speedup_to_target", t32 / tb);
	} else {
		rb_summary(rec, "speedup_to_target", 0); /* a side never reached the target */
	}
}

static int speed_measure(const struct rb_run *run, struct rb_recorder *rec, struct speed *d)
{
	struct speed_side f = { 0 }, q = { 0 };
	char err[256] = "";
	int rc = side_init(&f, run, d, NULL, 0) || side_init(&q, run, d, &d->q, 0);
	if (rc) {
		qiht_state_free(&f.st), qiht_state_free(&q.st);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "IHT state");
	}
	rc = paired_alternate(&f.side, &q.side, (int)rb_param_int(run, "slices"),
			      rb_param_real(run, "seconds"), err, sizeof(err));
	if (rc == 0) {
		double t32 = f.side.elapsed / (double)f.iters, tb = q.side.elapsed / (double)q.iters;
		rb_summary(rec, "time_per_iteration_32", t32);
		rb_summary(rec, "time_per_iteration_b", tb);
		rb_summary(rec, "speedup_per_iteration", t32 / tb);
		rb_summary(rec, "cpu_share", paired_cpu_share(&f.side, &q.side, run->threads));
		time_to_target(rec, run, d, &f, &q);
	}
	qiht_state_free(&f.st), qiht_state_free(&q.st);
	return rc ? rb_fail(rec, RB_ERROR, "paired timing: %s", err) : 0;
}

static int qiht_speed_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct speed d = { 0 };
	d.n = speed_n(run, rec);
	d.m = d.n / 2;
	if (d.n < 128)
		return rb_fail(rec, RB_INVALID_INPUT, "cache sizes unknown: give columns");
	rb_summary(rec, "n", (double)d.n);
	rb_summary(rec, "m", (double)d.m);
	rb_summary(rec, "matrix_bytes_32", 4.0 * (double)(d.m * d.n));
	rb_log(rec, "qgemv kernel %s, %lld x %lld", qgemv_isa_name(), (long long)d.m, (long long)d.n);
	int rc = 0;
	if (speed_data(run, &d) ||
	    qmat_quantize(&d.q, d.a, d.m, d.n, (int)rb_param_int(run, "bits"), QUANT_STOCHASTIC,
			  run->seed, run->threads))
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "%lld x %lld problem", (long long)d.m, (long long)d.n);
	if (rc == 0) {
		rb_summary(rec, "matrix_bytes_b", (double)qmat_bytes(&d.q));
		rc = speed_measure(run, rec, &d);
	}
	free(d.a), free(d.y), free(d.truth);
	qmat_free(&d.q);
	return rc;
}

const struct rb_algorithm iht_algorithm = {
	.name = "iht",
	.family = "quantized_iht",
	.summary = "(normalised) iterative hard thresholding on 32-bit data (OpenBLAS sgemv)",
	.paper = "arXiv 1802.04907",
	.params = iht_params,
	.needs_data = 1,
	.seedless = 1,
	.run = iht_run,
};

const struct rb_algorithm qiht_algorithm = {
	.name = "qiht",
	.family = "quantized_iht",
	.summary = "IHT on Phi and y quantized once to 2/4/8 bits (tiled qgemv kernels)",
	.paper = "arXiv 1802.04907",
	.params = qiht_params,
	.needs_data = 1,
	.run = qiht_run,
	.validate = validate_bits,
};

const struct rb_algorithm qiht_speed_algorithm = {
	.name = "qiht_speed",
	.family = "quantized_iht",
	.summary = "32-bit (sgemv) against b-bit (qgemv) IHT: paired time per iteration and to a target",
	.paper = "arXiv 1802.04907",
	.params = speed_params,
	.needs_data = 0,
	.run = qiht_speed_run,
	.validate = validate_bits,
};
