/*
 * cifar: the CIFAR-10 binary batches (Krizhevsky, "Learning multiple layers of features
 * from tiny images", 2009; www.cs.toronto.edu/~kriz/cifar.html). A batch is a sequence
 * of 3073-byte records: one label byte 0..9, then the 32x32 red plane, the green plane
 * and the blue plane, each row-major. The official batches hold 10,000 records
 * (30,730,000 bytes); any whole number of records is accepted.
 *
 * Output: a dense N x 3072 matrix in [0, 1] (byte / 255) that keeps the file's order
 * within a row, channel-major: feature c*1024 + y*32 + x is channel c (0 red, 1 green,
 * 2 blue) at row y, column x. shape[3] = { 32, 32, 3 } (height, width, channels, as in
 * struct ds_dataset). Labels are 0..9 as doubles.
 *
 * Files are read through dsio (plain, .gz, .bz2, .xz). Records are numbered from 0 in
 * each file, so record k starts at byte offset 3073 k of the decompressed stream.
 */
#ifndef CIFAR_H
#define CIFAR_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "datasets/dsio.h"

#define CIFAR_SIDE 32
#define CIFAR_CHANNELS 3
#define CIFAR_PIXELS (CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS)   /* 3072 */
#define CIFAR_RECORD (1 + CIFAR_PIXELS)                           /* 3073 */
#define CIFAR_CLASSES 10

/* The records of n batch files, in order, as one split. Returns 0, or -1 with one line
 * in err ("path: what, where") and *out left empty. */
int cifar_load_batches(const char *const *paths, int n, struct ds_split *out,
		       int64_t shape[3], char *err, size_t errlen);

/* One open stream (fuzz targets, in-memory tests), read to its end and not closed;
 * messages name it by dsio_name. */
int cifar_parse(struct dsio *r, struct ds_split *out, int64_t shape[3], char *err,
		size_t errlen);

#endif
