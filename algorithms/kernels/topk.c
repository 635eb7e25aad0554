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
 */
#include "algorithms/kernels/topk.h"

#include <math.h>
#include <stdlib.h>

/* Inputs below this many entries are selected exactly without sampling. */
#define TOPK_SAMPLE_MIN_N 8192
/* Sampled blocks: contiguous runs of this many entries (whole cache lines), one per
 * stratum of n / blocks entries, between these many blocks. */
#define TOPK_SAMPLE_RUN 32
#define TOPK_SAMPLE_BLOCKS_MIN 64
#define TOPK_SAMPLE_BLOCKS_MAX 2048
/* One sampled block per this many entries, within the bounds above. */
#define TOPK_SAMPLE_STRIDE 1024
/* Entries the filter checks at once before it looks at one. */
#define TOPK_FILTER_BLOCK 16
/* Ranges at most this long finish by insertion sort inside quickselect. */
#define TOPK_INSERTION_MAX 16

struct topk_item {
	double mag;
	uint32_t idx;
};

struct topk_workspace {
	int64_t n_max;
	struct topk_item *items;   /* n_max: survivors, or every entry on the exact path */
	struct topk_item *sample;  /* TOPK_SAMPLE_BLOCKS_MAX * TOPK_SAMPLE_RUN */
};

static double magnitude(double v)
{
	return isnan(v) ? -1.0 : fabs(v);
}

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

static void select_exact(struct topk_item *items, const double *x, int64_t n, int64_t k,
			 uint32_t *idx)
{
	for (int64_t i = 0; i < n; i++)
		items[i] = (struct topk_item){ magnitude(x[i]), (uint32_t)i };
	select_first(items, (size_t)n, (size_t)k);
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
static int sample_thresholds(struct topk_workspace *w, const double *x, int64_t n, int64_t k,
			     double *low, double *high)
{
	int64_t blocks = n / TOPK_SAMPLE_STRIDE;
	blocks = blocks < TOPK_SAMPLE_BLOCKS_MIN ? TOPK_SAMPLE_BLOCKS_MIN : blocks;
	blocks = blocks > TOPK_SAMPLE_BLOCKS_MAX ? TOPK_SAMPLE_BLOCKS_MAX : blocks;
	int64_t stratum = n / blocks, s = 0;
	for (int64_t b = 0; b < blocks; b++) {
		int64_t start = b * stratum + (int64_t)(scramble((uint64_t)b) %
							(uint64_t)(stratum - TOPK_SAMPLE_RUN + 1));
		for (int64_t i = start; i < start + TOPK_SAMPLE_RUN; i++, s++)
			w->sample[s] = (struct topk_item){ magnitude(x[i]), (uint32_t)s };
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

/* Items of every entry with |x_i| >= t, in index order; returns their count. NaN
 * fails the comparison and never passes. Inside a block that has a survivor every
 * entry is written and the count advances only past survivors: no branch to
 * mispredict. */
static int64_t filter(struct topk_item *items, const double *x, int64_t n, double t)
{
	int64_t c = 0, i = 0;
	for (; i + TOPK_FILTER_BLOCK <= n; i += TOPK_FILTER_BLOCK) {
		int any = 0;
		for (int j = 0; j < TOPK_FILTER_BLOCK; j++)
			any |= fabs(x[i + j]) >= t;
		if (!any)
			continue;
		for (int j = 0; j < TOPK_FILTER_BLOCK; j++) {
			double m = fabs(x[i + j]);
			items[c] = (struct topk_item){ m, (uint32_t)(i + j) };
			c += m >= t;
		}
	}
	for (; i < n; i++)
		if (fabs(x[i]) >= t)
			items[c++] = (struct topk_item){ fabs(x[i]), (uint32_t)i };
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

int topk_select(struct topk_workspace *w, const double *x, int64_t n, int64_t k, uint32_t *idx)
{
	if (n < 0 || n > w->n_max || k < 0 || k > n)
		return -1;
	if (k == 0)
		return 0;
	double low = -1.0, high = INFINITY;
	if (n < TOPK_SAMPLE_MIN_N || sample_thresholds(w, x, n, k, &low, &high) != 0)
		low = -1.0;
	/* low <= 0 would let every zero through: the filter could not help. */
	int64_t c = low > 0.0 ? filter(w->items, x, n, low) : -1;
	if (c < k) {
		select_exact(w->items, x, n, k, idx);
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
	for (int64_t i = 0; i < n; i++)
		items[i] = (struct topk_item){ magnitude(x[i]), (uint32_t)i };
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
