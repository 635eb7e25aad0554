/*
 * sparse_stream: the self-describing sparse/dense stream of SparCML (see
 * sparse_stream.h). Values are f32 as on the wire; merges add in f32, so the result
 * of a collective depends on its merge order only through float rounding (exact for
 * integer values below 2^24).
 */
#include "algorithms/comm/sparse_stream.h"

#include <stdlib.h>
#include <string.h>

int ss_should_be_dense(uint64_t nnz, uint64_t n)
{
	return nnz * (SS_INDEX_BYTES + SS_VALUE_BYTES) >= n * SS_VALUE_BYTES;
}

void ss_init(struct ss_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void ss_free(struct ss_stream *s)
{
	free(s->idx);
	free(s->val);
	ss_init(s);
}

int ss_reserve(struct ss_stream *s, uint32_t cap)
{
	if (cap <= s->cap && s->idx && s->val)
		return 0;
	if (cap < 1)
		cap = 1;
	uint32_t *idx = realloc(s->idx, (size_t)cap * sizeof(*idx));
	if (!idx)
		return -1;
	s->idx = idx;
	float *val = realloc(s->val, (size_t)cap * sizeof(*val));
	if (!val)
		return -1;
	s->val = val;
	s->cap = cap;
	return 0;
}

int ss_reset(struct ss_stream *s, uint32_t lo, uint32_t n)
{
	if (ss_reserve(s, 1) != 0)
		return -1;
	s->lo = lo;
	s->n = n;
	s->nnz = 0;
	s->dense = 0;
	return 0;
}

int ss_from_dense(struct ss_stream *s, uint32_t lo, uint32_t n, const float *val)
{
	if (ss_reserve(s, n) != 0)
		return -1;
	s->lo = lo;
	s->n = n;
	s->nnz = n;
	s->dense = 1;
	memcpy(s->val, val, (size_t)n * sizeof(*val));
	return 0;
}

int ss_densify(struct ss_stream *s)
{
	if (s->dense)
		return 0;
	float *d = calloc(s->n ? s->n : 1, sizeof(*d));
	if (!d)
		return -1;
	for (uint32_t j = 0; j < s->nnz; j++)
		d[s->idx[j]] = s->val[j];
	int rc = ss_from_dense(s, s->lo, s->n, d);
	free(d);
	return rc;
}

int ss_from_pairs(struct ss_stream *s, uint32_t lo, uint32_t n, const uint32_t *idx,
		  const float *val, uint32_t cnt)
{
	if (ss_reserve(s, cnt) != 0)
		return -1;
	s->lo = lo;
	s->n = n;
	s->nnz = cnt;
	s->dense = 0;
	memcpy(s->idx, idx, (size_t)cnt * sizeof(*idx));
	memcpy(s->val, val, (size_t)cnt * sizeof(*val));
	return ss_should_be_dense(cnt, n) ? ss_densify(s) : 0;
}

int ss_copy(struct ss_stream *dst, const struct ss_stream *src)
{
	if (src->dense)
		return ss_from_dense(dst, src->lo, src->n, src->val);
	return ss_from_pairs(dst, src->lo, src->n, src->idx, src->val, src->nnz);
}

/* First position in the sorted idx[0..nnz) whose index is >= key. */
static uint32_t lower_bound(const uint32_t *idx, uint32_t nnz, uint32_t key)
{
	uint32_t a = 0, b = nnz;
	while (a < b) {
		uint32_t m = a + (b - a) / 2;
		if (idx[m] < key)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

int ss_slice(struct ss_stream *out, const struct ss_stream *s, uint32_t lo, uint32_t n)
{
	uint32_t off = lo - s->lo;
	if (s->dense)
		return ss_from_dense(out, lo, n, s->val + off);
	uint32_t a = lower_bound(s->idx, s->nnz, off), b = lower_bound(s->idx, s->nnz, off + n);
	if (ss_reserve(out, b - a) != 0)
		return -1;
	out->lo = lo;
	out->n = n;
	out->nnz = b - a;
	out->dense = 0;
	for (uint32_t j = a; j < b; j++) {
		out->idx[j - a] = s->idx[j] - off;
		out->val[j - a] = s->val[j];
	}
	return ss_should_be_dense(out->nnz, n) ? ss_densify(out) : 0;
}

/* dense += sparse */
static void scatter_add(float *restrict d, const struct ss_stream *sp)
{
	for (uint32_t j = 0; j < sp->nnz; j++)
		d[sp->idx[j]] += sp->val[j];
}

static void dense_add(float *restrict d, const float *restrict b, uint32_t n)
{
#pragma omp simd
	for (uint32_t i = 0; i < n; i++)
		d[i] += b[i];
}

/* Two-pointer merge of two sparse streams into out (sparse). */
static int merge_sparse(struct ss_stream *out, const struct ss_stream *a,
			const struct ss_stream *b)
{
	if (ss_reserve(out, a->nnz + b->nnz) != 0)
		return -1;
	uint32_t i = 0, j = 0, k = 0;
	while (i < a->nnz && j < b->nnz) {
		if (a->idx[i] < b->idx[j]) {
			out->idx[k] = a->idx[i];
			out->val[k++] = a->val[i++];
		} else if (b->idx[j] < a->idx[i]) {
			out->idx[k] = b->idx[j];
			out->val[k++] = b->val[j++];
		} else {
			out->idx[k] = a->idx[i];
			out->val[k++] = a->val[i++] + b->val[j++];
		}
	}
	for (; i < a->nnz; i++, k++) {
		out->idx[k] = a->idx[i];
		out->val[k] = a->val[i];
	}
	for (; j < b->nnz; j++, k++) {
		out->idx[k] = b->idx[j];
		out->val[k] = b->val[j];
	}
	out->lo = a->lo;
	out->n = a->n;
	out->nnz = k;
	out->dense = 0;
	return 0;
}

int ss_merge(struct ss_stream *out, const struct ss_stream *a, const struct ss_stream *b,
	     int force_dense)
{
	if (a->lo != b->lo || a->n != b->n)
		return -1;
	if (!a->dense && !b->dense) {
		if (merge_sparse(out, a, b) != 0)
			return -1;
		return force_dense || ss_should_be_dense(out->nnz, out->n) ? ss_densify(out) : 0;
	}
	const struct ss_stream *d = a->dense ? a : b, *o = a->dense ? b : a;
	if (ss_from_dense(out, d->lo, d->n, d->val) != 0)
		return -1;
	if (o->dense)
		dense_add(out->val, o->val, out->n);
	else
		scatter_add(out->val, o);
	return 0;
}

int ss_accumulate(struct ss_stream *acc, const struct ss_stream *b, struct ss_stream *scratch,
		  int force_dense)
{
	if (acc->lo != b->lo || acc->n != b->n)
		return -1;
	if (acc->dense) {
		if (b->dense)
			dense_add(acc->val, b->val, acc->n);
		else
			scatter_add(acc->val, b);
		return 0;
	}
	if (ss_merge(scratch, acc, b, force_dense) != 0)
		return -1;
	struct ss_stream t = *acc;
	*acc = *scratch;
	*scratch = t;
	return 0;
}

/* Append the entries of s, shifted by off, to the sparse out (room reserved). */
static void append_pairs(struct ss_stream *out, const struct ss_stream *s, uint32_t off)
{
	uint32_t k = out->nnz;
	if (s->dense) {
		for (uint32_t i = 0; i < s->n; i++, k++) {
			out->idx[k] = i + off;
			out->val[k] = s->val[i];
		}
	} else {
		for (uint32_t j = 0; j < s->nnz; j++, k++) {
			out->idx[k] = s->idx[j] + off;
			out->val[k] = s->val[j];
		}
	}
	out->nnz = k;
}

/* Write s as dense values into d (its range's length). */
static void spread(float *d, const struct ss_stream *s)
{
	if (s->dense) {
		memcpy(d, s->val, (size_t)s->n * sizeof(*d));
		return;
	}
	memset(d, 0, (size_t)s->n * sizeof(*d));
	for (uint32_t j = 0; j < s->nnz; j++)
		d[s->idx[j]] = s->val[j];
}

int ss_join(struct ss_stream *out, const struct ss_stream *parts, int count)
{
	uint64_t n = 0, items = 0;
	for (int i = 0; i < count; i++) {
		if (parts[i].lo != parts[0].lo + n)
			return -1;
		n += parts[i].n;
		items += parts[i].nnz;
	}
	if (n > UINT32_MAX)
		return -1;
	int dense = ss_should_be_dense(items, n);
	if (ss_reserve(out, dense ? (uint32_t)n : (uint32_t)items) != 0)
		return -1;
	out->lo = count ? parts[0].lo : 0;
	out->n = (uint32_t)n;
	out->nnz = 0;
	out->dense = dense;
	uint32_t off = 0;
	for (int i = 0; i < count; i++) {
		if (dense)
			spread(out->val + off, &parts[i]);
		else
			append_pairs(out, &parts[i], off);
		off += parts[i].n;
	}
	if (dense)
		out->nnz = out->n;
	return 0;
}

int ss_concat(struct ss_stream *out, const struct ss_stream *a, const struct ss_stream *b)
{
	struct ss_stream parts[2] = { *a, *b };
	return ss_join(out, parts, 2);
}

uint64_t ss_wire_bytes(const struct ss_stream *s)
{
	if (s->dense)
		return SS_HEADER_BYTES + (uint64_t)s->n * SS_VALUE_BYTES;
	return SS_HEADER_BYTES + (uint64_t)s->nnz * (SS_INDEX_BYTES + SS_VALUE_BYTES);
}

uint64_t ss_wire_cap(uint32_t n)
{
	return SS_HEADER_BYTES + (uint64_t)n * SS_VALUE_BYTES;
}

void ss_pack(const struct ss_stream *s, void *buf)
{
	unsigned char *p = buf;
	memcpy(p, &s->nnz, 4);
	p += 4;
	if (s->dense) {
		memcpy(p, s->val, (size_t)s->n * 4);
		return;
	}
	for (uint32_t j = 0; j < s->nnz; j++, p += 8) {
		memcpy(p, &s->idx[j], 4);
		memcpy(p + 4, &s->val[j], 4);
	}
}

int ss_unpack(struct ss_stream *s, uint32_t lo, uint32_t n, const void *buf, uint64_t bytes)
{
	const unsigned char *p = buf;
	uint32_t items;
	if (bytes < 4)
		return -1;
	memcpy(&items, p, 4);
	p += 4;
	int dense = items == n;
	uint64_t want = 4 + (uint64_t)items * (dense ? 4 : 8);
	if (items > n || want != bytes || ss_reserve(s, items) != 0)
		return -1;
	s->lo = lo;
	s->n = n;
	s->nnz = items;
	s->dense = dense;
	if (dense) {
		memcpy(s->val, p, (size_t)n * 4);
		return 0;
	}
	for (uint32_t j = 0; j < items; j++, p += 8) {
		memcpy(&s->idx[j], p, 4);
		memcpy(&s->val[j], p + 4, 4);
		if (s->idx[j] >= n || (j > 0 && s->idx[j] <= s->idx[j - 1]))
			return -1;
	}
	return 0;
}

float ss_get(const struct ss_stream *s, uint32_t i)
{
	uint32_t off = i - s->lo;
	if (s->dense)
		return s->val[off];
	uint32_t j = lower_bound(s->idx, s->nnz, off);
	return j < s->nnz && s->idx[j] == off ? s->val[j] : 0.0f;
}
