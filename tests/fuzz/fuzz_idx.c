/*
 * libFuzzer target for datasets/idx: any bytes, as an images file, as a labels file,
 * and split in two as an images + labels pair. Nothing may crash, leak or read out of
 * bounds; a refusal must leave its outputs empty.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_idx.c datasets/idx.c datasets/dsio.c datasets/dataset.c \
 *     suite/error.c -lz -lbz2 -llzma -o /tmp/fuzz_idx
 *   /tmp/fuzz_idx -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>

#include "datasets/idx.h"

static void images(const uint8_t *data, size_t size)
{
	struct dsio *r = dsio_open_memory(data, size, "fuzz-images");
	struct ds_matrix m;
	int64_t shape[3];
	char err[256];

	if (!r)
		return;
	if (idx_parse_images(r, &m, shape, err, sizeof(err)) == 0)
		ds_matrix_free(&m);
	else if (m.dense)
		abort();
	dsio_close(r);
}

static void labels(const uint8_t *data, size_t size)
{
	struct dsio *r = dsio_open_memory(data, size, "fuzz-labels");
	double *y;
	int64_t n;
	char err[256];

	if (!r)
		return;
	if (idx_parse_labels(r, &y, &n, err, sizeof(err)) != 0 && y)
		abort();
	free(y);
	dsio_close(r);
}

/* The first byte picks where the rest splits into an images and a labels stream. */
static void pair(const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	size_t cut = data[0] % size;      /* 0 .. size-1 bytes of images */
	struct dsio *ri = dsio_open_memory(data + 1, cut, "fuzz-images");
	struct dsio *rl = dsio_open_memory(data + 1 + cut, size - 1 - cut, "fuzz-labels");
	struct ds_split s;
	int64_t shape[3];
	char err[256];

	if (ri && rl && idx_parse_pair(ri, rl, &s, shape, err, sizeof(err)) == 0) {
		if (s.x.cols != shape[0] * shape[1] || shape[2] != 1 || s.x.rows < 1)
			abort();
		ds_matrix_free(&s.x);
		free(s.y);
	}
	dsio_close(ri);
	dsio_close(rl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	images(data, size);
	labels(data, size);
	pair(data, size);
	return 0;
}
