/* workers: the simulated machines' gradients and the problem's optimum (workers.h). */
#include "algorithms/byzantine_sgd/workers.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/models/liblinear_ref.h"

/* LIBLINEAR's tolerance for f* (liblinear_ref.h: far better than 1e-9 relative). */
#define BW_LIBLINEAR_EPS 1e-8

int bw_cholesky_solve(double *a, int n, double *rhs)
{
	for (int j = 0; j < n; j++) {
		double s = a[j * n + j];
		for (int k = 0; k < j; k++)
			s -= a[j * n + k] * a[j * n + k];
		if (!(s > 0.0))
			return -1;
		a[j * n + j] = sqrt(s);
		for (int i = j + 1; i < n; i++) {
			double t = a[i * n + j];
			for (int k = 0; k < j; k++)
				t -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = t / a[j * n + j];
		}
	}
	for (int i = 0; i < n; i++) {   /* L z = rhs */
		for (int k = 0; k < i; k++)
			rhs[i] -= a[i * n + k] * rhs[k];
		rhs[i] /= a[i * n + i];
	}
	for (int i = n - 1; i >= 0; i--) {   /* L^T x = z */
		for (int k = i + 1; k < n; k++)
			rhs[i] -= a[k * n + i] * rhs[k];
		rhs[i] /= a[i * n + i];
	}
	return 0;
}

/* H = X^T X / n + l2 I (full, symmetric) and c = X^T y / n; x* from H x* = c. */
static int setup_squared(struct bw_problem *b, char *err, size_t errlen)
{
	const struct ds_matrix *x = b->p.x;
	int d = b->d;
	if (x->sparse) {
		snprintf(err, errlen, "least squares here needs dense features (it forms X^T X)");
		return -1;
	}
	b->h = calloc((size_t)d * d, sizeof(double));
	b->c = calloc((size_t)d, sizeof(double));
	double *chol = malloc((size_t)d * d * sizeof(double));
	if (!b->h || !b->c || !chol) {
		free(chol);
		snprintf(err, errlen, "no memory for a %d x %d Gram matrix", d, d);
		return -1;
	}
	double inv_n = 1.0 / (double)b->n;
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)b->n, inv_n, x->dense, d, 0.0,
		    b->h, d);
	for (int i = 0; i < d; i++) {
		b->h[i * d + i] += b->p.l2;
		for (int j = 0; j < i; j++)
			b->h[i * d + j] = b->h[j * d + i];
	}
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)b->n, d, inv_n, x->dense, d, b->p.y, 1, 0.0,
		    b->c, 1);
	memcpy(chol, b->h, (size_t)d * d * sizeof(double));
	memcpy(b->x_star, b->c, (size_t)d * sizeof(double));
	int rc = bw_cholesky_solve(chol, d, b->x_star);
	free(chol);
	if (rc != 0)
		snprintf(err, errlen, "X^T X / n + l2 I is singular: give more rows or l2 > 0");
	return rc;
}

int bw_setup(struct bw_problem *b, const struct ds_dataset *data, enum lm_loss loss, double l2,
	     double v, int batch, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (!data || data->train.x.rows < 2 || data->train.x.cols < 1) {
		snprintf(err, errlen, "needs a dataset with at least two training rows and a feature");
		return -1;
	}
	b->p = (struct lm_problem){ .x = &data->train.x, .y = data->train.y, .loss = loss, .l2 = l2 };
	b->d = (int)data->train.x.cols;
	b->n = data->train.x.rows;
	b->v = v;
	b->batch = batch;
	int64_t bad = lm_check_labels(&b->p);
	if (bad >= 0) {
		snprintf(err, errlen, "%s loss cannot take the label %g of train row %lld",
			 lm_loss_name(loss), b->p.y[bad], (long long)bad);
		return -1;
	}
	b->x_star = calloc((size_t)b->d, sizeof(double));
	b->rows = malloc((size_t)batch * sizeof(int64_t));
	b->y_flipped = malloc((size_t)b->n * sizeof(double));
	b->p.work = malloc((size_t)b->n * sizeof(double));
	if (!b->x_star || !b->rows || !b->y_flipped || !b->p.work) {
		snprintf(err, errlen, "no memory for %lld rows", (long long)b->n);
		return -1;
	}
	for (int64_t i = 0; i < b->n; i++)
		b->y_flipped[i] = -b->p.y[i];
	b->flipped = b->p;
	b->flipped.y = b->y_flipped;
	b->flipped.work = NULL;
	int rc = loss == LM_SQUARED ? setup_squared(b, err, errlen)
				    : llr_optimum(&b->p, BW_LIBLINEAR_EPS, b->x_star, err, errlen);
	if (rc == 0)
		b->f_star = lm_objective(&b->p, b->x_star);
	return rc;
}

void bw_release(struct bw_problem *b)
{
	free(b->p.work);
	free(b->y_flipped);
	free(b->h);
	free(b->c);
	free(b->x_star);
	free(b->rows);
	memset(b, 0, sizeof(*b));
}

void bw_full_gradient(struct bw_problem *b, const double *x, double *out)
{
	if (b->p.loss != LM_SQUARED) {
		lm_gradient(&b->p, x, NULL, 0, out);
		return;
	}
	memcpy(out, b->c, (size_t)b->d * sizeof(double));
	cblas_dsymv(CblasRowMajor, CblasUpper, b->d, 1.0, b->h, b->d, x, 1, -1.0, out, 1);
}

/* out = full + V u, u uniform on the unit sphere (a normalised Gaussian vector). */
static void sphere_noise(const struct bw_problem *b, const double *full, struct rng *r,
			 double *out)
{
	double n2 = 0.0;
	for (int j = 0; j < b->d; j++) {
		out[j] = rng_normal(r);
		n2 += out[j] * out[j];
	}
	double s = n2 > 0.0 ? b->v / sqrt(n2) : 0.0;
	for (int j = 0; j < b->d; j++)
		out[j] = full[j] + s * out[j];
}

void bw_machine_gradient(struct bw_problem *b, const double *x, const double *full,
			 struct rng *r, int flip, double *out)
{
	if (b->p.loss == LM_SQUARED) {
		sphere_noise(b, full, r, out);
		return;
	}
	for (int t = 0; t < b->batch; t++)
		b->rows[t] = (int64_t)rng_below(r, (uint64_t)b->n);
	lm_gradient(flip ? &b->flipped : &b->p, x, b->rows, b->batch, out);
	if (flip)
		return;
	double n2 = 0.0;
	for (int j = 0; j < b->d; j++)
		n2 += (out[j] - full[j]) * (out[j] - full[j]);
	double s = n2 > b->v * b->v ? b->v / sqrt(n2) : 1.0;
	for (int j = 0; j < b->d; j++)
		out[j] = full[j] + s * (out[j] - full[j]);
}

double bw_excess(const struct bw_problem *b, const double *x)
{
	if (b->p.loss != LM_SQUARED)
		return lm_objective(&b->p, x) - b->f_star;
	double q = 0.0;
	for (int i = 0; i < b->d; i++) {
		double row = 0.0;
		for (int j = 0; j < b->d; j++)
			row += b->h[i * b->d + j] * (x[j] - b->x_star[j]);
		q += (x[i] - b->x_star[i]) * row;
	}
	return 0.5 * q;
}

double bw_excess_by_objective(const struct bw_problem *b, const double *x)
{
	return lm_objective(&b->p, x) - lm_objective(&b->p, b->x_star);
}
