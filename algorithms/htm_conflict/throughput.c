/*
 * throughput: htm_sim, the simulated-HTM evaluation of
 *   D. Alistarh, S. K. Haider, R. Kuebler, G. Nadiradze, "The Transactional Conflict
 *   Problem", SPAA 2018, arXiv 1804.00947.
 * p cores run data-structure transactions in the discrete-event HTM of htmsim.c; every
 * conflict is delayed as the policy says before the requestor or the receiver aborts.
 * Reported: commits per kilocycle, the abort rate and where the cycles went.
 *
 * Baselines: policies backoff_r<R> are what real HTM runtimes do (lock elision after
 * Intel's TSX guidance, GCC's libitm): resolve every conflict at once, retry after a
 * randomized exponential backoff, and after R retries run the transaction under a
 * global lock.
 *
 * Verifier: transactions are conserved (started = committed + aborted + in flight);
 * every core-cycle is accounted for; no committed update is lost (isolation); no core
 * commits more than its transactions run alone would (the sequential reference), and
 * exactly as many with one core; randomized delays pass a KS test against their law.
 */
#include "algorithms/htm_conflict/throughput.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/htm_conflict/htmsim.h"
#include "algorithms/htm_conflict/skirental.h"
#include "algorithms/htm_conflict/workload.h"

/* D/W of this many conflicts go to the KS test of a randomized policy. */
#define KS_SAMPLES 10000
/* The retry budgets R of the backoff baselines a manifest may choose: libitm retries
 * once on x86 and ten times on s390, glibc's lock elision three times. */
#define BACKOFF_PREFIX "backoff_r"
#define BACKOFF_CHOICES                                                                    \
	"backoff_r0|backoff_r1|backoff_r2|backoff_r3|backoff_r4|backoff_r8|backoff_r10|"   \
	"backoff_r16|backoff_r32"

static const struct rb_param_spec htm_sim_params[] = {
	{ "model", RB_CHOICE, "requestor_wins", 0, 0, "requestor_aborts|requestor_wins",
	  "who aborts when the delay runs out: the requestor, or the receivers holding the line" },
	{ "policy", RB_CHOICE, "deterministic", 0, 0,
	  "no_delay|fixed|deterministic|randomized|opt|" BACKOFF_CHOICES,
	  "delay rule: none, fixed_delay cycles, D = W, randomized ski rental, per-conflict oracle; "
	  "backoff_rR: no delay, exponential backoff, global lock after R retries" },
	{ "fixed_delay", RB_REAL, "100", 0, 1e9, NULL, "the fixed policy's delay, in cycles" },
	{ "workload", RB_CHOICE, "counter", 0, 0, WORKLOAD_CHOICES,
	  "data structure whose operations the transactions perform" },
	{ "cores", RB_INT, "8", 1, HTMSIM_MAX_CORES, NULL, "simulated cores, one transaction each" },
	{ "hot_set", RB_INT, "64", 1, 1e6, NULL,
	  "elements of the structure (counters, buckets, nodes, leaves): fewer is more contention" },
	{ "length", RB_INT, "1", 1, 1000, NULL, "data-structure operations per transaction" },
	{ "zipf", RB_REAL, "0.99", 0, 10, NULL, "key skew s, P(k) ~ 1/(k+1)^s; 0 is uniform" },
	{ "write_fraction", RB_REAL, "0.5", 0, 1, NULL,
	  "fraction of list, hash-table and tree operations that update" },
	{ "access_cycles", RB_INT, "20", 1, 1e6, NULL, "mean compute cycles before each access" },
	{ "think_cycles", RB_INT, "100", 0, 1e9, NULL, "mean cycles between transactions" },
	{ "abort_penalty", RB_INT, "50", 0, 1e9, NULL, "cycles from an abort to the retry" },
	{ "backoff_base", RB_INT, "32", 1, 1e9, NULL,
	  "backoff_rR: the first backoff window in cycles; the k-th retry waits uniform on "
	  "[0, base 2^(k-1)) after the abort penalty" },
	{ "cycles", RB_INT, "1000000", 1000, 1e12, NULL, "simulated cycles" },
	{ 0 },
};

/* What the observer gathers: commits per core, and D/W of the first conflicts. */
struct watch {
	long long commits[HTMSIM_MAX_CORES];
	double delays[KS_SAMPLES];
	int ndelays;
};

static void observe(void *ctx, const struct htmsim_event *e)
{
	struct watch *w = ctx;
	if (e->kind == HTMSIM_COMMIT)
		w->commits[e->core]++;
	if (e->kind == HTMSIM_CONFLICT && w->ndelays < KS_SAMPLES && e->work > 0.0)
		w->delays[w->ndelays++] = e->delay / e->work;
}

/* A backoff baseline: no delay, exponential backoff, the lock after R retries (R + 1
 * aborted attempts). The other policies retry abort_penalty cycles after an abort. */
static void configure_retry(const struct rb_run *run, const char *policy, struct htmsim_config *c)
{
	size_t n = strlen(BACKOFF_PREFIX);
	if (strncmp(policy, BACKOFF_PREFIX, n))
		return;
	c->policy.ops = skirental_policy_find("no_delay");
	c->backoff_base = (int)rb_param_int(run, "backoff_base");
	c->fallback_attempts = atoi(policy + n) + 1;
}

static int configure(const struct rb_run *run, struct rb_recorder *rec, struct htmsim_config *c)
{
	const char *model = rb_param_str(run, "model"), *policy = rb_param_str(run, "policy");
	*c = (struct htmsim_config){
		.cores = (int)rb_param_int(run, "cores"),
		.horizon = rb_param_int(run, "cycles"),
		.abort_penalty = (int)rb_param_int(run, "abort_penalty"),
		.seed = run->seed,
		.policy = { .ops = skirental_policy_find(policy),
			    .fixed_delay = rb_param_real(run, "fixed_delay") },
		.workload = { .kind = rb_param_str(run, "workload"),
			      .hot_set = (int)rb_param_int(run, "hot_set"),
			      .length = (int)rb_param_int(run, "length"),
			      .zipf = rb_param_real(run, "zipf"),
			      .write_fraction = rb_param_real(run, "write_fraction"),
			      .access_cycles = (int)rb_param_int(run, "access_cycles"),
			      .think_cycles = (int)rb_param_int(run, "think_cycles") },
	};
	configure_retry(run, policy, c);
	if (!c->policy.ops || skirental_model_parse(model, &c->policy.model) < 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown policy '%s' or model '%s'", policy, model);
	return 0;
}

static double share(long long part, long long whole)
{
	return whole > 0 ? (double)part / (double)whole : 0.0;
}

static void summarise(struct rb_recorder *rec, const struct htmsim_config *c,
		      const struct htmsim_stats *st)
{
	long long core_cycles = (long long)c->cores * c->horizon;
	long long wasted = st->stall_cycles + st->aborted_cycles + st->penalty_cycles;
	rb_summary(rec, "throughput", 1000.0 * share(st->committed, c->horizon));
	rb_summary(rec, "abort_rate", share(st->aborted, st->committed + st->aborted));
	rb_summary(rec, "wasted_fraction", share(wasted, core_cycles));
	rb_summary(rec, "wasted_per_commit", share(wasted, st->committed));
	rb_summary(rec, "stall_fraction", share(st->stall_cycles, core_cycles));
	rb_summary(rec, "aborted_fraction", share(st->aborted_cycles, core_cycles));
	rb_summary(rec, "conflicts_per_commit", share(st->conflicts, st->committed));
	rb_summary(rec, "resumed_fraction", share(st->resumed, st->delayed));
	rb_summary(rec, "commits", (double)st->committed);
	rb_summary(rec, "aborts", (double)st->aborted);
	rb_summary(rec, "conflicts", (double)st->conflicts);
	rb_summary(rec, "fallback_fraction", share(st->lock_commits, st->committed));
	rb_summary(rec, "lock_wait_fraction", share(st->lock_wait_cycles, core_cycles));
}

/* Each core commits at most what its transactions run alone would, and exactly that
 * with one core (no conflict can happen). */
static bool matches_sequential(struct rb_recorder *rec, const struct htmsim_config *c,
			       const struct watch *w)
{
	for (int i = 0; i < c->cores; i++) {
		long long alone = htmsim_sequential_commits(c, i);
		if (alone < 0 || w->commits[i] > alone || (c->cores == 1 && w->commits[i] != alone)) {
			rb_log(rec, "verifier: core %d committed %lld, alone %lld", i, w->commits[i], alone);
			return false;
		}
	}
	return true;
}

static void verify(struct rb_recorder *rec, const struct htmsim_config *c,
		   const struct htmsim_stats *st, struct watch *w)
{
	long long accounted = st->think_cycles + st->useful_cycles + st->stall_cycles +
			      st->aborted_cycles + st->penalty_cycles + st->lock_wait_cycles +
			      st->in_flight_cycles;
	rb_eval_begin(rec);
	rb_log(rec, "verifier: started %lld = committed %lld + aborted %lld + in flight %lld; "
	       "trace hash %016" PRIx64 ", %lld events", st->started, st->committed, st->aborted,
	       st->in_flight, st->trace_hash, st->events);
	rb_verify(rec, st->started == st->committed + st->aborted + st->in_flight,
		  "transactions conserved: started = committed + aborted + in flight");
	rb_verify(rec, accounted == (long long)c->cores * c->horizon, "every core-cycle accounted for");
	rb_verify(rec, st->lost_updates == 0, "no committed update lost (isolation)");
	rb_verify(rec, st->lock_conflicts == 0, "a transaction under the fallback lock runs alone");
	rb_verify(rec, c->fallback_attempts > 0 || st->lock_commits == 0,
		  "only a runtime with a fallback takes the lock");
	rb_verify(rec, matches_sequential(rec, c, w), "no core beats its sequential reference");
	if (c->policy.ops->randomized && w->ndelays >= 2) {
		double ks = skirental_ks_statistic(&c->policy, 1.0, w->delays, w->ndelays);
		double crit = skirental_ks_critical(w->ndelays);
		rb_log(rec, "verifier: KS statistic %.5f over %d delays, critical %.5f", ks,
		       w->ndelays, crit);
		rb_verify(rec, ks < crit, "sampled delays follow the policy's distribution (KS)");
	}
	rb_eval_end(rec);
}

static int htm_sim_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct htmsim_config c;
	struct htmsim_stats st;
	char err[256];
	int rc = configure(run, rec, &c);
	if (rc)
		return rc;
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the observer");
	if (htmsim_run(&c, &st, observe, w, err, sizeof(err)) < 0) {
		free(w);
		/* htmsim fails only for want of memory or on a configuration it refuses. */
		bool memory = !strncmp(err, "no memory", 9);
		return rb_fail(rec, memory ? RB_OUT_OF_MEMORY : RB_INVALID_INPUT, "%s", err);
	}
	summarise(rec, &c, &st);
	verify(rec, &c, &st, w);
	free(w);
	return 0;
}

const struct rb_algorithm htm_sim_algorithm = {
	.name = "htm_sim",
	.family = "htm_conflict",
	.summary = "simulated HTM: throughput and aborts of a conflict-delay policy on a data structure",
	.paper = "arXiv 1804.00947",
	.params = htm_sim_params,
	.run = htm_sim_run,
};
