/* attacks: the Byzantine behaviours of attack.h, one ops table each. */
#include "algorithms/byzantine_sgd/attack.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

static void none_apply(const struct attack_ctx *c, double *g, long k)
{
	(void)c, (void)g, (void)k;
}

static void sign_flip_apply(const struct attack_ctx *c, double *g, long k)
{
	(void)k;
	for (int i = 0; i < c->m; i++)
		if (c->is_byz[i])
			for (int j = 0; j < c->d; j++)
				g[(size_t)i * c->d + j] *= -c->scale;
}

static void gaussian_apply(const struct attack_ctx *c, double *g, long k)
{
	double sd = c->scale * c->v / sqrt((double)c->d);
	(void)k;
	for (int i = 0; i < c->m; i++)
		if (c->is_byz[i])
			for (int j = 0; j < c->d; j++)
				g[(size_t)i * c->d + j] += sd * rng_normal(c->rng);
}

static void bias_apply(const struct attack_ctx *c, double *g, long k)
{
	(void)k;
	for (int i = 0; i < c->m; i++)
		if (c->is_byz[i])
			for (int j = 0; j < c->d; j++)
				g[(size_t)i * c->d + j] += c->bias[j];
}

static void hiding_apply(const struct attack_ctx *c, double *g, long k)
{
	if (k > c->hide_until)
		bias_apply(c, g, k);
}

/* Mean (and, with sd, standard deviation) of the good rows per coordinate. */
static void good_moments(const struct attack_ctx *c, const double *g, double *mean, double *sd)
{
	int good = c->m - c->byzantine;
	for (int j = 0; j < c->d; j++) {
		double s = 0.0, s2 = 0.0;
		for (int i = 0; i < c->m; i++)
			if (!c->is_byz[i])
				s += g[(size_t)i * c->d + j];
		mean[j] = s / good;
		if (!sd)
			continue;
		for (int i = 0; i < c->m; i++)
			if (!c->is_byz[i]) {
				double e = g[(size_t)i * c->d + j] - mean[j];
				s2 += e * e;
			}
		sd[j] = good > 1 ? sqrt(s2 / (good - 1)) : 0.0;
	}
}

static void set_byzantine_rows(const struct attack_ctx *c, double *g, const double *row)
{
	for (int i = 0; i < c->m; i++)
		if (c->is_byz[i])
			memcpy(g + (size_t)i * c->d, row, (size_t)c->d * sizeof(double));
}

static void alie_apply(const struct attack_ctx *c, double *g, long k)
{
	(void)k;
	good_moments(c, g, c->mean, c->sd);
	for (int j = 0; j < c->d; j++)
		c->mean[j] -= c->scale * c->sd[j];
	set_byzantine_rows(c, g, c->mean);
}

static void ipm_apply(const struct attack_ctx *c, double *g, long k)
{
	(void)k;
	good_moments(c, g, c->mean, NULL);
	for (int j = 0; j < c->d; j++)
		c->mean[j] *= -c->scale;
	set_byzantine_rows(c, g, c->mean);
}

double atk_normal_quantile(double p)
{
	/* Phi(x) = erfc(-x / sqrt 2) / 2 is increasing: bisect on [-40, 40]. */
	double lo = -40.0, hi = 40.0;
	while (hi - lo > 1e-12) {
		double mid = 0.5 * (lo + hi);
		if (0.5 * erfc(-mid / sqrt(2.0)) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double atk_alie_z(int m, int f)
{
	int s = m / 2 + 1 - f;
	double p = (double)(m - f - s) / (double)(m - f);
	/* The rule leaves (0, 1) only at degenerate m, f: no shift then. */
	if (p <= 0.0 || p >= 1.0)
		return 0.0;
	return atk_normal_quantile(p);
}

static const struct attack_ops atk_table[] = {
	{ "none", 0, 1, none_apply },
	{ "sign_flip", 0, 10, sign_flip_apply },
	{ "gaussian", 0, 10, gaussian_apply },
	{ "bias", 0, 1, bias_apply },
	{ "hiding_bias", 0, 1, hiding_apply },
	{ "alie", 0, 0, alie_apply },     /* 0: z from atk_alie_z */
	{ "ipm", 0, 0.1, ipm_apply },
	{ "label_flip", 1, 1, none_apply },
};

const struct attack_ops *atk_find(const char *name)
{
	for (size_t i = 0; i < sizeof(atk_table) / sizeof(atk_table[0]); i++)
		if (strcmp(atk_table[i].name, name) == 0)
			return &atk_table[i];
	return NULL;
}
