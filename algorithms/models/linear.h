/*
 * linear: L2-regularised linear models over a ds_matrix (dense row-major or CSR),
 * shared by every SGD family. The objective is the mean loss over rows plus
 * (l2 / 2) ||w||^2:
 *   logistic  log(1 + exp(-y x.w)),  labels in {-1, +1}
 *   squared   (x.w - y)^2 / 2,       real labels
 * Dense data goes through CBLAS; CSR loops are written here. Nothing here uses
 * OpenMP: results do not depend on the thread count (OpenBLAS may thread a dense
 * dgemv, which changes nothing but the summation order of the transposed product).
 */
#ifndef LINEAR_H
#define LINEAR_H

#include <stdint.h>

#include "datasets/dataset.h"

enum lm_loss { LM_LOGISTIC, LM_SQUARED };

struct lm_problem {
	const struct ds_matrix *x;
	const double *y;       /* x->rows labels */
	enum lm_loss loss;
	double l2;
	/* Optional scratch of x->rows doubles for the dense all-rows path (dgemv). NULL:
	 * it is allocated per call, or the row-by-row path runs if that fails. */
	double *work;
};

/* "logistic" / "squared"; -1 when `name` is neither. */
int lm_loss_parse(const char *name, enum lm_loss *out);
const char *lm_loss_name(enum lm_loss loss);

/* Index of the first label the loss cannot take (logistic: not exactly -1 or +1;
 * squared: not finite), or -1 when all are fine. */
int64_t lm_check_labels(const struct lm_problem *p);

/* x_row . w */
double lm_row_dot(const struct ds_matrix *x, int64_t row, const double *w);
/* margins[i] = x_i . w for every row. */
void lm_margins(const struct ds_matrix *x, const double *w, double *margins);

/* Loss of one example with margin m = x.w and label y, and its derivative in m. */
double lm_loss_value(enum lm_loss loss, double margin, double y);
double lm_loss_slope(enum lm_loss loss, double margin, double y);

/* Mean loss over all rows + (l2/2) ||w||^2. */
double lm_objective(const struct lm_problem *p, const double *w);

/* grad = gradient of the mean loss over `rows` (nrows indices, repeats count twice;
 * rows == NULL: all rows) + l2 w. A mini-batch call allocates nothing. */
void lm_gradient(const struct lm_problem *p, const double *w, const int64_t *rows,
		 int64_t nrows, double *grad);

/* Logistic: fraction of rows with sign(x.w) == y (x.w = 0 counts as -1).
 * Squared: the coefficient of determination R^2 = 1 - SS_res / SS_tot (0 when the
 * labels have no variance). 0 for an empty matrix. */
double lm_accuracy(const struct lm_problem *p, const double *w);

/* Smoothness constant of the objective, L = c lambda_max(X^T X / n) + l2 with c = 1/4
 * (logistic: the loss's second derivative is at most 1/4) or 1 (squared), lambda_max
 * from `iters` power iterations (a lower estimate that converges from below). Gradient
 * descent is stable for steps below 2 / L. -1 on allocation failure. */
double lm_smoothness(const struct lm_problem *p, int iters);

/* Second derivative of the loss in the margin: logistic s (1 - s) with s = 1 / (1 +
 * e^{-y m}) (labels +-1, so y^2 = 1); squared 1. */
double lm_loss_curvature(enum lm_loss loss, double margin, double y);

/* curv[i] = loss''(x_i.w, y_i) / n for every row: the diagonal D of the Hessian of the
 * objective at w, X^T D X + l2 I. */
void lm_curvatures(const struct lm_problem *p, const double *w, double *curv);

/* out = (X^T diag(curv) X + l2 I) v: the Hessian at the w that gave curv
 * (lm_curvatures) times v, two passes over the data. scratch holds x->rows doubles. */
void lm_hessian_times(const struct lm_problem *p, const double *curv, const double *v,
		      double *scratch, double *out);

#endif
