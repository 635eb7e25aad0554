/*
 * alphabeta: parameter sets and the expected-volume formulas of notes 4.4 (see
 * alphabeta.h). The expectations put E[K] into the stream's size: a slight
 * approximation (E[min] <= min E), good to well under 1% at the sizes we judge.
 */
#include "algorithms/comm/alphabeta.h"

#include <math.h>

#include "algorithms/comm/sparse_allreduce.h"
#include "algorithms/comm/sparse_stream.h"

const struct ab_params ab_sets[AB_SETS] = {
	{ "aries", 1.5e-6, 1.0 / 10e9 },
	{ "ethernet", 50e-6, 1.0 / 1.25e9 },
};

double ab_message_time(const struct ab_params *p, uint64_t bytes)
{
	return p->alpha_s + p->beta_s * (double)bytes;
}

double ab_expected_time(const struct ab_params *p, const struct ab_expect *e)
{
	return e->messages * p->alpha_s + e->crit_bytes * p->beta_s;
}

/* Expected wire size of a stream holding `items` entries of a range of n. */
static double stream_bytes(double items, double n)
{
	double sparse = items * (SS_INDEX_BYTES + SS_VALUE_BYTES);
	double dense = n * SS_VALUE_BYTES;
	return SS_HEADER_BYTES + (sparse >= dense ? dense : sparse);
}

struct shape {
	double n, k, d;
	int p, shared;
};

/* Expected support of the sum of m ranks' inputs over a range of len entries. */
static double union_items(const struct shape *s, int m, double len)
{
	if (s->shared)
		return s->k * len / s->n;
	return len * (1.0 - pow(1.0 - s->d, m));
}

static void add(struct ab_expect *e, double bytes, double messages)
{
	e->bytes_sent += bytes;
	e->crit_bytes += bytes;
	e->messages += messages;
}

static void recursive_double(const struct shape *s, int rounds, struct ab_expect *e)
{
	for (int i = 0; i < rounds; i++)
		add(e, stream_bytes(union_items(s, 1 << i, s->n), s->n), 1);
}

static void split_phase(const struct shape *s, struct ab_expect *e)
{
	double blk = s->n / s->p;
	for (int j = 1; j < s->p; j++)
		add(e, stream_bytes(union_items(s, 1, blk), blk), 1);
}

static void rabenseifner(double n, int q, struct ab_expect *e)
{
	for (int b = q / 2; b >= 1; b /= 2)
		add(e, 2.0 * 4.0 * n * b / q, 2);
}

int ab_expected(int variant, double n, int workers, double d, int shared, int hybrid_rounds,
		struct ab_expect *e)
{
	*e = (struct ab_expect){ 0 };
	if (workers < 1 || (workers & (workers - 1)))
		return -1;
	struct shape s = { n, d * n, d, workers, shared };
	int log2p = 0;
	while ((1 << log2p) < workers)
		log2p++;
	double seg = n / workers;
	switch (variant) {
	case SAR_RECURSIVE_DOUBLE:
		recursive_double(&s, log2p, e);
		break;
	case SAR_SPLIT_ALLGATHER:
		split_phase(&s, e);
		for (int b = 1; b < workers; b *= 2)
			add(e, stream_bytes(b * union_items(&s, workers, seg), b * seg), 1);
		break;
	case SAR_DSAR_SPLIT_ALLGATHER:
		split_phase(&s, e);
		for (int b = 1; b < workers; b *= 2)
			add(e, 4.0 * b * seg, 1);
		break;
	case SAR_SPARSE_RING:
		for (int m = 1; m < workers; m++)
			add(e, stream_bytes(union_items(&s, m, seg), seg), 1);
		for (int m = 1; m < workers; m++)
			add(e, stream_bytes(union_items(&s, workers, seg), seg), 1);
		break;
	case SAR_HYBRID:
		recursive_double(&s, hybrid_rounds, e);
		rabenseifner(n, workers >> hybrid_rounds, e);
		break;
	case SAR_DENSE_RING:
		add(e, 2.0 * (workers - 1) * (SS_HEADER_BYTES + 4.0 * seg), 2.0 * (workers - 1));
		break;
	case SAR_RABENSEIFNER:
		rabenseifner(n, workers, e);
		break;
	default:
		return -1;
	}
	return 0;
}
