/* Unit tests for datasets/synth: reproducibility, shape, labels, checksum. */
#include <criterion/criterion.h>
#include <math.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/models/linear.h"
#include "datasets/synth.h"

TestSuite(synth);

/* Every parameter at its table default, parsed as the harness would. */
static struct rb_paramset defaults(void)
{
	struct rb_paramset ps = { 0 };
	char err[128];

	for (const struct rb_param_spec *s = synth_logreg_params; s->name; s++) {
		struct rb_value v;
		cr_assert_eq(rb_value_parse(s, s->def, &v, err, sizeof(err)), 0, "%s: %s", s->name,
			     err);
		rb_paramset_set(&ps, s->name, &v);
	}
	return ps;
}

static void set_int(struct rb_paramset *ps, const char *name, long long i)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	v.i = i;
	rb_paramset_set(ps, name, &v);
}

static void set_real(struct rb_paramset *ps, const char *name, double r)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	v.r = r;
	rb_paramset_set(ps, name, &v);
}

static void set_choice(struct rb_paramset *ps, const char *name, const char *s)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	snprintf(v.s, sizeof(v.s), "%s", s);
	rb_paramset_set(ps, name, &v);
}

/* A small problem that generates in milliseconds. */
static struct rb_paramset small(long long samples, long long features, double density)
{
	struct rb_paramset ps = defaults();
	set_int(&ps, "samples", samples);
	set_int(&ps, "features", features);
	set_real(&ps, "density", density);
	return ps;
}

static void generate(const struct rb_paramset *ps, struct ds_dataset *d)
{
	char err[256] = "";
	int rc = synth_logreg_generate(ps, d, err, sizeof(err));
	cr_assert_eq(rc, 0, "generate failed: %s", err);
}

static bool same_matrix(const struct ds_matrix *a, const struct ds_matrix *b)
{
	if (a->rows != b->rows || a->cols != b->cols || a->sparse != b->sparse)
		return false;
	if (!a->sparse)
		return memcmp(a->dense, b->dense, (size_t)(a->rows * a->cols) * sizeof(double)) == 0;
	int64_t nnz = ds_matrix_nnz(a);
	return nnz == ds_matrix_nnz(b) &&
	       memcmp(a->rowptr, b->rowptr, (size_t)(a->rows + 1) * sizeof(int64_t)) == 0 &&
	       memcmp(a->colidx, b->colidx, (size_t)nnz * sizeof(int32_t)) == 0 &&
	       memcmp(a->values, b->values, (size_t)nnz * sizeof(double)) == 0;
}

static bool same_split(const struct ds_split *a, const struct ds_split *b)
{
	return same_matrix(&a->x, &b->x) &&
	       memcmp(a->y, b->y, (size_t)a->x.rows * sizeof(double)) == 0;
}

static bool same_dataset(const struct ds_dataset *a, const struct ds_dataset *b)
{
	return memcmp(a->name, b->name, sizeof(a->name)) == 0 &&
	       strcmp(a->checksum, b->checksum) == 0 && strcmp(a->source, b->source) == 0 &&
	       same_split(&a->train, &b->train) && same_split(&a->test, &b->test);
}

Test(synth, table_defaults_are_in_range_and_documented)
{
	int n = 0;

	for (const struct rb_param_spec *s = synth_logreg_params; s->name; s++, n++) {
		cr_assert(s->def && s->doc && s->doc[0], "%s lacks a default or a doc", s->name);
		if (s->type == RB_INT || s->type == RB_REAL) {
			double v = strtod(s->def, NULL);
			cr_assert(v >= s->min && v <= s->max, "%s default %s outside [%g, %g]",
				  s->name, s->def, s->min, s->max);
		}
	}
	cr_assert_eq(n, 7);
}

Test(synth, same_seed_gives_identical_bytes)
{
	const double densities[] = { 0.1, 1.0 };

	for (int k = 0; k < 2; k++) {
		struct rb_paramset ps = small(3000, 40, densities[k]);
		struct ds_dataset a, b;
		generate(&ps, &a);
		generate(&ps, &b);
		cr_assert(same_dataset(&a, &b), "density %g: two generations differ", densities[k]);
		ds_dataset_free(&a);
		ds_dataset_free(&b);
	}
}

Test(synth, different_seed_gives_different_data)
{
	struct rb_paramset ps = small(2000, 30, 0.2);
	struct ds_dataset a, b;

	generate(&ps, &a);
	set_int(&ps, "data_seed", 2);
	generate(&ps, &b);
	cr_assert(!same_matrix(&a.train.x, &b.train.x));
	cr_assert_neq(memcmp(a.train.y, b.train.y, 2000 * 0.8 * sizeof(double)), 0);
	cr_assert_str_neq(a.checksum, b.checksum);
	ds_dataset_free(&a);
	ds_dataset_free(&b);
}

/* Frozen: SHA-256 of a small generated dataset's bytes. It changes only if the
 * generator (or rng) changes, which must come with a new "synth_logreg/vN" version;
 * on another platform it checks that the same seed gives the same bytes there. */
Test(synth, generated_bytes_are_frozen)
{
	struct rb_paramset ps = small(500, 20, 0.3);
	struct ds_dataset d;
	unsigned char digests[4][SHA256_DIGEST_LENGTH], total[SHA256_DIGEST_LENGTH];
	char hex[65];

	generate(&ps, &d);
	int64_t nnz = ds_matrix_nnz(&d.train.x);
	SHA256((const unsigned char *)d.train.x.colidx, (size_t)nnz * sizeof(int32_t), digests[0]);
	SHA256((const unsigned char *)d.train.x.values, (size_t)nnz * sizeof(double), digests[1]);
	SHA256((const unsigned char *)d.train.y, (size_t)d.train.x.rows * sizeof(double),
	       digests[2]);
	SHA256((const unsigned char *)d.test.y, (size_t)d.test.x.rows * sizeof(double), digests[3]);
	SHA256((const unsigned char *)digests, sizeof(digests), total);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", total[i]);
	cr_log_info("generated bytes: %s", hex);
	cr_assert_str_eq(hex, "4d70a730acf66701590553e6c7b2add778ddb30e0176d8aaf15918e81e430915");
	ds_dataset_free(&d);
}

Test(synth, csr_is_well_formed_and_density_matches)
{
	const double densities[] = { 0.11, 0.02, 0.5 };

	for (int k = 0; k < 3; k++) {
		struct rb_paramset ps = small(4000, 200, densities[k]);
		struct ds_dataset d;
		generate(&ps, &d);
		const struct ds_matrix *m = &d.train.x;
		cr_assert(m->sparse);
		cr_assert_eq(m->rowptr[0], 0);
		for (int64_t i = 0; i < m->rows; i++) {
			cr_assert_leq(m->rowptr[i], m->rowptr[i + 1]);
			for (int64_t p = m->rowptr[i]; p < m->rowptr[i + 1]; p++) {
				cr_assert(m->colidx[p] >= 0 && m->colidx[p] < m->cols);
				cr_assert(p == m->rowptr[i] || m->colidx[p - 1] < m->colidx[p],
					  "row %lld not strictly sorted", (long long)i);
				cr_assert(isfinite(m->values[p]) && m->values[p] != 0.0);
			}
		}
		double density = (double)ds_matrix_nnz(m) / (double)(m->rows * m->cols);
		cr_assert(fabs(density / densities[k] - 1.0) < 0.1, "density %g for parameter %g",
			  density, densities[k]);
		ds_dataset_free(&d);
	}
}

Test(synth, density_one_is_dense)
{
	struct rb_paramset ps = small(300, 15, 1.0);
	struct ds_dataset d;

	generate(&ps, &d);
	cr_assert(!d.train.x.sparse && d.train.x.dense);
	cr_assert(!d.test.x.sparse && d.test.x.dense);
	int zeros = 0;
	for (int64_t k = 0; k < d.train.x.rows * d.train.x.cols; k++)
		zeros += d.train.x.dense[k] == 0.0;
	cr_assert_eq(zeros, 0);
	ds_dataset_free(&d);
}

Test(synth, split_sizes_and_identity)
{
	struct rb_paramset ps = small(1000, 10, 0.3);
	struct ds_dataset d;
	char checksum[65];

	set_real(&ps, "test_fraction", 0.25);
	generate(&ps, &d);
	cr_assert_eq(d.train.x.rows, 750);
	cr_assert_eq(d.test.x.rows, 250);
	cr_assert_eq(d.test.x.cols, 10);
	cr_assert_str_eq(d.name, "synth_logreg");
	synth_logreg_checksum(&ps, checksum);
	cr_assert_str_eq(d.checksum, checksum);
	cr_assert_str_eq(d.source, "generated: synth_logreg samples=1000 features=10 density=0.3 "
				   "noise=0.05 test_fraction=0.25 kind=logistic data_seed=1");
	ds_dataset_free(&d);

	set_real(&ps, "test_fraction", 0.0);
	generate(&ps, &d);
	cr_assert_eq(d.train.x.rows, 1000);
	cr_assert_eq(d.test.x.rows, 0);
	ds_dataset_free(&d);
}

Test(synth, logistic_labels_are_balanced_signs)
{
	struct rb_paramset ps = small(20000, 50, 0.2);
	struct ds_dataset d;
	int64_t positive = 0;

	generate(&ps, &d);
	for (int64_t i = 0; i < d.train.x.rows; i++) {
		cr_assert(d.train.y[i] == 1.0 || d.train.y[i] == -1.0);
		positive += d.train.y[i] > 0;
	}
	double share = (double)positive / (double)d.train.x.rows;
	cr_assert(share > 0.4 && share < 0.6, "positive share %g", share);
	ds_dataset_free(&d);
}

/* `noise` only flips labels: the features stay byte-identical and the share of
 * changed labels is the flip probability (sd 0.003 at 16000 rows). */
Test(synth, noise_flips_labels_and_nothing_else)
{
	struct rb_paramset ps = small(20000, 50, 0.2);
	struct ds_dataset clean, noisy;
	int64_t flipped = 0;

	set_real(&ps, "noise", 0.0);
	generate(&ps, &clean);
	set_real(&ps, "noise", 0.2);
	generate(&ps, &noisy);
	cr_assert(same_matrix(&clean.train.x, &noisy.train.x));
	for (int64_t i = 0; i < clean.train.x.rows; i++)
		flipped += clean.train.y[i] != noisy.train.y[i];
	double share = (double)flipped / (double)clean.train.x.rows;
	cr_assert(fabs(share - 0.2) < 0.015, "flipped share %g", share);
	ds_dataset_free(&clean);
	ds_dataset_free(&noisy);
}

/* The labels carry the planted model: a few hundred gradient steps on the train split
 * classify the test split far better than chance (Bayes accuracy is about 0.87 here),
 * and pure-noise labels (flip probability 1/2) cannot be learnt. */
static double learnt_test_accuracy(double noise)
{
	struct rb_paramset ps = small(5000, 20, 0.5);
	struct ds_dataset d;
	double w[20] = { 0 }, g[20];

	set_real(&ps, "noise", noise);
	generate(&ps, &d);
	struct lm_problem train = { .x = &d.train.x, .y = d.train.y, .loss = LM_LOGISTIC };
	struct lm_problem test = { .x = &d.test.x, .y = d.test.y, .loss = LM_LOGISTIC };
	for (int it = 0; it < 300; it++) {
		lm_gradient(&train, w, NULL, 0, g);
		for (int j = 0; j < 20; j++)
			w[j] -= 4.0 * g[j];
	}
	double acc = lm_accuracy(&test, w);
	ds_dataset_free(&d);
	return acc;
}

Test(synth, logistic_labels_are_learnable)
{
	double informative = learnt_test_accuracy(0.0), random = learnt_test_accuracy(0.5);

	cr_assert(informative > 0.8, "test accuracy %g with clean labels", informative);
	cr_assert(fabs(random - 0.5) < 0.05, "test accuracy %g with coin-flip labels", random);
}

Test(synth, regression_labels_and_noise)
{
	struct rb_paramset ps = small(20000, 40, 0.25);
	struct ds_dataset clean, noisy;
	double var = 0, diff2 = 0;

	set_choice(&ps, "kind", "regression");
	set_real(&ps, "noise", 0.0);
	generate(&ps, &clean);
	set_real(&ps, "noise", 0.5);
	generate(&ps, &noisy);
	cr_assert(same_matrix(&clean.train.x, &noisy.train.x));
	int64_t n = clean.train.x.rows;
	for (int64_t i = 0; i < n; i++) {
		var += clean.train.y[i] * clean.train.y[i] / (double)n;
		double e = noisy.train.y[i] - clean.train.y[i];
		diff2 += e * e / (double)n;
	}
	/* The planted signal x.w* has variance about 1; the noise std is the parameter. */
	cr_assert(var > 0.7 && var < 1.3, "label variance %g", var);
	cr_assert(fabs(sqrt(diff2) - 0.5) < 0.02, "noise std %g", sqrt(diff2));
	ds_dataset_free(&clean);
	ds_dataset_free(&noisy);
}

Test(synth, logistic_flip_probability_above_one_is_refused)
{
	struct rb_paramset ps = small(100, 5, 0.5);
	struct ds_dataset d;
	char err[256] = "";

	set_real(&ps, "noise", 1.5);
	cr_assert_eq(synth_logreg_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "noise") != NULL, "error: %s", err);
	cr_assert_null(d.train.y);
	cr_assert_null(d.train.x.rowptr);
}

/* Frozen: SHA-256 of the canonical text, computed independently (Python hashlib). */
Test(synth, checksum_of_defaults_is_frozen)
{
	struct rb_paramset ps = defaults();
	char checksum[65];

	synth_logreg_checksum(&ps, checksum);
	cr_assert_str_eq(checksum, "dc6079599285b98273fdfadf86ff38dcc5d52fa7cbf68bde48c9b7ed5949af17");
}

Test(synth, checksum_depends_on_every_parameter)
{
	struct rb_paramset base = defaults();
	char reference[65], again[65];

	synth_logreg_checksum(&base, reference);
	synth_logreg_checksum(&base, again);
	cr_assert_str_eq(reference, again);
	cr_assert_eq(strlen(reference), 64);
	cr_assert_eq(strspn(reference, "0123456789abcdef"), 64);
	for (const struct rb_param_spec *s = synth_logreg_params; s->name; s++) {
		struct rb_paramset ps = base;
		char changed[65];
		if (s->type == RB_CHOICE)
			set_choice(&ps, s->name, "regression");
		else if (s->type == RB_REAL)
			set_real(&ps, s->name, rb_paramset_get(&ps, s->name)->r * 0.5);
		else
			set_int(&ps, s->name, rb_paramset_get(&ps, s->name)->i + 1);
		synth_logreg_checksum(&ps, changed);
		cr_assert_str_neq(changed, reference, "checksum ignores %s", s->name);
	}
}
