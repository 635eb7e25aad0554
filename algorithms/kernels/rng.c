/*
 * rng: xoshiro256** (Blackman and Vigna, arXiv 1805.01407) seeded through splitmix64
 * (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014), with Lemire's unbiased bounded integers (arXiv 1805.10941) and Marsaglia's
 * polar method for normals.
 *
 * Cross-platform determinism: the logarithm the non-uniform draws need is computed
 * here from frexp, +, *, / (all exact or correctly rounded under IEEE-754), because
 * libm's log may differ in the last bit between C libraries.
 */
#include "algorithms/kernels/rng.h"

#include <math.h>

/* A fused multiply-add would change the last bit of rng_log between machines (and
 * between -march settings): forbid contraction whatever the compiler flags. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64's output function: a bijection of 64-bit words with good avalanche. */
static uint64_t splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *x)
{
	*x += 0x9E3779B97F4A7C15ULL;
	return splitmix64_mix(*x);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	/* Hash seed and stream separately before combining: adding the stream to the
	 * splitmix state would make stream k+1 a one-step shift of stream k. */
	uint64_t x = splitmix64_mix(seed) ^ splitmix64_mix(~stream ^ 0xD1B54A32D192ED03ULL);

	/* Four successive splitmix outputs are distinct, so the state is never all zero. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64_next(&x);
	r->spare = 0.0;
	r->has_spare = false;
}

uint64_t rng_next_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_uniform(struct rng *r)
{
	/* The top 53 bits are the best ones of xoshiro256**; 2^-53 spacing. */
	return (double)(rng_next_u64(r) >> 11) * 0x1.0p-53;
}

/* Natural logarithm of a positive finite x, within a few ulp, from exact operations.
 * x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m-1)/(m+1),
 * |s| < 0.1716, and the atanh series to s^21 leaves an error below 2^-53. m - 1 is
 * exact (Sterbenz), so log(1 - p) stays accurate for small p. */
static double rng_log(double x)
{
	/* ln 2 split so that e * ln2_hi is exact for |e| < 2^11 (fdlibm's constants). */
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	const double sqrt_half = 0.70710678118654752440;
	int e;
	double m = frexp(x, &e);

	if (m < sqrt_half) {
		m *= 2.0;
		e -= 1;
	}
	double s = (m - 1.0) / (m + 1.0);
	double s2 = s * s;
	double p = 1.0 / 21;
	p = p * s2 + 1.0 / 19;
	p = p * s2 + 1.0 / 17;
	p = p * s2 + 1.0 / 15;
	p = p * s2 + 1.0 / 13;
	p = p * s2 + 1.0 / 11;
	p = p * s2 + 1.0 / 9;
	p = p * s2 + 1.0 / 7;
	p = p * s2 + 1.0 / 5;
	p = p * s2 + 1.0 / 3;
	double log_m = 2.0 * s + 2.0 * s * s2 * p;
	return (double)e * ln2_hi + ((double)e * ln2_lo + log_m);
}

double rng_normal(struct rng *r)
{
	if (r->has_spare) {
		r->has_spare = false;
		return r->spare;
	}
	/* Marsaglia's polar method: a point uniform in the unit disc gives two independent
	 * normals with one log and one sqrt, and no sin/cos from libm. */
	for (;;) {
		double u = 2.0 * rng_uniform(r) - 1.0;
		double v = 2.0 * rng_uniform(r) - 1.0;
		double s = u * u + v * v;
		if (s >= 1.0 || s == 0.0)
			continue;
		double f = sqrt(-2.0 * rng_log(s) / s);
		r->spare = v * f;
		r->has_spare = true;
		return u * f;
	}
}

double rng_logistic(struct rng *r)
{
	/* Inverse CDF: t = log(u / (1 - u)) for u uniform in (0, 1). */
	double u;
	do
		u = rng_uniform(r);
	while (u == 0.0);
	return rng_log(u) - rng_log(1.0 - u);
}

int64_t rng_geometric(struct rng *r, double p)
{
	const int64_t cap = INT64_MAX / 2;

	if (p >= 1.0)
		return 0;
	/* p <= 0, NaN, or so small that 1 - p rounds to 1: success never comes. */
	if (!(p > 0.0) || 1.0 - p == 1.0)
		return cap;
	double log_q = rng_log(1.0 - p);
	/* Inverse CDF: floor(log U / log(1 - p)) with U uniform in (0, 1], so k >= 0. */
	double u = 1.0 - rng_uniform(r);
	double k = floor(rng_log(u) / log_q);
	return k < (double)cap ? (int64_t)k : cap;
}

/* High and low words of the 128-bit product a * b. */
static uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 m = (unsigned __int128)a * b;
	*lo = (uint64_t)m;
	return (uint64_t)(m >> 64);
#else
	uint64_t a_lo = a & 0xFFFFFFFFULL, a_hi = a >> 32;
	uint64_t b_lo = b & 0xFFFFFFFFULL, b_hi = b >> 32;
	uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
	uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);
	*lo = (mid << 32) | (ll & 0xFFFFFFFFULL);
	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Lemire, "Fast random integer generation in an interval" (arXiv 1805.10941),
	 * Algorithm 5: the high word of x * n is uniform on [0, n) once the low words
	 * below 2^64 mod n, the surplus that modulo reduction would bias, are rejected. */
	uint64_t lo;
	uint64_t hi = mul_64x64(rng_next_u64(r), n, &lo);

	if (lo < n) {
		uint64_t threshold = (0 - n) % n;
		while (lo < threshold)
			hi = mul_64x64(rng_next_u64(r), n, &lo);
	}
	return hi;
}

void rng_shuffle_int(struct rng *r, int64_t *a, int64_t n)
{
	for (int64_t i = n - 1; i > 0; i--) {
		int64_t j = (int64_t)rng_below(r, (uint64_t)i + 1);
		int64_t t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}
