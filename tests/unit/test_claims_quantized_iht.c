/*
 * Every claim of experiments/quantized_iht/ fed a store where its statement holds
 * (PASS) and one where it is false (FAIL), with claimkit: the runs the manifest expands
 * to at quick scale, metrics written here, on either side of each threshold.
 */
#include <criterion/criterion.h>

#include "tests/unit/claimkit.h"

TestSuite(claims_quantized_iht);

#define DIR "experiments/quantized_iht/"
#define QIHT "algorithm = 'qiht'"
#define IHT "algorithm = 'iht'"

/* recovery.yaml: every run at s/N = 0.05 (s_over_n only groups and filters), the given
 * final errors and recalls as SQL over the run's columns (bits, rounding, seed). */
static enum out_verdict recovery(const char *claim, const char *err32, const char *errq,
				 const char *recall)
{
	struct ck *k = ck_open(DIR "recovery.yaml", "quick");
	ck_summary(k, "1", "s_over_n", "0.05");
	ck_summary(k, IHT, "final_rel_error", err32);
	ck_summary(k, QIHT, "final_rel_error", errq);
	ck_summary(k, "1", "final_support_recall", recall);
	enum out_verdict v = ck_verdict(k, claim, NULL);
	ck_close(k);
	return v;
}

Test(claims_quantized_iht, p2_1_error_ratios)
{
	const char *ids[] = { "p2_1_8bit_error_within_1_5x", "p2_1_4bit_error_within_1_5x" };
	for (int i = 0; i < 2; i++) {
		cr_expect_eq(recovery(ids[i], "0.010", "0.014 + 0.0001 * seed", "1"), OUT_PASS, "%s", ids[i]);
		cr_expect_eq(recovery(ids[i], "0.010", "0.016 + 0.0001 * seed", "1"), OUT_FAIL, "%s", ids[i]);
	}
}

/* recovery_snr.yaml: the same ratio at about 30 dB, both s/N values present (the two
 * problems are told apart by their dataset checksums). */
#define AT_005 "run_id IN (SELECT run_id FROM main.summaries WHERE metric = 's_over_n' AND value = 0.05)"

static enum out_verdict recovery_snr(const char *claim, const char *err32, const char *errq)
{
	struct ck *k = ck_open(DIR "recovery_snr.yaml", "quick");
	ck_sql(k, "INSERT INTO main.summaries SELECT run_id, 's_over_n', CASE WHEN dataset_checksum = "
		  "(SELECT min(dataset_checksum) FROM main.runs) THEN 0.01 ELSE 0.05 END FROM main.runs");
	ck_summary(k, IHT, "final_rel_error", err32);
	ck_summary(k, QIHT, "final_rel_error", errq);
	enum out_verdict v = ck_verdict(k, claim, NULL);
	ck_close(k);
	return v;
}

Test(claims_quantized_iht, p2_1_snr_error_ratios)
{
	const char *ids[] = { "p2_1_snr_8bit_error_within_1_5x", "p2_1_snr_4bit_error_within_1_5x" };
	for (int i = 0; i < 2; i++) {
		cr_expect_eq(recovery_snr(ids[i], "0.02", "0.028 + 0.0001 * seed"), OUT_PASS, "%s", ids[i]);
		/* only the s/N = 0.05 problem is off: the largest ratio counts */
		cr_expect_eq(recovery_snr(ids[i], "0.02", "CASE WHEN " AT_005 " THEN 0.032 ELSE 0.02 END"),
			     OUT_FAIL, "%s", ids[i]);
	}
}

Test(claims_quantized_iht, p2_1_8_and_4bit_recover_support)
{
	const char *id = "p2_1_8_and_4bit_recover_support";
	cr_expect_eq(recovery(id, "0.01", "0.01", "CASE WHEN bits = 2 THEN 0.5 ELSE 1 END"), OUT_PASS);
	cr_expect_eq(recovery(id, "0.01", "0.01",
			      "CASE WHEN bits = 4 AND seed = 3 THEN 0.98 ELSE 1 END"), OUT_FAIL);
}

Test(claims_quantized_iht, p2_2_2bit_stochastic_recall_90pct)
{
	const char *id = "p2_2_2bit_stochastic_recall_90pct";
	cr_expect_eq(recovery(id, "0.01", "0.1", "0.88 + 0.01 * (seed % 5)"), OUT_PASS);
	cr_expect_eq(recovery(id, "0.01", "0.1", "0.85 + 0.01 * (seed % 5)"), OUT_FAIL);
}

Test(claims_quantized_iht, p2_2_2bit_nearest_worse_than_stochastic)
{
	const char *id = "p2_2_2bit_nearest_worse_than_stochastic";
	cr_expect_eq(recovery(id, "0.01", "0.1", "CASE WHEN rounding = 'nearest' THEN 0.8 ELSE 0.9 END"),
		     OUT_PASS);
	cr_expect_eq(recovery(id, "0.01", "0.1", "CASE WHEN rounding = 'nearest' THEN 0.9 ELSE 0.8 END"),
		     OUT_FAIL);
}

/* sky.yaml */
static enum out_verdict sky(const char *claim, const char *err4, const char *recall4)
{
	struct ck *k = ck_open(DIR "sky.yaml", "quick");
	ck_summary(k, IHT, "final_rel_error", "0.2");
	ck_summary(k, QIHT, "final_rel_error", err4);
	ck_summary(k, "1", "final_support_recall", recall4);
	enum out_verdict v = ck_verdict(k, claim, NULL);
	ck_close(k);
	return v;
}

Test(claims_quantized_iht, p2_4_sky)
{
	cr_expect_eq(sky("p2_4_sky_4bit_error_within_10pct", "0.21 + 0.001 * seed", "1"), OUT_PASS);
	cr_expect_eq(sky("p2_4_sky_4bit_error_within_10pct", "0.23 + 0.001 * seed", "1"), OUT_FAIL);
	cr_expect_eq(sky("p2_4_sky_4bit_finds_every_source", "0.2", "1"), OUT_PASS);
	cr_expect_eq(sky("p2_4_sky_4bit_finds_every_source", "0.2",
			 "CASE WHEN seed = 2 AND bits = 4 THEN 0.9 ELSE 1 END"), OUT_FAIL);
}

/* speed.yaml: speedups as SQL over size and bits. */
static enum out_verdict speed(const char *claim, const char *per_iter, const char *to_target)
{
	struct ck *k = ck_open(DIR "speed.yaml", "quick");
	ck_summary(k, "1", "speedup_per_iteration", per_iter);
	ck_summary(k, "1", "speedup_to_target", to_target);
	enum out_verdict v = ck_verdict(k, claim, NULL);
	ck_close(k);
	return v;
}

#define GOOD_ITER "CASE WHEN size = 'l2' THEN 1.0 WHEN bits = 8 THEN 3.5 ELSE 6.0 END"

Test(claims_quantized_iht, p2_3_speedups)
{
	cr_expect_eq(speed("p2_3_beyond_l3_8bit_speedup", GOOD_ITER, "2"), OUT_PASS);
	cr_expect_eq(speed("p2_3_beyond_l3_8bit_speedup", "CASE WHEN bits = 8 THEN 2.9 ELSE 6 END", "2"),
		     OUT_FAIL);
	cr_expect_eq(speed("p2_3_beyond_l3_4bit_speedup", GOOD_ITER, "2"), OUT_PASS);
	cr_expect_eq(speed("p2_3_beyond_l3_4bit_speedup", "CASE WHEN bits = 4 THEN 4.5 ELSE 3.5 END", "2"),
		     OUT_FAIL);
}

Test(claims_quantized_iht, p2_5_time_to_target_and_l2)
{
	cr_expect_eq(speed("p2_5_beyond_l3_4bit_time_to_target", GOOD_ITER,
			   "CASE WHEN size = 'beyond_l3' THEN 1.8 ELSE 0.7 END"), OUT_PASS);
	cr_expect_eq(speed("p2_5_beyond_l3_4bit_time_to_target", GOOD_ITER,
			   "CASE WHEN size = 'beyond_l3' THEN 0.9 ELSE 2 END"), OUT_FAIL);
	cr_expect_eq(speed("p2_5_inside_l2_4bit_per_iteration_reported", GOOD_ITER, "1"), OUT_PASS);
	cr_expect_eq(speed("p2_5_inside_l2_4bit_per_iteration_reported",
			   "CASE WHEN size = 'l2' THEN 2.0 ELSE 6 END", "1"), OUT_FAIL);
}
