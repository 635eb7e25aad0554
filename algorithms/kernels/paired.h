/*
 * paired: time a structure and its baseline in alternating slices of one run.
 *
 * Why: on a small shared machine (a 2-core VM) the speed changes by up to 2x from one
 * second to the next, so two separately timed runs measure the machine as much as the
 * structures. Slices in ABBA order (a b, b a, a b, ...) after an untimed warm-up slice of
 * each put any drift on both alike, and their ratio is what the claims use. Used by the
 * MultiQueue, MultiCounter and TL2 throughput runs and their `make bench` cases.
 */
#ifndef PAIRED_H
#define PAIRED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* An untimed slice of each side before the timed ones: it warms caches and outlasts the
 * spinning of OpenBLAS's freshly started pool thread (about 2^28 cycles, 0.1 s, in every
 * run's process), which would otherwise take a core from the first timed slice. */
#define PAIRED_WARMUP_S 0.1

struct paired_side {
	void *ctx;
	/* Run the workload for about `seconds`, adding the wall time measured between its
	 * threads' start and end to *elapsed. 0, or -1 with a reason in err. */
	int (*run)(void *ctx, double seconds, double *elapsed, char *err, size_t errlen);
	/* Called once after the warm-up: the counts the rates use start here. */
	void (*restart)(void *ctx);
	/* Filled by paired_alternate: timed wall seconds and process CPU seconds. */
	double elapsed, cpu;
};

/* A warm-up slice of a (and b), then `slices` slices of seconds / slices of a,
 * alternating with b's in ABBA order when b is not NULL. 0, or -1 with err. */
int paired_alternate(struct paired_side *a, struct paired_side *b, int slices, double seconds,
		     char *err, size_t errlen);

/* Process CPU time / (wall time x threads) over the timed slices of a and b (b may be
 * NULL): about 1 when the threads had their cores; below about 0.9 another job was using
 * them, and the slices did not measure `threads` threads. */
double paired_cpu_share(const struct paired_side *a, const struct paired_side *b, int threads);

/*
 * The body of a timed slice: `threads` OpenMP threads run loop(ctx, tid) together until
 * `seconds` have passed. The deadline is set once every thread has arrived, and the wall
 * time from that start to the end barrier is added to *elapsed. loop must return when
 * paired_over() says so. Returns the number of threads OpenMP gave; loop runs only when
 * that is `threads`.
 */
int paired_team(int threads, double seconds, double *elapsed, atomic_bool *stop, double *deadline,
		void (*loop)(void *ctx, int tid), void *ctx);

/* Inside loop, every few operations: thread 0 raises `stop` at the deadline; true once
 * any thread may stop. Relaxed atomics: the flag orders nothing else. */
bool paired_over(atomic_bool *stop, double deadline, int tid);

#endif
