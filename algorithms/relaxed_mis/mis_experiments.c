/*
 * mis_experiments: greedy MIS and matching on relaxed schedulers, from
 *   D. Alistarh, T. Brown, J. Kopinsky, G. Nadiradze, "Relaxed Schedulers Can Efficiently
 *   Parallelize Iterative Algorithms", PODC 2018, arXiv 1808.04155.
 * A k-relaxed scheduler runs greedy MIS with only poly(k) extra iterations over an exact
 * one, whatever n and the graph; the output is the sequential greedy set.
 *
 *   mis_sim       one thread, a sequential exact / top-k / MultiQueue scheduler
 *   mis_parallel  OpenMP threads over the concurrent MultiQueue or the locked heap,
 *                 timed against sequential greedy (and the locked heap) in one run
 *
 * Verifier of every run: the output equals sequential greedy's for the same permutation
 * (C1), is a valid maximal independent set (matching), processed + dead = tasks, and the
 * exact scheduler wastes nothing (C2). These are identities of correct code, so they are
 * enforced here and in the tests, not listed as claims.
 */
#include "algorithms/relaxed_mis/mis_experiments.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/relaxed_mis/greedy.h"
#include "algorithms/relaxed_mis/mis_exec.h"
#include "algorithms/relaxed_mis/scheduler.h"
#include "suite/calibrate.h"

static const struct rb_param_spec mis_sim_params[] = {
	{ "problem", RB_CHOICE, "mis", 0, 0, "mis|matching",
	  "mis: tasks are vertices; matching: tasks are edges (MIS on the line graph)" },
	{ "scheduler", RB_CHOICE, "topk", 0, 0, "exact|topk|multiqueue",
	  "exact: a binary heap; topk: a uniform task among the k of highest priority; "
	  "multiqueue: the two-choice MultiQueue with q = k heaps" },
	{ "k", RB_INT, "16", 1, 1048576, NULL,
	  "relaxation: k of topk, the number of heaps q of multiqueue (ignored by exact)" },
	{ "permutations", RB_INT, "1", 1, 10000, NULL,
	  "independent priority permutations per run (each with its own scheduler draws); the "
	  "counts are their means: more samples per loaded graph" },
	{ 0 },
};

static const struct rb_param_spec mis_parallel_params[] = {
	{ "problem", RB_CHOICE, "mis", 0, 0, "mis|matching",
	  "mis: tasks are vertices; matching: tasks are edges" },
	{ "scheduler", RB_CHOICE, "multiqueue", 0, 0, "multiqueue|exact_locked",
	  "multiqueue: q = queues_per_thread x threads heaps; exact_locked: one heap under one lock" },
	{ "queues_per_thread", RB_INT, "2", 1, 1024, NULL, "c in q = c x threads (2 is the usual choice)" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL,
	  "MultiQueue operations a thread reuses its random choices for; 1 = none (the paper's)" },
	{ "rounds", RB_INT, "3", 1, 1000, NULL,
	  "timed rounds; each times sequential greedy and the scheduler (and, paired, the locked "
	  "heap) in alternating order, after one untimed warm-up round" },
	{ "paired", RB_BOOL, "true", 0, 0, NULL,
	  "a multiqueue run also times exact_locked in the same rounds and records ratio_to_exact" },
	{ 0 },
};

/* ---- shared by both algorithms ---- */

/* The run's graph and the instance of the permutation `seed`; the graph's summaries are
 * recorded when `record` is set (once per run). */
static int open_instance(const struct rb_run *run, struct rb_recorder *rec,
			 struct greedy_instance *in, uint64_t seed, bool record)
{
	const char *problem = rb_param_str(run, "problem");
	enum greedy_problem p = strcmp(problem, "matching") ? GREEDY_MIS : GREEDY_MATCHING;

	if (!run->data || run->data->kind != DS_GRAPH)
		return rb_fail(rec, RB_INVALID_INPUT, "%s needs a graph dataset", problem);
	int rc = greedy_init(in, p, &run->data->graph, seed);
	if (rc == -2)
		return rb_fail(rec, RB_INVALID_INPUT, "the graph has 2^32 or more %s",
			       p == GREEDY_MIS ? "vertices" : "edges");
	if (rc != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the %s instance", problem);
	if (!record)
		return 0;
	rb_summary(rec, "vertices", (double)run->data->graph.n);
	rb_summary(rec, "edges", (double)(run->data->graph.m / 2));
	rb_summary(rec, "avg_degree", run->data->graph.n ? (double)run->data->graph.m
							   / (double)run->data->graph.n : 0.0);
	rb_summary(rec, "tasks", in->tasks);
	return 0;
}

/* 1 when the states give exactly `ref`; 0 when they differ; -1 when undecided tasks
 * remain. `out` is scratch of `tasks` bytes. */
static int matches_reference(const struct greedy_instance *in, const uint8_t *ref, uint8_t *out)
{
	if (!greedy_result(in, out))
		return -1;
	return memcmp(out, ref, in->tasks) == 0;
}

static void record_counts(struct rb_recorder *rec, const struct mis_counts *c, double runs,
			  uint32_t tasks)
{
	rb_summary(rec, "processed", (double)c->processed / runs);
	rb_summary(rec, "dead", (double)c->dead / runs);
	rb_summary(rec, "wasted", (double)c->wasted / runs);
	rb_summary(rec, "wasted_per_task", tasks ? (double)c->wasted / runs / tasks : 0.0);
}

/* ---- mis_sim ---- */

/* The permutation (and scheduler) seed of permutation p of a run: the run's seed for the
 * first, distinct ones after it for seeds below 2^40. */
static uint64_t permutation_seed(uint64_t seed, int p)
{
	return seed + ((uint64_t)p << 40);
}

/* Check one finished simulation against sequential greedy; 1 when all holds. An exact
 * scheduler always returns the highest-priority task present, whose higher-priority
 * neighbours are all decided, so it can never waste an iteration (C2): an identity of
 * correct code, checked here rather than claimed. */
static int sim_check(const struct greedy_instance *in, const struct mis_counts *c, bool exact,
		     uint8_t *ref, uint8_t *out, uint64_t *set_size)
{
	greedy_sequential(in, ref);
	*set_size = greedy_count(in, ref);
	return matches_reference(in, ref, out) == 1 && greedy_valid(in, out)
	       && c->processed + c->dead == in->tasks && (!exact || c->wasted == 0);
}

/* One permutation: build, simulate, check (the check is not timed), add to *sum. An
 * rb_fail status when memory runs out. */
static int sim_one(const struct rb_run *run, struct rb_recorder *rec, int p,
		   struct mis_counts *sum, int *failures, uint64_t *set_size, double *sim_s)
{
	struct greedy_instance in;
	struct sched s;
	struct mis_counts c;
	int kind = sched_parse(rb_param_str(run, "scheduler"));
	int k = (int)rb_param_int(run, "k");
	uint64_t seed = permutation_seed(run->seed, p);
	int rc = open_instance(run, rec, &in, seed, p == 0);

	if (rc != 0)
		return rc;
	uint8_t *ref = malloc((size_t)in.tasks + 1), *out = malloc((size_t)in.tasks + 1);
	if (!ref || !out || sched_init(&s, (enum sched_kind)kind, k, in.tasks, seed) != 0) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the scheduler (k = %d)", k);
		goto out;
	}
	double start = calib_now();
	rc = mis_simulate(&in, &s, &c);
	*sim_s += calib_now() - start;
	sched_free(&s);
	if (rc != 0) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to grow the scheduler");
		goto out;
	}
	rb_eval_begin(rec);
	*failures += !sim_check(&in, &c, kind == SCHED_EXACT, ref, out, set_size);
	rb_eval_end(rec);
	sum->processed += c.processed;
	sum->dead += c.dead;
	sum->wasted += c.wasted;
out:
	free(ref);
	free(out);
	greedy_free(&in);
	return rc;
}

static int mis_sim_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int perms = (int)rb_param_int(run, "permutations"), failures = 0, rc = 0;
	struct mis_counts sum = { 0 };
	uint64_t set_size = 0, tasks = 0;
	double sim_s = 0.0;

	for (int p = 0; p < perms && rc == 0; p++)
		rc = sim_one(run, rec, p, &sum, &failures, &set_size, &sim_s);
	if (rc != 0)
		return rc;
	tasks = (sum.processed + sum.dead) / (uint64_t)perms;
	record_counts(rec, &sum, perms, (uint32_t)tasks);
	rb_summary(rec, "relaxation_k", strcmp(rb_param_str(run, "scheduler"), "exact")
					? (double)rb_param_int(run, "k") : 1.0);
	rb_summary(rec, "sim_s", sim_s / perms);
	rb_summary(rec, "set_size", (double)set_size);
	rb_summary(rec, "same_as_greedy", failures == 0);
	rb_verify(rec, failures == 0, "every permutation: output = sequential greedy's set, "
		  "independent (a matching) and maximal, processed + dead = tasks, and no "
		  "wasted iteration under the exact scheduler");
	return 0;
}

/* ---- timed rounds: sequential greedy, the scheduler, the locked heap ---- */

struct timed_setup {
	struct greedy_instance *in;
	struct mis_parallel_config target, exact;
	bool paired;
	int rounds;
	uint8_t *ref, *out;      /* sequential greedy's set; scratch */
};

struct timed_result {
	double greedy_s, target_s, exact_s;   /* summed over the timed rounds */
	double cpu_s, par_wall_s;             /* concurrent runs: CPU and wall time */
	struct mis_counts target;             /* summed over the timed rounds */
	uint64_t max_thread_wasted;
	uint64_t preemptions;                 /* the target's, summed over the timed rounds */
	int mismatches;                       /* concurrent runs whose set differed */
};

static void time_greedy(struct timed_setup *t, double *acc)
{
	double start = calib_now();

	greedy_sequential(t->in, t->ref);
	*acc += calib_now() - start;
}

/* One concurrent run, checked; *acc gets its wall time. -1 out of memory, -2 threads. */
static int time_parallel(struct timed_setup *t, const struct mis_parallel_config *cfg,
			 double *acc, struct timed_result *r, bool is_target)
{
	struct mis_parallel_result pr;

	greedy_reset(t->in);
	int rc = mis_parallel(t->in, cfg, NULL, &pr);
	if (rc != 0)
		return rc;
	*acc += pr.wall_s;
	r->cpu_s += pr.cpu_s;
	r->par_wall_s += pr.wall_s;
	r->mismatches += matches_reference(t->in, t->ref, t->out) != 1
			 || pr.total.processed + pr.total.dead != t->in->tasks;
	if (is_target) {
		r->target.processed += pr.total.processed;
		r->target.dead += pr.total.dead;
		r->target.wasted += pr.total.wasted;
		r->preemptions += pr.preemptions;
		if (pr.max_thread_wasted > r->max_thread_wasted)
			r->max_thread_wasted = pr.max_thread_wasted;
	}
	return 0;
}

/* One round: greedy, target, exact; every other round in reverse order, so that a drift
 * of the machine's speed falls on all alike. */
static int timed_round(struct timed_setup *t, int round, struct timed_result *r)
{
	int rc = 0;
	bool reverse = round % 2 == 1;

	if (!reverse)
		time_greedy(t, &r->greedy_s);
	if (reverse && t->paired)
		rc = time_parallel(t, &t->exact, &r->exact_s, r, false);
	if (rc == 0)
		rc = time_parallel(t, &t->target, &r->target_s, r, true);
	if (rc == 0 && !reverse && t->paired)
		rc = time_parallel(t, &t->exact, &r->exact_s, r, false);
	if (reverse)
		time_greedy(t, &r->greedy_s);
	return rc;
}

/* An untimed warm-up round, then t->rounds timed ones. */
static int timed_rounds(struct timed_setup *t, struct timed_result *r)
{
	*r = (struct timed_result){ 0 };
	int rc = timed_round(t, 0, r);

	*r = (struct timed_result){ 0 };
	for (int k = 0; k < t->rounds && rc == 0; k++)
		rc = timed_round(t, k, r);
	return rc;
}

static const char *timed_error(int rc)
{
	return rc == -1 ? "out of memory for the concurrent queue" : "OpenMP gave fewer threads";
}

/* ---- mis_parallel ---- */

static void parallel_config(const struct rb_run *run, struct timed_setup *t)
{
	bool mq = !strcmp(rb_param_str(run, "scheduler"), "multiqueue");
	int qpt = (int)rb_param_int(run, "queues_per_thread");

	t->target = (struct mis_parallel_config){
		.ops = mq ? &multiqueue_ops : &locked_heap_ops, .threads = run->threads,
		.queues = mq ? qpt * run->threads : 1,
		.stickiness = mq ? (int)rb_param_int(run, "stickiness") : 1, .seed = run->seed,
	};
	t->exact = (struct mis_parallel_config){ .ops = &locked_heap_ops, .threads = run->threads,
						 .queues = 1, .stickiness = 1, .seed = run->seed };
	t->paired = mq && rb_param_bool(run, "paired");
	t->rounds = (int)rb_param_int(run, "rounds");
}

static void record_timed(struct rb_recorder *rec, const struct timed_setup *t,
			 const struct timed_result *r)
{
	double rounds = t->rounds, tasks = t->in->tasks;

	rb_summary(rec, "q", t->target.queues);
	record_counts(rec, &r->target, rounds, t->in->tasks);
	rb_summary(rec, "max_thread_wasted", (double)r->max_thread_wasted);
	rb_summary(rec, "greedy_s", r->greedy_s / rounds);
	rb_summary(rec, "wall_s", r->target_s / rounds);
	rb_summary(rec, "tasks_per_s", tasks * rounds / r->target_s);
	rb_summary(rec, "greedy_tasks_per_s", tasks * rounds / r->greedy_s);
	rb_summary(rec, "speedup_vs_greedy", r->greedy_s / r->target_s);
	rb_summary(rec, "cpu_share", r->cpu_s / (r->par_wall_s * t->target.threads));
	rb_summary(rec, "preemptions", (double)r->preemptions);
	rb_summary(rec, "set_size", (double)greedy_count(t->in, t->ref));
	if (!t->paired)
		return;
	rb_summary(rec, "exact_s", r->exact_s / rounds);
	rb_summary(rec, "exact_tasks_per_s", tasks * rounds / r->exact_s);
	rb_summary(rec, "exact_speedup_vs_greedy", r->greedy_s / r->exact_s);
	rb_summary(rec, "ratio_to_exact", r->exact_s / r->target_s);
}

static int mis_parallel_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct greedy_instance in;
	struct timed_setup t = { .in = &in };
	struct timed_result r;

	int rc = open_instance(run, rec, &in, run->seed, true);
	if (rc != 0)
		return rc;
	parallel_config(run, &t);
	t.ref = malloc((size_t)in.tasks + 1);
	t.out = malloc((size_t)in.tasks + 1);
	rc = t.ref && t.out ? timed_rounds(&t, &r) : -1;
	if (rc != 0)
		rc = rb_fail(rec, rc == -1 ? RB_OUT_OF_MEMORY : RB_ERROR, "%s", timed_error(rc));
	else {
		record_timed(rec, &t, &r);
		rb_summary(rec, "same_as_greedy", r.mismatches == 0);
		rb_verify(rec, r.mismatches == 0, "every concurrent run gave sequential greedy's set "
			  "and processed + dead = tasks");
		rb_verify(rec, greedy_valid(&in, t.ref), "the greedy set is independent and maximal");
	}
	free(t.ref);
	free(t.out);
	greedy_free(&in);
	return rc;
}

const struct rb_algorithm mis_sim_algorithm = {
	.name = "mis_sim",
	.family = "relaxed_mis",
	.summary = "greedy MIS / matching through a sequential exact, top-k or MultiQueue "
		   "scheduler; extra (wasted) iterations",
	.paper = "arXiv 1808.04155",
	.params = mis_sim_params,
	.needs_data = 1,
	.run = mis_sim_run,
};

const struct rb_algorithm mis_parallel_algorithm = {
	.name = "mis_parallel",
	.family = "relaxed_mis",
	.summary = "greedy MIS / matching with OpenMP threads over the MultiQueue or a locked "
		   "heap, timed against sequential greedy in the same run",
	.paper = "arXiv 1808.04155",
	.params = mis_parallel_params,
	.needs_data = 1,
	.run = mis_parallel_run,
};
