/*
 * trend: the key metrics of manifests (their `regress` section) across commits, each
 * drawn as <plots>/trend/<experiment>/<metric>.{png,svg} from the data file
 * <metric>.dat kept beside it, with the tolerance band of the current reference.
 *
 * Two sources of points, oldest first:
 *   git     the reference files are committed, so their history is the history: the
 *           value of each key metric in <refdir>/<experiment>.csv at every commit that
 *           changed refdir (git log and git show, run in refdir)
 *   stores  results folders or relaxbench.db files (one per commit, as CI archives them,
 *           or the current run), measured as `regress` measures them, in commit order
 * Each point carries its commit (short hash and date, on the x axis) and the machine
 * that produced it (the reference row's host, or the store's runs').
 */
#ifndef TREND_H
#define TREND_H

#include <stdio.h>

#include "suite/sweep.h"

struct trend_opts {
	/* Results folders or .db files. With git, an argument that is no existing path is
	 * the revision range handed to git log (at most one; default: all history). */
	const char *const *stores;
	int nstores;
	int git;                     /* read the history of refdir from git */
	const struct sweep *sweeps;  /* the manifests, expanded at `scale` */
	int nsweeps;
	const char *scale, *refdir, *plots;
};

/* Measure, order, print a table on out and render the plots. 0, or -1 with a reason in
 * err (a store that cannot be opened, git failing, an SQL or plot error). */
int trend_run(const struct trend_opts *o, FILE *out, char *err, size_t errlen);

#endif
