/* byzantine_sgd: the registered algorithm (byzantine_sgd.c). */
#ifndef BYZANTINE_SGD_H
#define BYZANTINE_SGD_H

#include "suite/registry.h"

extern const struct rb_algorithm byzantine_sgd_algorithm;

/* Byzantine machines for m machines and fraction alpha: floor(alpha m). */
int bsgd_byzantine_count(int m, double alpha);
/* The f a rule runs with: krum_f when >= 0, else the Byzantine count capped at the
 * largest f the rule admits at m (Krum: m > 2f + 2; Bulyan: m >= 4f + 3). */
int bsgd_resolve_f(const char *aggregator, int m, int byzantine, int krum_f);

#endif
