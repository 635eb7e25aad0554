/*
 * attack: what the Byzantine machines send, behind one table of operations. The
 * machines are omniscient and collude (the paper's model): an attack sees every good
 * machine's gradient of this iteration and rewrites the rows of the Byzantine ones in
 * place. Every attack keeps the m x d shape; the good rows are never touched.
 *   none         every machine honest
 *   sign_flip    -c g_i (its own honest gradient), c = attack_scale (default 10)
 *   gaussian     g_i + N(0, (s V)^2 / d I): noise of norm about s V (default s = 10)
 *   bias         g_i + b, one fixed b of norm s V for all (default s = 1: inside the
 *                filter's 4V per-step test, caught only by the cumulative B test)
 *   hiding_bias  honest up to iteration k0 (hide_until), then bias
 *   alie         "a little is enough" (Baruch, Baruch, Goldberg, NeurIPS 2019):
 *                mean - z std of the good gradients per coordinate, with
 *                s = floor(m/2 + 1) - f and z = Phi^-1((m - f - s) / (m - f)) (the rule of
 *                the epfml re-implementation), or z = attack_scale when that is > 0
 *   ipm          inner-product manipulation (Xie, Koyejo, Gupta, UAI 2019):
 *                -eps x the mean of the good gradients, eps = attack_scale (default 0.1)
 *   label_flip   the Byzantine machines compute their mini-batch gradient with every
 *                label negated (logistic regression only; the workers do it, apply is a
 *                no-op)
 */
#ifndef BYZ_ATTACK_H
#define BYZ_ATTACK_H

#include "algorithms/kernels/rng.h"

struct attack_ctx {
	int m, d, byzantine;          /* machines, dimension, Byzantine count */
	const unsigned char *is_byz;  /* m flags */
	double scale;                 /* the attack's strength (resolved: never 0) */
	long hide_until;              /* hiding_bias: honest through this iteration */
	const double *bias;           /* bias, hiding_bias: the fixed vector b (d) */
	double v;                     /* noise bound V */
	struct rng *rng;              /* gaussian: the colluders' own stream */
	double *mean, *sd;            /* d scratch each */
};

struct attack_ops {
	const char *name;
	int label_flip;               /* 1: the workers flip the Byzantine machines' labels */
	double default_scale;
	/* Rewrite the Byzantine rows of g (m x d) at iteration k (1-based). */
	void (*apply)(const struct attack_ctx *c, double *g, long k);
};

const struct attack_ops *atk_find(const char *name);
#define ATK_CHOICES "none|sign_flip|gaussian|bias|hiding_bias|alie|ipm|label_flip"

/* ALIE's z for m machines of which f are Byzantine (the rule above). */
double atk_alie_z(int m, int f);
/* Phi^-1(p) for p in (0, 1), by bisection on erfc to 1e-12. */
double atk_normal_quantile(double p);

#endif
