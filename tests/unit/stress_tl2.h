/*
 * stress_tl2: concurrency stress cases of TL2 (algorithms/tl2) in plain C with pthreads
 * and no test framework, so that the same cases run in the Criterion suite stress_tl2
 * (test_stress_tl2.c, under `make test` and `make SAN=1 test`) and in the ThreadSanitizer
 * driver tests/tsan/stress_main.c.
 *
 * Invariants only, never timing: 10^6 bank transactions (transfers and whole-bank
 * audits) on 2 to 8 threads with each clock conserve the total in every committed audit
 * and at the end; set histories replay against a sequential set; disjoint words hold
 * what their thread last wrote.
 */
#ifndef STRESS_TL2_H
#define STRESS_TL2_H

#include <stddef.h>
#include <stdio.h>

struct tl2_stress_case {
	const char *name;
	const char *clock;        /* a clock name, or "unsafe" (the test-only broken clock) */
	const char *workload;
	int threads;
	long transactions;        /* in total, split over the threads */
	long keys;
	int tx_length;
	double update_ratio;
	int counters_per_thread, stickiness;
};

/* NULL-terminated (by name). */
extern const struct tl2_stress_case tl2_stress_cases[];

const struct tl2_stress_case *tl2_stress_find(const char *name);

/* Runs the case; *violations = what the workload's checker found (-1: it could not
 * run). 0, or -1 with what went wrong in err (a failure to run, not a violation). */
int tl2_stress_run(const struct tl2_stress_case *c, long *violations, char *err, size_t errlen);

/* Every case, a PASS/FAIL line each on out (PASS = no violation): the number failed. */
int stress_tl2_run_all(FILE *out);

#endif
