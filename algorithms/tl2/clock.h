/*
 * clock: the version clocks of TL2 (Dice, Shalev, Shavit, "Transactional Locking II",
 * DISC 2006) behind one ops table, and the relaxed clock built on the MultiCounter of
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018.
 *
 * A transaction takes its read version RV (read_version) before its first read, and a
 * writer its write version WV (write_version) after it has locked its write set. TL2 is
 * correct with any clock that keeps invariant I1 of TL2's source: a WV is larger than
 * the RV of every transaction that took its RV before the writer locked its write set.
 * (If RV >= WV, the reader took its RV after the locks were taken, and sees every
 * location of the writer either locked or written back.) Each variant says in clock.c
 * why it keeps I1.
 *
 *   tl2_clock_gv1_ops           fetch_add on one counter
 *   tl2_clock_gv4_ops           one CAS; a writer whose CAS fails borrows the winner's value
 *   tl2_clock_gv5_ops           WV = max(clock, largest locked version) + 1, no increment;
 *                               the clock advances when a reader aborts on a newer version
 *   tl2_clock_gv6_ops           GV4 one commit in 32, GV5 otherwise
 *   tl2_clock_multicounter_ops  the relaxed clock: RV = the smallest of the m counters of
 *                               a MultiCounter, WV = the value a two-choice increment left
 *                               in its counter
 *   tl2_clock_unsafe_ops        TEST ONLY, deliberately wrong: RV admits every version, so
 *                               read-only transactions see torn snapshots; the harness
 *                               never offers it (it shows that the checkers fail)
 */
#ifndef TL2_CLOCK_H
#define TL2_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/multicounter.h"

struct tl2_clock;

struct tl2_clock_config {
	int counters;     /* multicounter: m */
	int stickiness;   /* multicounter: increments a thread keeps its two counters for */
};

/* One thread's clock state, never shared. */
struct tl2_clock_handle {
	struct rng rng;          /* GV6's coin */
	struct mc_handle mc;     /* the MultiCounter's choices */
	uint64_t advances;       /* times a read's abort moved the clock past a version */
};

struct tl2_clock_ops {
	const char *name;
	struct tl2_clock *(*create)(const struct tl2_clock_config *cfg);
	void (*destroy)(struct tl2_clock *c);
	uint64_t (*read_version)(struct tl2_clock *c, struct tl2_clock_handle *h);
	/* After the write set is locked; maxv = the largest version among its locks. */
	uint64_t (*write_version)(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t maxv);
	/* A read found version `seen` > RV: move the clock so that a retry can read it. */
	void (*advance)(struct tl2_clock *c, struct tl2_clock_handle *h, uint64_t seen);
	/* WV == RV + 1 proves that no writer committed since RV (GV1 only). */
	bool unique_increment;
};

extern const struct tl2_clock_ops tl2_clock_gv1_ops;
extern const struct tl2_clock_ops tl2_clock_gv4_ops;
extern const struct tl2_clock_ops tl2_clock_gv5_ops;
extern const struct tl2_clock_ops tl2_clock_gv6_ops;
extern const struct tl2_clock_ops tl2_clock_multicounter_ops;
extern const struct tl2_clock_ops tl2_clock_unsafe_ops;

/* The clock the harness offers under `name` (gv1, gv4, gv5, gv6, multicounter), or NULL. */
const struct tl2_clock_ops *tl2_clock_find(const char *name);

void tl2_clock_handle_init(struct tl2_clock_handle *h, uint64_t seed, uint64_t stream);

#endif
