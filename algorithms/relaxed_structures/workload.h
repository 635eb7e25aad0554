/*
 * workload: what the relaxed-structure experiments share: the keys they insert, a
 * multiset fingerprint that tells whether a queue lost or duplicated anything, a
 * stop flag for timed runs, and the recording of rank-error reports.
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/oplog.h"
#include "algorithms/relaxed_structures/rank_error.h"
#include "suite/recorder.h"

/* Keys of the uniform workload: a 24-bit random priority above a thread tag and a
 * per-thread sequence number, so that keys are distinct and never MQ_EMPTY (the tag of
 * the prefill is WL_PREFILL_THREAD, and worker tags stay below it). */
#define WL_PREFILL_THREAD 254
#define WL_MAX_THREADS 254

uint64_t wl_uniform_key(struct rng *r, unsigned thread, uint64_t seq);

/* A multiset fingerprint: count, sum and sum of a mixed hash of the keys (mod 2^64).
 * Equal fingerprints of what went in and what came out mean, but for a 2^-64 chance,
 * that nothing was lost or duplicated; it costs two adds per operation. */
struct wl_fingerprint {
	uint64_t count, sum, hash;
};

void wl_fingerprint_add(struct wl_fingerprint *f, uint64_t key);
void wl_fingerprint_merge(struct wl_fingerprint *into, const struct wl_fingerprint *f);
bool wl_fingerprint_equal(const struct wl_fingerprint *a, const struct wl_fingerprint *b);

/* The stop flag of a timed run, alone on its cache line: workers read it every few
 * operations, the timekeeper writes it once. */
struct wl_stop {
	alignas(64) atomic_bool stop;
	char pad[63];
};

/* Operations between two looks at the stop flag (and at the clock, for thread 0). */
#define WL_STOP_CHECK_EVERY 64

/* Wall-clock seconds (CLOCK_MONOTONIC). The paired timing of structure and baseline,
 * with its warm-up and CPU share, is algorithms/kernels/paired. */
double wl_now(void);

/* Summaries mean/p99/max of rank error and delay, and their tail as series
 * (rank_error_ccdf, delay_ccdf: P(X >= v) at v = 0..15, then 12.5% apart). */
void wl_record_rank_report(struct rb_recorder *rec, const struct rank_report *r);

/* max_stall_us: the longest pause of any thread between two logged operations (a
 * thread descheduled while it holds a heap's lock freezes that heap for everyone). */
void wl_record_stalls(struct rb_recorder *rec, const struct oplog *logs, int count);

/* The verifier of a replayed log: no duplicate or unknown key, every event replayed. */
void wl_verify_rank_report(struct rb_recorder *rec, const struct rank_report *r,
			   uint64_t inserts, uint64_t deletes, uint64_t remaining);

#endif
