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

/* What a figure's band is; the caption names it. PLOT_BAND_HOUSE: the store's band_lo /
 * band_hi (suite/interval.h: min..max for n < 5, 95% percentile bootstrap of the mean
 * from 5 on). The others are for queries that compute their band otherwise. */
enum plot_band { PLOT_BAND_HOUSE, PLOT_BAND_T95, PLOT_BAND_SD, PLOT_BAND_MINMAX, PLOT_BAND_NONE };

/* The manifest's name of a band kind (house, t95, sd, minmax, none), or -1. */
int plot_band_parse(const char *name);
const char *plot_band_name(enum plot_band b);

struct plot_spec {
	const char *id;             /* file stem: [A-Za-z0-9_.-], not starting with '.' */
	const char *title;          /* NULL or "": no title */
	const char *xlabel, *ylabel; /* NULL or "": no label */
	int logx, logy;             /* asked for; drawn log only where the data span > 10x */
	/* SQL returning the columns series TEXT, x REAL, y REAL, lo REAL|NULL, hi REAL|NULL,
	 * named exactly so, in that order (use AS), then optionally n (repeats behind the
	 * point, for the caption) and oversub (nonzero: the point ran with more threads than
	 * cores; drawn ringed), in any order. Rows may come in any order; series are drawn
	 * (and listed in the legend) in the order each first appears. A row whose x or y is
	 * NULL or not finite is skipped; a NULL lo or hi leaves a gap in the band. */
	const char *query;

	/* How the figure reads (issue 22; experiments/README.md, "Plots"). */
	const char *xunit, *yunit;  /* the axes' units, SI-prefixed from the data; NULL: none */
	int range_given;            /* the quantity's y range [ymin, ymax] (either infinite); */
	double ymin, ymax;          /* otherwise [0, inf) for s, B and x/s units, else open */
	enum plot_band band;
};

/* The unit an axis is labelled with: `unit` with the SI prefix (binary for B) that brings
 * maxabs, the largest |value| on the axis, into [1, 1000) (1024 for B); times go down to
 * ns, rates and counts only up (no "m ops/s"). *scale is what the values are divided by.
 * "ops/s" at 4.5e7 gives "M ops/s" and 1e6; "s" at 0.004 gives "ms" and 1e-3. */
void plot_unit_prefix(const char *unit, double maxabs, char *out, size_t outlen, double *scale);

/*
 * Run spec->query on db and render the figure into outdir (created if missing), as
 * <id>.png and <id>.svg, with the gnuplot script and data that drew them beside them
 * (<id>.gp, <id>.dat: `gnuplot <id>.gp` in outdir redraws it; tests read them). Each
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
