/*
 * multicounter: the MultiCounter and the fetch_add baseline, from
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018.
 * m padded atomic counters. Increment: relaxed loads of two uniformly random counters
 * (they may coincide), then fetch_add on the one read lower; the choice may be stale
 * by the time the add lands, the asynchronous two-choice process the paper analyses.
 * Read: m times a uniformly random counter.
 */
#include "algorithms/relaxed_structures/multicounter.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

/* A counter alone on its cache line: the whole point is that increments to different
 * counters do not contend. */
struct mc_slot {
	alignas(64) _Atomic uint64_t value;
};

struct mc {
	int counters, stickiness;
	struct mc_slot *slots;
};

void mc_handle_init(struct mc_handle *h, uint64_t seed, uint64_t stream, struct oplog *log)
{
	*h = (struct mc_handle){ .log = log };
	rng_seed(&h->rng, seed, stream);
	h->fast = seed * 0x9e3779b97f4a7c15u ^ (stream + 1) * 0xd1b54a32d192ed03u;
}

static struct mc *mc_create_counters(int counters, int stickiness)
{
	if (counters < 1 || stickiness < 1)
		return NULL;
	struct mc *mc = calloc(1, sizeof(*mc));
	if (!mc)
		return NULL;
	mc->slots = aligned_alloc(alignof(struct mc_slot), (size_t)counters * sizeof(*mc->slots));
	if (!mc->slots) {
		free(mc);
		return NULL;
	}
	mc->counters = counters;
	mc->stickiness = stickiness;
	for (int i = 0; i < counters; i++)
		atomic_init(&mc->slots[i].value, 0);
	return mc;
}

static struct mc *mc_create(const struct mc_config *cfg)
{
	return mc_create_counters(cfg->counters, cfg->stickiness);
}

static void mc_destroy(struct mc *mc)
{
	if (!mc)
		return;
	free(mc->slots);
	free(mc);
}

static uint64_t mc_load(const struct mc *mc, int i)
{
	return atomic_load_explicit(&mc->slots[i].value, memory_order_relaxed);
}

/* The add is what is counted; its tick is taken right after it (notes section 4). */
static void mc_add(struct mc *mc, struct mc_handle *h, int i)
{
	atomic_fetch_add_explicit(&mc->slots[i].value, 1, memory_order_relaxed);
	if (h->log)
		oplog_append(h->log, OPLOG_INCREMENT, 0);
}

static void mc_increment(struct mc *mc, struct mc_handle *h)
{
	if (h->left == 0) {
		h->choice[0] = (int)rng_below(&h->rng, (uint64_t)mc->counters);
		h->choice[1] = (int)rng_below(&h->rng, (uint64_t)mc->counters);
		h->left = mc->stickiness;
	}
	h->left--;
	int i = h->choice[0], j = h->choice[1];
	mc_add(mc, h, mc_load(mc, i) <= mc_load(mc, j) ? i : j);
}

uint64_t mc_increment_value(struct mc *mc, struct mc_handle *h)
{
	if (h->left == 0) {
		h->choice[0] = (int)rng_below(&h->rng, (uint64_t)mc->counters);
		h->choice[1] = (int)rng_below(&h->rng, (uint64_t)mc->counters);
		h->left = mc->stickiness;
	}
	h->left--;
	int i = h->choice[0], j = h->choice[1];
	int k = mc_load(mc, i) <= mc_load(mc, j) ? i : j;
	return atomic_fetch_add_explicit(&mc->slots[k].value, 1, memory_order_acq_rel) + 1;
}

uint64_t mc_min(const struct mc *mc)
{
	uint64_t lo = UINT64_MAX;

	for (int i = 0; i < mc->counters; i++) {
		uint64_t v = atomic_load_explicit(&mc->slots[i].value, memory_order_acquire);
		lo = v < lo ? v : lo;
	}
	return lo;
}

void mc_raise_to(struct mc *mc, uint64_t value)
{
	for (int i = 0; i < mc->counters; i++) {
		uint64_t v = atomic_load_explicit(&mc->slots[i].value, memory_order_relaxed);
		while (v < value && !atomic_compare_exchange_weak_explicit(&mc->slots[i].value, &v, value,
									  memory_order_acq_rel,
									  memory_order_relaxed))
			;
	}
}

static uint64_t mc_read(struct mc *mc, struct mc_handle *h)
{
	int i = (int)rng_below(&h->rng, (uint64_t)mc->counters);
	uint64_t value = (uint64_t)mc->counters * mc_load(mc, i);

	if (h->log)
		oplog_append(h->log, OPLOG_READ, value);
	return value;
}

static uint64_t mc_total(const struct mc *mc)
{
	uint64_t sum = 0;

	for (int i = 0; i < mc->counters; i++)
		sum += mc_load(mc, i);
	return sum;
}

static uint64_t mc_skew(const struct mc *mc)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (int i = 0; i < mc->counters; i++) {
		uint64_t v = mc_load(mc, i);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	return hi - lo;
}

static int mc_counters(const struct mc *mc)
{
	return mc->counters;
}

const struct mc_ops multicounter_ops = {
	.name = "multicounter",
	.summary = "m counters; increment the smaller of two random ones; read m x a random one",
	.create = mc_create,
	.destroy = mc_destroy,
	.increment = mc_increment,
	.read = mc_read,
	.total = mc_total,
	.skew = mc_skew,
	.counters = mc_counters,
};

/* ---- the engineered MultiCounter ---- */

/* The smaller of two distinct uniform counters (the one counter when m = 1). */
static int mce_choose(const struct mc *mc, struct mc_handle *h)
{
	uint64_t r = rng_fast_next(&h->fast);
	int i = rng_fast_below(r, mc->counters);

	if (mc->counters == 1)
		return i;
	int j = rng_fast_below(r >> 32, mc->counters - 1);
	j += j >= i;
	return mc_load(mc, i) <= mc_load(mc, j) ? i : j;
}

/* The choice is made once per `stickiness` increments; in between an increment is one
 * fetch_add to a line this thread is likely to own already. */
static void mce_increment(struct mc *mc, struct mc_handle *h)
{
	if (h->left == 0) {
		h->choice[0] = mce_choose(mc, h);
		h->left = mc->stickiness;
	}
	h->left--;
	mc_add(mc, h, h->choice[0]);
}

static uint64_t mce_read(struct mc *mc, struct mc_handle *h)
{
	int i = rng_fast_below(rng_fast_next(&h->fast), mc->counters);
	uint64_t value = (uint64_t)mc->counters * mc_load(mc, i);

	if (h->log)
		oplog_append(h->log, OPLOG_READ, value);
	return value;
}

const struct mc_ops multicounter_engineered_ops = {
	.name = "multicounter_engineered",
	.summary = "m counters; the smaller of two distinct random ones, chosen once per "
		   "`stickiness` increments; inline generator",
	.create = mc_create,
	.destroy = mc_destroy,
	.increment = mce_increment,
	.read = mce_read,
	.total = mc_total,
	.skew = mc_skew,
	.counters = mc_counters,
};

/* ---- the exact baseline: one counter, fetch_add ---- */

static struct mc *fetch_add_create(const struct mc_config *cfg)
{
	(void)cfg;
	return mc_create_counters(1, 1);
}

static void fetch_add_increment(struct mc *mc, struct mc_handle *h)
{
	mc_add(mc, h, 0);
}

static uint64_t fetch_add_read(struct mc *mc, struct mc_handle *h)
{
	uint64_t value = mc_load(mc, 0);

	if (h->log)
		oplog_append(h->log, OPLOG_READ, value);
	return value;
}

const struct mc_ops fetch_add_counter_ops = {
	.name = "fetch_add_counter",
	.summary = "one atomic counter incremented with fetch_add (exact)",
	.create = fetch_add_create,
	.destroy = mc_destroy,
	.increment = fetch_add_increment,
	.read = fetch_add_read,
	.total = mc_total,
	.skew = mc_skew,
	.counters = mc_counters,
};
