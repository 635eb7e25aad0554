/*
 * store: results/relaxbench.db, the SQLite store that tables, plots, claims and the
 * report read (DESIGN.md, "Runs and results"). `collect` loads run folders into it,
 * idempotently. For one manifest at one scale, store_scope() creates temporary views
 * limited to exactly the runs that manifest expands to, with one column per parameter:
 *
 *   runs     run_id, algorithm, dataset, seed, status, message, wall_s, cpu_s,
 *            algo_wall_s, peak_rss_kb, oversubscribed, <param>...
 *   final    the ok runs' summaries: runs columns + metric, value
 *   summary  final aggregated over seeds: algorithm, dataset, <param>..., metric,
 *            mean, sd, ci95, lo, hi, n, min, max, band_lo, band_hi, oversub
 *   curve    series aggregated over seeds: algorithm, dataset, <param>..., metric,
 *            step, mean, sd, ci95, lo, hi, n, band_lo, band_hi, oversub
 *   failures runs whose status is not ok
 *
 * so that a claim reads `SELECT mean FROM summary WHERE algorithm='sgd' AND lr=0.5 AND
 * metric='final_loss'`. Aggregates stdev() and ci95() (Student t, 95%) are registered
 * on every connection; lo/hi are mean -+ ci95 (what claims read). The figures draw
 * band_lo/band_hi instead, the aggregates band_lo() and band_hi() (suite/interval.h:
 * min..max below 5 values, the 95% percentile bootstrap of the mean from 5 on; NULL for
 * one value); oversub is 1 when a run of the group had more threads than cores.
 */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>

#include "suite/sweep.h"

/* Open (creating the schema if needed). `readonly` opens an existing store only. */
sqlite3 *store_open(const char *path, int readonly, char *err, size_t errlen);
void store_close(sqlite3 *db);

/* Load every finished run folder under <results>/runs and <results>/calibration.json;
 * runs already loaded with the same finished_at are skipped. Counts go to *loaded and
 * *skipped. */
int store_collect(sqlite3 *db, const char *results, int *loaded, int *skipped, char *err,
		  size_t errlen);

/* Create the temporary views for one expanded manifest (replacing earlier ones). */
int store_scope(sqlite3 *db, const struct sweep *s, char *err, size_t errlen);

/* Column names that parameters may not take, since the views use them. */
int store_reserved_name(const char *name);

/* First column of the first row of a query: 1 with a value, 0 when the query gives no
 * row or NULL, -1 on an SQL error (message in err). */
int store_scalar(sqlite3 *db, const char *sql, double *out, char *err, size_t errlen);

/* Prepare only, for validating a manifest's queries before runs. */
int store_check_sql(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* Path of the store in a results folder. */
void store_path(const char *results, char *buf, size_t len);

#endif
