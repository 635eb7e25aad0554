/*
 * qiht: (normalised) IHT over a float or quantized operator (see qiht.h).
 */
#include "algorithms/quantized_iht/qiht.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Blumensath and Davies (2010): kappa = 2, c = 0.01; a bounded number of shrinks. */
#define NIHT_KAPPA 2.0
#define NIHT_C 0.01
#define NIHT_MAX_SHRINKS 30

void qiht_fwd(const struct qiht_op *op, const float *x, float *y)
{
	if (!op->q) {
		cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)op->m, (int)op->n, 1.0f, op->a,
			    (int)op->n, x, 1, 0.0f, y, 1);
		return;
	}
	qgemv(op->q, x, y, op->threads);
}

void qiht_bwd(const struct qiht_op *op, const float *r, float *g)
{
	if (!op->q) {
		cblas_sgemv(CblasRowMajor, CblasTrans, (int)op->m, (int)op->n, 1.0f, op->a,
			    (int)op->n, r, 1, 0.0f, g, 1);
		return;
	}
	qgemv_t(op->q_t ? op->q_t : op->q, r, g, op->threads);
}

int qiht_state_init(struct qiht_state *st, int64_t m, int64_t n, uint64_t seed)
{
	memset(st, 0, sizeof(*st));
	st->m = m, st->n = n;
	st->x = calloc((size_t)n, sizeof(float));
	st->g = calloc((size_t)n, sizeof(float));
	st->t = calloc((size_t)n, sizeof(float));
	st->u = calloc((size_t)n, sizeof(float));
	st->r = calloc((size_t)m, sizeof(float));
	st->mv = calloc((size_t)m, sizeof(float));
	st->mag = calloc((size_t)n, sizeof(double));
	st->idx = calloc((size_t)n, sizeof(uint32_t));
	st->supp = calloc((size_t)n, 1);
	st->supp_new = calloc((size_t)n, 1);
	st->w = topk_workspace_new(n);
	rng_seed(&st->rng, seed, 0x9147);
	if (!st->x || !st->g || !st->t || !st->u || !st->r || !st->mv || !st->mag || !st->idx ||
	    !st->supp || !st->supp_new || !st->w) {
		qiht_state_free(st);
		return -1;
	}
	return 0;
}

void qiht_state_free(struct qiht_state *st)
{
	free(st->x), free(st->g), free(st->t), free(st->u), free(st->r), free(st->mv);
	free(st->mag), free(st->idx), free(st->supp), free(st->supp_new);
	topk_workspace_free(st->w);
	memset(st, 0, sizeof(*st));
}

static double dot_f(const float *a, const float *b, int64_t n)
{
	double s = 0;
	for (int64_t i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

/* out = H_s(v): the s entries of largest magnitude; mask marks them. */
static void hard_threshold(struct qiht_state *st, const float *v, int64_t s, float *out,
			   uint8_t *mask)
{
	for (int64_t i = 0; i < st->n; i++)
		st->mag[i] = v[i];
	topk_select(st->w, st->mag, st->n, s, st->idx);
	memset(out, 0, (size_t)st->n * sizeof(float));
	memset(mask, 0, (size_t)st->n);
	for (int64_t j = 0; j < s; j++)
		out[st->idx[j]] = v[st->idx[j]], mask[st->idx[j]] = 1;
}

/* t = H_s(x + mu g) into st->t, its support into st->supp_new. */
static void candidate(struct qiht_state *st, double mu, int64_t s)
{
	for (int64_t i = 0; i < st->n; i++)
		st->u[i] = st->x[i] + (float)mu * st->g[i];
	hard_threshold(st, st->u, s, st->t, st->supp_new);
}

/* ||A v||^2 with v restricted to mask (NULL: all of v), through st->u / st->mv. */
static double fwd_norm2(const struct qiht_op *op, struct qiht_state *st, const float *v,
			const uint8_t *mask)
{
	for (int64_t i = 0; i < st->n; i++)
		st->u[i] = mask && !mask[i] ? 0.0f : v[i];
	qiht_fwd(op, st->u, st->mv);
	return dot_f(st->mv, st->mv, st->m);
}

/* The normalised step (Blumensath and Davies 2010, Sec. III): mu = |g_G|^2 / |A g_G|^2
 * on the support G of x (of H_s(g) at x = 0); when the candidate's support differs,
 * shrink mu until mu <= (1 - c) |t - x|^2 / |A (t - x)|^2. */
static void niht_candidate(const struct qiht_op *op, struct qiht_state *st, int64_t s)
{
	int fresh = 1;
	for (int64_t i = 0; i < st->n && fresh; i++)
		fresh = st->x[i] == 0;
	if (fresh)
		hard_threshold(st, st->g, s, st->t, st->supp);
	double gg = 0;
	for (int64_t i = 0; i < st->n; i++)
		gg += st->supp[i] ? (double)st->g[i] * st->g[i] : 0;
	double agg = fwd_norm2(op, st, st->g, st->supp);
	double mu = agg > 0 ? gg / agg : 0;
	candidate(st, mu, s);
	for (int k = 0; k < NIHT_MAX_SHRINKS && memcmp(st->supp, st->supp_new, (size_t)st->n); k++) {
		double dd = 0;
		for (int64_t i = 0; i < st->n; i++) {
			double e = (double)st->t[i] - st->x[i];
			dd += e * e;
		}
		for (int64_t i = 0; i < st->n; i++)
			st->u[i] = st->t[i] - st->x[i];
		qiht_fwd(op, st->u, st->mv);
		double add = dot_f(st->mv, st->mv, st->m);
		double omega = add > 0 ? (1 - NIHT_C) * dd / add : mu;
		if (mu <= omega)
			break;
		mu /= NIHT_KAPPA * (1 - NIHT_C);
		st->shrinks++;
		candidate(st, mu, s);
	}
	st->last_mu = mu;
}

int qiht_step(const struct qiht_op *op, const float *y, const struct qiht_config *c,
	      struct qiht_state *st)
{
	if (c->s < 1 || c->s > st->n)
		return -1;
	struct quant_spec vq = { c->vec_bits, QGEMV_TILE, QUANT_MAXABS, c->rounding };
	/* r = y - A x, at the vectors' precision. */
	qiht_fwd(op, st->x, st->r);
	for (int64_t i = 0; i < st->m; i++)
		st->r[i] = y[i] - st->r[i];
	if (c->vec_bits && quant_apply(&vq, st->r, st->m, st->r, &st->rng) != 0)
		return -1;
	qiht_bwd(op, st->r, st->g);
	if (c->normalized) {
		niht_candidate(op, st, c->s);
	} else {
		candidate(st, c->mu, c->s);
		st->last_mu = c->mu;
	}
	memcpy(st->x, st->t, (size_t)st->n * sizeof(float));
	memcpy(st->supp, st->supp_new, (size_t)st->n);
	if (c->vec_bits && quant_apply(&vq, st->x, st->n, st->x, &st->rng) != 0)
		return -1;
	return 0;
}

double qiht_rel_error(const float *x, const double *truth, int64_t n)
{
	double e = 0, t = 0;
	for (int64_t i = 0; i < n; i++) {
		e += (x[i] - truth[i]) * (x[i] - truth[i]);
		t += truth[i] * truth[i];
	}
	return t > 0 ? sqrt(e / t) : sqrt(e);
}

double qiht_support_recall(const float *x, const double *truth, int64_t n)
{
	int64_t hit = 0, s = 0;
	for (int64_t i = 0; i < n; i++) {
		s += truth[i] != 0;
		hit += truth[i] != 0 && x[i] != 0;
	}
	return s ? (double)hit / (double)s : 1.0;
}
