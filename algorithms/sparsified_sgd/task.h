/*
 * task: what the sparsified-SGD algorithms train, behind one small table of
 * operations: an L2-regularised linear model (algorithms/models/linear, logistic or
 * squared loss) or the softmax MLP (algorithms/models/mlp). The data-parallel loop in
 * topk_sgd.c sees only a parameter vector, mini-batch gradients and evaluations.
 * Each model also has an independent reference objective for the verifier.
 */
#ifndef SPARSIFIED_SGD_TASK_H
#define SPARSIFIED_SGD_TASK_H

#include <stdint.h>

#include "algorithms/models/linear.h"
#include "algorithms/models/mlp.h"
#include "suite/registry.h"

enum task_model { TASK_LOGISTIC, TASK_SQUARED, TASK_MLP };

struct task {
	enum task_model model;
	int64_t dim;                     /* parameters */
	int64_t train_rows;
	struct lm_problem train, test;   /* linear models */
	struct mlp mlp;                  /* TASK_MLP */
	const struct ds_dataset *data;
	double l2;
};

/* "logistic" | "squared" | "mlp"; -1 for anything else. */
int task_model_parse(const char *name, enum task_model *out);

/* Check the dataset against the model and fill t; 0, or the rb_fail status. `hidden`
 * is the MLP's hidden width (ignored by the linear models). */
int task_setup(const struct rb_run *run, struct rb_recorder *rec, enum task_model model,
	       double l2, int64_t hidden, struct task *t);
void task_release(struct task *t);

/* The starting point: zeros for the linear models (convex, any start works), a seeded
 * Glorot-uniform draw for the MLP (zeros are a saddle point of it). */
void task_init(const struct task *t, double *w, uint64_t seed);

/* grad = gradient of the objective over the training rows `rows[0..nrows)`. */
void task_gradient(const struct task *t, const double *w, const int64_t *rows, int64_t nrows,
		   double *grad);
double task_objective(const struct task *t, const double *w);
/* Test accuracy (R^2 for squared loss); NAN without a test split. */
double task_accuracy(const struct task *t, const double *w);

/* The training objective from its definition in plain loops, sharing no code with the
 * models or BLAS: the verifier's value. */
double task_reference_objective(const struct task *t, const double *w);
/* The same for a linear problem (used by sgd.c). */
/* 0 when every label of p suits its loss (logistic: +-1); otherwise the run fails with
 * RB_INVALID_INPUT naming the split and the first bad row. Shared with sgd.c. */
int task_check_labels(struct rb_recorder *rec, const struct lm_problem *p, const char *split);

double task_linear_reference_objective(const struct lm_problem *p, const double *w);

#endif
