/*
 * workload: the workload table and the disjoint-words workload (see workload.h).
 * Disjoint: thread t owns `keys` words, apart from the other threads' by a cache line.
 * An update writes tx_length random own words (no read: the transaction never reads
 * the clock's RV, only takes a WV), a read-only transaction reads tx_length own words
 * and compares them with what the thread last committed to them.
 */
#include "algorithms/tl2/workload.h"

#include <stdlib.h>
#include <string.h>

#define WORDS_PER_LINE 8

void tl2_wl_thread_base(struct tl2_wl_thread *t, int tid, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	rng_seed(&t->rng, seed ^ 0x776f726b6c6f6164ULL, (uint64_t)tid);
}

long tl2_wl_thread_violations(const struct tl2_wl_thread *threads, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++)
		v += (long)threads[i].violations;
	return v;
}

static struct tl2_workload *disjoint_create(const struct tl2_wl_config *cfg)
{
	struct tl2_workload *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->stride = (cfg->keys + WORDS_PER_LINE - 1) / WORDS_PER_LINE * WORDS_PER_LINE + WORDS_PER_LINE;
	size_t n = (size_t)w->stride * (size_t)cfg->threads;
	w->words = aligned_alloc(64, n * sizeof(*w->words));
	if (!w->words) {
		free(w);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&w->words[i], 0);
	return w;
}

static void disjoint_destroy(struct tl2_workload *w)
{
	if (!w)
		return;
	free(w->words);
	free(w);
}

static int disjoint_thread_init(struct tl2_workload *w, struct tl2_wl_thread *t, int tid,
				uint64_t seed)
{
	tl2_wl_thread_base(t, tid, seed);
	t->expected = calloc((size_t)w->cfg.keys, sizeof(*t->expected));
	return t->expected ? 0 : -1;
}

static void disjoint_thread_free(struct tl2_workload *w, struct tl2_wl_thread *t)
{
	(void)w;
	free(t->expected);
	t->expected = NULL;
}

struct disjoint_tx {
	struct tl2_workload *w;
	struct tl2_wl_thread *t;
	long *index;
	uint64_t value;
	long mismatches;
};

static tl2_word *own_word(struct tl2_workload *w, int tid, long i)
{
	return &w->words[(long)tid * w->stride + i];
}

static bool disjoint_write(struct tl2_tx *tx, void *arg)
{
	struct disjoint_tx *d = arg;

	for (int k = 0; k < d->w->cfg.tx_length; k++)
		if (!tl2_store(tx, own_word(d->w, d->t->tid, d->index[k]), d->value))
			return false;
	return true;
}

static bool disjoint_read(struct tl2_tx *tx, void *arg)
{
	struct disjoint_tx *d = arg;
	uint64_t v;

	d->mismatches = 0;
	for (int k = 0; k < d->w->cfg.tx_length; k++) {
		if (!tl2_load(tx, own_word(d->w, d->t->tid, d->index[k]), &v))
			return false;
		d->mismatches += v != d->t->expected[d->index[k]];
	}
	return true;
}

static void disjoint_operation(struct tl2_workload *w, struct tl2_wl_thread *t, struct tl2_tx *tx)
{
	long index[w->cfg.tx_length];
	struct disjoint_tx d = { .w = w, .t = t, .index = index, .value = ++t->sequence };

	for (int k = 0; k < w->cfg.tx_length; k++)
		index[k] = (long)rng_below(&t->rng, (uint64_t)w->cfg.keys);
	if (rng_uniform(&t->rng) < w->cfg.update_ratio) {
		tl2_run(tx, disjoint_write, &d);
		for (int k = 0; k < w->cfg.tx_length; k++)
			t->expected[index[k]] = d.value;
		t->updates++;
		return;
	}
	tl2_run(tx, disjoint_read, &d);
	t->violations += d.mismatches > 0;
	t->read_only++;
}

static long disjoint_check(struct tl2_workload *w, struct tl2_wl_thread *threads, int n)
{
	long bad = tl2_wl_thread_violations(threads, n);

	for (int t = 0; t < n; t++)
		for (long i = 0; i < w->cfg.keys; i++)
			bad += tl2_peek(own_word(w, t, i)) != threads[t].expected[i];
	return bad;
}

const struct tl2_wl_ops tl2_disjoint_ops = {
	.name = "disjoint",
	.create = disjoint_create,
	.destroy = disjoint_destroy,
	.thread_init = disjoint_thread_init,
	.thread_free = disjoint_thread_free,
	.operation = disjoint_operation,
	.check = disjoint_check,
};

const struct tl2_wl_ops *tl2_workload_find(const char *name)
{
	static const struct tl2_wl_ops *const all[] = {
		&tl2_bank_ops, &tl2_list_ops, &tl2_hash_ops, &tl2_disjoint_ops,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
