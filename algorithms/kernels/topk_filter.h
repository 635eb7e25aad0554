/*
 * topk_filter: the type-dependent half of kernels/topk, the only code that reads x.
 * Every entry becomes a (magnitude, index) item with the magnitude as a double (exact
 * for floats, NaN as -1), so the selection that follows (topk.c) is one implementation
 * for both element types. The filter, one pass over x at memory speed, has AVX-512,
 * AVX and portable kernels chosen at run time (topk_set_isa in topk.h).
 */
#ifndef TOPK_FILTER_H
#define TOPK_FILTER_H

#include <stdint.h>

#include "algorithms/kernels/topk.h"

enum topk_type { TOPK_F64, TOPK_F32 };

struct topk_item {
	double mag;
	uint32_t idx;
};

/* items[j] = (magnitude of x[start + j], idx0 + j) for j < count. */
void topk_filter_load(enum topk_type type, const void *x, int64_t start, int64_t count,
		      uint32_t idx0, struct topk_item *items);

/*
 * The items (|x_i|, i) of every lo <= i < hi with |x_i| >= t, in index order, into
 * items[0..); returns their count. t > 0, and for floats a float value (so comparing in
 * float is comparing in double). NaN fails the comparison and never passes. items must
 * have room for hi - lo entries: the portable kernel writes some past the count.
 */
int64_t topk_filter(enum topk_type type, const void *x, int64_t lo, int64_t hi, double t,
		    struct topk_item *items);

#endif
