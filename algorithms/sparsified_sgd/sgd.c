/*
 * sgd: dense mini-batch SGD and the reference optimum, the baselines of
 *   D. Alistarh, T. Hoefler, M. Johansson, S. Khirirat, N. Konstantinov, C. Renggli,
 *   "The Convergence of Sparsified Gradient Methods", NeurIPS 2018, arXiv 1809.10505.
 * TopK SGD sends only the K largest coordinates of each (error-corrected) gradient and
 * keeps the rest as memory for the next step; with K = n nothing is dropped and it is
 * plain mini-batch SGD, `sgd` here. `gd_full` finds the optimum that the convergence
 * plots and claims are measured against: full-batch Newton-CG (a truncated Newton
 * method on full gradients and Hessian-vector products) run until the gradient norm is
 * grad_tol of its start. Plain gradient descent needs O(L / l2) passes, tens of
 * thousands at l2 = 1e-4; Newton-CG needs a few hundred.
 *
 * Both minimise f(w) = mean_i loss(x_i.w, y_i) + (l2/2)|w|^2 (algorithms/models/linear)
 * on the train split from w = 0. Verifiers: the final objective is recomputed with a
 * plain double loop that shares no code with linear.c or BLAS (task.c); for gd_full
 * also the gradient norm, likewise, against grad_tol, and the objective against
 * LIBLINEAR's optimum of the same problem (algorithms/models/liblinear_ref).
 */
#include "algorithms/sparsified_sgd/sgd.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/models/liblinear_ref.h"
#include "algorithms/models/linear.h"
#include "algorithms/sparsified_sgd/task.h"

/* Conjugate-gradient steps per Newton direction at most (and at most dim + 1). */
#define GD_CG_MAX 500
/* CG stops once its residual is this fraction of the gradient norm gd_full must reach. */
#define GD_CG_TARGET 0.1
/* Armijo's sufficient-decrease constant and the halvings a line search may take. */
#define GD_ARMIJO 1e-4
#define GD_LINE_SEARCH_TRIES 40
/* A predicted decrease below this fraction of |f| is within f's rounding (a sum of n
 * terms, each rounded to 1e-16 relative). */
#define GD_ROUNDING 1e-13
/* LIBLINEAR's stopping tolerance for the verifier's optimum, and the relative agreement
 * asked of the two objectives (both solvers stop far closer to the optimum). */
#define GD_LIBLINEAR_EPS 1e-8
#define GD_LIBLINEAR_AGREEMENT 1e-6
/* Relative agreement the verifier asks of the two objective computations: they differ
 * only in summation order (and BLAS's), about 1e-15 in practice. */
#define VERIFY_TOLERANCE 1e-9

static const struct rb_param_spec sgd_params[] = {
	{ "lr", RB_REAL, "0.5", 1e-12, 100, NULL, "initial step size" },
	{ "lr_decay", RB_REAL, "1", 0, 1e6, NULL,
	  "step at fractional epoch e is lr / (1 + lr_decay * e); 0 keeps it constant" },
	{ "batch", RB_INT, "64", 1, 1e6, NULL, "examples per mini-batch gradient" },
	{ "epochs", RB_INT, "10", 1, 1e5, NULL, "passes over the shuffled training set" },
	{ "l2", RB_REAL, "1e-4", 0, 1e6, NULL, "L2 regularisation: the objective adds (l2/2)|w|^2" },
	{ "loss", RB_CHOICE, "logistic", 0, 0, "logistic|squared",
	  "logistic (labels -1/+1; test_accuracy is the accuracy) or squared (test_accuracy is R^2)" },
	{ 0 },
};

static const struct rb_param_spec gd_full_params[] = {
	{ "grad_tol", RB_REAL, "1e-8", 1e-15, 1, NULL,
	  "stop once |grad f(w)| <= grad_tol |grad f(0)|; a run that does not get there fails "
	  "verification" },
	{ "max_iterations", RB_INT, "100", 1, 1e5, NULL,
	  "cap on Newton iterations (each: one gradient, at most 500 Hessian products, a line search)" },
	{ "l2", RB_REAL, "1e-4", 0, 1e6, NULL, "L2 regularisation: the objective adds (l2/2)|w|^2" },
	{ "loss", RB_CHOICE, "logistic", 0, 0, "logistic|squared",
	  "logistic (labels -1/+1; test_accuracy is the accuracy) or squared (test_accuracy is R^2)" },
	{ 0 },
};

/* What both algorithms train and evaluate on. */
struct lm_task {
	struct lm_problem train, test;
	int64_t dim;
};

struct evaluation {
	double loss, test_accuracy;
};

static int lm_task_setup(const struct rb_run *run, struct rb_recorder *rec, struct lm_task *t)
{
	const struct ds_dataset *d = run->data;
	const char *loss_name = rb_param_str(run, "loss");
	enum lm_loss loss;

	if (!d || d->train.x.rows == 0)
		return rb_fail(rec, RB_INVALID_INPUT, "needs a dataset with training rows");
	if (d->train.x.cols == 0)
		return rb_fail(rec, RB_INVALID_INPUT, "the dataset has no features");
	if (lm_loss_parse(loss_name, &loss) != 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown loss '%s'", loss_name);
	/* w has the train split's width; a narrower test split reads a prefix of it. */
	if (d->test.x.rows > 0 && d->test.x.cols > d->train.x.cols)
		return rb_fail(rec, RB_INVALID_INPUT, "the test split has %lld features, train %lld",
			       (long long)d->test.x.cols, (long long)d->train.x.cols);
	double l2 = rb_param_real(run, "l2");
	t->train = (struct lm_problem){ .x = &d->train.x, .y = d->train.y, .loss = loss, .l2 = l2 };
	t->test = (struct lm_problem){ .x = &d->test.x, .y = d->test.y, .loss = loss, .l2 = l2 };
	t->dim = d->train.x.cols;
	int rc = task_check_labels(rec, &t->train, "train");
	return rc ? rc : task_check_labels(rec, &t->test, "test");
}

/* Training objective and test accuracy at `step`, outside the algorithm's timing. */
static struct evaluation evaluate(struct rb_recorder *rec, const struct lm_task *t,
				  const double *w, double step)
{
	struct evaluation e = { .test_accuracy = NAN };

	rb_eval_begin(rec);
	e.loss = lm_objective(&t->train, w);
	rb_record(rec, step, "loss", e.loss);
	if (t->test.x->rows > 0) {
		e.test_accuracy = lm_accuracy(&t->test, w);
		rb_record(rec, step, "test_accuracy", e.test_accuracy);
	}
	rb_eval_end(rec);
	return e;
}

static void summarise(struct rb_recorder *rec, const struct lm_task *t, struct evaluation e)
{
	rb_summary(rec, "final_loss", e.loss);
	if (t->test.x->rows > 0)
		rb_summary(rec, "final_test_accuracy", e.test_accuracy);
}

static void verify_objective(struct rb_recorder *rec, const struct lm_task *t, const double *w,
			     double objective)
{
	rb_eval_begin(rec);
	double reference = task_linear_reference_objective(&t->train, w);
	double rel = fabs(objective - reference) / fmax(fabs(reference), DBL_MIN);
	rb_log(rec, "verifier: objective %.17g, recomputed %.17g, relative difference %.3g",
	       objective, reference, rel);
	rb_verify(rec, rel < VERIFY_TOLERANCE, "objective recomputed independently");
	rb_eval_end(rec);
}

/* The dense-data scratch lm_ uses for all-rows passes: one allocation per run. */
static int attach_workspace(struct lm_task *t)
{
	if (t->train.x->sparse)
		return 0;
	t->train.work = malloc((size_t)t->train.x->rows * sizeof(double));
	return t->train.work ? 0 : -1;
}

/* One pass over the rows in `order`, in mini-batches. The step decays with the
 * fractional epoch, lr / (1 + lr_decay e): the O(1/t) schedule under which SGD
 * converges on a strongly convex objective (Bottou, Curtis and Nocedal, arXiv
 * 1606.04838, Theorem 4.7: steps beta / (gamma + k)). */
static void sgd_epoch(const struct lm_problem *p, double *w, double *grad, const int64_t *order,
		      int64_t batch, double lr, double lr_decay, int64_t epoch)
{
	int64_t n = p->x->rows;
	int dim = (int)p->x->cols;

	for (int64_t start = 0; start < n; start += batch) {
		int64_t size = batch < n - start ? batch : n - start;
		double progress = (double)epoch + (double)start / (double)n;
		double step = lr / (1.0 + lr_decay * progress);
		lm_gradient(p, w, order + start, size, grad);
		cblas_daxpy(dim, -step, grad, 1, w, 1);
	}
}

struct sgd_buffers {
	double *w, *grad;
	int64_t *order;
};

static void sgd_buffers_free(struct sgd_buffers *b, struct lm_task *t)
{
	free(b->w);
	free(b->grad);
	free(b->order);
	free(t->train.work);
}

static int sgd_train(const struct rb_run *run, struct rb_recorder *rec, struct lm_task *t,
		     struct sgd_buffers *b)
{
	int64_t n = t->train.x->rows;
	long long epochs = rb_param_int(run, "epochs");
	int64_t batch = rb_param_int(run, "batch");
	double lr = rb_param_real(run, "lr"), lr_decay = rb_param_real(run, "lr_decay");
	struct rng rng;

	rng_seed(&rng, run->seed, 0);
	for (int64_t i = 0; i < n; i++)
		b->order[i] = i;
	struct evaluation e = evaluate(rec, t, b->w, 0);
	long long epoch;
	for (epoch = 1; epoch <= epochs; epoch++) {
		rng_shuffle_int(&rng, b->order, n);
		sgd_epoch(&t->train, b->w, b->grad, b->order, batch, lr, lr_decay, epoch - 1);
		e = evaluate(rec, t, b->w, (double)epoch);
		if (rb_diverged(rec))
			return rb_fail(rec, RB_DIVERGED, "training objective %g after epoch %lld "
				       "(lr %g may be too large)", e.loss, epoch, lr);
	}
	summarise(rec, t, e);
	rb_summary(rec, "epochs_run", (double)epochs);
	verify_objective(rec, t, b->w, e.loss);
	return 0;
}

static int sgd_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct lm_task t = { 0 };
	struct sgd_buffers b = { 0 };
	int rc = lm_task_setup(run, rec, &t);

	if (rc)
		return rc;
	b.w = calloc((size_t)t.dim + 1, sizeof(*b.w));
	b.grad = malloc(((size_t)t.dim + 1) * sizeof(*b.grad));
	b.order = malloc((size_t)t.train.x->rows * sizeof(*b.order));
	if (!b.w || !b.grad || !b.order || attach_workspace(&t) != 0) {
		sgd_buffers_free(&b, &t);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %lld features, %lld rows",
			       (long long)t.dim, (long long)t.train.x->rows);
	}
	rb_log(rec, "sgd: %lld x %lld %s train rows, %s loss", (long long)t.train.x->rows,
	       (long long)t.dim, t.train.x->sparse ? "CSR" : "dense", lm_loss_name(t.train.loss));
	rc = sgd_train(run, rec, &t, &b);
	sgd_buffers_free(&b, &t);
	return rc;
}

static double norm2(const double *v, int64_t n)
{
	return cblas_dnrm2((int)n, v, 1);
}

static double dot(const double *a, const double *b, int64_t n)
{
	return cblas_ddot((int)n, a, 1, b, 1);
}

/* gd_full's working set: vectors of the model's size, and two of the row count. */
struct newton {
	int64_t dim;
	double *w, *grad, *dir, *res, *conj, *hconj, *trial;
	double *curv, *scratch;
	double loss, grad_norm;
	long long hessian_products, passes;
};

static void newton_free(struct newton *nt, struct lm_task *t)
{
	double **v[] = { &nt->w, &nt->grad, &nt->dir, &nt->res, &nt->conj, &nt->hconj,
			 &nt->trial, &nt->curv, &nt->scratch };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		free(*v[i]);
		*v[i] = NULL;
	}
	free(t->train.work);
	t->train.work = NULL;
}

static int newton_alloc(struct newton *nt, struct lm_task *t)
{
	size_t d = (size_t)t->dim + 1, n = (size_t)t->train.x->rows + 1;

	nt->dim = t->dim;
	nt->w = calloc(d, sizeof(double));
	nt->grad = malloc(d * sizeof(double));
	nt->dir = malloc(d * sizeof(double));
	nt->res = malloc(d * sizeof(double));
	nt->conj = malloc(d * sizeof(double));
	nt->hconj = malloc(d * sizeof(double));
	nt->trial = malloc(d * sizeof(double));
	nt->curv = malloc(n * sizeof(double));
	nt->scratch = malloc(n * sizeof(double));
	bool ok = nt->w && nt->grad && nt->dir && nt->res && nt->conj && nt->hconj &&
		  nt->trial && nt->curv && nt->scratch;
	return ok && attach_workspace(t) == 0 ? 0 : -1;
}

/* The Newton direction: dir ~ -H^{-1} grad by conjugate gradients, stopped once the
 * residual is below eta |grad| (a truncated Newton step; eta -> 0 as the gradient
 * does, so the steps become exact Newton steps and convergence is superlinear:
 * Nocedal and Wright, Numerical Optimization, 2nd ed., Theorem 7.2) or below `target`.
 * CG on the positive definite H = X^T D X + l2 I; a non-positive curvature (l2 = 0 on
 * flat directions) ends it, with -grad as the direction if nothing better was found.
 * (Jacobi preconditioning was tried: on a9a it took more Hessian products, not fewer.) */
static void newton_direction(const struct lm_task *t, struct newton *nt, double eta,
			     double target)
{
	int64_t dim = nt->dim;
	int cap = dim < GD_CG_MAX ? (int)dim + 1 : GD_CG_MAX;

	lm_curvatures(&t->train, nt->w, nt->curv);
	nt->passes += 1;
	for (int64_t j = 0; j < dim; j++) {
		nt->dir[j] = 0.0;
		nt->res[j] = -nt->grad[j];
		nt->conj[j] = nt->res[j];
	}
	double rr = dot(nt->res, nt->res, dim), stop = fmax(eta * nt->grad_norm, target);
	for (int k = 0; k < cap && sqrt(rr) > stop; k++) {
		lm_hessian_times(&t->train, nt->curv, nt->conj, nt->scratch, nt->hconj);
		nt->hessian_products++;
		nt->passes += 2;
		double curvature = dot(nt->conj, nt->hconj, dim);
		if (!(curvature > 0.0)) {
			if (k == 0)
				cblas_dcopy((int)dim, nt->res, 1, nt->dir, 1);
			return;
		}
		double alpha = rr / curvature;
		cblas_daxpy((int)dim, alpha, nt->conj, 1, nt->dir, 1);
		cblas_daxpy((int)dim, -alpha, nt->hconj, 1, nt->res, 1);
		double next = dot(nt->res, nt->res, dim);
		cblas_dscal((int)dim, next / rr, nt->conj, 1);
		cblas_daxpy((int)dim, 1.0, nt->res, 1, nt->conj, 1);
		rr = next;
	}
}

/* Backtracking (Armijo) line search along dir from w; w, loss move to the accepted
 * point. Once the predicted decrease is below the objective's rounding, the full step
 * is taken: comparing f values that differ in their last bits decides nothing, and the
 * gradient test that follows still decides convergence. 0, or -1 when no step
 * decreases f (the caller stops; the verifier then reports the tolerance missed). */
static int newton_line_search(const struct lm_task *t, struct newton *nt)
{
	double slope = dot(nt->grad, nt->dir, nt->dim), step = 1.0;

	if (!(slope < 0.0))
		return -1;
	bool rounding = -slope <= GD_ROUNDING * fabs(nt->loss);
	for (int tries = 0; tries < GD_LINE_SEARCH_TRIES; tries++, step *= 0.5) {
		cblas_dcopy((int)nt->dim, nt->w, 1, nt->trial, 1);
		cblas_daxpy((int)nt->dim, step, nt->dir, 1, nt->trial, 1);
		double loss = lm_objective(&t->train, nt->trial);
		nt->passes += 1;
		if (loss <= nt->loss + GD_ARMIJO * step * slope || (rounding && step == 1.0)) {
			cblas_dcopy((int)nt->dim, nt->trial, 1, nt->w, 1);
			nt->loss = loss;
			return 0;
		}
	}
	return -1;
}

static void newton_gradient(const struct lm_task *t, struct newton *nt)
{
	lm_gradient(&t->train, nt->w, NULL, 0, nt->grad);
	nt->grad_norm = norm2(nt->grad, nt->dim);
	nt->passes += 2;
}

/* x_i . w and g += c x_i in plain loops, for the verifier (no linear.c, no BLAS). */
static double plain_row_dot(const struct ds_matrix *x, int64_t i, const double *w)
{
	double m = 0.0;

	if (x->sparse) {
		for (int64_t k = x->rowptr[i]; k < x->rowptr[i + 1]; k++)
			m += x->values[k] * w[x->colidx[k]];
		return m;
	}
	for (int64_t j = 0; j < x->cols; j++)
		m += x->dense[i * x->cols + j] * w[j];
	return m;
}

static void plain_add_row(const struct ds_matrix *x, int64_t i, double c, double *g)
{
	if (x->sparse) {
		for (int64_t k = x->rowptr[i]; k < x->rowptr[i + 1]; k++)
			g[x->colidx[k]] += c * x->values[k];
		return;
	}
	for (int64_t j = 0; j < x->cols; j++)
		g[j] += c * x->dense[i * x->cols + j];
}

/* |grad f(w)| recomputed for the verifier from the loss's definition; -1 without memory. */
static double reference_grad_norm(const struct lm_problem *p, const double *w)
{
	const struct ds_matrix *x = p->x;
	double *g = calloc((size_t)x->cols + 1, sizeof(*g)), sq = 0.0;

	if (!g)
		return -1.0;
	for (int64_t i = 0; i < x->rows; i++) {
		double m = plain_row_dot(x, i, w), y = p->y[i];
		/* d/dm of log(1 + e^{-ym}) is -y / (1 + e^{ym}); of (m - y)^2 / 2 it is m - y. */
		double c = p->loss == LM_SQUARED ? m - y : -y / (1.0 + exp(y * m));
		plain_add_row(x, i, c / (double)x->rows, g);
	}
	for (int64_t j = 0; j < x->cols; j++) {
		double gj = g[j] + p->l2 * w[j];
		sq += gj * gj;
	}
	free(g);
	return sqrt(sq);
}

/* The verifier's second opinion: LIBLINEAR's optimum of the same objective. Its
 * objective must match ours to GD_LIBLINEAR_AGREEMENT relative. l2 = 0 has no C for
 * LIBLINEAR and is only logged. */
static void verify_against_liblinear(struct rb_recorder *rec, const struct lm_task *t,
				     double objective)
{
	char err[256];

	if (!(t->train.l2 > 0.0)) {
		rb_log(rec, "verifier: l2 = 0, no LIBLINEAR cross-check");
		return;
	}
	double *w = calloc((size_t)t->dim + 1, sizeof(*w));
	int rc = w ? llr_optimum(&t->train, GD_LIBLINEAR_EPS, w, err, sizeof(err)) : -1;
	if (rc != 0) {
		rb_log(rec, "verifier: liblinear failed: %s", w ? err : "no memory");
		free(w);
		rb_verify(rec, false, "LIBLINEAR's optimum computed");
		return;
	}
	double reference = task_linear_reference_objective(&t->train, w);
	double rel = (objective - reference) / fmax(fabs(reference), DBL_MIN);
	free(w);
	rb_log(rec, "verifier: LIBLINEAR objective %.17g, ours relative to it %+.3g", reference, rel);
	rb_summary(rec, "liblinear_objective", reference);
	rb_summary(rec, "liblinear_relative_difference", rel);
	rb_verify(rec, fabs(rel) <= GD_LIBLINEAR_AGREEMENT, "objective agrees with LIBLINEAR's optimum");
}

static void gd_verify(struct rb_recorder *rec, const struct lm_task *t, const struct newton *nt,
		      double start_norm, double grad_tol)
{
	verify_objective(rec, t, nt->w, nt->loss);
	rb_eval_begin(rec);
	double norm = reference_grad_norm(&t->train, nt->w);
	/* A zero gradient at w = 0 (w = 0 is the optimum) has nowhere to go and passes. */
	bool reached = norm >= 0.0 && (norm <= grad_tol * start_norm || start_norm == 0.0);
	rb_log(rec, "verifier: |grad| recomputed %.6g, %.3g of its start (tolerance %g)", norm,
	       start_norm > 0.0 ? norm / start_norm : 0.0, grad_tol);
	rb_verify(rec, reached, "relative gradient norm below grad_tol");
	verify_against_liblinear(rec, t, nt->loss);
	rb_eval_end(rec);
}

/* Newton iterations until |grad| <= grad_tol |grad(0)| or max_iterations. */
static int gd_iterate(const struct rb_run *run, struct rb_recorder *rec, const struct lm_task *t,
		      struct newton *nt, double start_norm, long long *iterations,
		      struct evaluation *e)
{
	long long cap = rb_param_int(run, "max_iterations");
	double grad_tol = rb_param_real(run, "grad_tol");
	long long it = 0;

	while (it < cap && nt->grad_norm > grad_tol * start_norm) {
		/* eta = min(1/2, sqrt(|g| / |g0|)): the forcing sequence of Theorem 7.2. */
		double eta = fmin(0.5, sqrt(nt->grad_norm / start_norm));
		/* Near w*, the next gradient is about the CG residual (g + H d): solving far
		 * below the tolerance would only spend Hessian products. */
		newton_direction(t, nt, eta, GD_CG_TARGET * grad_tol * start_norm);
		if (newton_line_search(t, nt) != 0) {
			rb_log(rec, "gd_full: no decrease along the Newton direction at iteration %lld",
			       it + 1);
			break;
		}
		newton_gradient(t, nt);
		it++;
		*e = evaluate(rec, t, nt->w, (double)it);
		rb_record(rec, (double)it, "grad_norm", nt->grad_norm);
		if (rb_diverged(rec) || !isfinite(nt->grad_norm))
			return rb_fail(rec, RB_DIVERGED, "gradient norm %g at iteration %lld",
				       nt->grad_norm, it);
	}
	*iterations = it;
	return 0;
}

static int gd_train(const struct rb_run *run, struct rb_recorder *rec, struct lm_task *t,
		    struct newton *nt)
{
	double grad_tol = rb_param_real(run, "grad_tol");
	long long iterations = 0;

	newton_gradient(t, nt);
	double start_norm = nt->grad_norm;
	struct evaluation e = evaluate(rec, t, nt->w, 0);
	nt->loss = e.loss;
	rb_record(rec, 0, "grad_norm", start_norm);
	int rc = gd_iterate(run, rec, t, nt, start_norm, &iterations, &e);
	if (rc)
		return rc;
	rb_log(rec, "gd_full: %lld Newton iterations, %lld Hessian products, %lld passes, "
	       "|grad| %.3g of its start", iterations, nt->hessian_products, nt->passes,
	       start_norm > 0.0 ? nt->grad_norm / start_norm : 0.0);
	summarise(rec, t, e);
	rb_summary(rec, "grad_norm", nt->grad_norm);
	rb_summary(rec, "initial_grad_norm", start_norm);
	rb_summary(rec, "relative_grad_norm", start_norm > 0.0 ? nt->grad_norm / start_norm : 0.0);
	rb_summary(rec, "iterations_run", (double)iterations);
	rb_summary(rec, "hessian_products", (double)nt->hessian_products);
	rb_summary(rec, "data_passes", (double)nt->passes);
	/* l2-strong convexity: f(w) - f* <= |grad f(w)|^2 / (2 l2). */
	if (t->train.l2 > 0.0)
		rb_summary(rec, "optimality_gap_bound",
			   nt->grad_norm * nt->grad_norm / (2.0 * t->train.l2));
	gd_verify(rec, t, nt, start_norm, grad_tol);
	return 0;
}

static int gd_full_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct lm_task t = { 0 };
	struct newton nt = { 0 };
	int rc = lm_task_setup(run, rec, &t);

	if (rc)
		return rc;
	if (newton_alloc(&nt, &t) != 0) {
		newton_free(&nt, &t);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %lld features, %lld rows",
			       (long long)t.dim, (long long)t.train.x->rows);
	}
	rb_log(rec, "gd_full: Newton-CG on %lld x %lld %s train rows, %s loss, l2 %g",
	       (long long)t.train.x->rows, (long long)t.dim, t.train.x->sparse ? "CSR" : "dense",
	       lm_loss_name(t.train.loss), t.train.l2);
	rc = gd_train(run, rec, &t, &nt);
	newton_free(&nt, &t);
	return rc;
}

const struct rb_algorithm sgd_algorithm = {
	.name = "sgd",
	.family = "sparsified_sgd",
	.summary = "mini-batch SGD on an L2-regularised linear model (the K = n baseline)",
	.paper = "arXiv 1809.10505",
	.params = sgd_params,
	.needs_data = 1,
	.run = sgd_run,
};

const struct rb_algorithm gd_full_algorithm = {
	.name = "gd_full",
	.family = "sparsified_sgd",
	.summary = "full-batch Newton-CG to grad_tol: the optimum of an L2-regularised linear model",
	.paper = "arXiv 1809.10505",
	.params = gd_full_params,
	.needs_data = 1,
	.seedless = 1,   /* deterministic: full gradients and Hessians, no sampling */
	.run = gd_full_run,
};
