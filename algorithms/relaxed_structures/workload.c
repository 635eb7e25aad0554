/* workload: keys, fingerprints, timing and recording for the relaxed-structure
 * experiments (see workload.h). */
#include "algorithms/relaxed_structures/workload.h"

#include <time.h>

#define WL_PRIORITY_SHIFT 40
#define WL_THREAD_SHIFT 32

uint64_t wl_uniform_key(struct rng *r, unsigned thread, uint64_t seq)
{
	uint64_t priority = rng_next_u64(r) >> WL_PRIORITY_SHIFT;

	return priority << WL_PRIORITY_SHIFT | (uint64_t)thread << WL_THREAD_SHIFT
	       | (seq & 0xffffffffu);
}

/* splitmix64's finaliser: a sum of these catches a lost key paired with a duplicated
 * one that a plain sum would miss. */
static uint64_t wl_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void wl_fingerprint_add(struct wl_fingerprint *f, uint64_t key)
{
	f->count++;
	f->sum += key;
	f->hash += wl_mix(key);
}

void wl_fingerprint_merge(struct wl_fingerprint *into, const struct wl_fingerprint *f)
{
	into->count += f->count;
	into->sum += f->sum;
	into->hash += f->hash;
}

bool wl_fingerprint_equal(const struct wl_fingerprint *a, const struct wl_fingerprint *b)
{
	return a->count == b->count && a->sum == b->sum && a->hash == b->hash;
}

double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t wl_next_tail_point(uint64_t v)
{
	return v < 16 ? v + 1 : v + v / 8;
}

static void wl_record_tail(struct rb_recorder *rec, const struct rank_hist *h, const char *metric)
{
	for (uint64_t v = 0; v <= h->max; v = wl_next_tail_point(v))
		rb_record(rec, (double)v, metric, rank_hist_ccdf(h, v));
}

void wl_record_rank_report(struct rb_recorder *rec, const struct rank_report *r)
{
	rb_summary(rec, "mean_rank_error", rank_hist_mean(&r->rank));
	rb_summary(rec, "p99_rank_error", (double)rank_hist_quantile(&r->rank, 0.99));
	rb_summary(rec, "max_rank_error", (double)r->rank.max);
	rb_summary(rec, "mean_delay", rank_hist_mean(&r->delay));
	rb_summary(rec, "p99_delay", (double)rank_hist_quantile(&r->delay, 0.99));
	rb_summary(rec, "max_delay", (double)r->delay.max);
	rb_summary(rec, "deletions_scored", (double)r->rank.n);
	rb_summary(rec, "repaired", (double)r->repaired);
	wl_record_tail(rec, &r->rank, "rank_error_ccdf");
	wl_record_tail(rec, &r->delay, "delay_ccdf");
}

void wl_record_stalls(struct rb_recorder *rec, const struct oplog *logs, int count)
{
	uint64_t gap = 0;

	for (int t = 0; t < count; t++) {
		uint64_t g = oplog_max_gap(&logs[t]);
		gap = g > gap ? g : gap;
	}
	rb_summary(rec, "max_stall_us", (double)gap / 1e3);
}

void wl_verify_rank_report(struct rb_recorder *rec, const struct rank_report *r,
			   uint64_t inserts, uint64_t deletes, uint64_t remaining)
{
	rb_log(rec, "replay: %llu inserts, %llu deletes, %llu remaining, %llu repaired, "
	       "duplicates %llu/%llu, unknown %llu", (unsigned long long)r->inserts,
	       (unsigned long long)r->deletes, (unsigned long long)r->remaining,
	       (unsigned long long)r->repaired, (unsigned long long)r->duplicate_inserts,
	       (unsigned long long)r->duplicate_deletes, (unsigned long long)r->unknown_deletes);
	rb_verify(rec, r->duplicate_inserts == 0 && r->duplicate_deletes == 0
		  && r->unknown_deletes == 0, "every deleted key was inserted once and deleted once");
	rb_verify(rec, r->inserts == inserts && r->deletes == deletes && r->remaining == remaining,
		  "the log holds every operation, and what it leaves is what the queue holds");
}
