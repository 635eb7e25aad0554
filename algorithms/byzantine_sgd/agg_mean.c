/* agg_mean: the average of all m gradients, plain mini-batch SGD: the rule every robust
 * one is compared against, and the one a single Byzantine machine can steer anywhere. */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <string.h>

static void mean_aggregate(void *state, const double *g, const double *disp, double *out)
{
	const struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d;
	(void)disp;
	memset(out, 0, (size_t)d * sizeof(*out));
	for (int i = 0; i < m; i++)
		for (int j = 0; j < d; j++)
			out[j] += g[(size_t)i * d + j];
	for (int j = 0; j < d; j++)
		out[j] /= m;
}

const struct aggregator_ops agg_mean_ops = {
	.name = "mean",
	.create = agg_scratch_create,
	.aggregate = mean_aggregate,
	.destroy = agg_scratch_destroy,
};
