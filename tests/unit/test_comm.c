/* Unit tests for algorithms/comm: the in-process backend's sums against a direct sum,
 * and its byte and message counts against the ring rules computed by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/comm/comm.h"

TestSuite(comm);

Test(comm, sparse_allreduce_sums_in_rank_order)
{
	struct comm *c = comm_inprocess_new(3);
	struct comm_pair a[] = { { 0, 1.5f }, { 4, -2.0f } };
	struct comm_pair b[] = { { 4, 0.25f } };
	struct comm_pair d[] = { { 1, 3.0f }, { 0, 1.0f }, { 2, 0.5f } };
	const struct comm_pair *send[] = { a, b, d };
	int64_t counts[] = { 2, 1, 3 };
	double sum[5];
	cr_assert_eq(comm_allreduce_sparse(c, send, counts, 5, sum), 0);
	double expect[] = { 2.5, 3.0, 0.5, 0.0, -1.75 };
	for (int i = 0; i < 5; i++)
		cr_assert_eq(sum[i], expect[i], "entry %d: %g", i, sum[i]);
	/* Ring allgather: worker p forwards blocks p, p-1 (P-1 = 2 steps) and receives
	 * blocks p-1, p-2. Worker 0: sends 2+3 pairs, receives 3+1 pairs. */
	cr_assert_eq(c->stats[0].payload_bytes, 16);
	cr_assert_eq(c->stats[0].bytes_sent, 40);
	cr_assert_eq(c->stats[0].bytes_received, 32);
	cr_assert_eq(c->stats[1].bytes_sent, (1 + 2) * 8);
	cr_assert_eq(c->stats[2].bytes_sent, (3 + 1) * 8);
	cr_assert_eq(c->stats[2].messages_sent, 2);
	struct comm_stats t = comm_total(c);
	cr_assert_eq(t.bytes_sent, t.bytes_received, "a ring loses no byte");
	cr_assert_eq(t.payload_bytes, 6 * 8);
	comm_free(c);
}

Test(comm, sparse_allreduce_rejects_an_index_out_of_range)
{
	struct comm *c = comm_inprocess_new(1);
	struct comm_pair a[] = { { 9, 1.0f } };
	const struct comm_pair *send[] = { a };
	int64_t counts[] = { 1 };
	double sum[4];
	cr_assert_eq(comm_allreduce_sparse(c, send, counts, 4, sum), -1);
	comm_free(c);
}

Test(comm, allgather_concatenates_by_rank)
{
	struct comm *c = comm_inprocess_new(2);
	struct comm_pair a[] = { { 3, 1.0f } }, b[] = { { 1, 2.0f }, { 2, 4.0f } };
	const struct comm_pair *send[] = { a, b };
	int64_t counts[] = { 1, 2 }, recv_counts[2];
	struct comm_pair recv[3];
	cr_assert_eq(comm_allgather_sparse(c, send, counts, recv, recv_counts), 0);
	cr_assert(recv[0].index == 3 && recv[1].index == 1 && recv[2].index == 2);
	cr_assert(recv_counts[0] == 1 && recv_counts[1] == 2);
	cr_assert_eq(c->stats[1].bytes_sent, 16);
	cr_assert_eq(c->stats[1].bytes_received, 8);
	comm_free(c);
}

/* Dense ring allreduce of n = 10 over P = 4: chunks of 3, 3, 2, 2 entries; every
 * worker sends 2 (P - 1) messages, and all of them together send 2 (P - 1) n entries. */
Test(comm, dense_allreduce_rounds_to_float_and_counts_the_ring)
{
	enum { P = 4, N = 10 };
	struct comm *c = comm_inprocess_new(P);
	double v[P][N], sum[N];
	const double *send[P];
	for (int p = 0; p < P; p++) {
		for (int i = 0; i < N; i++)
			v[p][i] = 0.1 * (p + 1) + i;
		send[p] = v[p];
	}
	cr_assert_eq(comm_allreduce_dense(c, send, N, sum), 0);
	for (int i = 0; i < N; i++) {
		double expect = 0.0;
		for (int p = 0; p < P; p++)
			expect += (double)(float)v[p][i];
		cr_assert_eq(sum[i], expect);
		cr_assert(fabs(sum[i] - (1.0 + 4 * i)) < 1e-5);
	}
	struct comm_stats t = comm_total(c);
	cr_assert_eq(t.bytes_sent, (uint64_t)2 * (P - 1) * N * 4);
	cr_assert_eq(t.bytes_received, t.bytes_sent);
	for (int p = 0; p < P; p++) {
		cr_assert_eq(c->stats[p].messages_sent, 2 * (P - 1));
		cr_assert_eq(c->stats[p].payload_bytes, N * 4);
	}
	/* Worker 0 sends chunks 0, 3, 2 (reduce-scatter) and 1, 0, 3 (allgather). */
	cr_assert_eq(c->stats[0].bytes_sent, (3 + 2 + 2 + 3 + 3 + 2) * 4);
	comm_free(c);
}

Test(comm, one_worker_sends_nothing)
{
	struct comm *c = comm_inprocess_new(1);
	double v[3] = { 1, 2, 3 }, sum[3];
	const double *send[] = { v };
	cr_assert_eq(comm_allreduce_dense(c, send, 3, sum), 0);
	cr_assert_eq(c->stats[0].bytes_sent, 0);
	cr_assert_eq(c->stats[0].messages_sent, 0);
	cr_assert_eq(c->stats[0].payload_bytes, 12);
	cr_assert_null(comm_inprocess_new(0));
	comm_free(c);
}
