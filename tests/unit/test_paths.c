/* Unit tests for suite/paths: root discovery, mkdir -p, atomic writes, publishing. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite/paths.h"

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/rb-test-paths-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void assert_content(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "%s missing", path);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	cr_assert_str_eq(buf, want);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(paths, mkdirs_creates_nested_folders_and_is_idempotent)
{
	char *tmp = make_tmpdir(), p[PATH_MAX], err[256] = "";
	snprintf(p, sizeof p, "%s/a/b//c/", tmp);
	cr_assert_eq(rb_mkdirs(p, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/a/b/c", tmp);
	cr_assert(is_dir(p));
	cr_assert_eq(rb_mkdirs(p, err, sizeof err), 0, "an existing folder is fine: %s", err);
	snprintf(p, sizeof p, "%s/a/file", tmp);
	cr_assert_eq(rb_write_file_atomic(p, "x", 1, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/a/file/sub", tmp);
	cr_assert_eq(rb_mkdirs(p, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "a/file"), "%s", err);
	cr_assert_eq(rb_mkdirs("", err, sizeof err), -1);
	const char *made[] = {"a/b/c", "a/b", "a/file", "a"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", tmp, made[i]);
		cr_assert_eq(remove(p), 0, "%s", p);
	}
	rmdir(tmp);
	free(tmp);
}

Test(paths, atomic_write_replaces_the_whole_file_and_leaves_no_temporary)
{
	char *tmp = make_tmpdir(), p[PATH_MAX], err[256] = "";
	snprintf(p, sizeof p, "%s/run.json", tmp);
	cr_assert_eq(rb_write_file_atomic(p, "{\"a\": 1}", 8, err, sizeof err), 0, "%s", err);
	assert_content(p, "{\"a\": 1}");
	cr_assert_eq(rb_write_file_atomic(p, "{}", 2, err, sizeof err), 0, "%s", err);
	assert_content(p, "{}");
	cr_assert_eq(rb_write_file_atomic(p, "", 0, err, sizeof err), 0, "%s", err);
	assert_content(p, "");
	cr_assert_eq(count_entries(tmp), 1u);
	unlink(p);
	rmdir(tmp);
	free(tmp);
}

Test(paths, atomic_write_into_a_missing_folder_fails_and_leaves_nothing)
{
	char *tmp = make_tmpdir(), p[PATH_MAX], err[256] = "";
	snprintf(p, sizeof p, "%s/missing/run.json", tmp);
	cr_assert_eq(rb_write_file_atomic(p, "data", 4, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "missing/run.json"), "%s", err);
	cr_assert_eq(count_entries(tmp), 0u);
	/* Renaming over a folder fails after the temporary file was written: it must go. */
	snprintf(p, sizeof p, "%s/taken", tmp);
	cr_assert_eq(rb_mkdirs(p, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rb_write_file_atomic(p, "data", 4, err, sizeof err), -1);
	cr_assert_eq(count_entries(tmp), 1u, "only the folder remains");
	rmdir(p);
	rmdir(tmp);
	free(tmp);
}

Test(paths, publish_moves_a_finished_file_into_place)
{
	char *tmp = make_tmpdir(), from[PATH_MAX], to[PATH_MAX], err[256] = "";
	snprintf(from, sizeof from, "%s/.fig.tmp", tmp);
	snprintf(to, sizeof to, "%s/fig.png", tmp);
	cr_assert_eq(rb_write_file_atomic(from, "png", 3, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rb_path_publish(from, to, err, sizeof err), 0, "%s", err);
	assert_content(to, "png");
	cr_assert_eq(access(from, F_OK), -1);
	cr_assert_eq(rb_path_publish(from, to, err, sizeof err), -1, "the source is gone");
	unlink(to);
	rmdir(tmp);
	free(tmp);
}

Test(paths, remove_tmpdir_removes_the_folder_and_its_files)
{
	char *tmp = make_tmpdir(), p[PATH_MAX], err[256] = "";
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/f%d", tmp, i);
		cr_assert_eq(rb_write_file_atomic(p, "x", 1, err, sizeof err), 0, "%s", err);
	}
	cr_assert_eq(rb_path_remove_tmpdir(tmp, err, sizeof err), 0, "%s", err);
	cr_assert_eq(access(tmp, F_OK), -1);
	cr_assert_eq(rb_path_remove_tmpdir(tmp, err, sizeof err), 0, "a missing folder is fine");
	free(tmp);
}

Test(paths, join_refuses_to_truncate)
{
	char buf[16], err[256] = "";
	cr_assert_eq(rb_path_join(buf, sizeof buf, "out/", "a.png", err, sizeof err), 0);
	cr_assert_str_eq(buf, "out/a.png");
	cr_assert_eq(rb_path_join(buf, sizeof buf, "out", "a.png", err, sizeof err), 0);
	cr_assert_str_eq(buf, "out/a.png");
	cr_assert_eq(rb_path_join(buf, sizeof buf, "a-long-folder", "name", err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "too long"), "%s", err);
}

Test(paths, root_dir_honours_the_environment_and_rejects_a_wrong_one)
{
	char cwd[PATH_MAX], want[PATH_MAX], got[PATH_MAX], err[512] = "";
	const char *env = getenv("RELAXBENCH_ROOT");
	cr_assert_not_null(env ? env : getcwd(cwd, sizeof cwd));
	cr_assert_not_null(realpath(env ? env : cwd, want));
	setenv("RELAXBENCH_ROOT", want, 1);
	cr_assert_eq(rb_root_dir(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, want);
	/* Unset: found above the test binary (build/) or, failing that, in the cwd. */
	unsetenv("RELAXBENCH_ROOT");
	cr_assert_eq(chdir(want), 0);
	cr_assert_eq(rb_root_dir(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, want);
	setenv("RELAXBENCH_ROOT", "/", 1);
	cr_assert_eq(rb_root_dir(got, sizeof got, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "RELAXBENCH_ROOT=/"), "%s", err);
	cr_assert_eq(rb_root_dir(got, 4, err, sizeof err), -1);
	setenv("RELAXBENCH_ROOT", want, 1);
	cr_assert_eq(rb_root_dir(got, 4, err, sizeof err), -1, "a buffer too small is an error");
}
