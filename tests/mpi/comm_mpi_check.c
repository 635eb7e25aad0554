/*
 * comm_mpi_check: the MPI backend against the in-process one, run under mpirun
 * (tests/unit/test_comm_mpi.c starts it with P = 2 and 3). Every rank builds the inputs
 * of all P workers from one seed, runs each collective once in process (all workers)
 * and once over MPI (its own worker), and checks that the results are the same bits
 * and its own worker's byte and message counts the same numbers. Also: the exchange
 * step (a ring shift of messages of different sizes, a rank that sends nothing), a
 * message larger than its slot and an index out of range are errors, gathered stats,
 * and every sparse allreduce of SparCML (sparse_allreduce.c) on MPI against in process.
 * Criterion is not used: its forked workers and MPI_Init do not mix. Exit 0 when every
 * rank passed; each failure is one line on stderr naming the rank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "algorithms/comm/comm.h"
#include "algorithms/comm/comm_mpi.h"
#include "algorithms/comm/sparse_allreduce.h"
#include "algorithms/kernels/rng.h"

#define N 1237        /* not a multiple of 2 or 3: uneven ring chunks */
#define MAXK 300

static int failures;

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "comm_mpi_check: rank %d: %s\n", comm_mpi_rank(), what);
	failures++;
}

static int same_stats(const struct comm_stats *a, const struct comm_stats *b)
{
	return !memcmp(a, b, sizeof(*a));
}

struct inputs {
	double *dense[64];
	struct comm_pair *pairs[64];
	int64_t counts[64];
};

/* Worker p's vector and pairs; repeated indices included, values of every sign. */
static void make_inputs(struct inputs *in, int P)
{
	for (int p = 0; p < P; p++) {
		struct rng r;
		rng_seed(&r, 42, (uint64_t)p + 1);
		in->dense[p] = malloc(N * sizeof(double));
		in->pairs[p] = malloc(MAXK * sizeof(struct comm_pair));
		for (int i = 0; i < N; i++)
			in->dense[p][i] = rng_normal(&r) * 1e3 + 1e-3 * rng_normal(&r);
		in->counts[p] = p == 1 ? 0 : 17 + (int64_t)rng_below(&r, MAXK - 17);
		for (int64_t j = 0; j < in->counts[p]; j++)
			in->pairs[p][j] = (struct comm_pair){ (uint32_t)rng_below(&r, N),
							      (float)rng_normal(&r) };
	}
}

static void check_dense(struct comm *ip, struct comm *mp, struct inputs *in, int me)
{
	double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double));
	check(comm_allreduce_dense(ip, (const double *const *)in->dense, N, a) == 0, "inproc dense");
	check(comm_allreduce_dense(mp, (const double *const *)in->dense + me, N, b) == 0, "mpi dense");
	check(!memcmp(a, b, N * sizeof(double)), "dense allreduce: not the in-process bits");
	free(a);
	free(b);
}

static void check_sparse(struct comm *ip, struct comm *mp, struct inputs *in, int me, int P)
{
	double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double));
	const struct comm_pair *const *send = (const struct comm_pair *const *)in->pairs;
	check(comm_allreduce_sparse(ip, send, in->counts, N, a) == 0, "inproc sparse");
	check(comm_allreduce_sparse(mp, send + me, in->counts + me, N, b) == 0, "mpi sparse");
	check(!memcmp(a, b, N * sizeof(double)), "sparse allreduce: not the in-process bits");
	struct comm_pair *ga = malloc((size_t)P * MAXK * sizeof(*ga)), *gb = malloc((size_t)P * MAXK * sizeof(*gb));
	int64_t ca[64], cb[64], total = 0;
	check(comm_allgather_sparse(ip, send, in->counts, ga, ca) == 0, "inproc allgather");
	check(comm_allgather_sparse(mp, send + me, in->counts + me, gb, cb) == 0, "mpi allgather");
	for (int p = 0; p < P; p++)
		total += ca[p];
	check(!memcmp(ca, cb, (size_t)P * sizeof(int64_t)), "allgather: counts differ");
	check(!memcmp(ga, gb, (size_t)total * sizeof(*ga)), "allgather: pairs differ");
	free(ga);
	free(gb);
	free(a);
	free(b);
}

/* Every rank, the same bad index: both backends refuse, every rank returns -1. */
static void check_bad_index(struct comm *mp, struct inputs *in, int me)
{
	double *b = malloc(N * sizeof(double));
	struct comm_pair bad = { N + 5, 1.0f };
	const struct comm_pair *sendbad = me == 0 ? &bad : in->pairs[me];
	int64_t count = me == 0 ? 1 : in->counts[me];
	check(comm_allreduce_sparse(mp, &sendbad, &count, N, b) == -1,
	      "index out of range on rank 0: every rank must return -1");
	free(b);
}

/* Ring shift: worker p sends 8 * (p + 1) bytes to p + 1; the last worker sends nothing. */
static void check_exchange(struct comm *ip, struct comm *mp, int me, int P)
{
	char bufs[64][64], got_ip[64][64], got_mp[64];
	struct comm_msg out[64];
	struct comm_slot slot[64];
	for (int p = 0; p < P; p++) {
		memset(bufs[p], 'a' + p, sizeof(bufs[p]));
		out[p] = (struct comm_msg){ p == P - 1 ? -1 : p + 1, bufs[p], 8u * (unsigned)(p + 1) };
		slot[p] = (struct comm_slot){ p == 0 ? -1 : p - 1, got_ip[p], 64, 0 };
	}
	check(comm_exchange(ip, out, slot) == 0, "inproc exchange");
	uint64_t want = slot[me].bytes;
	struct comm_slot mine = { me == 0 ? -1 : me - 1, got_mp, 64, 0 };
	check(comm_exchange(mp, &out[me], &mine) == 0, "mpi exchange");
	check(mine.bytes == want, "exchange: received bytes differ");
	check(me == 0 || !memcmp(got_mp, got_ip[me], (size_t)want), "exchange: payload differs");
	/* Too large: rank 1 offers 4 bytes for 16; it alone sees the error. */
	if (P >= 2) {
		struct comm_msg o = { me == 0 ? 1 : -1, bufs[0], 16 };
		struct comm_slot s = { me == 1 ? 0 : -1, got_mp, 4, 0 };
		int rc = comm_exchange(mp, &o, &s);
		check(me == 1 ? rc == -1 : rc == 0, "exchange: a truncated receive must be -1");
		comm_barrier(mp);
	}
}

/* Worker p's stream: a sorted support of about MAXK indices, float values. */
static int make_stream(struct ss_stream *s, int p)
{
	uint32_t idx[MAXK];
	float val[MAXK];
	uint32_t k = 0;
	struct rng r;
	rng_seed(&r, 7, (uint64_t)p + 1);
	for (uint32_t i = 0; i < N && k < MAXK; i++)
		if (rng_below(&r, N) < 4 * MAXK / 5)
			idx[k] = i, val[k++] = (float)rng_normal(&r);
	ss_init(s);
	return ss_from_pairs(s, 0, N, idx, val, k);
}

static int same_stream(const struct ss_stream *a, const struct ss_stream *b)
{
	if (a->dense != b->dense || a->nnz != b->nnz)
		return 0;
	for (uint32_t i = 0; i < N; i++) {
		float x = ss_get(a, i), y = ss_get(b, i);
		if (memcmp(&x, &y, sizeof(x)))
			return 0;
	}
	return 1;
}

/* Every SparCML variant (sparse_allreduce.c, written once over comm_exchange) on MPI
 * against the same variant in process: the same bits, the same bytes this worker sent. */
static void check_sparse_collectives(struct comm *ip, struct comm *mp, int me, int P)
{
	struct ss_stream in[64], out_ip[64], out_mp;
	struct sar_options o = { 0, 99, MAXK };
	struct sar_ctx *xi = sar_new(ip, N, &o), *xm = sar_new(mp, N, &o);
	check(xi && xm, "sar_new");
	for (int p = 0; p < P; p++) {
		check(make_stream(&in[p], p) == 0, "stream");
		ss_init(&out_ip[p]);
	}
	ss_init(&out_mp);
	for (int v = 0; xi && xm && v < SAR_VARIANTS; v++) {
		char what[128];
		snprintf(what, sizeof(what), "%s: not the in-process bits", sar_variant_name(v));
		int a = sar_allreduce(xi, (enum sar_variant)v, in, out_ip);
		int b = sar_allreduce(xm, (enum sar_variant)v, &in[me], &out_mp);
		check(a == 0 && b == 0, sar_variant_name(v));
		check(a != 0 || b != 0 || same_stream(&out_ip[me], &out_mp), what);
		snprintf(what, sizeof(what), "%s: bytes sent differ", sar_variant_name(v));
		check(sar_cost_of(xi, me)->bytes_sent == sar_cost_of(xm, 0)->bytes_sent, what);
	}
	for (int p = 0; p < P; p++) {
		ss_free(&in[p]);
		ss_free(&out_ip[p]);
	}
	ss_free(&out_mp);
	sar_free(xi);
	sar_free(xm);
}

int main(int argc, char **argv)
{
	if (comm_mpi_init(&argc, &argv) != 0)
		return 2;
	int P = comm_mpi_size(), me = comm_mpi_rank();
	char why[256];
	struct comm *ip = comm_inprocess_new(P), *mp = comm_mpi_new(P, why, sizeof(why));
	check(comm_mpi_new(P + 1, why, sizeof(why)) == NULL, "P + 1 workers on P ranks accepted");
	if (!ip || !mp || P > 64) {
		fprintf(stderr, "comm_mpi_check: cannot start: %s\n", mp ? "P > 64" : why);
		return 2;
	}
	check(mp->local_first == me && mp->local_count == 1 && mp->workers == P, "shape");
	struct inputs in;
	make_inputs(&in, P);
	check_dense(ip, mp, &in, me);
	check_sparse(ip, mp, &in, me, P);
	check(same_stats(&ip->stats[me], &mp->stats[0]), "collectives: this worker's counts differ");
	check_bad_index(mp, &in, me);
	check_exchange(ip, mp, me, P);
	check_sparse_collectives(ip, mp, me, P);
	struct comm_stats all[64];
	check(comm_stats_gather(mp, all) == 0, "stats gather");
	for (int p = 0; p < P; p++)
		check(all[p].collectives == ip->stats[p].collectives &&
		      all[p].payload_bytes == ip->stats[p].payload_bytes, "gathered stats differ");
	check(comm_max_double(mp, (double)me) == (double)(P - 1), "max over ranks");
	float x[3] = { 1, 2, 3 }, y[3];
	check(comm_mpi_allreduce_f32(mp, x, y, 3) == 0 && y[2] == 3.0f * (float)P, "MPI_Allreduce");
	check(comm_mpi_allreduce_f32(ip, x, y, 3) == -1, "native allreduce on in-process comm");
	int bad = failures, worst = 0;
	MPI_Allreduce(&bad, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	for (int p = 0; p < P; p++) {
		free(in.dense[p]);
		free(in.pairs[p]);
	}
	comm_free(mp);
	comm_free(ip);
	comm_mpi_finalize();
	if (me == 0 && worst == 0)
		printf("comm_mpi_check: P = %d ok\n", P);
	return worst ? 1 : 0;
}
