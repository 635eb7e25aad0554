/*
 * Every claim of experiments/sparse_collectives/ fed a store where its statement holds
 * (PASS) and one where it is false (FAIL), with claimkit: the runs each manifest expands
 * to at quick scale, metrics written here as SQL over the runs' columns. The values sit
 * on either side of each threshold; none is taken from a run.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "tests/unit/claimkit.h"

TestSuite(claims_sparse_collectives);

#define DIR "experiments/sparse_collectives/"

static const char *const variants[] = {
	"ssar_recursive_double", "ssar_split_allgather", "dsar_split_allgather", "sparse_ring",
	"hybrid", "dense_ring", "rabenseifner",
};
#define VARIANTS 7

/* Set metric <prefix>_<variant> to expr on every run. */
static void each(struct ck *k, const char *prefix, const char *expr)
{
	for (int v = 0; v < VARIANTS; v++) {
		char m[96];
		snprintf(m, sizeof(m), "%s_%s", prefix, variants[v]);
		ck_summary(k, "1", m, expr);
	}
}

static void one(struct ck *k, const char *prefix, const char *variant, const char *expr)
{
	char m[96];
	snprintf(m, sizeof(m), "%s_%s", prefix, variant);
	ck_summary(k, "1", m, expr);
}

static enum out_verdict verdict(struct ck *k, const char *claim)
{
	double measured = 0;
	enum out_verdict v = ck_verdict(k, claim, &measured);
	ck_close(k);
	return v;
}

/* ---- S3 ---- */

static enum out_verdict s3(const char *manifest, const char *claim, const char *counted)
{
	struct ck *k = ck_open(manifest, "quick");
	each(k, "expect_bytes", "1000.0 * workers");
	each(k, "bytes", counted);
	return verdict(k, claim);
}

Test(claims_sparse_collectives, s3_volume_model)
{
	cr_expect_eq(s3(DIR "volume_2e17.yaml", "s3_volume_model_2e17", "1030.0 * workers"), OUT_PASS);
	cr_expect_eq(s3(DIR "volume_2e17.yaml", "s3_volume_model_2e17",
			"CASE WHEN density = 0.01 THEN 1070.0 ELSE 1000.0 END * workers"), OUT_FAIL);
	cr_expect_eq(s3(DIR "volume_2e20.yaml", "s3_volume_model_2e20", "970.0 * workers"), OUT_PASS);
	cr_expect_eq(s3(DIR "volume_2e20.yaml", "s3_volume_model_2e20", "940.0 * workers"), OUT_FAIL);
}

/* ---- S4 ---- */

static enum out_verdict s4(const char *claim, const char *dense, const char *split)
{
	struct ck *k = ck_open(DIR "volume_2e20.yaml", "quick");
	one(k, "model_aries", "rabenseifner", dense);
	one(k, "model_aries", "ssar_split_allgather", split);
	return verdict(k, claim);
}

Test(claims_sparse_collectives, s4_speedup_falls_with_density)
{
	/* speedup 1 / (10 d) falls; a bump at d = 0.01 breaks it */
	cr_expect_eq(s4("s4_speedup_falls_with_density", "1.0", "10.0 * density"), OUT_PASS);
	cr_expect_eq(s4("s4_speedup_falls_with_density", "1.0",
			"CASE WHEN density = 0.01 THEN 0.0005 ELSE 10.0 * density END"), OUT_FAIL);
}

Test(claims_sparse_collectives, s4_speedup_crossover)
{
	/* speedup 0.1 / d crosses 1 at d = 0.1 (0.81 d*); 0.01 / d at 0.01 (0.08 d*) */
	cr_expect_eq(s4("s4_speedup_crossover", "1.0", "10.0 * density"), OUT_PASS);
	cr_expect_eq(s4("s4_speedup_crossover", "1.0", "100.0 * density"), OUT_FAIL);
	/* never below 1: the largest density, 0.5 = 4.1 d*, fails */
	cr_expect_eq(s4("s4_speedup_crossover", "1.0", "0.5"), OUT_FAIL);
}

static enum out_verdict s4_2e24(const char *split_aries, const char *split_eth)
{
	struct ck *k = ck_open(DIR "speedup_2e24.yaml", "quick");
	one(k, "expect_aries", "rabenseifner", "0.0126");
	one(k, "expect_ethernet", "rabenseifner", "0.1");
	one(k, "model_aries", "ssar_split_allgather", split_aries);
	one(k, "model_ethernet", "ssar_split_allgather", split_eth);
	return verdict(k, "s4_split_allgather_speedup_2e24");
}

Test(claims_sparse_collectives, s4_split_allgather_speedup_2e24)
{
	cr_expect_eq(s4_2e24("0.00024", "0.0027"), OUT_PASS);
	cr_expect_eq(s4_2e24("0.00024", "0.0060"), OUT_FAIL, "ethernet only 16.7x");
}

/* ---- S5 ---- */

static enum out_verdict s5a(const char *rd)
{
	struct ck *k = ck_open(DIR "volume_2e17.yaml", "quick");
	each(k, "model_ethernet", "0.001");
	one(k, "model_ethernet", "hybrid", "0.0001");  /* left out of the comparison */
	one(k, "model_ethernet", "ssar_recursive_double", rd);
	return verdict(k, "s5a_latency_bound_recursive_double");
}

Test(claims_sparse_collectives, s5a_latency_bound_recursive_double)
{
	cr_expect_eq(s5a("0.0004"), OUT_PASS);
	cr_expect_eq(s5a("CASE WHEN workers = 64 AND density = 0.001 THEN 0.0012 ELSE 0.0004 END"),
		     OUT_FAIL);
}

static enum out_verdict s5c(const char *dsar, const char *split)
{
	struct ck *k = ck_open(DIR "volume_2e17.yaml", "quick");
	one(k, "crit_bytes", "ssar_recursive_double", "9.0");
	one(k, "crit_bytes", "dsar_split_allgather", dsar);
	one(k, "crit_bytes", "ssar_split_allgather", split);
	return verdict(k, "s5c_densified_split_beats_recursive_double");
}

Test(claims_sparse_collectives, s5c_densified_split_beats_recursive_double)
{
	cr_expect_eq(s5c("4.5", "12.0"), OUT_PASS, "the better of the two counts");
	cr_expect_eq(s5c("CASE WHEN workers = 32 THEN 9.5 ELSE 4.5 END",
			 "CASE WHEN workers = 32 THEN 10.0 ELSE 4.5 END"), OUT_FAIL);
}

static enum out_verdict s5d(const char *manifest, const char *claim, const char *dsar)
{
	struct ck *k = ck_open(manifest, "quick");
	one(k, "crit_bytes", "rabenseifner", "8.0");
	one(k, "crit_bytes", "dsar_split_allgather", dsar);
	return verdict(k, claim);
}

Test(claims_sparse_collectives, s5d_dsar_bound)
{
	cr_expect_eq(s5d(DIR "volume_2e17.yaml", "s5d_dsar_bound_2e17", "4.0 + density"), OUT_PASS);
	cr_expect_eq(s5d(DIR "volume_2e17.yaml", "s5d_dsar_bound_2e17",
			 "CASE WHEN workers = 3 THEN 3.5 ELSE 4.1 END"), OUT_FAIL);
	cr_expect_eq(s5d(DIR "volume_2e20.yaml", "s5d_dsar_bound_2e20", "4.0 + density"), OUT_PASS);
	cr_expect_eq(s5d(DIR "volume_2e20.yaml", "s5d_dsar_bound_2e20", "3.0"), OUT_FAIL);
}

static enum out_verdict s5b(const char *split)
{
	struct ck *k = ck_open(DIR "shared_support.yaml", "quick");
	one(k, "crit_bytes", "ssar_recursive_double", "3.0 * workers");
	one(k, "crit_bytes", "ssar_split_allgather", split);
	return verdict(k, "s5b_overlap_split_allgather");
}

Test(claims_sparse_collectives, s5b_overlap_split_allgather)
{
	cr_expect_eq(s5b("2.0 * workers"), OUT_PASS);
	cr_expect_eq(s5b("CASE WHEN workers = 8 THEN 3.0 * workers ELSE 2.0 * workers END"), OUT_FAIL);
}

/* ---- S6 ---- */

static enum out_verdict s6(const char *claim, const char *metric, const char *value)
{
	struct ck *k = ck_open(DIR "quantization.yaml", "quick");
	ck_summary(k, "algorithm = 'qsgd_check'", metric, value);
	return verdict(k, claim);
}

Test(claims_sparse_collectives, s6_qsgd_unbiased)
{
	cr_expect_eq(s6("s6_qsgd_unbiased", "bias_z", "CASE WHEN bits = 2 THEN -2.5 ELSE 1.0 END"),
		     OUT_PASS);
	cr_expect_eq(s6("s6_qsgd_unbiased", "bias_z", "CASE WHEN bits = 8 THEN -4.0 ELSE 1.0 END"),
		     OUT_FAIL);
}

Test(claims_sparse_collectives, s6_qsgd_variance_bound)
{
	cr_expect_eq(s6("s6_qsgd_variance_bound", "variance_over_bound", "0.2 * bits / 2"), OUT_PASS);
	cr_expect_eq(s6("s6_qsgd_variance_bound", "variance_over_bound",
			"CASE WHEN bits = 4 THEN 1.2 ELSE 0.5 END"), OUT_FAIL);
}
