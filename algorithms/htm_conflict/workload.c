/*
 * workload: access patterns of the concurrent data structures of the HTM evaluation of
 *   D. Alistarh, S. K. Haider, R. Kuebler, G. Nadiradze, "The Transactional Conflict
 *   Problem", SPAA 2018, arXiv 1804.00947 ("classic concurrent data structures").
 * Each structure is reduced to which cache lines an operation reads and writes: the
 * shared head/tail/top lines of queues and stacks, the read-shared prefix of a sorted
 * list, the root-to-leaf path of a tree. The paper's own benchmark code was not
 * available; these shapes are ours (README.md, "Deviations").
 */
#include "algorithms/htm_conflict/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workload_ops {
	const char *name;
	int (*lines)(int hot_set);
	int (*max_per_operation)(int hot_set);
	/* Append one operation's accesses to t. */
	void (*operation)(const struct workload *w, struct rng *r, struct workload_txn *t);
};

static void add(struct workload_txn *t, int line, bool write)
{
	t->access[t->n++] = (struct workload_access){ .line = line, .write = write };
}

static int key(const struct workload *w, struct rng *r)
{
	return workload_zipf_draw(w->zipf_cdf, w->cfg.hot_set, r);
}

static bool updates(const struct workload *w, struct rng *r)
{
	return rng_uniform(r) < w->cfg.write_fraction;
}

/* counter: read-modify-write of one of hot_set counters. */
static int counter_lines(int h)
{
	return h;
}

static int two(int h)
{
	(void)h;
	return 2;
}

static int three(int h)
{
	(void)h;
	return 3;
}

static void counter_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int k = key(w, r);
	add(t, k, false);
	add(t, k, true);
}

/* queue: line 0 is the head, 1 the tail, 2.. the node pool. Enqueuers meet on the
 * tail, dequeuers on the head (a non-empty queue; nodes are drawn uniformly). */
static int queue_lines(int h)
{
	return h + 2;
}

static void queue_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int node = 2 + (int)rng_below(r, (uint64_t)w->cfg.hot_set);
	int end = rng_uniform(r) < 0.5 ? 0 : 1;
	add(t, end, false);
	add(t, node, end == 1);   /* enqueue writes the new node, dequeue reads the old */
	add(t, end, true);
}

/* stack: line 0 is the top pointer, 1.. the node pool; every operation writes the top. */
static int stack_lines(int h)
{
	return h + 1;
}

static void stack_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int node = 1 + (int)rng_below(r, (uint64_t)w->cfg.hot_set);
	bool push = rng_uniform(r) < 0.5;
	add(t, 0, false);
	add(t, node, push);
	add(t, 0, true);
}

/* linked_list: a sorted list, line 0 the head and 1..hot_set the nodes. An operation
 * on key k reads the prefix 0..k; an update writes node k (the predecessor's next
 * pointer), a lookup reads node k + 1. Updates near the head conflict with every
 * traversal that passed them: the read-set pressure that makes lists hard for HTM. */
static int list_lines(int h)
{
	return h + 1;
}

static int list_max(int h)
{
	return h + 2;
}

static void list_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int k = key(w, r);
	for (int i = 0; i <= k; i++)
		add(t, i, false);
	if (updates(w, r))
		add(t, k, true);
	else
		add(t, k + 1, false);
}

/* hash_table: lines 0..hot_set-1 are buckets, hot_set.. their first chain nodes. A
 * lookup reads bucket and node; an update also writes the node. */
static int hash_lines(int h)
{
	return 2 * h;
}

static void hash_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int b = key(w, r);
	add(t, b, false);
	add(t, w->cfg.hot_set + b, false);
	if (updates(w, r))
		add(t, w->cfg.hot_set + b, true);
}

/* tree: a complete binary search tree in heap layout (root 0, children 2i+1, 2i+2)
 * with hot_set leaves rounded up to a power of two. An operation reads the root-to-leaf
 * path; an update writes the leaf, and one in four also rebalances (writes the parent). */
static int tree_leaves(int h)
{
	int p = 1;
	while (p < h)
		p *= 2;
	return p;
}

static int tree_depth(int h)
{
	int d = 0;
	for (int p = tree_leaves(h); p > 1; p /= 2)
		d++;
	return d;
}

static int tree_lines(int h)
{
	return 2 * tree_leaves(h) - 1;
}

static int tree_max(int h)
{
	return tree_depth(h) + 3;
}

static void tree_op(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	int depth = tree_depth(w->cfg.hot_set);
	int leaf = tree_leaves(w->cfg.hot_set) - 1 + key(w, r);
	int first = t->n;
	/* The path from the leaf up, written backwards so that it reads root first. */
	t->n += depth + 1;
	for (int i = depth, node = leaf; i >= 0; i--, node = (node - 1) / 2)
		t->access[first + i] = (struct workload_access){ .line = node, .write = false };
	if (!updates(w, r))
		return;
	add(t, leaf, true);
	if (depth > 0 && rng_below(r, 4) == 0)
		add(t, (leaf - 1) / 2, true);
}

static const struct workload_ops workload_kinds[] = {
	{ .name = "counter", .lines = counter_lines, .max_per_operation = two,
	  .operation = counter_op },
	{ .name = "queue", .lines = queue_lines, .max_per_operation = three,
	  .operation = queue_op },
	{ .name = "stack", .lines = stack_lines, .max_per_operation = three,
	  .operation = stack_op },
	{ .name = "linked_list", .lines = list_lines, .max_per_operation = list_max,
	  .operation = list_op },
	{ .name = "hash_table", .lines = hash_lines, .max_per_operation = three,
	  .operation = hash_op },
	{ .name = "tree", .lines = tree_lines, .max_per_operation = tree_max,
	  .operation = tree_op },
};

static const struct workload_ops *find_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(workload_kinds) / sizeof(workload_kinds[0]); i++)
		if (!strcmp(workload_kinds[i].name, name))
			return &workload_kinds[i];
	return NULL;
}

static double *zipf_table(int n, double s)
{
	double *cdf = malloc((size_t)n * sizeof(*cdf));
	double total = 0.0;

	if (!cdf)
		return NULL;
	for (int k = 0; k < n; k++) {
		total += pow((double)k + 1.0, -s);
		cdf[k] = total;
	}
	for (int k = 0; k < n; k++)
		cdf[k] /= total;
	cdf[n - 1] = 1.0;
	return cdf;
}

int workload_init(struct workload *w, const struct workload_config *cfg, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->ops = find_kind(cfg->kind);
	if (!w->ops) {
		snprintf(err, errlen, "unknown workload '%s' (%s)", cfg->kind, WORKLOAD_CHOICES);
		return -1;
	}
	if (cfg->hot_set < 1 || cfg->length < 1 || cfg->access_cycles < 1) {
		snprintf(err, errlen, "hot_set, length and access_cycles must be at least 1");
		return -1;
	}
	long long longest = (long long)cfg->length * w->ops->max_per_operation(cfg->hot_set);
	if (longest > WORKLOAD_MAX_ACCESSES) {
		snprintf(err, errlen, "%s: a transaction may make %lld accesses, more than %d "
			 "(lower length or hot_set)", cfg->kind, longest, WORKLOAD_MAX_ACCESSES);
		return -1;
	}
	w->cfg = *cfg;
	w->lines = w->ops->lines(cfg->hot_set);
	w->max_accesses = (int)longest;
	w->zipf_cdf = zipf_table(cfg->hot_set, cfg->zipf);
	if (!w->zipf_cdf) {
		snprintf(err, errlen, "no memory for a Zipf table of %d keys", cfg->hot_set);
		return -1;
	}
	return 0;
}

void workload_free(struct workload *w)
{
	free(w->zipf_cdf);
	w->zipf_cdf = NULL;
}

int workload_txn_alloc(const struct workload *w, struct workload_txn *t)
{
	memset(t, 0, sizeof(*t));
	t->access = malloc((size_t)w->max_accesses * sizeof(*t->access));
	t->gap = malloc(((size_t)w->max_accesses + 1) * sizeof(*t->gap));
	if (t->access && t->gap)
		return 0;
	workload_txn_free(t);
	return -1;
}

void workload_txn_free(struct workload_txn *t)
{
	free(t->access);
	free(t->gap);
	t->access = NULL;
	t->gap = NULL;
}

/* Uniform on [mean - mean/2, mean + mean/2], at least `floor`. */
static int around(struct rng *r, int mean, int floor)
{
	int v = mean - mean / 2 + (int)rng_below(r, (uint64_t)mean + 1);
	return v > floor ? v : floor;
}

void workload_next_txn(const struct workload *w, struct rng *r, struct workload_txn *t)
{
	t->n = 0;
	for (int i = 0; i < w->cfg.length; i++)
		w->ops->operation(w, r, t);
	for (int i = 0; i <= t->n; i++)
		t->gap[i] = around(r, w->cfg.access_cycles, 1);
	t->think = w->cfg.think_cycles > 0 ? around(r, w->cfg.think_cycles, 0) : 0;
}

int workload_zipf_draw(const double *cdf, int n, struct rng *r)
{
	double u = rng_uniform(r);
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}
