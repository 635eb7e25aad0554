/* Unit tests for the sparse collectives of algorithms/comm/: the exchange step of the
 * in-process backend (matching, caps, counts). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "algorithms/comm/comm.h"

TestSuite(sparse_collectives);

Test(sparse_collectives, exchange_copies_between_matched_workers_and_counts)
{
	struct comm *c = comm_inprocess_new(3);
	int a[2] = { 1, 2 }, b[3] = { 3, 4, 5 };
	int ra[4] = { 0 }, rb[4] = { 0 };
	/* 0 -> 1 (2 ints), 1 -> 0 (3 ints), worker 2 idles. */
	struct comm_msg out[3] = { { 1, a, sizeof a }, { 0, b, sizeof b }, { -1, NULL, 0 } };
	struct comm_slot in[3] = { { 1, ra, sizeof ra, 0 }, { 0, rb, sizeof rb, 0 },
				   { -1, NULL, 0, 99 } };
	cr_assert_eq(comm_exchange(c, out, in), 0);
	cr_assert_eq(in[0].bytes, sizeof b);
	cr_assert_eq(in[1].bytes, sizeof a);
	cr_assert_eq(in[2].bytes, 0);
	cr_assert(ra[0] == 3 && ra[2] == 5 && rb[0] == 1 && rb[1] == 2);
	cr_assert_eq(c->stats[0].bytes_sent, sizeof a);
	cr_assert_eq(c->stats[0].bytes_received, sizeof b);
	cr_assert_eq(c->stats[1].messages_sent, 1);
	cr_assert_eq(c->stats[2].messages_sent + c->stats[2].messages_received, 0);
	comm_free(c);
}

Test(sparse_collectives, exchange_rejects_unmatched_sends_and_small_caps)
{
	struct comm *c = comm_inprocess_new(2);
	int a[2] = { 1, 2 }, r[1];
	struct comm_msg out[2] = { { 1, a, sizeof a }, { -1, NULL, 0 } };
	struct comm_slot none[2] = { { -1, NULL, 0, 0 }, { -1, NULL, 0, 0 } };
	cr_assert_eq(comm_exchange(c, out, none), -1, "a send nobody receives");
	struct comm_slot small[2] = { { -1, NULL, 0, 0 }, { 0, r, sizeof r, 0 } };
	cr_assert_eq(comm_exchange(c, out, small), -1, "a message over the cap");
	struct comm_msg quiet[2] = { { -1, NULL, 0 }, { -1, NULL, 0 } };
	cr_assert_eq(comm_exchange(c, quiet, small), -1, "a receive nobody sends");
	struct comm_msg far[2] = { { 5, a, sizeof a }, { -1, NULL, 0 } };
	cr_assert_eq(comm_exchange(c, far, none), -1, "a peer out of range");
	cr_assert_eq(comm_total(c).messages_sent, 0, "a rejected step counts nothing");
	comm_free(c);
}
