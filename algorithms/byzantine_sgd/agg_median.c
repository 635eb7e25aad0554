/* agg_median: the coordinate-wise median (Yin, Chen, Ramchandran, Bartlett, ICML 2018,
 * arXiv 1803.01498): each coordinate of the step is the median of the m machines'
 * values of it; for even m the mean of the middle two. */
#include "algorithms/byzantine_sgd/aggregator.h"

static void median_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d;
	(void)disp;
	for (int j = 0; j < d; j++) {
		for (int i = 0; i < m; i++)
			s->tmp[i] = g[(size_t)i * d + j];
		out[j] = agg_median_inplace(s->tmp, m);
	}
}

const struct aggregator_ops agg_median_ops = {
	.name = "median",
	.create = agg_scratch_create,
	.aggregate = median_aggregate,
	.destroy = agg_scratch_destroy,
};
