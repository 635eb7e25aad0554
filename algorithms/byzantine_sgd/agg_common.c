/* agg_common: the table of rules and what several of them share (distances, medians). */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

static const struct aggregator_ops *const agg_table[] = {
	&agg_byzantine_sgd_ops, &agg_mean_ops, &agg_median_ops, &agg_trimmed_mean_ops,
	&agg_krum_ops, &agg_multi_krum_ops, &agg_geomed_ops, &agg_bulyan_ops, &agg_cclip_ops,
	NULL,
};

const struct aggregator_ops *agg_find(const char *name)
{
	for (const struct aggregator_ops *const *a = agg_table; *a; a++)
		if (strcmp((*a)->name, name) == 0)
			return *a;
	return NULL;
}

void agg_sq_distances(const double *v, int m, int d, double *gram, double *dist)
{
	/* Upper triangle of V V^T, row-major: gram[i*m + j] for j >= i. */
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, m, d, 1.0, v, d, 0.0, gram, m);
	for (int i = 0; i < m; i++) {
		dist[i * m + i] = 0.0;
		for (int j = i + 1; j < m; j++) {
			double s = gram[i * m + i] + gram[j * m + j] - 2.0 * gram[i * m + j];
			s = s > 0.0 ? s : 0.0;
			dist[i * m + j] = dist[j * m + i] = s;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void agg_sort(double *x, int n)
{
	qsort(x, (size_t)n, sizeof(*x), cmp_double);
}

double agg_median_inplace(double *x, int n)
{
	agg_sort(x, n);
	return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void agg_krum_scores(const double *dist, int m, const unsigned char *alive, int nb,
		     double *tmp, double *score)
{
	for (int i = 0; i < m; i++) {
		if (alive && !alive[i])
			continue;
		int n = 0;
		for (int j = 0; j < m; j++)
			if (j != i && (!alive || alive[j]))
				tmp[n++] = dist[i * m + j];
		agg_sort(tmp, n);
		double s = 0.0;
		for (int j = 0; j < nb && j < n; j++)
			s += tmp[j];
		score[i] = s;
	}
}

void *agg_scratch_create(const struct agg_config *c)
{
	struct agg_scratch *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	size_t m = (size_t)c->m, d = (size_t)c->d, big = m > d ? m : d;
	s->c = *c;
	s->gram = malloc(m * m * sizeof(double));
	s->dist = malloc(m * m * sizeof(double));
	s->tmp = malloc(big * sizeof(double));
	s->score = malloc(m * sizeof(double));
	s->v = calloc(d, sizeof(double));
	s->w = calloc(d, sizeof(double));
	s->alive = malloc(m);
	s->picked = malloc(m);
	if (!s->gram || !s->dist || !s->tmp || !s->score || !s->v || !s->w || !s->alive || !s->picked) {
		agg_scratch_destroy(s);
		return NULL;
	}
	return s;
}

void agg_scratch_destroy(void *p)
{
	struct agg_scratch *s = p;
	if (!s)
		return;
	free(s->gram);
	free(s->dist);
	free(s->tmp);
	free(s->score);
	free(s->v);
	free(s->w);
	free(s->alive);
	free(s->picked);
	free(s);
}
