/*
 * Every claim of experiments/byzantine_sgd/ fed a store where its statement holds
 * (PASS) and one where it is false (FAIL), with claimkit: the runs each manifest expands
 * to at quick scale, metrics written here, chosen on either side of each threshold.
 */
#include <criterion/criterion.h>

#include "tests/unit/claimkit.h"

TestSuite(claims_byzantine_sgd);

#define DIR "experiments/byzantine_sgd/"

struct metric {
	const char *where, *name, *value;
};

/* The verdict of `claim` in `manifest` after writing the metrics (NULL-terminated). */
static enum out_verdict verdict(const char *manifest, const char *claim, const struct metric *ms)
{
	struct ck *k = ck_open(manifest, "quick");
	for (const struct metric *m = ms; m->where; m++)
		ck_summary(k, m->where, m->name, m->value);
	double measured = 0;
	enum out_verdict v = ck_verdict(k, claim, &measured);
	ck_close(k);
	return v;
}

static void pass_and_fail(const char *manifest, const char *claim, const struct metric *good,
			  const struct metric *bad)
{
	cr_expect_eq(verdict(manifest, claim, good), OUT_PASS, "%s should PASS where it holds", claim);
	cr_expect_eq(verdict(manifest, claim, bad), OUT_FAIL, "%s should FAIL where it is false", claim);
}

/* ---- error_vs_alpha ----------------------------------------------------------------- */

#define UNIT { "1", "bound_unit", "0.1 * (1 / sqrt(machines) + byzantine_fraction)" }

Test(claims_byzantine_sgd, b3_bsgd_within_bound_c_fit_at_alpha0)
{
	/* Excess a fixed multiple of the bound: ratio 1 everywhere. */
	const struct metric good[] = { UNIT,
		{ "1", "excess_loss", "0.002 * (1 / sqrt(machines) + byzantine_fraction) * (1 + 0.01 * seed)" },
		{ 0 } };
	/* The bias attack at alpha >= 0.3 three times the fitted bound. */
	const struct metric bad[] = { UNIT,
		{ "1", "excess_loss", "0.002 * (1 / sqrt(machines) + byzantine_fraction) * "
				      "(CASE WHEN attack = 'bias' AND byzantine_fraction >= 0.3 THEN 3 ELSE 1 END)" },
		{ 0 } };
	pass_and_fail(DIR "error_vs_alpha.yaml", "b3_bsgd_within_bound_c_fit_at_alpha0", good, bad);
}

Test(claims_byzantine_sgd, b3_mean_fails_under_sign_flip)
{
	const struct metric good[] = { { "1", "initial_excess", "0.5" },
				       { "1", "excess_loss", "30 + seed" }, { 0 } };
	const struct metric bad[] = { { "1", "initial_excess", "0.5" },
				      { "1", "excess_loss", "CASE WHEN seed = 2 THEN 0.4 ELSE 30 END" }, { 0 } };
	pass_and_fail(DIR "error_vs_alpha.yaml", "b3_mean_fails_under_sign_flip", good, bad);
}

Test(claims_byzantine_sgd, bsgd_no_worse_than_best_under_alie_ipm)
{
	const struct metric good[] = {
		{ "1", "excess_loss", "CASE WHEN aggregator = 'byzantine_sgd' THEN 0.0102 ELSE 0.01 END" },
		{ 0 } };
	const struct metric bad[] = {
		{ "1", "excess_loss", "CASE WHEN aggregator = 'byzantine_sgd' AND attack = 'alie' "
				      "THEN 0.02 ELSE 0.01 END" },
		{ 0 } };
	pass_and_fail(DIR "error_vs_alpha.yaml", "bsgd_no_worse_than_best_under_alie_ipm", good, bad);
}

/* ---- false_removal, removal_time ---------------------------------------------------- */

Test(claims_byzantine_sgd, b1_no_false_removal)
{
	const struct metric good[] = {
		{ "1", "removed_good", "CASE WHEN filter_thresholds = 'folded' AND seed <= 5 THEN 1 ELSE 0 END" },
		{ 0 } };
	const struct metric bad[] = {
		{ "1", "removed_good", "CASE WHEN seed IN (3, 70) THEN 1 ELSE 0 END" }, { 0 } };
	pass_and_fail(DIR "false_removal.yaml", "b1_no_false_removal", good, bad);
}

Test(claims_byzantine_sgd, b2_bias_removed_by_bound)
{
	const struct metric good[] = { { "1", "removal_bound", "5313" },
				       { "1", "last_byzantine_removal", "4000 + seed" }, { 0 } };
	const struct metric bad[] = { { "1", "removal_bound", "5313" },
				      { "1", "last_byzantine_removal", "CASE WHEN seed = 4 THEN 6001 ELSE 4000 END" },
				      { 0 } };
	pass_and_fail(DIR "removal_time.yaml", "b2_bias_removed_by_bound", good, bad);
}

Test(claims_byzantine_sgd, b2_sign_flip_removed_at_iteration_1)
{
	const struct metric good[] = { { "1", "last_byzantine_removal", "1" }, { 0 } };
	const struct metric bad[] = {
		{ "1", "last_byzantine_removal",
		  "CASE WHEN attack = 'gaussian' AND seed = 5 THEN 2 ELSE 1 END" }, { 0 } };
	pass_and_fail(DIR "removal_time.yaml", "b2_sign_flip_removed_at_iteration_1", good, bad);
}

/* ---- scaling_m ---------------------------------------------------------------------- */

Test(claims_byzantine_sgd, b4_slope_in_m_alpha0)
{
	const struct metric good[] = { { "1", "excess_loss", "0.1 / sqrt(machines)" }, { 0 } };
	const struct metric bad[] = { { "1", "excess_loss", "0.1 / machines" }, { 0 } };
	pass_and_fail(DIR "scaling_m.yaml", "b4_slope_in_m_alpha0", good, bad);
}

Test(claims_byzantine_sgd, b4_alpha_floor_doubling_m)
{
	const struct metric good[] = {
		{ "1", "excess_loss", "CASE WHEN byzantine_fraction = 0 THEN 0.1 / sqrt(machines) "
				      "ELSE 0.05 * (1 + 0.1 / machines) END" }, { 0 } };
	const struct metric bad[] = { { "1", "excess_loss", "0.1 / sqrt(machines)" }, { 0 } };
	pass_and_fail(DIR "scaling_m.yaml", "b4_alpha_floor_doubling_m", good, bad);
}

/* ---- aggregation_time --------------------------------------------------------------- */

#define DIMENSION { "1", "dimension", "CASE WHEN seed = 1 THEN 100 ELSE 400 END" }

Test(claims_byzantine_sgd, b5_aggregation_time_m2d)
{
	const struct metric good[] = { DIMENSION,
		{ "1", "agg_time_per_iter_s", "1e-9 * machines * machines * (CASE WHEN seed = 1 THEN 100 ELSE 400 END)" },
		{ "1", "grad_time_per_iter_s", "1e-4" }, { 0 } };
	/* Linear in m: slope against m^2 d about 0.58. */
	const struct metric bad[] = { DIMENSION,
		{ "1", "agg_time_per_iter_s", "1e-9 * machines * (CASE WHEN seed = 1 THEN 100 ELSE 400 END)" },
		{ "1", "grad_time_per_iter_s", "1e-4" }, { 0 } };
	pass_and_fail(DIR "aggregation_time.yaml", "b5_aggregation_time_m2d", good, bad);
}

/* ---- logistic_a9a ------------------------------------------------------------------- */

Test(claims_byzantine_sgd, bsgd_a9a_no_worse_than_best_under_alie_ipm)
{
	const struct metric good[] = {
		{ "1", "excess_loss", "CASE WHEN aggregator = 'byzantine_sgd' THEN 0.01 ELSE 0.012 END" },
		{ 0 } };
	const struct metric bad[] = {
		{ "1", "excess_loss", "CASE WHEN aggregator = 'multi_krum' THEN 0.007 ELSE 0.01 END" },
		{ 0 } };
	pass_and_fail(DIR "logistic_a9a.yaml", "bsgd_a9a_no_worse_than_best_under_alie_ipm", good, bad);
}
