/*
 * tl2_experiments: the runnable TL2 experiment of arXiv 1804.01018's TL2 half (see
 * tl2.h, clock.h, workload.h): algorithm `tl2` times one clock on one workload with
 * OpenMP threads, against GV4 on a fresh copy of the workload in alternating slices of
 * the same run, and checks every committed transaction's consistency; and the
 * `make bench` case that reports the relaxed clock's commits/s as a ratio to GV4's.
 * tl2_measure is the same timed run for tests and the bench.
 */
#ifndef TL2_EXPERIMENTS_H
#define TL2_EXPERIMENTS_H

#include <stddef.h>

#include "algorithms/tl2/clock.h"
#include "algorithms/tl2/workload.h"
#include "suite/bench.h"
#include "suite/registry.h"

struct tl2_setup {
	const struct tl2_clock_ops *clock;
	struct tl2_clock_config clock_cfg;
	const struct tl2_wl_ops *workload;
	struct tl2_wl_config wl;
	int stripes_log2;
	double seconds;
	int slices;
};

struct tl2_result {
	double commits_per_s, abort_rate;   /* aborts / (aborts + commits) */
	double read_only_share, advances_per_commit;
	double cpu_share;                   /* CPU / (wall x threads) over the timed slices */
	long violations;                    /* -1: the check could not run */
	unsigned long long commits;
};

/* Times `s` (and `baseline` in alternating slices when not NULL, into *rb) after an
 * untimed warm-up slice each, then checks both. 0, or -1 with err. */
int tl2_measure(const struct tl2_setup *s, const struct tl2_setup *baseline, struct tl2_result *r,
		struct tl2_result *rb, char *err, size_t errlen);

extern const struct rb_algorithm tl2_algorithm;
extern const struct bench_case tl2_clock_bench;

#endif
