/* Sweep expansion counts and run-id stability. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "suite/sweep.h"
#include "tests/unit/testutil.h"

static struct manifest *load_text(const char *text)
{
	char dir[512], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", text, path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	return m;
}

static int expand_count(const char *text, enum mf_scale scale)
{
	char err[1024];
	struct manifest *m = load_text(text);
	struct sweep s;
	cr_assert_eq(sweep_expand(m, scale, &s, err, sizeof(err)), 0, "%s", err);
	int n = s.n;
	sweep_free(&s);
	mf_free(m);
	return n;
}

Test(sweep, cartesian_product_times_seeds)
{
	/* 3 x 2 points, 4 seeds. */
	cr_expect_eq(expand_count("id: t\nalgorithms: [selftest]\nparams:\n  x: [1, 2, 3]\n"
				  "  steps: [2, 4]\nseeds: 4\n", MF_QUICK), 24);
}

Test(sweep, scale_maps_pick_values_and_lists)
{
	const char *t = "id: t\nalgorithms: [selftest]\nparams:\n"
			"  x: {smoke: 1, quick: [1, 2], full: [1, 2, 3, 4]}\n"
			"seeds: {smoke: 1, quick: 2, full: 3}\n";
	cr_expect_eq(expand_count(t, MF_SMOKE), 1);
	cr_expect_eq(expand_count(t, MF_QUICK), 4);
	cr_expect_eq(expand_count(t, MF_FULL), 12);
}

Test(sweep, explicit_seed_list)
{
	cr_expect_eq(expand_count("id: t\nalgorithms: [selftest]\nseeds: [7, 11, 13]\n", MF_QUICK), 3);
}

Test(sweep, threads_axis_applies_to_every_algorithm)
{
	cr_expect_eq(expand_count("id: t\nalgorithms: [selftest]\nparams:\n  threads: [1, 2, 4]\n",
				  MF_QUICK), 3);
}

static void ids_of(const char *text, char ids[][SWEEP_ID_LEN + 1], int max, int *n)
{
	char err[1024];
	struct manifest *m = load_text(text);
	struct sweep s;
	cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0, "%s", err);
	*n = s.n < max ? s.n : max;
	for (int i = 0; i < *n; i++)
		memcpy(ids[i], s.runs[i].id, SWEEP_ID_LEN + 1);
	sweep_free(&s);
	mf_free(m);
}

Test(sweep, run_ids_are_stable_and_distinct)
{
	char a[8][SWEEP_ID_LEN + 1], b[8][SWEEP_ID_LEN + 1];
	int na, nb;
	const char *t = "id: t\nalgorithms: [selftest]\nparams:\n  x: [0.5, 2]\nseeds: 2\n";
	ids_of(t, a, 8, &na);
	ids_of(t, b, 8, &nb);
	cr_assert_eq(na, 4);
	cr_assert_eq(nb, 4);
	for (int i = 0; i < 4; i++) {
		cr_expect_str_eq(a[i], b[i]);
		cr_expect_eq(strlen(a[i]), SWEEP_ID_LEN);
		for (int j = 0; j < i; j++)
			cr_expect_str_neq(a[i], a[j]);
	}
}

Test(sweep, run_id_ignores_spelling_and_key_order_but_not_values)
{
	char a[2][SWEEP_ID_LEN + 1], b[2][SWEEP_ID_LEN + 1], c[2][SWEEP_ID_LEN + 1];
	int n;
	/* The same point written differently: 0.5 as 5e-1, keys in another order, a default
	 * written out explicitly. */
	ids_of("id: t\nalgorithms: [selftest]\nparams:\n  x: 0.5\n  steps: 5\n", a, 2, &n);
	ids_of("id: t\nparams:\n  steps: 5\n  x: 5e-1\n  step_ms: 0\nalgorithms: [selftest]\n", b, 2, &n);
	ids_of("id: t\nalgorithms: [selftest]\nparams:\n  x: 0.5000001\n  steps: 5\n", c, 2, &n);
	cr_expect_str_eq(a[0], b[0]);
	cr_expect_str_neq(a[0], c[0]);
}

Test(sweep, run_id_depends_on_experiment_id)
{
	char a[1][SWEEP_ID_LEN + 1], b[1][SWEEP_ID_LEN + 1];
	int n;
	ids_of("id: t\nalgorithms: [selftest]\n", a, 1, &n);
	ids_of("id: u\nalgorithms: [selftest]\n", b, 1, &n);
	cr_expect_str_neq(a[0], b[0]);
}

Test(sweep, filter_keeps_matching_runs)
{
	char err[1024];
	struct manifest *m = load_text("id: t\nalgorithms: [selftest]\nparams:\n  x: [1, 2, 3]\nseeds: 2\n");
	struct sweep s;
	cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0);
	cr_expect_eq(sweep_filter(&s, "x=2", err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(s.n, 2);
	cr_expect_eq(sweep_filter(&s, "seed=2", err, sizeof(err)), 0);
	cr_expect_eq(s.n, 1);
	cr_expect_eq(sweep_filter(&s, "nosuchkey=1", err, sizeof(err)), -1);
	cr_expect(strstr(err, "nosuchkey") != NULL, "%s", err);
	cr_expect_eq(sweep_filter(&s, "novalue", err, sizeof(err)), -1);
	sweep_free(&s);
	mf_free(m);
}

Test(sweep, labels_name_the_varied_parameters)
{
	char err[1024];
	struct manifest *m = load_text("id: t\nalgorithms: [selftest]\nparams:\n  x: [1, 2]\n  steps: 3\n");
	struct sweep s;
	cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0);
	cr_expect_str_eq(s.runs[0].label, "selftest x=1 seed=1");
	cr_expect_str_eq(s.runs[1].label, "selftest x=2 seed=1");
	sweep_free(&s);
	mf_free(m);
}

Test(sweep, seedless_algorithms_run_once)
{
	/* gd_full does not depend on its seed: 3 seeds give 3 sgd runs and 1 gd_full run. */
	cr_expect_eq(expand_count("id: t\nalgorithms: [sgd, gd_full]\ndataset: {name: synth_logreg}\n"
				  "seeds: 3\n", MF_QUICK), 4);
}
