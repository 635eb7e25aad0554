/*
 * qgemv: a matrix quantized to 2, 4 or 8 bits and the two products IHT needs, y = A x
 * and g = A^T r, after Clover (Stojanov, Smith, Alistarh, Puschel, "Fast Quantized
 * Arithmetic on x86: Trading Compute for Data Movement", SIPS 2018), the CPU half of
 * arXiv 1802.04907.
 *
 * Storage: the m x n matrix is padded to multiples of 64 and cut into 64 x 64 tiles,
 * each stored contiguously (tile (I, J) at index I * nt + J). Within a tile, each row's
 * 64 values are one quantization block of kernels/quant (scale max|v|, QUANT_MAXABS):
 * a signed code q in [-(2^(b-1) - 1), 2^(b-1) - 1] in two's complement, value q * step,
 * one step per row segment, stored tile by tile: step[(I * nt + J) * 64 + i]. Packing of one 64-value row segment:
 *   8 bits: byte k = value k (64 bytes);
 *   4 bits: byte k (k < 32) = value k in the low nibble, value k + 32 in the high one;
 *   2 bits: byte k (k < 16) bits 2t..2t+1 = value k + 16 t, t = 0..3.
 * A tile is contiguous and so is every row segment, so both A x (OpenMP over tile rows)
 * and A^T r (OpenMP over tile columns) stream the same bytes once, with the per-row
 * scales folded into the accumulation (A x) or into r (A^T r).
 *
 * Kernels: AVX-512 (F+BW), AVX2+FMA and portable C, chosen at run time by
 * __builtin_cpu_supports, so one binary runs on any x86-64; qgemv_set_isa forces one
 * (the tests check them equal). The SIMD paths unpack a row segment in registers to
 * 32-bit integers, convert to float and use fused multiply-adds; their sums differ from
 * the portable path's only in the order of float additions.
 */
#ifndef QGEMV_H
#define QGEMV_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/kernels/quant.h"

#define QGEMV_TILE 64

struct qmat {
	int bits;              /* 2, 4 or 8 */
	int64_t rows, cols;    /* m, n */
	int64_t mt, nt;        /* tiles down and across: ceil(m / 64), ceil(n / 64) */
	uint8_t *data;         /* mt * nt tiles of 64 * 64 * bits / 8 bytes */
	float *step;           /* mt * nt tiles x 64 rows: one scale per row segment (0 in padding) */
	float *xpad, *ypad;    /* scratch: n and m padded to tiles */
};

enum qgemv_isa { QGEMV_AUTO, QGEMV_PORTABLE, QGEMV_AVX2, QGEMV_AVX512 };

/* Quantize the row-major m x n float matrix a into *q (overwritten) with b-bit blocks
 * of 64, nearest or stochastic rounding. Tile row I draws from rng stream (seed, I), so
 * the result does not depend on `threads`. 0, or -1 (bad bits or size, no memory). */
int qmat_quantize(struct qmat *q, const float *a, int64_t m, int64_t n, int bits,
		  enum quant_rounding rounding, uint64_t seed, int threads);
void qmat_free(struct qmat *q);
/* Bytes of packed codes and scales: what one product streams. */
size_t qmat_bytes(const struct qmat *q);
/* The quantized matrix as row-major m x n floats (tests, exact references). */
void qmat_decode(const struct qmat *q, float *out);

/* y[0..m) = Q x, x[0..n). */
void qgemv(struct qmat *q, const float *x, float *y, int threads);
/* g[0..n) = Q^T r, r[0..m). */
void qgemv_t(struct qmat *q, const float *r, float *g, int threads);

/* Force a kernel (AUTO: the best this CPU has). -1 when the CPU lacks it. */
int qgemv_set_isa(enum qgemv_isa isa);
/* The kernel in use: "avx512", "avx2" or "portable". */
const char *qgemv_isa_name(void);
/* Pack / unpack one 64-value row segment of signed codes (|q| <= 2^(b-1) - 1). */
void qgemv_pack_row(int bits, const int8_t *q, uint8_t *out);
void qgemv_unpack_row(int bits, const uint8_t *in, int8_t *q);

/* Cache size in bytes of level 2 or 3 (sysconf, else /sys/devices/system/cpu/cpu0/cache),
 * 0 when unknown: the speed runs size their matrices by it at run time. */
int64_t qgemv_cache_bytes(int level);

#endif
