/* regress: the comparison rules on hand-made items (the CLI is covered end to end in
 * tests/e2e/test_regress_cli.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "suite/regress.h"

static struct rg_item metric(double ref, double ref_sd, double now, int have_now)
{
	struct rg_item it;
	memset(&it, 0, sizeof(it));
	strcpy(it.experiment, "e");
	strcpy(it.id, "m");
	it.in_manifest = it.have_ref = 1;
	it.ref = ref;
	it.ref_sd = ref_sd;
	it.now = now;
	it.now_sd = NAN;
	it.have_now = have_now;
	return it;
}

static struct rg_item claim(const char *was, const char *is, int report_only)
{
	struct rg_item it = metric(NAN, NAN, NAN, 0);
	it.is_claim = 1;
	it.report_only = report_only;
	strcpy(it.ref_verdict, was);
	strcpy(it.now_verdict, is);
	return it;
}

static enum rg_state judge(struct rg_item it, int *failed)
{
	struct rg_set set = {.items = &it, .n = 1, .cap = 1};
	*failed = rg_compare(&set);
	return it.state;
}

Test(regress, tolerance_is_the_largest_of_abs_rel_and_sd)
{
	int failed;
	struct rg_item it = metric(10, 0.5, 11.4, 1);
	it.tol_rel = 0.05;   /* 0.5 */
	it.tol_sd = 3;       /* 1.5: wins */
	it.tol_abs = 0.1;
	cr_expect_eq(judge(it, &failed), RG_OK);
	it.now = 11.6;
	cr_expect_eq(judge(it, &failed), RG_REGRESSED);
	cr_expect_eq(failed, 1);
	it.ref_sd = NAN;     /* no sd in the reference: rel decides */
	it.now = 10.4;
	cr_expect_eq(judge(it, &failed), RG_OK);
	it.now = 10.6;
	cr_expect_eq(judge(it, &failed), RG_REGRESSED);
}

Test(regress, direction_and_missing_values)
{
	int failed;
	struct rg_item it = metric(1, NAN, 0.5, 1);
	it.tol_rel = 0.1;
	it.better = MF_LOWER;
	cr_expect_eq(judge(it, &failed), RG_IMPROVED);
	cr_expect_eq(failed, 0);
	it.better = MF_HIGHER;
	cr_expect_eq(judge(it, &failed), RG_REGRESSED);
	it.better = MF_EITHER;
	cr_expect_eq(judge(it, &failed), RG_REGRESSED);
	it.have_now = 0;
	cr_expect_eq(judge(it, &failed), RG_MISSING);
	cr_expect_eq(failed, 1, "a key metric the runs stopped producing fails");
	it = metric(NAN, NAN, 1, 1);
	cr_expect_eq(judge(it, &failed), RG_NEW);
	it.in_manifest = 0;
	cr_expect_eq(judge(it, &failed), RG_CHANGED);
	cr_expect_eq(failed, 0);
	it = metric(0, NAN, 0, 1);   /* abs 0: exact */
	cr_expect_eq(judge(it, &failed), RG_OK);
	it.now = 1e-300;
	cr_expect_eq(judge(it, &failed), RG_REGRESSED);
}

Test(regress, claims_compare_verdicts)
{
	int failed;
	cr_expect_eq(judge(claim("PASS", "PASS", 0), &failed), RG_OK);
	cr_expect_eq(judge(claim("PASS", "FAIL", 0), &failed), RG_REGRESSED);
	cr_expect_eq(failed, 1);
	cr_expect_eq(judge(claim("PASS", "NOT-RUN", 0), &failed), RG_REGRESSED);
	cr_expect_eq(judge(claim("PASS", "FAIL", 1), &failed), RG_CHANGED);
	cr_expect_eq(failed, 0, "a report-only claim never fails");
	cr_expect_eq(judge(claim("FAIL", "PASS", 0), &failed), RG_IMPROVED);
	cr_expect_eq(judge(claim("FAIL", "NOT-RUN", 0), &failed), RG_CHANGED);
	cr_expect_eq(failed, 0);
}
