/*
 * topk: exact top-K selection by magnitude, the compressor of TopK SGD (Alistarh et
 * al., "The Convergence of Sparsified Gradient Methods", arXiv 1809.10505) and of the
 * sparse collectives.
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
 */
#ifndef TOPK_H
#define TOPK_H

#include <stdint.h>

/* Largest n the kernels accept: indices are uint32_t. */
#define TOPK_MAX_N ((int64_t)UINT32_MAX)

struct topk_workspace;

/* Scratch for inputs of up to n_max entries (reserved, touched only as needed);
 * NULL when out of memory or n_max is out of [1, TOPK_MAX_N]. */
struct topk_workspace *topk_workspace_new(int64_t n_max);
void topk_workspace_free(struct topk_workspace *w);

/* idx[0..k) = the indices of the k first entries of x[0..n) in the order above, in no
 * particular order but the same for the same input. 0, or -1 when n exceeds the
 * workspace or k is outside [0, n]. */
int topk_select(struct topk_workspace *w, const double *x, int64_t n, int64_t k, uint32_t *idx);

/* The baseline: the same selection by sorting all n entries (O(n log n)); allocates.
 * 0, or -1 on a bad k or out of memory. */
int topk_select_sort(const double *x, int64_t n, int64_t k, uint32_t *idx);

/* K for a count or a fraction: `count` when above 0, else ceil(fraction * n) clamped
 * to [1, n] (n >= 1). */
int64_t topk_k_of(int64_t n, int64_t count, double fraction);

#endif
