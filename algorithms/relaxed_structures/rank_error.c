/* rank_error: replay of operation logs into rank-error and delay histograms (see
 * rank_error.h). */
#include "algorithms/relaxed_structures/rank_error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 16
#define RADIX_SIZE (1u << RADIX_BITS)

/* Where each key stands during the replay. */
enum key_state {
	KEY_ABSENT = 0,     /* not inserted yet */
	KEY_PRESENT,
	KEY_DELETED,
	KEY_DELETED_EARLY,  /* deleted before its insertion in tick order (repaired) */
};

/* ---- histogram ---- */

int rank_hist_add(struct rank_hist *h, uint64_t value)
{
	if (value >= h->len) {
		size_t len = h->len ? h->len : 64;
		while (len <= value)
			len *= 2;
		uint64_t *count = realloc(h->count, len * sizeof(*count));
		if (!count)
			return -1;
		memset(count + h->len, 0, (len - h->len) * sizeof(*count));
		h->count = count;
		h->len = len;
	}
	h->count[value]++;
	h->n++;
	h->sum += (double)value;
	if (value > h->max)
		h->max = value;
	return 0;
}

void rank_hist_free(struct rank_hist *h)
{
	free(h->count);
	*h = (struct rank_hist){ 0 };
}

double rank_hist_mean(const struct rank_hist *h)
{
	return h->n ? h->sum / (double)h->n : 0.0;
}

uint64_t rank_hist_quantile(const struct rank_hist *h, double p)
{
	uint64_t seen = 0;

	for (size_t v = 0; v < h->len; v++) {
		seen += h->count[v];
		if ((double)seen >= p * (double)h->n)
			return v;
	}
	return h->max;
}

double rank_hist_ccdf(const struct rank_hist *h, uint64_t v)
{
	uint64_t below = 0;

	if (h->n == 0)
		return 0.0;
	for (size_t i = 0; i < h->len && i < v; i++)
		below += h->count[i];
	return (double)(h->n - below) / (double)h->n;
}

/* ---- radix sort ---- */

int rank_sort_keys(uint64_t *keys, size_t n)
{
	uint64_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t *count = malloc(RADIX_SIZE * sizeof(*count));

	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -1;
	}
	uint64_t *src = keys, *dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
		memset(count, 0, RADIX_SIZE * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
		/* A digit every key shares (the high digits of small labels) moves nothing. */
		if (n == 0 || count[(src[0] >> shift) & (RADIX_SIZE - 1)] == n)
			continue;
		size_t start = 0;
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			size_t c = count[d];
			count[d] = start;
			start += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != keys)
		memcpy(keys, src, n * sizeof(*keys));
	free(tmp);
	free(count);
	return 0;
}

/* ---- the replay ---- */

/* Fenwick trees over key indices 0..n-1 (stored 1-based). */
static void fenwick_add(int32_t *tree, size_t n, size_t i, int32_t delta)
{
	for (size_t x = i + 1; x <= n; x += x & (~x + 1))
		tree[x] += delta;
}

/* Sum of entries 0..i-1. */
static int64_t fenwick_prefix(const int32_t *tree, size_t i)
{
	int64_t sum = 0;

	for (size_t x = i; x > 0; x -= x & (~x + 1))
		sum += tree[x];
	return sum;
}

struct replay {
	uint64_t *keys;      /* the distinct inserted keys, ascending */
	size_t n;
	bool dense;          /* keys[i] = keys[0] + i: an index is a subtraction */
	uint8_t *state;      /* enum key_state per index */
	int32_t *present;    /* Fenwick: present keys */
	int32_t *overtaken;  /* Fenwick of differences: deletions of a larger key so far */
	int32_t *baseline;   /* overtaken count of an element when it was inserted */
};

static void replay_free(struct replay *r)
{
	free(r->keys);
	free(r->state);
	free(r->present);
	free(r->overtaken);
	free(r->baseline);
}

/* Index of key, or n when it was never inserted. */
static size_t replay_index(const struct replay *r, uint64_t key)
{
	if (r->n == 0 || key < r->keys[0])
		return r->n;
	if (r->dense)
		return key - r->keys[0] < r->n ? (size_t)(key - r->keys[0]) : r->n;
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->keys[lo] == key ? lo : r->n;
}

/* The distinct inserted keys, sorted; duplicates are counted (a structure never inserts
 * a key twice in our workloads, so a duplicate means a broken log). */
static int replay_keys(struct replay *r, const struct oplog *log, struct rank_report *out)
{
	size_t n = 0;

	r->keys = malloc((log->size ? log->size : 1) * sizeof(*r->keys));
	if (!r->keys)
		return -1;
	for (size_t i = 0; i < log->size; i++)
		if (oplog_kind_of(&log->entries[i]) == OPLOG_INSERT)
			r->keys[n++] = log->entries[i].key;
	if (rank_sort_keys(r->keys, n) != 0)
		return -1;
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (distinct > 0 && r->keys[distinct - 1] == r->keys[i]) {
			out->duplicate_inserts++;
			continue;
		}
		r->keys[distinct++] = r->keys[i];
	}
	r->n = distinct;
	r->dense = distinct > 0 && r->keys[distinct - 1] - r->keys[0] == distinct - 1;
	return 0;
}

static int replay_alloc(struct replay *r)
{
	r->state = calloc(r->n + 1, sizeof(*r->state));
	r->present = calloc(r->n + 1, sizeof(*r->present));
	r->overtaken = calloc(r->n + 1, sizeof(*r->overtaken));
	r->baseline = calloc(r->n + 1, sizeof(*r->baseline));
	return r->state && r->present && r->overtaken && r->baseline ? 0 : -1;
}

static void replay_insert(struct replay *r, size_t i, struct rank_report *out)
{
	out->inserts++;
	if (r->state[i] == KEY_DELETED_EARLY) {
		r->state[i] = KEY_DELETED;   /* its deletion was already scored */
		return;
	}
	if (r->state[i] != KEY_ABSENT)
		return;                      /* a duplicate, counted in replay_keys */
	r->state[i] = KEY_PRESENT;
	fenwick_add(r->present, r->n, i, 1);
	r->baseline[i] = (int32_t)fenwick_prefix(r->overtaken, i + 1);
}

/* Score one deletion; every present key below it is overtaken once more. */
static int replay_delete(struct replay *r, size_t i, bool scored, struct rank_report *out)
{
	out->deletes++;
	if (i == r->n) {
		out->unknown_deletes++;
		return 0;
	}
	if (r->state[i] == KEY_DELETED || r->state[i] == KEY_DELETED_EARLY) {
		out->duplicate_deletes++;
		return 0;
	}
	uint64_t rank = (uint64_t)fenwick_prefix(r->present, i), delay = 0;
	if (r->state[i] == KEY_PRESENT) {
		delay = (uint64_t)(fenwick_prefix(r->overtaken, i + 1) - r->baseline[i]);
		fenwick_add(r->present, r->n, i, -1);
		r->state[i] = KEY_DELETED;
	} else {
		out->repaired++;
		r->state[i] = KEY_DELETED_EARLY;
	}
	if (i > 0) {
		fenwick_add(r->overtaken, r->n, 0, 1);
		fenwick_add(r->overtaken, r->n, i, -1);
	}
	if (!scored)
		return 0;
	return rank_hist_add(&out->rank, rank) || rank_hist_add(&out->delay, delay) ? -1 : 0;
}

int rank_replay(const struct oplog *log, uint64_t skip_deletes, struct rank_report *out)
{
	struct replay r = { 0 };
	uint64_t deletes = 0;

	*out = (struct rank_report){ 0 };
	if (replay_keys(&r, log, out) != 0 || replay_alloc(&r) != 0) {
		replay_free(&r);
		return -1;
	}
	for (size_t e = 0; e < log->size; e++) {
		const struct oplog_entry *entry = &log->entries[e];
		size_t i = replay_index(&r, entry->key);
		if (oplog_kind_of(entry) == OPLOG_INSERT) {
			replay_insert(&r, i, out);
			continue;
		}
		if (replay_delete(&r, i, deletes++ >= skip_deletes, out) != 0) {
			replay_free(&r);
			return -1;
		}
	}
	for (size_t i = 0; i < r.n; i++)
		out->remaining += r.state[i] == KEY_PRESENT;
	replay_free(&r);
	return 0;
}

void rank_report_free(struct rank_report *r)
{
	rank_hist_free(&r->rank);
	rank_hist_free(&r->delay);
}
