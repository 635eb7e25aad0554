/*
 * comm_mpi: the Open MPI backend of comm/ (DESIGN.md, "Distributed and parallel
 * execution"). One worker per rank: local_count = 1, local_first = rank, workers = the
 * size of MPI_COMM_WORLD. The executor starts such a run as `mpirun -n P relaxbench
 * run-one ...` (suite/exec.c); rank 0 writes the run folder.
 *
 * Same numbers as the in-process backend, bit for bit: every result is summed in
 * double in rank order of values rounded to float, as comm.c does, never in the
 * unspecified order of MPI_Allreduce. Dense: a reduce-scatter by MPI_Alltoallv of the
 * ring chunks (each owner sums its chunk over ranks 0..P-1), then MPI_Allgatherv of the
 * sums. Sparse: MPI_Allgatherv of the pairs, then a local sum in rank order. Bytes and
 * messages are counted with comm.h's rules (ring allreduce, ring allgather), so the
 * counts of a run are those of the in-process backend whatever MPI moves underneath;
 * the exchange step counts what it really sends.
 *
 * Also backend-neutral helpers the data-parallel algorithms need on both backends:
 * every worker's stats (gathered from all ranks), a barrier, the maximum of a time
 * over ranks, and the vendor MPI_Allreduce as the practitioner's dense baseline.
 */
#ifndef COMM_MPI_H
#define COMM_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "algorithms/comm/comm.h"

/* The parameter an algorithm lists in its table to run on either backend; the executor
 * starts a run whose backend is mpi under mpirun with `ranks` (when the algorithm has
 * that parameter) or else `workers` ranks. */
#define COMM_BACKEND_PARAM \
	{ "backend", RB_CHOICE, "inprocess", 0, 0, "inprocess|mpi", \
	  "comm/ backend: workers simulated in this process, or one Open MPI rank each " \
	  "(the executor starts mpirun)" }

/* MPI_Init_thread (funneled: OpenMP threads inside a rank never call MPI). 0, or -1. */
int comm_mpi_init(int *argc, char ***argv);
/* MPI_Finalize when comm_mpi_init succeeded; nothing otherwise. */
void comm_mpi_finalize(void);
/* 1 once MPI is initialised (and not finalised) in this process. */
int comm_mpi_active(void);
/* This process's rank and the number of ranks: 0 and 1 without MPI. */
int comm_mpi_rank(void);
int comm_mpi_size(void);

/* NULL when P workers cannot run here: why is set to a one-line reason (MPI not
 * initialised: the run was not started by mpirun; or P differs from the rank count). */
struct comm *comm_mpi_new(int workers, char *why, size_t whylen);
/* comm_mpi_new for backend "mpi", comm_inprocess_new otherwise. */
struct comm *comm_new_backend(const char *backend, int workers, char *why, size_t whylen);

/* all[0..P) = every worker's stats, on every worker (an allgather on MPI). 0 or -1. */
int comm_stats_gather(const struct comm *c, struct comm_stats *all);
/* Wait for every worker (MPI_Barrier; nothing in process). */
void comm_barrier(const struct comm *c);
/* The largest v over ranks (v itself in process): the time of a collective is its
 * slowest rank's. */
double comm_max_double(const struct comm *c, double v);
/* recv[0..n) = MPI_Allreduce(send, SUM) of floats in the library's own order: the
 * practitioner's dense baseline, timed, not bit-compared. -1 unless c is the MPI
 * backend or n exceeds an int. */
int comm_mpi_allreduce_f32(const struct comm *c, const float *send, float *recv, int64_t n);

#endif
