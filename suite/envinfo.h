/*
 * envinfo: a JSON description of the machine and the build, recorded in every run.json,
 * in calibration.json and in the report, so that numbers are only ever compared like
 * with like (DESIGN.md, "Runs and results"; benchopt records the same per result row).
 * Everything here is cheap: no timing, only uname, sysconf, /proc and /sys reads.
 */
#ifndef ENVINFO_H
#define ENVINFO_H

#include <jansson.h>

/*
 * The environment object (new reference; NULL only when out of memory):
 *   hostname         string
 *   os               {sysname, release, machine}: strings from uname(2)
 *   cpu_model        string, "unknown" when /proc/cpuinfo has no "model name"
 *   logical_cpus     integer, online logical CPUs
 *   memory_bytes     integer, physical memory
 *   llc_bytes        integer, the sum of all distinct L3 caches, 0 when unknown
 *   compiler         {name: "gcc"|"clang"|"unknown", version: __VERSION__}
 *   build_flags      string, only when the build defined RB_CFLAGS
 *   git_rev          string, RB_GIT_REV from the Makefile, "unknown" otherwise
 *   openblas_config  string, openblas_get_config()
 *   openblas_threads integer, openblas_get_num_threads()
 *   omp_max_threads  integer, omp_get_max_threads()
 *   env_vars         object: OMP_NUM_THREADS, OMP_PROC_BIND, OMP_PLACES,
 *                    OPENBLAS_NUM_THREADS, each present only when set
 *   libraries        {sqlite3, libyaml, jansson}: version strings
 */
json_t *env_capture(void);

/* The CPU's "model name" from /proc/cpuinfo; malloc'd, the caller frees. "unknown" when
 * the file or the line is missing; NULL only when out of memory. */
char *env_cpu_model(void);
/* The same from another file, so that tests can feed a fixture. */
char *env_cpu_model_from(const char *cpuinfo_path);

/* Bytes of last-level (L3) cache on the whole machine, each shared instance counted once,
 * from /sys/devices/system/cpu; 0 when unknown. sysconf(_SC_LEVEL3_CACHE_SIZE) is not
 * used first because under some hypervisors it reports ten times the real size. */
long long env_llc_bytes(void);

/* "gcc", "clang" or "unknown": the compiler that built this file. */
const char *env_compiler_name(void);

#endif
