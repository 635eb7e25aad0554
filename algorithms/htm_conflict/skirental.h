/*
 * skirental: the per-conflict cost model of the transactional conflict problem and the
 * delay policies that solve it (Alistarh, Haider, Kuebler, Nadiradze, "The Transactional
 * Conflict Problem", SPAA 2018, arXiv 1804.00947).
 *
 * A transaction B requests a line that a running transaction A holds. The system may
 * delay the resolution by D cycles; A would commit T cycles from now (unknown online).
 * W is the work an abort throws away: B's under requestor-aborts, A's under
 * requestor-wins. Every time is in cycles, or in units of W when W = 1.
 */
#ifndef HTM_CONFLICT_SKIRENTAL_H
#define HTM_CONFLICT_SKIRENTAL_H

#include <stdbool.h>

enum skirental_model {
	SKIRENTAL_REQUESTOR_ABORTS,  /* the requestor B aborts when the delay runs out */
	SKIRENTAL_REQUESTOR_WINS,    /* the receiver A is aborted when the delay runs out */
};

struct skirental_policy;

/* A delay policy (STYLE.md: one ops table). `delay` returns the delay for a conflict of
 * work `work` whose holder commits after `remaining`; online policies ignore
 * `remaining` (only the offline oracle reads it), deterministic ones ignore `u`, and
 * randomized ones return F^-1(u), their delay distribution's inverse CDF at u in [0, 1). */
struct skirental_policy_ops {
	const char *name;
	bool randomized;
	bool clairvoyant;   /* reads `remaining`: the offline optimum, not an online policy */
	double (*delay)(const struct skirental_policy *p, double work, double remaining, double u);
	/* P(delay <= d) for a conflict of work `work`; NULL for the clairvoyant oracle. */
	double (*cdf)(const struct skirental_policy *p, double work, double d);
};

struct skirental_policy {
	const struct skirental_policy_ops *ops;
	enum skirental_model model;
	double fixed_delay;  /* the `fixed` policy's D (cycles, or D/W when W = 1) */
};

/* Every policy, NULL-terminated: no_delay, fixed, deterministic, randomized, opt. */
extern const struct skirental_policy_ops *const skirental_policies[];

const struct skirental_policy_ops *skirental_policy_find(const char *name);
/* 0, or -1 when `name` is neither "requestor_aborts" nor "requestor_wins". */
int skirental_model_parse(const char *name, enum skirental_model *out);
const char *skirental_model_name(enum skirental_model m);

/* Cycles lost to one conflict resolved with delay `delay` when the holder commits after
 * `remaining`: the stall T if T <= D, otherwise D + W (requestor-aborts: B stalled D
 * and loses W) or W + 2D (requestor-wins: B stalled D, A ran D more and loses W + D). */
double skirental_cost(enum skirental_model m, double work, double remaining, double delay);
/* The offline optimum, min(T, W): wait exactly T, or resolve at once at cost W. */
double skirental_opt_cost(double work, double remaining);

double skirental_delay(const struct skirental_policy *p, double work, double remaining, double u);
/* E_D[cost] over the policy's delay distribution: (1 - F(T)) T for the delays that
 * outlast T, plus the midpoint rule on `quantiles` cells of u in [0, F(T)) for those
 * that run out first (exact for deterministic policies, whatever `quantiles`). */
double skirental_expected_cost(const struct skirental_policy *p, double work, double remaining,
			       int quantiles);

/* The worst case over T of cost / OPT for a fixed delay D = ratio * W, in closed form
 * (README.md, "Cost model"); INFINITY for D = 0. */
double skirental_fixed_worst_ratio(enum skirental_model m, double ratio);
/* The competitive ratio the analysis gives a policy under a model (deterministic 2 or 3,
 * randomized e/(e-1) or 2, opt 1, fixed by the closed form); INFINITY for no_delay. */
double skirental_bound(const struct skirental_policy *p);

/* Kolmogorov-Smirnov statistic sup |F_n - F| of `n` samples of the policy's delay at
 * work `work` against its cdf; sorts `samples` in place. */
double skirental_ks_statistic(const struct skirental_policy *p, double work, double *samples, int n);
/* The KS test's critical value at level 0.001 (c(alpha) = 1.949) for n samples. */
double skirental_ks_critical(int n);

#endif
