/*
 * calibrate: STREAM-like bandwidth, sgemm peak and shared-counter rate (see calibrate.h).
 *
 * Each measurement allocates its own memory and first-touches it with the threads that
 * will use it, so that on a NUMA machine the pages lie where those threads run (as
 * STREAM's parallel initialisation does). The best of several repetitions is kept: the
 * limit is what the machine can do, and slower repetitions are interference.
 * Order in calib_measure matters: OpenBLAS (pthreads build) keeps its workers spinning for
 * a while after a call, which would steal cores from the OpenMP measurements, so sgemm
 * runs last.
 */
#include "suite/calibrate.h"
#include "suite/error.h"
#include "suite/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "suite/envinfo.h"

#define CALIB_MIB ((size_t)1 << 20)
/* STREAM's rule: each array at least 4x all caches; the floor covers an unknown LLC, the
 * ceiling keeps the run to seconds on machines with huge caches. */
#define CALIB_STREAM_MIN_BYTES (64 * CALIB_MIB)
#define CALIB_STREAM_MAX_BYTES (1024 * CALIB_MIB)
/* At least STREAM's NTIMES repetitions, and more until half a second has passed: on a
 * shared machine (a VM, a busy node) another tenant's burst can cover a few consecutive
 * repetitions, and a longer window makes it likelier that one of them ran undisturbed. */
#define CALIB_STREAM_MIN_REPS 10
#define CALIB_STREAM_MAX_REPS 200
#define CALIB_STREAM_WINDOW_S 0.5
#define CALIB_ALIGN 4096
#define CALIB_TRIAD_SCALAR 3.0
#define CALIB_SGEMM_N 2048
/* As for STREAM: a few calls at least, more until a second has passed. */
#define CALIB_SGEMM_MIN_REPS 3
#define CALIB_SGEMM_MAX_REPS 20
#define CALIB_SGEMM_WINDOW_S 1.0
#define CALIB_ATOMIC_REPS 3
#define CALIB_ATOMIC_SECONDS 0.25
/* Increments between two looks at the clock and the stop flag: large enough that the
 * looks cost nothing, small enough that stopping takes microseconds. */
#define CALIB_ATOMIC_BATCH 1024

/* The STREAM loops, split statically over `threads` (a variable in scope at each use).
 * gcc -O2 vectorizes them only when asked (its cheap cost model adds no alias checks);
 * clang vectorizes them unasked, and under the sanitizers turns an unmet simd request
 * into an error (-Wpass-failed), so it is not asked. */
#if defined(__clang__)
#define STREAM_PARALLEL_FOR _Pragma("omp parallel for schedule(static) num_threads(threads)")
#else
#define STREAM_PARALLEL_FOR \
	_Pragma("omp parallel for simd schedule(static) num_threads(threads)")
#endif

enum stream_kernel { STREAM_COPY, STREAM_TRIAD };

/* The counter and the stop flag on separate cache lines, so that reading the flag does
 * not add to the traffic on the line being measured. */
struct calib_counter {
	alignas(64) atomic_llong count;
	alignas(64) atomic_bool stop;
};

double calib_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int calib_threads(int threads)
{
	return threads > 0 ? threads : omp_get_max_threads();
}

static double *stream_alloc(size_t n)
{
	size_t bytes = n * sizeof(double);
	bytes = (bytes + CALIB_ALIGN - 1) / CALIB_ALIGN * CALIB_ALIGN;
	return aligned_alloc(CALIB_ALIGN, bytes);
}

/* First touch by the same threads and the same static schedule as the kernels. */
static void stream_fill(double *x, size_t n, double value, int threads)
{
STREAM_PARALLEL_FOR
	for (size_t i = 0; i < n; i++)
		x[i] = value;
}

static void stream_copy(double *restrict c, const double *restrict a, size_t n, int threads)
{
STREAM_PARALLEL_FOR
	for (size_t i = 0; i < n; i++)
		c[i] = a[i];
}

static void stream_triad(double *restrict a, const double *restrict b,
			 const double *restrict c, size_t n, int threads)
{
STREAM_PARALLEL_FOR
	for (size_t i = 0; i < n; i++)
		a[i] = b[i] + CALIB_TRIAD_SCALAR * c[i];
}

static double stream_best_time(enum stream_kernel k, double *a, double *b, double *c,
			       size_t n, int threads)
{
	double best = INFINITY, start = calib_now();
	for (int rep = 0; rep < CALIB_STREAM_MAX_REPS; rep++) {
		if (rep >= CALIB_STREAM_MIN_REPS && calib_now() - start >= CALIB_STREAM_WINDOW_S)
			break;
		double t0 = calib_now();
		if (k == STREAM_COPY)
			stream_copy(c, a, n, threads);
		else
			stream_triad(a, b, c, n, threads);
		double t = calib_now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

/* The last element holds what the kernel must have written (a = 1, b = 2, c = 0): a
 * kernel the compiler dropped, or a wrong one, yields no figure. */
static bool stream_verify(enum stream_kernel k, const double *a, const double *c, size_t n)
{
	if (k == STREAM_COPY)
		return c[n - 1] == 1.0;
	return a[n - 1] == 2.0 + CALIB_TRIAD_SCALAR * 0.0;
}

/* GB/s as STREAM counts it: copy reads a and writes c (2 arrays), triad reads b and c
 * and writes a (3 arrays). */
static double stream_gbs(enum stream_kernel k, int threads, size_t bytes_per_array)
{
	size_t n = bytes_per_array / sizeof(double);
	if (n == 0)
		return 0.0;
	threads = calib_threads(threads);
	int narrays = k == STREAM_COPY ? 2 : 3;
	double *a = stream_alloc(n), *c = stream_alloc(n);
	double *b = k == STREAM_TRIAD ? stream_alloc(n) : NULL;
	double gbs = 0.0;
	if (a && c && (b || k == STREAM_COPY)) {
		stream_fill(a, n, 1.0, threads);
		stream_fill(c, n, 0.0, threads);
		if (b)
			stream_fill(b, n, 2.0, threads);
		double t = stream_best_time(k, a, b, c, n, threads);
		if (t > 0.0 && stream_verify(k, a, c, n))
			gbs = (double)narrays * (double)(n * sizeof(double)) / t / 1e9;
	}
	free(a);
	free(b);
	free(c);
	return gbs;
}

size_t calib_stream_array_bytes(void)
{
	long long llc = env_llc_bytes();
	size_t bytes = llc > 0 ? 4 * (size_t)llc : 0;
	if (bytes < CALIB_STREAM_MIN_BYTES)
		bytes = CALIB_STREAM_MIN_BYTES;
	if (bytes > CALIB_STREAM_MAX_BYTES)
		bytes = CALIB_STREAM_MAX_BYTES;
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	size_t memory = pages > 0 && page_size > 0 ? (size_t)pages * (size_t)page_size : 0;
	if (memory > 0 && bytes > memory / 16)
		bytes = memory / 16;
	return bytes / CALIB_ALIGN * CALIB_ALIGN;
}

double calib_copy_bandwidth_gbs_sized(int threads, size_t bytes_per_array)
{
	return stream_gbs(STREAM_COPY, threads, bytes_per_array);
}

double calib_triad_bandwidth_gbs_sized(int threads, size_t bytes_per_array)
{
	return stream_gbs(STREAM_TRIAD, threads, bytes_per_array);
}

double calib_copy_bandwidth_gbs(int threads)
{
	return calib_copy_bandwidth_gbs_sized(threads, calib_stream_array_bytes());
}

static void sgemm_fill(float *x, size_t nn, unsigned mod, float scale)
{
	for (size_t i = 0; i < nn; i++)
		x[i] = (float)(i % mod) * scale;
}

static double sgemm_best_time(int n, const float *a, const float *b, float *c)
{
	/* The untimed first call starts OpenBLAS's threads and faults in its buffers. */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n,
		    0.0f, c, n);
	double best = INFINITY, start = calib_now();
	for (int rep = 0; rep < CALIB_SGEMM_MAX_REPS; rep++) {
		if (rep >= CALIB_SGEMM_MIN_REPS && calib_now() - start >= CALIB_SGEMM_WINDOW_S)
			break;
		double t0 = calib_now();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b,
			    n, 0.0f, c, n);
		double t = calib_now() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

double calib_sgemm_gflops_sized(int n)
{
	if (n <= 0 || n > 16384)
		return 0.0;
	size_t nn = (size_t)n * (size_t)n;
	float *a = malloc(nn * sizeof(float)), *b = malloc(nn * sizeof(float));
	float *c = calloc(nn, sizeof(float));
	double gflops = 0.0;
	if (a && b && c) {
		/* Small exact values: no overflow, no denormals to slow a core down. */
		sgemm_fill(a, nn, 13, 0.125f);
		sgemm_fill(b, nn, 7, 0.25f);
		double t = sgemm_best_time(n, a, b, c);
		if (t > 0.0)
			gflops = 2.0 * (double)n * (double)n * (double)n / t / 1e9;
	}
	free(a);
	free(b);
	free(c);
	return gflops;
}

double calib_sgemm_gflops(void)
{
	return calib_sgemm_gflops_sized(CALIB_SGEMM_N);
}

/* Relaxed increments in batches until the timekeeper (thread 0) sees the time is up.
 * Neither gcc nor clang merges consecutive atomic RMWs, so each is a locked add. */
static void atomic_hammer(struct calib_counter *ctr, bool timekeeper, double t0,
			  double seconds)
{
	while (!atomic_load_explicit(&ctr->stop, memory_order_relaxed)) {
		for (int k = 0; k < CALIB_ATOMIC_BATCH; k++)
			atomic_fetch_add_explicit(&ctr->count, 1, memory_order_relaxed);
		if (timekeeper && calib_now() - t0 >= seconds)
			atomic_store_explicit(&ctr->stop, true, memory_order_relaxed);
	}
}

static double atomic_rate_once(int threads, double seconds)
{
	struct calib_counter ctr;
	atomic_init(&ctr.count, 0);
	atomic_init(&ctr.stop, false);
	double t0 = 0.0;
#pragma omp parallel num_threads(threads)
	{
		/* The clock starts before the barrier, so no increment precedes it. */
#pragma omp master
		t0 = calib_now();
#pragma omp barrier
		atomic_hammer(&ctr, omp_get_thread_num() == 0, t0, seconds);
	}
	double elapsed = calib_now() - t0;
	long long count = atomic_load(&ctr.count);
	return elapsed > 0.0 ? (double)count / elapsed : 0.0;
}

double calib_atomic_incr_per_s(int threads, double seconds)
{
	if (!(seconds > 0.0))
		return 0.0;
	threads = calib_threads(threads);
	double best = 0.0;
	for (int rep = 0; rep < CALIB_ATOMIC_REPS; rep++) {
		double rate = atomic_rate_once(threads, seconds);
		if (rate > best)
			best = rate;
	}
	return best;
}

static void calib_utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "unknown");
}

struct calib_figures {
	double copy_1t, copy_all, triad_1t, triad_all, sgemm, atomic_1t, atomic_all;
};

static void calib_run_all(struct calib_figures *f, int threads, size_t bytes)
{
	f->copy_1t = calib_copy_bandwidth_gbs_sized(1, bytes);
	f->copy_all = calib_copy_bandwidth_gbs_sized(threads, bytes);
	f->triad_1t = calib_triad_bandwidth_gbs_sized(1, bytes);
	f->triad_all = calib_triad_bandwidth_gbs_sized(threads, bytes);
	f->atomic_1t = calib_atomic_incr_per_s(1, CALIB_ATOMIC_SECONDS);
	f->atomic_all = calib_atomic_incr_per_s(threads, CALIB_ATOMIC_SECONDS);
	f->sgemm = calib_sgemm_gflops();
}

json_t *calib_measure(int max_threads, char *err, size_t errlen)
{
	int threads = calib_threads(max_threads);
	size_t bytes = calib_stream_array_bytes();
	struct calib_figures f;
	calib_run_all(&f, threads, bytes);
	if (!(f.copy_1t > 0 && f.copy_all > 0 && f.triad_1t > 0 && f.triad_all > 0)) {
		rb_error(err, errlen, "calibrate: cannot allocate 3 arrays of %zu MiB for STREAM",
			   bytes / CALIB_MIB);
		return NULL;
	}
	if (!(f.sgemm > 0 && f.atomic_1t > 0 && f.atomic_all > 0)) {
		rb_error(err, errlen, "calibrate: sgemm or atomic counter measurement failed");
		return NULL;
	}
	char when[32];
	calib_utc_now(when, sizeof(when));
	json_t *out = json_pack(
		"{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:s, s:I, s:i, s:i}",
		"copy_gbs_1t", f.copy_1t, "copy_gbs_all", f.copy_all,
		"triad_gbs_1t", f.triad_1t, "triad_gbs_all", f.triad_all,
		"sgemm_gflops", f.sgemm,
		"atomic_incr_per_s_1t", f.atomic_1t, "atomic_incr_per_s_all", f.atomic_all,
		"threads_all", threads, "measured_at", when,
		"stream_array_bytes", (json_int_t)bytes,
		"sgemm_n", CALIB_SGEMM_N, "sgemm_threads", openblas_get_num_threads());
	if (!out)
		rb_error(err, errlen, "calibrate: out of memory");
	return out;
}

/* The saved document: a shallow copy of `obj` so the caller's object is not changed. */
static json_t *calib_document(json_t *obj)
{
	json_t *doc = json_copy(obj);
	json_t *env = env_capture();
	if (!doc || !env || json_object_set_new(doc, "env", env) != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int calib_write_atomic(const char *dir, const char *name, json_t *doc, char *err,
			      size_t errlen)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return rb_error(err, errlen, "%s/%s: path too long", dir, name);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text)
		return rb_error(err, errlen, "calibration: out of memory");
	int rc = rb_write_file_atomic(path, text, strlen(text), err, errlen);
	free(text);
	return rc;
}

int calib_save_as(const char *dir, const char *name, json_t *obj, char *err, size_t errlen)
{
	if (!json_is_object(obj))
		return rb_error(err, errlen, "calibration to save is not a JSON object");
	json_t *doc = calib_document(obj);
	if (!doc)
		return rb_error(err, errlen, "calibrate: out of memory");
	int rc = calib_write_atomic(dir, name, doc, err, errlen);
	json_decref(doc);
	return rc;
}

int calib_save(const char *results_dir, json_t *calib, char *err, size_t errlen)
{
	return calib_save_as(results_dir, "calibration.json", calib, err, errlen);
}

json_t *calib_load(const char *results_dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/calibration.json", results_dir) >= (int)sizeof(path))
		return NULL;
	json_t *doc = json_load_file(path, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
