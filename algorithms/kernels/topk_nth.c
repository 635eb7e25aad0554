/*
 * topk_nth: (|x|, index) pairs and Floyd-Rivest SELECT (see topk_nth.h).
 *
 * The algorithm as published (with the recursion on a sample of ranges above 600
 * pairs), over the total order "before": distinct keys, since indices differ, so the
 * partition needs no equal-keys case. One macro generates it for both pair types.
 */
#include "algorithms/kernels/topk_nth.h"

#include <math.h>
#include <stdlib.h>

#include "algorithms/kernels/topk.h"

/* Ranges longer than this pick their pivot from a recursive selection on a sample. */
#define TOPK_NTH_SAMPLE_ABOVE 600

struct pair_f64 {
	double mag;
	uint32_t idx;
};

struct pair_f32 {
	float mag;
	uint32_t idx;
};

/* Bounds of the sample range around rank k of [left, right] (Floyd and Rivest's
 * choice: about n^(2/3) pairs, shifted by a standard deviation toward the middle). */
static void sample_range(int64_t left, int64_t right, int64_t k, int64_t *new_left,
			 int64_t *new_right)
{
	double n = (double)(right - left + 1), i = (double)(k - left + 1);
	double z = log(n), s = 0.5 * exp(2.0 * z / 3.0);
	double sd = 0.5 * sqrt(z * s * (n - s) / n) * (i - n / 2 < 0 ? -1.0 : 1.0);
	int64_t l = (int64_t)((double)k - i * s / n + sd);
	int64_t r = (int64_t)((double)k + (n - i) * s / n + sd);
	*new_left = l > left ? l : left;
	*new_right = r < right ? r : right;
}

#define TOPK_DEFINE_NTH(SFX, T, PAIR, ABS)                                               \
	static T mag_##SFX(T v)                                                          \
	{                                                                                \
		return isnan(v) ? (T)-1 : ABS(v);                                        \
	}                                                                                \
	static int before_##SFX(const PAIR *a, const PAIR *b)                            \
	{                                                                                \
		return a->mag > b->mag || (a->mag == b->mag && a->idx < b->idx);         \
	}                                                                                \
	static void swap_##SFX(PAIR *a, PAIR *b)                                         \
	{                                                                                \
		PAIR t = *a;                                                             \
		*a = *b;                                                                 \
		*b = t;                                                                  \
	}                                                                                \
	/* Rearrange a[left..right] so that a[k] is the pair of rank k, those before it \
	 * on its left and those after it on its right. */                              \
	static void select_##SFX(PAIR *a, int64_t left, int64_t right, int64_t k)        \
	{                                                                                \
		while (right > left) {                                                   \
			if (right - left > TOPK_NTH_SAMPLE_ABOVE) {                      \
				int64_t l, r;                                            \
				sample_range(left, right, k, &l, &r);                    \
				select_##SFX(a, l, r, k);                                \
			}                                                                \
			PAIR t = a[k];                                                   \
			int64_t i = left, j = right;                                     \
			swap_##SFX(&a[left], &a[k]);                                     \
			if (before_##SFX(&t, &a[right]))                                 \
				swap_##SFX(&a[right], &a[left]);                         \
			while (i < j) {                                                  \
				swap_##SFX(&a[i], &a[j]);                                \
				i++, j--;                                                \
				while (before_##SFX(&a[i], &t))                          \
					i++;                                             \
				while (before_##SFX(&t, &a[j]))                          \
					j--;                                             \
			}                                                                \
			if (a[left].idx == t.idx) {                                      \
				swap_##SFX(&a[left], &a[j]);                             \
			} else {                                                         \
				j++;                                                     \
				swap_##SFX(&a[j], &a[right]);                            \
			}                                                                \
			if (j <= k)                                                      \
				left = j + 1;                                            \
			if (k <= j)                                                      \
				right = j - 1;                                           \
		}                                                                        \
	}                                                                                \
	static int nth_##SFX(void *scratch, const T *x, int64_t n, int64_t k,            \
			     uint32_t *idx)                                              \
	{                                                                                \
		if (n < 0 || n > TOPK_MAX_N || k < 0 || k > n)                           \
			return -1;                                                       \
		if (k == 0)                                                              \
			return 0;                                                        \
		PAIR *a = scratch ? scratch : malloc((size_t)n * sizeof(PAIR));          \
		if (!a)                                                                  \
			return -1;                                                       \
		for (int64_t i = 0; i < n; i++)                                          \
			a[i] = (PAIR){ mag_##SFX(x[i]), (uint32_t)i };                   \
		select_##SFX(a, 0, n - 1, k - 1);                                        \
		for (int64_t j = 0; j < k; j++)                                          \
			idx[j] = a[j].idx;                                               \
		if (!scratch)                                                            \
			free(a);                                                         \
		return 0;                                                                \
	}

TOPK_DEFINE_NTH(f64, double, struct pair_f64, fabs)
TOPK_DEFINE_NTH(f32, float, struct pair_f32, fabsf)

size_t topk_nth_scratch_bytes(int64_t n, int fp32)
{
	size_t one = fp32 ? sizeof(struct pair_f32) : sizeof(struct pair_f64);
	return n > 0 ? (size_t)n * one : one;
}

int topk_nth_select(void *scratch, const double *x, int64_t n, int64_t k, uint32_t *idx)
{
	return nth_f64(scratch, x, n, k, idx);
}

int topk_nth_select_f32(void *scratch, const float *x, int64_t n, int64_t k, uint32_t *idx)
{
	return nth_f32(scratch, x, n, k, idx);
}
