/* End-to-end: datasets, fetch, load, inspect and fallbacks through the binary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

/* A mirror with a9a in it: the shared one when present, else a generated file whose
 * digest is not a9a's (so fetch must refuse it). */
static const char *mirror(void)
{
	const char *m = getenv("RELAXBENCH_DATA_MIRROR");
	return m && *m ? m : NULL;
}

Test(datasets_cli, list_shows_status_and_fallbacks)
{
	char dir[512], *out;
	tu_tmpdir(dir, sizeof(dir));
	cr_assert_eq(tu_sh(&out, "RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR= '%s' datasets", dir, tu_bin()), 0,
		     "%s", out);
	cr_expect(strstr(out, "synth_logreg") && strstr(out, "generator"), "%s", out);
	/* Without a cache or a mirror, a9a can only be fetched; rcv1 has no digest pinned. */
	cr_expect(strstr(out, "a9a ") && strstr(out, "fetchable"), "%s", out);
	cr_expect(strstr(out, "rcv1") && strstr(out, "fallback"), "%s", out);
	free(out);
}

/* RCV1 has no digest pinned: it is listed with its URL, "(none pinned)", and falls back
 * to the RCV1-shaped generator; Fashion-MNIST is listed with its own files. */
Test(datasets_cli, rcv1_falls_back_to_its_shaped_generator)
{
	char dir[512], *out;
	tu_tmpdir(dir, sizeof(dir));
	cr_assert_eq(tu_sh(&out, "RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR= '%s' datasets --all", dir,
			   tu_bin()), 0, "%s", out);
	const char *rcv1 = strstr(out, "\nrcv1 ");
	cr_assert_not_null(rcv1, "%s", out);
	cr_expect(strstr(rcv1, "synth_rcv1") && strstr(rcv1, "rcv1_train.binary.bz2") &&
		  strstr(rcv1, "(none pinned)"), "%s", rcv1);
	cr_expect_not_null(strstr(out, "\nsynth_rcv1 "), "%s", out);
	cr_expect_not_null(strstr(out, "\nfashion_mnist "), "%s", out);
	free(out);
}

Test(datasets_cli, fetch_refuses_a_corrupted_copy_naming_both_digests)
{
	char dir[512], path[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "a9a", "+1 1:1 5:1\n-1 2:1\n", path, sizeof(path));
	int rc = tu_sh(&out, "RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR='%s' '%s' fetch a9a", dir, dir,
		       tu_bin());
	cr_expect_eq(rc, 2, "%s", out);
	cr_expect(strstr(out, "expected sha256 f5d5ffd8d865ff41328e7ee043e4b020816914ff6843ff15b98905ddbedce906"),
		  "%s", out);
	cr_expect(strstr(out, ", got ") != NULL, "%s", out);
	char files[700];
	snprintf(files, sizeof(files), "%s/c/files", dir);
	cr_expect(tu_count_entries(files) <= 0, "nothing may be cached");
	free(out);
}

Test(datasets_cli, fetch_from_the_mirror_then_load_from_the_cache, .timeout = 60)
{
	char dir[512], *out;
	if (!mirror()) {
		/* Without the shared mirror, the same path on a generator: load twice. */
		tu_tmpdir(dir, sizeof(dir));
		cr_assert_eq(tu_sh(&out, "RELAXBENCH_CACHE='%s/c' '%s' load graph_grid", dir, tu_bin()), 0);
		cr_expect(strstr(out, "graph") != NULL, "%s", out);
		free(out);
		return;
	}
	tu_tmpdir(dir, sizeof(dir));
	cr_assert_eq(tu_sh(&out, "RELAXBENCH_CACHE='%s/c' '%s' fetch a9a", dir, tu_bin()), 0, "%s", out);
	cr_expect(strstr(out, "sha256 verified") != NULL, "%s", out);
	free(out);
	/* Now present even without the mirror: the first load parses, the second is cached. */
	cr_assert_eq(tu_sh(&out, "export RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR=; '%s' datasets | "
			   "grep '^a9a ' && '%s' load a9a && '%s' load a9a", dir, tu_bin(), tu_bin(), tu_bin()),
		     0, "%s", out);
	cr_expect(strstr(out, "present") != NULL, "%s", out);
	cr_expect(strstr(out, "a9a: train 32561 x 123 (451592 nonzeros, CSR), test 16281 rows"), "%s", out);
	cr_expect(strstr(out, "from files:") && strstr(out, "from cache:"), "%s", out);
	free(out);
}

static const char *const fallback_manifest =
	"id: fb\nalgorithms: [sgd]\n"
	"dataset: {name: a9a, fallback: synth_logreg, fallback_params: {samples: 500, features: 20}}\n"
	"params: {epochs: 1}\n";

Test(datasets_cli, absent_files_fall_back_and_say_so_in_run_json_and_report, .timeout = 60)
{
	char dir[512], path[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", fallback_manifest, path, sizeof(path));
	int rc = tu_sh(&out, "export RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR=; B='%s'; "
		       "$B run '%s' --results '%s/r' --quiet && $B collect --results '%s/r' --quiet && "
		       "$B report '%s' --results '%s/r' --plots '%s/p' && cat '%s'/r/runs/fb/*/run.json '%s/r/REPORT.md'",
		       dir, tu_bin(), path, dir, dir, path, dir, dir, dir, dir);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "\"name\": \"synth_logreg\"") && strstr(out, "\"requested\": \"a9a\""), "%s", out);
	cr_expect(strstr(out, "\"fallback\": \"synth_logreg stands in for a9a: a9a is not in datasets/cache"),
		  "%s", out);
	cr_expect(strstr(out, "**Synthetic stand-in:** synth_logreg stands in for a9a") != NULL, "%s", out);
	free(out);
}

/* Without --quiet, `run` says on stderr, before the runs, which dataset stands in. */
Test(datasets_cli, run_says_which_dataset_stands_in, .timeout = 60)
{
	char dir[512], path[1024], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", fallback_manifest, path, sizeof(path));
	int rc = tu_sh(&out, "export RELAXBENCH_CACHE='%s/c' RELAXBENCH_DATA_MIRROR=; "
		       "'%s' run '%s' --results '%s/r' 2>&1 >/dev/null | head -1",
		       dir, tu_bin(), path, dir);
	cr_assert_eq(rc, 0, "%s", out);
	cr_expect(strstr(out, "relaxbench: fb: synth_logreg stands in for a9a: a9a is not in") == out,
		  "%s", out);
	free(out);
}

Test(datasets_cli, malformed_files_exit_2_with_one_line)
{
	static const struct {
		const char *format, *name, *text, *needle;
	} cases[] = {
		{"libsvm", "bad.svm", "+1 1:1 2:x\n", "bad.svm:1:"},
		{"libsvm", "zero.svm", "+1 0:1\n", "zero.svm:1:"},
		{"snap", "bad.txt", "# c\n1 2\n3 x\n", "bad.txt:3:"},
		{"dimacs", "bad.gr", "c x\np sp 3 2\na 1 2 5\na 1 9 5\n", "bad.gr:4:"},
		{"mtx", "bad.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n0 1\n", "bad.mtx:3:"},
		{"idx", "bad.idx", "\x01\x02\x03\x04 not idx", "bad.idx"},
		{"cifar", "bad.bin", "\x0c short", "bad.bin"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[512], path[1024], *out;
		tu_tmpdir(dir, sizeof(dir));
		tu_write(dir, cases[i].name, cases[i].text, path, sizeof(path));
		int rc = tu_sh(&out, "'%s' inspect %s '%s' 2>&1 >/dev/null", tu_bin(), cases[i].format, path);
		cr_expect_eq(rc, 2, "case %s: %s", cases[i].name, out);
		cr_expect_eq(tu_lines(out), 1, "case %s: one line: %s", cases[i].name, out);
		cr_expect(strstr(out, cases[i].needle) != NULL, "case %s: expected '%s' in: %s", cases[i].name,
			  cases[i].needle, out);
		free(out);
	}
}
