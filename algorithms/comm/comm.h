/*
 * comm: the collectives of the data-parallel families behind one interface
 * (DESIGN.md, "Distributed and parallel execution"): a dense allreduce, and a sparse
 * allgather and allreduce of (index, value) pairs.
 *
 * Backend-neutral shape: a process owns `local_count` consecutive workers starting at
 * `local_first` and passes one buffer per local worker; every call returns the global
 * result to all of them. The in-process backend (comm_inprocess_new) owns all P
 * workers and simulates them in turn; an MPI backend owns one worker per rank and
 * implements the same calls with MPI_Allreduce / MPI_Allgatherv.
 *
 * Values travel as 32-bit floats: a pair is 8 bytes (uint32 index, float value) and a
 * dense entry 4 bytes, as in the paper's count of 8K bytes per node per step against
 * 4n. Sums are accumulated in double in rank order, so a given input gives the same
 * bits whatever the thread count.
 *
 * Accounting, exact and per worker, under named algorithms so that another backend
 * can count the same way:
 *   payload_bytes  what the worker contributes: 8 per pair, 4 per dense entry
 *   dense allreduce  ring (reduce-scatter then allgather, P-1 steps each; chunk c of
 *                    the P chunks has n/P entries, one more for c < n mod P)
 *   sparse allgather ring (P-1 steps; at step s worker p forwards the block of worker
 *                    p - s mod P to p + 1); the sparse allreduce is that allgather
 *                    followed by a local sum, the small-K regime of SparCML
 * P = 1 sends nothing.
 */
#ifndef COMM_H
#define COMM_H

#include <stdint.h>

/* One sparse entry as it travels. */
struct comm_pair {
	uint32_t index;
	float value;
};

#define COMM_PAIR_BYTES 8
#define COMM_DENSE_ENTRY_BYTES 4

struct comm_stats {
	uint64_t payload_bytes;
	uint64_t bytes_sent, bytes_received;
	uint64_t messages_sent, messages_received;
	uint64_t collectives;
};

struct comm;

/* One point-to-point message of an exchange step: worker peer gets bytes from buf.
 * peer < 0: this worker sends nothing in the step. */
struct comm_msg {
	int peer;
	const void *buf;
	uint64_t bytes;
};

/* One receive of an exchange step: up to cap bytes from worker peer into buf; bytes is
 * set on return. peer < 0: this worker receives nothing in the step. */
struct comm_slot {
	int peer;
	void *buf;
	uint64_t cap;
	uint64_t bytes;
};

struct comm_ops {
	const char *name;
	/* sum[0..n) = sum over workers of send[w][0..n) */
	int (*allreduce_dense)(struct comm *c, const double *const *send, int64_t n, double *sum);
	/* recv = the pairs of worker 0, then 1, ...; recv_counts[p] = counts of worker p */
	int (*allgather_sparse)(struct comm *c, const struct comm_pair *const *send,
				const int64_t *counts, struct comm_pair *recv, int64_t *recv_counts);
	/* sum[0..n) = sum over workers of their pairs (indices < n; repeats add up) */
	int (*allreduce_sparse)(struct comm *c, const struct comm_pair *const *send,
				const int64_t *counts, int64_t n, double *sum);
	/* One step, SPMD over the local workers: every local worker w sends out[w] and
	 * receives in[w] (arrays of local_count). Blocking; counts bytes_sent/received
	 * and messages_sent/received of each local worker (a 0-byte message is still a
	 * message). A message larger than its receiver's cap is an error (-1). Every
	 * collective of comm/ built on this step (sparse_allreduce.c) is written once and
	 * runs on every backend. A receive buffer must not overlap a send buffer of the
	 * same step. */
	int (*exchange)(struct comm *c, const struct comm_msg *out, struct comm_slot *in);
	void (*destroy)(struct comm *c);
};

struct comm {
	const struct comm_ops *ops;
	int workers;                 /* P */
	int local_first, local_count;
	struct comm_stats *stats;    /* local_count entries, one per local worker */
	void *backend;
};

/* All P workers in this process, simulated in turn. NULL when out of memory or P < 1. */
struct comm *comm_inprocess_new(int workers);
void comm_free(struct comm *c);

/* The calls, through the backend. send and counts hold local_count entries; the
 * result is the global one. 0, or -1 (an index out of range, no memory). */
int comm_allreduce_dense(struct comm *c, const double *const *send, int64_t n, double *sum);
int comm_allgather_sparse(struct comm *c, const struct comm_pair *const *send,
			  const int64_t *counts, struct comm_pair *recv, int64_t *recv_counts);
int comm_allreduce_sparse(struct comm *c, const struct comm_pair *const *send,
			  const int64_t *counts, int64_t n, double *sum);

/* One exchange step through the backend (see comm_ops.exchange). In process, every
 * send must be matched by its peer's receive in the same step and peers must lie in
 * [0, P); else -1 and nothing is copied or counted. */
int comm_exchange(struct comm *c, const struct comm_msg *out, struct comm_slot *in);

/* The accounting rules above, for backends and tests: what worker p sends and
 * receives in one ring allreduce of n entries, and in one ring allgather of blocks
 * of counts[0..P) pairs. */
void comm_account_dense(struct comm_stats *s, int p, int workers, int64_t n);
void comm_account_allgather(struct comm_stats *s, int p, int workers, const int64_t *counts);

/* Sums over the local workers' stats. */
struct comm_stats comm_total(const struct comm *c);

#endif
