/* dsio: plain, gzip (zlib), bzip2 (libbz2) and xz (liblzma) files as one byte stream. */
#include "datasets/dsio.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "suite/error.h"

#define IN_CHUNK (1 << 16)

struct dsio {
	char name[1024];
	enum dsio_codec codec;
	FILE *f;
	const unsigned char *mem;   /* memory stream */
	size_t mem_len, mem_pos;
	gzFile gz;
	bz_stream bz;
	lzma_stream xz;
	unsigned char *in;          /* compressed input buffer (bz2, xz) */
	int eof;                    /* the codec reported the end of its stream */
	char *buf;                  /* getline buffer: [start, end) unread */
	size_t cap, start, end;
	int64_t lineno, offset;
};

static enum dsio_codec sniff(FILE *f)
{
	unsigned char m[6] = {0};
	size_t n = fread(m, 1, sizeof(m), f);
	rewind(f);
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return DSIO_GZIP;
	if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		return DSIO_BZIP2;
	if (n == 6 && !memcmp(m, "\xfd" "7zXZ\0", 6))
		return DSIO_XZ;
	return DSIO_PLAIN;
}

static int open_codec(struct dsio *r, char *err, size_t errlen)
{
	switch (r->codec) {
	case DSIO_PLAIN:
		return 0;
	case DSIO_GZIP:
		/* gzdopen takes over the descriptor; keep our FILE for nothing else. */
		r->gz = gzdopen(dup(fileno(r->f)), "rb");
		if (!r->gz)
			return rb_error(err, errlen, "%s: cannot open the gzip stream", r->name);
		gzbuffer(r->gz, IN_CHUNK);
		return 0;
	case DSIO_BZIP2:
		r->in = malloc(IN_CHUNK);
		if (!r->in || BZ2_bzDecompressInit(&r->bz, 0, 0) != BZ_OK)
			return rb_error(err, errlen, "%s: cannot start bzip2 decompression", r->name);
		return 0;
	case DSIO_XZ:
		r->in = malloc(IN_CHUNK);
		r->xz = (lzma_stream)LZMA_STREAM_INIT;
		if (!r->in || lzma_stream_decoder(&r->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return rb_error(err, errlen, "%s: cannot start xz decompression", r->name);
		return 0;
	}
	return -1;
}

struct dsio *dsio_open(const char *path, char *err, size_t errlen)
{
	struct dsio *r = calloc(1, sizeof(*r));
	if (!r) {
		rb_error(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(r->name, sizeof(r->name), "%s", path);
	r->f = fopen(path, "rb");
	if (!r->f) {
		rb_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(r);
		return NULL;
	}
	r->codec = sniff(r->f);
	if (open_codec(r, err, errlen) < 0) {
		dsio_close(r);
		return NULL;
	}
	return r;
}

struct dsio *dsio_open_memory(const void *data, size_t len, const char *name)
{
	struct dsio *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->mem = data;
	r->mem_len = len;
	r->codec = DSIO_PLAIN;
	return r;
}

void dsio_close(struct dsio *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->codec == DSIO_BZIP2 && r->in)
		BZ2_bzDecompressEnd(&r->bz);
	if (r->codec == DSIO_XZ && r->in)
		lzma_end(&r->xz);
	if (r->f)
		fclose(r->f);
	free(r->in);
	free(r->buf);
	free(r);
}

enum dsio_codec dsio_codec(const struct dsio *r)
{
	return r->codec;
}

const char *dsio_name(const struct dsio *r)
{
	return r->name;
}

static long read_plain(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	if (r->mem) {
		size_t k = r->mem_len - r->mem_pos < n ? r->mem_len - r->mem_pos : n;
		memcpy(buf, r->mem + r->mem_pos, k);
		r->mem_pos += k;
		return (long)k;
	}
	size_t k = fread(buf, 1, n, r->f);
	if (k == 0 && ferror(r->f))
		return rb_error(err, errlen, "%s: read error: %s", r->name, strerror(errno));
	return (long)k;
}

static long read_gzip(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	int k = gzread(r->gz, buf, (unsigned)(n > INT32_MAX ? INT32_MAX : n));
	int code;
	const char *msg = gzerror(r->gz, &code);
	if (k < 0 || (code != Z_OK && code != Z_BUF_ERROR))
		return rb_error(err, errlen, "%s: corrupt gzip data near byte offset %lld: %s", r->name,
				(long long)r->offset, msg);
	/* zlib reports a truncated member as Z_BUF_ERROR at the end. */
	if (k == 0 && code == Z_BUF_ERROR)
		return rb_error(err, errlen, "%s: truncated gzip stream at byte offset %lld", r->name,
				(long long)r->offset);
	return k;
}

/* Offsets in messages count the decompressed bytes delivered before the failure,
 * including those of this call. */
static long read_bzip2(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	r->bz.next_out = buf;
	r->bz.avail_out = (unsigned)(n > INT32_MAX ? INT32_MAX : n);
	while (r->bz.avail_out > 0 && !r->eof) {
		if (r->bz.avail_in == 0) {
			size_t got = fread(r->in, 1, IN_CHUNK, r->f);
			if (got == 0)
				return rb_error(err, errlen, "%s: truncated bzip2 stream at byte offset %lld",
						r->name, (long long)(r->offset + (int64_t)(n - r->bz.avail_out)));
			r->bz.next_in = (char *)r->in;
			r->bz.avail_in = (unsigned)got;
		}
		int rc = BZ2_bzDecompress(&r->bz);
		if (rc == BZ_STREAM_END)
			r->eof = 1;
		else if (rc != BZ_OK)
			return rb_error(err, errlen, "%s: corrupt bzip2 data near byte offset %lld (code %d)",
					r->name, (long long)(r->offset + (int64_t)(n - r->bz.avail_out)), rc);
	}
	return (long)(n - r->bz.avail_out);
}

static long read_xz(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	r->xz.next_out = buf;
	r->xz.avail_out = n;
	while (r->xz.avail_out > 0 && !r->eof) {
		lzma_action action = LZMA_RUN;
		if (r->xz.avail_in == 0) {
			size_t got = fread(r->in, 1, IN_CHUNK, r->f);
			r->xz.next_in = r->in;
			r->xz.avail_in = got;
			if (got == 0)
				action = LZMA_FINISH;
		}
		lzma_ret rc = lzma_code(&r->xz, action);
		if (rc == LZMA_STREAM_END)
			r->eof = 1;
		else if (rc == LZMA_BUF_ERROR || (rc == LZMA_OK && action == LZMA_FINISH))
			return rb_error(err, errlen, "%s: truncated xz stream at byte offset %lld", r->name,
					(long long)(r->offset + (int64_t)(n - r->xz.avail_out)));
		else if (rc != LZMA_OK)
			return rb_error(err, errlen, "%s: corrupt xz data near byte offset %lld (code %d)",
					r->name, (long long)(r->offset + (int64_t)(n - r->xz.avail_out)), (int)rc);
	}
	return (long)(n - r->xz.avail_out);
}

long dsio_read(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	long k;
	/* Bytes already buffered by dsio_getline come first. */
	if (r->end > r->start) {
		size_t have = r->end - r->start;
		k = (long)(have < n ? have : n);
		memcpy(buf, r->buf + r->start, (size_t)k);
		r->start += (size_t)k;
		return k;
	}
	switch (r->codec) {
	case DSIO_GZIP: k = read_gzip(r, buf, n, err, errlen); break;
	case DSIO_BZIP2: k = read_bzip2(r, buf, n, err, errlen); break;
	case DSIO_XZ: k = read_xz(r, buf, n, err, errlen); break;
	default: k = read_plain(r, buf, n, err, errlen); break;
	}
	if (k > 0)
		r->offset += k;
	return k;
}

int dsio_read_exact(struct dsio *r, void *buf, size_t n, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < n) {
		long k = dsio_read(r, (char *)buf + got, n - got, err, errlen);
		if (k < 0)
			return -1;
		if (k == 0)
			return rb_error(err, errlen, "%s: truncated at byte offset %lld (wanted %zu more bytes)",
					r->name, (long long)(r->offset), n - got);
		got += (size_t)k;
	}
	return 0;
}

/* Refill the line buffer: keep unread bytes, read more behind them. */
static long refill(struct dsio *r, char *err, size_t errlen)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < IN_CHUNK) {
		size_t cap = r->cap ? 2 * r->cap : 4 * IN_CHUNK;
		char *b = realloc(r->buf, cap + 1);
		if (!b)
			return rb_error(err, errlen, "%s: out of memory for a line", r->name);
		r->buf = b;
		r->cap = cap;
	}
	long k;
	switch (r->codec) {
	case DSIO_GZIP: k = read_gzip(r, r->buf + r->end, r->cap - r->end, err, errlen); break;
	case DSIO_BZIP2: k = read_bzip2(r, r->buf + r->end, r->cap - r->end, err, errlen); break;
	case DSIO_XZ: k = read_xz(r, r->buf + r->end, r->cap - r->end, err, errlen); break;
	default: k = read_plain(r, r->buf + r->end, r->cap - r->end, err, errlen); break;
	}
	if (k > 0) {
		r->end += (size_t)k;
		r->offset += k;
	}
	return k;
}

long dsio_getline(struct dsio *r, char **line, char *err, size_t errlen)
{
	size_t scanned = 0;
	for (;;) {
		char *nl = r->buf ? memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned)
				  : NULL;
		if (nl) {
			size_t len = (size_t)(nl - (r->buf + r->start));
			*line = r->buf + r->start;
			r->start += len + 1;
			if (len > 0 && (*line)[len - 1] == '\r')
				len--;
			(*line)[len] = 0;
			r->lineno++;
			return (long)len;
		}
		scanned = r->end - r->start;
		long k = refill(r, err, errlen);
		if (k < 0)
			return -2;
		if (k == 0) {
			if (r->end == r->start)
				return -1;
			/* A last line without a newline. */
			size_t len = r->end - r->start;
			*line = r->buf + r->start;
			r->start = r->end;
			if (len > 0 && (*line)[len - 1] == '\r')
				len--;
			(*line)[len] = 0;
			r->lineno++;
			return (long)len;
		}
	}
}

int64_t dsio_lineno(const struct dsio *r)
{
	return r->lineno;
}

int64_t dsio_offset(const struct dsio *r)
{
	return r->offset - (int64_t)(r->end - r->start);
}
