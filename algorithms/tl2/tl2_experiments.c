/*
 * tl2_experiments: TL2 with relaxed MultiCounter timestamps, from
 *   D. Alistarh, T. Brown, J. Kopinsky, J. Z. Li, G. Nadiradze, "Distributionally
 *   Linearizable Data Structures", SPAA 2018, arXiv 1804.01018 (TL2 throughput "up to
 *   3x" with MultiCounter timestamps, for some settings).
 * A run times TL2 with one clock on one workload for `seconds`, cut into slices that
 * alternate (ABBA) with the same workload under GV4 on its own copy of the data, so the
 * ratio of the two is measured under the same machine conditions. After the timing,
 * each copy's checker (bank totals, set replay, disjoint words) must find no
 * violation: that is the verifier, and the `violations` metric of the claims.
 */
#include "algorithms/tl2/tl2_experiments.h"

#include <omp.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/paired.h"
#include "algorithms/relaxed_structures/workload.h"
#include "algorithms/tl2/tl2.h"
#include "suite/error.h"

/* Transactions between two looks at the stop flag. */
#define TL2_STOP_CHECK_EVERY 16
#define TL2_MAX_TX_LENGTH 256
#define TL2_BENCH_SECONDS 0.4
#define TL2_BENCH_SLICES 4

static const struct rb_param_spec tl2_params[] = {
	{ "clock", RB_CHOICE, "multicounter", 0, 0, "gv1|gv4|gv5|gv6|multicounter",
	  "version clock: TL2's GV1 (fetch_add), GV4 (CAS, borrow on failure), GV5, GV6, or the relaxed MultiCounter clock" },
	{ "workload", RB_CHOICE, "bank", 0, 0, "bank|list|hash|disjoint",
	  "bank transfers + audits; sorted-list or hash integer set; disjoint per-thread words (clock contention only)" },
	{ "keys", RB_INT, "1024", 2, 1e7, NULL,
	  "accounts (bank), key range (sets), words per thread (disjoint)" },
	{ "tx_length", RB_INT, "4", 1, TL2_MAX_TX_LENGTH, NULL,
	  "accounts per transfer (pairs = tx_length / 2), words per disjoint transaction" },
	{ "update_ratio", RB_REAL, "0.8", 0, 1, NULL,
	  "share of update transactions (transfers, inserts/removes, writes); the rest are read-only" },
	{ "branch", RB_INT, "64", 0, 1e7, NULL,
	  "bank: accounts per branch (transfers and audits stay in one; accounts past the last whole branch stay idle); 0 = the whole bank" },
	{ "m", RB_INT, "0", 0, 65536, NULL, "multicounter clock: counters; 0 = counters_per_thread x threads" },
	{ "counters_per_thread", RB_INT, "2", 1, 1024, NULL, "multicounter clock: c in m = c x threads, when m is 0" },
	{ "stickiness", RB_INT, "1", 1, 1e6, NULL,
	  "multicounter clock: commits a thread keeps its two counters for; 1 = fresh choices (the paper's)" },
	{ "stripes_log2", RB_INT, "20", 4, 24, NULL, "log2 of the versioned-lock stripes (TL2: 20)" },
	{ "seconds", RB_REAL, "0.5", 0.01, 600, NULL, "time the clock under test runs (the GV4 copy as long again)" },
	{ "slices", RB_INT, "4", 1, 1000, NULL, "timed slices per copy, alternating with GV4's" },
	{ "paired", RB_BOOL, "true", 0, 0, NULL,
	  "also time GV4 on a fresh copy in alternating slices and record ratio_to_gv4 (not for clock=gv4)" },
	{ 0 },
};

struct tl2_thread {
	alignas(64) struct tl2_tx tx;
	struct tl2_wl_thread wl;
};

/* One clock on its own copy of the workload, timed in slices. */
struct instance {
	const struct tl2_setup *s;
	struct tl2_stm *stm;
	struct tl2_workload *w;
	struct tl2_thread *th;
	struct wl_stop stop;
	double deadline;
	int team, initialised;
	struct paired_side side;   /* its timed wall and CPU seconds (kernels/paired) */
	uint64_t commits_before, aborts_before;
};

static uint64_t instance_commits(const struct instance *in)
{
	uint64_t n = 0;
	for (int t = 0; t < in->s->wl.threads; t++)
		n += in->th[t].tx.stats.commits;
	return n;
}

static uint64_t instance_aborts(const struct instance *in)
{
	uint64_t n = 0;
	for (int t = 0; t < in->s->wl.threads; t++) {
		const struct tl2_stats *st = &in->th[t].tx.stats;
		n += st->aborts_read + st->aborts_lock + st->aborts_validate;
	}
	return n;
}

static void instance_close(struct instance *in)
{
	for (int t = 0; in->th && t < in->initialised; t++) {
		tl2_tx_free(&in->th[t].tx);
		in->s->workload->thread_free(in->w, &in->th[t].wl);
	}
	free(in->th);
	if (in->w)
		in->s->workload->destroy(in->w);
	tl2_destroy(in->stm);
}

static int instance_open(struct instance *in, const struct tl2_setup *s, char *err, size_t errlen)
{
	int n = s->wl.threads;

	*in = (struct instance){ .s = s };
	atomic_init(&in->stop.stop, false);
	in->stm = tl2_create(s->clock, &s->clock_cfg, s->stripes_log2);
	in->w = in->stm ? s->workload->create(&s->wl) : NULL;
	in->th = in->w ? aligned_alloc(alignof(struct tl2_thread), (size_t)n * sizeof(*in->th)) : NULL;
	for (int t = 0; in->th && t < n; t++) {
		if (tl2_tx_init(&in->th[t].tx, in->stm, t, s->wl.seed) != 0)
			break;
		if (s->workload->thread_init(in->w, &in->th[t].wl, t, s->wl.seed) != 0) {
			tl2_tx_free(&in->th[t].tx);
			break;
		}
		in->initialised++;
	}
	if (in->initialised == n)
		return 0;
	instance_close(in);
	snprintf(err, errlen, "out of memory for TL2 (%s clock, %s workload)", s->clock->name,
		 s->workload->name);
	return -1;
}

static void instance_loop(void *ctx, int tid)
{
	struct instance *in = ctx;
	struct tl2_thread *me = &in->th[tid];

	for (;;) {
		for (int k = 0; k < TL2_STOP_CHECK_EVERY; k++)
			in->s->workload->operation(in->w, &me->wl, &me->tx);
		if (paired_over(&in->stop.stop, in->deadline, tid))
			return;
	}
}

static int instance_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct instance *in = ctx;

	in->team = paired_team(in->s->wl.threads, seconds, elapsed, &in->stop.stop, &in->deadline,
			       instance_loop, in);
	if (in->team == in->s->wl.threads)
		return 0;
	snprintf(err, errlen, "OpenMP gave %d threads of %d", in->team, in->s->wl.threads);
	return -1;
}

static void instance_restart(void *ctx)
{
	struct instance *in = ctx;

	in->commits_before = instance_commits(in);
	in->aborts_before = instance_aborts(in);
}

static void instance_result(struct instance *in, struct tl2_result *r)
{
	uint64_t commits = instance_commits(in) - in->commits_before;
	uint64_t aborts = instance_aborts(in) - in->aborts_before;
	uint64_t read_only = 0, advances = 0, all = instance_commits(in);

	for (int t = 0; t < in->s->wl.threads; t++) {
		read_only += in->th[t].tx.stats.read_only_commits;
		advances += in->th[t].tx.clock.advances;
	}
	*r = (struct tl2_result){
		.commits_per_s = (double)commits / in->side.elapsed,
		.abort_rate = commits + aborts ? (double)aborts / (double)(commits + aborts) : 0.0,
		.read_only_share = all ? (double)read_only / (double)all : 0.0,
		.advances_per_commit = all ? (double)advances / (double)all : 0.0,
		.cpu_share = paired_cpu_share(&in->side, NULL, in->s->wl.threads),
		.commits = (unsigned long long)commits,
	};
	struct tl2_wl_thread *wl = malloc((size_t)in->s->wl.threads * sizeof(*wl));
	if (!wl) {
		r->violations = -1;
		return;
	}
	for (int t = 0; t < in->s->wl.threads; t++)
		wl[t] = in->th[t].wl;
	r->violations = in->s->workload->check(in->w, wl, in->s->wl.threads);
	free(wl);
}

int tl2_measure(const struct tl2_setup *s, const struct tl2_setup *baseline, struct tl2_result *r,
		struct tl2_result *rb, char *err, size_t errlen)
{
	struct instance a, b;

	if (instance_open(&a, s, err, errlen) != 0)
		return -1;
	if (baseline && instance_open(&b, baseline, err, errlen) != 0) {
		instance_close(&a);
		return -1;
	}
	struct instance *other = baseline ? &b : NULL;
	a.side = (struct paired_side){ .ctx = &a, .run = instance_slice, .restart = instance_restart };
	b.side = (struct paired_side){ .ctx = &b, .run = instance_slice, .restart = instance_restart };
	int rc = paired_alternate(&a.side, other ? &other->side : NULL, s->slices, s->seconds, err,
				  errlen);
	if (rc == 0) {
		instance_result(&a, r);
		if (other)
			instance_result(other, rb);
	}
	instance_close(&a);
	if (other)
		instance_close(other);
	return rc;
}

static void record(struct rb_recorder *rec, const char *prefix, const struct tl2_result *r)
{
	char name[64];

	snprintf(name, sizeof(name), "%scommits_per_s", prefix);
	rb_summary(rec, name, r->commits_per_s);
	snprintf(name, sizeof(name), "%sabort_rate", prefix);
	rb_summary(rec, name, r->abort_rate);
	snprintf(name, sizeof(name), "%sviolations", prefix);
	rb_summary(rec, name, (double)r->violations);
}

static int setup_of(const struct rb_run *run, struct tl2_setup *s, struct rb_recorder *rec)
{
	long long m = rb_param_int(run, "m");
	long long per_thread = rb_param_int(run, "counters_per_thread");

	*s = (struct tl2_setup){
		.clock = tl2_clock_find(rb_param_str(run, "clock")),
		.workload = tl2_workload_find(rb_param_str(run, "workload")),
		.clock_cfg = { .counters = (int)(m > 0 ? m : per_thread * run->threads),
			       .stickiness = (int)rb_param_int(run, "stickiness") },
		.wl = { .threads = run->threads, .keys = (long)rb_param_int(run, "keys"),
			.tx_length = (int)rb_param_int(run, "tx_length"),
			.update_ratio = rb_param_real(run, "update_ratio"),
			.branch = (long)rb_param_int(run, "branch"), .seed = run->seed },
		.stripes_log2 = (int)rb_param_int(run, "stripes_log2"),
		.seconds = rb_param_real(run, "seconds"),
		.slices = (int)rb_param_int(run, "slices"),
	};
	if (s->clock_cfg.counters > 65536)
		return rb_fail(rec, RB_INVALID_INPUT, "m = %lld x %d threads is above 65536", per_thread,
			       run->threads);
	if (s->wl.keys >= (1L << 31) / (s->workload == &tl2_disjoint_ops ? run->threads : 1))
		return rb_fail(rec, RB_INVALID_INPUT, "keys x threads is too large for the disjoint workload");
	return 0;
}

static int tl2_run_experiment(const struct rb_run *run, struct rb_recorder *rec)
{
	struct tl2_setup s, baseline;
	struct tl2_result r, rb;
	char err[256];

	int rc = setup_of(run, &s, rec);
	if (rc != 0)
		return rc;
	bool paired = rb_param_bool(run, "paired") && s.clock != &tl2_clock_gv4_ops;
	baseline = s;
	baseline.clock = &tl2_clock_gv4_ops;
	if (tl2_measure(&s, paired ? &baseline : NULL, &r, &rb, err, sizeof(err)) != 0)
		return rb_fail(rec, RB_ERROR, "%s", err);
	rb_summary(rec, "m", s.clock == &tl2_clock_multicounter_ops ? s.clock_cfg.counters : 1);
	record(rec, "", &r);
	rb_summary(rec, "read_only_share", r.read_only_share);
	rb_summary(rec, "advances_per_commit", r.advances_per_commit);
	rb_summary(rec, "cpu_share", r.cpu_share);
	rb_log(rec, "%s on %s: %llu commits timed, %ld violations", s.clock->name, s.workload->name,
	       r.commits, r.violations);
	if (paired) {
		record(rec, "gv4_", &rb);
		rb_summary(rec, "ratio_to_gv4", r.commits_per_s / rb.commits_per_s);
		rb_summary(rec, "cpu_share", (r.cpu_share + rb.cpu_share) / 2);
	}
	rb_verify(rec, r.violations == 0 && (!paired || rb.violations == 0),
		  "every committed transaction saw a consistent state (audits, replay, final state)");
	return 0;
}

const struct rb_algorithm tl2_algorithm = {
	.name = "tl2",
	.family = "tl2",
	.summary = "word-based TL2 with GV1/GV4/GV5/GV6 or MultiCounter timestamps; commits/s, aborts, consistency",
	.paper = "arXiv 1804.01018",
	.params = tl2_params,
	.run = tl2_run_experiment,
};

/* ---- make bench ---- */

struct bench_pair {
	struct tl2_setup s, baseline;
	const char *name;
};

/* One repetition: the MultiCounter clock and GV4 in alternating slices (tl2_measure). */
static int bench_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct bench_pair *p = arg;
	struct tl2_result r, rb;
	if (tl2_measure(&p->s, &p->baseline, &r, &rb, err, errlen) != 0)
		return -1;
	if (r.violations != 0 || rb.violations != 0)
		return rb_error(err, errlen, "%s: consistency violations", p->name);
	*rep = (struct bench_rep){ r.commits_per_s, rb.commits_per_s };
	return 0;
}

static int bench_row(struct bench_ctx *ctx, const char *workload, int threads, int per_thread,
		     int stickiness, char *err, size_t errlen)
{
	struct bench_pair p = { .name = ctx->bcase->name };
	p.s = (struct tl2_setup){
		.clock = &tl2_clock_multicounter_ops, .workload = tl2_workload_find(workload),
		.clock_cfg = { .counters = per_thread * threads, .stickiness = stickiness },
		.wl = { .threads = threads, .keys = 1024, .tx_length = 4, .update_ratio = 1.0,
			.branch = 64, .seed = 1 },
		.stripes_log2 = 20, .seconds = TL2_BENCH_SECONDS, .slices = TL2_BENCH_SLICES,
	};
	p.baseline = p.s;
	p.baseline.clock = &tl2_clock_gv4_ops;
	char params[128];
	snprintf(params, sizeof(params), "workload=%s;threads=%d;m=%d;stickiness=%d", workload,
		 threads, per_thread * threads, stickiness);
	return bench_measure(ctx, params, threads, BENCH_MIN_REPS, bench_rep, &p, "commits/s",
			     "gv4_commits/s", err, errlen);
}

/* Write-only transactions on disjoint words (the clock is the only shared line) and
 * bank transfers, fresh and sticky MultiCounter choices, each against GV4. */
static int bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	static const struct { const char *workload; int per_thread, stickiness; } rows[] = {
		{ "disjoint", 2, 1 }, { "disjoint", 32, 256 }, { "bank", 2, 1 },
	};

	for (int t = 1; t <= ctx->limits.threads; t++)
		for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			if (bench_row(ctx, rows[k].workload, t, rows[k].per_thread, rows[k].stickiness,
				      err, errlen) != 0)
				return -1;
	return 0;
}

const struct bench_case tl2_clock_bench = {
	.name = "tl2_clock",
	.family = "tl2",
	.doc = "TL2 commits/s with the MultiCounter clock / with GV4, alternating slices in each "
	       "repetition",
	.run = bench_run,
};
