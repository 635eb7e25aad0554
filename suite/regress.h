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
 * `relaxbench trend` evaluates the key metrics in several stores (one per commit, as CI
 * archives them) and plots each across the stores, in commit order, with the band.
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

/* Decide each item's state; returns the number of failing items (REGRESSED, MISSING). */
int rg_compare(struct rg_set *set);

/* The table (Markdown) on out: #, experiment, item, reference, now, tolerance, verdict,
 * and a line per failing item saying which metric and by how much. */
void rg_print(FILE *out, const struct rg_set *set);

/* One figure per family, <plots>/regress/<family>.{png,svg}: each key metric's deviation
 * from the reference in units of its tolerance, beside the band [-1, 1]. */
int rg_plot(const struct rg_set *set, const char *plots, char *err, size_t errlen);

const char *rg_state_name(enum rg_state s);

#endif
