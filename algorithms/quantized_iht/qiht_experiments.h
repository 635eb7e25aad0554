/*
 * qiht_experiments: the registered algorithms of the quantized-IHT family (arXiv
 * 1802.04907), listed in suite/registry.c.
 *   iht         (normalised) IHT on the run's sensing dataset in 32-bit floats (sgemv)
 *   qiht        the same on (Phi, y) quantized once to 2/4/8 bits, vectors in float or
 *               re-quantized (pure, mixed 4/8), optional double sampling
 *   qiht_speed  a generated uniform Phi sized by the run's caches; 32-bit IHT (sgemv)
 *               against b-bit IHT (qgemv), paired ABBA per iteration and to a target error
 */
#ifndef QIHT_EXPERIMENTS_H
#define QIHT_EXPERIMENTS_H

#include "suite/registry.h"

extern const struct rb_algorithm iht_algorithm, qiht_algorithm, qiht_speed_algorithm;

#endif
