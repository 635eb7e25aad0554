/*
 * bank: the consistency oracle of the TL2 experiments (notes 2.3). `keys` accounts
 * start at BANK_INITIAL each and are grouped in branches of `branch` accounts. A
 * transfer moves one unit along each of tx_length / 2 pairs of random accounts of one
 * random branch; an audit is a read-only transaction that sums one random branch. A
 * branch's total never changes, so a committed audit that sees another total saw a
 * torn snapshot: the clock or the validation broke TL2's invariant. With branch = 0
 * an audit reads the whole bank.
 */
#include "algorithms/tl2/workload.h"

#include <stdlib.h>

#define BANK_INITIAL 1000

static struct tl2_workload *bank_create(const struct tl2_wl_config *cfg)
{
	struct tl2_workload *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->branch = cfg->branch > 0 && cfg->branch < cfg->keys ? cfg->branch : cfg->keys;
	w->words = aligned_alloc(64, ((size_t)cfg->keys * sizeof(tl2_word) + 63) / 64 * 64);
	if (!w->words) {
		free(w);
		return NULL;
	}
	for (long i = 0; i < cfg->keys; i++)
		atomic_init(&w->words[i], BANK_INITIAL);
	return w;
}

static void bank_destroy(struct tl2_workload *w)
{
	if (!w)
		return;
	free(w->words);
	free(w);
}

static int bank_thread_init(struct tl2_workload *w, struct tl2_wl_thread *t, int tid, uint64_t seed)
{
	(void)w;
	tl2_wl_thread_base(t, tid, seed);
	return 0;
}

static void bank_thread_free(struct tl2_workload *w, struct tl2_wl_thread *t)
{
	(void)w;
	(void)t;
}

static long branches(const struct tl2_workload *w)
{
	return w->cfg.keys / w->branch;
}

struct bank_tx {
	struct tl2_workload *w;
	long first;       /* the branch's first account */
	long *pick;       /* transfers: 2 x pairs accounts */
	int pairs;
	uint64_t sum;     /* audits */
};

static bool bank_transfer(struct tl2_tx *tx, void *arg)
{
	struct bank_tx *b = arg;
	uint64_t from, to;

	for (int k = 0; k < b->pairs; k++) {
		tl2_word *src = &b->w->words[b->pick[2 * k]];
		tl2_word *dst = &b->w->words[b->pick[2 * k + 1]];
		if (!tl2_load(tx, src, &from) || !tl2_store(tx, src, from - 1))
			return false;
		if (!tl2_load(tx, dst, &to) || !tl2_store(tx, dst, to + 1))
			return false;
	}
	return true;
}

static bool bank_audit(struct tl2_tx *tx, void *arg)
{
	struct bank_tx *b = arg;
	uint64_t v;

	b->sum = 0;
	for (long i = 0; i < b->w->branch; i++) {
		if (!tl2_load(tx, &b->w->words[b->first + i], &v))
			return false;
		b->sum += v;
	}
	return true;
}

static void bank_operation(struct tl2_workload *w, struct tl2_wl_thread *t, struct tl2_tx *tx)
{
	int pairs = w->cfg.tx_length / 2 > 0 ? w->cfg.tx_length / 2 : 1;
	long pick[2 * pairs];
	struct bank_tx b = { .w = w, .pick = pick, .pairs = pairs };

	b.first = (long)rng_below(&t->rng, (uint64_t)branches(w)) * w->branch;
	if (rng_uniform(&t->rng) < w->cfg.update_ratio) {
		for (int k = 0; k < 2 * pairs; k++)
			pick[k] = b.first + (long)rng_below(&t->rng, (uint64_t)w->branch);
		tl2_run(tx, bank_transfer, &b);
		t->updates++;
		return;
	}
	tl2_run(tx, bank_audit, &b);
	/* Unsigned wrap-around makes the sum exact whatever the signs of the balances. */
	t->violations += b.sum != (uint64_t)w->branch * BANK_INITIAL;
	t->read_only++;
}

/* Quiescent: every branch holds its initial total. */
static long bank_check(struct tl2_workload *w, struct tl2_wl_thread *threads, int n)
{
	long bad = tl2_wl_thread_violations(threads, n);

	for (long b = 0; b < branches(w); b++) {
		uint64_t sum = 0;
		for (long i = 0; i < w->branch; i++)
			sum += tl2_peek(&w->words[b * w->branch + i]);
		bad += sum != (uint64_t)w->branch * BANK_INITIAL;
	}
	return bad;
}

const struct tl2_wl_ops tl2_bank_ops = {
	.name = "bank",
	.create = bank_create,
	.destroy = bank_destroy,
	.thread_init = bank_thread_init,
	.thread_free = bank_thread_free,
	.operation = bank_operation,
	.check = bank_check,
};
