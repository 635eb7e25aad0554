/*
 * mis_exec: the scheduler loop of greedy MIS / matching (arXiv 1808.04155), sequential
 * and concurrent. Termination of the concurrent loop: an empty get-min does not mean the
 * work is done (another thread may hold a task it will re-insert), so threads count the
 * tasks finished for good in one shared counter, in batches, and stop when it reaches the
 * task count (notes section 1.4, "Emptiness").
 */
#include "algorithms/relaxed_mis/mis_exec.h"

#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Finished tasks a thread counts locally before adding them to the shared counter. */
#define MIS_DONE_BATCH 64

static double now_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void count_outcome(struct mis_counts *c, enum greedy_outcome o)
{
	c->processed += o == GREEDY_PROCESSED;
	c->dead += o == GREEDY_DEAD;
	c->wasted += o == GREEDY_WASTED;
}

int mis_simulate(struct greedy_instance *in, struct sched *s, struct mis_counts *c)
{
	uint64_t key;

	*c = (struct mis_counts){ 0 };
	if (sched_fill(s, in->tasks) != 0)
		return -1;
	while (sched_pop(s, &key)) {
		enum greedy_outcome o = greedy_step(in, (uint32_t)key);
		count_outcome(c, o);
		if (o == GREEDY_WASTED && sched_push(s, key) != 0)
			return -1;
	}
	return 0;
}

/* ---- concurrent ---- */


static int insert_share(struct mis_shared *sh, struct mq_handle *h, int tid)
{
	for (uint64_t r = (uint64_t)tid; r < sh->in->tasks; r += (uint64_t)sh->cfg->threads)
		if (sh->cfg->ops->push(sh->mq, h, r) != 0)
			return -1;
	return 0;
}

static void work_loop(struct mis_shared *sh, struct mq_handle *h, struct mis_counts *c)
{
	const struct mq_ops *ops = sh->cfg->ops;
	uint64_t key, unflushed = 0;

	for (;;) {
		if (!ops->try_pop(sh->mq, h, &key)) {
			atomic_fetch_add_explicit(&sh->finished, unflushed, memory_order_relaxed);
			unflushed = 0;
			if (atomic_load_explicit(&sh->finished, memory_order_relaxed) >= sh->in->tasks
			    || atomic_load_explicit(&sh->failed, memory_order_relaxed))
				return;
			continue;
		}
		enum greedy_outcome o = greedy_step(sh->in, (uint32_t)key);
		count_outcome(c, o);
		if (o != GREEDY_WASTED) {
			if (++unflushed == MIS_DONE_BATCH) {
				atomic_fetch_add_explicit(&sh->finished, unflushed, memory_order_relaxed);
				unflushed = 0;
			}
			continue;
		}
		if (ops->push(sh->mq, h, key) != 0) {
			atomic_store(&sh->failed, 1);
			return;
		}
	}
}

int mis_shared_open(struct mis_shared *sh, struct greedy_instance *in,
		    const struct mis_parallel_config *cfg, struct mis_thread_counts *counts)
{
	struct mq_config mc = { .queues = cfg->queues, .stickiness = cfg->stickiness,
				.capacity_hint = in->tasks };

	sh->in = in;
	sh->cfg = cfg;
	sh->counts = counts;
	atomic_init(&sh->finished, 0);
	atomic_init(&sh->failed, 0);
	memset(counts, 0, (size_t)cfg->threads * sizeof(*counts));
	sh->mq = cfg->ops->create(&mc);
	return sh->mq ? 0 : -1;
}

void mis_shared_close(struct mis_shared *sh)
{
	if (sh->mq)
		sh->cfg->ops->destroy(sh->mq);
	sh->mq = NULL;
}

void mis_thread(struct mis_shared *sh, int tid)
{
	struct mq_handle h;
	struct mis_counts c = { 0 };

	mq_handle_init(&h, sh->cfg->seed, (uint64_t)tid, NULL);
	if (insert_share(sh, &h, tid) != 0)
		atomic_store(&sh->failed, 1);
	else
		work_loop(sh, &h, &c);
	sh->counts[tid].c = c;
}

bool mis_shared_failed(struct mis_shared *sh)
{
	return atomic_load(&sh->failed) != 0;
}

/* This thread's involuntary context switches so far. */
static long involuntary_switches(void)
{
	struct rusage u;
	return getrusage(RUSAGE_THREAD, &u) == 0 ? u.ru_nivcsw : 0;
}

static void parallel_team(struct mis_shared *sh, struct mis_parallel_result *r)
{
	double wall = 0.0, cpu = 0.0;

#pragma omp parallel num_threads(sh->cfg->threads)
	{
		int tid = omp_get_thread_num();
		struct mq_handle h;
		struct mis_counts c = { 0 };
#pragma omp single
		r->team = omp_get_num_threads();
		mq_handle_init(&h, sh->cfg->seed, (uint64_t)tid, NULL);
		if (tid < sh->cfg->threads && insert_share(sh, &h, tid) != 0)
			atomic_store(&sh->failed, 1);
		/* The clock starts once every task is in: filling the scheduler is set-up
		 * (sequential greedy has none), the processing loop is what is compared. */
#pragma omp barrier
#pragma omp master
		{
			wall = now_s(CLOCK_MONOTONIC);
			cpu = now_s(CLOCK_PROCESS_CPUTIME_ID);
		}
#pragma omp barrier
		long switches = involuntary_switches();
		if (tid < sh->cfg->threads && r->team == sh->cfg->threads)
			work_loop(sh, &h, &c);
		if (tid < sh->cfg->threads)
			sh->counts[tid].c = c;
		switches = involuntary_switches() - switches;
#pragma omp atomic
		r->preemptions += (uint64_t)switches;
#pragma omp barrier
#pragma omp master
		{
			r->wall_s = now_s(CLOCK_MONOTONIC) - wall;
			r->cpu_s = now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu;
		}
	}
}

static void sum_counts(const struct mis_thread_counts *t, int threads, struct mis_parallel_result *r)
{
	r->total = (struct mis_counts){ 0 };
	r->max_thread_wasted = 0;
	for (int i = 0; i < threads; i++) {
		r->total.processed += t[i].c.processed;
		r->total.dead += t[i].c.dead;
		r->total.wasted += t[i].c.wasted;
		if (t[i].c.wasted > r->max_thread_wasted)
			r->max_thread_wasted = t[i].c.wasted;
	}
}

int mis_parallel(struct greedy_instance *in, const struct mis_parallel_config *cfg,
		 struct mis_thread_counts *per_thread, struct mis_parallel_result *r)
{
	struct mis_shared sh;
	struct mis_thread_counts *own = NULL, *counts = per_thread;

	*r = (struct mis_parallel_result){ 0 };
	if (!counts)
		counts = own = aligned_alloc(alignof(struct mis_thread_counts),
					     (size_t)cfg->threads * sizeof(*own));
	if (!counts || mis_shared_open(&sh, in, cfg, counts) != 0) {
		free(own);
		return -1;
	}
	parallel_team(&sh, r);
	sum_counts(sh.counts, cfg->threads, r);
	mis_shared_close(&sh);
	free(own);
	if (atomic_load(&sh.failed))
		return -1;
	return r->team == cfg->threads ? 0 : -2;
}
