/*
 * idx: IDX images and labels (MNIST, Fashion-MNIST) through dsio.
 *
 * The header is validated field by field, each refusal naming the byte offset of the
 * field. The payload is read in chunks and the output grows geometrically up to the
 * declared size, so a lying header (4 billion images in a 20-byte file, as a fuzzer
 * writes) is caught as truncation without ever allocating what it declares.
 */
#include "datasets/idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/error.h"

#define IDX_TYPE_UBYTE 0x08
#define IDX_LABEL_DIMS 1
#define IDX_IMAGE_DIMS 3
#define IDX_CHUNK (1 << 16)
/* First allocation for the payload, in elements: MNIST's labels fit, its images take
 * three doublings. */
#define IDX_FIRST_CAP ((int64_t)1 << 20)

struct idx_header {
	int dims;
	int64_t size[IDX_IMAGE_DIMS];
	int64_t header_bytes;    /* 4 + 4 * dims: where the payload starts */
	int64_t payload;         /* elements (= bytes) the header declares */
};

/* Up to n bytes, fewer only at the end of the stream; -1 on a read error. */
static int read_full(struct dsio *r, unsigned char *buf, size_t n, size_t *got, char *err,
		     size_t errlen)
{
	*got = 0;
	while (*got < n) {
		long k = dsio_read(r, buf + *got, n - *got, err, errlen);
		if (k < 0)
			return -1;
		if (k == 0)
			return 0;
		*got += (size_t)k;
	}
	return 0;
}

static const char *type_name(int code)
{
	switch (code) {
	case 0x08: return "unsigned byte";
	case 0x09: return "signed byte";
	case 0x0B: return "16-bit integer";
	case 0x0C: return "32-bit integer";
	case 0x0D: return "32-bit float";
	case 0x0E: return "64-bit float";
	default: return "not an IDX type";
	}
}

static uint32_t big_endian32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* The 4-byte magic: 00 00, the type code, the number of dimensions. */
static int check_magic(struct dsio *r, const unsigned char m[4], int want_dims, char *err,
		       size_t errlen)
{
	const char *name = dsio_name(r);
	const char *kind = want_dims == IDX_IMAGE_DIMS ? "images" : "labels";
	unsigned expected = (unsigned)IDX_TYPE_UBYTE << 8 | (unsigned)want_dims;

	if (m[0] != 0 || m[1] != 0)
		return rb_error(err, errlen, "%s: not an IDX file: magic 0x%08x at byte offset 0, "
				"expected 0x%08x (%s)", name, (unsigned)big_endian32(m), expected, kind);
	if (m[2] != IDX_TYPE_UBYTE)
		return rb_error(err, errlen, "%s: IDX type code 0x%02x (%s) at byte offset 2 is not "
				"supported; expected 0x08 (unsigned byte)", name, m[2], type_name(m[2]));
	if (m[3] != want_dims)
		return rb_error(err, errlen, "%s: IDX magic 0x%08x at byte offset 0 declares %d "
				"dimension%s; %s need %d (magic 0x%08x)", name, (unsigned)big_endian32(m),
				m[3], m[3] == 1 ? "" : "s", kind, want_dims, expected);
	return 0;
}

/* One size: a signed 32-bit count in the format, so 2^31 and above read as negative. */
static int check_size(struct dsio *r, int i, uint32_t v, char *err, size_t errlen)
{
	static const char *const what[] = { "the item count", "rows", "cols" };
	long long offset = 4 + 4LL * i;

	if (v > INT32_MAX)
		return rb_error(err, errlen, "%s: dimension %d (%s) at byte offset %lld is %u, "
				"negative as a signed 32-bit size", dsio_name(r), i, what[i], offset, v);
	if (v == 0)
		return rb_error(err, errlen, "%s: dimension %d (%s) at byte offset %lld is 0: the "
				"file holds no data", dsio_name(r), i, what[i], offset);
	return 0;
}

static const char *describe_sizes(const struct idx_header *h, char *buf, size_t len)
{
	if (h->dims == 1)
		snprintf(buf, len, "%lld labels", (long long)h->size[0]);
	else
		snprintf(buf, len, "%lld x %lld x %lld", (long long)h->size[0],
			 (long long)h->size[1], (long long)h->size[2]);
	return buf;
}

/* Product of the sizes, refused above IDX_MAX_PAYLOAD before it can overflow (each size
 * is below 2^31, so every partial product checked against the cap fits in int64). */
static int payload_size(struct dsio *r, struct idx_header *h, char *err, size_t errlen)
{
	int64_t total = 1;
	char sizes[80];

	for (int i = 0; i < h->dims; i++) {
		if (h->size[i] > IDX_MAX_PAYLOAD / total)
			return rb_error(err, errlen, "%s: header sizes at byte offset 4 (%s) declare "
					"more than the %lld-byte limit", dsio_name(r),
					describe_sizes(h, sizes, sizeof(sizes)),
					(long long)IDX_MAX_PAYLOAD);
		total *= h->size[i];
	}
	h->payload = total;
	return 0;
}

static int read_header(struct dsio *r, int want_dims, struct idx_header *h, char *err,
		       size_t errlen)
{
	unsigned char b[4 + 4 * IDX_IMAGE_DIMS];
	size_t want = 4 + 4 * (size_t)want_dims, got;

	memset(h, 0, sizeof(*h));
	if (read_full(r, b, 4, &got, err, errlen) != 0)
		return -1;
	if (got == 0)
		return rb_error(err, errlen, "%s: empty file, expected an IDX header", dsio_name(r));
	if (got < 4)
		return rb_error(err, errlen, "%s: truncated at byte offset %zu in the IDX magic "
				"(4 bytes)", dsio_name(r), got);
	if (check_magic(r, b, want_dims, err, errlen) != 0)
		return -1;
	if (read_full(r, b + 4, want - 4, &got, err, errlen) != 0)
		return -1;
	if (got < want - 4)
		return rb_error(err, errlen, "%s: truncated at byte offset %zu in the IDX header "
				"(%zu bytes: magic and %d sizes)", dsio_name(r), 4 + got, want,
				want_dims);
	h->dims = want_dims;
	h->header_bytes = (int64_t)want;
	for (int i = 0; i < want_dims; i++) {
		uint32_t v = big_endian32(b + 4 + 4 * i);
		if (check_size(r, i, v, err, errlen) != 0)
			return -1;
		h->size[i] = v;
	}
	return payload_size(r, h, err, errlen);
}

/* Room for `need` elements, doubling from IDX_FIRST_CAP and never past the payload. */
static int reserve(double **data, int64_t *cap, int64_t need, int64_t payload)
{
	if (need <= *cap)
		return 0;
	int64_t grown = *cap ? *cap : IDX_FIRST_CAP;
	while (grown < need)
		grown *= 2;
	if (grown > payload)
		grown = payload;
	double *d = realloc(*data, (size_t)grown * sizeof(double));
	if (!d)
		return -1;
	*data = d;
	*cap = grown;
	return 0;
}

static int refuse_trailing(struct dsio *r, const struct idx_header *h, const char *unit,
			   char *err, size_t errlen)
{
	unsigned char buf[IDX_CHUNK];
	int64_t at = dsio_offset(r), extra = 0;

	for (;;) {
		long k = dsio_read(r, buf, sizeof(buf), err, errlen);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		extra += k;
	}
	if (extra == 0)
		return 0;
	return rb_error(err, errlen, "%s: %lld bytes of trailing data at byte offset %lld, after "
			"the %lld bytes of %s the header declares", dsio_name(r), (long long)extra,
			(long long)at, (long long)h->payload, unit);
}

/* The payload as doubles: lut maps each byte to its value. Exactly h->payload bytes
 * must follow the header, then the end of the stream. */
static int read_payload(struct dsio *r, const struct idx_header *h, const double lut[256],
			const char *unit, double **out, char *err, size_t errlen)
{
	unsigned char buf[IDX_CHUNK];
	double *data = NULL;
	int64_t cap = 0, done = 0;

	while (done < h->payload) {
		size_t want = (size_t)(h->payload - done < IDX_CHUNK ? h->payload - done : IDX_CHUNK);
		long k = dsio_read(r, buf, want, err, errlen);
		if (k < 0)
			goto fail;
		if (k == 0) {
			rb_error(err, errlen, "%s: truncated at byte offset %lld, expected %lld bytes of "
				 "%s after the %lld-byte header, got %lld", dsio_name(r),
				 (long long)dsio_offset(r), (long long)h->payload, unit,
				 (long long)h->header_bytes, (long long)done);
			goto fail;
		}
		if (reserve(&data, &cap, done + k, h->payload) != 0) {
			rb_error(err, errlen, "%s: out of memory for %lld %s", dsio_name(r),
				 (long long)h->payload, unit);
			goto fail;
		}
		for (long i = 0; i < k; i++)
			data[done + i] = lut[buf[i]];
		done += k;
	}
	if (refuse_trailing(r, h, unit, err, errlen) != 0)
		goto fail;
	*out = data;
	return 0;
fail:
	free(data);
	return -1;
}

int idx_parse_images(struct dsio *r, struct ds_matrix *out, int64_t shape[3], char *err,
		     size_t errlen)
{
	struct idx_header h;
	double lut[256];
	double *pixels;

	memset(out, 0, sizeof(*out));
	if (read_header(r, IDX_IMAGE_DIMS, &h, err, errlen) != 0)
		return -1;
	/* v / 255 exactly (not v * (1/255)), so 255 maps to 1.0. */
	for (int v = 0; v < 256; v++)
		lut[v] = v / 255.0;
	if (read_payload(r, &h, lut, "pixels", &pixels, err, errlen) != 0)
		return -1;
	*out = (struct ds_matrix){ .rows = h.size[0], .cols = h.size[1] * h.size[2],
				   .sparse = false, .dense = pixels };
	shape[0] = h.size[1];
	shape[1] = h.size[2];
	shape[2] = 1;
	return 0;
}

int idx_parse_labels(struct dsio *r, double **labels, int64_t *n, char *err, size_t errlen)
{
	struct idx_header h;
	double lut[256];

	*labels = NULL;
	*n = 0;
	if (read_header(r, IDX_LABEL_DIMS, &h, err, errlen) != 0)
		return -1;
	for (int v = 0; v < 256; v++)
		lut[v] = v;
	if (read_payload(r, &h, lut, "labels", labels, err, errlen) != 0)
		return -1;
	*n = h.size[0];
	return 0;
}

int idx_parse_pair(struct dsio *images, struct dsio *labels, struct ds_split *out,
		   int64_t shape[3], char *err, size_t errlen)
{
	int64_t n;

	memset(out, 0, sizeof(*out));
	if (idx_parse_images(images, &out->x, shape, err, errlen) != 0)
		return -1;
	if (idx_parse_labels(labels, &out->y, &n, err, errlen) != 0) {
		ds_matrix_free(&out->x);
		return -1;
	}
	if (n == out->x.rows)
		return 0;
	rb_error(err, errlen, "%s: %lld labels, but %s holds %lld images", dsio_name(labels),
		 (long long)n, dsio_name(images), (long long)out->x.rows);
	ds_matrix_free(&out->x);
	free(out->y);
	out->y = NULL;
	return -1;
}

int idx_load_images(const char *path, struct ds_matrix *out, int64_t shape[3], char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = idx_parse_images(r, out, shape, err, errlen);
	dsio_close(r);
	return rc;
}

int idx_load_labels(const char *path, double **labels, int64_t *n, char *err, size_t errlen)
{
	*labels = NULL;
	*n = 0;
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = idx_parse_labels(r, labels, n, err, errlen);
	dsio_close(r);
	return rc;
}

int idx_load_pair(const char *images, const char *labels, struct ds_split *out,
		  int64_t shape[3], char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *ri = dsio_open(images, err, errlen);
	if (!ri)
		return -1;
	struct dsio *rl = dsio_open(labels, err, errlen);
	if (!rl) {
		dsio_close(ri);
		return -1;
	}
	int rc = idx_parse_pair(ri, rl, out, shape, err, errlen);
	dsio_close(ri);
	dsio_close(rl);
	return rc;
}
