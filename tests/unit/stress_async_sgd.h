/*
 * stress_async_sgd: concurrency stress cases of Hogwild's update modes
 * (algorithms/async_sgd/hogwild.h) in plain C with pthreads and no test framework, so
 * that the same cases run in the Criterion suite stress_async_sgd (test_async_sgd.c,
 * under `make test` and `make SAN=1 test`) and in the ThreadSanitizer driver
 * tests/tsan/stress_main.c.
 *
 * Invariants only, never timing: 10^6 coordinate updates over 4 threads with deltas that
 * are exact binary fractions leave the model equal, bit for bit, to the sum of the
 * updates the threads intended (no lost update), for `atomic` (CAS) and `locked`; real
 * SGD updates through hw_update land every update (to rounding) and, under the lock,
 * never overlap (staleness 0).
 *
 * `racy` is excluded by design: it loses updates on purpose (a relaxed load and a
 * relaxed store, not a read-modify-write), so "no lost update" is not its invariant; its
 * accesses are C11 atomics, so ThreadSanitizer would have no race to report either.
 */
#ifndef STRESS_ASYNC_SGD_H
#define STRESS_ASYNC_SGD_H

#include <stddef.h>
#include <stdio.h>

struct hw_stress_case {
	const char *name;
	const char *mode;       /* atomic or locked */
	const char *workload;   /* "adds" (exact deltas) or "sgd" (hw_update on sparse data) */
	int threads;
	long updates;           /* in total, split over the threads */
	int dim;
};

/* NULL-terminated (by name). */
extern const struct hw_stress_case hw_stress_cases[];

const struct hw_stress_case *hw_stress_find(const char *name);

/* 0, or -1 with what went wrong (a lost update, a failure to run) in err. */
int hw_stress_run(const struct hw_stress_case *c, char *err, size_t errlen);

/* Every case, a PASS/FAIL line each on out: the number that failed. */
int stress_async_sgd_run_all(FILE *out);

#endif
