/*
 * competitive: the competitive-ratio simulator of the transactional-conflict family
 * (arXiv 1804.00947). Per conflict, each delay policy's cost against the offline
 * optimum's, over
 *   conflict_worst_case   an adversarial grid of remaining times T (the worst case;
 *                         randomized policies in expectation, by quadrature)
 *   conflict_stochastic   T drawn from exponential, uniform, bimodal or heavy-tailed laws
 * Both are listed in suite/registry.c.
 */
#ifndef HTM_CONFLICT_COMPETITIVE_H
#define HTM_CONFLICT_COMPETITIVE_H

#include "suite/registry.h"

extern const struct rb_algorithm conflict_worst_case_algorithm, conflict_stochastic_algorithm;

#endif
