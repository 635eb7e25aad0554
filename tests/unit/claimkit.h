/*
 * claimkit: a claim's SQL fed a store written by the test, so that each claim of a real
 * manifest can be shown to PASS where its statement holds and to FAIL where it does not
 * ("every claim has a test that shows it can fail"). The store is in memory and holds
 * every run the manifest expands to at the chosen scale, status ok, with no metrics; the
 * test then writes the metrics (and statuses) the statement is about.
 */
#ifndef CLAIMKIT_H
#define CLAIMKIT_H

#include "suite/outputs.h"

struct ck;

/* Load `manifest` (path relative to the repository root, $RELAXBENCH_ROOT or ".") at a
 * scale ("smoke", "quick", "full"). Asserts on any error. */
struct ck *ck_open(const char *manifest, const char *scale);
/* For every run of the `runs` view matching `where` (SQL; "1" for all), set the summary
 * `metric` to `value_expr`, an SQL expression over that view's columns ("1.0 / k"). */
void ck_summary(struct ck *k, const char *where, const char *metric, const char *value_expr);
/* The same for one series point (the curve view) at `step`. */
void ck_series(struct ck *k, const char *where, const char *metric, double step, const char *value_expr);
/* Give matching runs a status ("timeout", "verify_failed", ...), or remove them. */
void ck_status(struct ck *k, const char *where, const char *status);
void ck_delete(struct ck *k, const char *where);
/* Any SQL against the store (main.runs, main.params, main.summaries, main.series and the
 * views runs, final, summary, curve). */
void ck_sql(struct ck *k, const char *sql);
/* One claim's verdict by the suite's rules (out_claims); `measured` may be NULL. */
enum out_verdict ck_verdict(struct ck *k, const char *claim_id, double *measured);
void ck_close(struct ck *k);
/* The store and the expanded manifest, for tests that render its outputs (test_figures). */
sqlite3 *ck_db(struct ck *k);
const struct sweep *ck_sweep(struct ck *k);

#endif
