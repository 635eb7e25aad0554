/* Code fingerprints (suite/fingerprint.sh): editing one family's source changes that
 * family's fingerprint and no other's; editing the report changes none; editing a shared
 * kernel changes the families that link it. Run on a copy of the sources. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/fingerprint.h"
#include "suite/sweep.h"
#include "tests/unit/testutil.h"

static const char *root(void)
{
	const char *r = getenv("RELAXBENCH_ROOT");
	return r ? r : ".";
}

/* The generated table of a copy of the tree at dir, as text. */
static char *fingerprints(const char *dir)
{
	char *out;
	int rc = tu_sh(&out, "cd '%s' && sh suite/fingerprint.sh fp.c gcc -std=c11 -D_GNU_SOURCE -I. "
		       "$(pkg-config --cflags openblas yaml-0.1 sqlite3 jansson 2>/dev/null) && cat fp.c",
		       dir);
	cr_assert_eq(rc, 0, "%s", out);
	return out;
}

static const char *hash_of(const char *table, const char *family, char *buf)
{
	char key[96];
	snprintf(key, sizeof(key), "{\"%s\", \"", family);
	const char *p = strstr(table, key);
	cr_assert_not_null(p, "no %s in %s", family, table);
	memcpy(buf, p + strlen(key), 16);
	buf[16] = 0;
	return buf;
}

static int changed(const char *a, const char *b, const char *family)
{
	char x[17], y[17];
	return strcmp(hash_of(a, family, x), hash_of(b, family, y)) != 0;
}

Test(fingerprint, one_family_edit_changes_only_that_family, .timeout = 120)
{
	static const char *const families[] = {"htm_conflict", "relaxed_mis", "relaxed_structures",
					       "sparsified_sgd", "tl2", "harness"};
	char dir[512], *out;
	tu_tmpdir(dir, sizeof(dir));
	cr_assert_eq(tu_sh(&out, "cp -r '%s/algorithms' '%s/datasets' '%s/suite' '%s/'", root(), root(),
			   root(), dir), 0, "%s", out);
	free(out);
	char *before = fingerprints(dir);
	cr_assert_eq(tu_sh(&out, "echo '/* edited */' >> '%s/algorithms/htm_conflict/skirental.c' && "
			   "echo '/* edited */' >> '%s/suite/report.c' && "
			   "echo '# edited' >> '%s/algorithms/tl2/README.md'", dir, dir, dir), 0);
	free(out);
	char *after = fingerprints(dir);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		cr_expect_eq(changed(before, after, families[i]), !strcmp(families[i], "htm_conflict"),
			     "%s", families[i]);
	/* A shared kernel: every family that includes it, and not the others. */
	cr_assert_eq(tu_sh(&out, "echo '/* edited */' >> '%s/algorithms/kernels/topk.c'", dir), 0);
	free(out);
	char *kernel = fingerprints(dir);
	cr_expect(changed(after, kernel, "sparsified_sgd"), "sparsified_sgd links kernels/topk");
	cr_expect(!changed(after, kernel, "tl2"), "tl2 does not link kernels/topk");
	cr_expect(!changed(after, kernel, "relaxed_mis"), "relaxed_mis does not link kernels/topk");
	free(before);
	free(after);
	free(kernel);
}

/* The run id is the point with the code: run.json keeps both, and the id is not the point. */
Test(fingerprint, run_ids_hash_the_point_with_the_family_fingerprint)
{
	char dir[512], path[1024], err[1024];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "m.yaml", "id: fp\nalgorithms: [selftest]\nparams:\n  x: [1, 2]\n", path, sizeof(path));
	struct manifest *m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(m, "%s", err);
	struct sweep s;
	cr_assert_eq(sweep_expand(m, MF_QUICK, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.n, 2);
	for (int i = 0; i < s.n; i++) {
		cr_expect_str_eq(s.runs[i].fingerprint, rb_fingerprint_of("harness"));
		cr_expect_str_neq(s.runs[i].id, s.runs[i].point);
		cr_expect_eq(strlen(rb_fingerprint_of("harness")), 16);
	}
	cr_expect_str_neq(s.runs[0].point, s.runs[1].point);
	sweep_free(&s);
	mf_free(m);
}
