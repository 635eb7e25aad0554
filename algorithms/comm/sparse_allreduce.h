/*
 * sparse_allreduce: SparCML's sparse-input allreduce algorithms and the dense
 * baselines (Renggli, Ashkboos, Aghagolzadeh, Alistarh, Hoefler, "SparCML:
 * High-Performance Sparse Communication for Machine Learning", SC19, arXiv 1802.08021;
 * notes 4.3), written once over comm_exchange and SPMD over the local workers, so the
 * same code runs in process (all P workers local, simulated in turn) and on MPI (one).
 *
 *   ssar_recursive_double  log2 P rounds of Sendrecv + merge with partner rank ^ mask
 *   ssar_split_allgather   split into P blocks, owner reduces block i (P - 1 steps),
 *                          then recursive-doubling allgather of the (sparse) blocks
 *   dsar_split_allgather   the same split, the owner densifies, dense allgather
 *   sparse_ring            P - 1 reduce-scatter rounds over P segments, P - 1 allgather
 *   hybrid                 T sparse recursive-doubling rounds (the last forced dense),
 *                          then dense Rabenseifner over the P / 2^T groups
 *   dense_ring             the ring over dense streams (the baseline ring allreduce)
 *   rabenseifner           dense recursive halving reduce-scatter + doubling allgather
 *
 * P not a power of two: the fold/unfold of the authors' code (ranks < 2 rem pair up,
 * the even one hands its data to the odd one and waits for the result), for every
 * variant but the two rings, which need none. With qsgd_bits the dense phases
 * (Rabenseifner's, DSAR's allgather, the hybrid's) travel QSGD-quantized: each merge
 * dequantizes, sums and requantizes; the allgather forwards each owner's codes as
 * they are, so every rank ends with the same values. Fold and unfold stay f32.
 */
#ifndef SPARSE_ALLREDUCE_H
#define SPARSE_ALLREDUCE_H

#include <stdint.h>

#include "algorithms/comm/alphabeta.h"
#include "algorithms/comm/comm.h"
#include "algorithms/comm/sparse_stream.h"

enum sar_variant {
	SAR_RECURSIVE_DOUBLE,
	SAR_SPLIT_ALLGATHER,
	SAR_DSAR_SPLIT_ALLGATHER,
	SAR_SPARSE_RING,
	SAR_HYBRID,
	SAR_DENSE_RING,
	SAR_RABENSEIFNER,
	SAR_VARIANTS
};

const char *sar_variant_name(enum sar_variant v);
/* 1 for the dense baselines. */
int sar_variant_is_dense(enum sar_variant v);

struct sar_options {
	int qsgd_bits;         /* 0, or 2/4/8: quantize the dense phases */
	uint64_t seed;         /* of the quantizer's per-rank streams */
	uint32_t hybrid_k;     /* the k the hybrid's T is computed from (0: T = 1) */
};

/* What one rank paid in the last collective, by the rules of alphabeta.h. */
struct sar_cost {
	uint64_t steps;        /* exchange steps it took part in */
	uint64_t crit_bytes;   /* sum of max(bytes out, bytes in) over them */
	uint64_t bytes_sent, messages_sent;
	double model_s[AB_SETS];
};

struct sar_ctx;

/* A context for allreduces of vectors of n entries over c. NULL: no memory, or
 * qsgd_bits invalid. */
struct sar_ctx *sar_new(struct comm *c, uint32_t n, const struct sar_options *o);
void sar_free(struct sar_ctx *x);

/* The hybrid's number of sparse rounds T = max(1, floor(log2(N / (6 k)))), at most
 * log2 of the largest power of two <= P. */
int sar_hybrid_rounds(uint32_t n, uint32_t k, int workers);

/* out[w] = the sum over all workers of their in[w] (streams over [0, n)), for every
 * local worker w. 0, or -1 (no memory, malformed message, a backend error). */
int sar_allreduce(struct sar_ctx *x, enum sar_variant v, const struct ss_stream *in,
		  struct ss_stream *out);
/* Local worker w's cost in the last sar_allreduce. */
const struct sar_cost *sar_cost_of(const struct sar_ctx *x, int w);

/* v[w] = the maximum over all workers of their v (one double each): the driver's
 * "maximum over ranks". Not counted in any sar_cost (comm's stats do count it). */
int sar_max(struct sar_ctx *x, double *v);
/* All workers reach this point before any leaves it. */
int sar_barrier(struct sar_ctx *x);

#endif
