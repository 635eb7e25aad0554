/*
 * mis_exec: running greedy MIS or matching (greedy.h) through a scheduler, as in
 *   D. Alistarh, T. Brown, J. Kopinsky, G. Nadiradze, "Relaxed Schedulers Can Efficiently
 *   Parallelize Iterative Algorithms", PODC 2018, arXiv 1808.04155:
 * insert every task, then repeatedly take a task from the scheduler's approximate
 * get-min and run one iteration on it; a wasted iteration inserts the task again.
 *
 *   mis_simulate   one thread, a sequential scheduler (scheduler.h): the model of the
 *                  paper's analysis, deterministic for a seed
 *   mis_parallel   OpenMP threads over a concurrent mq_ops (the MultiQueue, or the
 *                  exact locked heap); a thread's counters are its own, summed after
 *
 * Both leave the instance's states final; greedy_result then gives the output set.
 */
#ifndef MIS_EXEC_H
#define MIS_EXEC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "algorithms/relaxed_mis/greedy.h"
#include "algorithms/relaxed_mis/scheduler.h"
#include "algorithms/relaxed_structures/multiqueue.h"

/* Iterations by outcome; processed + dead = tasks at the end, wasted = extra iterations. */
struct mis_counts {
	uint64_t processed, dead, wasted;
};

/* One run to completion on a fresh scheduler `s` (the instance reset by the caller).
 * 0, or -1 when the scheduler ran out of memory. */
int mis_simulate(struct greedy_instance *in, struct sched *s, struct mis_counts *c);

struct mis_parallel_config {
	const struct mq_ops *ops;    /* &multiqueue_ops or &locked_heap_ops */
	int threads;
	int queues;                  /* MultiQueue heaps (q) */
	int stickiness;              /* MultiQueue stickiness, 1 = none */
	uint64_t seed;               /* the threads' random streams */
};

/* One thread's counters, alone on its cache line. */
struct mis_thread_counts {
	alignas(64) struct mis_counts c;
};

struct mis_parallel_result {
	struct mis_counts total;
	uint64_t max_thread_wasted;  /* the largest per-thread wasted count */
	double wall_s;               /* the processing loop: from the barrier after every
				      * task is inserted to the end */
	double cpu_s;                /* process CPU time over the same span */
	int team;                    /* threads OpenMP gave */
	uint64_t preemptions;        /* involuntary context switches of the team's threads
				      * during the loop (getrusage RUSAGE_THREAD): a thread
				      * descheduled while it holds a task makes its
				      * neighbours' pops wasted for a whole time slice */
};

/* What the threads of one concurrent run share. */
struct mis_shared {
	struct greedy_instance *in;
	const struct mis_parallel_config *cfg;
	struct mq *mq;
	struct mis_thread_counts *counts;        /* cfg->threads entries */
	alignas(64) _Atomic uint64_t finished;   /* tasks processed or dead, all threads */
	alignas(64) atomic_int failed;
};

/* For drivers with their own threads (the pthread stress cases): open, then call
 * mis_thread(sh, tid) once from each of cfg->threads threads (tid 0..threads-1), join,
 * close. A thread inserts its share of the tasks, then works until every task is
 * finished; no barrier is needed (an empty queue is not the end). 0, or -1 when out of
 * memory. */
int mis_shared_open(struct mis_shared *sh, struct greedy_instance *in,
		    const struct mis_parallel_config *cfg, struct mis_thread_counts *counts);
void mis_thread(struct mis_shared *sh, int tid);
/* True when a thread ran out of memory (the run did not finish). */
bool mis_shared_failed(struct mis_shared *sh);
void mis_shared_close(struct mis_shared *sh);

/* Run `in` (reset by the caller) with cfg->threads threads; per_thread (cfg->threads
 * entries, or NULL) receives each thread's counts. 0; -1 when out of memory (the
 * structure, or a heap growing); -2 when OpenMP gave fewer threads. */
int mis_parallel(struct greedy_instance *in, const struct mis_parallel_config *cfg,
		 struct mis_thread_counts *per_thread, struct mis_parallel_result *r);

#endif
