/*
 * synth: planted-model generator for logistic and least-squares regression.
 *
 * w* ~ N(0, sigma^2 / (density * features) I), so the planted margin x.w* has
 * standard deviation about sigma whatever the shape. Logistic: sigma = 4 and
 * P(y = +1 | x) = 1 / (1 + exp(-x.w*)) give a Bayes accuracy of about 0.87, and the
 * flips (noise = 0.05 by default) take it to about 0.83, like a9a: learnable and never
 * separable, so the regularised optimum is finite and well inside reach.
 * Regression: sigma = 1 and y = x.w* + noise * N(0, 1), so noise^2 is the
 * noise-to-signal ratio.
 *
 * Streams: stream 0 of data_seed draws w*, stream 1 draws the rows in order (train
 * first, then test). Every row draws the same number of label variates whatever
 * `noise` is, so changing `noise` changes the labels and nothing else.
 */
#include "datasets/synth.h"
#include "datasets/genid.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

/* Same reason as in rng.c: no fused multiply-add, so margins are bit-reproducible. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define SYNTH_NAME "synth_logreg"
#define SYNTH_VERSION "synth_logreg/v1"
#define SYNTH_LOGIT_STD 4.0
#define SYNTH_REGRESSION_STD 1.0

const struct rb_param_spec synth_logreg_params[] = {
	{ "samples", RB_INT, "32561", 2, 1e9, NULL,
	  "rows generated, train and test together" },
	{ "features", RB_INT, "123", 1, 1e7, NULL, "columns of the feature matrix" },
	{ "density", RB_REAL, "0.11", 1e-6, 1, NULL,
	  "probability that a feature of a row is nonzero; 1 gives a dense matrix, less gives CSR" },
	{ "noise", RB_REAL, "0.05", 0, 1e6, NULL,
	  "logistic: probability of flipping a label (at most 1); regression: std of the label noise" },
	{ "test_fraction", RB_REAL, "0.2", 0, 0.9, NULL,
	  "fraction of the rows held out as the test split (the last rows)" },
	{ "kind", RB_CHOICE, "logistic", 0, 0, "logistic|regression",
	  "labels from a planted logistic model (+1/-1) or a planted linear model (real)" },
	{ "data_seed", RB_INT, "1", 0, 9007199254740991.0, NULL,
	  "generator seed: the same parameters and seed give the same bytes everywhere" },
	{ 0 },
};

struct synth_config {
	int64_t samples, features;
	double density, noise, test_fraction;
	bool logistic;
	uint64_t seed;
};

struct synth_state {
	struct synth_config cfg;
	double *w_star;
	struct rng rows;
};

static void read_config(const struct rb_paramset *ps, struct synth_config *cfg)
{
	cfg->samples = rb_paramset_get(ps, "samples")->i;
	cfg->features = rb_paramset_get(ps, "features")->i;
	cfg->density = rb_paramset_get(ps, "density")->r;
	cfg->noise = rb_paramset_get(ps, "noise")->r;
	cfg->test_fraction = rb_paramset_get(ps, "test_fraction")->r;
	cfg->logistic = strcmp(rb_paramset_get(ps, "kind")->s, "logistic") == 0;
	cfg->seed = (uint64_t)rb_paramset_get(ps, "data_seed")->i;
}

void synth_logreg_checksum(const struct rb_paramset *ps, char out[65])
{
	genid_checksum(SYNTH_VERSION, synth_logreg_params, ps, out);
}

static int check_config(const struct synth_config *cfg, char *err, size_t errlen)
{
	if (cfg->logistic && cfg->noise > 1.0) {
		snprintf(err, errlen, "noise is a label-flip probability for kind logistic: "
			 "%g is above 1", cfg->noise);
		return -1;
	}
	return 0;
}

/* w*_j ~ N(0, sigma^2 / (density * features)): the margin x.w* has std about sigma. */
static int planted_model(struct synth_state *st)
{
	const struct synth_config *cfg = &st->cfg;
	double sigma = cfg->logistic ? SYNTH_LOGIT_STD : SYNTH_REGRESSION_STD;
	double scale = sigma / sqrt(cfg->density * (double)cfg->features);
	struct rng r;

	st->w_star = malloc((size_t)cfg->features * sizeof(*st->w_star));
	if (!st->w_star)
		return -1;
	rng_seed(&r, cfg->seed, 0);
	for (int64_t j = 0; j < cfg->features; j++)
		st->w_star[j] = scale * rng_normal(&r);
	return 0;
}

/* Logistic: y = +1 with probability sigmoid(margin) (a standard logistic variate below
 * the margin), then flipped with probability noise. Regression: margin + noise N(0,1).
 * Both variates are always drawn, to keep the stream aligned across noise levels. */
static double draw_label(struct synth_state *st, double margin)
{
	if (!st->cfg.logistic)
		return margin + st->cfg.noise * rng_normal(&st->rows);
	double y = rng_logistic(&st->rows) < margin ? 1.0 : -1.0;
	if (rng_uniform(&st->rows) < st->cfg.noise)
		y = -y;
	return y;
}

static double dense_row(struct synth_state *st, double *row)
{
	double margin = 0.0;

	for (int64_t j = 0; j < st->cfg.features; j++) {
		row[j] = rng_normal(&st->rows);
		margin += row[j] * st->w_star[j];
	}
	return margin;
}

static int dense_split(struct synth_state *st, int64_t rows, struct ds_split *out)
{
	int64_t cols = st->cfg.features;
	size_t cells = (size_t)rows * (size_t)cols;

	out->x = (struct ds_matrix){ .rows = rows, .cols = cols, .sparse = false };
	out->x.dense = malloc(cells * sizeof(double));
	if (!out->x.dense && cells > 0)
		return -1;
	for (int64_t i = 0; i < rows; i++) {
		double margin = dense_row(st, out->x.dense + i * cols);
		out->y[i] = draw_label(st, margin);
	}
	return 0;
}

static int sparse_row(struct rng *r, double density, int64_t cols, const double *scale,
		      const double *w, struct ds_matrix *m, int64_t row, int64_t *cap, double *margin)
{
	int64_t nnz = m->rowptr[row];
	int64_t j = rng_geometric(r, density);

	*margin = 0.0;
	while (j < cols) {
		if (ds_csr_reserve(m, nnz, cap) != 0)
			return -1;
		double v = scale ? scale[j] * rng_normal(r) : rng_normal(r);
		m->colidx[nnz] = (int32_t)j;
		m->values[nnz] = v;
		*margin += v * w[j];
		nnz++;
		j += 1 + rng_geometric(r, density);
	}
	m->rowptr[row + 1] = nnz;
	return 0;
}

int synth_sparse_split(struct rng *r, double density, int64_t cols, const double *scale,
		       const double *w, int64_t rows, struct ds_split *out, synth_label_fn label,
		       void *ctx)
{
	struct ds_matrix *m = &out->x;
	double expected = (double)rows * (double)cols * density;
	int64_t cap = (int64_t)(expected * 1.01) + 1024;

	if (ds_csr_alloc(m, rows, cols, cap) != 0)
		return -1;
	for (int64_t i = 0; i < rows; i++) {
		double margin;
		if (sparse_row(r, density, cols, scale, w, m, i, &cap, &margin) != 0)
			return -1;
		out->y[i] = label(ctx, margin);
	}
	return 0;
}

static double label_of(void *ctx, double margin)
{
	return draw_label(ctx, margin);
}

static int generate_split(struct synth_state *st, int64_t rows, struct ds_split *out)
{
	out->y = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(*out->y));
	if (!out->y)
		return -1;
	if (st->cfg.density >= 1.0)
		return dense_split(st, rows, out);
	return synth_sparse_split(&st->rows, st->cfg.density, st->cfg.features, NULL, st->w_star, rows,
				  out, label_of, st);
}

static void fill_identity(const struct rb_paramset *ps, struct ds_dataset *out)
{
	genid_fill(SYNTH_NAME, SYNTH_VERSION, synth_logreg_params, ps, out);
}

int synth_logreg_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			  size_t errlen)
{
	struct synth_state st = { 0 };

	memset(out, 0, sizeof(*out));
	read_config(ps, &st.cfg);
	if (check_config(&st.cfg, err, errlen) != 0)
		return -1;
	int64_t test_rows = (int64_t)((double)st.cfg.samples * st.cfg.test_fraction);
	int64_t train_rows = st.cfg.samples - test_rows;

	fill_identity(ps, out);
	rng_seed(&st.rows, st.cfg.seed, 1);
	if (planted_model(&st) != 0 || generate_split(&st, train_rows, &out->train) != 0 ||
	    generate_split(&st, test_rows, &out->test) != 0) {
		free(st.w_star);
		ds_dataset_free(out);
		snprintf(err, errlen, "out of memory generating %lld x %lld synthetic rows",
			 (long long)st.cfg.samples, (long long)st.cfg.features);
		return -1;
	}
	free(st.w_star);
	return 0;
}
