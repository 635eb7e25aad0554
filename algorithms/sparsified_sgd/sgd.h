/*
 * sgd: the dense baselines of the sparsified-SGD family (arXiv 1809.10505).
 *   sgd      mini-batch SGD on an L2-regularised linear model (TopK SGD with K = n)
 *   gd_full  the optimum: full-batch Newton-CG until |grad f| <= grad_tol |grad f(0)|,
 *            verified (gradient recomputed, objective against LIBLINEAR's optimum)
 * Both train on the train split of the run's dataset and are listed in
 * suite/registry.c.
 */
#ifndef SPARSIFIED_SGD_SGD_H
#define SPARSIFIED_SGD_SGD_H

#include "suite/registry.h"

extern const struct rb_algorithm sgd_algorithm, gd_full_algorithm;

#endif
