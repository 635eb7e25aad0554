/*
 * outputs: what a manifest declares besides its runs — plots, tables and claims —
 * evaluated over the store's views for that manifest at one scale. Their queries are
 * also checked against an empty store before any run, so a typo in a claim fails in
 * the first second, not after an hour of runs.
 */
#ifndef OUTPUTS_H
#define OUTPUTS_H

#include <sqlite3.h>

#include "suite/sweep.h"

enum out_verdict { OUT_PASS, OUT_FAIL, OUT_NOT_RUN, OUT_ERROR };

struct out_claim {
	const struct mf_claim *claim;
	enum out_verdict verdict;
	double measured;
	char message[256];
};

enum out_plot_state { OUT_PLOT_OK, OUT_PLOT_NO_DATA, OUT_PLOT_ERROR };

struct out_plot {
	const struct mf_plot *plot;
	enum out_plot_state state;
	char png[4096], svg[4096];
	char message[512];
};

const char *out_verdict_name(enum out_verdict v);

/* The SQL a plot runs: its own `query`, or one built from x, y and series. */
void out_plot_query(const struct sweep *s, const struct mf_plot *p, char *buf, size_t len);

/* Check every table, claim and plot query of the sweep's manifest against an empty
 * store; the first problem as "file:line:col: key: message". */
int out_check_queries(const struct sweep *s, char *err, size_t errlen);

/* Claims of the manifest; `db` must be scoped to the sweep (store_scope). */
void out_claims(sqlite3 *db, const struct sweep *s, struct out_claim *res);

/* Render every plot into <plots_dir>/<experiment>/<id>.{png,svg}. */
void out_plots(sqlite3 *db, const struct sweep *s, const char *plots_dir, struct out_plot *res);

/* Write every table as <results>/tables/<experiment>/<id>.csv (Markdown goes in the report). */
int out_tables(sqlite3 *db, const struct sweep *s, const char *results, char *err, size_t errlen);

#endif
