/*
 * workload: transactions over cache lines shaped like the operations of the classic
 * concurrent data structures the paper evaluates (arXiv 1804.00947: counter, queue,
 * stack, linked list, hash table, tree). A transaction is `length` operations; each
 * operation is a short sequence of line reads and writes; keys are Zipf over the
 * structure's `hot_set` elements. The HTM simulator (htmsim) runs them.
 */
#ifndef HTM_CONFLICT_WORKLOAD_H
#define HTM_CONFLICT_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "algorithms/kernels/rng.h"

struct workload_config {
	const char *kind;       /* counter|queue|stack|linked_list|hash_table|tree */
	int hot_set;            /* elements of the structure: counters, buckets, nodes, leaves */
	int length;             /* data-structure operations per transaction */
	double zipf;            /* key skew s: P(key k) ~ 1 / (k + 1)^s; 0 is uniform */
	double write_fraction;  /* fraction of list, hash-table and tree operations that update */
	int access_cycles;      /* mean compute cycles before each access (and before commit) */
	int think_cycles;       /* mean non-transactional cycles between transactions */
};

struct workload_access {
	int line;
	bool write;
};

/* One transaction: accesses[i] happens gap[i] cycles after the previous one (or the
 * start), and the commit gap[n] cycles after the last access. */
struct workload_txn {
	int n;
	struct workload_access *access;
	int *gap;
	long long think;        /* cycles to wait before starting it */
};

struct workload_ops;

struct workload {
	struct workload_config cfg;
	const struct workload_ops *ops;
	int lines;              /* line ids are 0 .. lines - 1 */
	int max_accesses;       /* of one transaction */
	double *zipf_cdf;       /* hot_set entries; the last is 1 */
};

/* The longest transaction a workload may produce (each core keeps buffers this long). */
#define WORKLOAD_MAX_ACCESSES (1 << 20)

/* "counter|queue|stack|linked_list|hash_table|tree", for a parameter table. */
#define WORKLOAD_CHOICES "counter|queue|stack|linked_list|hash_table|tree"

/* 0, or -1 with a reason in err (unknown kind, no memory). */
int workload_init(struct workload *w, const struct workload_config *cfg, char *err, size_t errlen);
void workload_free(struct workload *w);

/* Buffers for one transaction of `w` (workload_txn_free releases them); NULL-safe. */
int workload_txn_alloc(const struct workload *w, struct workload_txn *t);
void workload_txn_free(struct workload_txn *t);
/* Draw the next transaction (and the think time before it) from `r`. */
void workload_next_txn(const struct workload *w, struct rng *r, struct workload_txn *t);

/* A key in [0, n) with P(k) proportional to 1 / (k + 1)^s, by binary search in `cdf`. */
int workload_zipf_draw(const double *cdf, int n, struct rng *r);

#endif
