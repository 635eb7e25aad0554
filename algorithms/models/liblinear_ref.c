/*
 * liblinear_ref: our linear-model problem handed to LIBLINEAR's C API and its solution
 * read back. The conversion is the only work done here: sparse rows of feature_node
 * (1-based indices, each row ended by index -1), labels copied, C scaled so that the
 * minimiser is ours (liblinear_ref.h).
 */
#include "algorithms/models/liblinear_ref.h"

#include <limits.h>
#include <linear.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The LIBLINEAR copy of one problem: nodes holds every row's nonzeros and terminator. */
struct llr_copy {
	struct problem prob;
	struct feature_node *nodes;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* LIBLINEAR prints its iterations to stdout unless told otherwise. */
static void quiet(const char *text)
{
	(void)text;
}

static int64_t row_nonzeros(const struct ds_matrix *x, int64_t row)
{
	if (x->sparse)
		return x->rowptr[row + 1] - x->rowptr[row];
	int64_t count = 0;
	for (int64_t j = 0; j < x->cols; j++)
		count += x->dense[row * x->cols + j] != 0.0;
	return count;
}

/* Row `row` into nodes from *next on, ended by index -1; *next moves past it. */
static void copy_row(const struct ds_matrix *x, int64_t row, struct feature_node *nodes,
		     int64_t *next)
{
	int64_t k = *next;

	if (x->sparse) {
		for (int64_t q = x->rowptr[row]; q < x->rowptr[row + 1]; q++)
			nodes[k++] = (struct feature_node){ x->colidx[q] + 1, x->values[q] };
	} else {
		for (int64_t j = 0; j < x->cols; j++) {
			double v = x->dense[row * x->cols + j];
			if (v != 0.0)
				nodes[k++] = (struct feature_node){ (int)j + 1, v };
		}
	}
	nodes[k++] = (struct feature_node){ -1, 0.0 };
	*next = k;
}

static void copy_free(struct llr_copy *c)
{
	free(c->prob.x);
	free(c->nodes);
}

static int copy_problem(const struct lm_problem *p, struct llr_copy *c, char *err, size_t errlen)
{
	const struct ds_matrix *x = p->x;
	int64_t total = 0;

	if (x->rows > INT_MAX || x->cols > INT_MAX)
		return fail(err, errlen, "liblinear takes at most %d rows and columns, not %lld x %lld",
			    INT_MAX, (long long)x->rows, (long long)x->cols);
	for (int64_t i = 0; i < x->rows; i++)
		total += row_nonzeros(x, i) + 1;
	if (total > INT_MAX)
		return fail(err, errlen, "liblinear takes at most %d nonzeros", INT_MAX);
	c->prob = (struct problem){ .l = (int)x->rows, .n = (int)x->cols, .bias = -1.0,
				    .y = (double *)p->y };
	c->prob.x = malloc(((size_t)x->rows + 1) * sizeof(*c->prob.x));
	c->nodes = malloc((size_t)total * sizeof(*c->nodes));
	if (!c->prob.x || !c->nodes) {
		copy_free(c);
		return fail(err, errlen, "no memory for liblinear's copy (%lld nonzeros)",
			    (long long)total);
	}
	int64_t next = 0;
	for (int64_t i = 0; i < x->rows; i++) {
		c->prob.x[i] = c->nodes + next;
		copy_row(x, i, c->nodes, &next);
	}
	return 0;
}

/* Our w from LIBLINEAR's model. A binary classifier's w scores its first label (the
 * first one in the data); with -1 first, our w (which scores +1) is its negation. */
static void read_weights(const struct model *m, const struct lm_problem *p, double *w)
{
	double sign = 1.0;

	if (p->loss == LM_LOGISTIC && m->label && m->label[0] == -1)
		sign = -1.0;
	for (int64_t j = 0; j < p->x->cols; j++)
		w[j] = sign * m->w[j];
}

int llr_optimum(const struct lm_problem *p, double eps, double *w, char *err, size_t errlen)
{
	struct llr_copy c = { 0 };

	if (!(p->l2 > 0.0))
		return fail(err, errlen, "liblinear needs l2 > 0 (C = 1 / (l2 n)), not %g", p->l2);
	if (p->x->rows == 0 || p->x->cols == 0)
		return fail(err, errlen, "liblinear needs rows and features (%lld x %lld)",
			    (long long)p->x->rows, (long long)p->x->cols);
	if (copy_problem(p, &c, err, errlen) != 0)
		return -1;
	double n = (double)p->x->rows;
	struct parameter param = {
		.solver_type = p->loss == LM_LOGISTIC ? L2R_LR : L2R_L2LOSS_SVR,
		.eps = eps,
		.C = p->loss == LM_LOGISTIC ? 1.0 / (p->l2 * n) : 1.0 / (2.0 * p->l2 * n),
		.p = 0.0,
	};
	const char *bad = check_parameter(&c.prob, &param);
	if (bad) {
		copy_free(&c);
		return fail(err, errlen, "liblinear refuses the parameters: %s", bad);
	}
	set_print_string_function(quiet);
	struct model *m = train(&c.prob, &param);
	copy_free(&c);
	if (!m || !m->w || m->nr_feature != (int)p->x->cols) {
		free_and_destroy_model(&m);
		return fail(err, errlen, "liblinear returned no model of %lld weights",
			    (long long)p->x->cols);
	}
	read_weights(m, p, w);
	free_and_destroy_model(&m);
	return 0;
}
