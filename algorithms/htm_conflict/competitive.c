/*
 * competitive: per-conflict competitive ratios of the delay policies of
 *   D. Alistarh, S. K. Haider, R. Kuebler, G. Nadiradze, "The Transactional Conflict
 *   Problem", SPAA 2018, arXiv 1804.00947.
 * One conflict at a time, in units of W (the work an abort loses): a policy picks a
 * delay D, the holder commits after T, and the policy pays skirental_cost(W, T, D)
 * against the offline optimum min(T, W). conflict_worst_case lets an adversary pick T
 * (a log grid plus the points just past each deterministic delay); a randomized policy
 * pays its expectation over D, computed by quadrature of its inverse CDF.
 * conflict_stochastic draws T from a distribution and D from the policy.
 *
 * Verifier: OPT's ratio is 1 and no policy beats OPT anywhere; the fixed-delay curve
 * agrees with its closed form; randomized delays pass a Kolmogorov-Smirnov test against
 * their distribution, and their quadrature has converged (halving the cells moves no
 * expected cost by more than 1e-6 relative). The verifier never compares a randomized
 * policy's ratio with its constant (e/(e-1) or 2): that is what the claims measure.
 */
#include "algorithms/htm_conflict/competitive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/htm_conflict/skirental.h"
#include "algorithms/kernels/rng.h"

/* The adversarial grid of T/W: GRID_DECADES decades from GRID_MIN. Below 1e-3 only
 * no_delay's ratio (W/T) changes, and it is unbounded anyway. */
#define GRID_MIN 1e-3
#define GRID_DECADES 5
/* The adversary's T just past a delay D: D (1 + ADVERSARY_EPS), where the ratio is
 * within 1e-9 of its supremum. */
#define ADVERSARY_EPS 1e-9
/* The fixed-delay curve spans D/W in [2^-CURVE_OCTAVES, 2^CURVE_OCTAVES]. */
#define CURVE_OCTAVES 4
/* Delays drawn for the KS test of a randomized policy. */
#define KS_SAMPLES 10000
/* Tolerances of the verifier: rounding, and the midpoint rule's O(1/quantiles^2) error
 * on the smooth abort branch of the expected cost (about 1e-10 at 20000 quantiles):
 * halving the cells multiplies it by 4, so the two differ by about 3 times the error. */
#define ROUNDING_TOLERANCE 1e-9
#define QUADRATURE_TOLERANCE 1e-6
#define CURVE_TOLERANCE 1e-6

#define MODEL_PARAM                                                                          \
	{ "model", RB_CHOICE, "requestor_aborts", 0, 0, "requestor_aborts|requestor_wins",   \
	  "who aborts when the delay runs out: the requestor, or the receiver holding the line" }
#define POLICY_PARAM                                                                         \
	{ "policy", RB_CHOICE, "deterministic", 0, 0,                                        \
	  "no_delay|fixed|deterministic|randomized|opt",                                     \
	  "delay rule: none, fixed_delay, D = W (ski rental), randomized ski rental, offline OPT" }
#define FIXED_DELAY_PARAM                                                                    \
	{ "fixed_delay", RB_REAL, "0.5", 0, 1e6, NULL,                                       \
	  "the fixed policy's delay D, in units of W" }

static const struct rb_param_spec worst_case_params[] = {
	MODEL_PARAM,
	POLICY_PARAM,
	FIXED_DELAY_PARAM,
	{ "grid", RB_INT, "50", 2, 10000, NULL,
	  "points per decade of the adversary's T/W grid over [1e-3, 1e2]" },
	{ "quantiles", RB_INT, "20000", 100, 10000000, NULL,
	  "cells of the randomized delay's quantile in its expected cost (midpoint rule)" },
	{ "curve_points", RB_INT, "33", 2, 10000, NULL,
	  "policy fixed: D/W values on a log grid over [1/16, 16] for the worst_vs_delay series" },
	{ 0 },
};

static const struct rb_param_spec stochastic_params[] = {
	MODEL_PARAM,
	POLICY_PARAM,
	FIXED_DELAY_PARAM,
	{ "distribution", RB_CHOICE, "exponential", 0, 0,
	  "exponential|uniform|bimodal|heavy_tailed",
	  "law of T: exponential; uniform on [0, 2 mean]; 50/50 exponentials of means 0.1 and 1.9 "
	  "mean; Lomax (Pareto II) of shape 1.5" },
	{ "mean_remaining", RB_REAL, "1", 1e-6, 1e6, NULL, "mean of T, in units of W" },
	{ "samples", RB_INT, "100000", 100, 100000000, NULL, "conflicts drawn" },
	{ 0 },
};

static int policy_setup(const struct rb_run *run, struct rb_recorder *rec, struct skirental_policy *p)
{
	const char *model = rb_param_str(run, "model"), *name = rb_param_str(run, "policy");
	p->ops = skirental_policy_find(name);
	p->fixed_delay = rb_param_real(run, "fixed_delay");
	if (!p->ops || skirental_model_parse(model, &p->model) < 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown policy '%s' or model '%s'", name, model);
	return 0;
}

/* Kolmogorov-Smirnov of the policy's delays at W = 1 (the law scales with W). */
static void verify_delay_law(struct rb_recorder *rec, const struct skirental_policy *p,
			     double *delays, int n)
{
	if (!p->ops->randomized || n < 2)
		return;
	double ks = skirental_ks_statistic(p, 1.0, delays, n), crit = skirental_ks_critical(n);
	rb_log(rec, "verifier: KS statistic %.5f over %d delays, critical value %.5f (alpha 0.001)",
	       ks, n, crit);
	rb_summary(rec, "ks_statistic", ks);
	rb_verify(rec, ks < crit, "sampled delays follow the policy's distribution (KS)");
}

/* ---- conflict_worst_case -------------------------------------------------------------- */

struct worst {
	double ratio, at;       /* the largest cost / OPT and the T/W where it occurs */
	int below_opt;          /* points where a policy beat OPT (impossible) */
	double opt_error;       /* OPT's largest |ratio - 1| */
	double quadrature_change;  /* randomized: largest relative change of E[cost] when
				    * the quadrature's cells are halved */
};

static double ratio_at(const struct skirental_policy *p, double t, int quantiles, struct worst *w)
{
	double ratio = skirental_expected_cost(p, 1.0, t, quantiles) / skirental_opt_cost(1.0, t);
	if (ratio < 1.0 - ROUNDING_TOLERANCE)
		w->below_opt++;
	if (p->ops->clairvoyant)
		w->opt_error = fmax(w->opt_error, fabs(ratio - 1.0));
	if (p->ops->randomized && quantiles >= 2) {
		double coarse = skirental_expected_cost(p, 1.0, t, quantiles / 2) /
				skirental_opt_cost(1.0, t);
		w->quadrature_change = fmax(w->quadrature_change, fabs(ratio - coarse) / ratio);
	}
	if (ratio > w->ratio) {
		w->ratio = ratio;
		w->at = t;
	}
	return ratio;
}

static double grid_point(int i, int grid)
{
	return GRID_MIN * pow(10.0, (double)i / grid);
}

/* The worst case over the log grid and the adversary's points: just past W (where
 * OPT stops growing) and just past a deterministic policy's delay. `rec` (or NULL)
 * receives the grid's ratios as the series "ratio". */
static struct worst worst_case(const struct skirental_policy *p, int grid, int quantiles,
			       struct rb_recorder *rec)
{
	struct worst w = { 0 };
	for (int i = 0; i <= GRID_DECADES * grid; i++) {
		double t = grid_point(i, grid), r = ratio_at(p, t, quantiles, &w);
		if (rec)
			rb_record(rec, t, "ratio", r);
	}
	double critical[2] = { 1.0, p->ops->randomized ? 0.0 : skirental_delay(p, 1.0, 0.0, 0.5) };
	for (int k = 0; k < 2; k++) {
		if (critical[k] <= 0.0)
			continue;
		ratio_at(p, critical[k], quantiles, &w);
		ratio_at(p, critical[k] * (1.0 + ADVERSARY_EPS), quantiles, &w);
	}
	return w;
}

/* Policy fixed: the worst case for each D/W of the curve, against the closed form. */
static void fixed_delay_curve(const struct rb_run *run, struct rb_recorder *rec,
			      const struct skirental_policy *p, int grid)
{
	long long points = rb_param_int(run, "curve_points");
	double worst_error = 0.0;
	struct skirental_policy q = *p;

	for (long long j = 0; j < points; j++) {
		double exponent = -CURVE_OCTAVES + 2.0 * CURVE_OCTAVES * (double)j / (double)(points - 1);
		q.fixed_delay = pow(2.0, exponent);
		struct worst w = worst_case(&q, grid, 1, NULL);
		double exact = skirental_fixed_worst_ratio(q.model, q.fixed_delay);
		rb_record(rec, q.fixed_delay, "worst_vs_delay", w.ratio);
		worst_error = fmax(worst_error, fabs(w.ratio - exact) / exact);
	}
	rb_eval_begin(rec);
	rb_log(rec, "verifier: fixed-delay curve against the closed form, largest relative error %.3g",
	       worst_error);
	rb_verify(rec, worst_error < CURVE_TOLERANCE, "fixed-delay worst cases match the closed form");
	rb_eval_end(rec);
}

static void verify_worst(const struct rb_run *run, struct rb_recorder *rec,
			 const struct skirental_policy *p, const struct worst *w)
{
	rb_eval_begin(rec);
	rb_log(rec, "verifier: %d grid points below OPT; OPT error %.3g; quadrature change %.3g",
	       w->below_opt, w->opt_error, w->quadrature_change);
	rb_verify(rec, w->below_opt == 0, "no policy costs less than the offline optimum");
	if (p->ops->clairvoyant)
		rb_verify(rec, w->opt_error < ROUNDING_TOLERANCE, "OPT against itself is 1");
	if (p->ops->randomized)
		rb_verify(rec, w->quadrature_change < QUADRATURE_TOLERANCE,
			  "the expected cost's quadrature has converged at every T");
	double *delays = malloc(KS_SAMPLES * sizeof(*delays));
	if (delays && p->ops->randomized) {
		struct rng r;
		rng_seed(&r, run->seed, 0);
		for (int i = 0; i < KS_SAMPLES; i++)
			delays[i] = skirental_delay(p, 1.0, 0.0, rng_uniform(&r));
		verify_delay_law(rec, p, delays, KS_SAMPLES);
	}
	free(delays);
	rb_eval_end(rec);
}

static int worst_case_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct skirental_policy p;
	int rc = policy_setup(run, rec, &p);
	if (rc)
		return rc;
	int grid = (int)rb_param_int(run, "grid"), quantiles = (int)rb_param_int(run, "quantiles");
	struct worst w = worst_case(&p, grid, quantiles, rec);
	rb_log(rec, "%s %s: worst case %.9g at T/W = %.6g", skirental_model_name(p.model),
	       p.ops->name, w.ratio, w.at);
	rb_summary(rec, "worst_case_ratio", w.ratio);
	rb_summary(rec, "worst_remaining", w.at);
	if (p.ops == skirental_policy_find("fixed"))
		fixed_delay_curve(run, rec, &p, grid);
	verify_worst(run, rec, &p, &w);
	return 0;
}

/* ---- conflict_stochastic -------------------------------------------------------------- */

/* T in units of W with the given mean; u in [0, 1) drives the inverse CDF. */
static double draw_remaining(const char *law, double mean, struct rng *r)
{
	double u = rng_uniform(r);
	if (!strcmp(law, "uniform"))
		return 2.0 * mean * u;
	if (!strcmp(law, "bimodal")) {
		/* Short and long holders: means 0.1 and 1.9 times `mean`, half each. */
		double scale = u < 0.5 ? 0.1 * mean : 1.9 * mean;
		return -scale * log1p(-rng_uniform(r));
	}
	if (!strcmp(law, "heavy_tailed")) {
		/* Lomax of shape a = 1.5 and scale mean (a - 1): infinite variance. */
		const double a = 1.5;
		return mean * (a - 1.0) * expm1(-log1p(-u) / a);
	}
	return -mean * log1p(-u);   /* exponential */
}

struct tally {
	double cost, opt;
	long long aborts, below_opt;
};

static int stochastic_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct skirental_policy p;
	int rc = policy_setup(run, rec, &p);
	if (rc)
		return rc;
	const char *law = rb_param_str(run, "distribution");
	double mean = rb_param_real(run, "mean_remaining");
	long long n = rb_param_int(run, "samples");
	double *delays = malloc((size_t)n * sizeof(*delays));
	if (!delays)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %lld delays", n);
	struct rng times, coins;
	struct tally t = { 0 };
	rng_seed(&times, run->seed, 0);
	rng_seed(&coins, run->seed, 1);
	for (long long i = 0; i < n; i++) {
		double remaining = draw_remaining(law, mean, &times);
		double d = skirental_delay(&p, 1.0, remaining, rng_uniform(&coins));
		double cost = skirental_cost(p.model, 1.0, remaining, d), opt = skirental_opt_cost(1.0, remaining);
		delays[i] = d;
		t.cost += cost;
		t.opt += opt;
		t.aborts += remaining > d;
		t.below_opt += cost < opt;
	}
	rb_summary(rec, "cost_ratio", t.cost / t.opt);
	rb_summary(rec, "mean_cost", t.cost / (double)n);
	rb_summary(rec, "mean_opt_cost", t.opt / (double)n);
	rb_summary(rec, "abort_fraction", (double)t.aborts / (double)n);
	rb_eval_begin(rec);
	rb_verify(rec, t.below_opt == 0, "no conflict costs less than the offline optimum");
	if (p.ops->clairvoyant)
		rb_verify(rec, fabs(t.cost / t.opt - 1.0) < ROUNDING_TOLERANCE, "OPT against itself is 1");
	verify_delay_law(rec, &p, delays, (int)(n < KS_SAMPLES ? n : KS_SAMPLES));
	rb_eval_end(rec);
	free(delays);
	return 0;
}

const struct rb_algorithm conflict_worst_case_algorithm = {
	.name = "conflict_worst_case",
	.family = "htm_conflict",
	.summary = "worst-case cost / OPT of a conflict-delay policy over an adversarial grid of T",
	.paper = "arXiv 1804.00947",
	.params = worst_case_params,
	.seedless = 1,   /* exact up to quadrature; the seed only drives the KS check */
	.run = worst_case_run,
};

const struct rb_algorithm conflict_stochastic_algorithm = {
	.name = "conflict_stochastic",
	.family = "htm_conflict",
	.summary = "expected cost / OPT of a conflict-delay policy for random remaining times T",
	.paper = "arXiv 1804.00947",
	.params = stochastic_params,
	.run = stochastic_run,
};
