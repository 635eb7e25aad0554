/* agg_bulyan: Bulyan (El Mhamdi, Guerraoui, Rouault, ICML 2018, arXiv 1802.07927).
 * Selection: theta = m - 2f gradients, picked one at a time by Krum over those not yet
 * picked (each round's score counts the n - f - 2 nearest of the n left). Aggregation:
 * per coordinate, the beta = theta - 2f selected values closest to their median,
 * averaged. Needs m >= 4f + 3 (checked by validate). */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <math.h>
#include <string.h>

/* Rows picked by iterated Krum: s->picked[i] = 1; s->alive marks the rows not yet
 * picked, which are both the candidates and the neighbours of a round. */
static void bulyan_select(struct agg_scratch *s, int theta)
{
	int m = s->c.m, f = s->c.f;
	memset(s->alive, 1, (size_t)m);
	memset(s->picked, 0, (size_t)m);
	for (int n = m, t = 0; t < theta; t++, n--) {
		int nb = n - f - 2 > 0 ? n - f - 2 : 0;
		agg_krum_scores(s->dist, m, s->alive, nb, s->tmp, s->score);
		int best = -1;
		for (int i = 0; i < m; i++)
			if (s->alive[i] && (best < 0 || s->score[i] < s->score[best]))
				best = i;
		s->alive[best] = 0;
		s->picked[best] = 1;
	}
}

static void bulyan_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d, f = s->c.f, theta = m - 2 * f, beta = theta - 2 * f;
	(void)disp;
	agg_sq_distances(g, m, d, s->gram, s->dist);
	bulyan_select(s, theta);
	for (int j = 0; j < d; j++) {
		int n = 0;
		for (int i = 0; i < m; i++)
			if (s->picked[i])
				s->tmp[n++] = g[(size_t)i * d + j];
		double med = agg_median_inplace(s->tmp, n);
		/* tmp is sorted: the beta closest to the median form a window of it. */
		int lo = 0;
		for (int start = 1; start + beta <= n; start++) {
			double wa = fmax(med - s->tmp[lo], s->tmp[lo + beta - 1] - med);
			double wb = fmax(med - s->tmp[start], s->tmp[start + beta - 1] - med);
			if (wb < wa)
				lo = start;
		}
		double sum = 0.0;
		for (int i = lo; i < lo + beta; i++)
			sum += s->tmp[i];
		out[j] = sum / beta;
	}
}

const struct aggregator_ops agg_bulyan_ops = {
	.name = "bulyan",
	.create = agg_scratch_create,
	.aggregate = bulyan_aggregate,
	.destroy = agg_scratch_destroy,
};
