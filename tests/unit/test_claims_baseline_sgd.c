/* The claim of experiments/sparsified_sgd/baseline_sgd.yaml against stores written
 * here (tests/unit/claimkit.h): "sgd_near_optimum" PASSes when every seed of SGD at
 * lr 0.5 ends at or above gd_full's optimum and within 1% of it, and FAILs when a seed
 * is below the optimum, when one is more than 1% above, and when a run it reads did not
 * end ok; at smoke scale it is not judged. */
#include <criterion/criterion.h>

#include "suite/outputs.h"
#include "tests/unit/claimkit.h"

#define MANIFEST "experiments/sparsified_sgd/baseline_sgd.yaml"
#define SGD "algorithm = 'sgd' AND lr = 0.5"
#define OTHER_SGD "algorithm = 'sgd' AND lr = 0.05"
#define OPTIMUM "algorithm = 'gd_full'"

TestSuite(claims_baseline_sgd);

/* A quick-scale store: the optimum 0.3245, the other step far above it (outside the
 * claim's scope), and SGD at lr 0.5 at `sgd_expr` (SQL over the runs view, e.g. seed). */
static struct ck *store(const char *sgd_expr)
{
	struct ck *k = ck_open(MANIFEST, "quick");
	ck_summary(k, OPTIMUM, "final_loss", "0.3245");
	ck_summary(k, OTHER_SGD, "final_loss", "0.3408 + 0.00001 * seed");
	ck_summary(k, SGD, "final_loss", sgd_expr);
	return k;
}

static enum out_verdict verdict(struct ck *k, double *measured)
{
	enum out_verdict v = ck_verdict(k, "sgd_near_optimum", measured);
	ck_close(k);
	return v;
}

Test(claims_baseline_sgd, passes_at_and_just_above_the_optimum)
{
	double m;
	/* 0.33% above on every seed, as measured at quick scale. */
	cr_expect_eq(verdict(store("0.3256 + 0.00001 * seed"), &m), OUT_PASS, "measured %g", m);
	cr_expect(m > 1.003 && m < 1.004, "the worst seed's ratio: %g", m);
	/* One seed exactly at the optimum is at or above it. */
	cr_expect_eq(verdict(store("CASE WHEN seed = 1 THEN 0.3245 ELSE 0.3250 END"), &m),
		     OUT_PASS, "measured %g", m);
}

Test(claims_baseline_sgd, fails_when_a_seed_is_below_the_optimum)
{
	double m;
	/* The mean (0.3252) is above the optimum, but seed 1 is 0.1% below it. */
	cr_expect_eq(verdict(store("CASE WHEN seed = 1 THEN 0.32418 ELSE 0.3257 END"), &m),
		     OUT_FAIL, "measured %g", m);
	cr_expect(m < 1.0, "the number shown is the seed below: %g", m);
	/* What the old gd_full gave at smoke: SGD 3.6% below a fixed-iteration "optimum". */
	cr_expect_eq(verdict(store("0.3245 * 0.964"), &m), OUT_FAIL, "measured %g", m);
}

Test(claims_baseline_sgd, fails_when_a_seed_is_more_than_one_percent_above)
{
	double m;
	/* Two seeds 0.3% above, one 1.2% above: the worst seed decides. */
	cr_expect_eq(verdict(store("CASE WHEN seed = 3 THEN 0.3245 * 1.012 ELSE 0.3255 END"), &m),
		     OUT_FAIL, "measured %g", m);
	cr_expect(m > 1.01, "%g", m);
	/* The smaller step (lr 0.05) sits 5% above; had it been the claim's step, FAIL. */
	cr_expect_eq(verdict(store("0.3408"), &m), OUT_FAIL, "measured %g", m);
}

Test(claims_baseline_sgd, fails_when_the_optimum_did_not_verify)
{
	/* gd_full missed its gradient tolerance: no optimum, whatever SGD did. */
	struct ck *k = store("0.3256");
	ck_status(k, OPTIMUM, "verify_failed");
	cr_expect_eq(verdict(k, NULL), OUT_FAIL);
	/* A run outside the scope (the smaller step) timing out does not decide it. */
	k = store("0.3256");
	ck_status(k, OTHER_SGD " AND seed = 2", "timeout");
	cr_expect_eq(verdict(k, NULL), OUT_PASS);
	/* A missing seed of the claim's step leaves it incomplete. */
	k = store("0.3256");
	ck_delete(k, SGD " AND seed = 3");
	cr_expect_eq(verdict(k, NULL), OUT_INCOMPLETE);
}

Test(claims_baseline_sgd, not_judged_at_smoke)
{
	struct ck *k = ck_open(MANIFEST, "smoke");
	ck_summary(k, OPTIMUM, "final_loss", "0.3245");
	ck_summary(k, "algorithm = 'sgd'", "final_loss", "0.3245 * 1.0104");
	cr_expect_eq(verdict(k, NULL), OUT_NOT_JUDGED);
}
