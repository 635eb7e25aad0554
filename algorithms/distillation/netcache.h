/*
 * netcache: trained networks kept as files, so that every student run of a sweep reuses
 * one teacher (and one distilled student per seed) instead of retraining it. An entry is
 * named by the SHA-256 of a key text that holds everything the weights depend on: the
 * role, every training parameter, the seed, the dataset's checksum and the code
 * fingerprint of the distillation family (suite/fingerprint.h). A changed parameter, data
 * set or source file is therefore a different file, never a stale hit.
 *
 * File: "RBNET001", u64 count, count float32 (little-endian hosts), u64 FNV-1a of the
 * floats' bytes. Written to a temporary file and renamed into place (readers see the old
 * entry or the new one); a file that fails its checks is a miss.
 */
#ifndef DISTILL_NETCACHE_H
#define DISTILL_NETCACHE_H

#include <stddef.h>
#include <stdint.h>

/* <cache_dir()>/distill/<sha256 of key>.net */
void netcache_path(const char *key, char *path, size_t len);

/* 1 on a hit (w filled), 0 on a miss (no file, or a bad one). */
int netcache_load(const char *path, float *w, int64_t count);

/* 0, or -1 with err. */
int netcache_store(const char *path, const float *w, int64_t count, char *err, size_t errlen);

#endif
