/*
 * stress_relaxed_mis: concurrency stress cases of greedy MIS and matching on the
 * concurrent schedulers (algorithms/relaxed_mis), plain pthreads and no test framework,
 * so that the same cases run in the Criterion suite stress_mis (test_stress_relaxed_mis.c,
 * under `make test` and `make SAN=1 test`) and in the ThreadSanitizer driver
 * tests/tsan/stress_main.c.
 *
 * Invariants only, never timing: every task decided, processed + dead = tasks, and the
 * set equal to sequential greedy's for the same permutation, over repeated runs.
 */
#ifndef STRESS_RELAXED_MIS_H
#define STRESS_RELAXED_MIS_H

#include <stddef.h>
#include <stdio.h>

struct stress_mis_case {
	const char *name;
	const char *problem;      /* "mis" or "matching" */
	const char *graph;        /* "er" or "rmat" */
	const char *structure;    /* an mq_ops name */
	int threads;
	int queues_per_thread;
	int stickiness;
	int repeats;              /* runs on the same instance */
};

/* NULL-terminated (by name). */
extern const struct stress_mis_case stress_mis_cases[];

const struct stress_mis_case *stress_mis_find(const char *name);

/* 0, or -1 with what went wrong in err. */
int stress_mis_run(const struct stress_mis_case *c, char *err, size_t errlen);

/* Every case, a PASS/FAIL line each on out: the number that failed. */
int stress_relaxed_mis_run_all(FILE *out);

#endif
