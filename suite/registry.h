/*
 * registry: the one table of runnable algorithms (DESIGN.md, "The algorithm
 * interface"). Each algorithm is a `const struct rb_algorithm` defined in its family
 * folder and listed in suite/registry.c.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "suite/params.h"
#include "suite/recorder.h"

/* What an algorithm gets: its validated parameters (every entry of its table, defaults
 * filled in), the seed, the data and the thread count. */
struct rb_run {
	const char *experiment;
	const char *run_id;
	uint64_t seed;
	int threads;
	const struct ds_dataset *data;   /* NULL for algorithms that need none */
	struct rb_paramset params;
};

struct rb_algorithm {
	const char *name;
	const char *family;              /* folder under algorithms/ */
	const char *summary;             /* one line */
	const char *paper;               /* "arXiv 1809.10505" or "" */
	const struct rb_param_spec *params;  /* terminated by an entry with name NULL */
	int needs_data;                  /* 1 when the run must have a dataset */
	int seedless;                    /* 1 when the result does not depend on the seed:
					  * the sweep runs it with the first seed only */
	int (*run)(const struct rb_run *run, struct rb_recorder *rec);
	/* Optional: reject a combination of parameter values that each pass their own
	 * table check but cannot run together (Krum needs m > 2f + 2). Called for every
	 * point while the manifest is expanded, before any run starts: the manifest then
	 * fails with "<algorithm>: <err>" and exit 2. Returns 0, or -1 with err set. */
	int (*validate)(const struct rb_paramset *ps, char *err, size_t errlen);
};

const struct rb_algorithm *rb_registry_find(const char *name);
/* NULL-terminated list of every registered algorithm. */
const struct rb_algorithm *const *rb_registry_all(void);

/* Parameter accessors for algorithms; the name must be in the algorithm's table. */
long long rb_param_int(const struct rb_run *run, const char *name);
double rb_param_real(const struct rb_run *run, const char *name);
const char *rb_param_str(const struct rb_run *run, const char *name);
int rb_param_bool(const struct rb_run *run, const char *name);

#endif
