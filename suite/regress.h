/*
 * regress: regression checks against committed reference numbers (results/reference/).
 *
 * For each manifest, the reference is results/reference/<experiment>.csv: every claim's
 * measured value and verdict, and every key metric of the manifest's `regress` section
 * (value and sd over seeds), at one scale (CI's: smoke), with the git revision and host
 * that produced it. `relaxbench reference` writes it from a results store; `relaxbench
 * regress` measures the same items in a store and compares:
 *
 *   key metric  a change beyond its tolerance (max of abs, rel x |ref|, sd x ref sd) in
 *               the worse direction fails; one in the better direction is IMPROVED; a
 *               metric the runs no longer produce fails (MISSING)
 *   claim       a verdict that goes from PASS to anything else fails, unless the claim
 *               says `regress: report` (its verdict depends on the machine's speed)
 *
 * The outputs, worst first (failing items, then changed ones, then the rest by how far
 * they moved toward worse, in units of their tolerance): the table, results/REGRESS.md
 * with the figures embedded, and a labelled dot plot per family and one overview, each
 * drawn by plots/templates/regress.gp from a tab-separated data file kept beside it.
 *
 * `relaxbench trend` evaluates the key metrics in several stores (one per commit, as CI
 * archives them), or reads them from the git history of the reference files, and plots
 * each against commit with the band.
 */
#ifndef REGRESS_H
#define REGRESS_H

#include <sqlite3.h>
#include <stdio.h>

#include "suite/manifest.h"
#include "suite/sweep.h"

enum rg_state { RG_OK, RG_REGRESSED, RG_IMPROVED, RG_CHANGED, RG_NEW, RG_MISSING };

/* One claim or key metric of one experiment, measured now and/or in the reference. */
struct rg_item {
	char experiment[128], family[64], id[128];
	int is_claim;
	int in_manifest;                   /* 0: only in the reference file */
	int report_only;                   /* claims: `regress: report` */
	double tol_abs, tol_rel, tol_sd;   /* metrics: from the manifest */
	int better;                        /* enum mf_better */
	int have_ref, have_now;
	double ref, ref_sd, now, now_sd;   /* sd NAN when the query gave none */
	char ref_verdict[20], now_verdict[20];
	char ref_rev[64], ref_host[64];    /* the reference row's git revision and host */
	int now_fails;                     /* claims: the verdict fails `claims` (out_claim_fails) */
	double bound;                      /* metrics: the tolerance around ref */
	enum rg_state state;
};

struct rg_set {
	struct rg_item *items;
	int n, cap;
	char scale[16];                    /* the reference's scale */
};

void rg_free(struct rg_set *set);

/* Append a copy of every item of src to dst. 0, or -1 when out of memory. */
int rg_copy(struct rg_set *dst, const struct rg_set *src);

/* Measure every claim and key metric of sweep s (db scoped to it by this call) and
 * append them to `set` as the current values. 0, or -1 with a reason in err. */
int rg_measure(sqlite3 *db, const struct sweep *s, struct rg_set *set, char *err, size_t errlen);

/* Write <refdir>/<experiment>.csv for each experiment in `set` (current values, atomically);
 * git revision and host from the store's runs. 0, or -1 with a reason in err. */
int rg_write_reference(sqlite3 *db, const struct rg_set *set, const char *scale, const char *refdir,
		       char *err, size_t errlen);

/* Read <refdir>/<experiment>.csv into the reference side of the matching items of `set`
 * (items only in the reference are appended as MISSING). 0; 1 when the file does not
 * exist (every item is NEW); -1 with "file:line: problem" in err for a malformed file
 * or one made at another scale than `scale`. */
int rg_read_reference(struct rg_set *set, const struct sweep *s, const char *scale,
		      const char *refdir, char *err, size_t errlen);

/* The same from an open stream (a file, or `git show REV:path`); `name` goes into err. 0,
 * or -1 with "name:line: problem" in err; an empty stream is an error. */
int rg_read_reference_stream(struct rg_set *set, const struct sweep *s, const char *scale,
			     FILE *f, const char *name, char *err, size_t errlen);

/* Append every claim and key metric of sweep s, with no values, in the order rg_measure
 * appends them (claims, then key metrics): the items a history is drawn for. 0, or -1
 * when out of memory. */
int rg_declare(const struct sweep *s, struct rg_set *set);

/* The tolerance around the reference: the largest of abs, rel x |ref| and sd x ref sd. */
double rg_tolerance(const struct rg_item *it);

/* Decide each item's state; returns the number of failing items (REGRESSED, MISSING). */
int rg_compare(struct rg_set *set);

/* A compared key metric's (now - reference) / tolerance: NAN for claims and when either
 * value is absent; +-INFINITY for a change of an exact (zero-tolerance) metric. */
double rg_deviation(const struct rg_item *it);

/* Whether a compared item lies outside its band. Metrics: beyond the tolerance either
 * way, or MISSING. Claims, whose band is their verdict: the verdict now is neither PASS
 * nor the reference's (REGRESSED, CHANGED). */
int rg_outside(const struct rg_item *it);

/* The indices of set's items, worst first, into order (set->n ints): REGRESSED and
 * MISSING, then CHANGED, then the rest, each by its move toward worse in tolerances
 * (a lost claim or metric counts as the worst); NEW last; ties keep the manifest order. */
void rg_order(const struct rg_set *set, int *order);

/* The table (Markdown, worst first) on out: #, item, experiment, reference, now, change
 * in tolerances, tolerance, verdict; then a line per failing item saying which metric
 * and by how much. */
void rg_print(FILE *out, const struct rg_set *set);

/* One line: "regress: N items, R regressed, I improved, C changed, M missing, K new". */
void rg_summary(FILE *out, const struct rg_set *set);

/* The figures, in <plots>/regress/: per family <family>.{png,svg} and the data file it is
 * drawn from, <family>.dat; overview.{png,svg,dat} with every failing item and the worst
 * RG_OVERVIEW_ROWS of each family. A data file is tab-separated, one row per item, top
 * row first, with a header line; the columns are RG_DAT_HEADER's. 0, or -1 with a reason. */
#define RG_OVERVIEW_ROWS 4
#define RG_DAT_HEADER "# row\tfamily\texperiment\tkind\titem\treference\tnow\ttolerance" \
	"\tdeviation\tx\toutside\tstate\tlabel\tvalues"
int rg_plot(const struct rg_set *set, const char *plots, char *err, size_t errlen);

/* results/REGRESS.md: the summary line, the overview figure, the table worst first, the
 * failures, and each family's figure, linked relative to the file (atomically written;
 * its folder is created). 0, or -1 with a reason in err. */
int rg_write_markdown(const struct rg_set *set, const char *path, const char *plots, char *err,
		      size_t errlen);

const char *rg_state_name(enum rg_state s);

#endif
