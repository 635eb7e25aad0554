/* Unit tests for algorithms/quantized_iht: normalised and fixed-step IHT recover a
 * planted sparse vector exactly in the noiseless 32-bit case; 8-bit IHT gets close; the
 * iterate is s-sparse after every step (pure and mixed vectors too); double sampling
 * runs; a bad sparsity is refused; the metrics are right on hand-made vectors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/quantized_iht/qiht.h"

TestSuite(quantized_iht);

struct problem {
	int64_t m, n, s;
	float *a, *y;
	double *truth;
};

/* Gaussian A (N(0, 1/m)), s-sparse x with +-1 entries, y = A x. */
static struct problem planted(int64_t m, int64_t n, int64_t s, uint64_t seed)
{
	struct problem p = { m, n, s, malloc((size_t)(m * n) * sizeof(float)),
			     calloc((size_t)m, sizeof(float)), calloc((size_t)n, sizeof(double)) };
	cr_assert(p.a && p.y && p.truth);
	struct rng r;
	rng_seed(&r, seed, 0);
	for (int64_t i = 0; i < m * n; i++)
		p.a[i] = (float)(rng_normal(&r) / sqrt((double)m));
	for (int64_t k = 0; k < s;) {
		int64_t j = (int64_t)rng_below(&r, (uint64_t)n);
		if (p.truth[j] == 0)
			p.truth[j] = rng_uniform(&r) < 0.5 ? -1.0 : 1.0, k++;
	}
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++)
			p.y[i] += p.a[i * n + j] * (float)p.truth[j];
	return p;
}

static void problem_free(struct problem *p)
{
	free(p->a), free(p->y), free(p->truth);
}

static int64_t nonzeros(const float *x, int64_t n)
{
	int64_t c = 0;
	for (int64_t i = 0; i < n; i++)
		c += x[i] != 0;
	return c;
}

/* Run `iters` steps; returns the final relative error. */
static double solve(const struct qiht_op *op, const struct problem *p, struct qiht_config *c,
		    int iters)
{
	struct qiht_state st;
	cr_assert_eq(qiht_state_init(&st, p->m, p->n, 3), 0);
	for (int it = 0; it < iters; it++) {
		cr_assert_eq(qiht_step(op, p->y, c, &st), 0);
		cr_assert_leq(nonzeros(st.x, p->n), c->s, "iterate denser than s");
	}
	double e = qiht_rel_error(st.x, p->truth, p->n);
	double rec = qiht_support_recall(st.x, p->truth, p->n);
	if (e < 1e-4)
		cr_assert_eq(rec, 1.0);
	qiht_state_free(&st);
	return e;
}

Test(quantized_iht, niht_recovers_planted_vector_32bit)
{
	struct problem p = planted(256, 512, 10, 1);
	struct qiht_op op = { .m = p.m, .n = p.n, .a = p.a, .threads = 1 };
	struct qiht_config c = { .s = p.s, .normalized = 1 };
	double e = solve(&op, &p, &c, 60);
	cr_assert_lt(e, 1e-4, "normalised IHT error %g", e);
	problem_free(&p);
}

Test(quantized_iht, fixed_step_iht_recovers_planted_vector_32bit)
{
	struct problem p = planted(256, 512, 8, 2);
	struct qiht_op op = { .m = p.m, .n = p.n, .a = p.a, .threads = 1 };
	/* |A|^2 ~ (1 + sqrt(n/m))^2 = 5.8 for N(0, 1/m) entries: mu = 0.15 < 1/|A|^2. */
	struct qiht_config c = { .s = p.s, .normalized = 0, .mu = 0.15 };
	double e = solve(&op, &p, &c, 300);
	cr_assert_lt(e, 1e-3, "fixed-step IHT error %g", e);
	problem_free(&p);
}

Test(quantized_iht, eight_bit_iht_gets_close_and_variants_stay_sparse)
{
	struct problem p = planted(256, 512, 10, 4);
	struct qmat q, q2;
	cr_assert_eq(qmat_quantize(&q, p.a, p.m, p.n, 8, QUANT_STOCHASTIC, 1, 2), 0);
	cr_assert_eq(qmat_quantize(&q2, p.a, p.m, p.n, 8, QUANT_STOCHASTIC, 2, 2), 0);
	struct qiht_op op = { .m = p.m, .n = p.n, .q = &q, .threads = 2 };
	struct qiht_config c = { .s = p.s, .normalized = 1, .rounding = QUANT_STOCHASTIC };
	double e = solve(&op, &p, &c, 60);
	/* 8-bit blocks of N(0, 1/m) values: relative noise of Phi about 1%. */
	cr_assert_lt(e, 0.05, "8-bit error %g", e);
	c.vec_bits = 8;
	cr_assert_lt(solve(&op, &p, &c, 60), 0.1, "pure 8-bit");
	op.q_t = &q2;
	c.vec_bits = 0;
	cr_assert_lt(solve(&op, &p, &c, 60), 0.1, "double sampling");
	qmat_free(&q), qmat_free(&q2);
	problem_free(&p);
}

Test(quantized_iht, bad_sparsity_is_refused)
{
	struct problem p = planted(64, 128, 4, 5);
	struct qiht_op op = { .m = p.m, .n = p.n, .a = p.a, .threads = 1 };
	struct qiht_state st;
	cr_assert_eq(qiht_state_init(&st, p.m, p.n, 1), 0);
	struct qiht_config c = { .s = 0, .normalized = 1 };
	cr_assert_eq(qiht_step(&op, p.y, &c, &st), -1);
	c.s = 129;
	cr_assert_eq(qiht_step(&op, p.y, &c, &st), -1);
	qiht_state_free(&st);
	problem_free(&p);
}

Test(quantized_iht, metrics)
{
	float x[4] = { 1, 0, 0.5f, 0 };
	double t[4] = { 1, 0, 0, 2 };
	cr_assert_float_eq(qiht_rel_error(x, t, 4), sqrt((0.25 + 4) / 5), 1e-12);
	cr_assert_float_eq(qiht_support_recall(x, t, 4), 0.5, 1e-12);
}
