/*
 * dq: differentiable quantization points (dq.h).
 */
#include "algorithms/distillation/dq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/distillation/compress.h"

void dq_free(struct dq *q)
{
	free(q->scaled);
	free(q->alpha);
	free(q->beta);
	free(q->assign);
	free(q->p);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

/* Min/max scaling of each bucket of one tensor. */
static void scale_tensor(struct dq *q, const float *w, const struct net_tensor *t)
{
	int64_t k = q->bucket > 0 ? q->bucket : t->count;
	for (int64_t first = 0; first < t->count; first += k) {
		int64_t m = t->count - first < k ? t->count - first : k, o = t->offset + first;
		float lo = w[o], hi = w[o];
		for (int64_t i = 1; i < m; i++) {
			lo = w[o + i] < lo ? w[o + i] : lo;
			hi = w[o + i] > hi ? w[o + i] : hi;
		}
		float a = hi - lo < 1e-10f ? 1.0f : hi - lo;
		for (int64_t i = 0; i < m; i++) {
			q->alpha[o + i] = a;
			q->beta[o + i] = lo;
			q->scaled[o + i] = (w[o + i] - lo) / a;
		}
	}
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Points at the percentiles linspace(0, 100, points) of the tensor's scaled values
 * (linear interpolation, as numpy.percentile), or a uniform grid. */
static int init_points(struct dq *q, int ti, enum dq_init init)
{
	double *p = q->p + (int64_t)ti * q->points;
	const struct net_tensor *t = &q->t[ti];
	if (init == DQ_UNIFORM) {
		for (int j = 0; j < q->points; j++)
			p[j] = (double)j / (q->points - 1);
		return 0;
	}
	float *s = malloc((size_t)t->count * sizeof(float));
	if (!s)
		return -1;
	memcpy(s, q->scaled + t->offset, (size_t)t->count * sizeof(float));
	qsort(s, (size_t)t->count, sizeof(float), cmp_float);
	for (int j = 0; j < q->points; j++) {
		double pos = (double)j / (q->points - 1) * (double)(t->count - 1);
		int64_t a = (int64_t)floor(pos), b = a + 1 < t->count ? a + 1 : a;
		p[j] = s[a] + (pos - (double)a) * (s[b] - s[a]);
	}
	free(s);
	return 0;
}

int dq_setup(struct dq *q, const struct net *n, const float *w, int bits, int64_t bucket,
	     enum dq_init init)
{
	memset(q, 0, sizeof(*q));
	q->ntensors = net_tensors(n, q->t);
	q->points = 1 << bits;
	q->bucket = bucket;
	q->count = net_param_count(n);
	size_t c = (size_t)q->count, np = (size_t)q->ntensors * (size_t)q->points;
	q->scaled = malloc(c * sizeof(float));
	q->alpha = malloc(c * sizeof(float));
	q->beta = malloc(c * sizeof(float));
	q->assign = malloc(c * sizeof(int32_t));
	q->p = malloc(np * sizeof(double));
	q->v = calloc(np, sizeof(double));
	if (!q->scaled || !q->alpha || !q->beta || !q->assign || !q->p || !q->v)
		return -1;
	for (int i = 0; i < q->ntensors; i++) {
		scale_tensor(q, w, &q->t[i]);
		if (init_points(q, i, init) != 0)
			return -1;
	}
	return 0;
}

/* Index of the point nearest s among sorted p[0..n): binary search on the midpoints. */
static int32_t nearest(const double *p, int n, double s)
{
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (s > 0.5 * (p[mid] + p[mid + 1]))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void dq_weights(struct dq *q, float *qw)
{
	for (int ti = 0; ti < q->ntensors; ti++) {
		const double *p = q->p + (int64_t)ti * q->points;
		int64_t o = q->t[ti].offset, end = o + q->t[ti].count;
		for (int64_t i = o; i < end; i++) {
			int32_t j = nearest(p, q->points, q->scaled[i]);
			q->assign[i] = j;
			qw[i] = (float)(q->alpha[i] * p[j] + q->beta[i]);
		}
	}
}

void dq_point_grad(const struct dq *q, const float *gq, double *gp)
{
	memset(gp, 0, (size_t)q->ntensors * (size_t)q->points * sizeof(double));
	for (int ti = 0; ti < q->ntensors; ti++) {
		double *g = gp + (int64_t)ti * q->points;
		int64_t o = q->t[ti].offset, end = o + q->t[ti].count;
		for (int64_t i = o; i < end; i++)
			g[q->assign[i]] += (double)q->alpha[i] * gq[i];
	}
}

void dq_step(struct dq *q, const double *gp, double lr, double momentum)
{
	int64_t np = (int64_t)q->ntensors * q->points;
	for (int64_t i = 0; i < np; i++) {
		q->v[i] = momentum * q->v[i] + gp[i];
		q->p[i] -= lr * (gp[i] + momentum * q->v[i]);
		q->p[i] = q->p[i] < 0.0 ? 0.0 : q->p[i] > 1.0 ? 1.0 : q->p[i];
	}
	/* insertion sort of each tensor's (point, momentum) pairs: few points, nearly sorted */
	for (int ti = 0; ti < q->ntensors; ti++) {
		double *p = q->p + (int64_t)ti * q->points, *v = q->v + (int64_t)ti * q->points;
		for (int j = 1; j < q->points; j++)
			for (int k = j; k > 0 && p[k] < p[k - 1]; k--) {
				double tp = p[k], tv = v[k];
				p[k] = p[k - 1], v[k] = v[k - 1];
				p[k - 1] = tp, v[k - 1] = tv;
			}
	}
}

double dq_bits(const struct dq *q, int bits, double *huffman)
{
	double plain = 0.0, huff = 0.0;
	int64_t counts[256];
	for (int ti = 0; ti < q->ntensors; ti++) {
		const struct net_tensor *t = &q->t[ti];
		int64_t k = q->bucket > 0 ? q->bucket : t->count, nb = (t->count + k - 1) / k;
		double fixed = 64.0 * (double)nb + 32.0 * q->points;
		memset(counts, 0, sizeof(counts));
		for (int64_t i = t->offset; i < t->offset + t->count; i++)
			counts[q->assign[i]]++;
		plain += (double)bits * (double)t->count + fixed;
		huff += compress_huffman_bits(counts, q->points) + fixed;
	}
	*huffman = huff;
	return plain;
}
