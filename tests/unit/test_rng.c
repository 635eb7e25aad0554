/* Unit tests for algorithms/kernels/rng: reference sequences, distributions, bounds. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

TestSuite(rng);

static double rel_diff(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* xoshiro256** from state {1, 2, 3, 4}: the reference implementation's first outputs. */
Test(rng, xoshiro_reference_sequence)
{
	struct rng r = { .s = { 1, 2, 3, 4 } };
	const uint64_t expected[] = { 11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL };

	for (int i = 0; i < 4; i++)
		cr_assert_eq(rng_next_u64(&r), expected[i], "output %d", i);
}

/* Frozen: the seeding scheme (splitmix64 of seed and stream) as an independent Python
 * model computes it. A change here changes every generated dataset and every run. */
Test(rng, seeding_is_frozen)
{
	const uint64_t stream0[] = { 0xf127eeb5e0e0d64aULL, 0xc9575bc69b44c9c2ULL,
				     0x4bd85cefd4bc12abULL };
	const uint64_t stream1[] = { 0x26cbbea8deee801fULL, 0x2d337f703182e046ULL,
				     0xc1d6677ab7f9bcc8ULL };
	struct rng a, b;

	rng_seed(&a, 42, 0);
	rng_seed(&b, 42, 1);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(rng_next_u64(&a), stream0[i], "seed 42 stream 0 output %d", i);
		cr_assert_eq(rng_next_u64(&b), stream1[i], "seed 42 stream 1 output %d", i);
	}
}

/* The polar method and the home-made logarithm against the same draws with libm's log
 * (Python): equal up to rounding, so rng_log is accurate and the method is right. */
Test(rng, normal_and_logistic_match_reference)
{
	const double normals[] = { 0.5636841673433192, 1.568660149445035, 0.916784354585367,
				   -0.03439869032991265, 0.6455725903450374, -1.8456691887776744 };
	const double logistics[] = { -1.7166787074497953, -0.9924289396716584,
				     0.4444401292395279, 3.8594920594488302 };
	struct rng r;

	rng_seed(&r, 42, 7);
	for (int i = 0; i < 6; i++) {
		double x = rng_normal(&r);
		cr_assert(rel_diff(x, normals[i]) < 1e-14, "normal %d: %.17g vs %.17g", i, x,
			  normals[i]);
	}
	rng_seed(&r, 42, 8);
	for (int i = 0; i < 4; i++) {
		double x = rng_logistic(&r);
		cr_assert(rel_diff(x, logistics[i]) < 1e-14, "logistic %d: %.17g vs %.17g", i, x,
			  logistics[i]);
	}
}

Test(rng, same_seed_same_sequence_other_seed_or_stream_differs)
{
	struct rng a, b, c, d;

	rng_seed(&a, 7, 3);
	rng_seed(&b, 7, 3);
	rng_seed(&c, 8, 3);
	rng_seed(&d, 7, 4);
	int same_c = 0, same_d = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next_u64(&a);
		cr_assert_eq(x, rng_next_u64(&b));
		same_c += x == rng_next_u64(&c);
		same_d += x == rng_next_u64(&d);
	}
	cr_assert_eq(same_c, 0);
	cr_assert_eq(same_d, 0);
}

/* Adjacent streams must not be shifted copies of each other (a naive seed + stream
 * scheme makes stream k+1 start where stream k's second word is). */
Test(rng, streams_are_not_shifted_copies)
{
	uint64_t s0[64], s1[64];
	struct rng a, b;

	rng_seed(&a, 1, 0);
	rng_seed(&b, 1, 1);
	for (int i = 0; i < 64; i++) {
		s0[i] = rng_next_u64(&a);
		s1[i] = rng_next_u64(&b);
	}
	for (int shift = 0; shift < 32; shift++) {
		cr_assert_neq(memcmp(s0 + shift, s1, 32 * sizeof(uint64_t)), 0, "shift %d", shift);
		cr_assert_neq(memcmp(s1 + shift, s0, 32 * sizeof(uint64_t)), 0, "shift %d", shift);
	}
}

Test(rng, uniform_range_and_moments)
{
	const int n = 1000000;
	struct rng r;
	double sum = 0, sumsq = 0;

	rng_seed(&r, 11, 0);
	for (int i = 0; i < n; i++) {
		double u = rng_uniform(&r);
		cr_assert(u >= 0.0 && u < 1.0, "draw %d = %.17g", i, u);
		sum += u;
		sumsq += u * u;
	}
	double mean = sum / n, var = sumsq / n - mean * mean;
	/* Standard error of the mean is 0.29 / 1000; 0.002 is about seven of them. */
	cr_assert(fabs(mean - 0.5) < 0.002, "mean %g", mean);
	cr_assert(fabs(var - 1.0 / 12) < 0.002, "variance %g", var);
}

Test(rng, normal_moments_and_mass)
{
	const int n = 1000000;
	struct rng r;
	double sum = 0, sumsq = 0, sum4 = 0;
	int inside = 0;

	rng_seed(&r, 12, 0);
	for (int i = 0; i < n; i++) {
		double x = rng_normal(&r);
		sum += x;
		sumsq += x * x;
		sum4 += x * x * x * x;
		inside += fabs(x) < 1.0;
	}
	cr_assert(fabs(sum / n) < 0.006, "mean %g", sum / n);
	cr_assert(fabs(sumsq / n - 1.0) < 0.01, "variance %g", sumsq / n);
	cr_assert(fabs(sum4 / n - 3.0) < 0.05, "fourth moment %g", sum4 / n);
	cr_assert(fabs((double)inside / n - 0.682689) < 0.003, "P(|x| < 1) = %g",
		  (double)inside / n);
}

Test(rng, logistic_cdf)
{
	const int n = 400000;
	const double t[] = { -3.0, -1.0, 0.0, 0.5, 2.0 };
	int below[5] = { 0 };
	struct rng r;

	rng_seed(&r, 13, 0);
	for (int i = 0; i < n; i++) {
		double x = rng_logistic(&r);
		for (int k = 0; k < 5; k++)
			below[k] += x <= t[k];
	}
	for (int k = 0; k < 5; k++) {
		double cdf = 1.0 / (1.0 + exp(-t[k]));
		double got = (double)below[k] / n;
		cr_assert(fabs(got - cdf) < 0.004, "P(X <= %g) = %g, expected %g", t[k], got, cdf);
	}
}

Test(rng, geometric_mean_and_zero_mass)
{
	const int n = 400000;
	const double p = 0.11;
	struct rng r;
	double sum = 0;
	int zeros = 0;

	rng_seed(&r, 14, 0);
	for (int i = 0; i < n; i++) {
		int64_t k = rng_geometric(&r, p);
		cr_assert(k >= 0);
		sum += (double)k;
		zeros += k == 0;
	}
	cr_assert(fabs(sum / n - (1 - p) / p) < 0.07, "mean %g, expected %g", sum / n,
		  (1 - p) / p);
	cr_assert(fabs((double)zeros / n - p) < 0.003, "P(0) = %g", (double)zeros / n);
	cr_assert_eq(rng_geometric(&r, 1.0), 0);
	cr_assert_eq(rng_geometric(&r, 0.0), INT64_MAX / 2);
	cr_assert_eq(rng_geometric(&r, 1e-300), INT64_MAX / 2);
}

Test(rng, below_in_range_and_uniform)
{
	const int n = 700000, k = 7;
	int count[7] = { 0 };
	struct rng r;

	rng_seed(&r, 15, 0);
	for (int i = 0; i < n; i++) {
		uint64_t x = rng_below(&r, k);
		cr_assert_lt(x, (uint64_t)k);
		count[x]++;
	}
	/* Binomial sd is sqrt(n (1/7)(6/7)) = 293; allow 5 sd. */
	for (int i = 0; i < k; i++)
		cr_assert(abs(count[i] - n / k) < 1500, "value %d drawn %d times", i, count[i]);
	cr_assert_eq(rng_below(&r, 1), 0);
}

/* n = 2/3 2^64: reducing a 64-bit word modulo n would draw values below n/2 with
 * probability 2/3, not 1/2. An unbiased rng_below gives 1/2. */
Test(rng, below_is_unbiased_for_huge_bounds)
{
	const uint64_t n = 0xAAAAAAAAAAAAAAABULL;
	const int draws = 200000;
	struct rng r;
	int low = 0;

	rng_seed(&r, 16, 0);
	for (int i = 0; i < draws; i++) {
		uint64_t x = rng_below(&r, n);
		cr_assert_lt(x, n);
		low += x < n / 2;
	}
	cr_assert(fabs((double)low / draws - 0.5) < 0.01, "fraction below n/2: %g",
		  (double)low / draws);
}

Test(rng, shuffle_is_a_uniform_permutation)
{
	enum { N = 5, ROUNDS = 100000 };
	int position[N][N] = { { 0 } };
	struct rng r;

	rng_seed(&r, 17, 0);
	for (int round = 0; round < ROUNDS; round++) {
		int64_t a[N] = { 0, 1, 2, 3, 4 };
		int seen[N] = { 0 };
		rng_shuffle_int(&r, a, N);
		for (int i = 0; i < N; i++) {
			cr_assert(a[i] >= 0 && a[i] < N);
			seen[a[i]]++;
			position[a[i]][i]++;
		}
		for (int i = 0; i < N; i++)
			cr_assert_eq(seen[i], 1, "element %d appears %d times", i, seen[i]);
	}
	/* Each element lands in each slot with probability 1/5: sd 126 over 1e5 rounds. */
	for (int e = 0; e < N; e++)
		for (int i = 0; i < N; i++)
			cr_assert(abs(position[e][i] - ROUNDS / N) < 700,
				  "element %d at %d: %d times", e, i, position[e][i]);
}

Test(rng, shuffle_is_deterministic)
{
	int64_t a[100], b[100];
	struct rng ra, rb;

	for (int i = 0; i < 100; i++)
		a[i] = b[i] = i;
	rng_seed(&ra, 18, 2);
	rng_seed(&rb, 18, 2);
	rng_shuffle_int(&ra, a, 100);
	rng_shuffle_int(&rb, b, 100);
	cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
	int moved = 0;
	for (int i = 0; i < 100; i++)
		moved += a[i] != i;
	cr_assert_gt(moved, 80);
}
