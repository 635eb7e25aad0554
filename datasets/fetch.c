/* fetch: verified original files from the cache, the mirror, or the official URLs. */
#include "datasets/fetch.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datasets/cache.h"
#include "datasets/catalog.h"
#include "datasets/dsio.h"
#include "suite/error.h"
#include "suite/paths.h"

void fetch_files_dir(char *buf, size_t len)
{
	char dir[PATH_MAX - 16];
	cache_dir(dir, sizeof(dir));
	if ((size_t)snprintf(buf, len, "%s/files", dir) >= len)
		buf[0] = 0;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The mirror holds original files by name, at its top or one folder down
 * (../shared/datasets has libsvm/, mnist/, graphs/). */
static int find_in_mirror(const char *name, char *path, size_t len)
{
	const char *mirror = getenv("RELAXBENCH_DATA_MIRROR");
	if (!mirror || !*mirror)
		return 0;
	snprintf(path, len, "%s/%s", mirror, name);
	if (exists(path))
		return 1;
	DIR *d = opendir(mirror);
	if (!d)
		return 0;
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, len, "%s/%s/%s", mirror, e->d_name, name);
		found = exists(path);
	}
	closedir(d);
	return found;
}

/* The cache folder of a file: <cache>/files, or <cache>/files/<dir>. */
static void cache_folder(const struct catalog_file *f, char *buf, size_t len)
{
	char dir[PATH_MAX - 64];
	fetch_files_dir(dir, sizeof(dir));
	if ((size_t)snprintf(buf, len, "%s%s%s", dir, f->dir ? "/" : "", f->dir ? f->dir : "") >= len)
		buf[0] = 0;
}

/* A file with its own folder is looked for only there: <mirror>/<dir>/<name>, then the
 * distribution's folder (a mirror's MNIST file of the same name is not it). */
static int find_elsewhere(const struct catalog_file *f, char *path, size_t len)
{
	if (!f->dir)
		return find_in_mirror(f->name, path, len);
	const char *mirror = getenv("RELAXBENCH_DATA_MIRROR");
	if (mirror && *mirror) {
		snprintf(path, len, "%s/%s/%s", mirror, f->dir, f->name);
		if (exists(path))
			return 1;
	}
	if (!f->system_dir)
		return 0;
	snprintf(path, len, "%s/%s", f->system_dir, f->name);
	return exists(path);
}

enum fetch_where fetch_locate(const struct catalog_file *f, char *path, size_t len)
{
	char dir[PATH_MAX];
	cache_folder(f, dir, sizeof(dir));
	snprintf(path, len, "%s/%s", dir, f->name);
	if (exists(path))
		return FETCH_CACHED;
	if (find_elsewhere(f, path, len))
		return FETCH_MIRROR;
	path[0] = 0;
	return f->sha256 && f->urls[0] ? FETCH_REMOTE : FETCH_NOWHERE;
}

/* Copy `src` to `dst`; the digest is then taken of the copy itself, so what is kept is
 * exactly what was verified. */
static int copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
	if (!in || !out) {
		int e = errno;
		if (in)
			fclose(in);
		return rb_error(err, errlen, "%s: cannot copy to %s: %s", src, dst, strerror(e));
	}
	char buf[1 << 16];
	size_t n;
	int rc = 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = rb_error(err, errlen, "%s: write error: %s", dst, strerror(errno));
	if (ferror(in))
		rc = rb_error(err, errlen, "%s: read error", src);
	fclose(in);
	if (fclose(out) != 0 && rc == 0)
		rc = rb_error(err, errlen, "%s: write error: %s", dst, strerror(errno));
	return rc;
}

/* curl from each official URL in turn; fail on HTTP errors, no progress meter. */
static int download(const struct catalog_file *f, const char *dst, char *err, size_t errlen)
{
	for (int i = 0; i < 3 && f->urls[i]; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return rb_error(err, errlen, "fork: %s", strerror(errno));
		if (pid == 0) {
			execlp("curl", "curl", "--fail", "--location", "--silent", "--show-error",
			       "--connect-timeout", "20", "--max-time", "3600", "--output", dst, f->urls[i],
			       (char *)NULL);
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 0;
		rb_error(err, errlen, "%s: download from %s failed (curl exit %d; offline? set "
			 "RELAXBENCH_DATA_MIRROR to a folder with the original files)", f->name, f->urls[i],
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	return -1;
}

/* SHA-256 of the decompressed stream (any codec dsio reads). */
static int content_sha256(const char *path, char hex[65], char *err, size_t errlen)
{
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(1 << 16);
	int rc = buf && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? 0 : -1;
	long n = 0;
	while (rc == 0 && (n = dsio_read(r, buf, 1 << 16, err, errlen)) > 0)
		rc = EVP_DigestUpdate(ctx, buf, (size_t)n) ? 0 : -1;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (rc == 0 && (n < 0 || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32))
		rc = -1;
	EVP_MD_CTX_free(ctx);
	free(buf);
	dsio_close(r);
	if (rc < 0)
		return n < 0 ? -1 : rb_error(err, errlen, "%s: cannot compute SHA-256", path);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int verify(const struct catalog_file *f, const char *path, const char *origin, char *err,
		  size_t errlen)
{
	char got[65];
	int rc = f->content_digest ? content_sha256(path, got, err, errlen)
				   : cache_sha256_file(path, got, err, errlen);
	if (rc < 0)
		return -1;
	if (strcmp(got, f->sha256) == 0)
		return 0;
	rb_error(err, errlen, "%s: checksum mismatch for %s: expected sha256 %s%s, got %s", origin,
		 f->name, f->sha256, f->content_digest ? " (of the decompressed data)" : "", got);
	return -2;
}

int fetch_file(const struct catalog_file *f, int allow_download, char *path, size_t len, char *err,
	       size_t errlen)
{
	char src[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 64];
	enum fetch_where w = fetch_locate(f, src, sizeof(src));
	if (w == FETCH_CACHED) {
		snprintf(path, len, "%s", src);
		return 0;
	}
	if (!f->sha256)
		return rb_error(err, errlen, "%s: no SHA-256 is pinned for this file, so it is never "
				"fetched unverified; put a verified copy in the mirror and pin its digest "
				"in datasets/catalog.c", f->name);
	if (w == FETCH_NOWHERE || (w == FETCH_REMOTE && !allow_download))
		return rb_error(err, errlen, "%s: not in %s nor in the mirror ($RELAXBENCH_DATA_MIRROR%s)",
				f->name, "datasets/cache", getenv("RELAXBENCH_DATA_MIRROR") ? "" : " is unset");
	cache_folder(f, dir, sizeof(dir));
	if (rb_mkdirs(dir, err, errlen) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%ld.part", dir, f->name, (long)getpid());
	int rc = w == FETCH_MIRROR ? copy_file(src, tmp, err, errlen) : download(f, tmp, err, errlen);
	if (rc == 0)
		rc = verify(f, tmp, w == FETCH_MIRROR ? src : f->urls[0], err, errlen);
	snprintf(path, len, "%s/%s", dir, f->name);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = rb_error(err, errlen, "%s: cannot move into place: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	return rc;
}
