/*
 * interval: the band a figure draws around a mean over repeats (seeds), by the house rule
 * (experiments/README.md, "Plots"; plots/README.md):
 *   one value                       no band;
 *   2 .. IV_BOOTSTRAP_MIN - 1       min .. max of the values;
 *   IV_BOOTSTRAP_MIN or more        the 95% percentile bootstrap interval of the mean
 *                                   (IV_RESAMPLES resamples drawn from a fixed seed).
 * Why not Student t: timings and throughputs over 2-5 seeds are skewed or bimodal (a run
 * that lost its core), and mean +- t(n-1) sd / sqrt(n) then reaches below zero and past
 * twice the mean. Both rules stay inside the values' own range, so a band never leaves
 * the quantity's range (no negative throughput, no accuracy above 1).
 * The values are sorted first and the seed is fixed, so a store always gives the same
 * band, whatever order the rows come in.
 */
#ifndef INTERVAL_H
#define INTERVAL_H

#include <stddef.h>

#define IV_BOOTSTRAP_MIN 5
#define IV_RESAMPLES 2000
#define IV_LEVEL 0.95
#define IV_SEED 0x62616e64ULL /* "band" */

enum iv_kind { IV_NONE, IV_MINMAX, IV_BOOTSTRAP };

/* The band of values[0..n) (sorted in place) in *lo, *hi; returns which rule gave it. With
 * IV_NONE (n < 2) *lo and *hi are left alone. Values must be finite. When the resample
 * buffer cannot be allocated the band falls back to min .. max (IV_MINMAX). */
enum iv_kind iv_band(double *values, size_t n, double *lo, double *hi);

/* The percentile bootstrap interval of the mean of sorted[0..n) at a two-sided level (0.95),
 * from `resamples` resamples of an RNG seeded with seed; -1 when out of memory. */
int iv_bootstrap_mean(const double *sorted, size_t n, double level, size_t resamples,
		      unsigned long long seed, double *lo, double *hi);

#endif
