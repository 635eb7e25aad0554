/* shapley: exact KNN-Shapley, permutation Monte Carlo and the KNN utility (shapley.h). */
#include "algorithms/data_market/shapley.h"

#include <stdlib.h>
#include <string.h>

struct near {
	double dist;
	int32_t idx;
};

static int by_distance(const void *a, const void *b)
{
	const struct near *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return x->idx - y->idx;
}

int32_t *dm_knn_order(const double *train, int64_t n, const double *test, int64_t m, int64_t d)
{
	int32_t *order = malloc((size_t)(n * m) * sizeof(*order));
	struct near *nb = malloc((size_t)n * sizeof(*nb));
	if (!order || !nb) {
		free(order);
		free(nb);
		return NULL;
	}
	for (int64_t t = 0; t < m; t++) {
		for (int64_t i = 0; i < n; i++) {
			double s = 0;
			for (int64_t c = 0; c < d; c++) {
				double e = train[i * d + c] - test[t * d + c];
				s += e * e;
			}
			nb[i] = (struct near){ .dist = s, .idx = (int32_t)i };
		}
		qsort(nb, (size_t)n, sizeof(*nb), by_distance);
		for (int64_t i = 0; i < n; i++)
			order[t * n + i] = nb[i].idx;
	}
	free(nb);
	return order;
}

int dm_knn_shapley(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		   enum dm_base base, double *values)
{
	memset(values, 0, (size_t)n * sizeof(*values));
	if (n == 0)
		return 0;
	for (int64_t t = 0; t < m; t++) {
		const int32_t *a = order + t * n;
		double y = yte[t];
		double s = base == DM_BASE_JIA ? (ytr[a[n - 1]] == y) / (double)n : 0.0;
		values[a[n - 1]] += s / (double)m;
		/* i is 1-based in the recursion: position r holds a_{r+1}. */
		for (int64_t r = n - 2; r >= 0; r--) {
			int64_t i = r + 1;
			double diff = (double)(ytr[a[r]] == y) - (double)(ytr[a[r + 1]] == y);
			s += diff / k * (double)(i < k ? i : k) / (double)i;
			values[a[r]] += s / (double)m;
		}
	}
	return 0;
}

double dm_knn_utility(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		      const unsigned char *mask)
{
	double sum = 0;
	for (int64_t t = 0; t < m; t++) {
		int taken = 0, hit = 0;
		for (int64_t r = 0; r < n && taken < k; r++) {
			int32_t i = order[t * n + r];
			if (mask && !mask[i])
				continue;
			taken++;
			hit += ytr[i] == yte[t];
		}
		sum += (double)hit / k;
	}
	return m ? sum / (double)m : 0.0;
}

/* Per test point, the ranks of the chosen points so far, kept as the K smallest: adding
 * a point changes the utility only when its rank beats the K-th. */
struct topk {
	int32_t *rank;   /* m x k, unsorted */
	int *count;      /* m */
};

static double add_point(struct topk *tk, const int32_t *rank_of, const double *ytr, const double *yte,
			const int32_t *order, int64_t n, int64_t m, int k, int32_t i)
{
	double delta = 0;
	for (int64_t t = 0; t < m; t++) {
		int32_t ri = rank_of[t * n + i];
		int32_t *set = tk->rank + t * k;
		double gain = (ytr[i] == yte[t]);
		if (tk->count[t] < k) {
			set[tk->count[t]++] = ri;
			delta += gain / k;
			continue;
		}
		int worst = 0;
		for (int q = 1; q < k; q++)
			if (set[q] > set[worst])
				worst = q;
		if (ri > set[worst])
			continue;
		double lost = (ytr[order[t * n + set[worst]]] == yte[t]);
		set[worst] = ri;
		delta += (gain - lost) / k;
	}
	return delta / (double)m;
}

int dm_mc_shapley(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		  int64_t perms, struct rng *r, double *values)
{
	int32_t *rank_of = malloc((size_t)(n * m) * sizeof(*rank_of));
	int64_t *perm = malloc((size_t)n * sizeof(*perm));
	struct topk tk = { malloc((size_t)(m * k) * sizeof(int32_t)), malloc((size_t)m * sizeof(int)) };
	int rc = -1;
	if (!rank_of || !perm || !tk.rank || !tk.count)
		goto out;
	for (int64_t t = 0; t < m; t++)
		for (int64_t q = 0; q < n; q++)
			rank_of[t * n + order[t * n + q]] = (int32_t)q;
	memset(values, 0, (size_t)n * sizeof(*values));
	for (int64_t i = 0; i < n; i++)
		perm[i] = i;
	for (int64_t p = 0; p < perms; p++) {
		rng_shuffle_int(r, perm, n);
		memset(tk.count, 0, (size_t)m * sizeof(int));
		for (int64_t q = 0; q < n; q++)
			values[perm[q]] += add_point(&tk, rank_of, ytr, yte, order, n, m, k, (int32_t)perm[q]);
	}
	for (int64_t i = 0; i < n; i++)
		values[i] /= (double)(perms > 0 ? perms : 1);
	rc = 0;
out:
	free(rank_of);
	free(perm);
	free(tk.rank);
	free(tk.count);
	return rc;
}
