/*
 * tl2: word-based Transactional Locking II (Dice, Shalev, Shavit, DISC 2006) with a
 * pluggable version clock (clock.h), the substrate of the TL2 half of
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018.
 *
 * Shared data are 64-bit words (tl2_word). Each word hashes to one versioned write-lock
 * of a striped lock table. A transaction takes its read version RV at its first read;
 * a read checks that the word's lock is free and its version <= RV before and after
 * loading it; writes go to a redo log. Commit: lock the write set's stripes, take the
 * write version WV from the clock, validate the read set (each stripe free or ours,
 * version <= RV), write back, release the stripes with version WV. Read-only
 * transactions commit without validation: the per-read checks against RV are their
 * whole consistency argument, which is why the clock must keep I1 (clock.h).
 *
 * Use: tl2_run(tx, body, arg) calls body until it returns true and the commit
 * succeeds. body reads with tl2_load (false = the transaction must restart: return
 * false at once) and writes with tl2_store; it must not have effects outside the
 * transaction except through tl2 words.
 */
#ifndef TL2_H
#define TL2_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/tl2/clock.h"

typedef _Atomic uint64_t tl2_word;

struct tl2_stm;

/* Why attempts ended (statistics of one thread). */
struct tl2_stats {
	uint64_t commits, read_only_commits;
	uint64_t aborts_read;      /* a read saw a locked stripe or a version above RV */
	uint64_t aborts_lock;      /* commit found a write stripe locked by another */
	uint64_t aborts_validate;  /* commit's read-set validation failed */
};

struct tl2_read_entry {
	tl2_word *lock;
};

struct tl2_write_entry {
	tl2_word *addr;
	uint64_t value;
};

struct tl2_lock_entry {
	tl2_word *lock;
	uint64_t old;   /* the unlocked word it held, restored on abort */
};

/* One thread's transaction descriptor, never shared. */
struct tl2_tx {
	struct tl2_stm *stm;
	struct tl2_clock_handle clock;
	uint64_t owner;          /* the locked word of this thread's locks */
	uint64_t rv;
	bool has_rv;
	uint64_t seen;           /* the version above RV that aborted a read, or 0 */
	struct tl2_read_entry *reads;
	struct tl2_write_entry *writes;
	struct tl2_lock_entry *locks;
	size_t n_reads, n_writes, n_locks, cap_reads, cap_writes;
	uint64_t write_filter;   /* a one-word Bloom filter of the written addresses */
	struct tl2_stats stats;
};

/* 2^stripes_log2 lock stripes (TL2 uses 2^20). NULL when out of memory. */
struct tl2_stm *tl2_create(const struct tl2_clock_ops *clock, const struct tl2_clock_config *cfg,
			   int stripes_log2);
void tl2_destroy(struct tl2_stm *stm);
const struct tl2_clock_ops *tl2_clock_of(const struct tl2_stm *stm);

/* thread: 0..2^20; distinct per concurrent descriptor. 0, or -1 when out of memory. */
int tl2_tx_init(struct tl2_tx *tx, struct tl2_stm *stm, int thread, uint64_t seed);
void tl2_tx_free(struct tl2_tx *tx);

bool tl2_load(struct tl2_tx *tx, tl2_word *addr, uint64_t *value);
/* False only when the write set cannot grow (out of memory): restart. */
bool tl2_store(struct tl2_tx *tx, tl2_word *addr, uint64_t value);

/* Low level: start an attempt, try to commit it. tl2_run is the usual entry. */
void tl2_begin(struct tl2_tx *tx);
bool tl2_commit(struct tl2_tx *tx);
/* After a failed attempt: let the clock move past a version that aborted a read. */
void tl2_after_abort(struct tl2_tx *tx);

/* Runs body until it returns true and commits; returns the attempts it took. */
uint64_t tl2_run(struct tl2_tx *tx, bool (*body)(struct tl2_tx *tx, void *arg), void *arg);

/* Outside any transaction, with no transaction running (set-up and checks). */
static inline uint64_t tl2_peek(tl2_word *addr)
{
	return atomic_load_explicit(addr, memory_order_relaxed);
}

static inline void tl2_poke(tl2_word *addr, uint64_t value)
{
	atomic_store_explicit(addr, value, memory_order_relaxed);
}

#endif
