/* Manifest errors: one line naming file:line:column and the key; nothing runs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/manifest.h"
#include "tests/unit/testutil.h"

static const char *const valid =
	"id: t\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: [1, 2]\n"
	"  steps: 3\n"
	"seeds: 2\n";

/* Load `text`; expect failure with "<path>:<line>:<col>: " and `needle` in one line. */
static void expect_error(const char *text, int line, int col, const char *needle)
{
	char dir[512], path[1024], err[2048], prefix[1200];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", text, path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_null(m, "manifest should have been refused: %s", text);
	snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, line, col);
	cr_expect(strncmp(err, prefix, strlen(prefix)) == 0, "expected prefix '%s', got '%s'", prefix, err);
	cr_expect(strstr(err, needle) != NULL, "expected '%s' in '%s'", needle, err);
	cr_expect(strchr(err, '\n') == NULL, "error must be one line: '%s'", err);
}

Test(manifest, valid_loads)
{
	char dir[512], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", valid, path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(m->id, "t");
	cr_expect_eq(m->nalgos, 1);
	mf_free(m);
}

Test(manifest, unknown_top_level_key)
{
	char text[1024];
	snprintf(text, sizeof(text), "%scolour: red\n", valid);
	expect_error(text, 7, 1, "unknown key 'colour'");
}

Test(manifest, wrong_type)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  steps: lots\n", 4, 10,
		     "params.steps: expected an integer, got 'lots'");
}

Test(manifest, value_out_of_range)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  steps: [3, 0]\n", 4, 14,
		     "params.steps: 0 is outside [1, 100000]");
}

Test(manifest, out_of_range_in_a_scale_map_not_chosen_now)
{
	/* Every scale is checked, not only the one being run. */
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  steps: {smoke: 1, quick: 2, full: -5}\n",
		     4, 37, "outside");
}

Test(manifest, wrong_choice)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  behaviour: explode\n", 4, 14,
		     "'explode' is not one of ok|nan|crash|hang|error|verify_fail");
}

Test(manifest, missing_file)
{
	char err[1024];
	struct manifest *m = mf_load("/nonexistent/dir/m.yaml", err, sizeof(err));
	cr_assert_null(m);
	cr_expect(strstr(err, "/nonexistent/dir/m.yaml:") == err, "%s", err);
	cr_expect(strstr(err, "no such manifest file") != NULL, "%s", err);
}

Test(manifest, malformed_yaml)
{
	expect_error("id: t\nalgorithms: [selftest\nparams: {}\n", 3, 7, "malformed YAML");
}

Test(manifest, bad_indentation)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  x: 1\n    steps: 2\n", 5, 10,
		     "malformed YAML");
}

Test(manifest, unknown_algorithm)
{
	expect_error("id: t\nalgorithms: [selftest, quicksort]\n", 2, 24, "unknown algorithm 'quicksort'");
}

Test(manifest, parameter_no_algorithm_takes)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  learning_rate: 0.1\n", 4, 3,
		     "no algorithm of this experiment takes a parameter 'learning_rate'");
}

Test(manifest, duplicate_key)
{
	expect_error("id: t\nalgorithms: [selftest]\nparams:\n  x: 1\n  x: 2\n", 5, 3, "duplicate key 'x'");
}

Test(manifest, missing_id)
{
	expect_error("algorithms: [selftest]\n", 1, 1, "missing required key 'id'");
}

Test(manifest, scale_map_missing_a_scale)
{
	expect_error("id: t\nalgorithms: [selftest]\nseeds: {smoke: 1, quick: 2}\n", 3, 8,
		     "scale map has no 'full' value");
}

Test(manifest, malformed_claim_predicate)
{
	expect_error("id: t\nalgorithms: [selftest]\nclaims:\n  - id: c\n    statement: s\n"
		     "    measured: SELECT 1\n    expect: about 3\n", 7, 13, "cannot read 'about 3'");
}

Test(manifest, claim_predicates)
{
	char dir[512], path[1024], err[2048];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml",
		 "id: t\nalgorithms: [selftest]\nclaims:\n"
		 "  - {id: a, statement: s, measured: SELECT 1, expect: '<= 1.01'}\n"
		 "  - {id: b, statement: s, measured: SELECT 1, expect: 'between 0.6 and 0.9'}\n"
		 "  - {id: c, statement: s, measured: SELECT 1, expect: '> 2'}\n",
		 path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	cr_expect(mf_claim_holds(&m->claims[0], 1.01));
	cr_expect(!mf_claim_holds(&m->claims[0], 1.0100001));
	cr_expect(mf_claim_holds(&m->claims[1], 0.75));
	cr_expect(!mf_claim_holds(&m->claims[1], 0.95));
	cr_expect(!mf_claim_holds(&m->claims[2], 2));
	cr_expect(mf_claim_holds(&m->claims[2], 2.5));
	mf_free(m);
}

Test(manifest, two_documents_refused)
{
	char text[1024];
	snprintf(text, sizeof(text), "%s---\nid: u\n", valid);
	expect_error(text, 8, 1, "only one YAML document");
}
