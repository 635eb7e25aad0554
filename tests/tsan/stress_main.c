/*
 * stress_main: every family's concurrency stress cases in one plain pthread program, for
 * ThreadSanitizer. Criterion's sandbox cannot start under ThreadSanitizer (its
 * inheritable arena probes addresses that TSan has reserved), so `make TSAN=1 test` runs
 * this instead of the Criterion binary. Exit status 1 when a case fails; TSan's own
 * reports abort the run (halt_on_error=1).
 *
 * A family adds its stress cases in tests/unit/stress_<family>.c (no Criterion there),
 * wraps them in Criterion tests for `make test` / `make SAN=1 test`, and adds one line
 * to the table below.
 */
#include <stdio.h>

#include "tests/unit/stress_async_sgd.h"
#include "tests/unit/stress_relaxed.h"
#include "tests/unit/stress_relaxed_mis.h"
#include "tests/unit/stress_tl2.h"

static const struct {
	const char *family;
	int (*run_all)(FILE *out);   /* prints a line per case; returns the number failed */
} families[] = {
	{ "relaxed_structures", stress_relaxed_run_all },
	{ "relaxed_mis", stress_relaxed_mis_run_all },
	{ "tl2", stress_tl2_run_all },
	{ "async_sgd", stress_async_sgd_run_all },   /* atomic and locked; racy excluded by design */
};

int main(void)
{
	int failed = 0;
	size_t n = sizeof(families) / sizeof(families[0]);

	for (size_t i = 0; i < n; i++) {
		int f = families[i].run_all(stdout);
		printf("%s: %d failed\n", families[i].family, f);
		failed += f;
	}
	printf("stress: %d failed\n", failed);
	return failed ? 1 : 0;
}
