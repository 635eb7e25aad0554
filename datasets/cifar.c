/*
 * cifar: CIFAR-10 binary batches through dsio.
 *
 * The record count of a compressed batch is unknown until it is read, so the split
 * grows geometrically as records arrive (and is trimmed at the end): memory follows the
 * bytes actually present, never a size taken on trust. A record is checked whole
 * before it is kept: a short last record is truncation, a label above 9 is refused with
 * its record number and byte offset.
 */
#include "datasets/cifar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/error.h"

/* First allocation, in records (0.8 MB of doubles); doubles from there. */
#define CIFAR_FIRST_CAP 32

/* A split under construction: rows so far and the room for more. */
struct cifar_builder {
	struct ds_split split;
	int64_t cap;
	double lut[256];   /* byte -> byte / 255 */
};

static int reserve(struct cifar_builder *b)
{
	struct ds_split *s = &b->split;
	if (s->x.rows < b->cap)
		return 0;
	int64_t grown = b->cap ? 2 * b->cap : CIFAR_FIRST_CAP;
	double *x = realloc(s->x.dense, (size_t)grown * CIFAR_PIXELS * sizeof(double));
	if (x)
		s->x.dense = x;
	double *y = realloc(s->y, (size_t)grown * sizeof(double));
	if (y)
		s->y = y;
	if (!x || !y)
		return -1;
	b->cap = grown;
	return 0;
}

/* Up to n bytes, fewer only at the end of the stream; -1 on a read error. */
static long read_full(struct dsio *r, unsigned char *buf, size_t n, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < n) {
		long k = dsio_read(r, buf + got, n - got, err, errlen);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (long)got;
}

static int check_record(struct dsio *r, int64_t record, long got, const unsigned char *rec,
			char *err, size_t errlen)
{
	long long at = (long long)record * CIFAR_RECORD;

	if (got < CIFAR_RECORD)
		return rb_error(err, errlen, "%s: truncated at byte offset %lld: record %lld has %ld "
				"of %d bytes (the size, %lld bytes, is not a multiple of %d)",
				dsio_name(r), at + got, (long long)record, got, CIFAR_RECORD,
				at + got, CIFAR_RECORD);
	if (rec[0] >= CIFAR_CLASSES)
		return rb_error(err, errlen, "%s: record %lld at byte offset %lld: label %d out of "
				"0..%d", dsio_name(r), (long long)record, at, rec[0], CIFAR_CLASSES - 1);
	return 0;
}

/* Append every record of one stream. */
static int append_stream(struct dsio *r, struct cifar_builder *b, char *err, size_t errlen)
{
	unsigned char rec[CIFAR_RECORD];
	struct ds_split *s = &b->split;

	for (int64_t record = 0;; record++) {
		long got = read_full(r, rec, sizeof(rec), err, errlen);
		if (got < 0)
			return -1;
		if (got == 0 && record == 0)
			return rb_error(err, errlen, "%s: empty: no CIFAR-10 records", dsio_name(r));
		if (got == 0)
			return 0;
		if (check_record(r, record, got, rec, err, errlen) != 0)
			return -1;
		if (reserve(b) != 0)
			return rb_error(err, errlen, "%s: out of memory at record %lld", dsio_name(r),
					(long long)record);
		double *row = s->x.dense + s->x.rows * CIFAR_PIXELS;
		for (int j = 0; j < CIFAR_PIXELS; j++)
			row[j] = b->lut[rec[1 + j]];
		s->y[s->x.rows++] = rec[0];
	}
}

static void builder_init(struct cifar_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->split.x.cols = CIFAR_PIXELS;
	/* v / 255 exactly (not v * (1/255)), so 255 maps to 1.0. */
	for (int v = 0; v < 256; v++)
		b->lut[v] = v / 255.0;
}

/* Hand the split over, trimmed to its rows (a failed trim keeps the larger block). */
static void builder_finish(struct cifar_builder *b, struct ds_split *out, int64_t shape[3])
{
	struct ds_split *s = &b->split;
	double *x = realloc(s->x.dense, (size_t)s->x.rows * CIFAR_PIXELS * sizeof(double));
	if (x)
		s->x.dense = x;
	double *y = realloc(s->y, (size_t)s->x.rows * sizeof(double));
	if (y)
		s->y = y;
	*out = *s;
	shape[0] = CIFAR_SIDE;
	shape[1] = CIFAR_SIDE;
	shape[2] = CIFAR_CHANNELS;
}

static void builder_discard(struct cifar_builder *b)
{
	ds_matrix_free(&b->split.x);
	free(b->split.y);
	b->split.y = NULL;
}

int cifar_parse(struct dsio *r, struct ds_split *out, int64_t shape[3], char *err,
		size_t errlen)
{
	struct cifar_builder b;

	memset(out, 0, sizeof(*out));
	builder_init(&b);
	if (append_stream(r, &b, err, errlen) != 0) {
		builder_discard(&b);
		return -1;
	}
	builder_finish(&b, out, shape);
	return 0;
}

int cifar_load_batches(const char *const *paths, int n, struct ds_split *out,
		       int64_t shape[3], char *err, size_t errlen)
{
	struct cifar_builder b;

	memset(out, 0, sizeof(*out));
	if (n <= 0)
		return rb_error(err, errlen, "cifar: no batch files given");
	builder_init(&b);
	for (int i = 0; i < n; i++) {
		struct dsio *r = dsio_open(paths[i], err, errlen);
		int rc = r ? append_stream(r, &b, err, errlen) : -1;
		dsio_close(r);
		if (rc != 0) {
			builder_discard(&b);
			return -1;
		}
	}
	builder_finish(&b, out, shape);
	return 0;
}
