/*
 * catalog: the table of named datasets. The real-format loaders (LIBSVM, IDX, graphs)
 * and the fetch step with checksums join this table with the datasets issue; for now
 * it holds the seeded generator the first experiment uses.
 */
#include "datasets/catalog.h"

#include <string.h>

#include "datasets/synth.h"

static const struct catalog_entry synth_logreg_entry = {
	.name = "synth_logreg",
	.kind = "generator",
	.doc = "seeded synthetic logistic/least-squares data with a planted model",
	.params = synth_logreg_params,
	.checksum = synth_logreg_checksum,
	.load = synth_logreg_generate,
};

static const struct catalog_entry *const catalog[] = {
	&synth_logreg_entry,
	NULL,
};

const struct catalog_entry *const *catalog_all(void)
{
	return catalog;
}

const struct catalog_entry *catalog_find(const char *name)
{
	for (const struct catalog_entry *const *e = catalog; *e; e++)
		if (!strcmp((*e)->name, name))
			return *e;
	return NULL;
}
