/*
 * calibrate: the machine's own limits, measured so that every figure in the report and in
 * `make bench` is a ratio to something measured on the same machine (DESIGN.md,
 * "Runs and results" and "Performance"):
 *   - STREAM-like copy and triad bandwidth (McCalpin, "Memory Bandwidth and Machine
 *     Balance", 1995): bytes counted as STREAM counts them (copy 16 B, triad 24 B per
 *     element, write-allocate traffic not counted), best of several repetitions, each
 *     array at least 4x the machine's total last-level cache;
 *   - CBLAS sgemm GFLOP/s at OpenBLAS's thread count (2 n^3 flops per call);
 *   - the increment rate of one shared C11 atomic counter (relaxed fetch_add on one
 *     cache line), the ceiling for the counter-based structures.
 * `relaxbench calibrate` runs calib_measure and calib_save; benchmarks call the single
 * measurements directly to get their limit in the same run.
 */
#ifndef CALIBRATE_H
#define CALIBRATE_H

#include <stddef.h>

#include <jansson.h>

/*
 * Measure everything at 1 thread and at max_threads (<= 0: omp_get_max_threads()); about
 * 6 s on a 2-core machine. Returns a new object
 *   {copy_gbs_1t, copy_gbs_all, triad_gbs_1t, triad_gbs_all, sgemm_gflops,
 *    atomic_incr_per_s_1t, atomic_incr_per_s_all, threads_all, measured_at,
 *    stream_array_bytes, sgemm_n, sgemm_threads}
 * (measured_at is ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"), or NULL with a reason in
 * err when memory for the arrays could not be had.
 */
json_t *calib_measure(int max_threads, char *err, size_t errlen);

/* Write results_dir/calibration.json atomically (temporary file in the same folder,
 * fsync, rename): `calib` plus env_capture() under "env". The folder must exist. 0, or -1
 * with a reason in err and no file left behind. `calib` is not modified. */
int calib_save(const char *results_dir, json_t *calib, char *err, size_t errlen);
/* The same under another file name in `dir` (bench writes bench/limits.json). */
int calib_save_as(const char *dir, const char *name, json_t *obj, char *err, size_t errlen);
/* results_dir/calibration.json as saved, or NULL when absent or not a JSON object. */
json_t *calib_load(const char *results_dir);

/* Bytes per STREAM array: 4x the total last-level cache, at least 64 MiB, at most 1 GiB
 * and at most 1/16 of physical memory. Benchmarks size memory-bound working sets by it. */
size_t calib_stream_array_bytes(void);

/*
 * Single measurements. `threads` <= 0 means omp_get_max_threads(). Each returns 0 when
 * its arguments are out of range or its memory could not be allocated, so a caller
 * checks `> 0` before dividing by it.
 */
/* STREAM copy c[i] = a[i] at calib_stream_array_bytes() per array, GB/s (1e9 B/s). */
double calib_copy_bandwidth_gbs(int threads);
/* The same with `bytes_per_array` (at least 8); small sizes measure a cache, not DRAM. */
double calib_copy_bandwidth_gbs_sized(int threads, size_t bytes_per_array);
/* STREAM triad a[i] = b[i] + s * c[i], GB/s. */
double calib_triad_bandwidth_gbs_sized(int threads, size_t bytes_per_array);
/* cblas_sgemm on n x n matrices after one untimed call: best of at least 3 calls and
 * of as many as fit in 1 s (at most 20), GFLOP/s. */
double calib_sgemm_gflops_sized(int n);
/* n = 2048: large enough that OpenBLAS reaches its plateau on one socket. */
double calib_sgemm_gflops(void);
/* Relaxed atomic_fetch_add on one shared counter by `threads` threads for about
 * `seconds` (> 0), best of 3; total increments per second. */
double calib_atomic_incr_per_s(int threads, double seconds);

/* Seconds on CLOCK_MONOTONIC, to the nanosecond. Not omp_get_wtime(): LLVM's libomp,
 * which clang links, answers it only to the microsecond. */
double calib_now(void);

#endif
