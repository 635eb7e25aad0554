/* regress: the comparison rules, the order, the figures' data files and the page, on
 * hand-made items (the CLI is covered end to end in tests/e2e/test_regress_cli.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite/regress.h"
#include "tests/unit/testutil.h"

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

/* ---- worst first, the figures' data, REGRESS.md ---- */

/* A family of five compared items: one metric far beyond its band in the worse
 * direction, one inside, one beyond it in the better direction, a claim that stopped
 * passing, and a metric with no reference yet. */
static struct rg_set five_items(struct rg_item *buf)
{
	buf[0] = metric(1.0, NAN, 1.02, 1);          /* inside: +0.2 tol */
	buf[1] = metric(2.0, NAN, 5.0, 1);           /* +30 tol, lower is better: REGRESSED */
	buf[2] = metric(4.0, NAN, 3.0, 1);           /* -2.5 tol: improved */
	buf[3] = claim("PASS", "FAIL", 0);
	buf[4] = metric(NAN, NAN, 7.0, 1);
	buf[4].have_ref = 0;                         /* NEW */
	const char *ids[] = {"steady", "slower_by_far", "faster", "holds", "fresh"};
	for (int i = 0; i < 5; i++) {
		strcpy(buf[i].id, ids[i]);
		strcpy(buf[i].family, "fam");
		buf[i].better = MF_LOWER;
	}
	buf[0].tol_abs = 0.1;
	buf[1].tol_abs = 0.1;
	buf[2].tol_abs = 0.4;
	buf[3].have_now = 1;
	buf[3].now = 0.5;
	buf[3].ref = 0.2;
	struct rg_set set = {.items = buf, .n = 5, .cap = 5};
	rg_compare(&set);
	return set;
}

Test(regress, worst_first_order_and_claim_bands)
{
	struct rg_item buf[5];
	struct rg_set set = five_items(buf);
	int order[5];
	rg_order(&set, order);
	/* Failing items first (a lost claim counts as the worst), then by the move toward
	 * worse: +0.2 tol before -2.5 tol; no reference last. */
	cr_expect_eq(order[0], 3);
	cr_expect_eq(order[1], 1);
	cr_expect_eq(order[2], 0);
	cr_expect_eq(order[3], 2);
	cr_expect_eq(order[4], 4);
	cr_expect(fabs(rg_deviation(&buf[1]) - 30) < 1e-9);
	cr_expect(rg_outside(&buf[1]) && rg_outside(&buf[2]) && rg_outside(&buf[3]));
	cr_expect(!rg_outside(&buf[0]) && !rg_outside(&buf[4]));
	struct rg_item kept = claim("KNOWN-DEVIATION", "KNOWN-DEVIATION", 0);
	struct rg_set one = {.items = &kept, .n = 1, .cap = 1};
	rg_compare(&one);
	cr_expect(!rg_outside(&kept), "a claim that keeps its reference verdict is inside its band");
}

/* The data row of `item` in a figure's data file, split at tabs into f[14]; its row
 * number, or 0 when absent. */
static int dat_row(char *text, const char *item, char **f)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		int n = 0;
		for (char *p = line; n < 14; p++) {
			f[n++] = p;
			p += strcspn(p, "\t");
			if (!*p)
				break;
			*p = '\0';
		}
		if (n == 14 && !strcmp(f[4], item))
			return atoi(f[0]);
	}
	return 0;
}

static void expect_row(const char *path, const char *item, int row, const char *state, int outside,
		       double now)
{
	char *text = tu_read(path), *f[14];
	cr_assert_not_null(text, "%s", path);
	int at = dat_row(text, item, f);
	cr_expect_eq(at, row, "%s: %s is on row %d, not %d", path, item, at, row);
	if (at) {
		cr_expect_str_eq(f[11], state, "%s: %s", path, item);
		cr_expect_eq(atoi(f[10]), outside, "%s: %s outside", path, item);
		cr_expect(fabs(strtod(f[6], NULL) - now) < 1e-12, "%s: %s now %s", path, item, f[6]);
		cr_expect(strstr(f[12], item) != NULL, "the row is labelled by name: %s", f[12]);
	}
	free(text);
}

Test(regress, figure_data_files_name_the_regression_first_and_outside_its_band, .timeout = 30)
{
	char dir[512], plots[600], path[700];
	struct rg_item buf[5];
	struct rg_set set = five_items(buf);
	tu_tmpdir(dir, sizeof(dir));
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	char err[512] = "";
	cr_assert_eq(rg_plot(&set, plots, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/regress/fam.dat", plots);
	expect_row(path, "holds", 1, "REGRESSED", 1, 0.5);
	expect_row(path, "slower_by_far", 2, "REGRESSED", 1, 5.0);
	expect_row(path, "steady", 3, "ok", 0, 1.02);
	expect_row(path, "faster", 4, "improved", 1, 3.0);
	char *text = tu_read(path);
	cr_assert_not_null(text);
	cr_expect(strstr(text, "ref 2  now 5  (+30.00 tol, lower better)") != NULL, "%s", text);
	free(text);
	snprintf(path, sizeof(path), "%s/regress/overview.dat", plots);
	expect_row(path, "slower_by_far", 2, "REGRESSED", 1, 5.0);
	text = tu_read(path);
	cr_expect(text && strstr(text, "fam: e / slower_by_far") != NULL, "%s", text);
	free(text);
	snprintf(path, sizeof(path), "%s/regress/fam.png", plots);
	cr_expect_eq(access(path, R_OK), 0, "%s", path);
	snprintf(path, sizeof(path), "%s/regress/overview.svg", plots);
	cr_expect_eq(access(path, R_OK), 0, "%s", path);
}

Test(regress, the_page_lists_worst_first_and_links_the_figures, .timeout = 30)
{
	char dir[512], plots[600], page[700], err[512] = "";
	struct rg_item buf[5];
	struct rg_set set = five_items(buf);
	tu_tmpdir(dir, sizeof(dir));
	snprintf(plots, sizeof(plots), "%s/plots/out", dir);
	snprintf(page, sizeof(page), "%s/results/REGRESS.md", dir);
	cr_assert_eq(rg_plot(&set, plots, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rg_write_markdown(&set, page, plots, err, sizeof(err)), 0, "%s", err);
	char *md = tu_read(page);
	cr_assert_not_null(md);
	cr_expect(strstr(md, "regress: 5 items, 2 regressed, 1 improved, 0 changed, 0 missing, 1 new")
		  != NULL, "%s", md);
	cr_expect(strstr(md, "](../plots/out/regress/overview.png)") != NULL, "%s", md);
	cr_expect(strstr(md, "](../plots/out/regress/fam.png)") != NULL, "%s", md);
	const char *first = strstr(md, "| 1 | claim holds | e |"), *second = strstr(md, "| 2 | metric "
		"slower_by_far | e | 2 | 5 | +30.00 tol |");
	cr_expect(first && second && first < second, "%s", md);
	cr_expect(strstr(md, "- REGRESSED e/slower_by_far: 2 -> 5") != NULL, "%s", md);
	free(md);

	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	rg_summary(f, &set);
	fclose(f);
	cr_expect_str_eq(line, "regress: 5 items, 2 regressed, 1 improved, 0 changed, 0 missing, 1 new\n");
	free(line);
}
