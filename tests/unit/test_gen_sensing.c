/* Unit tests for datasets/gen_sensing: reproducibility, the planted model y = A x + e,
 * matrix scaling, and the physics of the interferometer (phases, moduli, conjugate
 * symmetry, uv coverage). */
#include <cblas.h>
#include <criterion/criterion.h>

#include "tests/unit/testutil.h"
#include <math.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/gen_sensing.h"

TestSuite(gen_sensing);

typedef int (*generate_fn)(const struct rb_paramset *, struct ds_dataset *, char *, size_t);

static struct rb_paramset gaussian(long long n, long long m, long long s)
{
	struct rb_paramset ps = tu_defaults(sensing_gaussian_params);
	tu_set_int(&ps, "n", n);
	tu_set_int(&ps, "m", m);
	tu_set_int(&ps, "s", s);
	return ps;
}

static struct rb_paramset interferometer(long long antennas, long long pixels)
{
	struct rb_paramset ps = tu_defaults(sensing_interferometer_params);
	tu_set_int(&ps, "antennas", antennas);
	tu_set_int(&ps, "pixels", pixels);
	return ps;
}

static void generate(generate_fn fn, const struct rb_paramset *ps, struct ds_dataset *d)
{
	char err[256] = "";
	int rc = fn(ps, d, err, sizeof(err));
	cr_assert_eq(rc, 0, "generate failed: %s", err);
	cr_assert_eq(d->kind, DS_SIGNAL);
	cr_assert_eq(d->truth_len, d->train.x.cols);
	cr_assert_eq(d->test.x.rows, 0);
}

static size_t cells(const struct ds_dataset *d)
{
	return (size_t)(d->train.x.rows * d->train.x.cols);
}

static bool same_dataset(const struct ds_dataset *a, const struct ds_dataset *b)
{
	return a->train.x.rows == b->train.x.rows && a->train.x.cols == b->train.x.cols &&
	       strcmp(a->checksum, b->checksum) == 0 && strcmp(a->source, b->source) == 0 &&
	       memcmp(a->train.x.dense, b->train.x.dense, cells(a) * sizeof(double)) == 0 &&
	       memcmp(a->train.y, b->train.y, (size_t)a->train.x.rows * sizeof(double)) == 0 &&
	       memcmp(a->truth, b->truth, (size_t)a->truth_len * sizeof(double)) == 0;
}

static int64_t nonzeros(const double *x, int64_t n)
{
	int64_t k = 0;
	for (int64_t j = 0; j < n; j++)
		k += x[j] != 0.0;
	return k;
}

/* max_i |y_i - (A x)_i| / max_i |(A x)_i|, with A x from CBLAS (another summation). */
static double misfit(const struct ds_dataset *d)
{
	int64_t rows = d->train.x.rows;
	double *ax = calloc((size_t)rows, sizeof(double)), worst = 0.0, scale = 0.0;

	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)d->train.x.cols, 1.0,
		    d->train.x.dense, (int)d->train.x.cols, d->truth, 1, 0.0, ax, 1);
	for (int64_t i = 0; i < rows; i++) {
		worst = fmax(worst, fabs(d->train.y[i] - ax[i]));
		scale = fmax(scale, fabs(ax[i]));
	}
	free(ax);
	return worst / scale;
}

/* Root mean square of y - A x over the rows, noise included. */
static double residual_rms(const struct ds_dataset *d)
{
	int64_t rows = d->train.x.rows;
	double *ax = calloc((size_t)rows, sizeof(double)), sum = 0.0;

	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)d->train.x.cols, 1.0,
		    d->train.x.dense, (int)d->train.x.cols, d->truth, 1, 0.0, ax, 1);
	for (int64_t i = 0; i < rows; i++)
		sum += (d->train.y[i] - ax[i]) * (d->train.y[i] - ax[i]);
	free(ax);
	return sqrt(sum / (double)rows);
}

static void bytes_digest(const struct ds_dataset *d, char hex[65])
{
	unsigned char digests[3][SHA256_DIGEST_LENGTH], total[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)d->train.x.dense, cells(d) * sizeof(double), digests[0]);
	SHA256((const unsigned char *)d->train.y, (size_t)d->train.x.rows * sizeof(double),
	       digests[1]);
	SHA256((const unsigned char *)d->truth, (size_t)d->truth_len * sizeof(double), digests[2]);
	SHA256((const unsigned char *)digests, sizeof(digests), total);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", total[i]);
}

static void check_table(const struct rb_param_spec *table, int expected)
{
	int n = 0;

	for (const struct rb_param_spec *s = table; s->name; s++, n++) {
		cr_assert(s->def && s->doc && s->doc[0], "%s lacks a default or a doc", s->name);
		if (s->type == RB_INT || s->type == RB_REAL) {
			double v = strtod(s->def, NULL);
			cr_assert(v >= s->min && v <= s->max, "%s default %s outside [%g, %g]",
				  s->name, s->def, s->min, s->max);
		}
	}
	cr_assert_eq(n, expected);
}

Test(gen_sensing, tables_are_in_range_and_documented)
{
	check_table(sensing_gaussian_params, 7);
	check_table(sensing_interferometer_params, 11);
}

/* ---- sensing_gaussian ---- */

Test(gen_sensing, gaussian_same_seed_gives_identical_bytes)
{
	const char *matrices[] = { "gaussian", "bernoulli" };

	for (int k = 0; k < 2; k++) {
		struct rb_paramset ps = gaussian(300, 80, 10);
		struct ds_dataset a, b;
		tu_set_choice(&ps, "matrix", matrices[k]);
		tu_set_real(&ps, "noise", 0.1);
		generate(sensing_gaussian_generate, &ps, &a);
		generate(sensing_gaussian_generate, &ps, &b);
		cr_assert(same_dataset(&a, &b), "%s: two generations differ", matrices[k]);
		ds_dataset_free(&a);
		ds_dataset_free(&b);
	}
}

Test(gen_sensing, gaussian_different_seed_differs)
{
	struct rb_paramset ps = gaussian(300, 80, 10);
	struct ds_dataset a, b;

	generate(sensing_gaussian_generate, &ps, &a);
	tu_set_int(&ps, "data_seed", 2);
	generate(sensing_gaussian_generate, &ps, &b);
	cr_assert_neq(memcmp(a.train.x.dense, b.train.x.dense, cells(&a) * sizeof(double)), 0);
	cr_assert_neq(memcmp(a.truth, b.truth, 300 * sizeof(double)), 0);
	cr_assert_neq(memcmp(a.train.y, b.train.y, 80 * sizeof(double)), 0);
	cr_assert_str_neq(a.checksum, b.checksum);
	ds_dataset_free(&a);
	ds_dataset_free(&b);
}

/* Frozen: SHA-256 over the bytes of A, y and x. It changes only if the generator (or rng)
 * changes, which must come with a new "sensing_gaussian/v2"; on another platform it
 * checks that the same seed gives the same bytes there. */
Test(gen_sensing, gaussian_bytes_are_frozen)
{
	struct rb_paramset ps = gaussian(200, 60, 7);
	struct ds_dataset d;
	char hex[65];

	tu_set_real(&ps, "noise", 0.01);
	generate(sensing_gaussian_generate, &ps, &d);
	bytes_digest(&d, hex);
	cr_log_info("sensing_gaussian bytes: %s", hex);
	cr_assert_str_eq(hex, "52d6d6946225941f1cfb9f948eb5bcc6e65d3748f9ffe68b0785d677b8e3f54e");
	ds_dataset_free(&d);
}

Test(gen_sensing, gaussian_truth_has_exactly_s_nonzeros)
{
	const char *signals[] = { "gaussian", "sign", "uniform" };
	const long long sparsity[] = { 1, 17, 250, 400 };

	for (int k = 0; k < 3; k++) {
		for (int t = 0; t < 4; t++) {
			struct rb_paramset ps = gaussian(400, 20, sparsity[t]);
			struct ds_dataset d;
			tu_set_choice(&ps, "signal", signals[k]);
			generate(sensing_gaussian_generate, &ps, &d);
			cr_assert_eq(nonzeros(d.truth, 400), sparsity[t], "%s, s = %lld",
				     signals[k], sparsity[t]);
			for (int64_t j = 0; j < 400; j++) {
				double v = d.truth[j];
				if (k == 1)
					cr_assert(v == 0.0 || v == 1.0 || v == -1.0);
				if (k == 2)
					cr_assert(v >= -1.0 && v < 1.0);
			}
			ds_dataset_free(&d);
		}
	}
}

/* The support is uniform: over many seeds every position is chosen about as often. */
Test(gen_sensing, gaussian_support_is_uniform)
{
	int hits[50] = { 0 };

	for (int seed = 0; seed < 400; seed++) {
		struct rb_paramset ps = gaussian(50, 1, 5);
		struct ds_dataset d;
		tu_set_int(&ps, "data_seed", seed);
		generate(sensing_gaussian_generate, &ps, &d);
		for (int j = 0; j < 50; j++)
			hits[j] += d.truth[j] != 0.0;
		ds_dataset_free(&d);
	}
	/* Each count is Binomial(400, 0.1): mean 40, sd 6; 40 +- 25 is over 4 sd. */
	for (int j = 0; j < 50; j++)
		cr_assert(hits[j] > 15 && hits[j] < 65, "position %d chosen %d times", j, hits[j]);
}

Test(gen_sensing, gaussian_noiseless_measurements_are_a_times_truth)
{
	const char *matrices[] = { "gaussian", "bernoulli" };

	for (int k = 0; k < 2; k++) {
		struct rb_paramset ps = gaussian(500, 120, 30);
		struct ds_dataset d;
		tu_set_choice(&ps, "matrix", matrices[k]);
		generate(sensing_gaussian_generate, &ps, &d);
		double rel = misfit(&d);
		cr_assert(rel < 1e-12, "%s: |y - A x| / |A x| = %g", matrices[k], rel);
		ds_dataset_free(&d);
	}
}

/* noise is the std of e = y - A x, and changes y only (its own stream). */
Test(gen_sensing, gaussian_noise_has_the_asked_std_and_touches_only_y)
{
	struct rb_paramset ps = gaussian(100, 5000, 10);
	struct ds_dataset clean, noisy;

	generate(sensing_gaussian_generate, &ps, &clean);
	tu_set_real(&ps, "noise", 0.3);
	generate(sensing_gaussian_generate, &ps, &noisy);
	cr_assert_eq(memcmp(clean.train.x.dense, noisy.train.x.dense, cells(&clean) * sizeof(double)),
		     0);
	cr_assert_eq(memcmp(clean.truth, noisy.truth, 100 * sizeof(double)), 0);
	/* The rms of 5000 N(0, 0.09) draws is 0.3 with sd 0.003. */
	double rms = residual_rms(&noisy);
	cr_assert(fabs(rms - 0.3) < 0.015, "noise rms %g", rms);
	ds_dataset_free(&clean);
	ds_dataset_free(&noisy);
}

/* Entries N(0, 1/m): each squared column norm is chi^2_m / m (mean 1, sd sqrt(2/m)). */
Test(gen_sensing, gaussian_columns_have_unit_norm_on_average)
{
	struct rb_paramset ps = gaussian(1024, 256, 16);
	struct ds_dataset d;
	double mean_norm = 0.0, mean_square = 0.0;

	generate(sensing_gaussian_generate, &ps, &d);
	for (int64_t j = 0; j < 1024; j++) {
		double sq = cblas_ddot(256, d.train.x.dense + j, 1024, d.train.x.dense + j, 1024);
		mean_norm += sqrt(sq) / 1024.0;
		mean_square += sq / 1024.0;
		cr_assert(sq > 0.5 && sq < 1.5, "column %lld: squared norm %g", (long long)j, sq);
	}
	cr_assert(fabs(mean_norm - 1.0) < 0.1, "mean column norm %g", mean_norm);
	/* The mean of 1024 such squares has sd 0.003. */
	cr_assert(fabs(mean_square - 1.0) < 0.02, "mean squared column norm %g", mean_square);
	ds_dataset_free(&d);
}

Test(gen_sensing, bernoulli_entries_are_signs_over_sqrt_m)
{
	struct rb_paramset ps = gaussian(300, 64, 5);
	struct ds_dataset d;
	int64_t positive = 0;

	tu_set_choice(&ps, "matrix", "bernoulli");
	generate(sensing_gaussian_generate, &ps, &d);
	for (size_t k = 0; k < cells(&d); k++) {
		cr_assert(fabs(d.train.x.dense[k]) == 0.125, "entry %g", d.train.x.dense[k]);
		positive += d.train.x.dense[k] > 0;
	}
	/* 19200 fair signs: share 0.5 with sd 0.0036. */
	double share = (double)positive / (double)cells(&d);
	cr_assert(fabs(share - 0.5) < 0.02, "positive share %g", share);
	for (int64_t j = 0; j < 300; j++) {
		double sq = cblas_ddot(64, d.train.x.dense + j, 300, d.train.x.dense + j, 300);
		cr_assert(fabs(sq - 1.0) < 1e-12, "column %lld: squared norm %g", (long long)j, sq);
	}
	ds_dataset_free(&d);
}

Test(gen_sensing, gaussian_refuses_s_above_n_and_huge_matrices)
{
	struct rb_paramset ps = gaussian(10, 5, 11);
	struct ds_dataset d;
	char err[256] = "";

	cr_assert_eq(sensing_gaussian_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "s = 11") && strstr(err, "n = 10"), "error: %s", err);
	cr_assert_null(d.train.x.dense);
	ps = gaussian(65536, 32769, 10);
	cr_assert_eq(sensing_gaussian_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "2^31") != NULL, "error: %s", err);
	cr_assert_null(d.train.x.dense);
	cr_assert_null(d.truth);
	cr_assert_str_eq(d.name, "");
}

/* Frozen: SHA-256 of "sensing_gaussian/v1\nn=1024\n..." computed independently (Python
 * hashlib), so the identity does not drift with a refactoring. */
Test(gen_sensing, gaussian_checksum_is_frozen_and_matches_the_dataset)
{
	struct rb_paramset ps = tu_defaults(sensing_gaussian_params);
	struct ds_dataset d;
	char sum[65];

	sensing_gaussian_checksum(&ps, sum);
	cr_assert_str_eq(sum, "6e1c6b4727938219b7500bbc4a51dc8f27f7d77824bfb7c81cdff21f335c403f");
	generate(sensing_gaussian_generate, &ps, &d);
	cr_assert_str_eq(d.checksum, sum);
	cr_assert_str_eq(d.name, "sensing_gaussian");
	cr_assert_str_eq(d.source, "generated: sensing_gaussian n=1024 m=256 s=16 matrix=gaussian "
				   "signal=gaussian noise=0 data_seed=1");
	ds_dataset_free(&d);
}

static void check_checksum_depends_on_every_parameter(const struct rb_param_spec *table,
						      void (*sum)(const struct rb_paramset *,
								  char[65]))
{
	struct rb_paramset base = tu_defaults(table);
	char reference[65];

	sum(&base, reference);
	cr_assert_eq(strspn(reference, "0123456789abcdef"), 64);
	for (const struct rb_param_spec *s = table; s->name; s++) {
		struct rb_paramset ps = base;
		char changed[65];
		if (s->type == RB_CHOICE)
			tu_set_choice(&ps, s->name, strchr(s->choices, '|') + 1);
		else if (s->type == RB_REAL)
			tu_set_real(&ps, s->name, rb_paramset_get(&ps, s->name)->r * 0.5 + 0.25);
		else
			tu_set_int(&ps, s->name, rb_paramset_get(&ps, s->name)->i + 1);
		sum(&ps, changed);
		cr_assert_str_neq(changed, reference, "checksum ignores %s", s->name);
	}
}

Test(gen_sensing, checksums_depend_on_every_parameter)
{
	check_checksum_depends_on_every_parameter(sensing_gaussian_params,
						  sensing_gaussian_checksum);
	check_checksum_depends_on_every_parameter(sensing_interferometer_params,
						  sensing_interferometer_checksum);
}

/* ---- sensing_interferometer ---- */

static int64_t pair_count(long long antennas)
{
	return antennas * (antennas - 1) / 2;
}

Test(gen_sensing, interferometer_shapes_and_identity)
{
	struct rb_paramset ps = tu_defaults(sensing_interferometer_params);
	struct ds_dataset d;
	char sum[65];

	generate(sensing_interferometer_generate, &ps, &d);
	cr_assert_eq(d.train.x.rows, 2 * pair_count(32));
	cr_assert_eq(d.train.x.cols, 32 * 32);
	cr_assert(!d.train.x.sparse);
	cr_assert_eq(d.shape[0], 32);
	cr_assert_eq(d.shape[1], 32);
	cr_assert_eq(d.shape[2], 1);
	cr_assert_str_eq(d.name, "sensing_interferometer");
	sensing_interferometer_checksum(&ps, sum);
	cr_assert_str_eq(d.checksum, sum);
	cr_assert_str_eq(sum, "83b26d9282520baa7397a481c2cbf101539c9021dfdfbbe62f5e866d033f6005");
	ds_dataset_free(&d);

	tu_set_int(&ps, "snapshots", 3);
	generate(sensing_interferometer_generate, &ps, &d);
	cr_assert_eq(d.train.x.rows, 2 * 3 * pair_count(32));
	ds_dataset_free(&d);
}

Test(gen_sensing, interferometer_same_seed_gives_identical_bytes)
{
	const char *layouts[] = { "random", "spiral", "grid" };

	for (int k = 0; k < 3; k++) {
		struct rb_paramset ps = interferometer(12, 16);
		struct ds_dataset a, b;
		tu_set_choice(&ps, "layout", layouts[k]);
		tu_set_int(&ps, "snapshots", 3);
		tu_set_real(&ps, "noise", 0.5);
		generate(sensing_interferometer_generate, &ps, &a);
		generate(sensing_interferometer_generate, &ps, &b);
		cr_assert(same_dataset(&a, &b), "%s: two generations differ", layouts[k]);
		ds_dataset_free(&a);
		ds_dataset_free(&b);
	}
}

/* The random layout depends on the seed; spiral and grid arrays are fixed instruments, so
 * a new seed changes only the sky (and the noise). */
Test(gen_sensing, interferometer_seed_changes_the_sky_and_only_the_random_array)
{
	const char *layouts[] = { "random", "spiral", "grid" };

	for (int k = 0; k < 3; k++) {
		struct rb_paramset ps = interferometer(10, 16);
		struct ds_dataset a, b;
		tu_set_choice(&ps, "layout", layouts[k]);
		generate(sensing_interferometer_generate, &ps, &a);
		tu_set_int(&ps, "data_seed", 7);
		generate(sensing_interferometer_generate, &ps, &b);
		cr_assert_neq(memcmp(a.truth, b.truth, 256 * sizeof(double)), 0, "%s", layouts[k]);
		bool same_array = !memcmp(a.train.x.dense, b.train.x.dense, cells(&a) * sizeof(double));
		cr_assert_eq(same_array, k != 0, "%s: the array %s with the seed", layouts[k],
			     same_array ? "did not change" : "changed");
		ds_dataset_free(&a);
		ds_dataset_free(&b);
	}
}

/* Frozen bytes: they also pin the platform-independent sine and cosine. */
Test(gen_sensing, interferometer_bytes_are_frozen)
{
	struct rb_paramset ps = interferometer(9, 12);
	struct ds_dataset d;
	char hex[65];

	tu_set_int(&ps, "snapshots", 2);
	tu_set_real(&ps, "noise", 0.05);
	generate(sensing_interferometer_generate, &ps, &d);
	bytes_digest(&d, hex);
	cr_log_info("sensing_interferometer bytes: %s", hex);
	cr_assert_str_eq(hex, "2b38b1c5e3d8bcb59572b8fbdcf46035092f36e2b4d28824951b9ee3997d4707");
	ds_dataset_free(&d);
}

Test(gen_sensing, interferometer_sky_has_the_sources_and_flux_range)
{
	struct rb_paramset ps = interferometer(6, 20);
	struct ds_dataset d;
	double lowest = INFINITY, highest = 0.0;

	tu_set_int(&ps, "sources", 300);
	generate(sensing_interferometer_generate, &ps, &d);
	cr_assert_eq(nonzeros(d.truth, 400), 300);
	for (int64_t p = 0; p < 400; p++) {
		if (d.truth[p] == 0.0)
			continue;
		lowest = fmin(lowest, d.truth[p]);
		highest = fmax(highest, d.truth[p]);
	}
	/* 300 log-uniform draws over [1, 100) reach within 10% of both ends. */
	cr_assert(lowest >= 1.0 && lowest < 1.1, "lowest flux %g", lowest);
	cr_assert(highest < 100.0 && highest > 90.0, "highest flux %g", highest);
	ds_dataset_free(&d);

	tu_set_real(&ps, "flux_decades", 0.0);
	generate(sensing_interferometer_generate, &ps, &d);
	for (int64_t p = 0; p < 400; p++)
		cr_assert(d.truth[p] == 0.0 || d.truth[p] == 1.0, "flux %g", d.truth[p]);
	ds_dataset_free(&d);
}

/* Half the log-fluxes lie below the middle decade: log-uniform, not uniform. */
Test(gen_sensing, interferometer_fluxes_are_log_uniform)
{
	struct rb_paramset ps = interferometer(4, 64);
	struct ds_dataset d;
	int below = 0;

	tu_set_int(&ps, "sources", 2000);
	tu_set_real(&ps, "flux_decades", 4.0);
	generate(sensing_interferometer_generate, &ps, &d);
	for (int64_t p = 0; p < 64 * 64; p++)
		below += d.truth[p] != 0.0 && d.truth[p] < 100.0;
	/* Binomial(2000, 1/2): sd 22. */
	cr_assert(abs(below - 1000) < 100, "%d of 2000 fluxes below 10^2", below);
	ds_dataset_free(&d);
}

Test(gen_sensing, interferometer_noiseless_visibilities_are_a_times_sky)
{
	struct rb_paramset ps = interferometer(16, 24);
	struct ds_dataset d;

	tu_set_int(&ps, "sources", 20);
	tu_set_int(&ps, "snapshots", 2);
	generate(sensing_interferometer_generate, &ps, &d);
	double rel = misfit(&d);
	cr_assert(rel < 1e-12, "|y - A x| / |A x| = %g", rel);
	ds_dataset_free(&d);
}

/* E|n|^2 = noise^2, so each stacked real component has std noise / sqrt 2. */
Test(gen_sensing, interferometer_noise_is_circular_with_the_asked_power)
{
	struct rb_paramset ps = interferometer(64, 8);
	struct ds_dataset clean, noisy;

	generate(sensing_interferometer_generate, &ps, &clean);
	tu_set_real(&ps, "noise", 2.0);
	generate(sensing_interferometer_generate, &ps, &noisy);
	cr_assert(!memcmp(clean.train.x.dense, noisy.train.x.dense, cells(&clean) * sizeof(double)));
	cr_assert(!memcmp(clean.truth, noisy.truth, 64 * sizeof(double)));
	/* 4032 components of std sqrt 2: their rms has sd 0.016. */
	double rms = residual_rms(&noisy);
	cr_assert(fabs(rms - sqrt(2.0)) < 0.06, "rms of a noise component %g", rms);
	ds_dataset_free(&clean);
	ds_dataset_free(&noisy);
}

/* A unit source at the phase centre (l = m = 0) is seen with phase 0 on every baseline:
 * the centre column of A is 1 in the Re rows and 0 in the Im rows, exactly. */
Test(gen_sensing, interferometer_centre_source_has_zero_phase)
{
	const char *layouts[] = { "random", "spiral", "grid" };
	const long long sizes[] = { 32, 15 };

	for (int k = 0; k < 3; k++) {
		for (int t = 0; t < 2; t++) {
			struct rb_paramset ps = interferometer(20, sizes[t]);
			struct ds_dataset d;
			tu_set_choice(&ps, "layout", layouts[k]);
			tu_set_int(&ps, "snapshots", 2);
			generate(sensing_interferometer_generate, &ps, &d);
			int64_t K = d.train.x.rows / 2, cols = d.train.x.cols;
			int64_t centre = (sizes[t] / 2) * sizes[t] + sizes[t] / 2;
			for (int64_t k2 = 0; k2 < K; k2++) {
				cr_assert_eq(d.train.x.dense[k2 * cols + centre], 1.0);
				cr_assert_eq(d.train.x.dense[(K + k2) * cols + centre], 0.0);
			}
			ds_dataset_free(&d);
		}
	}
}

/* One source of flux f anywhere: |V_k| = f on every baseline, and the phase is
 * -2 pi (u_k l + v_k m) with the pixel's direction cosines (checked against libm). */
Test(gen_sensing, interferometer_single_source_has_modulus_flux_and_the_right_phase)
{
	for (int seed = 1; seed <= 5; seed++) {
		struct rb_paramset ps = interferometer(24, 32);
		struct ds_dataset d;
		double *uv;
		int64_t count, p = 0;
		char err[128];
		tu_set_int(&ps, "sources", 1);
		tu_set_int(&ps, "data_seed", seed);
		tu_set_int(&ps, "snapshots", 2);
		generate(sensing_interferometer_generate, &ps, &d);
		cr_assert_eq(sensing_interferometer_uv(&ps, &uv, &count, err, sizeof(err)), 0, "%s",
			     err);
		cr_assert_eq(2 * count, d.train.x.rows);
		while (d.truth[p] == 0.0)
			p++;
		double flux = d.truth[p], step = 0.16 / 32;
		double l = (double)(p % 32 - 16) * step, m = (double)(p / 32 - 16) * step;
		for (int64_t k = 0; k < count; k++) {
			double re = d.train.y[k], im = d.train.y[count + k];
			double phase = -2.0 * M_PI * (uv[2 * k] * l + uv[2 * k + 1] * m);
			cr_assert(fabs(hypot(re, im) / flux - 1.0) < 1e-12, "|V| = %g, flux %g",
				  hypot(re, im), flux);
			cr_assert(fabs(re - flux * cos(phase)) < 1e-10 * flux, "baseline %lld",
				  (long long)k);
			cr_assert(fabs(im - flux * sin(phase)) < 1e-10 * flux, "baseline %lld",
				  (long long)k);
		}
		free(uv);
		ds_dataset_free(&d);
	}
}

/* Every column has unit modulus per baseline: Re^2 + Im^2 = 1 for every pixel. */
Test(gen_sensing, interferometer_operator_entries_have_unit_modulus)
{
	struct rb_paramset ps = interferometer(16, 33);
	struct ds_dataset d;

	tu_set_real(&ps, "fov", 0.5);
	tu_set_choice(&ps, "layout", "spiral");
	generate(sensing_interferometer_generate, &ps, &d);
	int64_t K = d.train.x.rows / 2, cols = d.train.x.cols;
	for (int64_t k = 0; k < K; k++) {
		for (int64_t p = 0; p < cols; p++) {
			double re = d.train.x.dense[k * cols + p], im = d.train.x.dense[(K + k) * cols + p];
			cr_assert(fabs(re * re + im * im - 1.0) < 1e-14, "baseline %lld pixel %lld",
				  (long long)k, (long long)p);
		}
	}
	ds_dataset_free(&d);
}

/* V(-u, -v) = conj V(u, v) for a real sky: the row of the reversed baseline has the same
 * real part and the negated imaginary part, bit for bit; so storing it would add nothing. */
Test(gen_sensing, visibility_rows_are_conjugate_symmetric)
{
	const double baselines[][2] = { { 37.25, -12.5 }, { -80.125, 3.0 }, { 0.5, 0.0 },
					{ 1234.5678, 987.654 } };
	double re[400], im[400], re_neg[400], im_neg[400];

	for (int k = 0; k < 4; k++) {
		double u = baselines[k][0], v = baselines[k][1];
		sensing_visibility_row(u, v, 20, 0.3, re, im);
		sensing_visibility_row(-u, -v, 20, 0.3, re_neg, im_neg);
		for (int p = 0; p < 400; p++) {
			cr_assert_eq(re_neg[p], re[p], "baseline %d pixel %d", k, p);
			cr_assert_eq(im_neg[p], -im[p], "baseline %d pixel %d", k, p);
		}
	}
}

/* The dataset's rows are exactly the operator rows of the baselines that
 * sensing_interferometer_uv reports, and no baseline is longer than max_baseline. */
Test(gen_sensing, interferometer_rows_follow_the_reported_baselines)
{
	const char *layouts[] = { "random", "spiral", "grid" };

	for (int t = 0; t < 3; t++) {
		struct rb_paramset ps = interferometer(11, 10);
		struct ds_dataset d;
		double *uv, re[100], im[100];
		int64_t count;
		char err[128];
		tu_set_choice(&ps, "layout", layouts[t]);
		tu_set_int(&ps, "snapshots", 4);
		tu_set_real(&ps, "max_baseline", 250.0);
		generate(sensing_interferometer_generate, &ps, &d);
		cr_assert_eq(sensing_interferometer_uv(&ps, &uv, &count, err, sizeof(err)), 0);
		cr_assert_eq(count, 4 * pair_count(11));
		for (int64_t k = 0; k < count; k++) {
			double length = hypot(uv[2 * k], uv[2 * k + 1]);
			cr_assert(length > 0.0 && length <= 250.0 * (1.0 + 1e-12), "%s: |uv| = %g",
				  layouts[t], length);
			sensing_visibility_row(uv[2 * k], uv[2 * k + 1], 10, 0.16, re, im);
			cr_assert(!memcmp(re, d.train.x.dense + k * 100, sizeof(re)));
			cr_assert(!memcmp(im, d.train.x.dense + (count + k) * 100, sizeof(im)));
		}
		free(uv);
		ds_dataset_free(&d);
	}
}

/* Snapshot s is snapshot 0 turned by s * rotation / snapshots degrees. */
Test(gen_sensing, snapshots_rotate_the_baselines)
{
	struct rb_paramset ps = interferometer(7, 8);
	double *uv;
	int64_t count;
	char err[128];

	tu_set_int(&ps, "snapshots", 5);
	tu_set_real(&ps, "rotation", 75.0);
	cr_assert_eq(sensing_interferometer_uv(&ps, &uv, &count, err, sizeof(err)), 0);
	int64_t pairs = pair_count(7);
	for (int64_t s = 1; s < 5; s++) {
		double angle = (double)s * 15.0 * M_PI / 180.0;
		for (int64_t k = 0; k < pairs; k++) {
			double u = uv[2 * k], v = uv[2 * k + 1];
			double u_s = uv[2 * (s * pairs + k)], v_s = uv[2 * (s * pairs + k) + 1];
			cr_assert(fabs(u_s - (cos(angle) * u - sin(angle) * v)) < 1e-10);
			cr_assert(fabs(v_s - (sin(angle) * u + cos(angle) * v)) < 1e-10);
		}
	}
	free(uv);
}

static int compare_cells(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Distinct cells of a 64 x 64 grid over [-max_baseline, max_baseline]^2 that hold a
 * baseline or its conjugate: the uv coverage. */
static int64_t uv_coverage(struct rb_paramset *ps, long long snapshots)
{
	double *uv, cell = 2.0 * 100.0 / 64.0;
	int64_t count, distinct = 0;
	char err[128];

	tu_set_int(ps, "snapshots", snapshots);
	cr_assert_eq(sensing_interferometer_uv(ps, &uv, &count, err, sizeof(err)), 0);
	int64_t *ids = malloc(2 * (size_t)count * sizeof(*ids));
	for (int64_t k = 0; k < count; k++) {
		for (int sign = 0; sign < 2; sign++) {
			double f = sign ? -1.0 : 1.0;
			int64_t iu = (int64_t)floor((f * uv[2 * k] + 100.0) / cell);
			int64_t iv = (int64_t)floor((f * uv[2 * k + 1] + 100.0) / cell);
			ids[2 * k + sign] = iu * 1000 + iv;
		}
	}
	qsort(ids, 2 * (size_t)count, sizeof(*ids), compare_cells);
	for (int64_t k = 0; k < 2 * count; k++)
		distinct += k == 0 || ids[k] != ids[k - 1];
	free(ids);
	free(uv);
	return distinct;
}

/* Rotation moves every baseline to new uv cells: coverage grows strictly with the
 * snapshots (until the cells of the disc run out, about 3200 here) and has at least
 * doubled at 8 snapshots. */
Test(gen_sensing, uv_coverage_grows_with_snapshots)
{
	const char *layouts[] = { "random", "spiral", "grid" };

	for (int t = 0; t < 3; t++) {
		struct rb_paramset ps = interferometer(24, 8);
		tu_set_choice(&ps, "layout", layouts[t]);
		int64_t single = uv_coverage(&ps, 1), previous = single;
		for (long long snapshots = 2; snapshots <= 16; snapshots *= 2) {
			int64_t covered = uv_coverage(&ps, snapshots);
			cr_log_info("%s, %lld snapshots: %lld cells (1 snapshot: %lld)", layouts[t],
				    snapshots, (long long)covered, (long long)single);
			cr_assert(covered > previous, "%s: %lld cells with %lld snapshots, %lld before",
				  layouts[t], (long long)covered, snapshots, (long long)previous);
			if (snapshots == 8)
				cr_assert_geq(covered, 2 * single, "%s", layouts[t]);
			previous = covered;
		}
	}
}

static int64_t distinct_baselines(struct rb_paramset *ps)
{
	double *uv;
	int64_t count, distinct = 0;
	char err[128];

	cr_assert_eq(sensing_interferometer_uv(ps, &uv, &count, err, sizeof(err)), 0);
	for (int64_t k = 0; k < count; k++) {
		bool seen = false;
		for (int64_t j = 0; j < k && !seen; j++)
			seen = fabs(uv[2 * j] - uv[2 * k]) < 1e-9 &&
			       fabs(uv[2 * j + 1] - uv[2 * k + 1]) < 1e-9;
		distinct += !seen;
	}
	free(uv);
	return distinct;
}

/* A regular grid measures the same spacing many times (redundant baselines); the random
 * and spiral arrays do not. */
Test(gen_sensing, grid_layout_is_redundant_and_the_others_are_not)
{
	const char *layouts[] = { "random", "spiral", "grid" };
	int64_t distinct[3];

	for (int t = 0; t < 3; t++) {
		struct rb_paramset ps = interferometer(16, 8);
		tu_set_choice(&ps, "layout", layouts[t]);
		distinct[t] = distinct_baselines(&ps);
	}
	cr_assert_eq(distinct[0], pair_count(16));
	cr_assert_eq(distinct[1], pair_count(16));
	/* A 4 x 4 grid has (2*4-1)^2 - 1 = 48 spacings, 24 up to sign, among 120 pairs. */
	cr_assert_eq(distinct[2], 24);
}

Test(gen_sensing, interferometer_refuses_crowded_skies_and_huge_matrices)
{
	struct rb_paramset ps = interferometer(8, 4);
	struct ds_dataset d;
	char err[256] = "";

	tu_set_int(&ps, "sources", 17);
	cr_assert_eq(sensing_interferometer_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "17 sources") != NULL, "error: %s", err);
	cr_assert_null(d.train.x.dense);

	/* 4096 antennas: 16.8 million stacked rows; times 128^2 pixels is 2^38 entries. */
	ps = interferometer(4096, 128);
	cr_assert_eq(sensing_interferometer_generate(&ps, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "2^31") != NULL, "error: %s", err);
	cr_assert_null(d.train.x.dense);
	cr_assert_null(d.truth);
}
