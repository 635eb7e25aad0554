/*
 * catalog: the one table of named datasets a manifest may ask for. A generator has a
 * parameter table, a checksum known before any data is generated, and a generate
 * function. A file dataset has its original files (name, pinned SHA-256, size,
 * official URLs), a loader, and the generator that stands in when the files are
 * absent. The checksum of either enters every run id.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "datasets/dataset.h"
#include "suite/params.h"

#define CATALOG_MAX_FILES 4

struct catalog_file {
	const char *name;      /* as distributed, e.g. "a9a", "t10k-images-idx3-ubyte.gz" */
	const char *sha256;    /* of the official bytes; NULL when no digest is pinned */
	int64_t bytes;
	const char *urls[3];
	/* Optional. dir: the file lives in <cache>/files/<dir>/ and <mirror>/<dir>/ (for
	 * names another dataset also uses: Fashion-MNIST's are MNIST's). system_dir: a
	 * folder a distribution package installs it into, tried after the mirror.
	 * content_digest: sha256 is of the decompressed bytes (dsio), so a recompressed
	 * copy (Debian's .gz) and the upstream one both verify. */
	const char *dir;
	const char *system_dir;
	int content_digest;
};

struct catalog_entry {
	const char *name;
	const char *kind;      /* "generator" or "file" */
	const char *doc;       /* one line */
	const struct rb_param_spec *params;
	/* generators */
	void (*checksum)(const struct rb_paramset *ps, char out[65]);
	int (*load)(const struct rb_paramset *ps, struct ds_dataset *out, char *err, size_t errlen);
	/* file datasets */
	struct catalog_file files[CATALOG_MAX_FILES];
	int nfiles;
	int (*load_files)(const char *const *paths, const struct rb_paramset *ps, struct ds_dataset *out,
			  char *err, size_t errlen);
	const char *fallback;  /* generator used when the files are absent */
	const char *citation;
};

const struct catalog_entry *catalog_find(const char *name);
/* NULL-terminated. */
const struct catalog_entry *const *catalog_all(void);

int catalog_is_file(const struct catalog_entry *e);
/* 1 when every file is in the cache or the mirror (so a run can load it offline);
 * otherwise 0 with the first missing file and why in `why`. Generators: always 1. */
int catalog_available(const struct catalog_entry *e, char *why, size_t len);
/* Fetchable: every file has a pinned digest and a URL. */
int catalog_fetchable(const struct catalog_entry *e);
/* The dataset's checksum for run ids: the generator's, or a hash over the pinned
 * digests of the files and the parameters. */
void catalog_checksum(const struct catalog_entry *e, const struct rb_paramset *ps, char out[65]);
/* Load: generate, or take the files from the cache or the mirror (verified) and parse
 * them, through the binary parse cache keyed by the files' digests. */
int catalog_load(const struct catalog_entry *e, const struct rb_paramset *ps, struct ds_dataset *out,
		 char *err, size_t errlen);

#endif
