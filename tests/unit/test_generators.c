/*
 * Unit tests for datasets/gen_mixture and datasets/gen_regression: reproducibility,
 * identity checksums, shapes, class balance and learnability of the mixture, the
 * condition number and density of the regression data.
 */
#include <criterion/criterion.h>

#include "tests/unit/testutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/gen_mixture.h"
#include "datasets/gen_regression.h"
#include "datasets/gen_text.h"

TestSuite(mixture);
TestSuite(regress);
TestSuite(synth_rcv1);

/* Set a parameter from its manifest text, checked against its spec. */
static void set(struct rb_paramset *ps, const struct rb_param_spec *table, const char *name,
		const char *text)
{
	const struct rb_param_spec *spec = rb_spec_find(table, name);
	struct rb_value v;
	char err[128];

	cr_assert_not_null(spec, "no parameter %s", name);
	cr_assert_eq(rb_value_parse(spec, text, &v, err, sizeof(err)), 0, "%s: %s", name, err);
	rb_paramset_set(ps, name, &v);
}

static bool same_data(const struct ds_dataset *a, const struct ds_dataset *b)
{
	return tu_same_split(&a->train, &b->train) && tu_same_split(&a->test, &b->test);
}

/* Mixture. */

static struct rb_paramset small_mixture(const char *train, const char *test)
{
	struct rb_paramset ps = tu_defaults(mixture_params);
	set(&ps, mixture_params, "train", train);
	set(&ps, mixture_params, "test", test);
	return ps;
}

static void mixture(const struct rb_paramset *ps, struct ds_dataset *d)
{
	char err[256] = "";
	cr_assert_eq(mixture_generate(ps, d, err, sizeof(err)), 0, "generate failed: %s", err);
}

Test(mixture, same_seed_same_bytes_other_seed_differs)
{
	struct rb_paramset ps = small_mixture("300", "100");
	struct ds_dataset a, b, c;

	mixture(&ps, &a);
	mixture(&ps, &b);
	cr_assert(same_data(&a, &b), "same parameters gave different data");
	set(&ps, mixture_params, "data_seed", "2");
	mixture(&ps, &c);
	cr_assert(!tu_same_split(&a.train, &c.train), "another seed gave the same train split");
	cr_assert(!tu_same_split(&a.test, &c.test), "another seed gave the same test split");
	ds_dataset_free(&a);
	ds_dataset_free(&b);
	ds_dataset_free(&c);
}

Test(mixture, train_size_leaves_the_test_split_alone)
{
	struct rb_paramset ps = small_mixture("100", "50");
	struct ds_dataset a, b;

	mixture(&ps, &a);
	set(&ps, mixture_params, "train", "200");
	mixture(&ps, &b);
	cr_assert(tu_same_split(&a.test, &b.test));
	ds_dataset_free(&a);
	ds_dataset_free(&b);
}

Test(mixture, checksum_is_the_identity_without_data)
{
	struct rb_paramset ps = small_mixture("50", "10");
	char before[65], other[65];
	struct ds_dataset d;

	mixture_checksum(&ps, before);
	cr_assert_eq(strlen(before), 64);
	mixture(&ps, &d);
	cr_assert_str_eq(d.checksum, before);
	cr_assert_str_eq(d.name, "mixture");
	cr_assert_not_null(strstr(d.source, "noise=0.35"), "%s", d.source);
	set(&ps, mixture_params, "noise", "0.3");
	mixture_checksum(&ps, other);
	cr_assert_str_neq(other, before);
	ds_dataset_free(&d);
}

Test(mixture, shape_balance_and_pixel_range)
{
	struct rb_paramset ps = small_mixture("1003", "200");
	struct ds_dataset d;
	int64_t count[10] = { 0 };

	mixture(&ps, &d);
	cr_assert_eq(d.kind, DS_TABLE);
	cr_assert_eq(d.classes, 10);
	cr_assert_eq(d.shape[0], 28);
	cr_assert_eq(d.shape[1], 28);
	cr_assert_eq(d.shape[2], 1);
	cr_assert_eq(d.train.x.rows, 1003);
	cr_assert_eq(d.train.x.cols, 784);
	cr_assert_eq(d.test.x.rows, 200);
	for (int64_t i = 0; i < d.train.x.rows; i++) {
		double y = d.train.y[i];
		cr_assert(y >= 0 && y <= 9 && y == floor(y), "label %g", y);
		count[(int)y]++;
	}
	for (int c = 0; c < 10; c++)
		cr_assert(count[c] == 100 || count[c] == 101, "class %d has %lld rows", c,
			  (long long)count[c]);
	double lo = 1, hi = 0;
	for (int64_t k = 0; k < d.train.x.rows * d.train.x.cols; k++) {
		cr_assert(d.train.x.dense[k] >= 0.0 && d.train.x.dense[k] <= 1.0);
		lo = fmin(lo, d.train.x.dense[k]);
		hi = fmax(hi, d.train.x.dense[k]);
	}
	cr_assert(lo == 0.0 && hi == 1.0, "clipping never reached the ends: [%g, %g]", lo, hi);
	ds_dataset_free(&d);
}

Test(mixture, colour_shape)
{
	struct rb_paramset ps = small_mixture("20", "5");
	struct ds_dataset d;

	set(&ps, mixture_params, "height", "32");
	set(&ps, mixture_params, "width", "32");
	set(&ps, mixture_params, "channels", "3");
	mixture(&ps, &d);
	cr_assert_eq(d.shape[0], 32);
	cr_assert_eq(d.shape[1], 32);
	cr_assert_eq(d.shape[2], 3);
	cr_assert_eq(d.train.x.cols, 3072);
	ds_dataset_free(&d);
}

/* Nearest class mean, fitted on train, scored on test. */
static double nearest_class_mean(const struct ds_dataset *d)
{
	int C = d->classes;
	int64_t D = d->train.x.cols, right = 0;
	double *mean = calloc((size_t)(C * D), sizeof(double));
	double *count = calloc((size_t)C, sizeof(double));

	for (int64_t i = 0; i < d->train.x.rows; i++) {
		int c = (int)d->train.y[i];
		count[c]++;
		for (int64_t j = 0; j < D; j++)
			mean[c * D + j] += d->train.x.dense[i * D + j];
	}
	for (int c = 0; c < C; c++)
		for (int64_t j = 0; j < D; j++)
			mean[c * D + j] /= count[c];
	for (int64_t i = 0; i < d->test.x.rows; i++) {
		int best = -1;
		double best_dist = INFINITY;
		for (int c = 0; c < C; c++) {
			double dist = 0;
			for (int64_t j = 0; j < D; j++) {
				double t = d->test.x.dense[i * D + j] - mean[c * D + j];
				dist += t * t;
			}
			if (dist < best_dist) {
				best_dist = dist;
				best = c;
			}
		}
		right += best == (int)d->test.y[i];
	}
	free(mean);
	free(count);
	return (double)right / (double)d->test.x.rows;
}

/* Chance is 10%; on the defaults nearest class mean gets about 50-60% (a linear model
 * about 85%, an MLP over 99%: gen_mixture.h). 30% is a clear margin both ways. */
Test(mixture, nearest_class_mean_beats_chance)
{
	struct rb_paramset ps = small_mixture("2000", "1000");
	struct ds_dataset d;

	mixture(&ps, &d);
	double accuracy = nearest_class_mean(&d);
	cr_log_info("mixture: nearest class mean accuracy %.3f", accuracy);
	cr_assert_gt(accuracy, 0.30, "nearest class mean accuracy %.3f", accuracy);
	ds_dataset_free(&d);
}

Test(mixture, refuses_impossible_sizes)
{
	struct rb_paramset ps = tu_defaults(mixture_params);
	struct ds_dataset d;
	char err[256] = "";

	set(&ps, mixture_params, "height", "1024");
	set(&ps, mixture_params, "width", "1024");
	set(&ps, mixture_params, "channels", "16");
	set(&ps, mixture_params, "train", "100000000");
	cr_assert_eq(mixture_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "GiB"), "%s", err);
	cr_assert_null(d.train.x.dense);
}

/* Regression. */

static struct rb_paramset small_regress(const char *dimension, const char *samples,
					const char *density, const char *condition)
{
	struct rb_paramset ps = tu_defaults(regress_params);
	set(&ps, regress_params, "dimension", dimension);
	set(&ps, regress_params, "samples", samples);
	set(&ps, regress_params, "density", density);
	set(&ps, regress_params, "condition", condition);
	return ps;
}

static void regress(const struct rb_paramset *ps, struct ds_dataset *d)
{
	char err[256] = "";
	cr_assert_eq(regress_generate(ps, d, err, sizeof(err)), 0, "generate failed: %s", err);
}

Test(regress, same_seed_same_bytes_other_seed_differs)
{
	const char *densities[] = { "1", "0.1" };

	for (int k = 0; k < 2; k++) {
		struct rb_paramset ps = small_regress("40", "500", densities[k], "1000");
		struct ds_dataset a, b, c;
		regress(&ps, &a);
		regress(&ps, &b);
		cr_assert(same_data(&a, &b), "density %s: same parameters, different data",
			  densities[k]);
		set(&ps, regress_params, "data_seed", "2");
		regress(&ps, &c);
		cr_assert(!tu_same_split(&a.train, &c.train), "density %s: another seed, same data",
			  densities[k]);
		ds_dataset_free(&a);
		ds_dataset_free(&b);
		ds_dataset_free(&c);
	}
}

Test(regress, checksum_and_identity)
{
	struct rb_paramset ps = small_regress("10", "100", "1", "10");
	char before[65], other[65];
	struct ds_dataset d;

	regress_checksum(&ps, before);
	regress(&ps, &d);
	cr_assert_str_eq(d.checksum, before);
	cr_assert_eq(d.kind, DS_TABLE);
	cr_assert_eq(d.classes, 0);
	cr_assert_eq(d.train.x.rows, 80);
	cr_assert_eq(d.test.x.rows, 20);
	set(&ps, regress_params, "condition", "11");
	regress_checksum(&ps, other);
	cr_assert_str_neq(other, before);
	ds_dataset_free(&d);
}

/* Eigenvalues of a symmetric n x n matrix (destroyed) by cyclic Jacobi rotations. */
static void symmetric_eigenvalues(double *a, int n, double *eig)
{
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0, diag = 0;
		for (int p = 0; p < n; p++)
			for (int q = 0; q < n; q++)
				*(p == q ? &diag : &off) += a[p * n + q] * a[p * n + q];
		if (off <= 1e-30 * diag)
			break;
		for (int p = 0; p < n; p++)
			for (int q = p + 1; q < n; q++) {
				if (a[p * n + q] == 0)
					continue;
				double theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q]);
				double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
				double c = 1 / sqrt(t * t + 1), s = t * c;
				for (int k = 0; k < n; k++) {
					double akp = a[k * n + p], akq = a[k * n + q];
					a[k * n + p] = c * akp - s * akq;
					a[k * n + q] = s * akp + c * akq;
				}
				for (int k = 0; k < n; k++) {
					double apk = a[p * n + k], aqk = a[q * n + k];
					a[p * n + k] = c * apk - s * aqk;
					a[q * n + k] = s * apk + c * aqk;
				}
			}
	}
	for (int i = 0; i < n; i++)
		eig[i] = a[i * n + i];
}

static double empirical_condition(const struct ds_matrix *x)
{
	int n = (int)x->cols;
	double *gram = calloc((size_t)(n * n), sizeof(double)), *eig = malloc((size_t)n * sizeof(double));

	for (int64_t i = 0; i < x->rows; i++)
		for (int p = 0; p < n; p++)
			for (int q = 0; q < n; q++)
				gram[p * n + q] += x->dense[i * n + p] * x->dense[i * n + q];
	symmetric_eigenvalues(gram, n, eig);
	double lo = INFINITY, hi = 0;
	for (int i = 0; i < n; i++) {
		lo = fmin(lo, eig[i]);
		hi = fmax(hi, eig[i]);
	}
	free(gram);
	free(eig);
	return hi / lo;
}

Test(regress, condition_number_of_xtx_follows_the_parameter)
{
	const char *conditions[] = { "1", "100", "10000", "1e6" };

	for (int k = 0; k < 4; k++) {
		struct rb_paramset ps = small_regress("20", "20000", "1", conditions[k]);
		struct ds_dataset d;
		double kappa = strtod(conditions[k], NULL);
		regress(&ps, &d);
		double measured = empirical_condition(&d.train.x);
		cr_log_info("regress: condition %g, X^T X condition %.4g", kappa, measured);
		cr_assert(measured >= kappa / 2 && measured <= kappa * 2,
			  "condition %g: X^T X has condition number %g", kappa, measured);
		ds_dataset_free(&d);
	}
}

Test(regress, sparse_density_and_csr_form)
{
	struct rb_paramset ps = small_regress("300", "3000", "0.05", "100");
	struct ds_dataset d;

	regress(&ps, &d);
	const struct ds_matrix *m = &d.train.x;
	cr_assert(m->sparse);
	double density = (double)ds_matrix_nnz(m) / ((double)m->rows * (double)m->cols);
	cr_assert(fabs(density - 0.05) <= 0.005, "density %g, expected 0.05 within 10%%", density);
	for (int64_t i = 0; i < m->rows; i++)
		for (int64_t k = m->rowptr[i]; k < m->rowptr[i + 1]; k++) {
			cr_assert(m->colidx[k] >= 0 && m->colidx[k] < m->cols);
			cr_assert(k == m->rowptr[i] || m->colidx[k] > m->colidx[k - 1],
				  "row %lld: columns not sorted", (long long)i);
		}
	ds_dataset_free(&d);
}

/* The margin has variance 1, so regression labels have variance 1 + noise^2. */
Test(regress, label_scale_and_classification)
{
	struct rb_paramset ps = small_regress("50", "20000", "1", "1000");
	struct ds_dataset d, c;

	set(&ps, regress_params, "noise", "0.5");
	regress(&ps, &d);
	double sum = 0, sq = 0;
	for (int64_t i = 0; i < d.train.x.rows; i++) {
		sum += d.train.y[i];
		sq += d.train.y[i] * d.train.y[i];
	}
	double n = (double)d.train.x.rows, variance = sq / n - (sum / n) * (sum / n);
	cr_assert(fabs(variance - 1.25) < 0.1, "label variance %g, expected 1.25", variance);

	set(&ps, regress_params, "kind", "classification");
	regress(&ps, &c);
	cr_assert(tu_same_matrix(&c.train.x, &d.train.x), "the kind changed the features");
	int64_t positive = 0;
	for (int64_t i = 0; i < c.train.x.rows; i++) {
		cr_assert(c.train.y[i] == 1.0 || c.train.y[i] == -1.0);
		positive += c.train.y[i] > 0;
		/* The probit label is the sign of the regression label, same noise draw. */
		cr_assert_eq(c.train.y[i], d.train.y[i] >= 0 ? 1.0 : -1.0);
	}
	cr_assert(positive > n * 0.4 && positive < n * 0.6, "%lld positives of %g",
		  (long long)positive, n);
	ds_dataset_free(&d);
	ds_dataset_free(&c);
}

/* synth_rcv1: the RCV1-shaped stand-in. */

static void rcv1_like(const struct rb_paramset *ps, struct ds_dataset *d)
{
	char err[256] = "";
	cr_assert_eq(gentext_generate(ps, d, err, sizeof(err)), 0, "generate failed: %s", err);
}

Test(synth_rcv1, same_seed_same_bytes_other_seed_differs)
{
	struct rb_paramset ps = tu_defaults(gentext_params);
	set(&ps, gentext_params, "samples", "500");
	struct ds_dataset a, b, c;
	rcv1_like(&ps, &a);
	rcv1_like(&ps, &b);
	cr_assert(same_data(&a, &b));
	char ca[65], cb[65];
	gentext_checksum(&ps, ca);
	cr_assert_str_eq(a.checksum, ca);
	set(&ps, gentext_params, "data_seed", "2");
	gentext_checksum(&ps, cb);
	cr_assert_str_neq(ca, cb);
	rcv1_like(&ps, &c);
	cr_assert(!tu_same_split(&a.train, &c.train));
	ds_dataset_free(&a);
	ds_dataset_free(&b);
	ds_dataset_free(&c);
}

/* The defaults give rcv1_train.binary's shape: 20,242 rows of 47,236 columns, about 74
 * nonzeros a row (0.157%), each row of unit norm with sorted distinct columns. */
Test(synth_rcv1, shape_density_and_unit_rows)
{
	struct rb_paramset ps = tu_defaults(gentext_params);
	struct ds_dataset d;
	rcv1_like(&ps, &d);
	const struct ds_matrix *m = &d.train.x;
	cr_assert(m->sparse);
	cr_assert_eq(m->rows + d.test.x.rows, 20242);
	cr_assert_eq(m->cols, 47236);
	double per_row = (double)ds_matrix_nnz(m) / (double)m->rows;
	cr_assert(per_row > 70 && per_row < 78, "%g nonzeros per row", per_row);
	for (int64_t i = 0; i < m->rows; i++) {
		double norm2 = 0;
		for (int64_t p = m->rowptr[i]; p < m->rowptr[i + 1]; p++) {
			cr_assert(m->values[p] > 0);
			cr_assert(p == m->rowptr[i] || m->colidx[p] > m->colidx[p - 1], "row %lld", (long long)i);
			norm2 += m->values[p] * m->values[p];
		}
		cr_assert(fabs(norm2 - 1.0) < 1e-12, "row %lld has |x|^2 = %.17g", (long long)i, norm2);
	}
	ds_dataset_free(&d);
}

static int by_count_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x < y) - (x > y);
}

/* Zipf frequencies: the commonest column is in a large share of the rows, the median
 * column in almost none; and the planted model gives both labels in fair shares. */
Test(synth_rcv1, zipf_frequencies_and_both_labels)
{
	struct rb_paramset ps = tu_defaults(gentext_params);
	set(&ps, gentext_params, "samples", "5000");
	struct ds_dataset d;
	rcv1_like(&ps, &d);
	const struct ds_matrix *m = &d.train.x;
	int64_t *df = calloc((size_t)m->cols, sizeof(int64_t));
	cr_assert_not_null(df);
	for (int64_t p = 0; p < ds_matrix_nnz(m); p++)
		df[m->colidx[p]]++;
	qsort(df, (size_t)m->cols, sizeof(int64_t), by_count_desc);
	cr_assert(df[0] > m->rows / 3, "commonest column in %lld of %lld rows", (long long)df[0],
		  (long long)m->rows);
	cr_assert(df[m->cols / 2] <= 2, "median column in %lld rows", (long long)df[m->cols / 2]);
	cr_assert(df[0] > 10 * df[99], "%lld vs %lld", (long long)df[0], (long long)df[99]);
	int64_t pos = 0;
	for (int64_t i = 0; i < m->rows; i++)
		pos += d.train.y[i] > 0;
	cr_assert(pos > m->rows / 4 && pos < 3 * m->rows / 4, "%lld positive of %lld",
		  (long long)pos, (long long)m->rows);
	free(df);
	ds_dataset_free(&d);
}
