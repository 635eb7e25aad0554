/*
 * Unit tests for datasets/idx and datasets/cifar: fixtures written by the tests (plain
 * and gzipped), every malformed-file refusal with its one-line message, and MNIST t10k
 * from the data mirror ($RELAXBENCH_DATA_MIRROR) when there is one.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/cache.h"
#include "datasets/catalog.h"
#include "datasets/cifar.h"
#include "datasets/fetch.h"
#include "datasets/idx.h"
#include "tests/unit/testutil.h"

TestSuite(idx);
TestSuite(cifar);

/* A growable byte buffer for building fixtures. */
struct bytes {
	unsigned char *data;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->data = realloc(b->data, b->cap);
		cr_assert_not_null(b->data);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_byte(struct bytes *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	put(b, &c, 1);
}

static void put_be32(struct bytes *b, uint32_t v)
{
	unsigned char w[4] = { v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff };
	put(b, w, 4);
}

/* The pixel pattern of the fixtures: every byte value occurs. */
static unsigned pixel(int64_t image, int64_t p)
{
	return (unsigned)((image * 37 + p * 11) % 256);
}

static struct bytes idx_images(uint32_t n, uint32_t rows, uint32_t cols)
{
	struct bytes b = { 0 };
	put_be32(&b, 0x00000803);
	put_be32(&b, n);
	put_be32(&b, rows);
	put_be32(&b, cols);
	for (int64_t i = 0; i < n; i++)
		for (int64_t p = 0; p < (int64_t)rows * cols; p++)
			put_byte(&b, pixel(i, p));
	return b;
}

static struct bytes idx_labels(uint32_t n, int classes)
{
	struct bytes b = { 0 };
	put_be32(&b, 0x00000801);
	put_be32(&b, n);
	for (uint32_t i = 0; i < n; i++)
		put_byte(&b, (i * 7 + 3) % (unsigned)classes);
	return b;
}

static void write_file(const char *dir, const char *name, const struct bytes *b, char *path,
		       size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(b->data, 1, b->len, f), b->len);
	fclose(f);
}

static void gzip_file(const char *path, char *gz, size_t len)
{
	snprintf(gz, len, "%s.gz", path);
	cr_assert_eq(tu_sh(NULL, "gzip -c '%s' > '%s'", path, gz), 0, "gzip failed");
}

/* A refusal: -1, one line, naming the file and containing every fragment given. */
static void assert_refused(int rc, const char *err, const char *path, const char *const *want)
{
	cr_assert_eq(rc, -1, "accepted a malformed file %s", path);
	cr_assert_null(strchr(err, '\n'), "message is not one line: %s", err);
	cr_assert_not_null(strstr(err, path), "message does not name %s: %s", path, err);
	for (; *want; want++)
		cr_assert_not_null(strstr(err, *want), "message lacks '%s': %s", *want, err);
}

/* Load `b` written to a fresh file as images; expect a refusal with the fragments. */
static void refuse_images(const struct bytes *b, const char *const *want)
{
	char dir[256], path[512], err[512] = "";
	struct ds_matrix m;
	int64_t shape[3];

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "bad-images-idx3-ubyte", b, path, sizeof(path));
	int rc = idx_load_images(path, &m, shape, err, sizeof(err));
	assert_refused(rc, err, path, want);
	cr_assert_null(m.dense, "a refused load left data behind");
	free(b->data);
}

static void check_images(const struct ds_matrix *m, const int64_t shape[3], int64_t n,
			 int64_t rows, int64_t cols)
{
	cr_assert_eq(m->rows, n);
	cr_assert_eq(m->cols, rows * cols);
	cr_assert(!m->sparse);
	cr_assert_eq(shape[0], rows);
	cr_assert_eq(shape[1], cols);
	cr_assert_eq(shape[2], 1);
	for (int64_t i = 0; i < n; i++)
		for (int64_t p = 0; p < rows * cols; p++)
			cr_assert_eq(m->dense[i * m->cols + p], pixel(i, p) / 255.0,
				     "image %lld pixel %lld", (long long)i, (long long)p);
}

Test(idx, loads_images_and_labels_plain_and_gzipped)
{
	char dir[256], img[512], lab[512], img_gz[600], lab_gz[600], err[512] = "";
	struct bytes bi = idx_images(5, 7, 3), bl = idx_labels(5, 10);
	int64_t shape[3];
	struct ds_split plain, gz;

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "images-idx3-ubyte", &bi, img, sizeof(img));
	write_file(dir, "labels-idx1-ubyte", &bl, lab, sizeof(lab));
	gzip_file(img, img_gz, sizeof(img_gz));
	gzip_file(lab, lab_gz, sizeof(lab_gz));

	cr_assert_eq(idx_load_pair(img, lab, &plain, shape, err, sizeof(err)), 0, "%s", err);
	check_images(&plain.x, shape, 5, 7, 3);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(plain.y[i], (double)((i * 7 + 3) % 10));
	cr_assert_eq(idx_load_pair(img_gz, lab_gz, &gz, shape, err, sizeof(err)), 0, "%s", err);
	check_images(&gz.x, shape, 5, 7, 3);
	cr_assert_eq(memcmp(gz.y, plain.y, 5 * sizeof(double)), 0);

	ds_matrix_free(&plain.x);
	ds_matrix_free(&gz.x);
	free(plain.y);
	free(gz.y);
	free(bi.data);
	free(bl.data);
}

Test(idx, pixel_extremes_scale_to_zero_and_one)
{
	struct bytes b = { 0 };
	struct ds_matrix m;
	int64_t shape[3];
	char err[256] = "";

	put_be32(&b, 0x803);
	put_be32(&b, 1);
	put_be32(&b, 1);
	put_be32(&b, 2);
	put_byte(&b, 0);
	put_byte(&b, 255);
	struct dsio *r = dsio_open_memory(b.data, b.len, "mem");
	cr_assert_eq(idx_parse_images(r, &m, shape, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.dense[0], 0.0);
	cr_assert_eq(m.dense[1], 1.0);
	dsio_close(r);
	ds_matrix_free(&m);
	free(b.data);
}

Test(idx, refuses_bad_magic)
{
	struct bytes b = idx_images(2, 2, 2);
	memcpy(b.data, "\x1f\x9d\x08\x03", 4);
	refuse_images(&b, (const char *const[]){ "not an IDX file", "magic 0x1f9d0803",
						 "byte offset 0", NULL });
}

Test(idx, refuses_other_type_codes)
{
	struct bytes b = idx_images(2, 2, 2);
	b.data[2] = 0x0D;
	refuse_images(&b, (const char *const[]){ "type code 0x0d", "32-bit float",
						 "byte offset 2", NULL });
}

Test(idx, refuses_a_label_file_as_images)
{
	struct bytes b = idx_labels(4, 10);
	refuse_images(&b, (const char *const[]){ "declares 1 dimension", "images need 3", NULL });
}

Test(idx, refuses_negative_dimensions)
{
	struct bytes b = idx_images(1, 2, 2);
	memcpy(b.data + 4, "\xff\xff\xff\xff", 4);
	refuse_images(&b, (const char *const[]){ "dimension 0", "byte offset 4", "4294967295",
						 "negative", NULL });
}

Test(idx, refuses_zero_dimensions)
{
	struct bytes b = idx_images(1, 2, 2);
	memcpy(b.data + 12, "\0\0\0\0", 4);
	refuse_images(&b, (const char *const[]){ "dimension 2 (cols)", "byte offset 12",
						 "is 0", NULL });
}

Test(idx, refuses_sizes_beyond_the_cap)
{
	struct bytes b = { 0 };
	put_be32(&b, 0x803);
	put_be32(&b, 0x7fffffff);
	put_be32(&b, 0x7fffffff);
	put_be32(&b, 4);
	refuse_images(&b, (const char *const[]){ "2147483647 x 2147483647 x 4",
						 "17179869184-byte limit", NULL });
}

/* A header that declares 15 GB over 10 bytes of data: truncation, found without
 * allocating what the header declares (this would fail under ASan otherwise). */
Test(idx, lying_header_is_truncation_not_allocation)
{
	struct bytes b = { 0 };
	put_be32(&b, 0x803);
	put_be32(&b, 20000000);
	put_be32(&b, 28);
	put_be32(&b, 28);
	for (int i = 0; i < 10; i++)
		put_byte(&b, i);
	refuse_images(&b, (const char *const[]){ "truncated at byte offset 26",
						 "expected 15680000000 bytes of pixels", "got 10", NULL });
}

Test(idx, refuses_truncated_header)
{
	struct bytes b = idx_images(1, 2, 2);
	b.len = 10;
	refuse_images(&b, (const char *const[]){ "truncated at byte offset 10", "IDX header",
						 NULL });
}

Test(idx, refuses_truncated_payload)
{
	struct bytes b = idx_images(3, 4, 4);
	b.len -= 8;
	refuse_images(&b, (const char *const[]){ "truncated at byte offset 56",
						 "expected 48 bytes of pixels", NULL });
}

Test(idx, refuses_trailing_bytes)
{
	struct bytes b = idx_images(3, 4, 4);
	put(&b, "junk", 4);
	refuse_images(&b, (const char *const[]){ "4 bytes of trailing data", "byte offset 64",
						 NULL });
}

Test(idx, refuses_truncated_labels)
{
	char dir[256], path[512], err[512] = "";
	struct bytes b = idx_labels(10, 10);
	double *y;
	int64_t n;

	b.len -= 3;
	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "labels-idx1-ubyte", &b, path, sizeof(path));
	int rc = idx_load_labels(path, &y, &n, err, sizeof(err));
	assert_refused(rc, err, path, (const char *const[]){ "truncated at byte offset 15",
							     "expected 10 bytes of labels", NULL });
	cr_assert_null(y);
	free(b.data);
}

Test(idx, refuses_count_mismatch)
{
	char dir[256], img[512], lab[512], err[512] = "";
	struct bytes bi = idx_images(4, 2, 2), bl = idx_labels(5, 10);
	struct ds_split s;
	int64_t shape[3];

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "images", &bi, img, sizeof(img));
	write_file(dir, "labels", &bl, lab, sizeof(lab));
	int rc = idx_load_pair(img, lab, &s, shape, err, sizeof(err));
	assert_refused(rc, err, lab, (const char *const[]){ "5 labels", "4 images", NULL });
	cr_assert_not_null(strstr(err, img), "message does not name the images: %s", err);
	cr_assert_null(s.x.dense);
	cr_assert_null(s.y);
	free(bi.data);
	free(bl.data);
}

Test(idx, missing_file_is_named)
{
	char err[512] = "";
	struct ds_matrix m;
	int64_t shape[3];

	cr_assert_eq(idx_load_images("/nonexistent/t10k-images", &m, shape, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "/nonexistent/t10k-images"), "%s", err);
}

/* MNIST's test set when the mirror is there; otherwise the same checks on a generated
 * gzipped IDX pair whose counts are known, so this test always asserts on real loads. */
static const int mnist_t10k_counts[10] = { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 };

static void check_label_counts(const struct ds_split *s, const int *want, int classes)
{
	int64_t count[256] = { 0 };
	for (int64_t i = 0; i < s->x.rows; i++) {
		cr_assert(s->y[i] >= 0 && s->y[i] < classes, "label %g", s->y[i]);
		count[(int)s->y[i]]++;
	}
	for (int c = 0; c < classes; c++)
		cr_assert_eq(count[c], want[c], "class %d: %lld labels, expected %d", c,
			     (long long)count[c], want[c]);
}

static void check_unit_range(const struct ds_matrix *m)
{
	double lo = 1, hi = 0;
	for (int64_t k = 0; k < m->rows * m->cols; k++) {
		lo = m->dense[k] < lo ? m->dense[k] : lo;
		hi = m->dense[k] > hi ? m->dense[k] : hi;
	}
	cr_assert_eq(lo, 0.0);
	cr_assert_eq(hi, 1.0);
}

static void mnist_from_mirror(const char *mirror)
{
	char img[1024], lab[1024], err[1024] = "";
	struct ds_split s;
	int64_t shape[3];

	snprintf(img, sizeof(img), "%s/mnist/t10k-images-idx3-ubyte.gz", mirror);
	snprintf(lab, sizeof(lab), "%s/mnist/t10k-labels-idx1-ubyte.gz", mirror);
	cr_assert_eq(access(img, R_OK), 0, "RELAXBENCH_DATA_MIRROR is set but %s is missing", img);
	cr_assert_eq(access(lab, R_OK), 0, "RELAXBENCH_DATA_MIRROR is set but %s is missing", lab);
	cr_assert_eq(idx_load_pair(img, lab, &s, shape, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.x.rows, 10000);
	cr_assert_eq(s.x.cols, 784);
	cr_assert_eq(shape[0], 28);
	cr_assert_eq(shape[1], 28);
	cr_assert_eq(shape[2], 1);
	check_label_counts(&s, mnist_t10k_counts, 10);
	check_unit_range(&s.x);
	ds_matrix_free(&s.x);
	free(s.y);
}

/* 10 counts as MNIST's divided by 10, in a 10x10 gzipped fixture. */
static void mnist_like_fixture(void)
{
	char dir[256], img[512], lab[512], img_gz[600], lab_gz[600], err[512] = "";
	int want[10];
	struct bytes bi = idx_images(1000, 10, 10), bl = { 0 };
	struct ds_split s;
	int64_t shape[3];

	put_be32(&bl, 0x801);
	put_be32(&bl, 1000);
	for (int c = 0; c < 10; c++) {
		want[c] = mnist_t10k_counts[c] / 10;
		for (int k = 0; k < want[c]; k++)
			put_byte(&bl, (unsigned)c);
	}
	/* 980/10 + ... rounds down to 996 labels: pad class 1 to reach 1000. */
	for (int k = 996; k < 1000; k++, want[1]++)
		put_byte(&bl, 1);
	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "images", &bi, img, sizeof(img));
	write_file(dir, "labels", &bl, lab, sizeof(lab));
	gzip_file(img, img_gz, sizeof(img_gz));
	gzip_file(lab, lab_gz, sizeof(lab_gz));
	cr_assert_eq(idx_load_pair(img_gz, lab_gz, &s, shape, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.x.rows, 1000);
	cr_assert_eq(s.x.cols, 100);
	check_label_counts(&s, want, 10);
	check_unit_range(&s.x);
	ds_matrix_free(&s.x);
	free(s.y);
	free(bi.data);
	free(bl.data);
}

Test(idx, mnist_t10k_from_the_mirror_or_a_fixture)
{
	const char *mirror = getenv("RELAXBENCH_DATA_MIRROR");

	if (mirror && *mirror) {
		cr_log_info("MNIST t10k from %s", mirror);
		mnist_from_mirror(mirror);
		return;
	}
	cr_log_info("RELAXBENCH_DATA_MIRROR unset: checking a generated MNIST-like IDX pair");
	mnist_like_fixture();
}

/* Fashion-MNIST: digests of the decompressed data, files in a folder of their own. */

/* A file with content_digest: two gzip copies of the same bytes (levels 1 and 9, so
 * different files) both verify; one of other content is refused naming both digests. */
Test(idx, content_digest_accepts_any_compression_of_the_same_data)
{
	char mirror[256], cache[256], sub[320], plain[512], path[1024], err[1024] = "";
	struct bytes b = idx_images(20, 4, 4);
	tu_tmpdir(mirror, sizeof(mirror));
	tu_tmpdir(cache, sizeof(cache));
	snprintf(sub, sizeof(sub), "%s/fmtest", mirror);
	cr_assert_eq(tu_sh(NULL, "mkdir -p '%s'", sub), 0);
	write_file(mirror, "plain", &b, plain, sizeof(plain));
	char sum[65];
	cr_assert_eq(cache_sha256_file(plain, sum, err, sizeof(err)), 0, "%s", err);
	setenv("RELAXBENCH_DATA_MIRROR", mirror, 1);
	setenv("RELAXBENCH_CACHE", cache, 1);
	struct catalog_file f = { .name = "images.gz", .sha256 = sum, .dir = "fmtest", .content_digest = 1 };

	cr_assert_eq(tu_sh(NULL, "gzip -1 -c '%s' > '%s/images.gz'", plain, sub), 0);
	cr_assert_eq(fetch_file(&f, 0, path, sizeof(path), err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(strstr(path, "/files/fmtest/images.gz"), "%s", path);
	cr_assert_eq(tu_sh(NULL, "cp '%s' '%s/level1.gz' && rm '%s'", path, cache, path), 0);
	cr_assert_eq(tu_sh(NULL, "gzip -9 -c '%s' > '%s/images.gz'", plain, sub), 0);
	cr_assert_neq(tu_sh(NULL, "cmp -s '%s/level1.gz' '%s/images.gz'", cache, sub), 0,
		      "the two compressions should differ byte for byte");
	cr_assert_eq(fetch_file(&f, 0, path, sizeof(path), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tu_sh(NULL, "rm '%s'", path), 0);

	b.data[b.len - 1] ^= 1;
	write_file(mirror, "plain", &b, plain, sizeof(plain));
	cr_assert_eq(tu_sh(NULL, "gzip -c '%s' > '%s/images.gz'", plain, sub), 0);
	cr_assert_eq(fetch_file(&f, 0, path, sizeof(path), err, sizeof(err)), -2);
	cr_assert_not_null(strstr(err, sum), "%s", err);
	cr_assert_not_null(strstr(err, "decompressed"), "%s", err);
	free(b.data);
}

/* A mirror's MNIST file of the same name is not Fashion-MNIST's: a file with a folder
 * is looked for only in <mirror>/<dir>/ (and its distribution folder). */
Test(idx, a_file_with_a_folder_ignores_same_named_files_elsewhere)
{
	char mirror[256], path[1024];
	tu_tmpdir(mirror, sizeof(mirror));
	cr_assert_eq(tu_sh(NULL, "mkdir -p '%s/mnist' && echo x > '%s/mnist/t.gz'", mirror, mirror), 0);
	setenv("RELAXBENCH_DATA_MIRROR", mirror, 1);
	setenv("RELAXBENCH_CACHE", mirror, 1);
	struct catalog_file plain = { .name = "t.gz", .sha256 = "00" };
	struct catalog_file own = { .name = "t.gz", .sha256 = "00", .dir = "fashion-mnist" };
	cr_assert_eq(fetch_locate(&plain, path, sizeof(path)), FETCH_MIRROR);
	cr_assert_eq(fetch_locate(&own, path, sizeof(path)), FETCH_NOWHERE);
}

static int64_t *class_counts(const struct ds_split *s)
{
	static int64_t n[10];
	memset(n, 0, sizeof(n));
	for (int64_t i = 0; i < s->x.rows; i++) {
		int c = (int)s->y[i];
		cr_assert(c >= 0 && c < 10 && s->y[i] == c, "label %g", s->y[i]);
		n[c]++;
	}
	return n;
}

/* Debian's dataset-fashion-mnist (`make deps`): 60,000 / 10,000 images, 6,000 / 1,000 per
 * class, verified through the catalog; train_rows / test_rows keep a prefix. */
Test(idx, fashion_mnist_from_debians_folder, .timeout = 120)
{
	if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) != 0) {
		cr_log_warn("dataset-fashion-mnist is not installed: nothing to check");
		return;
	}
	char cache[256], err[1024] = "";
	tu_tmpdir(cache, sizeof(cache));
	setenv("RELAXBENCH_CACHE", cache, 1);
	unsetenv("RELAXBENCH_DATA_MIRROR");
	const struct catalog_entry *e = catalog_find("fashion_mnist");
	cr_assert_not_null(e);
	struct rb_paramset ps = tu_defaults(e->params);
	struct ds_dataset d;
	cr_assert_eq(catalog_load(e, &ps, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.train.x.rows, 60000);
	cr_assert_eq(d.test.x.rows, 10000);
	cr_assert_eq(d.train.x.cols, 784);
	for (int c = 0; c < 10; c++) {
		cr_assert_eq(class_counts(&d.train)[c], 6000);
		cr_assert_eq(class_counts(&d.test)[c], 1000);
	}
	check_unit_range(&d.train.x);
	ds_dataset_free(&d);
	tu_set_int(&ps, "train_rows", 600);
	tu_set_int(&ps, "test_rows", 100);
	cr_assert_eq(catalog_load(e, &ps, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.train.x.rows, 600);
	cr_assert_eq(d.test.x.rows, 100);
	ds_dataset_free(&d);
}

/* CIFAR-10 batches. */

static unsigned cifar_pixel(int64_t record, int64_t p)
{
	return (unsigned)((record * 101 + p * 3) % 256);
}

static struct bytes cifar_batch(int records, const unsigned *labels)
{
	struct bytes b = { 0 };
	for (int r = 0; r < records; r++) {
		put_byte(&b, labels[r]);
		for (int p = 0; p < CIFAR_PIXELS; p++)
			put_byte(&b, cifar_pixel(r, p));
	}
	return b;
}

static void refuse_cifar(const struct bytes *b, const char *const *want)
{
	char dir[256], path[512], err[512] = "";
	struct ds_split s;
	int64_t shape[3];

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "data_batch_1.bin", b, path, sizeof(path));
	const char *paths[] = { path };
	int rc = cifar_load_batches(paths, 1, &s, shape, err, sizeof(err));
	assert_refused(rc, err, path, want);
	cr_assert_null(s.x.dense);
	cr_assert_null(s.y);
	free(b->data);
}

Test(cifar, loads_batches_in_order)
{
	char dir[256], p1[512], p2[512], p2gz[600], err[512] = "";
	const unsigned l1[] = { 3, 0, 9 }, l2[] = { 7 };
	struct bytes b1 = cifar_batch(3, l1), b2 = cifar_batch(1, l2);
	struct ds_split s;
	int64_t shape[3];

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "data_batch_1.bin", &b1, p1, sizeof(p1));
	write_file(dir, "data_batch_2.bin", &b2, p2, sizeof(p2));
	gzip_file(p2, p2gz, sizeof(p2gz));
	const char *paths[] = { p1, p2gz };
	cr_assert_eq(cifar_load_batches(paths, 2, &s, shape, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.x.rows, 4);
	cr_assert_eq(s.x.cols, 3072);
	cr_assert_eq(shape[0], 32);
	cr_assert_eq(shape[1], 32);
	cr_assert_eq(shape[2], 3);
	const double want_y[] = { 3, 0, 9, 7 };
	for (int r = 0; r < 4; r++) {
		cr_assert_eq(s.y[r], want_y[r]);
		int64_t file_record = r < 3 ? r : 0;
		for (int p = 0; p < CIFAR_PIXELS; p++)
			cr_assert_eq(s.x.dense[(int64_t)r * 3072 + p], cifar_pixel(file_record, p) / 255.0);
	}
	ds_matrix_free(&s.x);
	free(s.y);
	free(b1.data);
	free(b2.data);
}

Test(cifar, parses_memory)
{
	const unsigned l[] = { 1, 2 };
	struct bytes b = cifar_batch(2, l);
	struct ds_split s;
	int64_t shape[3];
	char err[256] = "";

	struct dsio *r = dsio_open_memory(b.data, b.len, "mem");
	cr_assert_eq(cifar_parse(r, &s, shape, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.x.rows, 2);
	cr_assert_eq(s.y[1], 2.0);
	dsio_close(r);
	ds_matrix_free(&s.x);
	free(s.y);
	free(b.data);
}

Test(cifar, refuses_size_not_a_multiple_of_the_record)
{
	const unsigned l[] = { 1, 2, 3 };
	struct bytes b = cifar_batch(3, l);
	put(&b, "extra", 5);
	refuse_cifar(&b, (const char *const[]){ "truncated at byte offset 9224", "record 3",
						"5 of 3073 bytes", "not a multiple of 3073", NULL });
}

Test(cifar, refuses_label_out_of_range)
{
	const unsigned l[] = { 1, 12, 3 };
	struct bytes b = cifar_batch(3, l);
	refuse_cifar(&b, (const char *const[]){ "record 1 at byte offset 3073: label 12 out of 0..9",
						NULL });
}

Test(cifar, refuses_truncated_record)
{
	const unsigned l[] = { 4, 5 };
	struct bytes b = cifar_batch(2, l);
	b.len -= 1000;
	refuse_cifar(&b, (const char *const[]){ "truncated at byte offset 5146", "record 1",
						"2073 of 3073 bytes", NULL });
}

Test(cifar, refuses_truncated_gzip)
{
	char dir[256], path[512], gz[600], err[512] = "";
	const unsigned l[] = { 4, 5 };
	struct bytes b = cifar_batch(2, l);
	struct ds_split s;
	int64_t shape[3];

	tu_tmpdir(dir, sizeof(dir));
	write_file(dir, "data_batch_1.bin", &b, path, sizeof(path));
	gzip_file(path, gz, sizeof(gz));
	cr_assert_eq(truncate(gz, 60), 0);
	const char *paths[] = { gz };
	int rc = cifar_load_batches(paths, 1, &s, shape, err, sizeof(err));
	assert_refused(rc, err, gz, (const char *const[]){ "truncated", NULL });
	free(b.data);
}

Test(cifar, refuses_empty_file_and_no_files)
{
	struct bytes b = { .data = malloc(1) };
	struct ds_split s;
	int64_t shape[3];
	char err[256] = "";

	refuse_cifar(&b, (const char *const[]){ "empty", NULL });
	cr_assert_eq(cifar_load_batches(NULL, 0, &s, shape, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "no batch files"), "%s", err);
}
