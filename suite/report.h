/*
 * report: results/REPORT.md — per paper, each experiment's figures, tables and claims
 * table (paper value, measured value, verdict), the runs that failed and why, and the
 * environment with the calibration figures.
 */
#ifndef REPORT_H
#define REPORT_H

#include "suite/sweep.h"

struct report_opts {
	const char *results;    /* results folder: the store and REPORT.md */
	const char *plots;      /* where the figures were rendered */
	const char *out;        /* the report's path; NULL means <results>/REPORT.md */
};

/* Write the report for the expanded manifests. Also renders the plots and writes the
 * tables' CSV, so that the report never points at a missing figure. Counts of claim
 * verdicts go to *pass, *fail, *not_run. */
int report_write(struct sweep *sweeps, int n, const struct report_opts *o, int *pass, int *fail,
		 int *not_run, char *err, size_t errlen);

#endif
