/*
 * Every manifest's figures, rendered from a synthetic store, read a reader can trust
 * (issue 22): each axis declares a unit and its label shows it, every band value lies in
 * the quantity's range, and a caption names the band. The checks read the gnuplot script
 * and data the plot step keeps beside each PNG (<id>.gp, <id>.dat), not pixels.
 *
 * The store holds every run each manifest expands to at quick scale (claimkit), with
 * every metric a plot query names set for every run: bimodal over seeds (0.05 or 0.9),
 * the shape of a timing that sometimes lost its core, inside [0, 1] so that no declared
 * range is broken by the data themselves. Runs with more than 2 threads are marked
 * oversubscribed.
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/outputs.h"
#include "tests/unit/claimkit.h"
#include "tests/unit/testutil.h"

/* Metric names a query mentions: its single-quoted identifiers. */
static int quoted_names(const char *q, char names[][64], int max)
{
	int n = 0;
	for (const char *p = q ? strchr(q, '\'') : NULL; p && n < max; p = strchr(p + 1, '\'')) {
		const char *end = strchr(p + 1, '\'');
		if (!end)
			break;
		size_t len = (size_t)(end - p - 1);
		bool ident = len > 0 && len < 64;
		for (size_t i = 0; ident && i < len; i++)
			ident = islower((unsigned char)p[1 + i]) || isdigit((unsigned char)p[1 + i]) ||
				p[1 + i] == '_';
		if (ident) {
			memcpy(names[n], p + 1, len);
			names[n++][len] = '\0';
		}
		p = end;
	}
	return n;
}

static bool has_column(sqlite3 *db, const char *view, const char *col)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT \"%s\" FROM %s LIMIT 0", col, view);
	sqlite3_stmt *st = NULL;
	bool ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	return ok;
}

static void fill_store(struct ck *k)
{
	const struct manifest *m = ck_sweep(k)->m;
	const char *value = "CASE WHEN seed % 2 = 0 THEN 0.9 ELSE 0.05 END";
	for (int i = 0; i < m->nplots; i++) {
		char names[64][64];
		int n = quoted_names(m->plots[i].query, names, 64);
		if (m->plots[i].y && n < 64)
			snprintf(names[n++], 64, "%s", m->plots[i].y);
		for (int j = 0; j < n; j++) {
			ck_summary(k, "1", names[j], value);
			for (int step = 1; step <= 4; step++)
				ck_series(k, "1", names[j], step, value);
		}
	}
	if (has_column(ck_db(k), "temp.runs", "threads"))
		ck_sql(k, "UPDATE main.runs SET oversubscribed = 1 WHERE run_id IN"
			  " (SELECT run_id FROM temp.runs WHERE threads > 2)");
}

/* The text of a gnuplot single-quoted string starting at p (after the quote). */
static void gp_string(const char *p, char *out, size_t len)
{
	size_t k = 0;
	for (; *p && k + 1 < len; p++) {
		if (*p == '\'' && p[1] == '\'') {
			out[k++] = '\'';
			p++;
		} else if (*p == '\'') {
			break;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

static bool gp_find(const char *gp, const char *prefix, char *out, size_t len)
{
	const char *p = strstr(gp, prefix);
	if (!p)
		return false;
	gp_string(p + strlen(prefix), out, len);
	return true;
}

static const char *const band_words[] = {"min-max", "bootstrap", "Student-t", "sd",
					 "no band", "No band", NULL};

/* One figure's script and data; problems are appended to why. */
static void check_figure(const char *dir, const char *id, char *why, size_t len)
{
	char path[8300], xunit[128] = "", yunit[128] = "", label[1024], caption[1024];
	size_t k = strlen(why);
	snprintf(path, sizeof path, "%s/%s.gp", dir, id);
	char *gp = tu_read(path);
	if (!gp) {
		snprintf(why + k, len - k, "%s: no script kept\n", id);
		return;
	}
	const char *u = strstr(gp, "# units: x '");
	if (u) {
		gp_string(u + strlen("# units: x '"), xunit, sizeof xunit);
		const char *y = strstr(u, " y '");
		if (y)
			gp_string(y + 4, yunit, sizeof yunit);
	}
	if (!*xunit || !*yunit)
		k += (size_t)snprintf(why + k, len - k, "%s: an axis has no unit\n", id);
	if (!gp_find(gp, "set xlabel '", label, sizeof label) || !strstr(label, xunit))
		k += (size_t)snprintf(why + k, len - k, "%s: x label without its unit\n", id);
	if (!gp_find(gp, "set ylabel '", label, sizeof label) || !strstr(label, yunit))
		k += (size_t)snprintf(why + k, len - k, "%s: y label without its unit\n", id);
	bool named = false;
	if (gp_find(gp, "set label 101 '", caption, sizeof caption))
		for (const char *const *w = band_words; *w; w++)
			named = named || strstr(caption, *w);
	if (!named)
		k += (size_t)snprintf(why + k, len - k, "%s: no caption naming the band\n", id);
	free(gp);

	snprintf(path, sizeof path, "%s/%s.dat", dir, id);
	char *dat = tu_read(path);
	double lo = NAN, hi = NAN;
	const char *r = dat ? strstr(dat, "# range: ") : NULL;
	if (!r || sscanf(r, "# range: %lf %lf", &lo, &hi) != 2) {
		snprintf(why + k, len - k, "%s: the data file states no range\n", id);
		free(dat);
		return;
	}
	char *save = NULL;
	for (char *line = strtok_r(dat, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double x, y, b[2];
		if (line[0] == '#' || sscanf(line, "%lf %lf %lf %lf", &x, &y, &b[0], &b[1]) != 4)
			continue;
		for (int j = 0; j < 2; j++) {
			double tol = 1e-9 * fmax(1, fabs(b[j]));
			if (!isnan(b[j]) && (b[j] < lo - tol || b[j] > hi + tol)) {
				k += (size_t)snprintf(why + k, len - k, "%s: band value %g outside "
						      "[%g, %g]\n", id, b[j], lo, hi);
				j = 2;
			}
		}
	}
	free(dat);
}

Test(figures, every_manifest_figure_has_units_a_caption_and_bands_in_range, .timeout = 120)
{
	char tmp[4096], why[16384] = "";
	tu_tmpdir(tmp, sizeof tmp);
	glob_t g;
	cr_assert_eq(glob("experiments/*/*.yaml", 0, NULL, &g), 0, "run from the repository root");
	int plots = 0, drawn = 0;
	for (size_t f = 0; f < g.gl_pathc; f++) {
		struct ck *k = ck_open(g.gl_pathv[f], "quick");
		const struct sweep *s = ck_sweep(k);
		fill_store(k);
		struct out_plot res[MF_MAX_ITEMS];
		out_plots(ck_db(k), s, tmp, res);
		char dir[8200];
		snprintf(dir, sizeof dir, "%s/%s", tmp, s->m->id);
		for (int i = 0; i < s->m->nplots; i++) {
			const struct mf_plot *p = &s->m->plots[i];
			size_t n = strlen(why);
			plots++;
			if (!p->xunit || !p->yunit)
				snprintf(why + n, sizeof why - n, "%s/%s: declare xunit and yunit\n",
					 s->m->id, p->id);
			/* Every metric is set for every algorithm here, so a series name built
			 * from a parameter another algorithm lacks can come out NULL. */
			bool synthetic = strstr(res[i].message, "series is NULL") != NULL;
			cr_expect(res[i].state != OUT_PLOT_ERROR || synthetic, "%s/%s: %s",
				  s->m->id, p->id, res[i].message);
			if (res[i].state != OUT_PLOT_OK)
				continue;
			drawn++;
			check_figure(dir, p->id, why, sizeof why);
		}
		ck_close(k);
	}
	globfree(&g);
	cr_expect_eq(why[0], '\0', "figures a reader cannot trust:\n%s", why);
	/* Queries that select metrics by pattern (LIKE) find none of the synthetic names and
	 * draw nothing; most must draw, or the test checks too little. */
	cr_expect_geq(drawn * 4, plots * 3, "only %d of %d figures drawn", drawn, plots);
	char *out = NULL;
	tu_sh(&out, "rm -rf '%s'", tmp);
	free(out);
}
