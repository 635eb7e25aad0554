/* dataset: ownership helpers for the shared in-memory dataset form. */
#include "datasets/dataset.h"

#include <stdlib.h>
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
