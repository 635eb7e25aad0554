/* agg_cclip: centered clipping (Karimireddy, He, Jaggi, ICML 2021, arXiv 2012.10333):
 * from the previous step's aggregate v (zero at the start), `cclip_iters` rounds of
 * v <- v + (1/m) sum_i (g_i - v) min(1, tau / |g_i - v|). */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <math.h>
#include <string.h>

static void cclip_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d;
	(void)disp;
	for (int t = 0; t < s->c.cclip_iters; t++) {
		memset(s->w, 0, (size_t)d * sizeof(double));
		for (int i = 0; i < m; i++) {
			const double *gi = g + (size_t)i * d;
			double n2 = 0.0;
			for (int j = 0; j < d; j++)
				n2 += (gi[j] - s->v[j]) * (gi[j] - s->v[j]);
			double n = sqrt(n2), c = n > s->c.cclip_tau ? s->c.cclip_tau / n : 1.0;
			for (int j = 0; j < d; j++)
				s->w[j] += c * (gi[j] - s->v[j]) / m;
		}
		for (int j = 0; j < d; j++)
			s->v[j] += s->w[j];
	}
	memcpy(out, s->v, (size_t)d * sizeof(*out));
}

const struct aggregator_ops agg_cclip_ops = {
	.name = "cclip",
	.create = agg_scratch_create,
	.aggregate = cclip_aggregate,
	.destroy = agg_scratch_destroy,
};
