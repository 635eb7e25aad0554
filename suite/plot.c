/*
 * plot: render a figure from an SQL query with gnuplot (DESIGN.md, "Tables, plots").
 * The rows are grouped by series here, written as one gnuplot data block per series,
 * and drawn by a generated script that loads the house style; gnuplot runs as a child
 * process in a temporary folder under the output folder, and its two files are renamed
 * into place only when it exited cleanly.
 */
#include "suite/plot.h"
#include "suite/error.h"
#include "suite/interval.h"
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
/* Optional columns after the five, by name; their index in the statement, or -1. */
struct plot_extra {
	int n, oversub;
};

struct plot_row {
	size_t series; /* index into plot_data.series */
	size_t order;  /* position in the query's result: keeps the sort stable */
	double x, y, lo, hi; /* lo, hi: NAN when NULL */
	double n;      /* repeats behind the point; NAN when the query has no n */
	int oversub;   /* the point ran with more threads than cores */
};

struct plot_series {
	char *name;
	size_t first, count; /* rows[first .. first+count) once sorted */
	size_t distinct_x;
	bool has_band, has_oversub;
};

struct plot_data {
	struct plot_row *rows;
	size_t nrows, rowcap;
	struct plot_series *series;
	size_t nseries, seriescap;
	size_t returned; /* rows the query returned, skipped ones included */
	struct plot_extra extra;
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

/* How the figure is drawn, decided from the spec and the data (plot_layout). */
struct plot_axis {
	char unit[64];       /* the prefixed unit, "" when none was declared */
	double scale;        /* data values are divided by it */
	bool log;            /* drawn log: asked for, positive, spanning more than a decade */
	bool log_refused;    /* asked for but drawn linear */
	double lo, hi;       /* the drawn range, in scaled units */
};

struct plot_layout {
	struct plot_axis x, y;
	double ymin, ymax;   /* the quantity's range, unscaled: bands are clamped to it */
	double ticks[PLOT_FEW_POINTS]; /* the distinct x values when there are few, scaled */
	size_t nticks;
	bool clamped;        /* some band value was brought into [ymin, ymax] */
	bool oversub;        /* some point ran oversubscribed */
	char caption[512];
};

/* ---- the query ---- */

static int plot_check_columns(sqlite3_stmt *st, struct plot_extra *extra, char *err,
			      size_t errlen)
{
	int n = sqlite3_column_count(st);
	bool ok = n >= PLOT_NCOLUMNS;
	for (int i = 0; ok && i < PLOT_NCOLUMNS; i++)
		ok = strcasecmp(sqlite3_column_name(st, i), plot_columns[i]) == 0;
	struct plot_extra e = {-1, -1};
	for (int i = PLOT_NCOLUMNS; ok && i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		int *slot = strcasecmp(name, "n") == 0 ? &e.n :
			    strcasecmp(name, "oversub") == 0 ? &e.oversub : NULL;
		ok = slot && *slot < 0;
		if (slot)
			*slot = i;
	}
	if (ok) {
		if (extra)
			*extra = e;
		return 0;
	}
	char got[256] = "";
	size_t used = 0;
	for (int i = 0; i < n && used < sizeof got; i++) {
		int w = snprintf(got + used, sizeof got - used, "%s%s", i ? ", " : "",
				 sqlite3_column_name(st, i));
		used += w > 0 ? (size_t)w : 0;
	}
	return rb_error(err, errlen,
			 "plot query must return the columns series, x, y, lo, hi in that order "
			 "(lo and hi may be NULL; rename with AS), then optionally n and oversub; "
			 "it returns %d: %s", n, got);
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

static int plot_prepare(sqlite3 *db, const char *query, sqlite3_stmt **out,
			struct plot_extra *extra, char *err, size_t errlen)
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
		rc = plot_check_columns(st, extra, err, errlen);
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
	if (plot_prepare(db, query, &st, NULL, err, errlen))
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
				 rowno, sqlite3_column_name(st, col));
	if (type == SQLITE_TEXT)
		return rb_error(err, errlen, "plot query row %zu: %s is the text '%.40s', not a "
				 "number", rowno, sqlite3_column_name(st, col),
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
	struct plot_row r = {.order = rowno, .lo = NAN, .hi = NAN, .n = NAN};
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return rb_error(err, errlen, "plot query row %zu: series is NULL "
				 "(name every series, e.g. 'baseline' AS series)", rowno);
	int rx = plot_number(st, 1, rowno, &r.x, err, errlen);
	int ry = plot_number(st, 2, rowno, &r.y, err, errlen);
	if (rx < 0 || ry < 0 || plot_number(st, 3, rowno, &r.lo, err, errlen) < 0 ||
	    plot_number(st, 4, rowno, &r.hi, err, errlen) < 0)
		return -1;
	double extra = NAN;
	if (d->extra.n >= 0 && plot_number(st, d->extra.n, rowno, &r.n, err, errlen) < 0)
		return -1;
	if (d->extra.oversub >= 0) {
		int ro = plot_number(st, d->extra.oversub, rowno, &extra, err, errlen);
		if (ro < 0)
			return -1;
		r.oversub = ro == 0 && extra != 0;
	}
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

static int plot_double_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
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
		s->has_oversub = s->has_oversub || r->oversub;
	}
}

static int plot_load(sqlite3 *db, const char *query, struct plot_data *d, char *err,
		     size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (plot_prepare(db, query, &st, &d->extra, err, errlen))
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

/* ---- units, scales, ranges and the caption ---- */

int plot_band_parse(const char *name)
{
	static const char *const names[] = {"house", "t95", "sd", "minmax", "none"};
	for (int i = 0; name && i < (int)(sizeof names / sizeof names[0]); i++) {
		if (strcmp(name, names[i]) == 0)
			return i;
	}
	return -1;
}

const char *plot_band_name(enum plot_band b)
{
	static const char *const names[] = {"house", "t95", "sd", "minmax", "none"};
	return (unsigned)b < sizeof names / sizeof names[0] ? names[b] : "?";
}

static bool plot_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Units written as symbols take their prefix without a space (ms, GB/s, KiB); words
 * take it with one (M ops/s, k iterations). */
static bool plot_unit_is_symbol(const char *unit)
{
	static const char *const symbols[] = {"s", "B", "B/s", "b/s", "bit", "bit/s", "Hz",
					      "W", "J", "flop/s", NULL};
	for (const char *const *p = symbols; *p; p++) {
		if (strcmp(unit, *p) == 0)
			return true;
	}
	return false;
}

/* Units whose values are never scaled: shares, ratios, percentages, pure numbers. */
static bool plot_unit_is_plain(const char *unit)
{
	static const char *const plain[] = {"1", "%", "fraction", "ratio", "x", "\xc3\x97", "share", "dimensionless",
					    "probability", NULL};
	for (const char *const *p = plain; *p; p++) {
		if (strcmp(unit, *p) == 0)
			return true;
	}
	return false;
}

void plot_unit_prefix(const char *unit, double maxabs, char *out, size_t outlen, double *scale)
{
	static const char *const up[] = {"", "k", "M", "G", "T", "P"};
	static const char *const binary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
	static const char *const down[] = {"", "m", "\xc2\xb5", "n"}; /* µ in UTF-8 */
	*scale = 1;
	if (!unit || !*unit) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	const char *prefix = "";
	bool time = strcmp(unit, "s") == 0;
	if (!isfinite(maxabs) || maxabs <= 0 || plot_unit_is_plain(unit)) {
		/* nothing to scale */
	} else if (strcmp(unit, "B") == 0) {
		for (int p = 5; p > 0 && !*prefix; p--) {
			if (maxabs >= pow(1024, p)) {
				prefix = binary[p];
				*scale = pow(1024, p);
			}
		}
	} else if (time && maxabs < 1) {
		int p = 1;
		while (p < 3 && maxabs < pow(1000, -p))
			p++;
		prefix = down[p];
		*scale = pow(1000, -p);
	} else if (!time && (plot_ends_with(unit, "/s") || plot_unit_is_symbol(unit) ||
			     maxabs >= 1e4)) {
		/* Rates and symbol units from 1000 on; counts of words from 10^4 on, so that
		 * "4096 elements" stays as it is. */
		for (int p = 5; p > 0 && !*prefix; p--) {
			if (maxabs >= pow(1000, p)) {
				prefix = up[p];
				*scale = pow(1000, p);
			}
		}
	}
	bool space = *prefix && !plot_unit_is_symbol(unit);
	snprintf(out, outlen, "%s%s%s", prefix, space ? " " : "", unit);
}

/* The quantity's range: declared, or [0, inf) for times, sizes and rates. */
static void plot_quantity_range(const struct plot_spec *spec, double *lo, double *hi)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	if (spec->range_given) {
		*lo = spec->ymin;
		*hi = spec->ymax;
		return;
	}
	const char *u = spec->yunit;
	if (u && (strcmp(u, "s") == 0 || strcmp(u, "B") == 0 || plot_ends_with(u, "/s")))
		*lo = 0;
}

static double plot_clamp(double v, double lo, double hi, bool *moved)
{
	if (!isfinite(v))
		return v;
	double c = v < lo ? lo : v > hi ? hi : v;
	*moved = *moved || c != v;
	return c;
}

/* Bands are brought into the quantity's range (a Student t or sd band can leave it). */
static void plot_clamp_bands(struct plot_data *d, struct plot_layout *L)
{
	for (size_t i = 0; i < d->nrows; i++) {
		struct plot_row *r = &d->rows[i];
		r->lo = plot_clamp(r->lo, L->ymin, L->ymax, &L->clamped);
		r->hi = plot_clamp(r->hi, L->ymin, L->ymax, &L->clamped);
		L->oversub = L->oversub || r->oversub;
	}
}

struct plot_extent {
	double min, max, minpos, maxabs;
};

static void plot_extent_add(struct plot_extent *e, double v)
{
	if (!isfinite(v))
		return;
	e->min = fmin(e->min, v);
	e->max = fmax(e->max, v);
	if (v > 0)
		e->minpos = fmin(e->minpos, v);
	e->maxabs = fmax(e->maxabs, fabs(v));
}

/* Log only where asked, every value positive, and the values span more than a decade:
 * a log axis over 1, 2, 4 leaves half the figure empty. */
static bool plot_use_log(bool asked, const struct plot_extent *e)
{
	return asked && e->min > 0 && e->max / e->min > 10;
}

/* The drawn range: the data with a small margin, never past the quantity's range. */
static void plot_axis_range(struct plot_axis *a, const struct plot_extent *e, double qlo,
			    double qhi)
{
	double lo = e->min / a->scale, hi = e->max / a->scale;
	if (a->log) {
		double f = pow(hi / lo, 0.04);
		a->lo = lo / f;
		a->hi = hi * f;
		return;
	}
	double pad = hi > lo ? 0.05 * (hi - lo) : fmax(fabs(hi) * 0.1, 0.5);
	a->lo = lo - pad;
	a->hi = hi + pad;
	if (lo >= qlo / a->scale && a->lo < qlo / a->scale)
		a->lo = qlo / a->scale;
	if (hi <= qhi / a->scale && a->hi > qhi / a->scale)
		a->hi = qhi / a->scale;
}

/* The distinct x values, when there are at most PLOT_FEW_POINTS: ticks go there. */
static void plot_pick_ticks(const struct plot_data *d, struct plot_layout *L)
{
	double v[PLOT_FEW_POINTS];
	size_t n = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		double x = d->rows[i].x;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = v[k] == x;
		if (seen)
			continue;
		if (n == PLOT_FEW_POINTS)
			return; /* many: gnuplot's own ticks */
		v[n++] = x;
	}
	qsort(v, n, sizeof v[0], plot_double_cmp);
	for (size_t k = 0; k < n; k++)
		L->ticks[k] = v[k] / L->x.scale;
	L->nticks = n;
}

static void plot_n_range(const struct plot_data *d, double *nmin, double *nmax)
{
	*nmin = INFINITY;
	*nmax = -INFINITY;
	for (size_t i = 0; i < d->nrows; i++) {
		if (isfinite(d->rows[i].n)) {
			*nmin = fmin(*nmin, d->rows[i].n);
			*nmax = fmax(*nmax, d->rows[i].n);
		}
	}
}

static void plot_n_text(double nmin, double nmax, char *buf, size_t len)
{
	if (!isfinite(nmin))
		snprintf(buf, len, "%s", "");
	else if (nmin == nmax)
		snprintf(buf, len, "n = %.0f", nmin);
	else
		snprintf(buf, len, "n = %.0f-%.0f", nmin, nmax);
}

/* The caption: what the line and the band are, and the marks. */
static void plot_caption(const struct plot_spec *spec, const struct plot_data *d,
			 struct plot_layout *L)
{
	bool band = false;
	for (size_t s = 0; s < d->nseries; s++)
		band = band || d->series[s].has_band;
	double nmin, nmax;
	plot_n_range(d, &nmin, &nmax);
	char n[64], *c = L->caption;
	size_t len = sizeof L->caption, k = 0;
	plot_n_text(nmin, nmax, n, sizeof n);
	if (*n && nmax == 1)
		k += (size_t)snprintf(c + k, len - k, "One run per point: ");
	else if (*n)
		k += (size_t)snprintf(c + k, len - k, "Mean of %s runs per point; ", n);
	const char *what;
	if ((!band || spec->band == PLOT_BAND_NONE) && *n)
		what = "no band drawn";
	else if (!band || spec->band == PLOT_BAND_NONE)
		what = "No band drawn: the points are computed values or means given without "
		       "their spread";
	else if (spec->band == PLOT_BAND_T95)
		what = "band: 95% Student-t interval of the mean";
	else if (spec->band == PLOT_BAND_SD)
		what = "band: mean +- 1 sd (the spread of the runs)";
	else if (spec->band == PLOT_BAND_MINMAX || nmax < IV_BOOTSTRAP_MIN)
		what = "band: min-max of the runs";
	else if (nmin >= IV_BOOTSTRAP_MIN)
		what = "band: 95% percentile bootstrap interval of the mean (2000 resamples, "
		       "fixed seed)";
	else
		what = "band: min-max of the runs where n < 5, else the 95% percentile "
		       "bootstrap interval of the mean";
	k += (size_t)snprintf(c + k, len - k, "%s", what);
	if (L->clamped && k < len)
		k += (size_t)snprintf(c + k, len - k, ", clipped to the quantity's range");
	if (L->oversub && k < len)
		snprintf(c + k, len - k, ". Ringed points: more threads than cores "
			 "(oversubscribed).");
}

static void plot_layout(const struct plot_spec *spec, struct plot_data *d,
			struct plot_layout *L)
{
	plot_quantity_range(spec, &L->ymin, &L->ymax);
	plot_clamp_bands(d, L);
	struct plot_extent ex = {INFINITY, -INFINITY, INFINITY, 0};
	struct plot_extent ey = ex;
	for (size_t i = 0; i < d->nrows; i++) {
		const struct plot_row *r = &d->rows[i];
		plot_extent_add(&ex, r->x);
		plot_extent_add(&ey, r->y);
	}
	L->x.log = plot_use_log(spec->logx, &ex);
	L->y.log = plot_use_log(spec->logy, &ey);
	L->x.log_refused = spec->logx && !L->x.log;
	L->y.log_refused = spec->logy && !L->y.log;
	/* Bands widen the y extent; on a log axis only their positive part counts. */
	for (size_t i = 0; i < d->nrows; i++) {
		const struct plot_row *r = &d->rows[i];
		double b[2] = {r->lo, r->hi};
		for (int j = 0; j < 2; j++) {
			if (!L->y.log || b[j] > 0)
				plot_extent_add(&ey, b[j]);
		}
	}
	plot_unit_prefix(spec->xunit, ex.maxabs, L->x.unit, sizeof L->x.unit, &L->x.scale);
	plot_unit_prefix(spec->yunit, ey.maxabs, L->y.unit, sizeof L->y.unit, &L->y.scale);
	plot_axis_range(&L->x, &ex, -INFINITY, INFINITY);
	plot_axis_range(&L->y, &ey, L->ymin, L->ymax);
	plot_pick_ticks(d, L);
	plot_caption(spec, d, L);
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
	/* Named as they will be published: the script names its files relative to rb_dir,
	 * so that the kept copy redraws the figure where it lies. */
	char name[PLOT_ID_MAX + 8];
	const char *ext[] = {"dat", "gp", "png", "svg"};
	char *dst[] = {f->data, f->script, f->png, f->svg};
	for (size_t i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "%s.%s", id, ext[i]);
		if (rb_path_join(dst[i], PATH_MAX, f->dir, name, err, errlen))
			return -1;
	}
	return rb_path_join(f->log, sizeof f->log, f->dir, "gnuplot.log", err, errlen);
}

/* gnuplot reads "NaN" as an undefined value: the point is left out. */
static void plot_put_number(FILE *fp, double v, const char *sep)
{
	if (isfinite(v))
		fprintf(fp, "%.17g%s", v, sep);
	else
		fprintf(fp, "NaN%s", sep);
}

/* A band value on a log axis at or below zero cannot be drawn: it goes to the bottom. */
static double plot_band_value(double v, const struct plot_layout *L)
{
	v /= L->y.scale;
	return L->y.log && isfinite(v) && v <= 0 ? L->y.lo : v;
}

static int plot_write_data(const char *path, const struct plot_data *d,
			   const struct plot_layout *L, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "we");
	if (!fp)
		return rb_error(err, errlen, "plot: cannot write %s: %s", path, strerror(errno));
	fprintf(fp, "# x y lo hi oversub n; one block per series, in legend order (gnuplot "
		"'index'); x in units of %.17g, y, lo, hi of %.17g\n", L->x.scale, L->y.scale);
	/* The quantity's range in plotted units (tests check every band against it). */
	fprintf(fp, "# range: %.17g %.17g\n", L->ymin / L->y.scale, L->ymax / L->y.scale);
	for (size_t s = 0; s < d->nseries; s++) {
		if (s > 0)
			fputs("\n\n", fp); /* two blank lines end a block */
		const struct plot_series *ser = &d->series[s];
		for (size_t i = ser->first; i < ser->first + ser->count; i++) {
			const struct plot_row *r = &d->rows[i];
			plot_put_number(fp, r->x / L->x.scale, " ");
			plot_put_number(fp, r->y / L->y.scale, " ");
			plot_put_number(fp, plot_band_value(r->lo, L), " ");
			plot_put_number(fp, plot_band_value(r->hi, L), " ");
			fprintf(fp, "%d ", r->oversub);
			plot_put_number(fp, r->n, "\n");
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

/* "threads (above the core count oversubscribed)" + "threads": the label as given, then
 * the unit in parentheses (always last, so that a reader finds it in one place). */
static void plot_put_label(FILE *fp, const char *what, const char *text, const char *unit)
{
	char buf[1024];
	bool has_text = text && *text, has_unit = unit && *unit;
	if (!has_text && !has_unit)
		return;
	if (has_text && has_unit && strcmp(text, unit) == 0)
		has_unit = false; /* "threads", not "threads (threads)" */
	snprintf(buf, sizeof buf, "%s%s%s%s%s", has_text ? text : unit,
		 has_text && has_unit ? " (" : "", has_text && has_unit ? unit : "",
		 has_text && has_unit ? ")" : "", "");
	fprintf(fp, "set %s ", what);
	plot_put_string(fp, buf);
	fputs(" noenhanced\n", fp);
}

/* The plot command: all bands first so that every line is drawn above every band; the
 * bands have no legend entry, the lines carry the series names; rings over the
 * oversubscribed points last, with one legend entry. */
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
	bool titled = false;
	for (size_t s = 0; s < d->nseries; s++) {
		if (!d->series[s].has_oversub)
			continue;
		fprintf(fp, "%srb_data index %zu using 1:($5 > 0 ? $2 : NaN) with points "
			"ls house_oversub %s", sep, s,
			titled ? "notitle" : "title 'oversubscribed (threads > cores)'");
		titled = true;
	}
	fputc('\n', fp);
}

static void plot_put_axes(FILE *fp, const struct plot_spec *spec, const struct plot_layout *L)
{
	fputs("# units: x ", fp);
	plot_put_string(fp, L->x.unit);
	fputs(" y ", fp);
	plot_put_string(fp, L->y.unit);
	fputc('\n', fp);
	plot_put_label(fp, "xlabel", spec->xlabel, L->x.unit);
	plot_put_label(fp, "ylabel", spec->ylabel, L->y.unit);
	fprintf(fp, "# logscale x: asked %d, drawn %d; y: asked %d, drawn %d (log only where "
		"the data span more than 10x)\n", spec->logx, L->x.log, spec->logy, L->y.log);
	if (L->x.log)
		fputs("set logscale x\n", fp);
	if (L->y.log)
		fputs("set logscale y\n", fp);
	fprintf(fp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n", L->x.lo, L->x.hi,
		L->y.lo, L->y.hi);
	if (L->nticks > 0) {
		fputs("set xtics (", fp);
		for (size_t k = 0; k < L->nticks; k++)
			fprintf(fp, "%s\"%g\" %.17g", k ? ", " : "", L->ticks[k], L->ticks[k]);
		fputs(")\nunset mxtics\n", fp);
	}
}

static int plot_write_script(const struct plot_files *f, const struct plot_spec *spec,
			     const struct plot_data *d, const struct plot_layout *L,
			     const char *root, char *err, size_t errlen)
{
	char house[PATH_MAX];
	if (rb_path_join(house, sizeof house, root, RB_ROOT_MARKER, err, errlen))
		return -1;
	FILE *fp = fopen(f->script, "we");
	if (!fp)
		return rb_error(err, errlen, "plot: cannot write %s: %s", f->script,
				 strerror(errno));
	fprintf(fp, "# %s: generated by relaxbench (suite/plot.c); `gnuplot %s.gp` in this "
		"folder redraws it\nload ", spec->id, spec->id);
	plot_put_string(fp, house);
	fputs("\nif (!exists('rb_dir')) rb_dir = '.'\n", fp);
	fprintf(fp, "rb_data = rb_dir . '/%s.dat'\n", spec->id);
	if (spec->title && *spec->title) {
		fputs("set title ", fp);
		plot_put_string(fp, spec->title);
		fputs(" noenhanced\n", fp);
	}
	fputs("# caption: the band drawn (what a reader must know to trust it)\n"
	      "set label 101 ", fp);
	plot_put_string(fp, L->caption);
	fputs(" at graph 0.5, graph 1 center offset 0, house_caption_offset noenhanced "
	      "font house_caption_font textcolor rgb house_caption_colour\n"
	      "set title offset 0, house_title_offset\n", fp);
	fputs("set tmargin house_caption_tmargin\n", fp);
	plot_put_axes(fp, spec, L);
	fprintf(fp, "eval 'set terminal ' . house_png\nset output rb_dir . '/%s.png'\n",
		spec->id);
	plot_put_elements(fp, d);
	fprintf(fp, "eval 'set terminal ' . house_svg\nset output rb_dir . '/%s.svg'\n"
		"replot\nunset output\n", spec->id);
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

/* rb_dir: where a generated script finds its data and writes its figures. */
static int plot_run_gnuplot(struct plot_files *f, bool set_dir, char *err, size_t errlen)
{
	char dir_cmd[PATH_MAX + 16];
	size_t k = (size_t)snprintf(dir_cmd, sizeof dir_cmd, "rb_dir = '");
	for (const char *p = f->dir; *p && k + 4 < sizeof dir_cmd; p++) {
		if (*p == '\'')
			dir_cmd[k++] = '\'';
		dir_cmd[k++] = *p;
	}
	snprintf(dir_cmd + k, sizeof dir_cmd - k, "'");
	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa))
		return rb_error(err, errlen, "plot: out of memory");
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, f->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* --default-settings: ignore the user's ~/.gnuplot, so every machine draws alike. */
	char *argv[] = {"gnuplot", "--default-settings", "-e", dir_cmd, f->script, NULL};
	if (!set_dir) {
		argv[2] = f->script;
		argv[3] = NULL;
	}
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
 * the PNG is taken back, so that no figure is left without its twin from another run.
 * The script and data (when given) follow; without them the figure still stands. */
static int plot_publish(const struct plot_files *f, const char *outdir, const char *id,
			bool keep_sources, char *err, size_t errlen)
{
	char name[PLOT_ID_MAX + 8], png[PATH_MAX], svg[PATH_MAX], dst[PATH_MAX];
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
	const char *ext[] = {"gp", "dat"};
	const char *src[] = {f->script, f->data};
	for (size_t i = 0; keep_sources && i < 2; i++) {
		snprintf(name, sizeof name, "%s.%s", id, ext[i]);
		if (rb_path_join(dst, sizeof dst, outdir, name, err, errlen) ||
		    rb_path_publish(src[i], dst, err, errlen))
			return -1;
	}
	return 0;
}

static int plot_draw(const struct plot_spec *spec, struct plot_data *d, const char *root,
		     const char *outdir, char *err, size_t errlen)
{
	if (rb_mkdirs(outdir, err, errlen))
		return -1;
	struct plot_files *f = calloc(1, sizeof *f);
	struct plot_layout *L = calloc(1, sizeof *L);
	if (!f || !L) {
		free(f);
		free(L);
		return rb_error(err, errlen, "plot: out of memory");
	}
	plot_layout(spec, d, L);
	int rc = plot_make_files(f, outdir, spec->id, err, errlen);
	if (rc == 0)
		rc = plot_write_data(f->data, d, L, err, errlen);
	if (rc == 0)
		rc = plot_write_script(f, spec, d, L, root, err, errlen);
	if (rc == 0)
		rc = plot_run_gnuplot(f, true, err, errlen);
	if (rc == 0)
		rc = plot_publish(f, outdir, spec->id, true, err, errlen);
	/* A leftover temporary folder is reported, but never hides an earlier error. */
	if (f->dir[0] && rb_path_remove_tmpdir(f->dir, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
	free(f);
	free(L);
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
		rc = plot_run_gnuplot(f, false, err, errlen);
	if (rc == 0)
		rc = plot_publish(f, outdir, id, false, err, errlen);
	if (f->dir[0] && rb_path_remove_tmpdir(f->dir, rc ? NULL : err, rc ? 0 : errlen))
		rc = -1;
	free(f);
	return rc;
}
