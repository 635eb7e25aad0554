/*
 * train: the mini-batch training loop every method shares: shuffled batches, the
 * distillation loss (or cross-entropy without a teacher), SGD with Nesterov momentum and
 * weight decay, the learning rate halved after `patience` epochs whose training loss did
 * not improve. An optional hook replaces the weights of the forward and backward passes
 * (quantized training: the pass runs at Q(w) and the gradient goes to the shadow w).
 */
#ifndef DISTILL_TRAIN_H
#define DISTILL_TRAIN_H

#include <stdint.h>

#include "algorithms/distillation/loss.h"
#include "algorithms/kernels/rng.h"
#include "algorithms/models/net.h"

struct dt_data {
	const float *x;       /* rows x inputs */
	const int32_t *y;     /* rows labels */
	const float *soft;    /* rows x classes teacher logits, or NULL (labels only) */
	int64_t rows;
};

struct dt_opts {
	int epochs;
	int64_t batch;
	double lr, momentum, weight_decay;
	int patience;         /* epochs without gain before the rate halves; 0: never */
	struct dloss loss;
};

/* Writes into qw the weights the pass must use for shadow weights w. 0, or -1. */
typedef int (*dt_weights_fn)(void *ctx, const float *w, float *qw);

/* Called after each epoch with its mean training loss. */
typedef void (*dt_epoch_fn)(void *ctx, int epoch, double loss, double lr);

struct dt_hooks {
	dt_weights_fn weights;  /* NULL: the pass uses w itself */
	void *weights_ctx;
	dt_epoch_fn epoch;      /* may be NULL */
	void *epoch_ctx;
};

/* Train w in place. 0; -1 when out of memory; -2 when the loss is not finite. */
int dt_train(const struct net *n, float *w, const struct dt_data *d, const struct dt_opts *o,
	     const struct dt_hooks *h, struct rng *r);

/* Mean loss over all rows at weights w (no dropout). NAN when out of memory. */
double dt_loss(const struct net *n, const float *w, const struct dt_data *d,
	       const struct dloss *l);

#endif
