/*
 * clock: TL2's global version clocks GV1, GV4, GV5, GV6 (as described in the comments
 * of TL2's tl2.c) and the relaxed MultiCounter clock (arXiv 1804.01018); see clock.h.
 * Versions are plain integers here; the lock word shifts them left by one (tl2.c).
 */
#include "algorithms/tl2/clock.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* GV6 uses GV4 on one commit in this many. */
#define GV6_GV4_EVERY 32

struct tl2_clock {
	alignas(64) _Atomic uint64_t global;   /* GV1-GV6 */
	char pad[64 - sizeof(uint64_t)];
	struct mc *mc;                         /* the relaxed clock */
	int counters;
};

void tl2_clock_handle_init(struct tl2_clock_handle *h, uint64_t seed, uint64_t stream)
{
	memset(h, 0, sizeof(*h));
	rng_seed(&h->rng, seed ^ 0x746c32636c6f636bULL, stream);
	mc_handle_init(&h->mc, seed, stream, NULL);
}

static struct tl2_clock *global_create(const struct tl2_clock_config *cfg)
{
	(void)cfg;
	struct tl2_clock *c = aligned_alloc(alignof(struct tl2_clock), sizeof(*c));
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	atomic_init(&c->global, 0);
	return c;
}

static void global_destroy(struct tl2_clock *c)
{
	if (c && c->mc)
		multicounter_ops.destroy(c->mc);
	free(c);
}

static uint64_t global_read(struct tl2_clock *c, struct tl2_clock_handle *h)
{
	(void)h;
	return atomic_load(&c->global);
}

/* GV1. The fetch_add returns a value no transaction has read yet, so WV exceeds every
 * RV read before it: I1. */
static uint64_t gv1_write(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv)
{
	(void)h;
	(void)maxv;
	return atomic_fetch_add(&c->global, 1) + 1;
}

/* GV4. A winner's WV = g + 1 is new, as in GV1. A loser borrows k, the value that made
 * its CAS fail: k was written after the loser read g, hence after it locked its write
 * set, so any reader with RV >= k read the clock after those locks were taken: I1. */
static uint64_t gv4_write(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv)
{
	(void)h;
	(void)maxv;
	uint64_t g = atomic_load(&c->global);
	if (atomic_compare_exchange_strong(&c->global, &g, g + 1))
		return g + 1;
	return g;   /* the failed CAS left the current value in g */
}

/* GV5. The clock never moves backwards and WV > the clock value read after locking
 * >= every RV read before: I1 with no increment at all. The clock advances only when a
 * reader aborts on a version above its RV (gv5_advance); that is the price: false aborts. */
static uint64_t gv5_write(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv)
{
	(void)h;
	uint64_t g = atomic_load(&c->global);
	return (g > maxv ? g : maxv) + 1;
}

static void gv5_advance(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t seen)
{
	uint64_t g = atomic_load(&c->global);
	if (g < seen)
		h->advances++;
	while (g < seen && !atomic_compare_exchange_weak(&c->global, &g, seen))
		;
}

/* GV6: each commit is a GV4 or a GV5 commit, and each keeps I1 on its own (a borrowed
 * value may come from a reader's advance: it too was written after the loser's read). */
static uint64_t gv6_write(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv)
{
	if (rng_below(&h->rng, GV6_GV4_EVERY) == 0)
		return gv4_write(c, h, maxv);
	return gv5_write(c, h, maxv);
}

static void global_no_advance(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t seen)
{
	(void)c;
	(void)h;
	(void)seen;
}

const struct tl2_clock_ops tl2_clock_gv1_ops = {
	.name = "gv1", .create = global_create, .destroy = global_destroy,
	.read_version = global_read, .write_version = gv1_write, .advance = global_no_advance,
	.unique_increment = true,
};

const struct tl2_clock_ops tl2_clock_gv4_ops = {
	.name = "gv4", .create = global_create, .destroy = global_destroy,
	.read_version = global_read, .write_version = gv4_write, .advance = global_no_advance,
};

const struct tl2_clock_ops tl2_clock_gv5_ops = {
	.name = "gv5", .create = global_create, .destroy = global_destroy,
	.read_version = global_read, .write_version = gv5_write, .advance = gv5_advance,
};

const struct tl2_clock_ops tl2_clock_gv6_ops = {
	.name = "gv6", .create = global_create, .destroy = global_destroy,
	.read_version = global_read, .write_version = gv6_write, .advance = gv5_advance,
};

/* ---- the relaxed clock ---- */

static struct tl2_clock *mc_clock_create(const struct tl2_clock_config *cfg)
{
	struct mc_config mcfg = { .counters = cfg->counters, .stickiness = cfg->stickiness };
	struct tl2_clock *c = global_create(cfg);

	if (!c)
		return NULL;
	c->mc = multicounter_ops.create(&mcfg);
	c->counters = cfg->counters;
	if (c->mc)
		return c;
	free(c);
	return NULL;
}

/* RV = the smallest counter, each read with an acquire load. Every counter was >= RV
 * when the scan read it, and counters only grow. */
static uint64_t mc_clock_read(struct tl2_clock *c, struct tl2_clock_handle *h)
{
	(void)h;
	return mc_min(c->mc);
}

/* WV = the value the increment left in counter i: larger than every value counter i
 * ever had before. A reader R whose scan read counter i before the increment got
 * RV <= (that old value) < WV. If R's scan read i after the increment, the acquire load
 * saw the acquire-release add, which came after the writer locked its write set: R
 * sees each of those locations locked or written back. Either way I1 holds, for any
 * skew between the counters; skew only costs false aborts (a version above the
 * smallest counter cannot be read until the smallest catches up). The naive
 * substitution (RV = one random counter) breaks I1: a reader may draw a counter ahead
 * of the one a concurrent writer increments. */
static uint64_t mc_clock_write(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv)
{
	(void)maxv;
	return mc_increment_value(c->mc, &h->mc);
}

/* GV5's advance, counter by counter: raise every counter below `seen` to `seen`, so
 * that the retry's RV (the smallest counter) admits the version that aborted it. It
 * keeps I1: counters still only grow, and a later increment still returns a value above
 * everything its counter held before. (Increments alone would not do: with sticky
 * choices a thread keeps adding to its own two counters and the smallest never moves.)
 * The counters then no longer count commits; the clock never needs them to. */
static void mc_clock_advance(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t seen)
{
	if (mc_min(c->mc) >= seen)
		return;
	mc_raise_to(c->mc, seen);
	h->advances++;
}

const struct tl2_clock_ops tl2_clock_multicounter_ops = {
	.name = "multicounter", .create = mc_clock_create, .destroy = global_destroy,
	.read_version = mc_clock_read, .write_version = mc_clock_write,
	.advance = mc_clock_advance,
};

/* ---- test only: a clock that breaks I1 ---- */

/* Every RV is above every version ever written, so reads never reject a version and a
 * read-only transaction (which TL2 never validates) may read one location before a
 * commit and another after it. */
static uint64_t unsafe_read(struct tl2_clock *c, struct tl2_clock_handle *h)
{
	(void)c;
	(void)h;
	return UINT64_MAX >> 2;
}

const struct tl2_clock_ops tl2_clock_unsafe_ops = {
	.name = "unsafe", .create = global_create, .destroy = global_destroy,
	.read_version = unsafe_read, .write_version = gv1_write, .advance = global_no_advance,
};

const struct tl2_clock_ops *tl2_clock_find(const char *name)
{
	static const struct tl2_clock_ops *const offered[] = {
		&tl2_clock_gv1_ops, &tl2_clock_gv4_ops, &tl2_clock_gv5_ops, &tl2_clock_gv6_ops,
		&tl2_clock_multicounter_ops,
	};

	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++)
		if (!strcmp(offered[i]->name, name))
			return offered[i];
	return NULL;
}
