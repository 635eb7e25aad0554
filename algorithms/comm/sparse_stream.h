/*
 * sparse_stream: SparCML's self-describing stream (Renggli et al., "SparCML:
 * High-Performance Sparse Communication for Machine Learning", SC19, arXiv 1802.08021;
 * notes section 4.2). A stream covers a range [lo, lo + n) of a vector and holds either
 * (index, value) pairs sorted by index (indices relative to lo) or, once that is no
 * smaller, the n values densely. With 4-byte indices and values the switch is at
 * nnz * (s_idx + s_val) >= n * s_val, i.e. nnz >= n / 2 (delta = N / 2).
 *
 * On the wire: a u32 header, the item count (== n: dense), then nnz (u32 index, f32
 * value) pairs or n f32 values. ss_wire_bytes is exactly what ss_pack writes, so every
 * message's byte count is its stream's size.
 *
 * Merges: sparse + sparse is a two-pointer merge, sparse + dense a scatter-add, dense +
 * dense a vectorised loop. A sparse result whose union of supports K reaches the switch
 * (K c_s >= n c_d) is materialised dense; a dense operand makes the result dense.
 */
#ifndef SPARSE_STREAM_H
#define SPARSE_STREAM_H

#include <stdint.h>

#define SS_INDEX_BYTES 4
#define SS_VALUE_BYTES 4
#define SS_HEADER_BYTES 4

struct ss_stream {
	uint32_t lo, n;     /* the range [lo, lo + n) */
	uint32_t nnz;       /* pairs (sparse) or n (dense) */
	int dense;
	uint32_t *idx;      /* sparse: nnz increasing indices, relative to lo */
	float *val;         /* sparse: nnz values; dense: n values */
	uint32_t cap;       /* entries idx and val can hold */
};

/* True when nnz pairs over a range of n entries are to be stored densely. */
int ss_should_be_dense(uint64_t nnz, uint64_t n);

void ss_init(struct ss_stream *s);
void ss_free(struct ss_stream *s);
/* Room for cap entries (keeps the contents). 0 or -1 (no memory). */
int ss_reserve(struct ss_stream *s, uint32_t cap);
/* An empty sparse stream over [lo, lo + n). */
int ss_reset(struct ss_stream *s, uint32_t lo, uint32_t n);
/* From cnt pairs with increasing indices relative to lo (the switch applies). */
int ss_from_pairs(struct ss_stream *s, uint32_t lo, uint32_t n, const uint32_t *idx,
		  const float *val, uint32_t cnt);
/* A dense stream over [lo, lo + n) holding val[0..n). */
int ss_from_dense(struct ss_stream *s, uint32_t lo, uint32_t n, const float *val);
int ss_copy(struct ss_stream *dst, const struct ss_stream *src);
/* Make s dense in place. */
int ss_densify(struct ss_stream *s);

/* out = the part of s in [lo, lo + n) (a sub-range of s's), the switch applied to it. */
int ss_slice(struct ss_stream *out, const struct ss_stream *s, uint32_t lo, uint32_t n);
/* out = a + b over the same range (out distinct from both); force_dense makes the
 * result dense whatever its support (the hybrid's last sparse round). */
int ss_merge(struct ss_stream *out, const struct ss_stream *a, const struct ss_stream *b,
	     int force_dense);
/* acc = acc + b, with scratch as working room (their storage may be swapped). */
int ss_accumulate(struct ss_stream *acc, const struct ss_stream *b, struct ss_stream *scratch,
		  int force_dense);
/* out = a then b, for adjacent disjoint ranges (a.lo + a.n == b.lo): the allgather's
 * concatenation, with the switch applied to the joined range. */
int ss_concat(struct ss_stream *out, const struct ss_stream *a, const struct ss_stream *b);

/* out = parts[0], ..., parts[count - 1] joined, for adjacent ranges in order (the
 * ring's final assembly); the switch applies to the joined range, a dense part counting
 * its whole length. */
int ss_join(struct ss_stream *out, const struct ss_stream *parts, int count);

uint64_t ss_wire_bytes(const struct ss_stream *s);
/* The most bytes a stream over n entries can take on the wire (dense). */
uint64_t ss_wire_cap(uint32_t n);
/* Write s to buf (ss_wire_bytes(s) bytes). */
void ss_pack(const struct ss_stream *s, void *buf);
/* Read a stream over [lo, lo + n) from bytes bytes of buf; -1 when the bytes are not
 * a well-formed stream of that range (size, order, range). */
int ss_unpack(struct ss_stream *s, uint32_t lo, uint32_t n, const void *buf, uint64_t bytes);

/* The value at absolute index i (0 when absent; i inside the range). */
float ss_get(const struct ss_stream *s, uint32_t i);

#endif
