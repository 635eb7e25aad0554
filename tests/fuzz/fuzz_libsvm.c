/*
 * libFuzzer target for datasets/libsvm: any bytes through dsio_open_memory and
 * libsvm_parse must give a complete result or one error line, never a crash, a hang,
 * a leak or undefined behaviour. Self-contained; build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_libsvm.c datasets/libsvm.c datasets/dsio.c datasets/dataset.c \
 *     suite/error.c -lz -lbz2 -llzma -o /tmp/fuzz_libsvm
 *   /tmp/fuzz_libsvm -max_total_time=60 -max_len=4096
 * The first input byte picks the feature-count hint, so that path is fuzzed too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/dsio.h"
#include "datasets/libsvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks a result the way a consumer would rely on it; abort() makes libFuzzer keep
 * the input. */
static void check_split(const struct ds_split *s)
{
	const struct ds_matrix *m = &s->x;
	if (m->rows < 1 || !m->sparse || !m->rowptr || !s->y || m->rowptr[0] != 0)
		abort();
	for (int64_t i = 0; i < m->rows; i++) {
		if (m->rowptr[i + 1] < m->rowptr[i])
			abort();
		for (int64_t k = m->rowptr[i]; k < m->rowptr[i + 1]; k++)
			if (m->colidx[k] < 0 || m->colidx[k] >= m->cols ||
			    (k > m->rowptr[i] && m->colidx[k] <= m->colidx[k - 1]))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t hints[] = { 0, 0, 0, 0, 1, 5, 123, INT32_MAX, -1, (int64_t)INT32_MAX + 1 };
	int64_t hint = size > 0 ? hints[data[0] % (sizeof(hints) / sizeof(hints[0]))] : 0;
	struct dsio *r = dsio_open_memory(data, size, "fuzz");
	if (!r)
		return 0;
	struct ds_split s;
	int classes = -1;
	char err[512];
	err[0] = 0;
	if (libsvm_parse(r, hint, &s, &classes, err, sizeof(err)) == 0) {
		check_split(&s);
		ds_matrix_free(&s.x);
		free(s.y);
	} else if (!err[0] || memchr(err, '\n', strlen(err)) || s.x.rowptr || s.y) {
		abort();   /* an error must be one non-empty line, with nothing returned */
	}
	dsio_close(r);
	return 0;
}
