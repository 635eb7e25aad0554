/*
 * mq_experiments: MultiQueue experiments of
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018.
 * The MultiQueue (q heaps, insert into a random one, delete from the better of two
 * random ones) returns an element whose rank is O(q) in expectation, in sequential and,
 * under the paper's assumptions, concurrent executions, while scaling like q locks.
 *
 *   multiqueue_seq  one thread, the process of the theory: every step inserts a key
 *                   larger than all present (or a uniform one) and deletes; every
 *                   operation is logged in program order and replayed (rank_error.h)
 *   multiqueue      concurrent, OpenMP threads: measure=throughput is a timed run of
 *   locked_heap     alternating insert/delete (no logging); measure=quality logs every
 *                   operation with its tick at the linearization point and replays the
 *                   merged logs after the run (notes section 4)
 *
 * Verifiers: timed runs compare a multiset fingerprint of everything inserted with
 * everything deleted plus what a drain finds left; logged runs check in the replay
 * that every deleted key was inserted exactly once and deleted exactly once.
 */
#include "algorithms/relaxed_structures/mq_experiments.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/paired.h"
#include "algorithms/relaxed_structures/mq_engineered.h"
#include "algorithms/relaxed_structures/multiqueue.h"
#include "algorithms/relaxed_structures/oplog.h"
#include "algorithms/relaxed_structures/rank_error.h"
#include "algorithms/relaxed_structures/workload.h"

/* The bench case, the workload of issue 20 (Williams' library measured on it): q = 4
 * per thread, 10^6 prefill, 50/50 push/try_pop, uniform 24-bit keys; sticky rows at
 * stickiness 16. Each repetition times each side for MQ_BENCH_SECONDS in ABBA slices. */
#define MQ_BENCH_QUEUES_PER_THREAD 4
#define MQ_BENCH_SECONDS 0.2
#define MQ_BENCH_PREFILL 1000000
#define MQ_BENCH_STICKY 16
#define MQ_BENCH_SLICES 4

static const struct rb_param_spec multiqueue_seq_params[] = {
	{ "q", RB_INT, "8", 1, 65536, NULL, "heaps; the long-run mean rank error is 5/6 q - 1 + 1/(6q)" },
	{ "deletions", RB_INT, "1000000", 1, 1e9, NULL,
	  "steps; each inserts one key and deletes one (the size stays at the prefill)" },
	{ "prefill_per_queue", RB_INT, "32", 1, 10000, NULL,
	  "keys inserted per heap before the first deletion (32: a heap runs dry with chance e^-32)" },
	{ "warmup", RB_REAL, "0.1", 0, 0.9, NULL, "fraction of the deletions not scored (the start is not the steady state)" },
	{ "keys", RB_CHOICE, "increasing", 0, 0, "increasing|uniform",
	  "increasing: each insert is larger than all present (the theory's process); uniform: 24-bit random priorities" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL, "operations that reuse the same random choices; 1 = fresh choices every time" },
	{ 0 },
};

#define MQ_CONCURRENT_PARAMS \
	{ "measure", RB_CHOICE, "throughput", 0, 0, "throughput|quality", \
	  "throughput: a timed run, nothing logged; quality: every operation logged and replayed for rank error" }, \
	{ "seconds", RB_REAL, "0.5", 0.01, 600, NULL, "time the structure runs in a timed run" }, \
	{ "slices", RB_INT, "4", 1, 1000, NULL, \
	  "a timed run is cut into this many slices (alternating with the baseline's when paired)" }, \
	{ "ops_per_thread", RB_INT, "200000", 2, 1e9, NULL, \
	  "operations per thread of a quality run, alternating insert and delete" }, \
	{ "prefill", RB_INT, "1000000", 0, 1e8, NULL, "keys inserted before the threads start" }, \
	{ "prefill_per_queue", RB_INT, "0", 0, 1e6, NULL, \
	  "when above 0, the prefill is this many keys per heap instead (32: the sequential setting)" }, \
	{ "keys", RB_CHOICE, "uniform", 0, 0, "uniform|increasing", \
	  "uniform: 24-bit random priorities; increasing: a shared label counter (quality runs only)" }, \
	{ "warmup", RB_REAL, "0.1", 0, 0.9, NULL, "fraction of a quality run's deletions not scored" }

static const struct rb_param_spec multiqueue_params[] = {
	{ "variant", RB_CHOICE, "paper", 0, 0, "paper|engineered",
	  "paper: binary heaps, independent choices, separate push and pop stickiness; engineered: "
	  "8-ary heaps with 16-key buffers, distinct choices, shared stickiness (mq_engineered.h)" },
	{ "q", RB_INT, "0", 0, 65536, NULL, "heaps; 0 = queues_per_thread x threads" },
	{ "queues_per_thread", RB_INT, "2", 1, 1024, NULL, "c in q = c x threads, when q is 0 (2 is the usual choice)" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL,
	  "operations a thread reuses its random choices for (until a lock is taken); 1 = none" },
	{ "paired", RB_BOOL, "true", 0, 0, NULL,
	  "a timed run also times the locked heap, alternating slices, and records ratio_to_baseline" },
	MQ_CONCURRENT_PARAMS,
	{ 0 },
};

static const struct rb_param_spec locked_heap_params[] = {
	MQ_CONCURRENT_PARAMS,
	{ 0 },
};

enum mq_keys { MQ_KEYS_UNIFORM, MQ_KEYS_INCREASING };

/* What a run is: the structure, its configuration and the workload. */
struct pq_setup {
	const struct mq_ops *ops;
	struct mq_config cfg;
	int threads;
	uint64_t seed;
	enum mq_keys keys;
	uint64_t prefill, ops_per_thread;
	double seconds;
};

/* Where a thread's keys come from: its own sequence, or one shared label counter. */
struct key_source {
	enum mq_keys keys;
	_Atomic uint64_t *label;
	unsigned thread;
	uint64_t seq;
};

static uint64_t next_key(struct key_source *k, struct rng *r)
{
	if (k->keys == MQ_KEYS_INCREASING)
		return atomic_fetch_add_explicit(k->label, 1, memory_order_relaxed);
	return wl_uniform_key(r, k->thread, k->seq++);
}

/* One thread's state, on its own cache lines. */
struct pq_worker {
	alignas(64) struct mq_handle h;
	struct oplog log;
	struct wl_fingerprint in, out;
	uint64_t ops, empty_pops;
	uint64_t seq;      /* a timed run's key sequence, kept across its slices */
	int failed;
};

/* Everything the threads share during a run. */
struct pq_shared {
	const struct pq_setup *s;
	struct mq *mq;
	struct pq_worker *workers;
	struct wl_stop stop;
	alignas(64) _Atomic uint64_t label;
	double deadline;
	int team;          /* threads OpenMP actually gave */
};

/* ---- setup and teardown ---- */

static void pq_workers_free(struct pq_worker *w, int threads);

/* NULL when out of memory (for the structures or a quality run's logs). */
static struct pq_worker *pq_workers_new(const struct pq_setup *s, bool logged)
{
	struct pq_worker *w = aligned_alloc(alignof(struct pq_worker),
					    (size_t)s->threads * sizeof(*w));
	if (!w)
		return NULL;
	memset(w, 0, (size_t)s->threads * sizeof(*w));
	for (int t = 0; t < s->threads; t++) {
		struct oplog *log = logged ? &w[t].log : NULL;
		if (logged && oplog_init(log, s->ops_per_thread, OPLOG_CLOCK_MONOTONIC) != 0) {
			pq_workers_free(w, s->threads);
			return NULL;
		}
		mq_handle_init(&w[t].h, s->seed, (uint64_t)t, log);
	}
	return w;
}

static void pq_workers_free(struct pq_worker *w, int threads)
{
	if (!w)
		return;
	for (int t = 0; t < threads; t++)
		oplog_free(&w[t].log);
	free(w);
}

/* Fill the queue from one thread; the prefill's fingerprint (and log) go to `into`. */
static int pq_prefill(struct pq_shared *sh, struct wl_fingerprint *into, struct oplog *log)
{
	struct mq_handle h;
	struct key_source k = { .keys = sh->s->keys, .label = &sh->label,
				.thread = WL_PREFILL_THREAD };

	mq_handle_init(&h, sh->s->seed, WL_PREFILL_THREAD, log);
	for (uint64_t i = 0; i < sh->s->prefill; i++) {
		uint64_t key = next_key(&k, &h.rng);
		if (sh->s->ops->push(sh->mq, &h, key) != 0)
			return -1;
		wl_fingerprint_add(into, key);
	}
	return 0;
}

/* ---- the timed run ---- */

/* Keys wrap after 2^32 per thread in a long timed run; the fingerprint compares
 * multisets, so a repeated key is still accounted for. */
static void pq_timed_loop(void *ctx, int tid)
{
	struct pq_shared *sh = ctx;
	struct pq_worker *w = &sh->workers[tid];
	const struct mq_ops *ops = sh->s->ops;
	uint64_t key;

	for (;;) {
		for (int k = 0; k < WL_STOP_CHECK_EVERY; k += 2) {
			key = wl_uniform_key(&w->h.rng, (unsigned)tid, w->seq++);
			if (ops->push(sh->mq, &w->h, key) != 0) {
				w->failed = 1;
				atomic_store(&sh->stop.stop, true);
				return;
			}
			wl_fingerprint_add(&w->in, key);
			if (ops->try_pop(sh->mq, &w->h, &key))
				wl_fingerprint_add(&w->out, key);
			else
				w->empty_pops++;
		}
		w->ops += WL_STOP_CHECK_EVERY;
		if (paired_over(&sh->stop.stop, sh->deadline, tid))
			return;
	}
}

/* A structure under timing, run in slices by kernels/paired so that a structure and its
 * baseline alternate within one run and see the same machine. */
struct pq_timed {
	struct pq_shared sh;
	struct wl_fingerprint prefill;
	uint64_t ops_before;   /* operations of the warm-up, not timed */
	struct paired_side side;
};

static void pq_timed_free(struct pq_timed *t)
{
	pq_workers_free(t->sh.workers, t->sh.s->threads);
	if (t->sh.mq)
		t->sh.s->ops->destroy(t->sh.mq);
}

static uint64_t pq_timed_ops(const struct pq_timed *t)
{
	uint64_t ops = 0;

	for (int k = 0; k < t->sh.s->threads; k++)
		ops += t->sh.workers[k].ops;
	return ops;
}

static int pq_timed_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct pq_timed *t = ctx;
	int failed = 0;

	t->sh.team = paired_team(t->sh.s->threads, seconds, elapsed, &t->sh.stop.stop,
				 &t->sh.deadline, pq_timed_loop, &t->sh);
	for (int k = 0; k < t->sh.s->threads; k++)
		failed |= t->sh.workers[k].failed;
	if (!failed && t->sh.team == t->sh.s->threads)
		return 0;
	snprintf(err, errlen, failed ? "%s: out of memory growing a heap"
		 : "%s: OpenMP gave %d threads of %d", t->sh.s->ops->name, t->sh.team,
		 t->sh.s->threads);
	return -1;
}

/* After the warm-up slice: what is timed starts here (the fingerprints go on). */
static void pq_timed_restart(void *ctx)
{
	struct pq_timed *t = ctx;

	t->ops_before = pq_timed_ops(t);
}

static int pq_timed_open(struct pq_timed *t, const struct pq_setup *s, char *err, size_t errlen)
{
	*t = (struct pq_timed){ .sh = { .s = s } };
	t->side = (struct paired_side){ .ctx = t, .run = pq_timed_slice, .restart = pq_timed_restart };
	atomic_init(&t->sh.stop.stop, false);
	t->sh.mq = s->ops->create(&s->cfg);
	t->sh.workers = t->sh.mq ? pq_workers_new(s, false) : NULL;
	if (t->sh.workers && pq_prefill(&t->sh, &t->prefill, NULL) == 0)
		return 0;
	pq_timed_free(t);
	snprintf(err, errlen, "out of memory for %s with %llu keys", s->ops->name,
		 (unsigned long long)s->prefill);
	return -1;
}

static double pq_timed_rate(const struct pq_timed *t)
{
	return (double)(pq_timed_ops(t) - t->ops_before) / t->side.elapsed;
}

/* Drain what is left and compare the multisets: prefill + inserted = deleted + left. */
static bool pq_timed_conserved(struct pq_timed *t)
{
	struct pq_shared *sh = &t->sh;
	struct wl_fingerprint in = t->prefill, out = { 0 }, drained = { 0 };
	struct mq_handle h;
	uint64_t key;
	size_t size = sh->s->ops->size(sh->mq);

	for (int k = 0; k < sh->s->threads; k++) {
		wl_fingerprint_merge(&in, &sh->workers[k].in);
		wl_fingerprint_merge(&out, &sh->workers[k].out);
	}
	mq_handle_init(&h, sh->s->seed, WL_PREFILL_THREAD + 1, NULL);
	while (sh->s->ops->try_pop(sh->mq, &h, &key))
		wl_fingerprint_add(&drained, key);
	wl_fingerprint_merge(&out, &drained);
	return wl_fingerprint_equal(&in, &out) && drained.count == size
	       && sh->s->ops->size(sh->mq) == 0;
}

/* What a timed run measured: the structure's ops/s and, when it was paired with its
 * baseline, the baseline's, from slices that alternated between the two. */
struct pq_rates {
	double ops_per_s, baseline_ops_per_s;
	double cpu_share;   /* CPU time / (wall time x threads) over all slices */
	bool verified;
};

static void pq_rates_of(struct pq_timed *a, struct pq_timed *b, struct pq_rates *r)
{
	*r = (struct pq_rates){ .ops_per_s = pq_timed_rate(a), .verified = pq_timed_conserved(a) };
	if (b) {
		r->baseline_ops_per_s = pq_timed_rate(b);
		r->verified = pq_timed_conserved(b) && r->verified;
	}
	r->cpu_share = paired_cpu_share(&a->side, b ? &b->side : NULL, a->sh.s->threads);
}

/* Time s (and `baseline` when not NULL) after a warm-up, in alternating slices. Used by
 * the algorithms and by `make bench`. */
static int pq_throughput(const struct pq_setup *s, const struct pq_setup *baseline, int slices,
			 struct pq_rates *r, char *err, size_t errlen)
{
	struct pq_timed a, b;

	if (pq_timed_open(&a, s, err, errlen) != 0)
		return -1;
	if (baseline && pq_timed_open(&b, baseline, err, errlen) != 0) {
		pq_timed_free(&a);
		return -1;
	}
	struct pq_timed *other = baseline ? &b : NULL;
	int rc = paired_alternate(&a.side, other ? &other->side : NULL, slices, s->seconds, err,
				  errlen);
	if (rc == 0)
		pq_rates_of(&a, other, r);
	pq_timed_free(&a);
	if (other)
		pq_timed_free(other);
	return rc;
}

/* ---- the logged (quality) run ---- */

static int pq_logged_loop(struct pq_shared *sh, int tid)
{
	struct pq_worker *w = &sh->workers[tid];
	const struct mq_ops *ops = sh->s->ops;
	struct key_source k = { .keys = sh->s->keys, .label = &sh->label, .thread = (unsigned)tid };
	uint64_t key;

	for (uint64_t i = 0; i + 1 < sh->s->ops_per_thread; i += 2) {
		key = next_key(&k, &w->h.rng);
		if (ops->push(sh->mq, &w->h, key) != 0)
			return -1;
		wl_fingerprint_add(&w->in, key);
		if (ops->try_pop(sh->mq, &w->h, &key))
			wl_fingerprint_add(&w->out, key);
		else
			w->empty_pops++;
		w->ops += 2;
	}
	return 0;
}

static void pq_logged_team(struct pq_shared *sh, double *elapsed)
{
	double start = 0.0;

#pragma omp parallel num_threads(sh->s->threads)
	{
		int tid = omp_get_thread_num();
#pragma omp single
		{
			sh->team = omp_get_num_threads();
			start = wl_now();
		}
		if (pq_logged_loop(sh, tid) != 0)
			sh->workers[tid].failed = 1;
#pragma omp barrier
#pragma omp master
		*elapsed = wl_now() - start;
	}
}

/* Merge the prefill's log and the threads' logs by tick and score every deletion. */
static int pq_replay(struct rb_recorder *rec, struct pq_shared *sh, struct oplog *prefill_log,
		     double warmup, struct rank_report *report)
{
	int n = sh->s->threads + 1;
	struct oplog *logs = malloc((size_t)n * sizeof(*logs)), merged;
	uint64_t deletes = 0;

	if (!logs)
		return -1;
	logs[0] = *prefill_log;
	for (int t = 0; t < sh->s->threads; t++) {
		logs[t + 1] = sh->workers[t].log;
		deletes += sh->workers[t].out.count;
	}
	wl_record_stalls(rec, logs + 1, sh->s->threads);
	int rc = oplog_merge(logs, n, &merged);
	free(logs);
	if (rc != 0)
		return -1;
	rc = rank_replay(&merged, (uint64_t)(warmup * (double)deletes), report);
	oplog_free(&merged);
	return rc;
}

static bool pq_logs_complete(const struct pq_shared *sh, const struct oplog *prefill_log)
{
	bool ok = !prefill_log->overflow;

	for (int t = 0; t < sh->s->threads; t++)
		ok = ok && !sh->workers[t].log.overflow && !sh->workers[t].failed;
	return ok;
}

/* The operations the threads did, from their own counts (the replay must agree). */
static void pq_totals(const struct pq_shared *sh, uint64_t *inserts, uint64_t *deletes,
		      uint64_t *empty)
{
	*inserts = sh->s->prefill;
	*deletes = *empty = 0;
	for (int t = 0; t < sh->s->threads; t++) {
		*inserts += sh->workers[t].in.count;
		*deletes += sh->workers[t].out.count;
		*empty += sh->workers[t].empty_pops;
	}
}

static int pq_score(const struct rb_run *run, struct rb_recorder *rec, struct pq_shared *sh,
		    struct oplog *prefill_log)
{
	struct rank_report report;
	uint64_t inserts, deletes, empty;

	pq_totals(sh, &inserts, &deletes, &empty);
	uint64_t remaining = sh->s->ops->size(sh->mq);
	if (pq_replay(rec, sh, prefill_log, rb_param_real(run, "warmup"), &report) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to replay %llu operations",
			       (unsigned long long)(inserts + deletes));
	wl_record_rank_report(rec, &report);
	rb_summary(rec, "empty_deletes", (double)empty);
	wl_verify_rank_report(rec, &report, inserts, deletes, remaining);
	/* One heap under one lock deletes the minimum, and its tick is taken inside the lock:
	 * a rank error there is a bug of the log or the replay, not a measurement. */
	if (sh->s->ops == &locked_heap_ops)
		rb_verify(rec, report.rank.max == 0, "the exact baseline (one locked heap) has rank "
			  "error 0 in the replay of its log");
	rank_report_free(&report);
	return 0;
}

static int pq_quality(const struct rb_run *run, struct rb_recorder *rec, const struct pq_setup *s)
{
	struct pq_shared sh = { .s = s };
	struct wl_fingerprint prefill = { 0 };
	struct oplog prefill_log;
	double elapsed = 0.0;
	int rc;

	atomic_init(&sh.label, 0);
	sh.mq = s->ops->create(&s->cfg);
	sh.workers = sh.mq ? pq_workers_new(s, true) : NULL;
	rc = oplog_init(&prefill_log, s->prefill, OPLOG_CLOCK_MONOTONIC);
	if (rc != 0 || !sh.workers || pq_prefill(&sh, &prefill, &prefill_log) != 0) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the logs of %llu operations",
			     (unsigned long long)(s->prefill + s->ops_per_thread * (uint64_t)s->threads));
		goto out;
	}
	pq_logged_team(&sh, &elapsed);
	if (sh.team != s->threads || !pq_logs_complete(&sh, &prefill_log)) {
		rc = rb_fail(rec, RB_ERROR, "a thread failed (OpenMP gave %d of %d threads, or a "
			     "log or heap ran out of room)", sh.team, s->threads);
		goto out;
	}
	rb_summary(rec, "logged_ops_per_s", (double)(s->ops_per_thread / 2 * 2) * s->threads / elapsed);
	rb_eval_begin(rec);
	rc = pq_score(run, rec, &sh, &prefill_log);
	rb_eval_end(rec);
out:
	oplog_free(&prefill_log);
	pq_workers_free(sh.workers, s->threads);
	s->ops->destroy(sh.mq);
	return rc;
}

/* ---- the algorithms ---- */

static int pq_setup_from(const struct rb_run *run, struct rb_recorder *rec,
			 const struct mq_ops *ops, struct pq_setup *s)
{
	bool multi = ops != &locked_heap_ops;
	long long q = multi ? rb_param_int(run, "q") : 1;
	long long per_thread = multi ? rb_param_int(run, "queues_per_thread") : 1;
	long long queues = q > 0 ? q : per_thread * (long long)run->threads;
	long long per_queue = rb_param_int(run, "prefill_per_queue");

	if (run->threads > WL_MAX_THREADS)
		return rb_fail(rec, RB_INVALID_INPUT, "at most %d threads (the key layout has an "
			       "8-bit thread tag)", WL_MAX_THREADS);
	if (queues > 65536)
		return rb_fail(rec, RB_INVALID_INPUT, "q = %lld x %d threads is above 65536",
			       per_thread, run->threads);
	if (multi && !strcmp(rb_param_str(run, "variant"), "engineered"))
		ops = &multiqueue_engineered_ops;
	*s = (struct pq_setup){
		.ops = ops, .threads = run->threads, .seed = run->seed,
		.keys = strcmp(rb_param_str(run, "keys"), "increasing") ? MQ_KEYS_UNIFORM : MQ_KEYS_INCREASING,
		.prefill = (uint64_t)(per_queue > 0 ? per_queue * queues : rb_param_int(run, "prefill")),
		.ops_per_thread = (uint64_t)rb_param_int(run, "ops_per_thread"),
		.seconds = rb_param_real(run, "seconds"),
	};
	s->cfg = (struct mq_config){
		.queues = (int)queues,
		.stickiness = multi ? (int)rb_param_int(run, "stickiness") : 1,
		.capacity_hint = s->prefill + (size_t)run->threads * 64,
	};
	bool quality = !strcmp(rb_param_str(run, "measure"), "quality");
	if (!quality && s->keys == MQ_KEYS_INCREASING)
		return rb_fail(rec, RB_INVALID_INPUT, "keys=increasing needs measure=quality: its "
			       "shared label counter would be timed with the queue");
	return 0;
}

/* The exact baseline of a MultiQueue setup: the same workload on one locked heap. */
static struct pq_setup pq_baseline_of(const struct pq_setup *s)
{
	struct pq_setup b = *s;

	b.ops = &locked_heap_ops;
	b.cfg.queues = b.cfg.stickiness = 1;
	return b;
}

static int pq_timed_run(const struct rb_run *run, struct rb_recorder *rec, const struct pq_setup *s)
{
	bool paired = s->ops != &locked_heap_ops && rb_param_bool(run, "paired");
	struct pq_setup baseline = pq_baseline_of(s);
	struct pq_rates r = { 0 };
	char err[256];

	if (pq_throughput(s, paired ? &baseline : NULL, (int)rb_param_int(run, "slices"), &r, err,
			  sizeof(err)) != 0)
		return rb_fail(rec, RB_ERROR, "%s", err);
	rb_summary(rec, "ops_per_s", r.ops_per_s);
	rb_summary(rec, "cpu_share", r.cpu_share);
	if (paired) {
		rb_summary(rec, "baseline_ops_per_s", r.baseline_ops_per_s);
		rb_summary(rec, "ratio_to_baseline", r.ops_per_s / r.baseline_ops_per_s);
	}
	rb_verify(rec, r.verified, "inserted = deleted + left (multiset fingerprint), and a "
		  "drain empties the queue");
	return 0;
}

static int pq_run(const struct rb_run *run, struct rb_recorder *rec, const struct mq_ops *ops)
{
	struct pq_setup s;
	int rc = pq_setup_from(run, rec, ops, &s);

	if (rc)
		return rc;
	rb_summary(rec, "q", s.cfg.queues);
	if (!strcmp(rb_param_str(run, "measure"), "quality"))
		return pq_quality(run, rec, &s);
	return pq_timed_run(run, rec, &s);
}

static int multiqueue_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return pq_run(run, rec, &multiqueue_ops);
}

static int locked_heap_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return pq_run(run, rec, &locked_heap_ops);
}

/* ---- the sequential simulation ---- */

struct seq_sim {
	struct mq *mq;
	struct mq_handle h;
	struct oplog log;
	struct key_source keys;
	_Atomic uint64_t label;
};

static int seq_steps(struct seq_sim *sim, uint64_t prefill, uint64_t deletions)
{
	uint64_t key;

	for (uint64_t i = 0; i < prefill; i++)
		if (multiqueue_ops.push(sim->mq, &sim->h, next_key(&sim->keys, &sim->h.rng)) != 0)
			return -1;
	for (uint64_t d = 0; d < deletions; d++) {
		if (multiqueue_ops.push(sim->mq, &sim->h, next_key(&sim->keys, &sim->h.rng)) != 0)
			return -1;
		if (!multiqueue_ops.try_pop(sim->mq, &sim->h, &key))
			return -2;
	}
	return 0;
}

static int seq_score(const struct rb_run *run, struct rb_recorder *rec, struct seq_sim *sim,
		     uint64_t prefill, uint64_t deletions)
{
	struct rank_report report;
	uint64_t skip = (uint64_t)(rb_param_real(run, "warmup") * (double)deletions);

	if (rank_replay(&sim->log, skip, &report) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to replay %zu operations",
			       sim->log.size);
	wl_record_rank_report(rec, &report);
	wl_verify_rank_report(rec, &report, prefill + deletions, deletions,
			      multiqueue_ops.size(sim->mq));
	rank_report_free(&report);
	return 0;
}

static int multiqueue_seq_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int q = (int)rb_param_int(run, "q");
	uint64_t deletions = (uint64_t)rb_param_int(run, "deletions");
	uint64_t prefill = (uint64_t)rb_param_int(run, "prefill_per_queue") * (uint64_t)q;
	struct mq_config cfg = { .queues = q, .stickiness = (int)rb_param_int(run, "stickiness"),
				 .capacity_hint = prefill };
	struct seq_sim sim = { .mq = multiqueue_ops.create(&cfg) };
	int rc;

	atomic_init(&sim.label, 0);
	sim.keys = (struct key_source){
		.keys = strcmp(rb_param_str(run, "keys"), "increasing") ? MQ_KEYS_UNIFORM : MQ_KEYS_INCREASING,
		.label = &sim.label,
	};
	if (!sim.mq || oplog_init(&sim.log, prefill + 2 * deletions, OPLOG_CLOCK_SEQUENCE) != 0) {
		multiqueue_ops.destroy(sim.mq);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for q = %d and a log of %llu "
			       "operations", q, (unsigned long long)(prefill + 2 * deletions));
	}
	mq_handle_init(&sim.h, run->seed, 0, &sim.log);
	rc = seq_steps(&sim, prefill, deletions);
	if (rc != 0)
		rc = rb_fail(rec, rc == -1 ? RB_OUT_OF_MEMORY : RB_VERIFY_FAILED, "%s",
			     rc == -1 ? "no memory to grow a heap"
				      : "a deletion found the queue empty while it held the prefill");
	else {
		rb_summary(rec, "q", q);
		rb_eval_begin(rec);
		rc = seq_score(run, rec, &sim, prefill, deletions);
		rb_eval_end(rec);
	}
	oplog_free(&sim.log);
	multiqueue_ops.destroy(sim.mq);
	return rc;
}

const struct rb_algorithm multiqueue_seq_algorithm = {
	.name = "multiqueue_seq",
	.family = "relaxed_structures",
	.summary = "sequential two-choice MultiQueue process; rank error and delay of every deletion",
	.paper = "arXiv 1804.01018",
	.params = multiqueue_seq_params,
	.run = multiqueue_seq_run,
};

const struct rb_algorithm multiqueue_algorithm = {
	.name = "multiqueue",
	.family = "relaxed_structures",
	.summary = "concurrent MultiQueue (OpenMP threads): timed throughput, or logged rank error",
	.paper = "arXiv 1804.01018",
	.params = multiqueue_params,
	.run = multiqueue_run,
};

const struct rb_algorithm locked_heap_algorithm = {
	.name = "locked_heap",
	.family = "relaxed_structures",
	.summary = "one binary heap under one lock, the exact baseline of the MultiQueue",
	.paper = "arXiv 1804.01018",
	.params = locked_heap_params,
	.run = locked_heap_run,
};

/* ---- make bench ---- */

/* One bench row: a MultiQueue variant and the locked heap, opened and prefilled once;
 * every repetition is a paired run of ABBA slices on them (the queues stay at the
 * prefill's size, since each thread alternates push and pop). */
struct mq_bench_pair {
	struct pq_timed a, b;
};

static int mq_bench_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct mq_bench_pair *p = arg;

	if (paired_alternate(&p->a.side, &p->b.side, MQ_BENCH_SLICES, MQ_BENCH_SECONDS, err,
			     errlen) != 0)
		return -1;
	*rep = (struct bench_rep){ .figure = pq_timed_rate(&p->a), .limit = pq_timed_rate(&p->b) };
	return 0;
}

static int mq_bench_row(struct bench_ctx *ctx, const struct mq_ops *ops, int threads,
			int stickiness, char *err, size_t errlen)
{
	struct pq_setup s = {
		.ops = ops, .threads = threads, .seed = 1, .keys = MQ_KEYS_UNIFORM,
		.prefill = MQ_BENCH_PREFILL, .seconds = MQ_BENCH_SECONDS,
		.cfg = { .queues = MQ_BENCH_QUEUES_PER_THREAD * threads, .stickiness = stickiness,
			 .capacity_hint = MQ_BENCH_PREFILL },
	};
	struct pq_setup baseline = pq_baseline_of(&s);
	struct mq_bench_pair p;
	char params[128];

	if (pq_timed_open(&p.a, &s, err, errlen) != 0)
		return -1;
	if (pq_timed_open(&p.b, &baseline, err, errlen) != 0) {
		pq_timed_free(&p.a);
		return -1;
	}
	snprintf(params, sizeof(params), "structure=%s;threads=%d;q=%d;stickiness=%d",
		 ops->name, threads, s.cfg.queues, stickiness);
	int rc = bench_measure(ctx, params, threads, BENCH_MIN_REPS, mq_bench_rep, &p, "ops/s",
			       "locked_heap ops/s", err, errlen);
	if (rc == 0 && !(pq_timed_conserved(&p.a) && pq_timed_conserved(&p.b))) {
		snprintf(err, errlen, "%s: a queue lost or duplicated keys", ops->name);
		rc = -1;
	}
	pq_timed_free(&p.a);
	pq_timed_free(&p.b);
	return rc;
}

/* Per thread count: the paper's MultiQueue and the engineered one, with fresh and with
 * sticky choices, each as a ratio to the locked heap timed beside it. */
static int mq_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	static const struct { const struct mq_ops *ops; int stickiness; } rows[] = {
		{ &multiqueue_ops, 1 }, { &multiqueue_ops, MQ_BENCH_STICKY },
		{ &multiqueue_engineered_ops, 1 }, { &multiqueue_engineered_ops, MQ_BENCH_STICKY },
	};
	int threads = ctx->limits.threads < 2 ? ctx->limits.threads : 2;

	for (int t = 1; t <= threads; t++)
		for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			if (mq_bench_row(ctx, rows[k].ops, t, rows[k].stickiness, err, errlen) != 0)
				return -1;
	return 0;
}

const struct bench_case relaxed_structures_multiqueue_bench = {
	.name = "multiqueue",
	.family = "relaxed_structures",
	.doc = "MultiQueue (paper, engineered) insert/delete-min ops/s (q = 4 x threads, 50/50, "
	       "10^6 prefill, uniform 24-bit keys) / one locked binary heap's ops/s, paired",
	.run = mq_bench_run,
};
