/* Unit tests for datasets/cache: SHA-256 of files, the cache folder, byte-identical round
 * trips of table, signal and graph datasets, and damaged entries read as misses. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets/cache.h"
#include "tests/unit/testutil.h"

TestSuite(cache);

/* Every test gets its own cache folder (Criterion runs each test in its own process). */
static void use_fresh_cache(char *dir, size_t len)
{
	char tmp[256];
	tu_tmpdir(tmp, sizeof(tmp));
	snprintf(dir, len, "%s/cache", tmp);
	setenv("RELAXBENCH_CACHE", dir, 1);
}

static void *copy_of(const void *src, size_t bytes)
{
	void *p = malloc(bytes ? bytes : 1);
	memcpy(p, src, bytes);
	return p;
}

/* A CSR train split (with rows without features) and a smaller test split. */
static void make_table(struct ds_dataset *d, bool constant_values)
{
	static const int64_t rowptr[] = { 0, 2, 2, 5, 6 };
	static const int32_t colidx[] = { 0, 7, 1, 2, 122, 5 };
	static const double values[] = { 1.5, -2, 0.25, 1e-300, 3, -0.0 };
	static const double ones[] = { 1, 1, 1, 1, 1, 1 };
	static const double y[] = { 1, -1, -1, 1 };
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "a9a");
	memset(d->checksum, 'f', 64);
	snprintf(d->source, sizeof(d->source), "/mirror/libsvm/a9a");
	d->kind = DS_TABLE;
	d->train.x = (struct ds_matrix){ .rows = 4, .cols = 123, .sparse = true };
	d->train.x.rowptr = copy_of(rowptr, sizeof(rowptr));
	d->train.x.colidx = copy_of(colidx, sizeof(colidx));
	d->train.x.values = copy_of(constant_values ? ones : values, sizeof(values));
	d->train.y = copy_of(y, sizeof(y));
	d->test.x = (struct ds_matrix){ .rows = 1, .cols = 123, .sparse = true };
	d->test.x.rowptr = copy_of(((int64_t[]){ 0, 1 }), 2 * sizeof(int64_t));
	d->test.x.colidx = copy_of(((int32_t[]){ 3 }), sizeof(int32_t));
	d->test.x.values = copy_of(((double[]){ 1 }), sizeof(double));
	d->test.y = copy_of(((double[]){ -1 }), sizeof(double));
}

/* Dense measurement matrix, measurements and the planted signal (DS_SIGNAL). */
static void make_signal(struct ds_dataset *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "sensing");
	d->kind = DS_SIGNAL;
	d->classes = 0;
	d->shape[0] = 3;
	d->shape[1] = 5;
	d->train.x = (struct ds_matrix){ .rows = 3, .cols = 5, .sparse = false };
	d->train.x.dense = malloc(15 * sizeof(double));
	for (int i = 0; i < 15; i++)
		d->train.x.dense[i] = (i - 7) / 3.0;
	d->train.y = copy_of(((double[]){ 0.5, -1, 2 }), 3 * sizeof(double));
	d->truth_len = 5;
	d->truth = copy_of(((double[]){ 0, 1, 0, 0, -3 }), 5 * sizeof(double));
}

/* A weighted 4-cycle with coordinates, stored both ways (m = 2|E|). */
static void make_graph(struct ds_dataset *d, bool weighted)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "cycle4");
	snprintf(d->checksum, sizeof(d->checksum), "%064d", 7);
	d->kind = DS_GRAPH;
	d->graph.n = 4;
	d->graph.m = 8;
	d->graph.rowptr = copy_of(((int64_t[]){ 0, 2, 4, 6, 8 }), 5 * sizeof(int64_t));
	d->graph.adj = copy_of(((int32_t[]){ 1, 3, 0, 2, 1, 3, 0, 2 }), 8 * sizeof(int32_t));
	if (weighted)
		d->graph.weight = copy_of(((int32_t[]){ 5, 1, 5, 2, 2, 9, 1, 9 }), 8 * sizeof(int32_t));
	d->graph.coords = copy_of(((double[]){ 0, 0, 1, 0, 1, 1, 0, 1 }), 8 * sizeof(double));
}

/* Both NULL, or both present with the same bytes. */
static void assert_same_array(const void *a, const void *b, int64_t count, size_t elem,
			      const char *what)
{
	cr_assert_eq(a == NULL, b == NULL, "%s: NULL on one side only", what);
	if (a && count > 0)
		cr_assert(memcmp(a, b, (size_t)count * elem) == 0, "%s differs", what);
}

static void assert_same_matrix(const struct ds_matrix *a, const struct ds_matrix *b)
{
	cr_assert_eq(a->rows, b->rows);
	cr_assert_eq(a->cols, b->cols);
	cr_assert_eq(a->sparse, b->sparse);
	int64_t nnz = a->rowptr ? a->rowptr[a->rows] : 0;
	assert_same_array(a->dense, b->dense, a->rows * a->cols, sizeof(double), "dense");
	assert_same_array(a->rowptr, b->rowptr, a->rows + 1, sizeof(int64_t), "rowptr");
	assert_same_array(a->colidx, b->colidx, nnz, sizeof(int32_t), "colidx");
	assert_same_array(a->values, b->values, nnz, sizeof(double), "values");
}

static void assert_same_dataset(const struct ds_dataset *a, const struct ds_dataset *b)
{
	cr_assert_str_eq(a->name, b->name);
	cr_assert_str_eq(a->checksum, b->checksum);
	cr_assert_str_eq(a->source, b->source);
	cr_assert_eq(a->kind, b->kind);
	cr_assert_eq(a->classes, b->classes);
	cr_assert_arr_eq(a->shape, b->shape, sizeof(a->shape));
	assert_same_matrix(&a->train.x, &b->train.x);
	assert_same_array(a->train.y, b->train.y, a->train.x.rows, sizeof(double), "train.y");
	assert_same_matrix(&a->test.x, &b->test.x);
	assert_same_array(a->test.y, b->test.y, a->test.x.rows, sizeof(double), "test.y");
	cr_assert_eq(a->graph.n, b->graph.n);
	cr_assert_eq(a->graph.m, b->graph.m);
	assert_same_array(a->graph.rowptr, b->graph.rowptr, a->graph.n + 1, sizeof(int64_t), "g.rowptr");
	assert_same_array(a->graph.adj, b->graph.adj, a->graph.m, sizeof(int32_t), "g.adj");
	assert_same_array(a->graph.weight, b->graph.weight, a->graph.m, sizeof(int32_t), "g.weight");
	assert_same_array(a->graph.coords, b->graph.coords, 2 * a->graph.n, sizeof(double), "coords");
	cr_assert_eq(a->truth_len, b->truth_len);
	assert_same_array(a->truth, b->truth, a->truth_len, sizeof(double), "truth");
}

static void round_trip(const struct ds_dataset *d, const char *key)
{
	char err[512] = "";
	cr_assert_eq(cache_store(key, d, err, sizeof(err)), 0, "%s", err);
	struct ds_dataset back;
	cr_assert_eq(cache_load(key, &back, err, sizeof(err)), 1, "%s", err);
	assert_same_dataset(d, &back);
	ds_dataset_free(&back);
}

static void entry_file(const char *dir, const char *key, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.rbds", dir, key);
}

Test(cache, sha256_of_files)
{
	char dir[256], path[512], hex[65], err[512] = "";
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "abc", "abc", path, sizeof(path));
	cr_assert_eq(cache_sha256_file(path, hex, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tu_write(dir, "empty", "", path, sizeof(path));
	cr_assert_eq(cache_sha256_file(path, hex, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* larger than the 1 MiB read buffer: compare with the system's sha256sum */
	snprintf(path, sizeof(path), "%s/big", dir);
	cr_assert_eq(tu_sh(NULL, "head -c 3000000 /dev/urandom > '%s'", path), 0);
	char *out = NULL;
	cr_assert_eq(tu_sh(&out, "sha256sum '%s'", path), 0);
	cr_assert_eq(cache_sha256_file(path, hex, err, sizeof(err)), 0, "%s", err);
	cr_assert(strncmp(out, hex, 64) == 0, "%s vs %s", out, hex);
	free(out);

	cr_assert_eq(cache_sha256_file("/nonexistent/file", hex, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/file: cannot open"), "%s", err);
}

Test(cache, folder_from_environment_else_under_the_repository)
{
	char buf[4096];
	setenv("RELAXBENCH_CACHE", "/some/where", 1);
	cache_dir(buf, sizeof(buf));
	cr_assert_str_eq(buf, "/some/where");
	setenv("RELAXBENCH_CACHE", "", 1);
	cache_dir(buf, sizeof(buf));
	size_t n = strlen(buf), k = strlen("datasets/cache");
	cr_assert(n >= k && strcmp(buf + n - k, "datasets/cache") == 0, "%s", buf);
}

Test(cache, csr_table_round_trips_byte_for_byte)
{
	char dir[512];
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d;
	make_table(&d, false);
	round_trip(&d, "f00d.libsvm.v1");
	ds_dataset_free(&d);

	/* every value equal: stored as one element, loaded as the full array */
	make_table(&d, true);
	d.classes = 0;
	round_trip(&d, "ones.libsvm.v1");
	ds_dataset_free(&d);
}

Test(cache, dense_signal_round_trips_byte_for_byte)
{
	char dir[512];
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d;
	make_signal(&d);
	round_trip(&d, "sensing_A-1.v1");
	ds_dataset_free(&d);
}

Test(cache, graph_round_trips_byte_for_byte_and_keeps_null_arrays)
{
	char dir[512];
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d;
	make_graph(&d, true);
	round_trip(&d, "cycle4.weighted");
	ds_dataset_free(&d);
	make_graph(&d, false);
	round_trip(&d, "cycle4.plain");   /* weight stays NULL: unweighted */
	ds_dataset_free(&d);
}

Test(cache, missing_folder_is_created_and_absent_entry_is_a_miss)
{
	char dir[512], err[512] = "x";
	use_fresh_cache(dir, sizeof(dir));
	char deep[600];
	snprintf(deep, sizeof(deep), "%s/a/b", dir);
	setenv("RELAXBENCH_CACHE", deep, 1);
	struct ds_dataset d;
	cr_assert_eq(cache_load("nothing.v1", &d, err, sizeof(err)), 0);
	cr_assert_str_eq(err, "");
	cr_assert_null(d.train.x.rowptr);

	make_graph(&d, true);
	cr_assert_eq(cache_store("cycle4", &d, err, sizeof(err)), 0, "%s", err);
	ds_dataset_free(&d);
	struct stat st;
	cr_assert_eq(stat(deep, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(tu_count_entries(deep), 1, "a temporary file was left behind");
}

Test(cache, a_second_store_replaces_the_entry)
{
	char dir[512], err[512] = "";
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset a, b, back;
	make_table(&a, false);
	make_signal(&b);
	cr_assert_eq(cache_store("k", &a, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cache_store("k", &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cache_load("k", &back, err, sizeof(err)), 1, "%s", err);
	assert_same_dataset(&b, &back);
	ds_dataset_free(&a);
	ds_dataset_free(&b);
	ds_dataset_free(&back);
}

static void flip_byte(const char *path, long offset)
{
	FILE *f = fopen(path, "r+b");
	cr_assert(f);
	fseek(f, offset, SEEK_SET);
	int c = fgetc(f);
	fseek(f, offset, SEEK_SET);
	fputc(c ^ 0x20, f);
	fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	return (long)st.st_size;
}

/* Store, damage with `how`, and expect a miss that deletes the entry. */
static void expect_damage_is_a_miss(const char *dir, const char *key, void (*how)(const char *, long),
				    long arg)
{
	char path[700], err[512] = "";
	struct ds_dataset d, back;
	make_table(&d, false);
	cr_assert_eq(cache_store(key, &d, err, sizeof(err)), 0, "%s", err);
	ds_dataset_free(&d);
	entry_file(dir, key, path, sizeof(path));
	how(path, arg);
	cr_assert_eq(cache_load(key, &back, err, sizeof(err)), 0, "damage at %ld not detected", arg);
	cr_assert(strstr(err, "deleted"), "%s", err);
	cr_assert_null(strchr(err, '\n'));
	cr_assert_null(back.train.x.rowptr);
	struct stat st;
	cr_assert_neq(stat(path, &st), 0, "the damaged entry is still there");
}

static void flip_at(const char *path, long offset)
{
	flip_byte(path, offset >= 0 ? offset : file_size(path) + offset);
}

static void truncate_by(const char *path, long bytes)
{
	cr_assert_eq(truncate(path, file_size(path) - bytes), 0);
}

static void append_bytes(const char *path, long bytes)
{
	FILE *f = fopen(path, "ab");
	for (long i = 0; i < bytes; i++)
		fputc(0, f);
	fclose(f);
}

Test(cache, flipped_torn_or_padded_entries_are_misses_and_deleted)
{
	char dir[512];
	use_fresh_cache(dir, sizeof(dir));
	/* magic, version, a length, an array element, the last payload byte, the checksum */
	long offsets[] = { 0, 9, 17, 200, -9, -1 };
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		expect_damage_is_a_miss(dir, "flip", flip_at, offsets[i]);
	expect_damage_is_a_miss(dir, "torn", truncate_by, 1);
	expect_damage_is_a_miss(dir, "torn", truncate_by, 100);
	expect_damage_is_a_miss(dir, "padded", append_bytes, 8);
}

Test(cache, every_single_byte_flip_is_detected)
{
	char dir[512], path[700], err[512] = "";
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d, back;
	make_graph(&d, true);
	cr_assert_eq(cache_store("g", &d, err, sizeof(err)), 0, "%s", err);
	entry_file(dir, "g", path, sizeof(path));
	char *good = tu_read(path);
	long n = file_size(path);
	for (long off = 0; off < n; off++) {
		char *bad = copy_of(good, (size_t)n);
		bad[off] ^= 0x01;
		FILE *f = fopen(path, "wb");
		fwrite(bad, 1, (size_t)n, f);
		fclose(f);
		free(bad);
		cr_assert_eq(cache_load("g", &back, err, sizeof(err)), 0, "flip at %ld not detected", off);
	}
	free(good);
	ds_dataset_free(&d);
}

Test(cache, bad_keys_are_refused)
{
	char dir[512], err[512] = "";
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d;
	make_graph(&d, false);
	const char *bad[] = { "", ".hidden", "a/b", "../x", "a b", "k\n", "caf\xc3\xa9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(cache_store(bad[i], &d, err, sizeof(err)), -1, "key %zu accepted", i);
		struct ds_dataset back;
		cr_assert_eq(cache_load(bad[i], &back, err, sizeof(err)), -1, "key %zu accepted", i);
		cr_assert_null(strchr(err, '\n'));
	}
	char longkey[CACHE_KEY_MAX + 2];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	cr_assert_eq(cache_store(longkey, &d, err, sizeof(err)), -1);
	longkey[CACHE_KEY_MAX] = 0;
	cr_assert_eq(cache_store(longkey, &d, err, sizeof(err)), 0, "%s", err);
	ds_dataset_free(&d);
}

Test(cache, inconsistent_datasets_are_not_stored)
{
	char dir[512], err[512] = "";
	use_fresh_cache(dir, sizeof(dir));
	struct ds_dataset d;
	make_table(&d, false);
	d.train.x.colidx[1] = 123;   /* cols is 123: one past the end */
	cr_assert_eq(cache_store("bad", &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "column index out of range"), "%s", err);
	ds_dataset_free(&d);

	make_graph(&d, false);
	d.graph.rowptr[4] = 7;       /* m is 8 */
	cr_assert_eq(cache_store("bad", &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "row pointers"), "%s", err);
	ds_dataset_free(&d);
	cr_assert_leq(tu_count_entries(dir), 0, "something was stored");   /* -1: no folder */
}
