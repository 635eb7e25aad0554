/*
 * plot: one figure from one SQL query over the results store, drawn by gnuplot in the
 * house style (plots/templates/house.gp) as <outdir>/<id>.png and <outdir>/<id>.svg.
 * Each series is a line (with point marks when it has at most PLOT_FEW_POINTS x values)
 * over a light band from lo to hi (DESIGN.md: "plots show bands").
 */
#ifndef PLOT_H
#define PLOT_H

#include <stddef.h>
#include <sqlite3.h>

/* plot_render's result when the query returned no plottable row: nothing was written,
 * err says why; the caller marks the figure NOT-RUN rather than failed. */
#define PLOT_NO_DATA 1

/* A series with at most this many distinct x values gets point marks on its line. */
#define PLOT_FEW_POINTS 12

struct plot_spec {
	const char *id;             /* file stem: [A-Za-z0-9_.-], not starting with '.' */
	const char *title;          /* NULL or "": no title */
	const char *xlabel, *ylabel; /* NULL or "": no label */
	int logx, logy;
	/* SQL returning the columns series TEXT, x REAL, y REAL, lo REAL|NULL, hi REAL|NULL,
	 * named exactly so, in that order (use AS). Rows may come in any order; series are
	 * drawn (and listed in the legend) in the order each first appears. A row whose x
	 * or y is NULL or not finite is skipped; a NULL lo or hi leaves a gap in the band. */
	const char *query;
};

/*
 * Run spec->query on db and render the figure into outdir (created if missing). Each
 * file appears complete or not at all (written in a temporary folder under outdir, then
 * renamed); the temporary folder is removed. Returns 0; PLOT_NO_DATA when the query
 * returned no plottable row (err says so, nothing written); -1 with a reason in err (a
 * bad query or column set, gnuplot's first error line, an I/O error).
 * Needs the gnuplot executable on PATH and the repository root (rb_root_dir).
 */
int plot_render(sqlite3 *db, const struct plot_spec *spec, const char *outdir, char *err,
		size_t errlen);

/* Check a plot query without running it: it compiles on db, is one read-only statement,
 * and returns the columns series, x, y, lo, hi. 0, or -1 with a reason in err. */
int plot_check_query(sqlite3 *db, const char *query, char *err, size_t errlen);

/*
 * Render <outdir>/<id>.png and .svg with a template, plots/templates/<name>.gp, for
 * figures that are not series over x (the regression dot plots). The generated script
 * loads house.gp, sets rb_data to datafile (the caller writes and keeps it, so that a
 * test can read what was drawn), rb_png and rb_svg to the two outputs, and each of vars
 * (name, value pairs, NULL-terminated; every value a gnuplot string, names identifiers),
 * then loads the template, which sets both terminals and draws. Files appear as with
 * plot_render. 0, or -1 with a reason in err.
 */
int plot_render_template(const char *name, const char *datafile, const char *const *vars,
			 const char *outdir, const char *id, char *err, size_t errlen);

#endif
