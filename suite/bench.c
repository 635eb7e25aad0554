/*
 * bench: the benchmark table and its runner (see bench.h). The runner measures the
 * limits once, then gives each case a context whose rows go to that case's CSV. The
 * first case, dgemv_stream, lives here because it belongs to no family: it is the
 * memory-bound core of a full-gradient step and the yardstick for the others.
 */
#include "suite/bench.h"
#include "suite/error.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>

#include "suite/calibrate.h"
#include "suite/paths.h"

static int dgemv_stream_run(struct bench_ctx *ctx, char *err, size_t errlen);

/*
 * ---- The benchmark table ----
 * To add a case: in your family's .c file define
 *     const struct bench_case <family>_<what>_bench = {
 *             .name = "...", .family = "...", .doc = "...", .run = <function>,
 *     };
 * whose run function verifies its kernel, times it, and calls bench_emit with a figure
 * and a limit from ctx->limits (or a baseline it measures itself); then declare it
 * below with `extern const struct bench_case <family>_<what>_bench;` and add its
 * address to bench_table. Names must be unique identifiers: they name the CSV file.
 */
static const struct bench_case dgemv_stream_bench = {
	.name = "dgemv_stream",
	.family = "kernels",
	.doc = "y = X^T r over a dense row-major X (cblas_dgemv): bytes of X read per "
	       "second / STREAM copy bandwidth at OpenBLAS's thread count, same run",
	.run = dgemv_stream_run,
};

extern const struct bench_case relaxed_structures_multiqueue_bench;
extern const struct bench_case relaxed_structures_multicounter_bench;
extern const struct bench_case kernels_topk_bench;
extern const struct bench_case kernels_qgemv_bench;
extern const struct bench_case relaxed_mis_bench;
extern const struct bench_case tl2_clock_bench;
extern const struct bench_case sparse_collectives_stream_bench;
extern const struct bench_case async_sgd_hogwild_bench;
extern const struct bench_case distillation_train_bench;

static const struct bench_case *const bench_table[] = {
	&dgemv_stream_bench,
	&relaxed_structures_multiqueue_bench,
	&relaxed_structures_multicounter_bench,
	&kernels_topk_bench,
	&kernels_qgemv_bench,
	&relaxed_mis_bench,
	&tl2_clock_bench,
	&sparse_collectives_stream_bench,
	&async_sgd_hogwild_bench,
	&distillation_train_bench,
	NULL,
};
/* ---- end of the table ---- */

/* As for STREAM in calibrate.c: a minimum count and a time window, best kept. */
#define BENCH_DGEMV_MIN_REPS 20
#define BENCH_DGEMV_MAX_REPS 500
#define BENCH_DGEMV_WINDOW_S 0.5

const struct bench_case *const *bench_cases(void)
{
	return bench_table;
}

int bench_field_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch > 0x7e || ch == ',' || ch == '"')
			return 0;
	}
	return 1;
}

int bench_emit(struct bench_ctx *ctx, const char *params, double figure, const char *unit,
	       double limit, const char *limit_unit, char *err, size_t errlen)
{
	const char *name = ctx->bcase->name;
	if (!bench_field_ok(params) || !bench_field_ok(unit) || !bench_field_ok(limit_unit))
		return rb_error(err, errlen, "%s: a CSV field is empty or holds a comma, "
				  "quote or control character", name);
	if (!isfinite(figure) || !isfinite(limit) || !(limit > 0.0))
		return rb_error(err, errlen, "%s: figure %g or limit %g is not a finite "
				  "measurement", name, figure, limit);
	double ratio = figure / limit;
	if (fprintf(ctx->csv, "%s,%s,%.6g,%s,%.6g,%s,%.4f\n", name, params, figure, unit,
		    limit, limit_unit, ratio) < 0)
		return rb_error(err, errlen, "%s: cannot write the CSV: %s", name,
				  strerror(errno));
	ctx->rows++;
	printf("%-16s %-34s %10.4g %-7s %10.4g %-7s %7.3f\n", name, params, figure, unit,
	       limit, limit_unit, ratio);
	fflush(stdout);
	return 0;
}

double bench_copy_limit_gbs(const struct bench_ctx *ctx, int threads)
{
	return threads == 1 ? ctx->limits.copy_gbs_1t : ctx->limits.copy_gbs;
}

/* ---- dgemv_stream ---- */

/* Multiples of 1/32 and 1/8 in [-1, 1]: every product and every partial sum is exact in
 * double for the sizes used, so BLAS and the reference must agree to the last bit
 * whatever their summation order; the tolerance below is only a safety margin. */
static double dgemv_x_value(size_t i, size_t j)
{
	return (double)((long)((i * 31 + j * 17) % 64) - 32) / 32.0;
}

static double dgemv_r_value(size_t i)
{
	return (double)((long)((i * 7) % 16) - 8) / 8.0;
}

static void dgemv_fill(double *x, double *r, size_t rows, size_t cols)
{
#pragma omp parallel for schedule(static)
	for (size_t i = 0; i < rows; i++) {
		for (size_t j = 0; j < cols; j++)
			x[i * cols + j] = dgemv_x_value(i, j);
		r[i] = dgemv_r_value(i);
	}
}

/* Sequential reference y = X^T r, one pass over X in storage order. */
static void dgemv_reference(const double *x, const double *r, size_t rows, size_t cols,
			    double *y)
{
	memset(y, 0, cols * sizeof(double));
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++)
			y[j] += x[i * cols + j] * r[i];
}

static void dgemv_blas(const double *x, const double *r, size_t rows, size_t cols,
		       double *y)
{
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)cols, 1.0, x, (int)cols, r, 1,
		    0.0, y, 1);
}

static int dgemv_verify(const double *y, const double *ref, size_t rows, size_t cols)
{
	double tol = 1e-12 * (double)rows;
	for (size_t j = 0; j < cols; j++)
		if (!(fabs(y[j] - ref[j]) <= tol))
			return -1;
	return 0;
}

static double dgemv_best_time(const double *x, const double *r, size_t rows, size_t cols,
			      double *y)
{
	double best = INFINITY, start = calib_now();
	for (int rep = 0; rep < BENCH_DGEMV_MAX_REPS; rep++) {
		if (rep >= BENCH_DGEMV_MIN_REPS && calib_now() - start >= BENCH_DGEMV_WINDOW_S)
			break;
		double t0 = calib_now();
		dgemv_blas(x, r, rows, cols, y);
		double t = calib_now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

/* Verify (the first, untimed call also warms OpenBLAS up), time, emit one row. */
static int dgemv_measure(struct bench_ctx *ctx, const double *x, const double *r,
			 size_t rows, size_t cols, double *y, double *ref, char *err,
			 size_t errlen)
{
	dgemv_reference(x, r, rows, cols, ref);
	dgemv_blas(x, r, rows, cols, y);
	if (dgemv_verify(y, ref, rows, cols) != 0)
		return rb_error(err, errlen, "dgemv_stream: cblas_dgemv differs from the "
				  "sequential reference (rows=%zu cols=%zu)", rows, cols);
	double t = dgemv_best_time(x, r, rows, cols, y);
	double gbs = (double)(rows * cols * sizeof(double)) / t / 1e9;
	char params[96];
	snprintf(params, sizeof(params), "rows=%zu;cols=%zu;threads=%d", rows, cols,
		 ctx->limits.blas_threads);
	double limit = bench_copy_limit_gbs(ctx, ctx->limits.blas_threads);
	return bench_emit(ctx, params, gbs, "GB/s", limit, "GB/s", err, errlen);
}

static int dgemv_stream_shape(struct bench_ctx *ctx, size_t cols, char *err, size_t errlen)
{
	size_t rows = ctx->limits.stream_bytes / (cols * sizeof(double));
	if (rows == 0 || rows > INT_MAX)
		return rb_error(err, errlen, "dgemv_stream: %zu rows is out of range", rows);
	double *x = malloc(rows * cols * sizeof(double)), *r = malloc(rows * sizeof(double));
	double *y = malloc(cols * sizeof(double)), *ref = malloc(cols * sizeof(double));
	int rc;
	if (!x || !r || !y || !ref)
		rc = rb_error(err, errlen, "dgemv_stream: cannot allocate %zu MiB",
				rows * cols * sizeof(double) >> 20);
	else {
		dgemv_fill(x, r, rows, cols);
		rc = dgemv_measure(ctx, x, r, rows, cols, y, ref, err, errlen);
	}
	free(x);
	free(r);
	free(y);
	free(ref);
	return rc;
}

/* The logistic-regression full gradient is X^T (sigma(Xw) - y): with few features the
 * X^T r product streams X once and does 2 flops per 8 bytes, so memory bandwidth, not
 * arithmetic, is its limit. Two widths show whether OpenBLAS keeps streaming speed when
 * the output vector is short. */
static int dgemv_stream_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	static const size_t widths[] = {128, 256};
	for (size_t k = 0; k < sizeof(widths) / sizeof(widths[0]); k++)
		if (dgemv_stream_shape(ctx, widths[k], err, errlen) != 0)
			return -1;
	return 0;
}

/* ---- runner ---- */

static int bench_selected(const struct bench_case *c, const char *filter)
{
	if (!filter)
		return 1;
	return strcmp(c->name, filter) == 0 || strcmp(c->family, filter) == 0
	       || fnmatch(filter, c->name, 0) == 0;
}

static int bench_count_selected(const char *filter)
{
	int n = 0;
	for (const struct bench_case *const *c = bench_table; *c; c++)
		n += bench_selected(*c, filter);
	return n;
}

static int bench_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return rb_error(err, errlen, "cannot create %s: %s", path, strerror(errno));
}

/* Copy at 1 and all threads (OpenMP), then sgemm last: OpenBLAS's workers spin after
 * a call and would slow the OpenMP copy down on a small machine. */
static int bench_measure_limits(struct bench_limits *lim, char *err, size_t errlen)
{
	lim->threads = omp_get_max_threads();
	lim->blas_threads = openblas_get_num_threads();
	lim->stream_bytes = calib_stream_array_bytes();
	lim->copy_gbs_1t = calib_copy_bandwidth_gbs(1);
	lim->copy_gbs = calib_copy_bandwidth_gbs(lim->threads);
	lim->sgemm_gflops = calib_sgemm_gflops();
	if (!(lim->copy_gbs_1t > 0 && lim->copy_gbs > 0 && lim->sgemm_gflops > 0))
		return rb_error(err, errlen, "bench: measuring the limits failed (out of "
				  "memory for %zu MiB arrays?)", lim->stream_bytes >> 20);
	return 0;
}

static int bench_save_limits(const char *bench_dir, const struct bench_limits *lim,
			     char *err, size_t errlen)
{
	json_t *obj = json_pack("{s:i, s:i, s:f, s:f, s:f, s:I}",
				"threads_all", lim->threads, "sgemm_threads", lim->blas_threads,
				"copy_gbs_all", lim->copy_gbs, "copy_gbs_1t", lim->copy_gbs_1t,
				"sgemm_gflops", lim->sgemm_gflops,
				"stream_array_bytes", (json_int_t)lim->stream_bytes);
	if (!obj)
		return rb_error(err, errlen, "bench: out of memory");
	int rc = calib_save_as(bench_dir, "limits.json", obj, err, errlen);
	json_decref(obj);
	return rc;
}

static int bench_run_case(struct bench_ctx *ctx, const char *bench_dir, char *err,
			  size_t errlen)
{
	const char *name = ctx->bcase->name;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	if (snprintf(path, sizeof(path), "%s/%s.csv", bench_dir, name) >= (int)sizeof(path))
		return rb_error(err, errlen, "%s: path too long", name);
	/* Rows gather in memory and the file appears whole, or not at all if the case fails. */
	ctx->csv = open_memstream(&text, &len);
	if (!ctx->csv)
		return rb_error(err, errlen, "%s: out of memory", name);
	fputs("case,params,figure,unit,limit,limit_unit,ratio\n", ctx->csv);
	ctx->rows = 0;
	int rc = ctx->bcase->run(ctx, err, errlen);
	if (rc == 0 && ctx->rows == 0)
		rc = rb_error(err, errlen, "%s: emitted no row", name);
	fclose(ctx->csv);
	ctx->csv = NULL;
	if (rc == 0)
		rc = rb_write_file_atomic(path, text, len, err, errlen);
	free(text);
	return rc == 0 ? 0 : -1;
}

static void bench_print_header(const struct bench_limits *lim)
{
	printf("limits: copy %.2f GB/s (1 thread), %.2f GB/s (%d threads); "
	       "sgemm %.1f GFLOP/s (%d BLAS threads)\n",
	       lim->copy_gbs_1t, lim->copy_gbs, lim->threads, lim->sgemm_gflops,
	       lim->blas_threads);
	printf("%-16s %-34s %10s %-7s %10s %-7s %7s\n", "case", "params", "figure", "unit",
	       "limit", "unit", "ratio");
}

/* Run the selected cases; the first failure's message stays in err. */
static int bench_run_selected(struct bench_ctx *ctx, const char *bench_dir,
			      const char *filter, char *err, size_t errlen)
{
	int failed = 0, total = 0;
	char msg[512];
	for (const struct bench_case *const *c = bench_table; *c; c++) {
		if (!bench_selected(*c, filter))
			continue;
		total++;
		ctx->bcase = *c;
		if (bench_run_case(ctx, bench_dir, msg, sizeof(msg)) == 0)
			continue;
		printf("%-16s FAILED: %s\n", (*c)->name, msg);
		if (failed++ == 0)
			rb_error(err, errlen, "%s", msg);
	}
	if (failed == 0)
		return 0;
	/* Keep the first message, add the count in front. */
	snprintf(msg, sizeof(msg), "%s", err && errlen > 0 ? err : "");
	return rb_error(err, errlen, "%d of %d benchmark cases failed; first: %s", failed,
			  total, msg);
}

int bench_run_all(const char *results_dir, const char *filter, char *err, size_t errlen)
{
	if (bench_count_selected(filter) == 0)
		return rb_error(err, errlen, "no benchmark case matches '%s'", filter);
	char bench_dir[PATH_MAX];
	if (snprintf(bench_dir, sizeof(bench_dir), "%s/bench", results_dir) >= (int)sizeof(bench_dir))
		return rb_error(err, errlen, "%s: path too long", results_dir);
	if (bench_mkdir(results_dir, err, errlen) != 0 || bench_mkdir(bench_dir, err, errlen) != 0)
		return -1;
	struct bench_ctx ctx = {0};
	if (bench_measure_limits(&ctx.limits, err, errlen) != 0
	    || bench_save_limits(bench_dir, &ctx.limits, err, errlen) != 0)
		return -1;
	bench_print_header(&ctx.limits);
	return bench_run_selected(&ctx, bench_dir, filter, err, errlen);
}
