/* Unit tests for the Byzantine-SGD family (algorithms/byzantine_sgd): every aggregator
 * against a case computed by hand, every attack's output (shape kept, good rows
 * untouched, Byzantine rows as defined), ByzantineSGD's filter on honest input and with
 * a planted outlier, the validation hook, the problem's exact solve and noise bound, and
 * the end-to-end refusal of a Krum manifest with m <= 2f + 2. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/byzantine_sgd/aggregator.h"
#include "algorithms/byzantine_sgd/attack.h"
#include "algorithms/byzantine_sgd/byzantine_sgd.h"
#include "algorithms/byzantine_sgd/workers.h"
#include "datasets/gen_regression.h"
#include "tests/unit/testutil.h"

TestSuite(byzantine_sgd);

static struct agg_config config(int m, int d)
{
	return (struct agg_config){ .m = m, .d = d, .multi_krum_k = 1, .geomed_iters = 1000,
				    .geomed_tol = 1e-12, .cclip_tau = 1e9, .cclip_iters = 1,
				    .t_a = 1e9, .t_b = 1e9, .v = 1, .filter_factor = 2 };
}

/* One aggregate call of the rule `name` on g (m x d) into out. */
static void aggregate(const char *name, const struct agg_config *c, const double *g, double *out)
{
	const struct aggregator_ops *ops = agg_find(name);
	cr_assert(ops, "%s is registered", name);
	void *s = ops->create(c);
	cr_assert(s);
	double *disp = calloc((size_t)c->d, sizeof(double));
	ops->aggregate(s, g, disp, out);
	free(disp);
	ops->destroy(s);
}

Test(byzantine_sgd, mean_and_coordinate_median)
{
	/* rows: (1, 10), (2, -5), (9, 0), (3, 7), (100, 1) */
	const double g[] = { 1, 10, 2, -5, 9, 0, 3, 7, 100, 1 };
	double out[2];
	struct agg_config c = config(5, 2);
	aggregate("mean", &c, g, out);
	cr_expect_float_eq(out[0], 23.0, 1e-12);
	cr_expect_float_eq(out[1], 2.6, 1e-12);
	aggregate("median", &c, g, out);
	cr_expect_eq(out[0], 3.0);   /* sorted 1 2 3 9 100 */
	cr_expect_eq(out[1], 1.0);   /* sorted -5 0 1 7 10 */
	c = config(4, 2);            /* even m: mean of the middle two of the first 4 rows */
	aggregate("median", &c, g, out);
	cr_expect_eq(out[0], 2.5);   /* 1 2 3 9 */
	cr_expect_eq(out[1], 3.5);   /* -5 0 7 10 */
}

Test(byzantine_sgd, trimmed_mean_drops_each_end)
{
	const double g[] = { 1, 10, 2, -5, 9, 0, 3, 7, 100, 1 };
	double out[2];
	struct agg_config c = config(5, 2);
	c.trim = 1;
	aggregate("trimmed_mean", &c, g, out);
	cr_expect_float_eq(out[0], (2.0 + 3.0 + 9.0) / 3.0, 1e-12);
	cr_expect_float_eq(out[1], (0.0 + 1.0 + 7.0) / 3.0, 1e-12);
}

/* 1-D points 0, 1, 2.1, 3.3, 4, 100 with f = 1: squared distances to the 3 nearest sum
 * to 16.3, 7.5, 6.26, 7.22, 13.1 and huge: Krum picks 2.1; Multi-Krum (k = 2) adds 3.3. */
Test(byzantine_sgd, krum_and_multi_krum_choice)
{
	const double g[] = { 0, 1, 2.1, 3.3, 4, 100 };
	double out[1];
	struct agg_config c = config(6, 1);
	c.f = 1;
	aggregate("krum", &c, g, out);
	cr_expect_eq(out[0], 2.1);
	c.multi_krum_k = 2;
	aggregate("multi_krum", &c, g, out);
	cr_expect_float_eq(out[0], (2.1 + 3.3) / 2.0, 1e-12);
}

/* Closed cases of the geometric median: the median on a line; and a point of weight 3
 * whose other points' unit vectors sum to norm sqrt 2 <= 3 is the median itself. */
Test(byzantine_sgd, weiszfeld_closed_cases)
{
	const double line[] = { 0, 1, 10 };
	double out[2];
	struct agg_config c = config(3, 1);
	aggregate("geomed", &c, line, out);
	cr_expect(fabs(out[0] - 1.0) < 1e-6, "geometric median of 0, 1, 10 is 1, got %.12g", out[0]);
	const double plane[] = { 0, 0, 0, 0, 0, 0, 1, 0, 0, 1 };
	c = config(5, 2);
	aggregate("geomed", &c, plane, out);
	cr_expect(hypot(out[0], out[1]) < 1e-6, "median (0, 0), got (%g, %g)", out[0], out[1]);
	/* A square's corners: the centre, which is also the mean Weiszfeld starts from. */
	const double square[] = { 1, 1, -1, 1, -1, -1, 1, -1 };
	c = config(4, 2);
	aggregate("geomed", &c, square, out);
	cr_expect(hypot(out[0], out[1]) < 1e-12);
}

/* 0, 1, 2, 3, 4, 50, -50 with f = 1: iterated Krum selects 2, 1, 3, 0, 4 (theta = 5);
 * the beta = 3 values nearest their median 2 are 1, 2, 3: the aggregate is 2. */
Test(byzantine_sgd, bulyan_hand_case)
{
	const double g[] = { 0, 1, 2, 3, 4, 50, -50 };
	double out[1];
	struct agg_config c = config(7, 1);
	c.f = 1;
	aggregate("bulyan", &c, g, out);
	cr_expect_float_eq(out[0], 2.0, 1e-12);
}

Test(byzantine_sgd, centered_clipping)
{
	const double g[] = { 10, 0, 0, 0, 0, 0 };
	double out[2];
	struct agg_config c = config(3, 2);
	aggregate("cclip", &c, g, out);   /* tau huge: the mean */
	cr_expect_float_eq(out[0], 10.0 / 3.0, 1e-12);
	c.cclip_tau = 1;                   /* from v = 0 the first row is clipped to norm 1 */
	aggregate("cclip", &c, g, out);
	cr_expect_float_eq(out[0], 1.0 / 3.0, 1e-12);
	cr_expect_eq(out[1], 0.0);
}

Test(byzantine_sgd, gram_distances_match_direct)
{
	const double v[] = { 1, 2, 3, -1, 0, 4, 2, 2, 2 };
	double gram[9], dist[9];
	agg_sq_distances(v, 3, 3, gram, dist);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			double s = 0;
			for (int k = 0; k < 3; k++)
				s += (v[i * 3 + k] - v[j * 3 + k]) * (v[i * 3 + k] - v[j * 3 + k]);
			cr_expect_float_eq(dist[i * 3 + j], s, 1e-12);
		}
}

/* ---- attacks ------------------------------------------------------------------------ */

#define AM 5
#define AD 3

static void attack(const char *name, double scale, long k, double *g, double *before)
{
	static const unsigned char byz[AM] = { 0, 1, 0, 0, 1 };
	static const double bias[AD] = { 0.5, 0, 0 };
	double mean[AD], sd[AD];
	struct rng r;
	rng_seed(&r, 1, 0);
	for (int i = 0; i < AM * AD; i++)
		g[i] = before[i] = (double)((i * 7) % 11) - 5.0;
	const struct attack_ops *ops = atk_find(name);
	cr_assert(ops, "%s is registered", name);
	struct attack_ctx c = { .m = AM, .d = AD, .byzantine = 2, .is_byz = byz, .scale = scale,
				.hide_until = 3, .bias = bias, .v = 1, .rng = &r, .mean = mean, .sd = sd };
	ops->apply(&c, g, k);
	for (int i = 0; i < AM; i++)
		for (int j = 0; j < AD && !byz[i]; j++)
			cr_expect_eq(g[i * AD + j], before[i * AD + j], "%s touched good row %d", name, i);
	for (int i = 0; i < AM * AD; i++)
		cr_expect(isfinite(g[i]));
}

/* Per coordinate mean and sample sd of the good rows 0, 2, 3. */
static void good_stats(const double *g, int j, double *mean, double *sd)
{
	const int good[] = { 0, 2, 3 };
	double s = 0, s2 = 0;
	for (int t = 0; t < 3; t++)
		s += g[good[t] * AD + j];
	*mean = s / 3;
	for (int t = 0; t < 3; t++)
		s2 += (g[good[t] * AD + j] - *mean) * (g[good[t] * AD + j] - *mean);
	*sd = sqrt(s2 / 2);
}

Test(byzantine_sgd, attacks_keep_shape_and_rewrite_only_byzantine_rows)
{
	double g[AM * AD], b[AM * AD], mean, sd;
	attack("sign_flip", 10, 1, g, b);
	for (int j = 0; j < AD; j++)
		cr_expect_eq(g[1 * AD + j], -10 * b[1 * AD + j]);
	attack("bias", 1, 1, g, b);
	cr_expect_eq(g[4 * AD], b[4 * AD] + 0.5);
	attack("hiding_bias", 1, 3, g, b);   /* honest through k0 = 3 */
	cr_expect_eq(g[4 * AD], b[4 * AD]);
	attack("hiding_bias", 1, 4, g, b);
	cr_expect_eq(g[4 * AD], b[4 * AD] + 0.5);
	attack("ipm", 0.1, 1, g, b);
	for (int j = 0; j < AD; j++) {
		good_stats(b, j, &mean, &sd);
		cr_expect_float_eq(g[1 * AD + j], -0.1 * mean, 1e-12);
	}
	attack("alie", 1.5, 1, g, b);
	for (int j = 0; j < AD; j++) {
		good_stats(b, j, &mean, &sd);
		cr_expect_float_eq(g[4 * AD + j], mean - 1.5 * sd, 1e-12);
	}
	attack("gaussian", 10, 1, g, b);
	cr_expect(memcmp(g + AD, b + AD, AD * sizeof(double)) != 0);
	attack("none", 1, 1, g, b);
	cr_expect(memcmp(g, b, sizeof(g)) == 0);
	cr_expect(atk_find("label_flip")->label_flip);
}

Test(byzantine_sgd, alie_z_rule)
{
	/* m = 10, f = 4: s = 6 - 4 = 2, z = Phi^-1((10 - 4 - 2) / 6) = Phi^-1(2/3). */
	cr_expect(fabs(atk_alie_z(10, 4) - 0.430727299295) < 1e-9, "%.12g", atk_alie_z(10, 4));
	cr_expect(fabs(atk_normal_quantile(0.975) - 1.959963984540) < 1e-9);
	cr_expect(fabs(atk_alie_z(10, 2)) < 1e-9);   /* p = 1/2 */
}

/* ---- the filter --------------------------------------------------------------------- */

/* T steps of the filter on m = 10 machines in d = 5: each good gradient a common vector
 * plus noise of norm exactly V = 1; machine 7 adds `outlier` to its first coordinate. */
static int filter_run(double outlier, long steps, const unsigned char **good_out, void **state)
{
	enum { M = 10, D = 5 };
	struct agg_config c = config(M, D);
	long lg_t = steps;
	double lg = log(16.0 * M * (double)lg_t / 0.01);
	c.t_a = 4.0 * 1.0 * 1.0 * sqrt((double)lg_t * lg);
	c.t_b = 4.0 * sqrt((double)lg_t * lg);
	const struct aggregator_ops *ops = agg_find("byzantine_sgd");
	void *s = ops->create(&c);
	double g[M * D], disp[D] = { 0 }, out[D];
	struct rng r;
	rng_seed(&r, 7, 0);
	for (long k = 0; k < steps; k++) {
		for (int i = 0; i < M; i++) {
			double n2 = 0;
			for (int j = 0; j < D; j++) {
				g[i * D + j] = rng_normal(&r);
				n2 += g[i * D + j] * g[i * D + j];
			}
			for (int j = 0; j < D; j++)
				g[i * D + j] = 1.0 + (j == 0) + g[i * D + j] / sqrt(n2);
		}
		g[7 * D] += outlier;
		ops->aggregate(s, g, disp, out);
	}
	*good_out = ops->good(s);
	*state = s;
	int kept = 0;
	for (int i = 0; i < M; i++)
		kept += (*good_out)[i];
	return kept;
}

Test(byzantine_sgd, filter_keeps_good_machines_and_removes_a_planted_outlier)
{
	const unsigned char *good;
	void *s;
	cr_expect_eq(filter_run(0, 200, &good, &s), 10, "honest input: every machine stays");
	agg_byzantine_sgd_ops.destroy(s);
	cr_expect_eq(filter_run(10, 1, &good, &s), 9, "a 10V outlier goes at the first step");
	cr_expect_eq(good[7], 0);
	agg_byzantine_sgd_ops.destroy(s);
}

Test(byzantine_sgd, filter_step_normalisation)
{
	/* Three machines: two equal, one far: the good sum / m (paper) or / |good|. */
	struct agg_config c = config(3, 1);
	const double g[] = { 1, 1, 50 };
	double disp[1] = { 0 }, out[1];
	void *s = agg_byzantine_sgd_ops.create(&c);
	agg_byzantine_sgd_ops.aggregate(s, g, disp, out);
	cr_expect_float_eq(out[0], 2.0 / 3.0, 1e-12);
	agg_byzantine_sgd_ops.destroy(s);
	c.normalise_by_good = 1;
	s = agg_byzantine_sgd_ops.create(&c);
	agg_byzantine_sgd_ops.aggregate(s, g, disp, out);
	cr_expect_float_eq(out[0], 1.0, 1e-12);
	agg_byzantine_sgd_ops.destroy(s);
}

/* ---- validation --------------------------------------------------------------------- */

static int validate(const char *agg, long long m, double alpha, long long f, double beta,
		    const char *attack_name, const char *loss)
{
	struct rb_paramset ps = tu_defaults(byzantine_sgd_algorithm.params);
	char err[256] = "";
	tu_set_choice(&ps, "aggregator", agg);
	tu_set_int(&ps, "machines", m);
	tu_set_real(&ps, "byzantine_fraction", alpha);
	tu_set_int(&ps, "krum_f", f);
	tu_set_real(&ps, "trim_beta", beta);
	tu_set_choice(&ps, "attack", attack_name);
	tu_set_choice(&ps, "loss", loss);
	if (!strcmp(loss, "logistic"))
		tu_set_real(&ps, "l2", 1e-4);
	int rc = byzantine_sgd_algorithm.validate(&ps, err, sizeof(err));
	cr_expect(rc == 0 || strlen(err) > 0, "a refusal says why");
	return rc;
}

Test(byzantine_sgd, validate_refuses_what_a_rule_cannot_serve)
{
	cr_expect_eq(validate("krum", 6, 0, 2, -1, "none", "squared"), -1);   /* 6 <= 2*2 + 2 */
	cr_expect_eq(validate("krum", 7, 0, 2, -1, "none", "squared"), 0);
	cr_expect_eq(validate("multi_krum", 6, 0, 2, -1, "none", "squared"), -1);
	cr_expect_eq(validate("bulyan", 10, 0, 2, -1, "none", "squared"), -1);  /* 10 < 11 */
	cr_expect_eq(validate("bulyan", 11, 0, 2, -1, "none", "squared"), 0);
	cr_expect_eq(validate("trimmed_mean", 10, 0, -1, 0.5, "none", "squared"), -1);
	cr_expect_eq(validate("trimmed_mean", 10, 0, -1, 0.4, "none", "squared"), 0);
	cr_expect_eq(validate("mean", 10, 0, -1, -1, "label_flip", "squared"), -1);
	cr_expect_eq(validate("mean", 10, 0, -1, -1, "label_flip", "logistic"), 0);
	/* f = -1: alpha m capped at what the rule admits, so a grid over alpha runs. */
	cr_expect_eq(validate("krum", 10, 0.4, -1, -1, "none", "squared"), 0);
	cr_expect_eq(bsgd_resolve_f("krum", 10, 4, -1), 3);
	cr_expect_eq(bsgd_resolve_f("bulyan", 10, 2, -1), 1);
	cr_expect_eq(bsgd_resolve_f("krum", 20, 4, -1), 4);
	cr_expect_eq(bsgd_byzantine_count(10, 0.3), 3);
}

Test(byzantine_sgd, krum_manifest_with_too_few_machines_exits_2_without_a_run)
{
	char dir[512], path[1024], results[700], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "krum.yaml",
		 "id: krum_bad\nalgorithms: [byzantine_sgd]\n"
		 "dataset: {name: regress, params: {dimension: 5, samples: 100}}\n"
		 "params:\n  aggregator: krum\n  machines: [6, 10]\n  krum_f: 2\n",
		 path, sizeof(path));
	snprintf(results, sizeof(results), "%s/results", dir);
	int rc = tu_sh(&out, "'%s' run '%s' --results '%s'", tu_bin(), path, results);
	cr_expect_eq(rc, 2, "%s", out);
	cr_expect_eq(tu_lines(out), 1, "one line: %s", out);
	cr_expect(strstr(out, "params: byzantine_sgd: krum with f = 2 needs m > 2f + 2 = 6 machines, not 6"),
		  "%s", out);
	cr_expect(strstr(out, path) == out, "the line names the file: %s", out);
	cr_expect_eq(tu_count_entries(results), -1, "no results folder may appear");
	free(out);
}

/* ---- the problem -------------------------------------------------------------------- */

Test(byzantine_sgd, exact_solve_and_noise_on_the_sphere)
{
	struct rb_paramset ps = tu_defaults(regress_params);
	struct ds_dataset d;
	struct bw_problem b;
	char err[256];
	tu_set_int(&ps, "dimension", 4);
	tu_set_int(&ps, "samples", 200);
	memset(&d, 0, sizeof(d));
	cr_assert_eq(regress_generate(&ps, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(bw_setup(&b, &d, LM_SQUARED, 0.0, 0.5, 1, err, sizeof(err)), 0, "%s", err);
	double grad[4], g[4], full[4];
	lm_gradient(&b.p, b.x_star, NULL, 0, grad);
	for (int j = 0; j < 4; j++)
		cr_expect(fabs(grad[j]) < 1e-10, "gradient at x* is zero: %g", grad[j]);
	double x[4] = { 1, -2, 0.5, 3 };
	bw_full_gradient(&b, x, full);
	lm_gradient(&b.p, x, NULL, 0, grad);
	struct rng r;
	rng_seed(&r, 3, 0);
	bw_machine_gradient(&b, x, full, &r, 0, g);
	double n2 = 0;
	for (int j = 0; j < 4; j++) {
		cr_expect(fabs(full[j] - grad[j]) < 1e-10);
		n2 += (g[j] - full[j]) * (g[j] - full[j]);
	}
	cr_expect(fabs(sqrt(n2) - 0.5) < 1e-12, "noise of norm V = 0.5, got %g", sqrt(n2));
	cr_expect(fabs(bw_excess(&b, x) - bw_excess_by_objective(&b, x)) < 1e-9);
	cr_expect(bw_excess(&b, b.x_star) == 0.0);
	bw_release(&b);
	ds_dataset_free(&d);
}
