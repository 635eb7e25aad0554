/* The report's reviewer page: the claims table shows the measured value in the paper's
 * terms (`paper_terms`, display only) beside the paper's value, its deviation, and the
 * number the claim tests; a bad paper_terms query is refused before any run; a paper's
 * section opens with its `headline: true` figure, at most one per family. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/exec.h"
#include "suite/outputs.h"
#include "suite/report.h"
#include "suite/store.h"
#include "tests/unit/testutil.h"

/* selftest records x_squared = x^2 + 0.01 (seed % 7): over seeds 1..3 the mean at x = 2 is
 * 4.02, at x = 1 it is 1.02. %s: the claims' extra keys (paper_terms or nothing). */
static const char *const manifest_fmt =
	"id: report_test\n"
	"paper: {title: A paper, arxiv: '0000.00001'}\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: [1, 2]\n"
	"  steps: 3\n"
	"seeds: 3\n"
	"plots:\n"
	"  - id: other\n"
	"    title: The other figure\n"
	"    x: step\n"
	"    y: value\n"
	"  - id: main_result\n"
	"    title: The main result\n"
	"    x: step\n"
	"    y: value\n"
	"    series: [x]\n"
	"    headline: true\n"
	"claims:\n"
	"  - id: rel_error\n"
	"    statement: x=2 squares to 4 within 1%%\n"
	"    paper_value: '4'\n"
	"    measured: SELECT abs(mean / 4 - 1) FROM summary WHERE x = 2 AND metric = 'x_squared'\n"
	"    expect: '<= 0.01'\n"
	"%s"
	"  - id: difference\n"
	"    statement: x=2 squares to more than x=1 by 3.5\n"
	"    paper_value: 'larger'\n"
	"    measured: |\n"
	"      SELECT a.mean - b.mean FROM summary a, summary b\n"
	"       WHERE a.x = 2 AND b.x = 1 AND a.metric = 'x_squared' AND b.metric = 'x_squared'\n"
	"    expect: '>= 3.5'\n"
	"%s"
	"  - id: plain\n"
	"    statement: x=1 squares to about 1\n"
	"    paper_value: '1'\n"
	"    measured: SELECT mean FROM summary WHERE x = 1 AND metric = 'x_squared'\n"
	"    expect: between 0.9 and 1.1\n";

static const char *const rel_terms =
	"    paper_terms:\n"
	"      query: SELECT mean FROM summary WHERE x = 2 AND metric = 'x_squared'\n"
	"      unit: squared\n"
	"      paper: 4\n";

static const char *const diff_terms =
	"    paper_terms: |\n"
	"      SELECT printf('%.2f vs %.2f', a.mean, b.mean) FROM summary a, summary b\n"
	"       WHERE a.x = 2 AND b.x = 1 AND a.metric = 'x_squared' AND b.metric = 'x_squared'\n";

struct fixture {
	char dir[512], results[600], db[700];
	struct manifest *m;
	struct sweep s;
};

static void load(struct fixture *f, const char *name, const char *rel, const char *diff)
{
	char text[4096], path[1024], err[2048];
	snprintf(text, sizeof(text), manifest_fmt, rel, diff);
	tu_write(f->dir, name, text, path, sizeof(path));
	f->m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(f->m, "%s", err);
	cr_assert_eq(sweep_expand(f->m, MF_QUICK, &f->s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(out_check_queries(&f->s, err, sizeof(err)), 0, "%s", err);
}

/* Runs the manifest's runs and collects them into <dir>/results. */
static void run(struct fixture *f)
{
	char err[2048];
	int loaded, skipped;
	snprintf(f->results, sizeof(f->results), "%s/results", f->dir);
	struct exec_opts o = {.results = f->results, .quiet = 1};
	struct exec_stats st;
	cr_assert_eq(exec_sweeps(&f->s, 1, &o, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(st.ok, 6);
	store_path(f->results, f->db, sizeof(f->db));
	sqlite3 *db = store_open(f->db, 0, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	cr_assert_eq(store_collect(db, f->results, &loaded, &skipped, err, sizeof(err)), 0, "%s", err);
	store_close(db);
}

static void unload(struct fixture *f)
{
	sweep_free(&f->s);
	mf_free(f->m);
}

/* The report of one sweep as text (malloc'd). */
static char *report(struct fixture *f, struct sweep *s, int n, struct out_tally *t)
{
	char out[800], plots[800], err[2048];
	snprintf(out, sizeof(out), "%s/REPORT.md", f->results);
	snprintf(plots, sizeof(plots), "%s/plots", f->dir);
	struct report_opts o = {.results = f->results, .plots = plots, .out = out};
	cr_assert_eq(report_write(s, n, &o, t, err, sizeof(err)), 0, "%s", err);
	char *text = tu_read(out);
	cr_assert_not_null(text);
	return text;
}

/* The Markdown row of a claim (from "| id |" to the end of the line), or NULL. */
static char *row_of(const char *text, const char *id)
{
	char key[128];
	snprintf(key, sizeof(key), "\n| %s | ", id);
	const char *p = strstr(text, key);
	if (!p)
		return NULL;
	const char *end = strchr(p + 1, '\n');
	return strndup(p + 1, end ? (size_t)(end - p - 1) : strlen(p + 1));
}

Test(report, claims_table_shows_the_paper_terms_beside_the_tested_number, .timeout = 60)
{
	struct fixture f;
	struct out_tally t;
	tu_tmpdir(f.dir, sizeof(f.dir));
	load(&f, "m.yaml", rel_terms, diff_terms);
	run(&f);
	char *text = report(&f, &f.s, 1, &t);
	cr_expect(strstr(text, "| claim | experiment | statement | paper | measured | deviation | tested |"
			 " expected | verdict |") != NULL, "%s", text);
	/* A relative error (0.005) is tested; the reader sees 4.02 against the paper's 4. */
	char *rel = row_of(text, "rel_error");
	cr_assert_not_null(rel, "%s", text);
	cr_expect(strstr(rel, "| 4 | 4.02 squared | +0.50% | 0.005 | <= 0.01 | **PASS** |") != NULL, "%s", rel);
	/* A difference (3) is tested; the reader sees both accuracies... */
	char *diff = row_of(text, "difference");
	cr_assert_not_null(diff, "%s", text);
	cr_expect(strstr(diff, "| larger | 4.02 vs 1.02 | – | 3 | >= 3.5 | **FAIL** |") != NULL, "%s", diff);
	/* ... and a claim already in the paper's terms shows the same number twice. */
	char *plain = row_of(text, "plain");
	cr_assert_not_null(plain, "%s", text);
	cr_expect(strstr(plain, "| 1 | 1.02 | – | 1.02 | between 0.9 and 1.1 | **PASS** |") != NULL, "%s", plain);
	cr_expect_eq(t.pass, 2);
	cr_expect_eq(t.fail, 1);
	free(rel);
	free(diff);
	free(plain);
	free(text);
	unload(&f);
}

/* Display only: the same store, with and without paper_terms, gives the same verdicts and
 * the same tested numbers. */
Test(report, paper_terms_change_no_verdict, .timeout = 60)
{
	struct fixture with, without;
	char err[1024];
	tu_tmpdir(with.dir, sizeof(with.dir));
	load(&with, "with.yaml", rel_terms, diff_terms);
	run(&with);
	snprintf(without.dir, sizeof(without.dir), "%s", with.dir);
	load(&without, "without.yaml", "", "");
	sqlite3 *db = store_open(with.db, 0, err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	struct out_claim a[3], b[3];
	cr_assert_eq(store_scope(db, &with.s, err, sizeof(err)), 0, "%s", err);
	out_claims(db, &with.s, a);
	cr_assert_eq(store_scope(db, &without.s, err, sizeof(err)), 0, "%s", err);
	out_claims(db, &without.s, b);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(a[i].verdict, b[i].verdict, "%s", a[i].claim->id);
		cr_expect_eq(a[i].measured, b[i].measured, "%s", a[i].claim->id);
	}
	cr_expect_eq(a[0].verdict, OUT_PASS);
	cr_expect_eq(a[1].verdict, OUT_FAIL);
	store_close(db);
	unload(&with);
	unload(&without);
}

static void expect_check_error(const char *terms, const char *want)
{
	char dir[512], text[4096], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	snprintf(text, sizeof(text), manifest_fmt, terms, "");
	tu_write(dir, "m.yaml", text, path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	if (m) {
		struct sweep s;
		cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0, "%s", err);
		cr_expect_eq(out_check_queries(&s, err, sizeof(err)), -1, "refused: %s", terms);
		sweep_free(&s);
		mf_free(m);
	}
	cr_expect(strstr(err, want) != NULL, "'%s' in: %s", want, err);
	cr_expect(strncmp(err, path, strlen(path)) == 0, "file:line:col first: %s", err);
	cr_expect(strchr(err, '\n') == NULL, "one line: %s", err);
}

Test(report, a_bad_paper_terms_query_is_refused_before_any_run)
{
	expect_check_error("    paper_terms: SELECT mean FROM summary WHERE y = 1\n",
			   ":25:18: claims.paper_terms: no such column: y");
	expect_check_error("    paper_terms:\n      query: SELECT x FROM nowhere\n",
			   ":26:14: claims.paper_terms: no such table: nowhere");
	expect_check_error("    paper_terms: {paper: two}\n", "claims.paper_terms.paper: 'two' is not a number");
	expect_check_error("    paper_terms: {paper: 2, deviation: ratio}\n",
			   "claims.paper_terms.deviation: 'ratio' is not one of relative, absolute");
	expect_check_error("    paper_terms: {paper: 0, deviation: relative}\n", "undefined (use absolute)");
	expect_check_error("    paper_terms: {units: x}\n", "claims.paper_terms: unknown key 'units'");
	expect_check_error("    paper_terms: {}\n", "give a query, or at least one of unit, paper, deviation");
}

Test(report, the_paper_section_opens_with_its_headline_figure_and_claims, .timeout = 60)
{
	struct fixture f;
	struct out_tally t;
	tu_tmpdir(f.dir, sizeof(f.dir));
	load(&f, "m.yaml", "", "");
	run(&f);
	char *text = report(&f, &f.s, 1, &t);
	const char *paper = strstr(text, "## A paper (arXiv 0000.00001)");
	const char *head = strstr(text, "**Headline figure** (experiment `report_test`");
	const char *claims = strstr(text, "#### Claims");
	const char *exp = strstr(text, "### report_test");
	cr_assert(paper && head && claims && exp, "%s", text);
	cr_expect(paper < head && head < claims && claims < exp, "paper, headline, claims, experiment: %s", text);
	cr_expect(strstr(head, "main_result.png") != NULL && strstr(head, "main_result.png") < claims, "%s", text);
	/* The other figure stays with its experiment; the headline is not drawn twice. */
	cr_expect(strstr(exp, "other.png") != NULL, "%s", text);
	cr_expect(strstr(exp, "main_result.png") == NULL, "%s", text);
	cr_expect(strstr(exp, "The main result: the headline figure, at the top") != NULL, "%s", text);
	free(text);
	unload(&f);
}

Test(report, two_headline_figures_in_one_family_are_refused, .timeout = 60)
{
	struct fixture f;
	char out[800], err[2048], path[1024];
	tu_tmpdir(f.dir, sizeof(f.dir));
	load(&f, "m.yaml", "", "");
	snprintf(f.results, sizeof(f.results), "%s/results", f.dir);
	/* A second manifest of the same family (selftest's, harness) with its own headline. */
	char text[4096];
	snprintf(text, sizeof(text), manifest_fmt, "", "");
	char *id = strstr(text, "report_test");
	memcpy(id, "report_two_", 11);
	tu_write(f.dir, "two.yaml", text, path, sizeof(path));
	struct manifest *m2 = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m2, "%s", err);
	struct sweep both[2];
	both[0] = f.s;
	cr_assert_eq(sweep_expand(m2, MF_QUICK, &both[1], err, sizeof(err)), 0, "%s", err);
	snprintf(out, sizeof(out), "%s/REPORT.md", f.results);
	struct report_opts o = {.results = f.results, .plots = f.dir, .out = out};
	struct out_tally t;
	cr_expect_eq(report_write(both, 2, &o, &t, err, sizeof(err)), -1);
	cr_expect(strstr(err, "family harness has two headline figures") != NULL, "%s", err);
	cr_expect(strstr(err, "m.yaml: main_result") && strstr(err, "two.yaml: main_result"), "%s", err);
	cr_expect(tu_read(out) == NULL, "no report is written");
	sweep_free(&both[1]);
	mf_free(m2);
	unload(&f);
}

Test(report, headline_must_be_true_or_false)
{
	char dir[512], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml",
		 "id: t\nalgorithms: [selftest]\nplots:\n  - id: p\n    x: step\n    y: value\n"
		 "    headline: yes\n", path, sizeof(path));
	cr_expect_null(mf_load(path, err, sizeof(err)));
	cr_expect(strstr(err, ":7:15: plots.headline: expected true or false, got 'yes'") != NULL, "%s", err);
}
