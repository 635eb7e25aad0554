/*
 * task: dispatch from the sparsified-SGD loop to the models, and the verifier's
 * reference objectives written from the definitions (see task.h).
 */
#include "algorithms/sparsified_sgd/task.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The reference objective keeps one row's logits on the stack. */
#define TASK_MLP_MAX_CLASSES 1024

int task_model_parse(const char *name, enum task_model *out)
{
	static const char *const names[] = { "logistic", "squared", "mlp" };
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum task_model)i;
			return 0;
		}
	return -1;
}

int task_check_labels(struct rb_recorder *rec, const struct lm_problem *p, const char *split)
{
	int64_t bad = lm_check_labels(p);
	if (bad < 0)
		return 0;
	return rb_fail(rec, RB_INVALID_INPUT, "%s loss cannot take the label %g of %s row %lld%s",
		       lm_loss_name(p->loss), p->y[bad], split, (long long)bad,
		       p->loss == LM_LOGISTIC ? " (it needs -1 or +1)" : "");
}

static int setup_linear(struct rb_recorder *rec, const struct ds_dataset *d, struct task *t)
{
	enum lm_loss loss = t->model == TASK_SQUARED ? LM_SQUARED : LM_LOGISTIC;
	t->train = (struct lm_problem){ .x = &d->train.x, .y = d->train.y, .loss = loss, .l2 = t->l2 };
	t->test = (struct lm_problem){ .x = &d->test.x, .y = d->test.y, .loss = loss, .l2 = t->l2 };
	t->dim = d->train.x.cols;
	int rc = task_check_labels(rec, &t->train, "train");
	if (rc == 0)
		rc = task_check_labels(rec, &t->test, "test");
	if (rc == 0 && !d->train.x.sparse) {
		/* lm_'s dense all-rows pass wants a scratch of one double per row. */
		t->train.work = malloc((size_t)d->train.x.rows * sizeof(double));
		if (!t->train.work)
			return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %lld rows",
				       (long long)d->train.x.rows);
	}
	return rc;
}

static int setup_mlp(struct rb_recorder *rec, const struct ds_dataset *d, int64_t hidden,
		     struct task *t)
{
	if (d->classes < 2)
		return rb_fail(rec, RB_INVALID_INPUT, "the mlp needs a multi-class dataset "
			       "(labels 0..classes-1); %s has none", d->name);
	if (d->train.x.sparse || d->test.x.sparse)
		return rb_fail(rec, RB_INVALID_INPUT, "the mlp needs dense features");
	if (d->classes > TASK_MLP_MAX_CLASSES)
		return rb_fail(rec, RB_INVALID_INPUT, "the mlp takes at most %d classes, not %d",
			       TASK_MLP_MAX_CLASSES, d->classes);
	t->mlp = (struct mlp){ .inputs = d->train.x.cols, .hidden = hidden,
			       .classes = d->classes, .l2 = t->l2 };
	t->dim = mlp_param_count(&t->mlp);
	int64_t bad = mlp_check_labels(&t->mlp, &d->train.x, d->train.y);
	if (bad >= 0)
		return rb_fail(rec, RB_INVALID_INPUT, "train row %lld has the label %g, not a class "
			       "in [0, %d)", (long long)bad, d->train.y[bad], d->classes);
	bad = mlp_check_labels(&t->mlp, &d->test.x, d->test.y);
	if (bad >= 0)
		return rb_fail(rec, RB_INVALID_INPUT, "test row %lld has the label %g, not a class "
			       "in [0, %d)", (long long)bad, d->test.y[bad], d->classes);
	return 0;
}

int task_setup(const struct rb_run *run, struct rb_recorder *rec, enum task_model model,
	       double l2, int64_t hidden, struct task *t)
{
	const struct ds_dataset *d = run->data;
	*t = (struct task){ .model = model, .data = d, .l2 = l2 };
	if (!d || d->train.x.rows == 0)
		return rb_fail(rec, RB_INVALID_INPUT, "needs a dataset with training rows");
	if (d->train.x.cols == 0)
		return rb_fail(rec, RB_INVALID_INPUT, "the dataset has no features");
	/* w has the train split's width; a narrower test split reads a prefix of it. */
	if (d->test.x.rows > 0 && d->test.x.cols > d->train.x.cols)
		return rb_fail(rec, RB_INVALID_INPUT, "the test split has %lld features, train %lld",
			       (long long)d->test.x.cols, (long long)d->train.x.cols);
	if (d->test.x.rows > 0 && model == TASK_MLP && d->test.x.cols != d->train.x.cols)
		return rb_fail(rec, RB_INVALID_INPUT, "the mlp needs equally wide splits");
	t->train_rows = d->train.x.rows;
	return model == TASK_MLP ? setup_mlp(rec, d, hidden, t) : setup_linear(rec, d, t);
}

void task_release(struct task *t)
{
	free(t->train.work);
	t->train.work = NULL;
}

void task_init(const struct task *t, double *w, uint64_t seed)
{
	if (t->model == TASK_MLP) {
		mlp_init(&t->mlp, w, seed);
		return;
	}
	memset(w, 0, (size_t)t->dim * sizeof(*w));
}

void task_gradient(const struct task *t, const double *w, const int64_t *rows, int64_t nrows,
		   double *grad)
{
	if (t->model != TASK_MLP) {
		lm_gradient(&t->train, w, rows, nrows, grad);
		return;
	}
	/* Out of memory: a NaN gradient, which the recorder reports as divergence. */
	if (mlp_gradient(&t->mlp, &t->data->train.x, t->data->train.y, w, rows, nrows, grad) != 0)
		grad[0] = NAN;
}

double task_objective(const struct task *t, const double *w)
{
	if (t->model != TASK_MLP)
		return lm_objective(&t->train, w);
	return mlp_objective(&t->mlp, &t->data->train.x, t->data->train.y, w);
}

double task_accuracy(const struct task *t, const double *w)
{
	if (t->data->test.x.rows == 0)
		return NAN;
	if (t->model != TASK_MLP)
		return lm_accuracy(&t->test, w);
	return mlp_accuracy(&t->mlp, &t->data->test.x, t->data->test.y, w);
}

/* The verifier's loss: log(1 + e^-z) = max(-z, 0) + log1p(e^-|z|), a different form
 * from lm_loss_value's, and squared loss from its definition. */
static double reference_loss(enum lm_loss loss, double margin, double y)
{
	if (loss == LM_SQUARED)
		return (margin - y) * (margin - y) / 2.0;
	double z = y * margin;
	return fmax(-z, 0.0) + log1p(exp(-fabs(z)));
}

static double norm2(const double *w, int64_t n)
{
	double s = 0.0;
	for (int64_t j = 0; j < n; j++)
		s += w[j] * w[j];
	return s;
}

double task_linear_reference_objective(const struct lm_problem *p, const double *w)
{
	const struct ds_matrix *x = p->x;
	double total = 0.0;
	for (int64_t i = 0; i < x->rows; i++) {
		double margin = 0.0;
		if (x->sparse) {
			for (int64_t k = x->rowptr[i]; k < x->rowptr[i + 1]; k++)
				margin += x->values[k] * w[x->colidx[k]];
		} else {
			for (int64_t j = 0; j < x->cols; j++)
				margin += x->dense[i * x->cols + j] * w[j];
		}
		total += reference_loss(p->loss, margin, p->y[i]);
	}
	return total / (double)x->rows + p->l2 / 2.0 * norm2(w, x->cols);
}

/* Cross-entropy of one row, as log-sum-exp minus the label's logit, in plain loops. */
static double mlp_reference_row(const struct mlp *m, const double *w, const double *x,
				int label, double *hidden)
{
	const double *b1 = w + m->hidden * m->inputs, *w2 = b1 + m->hidden;
	const double *b2 = w2 + m->classes * m->hidden;
	for (int64_t j = 0; j < m->hidden; j++) {
		double a = b1[j];
		for (int64_t i = 0; i < m->inputs; i++)
			a += w[j * m->inputs + i] * x[i];
		hidden[j] = tanh(a);
	}
	double top = -INFINITY, own = 0.0, total = 0.0, logits[TASK_MLP_MAX_CLASSES];
	for (int64_t k = 0; k < m->classes; k++) {
		double z = b2[k];
		for (int64_t j = 0; j < m->hidden; j++)
			z += w2[k * m->hidden + j] * hidden[j];
		logits[k] = z;
		top = fmax(top, z);
		own = k == label ? z : own;
	}
	for (int64_t k = 0; k < m->classes; k++)
		total += exp(logits[k] - top);
	return top + log(total) - own;
}

static double mlp_reference_objective(const struct task *t, const double *w)
{
	const struct ds_matrix *x = &t->data->train.x;
	double *hidden = malloc((size_t)t->mlp.hidden * sizeof(double)), total = 0.0;
	if (!hidden)
		return NAN;
	for (int64_t i = 0; i < x->rows; i++)
		total += mlp_reference_row(&t->mlp, w, x->dense + i * x->cols,
					   (int)t->data->train.y[i], hidden);
	free(hidden);
	return total / (double)x->rows + t->l2 / 2.0 * norm2(w, t->dim);
}

double task_reference_objective(const struct task *t, const double *w)
{
	if (t->model == TASK_MLP)
		return mlp_reference_objective(t, w);
	return task_linear_reference_objective(&t->train, w);
}
