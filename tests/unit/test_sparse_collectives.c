/* Unit tests for the sparse collectives of algorithms/comm/: the exchange step of the
 * in-process backend (matching, caps, counts), the stream (switch rule, merges, wire
 * form), every allreduce variant against a direct sum (P powers of two and not, both
 * encodings: the notes' S1), the output encoding rule and per-message bytes (S2), the
 * dense baselines' exact volume, QSGD's packing and its 4-bit shrink (S6's count), and
 * the max-over-ranks used by the driver. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/comm/comm.h"
#include "algorithms/comm/qsgd.h"
#include "algorithms/comm/sparse_allreduce.h"
#include "algorithms/comm/sparse_stream.h"
#include "algorithms/kernels/rng.h"

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

/* ---- the stream ---- */

Test(sparse_collectives, switch_rule_is_nnz_c_s_against_n_c_d)
{
	cr_assert(!ss_should_be_dense(3, 8));
	cr_assert(ss_should_be_dense(4, 8), "delta = N / 2 for u32 + f32");
	cr_assert(!ss_should_be_dense(0, 1));
}

Test(sparse_collectives, merge_is_a_sum_and_densifies_at_delta)
{
	struct ss_stream a, b, out;
	ss_init(&a);
	ss_init(&b);
	ss_init(&out);
	uint32_t ia[] = { 1, 5 }, ib[] = { 5, 6 };
	float va[] = { 1, 2 }, vb[] = { 10, 20 };
	cr_assert_eq(ss_from_pairs(&a, 0, 16, ia, va, 2), 0);
	cr_assert_eq(ss_from_pairs(&b, 0, 16, ib, vb, 2), 0);
	cr_assert_eq(ss_merge(&out, &a, &b, 0), 0);
	cr_assert(!out.dense && out.nnz == 3, "K = 3 < 8 stays sparse");
	cr_assert(ss_get(&out, 5) == 12 && ss_get(&out, 6) == 20 && ss_get(&out, 0) == 0);
	/* over n = 6, K = 3 = n / 2: dense */
	cr_assert_eq(ss_from_pairs(&a, 0, 7, ia, va, 2), 0);
	cr_assert_eq(ss_from_pairs(&b, 0, 7, ib, vb, 2), 0);
	cr_assert_eq(ss_merge(&out, &a, &b, 0), 0);
	cr_assert(!out.dense, "K = 3, n = 7: 24 < 28");
	uint32_t ic[] = { 0 };
	float vc[] = { 4 };
	struct ss_stream c;
	ss_init(&c);
	cr_assert_eq(ss_from_pairs(&c, 0, 7, ic, vc, 1), 0);
	cr_assert_eq(ss_merge(&b, &out, &c, 0), 0);
	cr_assert(b.dense && b.nnz == 7, "K = 4, n = 7: 32 >= 28");
	cr_assert(b.val[0] == 4 && b.val[5] == 12 && b.val[2] == 0);
	/* dense + sparse: scatter-add */
	cr_assert_eq(ss_merge(&out, &b, &c, 0), 0);
	cr_assert(out.dense && out.val[0] == 8);
	ss_free(&a);
	ss_free(&b);
	ss_free(&c);
	ss_free(&out);
}

Test(sparse_collectives, wire_form_round_trips_and_rejects_malformed_bytes)
{
	struct ss_stream s, r;
	ss_init(&s);
	ss_init(&r);
	uint32_t idx[] = { 2, 9, 40 };
	float val[] = { -1.5f, 3, 7 };
	cr_assert_eq(ss_from_pairs(&s, 0, 100, idx, val, 3), 0);
	cr_assert_eq(ss_wire_bytes(&s), 4 + 3 * 8);
	unsigned char buf[4 + 100 * 4];
	ss_pack(&s, buf);
	cr_assert_eq(ss_unpack(&r, 0, 100, buf, 28), 0);
	cr_assert(r.nnz == 3 && r.idx[2] == 40 && r.val[0] == -1.5f);
	cr_assert_eq(ss_unpack(&r, 0, 100, buf, 27), -1, "short");
	cr_assert_eq(ss_unpack(&r, 0, 30, buf, 28), -1, "index out of range");
	uint32_t nine = 9;
	memcpy(buf + 4, &nine, 4);
	memcpy(buf + 12, &nine, 4);
	cr_assert_eq(ss_unpack(&r, 0, 100, buf, 28), -1, "not increasing");
	cr_assert_eq(ss_densify(&s), 0);
	cr_assert_eq(ss_wire_bytes(&s), 4 + 100 * 4);
	ss_free(&s);
	ss_free(&r);
}

Test(sparse_collectives, join_keeps_order_and_applies_the_switch)
{
	struct ss_stream parts[2], out;
	ss_init(&parts[0]);
	ss_init(&parts[1]);
	ss_init(&out);
	uint32_t i0[] = { 3 }, i1[] = { 0, 1 };
	float v0[] = { 1 }, v1[] = { 2, 3 };
	cr_assert_eq(ss_from_pairs(&parts[0], 0, 8, i0, v0, 1), 0);
	cr_assert_eq(ss_from_pairs(&parts[1], 8, 8, i1, v1, 2), 0);
	cr_assert_eq(ss_join(&out, parts, 2), 0);
	cr_assert(!out.dense && out.nnz == 3 && out.idx[1] == 8 && out.idx[2] == 9);
	cr_assert_eq(ss_join(&out, parts + 1, 1), 0);
	cr_assert(out.lo == 8);
	struct ss_stream gap[2] = { parts[1], parts[0] };
	cr_assert_eq(ss_join(&out, gap, 2), -1, "ranges must be adjacent and in order");
	ss_free(&parts[0]);
	ss_free(&parts[1]);
	ss_free(&out);
}

/* ---- the allreduces ---- */

/* Every rank: k random indices of [0, n) with integer (or float) values; ref = sum. */
static void inputs(int workers, uint32_t n, uint32_t k, int integer, struct ss_stream *in,
		   double *ref, uint8_t *support)
{
	uint32_t *idx = malloc(n * sizeof(*idx));
	float *val = malloc(n * sizeof(*val));
	memset(ref, 0, n * sizeof(*ref));
	memset(support, 0, n);
	for (int w = 0; w < workers; w++) {
		struct rng r;
		rng_seed(&r, 7, (uint64_t)w);
		uint32_t cnt = 0;
		for (uint32_t i = 0; i < n; i++)
			if (rng_below(&r, n - i) < k - cnt) {
				idx[cnt] = i;
				val[cnt] = integer ? (float)((int)rng_below(&r, 200) - 100)
						   : (float)(2 * rng_uniform(&r) - 1);
				ref[i] += val[cnt];
				support[i] = 1;
				cnt++;
			}
		ss_init(&in[w]);
		cr_assert_eq(ss_from_pairs(&in[w], 0, n, idx, val, cnt), 0);
	}
	free(idx);
	free(val);
}

static void check_variant(enum sar_variant v, int workers, uint32_t n, uint32_t k, int integer)
{
	struct comm *c = comm_inprocess_new(workers);
	struct sar_options o = { 0, 1, k };
	struct sar_ctx *x = sar_new(c, n, &o);
	struct ss_stream *in = calloc((size_t)workers, sizeof(*in));
	struct ss_stream *out = calloc((size_t)workers, sizeof(*out));
	double *ref = malloc(n * sizeof(*ref));
	uint8_t *support = malloc(n);
	inputs(workers, n, k, integer, in, ref, support);
	uint64_t union_k = 0;
	for (uint32_t i = 0; i < n; i++)
		union_k += support[i];
	cr_assert_eq(sar_allreduce(x, v, in, out), 0);
	for (int w = 0; w < workers; w++) {
		for (uint32_t i = 0; i < n; i++) {
			double got = ss_get(&out[w], i);
			double tol = integer ? 0 : 1e-6 * workers;
			cr_assert(fabs(got - ref[i]) <= tol, "%s P=%d n=%u k=%u rank %d index %u: %g, not %g",
				  sar_variant_name(v), workers, n, k, w, i, got, ref[i]);
		}
		if (v == SAR_RECURSIVE_DOUBLE)
			cr_assert_eq(out[w].dense, ss_should_be_dense(union_k, n),
				     "output dense iff K c_s >= N c_d (P=%d k=%u)", workers, k);
	}
	for (int w = 0; w < workers; w++) {
		ss_free(&in[w]);
		ss_free(&out[w]);
	}
	free(in);
	free(out);
	free(ref);
	free(support);
	sar_free(x);
	comm_free(c);
}

Test(sparse_collectives, every_variant_equals_the_dense_sum)
{
	const int ps[] = { 1, 2, 3, 5, 6, 8, 11 };
	const uint32_t ks[] = { 3, 40, 150 };   /* sparse, densifying, dense inputs over n = 256 */
	for (int v = 0; v < SAR_VARIANTS; v++)
		for (size_t p = 0; p < sizeof(ps) / sizeof(ps[0]); p++)
			for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++)
				for (int integer = 0; integer < 2; integer++)
					check_variant((enum sar_variant)v, ps[p], 256, ks[k], integer);
}

Test(sparse_collectives, a_message_is_its_streams_size)
{
	/* P = 2, recursive doubling: one step, each rank sends its whole input stream */
	struct comm *c = comm_inprocess_new(2);
	struct sar_options o = { 0, 1, 0 };
	struct sar_ctx *x = sar_new(c, 1000, &o);
	struct ss_stream in[2], out[2];
	double ref[1000];
	uint8_t support[1000];
	inputs(2, 1000, 37, 1, in, ref, support);
	ss_init(&out[0]);
	ss_init(&out[1]);
	cr_assert_eq(sar_allreduce(x, SAR_RECURSIVE_DOUBLE, in, out), 0);
	for (int w = 0; w < 2; w++) {
		cr_assert_eq(c->stats[w].bytes_sent, ss_wire_bytes(&in[w]));
		cr_assert_eq(c->stats[w].bytes_sent, 4 + 8 * 37);
		cr_assert_eq(sar_cost_of(x, w)->steps, 1);
		ss_free(&in[w]);
		ss_free(&out[w]);
	}
	sar_free(x);
	comm_free(c);
}

Test(sparse_collectives, rabenseifner_sends_2_n_c_d_p_minus_1_over_p)
{
	struct comm *c = comm_inprocess_new(8);
	struct sar_options o = { 0, 1, 0 };
	struct sar_ctx *x = sar_new(c, 4096, &o);
	struct ss_stream in[8], out[8];
	double *ref = malloc(4096 * sizeof(*ref));
	uint8_t *support = malloc(4096);
	inputs(8, 4096, 100, 1, in, ref, support);
	for (int w = 0; w < 8; w++)
		ss_init(&out[w]);
	cr_assert_eq(sar_allreduce(x, SAR_RABENSEIFNER, in, out), 0);
	for (int w = 0; w < 8; w++) {
		cr_assert_eq(sar_cost_of(x, w)->bytes_sent, 2 * 4096 * 4 * 7 / 8);
		cr_assert_eq(sar_cost_of(x, w)->steps, 6, "2 log2 P");
		struct ab_expect e;
		cr_assert_eq(ab_expected(SAR_RABENSEIFNER, 4096, 8, 0.1, 0, 1, &e), 0);
		cr_assert_eq((uint64_t)e.bytes_sent, sar_cost_of(x, w)->bytes_sent);
		ss_free(&in[w]);
		ss_free(&out[w]);
	}
	free(ref);
	free(support);
	sar_free(x);
	comm_free(c);
}

Test(sparse_collectives, quantized_dense_phases_agree_on_every_rank)
{
	const enum sar_variant vs[] = { SAR_RABENSEIFNER, SAR_DSAR_SPLIT_ALLGATHER, SAR_HYBRID };
	for (int i = 0; i < 3; i++) {
		int workers = 6;
		struct comm *c = comm_inprocess_new(workers);
		struct sar_options o = { 4, 3, 20 };
		struct sar_ctx *x = sar_new(c, 4096, &o);
		struct ss_stream in[6], out[6];
		double *ref = malloc(4096 * sizeof(*ref));
		uint8_t *support = malloc(4096);
		inputs(workers, 4096, 600, 0, in, ref, support);
		for (int w = 0; w < workers; w++)
			ss_init(&out[w]);
		cr_assert_eq(sar_allreduce(x, vs[i], in, out), 0);
		double err = 0, norm = 0;
		for (uint32_t j = 0; j < 4096; j++) {
			for (int w = 1; w < workers; w++)
				cr_assert(ss_get(&out[w], j) == ss_get(&out[0], j), "%s rank %d",
					  sar_variant_name(vs[i]), w);
			err += pow(ss_get(&out[0], j) - ref[j], 2);
			norm += ref[j] * ref[j];
		}
		cr_assert(err > 0, "quantized: not exact");
		cr_assert(sqrt(err / norm) < 3, "but near: %g", sqrt(err / norm));
		for (int w = 0; w < workers; w++) {
			ss_free(&in[w]);
			ss_free(&out[w]);
		}
		free(ref);
		free(support);
		sar_free(x);
		comm_free(c);
	}
}

Test(sparse_collectives, max_over_ranks)
{
	struct comm *c = comm_inprocess_new(5);
	struct sar_options o = { 0, 1, 0 };
	struct sar_ctx *x = sar_new(c, 8, &o);
	double v[5] = { 3, -1, 9, 2, 4 };
	cr_assert_eq(sar_max(x, v), 0);
	for (int w = 0; w < 5; w++)
		cr_assert_eq(v[w], 9);
	cr_assert_eq(sar_barrier(x), 0);
	sar_free(x);
	comm_free(c);
}

/* ---- QSGD ---- */

Test(sparse_collectives, qsgd_4_bit_shrinks_f32_7_9x_and_decodes_onto_levels)
{
	cr_assert_eq(qsgd_wire_bytes(2048, 4), 2 * (4 + 512));
	double shrink = 4.0 * 2048 / (double)qsgd_wire_bytes(2048, 4);
	cr_assert(fabs(shrink - 32.0 / (4 + 32.0 / 1024)) < 1e-9, "%g", shrink);
	cr_assert_eq(qsgd_wire_bytes(1000, 2), 4 + 250);
	float v[1500], q[1500];
	struct rng r;
	rng_seed(&r, 1, 0);
	for (int i = 0; i < 1500; i++)
		v[i] = (float)rng_normal(&r);
	unsigned char buf[2000];
	for (int bits = 2; bits <= 8; bits *= 2) {
		qsgd_encode(v, 1500, bits, &r, buf);
		qsgd_decode(buf, 1500, bits, q);
		double norm = 0;
		for (int i = 0; i < 1024; i++)
			norm += (double)v[i] * v[i];
		int s = qsgd_levels(bits);
		for (int i = 0; i < 1024; i++) {
			double level = fabs(q[i]) * s / sqrt(norm);
			cr_assert(fabs(level - round(level)) < 1e-4 && level <= s + 1e-4);
			cr_assert(q[i] == 0 || (q[i] > 0) == (v[i] > 0), "the sign survives");
		}
	}
	float zero[10] = { 0 };
	qsgd_encode(zero, 10, 4, &r, buf);
	qsgd_decode(buf, 10, 4, q);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(q[i], 0);
}
