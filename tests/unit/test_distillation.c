/* Unit tests for the distillation family (algorithms/distillation) and its network
 * (algorithms/models/net): gradients of the network and the distillation loss, and of
 * DQ's points, against finite differences; the quantized model's levels and storage
 * accounting; Huffman code lengths; the teacher cache (a second run reuses it, a changed
 * parameter does not); every algorithm end to end on a tiny Gaussian-mixture set. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/distillation/compress.h"
#include "algorithms/distillation/distill.h"
#include "algorithms/distillation/dq.h"
#include "algorithms/distillation/loss.h"
#include "algorithms/distillation/models.h"
#include "algorithms/distillation/qmodel.h"
#include "algorithms/models/net.h"
#include "datasets/gen_mixture.h"
#include "suite/recorder.h"
#include "tests/unit/testutil.h"

TestSuite(distillation);
TestSuite(net);

#define ROWS 7

struct fixture {
	struct net n;
	float *w, x[ROWS * 6], zt[ROWS * 3];
	int32_t y[ROWS];
	struct net_ws *ws;
	struct dloss loss;
};

static void fixture_make(struct fixture *f, int kl_per_element)
{
	struct rng r;
	rng_seed(&r, 42, 0);
	f->n = (struct net){ .layers = 3, .sizes = { 6, 5, 4, 3 } };
	f->w = malloc((size_t)net_param_count(&f->n) * sizeof(float));
	net_init(&f->n, f->w, &r);
	/* non-zero biases, so that they are tested too */
	struct net_tensor t[2 * NET_MAX_LAYERS];
	int nt = net_tensors(&f->n, t);
	for (int i = 1; i < nt; i += 2)
		for (int64_t j = 0; j < t[i].count; j++)
			f->w[t[i].offset + j] = (float)(0.2 * rng_normal(&r));
	for (int i = 0; i < ROWS * 6; i++)
		f->x[i] = (float)rng_normal(&r);
	for (int i = 0; i < ROWS * 3; i++)
		f->zt[i] = (float)(2.0 * rng_normal(&r));
	for (int i = 0; i < ROWS; i++)
		f->y[i] = (int32_t)rng_below(&r, 3);
	f->ws = net_ws_alloc(&f->n, ROWS);
	f->loss = (struct dloss){ 0.7, 2.0, kl_per_element };
}

static void fixture_free(struct fixture *f)
{
	free(f->w);
	net_ws_free(f->ws);
}

static double loss_at(struct fixture *f, const float *w, const float *zt)
{
	const float *z = net_forward(&f->n, w, f->x, ROWS, f->ws, NULL);
	return dloss_eval(&f->loss, z, zt, f->y, ROWS, 3, NULL);
}

/* The analytic gradient of the mean loss against central differences, every weight. */
static void check_gradient(int kl_per_element, int with_teacher)
{
	struct fixture f;
	fixture_make(&f, kl_per_element);
	const float *zt = with_teacher ? f.zt : NULL;
	int64_t np = net_param_count(&f.n);
	float *grad = malloc((size_t)np * sizeof(float)), dz[ROWS * 3];
	const float *z = net_forward(&f.n, f.w, f.x, ROWS, f.ws, NULL);
	dloss_eval(&f.loss, z, zt, f.y, ROWS, 3, dz);
	net_backward(&f.n, f.w, f.x, ROWS, dz, f.ws, grad);
	double h = 1e-2, worst = 0.0;
	for (int64_t i = 0; i < np; i++) {
		float keep = f.w[i];
		f.w[i] = keep + (float)h;
		double up = loss_at(&f, f.w, zt);
		f.w[i] = keep - (float)h;
		double down = loss_at(&f, f.w, zt);
		f.w[i] = keep;
		double fd = (up - down) / (2 * h), err = fabs(fd - grad[i]) / (1e-3 + fabs(fd));
		worst = err > worst ? err : worst;
	}
	cr_expect_lt(worst, 2e-2, "largest relative gradient error %g", worst);
	free(grad);
	fixture_free(&f);
}

Test(net, gradient_matches_finite_differences_cross_entropy)
{
	check_gradient(0, 0);
}

Test(net, gradient_matches_finite_differences_distillation_loss)
{
	check_gradient(0, 1);
	check_gradient(1, 1);
}

Test(distillation, loss_terms)
{
	/* equal logits: KL = 0, so the loss is (1 - w) CE = 0.3 log 3 */
	float z[3] = { 1, 1, 1 };
	int32_t y = 0;
	struct dloss l = { 0.7, 2.0, 0 };
	cr_expect_float_eq(dloss_eval(&l, z, z, &y, 1, 3, NULL), 0.3 * log(3.0), 1e-9);
	/* the per-element KL is the per-example KL over C */
	float zt[3] = { 3, 0, -1 };
	double ce = 0.3 * log(3.0);
	double per_example = dloss_eval(&l, z, zt, &y, 1, 3, NULL) - ce;
	l.kl_per_element = 1;
	double per_element = dloss_eval(&l, z, zt, &y, 1, 3, NULL) - ce;
	cr_expect(per_example > 0.0);
	cr_expect_float_eq(per_element, per_example / 3.0, 1e-9);
}

Test(net, nesterov_step_matches_pytorch_form)
{
	float w[1] = { 1.0f }, v[1] = { 0.5f }, g[1] = { 2.0f };
	net_sgd_nesterov(w, v, g, 1, 0.1, 0.9, 0.01);
	/* g' = 2 + 0.01 = 2.01; v = 0.45 + 2.01 = 2.46; w = 1 - 0.1 (2.01 + 2.214) */
	cr_expect_float_eq(v[0], 2.46f, 1e-6);
	cr_expect_float_eq(w[0], 1.0f - 0.1f * (2.01f + 0.9f * 2.46f), 1e-6);
}

/* Q_i = alpha_i p_j(i) + beta_i with the assignment j(i) of the last dq_weights: the
 * assignment is piecewise constant in p, so the gradient is that of this map (a finite
 * difference across a midpoint would measure the jump instead). */
static void fixed_assignment(const struct dq *q, float *qw)
{
	for (int t = 0; t < q->ntensors; t++)
		for (int64_t i = q->t[t].offset; i < q->t[t].offset + q->t[t].count; i++)
			qw[i] = (float)(q->alpha[i] * q->p[t * q->points + q->assign[i]] + q->beta[i]);
}

Test(distillation, dq_point_gradient_matches_finite_differences)
{
	struct fixture f;
	fixture_make(&f, 0);
	struct dq q;
	int64_t np = net_param_count(&f.n);
	cr_assert_eq(dq_setup(&q, &f.n, f.w, 2, 8, DQ_QUANTILES), 0);
	float *qw = malloc((size_t)np * sizeof(float)), *gq = malloc((size_t)np * sizeof(float));
	float dz[ROWS * 3];
	double *gp = malloc((size_t)q.ntensors * q.points * sizeof(double));
	dq_weights(&q, qw);
	const float *z = net_forward(&f.n, qw, f.x, ROWS, f.ws, NULL);
	dloss_eval(&f.loss, z, f.zt, f.y, ROWS, 3, dz);
	net_backward(&f.n, qw, f.x, ROWS, dz, f.ws, gq);
	dq_point_grad(&q, gq, gp);
	double h = 1e-3, worst = 0.0, biggest = 0.0;
	for (int j = 0; j < q.ntensors * q.points; j++) {
		double keep = q.p[j];
		q.p[j] = keep + h;
		fixed_assignment(&q, qw);
		double up = loss_at(&f, qw, f.zt);
		q.p[j] = keep - h;
		fixed_assignment(&q, qw);
		double down = loss_at(&f, qw, f.zt);
		q.p[j] = keep;
		double fd = (up - down) / (2 * h), err = fabs(fd - gp[j]) / (1e-3 + fabs(fd));
		worst = err > worst ? err : worst;
		biggest = fabs(fd) > biggest ? fabs(fd) : biggest;
	}
	cr_expect_gt(biggest, 1e-3, "the points must move the loss");
	cr_expect_lt(worst, 3e-2, "largest relative point-gradient error %g", worst);
	free(qw);
	free(gq);
	free(gp);
	dq_free(&q);
	fixture_free(&f);
}

Test(distillation, dq_points_stay_sorted_and_weights_use_them)
{
	struct fixture f;
	fixture_make(&f, 0);
	struct dq q;
	cr_assert_eq(dq_setup(&q, &f.n, f.w, 2, 0, DQ_UNIFORM), 0);
	double gp[2 * NET_MAX_LAYERS * 4];
	for (int j = 0; j < q.ntensors * q.points; j++)
		gp[j] = (j % 4 == 0) ? -50.0 : 0.0; /* pushes the first point past the others */
	dq_step(&q, gp, 0.01, 0.9);
	for (int t = 0; t < q.ntensors; t++)
		for (int j = 1; j < q.points; j++)
			cr_expect_leq(q.p[t * q.points + j - 1], q.p[t * q.points + j]);
	float *qw = malloc((size_t)net_param_count(&f.n) * sizeof(float));
	dq_weights(&q, qw);
	cr_expect_leq(qm_max_distinct(&f.n, 0, qw), 4);
	free(qw);
	dq_free(&q);
	fixture_free(&f);
}

Test(distillation, bucket_ratio_accounting)
{
	/* the authors' get_size_reduction: k 32 / (k b + 64) */
	cr_expect_float_eq(compress_bucket_ratio(4, 256), 8192.0 / 1088.0, 1e-12);
	cr_expect_eq((int)lround(100 * compress_bucket_ratio(4, 256)), 753);
	cr_expect_eq((int)lround(100 * compress_bucket_ratio(8, 256)), 388);
	cr_expect_eq((int)lround(10 * compress_bucket_ratio(2, 256)), 142);
}

Test(distillation, huffman_bits)
{
	int64_t equal[4] = { 5, 5, 5, 5 }, skew[3] = { 1, 1, 2 }, one[2] = { 0, 9 };
	cr_expect_float_eq(compress_huffman_bits(equal, 4), 40.0, 1e-12);
	cr_expect_float_eq(compress_huffman_bits(skew, 3), 6.0, 1e-12);
	cr_expect_float_eq(compress_huffman_bits(one, 2), 9.0, 1e-12);
	int64_t geo[8] = { 128, 64, 32, 16, 8, 4, 2, 2 };
	/* lengths 1..7, 7: 128 + 128 + 96 + 64 + 40 + 24 + 14 + 14 */
	cr_expect_float_eq(compress_huffman_bits(geo, 8), 508.0, 1e-12);
}

/* A network whose weight matrices are whole buckets of 256: the plain size must be the
 * formula's, tensor by tensor, and every bucket must hold at most 2^b values. */
Test(distillation, quantized_model_levels_and_size)
{
	struct net n = { .layers = 2, .sizes = { 64, 8, 4 } };
	int64_t np = net_param_count(&n);
	float *w = malloc((size_t)np * sizeof(float)), *qw = malloc((size_t)np * sizeof(float));
	struct rng r;
	rng_seed(&r, 3, 0);
	for (int64_t i = 0; i < np; i++)
		w[i] = (float)rng_normal(&r);
	cr_expect_gt(qm_max_distinct(&n, 256, w), 16, "raw weights have many values a bucket");
	for (int bits = 2; bits <= 8; bits += 2) {
		struct quant_spec q = { bits, 256, QUANT_MINMAX, QUANT_NEAREST };
		struct qm_size s;
		cr_assert_eq(qm_quantize(&n, &q, w, qw, &r, &s), 0);
		/* W1: 512 = 2 buckets, b1: 8 (1), W2: 32 (1), b2: 4 (1) */
		double expect = bits * (double)np + 64.0 * 5;
		cr_expect_float_eq(s.bits_plain, expect, 1e-9);
		cr_expect_eq(s.buckets, 5);
		cr_expect_float_eq(s.bits_fp, 32.0 * (double)np, 1e-9);
		cr_expect_leq(s.bits_huffman, s.bits_plain);
		cr_expect_leq(qm_max_distinct(&n, 256, qw), 1 << bits);
		struct quant_spec one = { bits, 0, QUANT_MINMAX, QUANT_STOCHASTIC };
		cr_assert_eq(qm_quantize(&n, &one, w, qw, &r, &s), 0);
		cr_expect_eq(s.buckets, 4);
		cr_expect_leq(qm_max_distinct(&n, 0, qw), 1 << bits);
	}
	free(w);
	free(qw);
}

/* ---- runs on a tiny Gaussian-mixture set ------------------------------------------- */

static void tiny_data(struct ds_dataset *d)
{
	struct rb_paramset ps = tu_defaults(mixture_params);
	char err[256];
	tu_set_int(&ps, "height", 8);
	tu_set_int(&ps, "width", 8);
	tu_set_int(&ps, "classes", 4);
	tu_set_int(&ps, "train", 600);
	tu_set_int(&ps, "test", 200);
	memset(d, 0, sizeof(*d));
	cr_assert_eq(mixture_generate(&ps, d, err, sizeof(err)), 0, "%s", err);
	mixture_checksum(&ps, d->checksum);
}

static struct rb_paramset tiny_params(const struct rb_algorithm *a)
{
	struct rb_paramset ps = tu_defaults(a->params);
	tu_set_int(&ps, "teacher_hidden", 32);
	tu_set_int(&ps, "teacher_epochs", 4);
	tu_set_int(&ps, "hidden", 8);
	tu_set_int(&ps, "epochs", 4);
	tu_set_int(&ps, "batch", 32);
	return ps;
}

static void private_cache(void)
{
	char dir[512];
	tu_tmpdir(dir, sizeof(dir));
	setenv("RELAXBENCH_CACHE", dir, 1);
}

struct opened {
	char dir[512];
	struct rb_recorder *rec;
};

static void open_rec(struct opened *o)
{
	char err[256];
	tu_tmpdir(o->dir, sizeof(o->dir));
	o->rec = rb_recorder_open(o->dir, err, sizeof(err));
	cr_assert_not_null(o->rec, "%s", err);
}

/* dm_teacher twice and once with another parameter: a hit, then a miss. */
Test(distillation, teacher_cache_reused_and_keyed_by_parameters)
{
	struct ds_dataset d;
	tiny_data(&d);
	private_cache();
	struct rb_paramset ps = tiny_params(&dist_teacher_algorithm);
	struct rb_run run = { .experiment = "t", .run_id = "t", .seed = 1, .threads = 1, .data = &d,
			      .params = ps };
	int hits[3];
	float *w[3];
	for (int i = 0; i < 3; i++) {
		if (i == 2) {
			tu_set_int(&run.params, "teacher_epochs", 3);
		}
		struct opened o;
		struct dm_ctx c;
		open_rec(&o);
		cr_assert_eq(dm_setup(&c, &run, o.rec), 0);
		w[i] = malloc((size_t)net_param_count(&c.teacher) * sizeof(float));
		cr_assert_eq(dm_teacher(&c, w[i], &hits[i]), 0);
		dm_free(&c);
		rb_recorder_close(o.rec, 0);
	}
	cr_expect_eq(hits[0], 0, "the first run trains the teacher");
	cr_expect_eq(hits[1], 1, "the second run reuses it");
	cr_expect_eq(hits[2], 0, "a changed parameter trains another teacher");
	int64_t np = 64 * 32 + 32 + 32 * 32 + 32 + 32 * 4 + 4;
	cr_expect_eq(memcmp(w[0], w[1], (size_t)np * sizeof(float)), 0);
	cr_expect_neq(memcmp(w[0], w[2], (size_t)np * sizeof(float)), 0);
	for (int i = 0; i < 3; i++)
		free(w[i]);
	ds_dataset_free(&d);
}

/* The value of a summary in a result.json text, NAN when absent. */
static double summary_of(const char *json, const char *name)
{
	char key[96];
	snprintf(key, sizeof(key), "\"%s\":", name);
	const char *p = strstr(json, key);
	return p ? strtod(p + strlen(key), NULL) : NAN;
}

static char *run_algorithm(const struct rb_algorithm *a, struct rb_paramset *ps,
			   const struct ds_dataset *d)
{
	struct opened o;
	char path[600];
	open_rec(&o);
	struct rb_run run = { .experiment = "t", .run_id = "t", .seed = 2, .threads = 1, .data = d,
			      .params = *ps };
	int rc = a->run(&run, o.rec);
	cr_assert_eq(rc, 0, "%s returned %d", a->name, rc);
	cr_assert_eq(rb_recorder_status(o.rec), RB_OK, "%s", a->name);
	rb_recorder_close(o.rec, rc);
	snprintf(path, sizeof(path), "%s/result.json", o.dir);
	char *json = tu_read(path);
	cr_assert_not_null(json);
	cr_assert_null(strstr(json, "\"passed\": false"), "a verifier failed: %s", json);
	return json;
}

Test(distillation, every_algorithm_end_to_end, .timeout = 60)
{
	struct ds_dataset d;
	tiny_data(&d);
	private_cache();
	const struct rb_algorithm *all[] = { &dist_teacher_algorithm, &dist_train_algorithm,
					     &distill_algorithm, &pm_quant_algorithm,
					     &quantized_train_algorithm, &quantized_distill_algorithm,
					     &diff_quant_algorithm };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct rb_paramset ps = tiny_params(all[i]);
		if (rb_spec_find(all[i]->params, "time_s"))
			tu_set_real(&ps, "time_s", 0.05);
		if (rb_spec_find(all[i]->params, "bits"))
			tu_set_int(&ps, "bits", 2);
		if (rb_spec_find(all[i]->params, "bucket"))
			tu_set_int(&ps, "bucket", 64);
		char *json = run_algorithm(all[i], &ps, &d);
		double acc = summary_of(json, "test_accuracy_pct");
		cr_expect(acc > 40.0, "%s: accuracy %g on 4 classes (chance 25)", all[i]->name, acc);
		if (rb_spec_find(all[i]->params, "bits")) {
			cr_expect_leq(summary_of(json, "max_values_per_bucket"), 4.0, "%s", all[i]->name);
			cr_expect_gt(summary_of(json, "compression_ratio"), 5.0, "%s", all[i]->name);
		}
		free(json);
	}
	ds_dataset_free(&d);
}
