/*
 * gen_regression: seeded linear regression or binary classification data whose
 * population covariance has a chosen condition number, for experiments where the
 * curvature of the objective is the variable (step sizes, convergence rates, the cost
 * of asynchrony or compression on ill-conditioned problems).
 *
 * Construction (d = dimension, kappa = condition):
 *   column scales   s_j = kappa^(-t_j / 2),  t_j = j / (d - 1),  j = 0..d-1
 *                   (s_0 = 1, s_{d-1} = 1/sqrt(kappa), geometric in between; s_0 = 1
 *                   when d = 1, where the condition has no effect)
 *   features        x_ij = s_j z_ij, z_ij ~ N(0, 1), each present with probability
 *                   `density` (CSR when density < 1, dense otherwise)
 *   covariance      E[x x^T] = density diag(s_j^2): eigenvalues density kappa^(-t_j),
 *                   spanning density [1/kappa, 1], condition number exactly kappa
 *                   (diagonal: the ill-conditioning is axis-aligned, so a per-coordinate
 *                   preconditioner such as AdaGrad removes it)
 *   planted model   w*_j ~ N(0, 1), rescaled so that the margin x.w* has population
 *                   variance exactly 1
 *   regression      y = x.w* + noise N(0, 1)  (noise^2 is the noise-to-signal ratio)
 *   classification  y = +1 if x.w* + noise N(0, 1) >= 0, else -1 (a probit model:
 *                   noise = 0 is separable; for a Gaussian margin a fraction
 *                   atan(noise) / pi of the labels disagree with sign(x.w*), 3.2% at 0.1)
 * X^T X / n tends to density diag(s_j^2), so its condition number is close to kappa
 * once the rows per split are many times d (within (1 + sqrt(d/n))^2 / (1 - sqrt(d/n))^2).
 *
 * The same parameters give the same bytes on every platform: the scales use sqrt and
 * products only (no libm pow), the draws algorithms/kernels/rng.
 */
#ifndef GEN_REGRESSION_H
#define GEN_REGRESSION_H

#include <stddef.h>

#include "datasets/dataset.h"
#include "suite/params.h"

/* Parameters with defaults, ranges and docs; terminated by an entry with name NULL. */
extern const struct rb_param_spec regress_params[];

/* Generate into `out` (overwritten; free with ds_dataset_free): kind DS_TABLE, classes
 * 0 (labels real, or +1/-1), train and test splits. `ps` holds every parameter of
 * regress_params, validated. Returns 0, or -1 with a reason in err and `out` empty. */
int regress_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
		     size_t errlen);

/* SHA-256 (hex) of "regress/v1" and every name=value in table order: the dataset's
 * identity, known before any data exists. The version is bumped whenever the same
 * parameters would generate different bytes. */
void regress_checksum(const struct rb_paramset *ps, char out[65]);

#endif
