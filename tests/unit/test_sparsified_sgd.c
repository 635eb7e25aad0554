/* Unit tests for the sparsified-SGD family (algorithms/sparsified_sgd) and the MLP
 * it trains (algorithms/models/mlp): runs of topk_sgd and dense_sgd through the
 * recorder on small synthetic data, checked for bit-identical repeats, the K = n
 * identity with dense SGD, the effect of memory, exact byte counts, and the MLP's
 * gradient against finite differences. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/models/mlp.h"
#include "algorithms/sparsified_sgd/topk_sgd.h"
#include "datasets/gen_mixture.h"
#include "datasets/synth.h"
#include "suite/recorder.h"
#include "tests/unit/testutil.h"

TestSuite(sparsified_sgd);
TestSuite(mlp);

static void make_logreg(struct ds_dataset *d, long long samples, long long features)
{
	struct rb_paramset ps = tu_defaults(synth_logreg_params);
	char err[256];
	tu_set_int(&ps, "samples", samples);
	tu_set_int(&ps, "features", features);
	tu_set_real(&ps, "density", 0.2);
	memset(d, 0, sizeof(*d));
	cr_assert_eq(synth_logreg_generate(&ps, d, err, sizeof(err)), 0, "%s", err);
}

struct outcome {
	char *series, *result;
	double final_loss;
};

/* The last "loss" value of a series.csv text. */
static double last_loss(const char *series)
{
	double value = NAN, v;
	const char *line = series;
	while (line && *line) {
		double step;
		if (sscanf(line, "%lf,loss,%lf", &step, &v) == 2)
			value = v;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return value;
}

/* Run `algo` once in a fresh folder; the run must end ok with every verifier passed. */
static struct outcome run_algorithm(const struct rb_algorithm *algo, struct rb_paramset *ps,
				    const struct ds_dataset *d, uint64_t seed)
{
	char dir[512], err[256], path[600];
	tu_tmpdir(dir, sizeof(dir));
	struct rb_recorder *rec = rb_recorder_open(dir, err, sizeof(err));
	cr_assert_not_null(rec, "%s", err);
	struct rb_run run = { .experiment = "test", .run_id = "test", .seed = seed, .threads = 1,
			      .data = d, .params = *ps };
	int rc = algo->run(&run, rec);
	cr_assert_eq(rc, 0, "%s returned %d", algo->name, rc);
	cr_assert_eq(rb_recorder_status(rec), RB_OK);
	rb_recorder_close(rec, rc);
	struct outcome o;
	snprintf(path, sizeof(path), "%s/series.csv", dir);
	o.series = tu_read(path);
	snprintf(path, sizeof(path), "%s/result.json", dir);
	o.result = tu_read(path);
	cr_assert(o.series && o.result);
	cr_assert_null(strstr(o.result, "\"passed\": false"), "a verifier failed: %s", o.result);
	o.final_loss = last_loss(o.series);
	return o;
}

static void outcome_free(struct outcome *o)
{
	free(o->series);
	free(o->result);
}

static struct rb_paramset topk_params(const char *compressor, int memory, double k_fraction)
{
	struct rb_paramset ps = tu_defaults(topk_sgd_algorithm.params);
	tu_set_choice(&ps, "compressor", compressor);
	tu_set_int(&ps, "memory", memory);
	tu_set_real(&ps, "k_fraction", k_fraction);
	tu_set_int(&ps, "epochs", 3);
	tu_set_int(&ps, "workers", 4);
	return ps;
}

Test(sparsified_sgd, same_seed_gives_identical_series)
{
	struct ds_dataset d;
	make_logreg(&d, 3000, 60);
	struct rb_paramset ps = topk_params("topk", 1, 0.05);
	tu_set_int(&ps, "measure_xi", 1);
	tu_set_int(&ps, "rho_profile", 1);
	struct outcome a = run_algorithm(&topk_sgd_algorithm, &ps, &d, 7);
	struct outcome b = run_algorithm(&topk_sgd_algorithm, &ps, &d, 7);
	struct outcome c = run_algorithm(&topk_sgd_algorithm, &ps, &d, 8);
	cr_assert_str_eq(a.series, b.series);
	cr_assert_str_neq(a.series, c.series, "another seed shuffles differently");
	cr_assert_not_null(strstr(a.series, ",rho,"));
	outcome_free(&a);
	outcome_free(&b);
	outcome_free(&c);
	ds_dataset_free(&d);
}

/* Notes T1: with K = n, TopK with memory sends everything and is dense SGD up to the
 * float rounding the memory carries. */
Test(sparsified_sgd, k_equals_n_is_dense_sgd)
{
	struct ds_dataset d;
	make_logreg(&d, 3000, 40);
	struct rb_paramset ps = topk_params("topk", 1, 1.0);
	struct rb_paramset dense = tu_defaults(dense_sgd_algorithm.params);
	tu_set_int(&dense, "epochs", 3);
	tu_set_int(&dense, "workers", 4);
	struct outcome a = run_algorithm(&topk_sgd_algorithm, &ps, &d, 3);
	struct outcome b = run_algorithm(&dense_sgd_algorithm, &dense, &d, 3);
	cr_assert(isfinite(a.final_loss) && a.final_loss < log(2.0));
	cr_assert_leq(fabs(a.final_loss - b.final_loss) / b.final_loss, 1e-6, "%.17g vs %.17g",
		      a.final_loss, b.final_loss);
	outcome_free(&a);
	outcome_free(&b);
	ds_dataset_free(&d);
}

/* Notes T2: at a small K, error feedback ends lower than dropping the rest. */
Test(sparsified_sgd, memory_beats_no_memory_at_small_k)
{
	struct ds_dataset d;
	make_logreg(&d, 4000, 100);
	struct rb_paramset with = topk_params("topk", 1, 0.01);
	struct rb_paramset without = topk_params("topk", 0, 0.01);
	struct outcome a = run_algorithm(&topk_sgd_algorithm, &with, &d, 1);
	struct outcome b = run_algorithm(&topk_sgd_algorithm, &without, &d, 1);
	cr_assert_lt(a.final_loss, b.final_loss, "memory %g, none %g", a.final_loss, b.final_loss);
	outcome_free(&a);
	outcome_free(&b);
	ds_dataset_free(&d);
}

/* Notes T6: every worker's payload is exactly 8K bytes per step, for TopK and RandK;
 * the threshold compressor's varies. */
Test(sparsified_sgd, bytes_are_8k_per_worker_and_step)
{
	struct ds_dataset d;
	make_logreg(&d, 2000, 50);
	static const char *const kinds[] = { "topk", "randk" };
	for (int i = 0; i < 2; i++) {
		struct rb_paramset ps = topk_params(kinds[i], 1, 0.1);
		struct outcome o = run_algorithm(&topk_sgd_algorithm, &ps, &d, 2);
		cr_assert_not_null(strstr(o.result, "\"bytes_minus_8k\": 0.0,"), "%s", o.result);
		cr_assert_not_null(strstr(o.result, "\"bytes_per_worker_step_max\": 40.0,"), "%s",
				   o.result);
		outcome_free(&o);
	}
	struct rb_paramset ps = topk_params("threshold", 1, 0.1);
	tu_set_real(&ps, "threshold", 0.01);
	struct outcome o = run_algorithm(&topk_sgd_algorithm, &ps, &d, 2);
	cr_assert(isfinite(o.final_loss));
	outcome_free(&o);
	ds_dataset_free(&d);
}

/* Dense SGD's workers contribute exactly 4n bytes a step, and what comm/ sends over the
 * ring matches its algorithms: dense reduce-scatter + allgather 2 (P - 1) / P 4n, the
 * sparse ring allgather (P - 1) 8K, hence 4n / (3 8K) for TopK at P = 4. */
Test(sparsified_sgd, dense_is_4n_and_sent_bytes_follow_the_ring)
{
	struct ds_dataset d;
	make_logreg(&d, 2000, 48);   /* n = 48: the ring's 4 chunks are equal */
	struct rb_paramset dense = tu_defaults(dense_sgd_algorithm.params);
	tu_set_int(&dense, "epochs", 1);
	tu_set_int(&dense, "workers", 4);
	struct outcome o = run_algorithm(&dense_sgd_algorithm, &dense, &d, 2);
	cr_assert_not_null(strstr(o.result, "\"bytes_per_worker_step_max\": 192.0,"), "%s", o.result);
	cr_assert_not_null(strstr(o.result, "\"sent_bytes_per_worker_step\": 288.0,"), "%s", o.result);
	outcome_free(&o);
	struct rb_paramset ps = topk_params("topk", 1, 0.1);
	o = run_algorithm(&topk_sgd_algorithm, &ps, &d, 2);
	cr_assert_not_null(strstr(o.result, "\"sent_bytes_per_worker_step\": 120.0,"), "%s", o.result);
	cr_assert_not_null(strstr(o.result, "\"sent_reduction_vs_4n\": 1.6000000000000001,"), "%s",
			   o.result);
	outcome_free(&o);
	ds_dataset_free(&d);
}

/* Notes T4's identities, now verifiers: rho(K) <= sqrt(1 - K/n), non-increasing in K. */
Test(sparsified_sgd, rho_identities_hold_and_are_verified)
{
	struct ds_dataset d;
	make_logreg(&d, 2000, 200);
	struct rb_paramset ps = topk_params("topk", 1, 0.01);
	tu_set_int(&ps, "rho_profile", 1);
	struct outcome o = run_algorithm(&topk_sgd_algorithm, &ps, &d, 4);
	cr_assert_not_null(strstr(o.result, "rho(K) <= sqrt(1 - K/n)"), "%s", o.result);
	cr_assert_not_null(strstr(o.result, "\"rho_increases\": 0.0,"), "%s", o.result);
	const char *r = strstr(o.result, "\"rho_over_bound_max\": ");
	cr_assert_not_null(r);
	cr_assert_leq(strtod(r + strlen("\"rho_over_bound_max\": "), NULL), 1.0);
	outcome_free(&o);
	ds_dataset_free(&d);
}

Test(sparsified_sgd, refuses_a_batch_larger_than_a_shard)
{
	struct ds_dataset d;
	char dir[512], err[256];
	make_logreg(&d, 200, 10);
	struct rb_paramset ps = topk_params("topk", 1, 0.1);
	tu_set_int(&ps, "workers", 16);
	tu_set_int(&ps, "batch", 64);
	tu_tmpdir(dir, sizeof(dir));
	struct rb_recorder *rec = rb_recorder_open(dir, err, sizeof(err));
	struct rb_run run = { .seed = 1, .threads = 1, .data = &d, .params = ps };
	int rc = topk_sgd_algorithm.run(&run, rec);
	cr_assert_eq(rc, RB_INVALID_INPUT);
	rb_recorder_close(rec, rc);
	ds_dataset_free(&d);
}

/* ---- mlp ---- */

Test(mlp, gradient_matches_finite_differences)
{
	struct rb_paramset ps = tu_defaults(mixture_params);
	struct ds_dataset d = { 0 };
	char err[256];
	tu_set_int(&ps, "height", 4);
	tu_set_int(&ps, "width", 4);
	tu_set_int(&ps, "classes", 3);
	tu_set_int(&ps, "train", 40);
	tu_set_int(&ps, "test", 10);
	cr_assert_eq(mixture_generate(&ps, &d, err, sizeof(err)), 0, "%s", err);
	struct mlp m = { .inputs = d.train.x.cols, .hidden = 5, .classes = 3, .l2 = 1e-3 };
	int64_t n = mlp_param_count(&m), rows[7] = { 0, 3, 5, 9, 3, 11, 20 };
	double *w = malloc((size_t)n * sizeof(double)), *g = malloc((size_t)n * sizeof(double));
	mlp_init(&m, w, 4);
	cr_assert_eq(mlp_check_labels(&m, &d.train.x, d.train.y), -1);
	cr_assert_eq(mlp_gradient(&m, &d.train.x, d.train.y, w, rows, 7, g), 0);
	/* The all-rows objective of a 7-row subset, through a copy of those rows. */
	struct ds_matrix sub = { .rows = 7, .cols = d.train.x.cols };
	double y[7];
	sub.dense = malloc((size_t)(7 * sub.cols) * sizeof(double));
	for (int i = 0; i < 7; i++) {
		memcpy(sub.dense + i * sub.cols, d.train.x.dense + rows[i] * sub.cols,
		       (size_t)sub.cols * sizeof(double));
		y[i] = d.train.y[rows[i]];
	}
	for (int64_t j = 0; j < n; j += 7) {
		double h = 1e-6, keep = w[j];
		w[j] = keep + h;
		double up = mlp_objective(&m, &sub, y, w);
		w[j] = keep - h;
		double down = mlp_objective(&m, &sub, y, w);
		w[j] = keep;
		double fd = (up - down) / (2 * h);
		cr_assert(fabs(fd - g[j]) <= 1e-6 + 1e-5 * fabs(fd), "param %lld: %g vs %g",
			  (long long)j, fd, g[j]);
	}
	double acc = mlp_accuracy(&m, &d.test.x, d.test.y, w);
	cr_assert(acc >= 0.0 && acc <= 1.0);
	free(sub.dense);
	free(w);
	free(g);
	ds_dataset_free(&d);
}
