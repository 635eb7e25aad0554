/* TL2 (algorithms/tl2): the clocks keep invariant I1, a safe clock rejects a torn read
 * while the deliberately broken one lets it through, and the checkers (bank audits and
 * totals, set replay) catch what they are meant to catch, including a broken clock run
 * concurrently. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/tl2/clock.h"
#include "algorithms/tl2/tl2.h"
#include "algorithms/tl2/workload.h"
#include "tests/unit/stress_tl2.h"

TestSuite(tl2, .timeout = 120);

static const char *const safe_clocks[] = { "gv1", "gv4", "gv5", "gv6", "multicounter" };
#define N_SAFE (sizeof(safe_clocks) / sizeof(safe_clocks[0]))

static struct tl2_stm *stm_for(const struct tl2_clock_ops *clock, int counters, int stickiness)
{
	struct tl2_clock_config cfg = { .counters = counters, .stickiness = stickiness };
	struct tl2_stm *stm = tl2_create(clock, &cfg, 10);
	cr_assert_not_null(stm);
	return stm;
}

/* Sequentially interleaved handles: every WV exceeds every RV read before it (I1),
 * whatever the clock; the MultiCounter clock also with sticky choices, the largest skew
 * between counters we can make. Returns the number of WVs that broke I1. */
static long i1_history(const struct tl2_clock_ops *ops, int handles, int counters, int stickiness,
		       long steps)
{
	struct tl2_clock_config cfg = { .counters = counters, .stickiness = stickiness };
	struct tl2_clock *c = ops->create(&cfg);
	struct tl2_clock_handle h[8];
	struct rng r;
	uint64_t max_rv = 0;
	long breaks = 0;

	cr_assert_not_null(c);
	cr_assert_leq(handles, 8);
	rng_seed(&r, 7, 0);
	for (int i = 0; i < handles; i++)
		tl2_clock_handle_init(&h[i], 11, (uint64_t)i);
	for (long s = 0; s < steps; s++) {
		struct tl2_clock_handle *me = &h[rng_below(&r, (uint64_t)handles)];
		if (rng_below(&r, 2)) {
			uint64_t rv = ops->read_version(c, me);
			max_rv = rv > max_rv ? rv : max_rv;
			if (rng_below(&r, 8) == 0)   /* a reader that aborted on a newer version */
				ops->advance(c, me, rv + 1 + rng_below(&r, 4));
			continue;
		}
		breaks += ops->write_version(c, me, 0) <= max_rv;
	}
	ops->destroy(c);
	return breaks;
}

Test(tl2, every_clock_keeps_i1_sequentially)
{
	for (size_t k = 0; k < N_SAFE; k++) {
		const struct tl2_clock_ops *ops = tl2_clock_find(safe_clocks[k]);
		cr_assert_not_null(ops, "%s", safe_clocks[k]);
		cr_expect_eq(i1_history(ops, 4, 8, 1, 100000), 0, "%s breaks I1", ops->name);
	}
	cr_expect_eq(i1_history(&tl2_clock_multicounter_ops, 8, 8, 64, 100000), 0,
		     "sticky MultiCounter clock breaks I1");
	cr_expect_gt(i1_history(&tl2_clock_unsafe_ops, 2, 1, 1, 1000), 0,
		     "the unsafe clock should break I1");
}

/* The naive substitution, RV = one random counter, breaks I1 on the same kind of
 * history where RV = the smallest counter keeps it (notes 2.3's warning). */
Test(tl2, naive_multicounter_read_breaks_i1_the_smallest_does_not)
{
	struct mc_config cfg = { .counters = 4, .stickiness = 1 };
	struct mc *mc = multicounter_ops.create(&cfg);
	struct mc_handle h;
	struct rng r;
	uint64_t max_naive = 0, max_safe = 0;
	long naive_breaks = 0, safe_breaks = 0;

	cr_assert_not_null(mc);
	mc_handle_init(&h, 5, 0, NULL);
	rng_seed(&r, 9, 0);
	for (int s = 0; s < 20000; s++) {
		if (rng_below(&r, 2)) {
			uint64_t naive = multicounter_ops.read(mc, &h) / 4, safe = mc_min(mc);
			max_naive = naive > max_naive ? naive : max_naive;
			max_safe = safe > max_safe ? safe : max_safe;
			continue;
		}
		uint64_t wv = mc_increment_value(mc, &h);
		naive_breaks += wv <= max_naive;
		safe_breaks += wv <= max_safe;
	}
	cr_expect_gt(naive_breaks, 0, "a random counter can be ahead of the one incremented next");
	cr_expect_eq(safe_breaks, 0);
	multicounter_ops.destroy(mc);
}

struct two_accounts {
	tl2_word *a, *b;
};

static bool transfer_a_to_b(struct tl2_tx *tx, void *arg)
{
	struct two_accounts *p = arg;
	uint64_t x, y;

	return tl2_load(tx, p->a, &x) && tl2_store(tx, p->a, x - 1) && tl2_load(tx, p->b, &y) &&
	       tl2_store(tx, p->b, y + 1);
}

/* Audit R reads a, transfer W commits a -> b, R reads b: the read of b must be refused
 * (W's WV > R's RV), or R would sum the old a with the new b. Returns R's sum when its
 * read succeeded, 0 when it was refused. */
static uint64_t torn_audit(const struct tl2_clock_ops *clock)
{
	struct tl2_stm *stm = stm_for(clock, 4, 1);
	tl2_word *acc = aligned_alloc(64, 64);
	struct tl2_tx r, w;
	struct two_accounts p = { &acc[0], &acc[1] };
	uint64_t a, b, sum = 0;

	cr_assert_not_null(acc);
	atomic_init(&acc[0], 100);
	atomic_init(&acc[1], 100);
	cr_assert_eq(tl2_tx_init(&r, stm, 0, 1), 0);
	cr_assert_eq(tl2_tx_init(&w, stm, 1, 1), 0);
	tl2_begin(&r);
	cr_assert(tl2_load(&r, &acc[0], &a));
	cr_assert_eq(tl2_run(&w, transfer_a_to_b, &p), 1);
	if (tl2_load(&r, &acc[1], &b))
		sum = a + b;
	tl2_tx_free(&r);
	tl2_tx_free(&w);
	free(acc);
	tl2_destroy(stm);
	return sum;
}

Test(tl2, safe_clocks_refuse_a_torn_read)
{
	for (size_t k = 0; k < N_SAFE; k++)
		cr_expect_eq(torn_audit(tl2_clock_find(safe_clocks[k])), 0, "%s let a torn read through",
			     safe_clocks[k]);
}

Test(tl2, unsafe_clock_lets_the_torn_read_through)
{
	cr_expect_eq(torn_audit(&tl2_clock_unsafe_ops), 201, "old a (100) + new b (101)");
}

/* A writer whose read was overwritten must fail validation (its redo log is stale). */
Test(tl2, commit_validation_catches_an_overwritten_read)
{
	for (size_t k = 0; k < N_SAFE; k++) {
		struct tl2_stm *stm = stm_for(tl2_clock_find(safe_clocks[k]), 4, 1);
		tl2_word *acc = aligned_alloc(64, 64);
		struct tl2_tx t1, t2;
		struct two_accounts p = { &acc[0], &acc[1] };
		uint64_t x;

		atomic_init(&acc[0], 5);
		atomic_init(&acc[1], 5);
		cr_assert_eq(tl2_tx_init(&t1, stm, 0, 1), 0);
		cr_assert_eq(tl2_tx_init(&t2, stm, 1, 1), 0);
		tl2_begin(&t1);
		cr_assert(tl2_load(&t1, &acc[0], &x));
		cr_assert(tl2_store(&t1, &acc[1], x));
		tl2_run(&t2, transfer_a_to_b, &p);
		cr_expect_not(tl2_commit(&t1), "%s committed a stale read", safe_clocks[k]);
		cr_expect_eq(tl2_peek(&acc[1]), 6, "%s: the aborted write leaked", safe_clocks[k]);
		tl2_tx_free(&t1);
		tl2_tx_free(&t2);
		free(acc);
		tl2_destroy(stm);
	}
}

/* ---- the checkers ---- */

static struct tl2_workload *set_workload(const struct tl2_wl_ops *ops, long keys)
{
	struct tl2_wl_config cfg = { .threads = 1, .keys = keys, .tx_length = 1, .update_ratio = 0.5,
				     .seed = 1 };
	struct tl2_workload *w = ops->create(&cfg);
	cr_assert_not_null(w);
	return w;
}

static void log_event(struct tl2_wl_thread *t, uint32_t key, uint32_t seq, int op, int result)
{
	cr_assert_lt(t->n_log, t->cap_log);
	t->log[t->n_log++] = (struct tl2_set_event){ .key = key, .seq = seq, .op = (uint8_t)op,
						     .result = (uint8_t)result };
}

enum { LOOKUP, INSERT, REMOVE };

/* The prefill holds the odd keys. A history consistent with that passes; a lost update
 * (two updates reading the same seq), a wrong result, or a lookup that saw a state no
 * sequential order gives, fails. The logs alone, on an untouched set: a history whose
 * updates changed the set also fails the final-state comparison. */
Test(tl2, set_replay_accepts_sequential_histories_and_rejects_others)
{
	const struct tl2_wl_ops *kinds[] = { &tl2_list_ops, &tl2_hash_ops };

	for (int k = 0; k < 2; k++) {
		struct tl2_workload *w = set_workload(kinds[k], 16);
		struct tl2_wl_thread t[2];
		cr_assert_eq(kinds[k]->thread_init(w, &t[0], 0, 1), 0);
		cr_assert_eq(kinds[k]->thread_init(w, &t[1], 1, 1), 0);

		log_event(&t[0], 3, 0, LOOKUP, 1);
		log_event(&t[1], 3, 0, INSERT, 0);   /* present: fails, but counts */
		log_event(&t[0], 4, 0, REMOVE, 0);   /* absent */
		log_event(&t[1], 4, 1, LOOKUP, 0);
		cr_expect_eq(kinds[k]->check(w, t, 2), 0, "%s: a sequential history", kinds[k]->name);

		log_event(&t[0], 5, 0, LOOKUP, 0);   /* 5 is present */
		cr_expect_gt(kinds[k]->check(w, t, 2), 0, "%s: a wrong lookup", kinds[k]->name);
		t[0].n_log--;
		log_event(&t[0], 6, 0, REMOVE, 0);
		log_event(&t[1], 6, 0, REMOVE, 0);   /* two updates read seq 0: one was lost */
		cr_expect_gt(kinds[k]->check(w, t, 2), 0, "%s: a lost update", kinds[k]->name);
		t[0].n_log--;
		t[1].n_log--;
		log_event(&t[0], 8, 0, INSERT, 1);   /* says 8 went in; the list lacks it */
		cr_expect_gt(kinds[k]->check(w, t, 2), 0, "%s: final state", kinds[k]->name);
		kinds[k]->thread_free(w, &t[0]);
		kinds[k]->thread_free(w, &t[1]);
		kinds[k]->destroy(w);
	}
}

Test(tl2, bank_check_finds_a_changed_total)
{
	struct tl2_wl_config cfg = { .threads = 1, .keys = 128, .tx_length = 4, .update_ratio = 0.5,
				     .branch = 32, .seed = 1 };
	struct tl2_workload *w = tl2_bank_ops.create(&cfg);
	struct tl2_wl_thread t;

	cr_assert_not_null(w);
	cr_assert_eq(tl2_bank_ops.thread_init(w, &t, 0, 1), 0);
	cr_expect_eq(tl2_bank_ops.check(w, &t, 1), 0);
	tl2_poke(&w->words[40], tl2_peek(&w->words[40]) + 1);
	cr_expect_eq(tl2_bank_ops.check(w, &t, 1), 1, "one branch is off");
	tl2_bank_ops.thread_free(w, &t);
	tl2_bank_ops.destroy(w);
}

/* Single-threaded, every clock, every workload: many transactions and no violation. */
Test(tl2, one_thread_every_clock_every_workload_is_consistent)
{
	const char *workloads[] = { "bank", "list", "hash", "disjoint" };

	for (size_t k = 0; k < N_SAFE; k++)
		for (size_t j = 0; j < 4; j++) {
			struct tl2_stress_case c = { "one_thread", safe_clocks[k], workloads[j], 1, 20000,
						     64, 4, 0.7, 2, 1 };
			char err[256] = "";
			long violations = -1;
			cr_assert_eq(tl2_stress_run(&c, &violations, err, sizeof(err)), 0, "%s", err);
			cr_expect_eq(violations, 0, "%s on %s", safe_clocks[k], workloads[j]);
		}
}

/* The checkers bite on a real concurrent run: with the broken clock, audits see torn
 * snapshots and commits skip validation (lost updates). Interleavings depend on the
 * scheduler, so a few attempts are allowed; each one is 2 x 10^5 transactions. */
static long broken_run(const char *workload)
{
	struct tl2_stress_case c = { "broken", "unsafe", workload, 2, 200000, 16, 4, 0.5, 1, 1 };
	long worst = 0;

	for (int attempt = 0; attempt < 10 && worst == 0; attempt++) {
		char err[256] = "";
		long violations = -1;
		cr_assert_eq(tl2_stress_run(&c, &violations, err, sizeof(err)), 0, "%s", err);
		worst = violations;
	}
	return worst;
}

Test(tl2, checkers_catch_the_broken_clock_concurrently)
{
	cr_expect_gt(broken_run("bank"), 0, "the bank audits and totals missed a broken clock");
	cr_expect_gt(broken_run("hash"), 0, "the set replay missed a broken clock");
}
