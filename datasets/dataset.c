/* dataset: ownership helpers for the shared in-memory dataset form. */
#include "datasets/dataset.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

int64_t ds_matrix_nnz(const struct ds_matrix *m)
{
	if (!m->sparse)
		return m->rows * m->cols;
	return m->rowptr ? m->rowptr[m->rows] : 0;
}

void ds_matrix_free(struct ds_matrix *m)
{
	free(m->dense);
	free(m->rowptr);
	free(m->colidx);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

void ds_graph_free(struct ds_graph *g)
{
	free(g->rowptr);
	free(g->adj);
	free(g->weight);
	free(g->coords);
	memset(g, 0, sizeof(*g));
}

void ds_dataset_free(struct ds_dataset *d)
{
	if (!d)
		return;
	ds_graph_free(&d->graph);
	free(d->truth);
	ds_matrix_free(&d->train.x);
	ds_matrix_free(&d->test.x);
	free(d->train.y);
	free(d->test.y);
	memset(d, 0, sizeof(*d));
}

/* Rows [from, to) of m into out (a copy). */
static int copy_rows(const struct ds_matrix *m, int64_t from, int64_t to, struct ds_matrix *out)
{
	memset(out, 0, sizeof(*out));
	out->rows = to - from;
	out->cols = m->cols;
	out->sparse = m->sparse;
	if (!m->sparse) {
		size_t n = (size_t)(out->rows * m->cols);
		out->dense = malloc((n ? n : 1) * sizeof(double));
		if (!out->dense)
			return -1;
		memcpy(out->dense, m->dense + from * m->cols, n * sizeof(double));
		return 0;
	}
	int64_t base = m->rowptr[from], nnz = m->rowptr[to] - base;
	out->rowptr = malloc((size_t)(out->rows + 1) * sizeof(int64_t));
	out->colidx = malloc((size_t)(nnz ? nnz : 1) * sizeof(int32_t));
	out->values = malloc((size_t)(nnz ? nnz : 1) * sizeof(double));
	if (!out->rowptr || !out->colidx || !out->values)
		return -1;
	for (int64_t r = 0; r <= out->rows; r++)
		out->rowptr[r] = m->rowptr[from + r] - base;
	memcpy(out->colidx, m->colidx + base, (size_t)nnz * sizeof(int32_t));
	memcpy(out->values, m->values + base, (size_t)nnz * sizeof(double));
	return 0;
}

static int copy_split(const struct ds_split *all, int64_t from, int64_t to, struct ds_split *out)
{
	if (copy_rows(&all->x, from, to, &out->x) < 0)
		return -1;
	int64_t n = to - from;
	out->y = malloc((size_t)(n ? n : 1) * sizeof(double));
	if (!out->y)
		return -1;
	memcpy(out->y, all->y + from, (size_t)n * sizeof(double));
	return 0;
}

int ds_split_tail(struct ds_split *all, double fraction, struct ds_split *train, struct ds_split *test,
		  char *err, size_t errlen)
{
	int64_t n = all->x.rows, ntest = (int64_t)((double)n * fraction);
	int rc = 0;
	if (fraction < 0 || fraction >= 1 || n - ntest < 1) {
		snprintf(err, errlen, "cannot hold out %g of %lld rows", fraction, (long long)n);
		rc = -1;
	} else if (copy_split(all, 0, n - ntest, train) < 0 || copy_split(all, n - ntest, n, test) < 0) {
		snprintf(err, errlen, "out of memory splitting %lld rows", (long long)n);
		rc = -1;
	}
	ds_matrix_free(&all->x);
	free(all->y);
	all->y = NULL;
	return rc;
}

int ds_csr_alloc(struct ds_matrix *m, int64_t rows, int64_t cols, int64_t cap)
{
	*m = (struct ds_matrix){.rows = rows, .cols = cols, .sparse = true};
	m->rowptr = calloc((size_t)rows + 1, sizeof(*m->rowptr));
	m->colidx = malloc((size_t)(cap > 0 ? cap : 1) * sizeof(*m->colidx));
	m->values = malloc((size_t)(cap > 0 ? cap : 1) * sizeof(*m->values));
	return m->rowptr && m->colidx && m->values ? 0 : -1;
}

int ds_csr_reserve(struct ds_matrix *m, int64_t nnz, int64_t *cap)
{
	if (nnz < *cap)
		return 0;
	int64_t grown = *cap + *cap / 2 + 16;
	int32_t *colidx = realloc(m->colidx, (size_t)grown * sizeof(*colidx));
	if (colidx)
		m->colidx = colidx;
	double *values = realloc(m->values, (size_t)grown * sizeof(*values));
	if (values)
		m->values = values;
	if (!colidx || !values)
		return -1;
	*cap = grown;
	return 0;
}
