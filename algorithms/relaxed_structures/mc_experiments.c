/*
 * mc_experiments: MultiCounter experiments of
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018.
 * m counters; an increment adds one to the smaller of two random counters, a read
 * returns m times a random one. Two-choice balancing keeps the counters within
 * O(log log m) of their mean, so |read - true| stays O(m) however long the run is.
 *
 *   multicounter_seq   one thread, the process of the theory: every increment (or
 *                      every read_every-th) is followed by a read, scored against the
 *                      exact count; skew = max - min of the counters at checkpoints
 *   multicounter       concurrent, OpenMP threads: measure=throughput is a timed run of
 *   fetch_add_counter  increments (nothing logged); measure=quality logs every increment
 *                      and read with its tick and replays the merged logs: the true count
 *                      at a read is the number of increments logged before it
 *
 * Verifier: the counters sum exactly to the number of increments made.
 */
#include "algorithms/relaxed_structures/mc_experiments.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/paired.h"
#include "algorithms/relaxed_structures/multicounter.h"
#include "algorithms/relaxed_structures/oplog.h"
#include "algorithms/relaxed_structures/workload.h"

/* Counters per thread of the bench case's plain row. */
#define MC_BENCH_COUNTERS_PER_THREAD 2
/* Reads after this share of the increments are scored for the relative error: the
 * relative error at (about) the run's final count. */
#define MC_FINAL_SHARE 0.1
/* A quality run's thread 0 samples the skew every this many increments. */
#define MC_SKEW_SAMPLE_EVERY 256
/* The bench case: seconds per side of a repetition (ABBA slices); the sticky rows'
 * configuration (m = 32 p, s = 256, the one that beat fetch_add in issue 20). */
#define MC_BENCH_SECONDS 0.12
#define MC_BENCH_SLICES 4
#define MC_BENCH_STICKY_PER_THREAD 32
#define MC_BENCH_STICKY 256

static const struct rb_param_spec multicounter_seq_params[] = {
	{ "m", RB_INT, "8", 1, 65536, NULL, "counters; a read is m x one counter" },
	{ "increments", RB_INT, "1000000", 1, 1e10, NULL, "increments in the run" },
	{ "read_every", RB_INT, "1", 1, 1e6, NULL, "a read after every this many increments" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL, "increments that reuse the same two counters; 1 = fresh choices" },
	{ "warmup", RB_REAL, "0.1", 0, 0.9, NULL, "share of the increments whose reads are not scored for the mean error" },
	{ "checkpoints", RB_INT, "40", 2, 10000, NULL, "points of the series over time (geometrically spaced)" },
	{ 0 },
};

#define MC_CONCURRENT_PARAMS \
	{ "measure", RB_CHOICE, "throughput", 0, 0, "throughput|quality", \
	  "throughput: a timed run of increments, nothing logged; quality: increments and reads logged and replayed" }, \
	{ "seconds", RB_REAL, "0.5", 0.01, 600, NULL, "time the counter runs in a timed run" }, \
	{ "slices", RB_INT, "4", 1, 1000, NULL, \
	  "a timed run is cut into this many slices (alternating with the baseline's when paired)" }, \
	{ "increments_per_thread", RB_INT, "200000", 1, 1e9, NULL, "increments per thread of a quality run" }, \
	{ "read_every", RB_INT, "4", 1, 1e6, NULL, "a quality run reads after every this many increments" }, \
	{ "warmup", RB_REAL, "0.1", 0, 0.9, NULL, "share of the increments whose reads are not scored for the mean error" }, \
	{ "checkpoints", RB_INT, "40", 2, 10000, NULL, "points of a quality run's series over time" }

static const struct rb_param_spec multicounter_params[] = {
	{ "variant", RB_CHOICE, "paper", 0, 0, "paper|engineered",
	  "paper: two fresh (or sticky) random counters compared on every increment; engineered: "
	  "distinct choices from an inline generator, compared once per `stickiness` increments" },
	{ "m", RB_INT, "0", 0, 65536, NULL, "counters; 0 = counters_per_thread x threads" },
	{ "counters_per_thread", RB_INT, "2", 1, 1024, NULL, "c in m = c x threads, when m is 0" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL, "increments a thread reuses its two counters for; 1 = none" },
	{ "paired", RB_BOOL, "true", 0, 0, NULL,
	  "a timed run also times one fetch_add counter, alternating slices, and records ratio_to_baseline" },
	MC_CONCURRENT_PARAMS,
	{ 0 },
};

static const struct rb_param_spec fetch_add_counter_params[] = {
	MC_CONCURRENT_PARAMS,
	{ 0 },
};

/* ---- the error of reads against the true count, as the run goes ---- */

struct err_acc {
	double m;
	uint64_t total;                  /* increments the run will make */
	uint64_t warmup_at, final_at;    /* true counts after which reads are scored */
	double error_sum, relative_sum;  /* |read - true| / m, |read - true| / true */
	uint64_t errors, relatives;
	uint64_t *checkpoints;           /* ascending true counts */
	int n_checkpoints, next;
	double interval_error, interval_relative;
	uint64_t interval_reads;
	double max_skew, skew_sum;
	uint64_t skews;
};

/* Geometrically spaced checkpoints from min(total, 100) to total, deduplicated. */
static int err_acc_init(struct err_acc *a, int m, uint64_t total, double warmup, int points)
{
	*a = (struct err_acc){ .m = m, .total = total, .max_skew = 0.0 };
	a->warmup_at = (uint64_t)(warmup * (double)total);
	a->final_at = (uint64_t)((1.0 - MC_FINAL_SHARE) * (double)total);
	a->checkpoints = malloc((size_t)points * sizeof(*a->checkpoints));
	if (!a->checkpoints)
		return -1;
	double first = total < 100 ? (double)total : 100.0;
	for (int k = 0; k < points; k++) {
		double frac = points > 1 ? (double)k / (points - 1) : 1.0;
		uint64_t c = (uint64_t)llround(first * pow((double)total / first, frac));
		if (a->n_checkpoints == 0 || c > a->checkpoints[a->n_checkpoints - 1])
			a->checkpoints[a->n_checkpoints++] = c;
	}
	return 0;
}

static void err_acc_free(struct err_acc *a)
{
	free(a->checkpoints);
}

static void err_acc_read(struct err_acc *a, uint64_t truth, uint64_t value)
{
	double error = fabs((double)value - (double)truth);

	if (truth > a->warmup_at) {
		a->error_sum += error / a->m;
		a->errors++;
	}
	if (truth > a->final_at && truth > 0) {
		a->relative_sum += error / (double)truth;
		a->relatives++;
	}
	a->interval_error += error / a->m;
	a->interval_relative += truth > 0 ? error / (double)truth : 0.0;
	a->interval_reads++;
}

/* Skew samples after the warm-up make the skew summaries. */
static void err_acc_skew(struct err_acc *a, uint64_t truth, double skew)
{
	if (truth <= a->warmup_at)
		return;
	a->max_skew = fmax(a->max_skew, skew);
	a->skew_sum += skew;
	a->skews++;
}

/* At a checkpoint's true count: the interval's mean errors (and the skew, unless NAN)
 * as series points. True when `truth` is a checkpoint. */
static bool err_acc_checkpoint(struct err_acc *a, struct rb_recorder *rec, uint64_t truth,
			       double skew)
{
	if (a->next >= a->n_checkpoints || truth != a->checkpoints[a->next])
		return false;
	a->next++;
	if (a->interval_reads > 0) {
		rb_record(rec, (double)truth, "error_over_m", a->interval_error / (double)a->interval_reads);
		rb_record(rec, (double)truth, "relative_error",
			  a->interval_relative / (double)a->interval_reads);
	}
	if (!isnan(skew))
		rb_record(rec, (double)truth, "skew", skew);
	a->interval_error = a->interval_relative = 0.0;
	a->interval_reads = 0;
	return true;
}

static void err_acc_summarise(const struct err_acc *a, struct rb_recorder *rec)
{
	rb_summary(rec, "mean_error_over_m", a->errors ? a->error_sum / (double)a->errors : 0.0);
	rb_summary(rec, "relative_error", a->relatives ? a->relative_sum / (double)a->relatives : 0.0);
	rb_summary(rec, "reads_scored", (double)a->errors);
	if (a->skews == 0)
		return;
	rb_summary(rec, "max_skew", a->max_skew);
	rb_summary(rec, "mean_skew", a->skew_sum / (double)a->skews);
}

/* ---- the sequential simulation ---- */

static void seq_counter_steps(const struct rb_run *run, struct rb_recorder *rec, struct mc *mc,
			      struct mc_handle *h, struct err_acc *a)
{
	uint64_t n = (uint64_t)rb_param_int(run, "increments");
	uint64_t read_every = (uint64_t)rb_param_int(run, "read_every");

	for (uint64_t t = 1; t <= n; t++) {
		multicounter_ops.increment(mc, h);
		if (t % read_every == 0)
			err_acc_read(a, t, multicounter_ops.read(mc, h));
		if (a->next < a->n_checkpoints && t == a->checkpoints[a->next]) {
			double skew = (double)multicounter_ops.skew(mc);
			err_acc_skew(a, t, skew);
			err_acc_checkpoint(a, rec, t, skew);
		}
	}
}

static int multicounter_seq_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int m = (int)rb_param_int(run, "m");
	uint64_t n = (uint64_t)rb_param_int(run, "increments");
	struct mc_config cfg = { .counters = m, .stickiness = (int)rb_param_int(run, "stickiness") };
	struct mc *mc = multicounter_ops.create(&cfg);
	struct mc_handle h;
	struct err_acc a;

	if (!mc || err_acc_init(&a, m, n, rb_param_real(run, "warmup"),
				(int)rb_param_int(run, "checkpoints")) != 0) {
		multicounter_ops.destroy(mc);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %d counters", m);
	}
	mc_handle_init(&h, run->seed, 0, NULL);
	seq_counter_steps(run, rec, mc, &h, &a);
	err_acc_summarise(&a, rec);
	rb_summary(rec, "m", m);
	uint64_t total = multicounter_ops.total(mc);
	rb_log(rec, "counters sum to %llu after %llu increments", (unsigned long long)total,
	       (unsigned long long)n);
	rb_verify(rec, total == n, "the counters sum to the number of increments");
	err_acc_free(&a);
	multicounter_ops.destroy(mc);
	return 0;
}

/* ---- concurrent runs ---- */

struct ctr_setup {
	const struct mc_ops *ops;
	struct mc_config cfg;
	int threads;
	uint64_t seed;
	double seconds;
	uint64_t increments_per_thread, read_every;
};

struct ctr_worker {
	alignas(64) struct mc_handle h;
	struct oplog log;
	uint64_t increments;
	double skew_max, skew_sum;
	uint64_t skews;
};

struct ctr_shared {
	const struct ctr_setup *s;
	struct mc *mc;
	struct ctr_worker *workers;
	struct wl_stop stop;
	double deadline;
	int team;
};

static void ctr_workers_free(struct ctr_worker *w, int threads)
{
	if (!w)
		return;
	for (int t = 0; t < threads; t++)
		oplog_free(&w[t].log);
	free(w);
}

static struct ctr_worker *ctr_workers_new(const struct ctr_setup *s, bool logged)
{
	struct ctr_worker *w = aligned_alloc(alignof(struct ctr_worker),
					     (size_t)s->threads * sizeof(*w));
	uint64_t entries = s->increments_per_thread + s->increments_per_thread / s->read_every;

	if (!w)
		return NULL;
	memset(w, 0, (size_t)s->threads * sizeof(*w));
	for (int t = 0; t < s->threads; t++) {
		struct oplog *log = logged ? &w[t].log : NULL;
		if (logged && oplog_init(log, entries, OPLOG_CLOCK_MONOTONIC) != 0) {
			ctr_workers_free(w, s->threads);
			return NULL;
		}
		mc_handle_init(&w[t].h, s->seed, (uint64_t)t, log);
	}
	return w;
}

static void ctr_timed_loop(void *ctx, int tid)
{
	struct ctr_shared *sh = ctx;
	struct ctr_worker *w = &sh->workers[tid];
	void (*increment)(struct mc *, struct mc_handle *) = sh->s->ops->increment;

	for (;;) {
		for (int k = 0; k < WL_STOP_CHECK_EVERY; k++)
			increment(sh->mc, &w->h);
		w->increments += WL_STOP_CHECK_EVERY;
		if (paired_over(&sh->stop.stop, sh->deadline, tid))
			return;
	}
}

static uint64_t ctr_increments(const struct ctr_shared *sh)
{
	uint64_t n = 0;

	for (int t = 0; t < sh->s->threads; t++)
		n += sh->workers[t].increments;
	return n;
}

/* A counter under timing, run in slices so that it can alternate with its baseline
 * (see pq_timed in mq_experiments.c). */
/* A counter under timing, run in slices by kernels/paired (see pq_timed in
 * mq_experiments.c). */
struct ctr_timed {
	struct ctr_shared sh;
	uint64_t increments_before;   /* those of the warm-up, not timed */
	struct paired_side side;
};

static void ctr_timed_free(struct ctr_timed *t)
{
	ctr_workers_free(t->sh.workers, t->sh.s->threads);
	if (t->sh.mc)
		t->sh.s->ops->destroy(t->sh.mc);
}

static int ctr_timed_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct ctr_timed *t = ctx;

	t->sh.team = paired_team(t->sh.s->threads, seconds, elapsed, &t->sh.stop.stop,
				 &t->sh.deadline, ctr_timed_loop, &t->sh);
	if (t->sh.team == t->sh.s->threads)
		return 0;
	snprintf(err, errlen, "OpenMP gave %d threads of %d", t->sh.team, t->sh.s->threads);
	return -1;
}

/* After the warm-up slice: what is timed starts here (exactness counts everything). */
static void ctr_timed_restart(void *ctx)
{
	struct ctr_timed *t = ctx;

	t->increments_before = ctr_increments(&t->sh);
}

static int ctr_timed_open(struct ctr_timed *t, const struct ctr_setup *s, char *err, size_t errlen)
{
	*t = (struct ctr_timed){ .sh = { .s = s } };
	t->side = (struct paired_side){ .ctx = t, .run = ctr_timed_slice, .restart = ctr_timed_restart };
	atomic_init(&t->sh.stop.stop, false);
	t->sh.mc = s->ops->create(&s->cfg);
	t->sh.workers = t->sh.mc ? ctr_workers_new(s, false) : NULL;
	if (t->sh.workers)
		return 0;
	ctr_timed_free(t);
	snprintf(err, errlen, "out of memory for %s", s->ops->name);
	return -1;
}

struct ctr_rates {
	double per_s, baseline_per_s;
	double cpu_share;   /* CPU time / (wall time x threads) over all slices */
	bool exact;
};

static double ctr_timed_rate(const struct ctr_timed *t)
{
	return (double)(ctr_increments(&t->sh) - t->increments_before) / t->side.elapsed;
}

static bool ctr_timed_exact(const struct ctr_timed *t)
{
	return t->sh.s->ops->total(t->sh.mc) == ctr_increments(&t->sh);
}

static void ctr_rates_of(const struct ctr_timed *a, const struct ctr_timed *b, struct ctr_rates *r)
{
	*r = (struct ctr_rates){ .per_s = ctr_timed_rate(a), .exact = ctr_timed_exact(a) };
	if (b) {
		r->baseline_per_s = ctr_timed_rate(b);
		r->exact = r->exact && ctr_timed_exact(b);
	}
	r->cpu_share = paired_cpu_share(&a->side, b ? &b->side : NULL, a->sh.s->threads);
}

/* Time s (and `baseline` when not NULL) after a warm-up, in alternating slices; the
 * counters must sum exactly to the increments made. */
static int ctr_throughput(const struct ctr_setup *s, const struct ctr_setup *baseline, int slices,
			  struct ctr_rates *r, char *err, size_t errlen)
{
	struct ctr_timed a, b;

	if (ctr_timed_open(&a, s, err, errlen) != 0)
		return -1;
	if (baseline && ctr_timed_open(&b, baseline, err, errlen) != 0) {
		ctr_timed_free(&a);
		return -1;
	}
	struct ctr_timed *other = baseline ? &b : NULL;
	int rc = paired_alternate(&a.side, other ? &other->side : NULL, slices, s->seconds, err,
				  errlen);
	if (rc == 0)
		ctr_rates_of(&a, other, r);
	ctr_timed_free(&a);
	if (other)
		ctr_timed_free(other);
	return rc;
}

/* Thread 0 of a quality run also samples the skew; the scan is not a snapshot, so a
 * sample may be off by the increments that land while it reads. */
static void ctr_sample_skew(struct ctr_shared *sh, struct ctr_worker *w)
{
	double skew = (double)sh->s->ops->skew(sh->mc);

	w->skew_max = fmax(w->skew_max, skew);
	w->skew_sum += skew;
	w->skews++;
}

static void ctr_logged_loop(struct ctr_shared *sh, int tid)
{
	struct ctr_worker *w = &sh->workers[tid];
	const struct mc_ops *ops = sh->s->ops;

	for (uint64_t i = 1; i <= sh->s->increments_per_thread; i++) {
		ops->increment(sh->mc, &w->h);
		if (i % sh->s->read_every == 0)
			ops->read(sh->mc, &w->h);
		if (tid == 0 && i % MC_SKEW_SAMPLE_EVERY == 0 && 2 * i > sh->s->increments_per_thread)
			ctr_sample_skew(sh, w);
	}
	w->increments = sh->s->increments_per_thread;
}

static void ctr_logged_team(struct ctr_shared *sh, double *elapsed)
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
		ctr_logged_loop(sh, tid);
#pragma omp barrier
#pragma omp master
		*elapsed = wl_now() - start;
	}
}

/* Walk the merged log: the true count at a read is the number of increments logged
 * before it. Returns the increments seen. */
static uint64_t ctr_replay(const struct oplog *merged, struct err_acc *a, struct rb_recorder *rec)
{
	uint64_t truth = 0;

	for (size_t e = 0; e < merged->size; e++) {
		const struct oplog_entry *entry = &merged->entries[e];
		if (oplog_kind_of(entry) == OPLOG_READ) {
			err_acc_read(a, truth, entry->key);
			continue;
		}
		truth++;
		err_acc_checkpoint(a, rec, truth, NAN);
	}
	return truth;
}

static int ctr_score(const struct rb_run *run, struct rb_recorder *rec, struct ctr_shared *sh)
{
	const struct ctr_setup *s = sh->s;
	struct oplog *logs = malloc((size_t)s->threads * sizeof(*logs)), merged;
	uint64_t total = ctr_increments(sh);
	struct err_acc a;

	if (!logs || err_acc_init(&a, s->ops->counters(sh->mc), total, rb_param_real(run, "warmup"),
				  (int)rb_param_int(run, "checkpoints")) != 0) {
		free(logs);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to replay the logs");
	}
	for (int t = 0; t < s->threads; t++)
		logs[t] = sh->workers[t].log;
	wl_record_stalls(rec, logs, s->threads);
	int rc = oplog_merge(logs, s->threads, &merged);
	free(logs);
	if (rc != 0) {
		err_acc_free(&a);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory to merge the logs");
	}
	uint64_t logged = ctr_replay(&merged, &a, rec);
	a.max_skew = sh->workers[0].skew_max;
	a.skew_sum = sh->workers[0].skew_sum;
	a.skews = sh->workers[0].skews;
	err_acc_summarise(&a, rec);
	rb_verify(rec, logged == total, "the log holds every increment");
	oplog_free(&merged);
	err_acc_free(&a);
	return 0;
}

static int ctr_quality(const struct rb_run *run, struct rb_recorder *rec, const struct ctr_setup *s)
{
	struct ctr_shared sh = { .s = s };
	double elapsed = 0.0;
	int rc = 0;

	sh.mc = s->ops->create(&s->cfg);
	sh.workers = sh.mc ? ctr_workers_new(s, true) : NULL;
	if (!sh.workers) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the logs of %llu increments",
			     (unsigned long long)s->increments_per_thread * (unsigned long long)s->threads);
		goto out;
	}
	ctr_logged_team(&sh, &elapsed);
	bool overflow = false;
	for (int t = 0; t < s->threads; t++)
		overflow |= sh.workers[t].log.overflow;
	if (sh.team != s->threads || overflow) {
		rc = rb_fail(rec, RB_ERROR, "OpenMP gave %d threads of %d, or a log overflowed",
			     sh.team, s->threads);
		goto out;
	}
	rb_summary(rec, "logged_increments_per_s", (double)ctr_increments(&sh) / elapsed);
	rb_eval_begin(rec);
	uint64_t total = s->ops->total(sh.mc);
	rb_verify(rec, total == ctr_increments(&sh), "the counters sum to the number of increments");
	rc = ctr_score(run, rec, &sh);
	rb_eval_end(rec);
out:
	ctr_workers_free(sh.workers, s->threads);
	s->ops->destroy(sh.mc);
	return rc;
}

static int ctr_timed_run(const struct rb_run *run, struct rb_recorder *rec,
			 const struct ctr_setup *s)
{
	bool paired = s->ops != &fetch_add_counter_ops && rb_param_bool(run, "paired");
	struct ctr_setup baseline = *s;
	struct ctr_rates r = { 0 };
	char err[256];

	baseline.ops = &fetch_add_counter_ops;
	if (ctr_throughput(s, paired ? &baseline : NULL, (int)rb_param_int(run, "slices"), &r, err,
			   sizeof(err)) != 0)
		return rb_fail(rec, RB_ERROR, "%s", err);
	rb_summary(rec, "increments_per_s", r.per_s);
	rb_summary(rec, "cpu_share", r.cpu_share);
	if (paired) {
		rb_summary(rec, "baseline_increments_per_s", r.baseline_per_s);
		rb_summary(rec, "ratio_to_baseline", r.per_s / r.baseline_per_s);
	}
	rb_verify(rec, r.exact, "the counters sum to the number of increments");
	return 0;
}

static int ctr_run(const struct rb_run *run, struct rb_recorder *rec, const struct mc_ops *ops)
{
	bool multi = ops != &fetch_add_counter_ops;
	if (multi && !strcmp(rb_param_str(run, "variant"), "engineered"))
		ops = &multicounter_engineered_ops;
	long long m = multi ? rb_param_int(run, "m") : 1;
	long long per_thread = multi ? rb_param_int(run, "counters_per_thread") : 1;
	struct ctr_setup s = {
		.ops = ops, .threads = run->threads, .seed = run->seed,
		.seconds = rb_param_real(run, "seconds"),
		.increments_per_thread = (uint64_t)rb_param_int(run, "increments_per_thread"),
		.read_every = (uint64_t)rb_param_int(run, "read_every"),
		.cfg = { .counters = (int)(m > 0 ? m : per_thread * (long long)run->threads),
			 .stickiness = multi ? (int)rb_param_int(run, "stickiness") : 1 },
	};

	if (s.cfg.counters > 65536)
		return rb_fail(rec, RB_INVALID_INPUT, "m = %lld x %d threads is above 65536",
			       per_thread, run->threads);
	rb_summary(rec, "m", s.cfg.counters);
	if (!strcmp(rb_param_str(run, "measure"), "quality"))
		return ctr_quality(run, rec, &s);
	return ctr_timed_run(run, rec, &s);
}

static int multicounter_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return ctr_run(run, rec, &multicounter_ops);
}

static int fetch_add_counter_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return ctr_run(run, rec, &fetch_add_counter_ops);
}

const struct rb_algorithm multicounter_seq_algorithm = {
	.name = "multicounter_seq",
	.family = "relaxed_structures",
	.summary = "sequential MultiCounter process; |read - true| and counter skew over time",
	.paper = "arXiv 1804.01018",
	.params = multicounter_seq_params,
	.run = multicounter_seq_run,
};

const struct rb_algorithm multicounter_algorithm = {
	.name = "multicounter",
	.family = "relaxed_structures",
	.summary = "concurrent MultiCounter (OpenMP threads): timed increments, or logged read error",
	.paper = "arXiv 1804.01018",
	.params = multicounter_params,
	.run = multicounter_run,
};

const struct rb_algorithm fetch_add_counter_algorithm = {
	.name = "fetch_add_counter",
	.family = "relaxed_structures",
	.summary = "one atomic counter (fetch_add), the exact baseline of the MultiCounter",
	.paper = "arXiv 1804.01018",
	.params = fetch_add_counter_params,
	.run = fetch_add_counter_run,
};

/* ---- make bench ---- */

/* One bench row: a MultiCounter variant and one fetch_add counter, created once; every
 * repetition is a paired run of ABBA slices on them. */
struct mc_bench_pair {
	struct ctr_timed a, b;
};

static int mc_bench_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct mc_bench_pair *p = arg;

	if (paired_alternate(&p->a.side, &p->b.side, MC_BENCH_SLICES, MC_BENCH_SECONDS, err,
			     errlen) != 0)
		return -1;
	*rep = (struct bench_rep){ .figure = ctr_timed_rate(&p->a), .limit = ctr_timed_rate(&p->b) };
	return 0;
}

static int mc_bench_row(struct bench_ctx *ctx, const struct mc_ops *ops, int threads,
			int counters, int stickiness, char *err, size_t errlen)
{
	struct ctr_setup s = {
		.ops = ops, .threads = threads, .seed = 1, .seconds = MC_BENCH_SECONDS,
		.read_every = 1, .cfg = { .counters = counters, .stickiness = stickiness },
	};
	struct ctr_setup baseline = s;
	struct mc_bench_pair p;
	char params[128];

	baseline.ops = &fetch_add_counter_ops;
	if (ctr_timed_open(&p.a, &s, err, errlen) != 0)
		return -1;
	if (ctr_timed_open(&p.b, &baseline, err, errlen) != 0) {
		ctr_timed_free(&p.a);
		return -1;
	}
	snprintf(params, sizeof(params), "structure=%s;threads=%d;m=%d;stickiness=%d", ops->name,
		 threads, counters, stickiness);
	int rc = bench_measure(ctx, params, threads, BENCH_MIN_REPS, mc_bench_rep, &p, "incr/s",
			       "fetch_add incr/s", err, errlen);
	if (rc == 0 && !(ctr_timed_exact(&p.a) && ctr_timed_exact(&p.b))) {
		snprintf(err, errlen, "%s: the counters lost increments", ops->name);
		rc = -1;
	}
	ctr_timed_free(&p.a);
	ctr_timed_free(&p.b);
	return rc;
}

/* Per thread count: the paper's MultiCounter (m = 2p, fresh choices; m = 32p sticky)
 * and the engineered one in the same two settings, as ratios to fetch_add. */
static int mc_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	static const struct { const struct mc_ops *ops; int per_thread, stickiness; } rows[] = {
		{ &multicounter_ops, MC_BENCH_COUNTERS_PER_THREAD, 1 },
		{ &multicounter_ops, MC_BENCH_STICKY_PER_THREAD, MC_BENCH_STICKY },
		{ &multicounter_engineered_ops, MC_BENCH_COUNTERS_PER_THREAD, 1 },
		{ &multicounter_engineered_ops, MC_BENCH_STICKY_PER_THREAD, MC_BENCH_STICKY },
	};
	int threads = ctx->limits.threads < 2 ? ctx->limits.threads : 2;

	for (int t = 1; t <= threads; t++)
		for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			if (mc_bench_row(ctx, rows[k].ops, t, rows[k].per_thread * t,
					 rows[k].stickiness, err, errlen) != 0)
				return -1;
	return 0;
}

const struct bench_case relaxed_structures_multicounter_bench = {
	.name = "multicounter",
	.family = "relaxed_structures",
	.doc = "MultiCounter (paper, engineered) increments/s / one fetch_add counter's "
	       "increments/s, paired",
	.run = mc_bench_run,
};
