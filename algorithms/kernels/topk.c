/*
 * topk: exact top-K by magnitude with lowest-index ties (see topk.h).
 *
 * Why a sampled threshold: a quickselect over all n entries moves 16-byte (magnitude,
 * index) items around several times, and a heap of K costs log K per entry; both are
 * far from one read of x. The low threshold is the r-th largest of S sampled
 * magnitudes, with r = qS + 4 sqrt(qS) + 4 for q = K/n: the count of entries >= it is
 * then about n r / S, at least K except with the probability of a 4-sigma binomial
 * deviation. The filter checks 16 entries at a time with a loop the compiler
 * vectorises and writes a block's items only when one of them passes, so at small K/n
 * it streams x. A high threshold at rank qS - 4 sqrt(qS) - 4 splits the survivors:
 * those above it are surely selected, and the exact quickselect runs only on the
 * band between the two. Correctness never rests on the sample: every entry below the
 * low threshold is smaller than every survivor, so K survivors contain the top K,
 * fewer than K send the call to the exact path over all entries, and more than K
 * above the high threshold fall back to a quickselect over all survivors.
 *
 * Only reading x depends on the element type (topk_filter.c); from the items on, fp64
 * and fp32 share every line. With threads, slice s of x is filtered into items from
 * its own first index on (a slice has no more survivors than entries), and one merge
 * moves the slices' survivors together in slice order: the list is the one-thread
 * list, so the rest of the call, and its output, are the same.
 */
#include "algorithms/kernels/topk.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/topk_filter.h"

/* Inputs below this many entries are selected exactly without sampling. */
#define TOPK_SAMPLE_MIN_N 8192
/* Sampled blocks: contiguous runs of this many entries (whole cache lines), one per
 * stratum of n / blocks entries, between these many blocks. */
#define TOPK_SAMPLE_RUN 32
#define TOPK_SAMPLE_BLOCKS_MIN 64
#define TOPK_SAMPLE_BLOCKS_MAX 2048
/* One sampled block per this many entries, within the bounds above. */
#define TOPK_SAMPLE_STRIDE 1024
/* Below this many entries per thread the filter runs on one thread. */
#define TOPK_PARALLEL_MIN_N 65536
/* Slice boundaries are multiples of this many entries (whole cache lines). */
#define TOPK_SLICE_ALIGN 64
/* Ranges at most this long finish by insertion sort inside quickselect. */
#define TOPK_INSERTION_MAX 16

struct topk_workspace {
	int64_t n_max;
	struct topk_item *items;   /* n_max: survivors, or every entry on the exact path */
	struct topk_item *sample;  /* TOPK_SAMPLE_BLOCKS_MAX * TOPK_SAMPLE_RUN */
};

/* An input: its element type and its entries. */
struct topk_input {
	enum topk_type type;
	const void *x;
	int64_t n;
};

/* The selection order: larger magnitude first, then lower index. */
static int item_before(const struct topk_item *a, const struct topk_item *b)
{
	return a->mag > b->mag || (a->mag == b->mag && a->idx < b->idx);
}

static void item_swap(struct topk_item *a, struct topk_item *b)
{
	struct topk_item t = *a;
	*a = *b;
	*b = t;
}

/* Index of the median of a[i], a[j], a[l] in the selection order. */
static size_t median3(const struct topk_item *a, size_t i, size_t j, size_t l)
{
	if (item_before(&a[i], &a[j]))
		return item_before(&a[j], &a[l]) ? j : (item_before(&a[i], &a[l]) ? l : i);
	return item_before(&a[i], &a[l]) ? i : (item_before(&a[j], &a[l]) ? l : j);
}

/* Lomuto partition of a[lo..hi) around the median of three; returns the pivot's
 * final position. Keys are distinct (indices differ), so no three-way split. */
static size_t partition(struct topk_item *a, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2;
	item_swap(&a[median3(a, lo, mid, hi - 1)], &a[hi - 1]);
	size_t store = lo;
	for (size_t i = lo; i < hi - 1; i++)
		if (item_before(&a[i], &a[hi - 1]))
			item_swap(&a[i], &a[store++]);
	item_swap(&a[store], &a[hi - 1]);
	return store;
}

static void insertion_sort(struct topk_item *a, size_t lo, size_t hi)
{
	for (size_t i = lo + 1; i < hi; i++)
		for (size_t j = i; j > lo && item_before(&a[j], &a[j - 1]); j--)
			item_swap(&a[j], &a[j - 1]);
}

/* Rearrange a[0..n) so that a[0..k) are its k first items in the selection order. */
static void select_first(struct topk_item *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	while (hi - lo > TOPK_INSERTION_MAX) {
		size_t p = partition(a, lo, hi);
		if (p == k || p + 1 == k)
			return;
		if (p > k)
			hi = p;
		else
			lo = p + 1;
	}
	insertion_sort(a, lo, hi);
}

struct topk_workspace *topk_workspace_new(int64_t n_max)
{
	if (n_max < 1 || n_max > TOPK_MAX_N)
		return NULL;
	struct topk_workspace *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->n_max = n_max;
	w->items = malloc((size_t)n_max * sizeof(*w->items));
	w->sample = malloc(TOPK_SAMPLE_BLOCKS_MAX * TOPK_SAMPLE_RUN * sizeof(*w->sample));
	if (!w->items || !w->sample) {
		topk_workspace_free(w);
		return NULL;
	}
	return w;
}

void topk_workspace_free(struct topk_workspace *w)
{
	if (!w)
		return;
	free(w->items);
	free(w->sample);
	free(w);
}

static void emit(const struct topk_item *items, int64_t k, uint32_t *idx)
{
	for (int64_t i = 0; i < k; i++)
		idx[i] = items[i].idx;
}

static void select_exact(struct topk_item *items, const struct topk_input *in, int64_t k,
			 uint32_t *idx)
{
	topk_filter_load(in->type, in->x, 0, in->n, 0, items);
	select_first(items, (size_t)in->n, (size_t)k);
	emit(items, k, idx);
}

/* A fixed scramble of the block number (splitmix64's finaliser): where in its
 * stratum a sampled run starts, the same for every call. */
static uint64_t scramble(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The r-th largest magnitude of sample[0..count) (1-based), which it reorders. */
static double sample_rank(struct topk_item *sample, int64_t count, int64_t r)
{
	select_first(sample, (size_t)count, (size_t)r);
	double t = sample[0].mag;
	for (int64_t i = 1; i < r; i++)
		t = sample[i].mag < t ? sample[i].mag : t;
	return t;
}

/* Thresholds from the sample: about K (1 + 4 sigma) entries are >= *low, and about
 * K (1 - 4 sigma) are > *high (+inf when that rank is below 1): the entries above
 * *high are surely in the top K, and only those in between need an exact selection.
 * -1 when the sample cannot narrow the search (K too close to n). */
static int sample_thresholds(struct topk_workspace *w, const struct topk_input *in, int64_t k,
			     double *low, double *high)
{
	int64_t n = in->n;
	int64_t blocks = n / TOPK_SAMPLE_STRIDE;
	blocks = blocks < TOPK_SAMPLE_BLOCKS_MIN ? TOPK_SAMPLE_BLOCKS_MIN : blocks;
	blocks = blocks > TOPK_SAMPLE_BLOCKS_MAX ? TOPK_SAMPLE_BLOCKS_MAX : blocks;
	int64_t stratum = n / blocks, s = 0;
	for (int64_t b = 0; b < blocks; b++) {
		int64_t start = b * stratum + (int64_t)(scramble((uint64_t)b) %
							(uint64_t)(stratum - TOPK_SAMPLE_RUN + 1));
		topk_filter_load(in->type, in->x, start, TOPK_SAMPLE_RUN, (uint32_t)s,
				 w->sample + s);
		s += TOPK_SAMPLE_RUN;
	}
	double expect = (double)k / (double)n * (double)s, margin = 4.0 * sqrt(expect) + 4.0;
	int64_t r_low = (int64_t)ceil(expect + margin), r_high = (int64_t)floor(expect - margin);
	if (r_low * 2 > s)
		return -1;
	*low = sample_rank(w->sample, s, r_low);
	/* The r_low largest now lead the sample, and r_high < r_low: search only them. */
	*high = r_high >= 1 ? sample_rank(w->sample, r_low, r_high) : INFINITY;
	return 0;
}

/* First entry of slice `s` of `slices`. */
static int64_t slice_start(int64_t n, int slices, int s)
{
	if (s >= slices)
		return n;
	return n * s / slices / TOPK_SLICE_ALIGN * TOPK_SLICE_ALIGN;
}

/* Items of every entry with |x_i| >= t, in index order, on up to `threads` threads;
 * returns their count. */
static int64_t filter(struct topk_item *items, const struct topk_input *in, double t,
		      int threads)
{
	int64_t n = in->n;
	if (threads > TOPK_MAX_THREADS)
		threads = TOPK_MAX_THREADS;
	if (threads <= 1 || n / threads < TOPK_PARALLEL_MIN_N)
		return topk_filter(in->type, in->x, 0, n, t, items);
	int64_t count[TOPK_MAX_THREADS];
	int slices = 1;
#pragma omp parallel num_threads(threads)
	{
		int s = omp_get_thread_num(), ns = omp_get_num_threads();
		int64_t lo = slice_start(n, ns, s), hi = slice_start(n, ns, s + 1);
		count[s] = topk_filter(in->type, in->x, lo, hi, t, items + lo);
		if (s == 0)
			slices = ns;
	}
	/* The merge: slice s's survivors start at its first index, at or after the end of
	 * those moved before them. */
	int64_t c = count[0];
	for (int s = 1; s < slices; s++) {
		memmove(items + c, items + slice_start(n, slices, s), (size_t)count[s] * sizeof(*items));
		c += count[s];
	}
	return c;
}

/* Move the items with mag > high to the front; returns their count. */
static int64_t split_sure(struct topk_item *items, int64_t c, double high)
{
	int64_t sure = 0;
	for (int64_t i = 0; i < c; i++)
		if (items[i].mag > high)
			item_swap(&items[i], &items[sure++]);
	return sure;
}

static int select_typed(struct topk_workspace *w, const struct topk_input *in, int64_t k,
			int threads, uint32_t *idx)
{
	int64_t n = in->n;
	if (n < 0 || n > w->n_max || k < 0 || k > n)
		return -1;
	if (k == 0)
		return 0;
	double low = -1.0, high = INFINITY;
	if (n < TOPK_SAMPLE_MIN_N || sample_thresholds(w, in, k, &low, &high) != 0)
		low = -1.0;
	/* low <= 0 would let every zero through: the filter could not help. */
	int64_t c = low > 0.0 ? filter(w->items, in, low, threads) : -1;
	if (c < k) {
		select_exact(w->items, in, k, idx);
		return 0;
	}
	/* Every entry above high comes before every other survivor: when there are at
	 * most k of them they are all selected, and the rest is chosen among the others. */
	int64_t sure = split_sure(w->items, c, high);
	if (sure > k)
		sure = 0;
	select_first(w->items + sure, (size_t)(c - sure), (size_t)(k - sure));
	emit(w->items, k, idx);
	return 0;
}

int topk_select_threads(struct topk_workspace *w, const double *x, int64_t n, int64_t k,
			int threads, uint32_t *idx)
{
	struct topk_input in = { TOPK_F64, x, n };
	return select_typed(w, &in, k, threads, idx);
}

int topk_select_f32_threads(struct topk_workspace *w, const float *x, int64_t n, int64_t k,
			    int threads, uint32_t *idx)
{
	struct topk_input in = { TOPK_F32, x, n };
	return select_typed(w, &in, k, threads, idx);
}

int topk_select(struct topk_workspace *w, const double *x, int64_t n, int64_t k, uint32_t *idx)
{
	return topk_select_threads(w, x, n, k, 1, idx);
}

int topk_select_f32(struct topk_workspace *w, const float *x, int64_t n, int64_t k,
		    uint32_t *idx)
{
	return topk_select_f32_threads(w, x, n, k, 1, idx);
}

static int item_compare(const void *pa, const void *pb)
{
	const struct topk_item *a = pa, *b = pb;
	return item_before(a, b) ? -1 : (item_before(b, a) ? 1 : 0);
}

int topk_select_sort(const double *x, int64_t n, int64_t k, uint32_t *idx)
{
	if (n < 0 || n > TOPK_MAX_N || k < 0 || k > n)
		return -1;
	struct topk_item *items = malloc(((size_t)n + 1) * sizeof(*items));
	if (!items)
		return -1;
	topk_filter_load(TOPK_F64, x, 0, n, 0, items);
	qsort(items, (size_t)n, sizeof(*items), item_compare);
	emit(items, k, idx);
	free(items);
	return 0;
}

int64_t topk_k_of(int64_t n, int64_t count, double fraction)
{
	int64_t k = count > 0 ? count : (int64_t)ceil(fraction * (double)n);
	if (k < 1)
		k = 1;
	return k > n ? n : k;
}
