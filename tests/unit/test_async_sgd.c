/* Unit tests for the async_sgd family (algorithms/async_sgd): the delay simulator's
 * schedules against hand-computed recursions and its bit-identical repeats, the stability
 * boundary against Levin-May, Hogwild's modes on one thread against sequential SGD bit for
 * bit, the staleness quantiles and the regulariser; and the pthread stress cases
 * (stress_async_sgd.c) as the Criterion suite stress_async_sgd. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/async_sgd/delay_sim.h"
#include "algorithms/async_sgd/hogwild.h"
#include "datasets/synth.h"
#include "tests/unit/stress_async_sgd.h"
#include "tests/unit/testutil.h"

TestSuite(async_sgd, .timeout = 60);
TestSuite(stress_async_sgd, .timeout = 120);

static struct dsim_config quadratic(enum dsim_schedule schedule, int tau, uint64_t seed)
{
	struct dsim_config c = {
		.dimension = 20, .tau = tau, .schedule = schedule, .c = 0.2, .L = 1, .sigma = 0.1,
		.r0 = 1, .epsilon = 0.01, .max_iterations = 100000, .seed = seed,
	};
	c.alpha = dsim_theory_step(&c, 1.0);
	return c;
}

Test(async_sgd, delay_sim_same_seed_same_bits)
{
	for (int s = DSIM_NONE; s <= DSIM_ADAPTIVE; s++) {
		struct dsim_config c = quadratic((enum dsim_schedule)s, 4, 3);
		double a[20], b[20], other[20];
		struct dsim_result ra, rb, ro;
		cr_assert_eq(dsim_run(&c, a, 0, NULL, NULL, &ra), 0);
		cr_assert_eq(dsim_run(&c, b, 0, NULL, NULL, &rb), 0);
		cr_expect(ra.reached, "schedule %d reaches eps", s);
		cr_expect_eq(ra.iterations, rb.iterations);
		cr_expect_eq(memcmp(a, b, sizeof(a)), 0, "schedule %d repeats bit for bit", s);
		c.seed = 4;
		cr_assert_eq(dsim_run(&c, other, 0, NULL, NULL, &ro), 0);
		cr_expect_neq(memcmp(a, other, sizeof(a)), 0, "another seed, another trajectory");
	}
}

Test(async_sgd, delay_sim_tau_zero_is_sequential_for_every_schedule)
{
	double ref[20], x[20];
	struct dsim_result r0, r;
	struct dsim_config c = quadratic(DSIM_NONE, 0, 9);

	cr_assert_eq(dsim_run(&c, ref, 0, NULL, NULL, &r0), 0);
	for (int s = DSIM_FIXED; s <= DSIM_ADAPTIVE; s++) {
		c.schedule = (enum dsim_schedule)s;
		cr_assert_eq(dsim_run(&c, x, 0, NULL, NULL, &r), 0);
		cr_expect_eq(memcmp(ref, x, sizeof(x)), 0, "schedule %d at tau = 0", s);
		cr_expect_eq(r.iterations, r0.iterations);
	}
}

struct trace {
	double d2[64];
	int n;
};

static int keep(void *ctx, int64_t t, double dist2)
{
	struct trace *tr = ctx;
	(void)t;
	if (tr->n < 64)
		tr->d2[tr->n++] = dist2;
	return 0;
}

/* The fixed schedule reads version t - tau: in one dimension without noise the error
 * follows e_{t+1} = e_t - a e_{t - tau} (e_s = e_0 for s < 0). */
Test(async_sgd, fixed_schedule_is_the_delayed_recursion)
{
	for (int tau = 0; tau <= 3; tau++) {
		struct dsim_config c = { .dimension = 1, .tau = tau, .schedule = DSIM_FIXED, .c = 1, .L = 1,
					 .sigma = 0, .r0 = 1, .alpha = 0.3, .max_iterations = 40, .seed = 2 };
		struct dsim_result r;
		struct trace tr = { .n = 0 };
		double e[41];
		cr_assert_eq(dsim_run(&c, NULL, 1, keep, &tr, &r), 0);
		cr_assert_eq(tr.n, 41);
		e[0] = sqrt(tr.d2[0]);
		for (int t = 0; t < 40; t++)
			e[t + 1] = e[t] - 0.3 * e[t - tau < 0 ? 0 : t - tau];
		for (int t = 0; t <= 40; t++)
			cr_expect_float_eq(tr.d2[t], e[t] * e[t], 1e-12 * (1 + e[t] * e[t]),
					   "tau %d t %d: %g vs %g", tau, t, tr.d2[t], e[t] * e[t]);
	}
}

/* The adversary picks, per coordinate, the version whose step makes the least progress,
 * so one step from a common history never gets closer than the fixed schedule's. */
Test(async_sgd, adaptive_step_makes_least_progress)
{
	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct dsim_config c = quadratic(DSIM_ADAPTIVE, 3, seed);
		c.alpha = 0.2;
		c.epsilon = 0;
		c.max_iterations = 1;
		struct trace adaptive = { .n = 0 }, fixed = { .n = 0 }, none = { .n = 0 };
		struct dsim_result r;
		dsim_run(&c, NULL, 1, keep, &adaptive, &r);
		c.schedule = DSIM_FIXED;
		dsim_run(&c, NULL, 1, keep, &fixed, &r);
		c.schedule = DSIM_NONE;
		dsim_run(&c, NULL, 1, keep, &none, &r);
		/* At t = 0 every version is x_0, so all three agree on the first step. */
		cr_expect_eq(adaptive.d2[1], none.d2[1]);
		cr_expect_eq(fixed.d2[1], none.d2[1]);
	}
	/* Later steps: the adversary's squared distance after each step is never below the
	 * one-step outcome of fresh reads from the same x_t (checked over a trajectory). */
	struct dsim_config c = quadratic(DSIM_ADAPTIVE, 2, 7);
	c.alpha = 0.3;
	c.epsilon = 0;
	c.max_iterations = 50;
	struct trace adv = { .n = 0 }, fresh = { .n = 0 };
	struct dsim_result r;
	dsim_run(&c, NULL, 1, keep, &adv, &r);
	c.schedule = DSIM_NONE;
	dsim_run(&c, NULL, 1, keep, &fresh, &r);
	cr_expect_gt(adv.d2[50], fresh.d2[50], "the adversary slows convergence at a large step");
}

Test(async_sgd, stability_boundary_is_levin_may)
{
	cr_expect_float_eq(dsim_levin_may(0), 2.0, 1e-15);
	cr_expect_float_eq(dsim_levin_may(1), 1.0, 1e-15);
	for (int tau = 0; tau <= 4; tau++) {
		double b = dsim_stability_boundary(tau, 2.2, 1e-5, 20000);
		cr_expect_float_eq(b, dsim_levin_may(tau), 1e-3, "tau %d: %g", tau, b);
		cr_expect_lt(dsim_growth_rate(tau, 0.95 * dsim_levin_may(tau), 5000), 0);
		cr_expect_gt(dsim_growth_rate(tau, 1.05 * dsim_levin_may(tau), 5000), 0);
	}
}

Test(async_sgd, theory_step_shrinks_with_tau)
{
	struct dsim_config c = quadratic(DSIM_FIXED, 0, 1);
	double m = dsim_gradient_bound(&c), a0 = dsim_theory_step(&c, 1.0);
	cr_expect_float_eq(m * m, 0.01 * 20 + 1.0, 1e-12);
	cr_expect_float_eq(a0, 0.2 * 0.01 / (m * m), 1e-15);
	c.tau = 8;
	cr_expect_float_eq(a0 / dsim_theory_step(&c, 1.0), 1 + 2 * 8 * 0.1 / m, 1e-12);
}

/* ---- hogwild ---- */

static void make_data(struct ds_dataset *d, long long features, double density)
{
	struct rb_paramset ps = tu_defaults(synth_logreg_params);
	char err[256];
	tu_set_int(&ps, "samples", 2000);
	tu_set_int(&ps, "features", features);
	tu_set_real(&ps, "density", density);
	memset(d, 0, sizeof(*d));
	cr_assert_eq(synth_logreg_generate(&ps, d, err, sizeof(err)), 0, "%s", err);
}

static void one_thread(const struct hw_task *task, enum hw_mode mode, double *w, bool check)
{
	struct hw_model m;
	struct hw_thread t;
	cr_assert_eq(hw_model_init(&m, task->p->x->cols, mode, check), 0);
	cr_assert_eq(hw_thread_init(&t, &m, task->p, 11, 0, check, true), 0);
	hw_worker(&m, task, &t, 0, 1, 0, 5000);
	hw_copy_out(&m, w);
	cr_expect_eq(t.updates, 5000);
	cr_expect_eq(hw_stale_quantile(&t, 1, 1.0), 0, "one thread: nothing overlaps");
	if (mode == HW_RACY && check)
		cr_expect_eq(hw_writes_landed(&m), t.writes, "one thread loses no write");
	hw_thread_free(&t);
	hw_model_free(&m);
}

Test(async_sgd, one_thread_modes_equal_sequential)
{
	for (int dense = 0; dense <= 1; dense++) {
		struct ds_dataset d;
		make_data(&d, dense ? 20 : 500, dense ? 1.0 : 0.02);
		struct lm_problem p = { .x = &d.train.x, .y = d.train.y, .loss = LM_LOGISTIC, .l2 = 1e-3 };
		int64_t dim = d.train.x.cols;
		double *reg = malloc((size_t)dim * sizeof(double));
		double *ref = malloc((size_t)dim * sizeof(double)), *w = malloc((size_t)dim * sizeof(double));
		hw_regulariser(&p, reg);
		struct hw_task task = { .p = &p, .reg = reg, .lr = 0.2, .lr_decay = 1 };
		one_thread(&task, HW_SEQUENTIAL, ref, false);
		double moved = 0;
		for (int64_t j = 0; j < dim; j++)
			moved += fabs(ref[j]);
		cr_expect_gt(moved, 0, "the model moved");
		for (int mode = HW_RACY; mode <= HW_LOCKED; mode++) {
			one_thread(&task, (enum hw_mode)mode, w, mode == HW_RACY);
			cr_expect_eq(memcmp(ref, w, (size_t)dim * sizeof(double)), 0,
				     "%s on one thread is sequential SGD (dense %d)",
				     hw_mode_name((enum hw_mode)mode), dense);
		}
		free(reg);
		free(ref);
		free(w);
		ds_dataset_free(&d);
	}
}

Test(async_sgd, regulariser_is_frequency_scaled)
{
	struct ds_dataset d;
	make_data(&d, 300, 0.05);
	struct lm_problem p = { .x = &d.train.x, .y = d.train.y, .loss = LM_LOGISTIC, .l2 = 0.01 };
	double reg[300];
	int64_t count[300] = { 0 };
	hw_regulariser(&p, reg);
	for (int64_t k = 0; k < d.train.x.rowptr[d.train.x.rows]; k++)
		count[d.train.x.colidx[k]]++;
	for (int j = 0; j < 300; j++) {
		if (count[j] == 0) {
			cr_expect_eq(reg[j], 0);
			continue;
		}
		/* expectation over a uniform row: reg_j x P(j in row) = l2 */
		cr_expect_float_eq(reg[j] * (double)count[j] / (double)d.train.x.rows, 0.01, 1e-12);
	}
	ds_dataset_free(&d);
}

Test(async_sgd, staleness_quantiles)
{
	struct hw_thread t[2];
	uint64_t h0[HW_STALE_BINS] = { 0 }, h1[HW_STALE_BINS] = { 0 };
	memset(t, 0, sizeof(t));
	t[0].stale_hist = h0;
	t[1].stale_hist = h1;
	h0[0] = 90;       /* 90 updates saw nothing, 9 saw one, one saw 5000 (overflow bin) */
	h1[1] = 9;
	h1[HW_STALE_BINS - 1] = 1;
	t[1].stale_max = 5000;
	cr_expect_eq(hw_stale_quantile(t, 2, 0.5), 0);
	cr_expect_eq(hw_stale_quantile(t, 2, 0.95), 1);
	cr_expect_eq(hw_stale_quantile(t, 2, 0.99), 1);
	cr_expect_eq(hw_stale_quantile(t, 2, 0.999), 5000);
	cr_expect_eq(hw_stale_quantile(t, 2, 1.0), 5000);
}

Test(async_sgd, sequential_sgd_refuses_threads)
{
	struct rb_paramset ps = tu_defaults(sequential_sgd_algorithm.params);
	struct rb_value two = { .type = RB_INT, .i = 2 }, one = { .type = RB_INT, .i = 1 };
	char err[128];
	rb_paramset_set(&ps, "threads", &two);
	cr_expect_eq(sequential_sgd_algorithm.validate(&ps, err, sizeof(err)), -1);
	cr_expect(strstr(err, "one thread") != NULL, "%s", err);
	rb_paramset_set(&ps, "threads", &one);
	cr_expect_eq(sequential_sgd_algorithm.validate(&ps, err, sizeof(err)), 0);
}

/* ---- the stress cases ---- */

static void run_case(const char *name)
{
	const struct hw_stress_case *c = hw_stress_find(name);
	char err[256] = "";
	cr_assert_not_null(c, "no stress case %s", name);
	cr_assert_eq(hw_stress_run(c, err, sizeof(err)), 0, "%s: %s", name, err);
}

Test(stress_async_sgd, atomic_adds_4_threads) { run_case("atomic_adds_4_threads"); }
Test(stress_async_sgd, locked_adds_4_threads) { run_case("locked_adds_4_threads"); }
Test(stress_async_sgd, atomic_adds_2_threads_one_word) { run_case("atomic_adds_2_threads_one_word"); }
Test(stress_async_sgd, atomic_sgd_4_threads) { run_case("atomic_sgd_4_threads"); }
Test(stress_async_sgd, locked_sgd_4_threads) { run_case("locked_sgd_4_threads"); }

/* Away from the boundary the measured rate is log |1 - a| at tau = 0, not a rounding floor. */
Test(async_sgd, growth_rate_is_the_spectral_radius)
{
	for (double a = 0.02; a < 2.0; a += 0.26)
		if (fabs(1 - a) > 1e-9)
			cr_expect_float_eq(dsim_growth_rate(0, a, 20000), log(fabs(1 - a)), 1e-3,
					   "a = %g: %g", a, dsim_growth_rate(0, a, 20000));
	cr_expect_float_eq(dsim_growth_rate(0, 2.1, 20000), log(1.1), 1e-3);
}
