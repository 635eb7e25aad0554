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
	       "second / STREAM copy bandwidth at OpenBLAS's thread count, measured beside "
	       "it in each of the repetitions",
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
#define BENCH_DGEMV_WINDOW_S 0.2

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

/* Write one row: the CSV line and the stdout line. Fields and numbers checked here. */
static int bench_write_row(struct bench_ctx *ctx, const char *params, const char *unit,
			   const char *limit_unit, const struct bench_stats *st, char *err,
			   size_t errlen)
{
	const char *name = ctx->bcase->name;
	if (!bench_field_ok(params) || !bench_field_ok(unit) || !bench_field_ok(limit_unit))
		return rb_error(err, errlen, "%s: a CSV field is empty or holds a comma, "
				  "quote or control character", name);
	if (!isfinite(st->figure) || !isfinite(st->limit) || !(st->limit > 0.0))
		return rb_error(err, errlen, "%s: figure %g or limit %g is not a finite "
				  "measurement", name, st->figure, st->limit);
	if (fprintf(ctx->csv, "%s,%s,%.6g,%s,%.6g,%s,%.4f,%.4f,%.4f,%d,%d\n", name, params,
		    st->figure, unit, st->limit, limit_unit, st->ratio, st->ratio_min,
		    st->ratio_max, st->kept, st->flagged) < 0)
		return rb_error(err, errlen, "%s: cannot write the CSV: %s", name,
				  strerror(errno));
	ctx->rows++;
	printf("%-16s %-34s %10.4g %-7s %10.4g %-7s %7.3f [%.3f, %.3f] %d", name, params,
	       st->figure, unit, st->limit, limit_unit, st->ratio, st->ratio_min,
	       st->ratio_max, st->kept);
	if (st->flagged > 0)
		printf(" (%d flagged slow)", st->flagged);
	printf("\n");
	fflush(stdout);
	return 0;
}

int bench_emit(struct bench_ctx *ctx, const char *params, double figure, const char *unit,
	       double limit, const char *limit_unit, char *err, size_t errlen)
{
	double ratio = limit > 0.0 ? figure / limit : NAN;
	struct bench_stats st = { figure, limit, ratio, ratio, ratio, 1, 0, 0 };
	return bench_write_row(ctx, params, unit, limit_unit, &st, err, errlen);
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v); the mean of the middle two for even n. */
static double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int bench_reps_valid(const struct bench_rep *reps, const double *before,
			    const double *after, int n)
{
	if (n < 1)
		return 0;
	for (int i = 0; i < n; i++)
		if (!(isfinite(reps[i].figure) && reps[i].limit > 0.0 && isfinite(reps[i].limit)
		      && before[i] > 0.0 && after[i] > 0.0))
			return 0;
	return 1;
}

/* The probe speed of the machine's fast mode: the upper quartile of the row's probes, so
 * that one probe that ran unusually fast (a quiet millisecond) does not flag the rest. */
static double bench_fast_probe(const double *before, const double *after, int n)
{
	double *v = malloc(2 * (size_t)n * sizeof(double));
	if (!v)
		return 0.0;
	memcpy(v, before, (size_t)n * sizeof(double));
	memcpy(v + n, after, (size_t)n * sizeof(double));
	qsort(v, 2 * (size_t)n, sizeof(double), bench_cmp_double);
	double fast = v[(3 * (2 * n - 1)) / 4];
	free(v);
	return fast;
}

/* Mark each repetition whose probe before or after ran below BENCH_SLOW_FRACTION of the
 * fast mode's probe speed; returns the number marked. */
static int bench_flag_slow(const double *before, const double *after, int n, int *slow)
{
	double fast = bench_fast_probe(before, after, n);
	int flagged = 0;
	for (int i = 0; i < n; i++) {
		double low = fmin(before[i], after[i]);
		slow[i] = low < BENCH_SLOW_FRACTION * fast;
		flagged += slow[i];
	}
	return flagged;
}

int bench_stats_of(const struct bench_rep *reps, const double *probe_before,
		   const double *probe_after, int n, struct bench_stats *st)
{
	if (!bench_reps_valid(reps, probe_before, probe_after, n))
		return -1;
	int *slow = malloc((size_t)n * sizeof(int));
	double *v = malloc(3 * (size_t)n * sizeof(double));
	if (!slow || !v) {
		free(slow);
		free(v);
		return -1;
	}
	int flagged = bench_flag_slow(probe_before, probe_after, n, slow);
	/* All slow: nothing to compare them against, so the row keeps them all. */
	int keep_all = flagged == n;
	double *fig = v, *lim = v + n, *rat = v + 2 * n;
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (slow[i] && !keep_all)
			continue;
		fig[k] = reps[i].figure;
		lim[k] = reps[i].limit;
		rat[k] = reps[i].figure / reps[i].limit;
		k++;
	}
	st->figure = bench_median(fig, k);
	st->limit = bench_median(lim, k);
	st->ratio = bench_median(rat, k);
	st->ratio_min = rat[0];
	st->ratio_max = rat[k - 1];
	st->kept = k;
	st->flagged = keep_all ? 0 : flagged;
	st->all_slow = keep_all;
	free(slow);
	free(v);
	return 0;
}

/* ---- the probe ---- */

#define BENCH_PROBE_BYTES ((size_t)16 << 20)
#define BENCH_PROBE_PASSES 4

static double bench_probe_pass(double *dst, const double *src, size_t n, int threads)
{
	double t0 = calib_now();
#pragma omp parallel for num_threads(threads) schedule(static)
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	return calib_now() - t0;
}

double bench_probe_gbs(int threads)
{
	size_t n = BENCH_PROBE_BYTES / sizeof(double);
	double *a = malloc(BENCH_PROBE_BYTES), *b = malloc(BENCH_PROBE_BYTES);
	double best = INFINITY;
	if (a && b) {
		for (size_t i = 0; i < n; i++)
			a[i] = (double)i;
		/* The first pass faults b's pages in; the best of the rest is the figure. */
		for (int p = 0; p <= BENCH_PROBE_PASSES; p++) {
			double t = bench_probe_pass(b, a, n, threads);
			if (p > 0 && t < best)
				best = t;
		}
	}
	free(a);
	free(b);
	return isfinite(best) && best > 0.0 ? 2.0 * (double)BENCH_PROBE_BYTES / best / 1e9 : 0.0;
}

/* Repetition i of row k is r[i * nrows + k]; gather row k's into one array. */
static int bench_row_stats(const struct bench_rep *r, int nrows, int k, const double *probe,
			   int reps, struct bench_rep *tmp, struct bench_stats *st)
{
	for (int i = 0; i < reps; i++)
		tmp[i] = r[i * nrows + k];
	return bench_stats_of(tmp, probe, probe + reps, reps, st);
}

static int bench_write_rows(struct bench_ctx *ctx, const struct bench_row *rows, int nrows,
			    const struct bench_rep *r, const double *probe, int reps,
			    char *err, size_t errlen)
{
	const char *name = ctx->bcase->name;
	struct bench_rep *tmp = calloc((size_t)reps, sizeof(*tmp));
	int rc = tmp ? 0 : rb_error(err, errlen, "%s: out of memory", name);
	for (int k = 0; rc == 0 && k < nrows; k++) {
		struct bench_stats st;
		if (bench_row_stats(r, nrows, k, probe, reps, tmp, &st) != 0) {
			rc = rb_error(err, errlen, "%s (%s): a repetition or probe is not a "
					"finite, positive measurement", name, rows[k].params);
			break;
		}
		/* The flags depend on the probes only: the same for every row. */
		if (st.all_slow && k == 0)
			printf("%-16s every repetition had a slow probe beside it; all kept\n",
			       name);
		rc = bench_write_row(ctx, rows[k].params, rows[k].unit, rows[k].limit_unit, &st,
				     err, errlen);
	}
	free(tmp);
	return rc;
}

int bench_measure_rows(struct bench_ctx *ctx, const struct bench_row *rows, int nrows,
		       int threads, int reps, bench_rep_fn fn, void *arg, char *err,
		       size_t errlen)
{
	const char *name = ctx->bcase->name;
	if (reps < BENCH_MIN_REPS)
		return rb_error(err, errlen, "%s: %d repetitions; a row needs at least %d", name,
				  reps, BENCH_MIN_REPS);
	if (nrows < 1)
		return rb_error(err, errlen, "%s: no row to measure", name);
	struct bench_rep *r = calloc((size_t)reps * (size_t)nrows, sizeof(*r));
	double *probe = calloc(2 * (size_t)reps, sizeof(double));
	int rc = r && probe ? 0 : rb_error(err, errlen, "%s: out of memory", name);
	for (int i = 0; rc == 0 && i < reps; i++) {
		probe[i] = bench_probe_gbs(threads);
		rc = fn(arg, &r[(size_t)i * (size_t)nrows], err, errlen);
		probe[reps + i] = bench_probe_gbs(threads);
	}
	if (rc == 0)
		rc = bench_write_rows(ctx, rows, nrows, r, probe, reps, err, errlen);
	free(r);
	free(probe);
	return rc;
}

int bench_measure(struct bench_ctx *ctx, const char *params, int threads, int reps,
		  bench_rep_fn fn, void *arg, const char *unit, const char *limit_unit,
		  char *err, size_t errlen)
{
	struct bench_row row = { params, unit, limit_unit };
	return bench_measure_rows(ctx, &row, 1, threads, reps, fn, arg, err, errlen);
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

struct dgemv_rep_arg {
	const double *x, *r;
	size_t rows, cols, stream_bytes;
	double *y;
	int threads;
};

/* One repetition: dgemv's read bandwidth, then STREAM copy on as many threads beside it. */
static int dgemv_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct dgemv_rep_arg *a = arg;
	(void)err;
	(void)errlen;
	double t = dgemv_best_time(a->x, a->r, a->rows, a->cols, a->y);
	rep->figure = (double)(a->rows * a->cols * sizeof(double)) / t / 1e9;
	rep->limit = calib_copy_bandwidth_gbs_sized(a->threads, a->stream_bytes);
	return 0;
}

/* Verify (the first, untimed call also warms OpenBLAS up), then the repetitions. */
static int dgemv_measure(struct bench_ctx *ctx, const double *x, const double *r,
			 size_t rows, size_t cols, double *y, double *ref, char *err,
			 size_t errlen)
{
	dgemv_reference(x, r, rows, cols, ref);
	dgemv_blas(x, r, rows, cols, y);
	if (dgemv_verify(y, ref, rows, cols) != 0)
		return rb_error(err, errlen, "dgemv_stream: cblas_dgemv differs from the "
				  "sequential reference (rows=%zu cols=%zu)", rows, cols);
	int threads = ctx->limits.blas_threads;
	struct dgemv_rep_arg a = { x, r, rows, cols, ctx->limits.stream_bytes, y, threads };
	char params[96];
	snprintf(params, sizeof(params), "rows=%zu;cols=%zu;threads=%d", rows, cols, threads);
	return bench_measure(ctx, params, threads, BENCH_MIN_REPS, dgemv_rep, &a, "GB/s",
			     "copy_GB/s", err, errlen);
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
	fputs("case,params,figure,unit,limit,limit_unit,ratio,ratio_min,ratio_max,reps,flagged\n",
	      ctx->csv);
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
	printf("%-16s %-34s %10s %-7s %10s %-7s %7s %s %s\n", "case", "params", "figure",
	       "unit", "limit", "unit", "ratio", "[min, max]", "reps");
	printf("(figure, limit, ratio: medians over the repetitions kept; a repetition with "
	       "a probe below %.0f%% of the row's fast-mode probe (upper quartile) beside it is flagged and left out)\n",
	       100.0 * BENCH_SLOW_FRACTION);
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
