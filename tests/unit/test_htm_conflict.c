/* Unit tests for algorithms/htm_conflict: the cost model and the delay policies
 * (skirental), the data-structure workloads, and the discrete-event HTM simulator
 * (htmsim): transaction conservation, identical traces for a seed, the sequential
 * reference, the requestor-wins/aborts semantics, the delays' distribution (KS), and the
 * real runtimes' retry: randomized exponential backoff and the global-lock fallback. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/htm_conflict/htmsim.h"
#include "algorithms/htm_conflict/skirental.h"
#include "algorithms/htm_conflict/workload.h"
#include "algorithms/kernels/rng.h"

TestSuite(skirental);
TestSuite(htm_workload);
TestSuite(htmsim);

static const double E_RATIO = 1.5819767068693265;   /* e / (e - 1) */

static struct skirental_policy policy(const char *name, enum skirental_model m, double fixed)
{
	struct skirental_policy p = { .ops = skirental_policy_find(name), .model = m,
				      .fixed_delay = fixed };
	cr_assert(p.ops, "policy %s", name);
	return p;
}

/* ---- skirental ----------------------------------------------------------------------- */

Test(skirental, cost_model_by_hand)
{
	/* W = 10: committing within the delay costs the stall T, otherwise D + W
	 * (requestor-aborts) or W + 2D (requestor-wins); OPT is min(T, W). */
	cr_assert_eq(skirental_cost(SKIRENTAL_REQUESTOR_ABORTS, 10, 3, 5), 3);
	cr_assert_eq(skirental_cost(SKIRENTAL_REQUESTOR_ABORTS, 10, 5, 5), 5);
	cr_assert_eq(skirental_cost(SKIRENTAL_REQUESTOR_ABORTS, 10, 7, 5), 15);
	cr_assert_eq(skirental_cost(SKIRENTAL_REQUESTOR_WINS, 10, 7, 5), 20);
	cr_assert_eq(skirental_cost(SKIRENTAL_REQUESTOR_WINS, 10, 7, 0), 10);
	cr_assert_eq(skirental_opt_cost(10, 7), 7);
	cr_assert_eq(skirental_opt_cost(10, 70), 10);
}

Test(skirental, names_round_trip)
{
	enum skirental_model m;
	for (const struct skirental_policy_ops *const *p = skirental_policies; *p; p++)
		cr_assert_eq(skirental_policy_find((*p)->name), *p);
	cr_assert_null(skirental_policy_find("eventually"));
	cr_assert_eq(skirental_model_parse("requestor_wins", &m), 0);
	cr_assert_str_eq(skirental_model_name(m), "requestor_wins");
	cr_assert_eq(skirental_model_parse("requestor_aborts", &m), 0);
	cr_assert_str_eq(skirental_model_name(m), "requestor_aborts");
	cr_assert_eq(skirental_model_parse("committer_wins", &m), -1);
}

/* The fixed-delay closed form: 1 + max(W/D, D/W) and (W + 2D) / min(D, W). */
Test(skirental, fixed_delay_worst_case_closed_form)
{
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_ABORTS, 1.0), 2.0, 1e-12);
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_ABORTS, 0.5), 3.0, 1e-12);
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_ABORTS, 2.0), 3.0, 1e-12);
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_WINS, 1.0), 3.0, 1e-12);
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_WINS, 0.5), 4.0, 1e-12);
	cr_assert_float_eq(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_WINS, 2.0), 5.0, 1e-12);
	cr_assert(isinf(skirental_fixed_worst_ratio(SKIRENTAL_REQUESTOR_WINS, 0.0)));
	/* D = W is the minimiser under both models (this was the claim
	 * break_even_is_best_fixed_delay: the worst_vs_delay curve the runs record is checked
	 * against this closed form by their verifier, so its minimiser is arithmetic). */
	for (int m = 0; m < 2; m++)
		for (double r = 0.1; r < 10.0; r *= 1.1)
			cr_assert_geq(skirental_fixed_worst_ratio(m, r),
				      skirental_fixed_worst_ratio(m, 1.0) - 1e-12);
}

/* The deterministic rule against an adversary that ends the conflict just past the
 * delay, computed from the cost model rather than the closed form. */
Test(skirental, deterministic_worst_case_from_the_cost_model)
{
	const double w = 7.0, t = w * (1.0 + 1e-12);
	struct skirental_policy ra = policy("deterministic", SKIRENTAL_REQUESTOR_ABORTS, 0);
	struct skirental_policy rw = policy("deterministic", SKIRENTAL_REQUESTOR_WINS, 0);
	cr_assert_float_eq(skirental_expected_cost(&ra, w, t, 1) / skirental_opt_cost(w, t), 2.0, 1e-9);
	cr_assert_float_eq(skirental_expected_cost(&rw, w, t, 1) / skirental_opt_cost(w, t), 3.0, 1e-9);
	cr_assert_float_eq(skirental_bound(&ra), 2.0, 0);
	cr_assert_float_eq(skirental_bound(&rw), 3.0, 0);
}

/* The randomized rules equalise: E[cost] = c min(T, W) for every T. */
Test(skirental, randomized_expected_cost_equals_closed_form)
{
	const double w = 3.0;
	struct skirental_policy ra = policy("randomized", SKIRENTAL_REQUESTOR_ABORTS, 0);
	struct skirental_policy rw = policy("randomized", SKIRENTAL_REQUESTOR_WINS, 0);
	for (double t = 1e-4; t < 100.0; t *= 1.37) {
		double opt = skirental_opt_cost(w, t);
		double a = skirental_expected_cost(&ra, w, t, 20000) / opt;
		double b = skirental_expected_cost(&rw, w, t, 20000) / opt;
		cr_assert(fabs(a - E_RATIO) < 1e-7, "T = %g: requestor-aborts %.12f", t, a);
		cr_assert(fabs(b - 2.0) < 1e-7, "T = %g: requestor-wins %.12f", t, b);
	}
	cr_assert_float_eq(skirental_bound(&ra), E_RATIO, 1e-15);
	cr_assert_float_eq(skirental_bound(&rw), 2.0, 0);
}

/* Yao's principle for requestor-wins: against T with P(T > t) = 1/(1+t)^2 on [0, 1)
 * and an atom of 1/4 at T = infinity (W = 1), every deterministic delay pays 1 in
 * expectation while OPT pays 1/2, so no randomized rule beats 2 (README.md, "Cost
 * model"). */
Test(skirental, requestor_wins_randomized_lower_bound)
{
	const int cells = 200000;
	double opt = 0.25;   /* the atom: OPT = W = 1 */
	for (int i = 0; i < cells; i++) {
		double t = (i + 0.5) / cells, g = 2.0 / pow(1.0 + t, 3.0) / cells;
		opt += t * g;
	}
	cr_assert_float_eq(opt, 0.5, 1e-9);
	for (double d = 0.0; d <= 1.0; d += 0.125) {
		double cost = 0.25 * skirental_cost(SKIRENTAL_REQUESTOR_WINS, 1.0, INFINITY, d);
		for (int i = 0; i < cells; i++) {
			double t = (i + 0.5) / cells, g = 2.0 / pow(1.0 + t, 3.0) / cells;
			cost += g * skirental_cost(SKIRENTAL_REQUESTOR_WINS, 1.0, t, d);
		}
		cr_assert(cost / opt > 2.0 - 1e-4, "D = %g: E[cost] / E[OPT] = %.6f", d, cost / opt);
	}
}

Test(skirental, no_policy_beats_the_offline_optimum)
{
	const char *names[] = { "no_delay", "fixed", "deterministic", "randomized", "opt" };
	for (int m = 0; m < 2; m++)
		for (int k = 0; k < 5; k++) {
			struct skirental_policy p = policy(names[k], m, 0.3);
			for (double t = 1e-3; t < 50.0; t *= 1.5) {
				double c = skirental_expected_cost(&p, 1.0, t, 2000);
				cr_assert_geq(c, skirental_opt_cost(1.0, t) * (1 - 1e-12), "%s T = %g",
					      names[k], t);
				if (p.ops->clairvoyant)
					cr_assert_float_eq(c, skirental_opt_cost(1.0, t), 1e-15);
			}
		}
}

Test(skirental, inverse_cdf_inverts_the_cdf)
{
	for (int m = 0; m < 2; m++) {
		struct skirental_policy p = policy("randomized", m, 0);
		for (double u = 0.0; u < 1.0; u += 0.0625) {
			double d = skirental_delay(&p, 5.0, 0.0, u);
			cr_assert(d >= 0.0 && d <= 5.0);
			cr_assert_float_eq(p.ops->cdf(&p, 5.0, d), u, 1e-12);
		}
	}
}

static void sample_delays(const struct skirental_policy *p, double work, double *out, int n,
			  uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed, 3);
	for (int i = 0; i < n; i++)
		out[i] = skirental_delay(p, work, 0.0, rng_uniform(&r));
}

/* Sampled delays pass KS against their own law, and fail it against the other model's
 * (the test can tell the two laws apart at this sample size). */
Test(skirental, sampled_delays_match_their_distribution_ks)
{
	enum { N = 20000 };
	static double d[N];
	struct skirental_policy ra = policy("randomized", SKIRENTAL_REQUESTOR_ABORTS, 0);
	struct skirental_policy rw = policy("randomized", SKIRENTAL_REQUESTOR_WINS, 0);
	for (uint64_t seed = 1; seed <= 3; seed++) {
		sample_delays(&ra, 4.0, d, N, seed);
		cr_assert_lt(skirental_ks_statistic(&ra, 4.0, d, N), skirental_ks_critical(N));
		sample_delays(&rw, 4.0, d, N, seed);
		cr_assert_lt(skirental_ks_statistic(&rw, 4.0, d, N), skirental_ks_critical(N));
		cr_assert_gt(skirental_ks_statistic(&ra, 4.0, d, N), skirental_ks_critical(N));
	}
}

/* ---- workloads ----------------------------------------------------------------------- */

static struct workload_config wl_config(const char *kind, int hot_set, int length)
{
	return (struct workload_config){ .kind = kind, .hot_set = hot_set, .length = length,
					 .zipf = 0.99, .write_fraction = 0.5, .access_cycles = 20,
					 .think_cycles = 100 };
}

static const char *const kinds[] = { "counter", "queue", "stack", "linked_list", "hash_table",
				     "tree" };

Test(htm_workload, transactions_stay_in_bounds)
{
	char err[256];
	for (int k = 0; k < 6; k++) {
		struct workload w;
		struct workload_txn t;
		struct workload_config cfg = wl_config(kinds[k], 37, 3);
		struct rng r;
		cr_assert_eq(workload_init(&w, &cfg, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(workload_txn_alloc(&w, &t), 0);
		rng_seed(&r, 5, 0);
		for (int i = 0; i < 2000; i++) {
			workload_next_txn(&w, &r, &t);
			cr_assert(t.n >= 1 && t.n <= w.max_accesses, "%s: %d accesses", kinds[k], t.n);
			for (int a = 0; a < t.n; a++)
				cr_assert(t.access[a].line >= 0 && t.access[a].line < w.lines);
			for (int a = 0; a <= t.n; a++)
				cr_assert(t.gap[a] >= 10 && t.gap[a] <= 30);
			cr_assert(t.think >= 50 && t.think <= 150);
		}
		workload_txn_free(&t);
		workload_free(&w);
	}
	struct workload w;
	struct workload_config bad = wl_config("skiplist", 8, 1);
	cr_assert_eq(workload_init(&w, &bad, err, sizeof(err)), -1);
	cr_assert(strstr(err, "skiplist"));
	struct workload_config huge = wl_config("linked_list", 1000000, 1000);
	cr_assert_eq(workload_init(&w, &huge, err, sizeof(err)), -1);
	cr_assert(strstr(err, "accesses"), "%s", err);
}

/* Shapes: a tree operation reads root to leaf; a list operation reads a prefix. */
Test(htm_workload, tree_and_list_shapes)
{
	char err[256];
	struct workload w;
	struct workload_txn t;
	struct rng r;
	struct workload_config tree = wl_config("tree", 16, 1);
	rng_seed(&r, 9, 0);
	cr_assert_eq(workload_init(&w, &tree, err, sizeof(err)), 0);
	cr_assert_eq(w.lines, 31);
	cr_assert_eq(workload_txn_alloc(&w, &t), 0);
	for (int i = 0; i < 500; i++) {
		workload_next_txn(&w, &r, &t);
		cr_assert_eq(t.access[0].line, 0);
		for (int a = 1; a <= 4; a++)
			cr_assert_eq((t.access[a].line - 1) / 2, t.access[a - 1].line);
		cr_assert_geq(t.access[4].line, 15);
	}
	workload_txn_free(&t);
	workload_free(&w);
	struct workload_config list = wl_config("linked_list", 16, 1);
	cr_assert_eq(workload_init(&w, &list, err, sizeof(err)), 0);
	cr_assert_eq(workload_txn_alloc(&w, &t), 0);
	for (int i = 0; i < 500; i++) {
		workload_next_txn(&w, &r, &t);
		for (int a = 0; a < t.n - 1; a++)
			cr_assert(t.access[a].line == a && !t.access[a].write);
	}
	workload_txn_free(&t);
	workload_free(&w);
}

Test(htm_workload, zipf_frequencies)
{
	enum { KEYS = 10, DRAWS = 200000 };
	char err[256];
	struct workload w;
	struct workload_config cfg = wl_config("counter", KEYS, 1);
	struct rng r;
	long count[KEYS] = { 0 };
	cfg.zipf = 1.2;
	cr_assert_eq(workload_init(&w, &cfg, err, sizeof(err)), 0);
	rng_seed(&r, 11, 0);
	for (int i = 0; i < DRAWS; i++)
		count[workload_zipf_draw(w.zipf_cdf, KEYS, &r)]++;
	double norm = 0.0;
	for (int k = 0; k < KEYS; k++)
		norm += pow(k + 1.0, -1.2);
	for (int k = 0; k < KEYS; k++) {
		double expect = DRAWS * pow(k + 1.0, -1.2) / norm;
		cr_assert(fabs(count[k] - expect) < 5.0 * sqrt(expect), "key %d: %ld vs %.0f", k,
			  count[k], expect);
	}
	workload_free(&w);
}

/* ---- htmsim -------------------------------------------------------------------------- */

static struct htmsim_config sim_config(const char *kind, enum skirental_model m, const char *pol,
				       int cores, uint64_t seed)
{
	return (struct htmsim_config){
		.cores = cores,
		.policy = policy(pol, m, 100),
		.workload = wl_config(kind, 16, 1),
		.horizon = 60000,
		.abort_penalty = 50,
		.seed = seed,
	};
}

static const char *const policies[] = { "no_delay", "fixed", "deterministic", "randomized", "opt" };

/* Every workload, model and policy: started = committed + aborted + in flight, every
 * core-cycle accounted for, no lost update, no core above its sequential reference. */
Test(htmsim, conserves_transactions_and_cycles)
{
	char err[256];
	for (int k = 0; k < 6; k++)
		for (int m = 0; m < 2; m++)
			for (int p = 0; p < 5; p++) {
				struct htmsim_config c = sim_config(kinds[k], m, policies[p], 6, 7);
				struct htmsim_stats st;
				cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), 0, "%s", err);
				cr_assert_eq(st.started, st.committed + st.aborted + st.in_flight,
					     "%s %d %s", kinds[k], m, policies[p]);
				cr_assert_leq(st.in_flight, c.cores);
				cr_assert_eq(st.think_cycles + st.useful_cycles + st.stall_cycles +
						     st.aborted_cycles + st.penalty_cycles +
						     st.in_flight_cycles,
					     c.cores * c.horizon);
				cr_assert_eq(st.lost_updates, 0);
				cr_assert_eq(st.conflicts, st.holder_waiting + st.immediate + st.delayed);
				cr_assert_geq(st.delayed, st.resumed + st.expired);
				cr_assert_gt(st.committed, 0);
			}
}

struct trace {
	struct htmsim_event *e;
	size_t n, cap;
	long long commits[HTMSIM_MAX_CORES];
};

static void record(void *ctx, const struct htmsim_event *e)
{
	struct trace *t = ctx;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		cr_assert(t->e);
	}
	t->e[t->n++] = *e;
	if (e->kind == HTMSIM_COMMIT)
		t->commits[e->core]++;
}

static bool same_event(const struct htmsim_event *a, const struct htmsim_event *b)
{
	return a->time == b->time && a->core == b->core && a->kind == b->kind &&
	       a->line == b->line && a->work == b->work && a->remaining == b->remaining &&
	       a->delay == b->delay;
}

Test(htmsim, same_seed_same_trace)
{
	char err[256];
	for (int m = 0; m < 2; m++) {
		struct htmsim_config c = sim_config("linked_list", m, "randomized", 8, 21);
		struct trace a = { 0 }, b = { 0 };
		struct htmsim_stats sa, sb, sc;
		cr_assert_eq(htmsim_run(&c, &sa, record, &a, err, sizeof(err)), 0);
		cr_assert_eq(htmsim_run(&c, &sb, record, &b, err, sizeof(err)), 0);
		cr_assert_gt(a.n, 1000);
		cr_assert_eq(a.n, b.n);
		for (size_t i = 0; i < a.n; i++)
			cr_assert(same_event(&a.e[i], &b.e[i]), "event %zu differs", i);
		cr_assert_eq(sa.trace_hash, sb.trace_hash);
		cr_assert_eq(memcmp(&sa, &sb, sizeof(sa)), 0);
		c.seed = 22;
		cr_assert_eq(htmsim_run(&c, &sc, NULL, NULL, err, sizeof(err)), 0);
		cr_assert_neq(sc.trace_hash, sa.trace_hash);
		free(a.e);
		free(b.e);
	}
}

/* One core never conflicts and commits exactly its sequential reference; with more
 * cores no core commits more than its transactions would alone. */
Test(htmsim, sequential_reference)
{
	char err[256];
	for (int k = 0; k < 6; k++) {
		struct htmsim_config c = sim_config(kinds[k], SKIRENTAL_REQUESTOR_WINS, "no_delay", 1, 3);
		struct trace t = { 0 };
		struct htmsim_stats st;
		cr_assert_eq(htmsim_run(&c, &st, record, &t, err, sizeof(err)), 0);
		cr_assert_eq(st.conflicts, 0);
		cr_assert_eq(st.aborted, 0);
		cr_assert_eq(st.committed, htmsim_sequential_commits(&c, 0), "%s", kinds[k]);
		free(t.e);
		struct trace many = { 0 };
		c.cores = 8;
		cr_assert_eq(htmsim_run(&c, &st, record, &many, err, sizeof(err)), 0);
		for (int i = 0; i < 8; i++)
			cr_assert_leq(many.commits[i], htmsim_sequential_commits(&c, i));
		free(many.e);
	}
}

/* Requestor-wins aborts only receivers, requestor-aborts only requestors. */
Test(htmsim, who_aborts)
{
	char err[256];
	struct htmsim_stats st;
	struct htmsim_config c = sim_config("counter", SKIRENTAL_REQUESTOR_WINS, "no_delay", 8, 5);
	c.workload.hot_set = 2;
	cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), 0);
	cr_assert_gt(st.receiver_aborts, 0);
	cr_assert_eq(st.requestor_aborts, 0);
	c.policy.model = SKIRENTAL_REQUESTOR_ABORTS;
	cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), 0);
	cr_assert_gt(st.requestor_aborts, 0);
	cr_assert_eq(st.receiver_aborts, 0);
}

/* Delays wait only on running holders, so even an (almost) unbounded delay cannot
 * deadlock: transactions keep committing and no delay ever runs out. (Progress can be
 * slow: readers may join a line while a writer's upgrade waits; README "Deviations".) */
Test(htmsim, unbounded_delays_do_not_deadlock)
{
	char err[256];
	for (int k = 0; k < 6; k++)
		for (int m = 0; m < 2; m++) {
			struct htmsim_stats st;
			struct htmsim_config c = sim_config(kinds[k], m, "fixed", 8, 13);
			c.policy.fixed_delay = 1e15;
			c.workload.hot_set = 4;
			cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), 0);
			cr_assert_eq(st.expired, 0);
			cr_assert_gt(st.delayed, 0);
			cr_assert_gt(st.committed, 10, "%s %d: %lld commits", kinds[k], m, st.committed);
		}
}

/* The delays the simulator draws (as D/W) follow the randomized rule's law. */
Test(htmsim, simulated_delays_match_their_distribution_ks)
{
	char err[256];
	for (int m = 0; m < 2; m++) {
		struct htmsim_config c = sim_config("counter", m, "randomized", 8, 17);
		struct trace t = { 0 };
		struct htmsim_stats st;
		c.workload.hot_set = 4;
		c.horizon = 400000;
		cr_assert_eq(htmsim_run(&c, &st, record, &t, err, sizeof(err)), 0);
		double *d = malloc(t.n * sizeof(*d));
		int n = 0;
		for (size_t i = 0; i < t.n; i++)
			if (t.e[i].kind == HTMSIM_CONFLICT && t.e[i].work > 0)
				d[n++] = t.e[i].delay / t.e[i].work;
		cr_assert_gt(n, 2000);
		cr_assert_lt(skirental_ks_statistic(&c.policy, 1.0, d, n), skirental_ks_critical(n));
		free(d);
		free(t.e);
	}
}

Test(htmsim, rejects_bad_configurations)
{
	char err[256];
	struct htmsim_stats st;
	struct htmsim_config c = sim_config("counter", SKIRENTAL_REQUESTOR_WINS, "no_delay", 65, 1);
	cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), -1);
	c.cores = 4;
	c.backoff_base = -1;
	cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), -1);
	c.backoff_base = 0;
	c.workload.kind = "heap";
	cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "heap"));
}

/* ---- the real runtimes' retry: backoff and the global-lock fallback ------------------ */

/* A backoff baseline as throughput.c builds it: no delay, backoff, the lock after
 * `fallback` aborted attempts (0: never). */
static struct htmsim_config backoff_config(const char *kind, enum skirental_model m, int cores,
					   int base, int fallback, uint64_t seed)
{
	struct htmsim_config c = sim_config(kind, m, "no_delay", cores, seed);
	c.backoff_base = base;
	c.fallback_attempts = fallback;
	c.workload.hot_set = 4;
	return c;
}

/* Every workload and model with backoff and the lock: transactions and cycles conserved
 * (lock waits included), no lost update, no conflict under the lock, and the lock is
 * taken (hot set 4 on 8 cores). */
Test(htmsim, backoff_and_lock_conserve_transactions_and_cycles)
{
	char err[256];
	for (int k = 0; k < 6; k++)
		for (int m = 0; m < 2; m++) {
			struct htmsim_config c = backoff_config(kinds[k], m, 8, 32, 2, 9);
			struct htmsim_stats st;
			cr_assert_eq(htmsim_run(&c, &st, NULL, NULL, err, sizeof(err)), 0, "%s", err);
			cr_assert_eq(st.started, st.committed + st.aborted + st.in_flight);
			cr_assert_eq(st.think_cycles + st.useful_cycles + st.stall_cycles +
					     st.aborted_cycles + st.penalty_cycles +
					     st.lock_wait_cycles + st.in_flight_cycles,
				     c.cores * c.horizon, "%s %d", kinds[k], m);
			cr_assert_eq(st.lost_updates, 0);
			cr_assert_eq(st.lock_conflicts, 0);
			cr_assert_eq(st.aborted, st.requestor_aborts + st.receiver_aborts + st.lock_aborts);
			cr_assert_gt(st.lock_commits, 0, "%s %d", kinds[k], m);
			cr_assert_gt(st.lock_wait_cycles, 0, "%s %d", kinds[k], m);
		}
}

/* Per core: aborted attempts since its last commit. A transaction aborts at most
 * `fallback` times (then it holds the lock, and nothing aborts it); the commits that
 * follow exactly `fallback` aborts are the lock's. */
struct retries {
	int fallback;
	int since[HTMSIM_MAX_CORES];
	int most;
	long long after_fallback;
};

static void count_retries(void *ctx, const struct htmsim_event *e)
{
	struct retries *r = ctx;
	if (e->kind == HTMSIM_ABORT && ++r->since[e->core] > r->most)
		r->most = r->since[e->core];
	if (e->kind != HTMSIM_COMMIT)
		return;
	r->after_fallback += r->since[e->core] == r->fallback;
	r->since[e->core] = 0;
}

Test(htmsim, lock_fallback_after_r_retries)
{
	char err[256];
	for (int fallback = 1; fallback <= 4; fallback += 3)
		for (int m = 0; m < 2; m++) {
			struct htmsim_config c = backoff_config("counter", m, 8, 32, fallback, 4);
			struct retries r = { .fallback = fallback };
			struct htmsim_stats st;
			cr_assert_eq(htmsim_run(&c, &st, count_retries, &r, err, sizeof(err)), 0);
			cr_assert_eq(r.most, fallback, "fallback %d: %d aborts", fallback, r.most);
			cr_assert_eq(r.after_fallback, st.lock_commits, "fallback %d", fallback);
			cr_assert_gt(st.lock_commits, 0);
		}
}

/* Without the lock, the k-th retry of a transaction starts abort_penalty plus a wait
 * uniform on [0, base 2^(k-1)) cycles after its abort: within the window, and the
 * windows do grow (some wait after the third abort exceeds the first window). */
struct gaps {
	long long abort_at[HTMSIM_MAX_CORES];
	int since[HTMSIM_MAX_CORES];
	int outside, checked;
	long long longest_late;
};

static void check_gaps(void *ctx, const struct htmsim_event *e)
{
	struct gaps *g = ctx;
	if (e->kind == HTMSIM_ABORT) {
		g->abort_at[e->core] = e->time;
		g->since[e->core]++;
	} else if (e->kind == HTMSIM_COMMIT) {
		g->since[e->core] = 0;
	} else if (e->kind == HTMSIM_START && g->since[e->core] > 0) {
		int k = g->since[e->core];
		long long wait = e->time - g->abort_at[e->core] - 50;
		long long window = 32LL << (k - 1 < 20 ? k - 1 : 20);
		g->outside += wait < 0 || wait >= window;
		g->checked++;
		if (k >= 3 && wait > g->longest_late)
			g->longest_late = wait;
	}
}

Test(htmsim, backoff_windows_double)
{
	char err[256];
	struct htmsim_config c = backoff_config("counter", SKIRENTAL_REQUESTOR_WINS, 8, 32, 0, 6);
	struct gaps g = { 0 };
	struct htmsim_stats st;
	c.horizon = 400000;
	cr_assert_eq(htmsim_run(&c, &st, check_gaps, &g, err, sizeof(err)), 0);
	cr_assert_gt(g.checked, 1000, "%d retries", g.checked);
	cr_assert_eq(g.outside, 0);
	cr_assert_geq(g.longest_late, 32);
	cr_assert_eq(st.lock_commits, 0);
}

/* What the fallback is for: requestor-wins without delay livelocks on a hot counter
 * (each retry aborts the holder), and backoff with the lock fallback breaks it. */
Test(htmsim, backoff_with_fallback_breaks_the_livelock)
{
	char err[256];
	struct htmsim_stats plain, runtime;
	struct htmsim_config c = sim_config("counter", SKIRENTAL_REQUESTOR_WINS, "no_delay", 8, 5);
	c.workload.hot_set = 4;
	cr_assert_eq(htmsim_run(&c, &plain, NULL, NULL, err, sizeof(err)), 0);
	c = backoff_config("counter", SKIRENTAL_REQUESTOR_WINS, 8, 32, 4, 5);
	cr_assert_eq(htmsim_run(&c, &runtime, NULL, NULL, err, sizeof(err)), 0);
	cr_assert_gt(runtime.committed, 5 * plain.committed, "%lld against %lld",
		     runtime.committed, plain.committed);
}

/* Why backoff beats the delays on requestor-aborts stacks (README.md, "Known
 * deviations"): the collapse comes from the fixed retry, not from the delay. The same
 * deterministic delay with a backoff retry commits many times more. */
Test(htmsim, read_upgrade_collapse_is_the_fixed_retry)
{
	char err[256];
	struct htmsim_stats fixed, backoff;
	struct htmsim_config c = sim_config("stack", SKIRENTAL_REQUESTOR_ABORTS, "deterministic", 16, 1);
	c.workload = wl_config("stack", 64, 1);
	c.horizon = 200000;
	cr_assert_eq(htmsim_run(&c, &fixed, NULL, NULL, err, sizeof(err)), 0);
	c.backoff_base = 32;
	cr_assert_eq(htmsim_run(&c, &backoff, NULL, NULL, err, sizeof(err)), 0);
	cr_assert_gt(backoff.committed, 5 * fixed.committed, "%lld against %lld", backoff.committed,
		     fixed.committed);
}
