/*
 * rank_error: the quality of a relaxed priority queue, scored by replaying a merged
 * operation log (oplog.h) into order-statistics trees (notes section 4):
 *   - the rank error of a deletion is the number of present keys smaller than the
 *     deleted one (0 for an exact queue), the definition under which the sequential
 *     two-choice MultiQueue's long-run mean is 5/6 q - 1 + 1/(6q) (Walzer and
 *     Williams, "A Simple yet Exact Analysis of the MultiQueue", arXiv 2410.08714);
 *   - the delay of an element is the number of deletions of larger keys that happen
 *     while it is present (how often it is overtaken), scored when it is deleted.
 * Keys are compressed to their rank among all inserted keys, one Fenwick tree counts
 * present keys below an index, and a second (range add, point query) counts
 * overtaking deletions.
 */
#ifndef RANK_ERROR_H
#define RANK_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/relaxed_structures/oplog.h"

/* A histogram of non-negative integers that grows to the largest value seen. */
struct rank_hist {
	uint64_t *count;
	size_t len;
	uint64_t n, max;
	double sum;
};

/* 0, or -1 when out of memory. */
int rank_hist_add(struct rank_hist *h, uint64_t value);
void rank_hist_free(struct rank_hist *h);
double rank_hist_mean(const struct rank_hist *h);
/* The smallest v with P(X <= v) >= p; 0 for an empty histogram. */
uint64_t rank_hist_quantile(const struct rank_hist *h, double p);
/* P(X >= v). */
double rank_hist_ccdf(const struct rank_hist *h, uint64_t v);

struct rank_report {
	struct rank_hist rank, delay;   /* over the scored deletions */
	uint64_t inserts, deletes;      /* events replayed */
	uint64_t remaining;             /* inserted, never deleted */
	/* Deletions found before their insertion in tick order (clock skew between cores):
	 * scored as if the insertion had happened at the deletion's tick (notes section 4). */
	uint64_t repaired;
	/* Structure bugs; the verifier requires all three to be 0. */
	uint64_t duplicate_inserts, duplicate_deletes, unknown_deletes;
};

/*
 * Replay `log` (merged, in stamp order; OPLOG_INSERT / OPLOG_DELETE entries) and score
 * every deletion after the first `skip_deletes` (a warm-up: the start state is not the
 * steady state). 0, or -1 when out of memory.
 */
int rank_replay(const struct oplog *log, uint64_t skip_deletes, struct rank_report *out);
void rank_report_free(struct rank_report *r);

/* Sort keys ascending in place (LSD radix sort, 16-bit digits). 0, or -1 out of memory. */
int rank_sort_keys(uint64_t *keys, size_t n);

#endif
