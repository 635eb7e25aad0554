/*
 * fingerprint: the code fingerprint of each algorithm family, made at build time by
 * suite/fingerprint.sh (a SHA-256 over the family's sources, the shared code it links and
 * the suite's algorithm API). It goes into every run id, so a code change recomputes
 * exactly the runs it affects, and into run.json, so a report can tell which code its
 * numbers came from.
 */
#ifndef FINGERPRINT_H
#define FINGERPRINT_H

struct rb_fingerprint {
	const char *family, *hash;
};

/* The generated table, ended by {0, 0}. */
extern const struct rb_fingerprint rb_fingerprints[];

/* The fingerprint of a family ("sparsified_sgd", "harness", "datasets"), or "unknown". */
const char *rb_fingerprint_of(const char *family);

#endif
