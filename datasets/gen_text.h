/*
 * gen_text: a seeded stand-in for sparse bag-of-words data shaped like LIBSVM's
 * rcv1_train.binary (20,242 rows, 47,236 features, 0.157% nonzero, cosine-normalised
 * log TF-IDF rows), used when the real file is not at hand (catalog name `synth_rcv1`).
 *
 * - Feature frequencies follow a Zipf law: the feature of rank r (1-based) enters a
 *   draw with probability proportional to r^-zipf. Ranks map to column ids through a
 *   seeded permutation, so frequent columns are scattered as term ids are.
 * - Row lengths are 1 + Geometric(1 / nnz_mean), distinct columns per row (repeated
 *   draws of a column raise its term count instead), at most features / 4.
 * - Values are TF-IDF-like: (1 + log count) * log(1 / p_r), then each row is scaled
 *   to unit Euclidean norm.
 * - Labels come from a planted linear model: w* ~ N(0, 1) on the columns of the
 *   `signal` most frequent ranks (0 elsewhere: a topic is carried by terms frequent
 *   enough to be learnt), margin = `margin` * x.w*, y = +1 with probability
 *   sigmoid(margin), then flipped with probability `noise`.
 *
 * Streams of data_seed: 0 draws w*, 1 the rank permutation, 2 the rows in order (train
 * first, then test). The same parameters give the same bytes with gcc and clang.
 */
#ifndef GEN_TEXT_H
#define GEN_TEXT_H

#include <stddef.h>

#include "datasets/dataset.h"
#include "suite/params.h"

extern const struct rb_param_spec gentext_params[];

/* Generate into `out` (overwritten; free with ds_dataset_free). 0, or -1 with why. */
int gentext_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err, size_t errlen);
/* SHA-256 hex of "synth_rcv1/v1" and every name=value: the identity before generating. */
void gentext_checksum(const struct rb_paramset *ps, char out[65]);

#endif
