/*
 * topk: exact top-K selection by magnitude, the compressor of TopK SGD (Alistarh et
 * al., "The Convergence of Sparsified Gradient Methods", arXiv 1809.10505) and of the
 * sparse collectives, for fp64 and fp32 input.
 *
 * Order: x_i comes before x_j when |x_i| > |x_j|, or |x_i| == |x_j| and i < j (ties go
 * to the lowest index, so the selection is a function of x alone). NaN counts as
 * smaller than every number. Indices are 32-bit (n < 2^32), the wire format of
 * comm/'s (index, value) pairs.
 *
 * topk_select reads x about once: a stratified sample of |x| gives two thresholds
 * that bracket the K-th largest magnitude, one filtering pass collects the entries
 * above the lower one, those above the upper one are taken, and an exact quickselect
 * (with the tie-break above) picks the rest among the entries in between. When the
 * survivors are fewer than K (an unlucky sample, or fewer than K entries above a
 * large run of equal values such as zeros), it selects exactly over all n: correct,
 * slower.
 *
 * One implementation serves both element types: only reading magnitudes (the sample,
 * the filter, the exact path's load) depends on the type, and it turns every entry
 * into the same (double magnitude, index) item, which is exact for floats. So the fp32
 * call returns exactly what the fp64 call returns on the same values widened to double
 * (same indices in the same order). The filter has AVX-512 and AVX kernels beside the
 * portable C one, chosen at run time (topk_set_isa forces one; they return the same).
 *
 * Threads: with threads > 1 each thread filters a contiguous slice of x into its own
 * part of the workspace and the slices' survivors are concatenated in slice order, so
 * the survivors are the same, in the same (index) order, as with one thread, and the
 * output is identical (same indices, same order) for every thread count.
 */
#ifndef TOPK_H
#define TOPK_H

#include <stdint.h>

/* Largest n the kernels accept: indices are uint32_t. */
#define TOPK_MAX_N ((int64_t)UINT32_MAX)
/* Threads beyond this many are not used. */
#define TOPK_MAX_THREADS 64

struct topk_workspace;

/* Scratch for inputs of up to n_max entries (reserved, touched only as needed);
 * NULL when out of memory or n_max is out of [1, TOPK_MAX_N]. */
struct topk_workspace *topk_workspace_new(int64_t n_max);
void topk_workspace_free(struct topk_workspace *w);

/* idx[0..k) = the indices of the k first entries of x[0..n) in the order above, in no
 * particular order but the same for the same input. 0, or -1 when n exceeds the
 * workspace or k is outside [0, n]. One thread. */
int topk_select(struct topk_workspace *w, const double *x, int64_t n, int64_t k, uint32_t *idx);
/* The same for floats: idx equals topk_select's on the values widened to double. */
int topk_select_f32(struct topk_workspace *w, const float *x, int64_t n, int64_t k,
		    uint32_t *idx);
/* The same on up to `threads` OpenMP threads (< 1 counts as 1): the output equals the
 * one-thread call's, entry for entry. */
int topk_select_threads(struct topk_workspace *w, const double *x, int64_t n, int64_t k,
			int threads, uint32_t *idx);
int topk_select_f32_threads(struct topk_workspace *w, const float *x, int64_t n, int64_t k,
			    int threads, uint32_t *idx);

/* The reference: the same selection by sorting all n entries (O(n log n), glibc qsort
 * with a comparator); allocates. 0, or -1 on a bad k or out of memory. */
int topk_select_sort(const double *x, int64_t n, int64_t k, uint32_t *idx);

/* K for a count or a fraction: `count` when above 0, else ceil(fraction * n) clamped
 * to [1, n] (n >= 1). */
int64_t topk_k_of(int64_t n, int64_t count, double fraction);

/* The filter kernels. AUTO: the best this CPU has. */
enum topk_isa { TOPK_ISA_AUTO, TOPK_ISA_PORTABLE, TOPK_ISA_AVX, TOPK_ISA_AVX512 };
/* Force a kernel for every later call (all threads); -1 when the CPU lacks it. */
int topk_set_isa(enum topk_isa isa);
/* The kernel in use: "avx512", "avx" or "portable". */
const char *topk_isa_name(void);

#endif
