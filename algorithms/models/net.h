/*
 * net: a feed-forward ReLU network in float over CBLAS sgemm, the teacher and student
 * networks of the distillation family. Layers l = 0..layers-1 map sizes[l] inputs to
 * sizes[l+1] outputs: a_{l+1} = relu(a_l W_l^T + b_l) for hidden layers (with optional
 * inverted dropout while training), plain logits for the last one. Losses live with
 * their users: net_backward takes dL/dlogits.
 *
 * Why a second network beside models/mlp: mlp is the double-precision tanh network of
 * sparsified_sgd's smooth non-convex theorem, whose numbers are a committed reference;
 * this one is float/ReLU/deep, the distillation paper's networks. Neither copies the
 * other's code.
 *
 * Parameter layout in w: for each layer, W_l (sizes[l+1] x sizes[l], row-major) then
 * b_l (sizes[l+1]). net_tensors lists these 2 * layers tensors (the unit a quantizer
 * works on).
 */
#ifndef NET_H
#define NET_H

#include <stdint.h>

#include "algorithms/kernels/rng.h"

#define NET_MAX_LAYERS 6

struct net {
	int layers;
	int64_t sizes[NET_MAX_LAYERS + 1];
	float dropout;         /* probability of dropping a hidden unit while training */
};

struct net_tensor {
	int64_t offset, count;
};

/* Per-batch activations and scratch; allocated for at most `batch` rows. */
struct net_ws;

int64_t net_param_count(const struct net *n);
/* Fills t[0 .. 2 * layers) and returns 2 * layers. */
int net_tensors(const struct net *n, struct net_tensor *t);
/* Multiply-adds of one sample's forward pass, times 2. */
double net_flops(const struct net *n);

/* He-uniform weights (limit sqrt(6 / fan_in)) drawn from r, zero biases. */
void net_init(const struct net *n, float *w, struct rng *r);

struct net_ws *net_ws_alloc(const struct net *n, int64_t batch);
void net_ws_free(struct net_ws *ws);

/* Forward pass of x (rows x sizes[0], row-major, rows <= the workspace's batch).
 * Returns the logits (rows x classes) inside ws. dropout_rng NULL: evaluation (no
 * dropout); else training, with masks drawn from it when n->dropout > 0. */
const float *net_forward(const struct net *n, const float *w, const float *x, int64_t rows,
			 struct net_ws *ws, struct rng *dropout_rng);

/* Back-propagate dlogits (rows x classes) through the last net_forward of these rows:
 * grad = d(sum over rows of L)/dw when dlogits is dL/dz per row (scale it yourself for a
 * mean). grad is overwritten. */
void net_backward(const struct net *n, const float *w, const float *x, int64_t rows,
		  const float *dlogits, struct net_ws *ws, float *grad);

/* Fraction of rows whose largest logit is their label (lowest class on ties), by
 * forward passes in chunks of the workspace's batch. */
double net_accuracy(const struct net *n, const float *w, const float *x, const int32_t *y,
		    int64_t rows, struct net_ws *ws);

/* Logits of every row into out (rows x classes). */
void net_logits(const struct net *n, const float *w, const float *x, int64_t rows,
		struct net_ws *ws, float *out);

/* SGD with Nesterov momentum and L2 weight decay (PyTorch's form): g += wd w;
 * v = mu v + g; w -= lr (g + mu v). */
void net_sgd_nesterov(float *w, float *v, const float *g, int64_t count, double lr, double mu,
		      double wd);

#endif
