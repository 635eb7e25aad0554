/* agg_geomed: the geometric median argmin_z sum_i |g_i - z| by Weiszfeld's iteration
 * (as in RFA, Pillutla, Kakade, Harchaoui, arXiv 1912.13445): from the mean,
 * z <- sum_i w_i g_i / sum_i w_i with w_i = 1 / max(|g_i - z|, nu), until a step moves
 * less than tol * max(1, |z|) or the iteration cap. nu keeps a weight finite when z
 * lands on a data point (it then stays there, which is right when that point is the
 * median). */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#define GEOMED_NU 1e-12

/* One Weiszfeld step from z (s->v) into s->w; returns the distance moved. */
static double weiszfeld_step(struct agg_scratch *s, const double *g)
{
	int m = s->c.m, d = s->c.d;
	double total = 0.0;
	memset(s->w, 0, (size_t)d * sizeof(double));
	for (int i = 0; i < m; i++) {
		const double *gi = g + (size_t)i * d;
		double dist2 = 0.0;
		for (int j = 0; j < d; j++)
			dist2 += (gi[j] - s->v[j]) * (gi[j] - s->v[j]);
		double wi = 1.0 / fmax(sqrt(dist2), GEOMED_NU);
		total += wi;
		cblas_daxpy(d, wi, gi, 1, s->w, 1);
	}
	double moved2 = 0.0;
	for (int j = 0; j < d; j++) {
		s->w[j] /= total;
		moved2 += (s->w[j] - s->v[j]) * (s->w[j] - s->v[j]);
	}
	memcpy(s->v, s->w, (size_t)d * sizeof(double));
	return sqrt(moved2);
}

static void geomed_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d;
	(void)disp;
	memset(s->v, 0, (size_t)d * sizeof(double));
	for (int i = 0; i < m; i++)
		cblas_daxpy(d, 1.0 / m, g + (size_t)i * d, 1, s->v, 1);
	for (int t = 0; t < s->c.geomed_iters; t++) {
		double moved = weiszfeld_step(s, g);
		if (moved <= s->c.geomed_tol * fmax(1.0, cblas_dnrm2(d, s->v, 1)))
			break;
	}
	memcpy(out, s->v, (size_t)d * sizeof(*out));
}

const struct aggregator_ops agg_geomed_ops = {
	.name = "geomed",
	.create = agg_scratch_create,
	.aggregate = geomed_aggregate,
	.destroy = agg_scratch_destroy,
};
