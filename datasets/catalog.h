/*
 * catalog: the named datasets a manifest may ask for. Each entry has a parameter
 * table (validated like an algorithm's), a checksum that is known before any data is
 * generated or read (it enters every run id), and a loader.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "datasets/dataset.h"
#include "suite/params.h"

struct catalog_entry {
	const char *name;
	const char *kind;      /* "generator" or "file" */
	const char *doc;       /* one line */
	const struct rb_param_spec *params;
	void (*checksum)(const struct rb_paramset *ps, char out[65]);
	int (*load)(const struct rb_paramset *ps, struct ds_dataset *out, char *err, size_t errlen);
};

const struct catalog_entry *catalog_find(const char *name);
/* NULL-terminated. */
const struct catalog_entry *const *catalog_all(void);

#endif
