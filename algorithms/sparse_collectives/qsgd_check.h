/*
 * qsgd_check: QSGD's two stochastic properties measured on one vector (notes 4.5).
 */
#ifndef QSGD_CHECK_H
#define QSGD_CHECK_H

#include "suite/registry.h"

extern const struct rb_algorithm qsgd_check_algorithm;

#endif
