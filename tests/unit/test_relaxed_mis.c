/* relaxed_mis: greedy MIS and matching through exact, top-k and MultiQueue schedulers
 * (algorithms/relaxed_mis). C1 (the set equals sequential greedy's) and C2 (an exact
 * scheduler wastes nothing) on many small random graphs; the schedulers' rank bounds;
 * the concurrent run against sequential greedy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_mis/greedy.h"
#include "algorithms/relaxed_mis/mis_exec.h"
#include "algorithms/relaxed_mis/scheduler.h"
#include "datasets/gen_graph.h"
#include "tests/unit/testutil.h"

TestSuite(relaxed_mis, .timeout = 120);

static void er_graph(struct ds_dataset *d, long long n, long long m, long long data_seed)
{
	struct rb_paramset ps = tu_defaults(gengraph_er_params);
	char err[256];

	tu_set_int(&ps, "n", n);
	tu_set_int(&ps, "m", m);
	tu_set_int(&ps, "data_seed", data_seed);
	cr_assert_eq(gengraph_er_generate(&ps, d, err, sizeof(err)), 0, "%s", err);
}

static void rmat_graph(struct ds_dataset *d, long long scale, long long data_seed)
{
	struct rb_paramset ps = tu_defaults(gengraph_rmat_params);
	char err[256];

	tu_set_int(&ps, "scale", scale);
	tu_set_int(&ps, "edge_factor", 8);
	tu_set_int(&ps, "data_seed", data_seed);
	cr_assert_eq(gengraph_rmat_generate(&ps, d, err, sizeof(err)), 0, "%s", err);
}

/* Run `in` through a fresh scheduler and check C1 (and the counts); returns wasted. */
static uint64_t simulate_and_check(struct greedy_instance *in, enum sched_kind kind, int k,
				   uint64_t seed, const char *what)
{
	struct sched s;
	struct mis_counts c;
	uint8_t *ref = malloc(in->tasks + 1), *out = malloc(in->tasks + 1);

	greedy_reset(in);
	cr_assert_eq(sched_init(&s, kind, k, in->tasks, seed), 0);
	cr_assert_eq(mis_simulate(in, &s, &c), 0);
	sched_free(&s);
	greedy_sequential(in, ref);
	cr_assert(greedy_result(in, out), "%s: a task is undecided", what);
	cr_assert(memcmp(ref, out, in->tasks) == 0, "%s: set differs from sequential greedy", what);
	cr_assert(greedy_valid(in, out), "%s: not independent / maximal", what);
	cr_assert_eq(c.processed + c.dead, in->tasks, "%s: processed %llu + dead %llu != %u", what,
		     (unsigned long long)c.processed, (unsigned long long)c.dead, in->tasks);
	free(ref);
	free(out);
	return c.wasted;
}

static const char *problem_name(enum greedy_problem p)
{
	return p == GREEDY_MIS ? "mis" : "matching";
}

/* C1 and C2 on 60 random graphs (sparse to dense, with isolated vertices), both problems,
 * every scheduler; relaxed ones must also waste something somewhere. */
Test(relaxed_mis, c1_c2_on_many_small_graphs)
{
	uint64_t relaxed_wasted = 0;

	for (int g = 0; g < 60; g++) {
		long long n = 5 + g * 7, m = (g % 5 + 1) * n;
		if (m > n * (n - 1) / 2)
			m = n * (n - 1) / 2;
		struct ds_dataset d;
		er_graph(&d, n, m, g + 1);
		for (int p = 0; p < 2; p++) {
			struct greedy_instance in;
			char what[96];
			cr_assert_eq(greedy_init(&in, (enum greedy_problem)p, &d.graph, (uint64_t)g), 0);
			snprintf(what, sizeof(what), "graph %d %s exact", g, problem_name(in.problem));
			cr_assert_eq(simulate_and_check(&in, SCHED_EXACT, 1, 1, what), 0,
				     "%s: an exact scheduler wasted iterations", what);
			snprintf(what, sizeof(what), "graph %d %s top-1", g, problem_name(in.problem));
			cr_assert_eq(simulate_and_check(&in, SCHED_TOPK, 1, 2, what), 0, "%s", what);
			const int ks[] = { 2, 8, 64 };
			for (int i = 0; i < 3; i++) {
				snprintf(what, sizeof(what), "graph %d %s top-%d", g,
					 problem_name(in.problem), ks[i]);
				relaxed_wasted += simulate_and_check(&in, SCHED_TOPK, ks[i], 3 + i, what);
				snprintf(what, sizeof(what), "graph %d %s mq q=%d", g,
					 problem_name(in.problem), ks[i]);
				relaxed_wasted += simulate_and_check(&in, SCHED_MULTIQUEUE, ks[i], 7 + i, what);
			}
			greedy_free(&in);
		}
		ds_dataset_free(&d);
	}
	cr_assert_gt(relaxed_wasted, 0, "relaxed schedulers never wasted an iteration");
}

/* A skewed graph (RMAT hubs) exercises the matching frontier over long rows. */
Test(relaxed_mis, c1_on_rmat)
{
	struct ds_dataset d;

	rmat_graph(&d, 10, 5);
	for (int p = 0; p < 2; p++) {
		struct greedy_instance in;
		cr_assert_eq(greedy_init(&in, (enum greedy_problem)p, &d.graph, 11), 0);
		cr_assert_eq(simulate_and_check(&in, SCHED_EXACT, 1, 1, "rmat exact"), 0);
		simulate_and_check(&in, SCHED_TOPK, 32, 2, "rmat top-32");
		simulate_and_check(&in, SCHED_MULTIQUEUE, 16, 3, "rmat mq");
		greedy_free(&in);
	}
	ds_dataset_free(&d);
}

/* Sequential greedy against a brute-force definition: v is in the set iff no neighbour
 * of higher priority is in it. */
Test(relaxed_mis, sequential_greedy_is_lexicographically_first)
{
	struct ds_dataset d;
	struct greedy_instance in;

	er_graph(&d, 300, 900, 3);
	cr_assert_eq(greedy_init(&in, GREEDY_MIS, &d.graph, 4), 0);
	uint8_t *out = malloc(in.tasks);
	greedy_sequential(&in, out);
	for (uint32_t v = 0; v < in.tasks; v++) {
		bool higher_in = false;
		for (int64_t j = d.graph.rowptr[v]; j < d.graph.rowptr[v + 1]; j++) {
			int32_t u = d.graph.adj[j];
			higher_in |= in.rank_of[u] < in.rank_of[v] && out[u];
		}
		cr_assert_eq(out[v], !higher_in, "vertex %u", v);
	}
	cr_assert(greedy_valid(&in, out));
	out[0] ^= 1;
	cr_assert_not(greedy_valid(&in, out), "the verifier accepted a changed set");
	free(out);
	greedy_free(&in);
	ds_dataset_free(&d);
}

/* Top-k only ever returns one of the k smallest keys present; exact returns the
 * smallest; a retried key comes back. Checked against a brute-force present set. */
Test(relaxed_mis, topk_respects_its_rank_bound)
{
	enum { N = 2000 };
	const int ks[] = { 1, 3, 16 };

	for (int i = 0; i < 3; i++) {
		struct sched s;
		struct rng r;
		uint8_t present[N] = { 0 };
		uint64_t key;
		int size = N, retried = 0;
		cr_assert_eq(sched_init(&s, SCHED_TOPK, ks[i], N, 5), 0);
		cr_assert_eq(sched_fill(&s, N), 0);
		memset(present, 1, sizeof(present));
		rng_seed(&r, 9, 0);
		while (sched_pop(&s, &key)) {
			cr_assert(key < N && present[key], "k=%d: key %llu not present", ks[i],
				  (unsigned long long)key);
			int rank = 0;
			for (uint64_t j = 0; j < key; j++)
				rank += present[j];
			cr_assert_lt(rank, ks[i], "k=%d: returned rank %d", ks[i], rank);
			if (rng_below(&r, 4) == 0 && retried < N) {
				cr_assert_eq(sched_push(&s, key), 0);
				retried++;
				continue;
			}
			present[key] = 0;
			size--;
		}
		cr_assert_eq(size, 0, "k=%d: %d keys never returned", ks[i], size);
		sched_free(&s);
	}
}

/* Pushes of arbitrary keys into a full top-k window keep the invariant too. */
Test(relaxed_mis, topk_arbitrary_pushes)
{
	struct sched s;
	struct rng r;
	uint64_t keys[500], key;
	uint8_t present[4096] = { 0 };
	int n = 0;

	rng_seed(&r, 3, 1);
	cr_assert_eq(sched_init(&s, SCHED_TOPK, 8, 16, 2), 0);
	while (n < 500) {
		key = rng_below(&r, 4096);
		if (present[key])
			continue;
		present[key] = 1;
		keys[n++] = key;
		cr_assert_eq(sched_push(&s, key), 0);
	}
	(void)keys;
	while (sched_pop(&s, &key)) {
		int rank = 0;
		cr_assert(present[key]);
		for (uint64_t j = 0; j < key; j++)
			rank += present[j];
		cr_assert_lt(rank, 8);
		present[key] = 0;
		n--;
	}
	cr_assert_eq(n, 0);
	sched_free(&s);
}

/* The simulation is a function of the seed: the same seed gives the same counts. */
Test(relaxed_mis, simulation_is_deterministic)
{
	struct ds_dataset d;
	struct greedy_instance in;

	er_graph(&d, 5000, 25000, 8);
	cr_assert_eq(greedy_init(&in, GREEDY_MIS, &d.graph, 6), 0);
	for (int kind = SCHED_TOPK; kind <= SCHED_MULTIQUEUE; kind++) {
		uint64_t a = simulate_and_check(&in, (enum sched_kind)kind, 32, 77, "run a");
		uint64_t b = simulate_and_check(&in, (enum sched_kind)kind, 32, 77, "run b");
		cr_assert_eq(a, b, "scheduler %d: %llu then %llu wasted", kind,
			     (unsigned long long)a, (unsigned long long)b);
	}
	greedy_free(&in);
	ds_dataset_free(&d);
}

/* C1 concurrently: 1, 2 and 4 OpenMP threads, MultiQueue and locked heap, both
 * problems, several graphs. */
Test(relaxed_mis, c1_concurrent)
{
	const struct mq_ops *ops[] = { &multiqueue_ops, &locked_heap_ops };

	for (int g = 0; g < 4; g++) {
		struct ds_dataset d;
		er_graph(&d, 2000 + 1000 * g, 10000 + 4000 * g, 20 + g);
		for (int p = 0; p < 2; p++) {
			struct greedy_instance in;
			cr_assert_eq(greedy_init(&in, (enum greedy_problem)p, &d.graph, (uint64_t)g), 0);
			uint8_t *ref = malloc(in.tasks), *out = malloc(in.tasks);
			greedy_sequential(&in, ref);
			for (int threads = 1; threads <= 4; threads *= 2)
				for (int o = 0; o < 2; o++) {
					struct mis_parallel_config cfg = { .ops = ops[o], .threads = threads,
						.queues = 2 * threads, .stickiness = 1 + g % 2, .seed = 3 };
					struct mis_parallel_result r;
					greedy_reset(&in);
					cr_assert_eq(mis_parallel(&in, &cfg, NULL, &r), 0);
					cr_assert(greedy_result(&in, out));
					cr_assert(memcmp(ref, out, in.tasks) == 0, "graph %d %s %s %d threads",
						  g, problem_name(in.problem), ops[o]->name, threads);
					cr_assert_eq(r.total.processed + r.total.dead, in.tasks);
					if (ops[o] == &locked_heap_ops && threads == 1)
						cr_assert_eq(r.total.wasted, 0, "C2: one thread on the "
							     "exact heap wasted iterations");
				}
			free(ref);
			free(out);
			greedy_free(&in);
		}
		ds_dataset_free(&d);
	}
}
