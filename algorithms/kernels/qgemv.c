/*
 * qgemv: tiled 2/4/8-bit matrices and their GEMV / transposed GEMV (see qgemv.h).
 */
#include "algorithms/kernels/qgemv.h"

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T QGEMV_TILE
/* Partial sums per row of a tile row in qgemv: one AVX-512 vector. */
#define QGEMV_LANES 16
/* Tile columns per task of qgemv_t. */
#define QGEMV_TCOLS 4

static int64_t row_bytes(int bits)
{
	return T * bits / 8;
}

static int64_t tile_bytes(int bits)
{
	return T * row_bytes(bits);
}

void qgemv_pack_row(int bits, const int8_t *q, uint8_t *out)
{
	if (bits == 8) {
		memcpy(out, q, T);
		return;
	}
	int per = 8 / bits, stride = T / per;
	uint8_t mask = (uint8_t)((1 << bits) - 1);
	for (int k = 0; k < stride; k++) {
		uint8_t b = 0;
		for (int t = 0; t < per; t++)
			b |= (uint8_t)(((uint8_t)q[k + t * stride] & mask) << (t * bits));
		out[k] = b;
	}
}

void qgemv_unpack_row(int bits, const uint8_t *in, int8_t *q)
{
	if (bits == 8) {
		memcpy(q, in, T);
		return;
	}
	int per = 8 / bits, stride = T / per, half = 1 << (bits - 1);
	for (int k = 0; k < stride; k++)
		for (int t = 0; t < per; t++) {
			int f = (in[k] >> (t * bits)) & ((1 << bits) - 1);
			q[k + t * stride] = (int8_t)((f ^ half) - half); /* sign-extend b bits */
		}
}

/* ---- portable kernels: one tile ---- */

/* acc[16 i] += step[i] * (row i of the tile) . x[0..64); the SIMD kernels spread the sum
 * over lanes acc[16 i .. 16 i + 15], added up once per tile row. */
static void tile_gemv_portable(int bits, const uint8_t *t, const float *step,
			       const float *x, float *acc)
{
	int8_t q[T];
	for (int i = 0; i < T; i++) {
		qgemv_unpack_row(bits, t + i * row_bytes(bits), q);
		float s = 0;
		for (int j = 0; j < T; j++)
			s += (float)q[j] * x[j];
		acc[QGEMV_LANES * i] += step[i] * s;
	}
}

/* acc[0..64) += sum_i c[i] (row i of the tile) */
static void tile_gemv_t_portable(int bits, const uint8_t *t, const float *c, float *acc)
{
	int8_t q[T];
	for (int i = 0; i < T; i++) {
		if (c[i] == 0)
			continue;
		qgemv_unpack_row(bits, t + i * row_bytes(bits), q);
		for (int j = 0; j < T; j++)
			acc[j] += c[i] * (float)q[j];
	}
}

/* ---- AVX-512 (F + BW) kernels ---- */

#define TGT512 __attribute__((target("avx512f,avx512bw,avx2,fma")))
#define INL512 __attribute__((target("avx512f,avx512bw,avx2,fma"), always_inline)) static inline

INL512 __m512 cvt16(__m128i b)
{
	return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b));
}

/* Row segment at p as 4 x 16 floats, values 16k..16k+15 in v[k]. */
INL512 void unpack512(int bits, const uint8_t *p, __m512 v[4])
{
	if (bits == 8) {
		for (int k = 0; k < 4; k++)
			v[k] = cvt16(_mm_loadu_si128((const __m128i *)(p + 16 * k)));
	} else if (bits == 4) {
		__m256i b = _mm256_loadu_si256((const __m256i *)p);
		__m256i m = _mm256_set1_epi8(0x0F), e = _mm256_set1_epi8(8);
		__m256i lo = _mm256_sub_epi8(_mm256_xor_si256(_mm256_and_si256(b, m), e), e);
		__m256i hi = _mm256_sub_epi8(
			_mm256_xor_si256(_mm256_and_si256(_mm256_srli_epi16(b, 4), m), e), e);
		v[0] = cvt16(_mm256_castsi256_si128(lo));
		v[1] = cvt16(_mm256_extracti128_si256(lo, 1));
		v[2] = cvt16(_mm256_castsi256_si128(hi));
		v[3] = cvt16(_mm256_extracti128_si256(hi, 1));
	} else {
		__m128i b = _mm_loadu_si128((const __m128i *)p);
		__m128i m = _mm_set1_epi8(3), e = _mm_set1_epi8(2);
		v[0] = cvt16(_mm_sub_epi8(_mm_xor_si128(_mm_and_si128(b, m), e), e));
		v[1] = cvt16(_mm_sub_epi8(_mm_xor_si128(_mm_and_si128(_mm_srli_epi16(b, 2), m), e), e));
		v[2] = cvt16(_mm_sub_epi8(_mm_xor_si128(_mm_and_si128(_mm_srli_epi16(b, 4), m), e), e));
		v[3] = cvt16(_mm_sub_epi8(_mm_xor_si128(_mm_and_si128(_mm_srli_epi16(b, 6), m), e), e));
	}
}

INL512 void gemv512(int bits, const uint8_t *t, const float *step, const float *x,
		    float *acc)
{
	__m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
	__m512 x2 = _mm512_loadu_ps(x + 32), x3 = _mm512_loadu_ps(x + 48);
	for (int i = 0; i < T; i++) {
		__m512 v[4];
		unpack512(bits, t + i * row_bytes(bits), v);
		__m512 s = _mm512_mul_ps(v[0], x0);
		__m512 u = _mm512_mul_ps(v[1], x1);
		s = _mm512_fmadd_ps(v[2], x2, s);
		u = _mm512_fmadd_ps(v[3], x3, u);
		/* Lane sums stay in acc (L1) until the tile row ends: no reduction per tile. */
		__m512 a = _mm512_loadu_ps(acc + QGEMV_LANES * i);
		a = _mm512_fmadd_ps(_mm512_set1_ps(step[i]), _mm512_add_ps(s, u), a);
		_mm512_storeu_ps(acc + QGEMV_LANES * i, a);
	}
}

INL512 void gemv_t512(int bits, const uint8_t *t, const float *c, float *acc)
{
	__m512 a0 = _mm512_loadu_ps(acc), a1 = _mm512_loadu_ps(acc + 16);
	__m512 a2 = _mm512_loadu_ps(acc + 32), a3 = _mm512_loadu_ps(acc + 48);
	for (int i = 0; i < T; i++) {
		if (c[i] == 0)
			continue;
		__m512 v[4], ci = _mm512_set1_ps(c[i]);
		unpack512(bits, t + i * row_bytes(bits), v);
		a0 = _mm512_fmadd_ps(ci, v[0], a0);
		a1 = _mm512_fmadd_ps(ci, v[1], a1);
		a2 = _mm512_fmadd_ps(ci, v[2], a2);
		a3 = _mm512_fmadd_ps(ci, v[3], a3);
	}
	_mm512_storeu_ps(acc, a0), _mm512_storeu_ps(acc + 16, a1);
	_mm512_storeu_ps(acc + 32, a2), _mm512_storeu_ps(acc + 48, a3);
}

/* The bit width as a constant, so each width compiles to its own straight-line loop. */
TGT512 static void tile_gemv_avx512(int bits, const uint8_t *t, const float *step,
				    const float *x, float *acc)
{
	if (bits == 8)
		gemv512(8, t, step, x, acc);
	else if (bits == 4)
		gemv512(4, t, step, x, acc);
	else
		gemv512(2, t, step, x, acc);
}

TGT512 static void tile_gemv_t_avx512(int bits, const uint8_t *t, const float *c, float *acc)
{
	if (bits == 8)
		gemv_t512(8, t, c, acc);
	else if (bits == 4)
		gemv_t512(4, t, c, acc);
	else
		gemv_t512(2, t, c, acc);
}

/* ---- AVX2 + FMA kernels ---- */

#define TGT256 __attribute__((target("avx2,fma")))
#define INL256 __attribute__((target("avx2,fma"), always_inline)) static inline

INL256 __m256 cvt8(__m128i b)
{
	return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
}

/* 16 signed bytes as 2 x 8 floats. */
INL256 void cvt16x2(__m128i b, __m256 *v)
{
	v[0] = cvt8(b);
	v[1] = cvt8(_mm_srli_si128(b, 8));
}

/* Sign-extend the 2-bit fields in the low bits of each byte. */
INL256 __m128i sext128(__m128i b, __m128i m, __m128i e)
{
	return _mm_sub_epi8(_mm_xor_si128(_mm_and_si128(b, m), e), e);
}

/* Row segment at p as 8 x 8 floats, values 8k..8k+7 in v[k]. */
INL256 void unpack256(int bits, const uint8_t *p, __m256 v[8])
{
	if (bits == 8) {
		for (int k = 0; k < 4; k++)
			cvt16x2(_mm_loadu_si128((const __m128i *)(p + 16 * k)), v + 2 * k);
	} else if (bits == 4) {
		__m256i b = _mm256_loadu_si256((const __m256i *)p);
		__m256i m = _mm256_set1_epi8(0x0F), e = _mm256_set1_epi8(8);
		__m256i lo = _mm256_sub_epi8(_mm256_xor_si256(_mm256_and_si256(b, m), e), e);
		__m256i hi = _mm256_sub_epi8(
			_mm256_xor_si256(_mm256_and_si256(_mm256_srli_epi16(b, 4), m), e), e);
		cvt16x2(_mm256_castsi256_si128(lo), v);
		cvt16x2(_mm256_extracti128_si256(lo, 1), v + 2);
		cvt16x2(_mm256_castsi256_si128(hi), v + 4);
		cvt16x2(_mm256_extracti128_si256(hi, 1), v + 6);
	} else {
		__m128i b = _mm_loadu_si128((const __m128i *)p);
		__m128i m = _mm_set1_epi8(3), e = _mm_set1_epi8(2);
		cvt16x2(sext128(b, m, e), v);
		cvt16x2(sext128(_mm_srli_epi16(b, 2), m, e), v + 2);
		cvt16x2(sext128(_mm_srli_epi16(b, 4), m, e), v + 4);
		cvt16x2(sext128(_mm_srli_epi16(b, 6), m, e), v + 6);
	}
}

INL256 void gemv256(int bits, const uint8_t *t, const float *step, const float *x,
		    float *acc)
{
	for (int i = 0; i < T; i++) {
		__m256 v[8];
		unpack256(bits, t + i * row_bytes(bits), v);
		__m256 s = _mm256_mul_ps(v[0], _mm256_loadu_ps(x));
		__m256 u = _mm256_mul_ps(v[1], _mm256_loadu_ps(x + 8));
		for (int k = 2; k < 8; k += 2) {
			s = _mm256_fmadd_ps(v[k], _mm256_loadu_ps(x + 8 * k), s);
			u = _mm256_fmadd_ps(v[k + 1], _mm256_loadu_ps(x + 8 * k + 8), u);
		}
		__m256 a = _mm256_loadu_ps(acc + QGEMV_LANES * i);
		a = _mm256_fmadd_ps(_mm256_set1_ps(step[i]), _mm256_add_ps(s, u), a);
		_mm256_storeu_ps(acc + QGEMV_LANES * i, a);
	}
}

INL256 void gemv_t256(int bits, const uint8_t *t, const float *c, float *acc)
{
	__m256 a[8];
	for (int k = 0; k < 8; k++)
		a[k] = _mm256_loadu_ps(acc + 8 * k);
	for (int i = 0; i < T; i++) {
		if (c[i] == 0)
			continue;
		__m256 v[8], ci = _mm256_set1_ps(c[i]);
		unpack256(bits, t + i * row_bytes(bits), v);
		for (int k = 0; k < 8; k++)
			a[k] = _mm256_fmadd_ps(ci, v[k], a[k]);
	}
	for (int k = 0; k < 8; k++)
		_mm256_storeu_ps(acc + 8 * k, a[k]);
}

TGT256 static void tile_gemv_avx2(int bits, const uint8_t *t, const float *step,
				  const float *x, float *acc)
{
	if (bits == 8)
		gemv256(8, t, step, x, acc);
	else if (bits == 4)
		gemv256(4, t, step, x, acc);
	else
		gemv256(2, t, step, x, acc);
}

TGT256 static void tile_gemv_t_avx2(int bits, const uint8_t *t, const float *c, float *acc)
{
	if (bits == 8)
		gemv_t256(8, t, c, acc);
	else if (bits == 4)
		gemv_t256(4, t, c, acc);
	else
		gemv_t256(2, t, c, acc);
}

/* ---- dispatch ---- */

struct kernels {
	const char *name;
	void (*gemv)(int, const uint8_t *, const float *, const float *, float *);
	void (*gemv_t)(int, const uint8_t *, const float *, float *);
};

static const struct kernels k_portable = { "portable", tile_gemv_portable, tile_gemv_t_portable };
static const struct kernels k_avx2 = { "avx2", tile_gemv_avx2, tile_gemv_t_avx2 };
static const struct kernels k_avx512 = { "avx512", tile_gemv_avx512, tile_gemv_t_avx512 };
static const struct kernels *active;

static int cpu_has(enum qgemv_isa isa)
{
	__builtin_cpu_init();
	if (isa == QGEMV_AVX512)
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
	if (isa == QGEMV_AVX2)
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	return 1;
}

int qgemv_set_isa(enum qgemv_isa isa)
{
	if (isa == QGEMV_AUTO) {
		active = cpu_has(QGEMV_AVX512) ? &k_avx512 : cpu_has(QGEMV_AVX2) ? &k_avx2 : &k_portable;
		return 0;
	}
	if (!cpu_has(isa))
		return -1;
	active = isa == QGEMV_AVX512 ? &k_avx512 : isa == QGEMV_AVX2 ? &k_avx2 : &k_portable;
	return 0;
}

static const struct kernels *kernels(void)
{
	if (!active)
		qgemv_set_isa(QGEMV_AUTO);
	return active;
}

const char *qgemv_isa_name(void)
{
	return kernels()->name;
}

/* ---- matrices ---- */

void qmat_free(struct qmat *q)
{
	free(q->data), free(q->step), free(q->xpad), free(q->ypad);
	memset(q, 0, sizeof(*q));
}

size_t qmat_bytes(const struct qmat *q)
{
	return (size_t)(q->mt * q->nt) * (size_t)tile_bytes(q->bits) +
	       (size_t)(q->mt * T * q->nt) * sizeof(float);
}

static uint8_t *tile_at(const struct qmat *q, int64_t I, int64_t J)
{
	return q->data + (I * q->nt + J) * tile_bytes(q->bits);
}

/* Row gi's segment J: quantize, pack, store its scale. */
static void quantize_segment(struct qmat *q, const float *a, int64_t gi, int64_t J,
			     const struct quant_spec *spec, struct rng *r)
{
	float seg[T] = { 0 }, lo, step;
	uint8_t codes[T];
	int8_t sq[T];
	int64_t j0 = J * T, len = q->cols - j0 < T ? q->cols - j0 : T;
	memcpy(seg, a + gi * q->cols + j0, (size_t)len * sizeof(float));
	quant_encode(spec, seg, T, codes, &lo, &step, r);
	int half = (1 << (q->bits - 1)) - 1;
	for (int j = 0; j < T; j++)
		sq[j] = (int8_t)(codes[j] - half);
	qgemv_pack_row(q->bits, sq, tile_at(q, gi / T, J) + (gi % T) * row_bytes(q->bits));
	q->step[((gi / T) * q->nt + J) * T + gi % T] = step;
}

int qmat_quantize(struct qmat *q, const float *a, int64_t m, int64_t n, int bits,
		  enum quant_rounding rounding, uint64_t seed, int threads)
{
	memset(q, 0, sizeof(*q));
	if ((bits != 2 && bits != 4 && bits != 8) || m < 1 || n < 1)
		return -1;
	q->bits = bits, q->rows = m, q->cols = n;
	q->mt = (m + T - 1) / T, q->nt = (n + T - 1) / T;
	q->data = calloc((size_t)(q->mt * q->nt), (size_t)tile_bytes(bits));
	q->step = calloc((size_t)(q->mt * T * q->nt), sizeof(float));
	q->xpad = calloc((size_t)(q->nt * T), sizeof(float));
	q->ypad = calloc((size_t)(q->mt * T), sizeof(float));
	if (!q->data || !q->step || !q->xpad || !q->ypad) {
		qmat_free(q);
		return -1;
	}
	struct quant_spec spec = { bits, T, QUANT_MAXABS, rounding };
#pragma omp parallel for num_threads(threads) schedule(static)
	for (int64_t I = 0; I < q->mt; I++) {
		struct rng r;
		rng_seed(&r, seed, (uint64_t)I);
		for (int64_t gi = I * T; gi < (I + 1) * T && gi < m; gi++)
			for (int64_t J = 0; J < q->nt; J++)
				quantize_segment(q, a, gi, J, &spec, &r);
	}
	return 0;
}

void qmat_decode(const struct qmat *q, float *out)
{
	int8_t sq[T];
	for (int64_t gi = 0; gi < q->rows; gi++)
		for (int64_t J = 0; J < q->nt; J++) {
			qgemv_unpack_row(q->bits, tile_at(q, gi / T, J) + (gi % T) * row_bytes(q->bits), sq);
			float st = q->step[((gi / T) * q->nt + J) * T + gi % T];
			for (int64_t j = J * T; j < (J + 1) * T && j < q->cols; j++)
				out[gi * q->cols + j] = (float)sq[j - J * T] * st;
		}
}

void qgemv(struct qmat *q, const float *x, float *y, int threads)
{
	const struct kernels *k = kernels();
	memcpy(q->xpad, x, (size_t)q->cols * sizeof(float));
	/* Dynamic: on a shared machine a descheduled thread holds back one tile row, not
	 * half the matrix. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
	for (int64_t I = 0; I < q->mt; I++) {
		float acc[T * QGEMV_LANES] = { 0 };
		for (int64_t J = 0; J < q->nt; J++)
			k->gemv(q->bits, tile_at(q, I, J), q->step + (I * q->nt + J) * T, q->xpad + J * T, acc);
		for (int i = 0; i < T; i++) {
			float y = 0;
			for (int l = 0; l < QGEMV_LANES; l++)
				y += acc[QGEMV_LANES * i + l];
			q->ypad[I * T + i] = y;
		}
	}
	memcpy(y, q->ypad, (size_t)q->rows * sizeof(float));
}

void qgemv_t(struct qmat *q, const float *r, float *g, int threads)
{
	const struct kernels *k = kernels();
	memcpy(q->ypad, r, (size_t)q->rows * sizeof(float));
	/* A task owns QGEMV_TCOLS adjacent tile columns: going down them it reads
	 * QGEMV_TCOLS consecutive tiles at a time, a stream long enough for the hardware
	 * prefetcher (one 2 KiB 4-bit tile per stride was not). */
	int64_t blocks = (q->nt + QGEMV_TCOLS - 1) / QGEMV_TCOLS;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
	for (int64_t B = 0; B < blocks; B++) {
		int64_t j0 = B * QGEMV_TCOLS, j1 = j0 + QGEMV_TCOLS < q->nt ? j0 + QGEMV_TCOLS : q->nt;
		float acc[QGEMV_TCOLS][T] = { { 0 } }, c[T];
		for (int64_t I = 0; I < q->mt; I++)
			for (int64_t J = j0; J < j1; J++) {
				/* The row scales fold into r: padding rows have step 0 and are skipped. */
				for (int i = 0; i < T; i++)
					c[i] = q->ypad[I * T + i] * q->step[(I * q->nt + J) * T + i];
				k->gemv_t(q->bits, tile_at(q, I, J), c, acc[J - j0]);
			}
		for (int64_t J = j0; J < j1; J++)
			memcpy(q->xpad + J * T, acc[J - j0], sizeof(acc[0]));
	}
	memcpy(g, q->xpad, (size_t)q->cols * sizeof(float));
}

/* "2048K" or "260M" from sysfs. */
static int64_t sysfs_cache(int level)
{
	char path[96], buf[32];
	for (int idx = 0; idx < 8; idx++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
		FILE *f = fopen(path, "r");
		if (!f)
			return 0;
		int lv = 0;
		int ok = fscanf(f, "%d", &lv) == 1;
		fclose(f);
		if (!ok || lv != level)
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
		f = fopen(path, "r");
		if (!f)
			return 0;
		long long v = 0;
		char unit = 0;
		ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "%lld%c", &v, &unit) >= 1;
		fclose(f);
		if (!ok)
			return 0;
		return v * (unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1);
	}
	return 0;
}

int64_t qgemv_cache_bytes(int level)
{
	long v = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
	v = sysconf(level == 2 ? _SC_LEVEL2_CACHE_SIZE : _SC_LEVEL3_CACHE_SIZE);
#endif
	return v > 0 ? (int64_t)v : sysfs_cache(level);
}
