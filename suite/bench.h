/*
 * bench: `make bench` / `relaxbench bench`. A table of benchmark cases (suite/bench.c),
 * each of which measures kernels and emits rows of results_dir/bench/<case>.csv:
 *
 *   case,params,figure,unit,limit,limit_unit,ratio
 *
 * Every figure sits beside a limit measured in the same run (STREAM-like copy bandwidth,
 * sgemm peak, or a baseline the case measures itself) and the ratio figure/limit; a bare
 * time is never a result (DESIGN.md, "Performance"). The limits, with env_capture(), go
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
 * Emit one row for the running case: `params` is "key=value;key=value" (e.g.
 * "rows=131072;cols=128;threads=2"), `figure` in `unit`, `limit` in `limit_unit`; the
 * ratio figure/limit is computed here. Strings must satisfy bench_field_ok and numbers
 * must be finite with limit > 0, else -1 with a reason in err and nothing written.
 * Also prints the row to stdout.
 */
int bench_emit(struct bench_ctx *ctx, const char *params, double figure, const char *unit,
	       double limit, const char *limit_unit, char *err, size_t errlen);

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
