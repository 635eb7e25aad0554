/*
 * paths: the repository root, `mkdir -p`, atomic whole-file writes, publishing a
 * finished temporary file or folder by rename. See paths.h for the contracts.
 */
#include "suite/paths.h"
#include "suite/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Tries at a fresh temporary name before giving up: a clash needs another writer with
 * the same pid and clock reading, so a second try practically always succeeds. */
#define PATH_TEMP_TRIES 100

static int path_copy_out(char *buf, size_t len, const char *dir, char *err, size_t errlen)
{
	size_t n = strlen(dir);
	if (n >= len)
		return rb_error(err, errlen, "repository root path too long: %s", dir);
	memcpy(buf, dir, n + 1);
	return 0;
}

static bool path_has_marker(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof p, "%s/%s", dir, RB_ROOT_MARKER);
	return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

/* Cut the last component off an absolute path in place; false once at "/". */
static bool path_to_parent(char *p)
{
	char *slash = strrchr(p, '/');
	if (!slash || (slash == p && p[1] == '\0'))
		return false;
	if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	return true;
}

static int path_root_from_env(const char *env, char *buf, size_t len, char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(env, real))
		return rb_error(err, errlen, "RELAXBENCH_ROOT=%s: %s", env, strerror(errno));
	if (!path_has_marker(real))
		return rb_error(err, errlen, "RELAXBENCH_ROOT=%s is no relaxbench checkout "
				 "(no %s)", env, RB_ROOT_MARKER);
	return path_copy_out(buf, len, real, err, errlen);
}

/* 0 found, 1 not found, -1 found but it does not fit in buf. */
static int path_root_from_exe(char *buf, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n <= 0)
		return 1;
	dir[n] = '\0';
	while (path_to_parent(dir)) {
		if (path_has_marker(dir))
			return path_copy_out(buf, len, dir, err, errlen);
	}
	return 1;
}

int rb_root_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("RELAXBENCH_ROOT");
	if (env && *env)
		return path_root_from_env(env, buf, len, err, errlen);
	int rc = path_root_from_exe(buf, len, err, errlen);
	if (rc <= 0)
		return rc;
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) && path_has_marker(cwd))
		return path_copy_out(buf, len, cwd, err, errlen);
	return rb_error(err, errlen,
			 "cannot find the relaxbench checkout (a folder with %s) above the "
			 "binary or in the current directory; set RELAXBENCH_ROOT", RB_ROOT_MARKER);
}

int rb_path_join(char *buf, size_t len, const char *dir, const char *name, char *err,
		 size_t errlen)
{
	size_t d = strlen(dir);
	const char *sep = (d > 0 && dir[d - 1] == '/') ? "" : "/";
	int n = snprintf(buf, len, "%s%s%s", dir, sep, name);
	if (n < 0 || (size_t)n >= len)
		return rb_error(err, errlen, "path too long: %s/%s", dir, name);
	return 0;
}

static int path_make_one(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0777) == 0)
		return 0;
	int e = errno;
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (e == EEXIST)
		return rb_error(err, errlen, "cannot create folder %s: a file of that name exists",
				 dir);
	return rb_error(err, errlen, "cannot create folder %s: %s", dir, strerror(e));
}

int rb_mkdirs(const char *path, char *err, size_t errlen)
{
	if (!path || !*path)
		return rb_error(err, errlen, "cannot create a folder with an empty name");
	char p[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof p)
		return rb_error(err, errlen, "path too long: %s", path);
	memcpy(p, path, n + 1);
	/* Create each prefix ending at a '/' (and the whole path), parents first. */
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (path_make_one(p, err, errlen))
			return -1;
		if (c == '\0')
			return 0;
		*s = c;
	}
}

/* The fault-injection count (paths.h): in a shared page, so that the runs a sweep forks
 * and the sweep itself count one sequence, in the order the writes happen. Set up
 * before main, so before any fork; NULL (no faults) unless the variable is set. */
static long *fault_calls;
static long fault_after;

__attribute__((constructor)) static void path_fault_setup(void)
{
	const char *v = getenv("RELAXBENCH_FAULT_ENOSPC_AFTER");
	fault_after = v && *v ? strtol(v, NULL, 10) : 0;
	if (fault_after <= 0)
		return;
	void *page = mmap(NULL, sizeof(*fault_calls), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fault_calls = page == MAP_FAILED ? NULL : page;
}

int rb_fault_enospc(void)
{
	if (!fault_calls || __atomic_add_fetch(fault_calls, 1, __ATOMIC_SEQ_CST) < fault_after)
		return 0;
	errno = ENOSPC;
	return -1;
}

static int path_write_all(int fd, const char *data, size_t len)
{
	if (rb_fault_enospc())
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Open a new file beside `path` named .<base>.tmp-<pid>-<nonce>. O_EXCL with mode 0666
 * rather than mkstemp: mkstemp's 0600 would leak into the published file, and reading
 * the umask to undo it is not thread-safe. */
static int path_open_temp(const char *path, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dirlen = (int)(base - path);
	if (!*base)
		return rb_error(err, errlen, "cannot write %s: the name is a folder", path);
	for (int attempt = 0; attempt < PATH_TEMP_TRIES; attempt++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long nonce = (unsigned long)ts.tv_nsec + 7919ul * (unsigned long)attempt;
		/* Keep the temporary name within NAME_MAX even for a long base name. */
		int n = snprintf(tmp, tmplen, "%.*s.%.200s.tmp-%ld-%lx", dirlen, path, base,
				 (long)getpid(), nonce);
		if (n < 0 || (size_t)n >= tmplen)
			return rb_error(err, errlen, "path too long: %s", path);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return rb_error(err, errlen, "cannot write %s: %s", path, strerror(errno));
	}
	return rb_error(err, errlen, "cannot write %s: no free temporary name", path);
}

/* Make a rename durable. Best effort: some file systems refuse fsync on a folder, and
 * the rename itself has already happened. */
static void path_sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

int rb_write_file_atomic(const char *path, const char *data, size_t len, char *err,
			 size_t errlen)
{
	char tmp[PATH_MAX];
	int fd = path_open_temp(path, tmp, sizeof tmp, err, errlen);
	if (fd < 0)
		return -1;
	if (path_write_all(fd, data, len) || fsync(fd)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return rb_error(err, errlen, "cannot write %s: %s", path, strerror(e));
	}
	if (close(fd)) {
		int e = errno;
		unlink(tmp);
		return rb_error(err, errlen, "cannot write %s: %s", path, strerror(e));
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return rb_error(err, errlen, "cannot write %s: %s", path, strerror(e));
	}
	path_sync_parent(path);
	return 0;
}

int rb_path_publish(const char *from, const char *to, char *err, size_t errlen)
{
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rb_error(err, errlen, "cannot open %s: %s", from, strerror(errno));
	/* EINVAL: the file system cannot sync this kind of file; nothing more to do. */
	if (fsync(fd) && errno != EINVAL) {
		int e = errno;
		close(fd);
		return rb_error(err, errlen, "cannot sync %s: %s", from, strerror(e));
	}
	close(fd);
	if (rb_fault_enospc() || rename(from, to))
		return rb_error(err, errlen, "cannot move %s to %s: %s", from, to,
				 strerror(errno));
	path_sync_parent(to);
	return 0;
}

int rb_path_remove_tmpdir(const char *path, char *err, size_t errlen)
{
	DIR *d = opendir(path);
	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return rb_error(err, errlen, "cannot open folder %s: %s", path, strerror(errno));
	int fd = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			(void)unlinkat(fd, e->d_name, 0); /* what stays makes rmdir fail below */
	}
	closedir(d);
	if (rmdir(path))
		return rb_error(err, errlen, "cannot remove folder %s: %s", path, strerror(errno));
	return 0;
}
