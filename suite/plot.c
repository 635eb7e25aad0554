/*
 * plot: render a figure from an SQL query with gnuplot (DESIGN.md, "Tables, plots").
 * The rows are grouped by series here, written as one gnuplot data block per series,
 * and drawn by a generated script that loads the house style; gnuplot runs as a child
 * process in a temporary folder under the output folder, and its two files are renamed
 * into place only when it exited cleanly.
 */
#include "suite/plot.h"
#include "suite/error.h"
#include "suite/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

/* house.gp defines this many line types; series beyond them reuse the colours with
 * another dash pattern so that no two series look the same. */
#define PLOT_COLOURS 8
#define PLOT_DASHES 5
/* How much of gnuplot's output to read when looking for its error line. */
#define PLOT_LOG_MAX 65536
#define PLOT_ID_MAX 200

static const char *const plot_columns[] = {"series", "x", "y", "lo", "hi"};
enum { PLOT_NCOLUMNS = sizeof plot_columns / sizeof plot_columns[0] };

struct plot_row {
	size_t series; /* index into plot_data.series */
	size_t order;  /* position in the query's result: keeps the sort stable */
	double x, y, lo, hi; /* lo, hi: NAN when NULL */
};

struct plot_series {
	char *name;
	size_t first, count; /* rows[first .. first+count) once sorted */
	size_t distinct_x;
	bool has_band;
};

struct plot_data {
	struct plot_row *rows;
	size_t nrows, rowcap;
	struct plot_series *series;
	size_t nseries, seriescap;
	size_t returned; /* rows the query returned, skipped ones included */
};

/* The temporary folder and what goes in it. */
struct plot_files {
	char dir[PATH_MAX];
	char data[PATH_MAX];
	char script[PATH_MAX];
	char log[PATH_MAX];
	char png[PATH_MAX];
	char svg[PATH_MAX];
};

/* ---- the query ---- */

static int plot_check_columns(sqlite3_stmt *st, char *err, size_t errlen)
{
	int n = sqlite3_column_count(st);
	bool ok = n == PLOT_NCOLUMNS;
	for (int i = 0; ok && i < n; i++)
		ok = strcasecmp(sqlite3_column_name(st, i), plot_columns[i]) == 0;
	if (ok)
		return 0;
	char got[256] = "";
	size_t used = 0;
	for (int i = 0; i < n && used < sizeof got; i++) {
		int w = snprintf(got + used, sizeof got - used, "%s%s", i ? ", " : "",
				 sqlite3_column_name(st, i));
		used += w > 0 ? (size_t)w : 0;
	}
	return rb_error(err, errlen,
			 "plot query must return the columns series, x, y, lo, hi in that order "
			 "(lo and hi may be NULL; rename with AS); it returns %d: %s", n, got);
}

/* Anything after the first statement must be blanks, ';' or comments: a second
 * statement would be silently ignored otherwise. */
static int plot_check_tail(sqlite3 *db, const char *tail, char *err, size_t errlen)
{
	while (tail && *tail) {
		sqlite3_stmt *extra = NULL;
		const char *next = NULL;
		int rc = sqlite3_prepare_v2(db, tail, -1, &extra, &next);
		sqlite3_finalize(extra);
		if (rc != SQLITE_OK || extra)
			return rb_error(err, errlen, "plot query must be one statement; "
					 "more follows: %.60s", tail);
		if (next == tail)
			return 0;
		tail = next;
	}
	return 0;
}

static int plot_prepare(sqlite3 *db, const char *query, sqlite3_stmt **out, char *err,
			size_t errlen)
{
	if (!db || !query)
		return rb_error(err, errlen, "plot: no database or no query");
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(db, query, -1, &st, &tail) != SQLITE_OK)
		return rb_error(err, errlen, "plot query does not compile: %s",
				 sqlite3_errmsg(db));
	if (!st)
		return rb_error(err, errlen, "plot query is empty");
	int rc = plot_check_tail(db, tail, err, errlen);
	if (rc == 0 && !sqlite3_stmt_readonly(st))
		rc = rb_error(err, errlen, "plot query must only read the store (a SELECT)");
	if (rc == 0)
		rc = plot_check_columns(st, err, errlen);
	if (rc) {
		sqlite3_finalize(st);
		return -1;
	}
	*out = st;
	return 0;
}

int plot_check_query(sqlite3 *db, const char *query, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (plot_prepare(db, query, &st, err, errlen))
		return -1;
	sqlite3_finalize(st);
	return 0;
}

/* ---- reading and grouping rows ---- */

/* 0 with *v set; 1 when NULL; -1 when the value is text or a blob. */
static int plot_number(sqlite3_stmt *st, int col, size_t rowno, double *v, char *err,
		       size_t errlen)
{
	int type = sqlite3_column_type(st, col);
	if (type == SQLITE_NULL)
		return 1;
	if (type == SQLITE_BLOB)
		return rb_error(err, errlen, "plot query row %zu: %s is a blob, not a number",
				 rowno, plot_columns[col]);
	if (type == SQLITE_TEXT)
		return rb_error(err, errlen, "plot query row %zu: %s is the text '%.40s', not a "
				 "number", rowno, plot_columns[col],
				 (const char *)sqlite3_column_text(st, col));
	*v = sqlite3_column_double(st, col);
	return 0;
}

static void *plot_grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(p, n * size);
	if (q)
		*cap = n;
	return q;
}

/* Index of the series called name, added at the end when new; -1 when out of memory. */
static long plot_series_index(struct plot_data *d, const char *name)
{
	for (size_t i = 0; i < d->nseries; i++) {
		if (strcmp(d->series[i].name, name) == 0)
			return (long)i;
	}
	struct plot_series *s = plot_grow(d->series, &d->seriescap, d->nseries + 1, sizeof *s);
	if (!s)
		return -1;
	d->series = s;
	char *copy = strdup(name);
	if (!copy)
		return -1;
	d->series[d->nseries] = (struct plot_series){.name = copy};
	return (long)d->nseries++;
}

static int plot_add_row(struct plot_data *d, sqlite3_stmt *st, char *err, size_t errlen)
{
	size_t rowno = ++d->returned;
	struct plot_row r = {.order = rowno, .lo = NAN, .hi = NAN};
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return rb_error(err, errlen, "plot query row %zu: series is NULL "
				 "(name every series, e.g. 'baseline' AS series)", rowno);
	int rx = plot_number(st, 1, rowno, &r.x, err, errlen);
	int ry = plot_number(st, 2, rowno, &r.y, err, errlen);
	if (rx < 0 || ry < 0 || plot_number(st, 3, rowno, &r.lo, err, errlen) < 0 ||
	    plot_number(st, 4, rowno, &r.hi, err, errlen) < 0)
		return -1;
	/* No point to draw: a NULL aggregate (no finished run) or a diverged value. */
	if (rx || ry || !isfinite(r.x) || !isfinite(r.y))
		return 0;
	const char *name = (const char *)sqlite3_column_text(st, 0);
	long s = name ? plot_series_index(d, name) : -1;
	struct plot_row *rows = plot_grow(d->rows, &d->rowcap, d->nrows + 1, sizeof *rows);
	if (s < 0 || !rows)
		return rb_error(err, errlen, "plot: out of memory");
	d->rows = rows;
	r.series = (size_t)s;
	d->rows[d->nrows++] = r;
	return 0;
}

static int plot_row_cmp(const void *pa, const void *pb)
{
	const struct plot_row *a = pa, *b = pb;
	if (a->series != b->series)
		return a->series < b->series ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* After sorting: where each series' rows are, how many x values, whether it has a band. */
static void plot_index_series(struct plot_data *d)
{
	for (size_t i = 0; i < d->nrows; i++) {
		const struct plot_row *r = &d->rows[i];
		struct plot_series *s = &d->series[r->series];
		if (s->count == 0)
			s->first = i;
		if (s->count == 0 || d->rows[i - 1].x != r->x)
			s->distinct_x++;
		s->count++;
		s->has_band = s->has_band || (isfinite(r->lo) && isfinite(r->hi));
	}
}

static int plot_load(sqlite3 *db, const char *query, struct plot_data *d, char *err,
		     size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (plot_prepare(db, query, &st, err, errlen))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (plot_add_row(d, st, err, errlen)) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		rb_error(err, errlen, "plot query failed: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (d->nrows > 0)
		qsort(d->rows, d->nrows, sizeof *d->rows, plot_row_cmp);
	plot_index_series(d);
	return 0;
}

static void plot_data_free(struct plot_data *d)
{
	for (size_t i = 0; i < d->nseries; i++)
		free(d->series[i].name);
	free(d->series);
	free(d->rows);
}

/* ---- files for gnuplot ---- */

static int plot_check_spec(const struct plot_spec *spec, const char *outdir, char *err,
			   size_t errlen)
{
	if (!spec || !spec->id || !spec->query || !outdir || !*outdir)
		return rb_error(err, errlen, "plot: missing id, query or output folder");
	size_t n = strlen(spec->id);
	bool ok = n > 0 && n <= PLOT_ID_MAX && spec->id[0] != '.';
	for (size_t i = 0; ok && i < n; i++)
		ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    spec->id[i]) != NULL;
	if (!ok)
		return rb_error(err, errlen, "plot id '%s' must be a file stem of letters, "
				 "digits, '_', '.', '-' (not starting with '.')", spec->id);
	return 0;
}

/* A path goes into the script as a quoted string: it must not hold a line break. */
static int plot_check_path(const char *path, char *err, size_t errlen)
{
	for (const char *p = path; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return rb_error(err, errlen, "plot: path has a control character: %s",
					 path);
	}
	return 0;
}

static int plot_make_files(struct plot_files *f, const char *outdir, const char *id, char *err,
			   size_t errlen)
{
	int n = snprintf(f->dir, sizeof f->dir, "%s/.%s.tmp-XXXXXX", outdir, id);
	if (n < 0 || (size_t)n >= sizeof f->dir || !mkdtemp(f->dir)) {
		int e = n < 0 || (size_t)n >= sizeof f->dir ? ENAMETOOLONG : errno;
		f->dir[0] = '\0'; /* nothing to clean up */
		return rb_error(err, errlen, "plot: cannot create a temporary folder in %s: %s",
				 outdir, strerror(e));
	}
	if (rb_path_join(f->data, sizeof f->data, f->dir, "data.dat", err, errlen) ||
	    rb_path_join(f->script, sizeof f->script, f->dir, "plot.gp", err, errlen) ||
	    rb_path_join(f->log, sizeof f->log, f->dir, "gnuplot.log", err, errlen) ||
	    rb_path_join(f->png, sizeof f->png, f->dir, "figure.png", err, errlen) ||
	    rb_path_join(f->svg, sizeof f->svg, f->dir, "figure.svg", err, errlen))
		return -1;
	return 0;
}

/* gnuplot reads "NaN" as an undefined value: the point is left out. */
static void plot_put_number(FILE *fp, double v, const char *sep)
{
	if (isfinite(v))
		fprintf(fp, "%.17g%s", v, sep);
	else
		fprintf(fp, "NaN%s", sep);
}

static int plot_write_data(const char *path, const struct plot_data *d, char *err,
			   size_t errlen)
{
	FILE *fp = fopen(path, "we");
	if (!fp)
		return rb_error(err, errlen, "plot: cannot write %s: %s", path, strerror(errno));
	fputs("# x y lo hi; one block per series, in legend order (gnuplot 'index')\n", fp);
	for (size_t s = 0; s < d->nseries; s++) {
		if (s > 0)
			fputs("\n\n", fp); /* two blank lines end a block */
		const struct plot_series *ser = &d->series[s];
		for (size_t i = ser->first; i < ser->first + ser->count; i++) {
			const struct plot_row *r = &d->rows[i];
			plot_put_number(fp, r->x, " ");
			plot_put_number(fp, r->y, " ");
			plot_put_number(fp, r->lo, " ");
			plot_put_number(fp, r->hi, "\n");
		}
	}
	bool bad = ferror(fp);
	errno = bad ? EIO : 0;
	if (fclose(fp) || bad)
		return rb_error(err, errlen, "plot: cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* A gnuplot single-quoted string: no escapes but '' for a quote. Control characters
 * become spaces (a line break would end the command). '@' and enhanced-text markup are
 * literal there because every string is also marked noenhanced. */
static void plot_put_string(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("''", fp);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc(' ', fp);
		else
			fputc(*s, fp);
	}
	fputc('\'', fp);
}

static void plot_put_label(FILE *fp, const char *what, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(fp, "set %s ", what);
	plot_put_string(fp, text);
	fputs(" noenhanced\n", fp);
}

/* The plot command: all bands first so that every line is drawn above every band; the
 * bands have no legend entry, the lines carry the series names. */
static void plot_put_elements(FILE *fp, const struct plot_data *d)
{
	const char *sep = "plot ";
	for (size_t s = 0; s < d->nseries; s++) {
		if (!d->series[s].has_band)
			continue;
		fprintf(fp, "%srb_data index %zu using 1:3:4 with filledcurves lc %zu notitle",
			sep, s, s % PLOT_COLOURS + 1);
		sep = ", \\\n     ";
	}
	for (size_t s = 0; s < d->nseries; s++) {
		const struct plot_series *ser = &d->series[s];
		const char *with = ser->distinct_x <= PLOT_FEW_POINTS ? "linespoints" : "lines";
		fprintf(fp, "%srb_data index %zu using 1:2 with %s lt %zu dt %zu title ", sep, s,
			with, s % PLOT_COLOURS + 1, s / PLOT_COLOURS % PLOT_DASHES + 1);
		plot_put_string(fp, ser->name);
		fputs(" noenhanced", fp);
		sep = ", \\\n     ";
	}
	fputc('\n', fp);
}

static int plot_write_script(const struct plot_files *f, const struct plot_spec *spec,
			     const struct plot_data *d, const char *root, char *err,
			     size_t errlen)
{
	char house[PATH_MAX];
	if (rb_path_join(house, sizeof house, root, RB_ROOT_MARKER, err, errlen))
		return -1;
	FILE *fp = fopen(f->script, "we");
	if (!fp)
		return rb_error(err, errlen, "plot: cannot write %s: %s", f->script,
				 strerror(errno));
	fprintf(fp, "# %s: generated by relaxbench (suite/plot.c)\nload ", spec->id);
	plot_put_string(fp, house);
	fputs("\nrb_data = ", fp);
	plot_put_string(fp, f->data);
	fputc('\n', fp);
	plot_put_label(fp, "title", spec->title);
	plot_put_label(fp, "xlabel", spec->xlabel);
	plot_put_label(fp, "ylabel", spec->ylabel);
	if (spec->logx)
		fputs("set logscale x\n", fp);
	if (spec->logy)
		fputs("set logscale y\n", fp);
	fputs("eval 'set terminal ' . house_png\nset output ", fp);
	plot_put_string(fp, f->png);
	fputc('\n', fp);
	plot_put_elements(fp, d);
	fputs("eval 'set terminal ' . house_svg\nset output ", fp);
	plot_put_string(fp, f->svg);
	fputs("\nreplot\nunset output\n", fp);
	bool bad = ferror(fp);
	errno = bad ? EIO : 0;
	if (fclose(fp) || bad)
		return rb_error(err, errlen, "plot: cannot write %s: %s", f->script, strerror(errno));
	return 0;
}

/* ---- running gnuplot ---- */

/* The line of gnuplot's output that names the failure: its error lines read
 * `"<script>" line N: message`, sometimes after warnings of the same shape and after
 * an echo of the command with a '^' under the fault. */
static const char *plot_pick_error(char *log)
{
	const char *fallback = NULL, *warning = NULL;
	char *save = NULL;
	for (char *line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool located = line[0] == '"' && strstr(line, "\" line ");
		if (located && !strstr(line, "warning:"))
			return line;
		if (located && !warning)
			warning = line;
		if (!fallback && line[0] != ' ' && line[0] != '\t' && line[0] != '^')
			fallback = line;
	}
	return warning ? warning : fallback;
}

static int plot_gnuplot_failed(const char *logpath, int status, char *err, size_t errlen)
{
	if (WIFSIGNALED(status))
		return rb_error(err, errlen, "gnuplot was killed by signal %d", WTERMSIG(status));
	char log[PLOT_LOG_MAX] = "";
	FILE *fp = fopen(logpath, "re");
	if (fp) {
		size_t n = fread(log, 1, sizeof log - 1, fp);
		log[n] = '\0';
		fclose(fp);
	}
	const char *line = plot_pick_error(log);
	if (!line)
		return rb_error(err, errlen, "gnuplot exited with status %d and no message",
				 WEXITSTATUS(status));
	/* Drop the temporary script's path: it is gone by the time anyone reads this. */
	const char *at = strstr(line, "\" line ");
	if (line[0] == '"' && at)
		line = at + 2;
	return rb_error(err, errlen, "gnuplot: %s", line);
}

static int plot_run_gnuplot(struct plot_files *f, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa))
		return rb_error(err, errlen, "plot: out of memory");
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, f->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* --default-settings: ignore the user's ~/.gnuplot, so every machine draws alike. */
	char *argv[] = {"gnuplot", "--default-settings", f->script, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return rb_error(err, errlen, "cannot run gnuplot: %s", strerror(rc));
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return rb_error(err, errlen, "waiting for gnuplot: %s", strerror(errno));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return rb_error(err, errlen, "cannot run gnuplot (is it installed and on PATH?)");
	return plot_gnuplot_failed(f->log, status, err, errlen);
}

/* The PNG and the SVG go together: when the SVG cannot follow the PNG (a full disk),
 * the PNG is taken back, so that no figure is left without its twin from another run. */
static int plot_publish(const struct plot_files *f, const char *outdir, const char *id,
			char *err, size_t errlen)
{
	char name[PLOT_ID_MAX + 8], png[PATH_MAX], svg[PATH_MAX];
	snprintf(name, sizeof name, "%s.png", id);
	if (rb_path_join(png, sizeof png, outdir, name, err, errlen))
		return -1;
	snprintf(name, sizeof name, "%s.svg", id);
	if (rb_path_join(svg, sizeof svg, outdir, name, err, errlen) ||
	    rb_path_publish(f->png, png, err, errlen))
		return -1;
	if (rb_path_publish(f->svg, svg, err, errlen)) {
		unlink(png);
		return -1;
	}
	return 0;
}

static int plot_draw(const struct plot_spec *spec, const struct plot_data *d,
		     const char *root, const char *outdir, char *err, size_t errlen)
{
	if (rb_mkdirs(outdir, err, errlen))
		return -1;
	struct plot_files *f = calloc(1, sizeof *f);
	if (!f)
		return rb_error(err, errlen, "plot: out of memory");
	int rc = plot_make_files(f, outdir, spec->id, err, errlen);
	if (rc == 0)
		rc = plot_write_data(f->data, d, err, errlen);
	if (rc == 0)
		rc = plot_write_script(f, spec, d, root, err, errlen);
	if (rc == 0)
		rc = plot_run_gnuplot(f, err, errlen);
	if (rc == 0)
		rc = plot_publish(f, outdir, spec->id, err, errlen);
	/* A leftover temporary folder is reported, but never hides an earlier error. */
	if (f->dir[0] && rb_path_remove_tmpdir(f->dir, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
	free(f);
	return rc;
}

int plot_render(sqlite3 *db, const struct plot_spec *spec, const char *outdir, char *err,
		size_t errlen)
{
	if (plot_check_spec(spec, outdir, err, errlen) || plot_check_path(outdir, err, errlen))
		return -1;
	char root[PATH_MAX];
	if (rb_root_dir(root, sizeof root, err, errlen) || plot_check_path(root, err, errlen))
		return -1;
	struct plot_data d = {0};
	int rc = plot_load(db, spec->query, &d, err, errlen);
	if (rc == 0 && d.nrows == 0) {
		if (d.returned == 0)
			rb_error(err, errlen, "no data: the query returned no rows");
		else
			rb_error(err, errlen, "no data: none of the query's %zu rows has a finite "
				  "x and y", d.returned);
		rc = PLOT_NO_DATA;
	}
	if (rc == 0)
		rc = plot_draw(spec, &d, root, outdir, err, errlen);
	plot_data_free(&d);
	return rc;
}

/* ---- figures drawn by a template ---- */

static int plot_write_template_script(const struct plot_files *f, const char *root,
				      const char *name, const char *datafile,
				      const char *const *vars, char *err, size_t errlen)
{
	char house[PATH_MAX], tmpl[PATH_MAX];
	int n = snprintf(tmpl, sizeof tmpl, "%s/plots/templates/%s.gp", root, name);
	if (n < 0 || (size_t)n >= sizeof tmpl)
		return rb_error(err, errlen, "plot: template path too long");
	if (access(tmpl, R_OK))
		return rb_error(err, errlen, "plot: no template %s: %s", tmpl, strerror(errno));
	if (rb_path_join(house, sizeof house, root, RB_ROOT_MARKER, err, errlen))
		return -1;
	FILE *fp = fopen(f->script, "we");
	if (!fp)
		return rb_error(err, errlen, "plot: cannot write %s: %s", f->script,
				 strerror(errno));
	fprintf(fp, "# generated by relaxbench (suite/plot.c) for the template %s\nload ", name);
	plot_put_string(fp, house);
	fputs("\nrb_data = ", fp);
	plot_put_string(fp, datafile);
	fputs("\nrb_png = ", fp);
	plot_put_string(fp, f->png);
	fputs("\nrb_svg = ", fp);
	plot_put_string(fp, f->svg);
	for (size_t i = 0; vars && vars[i] && vars[i + 1]; i += 2) {
		fprintf(fp, "\n%s = ", vars[i]);
		plot_put_string(fp, vars[i + 1]);
	}
	fputs("\nload ", fp);
	plot_put_string(fp, tmpl);
	fputs("\nunset output\n", fp);
	bool bad = ferror(fp);
	errno = bad ? EIO : 0;
	if (fclose(fp) || bad)
		return rb_error(err, errlen, "plot: cannot write %s: %s", f->script, strerror(errno));
	return 0;
}

int plot_render_template(const char *name, const char *datafile, const char *const *vars,
			 const char *outdir, const char *id, char *err, size_t errlen)
{
	struct plot_spec spec = {.id = id, .query = ""};
	char root[PATH_MAX];
	if (!name || !datafile)
		return rb_error(err, errlen, "plot: no template or no data file");
	for (size_t i = 0; vars && vars[i] && vars[i + 1]; i += 2) {
		if (!*vars[i] || vars[i][strspn(vars[i], "abcdefghijklmnopqrstuvwxyz_")])
			return rb_error(err, errlen, "plot: template variable '%s' is not an "
					 "identifier", vars[i]);
	}
	if (plot_check_spec(&spec, outdir, err, errlen) || plot_check_path(outdir, err, errlen) ||
	    plot_check_path(datafile, err, errlen) || rb_root_dir(root, sizeof root, err, errlen) ||
	    plot_check_path(root, err, errlen) || rb_mkdirs(outdir, err, errlen))
		return -1;
	struct plot_files *f = calloc(1, sizeof *f);
	if (!f)
		return rb_error(err, errlen, "plot: out of memory");
	int rc = plot_make_files(f, outdir, id, err, errlen);
	if (rc == 0)
		rc = plot_write_template_script(f, root, name, datafile, vars, err, errlen);
	if (rc == 0)
		rc = plot_run_gnuplot(f, err, errlen);
	if (rc == 0)
		rc = plot_publish(f, outdir, id, err, errlen);
	if (f->dir[0] && rb_path_remove_tmpdir(f->dir, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
	free(f);
	return rc;
}
