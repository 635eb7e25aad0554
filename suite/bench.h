/*
 * bench: `make bench` / `relaxbench bench`. A table of benchmark cases (suite/bench.c),
 * each of which measures kernels and emits rows of results_dir/bench/<case>.csv:
 *
 *   case,params,figure,unit,limit,limit_unit,ratio,ratio_min,ratio_max,reps,flagged
 *
 * Every figure sits beside a limit measured in the same run (STREAM-like copy bandwidth,
 * sgemm peak, or a baseline the case measures itself) and the ratio figure/limit; a bare
 * time is never a result (DESIGN.md, "Performance"). A row comes from at least
 * BENCH_MIN_REPS repetitions (bench_measure): figure, limit and ratio are medians over
 * the repetitions kept, ratio_min and ratio_max their range, reps the number kept and
 * flagged the number left out because a probe beside them found the machine slow. The limits, with env_capture(), go
 * to results_dir/bench/limits.json. Each CSV is written to a temporary file and renamed
 * into place only when its case succeeds.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdio.h>

/* The limits measured once at the start of bench_run_all. */
struct bench_limits {
	int threads;              /* omp_get_max_threads() */
	int blas_threads;         /* openblas_get_num_threads() */
	double copy_gbs;          /* STREAM copy at `threads`, GB/s */
	double copy_gbs_1t;       /* STREAM copy at 1 thread, GB/s */
	double sgemm_gflops;      /* cblas_sgemm at `blas_threads`, GFLOP/s */
	/* A working set at least this large streams from memory rather than cache
	 * (calib_stream_array_bytes()): size memory-bound cases by it. */
	size_t stream_bytes;
};

struct bench_case;

/* Repetitions per row. Five is the fewest whose median ignores two bad ones. */
#define BENCH_MIN_REPS 5

/*
 * A repetition is flagged when a probe right before or right after it ran below this
 * fraction of the row's fast-mode probe speed (the upper quartile of its probes). Why: on a shared 2-core VM a program runs in
 * one of two speeds (the slow one 2.5-3x slower) while its threads' CPU share stays
 * 0.96-0.99, so only a second, known workload timed beside the measurement tells the
 * modes apart. Half the fast probe's speed sits between the two modes.
 */
#define BENCH_SLOW_FRACTION 0.5

/* What a case gets. Cases read `limits` and emit rows with bench_emit; the other
 * fields belong to bench.c. */
struct bench_ctx {
	struct bench_limits limits;
	const struct bench_case *bcase;
	FILE *csv;
	int rows;
};

struct bench_case {
	const char *name;      /* identifier: the CSV is bench/<name>.csv */
	const char *family;    /* folder under algorithms/, or "kernels" */
	const char *doc;       /* one line: what is measured and against which limit */
	/* 0, or -1 with a reason in err. A case verifies its kernel against a sequential
	 * reference before it times anything, and emits at least one row. */
	int (*run)(struct bench_ctx *ctx, char *err, size_t errlen);
};

/*
 * Emit one row of a single measurement (reps 1, flagged 0): only for figures that are
 * not throughputs (a count, a size). Throughputs go through bench_measure. `params` is
 * "key=value;key=value" (e.g. "rows=131072;cols=128;threads=2"), `figure` in `unit`,
 * `limit` in `limit_unit`; the ratio figure/limit is computed here. Strings must satisfy
 * bench_field_ok and numbers must be finite with limit > 0, else -1 with a reason in err
 * and nothing written. Also prints the row to stdout.
 */
int bench_emit(struct bench_ctx *ctx, const char *params, double figure, const char *unit,
	       double limit, const char *limit_unit, char *err, size_t errlen);

/* One repetition's measurement: the figure and its limit or baseline, both measured in
 * the repetition (a paired A/B slice is one repetition). */
struct bench_rep {
	double figure, limit;
};

/* Measure one repetition into *rep (rep[0..nrows) for bench_measure_rows): 0, or -1
 * with a reason in err. */
typedef int (*bench_rep_fn)(void *arg, struct bench_rep *rep, char *err, size_t errlen);

/*
 * Run `reps` (>= BENCH_MIN_REPS) repetitions of fn, each between two probes (a short
 * in-cache copy on `threads` threads), and emit one row: the medians of the kept
 * repetitions' figures, limits and per-repetition ratios, the range of those ratios, the
 * count kept and the count flagged (see BENCH_SLOW_FRACTION). When every repetition is
 * flagged they are all kept and a line on stdout says so. Repetitions of the same
 * `params` should differ only in time: fn is called with the same arg each time.
 */
int bench_measure(struct bench_ctx *ctx, const char *params, int threads, int reps,
		  bench_rep_fn fn, void *arg, const char *unit, const char *limit_unit,
		  char *err, size_t errlen);

/* One row of bench_measure_rows. */
struct bench_row {
	const char *params, *unit, *limit_unit;
};

/* As bench_measure, for `nrows` rows whose figures one repetition measures together
 * (fn fills rep[0..nrows) each call): they share the repetitions and their probes, so a
 * flagged repetition is left out of every row. */
int bench_measure_rows(struct bench_ctx *ctx, const struct bench_row *rows, int nrows,
		       int threads, int reps, bench_rep_fn fn, void *arg, char *err,
		       size_t errlen);

/* The row bench_measure writes for n repetitions and the probes before and after each
 * (exposed for the tests). 0, or -1 when n < 1 or a value is not finite and positive. */
struct bench_stats {
	double figure, limit, ratio, ratio_min, ratio_max;
	int kept, flagged;
	int all_slow; /* every repetition was flagged, so all were kept */
};
int bench_stats_of(const struct bench_rep *reps, const double *probe_before,
		   const double *probe_after, int n, struct bench_stats *st);

/* GB/s of a short copy (two 16 MiB arrays, best of a few passes) on `threads` threads:
 * the probe that bench_measure times beside each repetition. */
double bench_probe_gbs(int threads);

/* The copy limit for a kernel that runs on `threads` threads: the 1-thread figure for 1,
 * else the all-threads figure (an upper bound when 1 < threads < limits.threads). */
double bench_copy_limit_gbs(const struct bench_ctx *ctx, int threads);

/* 1 when `s` can be a CSV field as written: non-empty, printable ASCII, and no comma,
 * quote or line break (the CSV is never quoted, so such a field would corrupt it). */
int bench_field_ok(const char *s);

/* The table, NULL-terminated. */
const struct bench_case *const *bench_cases(void);

/*
 * Measure the limits, then run every case whose name or family equals `filter`, or
 * whose name matches it as a shell glob (fnmatch); NULL runs all. Creates results_dir
 * and results_dir/bench when missing (the parent must exist). Prints a table to stdout.
 * 0 when every selected case succeeded; -1 with a reason in err when `filter` selects
 * nothing, a folder cannot be made, or any case failed (the others still run and keep
 * their CSV; the failures are named in err and on stdout).
 */
int bench_run_all(const char *results_dir, const char *filter, char *err, size_t errlen);

#endif
