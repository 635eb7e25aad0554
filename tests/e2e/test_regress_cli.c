/* End-to-end: `relaxbench reference`, `regress` and `trend` on a tiny manifest. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

/* selftest records x_squared = x^2 (plus a seed-dependent jitter far below 1%). */
static const char *const manifest_fmt =
	"id: rg\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: %g\n"
	"seeds: 2\n"
	"claims:\n"
	"  - id: small_square\n"
	"    statement: x squared stays below 10\n"
	"    measured: SELECT mean FROM summary WHERE metric = 'x_squared'\n"
	"    expect: \"< 10\"\n"
	"regress:\n"
	"  - id: square\n"
	"    query: SELECT mean, sd FROM summary WHERE metric = 'x_squared'\n"
	"    tolerance: {rel: 0.05}\n"
	"    better: lower\n";

static void write_manifest(const char *dir, double x, char *path, size_t len)
{
	char text[1024];
	snprintf(text, sizeof(text), manifest_fmt, x);
	tu_write(dir, "rg.yaml", text, path, len);
}

/* run + collect into <dir>/<results>; 0 on success. */
static int run_into(const char *dir, const char *manifest, const char *results)
{
	return tu_sh(NULL, "'%s' run '%s' --scale smoke --results '%s/%s' --quiet && '%s' collect "
		     "--results '%s/%s' --quiet", tu_bin(), manifest, dir, results, tu_bin(), dir, results);
}

static int regress(char **out, const char *dir, const char *manifest, const char *results)
{
	return tu_sh(out, "'%s' regress '%s' --scale smoke --results '%s/%s' --reference '%s/ref' "
		     "--plots '%s/plots'", tu_bin(), manifest, dir, results, dir, dir);
}

Test(e2e_regress, unchanged_passes_a_worse_metric_fails_naming_it_a_better_one_does_not, .timeout = 60)
{
	char dir[512], manifest[1024], *out, ref[1200], plot[1200];
	tu_tmpdir(dir, sizeof(dir));
	write_manifest(dir, 3, manifest, sizeof(manifest));
	cr_assert_eq(run_into(dir, manifest, "r1"), 0);
	cr_assert_eq(tu_sh(&out, "'%s' reference '%s' --scale smoke --results '%s/r1' --reference "
			   "'%s/ref'", tu_bin(), manifest, dir, dir), 0, "%s", out);
	free(out);
	snprintf(ref, sizeof(ref), "%s/ref/rg.csv", dir);
	char *csv = tu_read(ref);
	cr_assert_not_null(csv);
	cr_expect(strstr(csv, "claim,small_square,smoke,9") && strstr(csv, ",PASS,"), "%s", csv);
	cr_expect(strstr(csv, "metric,square,smoke,9") != NULL, "%s", csv);
	free(csv);

	cr_expect_eq(regress(&out, dir, manifest, "r1"), 0, "%s", out);
	cr_expect(strstr(out, "\nregress: 2 items, 0 regressed, 0 improved, 0 changed, 0 missing, "
			  "0 new\n") != NULL && out[strlen(out) - 1] == '\n' &&
		  !strchr(strstr(out, "\nregress: ") + 1, '\n')[1], "the last line sums up: %s", out);
	free(out);
	snprintf(plot, sizeof(plot), "%s/plots/regress/harness.png", dir);
	cr_expect_eq(access(plot, R_OK), 0, "the family's regression plot %s", plot);

	/* x = 4: the square grows by 78% (lower is better) and the claim fails. */
	write_manifest(dir, 4, manifest, sizeof(manifest));
	cr_assert_eq(run_into(dir, manifest, "r2"), 0);
	cr_expect_eq(regress(&out, dir, manifest, "r2"), 1, "%s", out);
	cr_expect(strstr(out, "REGRESSED rg/square: 9") != NULL, "names the metric: %s", out);
	cr_expect(strstr(out, "REGRESSED rg/claim small_square: PASS -> FAIL") != NULL, "%s", out);
	free(out);

	/* x = 2: the square shrinks by 56%: beyond the tolerance, but better. */
	write_manifest(dir, 2, manifest, sizeof(manifest));
	cr_assert_eq(run_into(dir, manifest, "r3"), 0);
	cr_expect_eq(regress(&out, dir, manifest, "r3"), 0, "%s", out);
	cr_expect(strstr(out, "| improved |") != NULL, "%s", out);
	free(out);
}

Test(e2e_regress, bad_references_and_declarations_exit_2, .timeout = 60)
{
	char dir[512], manifest[1024], *out, bad[1024];
	tu_tmpdir(dir, sizeof(dir));
	write_manifest(dir, 3, manifest, sizeof(manifest));
	cr_assert_eq(run_into(dir, manifest, "r1"), 0);
	cr_assert_eq(tu_sh(NULL, "'%s' reference '%s' --scale smoke --results '%s/r1' --reference "
			   "'%s/ref'", tu_bin(), manifest, dir, dir), 0);

	/* A reference made at smoke is not compared with quick runs. */
	cr_expect_eq(tu_sh(&out, "'%s' regress '%s' --scale quick --results '%s/r1' --reference "
			   "'%s/ref'", tu_bin(), manifest, dir, dir), 2, "%s", out);
	cr_expect(strstr(out, "made at scale 'smoke', not 'quick'") != NULL, "%s", out);
	free(out);

	/* A quoted field is refused, with its line. */
	cr_assert_eq(tu_sh(NULL, "sed -i '2s/^claim/\"claim\"/' '%s/ref/rg.csv'", dir), 0);
	cr_expect_eq(regress(&out, dir, manifest, "r1"), 2, "%s", out);
	cr_expect(strstr(out, "rg.csv:2: expected 8 comma-separated fields without quotes") != NULL,
		  "%s", out);
	free(out);

	/* A key metric without a tolerance is a manifest error. */
	tu_write(dir, "bad.yaml", "id: b\nalgorithms: [selftest]\nregress:\n  - id: m\n"
		 "    query: SELECT 1\n", bad, sizeof(bad));
	cr_expect_eq(tu_sh(&out, "'%s' regress '%s' --results '%s/r1'", tu_bin(), bad, dir), 2, "%s", out);
	cr_expect(strstr(out, "bad.yaml:4:5: regress.tolerance: missing") != NULL, "%s", out);
	free(out);
	tu_write(dir, "bad.yaml", "id: b\nalgorithms: [selftest]\nregress:\n  - id: m\n"
		 "    query: SELECT 1\n    tolerance: {rel: -1}\n", bad, sizeof(bad));
	cr_expect_eq(tu_sh(&out, "'%s' regress '%s' --results '%s/r1'", tu_bin(), bad, dir), 2, "%s", out);
	cr_expect(strstr(out, "regress.tolerance: rel must be a number >= 0") != NULL, "%s", out);
	free(out);
}

Test(e2e_regress, trend_plots_a_metric_across_three_stores, .timeout = 60)
{
	char dir[512], manifest[1024], *out, plot[1200];
	tu_tmpdir(dir, sizeof(dir));
	write_manifest(dir, 3, manifest, sizeof(manifest));
	for (int i = 1; i <= 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		cr_assert_eq(run_into(dir, manifest, name), 0);
	}
	cr_assert_eq(tu_sh(NULL, "'%s' reference '%s' --scale smoke --results '%s/s1' --reference "
			   "'%s/ref'", tu_bin(), manifest, dir, dir), 0);
	cr_expect_eq(tu_sh(&out, "'%s' trend '%s/s1' '%s/s2' '%s/s3/relaxbench.db' --manifest '%s' "
			   "--scale smoke --reference '%s/ref' --plots '%s/plots'", tu_bin(), dir, dir, dir,
			   manifest, dir, dir), 0, "%s", out);
	cr_expect(strstr(out, "| rg | square | 9") != NULL, "%s", out);
	cr_expect(strstr(out, "| 3 |") != NULL, "three stores listed: %s", out);
	free(out);
	snprintf(plot, sizeof(plot), "%s/plots/trend/rg/square.png", dir);
	cr_expect_eq(access(plot, R_OK), 0, "%s", plot);
	cr_expect_eq(tu_sh(&out, "'%s' trend --manifest '%s'", tu_bin(), manifest), 2, "%s", out);
	free(out);
}

/* Fields of the data row of `item` in a regression figure's data file (tab-separated,
 * RG_DAT_HEADER's columns), copied into f; its row number, or 0. */
static int figure_row(const char *path, const char *item, char f[14][160])
{
	char *text = tu_read(path), *save = NULL;
	int row = 0;
	cr_assert_not_null(text, "%s", path);
	for (char *line = strtok_r(text, "\n", &save); line && !row; line = strtok_r(NULL, "\n", &save)) {
		int n = 0;
		for (char *p = line; line[0] != '#' && n < 14; n++) {
			size_t w = strcspn(p, "\t");
			snprintf(f[n], 160, "%.*s", (int)w, p);
			p += w + (p[w] == '\t');
		}
		if (n == 14 && !strcmp(f[4], item))
			row = atoi(f[0]);
	}
	free(text);
	return row;
}

Test(e2e_regress, a_deliberate_regression_is_named_first_and_outside_its_band, .timeout = 60)
{
	char dir[512], manifest[1024], *out, path[1200], f[14][160];
	tu_tmpdir(dir, sizeof(dir));
	write_manifest(dir, 3, manifest, sizeof(manifest));
	cr_assert_eq(run_into(dir, manifest, "r1"), 0);
	cr_assert_eq(tu_sh(NULL, "'%s' reference '%s' --scale smoke --results '%s/r1' --reference "
			   "'%s/ref'", tu_bin(), manifest, dir, dir), 0);
	/* A reference the current run misses by far: the square was 1 (lower is better). */
	cr_assert_eq(tu_sh(NULL, "sed -i 's/^metric,square,smoke,[^,]*,[^,]*,/metric,square,smoke,1,,/' "
			   "'%s/ref/rg.csv'", dir), 0);
	cr_expect_eq(regress(&out, dir, manifest, "r1"), 1, "%s", out);
	cr_expect(strstr(out, "| 1 | metric square | rg | 1 | 9.0") != NULL, "worst first: %s", out);
	cr_expect(strstr(out, "REGRESSED rg/square: 1 -> 9.0") != NULL, "%s", out);
	free(out);

	snprintf(path, sizeof(path), "%s/plots/regress/harness.dat", dir);
	cr_expect_eq(figure_row(path, "square", f), 1, "the regression is the top row");
	cr_expect_str_eq(f[2], "rg");
	cr_expect_str_eq(f[3], "metric");
	cr_expect(fabs(atof(f[5]) - 1) < 1e-12 && fabs(atof(f[6]) - 9) < 0.1, "%s %s", f[5], f[6]);
	cr_expect_str_eq(f[10], "1", "outside its band");
	cr_expect_str_eq(f[11], "REGRESSED");
	cr_expect(strstr(f[12], "square") && strstr(f[13], "ref 1  now 9.0"), "%s | %s", f[12], f[13]);
	cr_expect_eq(figure_row(path, "small_square", f), 2);
	cr_expect_str_eq(f[10], "0", "the claim still passes: inside its band");
	snprintf(path, sizeof(path), "%s/plots/regress/overview.dat", dir);
	cr_expect_eq(figure_row(path, "square", f), 1, "the overview shows it first");
	cr_expect_str_eq(f[11], "REGRESSED");
	cr_expect(strstr(f[12], "harness: rg / square") != NULL, "%s", f[12]);
	snprintf(path, sizeof(path), "%s/plots/regress/overview.png", dir);
	cr_expect_eq(access(path, R_OK), 0, "%s", path);

	/* The page: the summary, the regression as the table's first row, the figures. */
	snprintf(path, sizeof(path), "%s/r1/REGRESS.md", dir);
	char *md = tu_read(path);
	cr_assert_not_null(md, "%s", path);
	cr_expect(strstr(md, "regress: 2 items, 1 regressed, 0 improved") != NULL, "%s", md);
	cr_expect(strstr(md, "\n| 1 | metric square | rg | 1 | 9.0") != NULL, "%s", md);
	cr_expect(strstr(md, "](../plots/regress/overview.png)") != NULL, "%s", md);
	cr_expect(strstr(md, "](../plots/regress/harness.png)") != NULL, "%s", md);
	free(md);
}

/* Commit <repo>/ref/rg.csv with the square's reference value. */
static void commit_reference(const char *repo, double value)
{
	char text[256], path[1024], ref[700];
	snprintf(ref, sizeof(ref), "%s/ref", repo);
	snprintf(text, sizeof(text), "kind,id,scale,value,sd,verdict,git_rev,host\n"
		 "claim,small_square,smoke,%g,,PASS,abc,ci\nmetric,square,smoke,%g,,,abc,ci\n", value,
		 value);
	cr_assert_eq(tu_sh(NULL, "mkdir -p '%s'", ref), 0);
	tu_write(ref, "rg.csv", text, path, sizeof(path));
	cr_assert_eq(tu_sh(NULL, "cd '%s' && git add ref && git -c user.name=t -c user.email=t@example.org"
			   " commit -q -m 'reference %g'", repo, value), 0);
}

Test(e2e_regress, trend_git_draws_every_reference_commit_then_the_store, .timeout = 60)
{
	char dir[512], manifest[1024], *out, path[1200];
	tu_tmpdir(dir, sizeof(dir));
	write_manifest(dir, 3, manifest, sizeof(manifest));
	cr_assert_eq(tu_sh(NULL, "git init -q '%s/repo'", dir), 0);
	char repo[700];
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	commit_reference(repo, 8.5);
	commit_reference(repo, 8.8);
	commit_reference(repo, 9);
	cr_assert_eq(run_into(dir, manifest, "now"), 0);
	cr_expect_eq(tu_sh(&out, "'%s' trend --git '%s/now' --manifest '%s' --scale smoke --reference "
			   "'%s/ref' --plots '%s/plots'", tu_bin(), dir, manifest, repo, dir), 0, "%s", out);
	cr_expect(strstr(out, "| rg | square | 9 | 0.45 | 8.5 | 8.8 | 9 | 9.0") != NULL, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/plots/trend/rg/square.dat", dir);
	char *dat = tu_read(path);
	cr_assert_not_null(dat, "%s", path);
	cr_expect_eq(tu_lines(dat), 5, "a header, three commits, the store: %s", dat);
	cr_expect(strstr(dat, "\n1\treference\t") && strstr(dat, "\n3\treference\t") &&
		  strstr(dat, "\n4\tstore\t"), "%s", dat);
	free(dat);
	snprintf(path, sizeof(path), "%s/plots/trend/rg/square.png", dir);
	cr_expect_eq(access(path, R_OK), 0, "%s", path);
	cr_expect_eq(tu_sh(&out, "'%s' trend --git a..b c..d --manifest '%s'", tu_bin(), manifest), 1,
		     "%s", out);
	free(out);
}

Test(e2e_regress, trend_git_on_this_repository_draws_its_reference_commits, .timeout = 120)
{
	char dir[512], *root = getenv("RELAXBENCH_ROOT"), *out, *count, path[1200];
	if (!root || tu_sh(NULL, "git -C '%s' rev-parse --git-dir >/dev/null 2>&1", root))
		cr_skip_test("not a git checkout");
	tu_tmpdir(dir, sizeof(dir));
	cr_assert_eq(tu_sh(&count, "git -C '%s' log --format=%%h -- results/reference/ | wc -l", root), 0);
	cr_expect_eq(tu_sh(&out, "cd '%s' && '%s' trend --git --scale smoke --manifest "
			   "experiments/relaxed_structures/mq_rank_error.yaml --plots '%s/plots'", root,
			   tu_bin(), dir), 0, "%s", out);
	free(out);
	snprintf(path, sizeof(path), "%s/plots/trend/mq_rank_error/sequential_mean_rank_error_q16.dat", dir);
	char *dat = tu_read(path);
	cr_assert_not_null(dat, "%s", path);
	cr_expect_eq(tu_lines(dat) - 1, atoi(count), "one point per commit that changed "
		     "results/reference/: %s", dat);
	free(dat);
	free(count);
}
