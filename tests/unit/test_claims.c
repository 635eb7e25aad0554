/* Claims evaluated by SQL over the store: PASS, FAIL, NOT-RUN; and the summary views. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "suite/exec.h"
#include "suite/outputs.h"
#include "suite/store.h"
#include "tests/unit/testutil.h"

static const char *const manifest_text =
	"id: claims_test\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: [1, 2]\n"
	"  steps: 4\n"
	"seeds: 3\n"
	"claims:\n"
	"  - id: passes\n"
	"    statement: x=2 squares to about 4\n"
	"    measured: SELECT mean FROM summary WHERE x = 2 AND metric = 'x_squared'\n"
	"    expect: between 3.9 and 4.1\n"
	"  - id: fails\n"
	"    statement: x=1 squares to more than 2\n"
	"    measured: SELECT mean FROM summary WHERE x = 1 AND metric = 'x_squared'\n"
	"    expect: '> 2'\n"
	"  - id: not_run\n"
	"    statement: nothing was run at x=3\n"
	"    measured: SELECT mean FROM summary WHERE x = 3 AND metric = 'x_squared'\n"
	"    expect: '> 0'\n";

struct fixture {
	char dir[512], results[600], db[700];
	struct manifest *m;
	struct sweep s;
};

static void run_fixture(struct fixture *f)
{
	char path[1024], err[2048];
	tu_tmpdir(f->dir, sizeof(f->dir));
	tu_write(f->dir, "m.yaml", manifest_text, path, sizeof(path));
	snprintf(f->results, sizeof(f->results), "%s/results", f->dir);
	f->m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(f->m, "%s", err);
	cr_assert_eq(sweep_expand(f->m, MF_QUICK, &f->s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(out_check_queries(&f->s, err, sizeof(err)), 0, "%s", err);
	struct exec_opts o = {.results = f->results, .quiet = 1};
	struct exec_stats st;
	cr_assert_eq(exec_sweeps(&f->s, 1, &o, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st.ok, 6);
	store_path(f->results, f->db, sizeof(f->db));
}

Test(claims, pass_fail_and_not_run)
{
	struct fixture f;
	char err[1024];
	int loaded, skipped;
	run_fixture(&f);
	sqlite3 *db = store_open(f.db, 0, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	cr_assert_eq(store_collect(db, f.results, &loaded, &skipped, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(loaded, 6);
	cr_assert_eq(store_scope(db, &f.s, err, sizeof(err)), 0, "%s", err);
	struct out_claim res[3];
	out_claims(db, &f.s, res);
	cr_expect_eq(res[0].verdict, OUT_PASS, "measured %g", res[0].measured);
	cr_expect_eq(res[1].verdict, OUT_FAIL, "measured %g", res[1].measured);
	cr_expect_eq(res[2].verdict, OUT_NOT_RUN);
	store_close(db);
	sweep_free(&f.s);
	mf_free(f.m);
}

Test(claims, collect_is_idempotent_and_aggregates_over_seeds)
{
	struct fixture f;
	char err[1024];
	int loaded, skipped;
	double v;
	run_fixture(&f);
	sqlite3 *db = store_open(f.db, 0, err, sizeof(err));
	cr_assert_eq(store_collect(db, f.results, &loaded, &skipped, err, sizeof(err)), 0);
	cr_assert_eq(store_collect(db, f.results, &loaded, &skipped, err, sizeof(err)), 0);
	cr_expect_eq(loaded, 0);
	cr_expect_eq(skipped, 6);
	cr_assert_eq(store_scope(db, &f.s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(store_scalar(db, "SELECT count(*) FROM main.runs", &v, err, sizeof(err)), 1);
	cr_expect_eq(v, 6);
	cr_assert_eq(store_scalar(db, "SELECT count(*) FROM main.series", &v, err, sizeof(err)), 1);
	cr_expect_eq(v, 6 * 4, "series rows are not duplicated by a second collect");
	/* selftest's summary is x^2 + 0.01 * (seed % 7); seeds 1..3 give a mean jitter of 0.02. */
	cr_assert_eq(store_scalar(db, "SELECT mean FROM summary WHERE x = 2 AND metric = 'x_squared'",
				  &v, err, sizeof(err)), 1, "%s", err);
	cr_expect_float_eq(v, 4.02, 1e-12);
	cr_assert_eq(store_scalar(db, "SELECT n FROM summary WHERE x = 2 AND metric = 'x_squared'",
				  &v, err, sizeof(err)), 1);
	cr_expect_eq(v, 3);
	/* sample sd of {0.01, 0.02, 0.03} is 0.01; the 95% half-interval is t(2) * 0.01 / sqrt(3). */
	cr_assert_eq(store_scalar(db, "SELECT ci95 FROM summary WHERE x = 2 AND metric = 'x_squared'",
				  &v, err, sizeof(err)), 1);
	cr_expect_float_eq(v, 4.303 * 0.01 / 1.7320508075688772, 1e-9);
	cr_assert_eq(store_scalar(db, "SELECT count(*) FROM curve WHERE metric = 'value'", &v, err,
				  sizeof(err)), 1);
	cr_expect_eq(v, 2 * 4, "one curve point per x value and step");
	store_close(db);
	sweep_free(&f.s);
	mf_free(f.m);
}

Test(claims, bad_sql_in_a_claim_is_found_before_runs)
{
	char dir[512], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml",
		 "id: t\nalgorithms: [selftest]\nclaims:\n  - id: c\n    statement: s\n"
		 "    measured: SELECT mean FROM summary WHERE y = 1\n    expect: '> 0'\n",
		 path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	struct sweep s;
	cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0);
	cr_expect_eq(out_check_queries(&s, err, sizeof(err)), -1);
	char prefix[1100];
	snprintf(prefix, sizeof(prefix), "%s:6:15: claims.measured: no such column: y", path);
	cr_expect_str_eq(err, prefix);
	sweep_free(&s);
	mf_free(m);
}

Test(claims, collect_reloads_a_run_redone_with_force)
{
	struct fixture f;
	char err[1024];
	int loaded, skipped;
	run_fixture(&f);
	sqlite3 *db = store_open(f.db, 0, err, sizeof(err));
	cr_assert_eq(store_collect(db, f.results, &loaded, &skipped, err, sizeof(err)), 0, "%s", err);
	/* Redo every run at once: they finish within the same second as a rule. */
	struct exec_opts o = {.results = f.results, .quiet = 1, .force = 1};
	struct exec_stats st;
	cr_assert_eq(exec_sweeps(&f.s, 1, &o, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(store_collect(db, f.results, &loaded, &skipped, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(loaded, 6, "every redone run is reloaded (%d skipped)", skipped);
	store_close(db);
	sweep_free(&f.s);
	mf_free(f.m);
}
