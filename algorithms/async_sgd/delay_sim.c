/*
 * delay_sim: SGD against a delay schedule, simulated deterministically, after
 *   D. Alistarh, C. De Sa, N. Konstantinov, "The Convergence of Stochastic Gradient
 *   Descent in Asynchronous Shared Memory", PODC 2018, arXiv 1803.08841.
 * The paper's model (notes section 3.2): the view of iteration t holds every update of
 * iterations <= t - tau_max and an adversarially chosen subset of the later ones. Here
 * the view of coordinate j is one whole version x_{s(t,j)} with s in [t - tau, t], kept
 * in a ring of tau + 1 versions, so the staleness of every read is exactly controlled:
 *   none      s = t (sequential SGD)
 *   fixed     s = t - tau (the worst-case constant delay)
 *   random    s uniform in [t - tau, t], per coordinate
 *   adaptive  after seeing the sampled noise, per coordinate the version whose step
 *             leaves (x_{t+1,j} - x*_j)^2 largest: the least progress. f is separable,
 *             so the per-coordinate choice is the least progress of the whole step.
 * Randomness: stream 0 of the seed draws the gradient noise, stream 1 the random
 * schedule, stream 2 x* and the start; so the schedules of one seed see the same noise.
 */
#include "algorithms/async_sgd/delay_sim.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

/* Early stop of the 1-D growth measurement: far beyond any start, or below any. */
#define DSIM_HUGE 1e200
#define DSIM_TINY 1e-250
/* A growth rate recorded for a run that reached DSIM_TINY (log of 0 is no number). */
#define DSIM_GROWTH_FLOOR -50.0

int dsim_schedule_parse(const char *name, enum dsim_schedule *out)
{
	static const char *const names[] = { "none", "fixed", "random", "adaptive" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(name, names[i])) {
			*out = (enum dsim_schedule)i;
			return 0;
		}
	return -1;
}

double dsim_gradient_bound(const struct dsim_config *cfg)
{
	return sqrt(cfg->sigma * cfg->sigma * cfg->dimension + cfg->L * cfg->L * cfg->r0 * cfg->r0);
}

double dsim_theory_step(const struct dsim_config *cfg, double scale)
{
	double m = dsim_gradient_bound(cfg);

	return scale * cfg->c * cfg->epsilon /
	       (m * m + 2.0 * cfg->L * m * cfg->tau * sqrt(cfg->epsilon));
}

double dsim_levin_may(int tau)
{
	return 2.0 * cos(tau * M_PI / (2.0 * tau + 1.0));
}

struct dsim_state {
	const struct dsim_config *cfg;
	int n, versions;
	double *ring;      /* versions x n: version t at slot t mod versions */
	double *view, *lambda, *x_star, *noise;
	struct rng noise_rng, schedule_rng;
};

static void dsim_free(struct dsim_state *s)
{
	free(s->ring);
	free(s->view);
	free(s->lambda);
	free(s->x_star);
	free(s->noise);
}

static int dsim_open(struct dsim_state *s, const struct dsim_config *cfg)
{
	size_t n = (size_t)cfg->dimension;

	*s = (struct dsim_state){ .cfg = cfg, .n = cfg->dimension, .versions = cfg->tau + 1 };
	s->ring = malloc((size_t)s->versions * n * sizeof(double));
	s->view = malloc(n * sizeof(double));
	s->lambda = malloc(n * sizeof(double));
	s->x_star = malloc(n * sizeof(double));
	s->noise = malloc(n * sizeof(double));
	if (!s->ring || !s->view || !s->lambda || !s->x_star || !s->noise) {
		dsim_free(s);
		return -1;
	}
	struct rng start;
	rng_seed(&s->noise_rng, cfg->seed, 0);
	rng_seed(&s->schedule_rng, cfg->seed, 1);
	rng_seed(&start, cfg->seed, 2);
	double offset = cfg->r0 / sqrt((double)n);
	for (int j = 0; j < s->n; j++) {
		double t = s->n > 1 ? (double)j / (s->n - 1) : 0.0;
		s->lambda[j] = cfg->c * pow(cfg->L / cfg->c, t);
		s->x_star[j] = rng_normal(&start) * (cfg->centred ? 0.0 : 1.0);
		s->ring[j] = s->x_star[j] + (rng_uniform(&start) < 0.5 ? -offset : offset);
	}
	return 0;
}

static double *version(const struct dsim_state *s, int64_t t)
{
	return s->ring + (size_t)(t % s->versions) * (size_t)s->n;
}

/* Coordinate j of the step taken from version `from`, at iteration t. */
static double step_from(const struct dsim_state *s, const double *x, const double *from, int j)
{
	double g = s->lambda[j] * (from[j] - s->x_star[j]) + s->cfg->sigma * s->noise[j];
	return x[j] - s->cfg->alpha * g;
}

/* The adversary: the version in [lo, t] whose step leaves coordinate j farthest from x*. */
static int64_t least_progress(const struct dsim_state *s, const double *x, int64_t lo, int64_t t,
			      int j)
{
	int64_t best = t;
	double worst = -1.0;

	for (int64_t v = t; v >= lo; v--) {
		double d = step_from(s, x, version(s, v), j) - s->x_star[j];
		if (d * d > worst) {
			worst = d * d;
			best = v;
		}
	}
	return best;
}

static int64_t read_version(struct dsim_state *s, const double *x, int64_t t, int j)
{
	int64_t lo = t - s->cfg->tau < 0 ? 0 : t - s->cfg->tau;

	switch (s->cfg->schedule) {
	case DSIM_FIXED:
		return lo;
	case DSIM_RANDOM:
		return t - (int64_t)rng_below(&s->schedule_rng, (uint64_t)(t - lo + 1));
	case DSIM_ADAPTIVE:
		return least_progress(s, x, lo, t, j);
	case DSIM_NONE:
	default:
		return t;
	}
}

/* x_{t+1} from x_t and the view the schedule picks; returns |x_{t+1} - x*|^2. */
static double dsim_iterate(struct dsim_state *s, int64_t t, double *max_abs)
{
	const double *x = version(s, t);
	double dist2 = 0.0;

	for (int j = 0; j < s->n; j++)
		s->noise[j] = rng_normal(&s->noise_rng);
	for (int j = 0; j < s->n; j++)
		s->view[j] = version(s, read_version(s, x, t, j))[j];
	/* Every read is done before the next version overwrites the oldest slot. */
	double *next = version(s, t + 1);
	for (int j = 0; j < s->n; j++) {
		next[j] = step_from(s, x, s->view, j);
		double d = next[j] - s->x_star[j];
		dist2 += d * d;
		*max_abs = fmax(*max_abs, fabs(d));
	}
	return dist2;
}

static double distance2(const struct dsim_state *s, const double *x)
{
	double dist2 = 0.0;

	for (int j = 0; j < s->n; j++)
		dist2 += (x[j] - s->x_star[j]) * (x[j] - s->x_star[j]);
	return dist2;
}

int dsim_run(const struct dsim_config *cfg, double *x_final, int64_t dist2_every,
	     int (*on_dist2)(void *ctx, int64_t t, double dist2), void *ctx, struct dsim_result *out)
{
	struct dsim_state s;

	if (dsim_open(&s, cfg) != 0)
		return -1;
	double dist2 = distance2(&s, version(&s, 0));
	*out = (struct dsim_result){ .iterations = cfg->max_iterations, .max_abs = sqrt(dist2) };
	int64_t t = 0;
	bool stop = dist2_every > 0 && on_dist2(ctx, 0, dist2);
	while (!stop && t < cfg->max_iterations) {
		if (cfg->epsilon > 0 && dist2 <= cfg->epsilon) {
			out->iterations = t;
			out->reached = 1;
			break;
		}
		dist2 = dsim_iterate(&s, t, &out->max_abs);
		t++;
		if (!isfinite(dist2))
			break;
		if (dist2_every > 0 && t % dist2_every == 0)
			stop = on_dist2(ctx, t, dist2);
	}
	if (!out->reached && cfg->epsilon > 0 && dist2 <= cfg->epsilon) {
		out->iterations = t;
		out->reached = 1;
	}
	out->final_dist2 = dist2;
	if (x_final)
		memcpy(x_final, version(&s, t), (size_t)s.n * sizeof(double));
	dsim_free(&s);
	return 0;
}

/* ---- the 1-D stability boundary (claim A1) ---- */

struct growth {
	int tau;
	int64_t iterations;
	double first_max;   /* max |x - x*|^2 over t in [0, tau] */
	double last_max;    /* the same over the last tau + 1 iterations seen */
	int64_t last_t;
	int stopped;        /* 1 above DSIM_HUGE, -1 below DSIM_TINY */
};

static int growth_sample(void *ctx, int64_t t, double dist2)
{
	struct growth *g = ctx;

	if (t <= g->tau)
		g->first_max = fmax(g->first_max, dist2);
	if (t >= g->iterations - g->tau)
		g->last_max = fmax(g->last_max, dist2);
	g->last_t = t;
	if (dist2 > DSIM_HUGE || !isfinite(dist2))
		g->stopped = 1;
	else if (dist2 < DSIM_TINY && t > g->tau)
		g->stopped = -1;
	if (g->stopped)
		g->last_max = dist2;
	return g->stopped != 0;
}

double dsim_growth_rate(int tau, double a, int64_t iterations)
{
	struct dsim_config cfg = {
		.dimension = 1, .tau = tau, .schedule = DSIM_FIXED, .c = 1, .L = 1, .sigma = 0,
		.r0 = 1, .alpha = a, .epsilon = 0, .max_iterations = iterations, .seed = 1,
		.centred = true,
	};
	struct growth g = { .tau = tau, .iterations = iterations };
	struct dsim_result r;

	if (dsim_run(&cfg, NULL, 1, growth_sample, &g, &r) != 0)
		return NAN;
	if (g.last_max <= 0)   /* exactly at x*: a = 1, tau = 0 */
		return DSIM_GROWTH_FLOOR;
	if (!isfinite(g.last_max))
		return log(DSIM_HUGE) / (double)(g.last_t > 0 ? g.last_t : 1);
	/* |x| ~ rho^t: half the log of the squared distance, per iteration; a run stopped
	 * early is measured up to where it stopped. */
	double span = (double)(g.stopped ? g.last_t : g.last_t - tau);
	double rate = 0.5 * (log(g.last_max) - log(g.first_max)) / (span > 0 ? span : 1.0);
	return fmax(rate, DSIM_GROWTH_FLOOR);
}

double dsim_stability_boundary(int tau, double hi, double tol, int64_t iterations)
{
	double lo = 0.0;

	if (dsim_growth_rate(tau, hi, iterations) < 0)
		return hi;
	while (hi - lo > tol) {
		double mid = 0.5 * (lo + hi);
		if (dsim_growth_rate(tau, mid, iterations) < 0)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* ---- registered algorithms ---- */

static const struct rb_param_spec delay_sim_params[] = {
	{ "dimension", RB_INT, "100", 1, 1e6, NULL, "n: coordinates of the quadratic" },
	{ "tau", RB_INT, "0", 0, 4096, NULL, "maximum delay: reads come from versions t - tau .. t" },
	{ "schedule", RB_CHOICE, "none", 0, 0, "none|fixed|random|adaptive",
	  "none (s = t), fixed (s = t - tau), uniform random s, or the adaptive least-progress adversary" },
	{ "c", RB_REAL, "0.2", 1e-9, 1e9, NULL, "strong convexity: the smallest lambda_j" },
	{ "L", RB_REAL, "1", 1e-9, 1e9, NULL, "smoothness: the largest lambda_j (geometric in between)" },
	{ "sigma", RB_REAL, "0.1", 0, 1e6, NULL, "standard deviation of the gradient noise per coordinate" },
	{ "r0", RB_REAL, "1", 1e-9, 1e9, NULL, "distance of the start from the optimum" },
	{ "epsilon", RB_REAL, "0.01", 1e-12, 1e9, NULL, "target: stop once |x - x*|^2 <= epsilon" },
	{ "alpha", RB_REAL, "0", 0, 1e3, NULL,
	  "the step; 0 = the theory's step_scale c eps / (M^2 + 2 L M tau sqrt(eps))" },
	{ "step_scale", RB_REAL, "1", 1e-9, 1e6, NULL,
	  "the theory step's constant (theta x const of notes 3.2, unknown [R]; 1 here)" },
	{ "max_iterations", RB_INT, "10000000", 1, 1e10, NULL,
	  "a run that has not reached epsilon by then fails" },
	{ "record_every", RB_INT, "100", 1, 1e9, NULL, "|x - x*|^2 is recorded every this many iterations" },
	{ 0 },
};

static int read_config(const struct rb_run *run, struct rb_recorder *rec, struct dsim_config *cfg)
{
	*cfg = (struct dsim_config){
		.dimension = (int)rb_param_int(run, "dimension"), .tau = (int)rb_param_int(run, "tau"),
		.c = rb_param_real(run, "c"), .L = rb_param_real(run, "L"),
		.sigma = rb_param_real(run, "sigma"), .r0 = rb_param_real(run, "r0"),
		.epsilon = rb_param_real(run, "epsilon"),
		.max_iterations = rb_param_int(run, "max_iterations"), .seed = run->seed,
	};
	if (dsim_schedule_parse(rb_param_str(run, "schedule"), &cfg->schedule) != 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown schedule");
	double step = rb_param_real(run, "alpha");
	cfg->alpha = step > 0 ? step : dsim_theory_step(cfg, rb_param_real(run, "step_scale"));
	return 0;
}

struct dist2_recording {
	struct rb_recorder *rec;
};

static int record_dist2(void *ctx, int64_t t, double dist2)
{
	struct dist2_recording *r = ctx;

	rb_record(r->rec, (double)t, "dist2", dist2);
	return 0;
}

static int delay_sim_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	if (rb_paramset_get(ps, "c")->r > rb_paramset_get(ps, "L")->r) {
		snprintf(err, errlen, "c must not exceed L");
		return -1;
	}
	return 0;
}

static void summarise(struct rb_recorder *rec, const struct dsim_config *cfg,
		      const struct dsim_result *r)
{
	double m = dsim_gradient_bound(cfg);

	rb_summary(rec, "iterations_to_eps", (double)r->iterations);
	rb_summary(rec, "step", cfg->alpha);
	rb_summary(rec, "gradient_bound", m);
	/* The theory's T(tau)/T(0) at its own step: (M^2 + 2 L M tau sqrt(eps)) / M^2. */
	rb_summary(rec, "predicted_ratio", 1.0 + 2.0 * cfg->L * cfg->tau * sqrt(cfg->epsilon) / m);
	/* The delay at which that step halves the rate: 2 L M tau sqrt(eps) = M^2. */
	rb_summary(rec, "tau_star", m / (2.0 * cfg->L * sqrt(cfg->epsilon)));
	rb_summary(rec, "final_dist2", r->final_dist2);
}

static int delay_sim_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct dsim_config cfg;
	struct dsim_result r, again;
	struct dist2_recording ctx = { rec };

	if (read_config(run, rec, &cfg) != 0)
		return RB_INVALID_INPUT;
	double *x = malloc((size_t)cfg.dimension * sizeof(double) * 2);
	if (!x || dsim_run(&cfg, x, rb_param_int(run, "record_every"), record_dist2, &ctx, &r) != 0) {
		free(x);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "out of memory for %d x %d versions",
			       cfg.tau + 1, cfg.dimension);
	}
	summarise(rec, &cfg, &r);
	/* Verifier: the same seed gives the same trajectory, bit for bit. */
	rb_eval_begin(rec);
	int rc = dsim_run(&cfg, x + cfg.dimension, 0, NULL, NULL, &again);
	bool same = rc == 0 && again.iterations == r.iterations &&
		    !memcmp(x, x + cfg.dimension, (size_t)cfg.dimension * sizeof(double));
	rb_verify(rec, same, "a second run of the same seed gives the same iterate bit for bit");
	rb_eval_end(rec);
	free(x);
	if (!r.reached && !rb_diverged(rec))
		return rb_fail(rec, RB_ERROR, "|x - x*|^2 = %g > epsilon after %lld iterations",
			       r.final_dist2, (long long)cfg.max_iterations);
	return 0;
}

static const struct rb_param_spec delay_stability_params[] = {
	{ "tau", RB_INT, "0", 0, 64, NULL, "constant delay of x_{t+1} = x_t - a x_{t-tau}" },
	{ "iterations", RB_INT, "20000", 100, 1e8, NULL, "iterations per growth-rate measurement" },
	{ "tolerance", RB_REAL, "1e-4", 1e-9, 0.1, NULL, "bisection stops when the bracket of a is this narrow" },
	{ "grid_step", RB_REAL, "0.02", 1e-4, 1, NULL, "the growth-rate series samples a = alpha L at this spacing" },
	{ "grid_max", RB_REAL, "2.2", 0.01, 10, NULL, "largest a of the series and the bisection's upper end" },
	{ 0 },
};

static int delay_stability_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int tau = (int)rb_param_int(run, "tau");
	int64_t iterations = rb_param_int(run, "iterations");
	double step = rb_param_real(run, "grid_step"), hi = rb_param_real(run, "grid_max");

	for (int k = 1; k * step <= hi + 1e-12; k++)
		rb_record(rec, k * step, "growth_rate", dsim_growth_rate(tau, k * step, iterations));
	double boundary = dsim_stability_boundary(tau, hi, rb_param_real(run, "tolerance"), iterations);
	double formula = dsim_levin_may(tau);
	rb_summary(rec, "boundary", boundary);
	rb_summary(rec, "levin_may", formula);
	rb_summary(rec, "boundary_ratio", boundary / formula);
	/* Verifier of the formula side: at a = 2 cos(tau pi / (2 tau + 1)) the characteristic
	 * polynomial z^tau (z - 1) + a has the unit root z = e^{i pi / (2 tau + 1)}. */
	double th = M_PI / (2.0 * tau + 1.0);
	double re = cos((tau + 1) * th) - cos(tau * th) + formula;
	double im = sin((tau + 1) * th) - sin(tau * th);
	rb_verify(rec, hypot(re, im) < 1e-12, "Levin-May's a has a root of modulus 1");
	return 0;
}

const struct rb_algorithm delay_sim_algorithm = {
	.name = "delay_sim",
	.family = "async_sgd",
	.summary = "deterministic SGD on a quadratic against a delay schedule (none, fixed, random, adaptive)",
	.paper = "arXiv 1803.08841",
	.params = delay_sim_params,
	.run = delay_sim_run,
	.validate = delay_sim_validate,
};

const struct rb_algorithm delay_stability_algorithm = {
	.name = "delay_stability",
	.family = "async_sgd",
	.summary = "measured stability boundary of the delayed gradient step on x^2/2, against Levin-May",
	.paper = "arXiv 1803.08841",
	.params = delay_stability_params,
	.seedless = 1,
	.run = delay_stability_run,
};
