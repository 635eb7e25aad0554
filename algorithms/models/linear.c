/*
 * linear: objective, gradient, accuracy and smoothness of L2-regularised logistic and
 * least-squares regression over a dense or CSR ds_matrix.
 *
 * Dense all-rows work is two dgemv calls (margins = X w, then X^T r); a mini-batch is
 * one ddot and one daxpy per row, so it allocates nothing. CSR loops are plain C.
 */
#include "algorithms/models/linear.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int lm_loss_parse(const char *name, enum lm_loss *out)
{
	if (strcmp(name, "logistic") == 0) {
		*out = LM_LOGISTIC;
		return 0;
	}
	if (strcmp(name, "squared") == 0) {
		*out = LM_SQUARED;
		return 0;
	}
	return -1;
}

const char *lm_loss_name(enum lm_loss loss)
{
	return loss == LM_LOGISTIC ? "logistic" : "squared";
}

int64_t lm_check_labels(const struct lm_problem *p)
{
	for (int64_t i = 0; i < p->x->rows; i++) {
		double y = p->y[i];
		bool ok = p->loss == LM_LOGISTIC ? (y == 1.0 || y == -1.0) : isfinite(y);
		if (!ok)
			return i;
	}
	return -1;
}

/* CBLAS takes int dimensions; larger dense matrices take the row-by-row path. */
static bool dense_fits_blas(const struct ds_matrix *x)
{
	return !x->sparse && x->rows <= INT_MAX && x->cols <= INT_MAX;
}

double lm_row_dot(const struct ds_matrix *x, int64_t row, const double *w)
{
	if (!x->sparse)
		return cblas_ddot((int)x->cols, x->dense + row * x->cols, 1, w, 1);
	double sum = 0.0;
	for (int64_t k = x->rowptr[row]; k < x->rowptr[row + 1]; k++)
		sum += x->values[k] * w[x->colidx[k]];
	return sum;
}

/* grad += coef * x_row */
static void add_row(const struct ds_matrix *x, int64_t row, double coef, double *grad)
{
	if (!x->sparse) {
		cblas_daxpy((int)x->cols, coef, x->dense + row * x->cols, 1, grad, 1);
		return;
	}
	for (int64_t k = x->rowptr[row]; k < x->rowptr[row + 1]; k++)
		grad[x->colidx[k]] += coef * x->values[k];
}

void lm_margins(const struct ds_matrix *x, const double *w, double *margins)
{
	if (x->rows == 0)
		return;
	if (dense_fits_blas(x) && x->cols > 0) {
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)x->rows, (int)x->cols, 1.0,
			    x->dense, (int)x->cols, w, 1, 0.0, margins, 1);
		return;
	}
	for (int64_t i = 0; i < x->rows; i++)
		margins[i] = lm_row_dot(x, i, w);
}

/* out = alpha X^T r + beta out */
static void transposed_times(const struct ds_matrix *x, double alpha, const double *r,
			     double beta, double *out)
{
	if (dense_fits_blas(x) && x->rows > 0 && x->cols > 0) {
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)x->rows, (int)x->cols, alpha,
			    x->dense, (int)x->cols, r, 1, beta, out, 1);
		return;
	}
	for (int64_t j = 0; j < x->cols; j++)
		out[j] = beta == 0.0 ? 0.0 : beta * out[j]; /* beta = 0 ignores out, as in BLAS */
	for (int64_t i = 0; i < x->rows; i++)
		add_row(x, i, alpha * r[i], out);
}

double lm_loss_value(enum lm_loss loss, double margin, double y)
{
	if (loss == LM_SQUARED)
		return 0.5 * (margin - y) * (margin - y);
	/* log(1 + e^-z) = max(-z, 0) + log1p(e^-|z|): exp never overflows and a large
	 * positive z keeps its tiny loss instead of rounding 1 + e^-z to 1. */
	double z = y * margin;
	if (z >= 0.0)
		return log1p(exp(-z));
	return -z + log1p(exp(z));
}

double lm_loss_slope(enum lm_loss loss, double margin, double y)
{
	if (loss == LM_SQUARED)
		return margin - y;
	/* d/dm log(1 + e^{-y m}) = -y / (1 + e^{y m}), written so exp only sees -|z|. */
	double z = y * margin;
	if (z >= 0.0) {
		double e = exp(-z);
		return -y * e / (1.0 + e);
	}
	return -y / (1.0 + exp(z));
}

/* The dense all-rows scratch: the caller's, a fresh one (*owned set), or NULL (CSR, or
 * no memory: the caller then takes the row-by-row path). */
static double *all_rows_work(const struct lm_problem *p, bool *owned)
{
	*owned = false;
	if (!dense_fits_blas(p->x) || p->x->rows == 0)
		return NULL;
	if (p->work)
		return p->work;
	double *work = malloc((size_t)p->x->rows * sizeof(*work));
	*owned = work != NULL;
	return work;
}

static double regulariser(const struct lm_problem *p, const double *w)
{
	double sq = 0.0;
	for (int64_t j = 0; j < p->x->cols; j++)
		sq += w[j] * w[j];
	return 0.5 * p->l2 * sq;
}

double lm_objective(const struct lm_problem *p, const double *w)
{
	const struct ds_matrix *x = p->x;
	double sum = 0.0;
	bool owned;
	double *margins = all_rows_work(p, &owned);

	if (x->rows == 0)
		return regulariser(p, w);
	if (margins)
		lm_margins(x, w, margins);
	for (int64_t i = 0; i < x->rows; i++) {
		double m = margins ? margins[i] : lm_row_dot(x, i, w);
		sum += lm_loss_value(p->loss, m, p->y[i]);
	}
	if (owned)
		free(margins);
	return sum / (double)x->rows + regulariser(p, w);
}

/* Dense all rows: r_i = loss'(x_i.w, y_i) / n, then grad += X^T r in one dgemv. */
static void gradient_dense_all(const struct lm_problem *p, const double *w, double *r,
			       double *grad)
{
	const struct ds_matrix *x = p->x;
	double inv_n = 1.0 / (double)x->rows;

	lm_margins(x, w, r);
	for (int64_t i = 0; i < x->rows; i++)
		r[i] = lm_loss_slope(p->loss, r[i], p->y[i]) * inv_n;
	transposed_times(x, 1.0, r, 1.0, grad);
}

void lm_gradient(const struct lm_problem *p, const double *w, const int64_t *rows,
		 int64_t nrows, double *grad)
{
	const struct ds_matrix *x = p->x;

	for (int64_t j = 0; j < x->cols; j++)
		grad[j] = p->l2 * w[j];
	if (!rows)
		nrows = x->rows;
	if (nrows <= 0)
		return;
	if (!rows) {
		bool owned;
		double *work = all_rows_work(p, &owned);
		if (work) {
			gradient_dense_all(p, w, work, grad);
			if (owned)
				free(work);
			return;
		}
	}
	double inv_n = 1.0 / (double)nrows;
	for (int64_t k = 0; k < nrows; k++) {
		int64_t i = rows ? rows[k] : k;
		double slope = lm_loss_slope(p->loss, lm_row_dot(x, i, w), p->y[i]);
		add_row(x, i, slope * inv_n, grad);
	}
}

static double classification_accuracy(const struct lm_problem *p, const double *w)
{
	int64_t correct = 0;

	for (int64_t i = 0; i < p->x->rows; i++) {
		bool positive = lm_row_dot(p->x, i, w) > 0.0;
		correct += positive == (p->y[i] > 0.0);
	}
	return (double)correct / (double)p->x->rows;
}

static double r_squared(const struct lm_problem *p, const double *w)
{
	int64_t n = p->x->rows;
	double mean = 0.0, ss_res = 0.0, ss_tot = 0.0;

	for (int64_t i = 0; i < n; i++)
		mean += p->y[i];
	mean /= (double)n;
	for (int64_t i = 0; i < n; i++) {
		double res = p->y[i] - lm_row_dot(p->x, i, w);
		ss_res += res * res;
		ss_tot += (p->y[i] - mean) * (p->y[i] - mean);
	}
	return ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : 0.0;
}

double lm_accuracy(const struct lm_problem *p, const double *w)
{
	if (p->x->rows == 0)
		return 0.0;
	return p->loss == LM_LOGISTIC ? classification_accuracy(p, w) : r_squared(p, w);
}

/* One power-iteration step on X^T X / n: u = (X^T X / n) v, then v = u / |u|. Returns
 * the Rayleigh quotient v.u (|v| = 1 on entry), at most lambda_max; -1 once u = 0. */
static double power_step(const struct ds_matrix *x, double *v, double *u, double *m)
{
	double lambda = 0.0, norm = 0.0;

	lm_margins(x, v, m);
	transposed_times(x, 1.0 / (double)x->rows, m, 0.0, u);
	for (int64_t j = 0; j < x->cols; j++) {
		lambda += v[j] * u[j];
		norm += u[j] * u[j];
	}
	if (norm == 0.0)
		return -1.0;
	norm = sqrt(norm);
	for (int64_t j = 0; j < x->cols; j++)
		v[j] = u[j] / norm;
	return lambda;
}

double lm_smoothness(const struct lm_problem *p, int iters)
{
	const struct ds_matrix *x = p->x;
	double curvature = p->loss == LM_LOGISTIC ? 0.25 : 1.0;
	double lambda = 0.0;

	if (x->rows == 0 || x->cols == 0)
		return p->l2;
	double *v = malloc((size_t)x->cols * sizeof(*v));
	double *u = malloc((size_t)x->cols * sizeof(*u));
	double *m = malloc((size_t)x->rows * sizeof(*m));
	if (v && u && m) {
		/* A fixed start keeps the estimate reproducible; it is orthogonal to the top
		 * eigenvector only for contrived data. */
		for (int64_t j = 0; j < x->cols; j++)
			v[j] = 1.0 / sqrt((double)x->cols);
		for (int it = 0; it < iters; it++) {
			double next = power_step(x, v, u, m);
			if (next < 0.0)
				break;
			lambda = next;
		}
	}
	bool ok = v && u && m;
	free(v);
	free(u);
	free(m);
	return ok ? curvature * lambda + p->l2 : -1.0;
}

double lm_loss_curvature(enum lm_loss loss, double margin, double y)
{
	if (loss == LM_SQUARED)
		return 1.0;
	/* s (1 - s) = e^{-|z|} / (1 + e^{-|z|})^2: symmetric in z, exp never overflows. */
	double e = exp(-fabs(y * margin));
	return e / ((1.0 + e) * (1.0 + e));
}

void lm_curvatures(const struct lm_problem *p, const double *w, double *curv)
{
	const struct ds_matrix *x = p->x;

	if (x->rows == 0)
		return;
	double inv_n = 1.0 / (double)x->rows;
	lm_margins(x, w, curv);
	for (int64_t i = 0; i < x->rows; i++)
		curv[i] = lm_loss_curvature(p->loss, curv[i], p->y[i]) * inv_n;
}

void lm_hessian_times(const struct lm_problem *p, const double *curv, const double *v,
		      double *scratch, double *out)
{
	const struct ds_matrix *x = p->x;

	if (x->rows == 0) {
		for (int64_t j = 0; j < x->cols; j++)
			out[j] = p->l2 * v[j];
		return;
	}
	lm_margins(x, v, scratch);
	for (int64_t i = 0; i < x->rows; i++)
		scratch[i] *= curv[i];
	transposed_times(x, 1.0, scratch, 0.0, out);
	for (int64_t j = 0; j < x->cols; j++)
		out[j] += p->l2 * v[j];
}
