/* End-to-end: the htm_conflict family's manifests at smoke scale through the relaxbench
 * binary: every run passes its verifier, every claim is PASS, a known deviation or not
 * judged at smoke, and the runs of the simulated HTM are the same numbers when repeated
 * (deterministic for a seed). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

static const char *root(void)
{
	return getenv("RELAXBENCH_ROOT") ? getenv("RELAXBENCH_ROOT") : ".";
}

/* True when every line of `out` that says FAIL says it is a known deviation. */
static bool fails_are_known_deviations(const char *out)
{
	for (const char *line = out; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		const char *fail = memmem(line, n, "FAIL", 4);
		if (fail && !memmem(line, n, "known deviation", 15))
			return false;
		line = end ? end + 1 : NULL;
	}
	return true;
}

Test(e2e_htm_conflict, smoke_manifests_run_verify_and_pass_their_claims, .timeout = 120)
{
	char dir[512], *out;
	tu_tmpdir(dir, sizeof(dir));
	int rc = tu_sh(&out, "'%s' run %s/experiments/htm_conflict/*.yaml --scale smoke "
		       "--results '%s/r' --quiet && '%s' collect --results '%s/r' && "
		       "'%s' claims %s/experiments/htm_conflict/*.yaml --scale smoke --results '%s/r'",
		       tu_bin(), root(), dir, tu_bin(), dir, tu_bin(), root(), dir);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(fails_are_known_deviations(out) && strstr(out, "NOT-RUN") == NULL &&
		  strstr(out, "INCOMPLETE") == NULL, "%s", out);
	cr_expect(strstr(out, "best_delay_at_least_no_delay") != NULL, "%s", out);
	free(out);
	rc = tu_sh(&out, "'%s' query %s/experiments/htm_conflict/throughput_cores.yaml "
		   "\"SELECT count(*) FROM failures\" --scale smoke --results '%s/r'",
		   tu_bin(), root(), dir);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "| 0 |") != NULL, "no failed run: %s", out);
	free(out);
}

/* The same runs in two results folders: every stored number comes out the same. */
Test(e2e_htm_conflict, simulated_runs_repeat_exactly, .timeout = 120)
{
	char dir[512], *out[2];
	tu_tmpdir(dir, sizeof(dir));
	const char *fmt = "'%s' run %s/experiments/htm_conflict/throughput_contention.yaml --scale smoke "
			  "--results '%s/r%d' --quiet --filter workload=linked_list && "
			  "'%s' collect --results '%s/r%d' >/dev/null 2>&1 && "
			  "'%s' query %s/experiments/htm_conflict/throughput_contention.yaml "
			  "\"SELECT model, policy, hot_set, metric, printf('%%.17g', mean) FROM summary "
			  "ORDER BY model, policy, hot_set, metric\" --scale smoke --results '%s/r%d'";
	for (int i = 0; i < 2; i++)
		cr_assert_eq(tu_sh(&out[i], fmt, tu_bin(), root(), dir, i, tu_bin(), dir, i, tu_bin(),
				   root(), dir, i), 0, "%s", out[i]);
	cr_expect(tu_lines(out[0]) > 100, "%s", out[0]);
	cr_expect_str_eq(out[0], out[1]);
	free(out[0]);
	free(out[1]);
}
