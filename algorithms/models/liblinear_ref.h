/*
 * liblinear_ref: the trusted optimum of an L2-regularised linear model (linear.h), from
 * LIBLINEAR (R.-E. Fan, K.-W. Chang, C.-J. Hsieh, X.-R. Wang, C.-J. Lin, JMLR 9, 2008;
 * Debian liblinear-dev, its C API), as an independent check of our own solvers.
 *
 * Our objective, mean loss + (l2/2) |w|^2 without a bias term, is LIBLINEAR's primal
 * scaled by a constant:
 *   logistic  L2R_LR:             |w|^2/2 + C sum log(1 + e^{-y x.w}),  C = 1 / (l2 n)
 *   squared   L2R_L2LOSS_SVR, p=0: |w|^2/2 + C sum (x.w - y)^2,         C = 1 / (2 l2 n)
 * so both have the same minimiser. Both are solved by LIBLINEAR's trust-region Newton
 * method (TRON), which stops when |grad| <= eps' |grad(0)| (for L2R_LR eps' = eps
 * min(#pos, #neg) / n, for the SVR eps' = eps).
 */
#ifndef LIBLINEAR_REF_H
#define LIBLINEAR_REF_H

#include <stddef.h>

#include "algorithms/models/linear.h"

/* Minimise p's objective with LIBLINEAR at tolerance eps (its `-e`; 1e-8 and below gives
 * an objective accurate to far better than 1e-9 relative on a9a and w8a). w receives
 * p->x->cols weights. Needs l2 > 0, at most INT_MAX rows, columns and nonzeros; the
 * dense or CSR matrix is copied into LIBLINEAR's sparse rows (zeros left out). Returns 0,
 * or -1 with one line in err (and w untouched). LIBLINEAR's progress output is silenced. */
int llr_optimum(const struct lm_problem *p, double eps, double *w, char *err, size_t errlen);

#endif
