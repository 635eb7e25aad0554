/* report: REPORT.md from the store, grouped by paper. */
#include "suite/report.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
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
	size_t n = s ? strlen(s) : 0;
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))  /* a folded YAML scalar ends in '\n' */
		n--;
	for (size_t i = 0; i < n; i++, s++) {
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

/* A claim's measured value in the paper's terms, and its deviation from the paper's
 * number, for the claims table (display only: the verdict is the claim's own). */
struct rp_terms {
	char value[192], deviation[64];
};

static void fmt_number(double v, const char *unit, char *buf, size_t len)
{
	snprintf(buf, len, "%.6g%s%s", v, unit ? " " : "", unit ? unit : "");
}

/* The first column of the first row of `sql`: 1 a number in *v, 0 text (or NULL) in buf,
 * -1 an error in buf. */
static int terms_query(sqlite3 *db, const char *sql, double *v, char *buf, size_t len)
{
	sqlite3_stmt *st;
	snprintf(buf, len, "–");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(buf, len, "query failed: %s", sqlite3_errmsg(db));
		return -1;
	}
	int rc = sqlite3_step(st), kind = 0;
	if (rc == SQLITE_ROW && sqlite3_column_count(st) > 0) {
		int type = sqlite3_column_type(st, 0);
		if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
			*v = sqlite3_column_double(st, 0);
			kind = 1;
		} else if (type == SQLITE_TEXT) {
			snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		}
	} else if (rc != SQLITE_DONE) {
		snprintf(buf, len, "query failed: %s", sqlite3_errmsg(db));
		kind = -1;
	}
	sqlite3_finalize(st);
	return kind;
}

static void fmt_deviation(const struct mf_paper_terms *pt, int have_v, double v, const struct out_claim *r,
			  char *buf, size_t len)
{
	if (pt->have_paper && have_v && pt->deviation == MF_DEV_RELATIVE)
		snprintf(buf, len, "%+.2f%%", 100 * (v - pt->paper) / fabs(pt->paper));
	else if (pt->have_paper && have_v)
		snprintf(buf, len, "%+.3g", v - pt->paper);
	else if (!pt->have_paper && r->have_measured && pt->deviation == MF_DEV_RELATIVE)
		snprintf(buf, len, "%.2f%%", 100 * r->measured);
	else if (!pt->have_paper && r->have_measured && pt->deviation == MF_DEV_ABSOLUTE)
		snprintf(buf, len, "%.3g", r->measured);
}

/* `db` scoped to the claim's sweep. A claim without `paper_terms` measures in the paper's
 * terms already: the same number. */
static void eval_terms(sqlite3 *db, const struct out_claim *r, struct rp_terms *t)
{
	const struct mf_paper_terms *pt = &r->claim->terms;
	double v = 0;
	int kind = 0;
	snprintf(t->value, sizeof(t->value), "–");
	snprintf(t->deviation, sizeof(t->deviation), "–");
	if (r->verdict == OUT_NOT_JUDGED)
		return;
	if (pt->query) {
		kind = terms_query(db, pt->query, &v, t->value, sizeof(t->value));
	} else if (r->have_measured) {
		v = r->measured;
		kind = 1;
	}
	if (kind == 1)
		fmt_number(v, pt->unit, t->value, sizeof(t->value));
	fmt_deviation(pt, kind == 1, v, r, t->deviation, sizeof(t->deviation));
}

/* One experiment's results, computed before the paper's section is written: the section
 * opens with the headline figure and every claim of the paper. */
struct rp_exp {
	struct sweep *s;
	int scoped;                  /* store_scope worked; else err says why */
	char err[512];
	struct out_plot plots[MF_MAX_ITEMS];
	struct out_claim claims[MF_MAX_ITEMS];
	struct rp_terms terms[MF_MAX_ITEMS];
};

static void claim_row(FILE *f, const struct rp_exp *e, int i)
{
	const struct out_claim *r = &e->claims[i];
	char expect[96], tested[64] = "–";
	mf_claim_expect_text(r->claim, expect, sizeof(expect));
	if (r->have_measured)
		snprintf(tested, sizeof(tested), "%.6g", r->measured);
	fprintf(f, "| %s | %s | ", r->claim->id, e->s->m->id);
	md_escape_line(f, r->claim->statement);
	fputs(" | ", f);
	md_escape_line(f, r->claim->paper_value ? r->claim->paper_value : "–");
	fputs(" | ", f);
	md_escape_line(f, e->terms[i].value);
	fputs(" | ", f);
	md_escape_line(f, e->terms[i].deviation);
	fprintf(f, " | %s | %s | **%s** |\n", tested, expect, out_claim_label(r));
}

static void claim_note(FILE *f, const struct manifest *m, const struct out_claim *r, const char *report_dir)
{
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

/* Every claim of one paper in one table: the measured value in the paper's terms beside
 * the paper's, the deviation, then the number the claim tests and its verdict. */
static void write_claims(FILE *f, struct rp_exp *ex, int n, const char *report_dir, struct out_tally *t)
{
	int total = 0;
	for (int k = 0; k < n; k++)
		total += ex[k].scoped ? ex[k].s->m->nclaims : 0;
	if (total == 0)
		return;
	fputs("#### Claims\n\n\"measured\" is in the paper's terms, beside the paper's value; \"tested\" is "
	      "the number the claim's predicate (\"expected\") judges.\n\n"
	      "| claim | experiment | statement | paper | measured | deviation | tested | expected | verdict |\n"
	      "|---|---|---|---|---|---|---|---|---|\n", f);
	for (int k = 0; k < n; k++)
		for (int i = 0; ex[k].scoped && i < ex[k].s->m->nclaims; i++) {
			claim_row(f, &ex[k], i);
			out_tally_add(t, &ex[k].claims[i]);
		}
	fputc('\n', f);
	for (int k = 0; k < n; k++)
		for (int i = 0; ex[k].scoped && i < ex[k].s->m->nclaims; i++)
			claim_note(f, ex[k].s->m, &ex[k].claims[i], report_dir);
	fputc('\n', f);
}

static void write_figure(FILE *f, const struct out_plot *p, const char *report_dir)
{
	const char *title = p->plot->title ? p->plot->title : p->plot->id;
	char png[PATH_MAX], svg[PATH_MAX];
	relpath(report_dir, p->png, png, sizeof(png));
	relpath(report_dir, p->svg, svg, sizeof(svg));
	fprintf(f, "![%s](%s)\n\n_%s_ ([SVG](%s))\n\n", title, png, title, svg);
}

static void write_plots(FILE *f, const struct out_plot *res, int n, const char *report_dir)
{
	if (n == 0)
		return;
	fputs("#### Figures\n\n", f);
	for (int i = 0; i < n; i++) {
		const char *title = res[i].plot->title ? res[i].plot->title : res[i].plot->id;
		if (res[i].state != OUT_PLOT_OK)
			fprintf(f, "- %s: **not rendered** (%s)\n\n", title,
				res[i].state == OUT_PLOT_NO_DATA ? "no data" : res[i].message);
		else if (res[i].plot->headline)
			fprintf(f, "- %s: the headline figure, at the top of this paper's section.\n\n", title);
		else
			write_figure(f, &res[i], report_dir);
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

/* Plots rendered, tables written, claims judged and put in the paper's terms. */
static void compute_experiment(sqlite3 *db, struct rp_exp *e, const struct report_opts *o)
{
	const struct manifest *m = e->s->m;
	char err[400];
	e->scoped = store_scope(db, e->s, e->err, sizeof(e->err)) == 0;
	if (!e->scoped)
		return;
	out_plots(db, e->s, o->plots, e->plots);
	if (out_tables(db, e->s, o->results, err, sizeof(err)) < 0)
		snprintf(e->err, sizeof(e->err), "tables: %s", err);
	out_claims(db, e->s, e->claims);
	for (int i = 0; i < m->nclaims; i++)
		eval_terms(db, &e->claims[i], &e->terms[i]);
}

static void write_experiment(FILE *f, sqlite3 *db, struct rp_exp *e, const char *report_dir)
{
	struct sweep *s = e->s;
	const struct manifest *m = s->m;
	char err[512];
	fprintf(f, "### %s\n\n", m->title ? m->title : m->id);
	fprintf(f, "Experiment `%s` (`%s`), scale %s.", m->id, m->path, mf_scale_name(s->scale));
	if (m->reproduces)
		fprintf(f, " Reproduces: %s.", m->reproduces);
	fprintf(f, "\n\nRe-run: `relaxbench run %s --scale %s`\n\n", m->path, mf_scale_name(s->scale));
	if (!e->scoped || store_scope(db, s, err, sizeof(err)) < 0) {
		fprintf(f, "_cannot read the results: %s_\n\n", e->scoped ? err : e->err);
		return;
	}
	if (e->err[0])
		fprintf(f, "_%s_\n\n", e->err);
	if (m->nclaims)
		fprintf(f, "Claims: in the paper's table above (%d).\n\n", m->nclaims);
	write_plots(f, e->plots, m->nplots, report_dir);
	write_tables(f, db, m);
	write_runs(f, db, s);
}

static int same_paper(const struct manifest *a, const struct manifest *b)
{
	const char *x = a->paper_arxiv ? a->paper_arxiv : "", *y = b->paper_arxiv ? b->paper_arxiv : "";
	return !strcmp(x, y);
}

/* The paper's headline figures (`headline: true`, one per family at most). */
static void write_headlines(FILE *f, const struct rp_exp *ex, int n, const char *report_dir)
{
	for (int k = 0; k < n; k++)
		for (int i = 0; ex[k].scoped && i < ex[k].s->m->nplots; i++) {
			const struct out_plot *p = &ex[k].plots[i];
			if (!p->plot->headline)
				continue;
			fprintf(f, "**Headline figure** (experiment `%s`", ex[k].s->m->id);
			if (ex[k].s->m->reproduces) {
				fputs(", reproduces ", f);
				md_escape_line(f, ex[k].s->m->reproduces);
			}
			fputs("):\n\n", f);
			if (p->state == OUT_PLOT_OK)
				write_figure(f, p, report_dir);
			else
				fprintf(f, "- %s: **not rendered** (%s)\n\n", p->plot->title ? p->plot->title : p->plot->id,
					p->state == OUT_PLOT_NO_DATA ? "no data" : p->message);
		}
}

/* One paper: headline figure, all its claims, then each experiment. */
static void write_paper(FILE *f, sqlite3 *db, struct sweep **sw, int n, const struct report_opts *o,
			const char *report_dir, struct out_tally *t)
{
	const struct manifest *m = sw[0]->m;
	struct rp_exp *ex = calloc((size_t)n, sizeof(*ex));
	if (!ex) {
		fputs("_out of memory_\n\n", f);
		return;
	}
	fprintf(f, "## %s", m->paper_title ? m->paper_title : "Experiments without a paper");
	if (m->paper_arxiv)
		fprintf(f, " (arXiv %s%s%s)", m->paper_arxiv, m->paper_venue ? ", " : "",
			m->paper_venue ? m->paper_venue : "");
	fputs("\n\n", f);
	for (int k = 0; k < n; k++) {
		ex[k].s = sw[k];
		compute_experiment(db, &ex[k], o);
	}
	write_headlines(f, ex, n, report_dir);
	write_claims(f, ex, n, report_dir, t);
	for (int k = 0; k < n; k++)
		write_experiment(f, db, &ex[k], report_dir);
	free(ex);
}

static void write_body(FILE *f, sqlite3 *db, struct sweep *sweeps, int n, const struct report_opts *o,
		       const char *report_dir, struct out_tally *t)
{
	int *done = calloc((size_t)n, sizeof(int));
	struct sweep **group = calloc((size_t)n, sizeof(*group));
	for (int i = 0; done && group && i < n; i++) {
		if (done[i])
			continue;
		int g = 0;
		for (int k = i; k < n; k++) {
			if (done[k] || !same_paper(sweeps[i].m, sweeps[k].m))
				continue;
			done[k] = 1;
			group[g++] = &sweeps[k];
		}
		write_paper(f, db, group, g, o, report_dir, t);
	}
	free(group);
	free(done);
}

/* At most one `headline: true` plot per family: the reviewer's page opens with one figure. */
static int check_headlines(const struct sweep *sweeps, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		for (int p = 0; p < sweeps[i].m->nplots; p++) {
			if (!sweeps[i].m->plots[p].headline)
				continue;
			for (int k = i; k < n; k++)
				for (int q = k == i ? p + 1 : 0; q < sweeps[k].m->nplots; q++) {
					if (!sweeps[k].m->plots[q].headline ||
					    strcmp(sweeps[i].m->algos[0]->family, sweeps[k].m->algos[0]->family))
						continue;
					snprintf(err, errlen, "family %s has two headline figures (%s: %s, and %s: "
						 "%s); mark at most one plot per family 'headline: true'",
						 sweeps[i].m->algos[0]->family, sweeps[i].m->path,
						 sweeps[i].m->plots[p].id, sweeps[k].m->path, sweeps[k].m->plots[q].id);
					return -1;
				}
		}
	return 0;
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
	if (check_headlines(sweeps, n, err, errlen) < 0)
		return -1;
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
