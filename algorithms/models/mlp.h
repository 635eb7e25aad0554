/*
 * mlp: a one-hidden-layer softmax network, the small non-convex model of the SGD
 * families: z = W2 tanh(W1 x + b1) + b2, loss = cross-entropy of softmax(z) against
 * the class label, objective = mean loss + (l2/2)|w|^2. tanh keeps the objective
 * smooth, as the non-convex theorem of arXiv 1809.10505 assumes. Dense features only;
 * batches go through CBLAS dgemm.
 *
 * Parameter layout in w: W1 (hidden x inputs, row-major), b1 (hidden), W2 (classes x
 * hidden), b2 (classes).
 */
#ifndef MLP_H
#define MLP_H

#include <stdint.h>

#include "datasets/dataset.h"

struct mlp {
	int64_t inputs, hidden, classes;
	double l2;
};

int64_t mlp_param_count(const struct mlp *m);

/* Glorot-uniform weights from `seed`, zero biases. */
void mlp_init(const struct mlp *m, double *w, uint64_t seed);

/* Index of the first label that is not an integer in [0, classes), or -1. */
int64_t mlp_check_labels(const struct mlp *m, const struct ds_matrix *x, const double *y);

/* grad = gradient of the mean loss over rows[0..nrows) (repeats count twice) + l2 w.
 * 0, or -1 when out of memory (grad is then unspecified). */
int mlp_gradient(const struct mlp *m, const struct ds_matrix *x, const double *y,
		 const double *w, const int64_t *rows, int64_t nrows, double *grad);

/* Mean loss over all rows + (l2/2)|w|^2; NAN when out of memory. */
double mlp_objective(const struct mlp *m, const struct ds_matrix *x, const double *y,
		     const double *w);

/* Fraction of rows whose largest logit is their label (lowest class on ties). */
double mlp_accuracy(const struct mlp *m, const struct ds_matrix *x, const double *y,
		    const double *w);

#endif
