/* The verdict rules through the binary (DESIGN.md, "Tables, plots, claims, report"): a
 * failed run in a claim's scope FAILs it and `claims`/`report` exit 1; a missing run makes
 * it INCOMPLETE, exit 1; a known deviation is shown with its line and a link, exit 0; a
 * scale outside judged_at is NOT-JUDGED; runs of one algorithm from two code fingerprints
 * make `report` refuse unless --allow-mixed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

static const char *const base =
	"id: verdicts\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: [1, 2]\n"
	"  steps: 2\n"
	"%s"
	"seeds: 2\n"
	"claims:\n"
	"  - id: holds\n"
	"    statement: x=2 squares to about 4\n"
	"    measured: SELECT mean FROM summary WHERE x = 2 AND metric = 'x_squared'\n"
	"    expect: between 3.9 and 4.1\n"
	"    scope: x = 2\n"
	"  - id: deviates\n"
	"    statement: x=1 squares to more than 2\n"
	"    measured: SELECT mean FROM summary WHERE x = 1 AND metric = 'x_squared'\n"
	"    expect: '> 2'\n"
	"    scope: x = 1\n"
	"    known_deviation: one squared stays one on this machine\n"
	"  - id: full_only\n"
	"    statement: judged on full-scale data only\n"
	"    measured: SELECT mean FROM summary WHERE x = 1 AND metric = 'x_squared'\n"
	"    expect: '> 2'\n"
	"    judged_at: [full]\n";

static void manifest(char *dir, size_t dlen, char *path, size_t plen, const char *extra)
{
	char text[4096];
	tu_tmpdir(dir, dlen);
	snprintf(text, sizeof(text), base, extra);
	tu_write(dir, "m.yaml", text, path, plen);
}

/* run [FILTER], collect, then `CMD`; the shell prints "rc=N" for CMD's status. */
static char *run_then(const char *dir, const char *path, const char *filter, const char *cmd)
{
	char *out;
	int rc = tu_sh(&out, "cd '%s' && '%s' run '%s' --results r --quiet %s && '%s' collect --results r "
		       "--quiet && { '%s' %s '%s' --results r; echo \"rc=$?\"; }",
		       dir, tu_bin(), path, filter, tu_bin(), tu_bin(), cmd, path);
	cr_assert_eq(rc, 0, "%s", out);
	return out;
}

Test(verdicts, known_deviation_and_not_judged_exit_0_and_the_report_says_why, .timeout = 60)
{
	char dir[512], path[1024];
	manifest(dir, sizeof(dir), path, sizeof(path), "");
	char *out = run_then(dir, path, "", "claims");
	cr_expect(strstr(out, "rc=0") != NULL, "%s", out);
	cr_expect(strstr(out, "FAIL (known deviation)") != NULL, "%s", out);
	cr_expect(strstr(out, "NOT-JUDGED") != NULL && strstr(out, "not judged at quick scale"), "%s", out);
	free(out);
	int rc = tu_sh(&out, "cd '%s' && '%s' report '%s' --results r --plots p && cat r/REPORT.md", dir,
		       tu_bin(), path);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "**FAIL (known deviation)**") != NULL, "%s", out);
	cr_expect(strstr(out, "`deviates`, known deviation: one squared stays one on this machine") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "README.md#deviates") != NULL, "a link to the README section: %s", out);
	cr_expect(strstr(out, "1 PASS, 1 FAIL (known deviation), 1 NOT-JUDGED") != NULL, "%s", out);
	cr_expect(strstr(out, "## Code revisions") != NULL, "%s", out);
	free(out);
}

Test(verdicts, a_verify_failed_run_in_scope_fails_the_claim_and_exits_1, .timeout = 60)
{
	char dir[512], path[1024];
	manifest(dir, sizeof(dir), path, sizeof(path), "  behaviour: [ok, verify_fail]\n");
	/* The claims' SQL reads only ok runs, so the number itself would still pass. */
	char *out = run_then(dir, path, "", "claims");
	cr_expect(strstr(out, "rc=1") != NULL, "%s", out);
	cr_expect(strstr(out, "2 runs in scope not ok") != NULL && strstr(out, "verify_failed") != NULL,
		  "the failed runs are named: %s", out);
	free(out);
	int rc = tu_sh(&out, "cd '%s' && { '%s' report '%s' --results r --plots p; echo \"rc=$?\"; } && "
		       "grep -c '^- `holds`, FAIL: 2 runs in scope not ok' r/REPORT.md", dir, tu_bin(), path);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "rc=1") != NULL, "%s", out);
	free(out);
}

Test(verdicts, a_missing_run_makes_the_claim_incomplete_and_exits_1, .timeout = 60)
{
	char dir[512], path[1024];
	manifest(dir, sizeof(dir), path, sizeof(path), "");
	char *out = run_then(dir, path, "--filter seed=1", "claims");
	cr_expect(strstr(out, "rc=1") != NULL, "%s", out);
	cr_expect(strstr(out, "INCOMPLETE") != NULL && strstr(out, "1 run in scope missing") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "3.9") != NULL, "the measured number is still shown: %s", out);
	free(out);
}

/* One run recomputed by "other code": its run.json says another fingerprint and id. */
Test(verdicts, report_refuses_runs_of_one_algorithm_from_two_fingerprints, .timeout = 60)
{
	char dir[512], path[1024], *out;
	manifest(dir, sizeof(dir), path, sizeof(path), "");
	free(run_then(dir, path, "", "claims"));
	int rc = tu_sh(&out, "cd '%s'/r/runs/verdicts && d=$(ls | head -1) && "
		       "sed -i -e 's/\"fingerprint\": \"[^\"]*\"/\"fingerprint\": \"0ldc0de\"/' "
		       "-e 's/\"run_id\": \"[^\"]*\"/\"run_id\": \"stale0000000001\"/' $d/run.json && "
		       "mv $d stale0000000001 && cd '%s' && rm r/relaxbench.db && "
		       "'%s' collect --results r --quiet && "
		       "{ '%s' report '%s' --results r --plots p; echo \"rc=$?\"; }",
		       dir, dir, tu_bin(), tu_bin(), path);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "rc=1") != NULL, "%s", out);
	cr_expect(strstr(out, "selftest come from 2 versions of its code") != NULL &&
		  strstr(out, "stale0000000001") != NULL, "names the run: %s", out);
	free(out);
	rc = tu_sh(&out, "cd '%s' && '%s' report '%s' --results r --plots p --allow-mixed && "
		   "grep '0ldc0de' r/REPORT.md", dir, tu_bin(), path);
	cr_expect_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "| no |") != NULL, "the stale fingerprint is not this build's: %s", out);
	free(out);
}
