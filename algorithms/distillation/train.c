/*
 * train: the shared training loop (train.h).
 */
#include "algorithms/distillation/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dt_buf {
	float *xb, *sb, *dz, *grad, *mom, *qw;
	int32_t *yb;
	int64_t *order;
	struct net_ws *ws;
};

static void buf_free(struct dt_buf *b)
{
	free(b->xb);
	free(b->sb);
	free(b->dz);
	free(b->grad);
	free(b->mom);
	free(b->qw);
	free(b->yb);
	free(b->order);
	net_ws_free(b->ws);
}

static int buf_alloc(const struct net *n, const struct dt_data *d, int64_t batch, int quantized,
		     struct dt_buf *b)
{
	int64_t in = n->sizes[0], cls = n->sizes[n->layers], np = net_param_count(n);
	b->xb = malloc((size_t)(batch * in) * sizeof(float));
	b->sb = malloc((size_t)(batch * cls) * sizeof(float));
	b->dz = malloc((size_t)(batch * cls) * sizeof(float));
	b->grad = malloc((size_t)np * sizeof(float));
	b->mom = calloc((size_t)np, sizeof(float));
	b->qw = quantized ? malloc((size_t)np * sizeof(float)) : NULL;
	b->yb = malloc((size_t)batch * sizeof(int32_t));
	b->order = malloc((size_t)(d->rows > 0 ? d->rows : 1) * sizeof(int64_t));
	b->ws = net_ws_alloc(n, batch);
	return b->xb && b->sb && b->dz && b->grad && b->mom && (b->qw || !quantized) && b->yb
		&& b->order && b->ws ? 0 : -1;
}

static void gather(const struct net *n, const struct dt_data *d, const int64_t *rows,
		   int64_t count, struct dt_buf *b)
{
	int64_t in = n->sizes[0], cls = n->sizes[n->layers];
	for (int64_t i = 0; i < count; i++) {
		int64_t r = rows[i];
		memcpy(b->xb + i * in, d->x + r * in, (size_t)in * sizeof(float));
		if (d->soft)
			memcpy(b->sb + i * cls, d->soft + r * cls, (size_t)cls * sizeof(float));
		b->yb[i] = d->y[r];
	}
}

/* One epoch; returns its mean batch loss (NAN on a hook failure). */
static double epoch(const struct net *n, float *w, const struct dt_data *d, const struct dt_opts *o,
		    const struct dt_hooks *h, struct rng *r, struct dt_buf *b, double lr)
{
	int64_t cls = n->sizes[n->layers], np = net_param_count(n), batches = 0;
	double total = 0.0;
	rng_shuffle_int(r, b->order, d->rows);
	for (int64_t first = 0; first < d->rows; first += o->batch, batches++) {
		int64_t count = d->rows - first < o->batch ? d->rows - first : o->batch;
		gather(n, d, b->order + first, count, b);
		const float *pw = w;
		if (h && h->weights) {
			if (h->weights(h->weights_ctx, w, b->qw) != 0)
				return NAN;
			pw = b->qw;
		}
		const float *z = net_forward(n, pw, b->xb, count, b->ws, r);
		total += dloss_eval(&o->loss, z, d->soft ? b->sb : NULL, b->yb, count, cls, b->dz);
		net_backward(n, pw, b->xb, count, b->dz, b->ws, b->grad);
		net_sgd_nesterov(w, b->mom, b->grad, np, lr, o->momentum, o->weight_decay);
	}
	return batches > 0 ? total / (double)batches : 0.0;
}

int dt_train(const struct net *n, float *w, const struct dt_data *d, const struct dt_opts *o,
	     const struct dt_hooks *h, struct rng *r)
{
	struct dt_buf b = { 0 };
	if (buf_alloc(n, d, o->batch, h && h->weights, &b) != 0) {
		buf_free(&b);
		return -1;
	}
	for (int64_t i = 0; i < d->rows; i++)
		b.order[i] = i;
	double lr = o->lr, best = INFINITY;
	int stale = 0, rc = 0;
	for (int e = 1; e <= o->epochs; e++) {
		double loss = epoch(n, w, d, o, h, r, &b, lr);
		if (!isfinite(loss)) {
			rc = -2;
			break;
		}
		if (h && h->epoch)
			h->epoch(h->epoch_ctx, e, loss, lr);
		if (loss < best) {
			best = loss;
			stale = 0;
		} else if (o->patience > 0 && ++stale >= o->patience) {
			lr /= 2.0;
			stale = 0;
		}
	}
	buf_free(&b);
	return rc;
}

double dt_loss(const struct net *n, const float *w, const struct dt_data *d,
	       const struct dloss *l)
{
	int64_t in = n->sizes[0], cls = n->sizes[n->layers], chunk = 256;
	struct net_ws *ws = net_ws_alloc(n, chunk);
	double total = 0.0;
	if (!ws)
		return NAN;
	for (int64_t first = 0; first < d->rows; first += chunk) {
		int64_t count = d->rows - first < chunk ? d->rows - first : chunk;
		const float *z = net_forward(n, w, d->x + first * in, count, ws, NULL);
		total += (double)count * dloss_eval(l, z, d->soft ? d->soft + first * cls : NULL,
						    d->y + first, count, cls, NULL);
	}
	net_ws_free(ws);
	return d->rows > 0 ? total / (double)d->rows : 0.0;
}
