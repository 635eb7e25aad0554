/*
 * compressor: the four ways a worker picks what it sends (see compressor.h).
 */
#include "algorithms/sparsified_sgd/compressor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int compressor_parse(const char *name, enum compressor_kind *out)
{
	static const char *const names[] = { "none", "topk", "randk", "threshold" };
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum compressor_kind)i;
			return 0;
		}
	return -1;
}

int compressor_init(struct compressor *c, enum compressor_kind kind, int64_t n, int64_t k,
		    double threshold)
{
	*c = (struct compressor){ .kind = kind, .n = n, .k = k, .threshold = threshold };
	if (kind == COMPRESSOR_TOPK) {
		c->topk = topk_workspace_new(n);
		c->idx = malloc((size_t)k * sizeof(*c->idx) + 1);
		return c->topk && c->idx ? 0 : -1;
	}
	if (kind == COMPRESSOR_RANDK) {
		c->perm = malloc((size_t)n * sizeof(*c->perm));
		if (!c->perm)
			return -1;
		for (int64_t i = 0; i < n; i++)
			c->perm[i] = (uint32_t)i;
	}
	return 0;
}

void compressor_free(struct compressor *c)
{
	topk_workspace_free(c->topk);
	free(c->idx);
	free(c->perm);
	c->topk = NULL;
	c->idx = c->perm = NULL;
}

static int64_t send_all(const double *x, int64_t n, struct comm_pair *out)
{
	for (int64_t i = 0; i < n; i++)
		out[i] = (struct comm_pair){ (uint32_t)i, (float)x[i] };
	return n;
}

static int64_t send_topk(struct compressor *c, const double *x, struct comm_pair *out)
{
	topk_select(c->topk, x, c->n, c->k, c->idx);
	for (int64_t j = 0; j < c->k; j++)
		out[j] = (struct comm_pair){ c->idx[j], (float)x[c->idx[j]] };
	return c->k;
}

/* Partial Fisher-Yates: the first k entries of any permutation, shuffled this far, are
 * a uniform k-subset, so the permutation is never reset. */
static int64_t send_randk(struct compressor *c, const double *x, struct rng *r,
			  struct comm_pair *out)
{
	for (int64_t j = 0; j < c->k; j++) {
		int64_t pick = j + (int64_t)rng_below(r, (uint64_t)(c->n - j));
		uint32_t t = c->perm[j];
		c->perm[j] = c->perm[pick];
		c->perm[pick] = t;
		out[j] = (struct comm_pair){ c->perm[j], (float)x[c->perm[j]] };
	}
	return c->k;
}

static int64_t send_threshold(const struct compressor *c, const double *x,
			      struct comm_pair *out)
{
	int64_t count = 0;
	for (int64_t i = 0; i < c->n; i++)
		if (fabs(x[i]) >= c->threshold)
			out[count++] = (struct comm_pair){ (uint32_t)i, (float)x[i] };
	return count;
}

int64_t compressor_apply(struct compressor *c, const double *x, struct rng *r,
			 struct comm_pair *out)
{
	switch (c->kind) {
	case COMPRESSOR_TOPK:
		return send_topk(c, x, out);
	case COMPRESSOR_RANDK:
		return send_randk(c, x, r, out);
	case COMPRESSOR_THRESHOLD:
		return send_threshold(c, x, out);
	case COMPRESSOR_NONE:
		break;
	}
	return send_all(x, c->n, out);
}
