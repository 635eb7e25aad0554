/*
 * models: what every distillation run shares: the data in float, the teacher and student
 * architectures and training options read from the run's parameters, and the trained
 * teacher and distilled student as cached artifacts (netcache.h).
 */
#ifndef DISTILL_MODELS_H
#define DISTILL_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/distillation/train.h"
#include "algorithms/models/net.h"
#include "suite/registry.h"

struct dm_split {
	float *x;
	int32_t *y;
	int64_t rows;
};

struct dm_ctx {
	const struct rb_run *run;
	struct rb_recorder *rec;
	struct dm_split train, test;
	struct net teacher, student;
	struct dt_opts teacher_opts, student_opts;
	char teacher_key[1024];
	float *teacher_logits;      /* train.rows x classes, once the teacher is loaded */
};

/* Data and architectures from the run. 0, or a status already recorded in rec. */
int dm_setup(struct dm_ctx *c, const struct rb_run *run, struct rb_recorder *rec);
void dm_free(struct dm_ctx *c);

/* The trained teacher's weights (teacher.param_count floats), from the cache or trained
 * now and stored; *hit says which. Also fills c->teacher_logits. 0, or a status. */
int dm_teacher(struct dm_ctx *c, float *tw, int *hit);

/* The full-precision student trained with the distillation loss from seed `seed`, from
 * the cache or trained now. 0, or a status. */
int dm_distilled(struct dm_ctx *c, float *sw, int *hit);

/* A fresh student trained from the run's seed: on labels (soft NULL) or distilled, with
 * an optional weights hook (quantized training). 0, or a status. */
int dm_train_student(struct dm_ctx *c, float *sw, const float *soft, const struct dt_hooks *h);

/* Test accuracy of weights w of network n, in percent. */
double dm_test_accuracy(struct dm_ctx *c, const struct net *n, const float *w);

#endif
