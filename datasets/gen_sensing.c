/*
 * gen_sensing: seeded compressive-sensing problems, Gaussian/Bernoulli and radio
 * interferometric (the construction is documented in gen_sensing.h).
 *
 * Streams of data_seed: 0 draws the matrix (sensing_gaussian) or the antenna layout
 * (sensing_interferometer, random layout only), 1 draws the support and values of the
 * planted signal, 2 draws the measurement noise. So changing `noise` changes y and
 * nothing else, and changing the matrix or the array leaves the planted signal alone.
 *
 * Bit-reproducibility: sine, cosine and exp are computed here from exact argument
 * reductions and Taylor polynomials, because libm's may differ in the last bit between
 * C libraries (the reason rng.c computes its own logarithm). y = A x is summed over the
 * support in increasing column order, not by BLAS, whose order depends on the CPU.
 */
#include "datasets/gen_sensing.h"
#include "datasets/genid.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "suite/error.h"

/* Same reason as in rng.c: no fused multiply-add, so every product rounds the same way
 * whatever -march the library was built for. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define GAUSSIAN_NAME "sensing_gaussian"
#define GAUSSIAN_VERSION "sensing_gaussian/v1"
#define INTERFEROMETER_NAME "sensing_interferometer"
#define INTERFEROMETER_VERSION "sensing_interferometer/v1"
/* 2^31 doubles are 16 GiB: beyond any quick or full experiment of the family. */
#define SENSING_MAX_ENTRIES (INT64_C(1) << 31)
#define SENSING_TWO_PI 6.28318530717958647693
#define SENSING_LN10 2.30258509299404568402

const struct rb_param_spec sensing_gaussian_params[] = {
	{ "n", RB_INT, "1024", 1, 1e8, NULL, "signal length: columns of A" },
	{ "m", RB_INT, "256", 1, 1e8, NULL, "measurements: rows of A" },
	{ "s", RB_INT, "16", 1, 1e8, NULL,
	  "sparsity: nonzeros of the planted signal, at uniformly random positions (at most n)" },
	{ "matrix", RB_CHOICE, "gaussian", 0, 0, "gaussian|bernoulli",
	  "entries of A: N(0, 1/m), or +1/sqrt(m) and -1/sqrt(m) with probability 1/2" },
	{ "signal", RB_CHOICE, "gaussian", 0, 0, "gaussian|sign|uniform",
	  "nonzero values of the signal: N(0, 1), +1/-1, or uniform in [-1, 1) (never 0)" },
	{ "noise", RB_REAL, "0", 0, 1e6, NULL,
	  "std of the Gaussian noise added to each measurement" },
	{ "data_seed", RB_INT, "1", 0, 9007199254740991.0, NULL,
	  "generator seed: the same parameters and seed give the same bytes everywhere" },
	{ 0 },
};

const struct rb_param_spec sensing_interferometer_params[] = {
	{ "antennas", RB_INT, "32", 2, 4096, NULL,
	  "antennas of the array; every pair is one baseline" },
	{ "layout", RB_CHOICE, "random", 0, 0, "random|spiral|grid",
	  "antenna positions: uniform in the disc, a Fermat (sunflower) spiral, or a square grid" },
	{ "max_baseline", RB_REAL, "100", 1e-3, 1e9, NULL,
	  "diameter of the disc holding the antennas, in wavelengths: the longest possible baseline" },
	{ "snapshots", RB_INT, "1", 1, 4096, NULL,
	  "earth-rotation synthesis: copies of the baselines, each rotated by rotation/snapshots" },
	{ "rotation", RB_REAL, "60", 0, 360, NULL,
	  "degrees the uv plane turns over the snapshots (15 per hour; ignored for one snapshot)" },
	{ "pixels", RB_INT, "32", 1, 4096, NULL,
	  "sky image is pixels x pixels: the signal length is pixels^2" },
	{ "fov", RB_REAL, "0.16", 1e-9, 2, NULL,
	  "field of view in direction cosines (radians when small); pixel size fov/pixels, "
	  "Nyquist for the longest baseline at pixels / (2 max_baseline)" },
	{ "sources", RB_INT, "8", 1, 1e8, NULL,
	  "point sources at distinct random pixels (at most pixels^2)" },
	{ "flux_decades", RB_REAL, "2", 0, 12, NULL,
	  "source fluxes are log-uniform in [1, 10^flux_decades]; 0 gives unit fluxes" },
	{ "noise", RB_REAL, "0", 0, 1e6, NULL,
	  "std of the circular complex Gaussian noise on each visibility (E|n|^2 = noise^2)" },
	{ "data_seed", RB_INT, "1", 0, 9007199254740991.0, NULL,
	  "generator seed: the same parameters and seed give the same bytes everywhere" },
	{ 0 },
};

enum signal_kind { SIGNAL_GAUSSIAN, SIGNAL_SIGN, SIGNAL_UNIFORM };
enum layout_kind { LAYOUT_RANDOM, LAYOUT_SPIRAL, LAYOUT_GRID };

struct gaussian_config {
	int64_t n, m, s;
	bool bernoulli;
	enum signal_kind signal;
	double noise;
	uint64_t seed;
};

struct interferometer_config {
	int64_t antennas, snapshots, pixels, sources;
	enum layout_kind layout;
	double max_baseline, rotation, fov, flux_decades, noise;
	uint64_t seed;
};

/* ---- identity: checksum and source text, as in synth.c ---- */

void sensing_gaussian_checksum(const struct rb_paramset *ps, char out[65])
{
	genid_checksum(GAUSSIAN_VERSION, sensing_gaussian_params, ps, out);
}

void sensing_interferometer_checksum(const struct rb_paramset *ps, char out[65])
{
	genid_checksum(INTERFEROMETER_VERSION, sensing_interferometer_params, ps, out);
}

static void fill_identity(const char *name, const char *version,
			  const struct rb_param_spec *table, const struct rb_paramset *ps,
			  struct ds_dataset *out)
{
	genid_fill(name, version, table, ps, out);
	out->kind = DS_SIGNAL;
}

/* ---- platform-independent elementary functions ---- */

/* Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)!, as compile-time quotients. */
static const double sin_series[] = {
	1.0, -1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362880.0, -1.0 / 39916800.0,
	1.0 / 6227020800.0, -1.0 / 1307674368000.0, 1.0 / 355687428096000.0,
};
static const double cos_series[] = {
	1.0, -1.0 / 2.0, 1.0 / 24.0, -1.0 / 720.0, 1.0 / 40320.0, -1.0 / 3628800.0,
	1.0 / 479001600.0, -1.0 / 87178291200.0, 1.0 / 20922789888000.0,
	-1.0 / 6402373705728000.0,
};

static double horner(const double *coef, int count, double x)
{
	double p = coef[count - 1];

	for (int k = count - 2; k >= 0; k--)
		p = p * x + coef[k];
	return p;
}

/* cos(2 pi t) and sin(2 pi t), t in turns, |t| < 2^52. f = t - round(t) and r = f - q/4
 * are exact (each is a multiple of ulp(t) no larger in magnitude than its operand), so
 * the only rounding before the series is x = 2 pi r, |x| <= pi/4, where the Taylor
 * series to x^17 and x^18 are within 1e-19 of sin and cos. round() is symmetric and the
 * series odd/even, so sin(-t) = -sin(t) and cos(-t) = cos(t) bit for bit, and t = 0
 * gives exactly (1, 0). */
static void sincos_turns(double t, double *c, double *s)
{
	double f = t - round(t);
	double q = round(4.0 * f);
	double x = (f - 0.25 * q) * SENSING_TWO_PI;
	double x2 = x * x;
	double sx = x * horner(sin_series, 9, x2);
	double cx = horner(cos_series, 10, x2);

	/* Quadrant q turns the angle by q pi/2: (cos, sin) -> (-sin, cos) per quarter. */
	switch ((int)q & 3) {
	case 0:
		*c = cx, *s = sx;
		break;
	case 1:
		*c = -sx, *s = cx;
		break;
	case 2:
		*c = -cx, *s = -sx;
		break;
	default:
		*c = sx, *s = -cx;
		break;
	}
}

/* exp(y) for 0 <= y < 700 (Cody and Waite): y = k ln2 + r with ln 2 split so that
 * k * ln2_hi is exact (fdlibm's constants), |r| <= ln2 / 2, and the Taylor series of
 * exp(r) to r^13 is within 1e-17 relative; ldexp is exact. */
static double exp_nonnegative(double y)
{
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	const double inv_ln2 = 1.44269504088896338700e+00;
	double k = round(y * inv_ln2);
	double r = (y - k * ln2_hi) - k * ln2_lo;
	double p = 1.0;

	/* exp(r) = 1 + r (1 + r/2 (1 + r/3 (... (1 + r/13)))). */
	for (int n = 13; n >= 1; n--)
		p = 1.0 + p * r / (double)n;
	return ldexp(p, (int)k);
}

/* ---- shared pieces of both generators ---- */

static int check_size(const char *name, int64_t rows, int64_t cols, char *err, size_t errlen)
{
	if (rows > SENSING_MAX_ENTRIES / cols)
		return rb_error(err, errlen,
				"%s: A would be %lld x %lld, more than 2^31 entries (16 GiB); "
				"choose a smaller problem", name, (long long)rows, (long long)cols);
	return 0;
}

/* A and y of a DS_SIGNAL dataset, and the zeroed truth. */
static int allocate_signal(struct ds_dataset *out, int64_t rows, int64_t cols)
{
	out->train.x = (struct ds_matrix){ .rows = rows, .cols = cols, .sparse = false };
	out->train.x.dense = malloc((size_t)rows * (size_t)cols * sizeof(double));
	out->train.y = calloc((size_t)rows, sizeof(double));
	out->truth = calloc((size_t)cols, sizeof(double));
	out->truth_len = cols;
	return out->train.x.dense && out->train.y && out->truth ? 0 : -1;
}

/* A uniformly random position among those of x still zero. Rejection makes the support
 * a uniform subset without an index array of the signal's length; the values planted
 * are never zero, so a filled position is never drawn twice. Expected draws stay below
 * 2 per nonzero while at most half the positions are filled. */
static int64_t free_position(struct rng *r, const double *x, int64_t len)
{
	for (;;) {
		int64_t j = (int64_t)rng_below(r, (uint64_t)len);
		if (x[j] == 0.0)
			return j;
	}
}

/* y = A x, summed over the support of x in increasing column order (a fixed order, so
 * the bytes do not depend on a BLAS build). y starts at zero. */
static void measure(const struct ds_matrix *a, const double *x, double *y)
{
	for (int64_t j = 0; j < a->cols; j++) {
		if (x[j] == 0.0)
			continue;
		for (int64_t i = 0; i < a->rows; i++)
			y[i] += a->dense[i * a->cols + j] * x[j];
	}
}

/* y += std * N(0, 1) per entry, from stream 2. */
static void add_noise(double *y, int64_t len, double std, uint64_t seed)
{
	struct rng r;

	if (std == 0.0)
		return;
	rng_seed(&r, seed, 2);
	for (int64_t i = 0; i < len; i++)
		y[i] += std * rng_normal(&r);
}

static int generation_failed(struct ds_dataset *out, const char *name, int64_t rows,
			     int64_t cols, char *err, size_t errlen)
{
	ds_dataset_free(out);
	return rb_error(err, errlen, "%s: out of memory for a %lld x %lld measurement matrix",
			name, (long long)rows, (long long)cols);
}

/* ---- sensing_gaussian ---- */

static void gaussian_read(const struct rb_paramset *ps, struct gaussian_config *cfg)
{
	const char *signal = rb_paramset_get(ps, "signal")->s;

	cfg->n = rb_paramset_get(ps, "n")->i;
	cfg->m = rb_paramset_get(ps, "m")->i;
	cfg->s = rb_paramset_get(ps, "s")->i;
	cfg->bernoulli = strcmp(rb_paramset_get(ps, "matrix")->s, "bernoulli") == 0;
	cfg->signal = !strcmp(signal, "sign")	   ? SIGNAL_SIGN
		      : !strcmp(signal, "uniform") ? SIGNAL_UNIFORM
						   : SIGNAL_GAUSSIAN;
	cfg->noise = rb_paramset_get(ps, "noise")->r;
	cfg->seed = (uint64_t)rb_paramset_get(ps, "data_seed")->i;
}

static int gaussian_check(const struct gaussian_config *cfg, char *err, size_t errlen)
{
	if (cfg->s > cfg->n)
		return rb_error(err, errlen, "%s: sparsity s = %lld is above the signal length n = %lld",
				GAUSSIAN_NAME, (long long)cfg->s, (long long)cfg->n);
	return check_size(GAUSSIAN_NAME, cfg->m, cfg->n, err, errlen);
}

/* Entries of variance 1/m, so E|column|^2 = 1 and A is close to an isometry on sparse
 * vectors (the RIP scaling of Candes and Tao). Bernoulli takes one bit per entry. */
static void gaussian_matrix(const struct gaussian_config *cfg, double *a)
{
	int64_t cells = cfg->m * cfg->n;
	double scale = 1.0 / sqrt((double)cfg->m);
	struct rng r;

	rng_seed(&r, cfg->seed, 0);
	if (cfg->bernoulli) {
		for (int64_t k = 0; k < cells; k++)
			a[k] = (rng_next_u64(&r) >> 63) ? scale : -scale;
		return;
	}
	for (int64_t k = 0; k < cells; k++)
		a[k] = scale * rng_normal(&r);
}

static double signal_value(struct rng *r, enum signal_kind kind)
{
	double v;

	do {
		if (kind == SIGNAL_SIGN)
			v = (rng_next_u64(r) >> 63) ? 1.0 : -1.0;
		else if (kind == SIGNAL_UNIFORM)
			v = 2.0 * rng_uniform(r) - 1.0;
		else
			v = rng_normal(r);
	} while (v == 0.0);
	return v;
}

static void gaussian_signal(const struct gaussian_config *cfg, double *x)
{
	struct rng r;

	rng_seed(&r, cfg->seed, 1);
	for (int64_t k = 0; k < cfg->s; k++) {
		int64_t j = free_position(&r, x, cfg->n);
		x[j] = signal_value(&r, cfg->signal);
	}
}

int sensing_gaussian_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			      size_t errlen)
{
	struct gaussian_config cfg;

	memset(out, 0, sizeof(*out));
	gaussian_read(ps, &cfg);
	if (gaussian_check(&cfg, err, errlen) != 0)
		return -1;
	fill_identity(GAUSSIAN_NAME, GAUSSIAN_VERSION, sensing_gaussian_params, ps, out);
	if (allocate_signal(out, cfg.m, cfg.n) != 0)
		return generation_failed(out, GAUSSIAN_NAME, cfg.m, cfg.n, err, errlen);
	gaussian_matrix(&cfg, out->train.x.dense);
	gaussian_signal(&cfg, out->truth);
	measure(&out->train.x, out->truth, out->train.y);
	add_noise(out->train.y, cfg.m, cfg.noise, cfg.seed);
	return 0;
}

/* ---- sensing_interferometer ---- */

static void interferometer_read(const struct rb_paramset *ps, struct interferometer_config *cfg)
{
	const char *layout = rb_paramset_get(ps, "layout")->s;

	cfg->antennas = rb_paramset_get(ps, "antennas")->i;
	cfg->layout = !strcmp(layout, "spiral") ? LAYOUT_SPIRAL
		      : !strcmp(layout, "grid") ? LAYOUT_GRID
						: LAYOUT_RANDOM;
	cfg->max_baseline = rb_paramset_get(ps, "max_baseline")->r;
	cfg->snapshots = rb_paramset_get(ps, "snapshots")->i;
	cfg->rotation = rb_paramset_get(ps, "rotation")->r;
	cfg->pixels = rb_paramset_get(ps, "pixels")->i;
	cfg->fov = rb_paramset_get(ps, "fov")->r;
	cfg->sources = rb_paramset_get(ps, "sources")->i;
	cfg->flux_decades = rb_paramset_get(ps, "flux_decades")->r;
	cfg->noise = rb_paramset_get(ps, "noise")->r;
	cfg->seed = (uint64_t)rb_paramset_get(ps, "data_seed")->i;
}

static int64_t baseline_count(const struct interferometer_config *cfg)
{
	return cfg->snapshots * (cfg->antennas * (cfg->antennas - 1) / 2);
}

static int interferometer_check(const struct interferometer_config *cfg, char *err,
				size_t errlen)
{
	int64_t pixels2 = cfg->pixels * cfg->pixels;

	if (cfg->sources > pixels2)
		return rb_error(err, errlen, "%s: %lld sources do not fit in %lld x %lld pixels",
				INTERFEROMETER_NAME, (long long)cfg->sources,
				(long long)cfg->pixels, (long long)cfg->pixels);
	return check_size(INTERFEROMETER_NAME, 2 * baseline_count(cfg), pixels2, err, errlen);
}

/* Uniform in the disc of radius `radius` by rejection from the square (no sin/cos). */
static void layout_random(const struct interferometer_config *cfg, double radius, double *xy)
{
	struct rng r;

	rng_seed(&r, cfg->seed, 0);
	for (int64_t i = 0; i < cfg->antennas; i++) {
		double x, y;
		do {
			x = radius * (2.0 * rng_uniform(&r) - 1.0);
			y = radius * (2.0 * rng_uniform(&r) - 1.0);
		} while (x * x + y * y > radius * radius);
		xy[2 * i] = x;
		xy[2 * i + 1] = y;
	}
}

/* Vogel's sunflower: radius R sqrt((i + 1/2) / L) gives equal area per antenna, and the
 * golden angle (2 - phi turns) keeps successive antennas from lining up, so the
 * baselines are non-redundant and the uv plane evenly filled. */
static void layout_spiral(const struct interferometer_config *cfg, double radius, double *xy)
{
	const double golden_turns = (3.0 - sqrt(5.0)) / 2.0;
	double count = (double)cfg->antennas;

	for (int64_t i = 0; i < cfg->antennas; i++) {
		double c, s, rho = radius * sqrt(((double)i + 0.5) / count);
		sincos_turns((double)i * golden_turns, &c, &s);
		xy[2 * i] = rho * c;
		xy[2 * i + 1] = rho * s;
	}
}

/* The smallest g x g grid with room for every antenna, spanning the square inscribed in
 * the disc (its diagonal is the diameter), filled row by row from one corner. */
static void layout_grid(const struct interferometer_config *cfg, double radius, double *xy)
{
	int64_t g = 2;

	while (g * g < cfg->antennas)
		g++;
	double half = radius * sqrt(0.5), step = 2.0 * half / (double)(g - 1);
	for (int64_t i = 0; i < cfg->antennas; i++) {
		xy[2 * i] = -half + (double)(i % g) * step;
		xy[2 * i + 1] = -half + (double)(i / g) * step;
	}
}

/* Snapshot k turns the array by k * rotation / snapshots degrees: earth rotation seen
 * from the celestial pole, an in-plane rotation of every baseline. */
static void rotate_baselines(const struct interferometer_config *cfg, const double *xy,
			     double *uv)
{
	int64_t k = 0;

	for (int64_t snap = 0; snap < cfg->snapshots; snap++) {
		double c, s;
		sincos_turns((double)snap * cfg->rotation / (360.0 * (double)cfg->snapshots), &c, &s);
		for (int64_t i = 0; i < cfg->antennas; i++) {
			for (int64_t j = i + 1; j < cfg->antennas; j++, k++) {
				double du = xy[2 * i] - xy[2 * j], dv = xy[2 * i + 1] - xy[2 * j + 1];
				uv[2 * k] = c * du - s * dv;
				uv[2 * k + 1] = s * du + c * dv;
			}
		}
	}
}

static double *baselines(const struct interferometer_config *cfg)
{
	double radius = 0.5 * cfg->max_baseline;
	double *xy = malloc(2 * (size_t)cfg->antennas * sizeof(double));
	double *uv = malloc(2 * (size_t)baseline_count(cfg) * sizeof(double));

	if (!xy || !uv) {
		free(xy);
		free(uv);
		return NULL;
	}
	if (cfg->layout == LAYOUT_SPIRAL)
		layout_spiral(cfg, radius, xy);
	else if (cfg->layout == LAYOUT_GRID)
		layout_grid(cfg, radius, xy);
	else
		layout_random(cfg, radius, xy);
	rotate_baselines(cfg, xy, uv);
	free(xy);
	return uv;
}

int sensing_interferometer_uv(const struct rb_paramset *ps, double **uv, int64_t *count,
			      char *err, size_t errlen)
{
	struct interferometer_config cfg;

	interferometer_read(ps, &cfg);
	*count = baseline_count(&cfg);
	*uv = baselines(&cfg);
	if (!*uv)
		return rb_error(err, errlen, "%s: out of memory for %lld baselines",
				INTERFEROMETER_NAME, (long long)*count);
	return 0;
}

void sensing_visibility_row(double u, double v, int64_t pixels, double fov, double *re,
			    double *im)
{
	double step = fov / (double)pixels;
	int64_t centre = pixels / 2;

	/* exp(-2 pi i (u l + v m)) = exp(-2 pi i u l) exp(-2 pi i v m): the l factors of the
	 * columns go into the first row of re/im (cos, sin), which is overwritten last. */
	for (int64_t c = 0; c < pixels; c++)
		sincos_turns(u * ((double)(c - centre) * step), &re[c], &im[c]);
	for (int64_t r = pixels - 1; r >= 0; r--) {
		double cm, sm;
		sincos_turns(v * ((double)(r - centre) * step), &cm, &sm);
		for (int64_t c = 0; c < pixels; c++) {
			double cl = re[c], sl = im[c];
			re[r * pixels + c] = cl * cm - sl * sm;
			im[r * pixels + c] = -(sl * cm + cl * sm);
		}
	}
}

/* Point sources at distinct pixels; log-uniform fluxes 10^(decades u), the usual model
 * of a sky whose source counts span orders of magnitude. */
static void interferometer_sky(const struct interferometer_config *cfg, double *sky)
{
	int64_t pixels2 = cfg->pixels * cfg->pixels;
	struct rng r;

	rng_seed(&r, cfg->seed, 1);
	for (int64_t k = 0; k < cfg->sources; k++) {
		int64_t p = free_position(&r, sky, pixels2);
		sky[p] = exp_nonnegative(cfg->flux_decades * rng_uniform(&r) * SENSING_LN10);
	}
}

int sensing_interferometer_generate(const struct rb_paramset *ps, struct ds_dataset *out,
				    char *err, size_t errlen)
{
	struct interferometer_config cfg;

	memset(out, 0, sizeof(*out));
	interferometer_read(ps, &cfg);
	if (interferometer_check(&cfg, err, errlen) != 0)
		return -1;
	int64_t count = baseline_count(&cfg), pixels2 = cfg.pixels * cfg.pixels;
	fill_identity(INTERFEROMETER_NAME, INTERFEROMETER_VERSION, sensing_interferometer_params,
		      ps, out);
	double *uv = baselines(&cfg);
	if (!uv || allocate_signal(out, 2 * count, pixels2) != 0) {
		free(uv);
		return generation_failed(out, INTERFEROMETER_NAME, 2 * count, pixels2, err, errlen);
	}
	double *a = out->train.x.dense;
	for (int64_t k = 0; k < count; k++)
		sensing_visibility_row(uv[2 * k], uv[2 * k + 1], cfg.pixels, cfg.fov,
				       a + k * pixels2, a + (count + k) * pixels2);
	free(uv);
	out->shape[0] = out->shape[1] = cfg.pixels;
	out->shape[2] = 1;
	interferometer_sky(&cfg, out->truth);
	measure(&out->train.x, out->truth, out->train.y);
	add_noise(out->train.y, 2 * count, cfg.noise * sqrt(0.5), cfg.seed);
	return 0;
}
