/*
 * greedy: greedy maximal independent set and greedy maximal matching under a random
 * priority permutation, as iterative algorithms whose tasks a (relaxed) scheduler hands
 * out, from
 *   D. Alistarh, T. Brown, J. Kopinsky, G. Nadiradze, "Relaxed Schedulers Can Efficiently
 *   Parallelize Iterative Algorithms", PODC 2018, arXiv 1808.04155.
 * Task r is the one of priority r (0 = highest): vertex task_of[r] for MIS, edge
 * task_of[r] for matching (MIS on the line graph). A task may be decided once every
 * higher-priority task it conflicts with is decided; the decision reads only those final
 * states, so any scheduler and any thread count give the set that sequential greedy
 * gives for the same permutation. A task handed out too early is an extra (wasted)
 * iteration and goes back to the scheduler.
 *
 * greedy_step is thread-safe for distinct tasks (the scheduler hands each task to one
 * thread at a time): states are C11 atomics, decisions are published with release
 * stores and read with acquire loads, and OUT-marking is a CAS from UNDECIDED.
 */
#ifndef GREEDY_H
#define GREEDY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"

enum greedy_problem { GREEDY_MIS, GREEDY_MATCHING };

enum greedy_state { GREEDY_UNDECIDED = 0, GREEDY_IN = 1, GREEDY_OUT = 2 };

/* What one iteration on a task did. */
enum greedy_outcome {
	GREEDY_PROCESSED,   /* decided IN or OUT now */
	GREEDY_DEAD,        /* already OUT (a neighbour joined): removed, as an exact run would */
	GREEDY_WASTED,      /* a higher-priority conflicting task is undecided: retry later */
};

struct greedy_instance {
	enum greedy_problem problem;
	const struct ds_graph *g;    /* undirected, CSR; not owned */
	uint32_t tasks;              /* n (MIS) or |E| (matching) */
	uint32_t *task_of;           /* priority -> vertex or edge id */
	uint32_t *rank_of;           /* vertex or edge id -> priority */
	_Atomic uint8_t *state;      /* MIS: per vertex; matching: per priority */
	/* matching only */
	uint32_t *edge_end;          /* 2 per edge id: its endpoints */
	uint32_t *incident;          /* CSR-shaped: priorities of each vertex's edges, ascending */
	_Atomic int64_t *frontier;   /* per vertex: incident[] before it are all decided */
	_Atomic uint8_t *matched;    /* per vertex */
};

/* Build the instance of `problem` on g with the uniform permutation of `seed`. 0, -1
 * when out of memory, -2 when g has 2^32 - 1 tasks or more. */
int greedy_init(struct greedy_instance *in, enum greedy_problem problem,
		const struct ds_graph *g, uint64_t seed);
void greedy_free(struct greedy_instance *in);
/* Every task undecided again (the permutation is kept). */
void greedy_reset(struct greedy_instance *in);

/* One iteration on the task of priority `rank`. */
enum greedy_outcome greedy_step(struct greedy_instance *in, uint32_t rank);

/* Sequential greedy in priority order, no scheduler: out[id] = 1 for the vertices (MIS)
 * or edge ids (matching) chosen. out has `tasks` bytes. The states are not touched. */
void greedy_sequential(const struct greedy_instance *in, uint8_t *out);

/* The result of the last run from the states: out[id] = 1 when IN; false when a task
 * is still undecided. */
bool greedy_result(const struct greedy_instance *in, uint8_t *out);

/* Check a result on its own: MIS independent and maximal, matching a matching (no
 * vertex twice) and maximal. */
bool greedy_valid(const struct greedy_instance *in, const uint8_t *out);

/* Members of a result (its size). */
uint64_t greedy_count(const struct greedy_instance *in, const uint8_t *out);

#endif
