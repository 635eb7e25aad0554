/*
 * trend: the key metrics of manifests (their `regress` section) across several results
 * stores, one per commit as CI systems archive them, in commit order, each drawn as
 * <plots>/trend/<experiment>/<metric>.{png,svg} beside the reference's tolerance band.
 */
#ifndef TREND_H
#define TREND_H

#include <stdio.h>

#include "suite/sweep.h"

struct trend_opts {
	const char *const *stores;   /* results folders, or relaxbench.db files */
	int nstores;
	const struct sweep *sweeps;  /* the manifests, expanded at `scale` */
	int nsweeps;
	const char *scale, *refdir, *plots;
};

/* Measure, order, print a table on out and render the plots. 0, or -1 with a reason in
 * err (a store that cannot be opened, an SQL or plot error). */
int trend_run(const struct trend_opts *o, FILE *out, char *err, size_t errlen);

#endif
