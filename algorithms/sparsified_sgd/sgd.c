/*
 * sgd: dense mini-batch SGD and full-gradient descent, the baselines of
 *   D. Alistarh, T. Hoefler, M. Johansson, S. Khirirat, N. Konstantinov, C. Renggli,
 *   "The Convergence of Sparsified Gradient Methods", NeurIPS 2018, arXiv 1809.10505.
 * TopK SGD sends only the K largest coordinates of each (error-corrected) gradient and
 * keeps the rest as memory for the next step; with K = n nothing is dropped and it is
 * plain mini-batch SGD, `sgd` here. `gd_full` runs full-gradient descent long enough
 * to find the optimum that the convergence plots and claims are measured against.
 *
 * Both minimise f(w) = mean_i loss(x_i.w, y_i) + (l2/2)|w|^2 (algorithms/models/linear)
 * on the train split from w = 0. Verifier: the final objective is recomputed with a
 * plain double loop that shares no code with linear.c or BLAS (task.c).
 */
#include "algorithms/sparsified_sgd/sgd.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/models/linear.h"
#include "algorithms/sparsified_sgd/task.h"

/* gd_full records about this many points whatever its iteration count. */
#define GD_RECORD_POINTS 200
/* Power iterations behind gd_full's automatic step; the Rayleigh quotient is within a
 * few percent of lambda_max long before, and a step of 1/L stays stable even if the
 * estimate were low by a factor two. */
#define GD_POWER_ITERATIONS 100
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
	{ "lr", RB_REAL, "0", 0, 1e6, NULL,
	  "step size; 0 picks 1/L, L the smoothness estimated from the data (stable on any data)" },
	{ "iterations", RB_INT, "2000", 1, 1e7, NULL,
	  "full-gradient steps; one step reads the training set once (an epoch)" },
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

/* The step gd_full takes: the parameter, or 1/L for lr = 0 (descent lemma: any step
 * below 2/L decreases an L-smooth objective). 0 when L cannot be estimated (no
 * memory); 1 when L = 0, a flat objective where every step stays put. */
static double gd_step(const struct rb_run *run, const struct lm_task *t)
{
	double lr = rb_param_real(run, "lr");

	if (lr > 0.0)
		return lr;
	double smoothness = lm_smoothness(&t->train, GD_POWER_ITERATIONS);
	if (smoothness < 0.0)
		return 0.0;
	return smoothness > 0.0 ? 1.0 / smoothness : 1.0;
}

static int gd_train(const struct rb_run *run, struct rb_recorder *rec, struct lm_task *t,
		    double *w, double *grad)
{
	long long iterations = rb_param_int(run, "iterations");
	long long every = iterations / GD_RECORD_POINTS > 1 ? iterations / GD_RECORD_POINTS : 1;
	double lr = gd_step(run, t);

	if (lr <= 0.0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to estimate the step size");
	rb_log(rec, "gd_full: step %.6g, %lld iterations", lr, iterations);
	lm_gradient(&t->train, w, NULL, 0, grad);
	double start_norm = norm2(grad, t->dim), grad_norm = start_norm;
	struct evaluation e = evaluate(rec, t, w, 0);
	rb_record(rec, 0, "grad_norm", grad_norm);
	for (long long it = 1; it <= iterations; it++) {
		cblas_daxpy((int)t->dim, -lr, grad, 1, w, 1);
		lm_gradient(&t->train, w, NULL, 0, grad);
		grad_norm = norm2(grad, t->dim);
		if (it % every != 0 && it != iterations && isfinite(grad_norm))
			continue;
		e = evaluate(rec, t, w, (double)it);
		rb_record(rec, (double)it, "grad_norm", grad_norm);
		if (rb_diverged(rec))
			return rb_fail(rec, RB_DIVERGED, "gradient norm %g at iteration %lld "
				       "(lr %g may be too large)", grad_norm, it, lr);
	}
	summarise(rec, t, e);
	rb_summary(rec, "grad_norm", grad_norm);
	rb_summary(rec, "initial_grad_norm", start_norm);
	rb_summary(rec, "lr_used", lr);
	rb_summary(rec, "iterations_run", (double)iterations);
	verify_objective(rec, t, w, e.loss);
	/* A zero gradient at w = 0 (w = 0 is the optimum) cannot decrease, and passes. */
	rb_verify(rec, grad_norm < start_norm || grad_norm == 0.0,
		  "gradient norm decreased from its start");
	return 0;
}

static int gd_full_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct lm_task t = { 0 };
	int rc = lm_task_setup(run, rec, &t);

	if (rc)
		return rc;
	double *w = calloc((size_t)t.dim + 1, sizeof(*w));
	double *grad = malloc(((size_t)t.dim + 1) * sizeof(*grad));
	if (!w || !grad || attach_workspace(&t) != 0) {
		free(w);
		free(grad);
		free(t.train.work);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %lld features, %lld rows",
			       (long long)t.dim, (long long)t.train.x->rows);
	}
	rc = gd_train(run, rec, &t, w, grad);
	free(w);
	free(grad);
	free(t.train.work);
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
	.summary = "full-gradient descent run to the optimum of an L2-regularised linear model",
	.paper = "arXiv 1809.10505",
	.params = gd_full_params,
	.needs_data = 1,
	.seedless = 1,   /* deterministic: full gradients, no sampling */
	.run = gd_full_run,
};
