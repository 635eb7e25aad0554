/*
 * idx: the IDX format of MNIST and Fashion-MNIST (LeCun et al., "Gradient-based
 * learning applied to document recognition", 1998; the format is described on
 * yann.lecun.com/exdb/mnist/). A file is a 4-byte big-endian magic 00 00 TT DD (TT the
 * element type, DD the number of dimensions), DD big-endian 32-bit sizes, then the
 * elements in row-major order. Only unsigned bytes (TT = 0x08) are read: labels
 * (0x00000801, N) and images (0x00000803, N x rows x cols).
 *
 * Files are read through dsio, so .gz/.bz2/.xz copies load as they are. Every header
 * field is checked before anything is allocated, and memory grows with the bytes that
 * actually arrive, so a header that declares more than the file holds costs nothing.
 * A file must hold exactly the declared payload: fewer bytes is "truncated at byte
 * offset X", more is trailing data; both are refused.
 *
 * Image shape: shape[3] = { rows, cols, 1 } (height, width, channels, as in
 * struct ds_dataset); the image count is out->rows. Pixels are scaled to [0, 1] by
 * value / 255.
 */
#ifndef IDX_H
#define IDX_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "datasets/dsio.h"

/* Largest payload (elements = bytes) a header may declare: 2^34 bytes (16 GiB, 128 GiB
 * as doubles), far above any IDX data set and far below an int64 overflow. */
#define IDX_MAX_PAYLOAD ((int64_t)1 << 34)

/* Images file -> dense N x (rows*cols) matrix in [0, 1], shape = { rows, cols, 1 }.
 * Returns 0, or -1 with one line in err ("path: what, where") and *out left empty. */
int idx_load_images(const char *path, struct ds_matrix *out, int64_t shape[3], char *err,
		    size_t errlen);
/* Labels file -> *labels (malloc'd, *n values 0..255 as doubles; free with free()). */
int idx_load_labels(const char *path, double **labels, int64_t *n, char *err, size_t errlen);
/* Images and labels as one split (x images, y labels); the counts must agree. */
int idx_load_pair(const char *images, const char *labels, struct ds_split *out,
		  int64_t shape[3], char *err, size_t errlen);

/* The same over open streams (fuzz targets, in-memory tests); messages name the stream
 * by dsio_name. The stream is read to its end and not closed. */
int idx_parse_images(struct dsio *r, struct ds_matrix *out, int64_t shape[3], char *err,
		     size_t errlen);
int idx_parse_labels(struct dsio *r, double **labels, int64_t *n, char *err, size_t errlen);
int idx_parse_pair(struct dsio *images, struct dsio *labels, struct ds_split *out,
		   int64_t shape[3], char *err, size_t errlen);

#endif
