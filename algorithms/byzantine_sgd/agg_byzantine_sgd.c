/*
 * agg_byzantine_sgd: the filter of ByzantineSGD (D. Alistarh, Z. Allen-Zhu, J. Li,
 * "Byzantine Stochastic Gradient Descent", NeurIPS 2018, arXiv 1803.08917, Algorithm 1).
 * Each machine i keeps two martingale statistics over the whole run,
 *   A_i = sum_k <g_{k,i}, x_k - x_1>   (a scalar)   and   B_i = sum_k g_{k,i}  (a vector),
 * and a good machine's statistics stay within T_A = 4 D V sqrt(T log(16 m T / delta))
 * and T_B = 4 V sqrt(T log(16 m T / delta)) of every other good machine's, with
 * probability 1 - delta (Azuma / a vector martingale bound). Per iteration:
 *   A_med = median_i A_i;
 *   B_med = B_i for a machine i with more than m/2 machines j at |B_j - B_i| <= T_B;
 *   g_med = g_i for a machine i with more than m/2 machines j at |g_j - g_i| <= 2V;
 *   good <- { i in good : |A_i - A_med| <= c T_A, |B_i - B_med| <= c T_B,
 *                         |g_i - g_med| <= 4V }      (c = 2 in the paper);
 *   step = sum_{i in good} g_i / m                 (the paper; / |good| optionally).
 * The medians run over all m machines, removed ones included (the paper's pseudo-code).
 * Once removed a machine never returns. The pairwise distances of B and of g come from
 * two Gram matrices (agg_sq_distances): the O(m^2 d) per iteration.
 */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bsgd_filter {
	struct agg_scratch *s;   /* distances, medians */
	double *a;               /* m */
	double *b;               /* m x d */
	unsigned char *good;     /* m */
	long fallbacks;
};

static void bsgd_destroy(void *p)
{
	struct bsgd_filter *f = p;
	if (!f)
		return;
	agg_scratch_destroy(f->s);
	free(f->a);
	free(f->b);
	free(f->good);
	free(f);
}

static void *bsgd_create(const struct agg_config *c)
{
	struct bsgd_filter *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->s = agg_scratch_create(c);
	f->a = calloc((size_t)c->m, sizeof(double));
	f->b = calloc((size_t)c->m * (size_t)c->d, sizeof(double));
	f->good = malloc((size_t)c->m);
	if (!f->s || !f->a || !f->b || !f->good) {
		bsgd_destroy(f);
		return NULL;
	}
	memset(f->good, 1, (size_t)c->m);
	return f;
}

/* The "vector median" of the paper: the row whose ball of radius r holds more than m/2
 * rows (itself included), the first such (median_most = 0; the paper allows any) or the
 * one with most rows in its ball (median_most = 1). When none qualifies (impossible
 * while more than m/2 machines are good and the bound holds) the one with most. */
static int vector_median(struct bsgd_filter *f, double r)
{
	const struct agg_scratch *s = f->s;
	int m = s->c.m, best = 0, best_count = -1;
	double r2 = r * r;
	for (int i = 0; i < m; i++) {
		int count = 0;
		for (int j = 0; j < m; j++)
			count += s->dist[i * m + j] <= r2;
		if (2 * count > m && !s->c.median_most)
			return i;
		if (count > best_count) {
			best = i;
			best_count = count;
		}
	}
	if (2 * best_count <= m)
		f->fallbacks++;
	return best;
}

/* |row i of v - row k of v| from the distance matrix. */
static double dist_to(const struct agg_scratch *s, int i, int k)
{
	return sqrt(s->dist[i * s->c.m + k]);
}

static void bsgd_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct bsgd_filter *f = state;
	struct agg_scratch *s = f->s;
	const struct agg_config *c = &s->c;
	int m = c->m, d = c->d;

	for (int i = 0; i < m; i++) {
		f->a[i] += cblas_ddot(d, g + (size_t)i * d, 1, disp, 1);
		cblas_daxpy(d, 1.0, g + (size_t)i * d, 1, f->b + (size_t)i * d, 1);
	}
	for (int i = 0; i < m; i++)
		s->score[i] = f->a[i];
	double a_med = agg_median_inplace(s->score, m);

	agg_sq_distances(f->b, m, d, s->gram, s->dist);
	int b_med = vector_median(f, c->t_b);
	for (int i = 0; i < m; i++)
		if (f->good[i] && (fabs(f->a[i] - a_med) > c->filter_factor * c->t_a ||
				   dist_to(s, i, b_med) > c->filter_factor * c->t_b))
			f->good[i] = 0;

	agg_sq_distances(g, m, d, s->gram, s->dist);
	int g_med = vector_median(f, 2.0 * c->v);
	int kept = 0;
	memset(out, 0, (size_t)d * sizeof(*out));
	for (int i = 0; i < m; i++) {
		if (f->good[i] && dist_to(s, i, g_med) > 4.0 * c->v)
			f->good[i] = 0;
		if (!f->good[i])
			continue;
		kept++;
		cblas_daxpy(d, 1.0, g + (size_t)i * d, 1, out, 1);
	}
	double norm = c->normalise_by_good ? (kept > 0 ? kept : 1) : m;
	cblas_dscal(d, 1.0 / norm, out, 1);
}

static const unsigned char *bsgd_good(const void *state)
{
	return ((const struct bsgd_filter *)state)->good;
}

static long bsgd_fallbacks(const void *state)
{
	return ((const struct bsgd_filter *)state)->fallbacks;
}

const struct aggregator_ops agg_byzantine_sgd_ops = {
	.name = "byzantine_sgd",
	.create = bsgd_create,
	.aggregate = bsgd_aggregate,
	.destroy = bsgd_destroy,
	.good = bsgd_good,
	.median_fallbacks = bsgd_fallbacks,
};
