/*
 * fetch: get a dataset's original files into datasets/cache/files/, verified. A file is
 * taken from, in order: the cache (verified when it was put there), the local mirror
 * named by RELAXBENCH_DATA_MIRROR (the folder itself or one level of subfolders, same
 * file names), and the official URLs with curl. Every copy is checked against the
 * catalog's SHA-256 before it is kept: a mismatch names both digests and caches
 * nothing.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

struct catalog_file;

enum fetch_where { FETCH_CACHED, FETCH_MIRROR, FETCH_REMOTE, FETCH_NOWHERE };

/* Where the file would come from, without reading or downloading anything:
 * FETCH_CACHED (path set), FETCH_MIRROR (path set to the mirror's copy),
 * FETCH_REMOTE (not here, but has a URL and a pinned digest), FETCH_NOWHERE. */
enum fetch_where fetch_locate(const struct catalog_file *f, char *path, size_t len);

/* Make the file present in the cache; its path goes to `path`. With allow_download 0,
 * only the cache and the mirror are tried. Returns 0, or -1 with the reason; a digest
 * mismatch returns -2 ("expected sha256 X, got Y"). */
int fetch_file(const struct catalog_file *f, int allow_download, char *path, size_t len, char *err,
	       size_t errlen);

/* The folder of verified original files: <cache_dir>/files. */
void fetch_files_dir(char *buf, size_t len);

#endif
