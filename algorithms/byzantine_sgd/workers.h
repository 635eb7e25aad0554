/*
 * workers: the m simulated machines of the Byzantine setting and the problem they
 * share. The machines are simulated in turn in one process over plain arrays (one m x d
 * matrix, row i = machine i's message this iteration): the server sees all of them at
 * once, which is the model (a synchronous round), and an omniscient attacker can read
 * every row. Each machine draws from its own stream rng_seed(&r, seed, i), so a run
 * is reproducible per seed and a machine's draws do not depend on the others'.
 *
 * Good gradients satisfy the paper's assumption |g_{k,i} - grad f(x_k)| <= V:
 *   squared   grad f(x) + V u, u uniform on the unit sphere (noise on the sphere of
 *             radius V) over the exact gradient H x - c of least squares, with H =
 *             X^T X / n + l2 I and c = X^T y / n formed once (dense data);
 *   logistic  grad f(x) + clip_V(grad f_batch(x) - grad f(x)): the mini-batch
 *             gradient's deviation from the full one, clipped to norm V.
 * The trusted optimum: the exact solve H x* = c (Cholesky) for least squares, LIBLINEAR
 * (algorithms/models/liblinear_ref) for logistic regression.
 */
#ifndef BYZ_WORKERS_H
#define BYZ_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/models/linear.h"
#include "datasets/dataset.h"

struct bw_problem {
	struct lm_problem p, flipped;   /* flipped: labels negated (label_flip) */
	double *y_flipped;
	int d;
	int64_t n;
	double v;                       /* noise bound V */
	int batch;                      /* logistic mini-batch */
	double *h, *c;                  /* squared: H (d x d, l2 on its diagonal) and c */
	double *x_star;
	double f_star;
	int64_t *rows;                  /* batch scratch */
};

/* Set up the problem over data's train split; 0, or -1 with one line in err. */
int bw_setup(struct bw_problem *b, const struct ds_dataset *data, enum lm_loss loss, double l2,
	     double v, int batch, char *err, size_t errlen);
void bw_release(struct bw_problem *b);

/* grad f(x) over all training rows. */
void bw_full_gradient(struct bw_problem *b, const double *x, double *out);
/* One machine's message: full = grad f(x); flip: compute on negated labels, unclipped
 * (a label-flipping Byzantine machine). */
void bw_machine_gradient(struct bw_problem *b, const double *x, const double *full,
			 struct rng *r, int flip, double *out);
/* f(x) - f*, for least squares from the quadratic form (no cancellation). */
double bw_excess(const struct bw_problem *b, const double *x);
/* f(x) - f* as the difference of two objectives from linear.c: the verifier's value. */
double bw_excess_by_objective(const struct bw_problem *b, const double *x);

/* Solve the symmetric positive definite a (n x n, row-major, overwritten by its
 * Cholesky factor) x = rhs in place; -1 when a is not positive definite. */
int bw_cholesky_solve(double *a, int n, double *rhs);

#endif
