/*
 * stress_main: every relaxed-structure stress case (tests/unit/stress_relaxed.c) in one
 * plain pthread program, for ThreadSanitizer. Criterion's sandbox cannot start under
 * ThreadSanitizer (its inheritable arena probes addresses that TSan has reserved), so
 * `make TSAN=1 test` runs this instead of the Criterion binary. Exit status 1 when a
 * case fails; TSan's own reports abort the run (halt_on_error=1).
 */
#include <stdio.h>

#include "tests/unit/stress_relaxed.h"

int main(void)
{
	int failed = 0, cases = 0;

	for (const struct stress_case *c = stress_cases; c->name; c++, cases++) {
		char err[256] = "";
		int rc = stress_run(c, err, sizeof(err));
		printf("%s/%s: %s%s%s\n", c->suite, c->name, rc ? "FAIL" : "PASS", rc ? ": " : "", err);
		fflush(stdout);
		failed += rc != 0;
	}
	printf("%d stress cases, %d failed\n", cases, failed);
	return failed ? 1 : 0;
}
