/*
 * gen_mixture: seeded multi-class images from a Gaussian mixture, the stand-in for
 * MNIST (and, with channels = 3, CIFAR-10) when the files are absent.
 *
 * A pool of random strokes (smooth line segments) is shared by all classes. A class is
 * a mixture of `modes` Gaussian components; the mean of each component is the union of
 * three strokes of the pool (a subset no other component uses), like one way of writing
 * a digit. A sample is a component mean times `separation`, plus N(0, noise^2) on every
 * pixel, clipped to [0, 1]. Classes differ by which strokes occur together, not by
 * single pixels, so the Bayes classifier (nearest component) is far from linear: on the
 * defaults, softmax regression gets 83-90% of the test set (data seeds 1-4), a
 * one-hidden-layer MLP 99.5-99.8% and nearest class mean 48-59% (chance: 10%).
 *
 * Layout: a row holds channels x height x width values, channel-major (like CIFAR's
 * planes): feature c*height*width + y*width + x. shape = { height, width, channels }.
 * Labels are 0..classes-1 as doubles, exactly balanced (counts differ by at most one)
 * and in random order. The same parameters give the same bytes on every platform.
 */
#ifndef GEN_MIXTURE_H
#define GEN_MIXTURE_H

#include <stddef.h>

#include "datasets/dataset.h"
#include "suite/params.h"

/* Parameters with defaults, ranges and docs; terminated by an entry with name NULL. */
extern const struct rb_param_spec mixture_params[];

/* Generate into `out` (overwritten; free with ds_dataset_free): kind DS_TABLE, classes,
 * shape, dense train and test splits. `ps` holds every parameter of mixture_params,
 * validated. Returns 0, or -1 with a reason in err (too large, or no memory) and `out`
 * left empty. */
int mixture_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
		     size_t errlen);

/* SHA-256 (hex) of "mixture/v1" and every name=value in table order: the dataset's
 * identity, known before any data exists. The version is bumped whenever the same
 * parameters would generate different bytes. */
void mixture_checksum(const struct rb_paramset *ps, char out[65]);

#endif
