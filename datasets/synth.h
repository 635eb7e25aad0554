/*
 * synth: seeded synthetic data for linear models, the fallback when a real dataset
 * (a9a, ...) is absent. `kind: logistic` draws +1/-1 labels from a planted logistic
 * model with label flips; `kind: regression` draws real labels from a planted linear
 * model with Gaussian noise. The same parameters give the same bytes on every
 * platform (the generator uses only algorithms/kernels/rng).
 *
 * Data scale (what step sizes see): nonzero features are N(0, 1), each present with
 * probability `density`, so E|x|^2 = density * features (13.5 for the a9a-like
 * defaults, as a9a's 0/1 rows have about 14 ones) and X^T X / n is close to
 * density * I. The logistic objective is then L-smooth with L about density / 4
 * (0.03 for the defaults): gradient descent is stable for steps up to about
 * 8 / density, and mini-batch SGD with steps around 0.5 is well inside its range.
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <stddef.h>

#include "algorithms/kernels/rng.h"
#include "datasets/dataset.h"
#include "suite/params.h"

/* Parameters with defaults, ranges and docs; terminated by an entry with name NULL. */
extern const struct rb_param_spec synth_logreg_params[];

/* Generate into `out` (overwritten; free with ds_dataset_free). `ps` holds every
 * parameter of synth_logreg_params, validated. Returns 0, or -1 with a reason in err
 * (a combination the table cannot express, or no memory) and `out` left empty. */
int synth_logreg_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			  size_t errlen);

/* SHA-256 (hex) of "synth_logreg/v1" and every name=value in table order: the
 * dataset's identity, known before any data exists. The version is bumped whenever
 * the same parameters would generate different bytes. */
void synth_logreg_checksum(const struct rb_paramset *ps, char out[65]);

/* Sparse rows for planted-model generators (this one and gen_regression): columns drawn
 * by geometric skips from `r` (one draw per nonzero, sorted by construction), values
 * scale[j] * N(0, 1) (scale NULL: 1), and each row's label from label(ctx, x.w). Fills
 * out->x as CSR (rows x cols) and out->y (allocated by the caller). */
typedef double (*synth_label_fn)(void *ctx, double margin);
int synth_sparse_split(struct rng *r, double density, int64_t cols, const double *scale,
		       const double *w, int64_t rows, struct ds_split *out, synth_label_fn label,
		       void *ctx);

#endif
