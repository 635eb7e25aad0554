/*
 * qsgd_check: the stochastic quantizer of comm/qsgd (QSGD, Alistarh et al., NeurIPS
 * 2017, as SparCML uses it: arXiv 1802.08021, notes 4.5) drawn `draws` times on one
 * Gaussian vector of `dim` entries (buckets of 1024). Two properties a wrong quantizer
 * breaks (deterministic rounding, a wrong probability, a biased level, a lost sign):
 *
 *  unbiasedness  z_i = (mean of Q(v)_i - v_i) / (sd_i / sqrt(draws)) per coordinate;
 *                for an unbiased Q the z_i^2 average to 1 with sd sqrt(2 / m) over m
 *                coordinates. bias_z = (mean z^2 - 1) / sqrt(2 / m): within 3 sigma.
 *                (The notes' |mean - v|_inf <= 3 sigma taken per coordinate fails by
 *                chance for a correct quantizer: the largest of 1024 |N(0,1)| exceeds
 *                3 in 94% of draws, so the test is on the whole vector.)
 *  variance      E|Q(v_b) - v_b|^2 <= min(|b| / s^2, sqrt(|b|) / s) |v_b|^2: the
 *                measured mean over draws and buckets divided by the bound.
 *
 * Also records the wire bytes of the vector against f32 (4 dim / qsgd bytes).
 */
#include "algorithms/sparse_collectives/qsgd_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "algorithms/comm/qsgd.h"
#include "algorithms/kernels/rng.h"

static const struct rb_param_spec check_params[] = {
	{ "bits", RB_INT, "4", 2, 8, NULL, "2, 4 or 8 bits per value (sign + level)" },
	{ "dim", RB_INT, "4096", 1, 1 << 24, NULL, "entries of the vector (buckets of 1024)" },
	{ "draws", RB_INT, "10000", 2, 1e8, NULL, "independent quantizations" },
	{ 0 },
};

struct tally {
	double *sum, *sq;         /* per coordinate: sum of Q_i and of Q_i^2 */
	double err_over_bound;    /* sum over draws of sum_b |Q - v|_b^2 / (bound_b |v_b|^2) */
};

static void tally_draw(struct tally *t, const float *v, const float *q, int64_t dim, int bits)
{
	for (int64_t at = 0; at < dim; at += QSGD_BUCKET) {
		int64_t len = dim - at < QSGD_BUCKET ? dim - at : QSGD_BUCKET;
		double e = 0, nv = 0;
		for (int64_t i = at; i < at + len; i++) {
			t->sum[i] += q[i];
			t->sq[i] += (double)q[i] * q[i];
			e += ((double)q[i] - v[i]) * ((double)q[i] - v[i]);
			nv += (double)v[i] * v[i];
		}
		if (nv > 0)
			t->err_over_bound += e / (qsgd_variance_factor((uint64_t)len, bits) * nv);
	}
}

static double bias_z(const struct tally *t, const float *v, int64_t dim, int64_t draws)
{
	double z2 = 0;
	int64_t m = 0;
	for (int64_t i = 0; i < dim; i++) {
		double mean = t->sum[i] / (double)draws;
		double var = (t->sq[i] - draws * mean * mean) / (double)(draws - 1);
		if (var <= 0)
			continue;   /* a coordinate Q never moves (v_i = 0 or on a level) */
		double z = (mean - v[i]) / sqrt(var / (double)draws);
		z2 += z * z;
		m++;
	}
	return m ? (z2 / (double)m - 1.0) / sqrt(2.0 / (double)m) : 0.0;
}

static int check_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int bits = (int)rb_param_int(run, "bits");
	int64_t dim = rb_param_int(run, "dim"), draws = rb_param_int(run, "draws");
	float *v = malloc((size_t)dim * sizeof(*v)), *q = malloc((size_t)dim * sizeof(*q));
	unsigned char *buf = malloc(qsgd_wire_bytes((uint64_t)dim, bits));
	struct tally t = { calloc((size_t)dim, sizeof(double)), calloc((size_t)dim, sizeof(double)), 0 };
	int rc = 0;
	if (!v || !q || !buf || !t.sum || !t.sq) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for dim = %lld", (long long)dim);
	} else {
		struct rng r;
		rng_seed(&r, run->seed, 0);
		for (int64_t i = 0; i < dim; i++)
			v[i] = (float)rng_normal(&r);
		rng_seed(&r, run->seed, 1);
		for (int64_t d = 0; d < draws; d++) {
			qsgd_encode(v, (uint64_t)dim, bits, &r, buf);
			qsgd_decode(buf, (uint64_t)dim, bits, q);
			tally_draw(&t, v, q, dim, bits);
		}
		int64_t buckets = (dim + QSGD_BUCKET - 1) / QSGD_BUCKET;
		rb_summary(rec, "bias_z", bias_z(&t, v, dim, draws));
		rb_summary(rec, "variance_over_bound", t.err_over_bound / (double)(draws * buckets));
		rb_summary(rec, "shrink_vs_f32", 4.0 * (double)dim / (double)qsgd_wire_bytes((uint64_t)dim, bits));
	}
	free(v);
	free(q);
	free(buf);
	free(t.sum);
	free(t.sq);
	return rc;
}

static int check_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	long long bits = rb_paramset_get(ps, "bits")->i;
	if (!qsgd_bits_ok((int)bits)) {
		snprintf(err, errlen, "bits must be 2, 4 or 8, not %lld", bits);
		return -1;
	}
	return 0;
}

const struct rb_algorithm qsgd_check_algorithm = {
	.name = "qsgd_check",
	.family = "sparse_collectives",
	.summary = "QSGD stochastic quantization (bucket 1024): unbiasedness and the variance bound over many draws",
	.paper = "arXiv 1802.08021",
	.params = check_params,
	.run = check_run,
	.validate = check_validate,
};
