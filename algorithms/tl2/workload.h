/*
 * workload: the transactional workloads of the TL2 experiments behind one ops table,
 * each with the checker that makes its numbers trustworthy:
 *
 *   tl2_bank_ops      transfers among random accounts of one branch, and read-only
 *                     audits that sum a branch: every committed audit must see the
 *                     branch's constant total (bank.c)
 *   tl2_list_ops      an integer set as one sorted linked list       (intset.c)
 *   tl2_hash_ops      an integer set as a hash table of sorted lists (intset.c)
 *                     insert / remove / lookup; every operation is logged and replayed
 *                     per key against a sequential set (see intset.c)
 *   tl2_disjoint_ops  each thread writes its own words (write-only transactions), and
 *                     read-only transactions check them against what the thread wrote:
 *                     the clock is the only shared cache line (this file)
 *
 * Parameters: keys (accounts; key range; words per thread), tx_length (accounts per
 * transfer; words per transaction), update_ratio (share of update transactions),
 * branch (bank: accounts per audit branch, 0 = the whole bank).
 */
#ifndef TL2_WORKLOAD_H
#define TL2_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/tl2/tl2.h"

struct tl2_wl_config {
	int threads;
	long keys;
	int tx_length;
	double update_ratio;
	long branch;
	uint64_t seed;
};

/* One logged set operation (intset.c). */
struct tl2_set_event {
	uint32_t key, seq;   /* seq: the key's update count the operation read */
	uint8_t op, result;
};

/* One thread's workload state, never shared. */
struct tl2_wl_thread {
	struct rng rng;
	int tid;
	uint64_t updates, read_only;
	uint64_t violations;          /* committed reads that broke the workload's invariant */
	struct tl2_set_event *log;    /* sets */
	size_t n_log, cap_log;
	bool log_failed;              /* out of memory: the replay cannot vouch for the run */
	uint64_t *expected;           /* disjoint: what this thread last wrote to its words */
	uint64_t sequence;
	void *spare;                  /* sets: a node allocated for an insert not yet committed */
	void *arena;                  /* sets: this thread's node chunks */
};

struct tl2_intset;

/* The shared data of one workload instance (the fields its workload uses). */
struct tl2_workload {
	struct tl2_wl_config cfg;
	tl2_word *words;          /* bank: the accounts; disjoint: every thread's words */
	long branch;              /* bank: accounts per branch */
	long stride;              /* disjoint: words between two threads' first words */
	struct tl2_intset *set;   /* list, hash */
};

struct tl2_wl_ops {
	const char *name;
	/* Shared data, initialised and prefilled; NULL when out of memory. */
	struct tl2_workload *(*create)(const struct tl2_wl_config *cfg);
	void (*destroy)(struct tl2_workload *w);
	int (*thread_init)(struct tl2_workload *w, struct tl2_wl_thread *t, int tid, uint64_t seed);
	void (*thread_free)(struct tl2_workload *w, struct tl2_wl_thread *t);
	/* One transaction, retried until it commits. */
	void (*operation)(struct tl2_workload *w, struct tl2_wl_thread *t, struct tl2_tx *tx);
	/* Quiescent: the number of violations found in the final state and the threads'
	 * logs (the bank's and disjoint's committed-read violations are counted as they
	 * happen, in t->violations, and added here). -1: the check could not run. */
	long (*check)(struct tl2_workload *w, struct tl2_wl_thread *threads, int n);
};

extern const struct tl2_wl_ops tl2_bank_ops;
extern const struct tl2_wl_ops tl2_list_ops;
extern const struct tl2_wl_ops tl2_hash_ops;
extern const struct tl2_wl_ops tl2_disjoint_ops;

const struct tl2_wl_ops *tl2_workload_find(const char *name);

/* The shared part of the thread state set-up (rng, tid). */
void tl2_wl_thread_base(struct tl2_wl_thread *t, int tid, uint64_t seed);

/* Summed committed-read violations of the threads. */
long tl2_wl_thread_violations(const struct tl2_wl_thread *threads, int n);

#endif
