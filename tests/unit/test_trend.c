/* trend: the history of a key metric read from the git history of its reference file,
 * on a small repository made here (git init, three commits of one reference CSV). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/manifest.h"
#include "suite/sweep.h"
#include "suite/trend.h"
#include "tests/unit/testutil.h"

static const char *const manifest_text =
	"id: rg\n"
	"algorithms: [selftest]\n"
	"params:\n"
	"  x: 3\n"
	"regress:\n"
	"  - id: square\n"
	"    query: SELECT mean, sd FROM summary WHERE metric = 'x_squared'\n"
	"    tolerance: {rel: 0.05}\n"
	"    better: lower\n";

/* Commit ref/rg.csv holding `value` for the key metric, made on `host`. */
static void commit_reference(const char *repo, double value, const char *host)
{
	char text[512], path[1024], ref[700];
	snprintf(ref, sizeof(ref), "%s/ref", repo);
	snprintf(text, sizeof(text), "kind,id,scale,value,sd,verdict,git_rev,host\n"
		 "metric,square,smoke,%g,,,abc,%s\n", value, host);
	cr_assert_eq(tu_sh(NULL, "mkdir -p '%s'", ref), 0);
	tu_write(ref, "rg.csv", text, path, sizeof(path));
	cr_assert_eq(tu_sh(NULL, "cd '%s' && git add ref/rg.csv && git -c user.name=t -c "
			   "user.email=t@example.org commit -q -m 'reference %g'", repo, value), 0);
}

struct history_run {
	char dir[512], repo[600], plots[600];
	struct manifest *m;
	struct sweep s;
};

static void make_history(struct history_run *h)
{
	char path[1024], err[1024];
	tu_tmpdir(h->dir, sizeof(h->dir));
	snprintf(h->repo, sizeof(h->repo), "%s/repo", h->dir);
	snprintf(h->plots, sizeof(h->plots), "%s/plots", h->dir);
	cr_assert_eq(tu_sh(NULL, "git init -q '%s'", h->repo), 0);
	commit_reference(h->repo, 9, "alpha");
	commit_reference(h->repo, 9.5, "alpha");
	commit_reference(h->repo, 12, "beta");
	tu_write(h->dir, "rg.yaml", manifest_text, path, sizeof(path));
	h->m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(h->m, "%s", err);
	cr_assert_eq(sweep_expand(h->m, MF_SMOKE, &h->s, err, sizeof(err)), 0, "%s", err);
}

static int run_trend(struct history_run *h, const char *const *args, int nargs, char **out,
		     char *err, size_t errlen)
{
	char refdir[700];
	size_t len = 0;
	snprintf(refdir, sizeof(refdir), "%s/ref", h->repo);
	struct trend_opts o = {.stores = args, .nstores = nargs, .git = 1, .sweeps = &h->s,
			       .nsweeps = 1, .scale = "smoke", .refdir = refdir, .plots = h->plots};
	FILE *f = open_memstream(out, &len);
	int rc = trend_run(&o, f, err, errlen);
	fclose(f);
	return rc;
}

/* The data rows of the figure: value and revision of each point, oldest first. */
static int read_points(const char *plots, double *value, char rev[][64], char host[][64], int max)
{
	char path[700], *text, *save = NULL;
	int n = 0;
	snprintf(path, sizeof(path), "%s/trend/rg/square.dat", plots);
	text = tu_read(path);
	cr_assert_not_null(text, "%s", path);
	for (char *line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
		char source[32];
		int x, machine;
		if (line[0] == '#')
			continue;
		cr_assert_eq(sscanf(line, "%d\t%31s\t%63s\t%*s\t%63s\t%d\t%lf", &x, source, rev[n], host[n],
				    &machine, &value[n]), 6, "%s", line);
		cr_expect_eq(x, n + 1);
		cr_expect_str_eq(source, "reference");
		n++;
	}
	free(text);
	return n;
}

Test(trend, git_history_gives_one_point_per_reference_commit, .timeout = 60)
{
	struct history_run h;
	char *out = NULL, err[1024] = "", revs[3][64], rev[4][64], host[4][64], *list = NULL;
	double value[4];
	make_history(&h);
	cr_assert_eq(tu_sh(&list, "git -C '%s' log --reverse --format=%%h", h.repo), 0);
	cr_assert_eq(sscanf(list, "%63s %63s %63s", revs[0], revs[1], revs[2]), 3, "%s", list);
	free(list);

	cr_assert_eq(run_trend(&h, NULL, 0, &out, err, sizeof(err)), 0, "%s", err);
	cr_expect(strstr(out, "| rg | square | 12 | 0.6 | 9 | 9.5 | 12 |") != NULL, "%s", out);
	free(out);
	int n = read_points(h.plots, value, rev, host, 4);
	cr_assert_eq(n, 3, "three commits changed the reference");
	const double want[] = {9, 9.5, 12};
	for (int i = 0; i < 3; i++) {
		cr_expect(fabs(value[i] - want[i]) < 1e-12, "point %d: %g", i + 1, value[i]);
		cr_expect_str_eq(rev[i], revs[i], "point %d is commit %s", i + 1, revs[i]);
	}
	cr_expect_str_eq(host[0], "alpha");
	cr_expect_str_eq(host[2], "beta", "each point names the machine of its reference");
	char png[700];
	snprintf(png, sizeof(png), "%s/trend/rg/square.png", h.plots);
	cr_expect_eq(tu_sh(NULL, "test -s '%s'", png), 0, "%s", png);

	/* A revision range: only the commits in it. */
	const char *range[] = {"HEAD~1.."};
	cr_assert_eq(run_trend(&h, range, 1, &out, err, sizeof(err)), 0, "%s", err);
	free(out);
	cr_expect_eq(read_points(h.plots, value, rev, host, 4), 1);
	cr_expect(fabs(value[0] - 12) < 1e-12);

	/* A revision git does not know: its own complaint is passed on. */
	const char *bad[] = {"no_such_revision.."};
	cr_expect_eq(run_trend(&h, bad, 1, &out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "git log in") != NULL, "%s", err);
	free(out);
	sweep_free(&h.s);
	mf_free(h.m);
}
