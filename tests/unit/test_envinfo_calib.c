/*
 * Unit tests for suite/envinfo, suite/calibrate and the pieces of suite/bench that need
 * no full-size run: the environment's keys and types, the calibration file's round trip
 * and its refusal to leave debris, the single measurements at small sizes (values only,
 * never timing thresholds), and the CSV field rules.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/envinfo.h"

/* ---- helpers ---- */

static void make_tmpdir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/rb_test_calib_XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
}

/* Number of entries in `dir` other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void remove_tree_of_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char path[1024];
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static json_t *sample_calibration(void)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:i, s:s}",
			 "copy_gbs_1t", 12.345678901234567, "copy_gbs_all", 20.5,
			 "triad_gbs_1t", 13.25, "triad_gbs_all", 21.75,
			 "sgemm_gflops", 150.125,
			 "atomic_incr_per_s_1t", 1.5e8, "atomic_incr_per_s_all", 3.25e7,
			 "threads_all", 2, "measured_at", "2024-05-01T12:00:00Z");
}

static void assert_string_key(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	cr_assert(json_is_string(v), "%s should be a string", key);
	cr_assert_gt(strlen(json_string_value(v)), 0, "%s should not be empty", key);
}

static void assert_positive_integer_key(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	cr_assert(json_is_integer(v), "%s should be an integer", key);
	cr_assert_gt(json_integer_value(v), 0, "%s should be positive", key);
}

/* ---- envinfo ---- */

Test(envinfo, capture_has_the_required_keys_and_types)
{
	json_t *env = env_capture();
	cr_assert_not_null(env);
	const char *strings[] = {"hostname", "cpu_model", "git_rev", "openblas_config"};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		assert_string_key(env, strings[i]);
	const char *counts[] = {"logical_cpus", "memory_bytes", "openblas_threads",
				"omp_max_threads"};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		assert_positive_integer_key(env, counts[i]);
	cr_assert(json_is_integer(json_object_get(env, "llc_bytes")));
	json_t *os = json_object_get(env, "os");
	cr_assert(json_is_object(os));
	assert_string_key(os, "sysname");
	assert_string_key(os, "release");
	assert_string_key(os, "machine");
	json_t *libs = json_object_get(env, "libraries");
	cr_assert(json_is_object(libs));
	assert_string_key(libs, "sqlite3");
	assert_string_key(libs, "libyaml");
	cr_assert_str_eq(json_string_value(json_object_get(libs, "jansson")), JANSSON_VERSION);
	cr_assert(json_is_object(json_object_get(env, "env_vars")));
	json_decref(env);
}

Test(envinfo, compiler_names_the_compiler_of_this_build)
{
	json_t *env = env_capture();
	json_t *compiler = json_object_get(env, "compiler");
	cr_assert(json_is_object(compiler));
	assert_string_key(compiler, "version");
	const char *name = json_string_value(json_object_get(compiler, "name"));
	cr_assert_not_null(name);
	cr_assert(strcmp(name, "gcc") == 0 || strcmp(name, "clang") == 0, "got '%s'", name);
	cr_assert_str_eq(name, env_compiler_name());
	json_decref(env);
}

/* Criterion runs each test in its own process, so setenv does not leak. */
Test(envinfo, thread_variables_appear_only_when_set)
{
	setenv("OMP_PLACES", "cores", 1);
	unsetenv("OPENBLAS_NUM_THREADS");
	json_t *env = env_capture();
	json_t *vars = json_object_get(env, "env_vars");
	cr_assert_str_eq(json_string_value(json_object_get(vars, "OMP_PLACES")), "cores");
	cr_assert_null(json_object_get(vars, "OPENBLAS_NUM_THREADS"));
	json_decref(env);
}

Test(envinfo, omp_max_threads_follows_the_runtime)
{
	json_t *env = env_capture();
	cr_assert_eq(json_integer_value(json_object_get(env, "omp_max_threads")),
		     omp_get_max_threads());
	json_decref(env);
}

Test(envinfo, cpu_model_is_parsed_from_cpuinfo)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/cpuinfo", dir);
	write_file(path, "processor\t: 0\nvendor_id\t: Acme\nmodel name\t: Acme  Z-9000 @ 3.0GHz  \n"
			 "model name\t: second\n");
	char *model = env_cpu_model_from(path);
	cr_assert_str_eq(model, "Acme  Z-9000 @ 3.0GHz");
	free(model);
	write_file(path, "processor\t: 0\nmodel\t\t: 1\nmodel namex: no\n");
	model = env_cpu_model_from(path);
	cr_assert_str_eq(model, "unknown");
	free(model);
	remove_tree_of_files(dir);
	model = env_cpu_model_from(path);
	cr_assert_str_eq(model, "unknown", "a missing file gives 'unknown'");
	free(model);
}

Test(envinfo, cpu_model_of_this_machine_is_a_nonempty_string)
{
	char *model = env_cpu_model();
	cr_assert_not_null(model);
	cr_assert_gt(strlen(model), 0);
	free(model);
}

/* ---- calib_save / calib_load ---- */

Test(calibrate, save_then_load_round_trips_every_value)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	json_t *calib = sample_calibration();
	char err[256] = "";
	cr_assert_eq(calib_save(dir, calib, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(json_object_get(calib, "env"), "the caller's object is not changed");

	json_t *loaded = calib_load(dir);
	cr_assert_not_null(loaded);
	const char *key;
	json_t *value;
	json_object_foreach(calib, key, value)
		cr_assert(json_equal(value, json_object_get(loaded, key)), "%s differs", key);
	cr_assert_eq(json_real_value(json_object_get(loaded, "copy_gbs_1t")),
		     12.345678901234567, "reals keep every digit");
	json_t *env = json_object_get(loaded, "env");
	cr_assert(json_is_object(env));
	assert_string_key(env, "hostname");
	cr_assert_eq(count_entries(dir), 1, "only calibration.json, no temporary file");
	json_decref(loaded);
	json_decref(calib);
	remove_tree_of_files(dir);
}

Test(calibrate, save_replaces_an_earlier_file)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	json_t *first = json_pack("{s:f}", "copy_gbs_1t", 1.0);
	json_t *second = json_pack("{s:f}", "copy_gbs_1t", 2.0);
	char err[256] = "";
	cr_assert_eq(calib_save(dir, first, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(calib_save(dir, second, err, sizeof(err)), 0, "%s", err);
	json_t *loaded = calib_load(dir);
	cr_assert_eq(json_real_value(json_object_get(loaded, "copy_gbs_1t")), 2.0);
	cr_assert_eq(count_entries(dir), 1);
	json_decref(loaded);
	json_decref(first);
	json_decref(second);
	remove_tree_of_files(dir);
}

Test(calibrate, save_into_a_missing_directory_fails_and_creates_nothing)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/absent", dir);
	json_t *calib = sample_calibration();
	char err[256] = "";
	cr_assert_eq(calib_save(missing, calib, err, sizeof(err)), -1);
	cr_assert_gt(strlen(err), 0, "a reason is given");
	struct stat st;
	cr_assert_neq(stat(missing, &st), 0, "the directory is not created");
	cr_assert_eq(count_entries(dir), 0);
	json_decref(calib);
	remove_tree_of_files(dir);
}

Test(calibrate, save_under_a_regular_file_fails)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	char file[128];
	snprintf(file, sizeof(file), "%s/plain", dir);
	write_file(file, "x");
	json_t *calib = sample_calibration();
	char err[256] = "";
	cr_assert_eq(calib_save(file, calib, err, sizeof(err)), -1);
	cr_assert_gt(strlen(err), 0);
	cr_assert_eq(count_entries(dir), 1, "nothing but the plain file");
	json_decref(calib);
	remove_tree_of_files(dir);
}

/* /proc refuses new files even to root, unlike a chmod'ed directory. */
Test(calibrate, save_into_an_unwritable_directory_fails_and_leaves_no_file)
{
	json_t *calib = sample_calibration();
	char err[256] = "";
	cr_assert_eq(calib_save("/proc", calib, err, sizeof(err)), -1);
	cr_assert_gt(strlen(err), 0);
	struct stat st;
	cr_assert_neq(stat("/proc/calibration.json", &st), 0);
	json_decref(calib);
}

Test(calibrate, save_refuses_a_non_object)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	json_t *arr = json_array();
	char err[256] = "";
	cr_assert_eq(calib_save(dir, arr, err, sizeof(err)), -1);
	cr_assert_gt(strlen(err), 0);
	cr_assert_eq(count_entries(dir), 0);
	json_decref(arr);
	remove_tree_of_files(dir);
}

Test(calibrate, load_gives_null_for_absent_corrupt_or_non_object_files)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	cr_assert_null(calib_load(dir), "absent");
	char path[128];
	snprintf(path, sizeof(path), "%s/calibration.json", dir);
	write_file(path, "{\"copy_gbs_1t\": 1.0,");
	cr_assert_null(calib_load(dir), "truncated JSON");
	write_file(path, "[1, 2]");
	cr_assert_null(calib_load(dir), "an array, not an object");
	remove_tree_of_files(dir);
}

/* ---- single measurements at small sizes: values only, no timing thresholds ---- */

static void assert_positive_finite(double v, const char *what)
{
	cr_assert(isfinite(v) && v > 0.0, "%s = %g should be positive and finite", what, v);
}

Test(calibrate, copy_and_triad_give_positive_finite_bandwidth)
{
	assert_positive_finite(calib_copy_bandwidth_gbs_sized(1, 1 << 20), "copy 1t");
	assert_positive_finite(calib_copy_bandwidth_gbs_sized(2, 1 << 20), "copy 2t");
	assert_positive_finite(calib_triad_bandwidth_gbs_sized(1, 1 << 20), "triad 1t");
	assert_positive_finite(calib_triad_bandwidth_gbs_sized(2, 1 << 20), "triad 2t");
	/* An odd size: the last element is checked, so a short loop would show. */
	assert_positive_finite(calib_copy_bandwidth_gbs_sized(3, 8 * 1001), "copy odd");
	assert_positive_finite(calib_triad_bandwidth_gbs_sized(3, 8 * 1001), "triad odd");
}

Test(calibrate, stream_refuses_arrays_smaller_than_one_element)
{
	cr_assert_eq(calib_copy_bandwidth_gbs_sized(1, 4), 0.0);
	cr_assert_eq(calib_triad_bandwidth_gbs_sized(1, 0), 0.0);
}

Test(calibrate, sgemm_gives_positive_finite_gflops)
{
	assert_positive_finite(calib_sgemm_gflops_sized(64), "sgemm n=64");
	assert_positive_finite(calib_sgemm_gflops_sized(33), "sgemm n=33");
	cr_assert_eq(calib_sgemm_gflops_sized(0), 0.0);
	cr_assert_eq(calib_sgemm_gflops_sized(-5), 0.0);
}

Test(calibrate, atomic_counter_gives_positive_finite_rates)
{
	assert_positive_finite(calib_atomic_incr_per_s(1, 0.01), "atomic 1t");
	assert_positive_finite(calib_atomic_incr_per_s(2, 0.01), "atomic 2t");
	assert_positive_finite(calib_atomic_incr_per_s(4, 0.01), "atomic 4t, oversubscribed");
	cr_assert_eq(calib_atomic_incr_per_s(1, 0.0), 0.0);
	cr_assert_eq(calib_atomic_incr_per_s(1, NAN), 0.0);
}

Test(calibrate, stream_array_size_is_page_aligned_and_bounded)
{
	size_t bytes = calib_stream_array_bytes();
	cr_assert_gt(bytes, 0);
	cr_assert_eq(bytes % 4096, 0);
	cr_assert_leq(bytes, (size_t)1 << 30);
	long long llc = env_llc_bytes();
	long long memory = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	if (llc > 0 && 4 * llc <= (1LL << 30) && 4 * llc <= memory / 16)
		cr_assert_geq((long long)bytes + 4096, 4 * llc, "4x the last-level cache");
}

/* ---- bench: CSV rules and the table ---- */

Test(bench, field_rule_refuses_what_would_break_an_unquoted_csv)
{
	cr_assert(bench_field_ok("rows=131072;cols=128;threads=2"));
	cr_assert(bench_field_ok("GB/s"));
	cr_assert_not(bench_field_ok("a,b"));
	cr_assert_not(bench_field_ok("a\"b"));
	cr_assert_not(bench_field_ok("a\nb"));
	cr_assert_not(bench_field_ok("a\rb"));
	cr_assert_not(bench_field_ok(""));
	cr_assert_not(bench_field_ok(NULL));
}

Test(bench, table_entries_are_complete_and_uniquely_named)
{
	const struct bench_case *const *cases = bench_cases();
	cr_assert_not_null(cases[0], "at least one case");
	for (size_t i = 0; cases[i]; i++) {
		cr_assert(bench_field_ok(cases[i]->name));
		cr_assert_null(strchr(cases[i]->name, '/'), "a name is a file name");
		cr_assert_not_null(cases[i]->family);
		cr_assert_not_null(cases[i]->doc);
		cr_assert_not_null(cases[i]->run);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(cases[i]->name, cases[j]->name);
	}
}

static struct bench_ctx emit_ctx(FILE *csv)
{
	struct bench_ctx ctx = {0};
	ctx.bcase = bench_cases()[0];
	ctx.csv = csv;
	return ctx;
}

Test(bench, emit_writes_one_row_with_the_ratio_and_refuses_bad_rows)
{
	FILE *csv = tmpfile();
	cr_assert_not_null(csv);
	struct bench_ctx ctx = emit_ctx(csv);
	char err[256] = "";
	cr_assert_eq(bench_emit(&ctx, "n=1", 5.0, "GB/s", 20.0, "GB/s", err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(bench_emit(&ctx, "n=1,m=2", 5.0, "GB/s", 20.0, "GB/s", err, sizeof(err)), -1);
	cr_assert_eq(bench_emit(&ctx, "n=1", 5.0, "GB\n/s", 20.0, "GB/s", err, sizeof(err)), -1);
	cr_assert_eq(bench_emit(&ctx, "n=1", 5.0, "GB/s", 0.0, "GB/s", err, sizeof(err)), -1);
	cr_assert_eq(bench_emit(&ctx, "n=1", NAN, "GB/s", 1.0, "GB/s", err, sizeof(err)), -1);
	cr_assert_eq(ctx.rows, 1);
	rewind(csv);
	char line[256], expect[256];
	cr_assert_not_null(fgets(line, sizeof(line), csv));
	snprintf(expect, sizeof(expect), "%s,n=1,5,GB/s,20,GB/s,0.2500,0.2500,0.2500,1,0\n",
		 ctx.bcase->name);
	cr_assert_str_eq(line, expect);
	cr_assert_null(fgets(line, sizeof(line), csv), "refused rows write nothing");
	fclose(csv);
}

/* ---- bench: repetitions, medians and the slow-mode probe ---- */

Test(bench, stats_are_medians_of_the_kept_repetitions_and_slow_probes_are_left_out)
{
	/* Ratios 0.5 0.4 0.6 0.1 0.55; the fourth has a probe at 3 of the fast mode, 9. */
	struct bench_rep r[5] = { {5, 10}, {4, 10}, {6, 10}, {1, 10}, {5.5, 10} };
	double before[5] = {10, 9, 9.5, 3, 9}, after[5] = {9, 10, 9, 9, 8};
	struct bench_stats st;
	cr_assert_eq(bench_stats_of(r, before, after, 5, &st), 0);
	cr_assert_eq(st.kept, 4);
	cr_assert_eq(st.flagged, 1);
	cr_assert_float_eq(st.ratio, 0.525, 1e-12, "median of 0.4 0.5 0.55 0.6");
	cr_assert_float_eq(st.ratio_min, 0.4, 1e-12);
	cr_assert_float_eq(st.ratio_max, 0.6, 1e-12);
	cr_assert_float_eq(st.figure, 5.25, 1e-12);
	cr_assert_float_eq(st.limit, 10.0, 1e-12);
	/* Without the slow probe the bad repetition counts, and the median moves. */
	before[3] = 10;
	cr_assert_eq(bench_stats_of(r, before, after, 5, &st), 0);
	cr_assert_eq(st.kept, 5);
	cr_assert_eq(st.flagged, 0);
	cr_assert_float_eq(st.ratio, 0.5, 1e-12);
	cr_assert_float_eq(st.ratio_min, 0.1, 1e-12);
}

Test(bench, ratio_is_the_median_of_paired_ratios_not_a_ratio_of_medians)
{
	/* The limit moves with the machine; each repetition's ratio is what is paired. */
	struct bench_rep r[5] = { {1, 2}, {2, 4}, {4, 8}, {8, 16}, {30, 32} };
	double p[5] = {1, 1, 1, 1, 1};
	struct bench_stats st;
	cr_assert_eq(bench_stats_of(r, p, p, 5, &st), 0);
	cr_assert_float_eq(st.ratio, 0.5, 1e-12);
	cr_assert_float_eq(st.figure / st.limit, 0.5, 1e-12);
	cr_assert_float_eq(st.ratio_max, 30.0 / 32.0, 1e-12);
}

Test(bench, all_slow_keeps_all_and_bad_values_are_refused)
{
	struct bench_rep r[5] = { {1, 2}, {1, 2}, {1, 2}, {1, 2}, {1, 2} };
	/* Every repetition has one probe at a fifth of the fast mode. */
	double before[5] = {10, 2, 10, 2, 10}, after[5] = {2, 10, 2, 10, 2};
	struct bench_stats st;
	cr_assert_eq(bench_stats_of(r, before, after, 5, &st), 0);
	cr_assert_eq(st.kept, 5);
	cr_assert(st.all_slow);
	r[2].limit = 0.0;
	cr_assert_eq(bench_stats_of(r, before, after, 5, &st), -1);
	r[2].limit = 2.0;
	r[2].figure = NAN;
	cr_assert_eq(bench_stats_of(r, before, after, 5, &st), -1);
	cr_assert_eq(bench_stats_of(r, before, after, 0, &st), -1);
}

static int fake_rep_calls;

static int fake_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	fake_rep_calls++;
	rep->figure = fake_rep_calls;
	rep->limit = 10.0;
	return 0;
}

Test(bench, measure_runs_the_repetitions_and_writes_one_row_with_their_range)
{
	FILE *csv = tmpfile();
	cr_assert_not_null(csv);
	struct bench_ctx ctx = emit_ctx(csv);
	char err[256] = "";
	fake_rep_calls = 0;
	cr_assert_eq(bench_measure(&ctx, "n=1", 1, 4, fake_rep, NULL, "GB/s", "GB/s", err,
				   sizeof(err)), -1, "fewer than BENCH_MIN_REPS is refused");
	cr_assert_eq(fake_rep_calls, 0);
	cr_assert_eq(bench_measure(&ctx, "n=1", 1, 7, fake_rep, NULL, "GB/s", "GB/s", err,
				   sizeof(err)), 0, "%s", err);
	cr_assert_eq(fake_rep_calls, 7);
	cr_assert_eq(ctx.rows, 1);
	rewind(csv);
	char line[256];
	cr_assert_not_null(fgets(line, sizeof(line), csv));
	char name[64], params[16], unit[16], lunit[16];
	double fig, lim, ratio, lo, hi;
	int reps, flagged;
	cr_assert_eq(sscanf(line, "%63[^,],%15[^,],%lf,%15[^,],%lf,%15[^,],%lf,%lf,%lf,%d,%d",
			    name, params, &fig, unit, &lim, lunit, &ratio, &lo, &hi, &reps,
			    &flagged), 11, "line: %s", line);
	/* A probe may have caught the machine slow; the kept ones bound the median. */
	cr_assert_eq(reps + flagged, 7);
	cr_assert_geq(reps, 1);
	cr_assert(lo <= ratio && ratio <= hi);
	cr_assert(lo >= 0.1 - 1e-9 && hi <= 0.7 + 1e-9);
	cr_assert_float_eq(lim, 10.0, 1e-9);
	fclose(csv);
}

static int fake_two_rows(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	fake_rep_calls++;
	rep[0] = (struct bench_rep){ 1.0, 4.0 };
	rep[1] = (struct bench_rep){ 3.0, 4.0 };
	return 0;
}

Test(bench, measure_rows_share_one_set_of_repetitions)
{
	FILE *csv = tmpfile();
	cr_assert_not_null(csv);
	struct bench_ctx ctx = emit_ctx(csv);
	char err[256] = "";
	struct bench_row rows[2] = { {"k=a", "GB/s", "GB/s"}, {"k=b", "GB/s", "GB/s"} };
	fake_rep_calls = 0;
	cr_assert_eq(bench_measure_rows(&ctx, rows, 2, 1, 5, fake_two_rows, NULL, err,
					sizeof(err)), 0, "%s", err);
	cr_assert_eq(fake_rep_calls, 5, "one call per repetition fills both rows");
	cr_assert_eq(ctx.rows, 2);
	rewind(csv);
	char a[256], b[256];
	cr_assert_not_null(fgets(a, sizeof(a), csv));
	cr_assert_not_null(fgets(b, sizeof(b), csv));
	cr_assert_not_null(strstr(a, ",k=a,1,GB/s,4,GB/s,0.2500,0.2500,0.2500,"), "%s", a);
	cr_assert_not_null(strstr(b, ",k=b,3,GB/s,4,GB/s,0.7500,0.7500,0.7500,"), "%s", b);
	fclose(csv);
}

Test(bench, the_probe_measures_a_positive_bandwidth)
{
	double g = bench_probe_gbs(1);
	cr_assert(g > 0.0 && isfinite(g), "probe %g GB/s", g);
}

Test(bench, a_filter_that_selects_nothing_fails_before_creating_anything)
{
	char dir[64];
	make_tmpdir(dir, sizeof(dir));
	char results[128];
	snprintf(results, sizeof(results), "%s/results", dir);
	char err[256] = "";
	cr_assert_eq(bench_run_all(results, "no_such_case", err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "no_such_case"), "err: %s", err);
	cr_assert_eq(count_entries(dir), 0);
	remove_tree_of_files(dir);
}
