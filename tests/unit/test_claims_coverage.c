/* Every claim of every manifest has a test that feeds it a store where it is false
 * (tests/unit/test_claims_<family>.c, through claimkit), and every known deviation has
 * its section in the family README, which the report links to. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/manifest.h"
#include "tests/unit/testutil.h"

static const char *root(void)
{
	const char *r = getenv("RELAXBENCH_ROOT");
	return r ? r : ".";
}

/* The concatenated text of the files matching a pattern under the root. */
static char *read_all(const char *pattern)
{
	char pat[1024];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s/%s", root(), pattern);
	size_t len = 0;
	char *all = calloc(1, 1);
	if (glob(pat, 0, NULL, &g) != 0)
		return all;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *t = tu_read(g.gl_pathv[i]);
		if (!t)
			continue;
		size_t n = strlen(t);
		all = realloc(all, len + n + 1);
		memcpy(all + len, t, n + 1);
		len += n;
		free(t);
	}
	globfree(&g);
	return all;
}

/* A Markdown heading (#..., then a space) whose text is exactly the id. */
static int has_heading(const char *readme, const char *id)
{
	for (const char *p = readme; (p = strstr(p, id)); p++) {
		const char *q = p;
		while (q > readme && q[-1] == ' ')
			q--;
		int hashes = 0;
		while (q > readme && q[-1] == '#')
			q--, hashes++;
		int starts = q == readme || q[-1] == '\n';
		if (hashes && starts && (p[strlen(id)] == '\n' || p[strlen(id)] == 0))
			return 1;
	}
	return 0;
}

Test(claims_coverage, every_claim_has_a_failing_test_and_every_deviation_its_section)
{
	char pat[1024], err[2048];
	glob_t g;
	snprintf(pat, sizeof(pat), "%s/experiments/*/*.yaml", root());
	cr_assert_eq(glob(pat, 0, NULL, &g), 0, "no manifests under %s", pat);
	char *tests = read_all("tests/unit/test_claims_*.c");
	int claims = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct manifest *m = mf_load(g.gl_pathv[i], err, sizeof(err));
		cr_assert_not_null(m, "%s", err);
		for (int c = 0; c < m->nclaims; c++, claims++) {
			char quoted[160];
			snprintf(quoted, sizeof(quoted), "\"%s\"", m->claims[c].id);
			cr_expect(strstr(tests, quoted) != NULL, "%s: claim %s has no test in "
				  "tests/unit/test_claims_*.c", g.gl_pathv[i], m->claims[c].id);
			if (!m->claims[c].known_deviation)
				continue;
			char readme[512];
			snprintf(readme, sizeof(readme), "algorithms/%s/README.md", m->algos[0]->family);
			char *text = read_all(readme);
			cr_expect(has_heading(text, m->claims[c].id), "%s: known deviation %s has no heading "
				  "'### %s' in %s", g.gl_pathv[i], m->claims[c].id, m->claims[c].id, readme);
			free(text);
		}
		mf_free(m);
	}
	cr_expect(claims > 0);
	free(tests);
	globfree(&g);
}
