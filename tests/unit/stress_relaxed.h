/*
 * stress_relaxed: the concurrency stress workloads of the relaxed structures
 * (algorithms/relaxed_structures), in plain C with pthreads and no test framework, so
 * that the same cases run in the Criterion suites stress_mq and stress_mc
 * (test_stress_relaxed.c, under `make test` and `make SAN=1 test`) and in the
 * standalone ThreadSanitizer driver tests/tsan/stress_main.c (Criterion's sandbox
 * cannot start under ThreadSanitizer: its shared arena finds no free address range).
 *
 * Invariants only, never timing: 10^6+ mixed operations lose and duplicate no key
 * (inserted = deleted + drained, as sorted multisets), a quiescent queue is never
 * reported empty while it holds keys, and counter totals are exact.
 */
#ifndef STRESS_RELAXED_H
#define STRESS_RELAXED_H

#include <stddef.h>
#include <stdio.h>

struct stress_case {
	const char *suite;        /* stress_mq or stress_mc */
	const char *name;
	const char *structure;    /* an mq_ops or mc_ops name */
	int threads;
	int slots;                /* heaps or counters */
	int stickiness;
	double insert_share;      /* queues: probability that an operation inserts */
};

/* NULL-terminated (by name). */
extern const struct stress_case stress_cases[];

const struct stress_case *stress_find(const char *name);

/* 0, or -1 with what went wrong in err. */
int stress_run(const struct stress_case *c, char *err, size_t errlen);

/* Every case, a PASS/FAIL line each on out: the number that failed. */
int stress_relaxed_run_all(FILE *out);

#endif
