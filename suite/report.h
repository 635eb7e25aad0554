/*
 * report: results/REPORT.md — per paper, each experiment's figures, tables and claims
 * table (paper value, measured value, verdict), the runs that failed and why, and the
 * environment with the calibration figures.
 */
#ifndef REPORT_H
#define REPORT_H

#include "suite/outputs.h"
#include "suite/sweep.h"

struct report_opts {
	const char *results;    /* results folder: the store and REPORT.md */
	const char *plots;      /* where the figures were rendered */
	const char *out;        /* the report's path; NULL means <results>/REPORT.md */
	int allow_mixed;        /* write it even when an algorithm's runs mix code fingerprints */
};

/* report_write's return when runs of one algorithm came from different code and
 * allow_mixed is not set: nothing is written, err names the runs. */
#define REPORT_MIXED (-2)

/* Write the report for the expanded manifests. Also renders the plots and writes the
 * tables' CSV, so that the report never points at a missing figure. The claims' verdicts
 * are counted into *t. Returns 0, -1 on an error, REPORT_MIXED. */
int report_write(struct sweep *sweeps, int n, const struct report_opts *o, struct out_tally *t,
		 char *err, size_t errlen);

#endif
