/*
 * loss: distillation and cross-entropy losses with their gradients (loss.h). Softmax
 * in double, with the largest logit subtracted first.
 */
#include "algorithms/distillation/loss.h"

#include <math.h>
#include <stddef.h>

/* p = softmax(z / T) over k values; returns log of the normaliser (after the shift). */
static void softmax(const float *z, int64_t k, double T, double *p, double *logp)
{
	double top = z[0], total = 0.0;
	for (int64_t j = 1; j < k; j++)
		top = z[j] > top ? z[j] : top;
	for (int64_t j = 0; j < k; j++)
		total += (p[j] = exp((z[j] - top) / T));
	double lt = log(total);
	for (int64_t j = 0; j < k; j++) {
		p[j] /= total;
		logp[j] = (z[j] - top) / T - lt;
	}
}

#define DLOSS_MAX_CLASSES 1024

double dloss_eval(const struct dloss *l, const float *zs, const float *zt, const int32_t *y,
		  int64_t rows, int64_t classes, float *dz)
{
	double ps[DLOSS_MAX_CLASSES], lps[DLOSS_MAX_CLASSES];
	double pt[DLOSS_MAX_CLASSES], lpt[DLOSS_MAX_CLASSES];
	double hard = zt ? 1.0 - l->weight : 1.0, T = l->temperature;
	double soft = zt ? l->weight * T * T / (l->kl_per_element ? (double)classes : 1.0) : 0.0;
	double total = 0.0, inv = rows > 0 ? 1.0 / (double)rows : 0.0;
	for (int64_t i = 0; i < rows; i++) {
		const float *z = zs + i * classes;
		float *d = dz ? dz + i * classes : NULL;
		softmax(z, classes, 1.0, ps, lps);
		total += -hard * lps[y[i]];
		for (int64_t j = 0; d && j < classes; j++)
			d[j] = (float)(inv * hard * (ps[j] - (j == y[i])));
		if (!zt)
			continue;
		softmax(z, classes, T, ps, lps);
		softmax(zt + i * classes, classes, T, pt, lpt);
		double kl = 0.0;
		for (int64_t j = 0; j < classes; j++)
			kl += pt[j] > 0.0 ? pt[j] * (lpt[j] - lps[j]) : 0.0;
		total += soft * kl;
		/* d(T^2 KL)/dz_s = T (softmax(z_s/T) - softmax(z_t/T)) */
		for (int64_t j = 0; d && j < classes; j++)
			d[j] += (float)(inv * soft / T * (ps[j] - pt[j]));
	}
	return total * inv;
}
