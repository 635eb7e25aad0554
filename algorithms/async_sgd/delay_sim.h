/*
 * delay_sim: a deterministic simulator of SGD with controlled delays, after
 *   D. Alistarh, C. De Sa, N. Konstantinov, "The Convergence of Stochastic Gradient
 *   Descent in Asynchronous Shared Memory", PODC 2018, arXiv 1803.08841.
 * A ring of the last tau+1 model versions; iteration t reads coordinate j from version
 * s(t, j) in [t - tau, t] (clamped at 0), chosen by a schedule, and applies
 * x_{t+1} = x_t - alpha G(v_t). The objective is the diagonal quadratic
 * f(x) = 1/2 sum_j lambda_j (x_j - x*_j)^2, lambda geometric in [c, L], and the sampled
 * gradient is G_j(v) = lambda_j (v_j - x*_j) + sigma xi_j with xi ~ N(0, 1) drawn before
 * the view is chosen (the strong adaptive adversary sees it).
 *
 * Registered algorithms: `delay_sim` (iterations to reach |x - x*|^2 <= eps, claims A2
 * and A3) and `delay_stability` (the measured stability boundary of the 1-D delayed
 * gradient step against Levin and May's 2 cos(tau pi / (2 tau + 1)), claim A1).
 */
#ifndef ASYNC_SGD_DELAY_SIM_H
#define ASYNC_SGD_DELAY_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "suite/registry.h"

enum dsim_schedule { DSIM_NONE, DSIM_FIXED, DSIM_RANDOM, DSIM_ADAPTIVE };

struct dsim_config {
	int dimension;
	int tau;
	enum dsim_schedule schedule;
	double c, L;          /* smallest and largest lambda_j */
	double sigma;         /* gradient noise per coordinate */
	double r0;            /* |x_0 - x*| (every coordinate r0 / sqrt(n), sign from the seed) */
	double alpha;         /* step */
	double epsilon;       /* stop once |x - x*|^2 <= epsilon (0: never) */
	int64_t max_iterations;
	uint64_t seed;
	bool centred;         /* x* = 0 instead of N(0, 1): |x - x*| then has no rounding floor */
};

struct dsim_result {
	int64_t iterations;   /* first t with |x_t - x*|^2 <= epsilon, or max_iterations */
	int reached;          /* 1 when epsilon was reached */
	double final_dist2;   /* |x - x*|^2 at the end */
	double max_abs;       /* largest |x_t,j - x*_j| seen (a divergence shows here) */
};

/* "none|fixed|random|adaptive"; -1 when `name` is none of them. */
int dsim_schedule_parse(const char *name, enum dsim_schedule *out);

/* M^2 = sigma^2 n + L^2 r0^2, the bound on E|G|^2 over the ball |x - x*| <= r0 that the
 * theory's step uses. */
double dsim_gradient_bound(const struct dsim_config *cfg);

/* The theory's step, alpha = scale c eps / (M^2 + 2 L M tau sqrt(eps)) (notes 3.2 [R]). */
double dsim_theory_step(const struct dsim_config *cfg, double scale);

/*
 * Run the simulation. x_final (dimension doubles, or NULL) receives the last iterate,
 * and dist2_every > 0 calls on_dist2(ctx, t, |x_t - x*|^2) every that many iterations
 * (and at t = 0); a non-zero return stops the run there. Same config, same bits.
 * 0, or -1 when out of memory.
 */
int dsim_run(const struct dsim_config *cfg, double *x_final, int64_t dist2_every,
	     int (*on_dist2)(void *ctx, int64_t t, double dist2), void *ctx, struct dsim_result *out);

/* Levin and May: x_{t+1} = x_t - a x_{t-tau} converges iff 0 < a < 2 cos(tau pi / (2 tau + 1)). */
double dsim_levin_may(int tau);

/* Growth rate per iteration of |x| for f = x^2 / 2 with constant delay tau and step a
 * (L = 1), from `iterations` iterations of dsim_run: negative when it converges. */
double dsim_growth_rate(int tau, double a, int64_t iterations);

/* The largest a in (0, hi] with a negative growth rate, by bisection to tol. */
double dsim_stability_boundary(int tau, double hi, double tol, int64_t iterations);

extern const struct rb_algorithm delay_sim_algorithm, delay_stability_algorithm;

#endif
