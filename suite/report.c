/* report: REPORT.md from the store, grouped by paper. */
#include "suite/report.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite/calibrate.h"
#include "suite/envinfo.h"
#include "suite/outputs.h"
#include "suite/paths.h"
#include "suite/store.h"
#include "suite/table.h"

/* Path of `target` relative to the folder `from`, so the report's links work wherever
 * the results folder is copied together with the plots. */
static void relpath(const char *from, const char *target, char *buf, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	if (!realpath(from, a) || !realpath(target, b)) {
		snprintf(buf, len, "%s", target);
		return;
	}
	size_t common = 0, i = 0;
	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			common = i;
		i++;
	}
	if (!a[i] && (b[i] == '/' || !b[i]))
		common = i;
	size_t k = 0;
	buf[0] = 0;
	for (const char *p = a + common; *p; p++)
		if (*p == '/' && k + 4 < len)
			k += (size_t)snprintf(buf + k, len - k, "../");
	snprintf(buf + k, len - k, "%s", b[common] == '/' ? b + common + 1 : b + common);
}

static void md_escape_line(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void write_env(FILE *f, const char *results)
{
	json_t *env = env_capture(), *cal = calib_load(results);
	const char *key;
	json_t *v;
	fputs("## Environment\n\n| key | value |\n|---|---|\n", f);
	json_object_foreach(env, key, v) {
		char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fprintf(f, "| %s | ", key);
		md_escape_line(f, text ? text : json_string_value(v));
		fputs(" |\n", f);
		free(text);
	}
	if (cal) {
		fputs("\nCalibration (`relaxbench calibrate`), measured on this machine:\n\n"
		      "| figure | value |\n|---|---|\n", f);
		json_object_foreach(cal, key, v) {
			if (json_is_number(v))
				fprintf(f, "| %s | %.4g |\n", key, json_number_value(v));
		}
	} else {
		fputs("\n_No calibration found: run `relaxbench calibrate`._\n", f);
	}
	fputc('\n', f);
	json_decref(env);
	json_decref(cal);
}

/* The family README's section on a claim: a heading whose text is the claim's id. */
static void deviation_link(const struct manifest *m, const struct mf_claim *c, const char *report_dir,
			   char *buf, size_t len)
{
	char readme[600], rel[PATH_MAX];
	snprintf(readme, sizeof(readme), "algorithms/%s/README.md", m->algos[0]->family);
	relpath(report_dir, readme, rel, sizeof(rel));
	snprintf(buf, len, "%s#%s", rel, c->id);
}

static void write_claims(FILE *f, const struct manifest *m, const struct out_claim *res, int n,
			 const char *report_dir, struct out_tally *t)
{
	if (n == 0)
		return;
	fputs("#### Claims\n\n| claim | statement | paper | measured | expected | verdict |\n"
	      "|---|---|---|---|---|---|\n", f);
	for (int i = 0; i < n; i++) {
		char expect[96], measured[64] = "–";
		mf_claim_expect_text(res[i].claim, expect, sizeof(expect));
		if (res[i].have_measured)
			snprintf(measured, sizeof(measured), "%.6g", res[i].measured);
		fprintf(f, "| %s | ", res[i].claim->id);
		md_escape_line(f, res[i].claim->statement);
		fputs(" | ", f);
		md_escape_line(f, res[i].claim->paper_value ? res[i].claim->paper_value : "–");
		fprintf(f, " | %s | %s | **%s** |\n", measured, expect, out_claim_label(&res[i]));
		out_tally_add(t, &res[i]);
	}
	fputc('\n', f);
	for (int i = 0; i < n; i++) {
		const struct out_claim *r = &res[i];
		if (out_claim_is_known_deviation(r)) {
			char link[PATH_MAX + 128];
			deviation_link(m, r->claim, report_dir, link, sizeof(link));
			fprintf(f, "- `%s`, known deviation: ", r->claim->id);
			md_escape_line(f, r->claim->known_deviation);
			fprintf(f, " ([why](%s))\n", link);
		} else if (r->verdict != OUT_PASS) {
			fprintf(f, "- `%s`, %s: ", r->claim->id, out_claim_label(r));
			md_escape_line(f, r->message);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void write_plots(FILE *f, const struct out_plot *res, int n, const char *report_dir)
{
	if (n == 0)
		return;
	fputs("#### Figures\n\n", f);
	for (int i = 0; i < n; i++) {
		const char *title = res[i].plot->title ? res[i].plot->title : res[i].plot->id;
		if (res[i].state != OUT_PLOT_OK) {
			fprintf(f, "- %s: **not rendered** (%s)\n\n", title,
				res[i].state == OUT_PLOT_NO_DATA ? "no data" : res[i].message);
			continue;
		}
		char png[PATH_MAX], svg[PATH_MAX];
		relpath(report_dir, res[i].png, png, sizeof(png));
		relpath(report_dir, res[i].svg, svg, sizeof(svg));
		fprintf(f, "![%s](%s)\n\n_%s_ ([SVG](%s))\n\n", title, png, title, svg);
	}
}

static void write_tables(FILE *f, sqlite3 *db, const struct manifest *m)
{
	for (int i = 0; i < m->ntables; i++) {
		struct table_grid g;
		char err[512];
		fprintf(f, "#### Table: %s\n\n", m->tables[i].title ? m->tables[i].title : m->tables[i].id);
		if (table_query(db, m->tables[i].query, &g, err, sizeof(err)) < 0) {
			fprintf(f, "_query failed: %s_\n\n", err);
			continue;
		}
		table_markdown(f, &g);
		fputc('\n', f);
		table_free(&g);
	}
}

static void write_runs(FILE *f, sqlite3 *db, const struct sweep *s)
{
	struct table_grid g;
	char err[512];
	double ok = 0, total = 0, wall = 0, over = 0;
	store_scalar(db, "SELECT count(*) FROM runs WHERE status = 'ok'", &ok, err, sizeof(err));
	store_scalar(db, "SELECT count(*) FROM runs", &total, err, sizeof(err));
	store_scalar(db, "SELECT coalesce(sum(wall_s), 0) FROM runs", &wall, err, sizeof(err));
	store_scalar(db, "SELECT count(*) FROM runs WHERE oversubscribed", &over, err, sizeof(err));
	fprintf(f, "#### Runs\n\n%d of %d runs recorded, %d ok, %.1f s in all.", (int)total, s->n, (int)ok,
		wall);
	for (int i = 0; i < s->n; i++) {
		if (!s->runs[i].ds_fallback[0])
			continue;
		/* Once per experiment: every run of a dataset falls back for the same reason. */
		fprintf(f, " **Synthetic stand-in:** %s.", s->runs[i].ds_fallback);
		break;
	}
	if (over > 0)
		fprintf(f, " %d runs used more threads (MPI ranks x threads) than the machine has cores (oversubscribed).",
			(int)over);
	fputs("\n\n", f);
	if (total > ok &&
	    table_query(db, "SELECT run_id, algorithm, seed, status, message FROM failures ORDER BY run_id",
			&g, err, sizeof(err)) == 0) {
		fputs("Runs that did not finish ok (their numbers are excluded above):\n\n", f);
		table_markdown(f, &g);
		fputc('\n', f);
		table_free(&g);
	}
}

static void write_experiment(FILE *f, sqlite3 *db, struct sweep *s, const struct report_opts *o,
			     const char *report_dir, struct out_tally *t)
{
	const struct manifest *m = s->m;
	struct out_plot plots[MF_MAX_ITEMS];
	struct out_claim claims[MF_MAX_ITEMS];
	char err[512];
	fprintf(f, "### %s\n\n", m->title ? m->title : m->id);
	fprintf(f, "Experiment `%s` (`%s`), scale %s.", m->id, m->path, mf_scale_name(s->scale));
	if (m->reproduces)
		fprintf(f, " Reproduces: %s.", m->reproduces);
	fprintf(f, "\n\nRe-run: `relaxbench run %s --scale %s`\n\n", m->path, mf_scale_name(s->scale));
	if (store_scope(db, s, err, sizeof(err)) < 0) {
		fprintf(f, "_cannot read the results: %s_\n\n", err);
		return;
	}
	out_plots(db, s, o->plots, plots);
	if (out_tables(db, s, o->results, err, sizeof(err)) < 0)
		fprintf(f, "_tables: %s_\n\n", err);
	out_claims(db, s, claims);
	write_claims(f, m, claims, m->nclaims, report_dir, t);
	write_plots(f, plots, m->nplots, report_dir);
	write_tables(f, db, m);
	write_runs(f, db, s);
}

static int same_paper(const struct manifest *a, const struct manifest *b)
{
	const char *x = a->paper_arxiv ? a->paper_arxiv : "", *y = b->paper_arxiv ? b->paper_arxiv : "";
	return !strcmp(x, y);
}

static void write_body(FILE *f, sqlite3 *db, struct sweep *sweeps, int n, const struct report_opts *o,
		       const char *report_dir, struct out_tally *t)
{
	int *done = calloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++) {
		if (done[i])
			continue;
		const struct manifest *m = sweeps[i].m;
		fprintf(f, "## %s", m->paper_title ? m->paper_title : "Experiments without a paper");
		if (m->paper_arxiv)
			fprintf(f, " (arXiv %s%s%s)", m->paper_arxiv, m->paper_venue ? ", " : "",
				m->paper_venue ? m->paper_venue : "");
		fputs("\n\n", f);
		for (int k = i; k < n; k++) {
			if (done[k] || !same_paper(m, sweeps[k].m))
				continue;
			done[k] = 1;
			write_experiment(f, db, &sweeps[k], o, report_dir, t);
		}
	}
	free(done);
}

/* One algorithm's runs that this build would not compute (another code fingerprint),
 * when its runs in scope mix fingerprints: a mix means numbers from two versions of the
 * code side by side in one table. */
static int find_mixed(sqlite3 *db, const struct sweep *s, char *err, size_t errlen)
{
	static const char *const sql =
		"SELECT algorithm, count(DISTINCT coalesce(fingerprint, '?')) AS rb_versions,"
		" group_concat(DISTINCT coalesce(fingerprint, '?')),"
		" (SELECT group_concat(run_id, ' ') FROM (SELECT run_id FROM runs q WHERE q.algorithm ="
		"  r.algorithm AND run_id NOT IN (SELECT run_id FROM temp.plan) ORDER BY run_id LIMIT 5)),"
		" (SELECT count(*) FROM runs q WHERE q.algorithm = r.algorithm AND"
		"  run_id NOT IN (SELECT run_id FROM temp.plan))"
		" FROM runs r GROUP BY algorithm HAVING rb_versions > 1 ORDER BY algorithm LIMIT 1";
	sqlite3_stmt *st;
	if (store_scope(db, s, err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	int mixed = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		mixed = 1;
		snprintf(err, errlen, "%s: the runs of %s come from %d versions of its code (fingerprints "
			 "%s); %d not computed by this build: %s%s. Re-run them (relaxbench run %s) or pass "
			 "--allow-mixed", s->m->id, sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
			 sqlite3_column_text(st, 2), sqlite3_column_int(st, 4), sqlite3_column_text(st, 3),
			 sqlite3_column_int(st, 4) > 5 ? " ..." : "", s->m->path);
	}
	sqlite3_finalize(st);
	return mixed;
}

/* Which code every experiment's numbers came from: fingerprint and git revision. */
static void write_revisions(FILE *f, sqlite3 *db, struct sweep *sweeps, int n)
{
	static const char *const sql =
		"SELECT algorithm, coalesce(fingerprint, '?') AS fingerprint, coalesce(git_rev, '?') AS"
		" git_revision, count(*) AS runs, CASE WHEN max(run_id IN (SELECT run_id FROM temp.plan))"
		" THEN 'yes' ELSE 'no' END AS this_build"
		" FROM runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
	char err[512];
	fputs("## Code revisions\n\nThe code each experiment's runs were computed by: the family's "
	      "code fingerprint (a hash of the sources behind the algorithm, made at build time) and "
	      "the git revision of the build. \"this build\": whether the binary that wrote this "
	      "report computes the same fingerprint.\n\n", f);
	for (int i = 0; i < n; i++) {
		struct table_grid g;
		if (store_scope(db, &sweeps[i], err, sizeof(err)) < 0 ||
		    table_query(db, sql, &g, err, sizeof(err)) < 0)
			continue;
		if (g.nrows) {
			fprintf(f, "`%s`:\n\n", sweeps[i].m->id);
			table_markdown(f, &g);
			fputc('\n', f);
		}
		table_free(&g);
	}
}

int report_write(struct sweep *sweeps, int n, const struct report_opts *o, struct out_tally *t,
		 char *err, size_t errlen)
{
	char dbpath[4200], out[4200], stamp[32];
	store_path(o->results, dbpath, sizeof(dbpath));
	snprintf(out, sizeof(out), "%s", o->out ? o->out : "");
	if (!o->out)
		snprintf(out, sizeof(out), "%s/REPORT.md", o->results);
	sqlite3 *db = store_open(dbpath, 1, err, errlen);
	if (!db)
		return -1;
	for (int i = 0; !o->allow_mixed && i < n; i++) {
		int mixed = find_mixed(db, &sweeps[i], err, errlen);
		if (mixed) {
			store_close(db);
			return mixed < 0 ? -1 : REPORT_MIXED;
		}
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		store_close(db);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	time_t now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	memset(t, 0, sizeof(*t));
	char report_dir[4200];
	snprintf(report_dir, sizeof(report_dir), "%s", out);
	char *slash = strrchr(report_dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(report_dir, sizeof(report_dir), ".");
	fprintf(f, "# relaxbench report\n\nGenerated %s from `%s`. Every number below was measured "
		"by the runs in this results folder; claims compare them with the papers.\n\n", stamp, dbpath);
	long pos = ftell(f);
	write_body(f, db, sweeps, n, o, report_dir, t);
	write_revisions(f, db, sweeps, n);
	write_env(f, o->results);
	fclose(f);
	store_close(db);
	/* The verdict summary goes at the top, once the counts are known. */
	char head[512], text[256];
	out_tally_text(t, text, sizeof(text));
	snprintf(head, sizeof(head), "**Claims: %s.**%s\n\n", text,
		 t->known_deviation ? " A known deviation is a claim of the paper that does not hold "
				      "here; each links to its family README, which says why." : "");
	size_t hl = strlen(head);
	char *full = malloc(len + hl + 1);
	if (!full) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(full, buf, (size_t)pos);
	memcpy(full + pos, head, hl);
	memcpy(full + pos + hl, buf + pos, len - (size_t)pos);
	int rc = rb_write_file_atomic(out, full, len + hl, err, errlen);
	free(full);
	free(buf);
	return rc;
}
