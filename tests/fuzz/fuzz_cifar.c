/*
 * libFuzzer target for datasets/cifar: any bytes as a CIFAR-10 batch. Nothing may
 * crash, leak or read out of bounds; an accepted batch has labels 0..9 and pixels in
 * [0, 1]; a refusal leaves its output empty.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_cifar.c datasets/cifar.c datasets/dsio.c datasets/dataset.c \
 *     suite/error.c -lz -lbz2 -llzma -o /tmp/fuzz_cifar
 *   /tmp/fuzz_cifar -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>

#include "datasets/cifar.h"

static void check(const struct ds_split *s)
{
	if (s->x.cols != CIFAR_PIXELS)
		abort();
	for (int64_t i = 0; i < s->x.rows; i++) {
		if (!(s->y[i] >= 0 && s->y[i] <= 9))
			abort();
		for (int64_t j = 0; j < CIFAR_PIXELS; j++) {
			double v = s->x.dense[i * CIFAR_PIXELS + j];
			if (!(v >= 0 && v <= 1))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsio *r = dsio_open_memory(data, size, "fuzz-cifar");
	struct ds_split s;
	int64_t shape[3];
	char err[256];

	if (!r)
		return 0;
	if (cifar_parse(r, &s, shape, err, sizeof(err)) == 0) {
		check(&s);
		ds_matrix_free(&s.x);
		free(s.y);
	} else if (s.x.dense || s.y) {
		abort();
	}
	dsio_close(r);
	return 0;
}
