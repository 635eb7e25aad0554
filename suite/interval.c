/*
 * interval: the house rule for a figure's band around a mean over repeats (interval.h).
 * The bootstrap is Efron's percentile interval (Efron and Tibshirani, "An Introduction to
 * the Bootstrap", 1993, ch. 13): resample the n values with replacement, take each
 * resample's mean, and read the 2.5% and 97.5% quantiles of those means.
 */
#include "suite/interval.h"

#include <stdlib.h>

#include "algorithms/kernels/rng.h"

static int iv_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* The q-quantile of sorted[0..n), interpolated between order statistics (R's type 7). */
static double iv_quantile(const double *sorted, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t i = (size_t)h;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

int iv_bootstrap_mean(const double *sorted, size_t n, double level, size_t resamples,
		      unsigned long long seed, double *lo, double *hi)
{
	if (n == 0 || resamples == 0)
		return -1;
	double *means = malloc(resamples * sizeof *means);
	if (!means)
		return -1;
	struct rng r;
	rng_seed(&r, seed, n); /* one stream per sample size: n = 5 and n = 6 differ */
	for (size_t b = 0; b < resamples; b++) {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += sorted[rng_below(&r, n)];
		means[b] = sum / (double)n;
	}
	qsort(means, resamples, sizeof *means, iv_cmp);
	double tail = (1 - level) / 2;
	*lo = iv_quantile(means, resamples, tail);
	*hi = iv_quantile(means, resamples, 1 - tail);
	/* The mean of a resample lies within [min, max]; rounding in the sum must not push
	 * a band past the values' own range. */
	*lo = *lo < sorted[0] ? sorted[0] : *lo;
	*hi = *hi > sorted[n - 1] ? sorted[n - 1] : *hi;
	free(means);
	return 0;
}

enum iv_kind iv_band(double *values, size_t n, double *lo, double *hi)
{
	if (n < 2)
		return IV_NONE;
	qsort(values, n, sizeof *values, iv_cmp);
	if (n >= IV_BOOTSTRAP_MIN &&
	    iv_bootstrap_mean(values, n, IV_LEVEL, IV_RESAMPLES, IV_SEED, lo, hi) == 0)
		return IV_BOOTSTRAP;
	*lo = values[0];
	*hi = values[n - 1];
	return IV_MINMAX;
}
