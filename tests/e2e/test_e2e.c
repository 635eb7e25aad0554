/* End-to-end: the relaxbench binary on tiny manifests, as a user runs it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

static const char *root(void)
{
	return getenv("RELAXBENCH_ROOT") ? getenv("RELAXBENCH_ROOT") : ".";
}

/* Each kind of manifest error through the binary: exit 2, one line starting with
 * file:line:column, and no results folder at all. */
Test(e2e, malformed_manifests_exit_2_with_one_line_and_write_nothing)
{
	static const struct {
		const char *text, *where;
	} cases[] = {
		{"id: t\nalgorithms: [selftest]\ncolour: red\n", "3:1: manifest: unknown key"},
		{"id: t\nalgorithms: [selftest]\nparams:\n  steps: lots\n", "4:10: params.steps: expected"},
		{"id: t\nalgorithms: [selftest]\nparams:\n  steps: -1\n", "4:10: params.steps: -1 is outside"},
		{"id: t\nalgorithms: [selftest\n", "3:1: malformed YAML"},
		{"id: t\nalgorithms: [selftest]\nparams:\n  steps: 1000\n  step_ms: [1, 601]\n",
		 "4:3: params: selftest: steps x step_ms = 601000 ms is over"},
		{NULL, " no such manifest file"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[512], path[1024], *out, want[1200], results[600];
		tu_tmpdir(dir, sizeof(dir));
		if (cases[i].text)
			tu_write(dir, "bad.yaml", cases[i].text, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/missing.yaml", dir);
		int rc = tu_sh(&out, "'%s' run '%s' --results '%s/results'", tu_bin(), path, dir);
		cr_expect_eq(rc, 2, "case %zu: %s", i, out);
		cr_expect_eq(tu_lines(out), 1, "case %zu: one line, got: %s", i, out);
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].where);
		cr_expect(strstr(out, want) == out, "case %zu: expected '%s', got: %s", i, want, out);
		snprintf(results, sizeof(results), "%s/results", dir);
		cr_expect_eq(tu_count_entries(results), -1, "case %zu: no results folder may appear", i);
		free(out);
	}
}

Test(e2e, bad_flags_exit_2)
{
	char *out;
	cr_expect_eq(tu_sh(&out, "'%s' run --scale huge x.yaml", tu_bin()), 2);
	cr_expect(strstr(out, "--scale must be smoke, quick or full") != NULL, "%s", out);
	free(out);
	cr_expect_eq(tu_sh(&out, "'%s' run --frobnicate x.yaml", tu_bin()), 2);
	cr_expect(strstr(out, "unknown option '--frobnicate'") != NULL, "%s", out);
	free(out);
	cr_expect_eq(tu_sh(&out, "'%s' run --jobs zero x.yaml", tu_bin()), 2);
	free(out);
	cr_expect_eq(tu_sh(&out, "'%s' nosuchcommand", tu_bin()), 2);
	free(out);
	cr_expect_eq(tu_sh(&out, "'%s' run /nonexistent.yaml", tu_bin()), 2);
	cr_expect_eq(tu_lines(out), 1, "%s", out);
	free(out);
	cr_expect_eq(tu_sh(&out, "'%s' run --help", tu_bin()), 0);
	cr_expect(strstr(out, "--filter KEY=VALUE") != NULL);
	free(out);
}

static const char *const slow_manifest =
	"id: killme\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: [1, 2, 3, 4, 5, 6]\n"
	"  steps: 5\n"
	"  step_ms: 60\n";

Test(e2e, sigkill_mid_sweep_leaves_no_partial_run_and_resume_completes, .timeout = 60)
{
	char dir[512], path[1024], expdir[1200], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", slow_manifest, path, sizeof(path));
	snprintf(expdir, sizeof(expdir), "%s/results/runs/killme", dir);
	/* Each run takes about 0.3 s: kill the sweep during its third or fourth run. */
	tu_sh(NULL, "'%s' run '%s' --results '%s/results' --quiet & pid=$!; sleep 1.0; kill -9 $pid; "
	      "wait $pid; sleep 0.2", tu_bin(), path, dir);
	int partial, done = tu_complete_runs(expdir, &partial);
	cr_expect_eq(partial, 0, "a killed sweep left %d partial run folders", partial);
	cr_expect(done >= 1 && done < 6, "expected the kill mid-sweep, %d runs were done", done);
	int rc = tu_sh(&out, "'%s' run '%s' --results '%s/results'", tu_bin(), path, dir);
	cr_expect_eq(rc, 0, "%s", out);
	char want[128];
	snprintf(want, sizeof(want), "6 runs: %d ran (%d ok, 0 not ok), %d already done", 6 - done,
		 6 - done, done);
	cr_expect(strstr(out, want) != NULL, "expected '%s' in:\n%s", want, out);
	free(out);
	cr_expect_eq(tu_complete_runs(expdir, &partial), 6);
	cr_expect_eq(partial, 0);
	char tmp[1300];
	snprintf(tmp, sizeof(tmp), "%s/.tmp", expdir);
	cr_expect_eq(tu_count_entries(tmp), 0, "the killed run's scratch folder is cleaned up");
}

Test(e2e, every_outcome_is_recorded_with_its_status, .timeout = 60)
{
	char dir[512], path[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml",
		 "id: outcomes\nalgorithms: [selftest]\n"
		 "params:\n  behaviour: [ok, nan, crash, hang, error, verify_fail]\n"
		 "timeout_s: 1\n"
		 "claims:\n  - id: ok_runs\n    statement: one run is ok\n"
		 "    measured: SELECT count(*) FROM runs WHERE status = 'ok'\n    expect: '== 1'\n"
		 "    scope: behaviour = 'ok'\n"
		 "  - id: all_runs\n    statement: the failed runs are in its scope\n"
		 "    measured: SELECT count(*) FROM runs WHERE status = 'ok'\n    expect: '== 1'\n",
		 path, sizeof(path));
	int rc = tu_sh(&out, "'%s' run '%s' --results '%s/r' && '%s' collect --results '%s/r' && "
		       "sqlite3 '%s/r/relaxbench.db' \"SELECT p.value || '=' || r.status FROM runs r JOIN "
		       "params p USING (run_id) WHERE p.name = 'behaviour' ORDER BY 1\"",
		       tu_bin(), path, dir, tu_bin(), dir, dir);
	cr_assert_eq(rc, 0, "%s", out);
	const char *expected[] = {"crash=crashed", "error=error", "hang=timeout", "nan=diverged",
				  "ok=ok", "verify_fail=verify_failed"};
	for (int i = 0; i < 6; i++)
		cr_expect(strstr(out, expected[i]) != NULL, "missing %s in:\n%s", expected[i], out);
	free(out);
	/* A claim whose scope holds failed runs FAILs, naming them, and the report exits 1. */
	rc = tu_sh(&out, "'%s' report '%s' --results '%s/r' --plots '%s/p'; echo \"rc=$?\"; "
		   "cat '%s/r/REPORT.md'", tu_bin(), path, dir, dir, dir);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "rc=1") != NULL, "%s", out);
	cr_expect(strstr(out, "| all_runs |") != NULL && strstr(out, "5 runs in scope not ok") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "Runs that did not finish ok") != NULL, "%s", out);
	cr_expect(strstr(out, "exceeded the time limit of 1 s") != NULL, "%s", out);
	/* A SIGSEGV shows as the signal, or as exit status 1 where AddressSanitizer catches it. */
	cr_expect(strstr(out, "| crashed | killed by signal 11") || strstr(out, "| crashed | exited with status"),
		  "%s", out);
	cr_expect(strstr(out, "| ok_runs |") != NULL && strstr(out, "**PASS**") != NULL, "%s", out);
	free(out);
}

/* series.csv of every run, keyed by run id, as one text for comparison. */
static char *all_series(const char *expdir)
{
	char *out;
	tu_sh(&out, "cd '%s' && for d in */; do echo \"$d\"; cat \"$d/series.csv\"; done", expdir);
	return out;
}

Test(e2e, jobs_through_gnu_parallel_give_the_same_numbers, .timeout = 120)
{
	char dir[512], manifest[1200], *out;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(manifest, sizeof(manifest), "%s/experiments/sparsified_sgd/baseline_sgd.yaml", root());
	int rc = tu_sh(&out, "'%s' run '%s' --scale smoke --results '%s/a' --quiet && "
		       "'%s' run '%s' --scale smoke --results '%s/b' --jobs 2",
		       tu_bin(), manifest, dir, tu_bin(), manifest, dir);
	cr_assert_eq(rc, 0, "%s", out);
	free(out);
	char a[700], b[700];
	snprintf(a, sizeof(a), "%s/a/runs/baseline_sgd", dir);
	snprintf(b, sizeof(b), "%s/b/runs/baseline_sgd", dir);
	char *sa = all_series(a), *sb = all_series(b);
	cr_expect(strlen(sa) > 200, "series were written: %s", sa);
	cr_expect_str_eq(sa, sb, "the same runs must give bit-identical series with and without --jobs");
	free(sa);
	free(sb);
	char joblog[700];
	snprintf(joblog, sizeof(joblog), "%s/b/parallel.joblog", dir);
	char *log = tu_read(joblog);
	int runs = tu_count_entries(a);
	cr_expect_geq(runs, 2);
	cr_expect(log && tu_lines(log) == 1 + runs, "a joblog with one line per run (%d): %s", runs,
		  log ? log : "(none)");
	free(log);
}

Test(e2e, commands_lists_unfinished_runs_for_any_scheduler)
{
	char dir[512], path[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", "id: cmds\nalgorithms: [selftest]\nparams:\n  x: [1, 2, 3]\n", path,
		 sizeof(path));
	cr_assert_eq(tu_sh(&out, "'%s' commands '%s' --results '%s/r'", tu_bin(), path, dir), 0);
	cr_expect_eq(tu_lines(out), 3, "%s", out);
	cr_expect(strstr(out, " run-one ") != NULL);
	free(out);
	/* Run the first line as a scheduler would; then only two remain. */
	cr_assert_eq(tu_sh(&out, "'%s' commands '%s' --results '%s/r' | head -1 | sh && "
			   "'%s' commands '%s' --results '%s/r'", tu_bin(), path, dir, tu_bin(), path, dir), 0,
		     "%s", out);
	cr_expect_eq(tu_lines(out), 3, "one status line and two commands: %s", out);
	free(out);
}

Test(e2e, make_reproduce_smoke_writes_the_report_with_plot_and_verdict, .timeout = 300)
{
	char dir[512], build[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	snprintf(build, sizeof(build), "%s", tu_bin());
	char *slash = strrchr(build, '/');
	if (slash)
		*slash = 0;
	int rc = tu_sh(&out, "unset MAKEFLAGS MAKELEVEL MFLAGS; make -C '%s' --no-print-directory "
		       "reproduce SCALE=smoke FAMILY=sparsified_sgd BUILD='%s' RESULTS='%s/results' "
		       "PLOTS='%s/plots'", root(), build, dir, dir);
	cr_assert_eq(rc, 0, "%s", out);
	free(out);
	char report[700], png[700];
	snprintf(report, sizeof(report), "%s/results/REPORT.md", dir);
	snprintf(png, sizeof(png), "%s/plots/baseline_sgd/loss_vs_epoch.png", dir);
	char *text = tu_read(report);
	cr_assert_not_null(text, "no REPORT.md");
	cr_expect(strstr(text, "![") != NULL && strstr(text, "loss_vs_epoch.png") != NULL, "%s", text);
	cr_expect(strstr(text, "| sgd_near_optimum |") != NULL, "%s", text);
	cr_expect(strstr(text, "**PASS**") || strstr(text, "**FAIL**"), "a verdict: %s", text);
	cr_expect(strstr(text, "copy_gbs") != NULL, "the calibration is in the report: %s", text);
	free(text);
	char *img = tu_read(png);
	cr_assert_not_null(img, "no PNG at %s", png);
	cr_expect(memcmp(img, "\x89PNG", 4) == 0);
	free(img);
}
