/* gen_text: the RCV1-shaped sparse text generator (see gen_text.h). */
#include "datasets/gen_text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "datasets/genid.h"

/* Same reason as in rng.c: no fused multiply-add, so the bytes do not depend on it. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define GENTEXT_NAME "synth_rcv1"
#define GENTEXT_VERSION "synth_rcv1/v1"

const struct rb_param_spec gentext_params[] = {
	{ "samples", RB_INT, "20242", 2, 1e8, NULL, "rows generated, train and test together" },
	{ "features", RB_INT, "47236", 16, 1e7, NULL, "columns (vocabulary size)" },
	{ "nnz_mean", RB_REAL, "74", 1, 1e5, NULL,
	  "mean nonzeros per row (rcv1_train.binary: 74, i.e. 0.157% of 47,236)" },
	{ "zipf", RB_REAL, "1.0", 0, 4, NULL, "Zipf exponent of the feature frequencies" },
	{ "margin", RB_REAL, "8", 0, 1e3, NULL, "scale of the planted margin: margin * x.w*" },
	{ "signal", RB_INT, "2000", 1, 1e7, NULL,
	  "the planted model uses the columns of the `signal` most frequent ranks" },
	{ "noise", RB_REAL, "0.02", 0, 1, NULL, "probability of flipping a label" },
	{ "test_fraction", RB_REAL, "0.2", 0, 0.9, NULL,
	  "fraction of the rows held out as the test split (the last rows)" },
	{ "data_seed", RB_INT, "1", 0, 9007199254740991.0, NULL,
	  "generator seed: the same parameters and seed give the same bytes everywhere" },
	{ 0 },
};

/* One term of a row being written: its column and its Zipf rank. */
struct term {
	int32_t column, rank;
};

struct gentext {
	int64_t samples, features, max_len, signal;
	double nnz_mean, zipf, margin, noise, test_fraction;
	uint64_t seed;
	double *cdf;       /* features: cumulative Zipf probabilities by rank */
	double *idf;       /* features, by rank: log(1 / p_r) */
	int32_t *column;   /* features: rank -> column id */
	double *w_star;    /* features, by column */
	int32_t *stamp;    /* features, by rank: last row that drew it (+1) */
	int32_t *count;    /* features, by rank: term count in the current row */
	int32_t *drawn;    /* max_len ranks of the current row */
	struct term *terms; /* max_len (column, rank) of the current row */
	struct rng rows;
};

void gentext_checksum(const struct rb_paramset *ps, char out[65])
{
	genid_checksum(GENTEXT_VERSION, gentext_params, ps, out);
}

static void read_config(const struct rb_paramset *ps, struct gentext *g)
{
	g->samples = rb_paramset_get(ps, "samples")->i;
	g->features = rb_paramset_get(ps, "features")->i;
	g->nnz_mean = rb_paramset_get(ps, "nnz_mean")->r;
	g->zipf = rb_paramset_get(ps, "zipf")->r;
	g->margin = rb_paramset_get(ps, "margin")->r;
	g->signal = rb_paramset_get(ps, "signal")->i;
	g->noise = rb_paramset_get(ps, "noise")->r;
	g->test_fraction = rb_paramset_get(ps, "test_fraction")->r;
	g->seed = (uint64_t)rb_paramset_get(ps, "data_seed")->i;
	g->max_len = g->features / 4;
}

static void free_tables(struct gentext *g)
{
	free(g->cdf);
	free(g->idf);
	free(g->column);
	free(g->w_star);
	free(g->stamp);
	free(g->count);
	free(g->drawn);
	free(g->terms);
}

static int alloc_tables(struct gentext *g)
{
	size_t f = (size_t)g->features;
	g->cdf = malloc(f * sizeof(double));
	g->idf = malloc(f * sizeof(double));
	g->column = malloc(f * sizeof(int32_t));
	g->w_star = malloc(f * sizeof(double));
	g->stamp = calloc(f, sizeof(int32_t));
	g->count = calloc(f, sizeof(int32_t));
	g->drawn = malloc((size_t)g->max_len * sizeof(int32_t));
	g->terms = malloc((size_t)g->max_len * sizeof(*g->terms));
	return g->cdf && g->idf && g->column && g->w_star && g->stamp && g->count && g->drawn && g->terms
		       ? 0
		       : -1;
}

/* Zipf weights r^-zipf, their cumulative sum (normalised), idf = log(1 / p_r). */
static void zipf_tables(struct gentext *g)
{
	double total = 0.0;
	for (int64_t r = 0; r < g->features; r++) {
		double w = pow((double)(r + 1), -g->zipf);
		total += w;
		g->cdf[r] = total;
	}
	for (int64_t r = 0; r < g->features; r++) {
		double p = pow((double)(r + 1), -g->zipf) / total;
		g->cdf[r] /= total;
		g->idf[r] = log(1.0 / p);
	}
	g->cdf[g->features - 1] = 1.0;
}

/* rank -> column permutation (stream 1), then w* (stream 0): N(0, 1) on the columns
 * of the `signal` most frequent ranks, 0 elsewhere, so the labels depend on terms that
 * occur often enough to be learnt, as a topic does in text. */
static void planted_tables(struct gentext *g)
{
	struct rng r;
	rng_seed(&r, g->seed, 1);
	for (int64_t j = 0; j < g->features; j++)
		g->column[j] = (int32_t)j;
	for (int64_t j = g->features - 1; j > 0; j--) {
		int64_t k = (int64_t)rng_below(&r, (uint64_t)j + 1);
		int32_t t = g->column[j];
		g->column[j] = g->column[k];
		g->column[k] = t;
	}
	rng_seed(&r, g->seed, 0);
	for (int64_t j = 0; j < g->features; j++)
		g->w_star[g->column[j]] = j < g->signal ? rng_normal(&r) : 0.0;
}

/* The first rank whose cumulative probability reaches u (binary search). */
static int64_t draw_rank(const struct gentext *g, double u)
{
	int64_t lo = 0, hi = g->features - 1;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (g->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Draw the row's distinct ranks: repeats add to the term count. Returns how many: the
 * drawn length, or fewer when 64 draws per term did not find that many distinct ones
 * (only for rows far longer than the defaults give, where the Zipf tail is thin). */
static int64_t draw_ranks(struct gentext *g, int32_t row)
{
	int64_t len = 1 + rng_geometric(&g->rows, 1.0 / g->nnz_mean);
	if (len > g->max_len)
		len = g->max_len;
	int64_t distinct = 0;
	for (int64_t tries = 0; distinct < len && tries < 64 * len; tries++) {
		int64_t r = draw_rank(g, rng_uniform(&g->rows));
		if (g->stamp[r] == row + 1) {
			g->count[r]++;
			continue;
		}
		g->stamp[r] = row + 1;
		g->count[r] = 1;
		g->drawn[distinct++] = (int32_t)r;
	}
	return distinct;
}

static int by_column(const void *a, const void *b)
{
	int32_t x = ((const struct term *)a)->column, y = ((const struct term *)b)->column;
	return (x > y) - (x < y);
}

/* One row into the CSR matrix at nnz offset `at`, columns ascending, scaled to unit
 * norm; returns the planted margin. */
static double write_row(struct gentext *g, int64_t len, struct ds_matrix *m, int64_t at)
{
	for (int64_t i = 0; i < len; i++)
		g->terms[i] = (struct term){ g->column[g->drawn[i]], g->drawn[i] };
	qsort(g->terms, (size_t)len, sizeof(struct term), by_column);
	double norm2 = 0.0;
	for (int64_t i = 0; i < len; i++) {
		int32_t r = g->terms[i].rank;
		double v = (1.0 + log((double)g->count[r])) * g->idf[r];
		m->colidx[at + i] = g->terms[i].column;
		m->values[at + i] = v;
		norm2 += v * v;
	}
	double inv = 1.0 / sqrt(norm2), margin = 0.0;
	for (int64_t i = 0; i < len; i++) {
		m->values[at + i] *= inv;
		margin += m->values[at + i] * g->w_star[m->colidx[at + i]];
	}
	return g->margin * margin;
}

/* y = +1 with probability sigmoid(margin), then flipped with probability noise; both
 * variates are always drawn so `noise` changes the labels and nothing else. */
static double draw_label(struct gentext *g, double margin)
{
	double y = rng_logistic(&g->rows) < margin ? 1.0 : -1.0;
	if (rng_uniform(&g->rows) < g->noise)
		y = -y;
	return y;
}

static int generate_split(struct gentext *g, int64_t rows, int32_t first_row, struct ds_split *out)
{
	struct ds_matrix *m = &out->x;
	int64_t cap = (int64_t)((double)rows * g->nnz_mean * 1.1) + 1024;
	out->y = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(double));
	if (!out->y || ds_csr_alloc(m, rows, g->features, cap) != 0)
		return -1;
	for (int64_t i = 0; i < rows; i++) {
		int64_t len = draw_ranks(g, first_row + (int32_t)i);
		int64_t at = m->rowptr[i];
		while (at + len >= cap)
			if (ds_csr_reserve(m, at + len, &cap) != 0)
				return -1;
		out->y[i] = draw_label(g, write_row(g, len, m, at));
		m->rowptr[i + 1] = at + len;
	}
	return 0;
}

int gentext_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err, size_t errlen)
{
	struct gentext g = { 0 };
	memset(out, 0, sizeof(*out));
	read_config(ps, &g);
	int64_t test_rows = (int64_t)((double)g.samples * g.test_fraction);
	int64_t train_rows = g.samples - test_rows;
	int rc = alloc_tables(&g);
	if (rc == 0) {
		zipf_tables(&g);
		planted_tables(&g);
		rng_seed(&g.rows, g.seed, 2);
		genid_fill(GENTEXT_NAME, GENTEXT_VERSION, gentext_params, ps, out);
		rc = generate_split(&g, train_rows, 0, &out->train);
	}
	if (rc == 0)
		rc = generate_split(&g, test_rows, (int32_t)train_rows, &out->test);
	free_tables(&g);
	if (rc == 0)
		return 0;
	ds_dataset_free(out);
	snprintf(err, errlen, "out of memory generating %lld x %lld RCV1-shaped rows",
		 (long long)g.samples, (long long)g.features);
	return -1;
}
