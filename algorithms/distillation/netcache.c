/*
 * netcache: trained networks as cache files (netcache.h).
 */
#include "algorithms/distillation/netcache.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets/cache.h"

#define NETCACHE_MAGIC "RBNET001"

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

void netcache_path(const char *key, char *path, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], dir[4096];
	EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	cache_dir(dir, sizeof(dir));
	snprintf(path, len, "%s/distill/%s.net", dir, hex);
}

int netcache_load(const char *path, float *w, int64_t count)
{
	FILE *f = fopen(path, "rb");
	char magic[8];
	uint64_t n = 0, sum = 0;
	if (!f)
		return 0;
	int ok = fread(magic, 1, 8, f) == 8 && !memcmp(magic, NETCACHE_MAGIC, 8)
		&& fread(&n, sizeof(n), 1, f) == 1 && n == (uint64_t)count
		&& fread(w, sizeof(float), (size_t)count, f) == (size_t)count
		&& fread(&sum, sizeof(sum), 1, f) == 1
		&& sum == fnv1a(w, (size_t)count * sizeof(float)) && fgetc(f) == EOF;
	fclose(f);
	return ok;
}

/* mkdir -p of path's parent folders. */
static int make_parents(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int netcache_store(const char *path, const float *w, int64_t count, char *err, size_t errlen)
{
	char tmp[4200];
	uint64_t n = (uint64_t)count, sum = fnv1a(w, (size_t)count * sizeof(float));
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	if (make_parents(path) != 0) {
		snprintf(err, errlen, "cannot create the folder of %s: %s", path, strerror(errno));
		return -1;
	}
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	int ok = fwrite(NETCACHE_MAGIC, 1, 8, f) == 8 && fwrite(&n, sizeof(n), 1, f) == 1
		&& fwrite(w, sizeof(float), (size_t)count, f) == (size_t)count
		&& fwrite(&sum, sizeof(sum), 1, f) == 1 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
