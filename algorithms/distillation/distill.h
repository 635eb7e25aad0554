/*
 * distill: the registered algorithms of the distillation family (arXiv 1802.05668).
 */
#ifndef DISTILL_H
#define DISTILL_H

#include "suite/registry.h"

extern const struct rb_algorithm dist_teacher_algorithm;
extern const struct rb_algorithm dist_train_algorithm;
extern const struct rb_algorithm distill_algorithm;
extern const struct rb_algorithm pm_quant_algorithm;
extern const struct rb_algorithm quantized_train_algorithm;
extern const struct rb_algorithm quantized_distill_algorithm;
extern const struct rb_algorithm diff_quant_algorithm;

#endif
