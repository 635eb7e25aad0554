/*
 * rng: the suite's one pseudo-random generator, xoshiro256** (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", arXiv 1805.01407) seeded through
 * splitmix64. Every draw is integer arithmetic or IEEE-754 +, *, /, sqrt (the
 * logarithm is computed here, not taken from libm), so a seed gives the same numbers
 * on every platform: generated datasets and shuffles are bit-reproducible.
 */
#ifndef RNG_H
#define RNG_H

#include <stdbool.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];       /* xoshiro256** state; never all zero */
	double spare;        /* second normal of the last polar pair */
	bool has_spare;
};

/* Seed from (seed, stream): distinct pairs start at unrelated points of the 2^256
 * period, so each worker or thread can take its own stream of one run seed. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

uint64_t rng_next_u64(struct rng *r);
/* Uniform in [0, 1), 53 random bits. */
double rng_uniform(struct rng *r);
/* Standard normal N(0, 1). */
double rng_normal(struct rng *r);
/* Standard logistic: P(X <= t) = 1 / (1 + exp(-t)). */
double rng_logistic(struct rng *r);
/* Failures before the first success of Bernoulli(p) trials, p in (0, 1]; saturates at
 * INT64_MAX / 2 (for p <= 0, or p below about 1e-16). */
int64_t rng_geometric(struct rng *r, double p);
/* Uniform in [0, n), exactly unbiased; n >= 1. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform random permutation of a[0..n) in place (Fisher-Yates). */
void rng_shuffle_int(struct rng *r, int64_t *a, int64_t n);

/*
 * The fast path of hot loops (the engineered MultiQueue and MultiCounter choose a queue
 * per operation): splitmix64 over one word of state, inline, a fraction of the cost of an
 * out-of-line xoshiro draw. Not the suite's reproducible stream: seed *state from it.
 */
static inline uint64_t rng_fast_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift of the low 32 bits of `bits`: bias below n / 2^32,
 * 0 < n <= 2^31. */
static inline int rng_fast_below(uint64_t bits, int n)
{
	return (int)(((bits & 0xffffffffu) * (uint64_t)n) >> 32);
}

#endif
