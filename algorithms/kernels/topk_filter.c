/*
 * topk_filter: magnitudes and the filtering pass of kernels/topk (see topk_filter.h).
 *
 * Why SIMD kernels: at K/n <= 1% almost no entry passes, so the pass is a compare of
 * |x| with t per entry, and the portable loop (compiled for baseline x86-64, two
 * doubles per SSE2 compare) runs at about one entry per cycle, below what one core can
 * read. The SIMD kernels compare 32 entries with 4 (AVX-512, fp64) to 8 (AVX, fp64)
 * vector compares, gather the results into one 32-bit mask and, when it is not zero,
 * append the passing entries one set bit at a time: only survivors are written, and the
 * one branch per 32 entries is rarely taken at small K/n. Each kernel is generated for
 * both element types from one macro; only the compare that builds the mask differs.
 */
#include "algorithms/kernels/topk_filter.h"

#include <math.h>
#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#define TOPK_X86 1
#include <immintrin.h>
#else
#define TOPK_X86 0
#endif

/* Entries the portable filter checks at once before it looks at one. */
#define TOPK_FILTER_BLOCK 16
/* Entries behind one mask of the SIMD kernels. */
#define TOPK_SIMD_BLOCK 32

typedef int64_t (*filter_fn)(const void *x, int64_t lo, int64_t hi, double t,
			     struct topk_item *items);

/* ---- magnitudes and the portable kernel, for both types ---- */

static double mag_f64(double v)
{
	return isnan(v) ? -1.0 : fabs(v);
}

static double mag_f32(float v)
{
	return isnan(v) ? -1.0 : (double)fabsf(v);
}

#define TOPK_DEFINE_LOAD(name, T, MAG)                                                   \
	static void name(const void *xv, int64_t start, int64_t count, uint32_t idx0,   \
			 struct topk_item *items)                                        \
	{                                                                                \
		const T *x = (const T *)xv + start;                                      \
		for (int64_t j = 0; j < count; j++)                                      \
			items[j] = (struct topk_item){ MAG(x[j]), idx0 + (uint32_t)j };  \
	}

TOPK_DEFINE_LOAD(load_f64, double, mag_f64)
TOPK_DEFINE_LOAD(load_f32, float, mag_f32)

/* Inside a block of 16 that has a survivor every entry is written and the count
 * advances only past survivors: no branch to mispredict. The block test is a loop the
 * compiler vectorises as far as the baseline instruction set allows. */
#define TOPK_DEFINE_PORTABLE(name, T, ABS)                                               \
	static int64_t name(const void *xv, int64_t lo, int64_t hi, double t,            \
			    struct topk_item *items)                                     \
	{                                                                                \
		const T *x = xv;                                                         \
		const T tt = (T)t;                                                       \
		int64_t c = 0, i = lo;                                                   \
		for (; i + TOPK_FILTER_BLOCK <= hi; i += TOPK_FILTER_BLOCK) {            \
			int any = 0;                                                     \
			for (int j = 0; j < TOPK_FILTER_BLOCK; j++)                      \
				any |= ABS(x[i + j]) >= tt;                              \
			if (!any)                                                        \
				continue;                                                \
			for (int j = 0; j < TOPK_FILTER_BLOCK; j++) {                    \
				T m = ABS(x[i + j]);                                     \
				items[c] = (struct topk_item){ m, (uint32_t)(i + j) };   \
				c += m >= tt;                                            \
			}                                                                \
		}                                                                        \
		for (; i < hi; i++)                                                      \
			if (ABS(x[i]) >= tt)                                             \
				items[c++] = (struct topk_item){ ABS(x[i]), (uint32_t)i };\
		return c;                                                                \
	}

TOPK_DEFINE_PORTABLE(filter_f64_portable, double, fabs)
TOPK_DEFINE_PORTABLE(filter_f32_portable, float, fabsf)

/* ---- SIMD kernels: one mask per 32 entries ---- */

#if TOPK_X86
/* Append the entries of block [i, i + 32) whose bits are set in m; the rest of the
 * range goes to the portable kernel. */
#define TOPK_DEFINE_SIMD(name, TGT, T, ABS, VEC, SET1, MASK32, PORTABLE)                 \
	TGT static int64_t name(const void *xv, int64_t lo, int64_t hi, double t,        \
				struct topk_item *items)                                 \
	{                                                                                \
		const T *x = xv;                                                         \
		const VEC vt = SET1((T)t);                                               \
		int64_t c = 0, i = lo;                                                   \
		for (; i + TOPK_SIMD_BLOCK <= hi; i += TOPK_SIMD_BLOCK)                  \
			for (uint32_t m = MASK32(x + i, vt); m; m &= m - 1) {            \
				int64_t j = i + __builtin_ctz(m);                        \
				items[c++] = (struct topk_item){ ABS(x[j]), (uint32_t)j };\
			}                                                                \
		return c + PORTABLE(xv, i, hi, t, items + c);                            \
	}

#define TGT512 __attribute__((target("avx512f")))
#define TGTAVX __attribute__((target("avx")))

TGT512 static inline uint32_t mask32_f64_avx512(const double *p, __m512d t)
{
	uint32_t m = 0;
	for (int v = 0; v < 4; v++)
		m |= (uint32_t)_mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_loadu_pd(p + 8 * v)), t,
						  _CMP_GE_OQ)
		     << (8 * v);
	return m;
}

TGT512 static inline uint32_t mask32_f32_avx512(const float *p, __m512 t)
{
	uint32_t m0 = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(p)), t, _CMP_GE_OQ);
	uint32_t m1 = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(p + 16)), t, _CMP_GE_OQ);
	return m0 | m1 << 16;
}

TGTAVX static inline uint32_t mask32_f64_avx(const double *p, __m256d t)
{
	const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
	uint32_t m = 0;
	for (int v = 0; v < 8; v++) {
		__m256d a = _mm256_and_pd(_mm256_loadu_pd(p + 4 * v), abs);
		m |= (uint32_t)_mm256_movemask_pd(_mm256_cmp_pd(a, t, _CMP_GE_OQ)) << (4 * v);
	}
	return m;
}

TGTAVX static inline uint32_t mask32_f32_avx(const float *p, __m256 t)
{
	const __m256 abs = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	uint32_t m = 0;
	for (int v = 0; v < 4; v++) {
		__m256 a = _mm256_and_ps(_mm256_loadu_ps(p + 8 * v), abs);
		m |= (uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(a, t, _CMP_GE_OQ)) << (8 * v);
	}
	return m;
}

TOPK_DEFINE_SIMD(filter_f64_avx512, TGT512, double, fabs, __m512d, _mm512_set1_pd,
		 mask32_f64_avx512, filter_f64_portable)
TOPK_DEFINE_SIMD(filter_f32_avx512, TGT512, float, fabsf, __m512, _mm512_set1_ps,
		 mask32_f32_avx512, filter_f32_portable)
TOPK_DEFINE_SIMD(filter_f64_avx, TGTAVX, double, fabs, __m256d, _mm256_set1_pd,
		 mask32_f64_avx, filter_f64_portable)
TOPK_DEFINE_SIMD(filter_f32_avx, TGTAVX, float, fabsf, __m256, _mm256_set1_ps,
		 mask32_f32_avx, filter_f32_portable)
#endif

/* ---- dispatch ---- */

struct kernels {
	const char *name;
	filter_fn f64, f32;
};

static const struct kernels k_portable = { "portable", filter_f64_portable, filter_f32_portable };
#if TOPK_X86
static const struct kernels k_avx = { "avx", filter_f64_avx, filter_f32_avx };
static const struct kernels k_avx512 = { "avx512", filter_f64_avx512, filter_f32_avx512 };
#endif

/* The ISA forced by topk_set_isa (AUTO: none). Atomic: callers on several threads read
 * it while a test may set it. */
static _Atomic int forced = TOPK_ISA_AUTO;

static int cpu_has(enum topk_isa isa)
{
#if TOPK_X86
	__builtin_cpu_init();
	if (isa == TOPK_ISA_AVX512)
		return __builtin_cpu_supports("avx512f");
	if (isa == TOPK_ISA_AVX)
		return __builtin_cpu_supports("avx");
#endif
	return isa == TOPK_ISA_PORTABLE;
}

static const struct kernels *kernels_of(enum topk_isa isa)
{
#if TOPK_X86
	if (isa == TOPK_ISA_AVX512)
		return &k_avx512;
	if (isa == TOPK_ISA_AVX)
		return &k_avx;
#endif
	return &k_portable;
}

static const struct kernels *active(void)
{
	enum topk_isa isa = (enum topk_isa)atomic_load_explicit(&forced, memory_order_relaxed);
	if (isa != TOPK_ISA_AUTO)
		return kernels_of(isa);
	return cpu_has(TOPK_ISA_AVX512) ? kernels_of(TOPK_ISA_AVX512)
	       : cpu_has(TOPK_ISA_AVX)  ? kernels_of(TOPK_ISA_AVX)
					: &k_portable;
}

int topk_set_isa(enum topk_isa isa)
{
	if (isa != TOPK_ISA_AUTO && !cpu_has(isa))
		return -1;
	atomic_store_explicit(&forced, (int)isa, memory_order_relaxed);
	return 0;
}

const char *topk_isa_name(void)
{
	return active()->name;
}

void topk_filter_load(enum topk_type type, const void *x, int64_t start, int64_t count,
		      uint32_t idx0, struct topk_item *items)
{
	if (type == TOPK_F32)
		load_f32(x, start, count, idx0, items);
	else
		load_f64(x, start, count, idx0, items);
}

int64_t topk_filter(enum topk_type type, const void *x, int64_t lo, int64_t hi, double t,
		    struct topk_item *items)
{
	const struct kernels *k = active();
	return (type == TOPK_F32 ? k->f32 : k->f64)(x, lo, hi, t, items);
}
