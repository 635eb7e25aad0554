/*
 * cache: binary dataset files (format in cache.h). Loading reads each array straight
 * into its own allocation, a block at a time, hashing each block while it is still in
 * the CPU cache: XXH64 rather than SHA-256 because it runs at memory speed, and this
 * checksum only has to catch torn or flipped bytes, not an adversary (the cache folder
 * is the user's own). Every count is checked against the bytes left in the file before
 * anything is allocated, so a damaged length cannot ask for absurd memory; the loaded
 * dataset is then checked for the invariants its consumers index by (row pointers,
 * column and vertex numbers in range), the same check the writer applies before it
 * stores anything.
 */
#include "datasets/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "suite/error.h"
#include "suite/paths.h"

#define CACHE_MAGIC "RBDSCACH"
#define ABSENT UINT64_MAX            /* array count standing for a NULL pointer */
/* An array count with this bit is followed by one element that fills the whole array:
 * binary-feature data (a9a, w8a: every value is 1) then skips most of its bytes. */
#define FILL_FLAG (1ull << 62)
/* Arrays are read and hashed in blocks of this many bytes: a block is hashed while it
 * is still in the L2 cache from the read that brought it in. */
#define HASH_BLOCK (256u << 10)
#define SHA_BUFFER (1u << 20)
#define TEMP_TRIES 100
#define HUGE_PAGE (2u << 20)

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

struct writer {
	FILE *f;
	uint64_t h;
	unsigned char *swap;     /* HASH_BLOCK bytes for byte-swapping (big-endian hosts) */
};

struct reader {
	int fd;
	int64_t left;            /* bytes before the trailer */
	uint64_t h;
	const char *corrupt;     /* why the entry is no good; NULL while it is */
	int io_errno;            /* a read error: not the entry's fault */
};

/* ---- XXH64 (Yann Collet's xxHash, 64-bit variant, written from its specification) ---- */

static const uint64_t P1 = 0x9E3779B185EBCA87ull, P2 = 0xC2B2AE3D27D4EB4Full,
		      P3 = 0x165667B19E3779F9ull, P4 = 0x85EBCA77C2B2AE63ull,
		      P5 = 0x27D4EB2F165667C5ull;

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return HOST_LE ? v : __builtin_bswap64(v);
}

static uint32_t load32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return HOST_LE ? v : __builtin_bswap32(v);
}

static uint64_t xxh_round(uint64_t acc, uint64_t input)
{
	return rotl64(acc + input * P2, 31) * P1;
}

static uint64_t xxh_merge(uint64_t h, uint64_t v)
{
	return (h ^ xxh_round(0, v)) * P1 + P4;
}

static uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t h;
	if (len >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
		for (; end - p >= 32; p += 32) {
			v1 = xxh_round(v1, load64(p));
			v2 = xxh_round(v2, load64(p + 8));
			v3 = xxh_round(v3, load64(p + 16));
			v4 = xxh_round(v4, load64(p + 24));
		}
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xxh_merge(xxh_merge(xxh_merge(xxh_merge(h, v1), v2), v3), v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	for (; end - p >= 8; p += 8)
		h = rotl64(h ^ xxh_round(0, load64(p)), 27) * P1 + P4;
	if (end - p >= 4) {
		h = rotl64(h ^ (uint64_t)load32(p) * P1, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++)
		h = rotl64(h ^ *p * P5, 11) * P1;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	return h ^ (h >> 32);
}

/* The chained hash of n bytes, block by block, so that writer and reader agree however
 * each of them splits its I/O. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	do {
		size_t k = n < HASH_BLOCK ? n : HASH_BLOCK;
		h = xxh64(b, k, h);
		b += k;
		n -= k;
	} while (n > 0);
	return h;
}

static void swap_elements(void *p, size_t count, size_t elem)
{
	unsigned char *b = p;
	for (size_t i = 0; i < count; i++, b += elem)
		for (size_t j = 0; j < elem / 2; j++) {
			unsigned char t = b[j];
			b[j] = b[elem - 1 - j];
			b[elem - 1 - j] = t;
		}
}

/* ---- keys and paths ---- */

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* Keys become file names: a '/' or ".." must not reach the path. */
static int check_key(const char *key, char *err, size_t errlen)
{
	char shown[44];
	size_t n = strlen(key), k = 0;
	for (; k < n && k + 1 < sizeof(shown); k++)
		shown[k] = key_char(key[k]) ? key[k] : '?';   /* the message stays one line */
	shown[k] = 0;
	if (n == 0 || n > CACHE_KEY_MAX || key[0] == '.')
		return rb_error(err, errlen, "cache key '%s' must be 1 to %d characters, not starting with '.'",
				shown, CACHE_KEY_MAX);
	for (const char *p = key; *p; p++)
		if (!key_char(*p))
			return rb_error(err, errlen, "cache key '%s' has characters other than [A-Za-z0-9._-]",
					shown);
	return 0;
}

static int entry_path(const char *key, char *path, size_t len, char *err, size_t errlen)
{
	if (check_key(key, err, errlen) < 0)
		return -1;
	char dir[PATH_MAX];
	cache_dir(dir, sizeof(dir));
	int n = snprintf(path, len, "%s/%s.rbds", dir, key);
	if (n < 0 || (size_t)n >= len)
		return rb_error(err, errlen, "cache path too long: %s/%s.rbds", dir, key);
	return 0;
}

void cache_dir(char *buf, size_t len)
{
	const char *env = getenv("RELAXBENCH_CACHE");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	char root[PATH_MAX], err[256];
	if (rb_root_dir(root, sizeof(root), err, sizeof(err)) == 0 &&
	    rb_path_join(buf, len, root, "datasets/cache", err, sizeof(err)) == 0)
		return;
	snprintf(buf, len, "./datasets/cache");
}

/* ---- SHA-256 of a source file ---- */

static int sha256_stream(FILE *f, EVP_MD_CTX *ctx, unsigned char *buf, unsigned char *md)
{
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		return -1;
	size_t n;
	while ((n = fread(buf, 1, SHA_BUFFER, f)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, n))
			return -1;
	if (ferror(f))
		return -1;
	unsigned int mdlen = 0;
	return EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == SHA256_DIGEST_LENGTH ? 0 : -1;
}

int cache_sha256_file(const char *path, char hex[65], char *err, size_t errlen)
{
	hex[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return rb_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	unsigned char *buf = malloc(SHA_BUFFER);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[SHA256_DIGEST_LENGTH];
	errno = 0;
	int rc = buf && ctx ? sha256_stream(f, ctx, buf, md) : -1;
	int e = errno;
	EVP_MD_CTX_free(ctx);
	free(buf);
	fclose(f);
	if (rc < 0)
		return rb_error(err, errlen, "%s: cannot compute SHA-256: %s", path,
				e ? strerror(e) : "out of memory or digest failure");
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ---- writing ---- */

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (n > 0)
		fwrite(p, 1, n, w->f);   /* errors surface through ferror() at the end */
	w->h = hash_bytes(w->h, p, n);
}

static void put_u64(struct writer *w, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put_bytes(w, b, 8);
}

static void put_i64(struct writer *w, int64_t v)
{
	put_u64(w, (uint64_t)v);
}

static uint64_t element(const unsigned char *b, size_t elem)
{
	uint64_t v = 0;
	memcpy(&v, b, elem);
	return v;
}

/* Whether all count elements equal the first (bitwise), in blocks so that the common
 * "no" comes early while the scan itself stays a branch-free loop. */
static bool all_same(const void *p, int64_t count, size_t elem)
{
	const unsigned char *b = p;
	if (count < 2 || (elem != 4 && elem != 8))
		return false;
	uint64_t first = element(b, elem), diff = 0;
	for (int64_t i = 1; i < count && !diff; i += 4096) {
		int64_t end = count - i < 4096 ? count : i + 4096;
		for (int64_t j = i; j < end; j++)
			diff |= element(b + (size_t)j * elem, elem) ^ first;
	}
	return diff == 0;
}

static void put_array(struct writer *w, const void *p, int64_t count, size_t elem)
{
	if (!p) {
		put_u64(w, ABSENT);
		return;
	}
	bool fill = all_same(p, count, elem);
	put_u64(w, (uint64_t)count | (fill ? FILL_FLAG : 0));
	size_t n = (size_t)(fill ? 1 : count) * elem;
	if (HOST_LE || elem == 1) {
		put_bytes(w, p, n);
		return;
	}
	/* Big-endian host: swap a hash block at a time, so the hash chain is the same. */
	const unsigned char *b = p;
	do {
		size_t k = n < HASH_BLOCK ? n : HASH_BLOCK;
		memcpy(w->swap, b, k);
		swap_elements(w->swap, k / elem, elem);
		put_bytes(w, w->swap, k);
		b += k;
		n -= k;
	} while (n > 0);
}

static void put_string(struct writer *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);
	put_u64(w, n);
	put_bytes(w, s, n);
}

static int64_t csr_nnz(const int64_t *rowptr, int64_t rows)
{
	return rowptr ? rowptr[rows] : 0;
}

static void put_matrix(struct writer *w, const struct ds_matrix *m)
{
	int64_t nnz = csr_nnz(m->rowptr, m->rows);
	put_i64(w, m->rows);
	put_i64(w, m->cols);
	put_u64(w, m->sparse);
	put_array(w, m->dense, m->rows * m->cols, sizeof(double));
	put_array(w, m->rowptr, m->rows + 1, sizeof(int64_t));
	put_array(w, m->colidx, nnz, sizeof(int32_t));
	put_array(w, m->values, nnz, sizeof(double));
}

static void put_dataset(struct writer *w, const struct ds_dataset *d)
{
	put_bytes(w, CACHE_MAGIC, 8);
	put_u64(w, CACHE_FORMAT_VERSION);
	put_string(w, d->name, sizeof(d->name));
	put_string(w, d->checksum, sizeof(d->checksum));
	put_string(w, d->source, sizeof(d->source));
	put_i64(w, d->kind);
	put_i64(w, d->classes);
	for (int i = 0; i < 3; i++)
		put_i64(w, d->shape[i]);
	put_matrix(w, &d->train.x);
	put_array(w, d->train.y, d->train.x.rows, sizeof(double));
	put_matrix(w, &d->test.x);
	put_array(w, d->test.y, d->test.x.rows, sizeof(double));
	put_i64(w, d->graph.n);
	put_i64(w, d->graph.m);
	put_array(w, d->graph.rowptr, d->graph.n + 1, sizeof(int64_t));
	put_array(w, d->graph.adj, d->graph.m, sizeof(int32_t));
	put_array(w, d->graph.weight, d->graph.m, sizeof(int32_t));
	put_array(w, d->graph.coords, 2 * d->graph.n, sizeof(double));
	put_i64(w, d->truth_len);
	put_array(w, d->truth, d->truth_len, sizeof(double));
}

/* The shapes the writer multiplies must be sane, or the counts it writes are garbage. */
static bool matrix_shape_ok(const struct ds_matrix *m)
{
	return m->rows >= 0 && m->cols >= 0 && m->rows < INT64_MAX &&
	       (m->cols == 0 || m->rows <= INT64_MAX / m->cols);
}

/* rowptr[0] = 0 and never decreasing. */
static bool rowptr_ok(const int64_t *rowptr, int64_t rows)
{
	if (rowptr[0] != 0)
		return false;
	for (int64_t i = 0; i < rows; i++)
		if (rowptr[i + 1] < rowptr[i])
			return false;
	return true;
}

/* Every index of a loaded entry passes through here, so it is a running maximum over
 * eight lanes, which gcc and clang both vectorise at -O2 (a loop with an early exit,
 * or one accumulator, they do not). A negative index, as unsigned, is >= 2^31. */
static bool indices_ok(const int32_t *idx, int64_t n, int64_t bound)
{
	uint32_t lane[8] = { 0 }, top = 0;
	int64_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++) {
			uint32_t v = (uint32_t)idx[i + j];
			lane[j] = v > lane[j] ? v : lane[j];
		}
	for (; i < n; i++)
		top = (uint32_t)idx[i] > top ? (uint32_t)idx[i] : top;
	for (int j = 0; j < 8; j++)
		top = lane[j] > top ? lane[j] : top;
	return n == 0 || (int64_t)top < bound;
}

static const char *matrix_invalid(const struct ds_matrix *m)
{
	if (!matrix_shape_ok(m))
		return "a matrix has an impossible shape";
	if (m->rowptr && !rowptr_ok(m->rowptr, m->rows))
		return "a matrix's row pointers do not ascend from 0";
	int64_t nnz = csr_nnz(m->rowptr, m->rows);
	if ((m->sparse && m->rows > 0 && !m->rowptr) || (nnz > 0 && (!m->colidx || !m->values)) ||
	    (!m->sparse && m->rows * m->cols > 0 && !m->dense))
		return "a matrix lacks an array its shape needs";
	if (m->colidx && !indices_ok(m->colidx, nnz, m->cols))
		return "a matrix has a column index out of range";
	return NULL;
}

static const char *graph_invalid(const struct ds_graph *g)
{
	if (g->n < 0 || g->n >= INT64_MAX / 2 || g->m < 0)
		return "the graph has an impossible size";
	if (g->rowptr && (!rowptr_ok(g->rowptr, g->n) || g->rowptr[g->n] != g->m))
		return "the graph's row pointers do not run from 0 to m";
	if ((g->n > 0 && !g->rowptr) || (g->m > 0 && !g->adj))
		return "the graph lacks an array its size needs";
	if (g->adj && !indices_ok(g->adj, g->m, g->n))
		return "the graph has a vertex number out of range";
	return NULL;
}

/*
 * Why d cannot be a dataset (NULL when it can): the writer refuses to store it and the
 * reader treats it as damage, so an entry that was stored always loads, and a loaded
 * entry never leads a consumer out of bounds.
 */
static const char *dataset_invalid(const struct ds_dataset *d)
{
	const char *why;
	if (d->kind != DS_TABLE && d->kind != DS_GRAPH && d->kind != DS_SIGNAL)
		return "an unknown dataset kind";
	if (d->classes < 0)
		return "a negative class count";
	if ((why = matrix_invalid(&d->train.x)) || (why = matrix_invalid(&d->test.x)) ||
	    (why = graph_invalid(&d->graph)))
		return why;
	if (d->truth_len < 0)
		return "a negative signal length";
	return NULL;
}

static int open_temp(const char *path, char *tmp, size_t len, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dirlen = (int)(base - path);
	for (int attempt = 0; attempt < TEMP_TRIES; attempt++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long nonce = (unsigned long)ts.tv_nsec + 7919ul * (unsigned long)attempt;
		int n = snprintf(tmp, len, "%.*s.%s.tmp-%ld-%lx", dirlen, path, base, (long)getpid(),
				 nonce);
		if (n < 0 || (size_t)n >= len)
			return rb_error(err, errlen, "cache path too long: %s", path);
		/* 0666 as for any created file (mkstemp's 0600 would stick to the entry). */
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return rb_error(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
	}
	return rb_error(err, errlen, "cannot create a temporary file beside %s", path);
}

static int write_entry(int fd, const char *tmp, const struct ds_dataset *d, char *err,
		       size_t errlen)
{
	struct writer w = { .f = fdopen(fd, "wb"), .h = 0 };
	if (!w.f) {
		close(fd);
		return rb_error(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	}
	if (!HOST_LE && !(w.swap = malloc(HASH_BLOCK))) {
		fclose(w.f);
		return rb_error(err, errlen, "cannot write %s: out of memory", tmp);
	}
	put_dataset(&w, d);
	unsigned char trailer[8];
	for (int i = 0; i < 8; i++)
		trailer[i] = (unsigned char)(w.h >> (8 * i));
	fwrite(trailer, 1, 8, w.f);
	free(w.swap);
	bool failed = fflush(w.f) != 0 || ferror(w.f);
	int e = errno;
	if (fclose(w.f) != 0 && !failed) {
		failed = true;
		e = errno;
	}
	return failed ? rb_error(err, errlen, "cannot write %s: %s", tmp, strerror(e)) : 0;
}

int cache_store(const char *key, const struct ds_dataset *d, char *err, size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX];
	if (entry_path(key, path, sizeof(path), err, errlen) < 0)
		return -1;
	const char *why = dataset_invalid(d);
	if (why)
		return rb_error(err, errlen, "cache %s: refusing to store an inconsistent dataset: %s",
				key, why);
	cache_dir(dir, sizeof(dir));
	if (rb_mkdirs(dir, err, errlen) < 0)
		return -1;
	int fd = open_temp(path, tmp, sizeof(tmp), err, errlen);
	if (fd < 0)
		return -1;
	if (write_entry(fd, tmp, d, err, errlen) < 0 || rb_path_publish(tmp, path, err, errlen) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

static bool bad(struct reader *r, const char *why)
{
	if (!r->corrupt && !r->io_errno)
		r->corrupt = why;
	return false;
}

static bool failed(const struct reader *r)
{
	return r->corrupt || r->io_errno;
}

static bool read_full(struct reader *r, void *dst, size_t n)
{
	unsigned char *p = dst;
	while (n > 0) {
		ssize_t k = read(r->fd, p, n > (1u << 30) ? (1u << 30) : n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->io_errno = errno;
			return false;
		}
		if (k == 0)
			return bad(r, "the file is shorter than its size (changed while read)");
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static bool get_bytes(struct reader *r, void *dst, size_t n)
{
	if (failed(r))
		return false;
	if ((uint64_t)r->left < n)
		return bad(r, "truncated: a field runs past the end of the file");
	r->left -= (int64_t)n;
	unsigned char *p = dst;
	do {
		size_t k = n < HASH_BLOCK ? n : HASH_BLOCK;
		if (!read_full(r, p, k))
			return false;
		r->h = xxh64(p, k, r->h);
		p += k;
		n -= k;
	} while (n > 0);
	return true;
}

static uint64_t get_u64(struct reader *r)
{
	unsigned char b[8] = { 0 };
	get_bytes(r, b, 8);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static int64_t get_i64(struct reader *r)
{
	return (int64_t)get_u64(r);
}

static void fill_array(void *p, uint64_t count, size_t elem)
{
	if (elem == 8) {
		uint64_t v, *q = p;
		memcpy(&v, p, 8);
		for (uint64_t i = 1; i < count; i++)
			q[i] = v;
	} else if (elem == 4) {
		uint32_t v, *q = p;
		memcpy(&v, p, 4);
		for (uint64_t i = 1; i < count; i++)
			q[i] = v;
	}
}

/*
 * Memory for a loaded array. A large one is 2 MiB-aligned, rounded up to whole 2 MiB
 * pages and marked for transparent huge pages: in a fresh process the first touch of
 * each 4 KiB page costs a fault, and those faults were 3 of the 3.4 ms that loading
 * a9a took (a9a parses in 12 ms). Where THP is off, madvise fails and nothing changes.
 */
static void *alloc_array(size_t bytes)
{
	if (bytes < HUGE_PAGE / 2)
		return malloc(bytes > 0 ? bytes : 1);
	if (bytes > SIZE_MAX - HUGE_PAGE)
		return NULL;
	size_t rounded = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	void *p = NULL;
	if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
		return NULL;
	(void)madvise(p, rounded, MADV_HUGEPAGE);
	return p;
}

/* count elements of one repeated value: read it, then spread it. */
static void *get_filled(struct reader *r, uint64_t count, size_t elem)
{
	if ((elem != 4 && elem != 8) || count < 2 || count > SIZE_MAX / elem) {
		bad(r, "a filled array has an impossible length");
		return NULL;
	}
	void *p = alloc_array(count * elem);
	if (!p) {
		r->io_errno = ENOMEM;
		return NULL;
	}
	if (!get_bytes(r, p, elem)) {
		free(p);
		return NULL;
	}
	if (!HOST_LE)
		swap_elements(p, 1, elem);
	fill_array(p, count, elem);
	return p;
}

/* An array of exactly `expect` elements, or NULL when the writer had none. */
static void *get_array(struct reader *r, int64_t expect, size_t elem)
{
	uint64_t count = get_u64(r);
	if (failed(r) || count == ABSENT)
		return NULL;
	if ((count & FILL_FLAG) && expect >= 0 &&
	    (count & ~FILL_FLAG) == (uint64_t)expect)
		return get_filled(r, (uint64_t)expect, elem);
	if (expect < 0 || count != (uint64_t)expect) {
		bad(r, "an array's length does not match the shape before it");
		return NULL;
	}
	if (count > (uint64_t)r->left / elem) {
		bad(r, "truncated: an array runs past the end of the file");
		return NULL;
	}
	void *p = alloc_array(count * elem);
	if (!p) {
		r->io_errno = ENOMEM;
		return NULL;
	}
	if (!get_bytes(r, p, count * elem)) {
		free(p);
		return NULL;
	}
	if (!HOST_LE && elem > 1)
		swap_elements(p, count, elem);
	return p;
}

static void get_string(struct reader *r, char *dst, size_t cap)
{
	uint64_t n = get_u64(r);
	if (failed(r))
		return;
	if (n >= cap) {
		bad(r, "a name is longer than its field");
		return;
	}
	if (get_bytes(r, dst, n))
		dst[n] = 0;
}

/* Only the checks that reading itself needs (counts that the arrays' lengths depend
 * on); dataset_invalid() judges the whole once it is read. */
static void get_matrix(struct reader *r, struct ds_matrix *m)
{
	m->rows = get_i64(r);
	m->cols = get_i64(r);
	uint64_t sparse = get_u64(r);
	if (failed(r))
		return;
	if (!matrix_shape_ok(m) || sparse > 1) {
		bad(r, "a matrix has an impossible shape");
		return;
	}
	m->sparse = sparse;
	m->dense = get_array(r, m->rows * m->cols, sizeof(double));
	m->rowptr = get_array(r, m->rows + 1, sizeof(int64_t));
	/* A damaged rowptr[rows] only makes the next counts mismatch: checked there. */
	int64_t nnz = csr_nnz(m->rowptr, m->rows);
	m->colidx = get_array(r, nnz, sizeof(int32_t));
	m->values = get_array(r, nnz, sizeof(double));
}

static void get_graph(struct reader *r, struct ds_graph *g)
{
	g->n = get_i64(r);
	g->m = get_i64(r);
	if (failed(r))
		return;
	if (g->n < 0 || g->n >= INT64_MAX / 2 || g->m < 0) {
		bad(r, "the graph has an impossible size");
		return;
	}
	g->rowptr = get_array(r, g->n + 1, sizeof(int64_t));
	g->adj = get_array(r, g->m, sizeof(int32_t));
	g->weight = get_array(r, g->m, sizeof(int32_t));
	g->coords = get_array(r, 2 * g->n, sizeof(double));
}

static void get_split(struct reader *r, struct ds_split *s)
{
	get_matrix(r, &s->x);
	if (!failed(r))
		s->y = get_array(r, s->x.rows, sizeof(double));
}

static void get_dataset(struct reader *r, struct ds_dataset *d)
{
	char magic[8];
	if (get_bytes(r, magic, 8) && memcmp(magic, CACHE_MAGIC, 8) != 0)
		bad(r, "not a relaxbench cache file");
	if (get_u64(r) != CACHE_FORMAT_VERSION)
		bad(r, "another format version");
	get_string(r, d->name, sizeof(d->name));
	get_string(r, d->checksum, sizeof(d->checksum));
	get_string(r, d->source, sizeof(d->source));
	int64_t kind = get_i64(r), classes = get_i64(r);
	/* Range-checked before the narrowing; dataset_invalid() checks the values. */
	if (kind < 0 || kind > DS_SIGNAL || classes < 0 || classes > INT32_MAX)
		bad(r, "an unknown dataset kind or an impossible class count");
	d->kind = (enum ds_kind)kind;
	d->classes = (int)classes;
	for (int i = 0; i < 3; i++)
		d->shape[i] = get_i64(r);
	get_split(r, &d->train);
	get_split(r, &d->test);
	get_graph(r, &d->graph);
	d->truth_len = get_i64(r);
	d->truth = get_array(r, d->truth_len, sizeof(double));
	if (!failed(r) && r->left != 0)
		bad(r, "bytes left over before the checksum");
}

/* After the payload: the stored hash must equal the one computed while reading. */
static void check_trailer(struct reader *r)
{
	unsigned char b[8];
	if (failed(r) || !read_full(r, b, 8))
		return;
	uint64_t stored = 0;
	for (int i = 0; i < 8; i++)
		stored |= (uint64_t)b[i] << (8 * i);
	if (stored != r->h)
		bad(r, "checksum mismatch (a torn or damaged file)");
}

/* Delete a bad entry, unless someone has replaced it since we opened it. */
static void drop_entry(const char *path, int fd)
{
	struct stat a, b;
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		unlink(path);
}

int cache_load(const char *key, struct ds_dataset *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char path[PATH_MAX];
	if (entry_path(key, path, sizeof(path), err, errlen) < 0)
		return -1;
	if (err && errlen)
		err[0] = 0;
	struct reader r = { .fd = open(path, O_RDONLY | O_CLOEXEC) };
	if (r.fd < 0)
		return errno == ENOENT ? 0
				       : rb_error(err, errlen, "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(r.fd, &st) != 0) {
		int e = errno;
		close(r.fd);
		return rb_error(err, errlen, "cannot stat %s: %s", path, strerror(e));
	}
	r.left = st.st_size - 8;
	if (r.left < 16)
		bad(&r, "too short for a header and a checksum");
	get_dataset(&r, out);
	check_trailer(&r);
	const char *why = failed(&r) ? NULL : dataset_invalid(out);
	if (why)
		bad(&r, why);
	if (!failed(&r)) {
		close(r.fd);
		return 1;
	}
	ds_dataset_free(out);
	if (r.io_errno) {
		close(r.fd);
		return rb_error(err, errlen, "cannot read %s: %s", path, strerror(r.io_errno));
	}
	drop_entry(path, r.fd);
	close(r.fd);
	rb_error(err, errlen, "cache entry %s: %s; deleted", path, r.corrupt);
	return 0;
}
