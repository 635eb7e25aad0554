/* stress_tl2: pthread stress workloads of TL2 (see stress_tl2.h). */
#include "tests/unit/stress_tl2.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/tl2/clock.h"
#include "algorithms/tl2/tl2.h"
#include "algorithms/tl2/workload.h"

#define STRESS_SEED 20180401
#define STRESS_STRIPES_LOG2 16

const struct tl2_stress_case tl2_stress_cases[] = {
	/* 10^6 bank transactions, half transfers along 2 pairs, half audits of all 64
	 * accounts (branch = the whole bank), with every clock and 2 to 8 threads. */
	{ "bank_gv1_2_threads", "gv1", "bank", 2, 1000000, 64, 4, 0.5, 2, 1 },
	{ "bank_gv4_4_threads", "gv4", "bank", 4, 1000000, 64, 4, 0.5, 2, 1 },
	{ "bank_gv5_8_threads", "gv5", "bank", 8, 1000000, 64, 4, 0.5, 2, 1 },
	{ "bank_gv6_4_threads", "gv6", "bank", 4, 1000000, 64, 4, 0.5, 2, 1 },
	{ "bank_multicounter_2_threads", "multicounter", "bank", 2, 1000000, 64, 4, 0.5, 2, 1 },
	{ "bank_multicounter_8_threads", "multicounter", "bank", 8, 1000000, 64, 4, 0.5, 2, 1 },
	/* Few counters for many threads: the largest skew between counters. */
	{ "bank_multicounter_8_threads_one_counter_each", "multicounter", "bank", 8, 1000000, 64, 4, 0.5, 1, 1 },
	/* Sets: every operation replayed against a sequential set. */
	{ "hash_multicounter_4_threads", "multicounter", "hash", 4, 400000, 64, 1, 0.8, 2, 1 },
	{ "list_gv4_2_threads", "gv4", "list", 2, 200000, 64, 1, 0.8, 2, 1 },
	/* Sticky counters on write-only transactions (the throughput setting). */
	{ "disjoint_multicounter_4_threads_sticky", "multicounter", "disjoint", 4, 1000000, 64, 4, 0.9, 32, 256 },
	{ 0 },
};

const struct tl2_stress_case *tl2_stress_find(const char *name)
{
	for (const struct tl2_stress_case *c = tl2_stress_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

struct worker {
	pthread_t id;
	const struct tl2_wl_ops *ops;
	struct tl2_workload *w;
	struct tl2_tx tx;
	struct tl2_wl_thread wl;
	pthread_barrier_t *start;
	long transactions;
};

static void *worker_main(void *arg)
{
	struct worker *k = arg;

	pthread_barrier_wait(k->start);
	for (long i = 0; i < k->transactions; i++)
		k->ops->operation(k->w, &k->wl, &k->tx);
	return NULL;
}

static const struct tl2_clock_ops *clock_named(const char *name)
{
	return !strcmp(name, "unsafe") ? &tl2_clock_unsafe_ops : tl2_clock_find(name);
}

/* A thread that cannot be created leaves the others waiting on the barrier for ever:
 * there is no way back, so stop the test program loudly. */
static void start_workers(struct worker *k, int n)
{
	for (int i = 0; i < n; i++)
		if (pthread_create(&k[i].id, NULL, worker_main, &k[i]) != 0) {
			fprintf(stderr, "stress_tl2: pthread_create failed after %d threads\n", i);
			abort();
		}
}

static long run_workers(const struct tl2_stress_case *c, struct tl2_stm *stm,
			const struct tl2_wl_ops *ops, struct tl2_workload *w, char *err, size_t errlen)
{
	struct worker *k = calloc((size_t)c->threads, sizeof(*k));
	pthread_barrier_t start;
	int ready = 0;
	long violations = -1;

	if (!k || pthread_barrier_init(&start, NULL, (unsigned)c->threads) != 0) {
		free(k);
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	for (; ready < c->threads; ready++) {
		k[ready] = (struct worker){ .ops = ops, .w = w, .start = &start,
					    .transactions = c->transactions / c->threads };
		if (tl2_tx_init(&k[ready].tx, stm, ready, STRESS_SEED) != 0)
			break;
		if (ops->thread_init(w, &k[ready].wl, ready, STRESS_SEED) != 0) {
			tl2_tx_free(&k[ready].tx);
			break;
		}
	}
	if (ready == c->threads) {
		start_workers(k, c->threads);
		for (int i = 0; i < c->threads; i++)
			pthread_join(k[i].id, NULL);
		struct tl2_wl_thread *wl = malloc((size_t)c->threads * sizeof(*wl));
		long done = 0;
		for (int i = 0; wl && i < c->threads; i++) {
			wl[i] = k[i].wl;
			done += (long)(wl[i].updates + wl[i].read_only);
		}
		violations = wl ? ops->check(w, wl, c->threads) : -1;
		free(wl);
		/* Every transaction must have run and committed exactly once. */
		if (done != c->transactions / c->threads * c->threads) {
			snprintf(err, errlen, "%ld transactions committed of %ld", done,
				 c->transactions / c->threads * c->threads);
			violations = -2;
		}
	} else {
		snprintf(err, errlen, "out of memory for %d descriptors", c->threads);
		violations = -2;
	}
	for (int i = 0; i < ready; i++) {
		tl2_tx_free(&k[i].tx);
		ops->thread_free(w, &k[i].wl);
	}
	pthread_barrier_destroy(&start);
	free(k);
	return violations;
}

int tl2_stress_run(const struct tl2_stress_case *c, long *violations, char *err, size_t errlen)
{
	const struct tl2_clock_ops *clock = clock_named(c->clock);
	const struct tl2_wl_ops *ops = tl2_workload_find(c->workload);
	struct tl2_clock_config cfg = { .counters = c->counters_per_thread * c->threads,
					.stickiness = c->stickiness };
	struct tl2_wl_config wcfg = { .threads = c->threads, .keys = c->keys, .tx_length = c->tx_length,
				      .update_ratio = c->update_ratio, .branch = 0, .seed = STRESS_SEED };

	if (!clock || !ops) {
		snprintf(err, errlen, "unknown clock %s or workload %s", c->clock, c->workload);
		return -1;
	}
	struct tl2_stm *stm = tl2_create(clock, &cfg, STRESS_STRIPES_LOG2);
	struct tl2_workload *w = stm ? ops->create(&wcfg) : NULL;
	if (!w) {
		tl2_destroy(stm);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*violations = run_workers(c, stm, ops, w, err, errlen);
	ops->destroy(w);
	tl2_destroy(stm);
	return *violations < -1 ? -1 : 0;
}

int stress_tl2_run_all(FILE *out)
{
	int failed = 0;

	for (const struct tl2_stress_case *c = tl2_stress_cases; c->name; c++) {
		char err[256] = "";
		long violations = -1;
		int rc = tl2_stress_run(c, &violations, err, sizeof(err));
		bool ok = rc == 0 && violations == 0;
		fprintf(out, "%s %s: %ld violations %s\n", ok ? "PASS" : "FAIL", c->name, violations, err);
		failed += !ok;
	}
	return failed;
}
