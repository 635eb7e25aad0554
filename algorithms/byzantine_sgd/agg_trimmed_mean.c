/* agg_trimmed_mean: the coordinate-wise beta-trimmed mean (Yin et al., arXiv
 * 1803.01498): per coordinate, drop the `trim` = floor(beta m) largest and smallest
 * values and average the m - 2 trim left (needs 2 trim < m, checked by validate). */
#include "algorithms/byzantine_sgd/aggregator.h"

static void trimmed_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d, b = s->c.trim;
	(void)disp;
	for (int j = 0; j < d; j++) {
		for (int i = 0; i < m; i++)
			s->tmp[i] = g[(size_t)i * d + j];
		agg_sort(s->tmp, m);
		double sum = 0.0;
		for (int i = b; i < m - b; i++)
			sum += s->tmp[i];
		out[j] = sum / (m - 2 * b);
	}
}

const struct aggregator_ops agg_trimmed_mean_ops = {
	.name = "trimmed_mean",
	.create = agg_scratch_create,
	.aggregate = trimmed_aggregate,
	.destroy = agg_scratch_destroy,
};
