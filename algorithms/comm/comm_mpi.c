/*
 * comm_mpi: the Open MPI backend (see comm_mpi.h). Every call is collective over
 * MPI_COMM_WORLD's duplicate, so a failure one rank sees (an index out of range) is
 * agreed on by all before anything is summed: every rank returns the same code.
 */
#include "algorithms/comm/comm_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mpi_started;

int comm_mpi_init(int *argc, char ***argv)
{
	int provided = 0;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return -1;
	mpi_started = 1;
	return 0;
}

void comm_mpi_finalize(void)
{
	if (!comm_mpi_active())
		return;
	MPI_Finalize();
	mpi_started = 0;
}

int comm_mpi_active(void)
{
	int init = 0, fin = 0;
	if (!mpi_started)
		return 0;
	MPI_Initialized(&init);
	MPI_Finalized(&fin);
	return init && !fin;
}

int comm_mpi_rank(void)
{
	int r = 0;
	if (comm_mpi_active())
		MPI_Comm_rank(MPI_COMM_WORLD, &r);
	return r;
}

int comm_mpi_size(void)
{
	int s = 1;
	if (comm_mpi_active())
		MPI_Comm_size(MPI_COMM_WORLD, &s);
	return s;
}

struct mpi_backend {
	MPI_Comm comm;
	int *counts, *displs;   /* P entries each: scratch for the v-collectives */
};

static struct mpi_backend *backend_of(const struct comm *c)
{
	return c->backend;
}

/* Entries of ring chunk k of n (comm.h's rule), and where it starts. */
static int64_t chunk_len(int64_t n, int P, int k)
{
	return n / P + (k < n % P ? 1 : 0);
}

static int64_t chunk_start(int64_t n, int P, int k)
{
	return (int64_t)k * (n / P) + (k < n % P ? k : n % P);
}

/* 1 when every rank's flag is 1. */
static int all_agree(struct mpi_backend *b, int ok)
{
	int all = 0;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, b->comm);
	return all;
}

/* Reduce-scatter by chunks: rank q receives chunk q of every rank and sums it in rank
 * order, in double of the float-rounded values (as inproc_allreduce_dense does). */
static int mpi_reduce_scatter(struct comm *c, const double *send, int64_t n, double *mine)
{
	struct mpi_backend *b = backend_of(c);
	int P = c->workers, me = c->local_first;
	int64_t len = chunk_len(n, P, me);
	float *out = malloc(((size_t)n + 1) * sizeof(float));
	float *in = malloc(((size_t)len * (size_t)P + 1) * sizeof(float));
	int *sc = malloc(4 * (size_t)P * sizeof(int)), ok = out && in && sc;
	if (all_agree(b, ok)) {
		int *sd = sc + P, *rc = sc + 2 * P, *rd = sc + 3 * P;
		for (int64_t i = 0; i < n; i++)
			out[i] = (float)send[i];
		for (int k = 0; k < P; k++) {
			sc[k] = (int)chunk_len(n, P, k);
			sd[k] = (int)chunk_start(n, P, k);
			rc[k] = (int)len;
			rd[k] = (int)(len * k);
		}
		MPI_Alltoallv(out, sc, sd, MPI_FLOAT, in, rc, rd, MPI_FLOAT, b->comm);
		for (int64_t i = 0; i < len; i++)
			mine[i] = 0.0;
		for (int k = 0; k < P; k++)
			for (int64_t i = 0; i < len; i++)
				mine[i] += (double)in[(int64_t)k * len + i];
	}
	free(out);
	free(in);
	free(sc);
	return ok ? 0 : -1;
}

static int mpi_allreduce_dense(struct comm *c, const double *const *send, int64_t n, double *sum)
{
	struct mpi_backend *b = backend_of(c);
	int P = c->workers, me = c->local_first;
	if (!all_agree(b, n >= 0 && n <= INT_MAX))
		return -1;
	double *mine = malloc(((size_t)chunk_len(n, P, me) + 1) * sizeof(double));
	if (!all_agree(b, mine != NULL) || mpi_reduce_scatter(c, send[0], n, mine) != 0) {
		free(mine);
		return -1;
	}
	for (int k = 0; k < P; k++) {
		b->counts[k] = (int)chunk_len(n, P, k);
		b->displs[k] = (int)chunk_start(n, P, k);
	}
	MPI_Allgatherv(mine, b->counts[me], MPI_DOUBLE, sum, b->counts, b->displs, MPI_DOUBLE,
		       b->comm);
	free(mine);
	comm_account_dense(&c->stats[0], me, P, n);
	return 0;
}

/* Every rank's count, then every rank's pairs in rank order. counts_all has P entries. */
static int gather_pairs(struct comm *c, const struct comm_pair *send, int64_t count,
			int64_t *counts_all, struct comm_pair *recv)
{
	struct mpi_backend *b = backend_of(c);
	int P = c->workers;
	MPI_Allgather(&count, 1, MPI_INT64_T, counts_all, 1, MPI_INT64_T, b->comm);
	int64_t at = 0;
	for (int k = 0; k < P; k++) {
		if (counts_all[k] < 0 || (at + counts_all[k]) * COMM_PAIR_BYTES > INT_MAX)
			return -1;  /* the same on every rank: every rank sees the same counts */
		b->counts[k] = (int)(counts_all[k] * COMM_PAIR_BYTES);
		b->displs[k] = (int)(at * COMM_PAIR_BYTES);
		at += counts_all[k];
	}
	MPI_Allgatherv(send, b->counts[c->local_first], MPI_BYTE, recv, b->counts, b->displs,
		       MPI_BYTE, b->comm);
	return 0;
}

static int mpi_allgather_sparse(struct comm *c, const struct comm_pair *const *send,
				const int64_t *counts, struct comm_pair *recv, int64_t *recv_counts)
{
	if (gather_pairs(c, send[0], counts[0], recv_counts, recv) != 0)
		return -1;
	comm_account_allgather(&c->stats[0], c->local_first, c->workers, recv_counts);
	return 0;
}

static int64_t total_of(const int64_t *counts, int P)
{
	int64_t t = 0;
	for (int k = 0; k < P; k++)
		t += counts[k];
	return t;
}

static int pairs_in_range(const struct comm_pair *pairs, int64_t count, int64_t n)
{
	for (int64_t j = 0; j < count; j++)
		if ((int64_t)pairs[j].index >= n)
			return 0;
	return count >= 0;
}

static int mpi_allreduce_sparse(struct comm *c, const struct comm_pair *const *send,
				const int64_t *counts, int64_t n, double *sum)
{
	struct mpi_backend *b = backend_of(c);
	int P = c->workers;
	int64_t *all = malloc((size_t)P * sizeof(int64_t));
	if (!all_agree(b, all && pairs_in_range(send[0], counts[0], n))) {
		free(all);
		return -1;
	}
	MPI_Allgather(&counts[0], 1, MPI_INT64_T, all, 1, MPI_INT64_T, b->comm);
	struct comm_pair *recv = malloc(((size_t)total_of(all, P) + 1) * sizeof(*recv));
	int rc = all_agree(b, recv != NULL) ? gather_pairs(c, send[0], counts[0], all, recv) : -1;
	if (rc == 0) {
		memset(sum, 0, (size_t)n * sizeof(*sum));
		int64_t total = total_of(all, P);
		for (int64_t j = 0; j < total; j++)
			sum[recv[j].index] += (double)recv[j].value;
		comm_account_allgather(&c->stats[0], c->local_first, P, all);
	}
	free(recv);
	free(all);
	return rc;
}

/* A message from `from`, whatever its size: matched by MPI_Mprobe first, so that one
 * larger than the slot is still taken off the wire (into scratch) and reported as -1
 * instead of a truncation, on which Open MPI's shared-memory transport can hang. */
static int receive_probed(struct mpi_backend *b, struct comm_slot *in)
{
	MPI_Message msg;
	MPI_Status st;
	int got = 0;
	MPI_Mprobe(in->peer, 0, b->comm, &msg, &st);
	MPI_Get_count(&st, MPI_BYTE, &got);
	int fits = (uint64_t)got <= in->cap;
	void *scratch = fits ? NULL : malloc((size_t)got);
	MPI_Mrecv(fits ? in->buf : scratch, got, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
	free(scratch);
	in->bytes = fits ? (uint64_t)got : 0;
	return fits ? got : -1;
}

/* One step: post the send, take the receive, wait for the send. On MPI every local
 * worker is this rank, so out and in have one entry each. The send is non-blocking, so
 * every rank reaches its receive whatever the pattern of the step. */
static int mpi_exchange(struct comm *c, const struct comm_msg *out, struct comm_slot *in)
{
	struct mpi_backend *b = backend_of(c);
	MPI_Request req = MPI_REQUEST_NULL;
	int P = c->workers, got = 0;
	if (out[0].peer >= P || in[0].peer >= P || out[0].bytes > INT_MAX
	    || (out[0].peer >= 0 && out[0].bytes > 0 && !out[0].buf))
		return -1;
	if (out[0].peer >= 0)
		MPI_Isend(out[0].buf, (int)out[0].bytes, MPI_BYTE, out[0].peer, 0, b->comm, &req);
	in[0].bytes = 0;
	if (in[0].peer >= 0)
		got = receive_probed(b, &in[0]);
	if (MPI_Wait(&req, MPI_STATUS_IGNORE) != MPI_SUCCESS)
		return -1;
	if (out[0].peer >= 0) {
		c->stats[0].bytes_sent += out[0].bytes;
		c->stats[0].messages_sent++;
	}
	if (got < 0)
		return -1;
	if (in[0].peer >= 0) {
		c->stats[0].bytes_received += (uint64_t)got;
		c->stats[0].messages_received++;
	}
	return 0;
}

static void mpi_destroy(struct comm *c)
{
	struct mpi_backend *b = backend_of(c);
	if (!b)
		return;
	if (b->comm != MPI_COMM_NULL && comm_mpi_active())
		MPI_Comm_free(&b->comm);
	free(b->counts);
	free(b->displs);
	free(b);
}

static const struct comm_ops mpi_ops = {
	.name = "mpi",
	.allreduce_dense = mpi_allreduce_dense,
	.allgather_sparse = mpi_allgather_sparse,
	.allreduce_sparse = mpi_allreduce_sparse,
	.exchange = mpi_exchange,
	.destroy = mpi_destroy,
};

static struct comm *mpi_comm_alloc(int workers)
{
	struct comm *c = calloc(1, sizeof(*c));
	struct mpi_backend *b = calloc(1, sizeof(*b));
	if (c)
		c->stats = calloc(1, sizeof(*c->stats));
	if (b) {
		b->comm = MPI_COMM_NULL;
		b->counts = calloc((size_t)workers, sizeof(int));
		b->displs = calloc((size_t)workers, sizeof(int));
	}
	if (!c || !c->stats || !b || !b->counts || !b->displs) {
		if (b) {
			free(b->counts);
			free(b->displs);
		}
		free(b);
		if (c)
			free(c->stats);
		free(c);
		return NULL;
	}
	c->backend = b;
	return c;
}

struct comm *comm_mpi_new(int workers, char *why, size_t whylen)
{
	if (!comm_mpi_active()) {
		snprintf(why, whylen, "backend mpi needs the run started under mpirun (the executor "
			 "does this for backend: mpi)");
		return NULL;
	}
	if (workers != comm_mpi_size()) {
		snprintf(why, whylen, "%d workers on %d MPI ranks: backend mpi runs one worker per "
			 "rank", workers, comm_mpi_size());
		return NULL;
	}
	struct comm *c = mpi_comm_alloc(workers);
	if (!c) {
		snprintf(why, whylen, "no memory for the MPI backend");
		return NULL;
	}
	struct mpi_backend *b = c->backend;
	/* A duplicate, so no message of ours matches one of another library's, and with
	 * errors returned rather than fatal. */
	MPI_Comm_dup(MPI_COMM_WORLD, &b->comm);
	MPI_Comm_set_errhandler(b->comm, MPI_ERRORS_RETURN);
	c->ops = &mpi_ops;
	c->workers = workers;
	c->local_first = comm_mpi_rank();
	c->local_count = 1;
	return c;
}

struct comm *comm_new_backend(const char *backend, int workers, char *why, size_t whylen)
{
	if (backend && !strcmp(backend, "mpi"))
		return comm_mpi_new(workers, why, whylen);
	struct comm *c = comm_inprocess_new(workers);
	if (!c)
		snprintf(why, whylen, "no memory for %d in-process workers", workers);
	return c;
}

static int is_mpi(const struct comm *c)
{
	return c->ops == &mpi_ops;
}

int comm_stats_gather(const struct comm *c, struct comm_stats *all)
{
	if (!is_mpi(c)) {
		memcpy(all, c->stats, (size_t)c->workers * sizeof(*all));
		return 0;
	}
	/* struct comm_stats is uint64_t fields only: it travels as that many uint64s. */
	int fields = (int)(sizeof(struct comm_stats) / sizeof(uint64_t));
	return MPI_Allgather(c->stats, fields, MPI_UINT64_T, all, fields, MPI_UINT64_T,
			     backend_of(c)->comm) == MPI_SUCCESS ? 0 : -1;
}

void comm_barrier(const struct comm *c)
{
	if (is_mpi(c))
		MPI_Barrier(backend_of(c)->comm);
}

double comm_max_double(const struct comm *c, double v)
{
	double m = v;
	if (is_mpi(c))
		MPI_Allreduce(&v, &m, 1, MPI_DOUBLE, MPI_MAX, backend_of(c)->comm);
	return m;
}

int comm_mpi_allreduce_f32(const struct comm *c, const float *send, float *recv, int64_t n)
{
	if (!is_mpi(c) || n < 0 || n > INT_MAX)
		return -1;
	return MPI_Allreduce(send, recv, (int)n, MPI_FLOAT, MPI_SUM, backend_of(c)->comm)
		       == MPI_SUCCESS ? 0 : -1;
}
