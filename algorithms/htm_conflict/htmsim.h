/*
 * htmsim: a discrete-event simulator of a hardware transactional memory with eager
 * conflict detection, after the setting of "The Transactional Conflict Problem"
 * (arXiv 1804.00947). p cores run transactions (workload.h) over cache lines; a
 * request for a line another transaction holds in a conflicting mode is a conflict,
 * and the requestor's coherence request is delayed by the policy (skirental.h) before
 * the requestor (requestor-aborts) or the holders (requestor-wins) abort. Time is
 * integer cycles; a run is a pure function of its configuration and seed.
 */
#ifndef HTM_CONFLICT_HTMSIM_H
#define HTM_CONFLICT_HTMSIM_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/htm_conflict/skirental.h"
#include "algorithms/htm_conflict/workload.h"

/* Holders of a line are a bit mask over cores. */
#define HTMSIM_MAX_CORES 64

struct htmsim_config {
	int cores;                       /* 1 .. HTMSIM_MAX_CORES */
	struct skirental_policy policy;  /* conflict semantics (model) and delay policy */
	struct workload_config workload;
	long long horizon;               /* simulated cycles */
	int abort_penalty;               /* cycles from an abort to the retry (rollback) */
	/* What a real HTM runtime adds to the retry (README.md, "Retry and fallback"). 0: a
	 * retry starts abort_penalty cycles after the abort. b > 0: a randomized exponential
	 * backoff on top, uniform on [0, b 2^(k-1)) cycles after the k-th aborted attempt of
	 * the transaction. */
	int backoff_base;
	/* 0: never. n >= 1: after n aborted attempts the transaction runs under a global lock
	 * (lock elision's fallback): taking the lock aborts every running transaction, which
	 * subscribe to it, and no transaction starts while it is held. */
	int fallback_attempts;
	uint64_t seed;
};

enum htmsim_kind {
	HTMSIM_START,     /* an attempt begins (a new transaction or a retry) */
	HTMSIM_ACCESS,    /* an access acquired its line */
	HTMSIM_COMMIT,
	HTMSIM_CONFLICT,  /* a request met a conflicting holder; work, remaining, delay set
			   * unless a holder was itself waiting (then all three are 0) */
	HTMSIM_RESUME,    /* a delayed request got its line when the holders released it */
	HTMSIM_TIMEOUT,   /* a delay ran out */
	HTMSIM_ABORT,
};

/* One step of the simulation, as an observer sees it (and as the trace hash covers). */
struct htmsim_event {
	long long time;
	int core;
	enum htmsim_kind kind;
	int line;            /* the line concerned, -1 for START, COMMIT and ABORT */
	double work;         /* CONFLICT: W, the work an abort would lose */
	double remaining;    /* CONFLICT: T, when the holders would commit if left alone */
	double delay;        /* CONFLICT: D as the policy returned it (before rounding) */
};

typedef void (*htmsim_observer)(void *ctx, const struct htmsim_event *e);

struct htmsim_stats {
	/* transactions: started = committed + aborted + in_flight (attempts) */
	long long started, committed, aborted, in_flight;
	long long requestor_aborts, receiver_aborts;
	/* lock_aborts: attempts aborted because a fallback took the global lock;
	 * lock_commits: transactions committed under the lock; lock_conflicts: conflicts a
	 * lock holder met (none can happen: every transaction is aborted or waits) */
	long long lock_aborts, lock_commits, lock_conflicts;
	/* conflicts = holder_waiting + immediate + delayed. holder_waiting: a holder was
	 * itself delayed, so the conflict is resolved at once whatever the policy (no wait
	 * on a waiting transaction: no deadlock); immediate: the policy chose D = 0;
	 * delayed = resumed + expired + cut short (the requestor aborted by a third
	 * transaction while it waited) */
	long long conflicts, holder_waiting, immediate, delayed, resumed, expired;
	/* core-cycles: their sum is cores * horizon. penalty: rollback and backoff;
	 * lock_wait: waiting for the global lock to be free */
	long long think_cycles, useful_cycles, stall_cycles, aborted_cycles, penalty_cycles,
		lock_wait_cycles, in_flight_cycles;
	/* lines whose final value differs from their count of committed writes (every
	 * committed write stores the value its transaction first saw, plus one) */
	long long lines, lost_updates;
	long long events;
	uint64_t trace_hash;  /* FNV-1a over every event's time, core, kind and line */
};

/* Run the simulation; `observer` (may be NULL) sees every event in order. Returns 0,
 * or -1 with a reason in err (bad configuration, no memory). */
int htmsim_run(const struct htmsim_config *cfg, struct htmsim_stats *st, htmsim_observer observer,
	       void *ctx, char *err, size_t errlen);

/* The sequential reference: how many transactions core `core` commits by the horizon
 * when it runs its own transaction stream alone (no conflict, no stall, no abort). A
 * simulation's per-core commits can only be fewer, and equal with one core. -1 when
 * the workload cannot be built. */
long long htmsim_sequential_commits(const struct htmsim_config *cfg, int core);

#endif
