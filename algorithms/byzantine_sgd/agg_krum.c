/* agg_krum: Krum and Multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017).
 * Machine i's score is the sum of its m - f - 2 smallest squared distances to the other
 * machines; Krum returns the gradient of least score (lowest index on a tie), Multi-Krum
 * the mean of the k of least score. Needs m > 2f + 2 (checked by validate). */
#include "algorithms/byzantine_sgd/aggregator.h"

#include <string.h>

/* Index of the least score among rows still alive (alive NULL: all). */
static int least_score(const double *score, const unsigned char *alive, int m)
{
	int best = -1;
	for (int i = 0; i < m; i++)
		if ((!alive || alive[i]) && (best < 0 || score[i] < score[best]))
			best = i;
	return best;
}

static void krum_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d;
	(void)disp;
	agg_sq_distances(g, m, d, s->gram, s->dist);
	agg_krum_scores(s->dist, m, NULL, m - s->c.f - 2, s->tmp, s->score);
	memcpy(out, g + (size_t)least_score(s->score, NULL, m) * d, (size_t)d * sizeof(*out));
}

static void multi_krum_aggregate(void *state, const double *g, const double *disp, double *out)
{
	struct agg_scratch *s = state;
	int m = s->c.m, d = s->c.d, k = s->c.multi_krum_k;
	(void)disp;
	agg_sq_distances(g, m, d, s->gram, s->dist);
	agg_krum_scores(s->dist, m, NULL, m - s->c.f - 2, s->tmp, s->score);
	memset(s->alive, 1, (size_t)m);
	memset(out, 0, (size_t)d * sizeof(*out));
	for (int t = 0; t < k; t++) {
		int i = least_score(s->score, s->alive, m);
		s->alive[i] = 0;
		for (int j = 0; j < d; j++)
			out[j] += g[(size_t)i * d + j] / k;
	}
}

const struct aggregator_ops agg_krum_ops = {
	.name = "krum",
	.create = agg_scratch_create,
	.aggregate = krum_aggregate,
	.destroy = agg_scratch_destroy,
};

const struct aggregator_ops agg_multi_krum_ops = {
	.name = "multi_krum",
	.create = agg_scratch_create,
	.aggregate = multi_krum_aggregate,
	.destroy = agg_scratch_destroy,
};
