/*
 * gen_regression: planted linear model over features with geometrically decaying
 * scales (the construction is in gen_regression.h).
 *
 * Streams of data_seed: 0 draws w*, 1 draws the rows in order (train first, then
 * test). Every row draws exactly one label variate whatever `noise` and `kind` are, so
 * changing either changes the labels and nothing else.
 */
#include "datasets/gen_regression.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "datasets/genid.h"
#include "datasets/synth.h"
#include "suite/error.h"

/* Same reason as in rng.c: no fused multiply-add, so margins are bit-reproducible. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define REGRESS_NAME "regress"
#define REGRESS_VERSION "regress/v1"
#define REGRESS_MAX_BYTES ((double)((int64_t)1 << 38))   /* refuse more than 256 GiB */

const struct rb_param_spec regress_params[] = {
	{ "dimension", RB_INT, "100", 1, 1e7, NULL, "columns of the feature matrix" },
	{ "samples", RB_INT, "10000", 2, 1e9, NULL, "rows generated, train and test together" },
	{ "density", RB_REAL, "1", 1e-6, 1, NULL,
	  "probability that a feature of a row is nonzero; 1 gives a dense matrix, less gives CSR" },
	{ "noise", RB_REAL, "0.1", 0, 1e6, NULL,
	  "standard deviation of the Gaussian label noise (the margin has variance 1); for "
	  "classification it is added to the margin before the sign" },
	{ "condition", RB_REAL, "100", 1, 1e12, NULL,
	  "condition number of the population covariance: its eigenvalues span "
	  "density * [1/condition, 1], geometrically" },
	{ "kind", RB_CHOICE, "regression", 0, 0, "regression|classification",
	  "real labels from the planted linear model, or +1/-1 labels from its sign (probit)" },
	{ "test_fraction", RB_REAL, "0.2", 0, 0.9, NULL,
	  "fraction of the rows held out as the test split (the last rows)" },
	{ "data_seed", RB_INT, "1", 0, 9007199254740991.0, NULL,
	  "generator seed: the same parameters and seed give the same bytes everywhere" },
	{ 0 },
};

struct regress_config {
	int64_t samples, dimension;
	double density, noise, condition, test_fraction;
	bool classification;
	uint64_t seed;
};

struct regress_state {
	struct regress_config cfg;
	double *scale;      /* s_j */
	double *w_star;
	struct rng rows;
};

static void read_config(const struct rb_paramset *ps, struct regress_config *cfg)
{
	cfg->dimension = rb_paramset_get(ps, "dimension")->i;
	cfg->samples = rb_paramset_get(ps, "samples")->i;
	cfg->density = rb_paramset_get(ps, "density")->r;
	cfg->noise = rb_paramset_get(ps, "noise")->r;
	cfg->condition = rb_paramset_get(ps, "condition")->r;
	cfg->classification = strcmp(rb_paramset_get(ps, "kind")->s, "classification") == 0;
	cfg->test_fraction = rb_paramset_get(ps, "test_fraction")->r;
	cfg->seed = (uint64_t)rb_paramset_get(ps, "data_seed")->i;
}

void regress_checksum(const struct rb_paramset *ps, char out[65])
{
	genid_checksum(REGRESS_VERSION, regress_params, ps, out);
}

/* a^t for a > 0 and t in [0, 1], bit-reproducible: t's binary digits select factors
 * a^(1/2), a^(1/4), ... taken by repeated (correctly rounded) sqrt; doubling t and
 * dropping its integer part are exact. Relative error about 1e-14. */
static double pow_unit(double a, double t)
{
	double result = 1.0, root = a;

	if (t >= 1.0)
		return a;
	for (int i = 0; i < 53 && t > 0.0; i++) {
		root = sqrt(root);
		t *= 2.0;
		if (t >= 1.0) {
			result *= root;
			t -= 1.0;
		}
	}
	return result;
}

/* s_j = (1/sqrt(kappa))^(j/(d-1)): covariance eigenvalues geometric from 1 to 1/kappa. */
static void column_scales(const struct regress_config *cfg, double *scale)
{
	double last = 1.0 / sqrt(cfg->condition);

	scale[0] = 1.0;
	for (int64_t j = 1; j < cfg->dimension; j++)
		scale[j] = pow_unit(last, (double)j / (double)(cfg->dimension - 1));
}

/* w*_j ~ N(0, 1), rescaled so that Var(x.w*) = density sum_j s_j^2 w*_j^2 = 1. */
static void planted_model(struct regress_state *st)
{
	const struct regress_config *cfg = &st->cfg;
	double variance = 0.0;
	struct rng r;

	rng_seed(&r, cfg->seed, 0);
	for (int64_t j = 0; j < cfg->dimension; j++) {
		st->w_star[j] = rng_normal(&r);
		variance += st->scale[j] * st->scale[j] * st->w_star[j] * st->w_star[j];
	}
	variance *= cfg->density;
	double norm = variance > 0.0 ? 1.0 / sqrt(variance) : 1.0;
	for (int64_t j = 0; j < cfg->dimension; j++)
		st->w_star[j] *= norm;
}

static double draw_label(struct regress_state *st, double margin)
{
	double noisy = margin + st->cfg.noise * rng_normal(&st->rows);
	if (!st->cfg.classification)
		return noisy;
	return noisy >= 0.0 ? 1.0 : -1.0;
}

static int dense_split(struct regress_state *st, int64_t rows, struct ds_split *out)
{
	int64_t cols = st->cfg.dimension;

	out->x = (struct ds_matrix){ .rows = rows, .cols = cols, .sparse = false };
	out->x.dense = malloc((size_t)(rows > 0 ? rows * cols : 1) * sizeof(double));
	if (!out->x.dense)
		return -1;
	for (int64_t i = 0; i < rows; i++) {
		double *row = out->x.dense + i * cols;
		double margin = 0.0;
		for (int64_t j = 0; j < cols; j++) {
			row[j] = st->scale[j] * rng_normal(&st->rows);
			margin += row[j] * st->w_star[j];
		}
		out->y[i] = draw_label(st, margin);
	}
	return 0;
}

static double label_of(void *ctx, double margin)
{
	return draw_label(ctx, margin);
}

static int generate_split(struct regress_state *st, int64_t rows, struct ds_split *out)
{
	out->y = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(*out->y));
	if (!out->y)
		return -1;
	if (st->cfg.density >= 1.0)
		return dense_split(st, rows, out);
	return synth_sparse_split(&st->rows, st->cfg.density, st->cfg.dimension, st->scale, st->w_star,
				  rows, out, label_of, st);
}

/* Refuse sizes that cannot be meant (and would overflow or exhaust memory) up front. */
static int check_size(const struct regress_config *cfg, char *err, size_t errlen)
{
	double cells = (double)cfg->samples * (double)cfg->dimension;
	double bytes = cfg->density >= 1.0 ? cells * sizeof(double)
					   : cells * cfg->density * 12.0 + (double)cfg->samples * 8.0;

	if (bytes <= REGRESS_MAX_BYTES)
		return 0;
	return rb_error(err, errlen, "regress: %lld x %lld rows at density %g need %.0f GiB, more "
			"than the 256 GiB limit", (long long)cfg->samples,
			(long long)cfg->dimension, cfg->density, bytes / (1 << 30));
}

static void fill_identity(const struct rb_paramset *ps, struct ds_dataset *out)
{
	genid_fill(REGRESS_NAME, REGRESS_VERSION, regress_params, ps, out);
	out->kind = DS_TABLE;
	out->classes = 0;
}

static int generate_all(struct regress_state *st, struct ds_dataset *out)
{
	const struct regress_config *cfg = &st->cfg;
	int64_t test_rows = (int64_t)((double)cfg->samples * cfg->test_fraction);

	st->scale = malloc((size_t)cfg->dimension * sizeof(*st->scale));
	st->w_star = malloc((size_t)cfg->dimension * sizeof(*st->w_star));
	if (!st->scale || !st->w_star)
		return -1;
	column_scales(cfg, st->scale);
	planted_model(st);
	rng_seed(&st->rows, cfg->seed, 1);
	if (generate_split(st, cfg->samples - test_rows, &out->train) != 0)
		return -1;
	return generate_split(st, test_rows, &out->test);
}

int regress_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
		     size_t errlen)
{
	struct regress_state st = { 0 };

	memset(out, 0, sizeof(*out));
	read_config(ps, &st.cfg);
	if (check_size(&st.cfg, err, errlen) != 0)
		return -1;
	fill_identity(ps, out);
	int rc = generate_all(&st, out);
	free(st.scale);
	free(st.w_star);
	if (rc == 0)
		return 0;
	ds_dataset_free(out);
	return rb_error(err, errlen, "regress: out of memory generating %lld x %lld rows",
			(long long)st.cfg.samples, (long long)st.cfg.dimension);
}
