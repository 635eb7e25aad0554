/* data_market (algorithms/data_market/): the identities the claims table leaves to tests:
 * dividends conserve the fee, the SHA-256 chain names an edited, dropped or swapped ledger
 * row, exact KNN-Shapley equals brute force on a tiny set, the association follows the
 * contract on a table of cases, and the enclave refuses a wrong key or a flipped byte with
 * one line before anything is trained. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/data_market/association.h"
#include "algorithms/data_market/dm_runs.h"
#include "algorithms/data_market/enclave.h"
#include "algorithms/data_market/ledger.h"
#include "algorithms/data_market/shapley.h"
#include "algorithms/kernels/rng.h"
#include "suite/recorder.h"
#include "tests/unit/testutil.h"

TestSuite(data_market, .timeout = 30);

Test(data_market, apportion_conserves_under_random_jobs)
{
	struct rng r;
	rng_seed(&r, 7, 0);
	for (int trial = 0; trial < 2000; trial++) {
		int n = 1 + (int)rng_below(&r, 12);
		int64_t w[12], out[12], total = (int64_t)rng_below(&r, 100000), sum = 0, wsum = 0;
		for (int i = 0; i < n; i++)
			wsum += w[i] = (int64_t)rng_below(&r, trial % 3 ? 1000 : 3);
		if (wsum == 0) {
			cr_expect_eq(dm_apportion(total, w, n, out), -1, "all-zero weights have no split");
			continue;
		}
		cr_assert_eq(dm_apportion(total, w, n, out), 0);
		for (int i = 0; i < n; i++) {
			sum += out[i];
			/* floor or ceil of the exact share: the remainder rule moves at most one token */
			int64_t fl = total * w[i] / wsum;
			cr_expect(out[i] == fl || out[i] == fl + 1, "part %d: %lld, floor %lld", i, (long long)out[i],
				  (long long)fl);
		}
		cr_expect_eq(sum, total, "trial %d: %lld paid of %lld", trial, (long long)sum, (long long)total);
	}
}

Test(data_market, remainder_goes_to_largest_remainders_then_lower_index)
{
	int64_t w[3] = { 1, 1, 1 }, out[3];
	cr_assert_eq(dm_apportion(2, w, 3, out), 0);
	cr_expect(out[0] == 1 && out[1] == 1 && out[2] == 0);
	int64_t w2[3] = { 1, 2, 3 };
	cr_assert_eq(dm_apportion(10, w2, 3, out), 0);   /* 1.67, 3.33, 5: remainder to the first */
	cr_expect(out[0] == 2 && out[1] == 3 && out[2] == 5);
}

/* A ledger of 2 holders, 3 shards and `jobs` random jobs. */
static struct dm_ledger *small_ledger(int jobs)
{
	char err[256];
	struct dm_ledger *l = dm_ledger_open(NULL, err, sizeof(err));
	cr_assert_not_null(l, "%s", err);
	cr_assert_eq(dm_ledger_add_holder(l, 0, "a"), 0);
	cr_assert_eq(dm_ledger_add_holder(l, 1, "b"), 0);
	int64_t h[2] = { 0, 1 }, b[2] = { 3, 7 };
	const int64_t *hs[3] = { h, h, h + 1 }, *bs[3] = { b, b, b + 1 };
	int nh[3] = { 2, 2, 1 };
	struct rng r;
	rng_seed(&r, 3, 0);
	for (int j = 0; j < 3; j++)
		cr_assert_eq(dm_ledger_add_shard(l, j, "00ff", 0), 0);
	for (int job = 0; job < jobs; job++) {
		int64_t use[3] = { (int64_t)rng_below(&r, 50), (int64_t)rng_below(&r, 50), 1 }, paid[5];
		int64_t fee = 1 + (int64_t)rng_below(&r, 997), sum = 0;
		int n = dm_ledger_job(l, job, fee, use, 3, hs, bs, nh, paid);
		cr_assert_eq(n, 5);
		for (int q = 0; q < n; q++)
			sum += paid[q];
		cr_expect_eq(sum, fee);
		cr_expect_eq(dm_ledger_job_paid(l, job), fee);
	}
	cr_assert_eq(dm_ledger_verify(l, err, sizeof(err)), 0, "%s", err);
	return l;
}

static void expect_named(struct dm_ledger *l, const char *sql, const char *want)
{
	char err[256] = "";
	cr_assert_eq(dm_ledger_exec(l, sql), 0, "%s", sql);
	cr_expect_eq(dm_ledger_verify(l, err, sizeof(err)), -1, "not detected: %s", sql);
	cr_expect(strstr(err, want) != NULL, "%s: got '%s', want '%s'", sql, err, want);
	cr_expect(strchr(err, '\n') == NULL);
}

Test(data_market, chain_names_an_edit_a_deletion_and_a_swap)
{
	/* 5 + 4 x (1 + 3 + 5) = 41 rows; job 0 is seq 6, then per shard its usage row and
	 * payouts: 7 (8 9) 10 (11 12) 13 (14). */
	struct dm_ledger *l = small_ledger(4);
	cr_assert_eq(dm_ledger_rows(l), 41);
	expect_named(l, "SAVEPOINT s; UPDATE payouts SET amount = amount + 1 WHERE seq = 20",
		     "payouts row seq 20: receipt hash mismatch");
	dm_ledger_exec(l, "ROLLBACK TO s; RELEASE s");
	expect_named(l, "SAVEPOINT s; DELETE FROM usage WHERE seq = 7", "row seq 7 missing (dropped)");
	dm_ledger_exec(l, "ROLLBACK TO s; RELEASE s");
	/* A swap of two rows' contents (same table), and of two rows' places. */
	expect_named(l,
		     "SAVEPOINT s; UPDATE payouts SET amount = CASE seq WHEN 11 THEN (SELECT amount FROM payouts "
		     "WHERE seq = 12) ELSE (SELECT amount FROM payouts WHERE seq = 11) END WHERE seq IN (11, 12)",
		     "payouts row seq 11: receipt hash mismatch");
	dm_ledger_exec(l, "ROLLBACK TO s; RELEASE s");
	expect_named(l, "SAVEPOINT s; UPDATE jobs SET seq = -seq WHERE seq IN (6, 15); "
			"UPDATE jobs SET seq = CASE WHEN seq = -6 THEN 15 ELSE 6 END WHERE seq < 0",
		     "row seq 6: receipt hash mismatch");
	dm_ledger_exec(l, "ROLLBACK TO s; RELEASE s");
	expect_named(l, "SAVEPOINT s; DELETE FROM payouts WHERE seq = 41", "head says 41");
	dm_ledger_exec(l, "ROLLBACK TO s; RELEASE s");
	char err[256];
	cr_expect_eq(dm_ledger_verify(l, err, sizeof(err)), 0, "rolled back: %s", err);
	dm_ledger_close(l);
}

/* Shapley values by every permutation of a tiny set. */
static void brute_shapley(const int32_t *order, const double *ytr, int n, const double *yte, int m, int k,
			  double *v)
{
	int perm[8], c[8] = { 0 };
	unsigned char mask[8];
	double count = 0;
	for (int i = 0; i < n; i++) {
		perm[i] = i;
		v[i] = 0;
	}
	/* Heap's algorithm over all n! orders. */
	for (int i = 0;;) {
		memset(mask, 0, sizeof(mask));
		double prev = 0;
		for (int q = 0; q < n; q++) {
			mask[perm[q]] = 1;
			double u = dm_knn_utility(order, ytr, n, yte, m, k, mask);
			v[perm[q]] += u - prev;
			prev = u;
		}
		count++;
		while (i < n && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= n)
			break;
		int j = i % 2 ? c[i] : 0, t = perm[j];
		perm[j] = perm[i];
		perm[i] = t;
		c[i]++;
		i = 0;
	}
	for (int i = 0; i < n; i++)
		v[i] /= count;
}

Test(data_market, knn_shapley_matches_brute_force)
{
	struct rng r;
	rng_seed(&r, 11, 0);
	enum { N = 7, M = 4, D = 2 };
	double x[N * D], t[M * D], ytr[N], yte[M], exact[N], zero[N], brute[N], mc[N];
	for (int trial = 0; trial < 5; trial++) {
		for (int i = 0; i < N * D; i++)
			x[i] = rng_normal(&r);
		for (int i = 0; i < M * D; i++)
			t[i] = rng_normal(&r);
		for (int i = 0; i < N; i++)
			ytr[i] = rng_uniform(&r) < 0.5 ? 1 : -1;
		for (int i = 0; i < M; i++)
			yte[i] = rng_uniform(&r) < 0.5 ? 1 : -1;
		int32_t *order = dm_knn_order(x, N, t, M, D);
		cr_assert_not_null(order);
		for (int k = 1; k <= 3; k++) {
			brute_shapley(order, ytr, N, yte, M, k, brute);
			dm_knn_shapley(order, ytr, N, yte, M, k, DM_BASE_JIA, exact);
			dm_knn_shapley(order, ytr, N, yte, M, k, DM_BASE_ZERO, zero);
			double sum = 0, gap = 0;
			for (int i = 0; i < N; i++) {
				cr_expect(fabs(exact[i] - brute[i]) < 1e-12, "trial %d k %d point %d: %g vs %g", trial, k, i,
					  exact[i], brute[i]);
				sum += exact[i];
				gap += exact[i] - zero[i];
			}
			cr_expect(fabs(sum - dm_knn_utility(order, ytr, N, yte, M, k, NULL)) < 1e-12, "efficiency");
			/* Base 0 shifts every value by the same mean of 1[y_far = y_t] / N. */
			double shift = 0;
			for (int q = 0; q < M; q++)
				shift += (ytr[order[q * N + N - 1]] == yte[q]) / (double)N / M;
			cr_expect(fabs(gap - N * shift) < 1e-12);
		}
		/* Monte Carlo converges to the exact values. */
		cr_assert_eq(dm_mc_shapley(order, ytr, N, yte, M, 2, 20000, &r, mc), 0);
		dm_knn_shapley(order, ytr, N, yte, M, 2, DM_BASE_JIA, exact);
		for (int i = 0; i < N; i++)
			cr_expect(fabs(mc[i] - exact[i]) < 0.02, "mc %d: %g vs %g", i, mc[i], exact[i]);
		free(order);
	}
}

/* The contract's semantics, case by case. */
Test(data_market, association_follows_the_contract_on_a_table_of_cases)
{
	int64_t bal[4] = { 10, 5, 5, 0 };
	struct {
		int yea[4];        /* 1 yea, -1 nay, 0 abstain */
		int64_t quorum;
		enum dm_outcome want;
	} cases[] = {
		{ { 1, -1, 0, 0 }, 10, DM_PASSED },      /* 10 > 5 */
		{ { 0, 1, -1, 0 }, 10, DM_REJECTED },    /* tie: strict yea > nay fails */
		{ { 0, 1, 1, 0 }, 10, DM_PASSED },       /* quorum 10 reached exactly */
		{ { 0, 1, 0, 0 }, 10, DM_NO_QUORUM },    /* 5 < 10 */
		{ { -1, 1, 1, 0 }, 20, DM_REJECTED },    /* 10 vs 10 */
		{ { 0, 0, 0, 0 }, 0, DM_REJECTED },      /* no votes: quorum 0 met, 0 > 0 fails */
		{ { 1, 0, 0, 0 }, 11, DM_NO_QUORUM },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct dm_assoc *a = dm_assoc_new(4, bal, cases[c].quorum, 5);
		cr_assert_not_null(a);
		int p = dm_assoc_propose(a, DM_ADD_SHARD, 3, 42, 0);
		cr_assert_eq(p, 0);
		for (int v = 0; v < 4; v++)
			if (cases[c].yea[v])
				cr_expect_eq(dm_assoc_vote(a, p, v, cases[c].yea[v] > 0, 1), DM_CALL_OK);
		cr_expect_eq(dm_assoc_vote(a, p, 3, 1, 1), DM_ERR_NO_TOKENS, "a holder of 0 tokens cannot vote");
		if (cases[c].yea[0])
			cr_expect_eq(dm_assoc_vote(a, p, 0, 1, 2), DM_ERR_VOTED, "one vote per address");
		cr_expect_eq(dm_assoc_vote(a, p, 1, 1, 5), DM_ERR_CLOSED, "no vote at or after the deadline");
		enum dm_outcome out = DM_OPEN;
		cr_expect_eq(dm_assoc_execute(a, p, 4, &out), DM_ERR_EARLY);
		cr_expect_eq(dm_assoc_execute(a, p, 5, &out), DM_CALL_OK);
		cr_expect_eq(out, cases[c].want, "case %zu: outcome %d, want %d", c, out, cases[c].want);
		cr_expect_eq(dm_assoc_execute(a, p, 6, &out), DM_ERR_EXECUTED);
		int64_t minted = cases[c].want == DM_PASSED ? 42 : 0;
		cr_expect_eq(dm_assoc_balance(a, 3), minted, "reward minted to the curator only on pass");
		cr_expect_eq(dm_assoc_supply(a), 20 + minted);
		dm_assoc_free(a);
	}
}

Test(data_market, create_database_mints_nothing_and_weights_are_tally_time_balances)
{
	int64_t bal[3] = { 4, 3, 0 };
	struct dm_assoc *a = dm_assoc_new(3, bal, 1, 1);
	enum dm_outcome out;
	int p0 = dm_assoc_propose(a, DM_ADD_SHARD, 1, 2, 0);
	cr_expect_eq(dm_assoc_vote(a, p0, 1, 1, 0), DM_CALL_OK);
	int p1 = dm_assoc_propose(a, DM_CREATE_DATABASE, 2, 99, 0);
	cr_expect_eq(dm_assoc_vote(a, p1, 0, 0, 0), DM_CALL_OK);
	cr_expect_eq(dm_assoc_vote(a, p1, 1, 1, 0), DM_CALL_OK);
	/* p0 passes and mints 2 to member 1 before p1's tally: 5 yea against 4 nay. */
	cr_expect_eq(dm_assoc_execute(a, p0, 1, &out), DM_CALL_OK);
	cr_expect_eq(out, DM_PASSED);
	cr_expect_eq(dm_assoc_execute(a, p1, 1, &out), DM_CALL_OK);
	cr_expect_eq(out, DM_PASSED);
	cr_expect_eq(dm_assoc_supply(a), 9, "creating a database mints nothing");
	dm_assoc_free(a);
}

static const unsigned char key_a[DM_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
static const unsigned char key_b[DM_KEY_BYTES] = "0123456789abcdef0123456789abcdeF";

Test(data_market, enclave_opens_its_own_shards_and_refuses_bad_ones)
{
	enum { ROWS = 8, D = 3 };
	double plain[ROWS * (D + 1)], w[D] = { 0 };
	struct rng r;
	rng_seed(&r, 5, 0);
	for (int i = 0; i < ROWS; i++)
		plain[i] = i % 2 ? 1 : -1;
	for (int i = ROWS; i < ROWS * (D + 1); i++)
		plain[i] = rng_normal(&r);
	struct dm_sealed s[2];
	char err[256] = "";
	for (int j = 0; j < 2; j++)
		cr_assert_eq(dm_seal(key_a, j, ROWS, plain, sizeof(plain), &s[j], err, sizeof(err)), 0, "%s", err);
	cr_expect(memcmp(s[0].bytes, plain, sizeof(plain)) != 0, "the stored shard is not plaintext");
	struct dm_enclave *good = dm_enclave_new(key_a, 2, sizeof(plain));
	const double *buf = dm_enclave_open(good, &s[1], err, sizeof(err));
	cr_assert_not_null(buf, "%s", err);
	cr_expect(memcmp(buf, plain, sizeof(plain)) == 0);
	cr_expect_eq(dm_enclave_train(good, &s[0], D, 0.1, w, err, sizeof(err)), 0);
	cr_expect_eq(dm_enclave_uses(good, 0), ROWS, "the meter counts the rows trained on");
	cr_expect_eq(dm_enclave_uses(good, 1), 0, "opening is not a use");

	/* A wrong key: refused, one line, nothing metered or trained. */
	struct dm_enclave *bad = dm_enclave_new(key_b, 2, sizeof(plain));
	double w2[D] = { 0 };
	cr_expect_eq(dm_enclave_check(bad, s, 2, err, sizeof(err)), -1);
	cr_expect(strstr(err, "shard 0: authentication failed") != NULL, "%s", err);
	cr_expect(strchr(err, '\n') == NULL);
	cr_expect_eq(dm_enclave_train(bad, &s[0], D, 0.1, w2, err, sizeof(err)), -1);
	cr_expect(w2[0] == 0 && w2[1] == 0 && w2[2] == 0, "nothing trained");
	cr_expect_eq(dm_enclave_uses(bad, 0), 0);

	/* A flipped ciphertext byte, a flipped tag byte, a shard passed off as another. */
	s[1].bytes[5] ^= 0x80;
	cr_expect_eq(dm_enclave_check(good, s, 2, err, sizeof(err)), -1);
	cr_expect(strstr(err, "shard 1: authentication failed") != NULL, "%s", err);
	s[1].bytes[5] ^= 0x80;
	s[0].tag[0] ^= 1;
	cr_expect_null(dm_enclave_open(good, &s[0], err, sizeof(err)));
	s[0].tag[0] ^= 1;
	s[0].shard = 1;
	cr_expect_null(dm_enclave_open(good, &s[0], err, sizeof(err)), "the shard id is authenticated");
	s[0].shard = 0;
	cr_expect_eq(dm_enclave_check(good, s, 2, err, sizeof(err)), 0, "%s", err);
	dm_enclave_free(good);
	dm_enclave_free(bad);
	for (int j = 0; j < 2; j++)
		dm_sealed_free(&s[j]);
}

/* The overhead run with a fault fails with one clear line before training. */
static void faulty_run(const char *fault)
{
	struct rb_paramset ps = tu_defaults(dm_overhead_algorithm.params);
	tu_set_real(&ps, "megabytes", 0.1);
	tu_set_real(&ps, "seconds", 0.02);
	tu_set_choice(&ps, "fault", fault);
	struct rb_run run = { .experiment = "t", .run_id = "r", .seed = 1, .threads = 1, .params = ps };
	char dir[4096], err[256], path[4200];
	tu_tmpdir(dir, sizeof(dir));
	struct rb_recorder *rec = rb_recorder_open(dir, err, sizeof(err));
	cr_assert_not_null(rec, "%s", err);
	int rc = dm_overhead_algorithm.run(&run, rec);
	cr_expect_eq(rb_recorder_status(rec), strcmp(fault, "none") ? RB_INVALID_INPUT : RB_OK, "%s", fault);
	cr_assert_eq(rb_recorder_close(rec, rc), 0);
	snprintf(path, sizeof(path), "%s/result.json", dir);
	json_t *res = json_load_file(path, 0, NULL);
	cr_assert_not_null(res);
	const char *msg = json_string_value(json_object_get(res, "message"));
	json_t *sum = json_object_get(res, "summaries");
	if (strcmp(fault, "none")) {
		cr_expect(msg && strstr(msg, "authentication failed") && strstr(msg, "nothing trained"), "%s", msg);
		cr_expect(msg && !strchr(msg, '\n'));
		cr_expect_null(json_object_get(sum, "ratio"), "no timing was done");
	} else {
		cr_expect_not_null(json_object_get(sum, "ratio"));
	}
	json_decref(res);
}

Test(data_market, a_wrong_key_or_a_flipped_byte_fails_the_run_before_training)
{
	faulty_run("wrong_key");
	faulty_run("flip_byte");
	faulty_run("none");
}
