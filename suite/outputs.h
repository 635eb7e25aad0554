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

/* A claim's verdict (DESIGN.md, "Tables, plots, claims, report"): FAIL when its predicate
 * is false or when a run in its scope is not ok; INCOMPLETE when runs in its scope are
 * missing; NOT-RUN when its query gives no number; NOT-JUDGED at a scale not in its
 * `judged_at`. A FAIL of the predicate on a claim with `known_deviation` stays FAIL but
 * is shown as a known deviation and does not fail the command. */
enum out_verdict { OUT_PASS, OUT_FAIL, OUT_NOT_RUN, OUT_ERROR, OUT_INCOMPLETE, OUT_NOT_JUDGED };

struct out_claim {
	const struct mf_claim *claim;
	enum out_verdict verdict;
	int have_measured;       /* the query gave a number (shown even beside FAIL/INCOMPLETE) */
	double measured;
	int nfailed, nmissing;   /* runs in scope that are not ok / that are absent */
	char message[512];
};

enum out_plot_state { OUT_PLOT_OK, OUT_PLOT_NO_DATA, OUT_PLOT_ERROR };

struct out_plot {
	const struct mf_plot *plot;
	enum out_plot_state state;
	char png[4096], svg[4096];
	char message[512];
};

const char *out_verdict_name(enum out_verdict v);
/* "PASS", "FAIL (known deviation)", ...: what the claims table shows. */
const char *out_claim_label(const struct out_claim *r);
/* Whether the claim fails the command (claims, report, make reproduce exit 1): a FAIL
 * that is not a known deviation, INCOMPLETE, NOT-RUN or ERROR. */
int out_claim_fails(const struct out_claim *r);
/* Whether a FAIL is the declared known deviation (the predicate, not a failed run). */
int out_claim_is_known_deviation(const struct out_claim *r);

/* Verdict counts over many claims, for the summary lines of `claims` and the report. */
struct out_tally {
	int pass, fail, known_deviation, incomplete, not_run, not_judged, error;
};
void out_tally_add(struct out_tally *t, const struct out_claim *r);
/* How many of the counted claims fail the command (see out_claim_fails). */
int out_tally_failing(const struct out_tally *t);
/* "12 PASS, 1 FAIL, 2 FAIL (known deviation), ...": PASS, then the counts that are not 0. */
void out_tally_text(const struct out_tally *t, char *buf, size_t len);

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
