/*
 * manifest: one experiment, read from YAML with libyaml's document API so that every
 * node keeps its line and column. Loading checks the whole schema — keys, types,
 * registered algorithms and datasets, every parameter value at every scale against
 * the algorithm's table, claim predicates — and the first problem is reported as
 * "file:line:column: key: what is wrong". Nothing runs until a manifest loads cleanly.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <yaml.h>

#include "suite/registry.h"

enum mf_scale { MF_SMOKE, MF_QUICK, MF_FULL, MF_SCALES };

#define MF_MAX_ALGOS 16
#define MF_MAX_DATASETS 8
#define MF_MAX_ITEMS 32

struct mf_plot {
	const char *id, *title, *x, *y, *xlabel, *ylabel, *query;
	const char *series[8];
	int nseries;
	int logx, logy;
	const yaml_node_t *node;
	/* `headline: true`: the figure that shows the paper's main result; the report opens
	 * the paper's section with it (at most one per family). */
	int headline;
	/* How the figure reads (issue 22; suite/plot.h): each axis' unit, the quantity's y
	 * range (`range: [lo, hi]`, either bound null for open) and what the band is
	 * (`band:` house, t95, sd, minmax or none; an enum plot_band). */
	const char *xunit, *yunit;
	int range_given;
	double ymin, ymax;
	int band;
};

struct mf_table {
	const char *id, *title, *query;
	const yaml_node_t *node;
};

enum mf_op { MF_LT, MF_LE, MF_GT, MF_GE, MF_EQ, MF_BETWEEN };

/* How the report's deviation column compares the measured value with the paper's. */
enum mf_deviation { MF_DEV_NONE, MF_DEV_RELATIVE, MF_DEV_ABSOLUTE };

/* `paper_terms:` display only, never part of the verdict: the measured value in the
 * terms the paper states it (a ratio, an accuracy, an iteration), when the claim's
 * `measured` is a derived number (a relative error, a difference, a count). */
struct mf_paper_terms {
	const char *query;            /* first column of the first row; NULL: the claim's measured */
	const char *unit;             /* appended to a number, or NULL */
	int have_paper;
	double paper;                 /* the paper's number in these terms */
	/* With `paper`: the deviation measured vs paper. Without: the claim's tested
	 * value is itself that deviation (a relative error, a distance), shown as such. */
	enum mf_deviation deviation;
	const yaml_node_t *node;
};

struct mf_claim {
	const char *id, *statement, *paper_value, *measured, *expect;
	enum mf_op op;
	double a, b;          /* the predicate's bound(s); b only for MF_BETWEEN */
	/* `regress: report`: the verdict depends on the machine's speed, so a PASS turning
	 * into FAIL is shown by `relaxbench regress` but does not fail it. */
	int regress_report_only;
	/* `scope:` an SQL condition over the plan's columns (algorithm, dataset, seed, the
	 * parameters) narrowing the runs the verdict rests on; NULL: every run. */
	const char *scope;
	/* `known_deviation:` one line, why the paper's statement does not hold here; a FAIL
	 * is then shown as a known deviation and does not fail the command. */
	const char *known_deviation;
	/* `judged_at:` the scales whose data decide the claim (all when not given). */
	int judged_at[MF_SCALES];
	struct mf_paper_terms terms;
	const yaml_node_t *node;
};

/* A key metric for regression checks (`relaxbench regress`): one SQL row of value and,
 * optionally, sd; the tolerance is the largest of abs, rel x |reference| and sd x the
 * reference's sd (a component left out counts 0). */
enum mf_better { MF_EITHER, MF_LOWER, MF_HIGHER };

struct mf_regress {
	const char *id, *query;
	double tol_abs, tol_rel, tol_sd;
	enum mf_better better;  /* a change in the better direction never fails */
	const yaml_node_t *node;
};

struct mf_dataset {
	const char *name;
	const yaml_node_t *params;           /* mapping or NULL */
	const char *fallback;                /* generator when the files are absent, or NULL */
	const yaml_node_t *fallback_params;  /* mapping or NULL */
	const yaml_node_t *node;
};

struct manifest {
	char path[1024];
	yaml_document_t doc;
	const char *id, *title, *description, *reproduces;
	const char *paper_title, *paper_arxiv, *paper_venue;
	const struct rb_algorithm *algos[MF_MAX_ALGOS];
	int nalgos;
	struct mf_dataset datasets[MF_MAX_DATASETS];
	int ndatasets;
	const yaml_node_t *params;   /* mapping or NULL */
	const yaml_node_t *only;     /* mapping algorithm -> mapping, or NULL */
	const yaml_node_t *seeds;    /* count, list, or scale map; NULL means 1 */
	const yaml_node_t *timeout;  /* seconds, or scale map; NULL means the default */
	const char *metrics[MF_MAX_ITEMS];
	int nmetrics;
	struct mf_plot plots[MF_MAX_ITEMS];
	int nplots;
	struct mf_table tables[MF_MAX_ITEMS];
	int ntables;
	struct mf_claim claims[MF_MAX_ITEMS];
	int nclaims;
	struct mf_regress regress[MF_MAX_ITEMS];
	int nregress;
};

/* The harness-level parameter every algorithm accepts: threads for the run. */
extern const struct rb_param_spec mf_threads_spec;

/* Load and validate; returns NULL with "file:line:col: ..." in err. */
struct manifest *mf_load(const char *path, char *err, size_t errlen);
void mf_free(struct manifest *m);

const char *mf_scale_name(enum mf_scale s);
/* -1 when the name is no scale. */
int mf_scale_parse(const char *name);

/* Format "file:line:col: " for a node into buf. */
void mf_where(const struct manifest *m, const yaml_node_t *node, char *buf, size_t len);

/* Node helpers shared with the sweep expansion. */
const yaml_node_t *mf_map_get(const struct manifest *m, const yaml_node_t *map, const char *key);
/* The node that applies at a scale: the value itself, or the scale's entry of a
 * {smoke, quick, full} map. */
const yaml_node_t *mf_at_scale(const struct manifest *m, const yaml_node_t *node, enum mf_scale s);
int mf_is_scale_map(const struct manifest *m, const yaml_node_t *node);
const yaml_node_t *mf_item(const struct manifest *m, const yaml_node_t *seq, int i);
int mf_len(const yaml_node_t *node);
const char *mf_scalar(const yaml_node_t *node);

/* Default per-run time limit when the manifest sets none. */
#define MF_DEFAULT_TIMEOUT_S 600.0

/* Claim predicate: 1 true, 0 false. */
int mf_claim_holds(const struct mf_claim *c, double measured);
/* "<= 1.01", "between 0.6 and 0.9", for tables. */
void mf_claim_expect_text(const struct mf_claim *c, char *buf, size_t len);

#endif
