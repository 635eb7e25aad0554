/*
 * loss: the distillation loss of Hinton et al. as the authors' code computes it
 * (cnn_models/help_fun.py): L = w T^2 KL(softmax(z_t/T) || softmax(z_s/T)) + (1-w) CE(z_s, y),
 * averaged over the batch; with no teacher, plain cross-entropy.
 */
#ifndef DISTILL_LOSS_H
#define DISTILL_LOSS_H

#include <stdint.h>

struct dloss {
	double weight;        /* w: share of the soft (teacher) term */
	double temperature;   /* T */
	int kl_per_element;   /* 1: KL averaged over batch x classes, as PyTorch 0.3's
			       * size-averaged KLDivLoss in the authors' code; 0: per example */
};

/* Mean loss of the batch; when dz is not NULL it receives d(mean loss)/dz_s (rows x
 * classes). zt NULL: cross-entropy only. */
double dloss_eval(const struct dloss *l, const float *zs, const float *zt, const int32_t *y,
		  int64_t rows, int64_t classes, float *dz);

#endif
