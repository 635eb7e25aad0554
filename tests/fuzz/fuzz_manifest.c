/*
 * libFuzzer target for the manifest reader (suite/manifest.c): any bytes through
 * mf_load must give a validated manifest or one error line, never a crash, a hang, a
 * leak or undefined behaviour. A manifest that loads is also expanded into its sweep at
 * the smoke and quick scales (suite/sweep.c), since that walks the same YAML nodes again and is what
 * `relaxbench run` does next.
 *
 * mf_load validates against the algorithm registry, so this target links the whole
 * library built with the fuzzer's instrumentation: `make fuzz` builds it (see the
 * Makefile's libFuzzer section) and seeds its corpus with every manifest under
 * experiments/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "suite/manifest.h"
#include "suite/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* mf_load reads a path: one memory-backed file, rewritten for every input, keeps the
 * target off the disk and free of temporary-file clean-up. */
static const char *fuzz_input_path(void)
{
	static char path[64];
	if (!path[0]) {
		int fd = memfd_create("fuzz_manifest.yaml", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	return path;
}

static void fuzz_store(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
}

/* An error must also be one line (DESIGN.md: "one clear line"); this target found
 * multi-line scalars quoted into errors (`id: "s\n}"`), now folded by manifest.c. */
#define FUZZ_ONE_LINE_ERRORS 1

/* An error is a non-empty line: that is what the user sees on stderr. */
static void fuzz_check_error(const char *err)
{
	if (!err[0] || (FUZZ_ONE_LINE_ERRORS && strchr(err, '\n')))
		abort();
}

/* Each run of a sweep has an id that sweep_find finds again, and a label. */
static void fuzz_check_sweep(const struct sweep *s)
{
	if (s->n < 0 || (s->n > 0 && !s->runs))
		abort();
	for (int i = 0; i < s->n; i++) {
		const struct sweep_run *r = &s->runs[i];
		if (!r->algo || strlen(r->id) != SWEEP_ID_LEN || sweep_find(s, r->id) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_path();
	char err[2048];
	fuzz_store(path, data, size);
	err[0] = 0;
	struct manifest *m = mf_load(path, err, sizeof(err));
	if (!m) {
		fuzz_check_error(err);
		return 0;
	}
	/* Smoke and quick only: a full-scale sweep has thousands of runs by design (the
	 * paper's grids), and expanding it would spend the fuzzing time on one input. */
	for (int scale = MF_SMOKE; scale <= MF_QUICK; scale++) {
		struct sweep s;
		err[0] = 0;
		if (sweep_expand(m, (enum mf_scale)scale, &s, err, sizeof(err)) == 0) {
			fuzz_check_sweep(&s);
			sweep_free(&s);
		} else {
			fuzz_check_error(err);
		}
	}
	mf_free(m);
	return 0;
}
