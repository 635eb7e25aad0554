/*
 * topk_nth: the baseline a practitioner would write for top-K by magnitude, the C
 * counterpart of std::nth_element over (|x|, index) pairs: build one pair per entry,
 * then Floyd and Rivest's SELECT (CACM 18(3), 1975, Algorithm 489), a quickselect whose
 * pivots come from a recursive sample so that the partitions shrink fast around rank K
 * (about n + K comparisons). Same order and output contract as topk_select (topk.h):
 * larger magnitude first, ties to the lowest index, NaN below every number; the
 * selected indices come in no particular order.
 */
#ifndef TOPK_NTH_H
#define TOPK_NTH_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of scratch for n pairs: 16 per entry for fp64 ((double, uint32) pairs), 8 for
 * fp32 ((float, uint32) pairs), as std::pair<T, uint32_t> would take. */
size_t topk_nth_scratch_bytes(int64_t n, int fp32);

/* idx[0..k) = the top k of x[0..n). `scratch` holds topk_nth_scratch_bytes(n, .)
 * bytes (a caller that selects repeatedly reuses it, as it would a std::vector), or is
 * NULL to allocate. 0, or -1 on a bad n or k, or out of memory. */
int topk_nth_select(void *scratch, const double *x, int64_t n, int64_t k, uint32_t *idx);
int topk_nth_select_f32(void *scratch, const float *x, int64_t n, int64_t k, uint32_t *idx);

#endif
