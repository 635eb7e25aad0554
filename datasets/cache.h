/*
 * cache: parsed datasets kept as binary files, so that a large text file is parsed once.
 * A caller keys an entry by what the result depends on, typically the source file's
 * SHA-256 and the loader's name and version ("<sha256>.libsvm.v1"): a changed file or a
 * changed loader is then a different key, never a stale hit.
 *
 * File format (version 1), all integers little-endian:
 *   header   "RBDSCACH", u64 version
 *   payload  every field of struct ds_dataset in declaration order: strings as u64 length
 *            + bytes; kind, classes and shape as i64; each matrix as i64 rows, i64 cols,
 *            u64 sparse, then the arrays dense, rowptr, colidx, values; y; the graph as
 *            i64 n, i64 m, then rowptr, adj, weight, coords; i64 truth_len, truth.
 *            An array is a u64 element count (UINT64_MAX for a NULL pointer) and the
 *            elements (int64/int32/double, little-endian); a count with bit 62 set is
 *            followed by one element that fills the whole array (binary features).
 *   trailer  u64 XXH64 of header and payload, chained over the pieces (the seed of each
 *            piece is the hash so far; arrays hashed in 256 KiB blocks).
 * A change to struct ds_dataset or to the format must bump CACHE_FORMAT_VERSION: older
 * entries then read as misses and are replaced.
 */
#ifndef CACHE_H
#define CACHE_H

#include <stddef.h>

#include "datasets/dataset.h"

#define CACHE_FORMAT_VERSION 1
/* Longest key accepted, so that "<dir>/.<key>.tmp-..." stays within NAME_MAX. */
#define CACHE_KEY_MAX 160

/* SHA-256 of the file's bytes as 64 lowercase hex digits (and a NUL). 0, or -1. */
int cache_sha256_file(const char *path, char hex[65], char *err, size_t errlen);

/* The cache folder: $RELAXBENCH_CACHE when set and non-empty, else
 * <repository root>/datasets/cache, else ./datasets/cache. */
void cache_dir(char *buf, size_t len);

/*
 * Load the entry for key (1 to CACHE_KEY_MAX characters of [A-Za-z0-9._-], not starting
 * with '.'; any other key is an error) into out, which is overwritten. Returns 1 on a
 * hit; 0 on a miss, with out zeroed: no entry (err is ""), or an entry that fails its
 * header, length, structure or checksum check, which is deleted (err says why, for a
 * log line); -1 on an I/O or memory error, with out zeroed.
 */
int cache_load(const char *key, struct ds_dataset *out, char *err, size_t errlen);

/* Store d under key, creating the cache folder when missing. Readers see the old entry
 * or the new one, never a mix (temporary file, fsync, rename). 0, or -1. */
int cache_store(const char *key, const struct ds_dataset *d, char *err, size_t errlen);

#endif
