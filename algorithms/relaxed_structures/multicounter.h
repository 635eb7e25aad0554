/*
 * multicounter: relaxed concurrent counters behind one ops table, from
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018 (introduction):
 *   m atomic counters; an increment reads two random counters and atomically adds one
 *   to the smaller; a read returns m times one random counter, the magnitude of the
 *   total. Two-choice balancing keeps every counter within O(log log m) of the mean.
 *
 * Variants (`const struct mc_ops`):
 *   multicounter_ops       the MultiCounter, with optional stickiness (a thread keeps
 *                          its two counters for several increments)
 *   multicounter_engineered_ops  the same counters engineered for increments: two
 *                          distinct counters from an inline splitmix64 draw, and a
 *                          batched choice: every `stickiness` increments it compares the
 *                          two once and then adds to the smaller with a bare fetch_add
 *                          (the paper's sticky variant re-reads both on every increment)
 *   fetch_add_counter_ops  the exact baseline: one atomic counter, fetch_add
 *
 * Operations are thread-safe; `total` and `skew` read every counter one by one, which
 * is exact only in a quiescent state. A handle is one thread's state, never shared.
 */
#ifndef MULTICOUNTER_H
#define MULTICOUNTER_H

#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/oplog.h"

struct mc;

struct mc_config {
	int counters;      /* m (the fetch_add counter uses 1) */
	int stickiness;    /* increments a thread keeps its two counters for; 1 = none */
};

struct mc_handle {
	struct rng rng;
	struct oplog *log; /* quality runs: increments and reads with their ticks */
	int choice[2], left;
	/* The engineered variant's cheap generator (splitmix64 state), seeded apart from
	 * `rng` so that the paper's variant draws the same stream as before. */
	uint64_t fast;
};

struct mc_ops {
	const char *name;
	const char *summary;
	struct mc *(*create)(const struct mc_config *cfg);
	void (*destroy)(struct mc *mc);
	void (*increment)(struct mc *mc, struct mc_handle *h);
	/* The estimate of the number of increments so far. */
	uint64_t (*read)(struct mc *mc, struct mc_handle *h);
	/* The exact number of increments (sum of the counters). */
	uint64_t (*total)(const struct mc *mc);
	/* Largest minus smallest counter. */
	uint64_t (*skew)(const struct mc *mc);
	/* Number of counters. */
	int (*counters)(const struct mc *mc);
};

extern const struct mc_ops multicounter_ops;
extern const struct mc_ops multicounter_engineered_ops;
extern const struct mc_ops fetch_add_counter_ops;

void mc_handle_init(struct mc_handle *h, uint64_t seed, uint64_t stream, struct oplog *log);

/* The MultiCounter as a timestamp source (algorithms/tl2, relaxed TL2 clock); valid for
 * multicounter_ops only. mc_increment_value is the two-choice increment (stickiness
 * included) returning the new value of the counter it added to, with acquire-release
 * order (what the thread did before it happens before any load that sees the add).
 * mc_min is the smallest counter, read one by one with acquire loads: every counter was
 * at least this large at the moment it was read. */
uint64_t mc_increment_value(struct mc *mc, struct mc_handle *h);
uint64_t mc_min(const struct mc *mc);
/* Raises every counter below `value` to `value` (CAS; counters never decrease). For
 * timestamps only: afterwards the counters no longer sum to the increments made. */
void mc_raise_to(struct mc *mc, uint64_t value);

#endif
