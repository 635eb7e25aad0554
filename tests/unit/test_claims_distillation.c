/*
 * Every claim of experiments/distillation/ fed a store where its statement holds (PASS)
 * and one where it is false (FAIL), with claimkit: the runs table1.yaml expands to at
 * quick scale, metrics written here. The accuracies are chosen on either side of each
 * threshold, not taken from any run.
 */
#include <criterion/criterion.h>

#include "tests/unit/claimkit.h"

TestSuite(claims_distillation);

#define MANIFEST "experiments/distillation/table1.yaml"
#define ACC "test_accuracy_pct"

/* Accuracies (percent) of a store where every claim holds. */
#define GOOD_ACC                                                                                   \
	"CASE algorithm WHEN 'dist_teacher' THEN 90 WHEN 'dist_train' THEN 85 WHEN 'distill' THEN 86" \
	" WHEN 'pm_quant' THEN (CASE WHEN bucket = 0 THEN (CASE bits WHEN 2 THEN 10 WHEN 4 THEN 70"   \
	" ELSE 86 END) ELSE (CASE bits WHEN 2 THEN 50 WHEN 4 THEN 84 ELSE 86 END) END)"              \
	" WHEN 'quantized_train' THEN (CASE bits WHEN 2 THEN 80 WHEN 4 THEN 84.8 ELSE 85 END)"       \
	" WHEN 'quantized_distill' THEN (CASE bits WHEN 2 THEN 82 WHEN 4 THEN 85.5 ELSE 86 END)"     \
	" WHEN 'diff_quant' THEN (CASE bits WHEN 2 THEN 70 WHEN 4 THEN 84.5 ELSE 85.8 END) END"       \
	" + 0.01 * seed"

static struct ck *good_store(void)
{
	struct ck *k = ck_open(MANIFEST, "quick");
	ck_summary(k, "1", ACC, GOOD_ACC);
	ck_summary(k, "algorithm = 'dist_train'", "flops_ratio", "1000.0 / (hidden + 10)");
	ck_summary(k, "algorithm = 'dist_train'", "time_ratio", "1.1 * 1000.0 / (hidden + 10)");
	return k;
}

static void dq_losses(struct ck *k, const char *rise_at_3)
{
	for (int step = 0; step <= 3; step++) {
		char expr[160];
		snprintf(expr, sizeof(expr), "%s", step == 3 ? rise_at_3 : "");
		if (step < 3)
			snprintf(expr, sizeof(expr), "%g", 1.0 - 0.1 * step);
		ck_series(k, "algorithm = 'diff_quant'", "dq_loss", step, expr);
	}
}

static enum out_verdict verdict(struct ck *k, const char *claim)
{
	double measured = 0;
	enum out_verdict v = ck_verdict(k, claim, &measured);
	ck_close(k);
	return v;
}

/* The good store gives PASS; the good store with `where` set to `bad` gives FAIL. */
static void pass_and_fail(const char *claim, const char *where, const char *metric, const char *bad)
{
	struct ck *k = good_store();
	dq_losses(k, "0.65");
	cr_expect_eq(verdict(k, claim), OUT_PASS, "%s should PASS where it holds", claim);
	k = good_store();
	dq_losses(k, "0.65");
	ck_summary(k, where, metric, bad);
	cr_expect_eq(verdict(k, claim), OUT_FAIL, "%s should FAIL where it is false", claim);
}

Test(claims_distillation, p1_1_pm_2bit_no_bucket_near_chance)
{
	pass_and_fail("p1_1_pm_2bit_no_bucket_near_chance",
		      "algorithm = 'pm_quant' AND bits = 2 AND bucket = 0 AND hidden = 170", ACC, "40");
}

Test(claims_distillation, p1_1_bucketing_never_hurts)
{
	pass_and_fail("p1_1_bucketing_never_hurts",
		      "algorithm = 'pm_quant' AND bits = 8 AND bucket = 256 AND hidden = 53", ACC, "85");
}

Test(claims_distillation, p1_2_qd_beats_pm)
{
	pass_and_fail("p1_2_qd_beats_pm", "algorithm = 'quantized_distill' AND bits = 4 AND hidden = 18",
		      ACC, "83");
}

Test(claims_distillation, p1_2_qd_gap_2bit)
{
	pass_and_fail("p1_2_qd_gap_2bit", "algorithm = 'pm_quant' AND bits = 2 AND bucket = 256 AND hidden = 53",
		      ACC, "75");
}

Test(claims_distillation, p1_3_qd4_near_distilled)
{
	pass_and_fail("p1_3_qd4_near_distilled", "algorithm = 'quantized_distill' AND bits = 4 AND hidden = 170",
		      ACC, "84.5");
}

Test(claims_distillation, p1_3_8bit_near_full_precision)
{
	pass_and_fail("p1_3_8bit_near_full_precision", "algorithm = 'diff_quant' AND bits = 8 AND hidden = 18",
		      ACC, "85");
}

Test(claims_distillation, p1_4_distillation_helps)
{
	pass_and_fail("p1_4_distillation_helps", "algorithm = 'distill' AND hidden = 53", ACC, "84.5");
}

Test(claims_distillation, p1_5_dq4_near_qd4)
{
	pass_and_fail("p1_5_dq4_near_qd4", "algorithm = 'diff_quant' AND bits = 4 AND hidden = 170", ACC,
		      "83");
}

Test(claims_distillation, p1_5_dq_beats_pm)
{
	pass_and_fail("p1_5_dq_beats_pm", "algorithm = 'diff_quant' AND bits = 2 AND hidden = 18", ACC, "45");
}

Test(claims_distillation, p1_5_dq_loss_falls)
{
	struct ck *k = good_store();
	dq_losses(k, "0.65");
	cr_expect_eq(verdict(k, "p1_5_dq_loss_falls"), OUT_PASS);
	k = good_store();
	dq_losses(k, "CASE WHEN hidden = 53 AND bits = 4 THEN 0.9 ELSE 0.65 END");
	cr_expect_eq(verdict(k, "p1_5_dq_loss_falls"), OUT_FAIL);
}

Test(claims_distillation, p1_7_inference_time_tracks_flops)
{
	pass_and_fail("p1_7_inference_time_tracks_flops", "algorithm = 'dist_train' AND hidden = 18",
		      "time_ratio", "0.5 * 1000.0 / (hidden + 10)");
}
