/*
 * sweep: a manifest at a scale expanded into runs. Lists are sweep axes and expand to
 * their cartesian product, per algorithm (a parameter sweeps only the algorithms that
 * take it); then datasets, then seeds. A run's *point* is a hash of the experiment, the
 * algorithm, every parameter value, the seed and the dataset's checksum; its id hashes
 * the point with the code fingerprint of the algorithm's family (and of the dataset code
 * when it has a dataset), so a finished run is never recomputed while its code is
 * unchanged, and a code change recomputes exactly the runs it affects.
 */
#ifndef SWEEP_H
#define SWEEP_H

#include <jansson.h>
#include <stdint.h>

#include "datasets/catalog.h"
#include "suite/manifest.h"

#define SWEEP_ID_LEN 16

struct sweep_run {
	const struct rb_algorithm *algo;
	int dataset;                  /* index into the manifest's datasets, -1 for none */
	struct rb_paramset params;    /* every parameter of the algorithm, plus threads */
	const struct catalog_entry *ds_entry; /* the dataset used: the manifest's, or its fallback */
	char ds_fallback[256];        /* why the fallback stands in; "" when it does not */
	struct rb_paramset ds_params; /* every parameter of the dataset used */
	char ds_checksum[65];
	uint64_t seed;
	double timeout_s;
	char id[SWEEP_ID_LEN + 1];     /* point and code */
	char point[SWEEP_ID_LEN + 1];  /* what was asked for, whatever code computes it */
	char fingerprint[40];          /* the family's code fingerprint (+ the dataset code's) */
	char label[256];              /* "sgd lr=0.5 seed=2": algorithm, the varied values, seed */
};

struct sweep {
	const struct manifest *m;
	enum mf_scale scale;
	struct sweep_run *runs;
	int n;
};

int sweep_expand(const struct manifest *m, enum mf_scale scale, struct sweep *out, char *err,
		 size_t errlen);
void sweep_free(struct sweep *s);

/* Keep the runs whose `key` (a parameter, or algorithm, dataset, seed, id) equals
 * `value`; "key=value" as given on the command line. Returns -1 for a malformed filter
 * or a key that no run has. */
int sweep_filter(struct sweep *s, const char *filter, char *err, size_t errlen);

const struct sweep_run *sweep_find(const struct sweep *s, const char *id);

/* {"lr": 0.5, "batch": 64, ...} with typed JSON values, sorted by name. */
json_t *sweep_params_json(const struct rb_paramset *ps);

#endif
