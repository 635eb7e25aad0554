/* Unit tests for algorithms/models/linear: gradients against finite differences,
 * dense against CSR, mini-batches against full passes, numerical stability. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/models/linear.h"
#include "tests/unit/testutil.h"

TestSuite(linear);

enum { ROWS = 37, COLS = 9 };

/* One random matrix twice: dense and CSR (its zeros, about 40%, left out). */
struct pair {
	struct ds_matrix dense, csr;
	double y_class[ROWS], y_real[ROWS], w[COLS];
};

static void make_pair(struct pair *p, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed, 0);
	memset(p, 0, sizeof(*p));
	tu_random_pair(&p->dense, &p->csr, ROWS, COLS, &r);
	for (int i = 0; i < ROWS; i++) {
		p->y_class[i] = rng_uniform(&r) < 0.5 ? -1.0 : 1.0;
		p->y_real[i] = 2.0 * rng_normal(&r);
	}
	for (int j = 0; j < COLS; j++)
		p->w[j] = 0.7 * rng_normal(&r);
}

static void free_pair(struct pair *p)
{
	ds_matrix_free(&p->dense);
	ds_matrix_free(&p->csr);
}

static struct lm_problem problem(const struct ds_matrix *x, const struct pair *p,
				 enum lm_loss loss, double l2)
{
	const double *y = loss == LM_LOGISTIC ? p->y_class : p->y_real;
	return (struct lm_problem){ .x = x, .y = y, .loss = loss, .l2 = l2 };
}

/* max_j |a_j - b_j| / max_j |b_j| */
static double rel_err(const double *a, const double *b, int n)
{
	double diff = 0.0, scale = 0.0;

	for (int j = 0; j < n; j++) {
		diff = fmax(diff, fabs(a[j] - b[j]));
		scale = fmax(scale, fabs(b[j]));
	}
	return diff / fmax(scale, 1e-300);
}

static double rel(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-300);
}

static void check_finite_differences(const struct lm_problem *pr, const double *w0)
{
	const double h = 1e-5;
	double w[COLS], grad[COLS], fd[COLS];

	memcpy(w, w0, sizeof(w));
	lm_gradient(pr, w, NULL, 0, grad);
	for (int j = 0; j < COLS; j++) {
		w[j] = w0[j] + h;
		double up = lm_objective(pr, w);
		w[j] = w0[j] - h;
		double down = lm_objective(pr, w);
		w[j] = w0[j];
		fd[j] = (up - down) / (2 * h);
	}
	double err = rel_err(grad, fd, COLS);
	cr_assert(err < 1e-6, "%s loss on %s data: gradient vs central differences %.3g",
		  lm_loss_name(pr->loss), pr->x->sparse ? "CSR" : "dense", err);
}

Test(linear, gradient_matches_finite_differences)
{
	struct pair p;

	make_pair(&p, 1);
	for (int loss = LM_LOGISTIC; loss <= LM_SQUARED; loss++) {
		struct lm_problem d = problem(&p.dense, &p, (enum lm_loss)loss, 0.05);
		struct lm_problem s = problem(&p.csr, &p, (enum lm_loss)loss, 0.05);
		check_finite_differences(&d, p.w);
		check_finite_differences(&s, p.w);
	}
	free_pair(&p);
}

Test(linear, dense_and_csr_agree)
{
	struct pair p;
	double gd[COLS], gs[COLS], md[ROWS], ms[ROWS];

	make_pair(&p, 2);
	lm_margins(&p.dense, p.w, md);
	lm_margins(&p.csr, p.w, ms);
	cr_assert(rel_err(md, ms, ROWS) < 1e-12, "margins differ");
	for (int loss = LM_LOGISTIC; loss <= LM_SQUARED; loss++) {
		struct lm_problem d = problem(&p.dense, &p, (enum lm_loss)loss, 1e-3);
		struct lm_problem s = problem(&p.csr, &p, (enum lm_loss)loss, 1e-3);
		double fd = lm_objective(&d, p.w), fs = lm_objective(&s, p.w);
		cr_assert(rel(fd, fs) < 1e-12, "objective dense %.17g csr %.17g", fd, fs);
		lm_gradient(&d, p.w, NULL, 0, gd);
		lm_gradient(&s, p.w, NULL, 0, gs);
		cr_assert(rel_err(gd, gs, COLS) < 1e-12, "%s gradient differs",
			  lm_loss_name(d.loss));
		cr_assert(rel(lm_accuracy(&d, p.w), lm_accuracy(&s, p.w)) < 1e-12);
	}
	free_pair(&p);
}

/* The mini-batch path (ddot/daxpy or CSR rows) over every row against the full path
 * (dgemv, with and without a caller's workspace). */
Test(linear, minibatch_over_all_rows_equals_full_gradient)
{
	struct pair p;
	int64_t all[ROWS];
	double work[ROWS], full[COLS], batch[COLS], with_work[COLS];

	make_pair(&p, 3);
	for (int i = 0; i < ROWS; i++)
		all[i] = i;
	const struct ds_matrix *mats[] = { &p.dense, &p.csr };
	for (int m = 0; m < 2; m++) {
		for (int loss = LM_LOGISTIC; loss <= LM_SQUARED; loss++) {
			struct lm_problem pr = problem(mats[m], &p, (enum lm_loss)loss, 0.02);
			lm_gradient(&pr, p.w, NULL, 0, full);
			lm_gradient(&pr, p.w, all, ROWS, batch);
			cr_assert(rel_err(batch, full, COLS) < 1e-12, "%s %s",
				  mats[m]->sparse ? "CSR" : "dense", lm_loss_name(pr.loss));
			double f = lm_objective(&pr, p.w);
			pr.work = work;
			lm_gradient(&pr, p.w, NULL, 0, with_work);
			cr_assert(rel_err(with_work, full, COLS) < 1e-15);
			cr_assert(rel(lm_objective(&pr, p.w), f) < 1e-15);
		}
	}
	free_pair(&p);
}

/* A batch is a mean over its rows, repeats included: g({3,3,5}) = (2 g({3}) + g({5})) / 3. */
Test(linear, minibatch_is_mean_over_listed_rows)
{
	struct pair p;
	const int64_t batch[] = { 3, 3, 5 }, three[] = { 3 }, five[] = { 5 };
	double g[COLS], g3[COLS], g5[COLS], expected[COLS];

	make_pair(&p, 4);
	struct lm_problem pr = problem(&p.csr, &p, LM_LOGISTIC, 0.1);
	lm_gradient(&pr, p.w, batch, 3, g);
	lm_gradient(&pr, p.w, three, 1, g3);
	lm_gradient(&pr, p.w, five, 1, g5);
	for (int j = 0; j < COLS; j++)
		expected[j] = (2 * g3[j] + g5[j]) / 3;
	cr_assert(rel_err(g, expected, COLS) < 1e-13);
	free_pair(&p);
}

/* The regulariser: (l2/2)|w|^2 in the objective and l2 w in the gradient. */
Test(linear, l2_term)
{
	struct pair p;
	double g0[COLS], g1[COLS];

	make_pair(&p, 5);
	struct lm_problem a = problem(&p.dense, &p, LM_SQUARED, 0.0);
	struct lm_problem b = problem(&p.dense, &p, LM_SQUARED, 0.3);
	double norm2 = 0;
	for (int j = 0; j < COLS; j++)
		norm2 += p.w[j] * p.w[j];
	cr_assert(rel(lm_objective(&b, p.w) - lm_objective(&a, p.w), 0.15 * norm2) < 1e-12);
	lm_gradient(&a, p.w, NULL, 0, g0);
	lm_gradient(&b, p.w, NULL, 0, g1);
	for (int j = 0; j < COLS; j++)
		cr_assert(fabs(g1[j] - g0[j] - 0.3 * p.w[j]) < 1e-14);
	free_pair(&p);
}

Test(linear, objective_at_zero)
{
	struct pair p;
	double zero[COLS] = { 0 };

	make_pair(&p, 6);
	struct lm_problem lg = problem(&p.csr, &p, LM_LOGISTIC, 1.0);
	struct lm_problem sq = problem(&p.csr, &p, LM_SQUARED, 1.0);
	double half_mean_sq = 0;
	for (int i = 0; i < ROWS; i++)
		half_mean_sq += p.y_real[i] * p.y_real[i] / (2.0 * ROWS);
	cr_assert(rel(lm_objective(&lg, zero), log(2.0)) < 1e-15);
	cr_assert(rel(lm_objective(&sq, zero), half_mean_sq) < 1e-14);
	free_pair(&p);
}

/* Margins of +-1000 would overflow exp in log(1 + exp(-z)); a margin of 700 would
 * round 1 + e^-700 to 1 and lose the loss entirely. */
Test(linear, logistic_is_stable_for_large_margins)
{
	double one = 1.0, label = 1.0, grad;
	struct ds_matrix x = { .rows = 1, .cols = 1, .dense = &one };
	struct lm_problem pr = { .x = &x, .y = &label, .loss = LM_LOGISTIC, .l2 = 0.0 };
	double w = -1000.0;

	cr_assert(rel(lm_objective(&pr, &w), 1000.0) < 1e-15, "%g", lm_objective(&pr, &w));
	lm_gradient(&pr, &w, NULL, 0, &grad);
	cr_assert(rel(grad, -1.0) < 1e-15, "gradient %g", grad);
	w = 700.0;
	cr_assert(rel(lm_objective(&pr, &w), exp(-700.0)) < 1e-12, "%g", lm_objective(&pr, &w));
	lm_gradient(&pr, &w, NULL, 0, &grad);
	cr_assert(rel(grad, -exp(-700.0)) < 1e-12, "gradient %g", grad);
}

Test(linear, accuracy_and_r_squared)
{
	double xs[] = { 1, 2, -1, -3 }, labels[] = { 1, -1, -1, -1 }, w = 1.0;
	struct ds_matrix x = { .rows = 4, .cols = 1, .dense = xs };
	struct lm_problem lg = { .x = &x, .y = labels, .loss = LM_LOGISTIC };

	cr_assert(rel(lm_accuracy(&lg, &w), 0.75) < 1e-15, "%g", lm_accuracy(&lg, &w));
	w = -1.0;
	cr_assert(rel(lm_accuracy(&lg, &w), 0.25) < 1e-15);

	double xr[] = { 1, 2, -1, -2 }, ys[] = { 2, 4, -2, -4 }; /* y = 2x, mean 0 */
	struct ds_matrix xreg = { .rows = 4, .cols = 1, .dense = xr };
	struct lm_problem sq = { .x = &xreg, .y = ys, .loss = LM_SQUARED };
	w = 2.0;
	cr_assert(rel(lm_accuracy(&sq, &w), 1.0) < 1e-15);
	w = 0.0;
	cr_assert(fabs(lm_accuracy(&sq, &w)) < 1e-15);
	w = 1.0; /* residuals x: SS_res = 10, SS_tot = 40 */
	cr_assert(rel(lm_accuracy(&sq, &w), 0.75) < 1e-15, "%g", lm_accuracy(&sq, &w));
}

/* X = diag(1, 2, 3): X^T X / n = diag(1, 4, 9) / 3, lambda_max = 3. */
Test(linear, smoothness_of_a_diagonal_matrix)
{
	double xs[] = { 1, 0, 0, 0, 2, 0, 0, 0, 3 }, labels[] = { 1, 1, 1 };
	struct ds_matrix x = { .rows = 3, .cols = 3, .dense = xs };
	struct lm_problem lg = { .x = &x, .y = labels, .loss = LM_LOGISTIC, .l2 = 0.01 };
	struct lm_problem sq = { .x = &x, .y = labels, .loss = LM_SQUARED, .l2 = 0.01 };

	double l_lg = lm_smoothness(&lg, 200), l_sq = lm_smoothness(&sq, 200);
	cr_assert(rel(l_lg, 0.25 * 3.0 + 0.01) < 1e-9, "logistic L %.17g", l_lg);
	cr_assert(rel(l_sq, 3.0 + 0.01) < 1e-9, "squared L %.17g", l_sq);
}

Test(linear, label_checks_and_loss_names)
{
	double xs[] = { 1, 2, 3 }, labels[] = { 1, 0, -1 }, real[] = { 0.5, NAN, 1 };
	struct ds_matrix x = { .rows = 3, .cols = 1, .dense = xs };
	struct lm_problem lg = { .x = &x, .y = labels, .loss = LM_LOGISTIC };
	struct lm_problem sq = { .x = &x, .y = real, .loss = LM_SQUARED };
	struct lm_problem ok = { .x = &x, .y = labels, .loss = LM_SQUARED };
	enum lm_loss loss;

	cr_assert_eq(lm_check_labels(&lg), 1);
	cr_assert_eq(lm_check_labels(&sq), 1);
	cr_assert_eq(lm_check_labels(&ok), -1);
	cr_assert_eq(lm_loss_parse("squared", &loss), 0);
	cr_assert_eq(loss, LM_SQUARED);
	cr_assert_eq(lm_loss_parse("logistic", &loss), 0);
	cr_assert_eq(loss, LM_LOGISTIC);
	cr_assert_eq(lm_loss_parse("hinge", &loss), -1);
	cr_assert_str_eq(lm_loss_name(LM_LOGISTIC), "logistic");
}

/* ---- curvature and Hessian-vector products (gd_full's Newton-CG) ---- */

/* (grad(w + h v) - grad(w - h v)) / 2h against the Hessian product at w, both paths. */
static void check_hessian(const struct lm_problem *p, const double *w, const double *v)
{
	double curv[ROWS], scratch[ROWS], hv[COLS], plus[COLS], minus[COLS];
	double wp[COLS], wm[COLS], fd[COLS], h = 1e-5;

	for (int j = 0; j < COLS; j++) {
		wp[j] = w[j] + h * v[j];
		wm[j] = w[j] - h * v[j];
	}
	lm_curvatures(p, w, curv);
	lm_hessian_times(p, curv, v, scratch, hv);
	lm_gradient(p, wp, NULL, 0, plus);
	lm_gradient(p, wm, NULL, 0, minus);
	for (int j = 0; j < COLS; j++)
		fd[j] = (plus[j] - minus[j]) / (2.0 * h);
	cr_assert(rel_err(hv, fd, COLS) < 1e-6, "%s %s Hessian product off by %g",
		  p->x->sparse ? "CSR" : "dense", lm_loss_name(p->loss), rel_err(hv, fd, COLS));
}

Test(linear, hessian_product_matches_finite_differences)
{
	struct pair p;
	double v[COLS];

	make_pair(&p, 5);
	for (int j = 0; j < COLS; j++)
		v[j] = (j % 3 == 0 ? -1.0 : 0.5) * (1.0 + j);
	for (int loss = LM_LOGISTIC; loss <= LM_SQUARED; loss++) {
		check_hessian(&(struct lm_problem){ .x = &p.dense, .y = loss == LM_LOGISTIC ?
			      p.y_class : p.y_real, .loss = (enum lm_loss)loss, .l2 = 0.03 }, p.w, v);
		check_hessian(&(struct lm_problem){ .x = &p.csr, .y = loss == LM_LOGISTIC ?
			      p.y_class : p.y_real, .loss = (enum lm_loss)loss, .l2 = 0.03 }, p.w, v);
	}
	free_pair(&p);
}

/* The logistic curvature is the slope's derivative, peaks at 1/4 at margin 0, and stays
 * finite (and positive until it underflows) at margins of either sign far out. */
Test(linear, logistic_curvature)
{
	const double margins[] = { -30.0, -2.5, -0.1, 0.0, 0.7, 4.0, 30.0 };
	for (size_t i = 0; i < sizeof(margins) / sizeof(margins[0]); i++) {
		for (double y = -1.0; y <= 1.0; y += 2.0) {
			double m = margins[i], h = 1e-6;
			double fd = (lm_loss_slope(LM_LOGISTIC, m + h, y) -
				     lm_loss_slope(LM_LOGISTIC, m - h, y)) / (2.0 * h);
			double c = lm_loss_curvature(LM_LOGISTIC, m, y);
			cr_assert(fabs(c - fd) < 1e-8, "margin %g y %g: %.17g vs %.17g", m, y, c, fd);
			cr_assert(c > 0.0 && c <= 0.25);
		}
	}
	cr_assert_eq(lm_loss_curvature(LM_LOGISTIC, 0.0, 1.0), 0.25);
	cr_assert_eq(lm_loss_curvature(LM_SQUARED, 123.0, -4.0), 1.0);
	cr_assert(lm_loss_curvature(LM_LOGISTIC, 800.0, 1.0) >= 0.0);
	cr_assert(isfinite(lm_loss_curvature(LM_LOGISTIC, -800.0, 1.0)));
}
