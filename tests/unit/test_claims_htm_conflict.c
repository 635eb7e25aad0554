/*
 * The htm_conflict claims against stores the tests write (tests/unit/claimkit.h): each
 * claim PASSes where its statement holds and FAILs where it does not, so none of them is
 * decided by the manifest alone.
 */
#include <criterion/criterion.h>

#include "tests/unit/claimkit.h"

#define RATIOS "experiments/htm_conflict/competitive_ratio.yaml"
#define CORES "experiments/htm_conflict/throughput_cores.yaml"
#define CONTENTION "experiments/htm_conflict/throughput_contention.yaml"

/* e/(e-1), the randomized requestor-aborts constant. */
#define E_RATIO "1.5819767068693265"

static enum out_verdict verdict(struct ck *k, const char *id)
{
	double measured;
	return ck_verdict(k, id, &measured);
}

/* ---- competitive ratios: the adversary's worst case beside the constant ------------- */

/* The worst case of one (model, policy) set to `value`; every other worst case is 1. */
static enum out_verdict worst_case_verdict(const char *claim, const char *model,
					   const char *policy, const char *value)
{
	char where[256];
	struct ck *k = ck_open(RATIOS, "quick");
	ck_summary(k, "algorithm = 'conflict_worst_case'", "worst_case_ratio", "1.0");
	snprintf(where, sizeof(where),
		 "algorithm = 'conflict_worst_case' AND model = '%s' AND policy = '%s'", model, policy);
	ck_summary(k, where, "worst_case_ratio", value);
	enum out_verdict v = verdict(k, claim);
	ck_close(k);
	return v;
}

/* The measured constant passes; a rule whose worst case is above it (a wrong constant,
 * e.g. the neighbouring rule's) fails, and so does an adversary that found less than 99%
 * of it (it missed the worst T). */
static void two_sided(const char *claim, const char *model, const char *policy, double c,
		      double wrong)
{
	char v[64];
	snprintf(v, sizeof(v), "%.17g", c * (1.0 - 1e-9));
	cr_expect_eq(worst_case_verdict(claim, model, policy, v), OUT_PASS, "%s at %s", claim, v);
	snprintf(v, sizeof(v), "%.17g", c * 0.995);
	cr_expect_eq(worst_case_verdict(claim, model, policy, v), OUT_PASS, "%s at %s", claim, v);
	snprintf(v, sizeof(v), "%.17g", wrong);
	cr_expect_eq(worst_case_verdict(claim, model, policy, v), OUT_FAIL, "%s at %s", claim, v);
	snprintf(v, sizeof(v), "%.17g", c * (1.0 + 1e-4));
	cr_expect_eq(worst_case_verdict(claim, model, policy, v), OUT_FAIL, "%s at %s", claim, v);
	snprintf(v, sizeof(v), "%.17g", c * 0.985);
	cr_expect_eq(worst_case_verdict(claim, model, policy, v), OUT_FAIL, "%s at %s", claim, v);
}

Test(claims_htm_conflict, ra_deterministic_ratio)
{
	/* Wrong: D = W/2 or 2W, whose worst case is 3. */
	two_sided("ra_deterministic_ratio", "requestor_aborts", "deterministic", 2.0, 3.0);
}

Test(claims_htm_conflict, ra_randomized_ratio)
{
	/* Wrong: the requestor-wins rule (D uniform on [0, W]) under requestor-aborts pays
	 * 2T - T^2/2 for T <= W: its worst case is 2, at T -> 0. */
	two_sided("ra_randomized_ratio", "requestor_aborts", "randomized", 1.5819767068693265, 2.0);
}

Test(claims_htm_conflict, rw_deterministic_ratio)
{
	/* Wrong: D = W/2 under requestor-wins, worst case 4. */
	two_sided("rw_deterministic_ratio", "requestor_wins", "deterministic", 3.0, 4.0);
}

Test(claims_htm_conflict, rw_randomized_ratio)
{
	/* Wrong: the requestor-aborts density e^(t/W) / (W (e-1)) under requestor-wins pays
	 * (e + 1) / (e - 1) = 2.164 W once T > W. */
	two_sided("rw_randomized_ratio", "requestor_wins", "randomized", 2.0, 2.164);
}

/* The randomized rules' E[cost] / E[OPT] under each law of T: c with Monte Carlo noise
 * passes; one law 5% off fails. */
Test(claims_htm_conflict, randomized_rules_equalise)
{
	const char *c = "CASE model WHEN 'requestor_aborts' THEN " E_RATIO " ELSE 2.0 END";
	char expr[256];
	struct ck *k = ck_open(RATIOS, "quick");
	snprintf(expr, sizeof(expr), "(%s) * (1.0 + 0.001 * (seed - 2))", c);
	ck_summary(k, "algorithm = 'conflict_stochastic'", "cost_ratio", expr);
	cr_expect_eq(verdict(k, "randomized_rules_equalise"), OUT_PASS);
	snprintf(expr, sizeof(expr), "(%s) * 1.05", c);
	ck_summary(k, "algorithm = 'conflict_stochastic' AND policy = 'randomized' AND "
		   "model = 'requestor_wins' AND distribution = 'bimodal'", "cost_ratio", expr);
	cr_expect_eq(verdict(k, "randomized_rules_equalise"), OUT_FAIL);
	ck_close(k);
}

/* ---- simulated throughput: the delay policies against the no-delay runtimes ---------- */

/* Throughput per policy: `delay` for fixed, deterministic and randomized, `base` for
 * no delay and the backoff runtimes (SQL over the runs view), a seed-dependent jitter
 * of 1% so that the 95% intervals have a width. */
static void throughput(struct ck *k, const char *delay, const char *base)
{
	char expr[512];
	snprintf(expr, sizeof(expr),
		 "(CASE WHEN policy IN ('fixed', 'deterministic', 'randomized') THEN %s "
		 "WHEN policy = 'opt' THEN 1.0 ELSE %s END) * (1.0 + 0.01 * (seed - 2))", delay, base);
	ck_summary(k, "1", "throughput", expr);
}

static void at_least(const char *manifest)
{
	struct ck *k = ck_open(manifest, "quick");
	/* The delays tie no delay and beat every backoff runtime: holds. */
	throughput(k, "CASE policy WHEN 'deterministic' THEN 2.0 ELSE 1.0 END",
		   "CASE policy WHEN 'no_delay' THEN 2.0 ELSE 1.5 END");
	cr_expect_eq(verdict(k, "best_delay_at_least_no_delay"), OUT_PASS, "%s", manifest);
	/* One backoff runtime beats every delay on one workload: false, though no delay
	 * with a fixed retry is beaten everywhere. */
	throughput(k, "2.0", "CASE WHEN policy = 'backoff_r3' AND workload = 'queue' "
			     "AND model = 'requestor_aborts' THEN 2.2 ELSE 1.0 END");
	cr_expect_eq(verdict(k, "best_delay_at_least_no_delay"), OUT_FAIL, "%s", manifest);
	ck_close(k);
}

Test(claims_htm_conflict, best_delay_at_least_no_delay)
{
	at_least(CORES);
	at_least(CONTENTION);
}

static void measurably_higher(const char *manifest)
{
	struct ck *k = ck_open(manifest, "quick");
	/* Twice as fast as every runtime on the RW counter: holds. */
	throughput(k, "CASE WHEN workload = 'counter' AND model = 'requestor_wins' THEN 2.0 ELSE 1.0 END",
		   "1.0");
	cr_expect_eq(verdict(k, "best_delay_measurably_higher"), OUT_PASS, "%s", manifest);
	/* 5% faster than no delay, and a backoff runtime as fast as the delays: the
	 * intervals are not 10% apart anywhere. */
	throughput(k, "1.05", "CASE policy WHEN 'backoff_r10' THEN 1.05 ELSE 1.0 END");
	cr_expect_eq(verdict(k, "best_delay_measurably_higher"), OUT_FAIL, "%s", manifest);
	/* Twice no delay's throughput, but a backoff runtime matches it: false too. */
	throughput(k, "2.0", "CASE policy WHEN 'backoff_r1' THEN 2.0 ELSE 1.0 END");
	cr_expect_eq(verdict(k, "best_delay_measurably_higher"), OUT_FAIL, "%s", manifest);
	ck_close(k);
	/* It needs the quick scale's seeds for its intervals: not judged at smoke. */
	k = ck_open(manifest, "smoke");
	throughput(k, "2.0", "1.0");
	cr_expect_eq(verdict(k, "best_delay_measurably_higher"), OUT_NOT_JUDGED, "%s", manifest);
	ck_close(k);
}

Test(claims_htm_conflict, best_delay_measurably_higher)
{
	measurably_higher(CORES);
	measurably_higher(CONTENTION);
}
