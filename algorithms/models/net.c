/*
 * net: forward and backward passes of the float ReLU network (net.h). Every product is
 * one sgemm over the batch; the element-wise steps are OpenMP loops.
 */
#include "algorithms/models/net.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct net_ws {
	int64_t batch;
	float *act[NET_MAX_LAYERS + 1];  /* act[l], l >= 1: rows x sizes[l]; act[0] unused */
	float *delta[2];                 /* rows x the widest layer */
};

int64_t net_param_count(const struct net *n)
{
	int64_t total = 0;
	for (int l = 0; l < n->layers; l++)
		total += n->sizes[l + 1] * n->sizes[l] + n->sizes[l + 1];
	return total;
}

int net_tensors(const struct net *n, struct net_tensor *t)
{
	int64_t off = 0;
	for (int l = 0; l < n->layers; l++) {
		int64_t wcount = n->sizes[l + 1] * n->sizes[l];
		t[2 * l] = (struct net_tensor){ off, wcount };
		t[2 * l + 1] = (struct net_tensor){ off + wcount, n->sizes[l + 1] };
		off += wcount + n->sizes[l + 1];
	}
	return 2 * n->layers;
}

double net_flops(const struct net *n)
{
	double f = 0.0;
	for (int l = 0; l < n->layers; l++)
		f += 2.0 * (double)n->sizes[l + 1] * (double)n->sizes[l];
	return f;
}

void net_init(const struct net *n, float *w, struct rng *r)
{
	float *p = w;
	for (int l = 0; l < n->layers; l++) {
		int64_t wcount = n->sizes[l + 1] * n->sizes[l];
		double a = sqrt(6.0 / (double)n->sizes[l]);
		for (int64_t i = 0; i < wcount; i++)
			p[i] = (float)(a * (2.0 * rng_uniform(r) - 1.0));
		memset(p + wcount, 0, (size_t)n->sizes[l + 1] * sizeof(*p));
		p += wcount + n->sizes[l + 1];
	}
}

struct net_ws *net_ws_alloc(const struct net *n, int64_t batch)
{
	struct net_ws *ws = calloc(1, sizeof(*ws));
	int64_t widest = 0;
	if (!ws)
		return NULL;
	ws->batch = batch;
	int ok = 1;
	for (int l = 0; l <= n->layers; l++) {
		widest = n->sizes[l] > widest ? n->sizes[l] : widest;
		if (l > 0)
			ok &= (ws->act[l] = malloc((size_t)(batch * n->sizes[l]) * sizeof(float))) != NULL;
	}
	for (int i = 0; i < 2; i++)
		ok &= (ws->delta[i] = malloc((size_t)(batch * widest) * sizeof(float))) != NULL;
	if (!ok) {
		net_ws_free(ws);
		return NULL;
	}
	return ws;
}

void net_ws_free(struct net_ws *ws)
{
	if (!ws)
		return;
	for (int l = 0; l <= NET_MAX_LAYERS; l++)
		free(ws->act[l]);
	free(ws->delta[0]);
	free(ws->delta[1]);
	free(ws);
}

/* ReLU, then inverted dropout (kept units scaled by 1/(1-p)) when training. */
static void relu_dropout(float *a, int64_t count, float p, struct rng *r)
{
	if (!r || p <= 0.0f) {
#pragma omp parallel for schedule(static) if (count > 65536)
		for (int64_t i = 0; i < count; i++)
			a[i] = a[i] > 0.0f ? a[i] : 0.0f;
		return;
	}
	float keep = 1.0f / (1.0f - p);
	for (int64_t i = 0; i < count; i++)
		a[i] = a[i] > 0.0f && rng_uniform(r) >= p ? a[i] * keep : 0.0f;
}

const float *net_forward(const struct net *n, const float *w, const float *x, int64_t rows,
			 struct net_ws *ws, struct rng *dropout_rng)
{
	const float *in = x, *p = w;
	for (int l = 0; l < n->layers; l++) {
		int ni = (int)n->sizes[l], no = (int)n->sizes[l + 1];
		float *out = ws->act[l + 1];
		const float *b = p + (int64_t)no * ni;
		for (int64_t i = 0; i < rows; i++)
			memcpy(out + i * no, b, (size_t)no * sizeof(float));
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, no, ni, 1.0f, in, ni, p,
			    ni, 1.0f, out, no);
		if (l + 1 < n->layers)
			relu_dropout(out, rows * no, n->dropout, dropout_rng);
		in = out;
		p = b + no;
	}
	return ws->act[n->layers];
}

/* Offsets of each layer's W in w. */
static void layer_offsets(const struct net *n, int64_t *off)
{
	int64_t o = 0;
	for (int l = 0; l < n->layers; l++) {
		off[l] = o;
		o += n->sizes[l + 1] * n->sizes[l] + n->sizes[l + 1];
	}
}

/* delta (rows x no) of a hidden layer's output -> delta of its pre-activation: the
 * stored activation is positive exactly where the unit was active and kept, and its
 * derivative there is the dropout scale. */
static void relu_back(float *delta, const float *act, int64_t count, float p)
{
	float keep = p > 0.0f ? 1.0f / (1.0f - p) : 1.0f;
#pragma omp parallel for schedule(static) if (count > 65536)
	for (int64_t i = 0; i < count; i++)
		delta[i] = act[i] > 0.0f ? delta[i] * keep : 0.0f;
}

void net_backward(const struct net *n, const float *w, const float *x, int64_t rows,
		  const float *dlogits, struct net_ws *ws, float *grad)
{
	int64_t off[NET_MAX_LAYERS];
	layer_offsets(n, off);
	/* dropout applies only where the forward pass drew masks; an evaluation forward
	 * pass followed by backward (gradient checks) has none, and then p must be 0. */
	const float *delta = dlogits;
	for (int l = n->layers - 1; l >= 0; l--) {
		int ni = (int)n->sizes[l], no = (int)n->sizes[l + 1];
		const float *a = l > 0 ? ws->act[l] : x;
		float *gw = grad + off[l], *gb = gw + (int64_t)no * ni;
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, no, ni, (int)rows, 1.0f, delta, no,
			    a, ni, 0.0f, gw, ni);
		memset(gb, 0, (size_t)no * sizeof(float));
		for (int64_t i = 0; i < rows; i++)
			for (int j = 0; j < no; j++)
				gb[j] += delta[i * no + j];
		if (l == 0)
			break;
		float *prev = ws->delta[l & 1];
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, ni, no, 1.0f, delta, no,
			    w + off[l], ni, 0.0f, prev, ni);
		relu_back(prev, ws->act[l], rows * ni, n->dropout);
		delta = prev;
	}
}

void net_logits(const struct net *n, const float *w, const float *x, int64_t rows,
		struct net_ws *ws, float *out)
{
	int64_t cls = n->sizes[n->layers], in = n->sizes[0];
	for (int64_t first = 0; first < rows; first += ws->batch) {
		int64_t count = rows - first < ws->batch ? rows - first : ws->batch;
		const float *z = net_forward(n, w, x + first * in, count, ws, NULL);
		memcpy(out + first * cls, z, (size_t)(count * cls) * sizeof(float));
	}
}

double net_accuracy(const struct net *n, const float *w, const float *x, const int32_t *y,
		    int64_t rows, struct net_ws *ws)
{
	int64_t cls = n->sizes[n->layers], in = n->sizes[0], right = 0;
	for (int64_t first = 0; first < rows; first += ws->batch) {
		int64_t count = rows - first < ws->batch ? rows - first : ws->batch;
		const float *z = net_forward(n, w, x + first * in, count, ws, NULL);
		for (int64_t i = 0; i < count; i++) {
			const float *zi = z + i * cls;
			int64_t best = 0;
			for (int64_t k = 1; k < cls; k++)
				best = zi[k] > zi[best] ? k : best;
			right += best == y[first + i];
		}
	}
	return rows > 0 ? (double)right / (double)rows : 0.0;
}

void net_sgd_nesterov(float *w, float *v, const float *g, int64_t count, double lr, double mu,
		      double wd)
{
	float flr = (float)lr, fmu = (float)mu, fwd = (float)wd;
#pragma omp parallel for schedule(static) if (count > 65536)
	for (int64_t i = 0; i < count; i++) {
		float gi = g[i] + fwd * w[i];
		v[i] = fmu * v[i] + gi;
		w[i] -= flr * (gi + fmu * v[i]);
	}
}
