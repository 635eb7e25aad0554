/*
 * paths: where the repository root is, `mkdir -p`, and whole-file writes that a reader
 * never sees half done. The harness, the recorder, plots and the report share these so
 * that "a killed run leaves nothing half-written" (DESIGN.md, "Runs and results") holds
 * everywhere by construction.
 */
#ifndef PATHS_H
#define PATHS_H

#include <stddef.h>

/* The file whose presence marks the repository root. */
#define RB_ROOT_MARKER "plots/templates/house.gp"

/*
 * Write the absolute path of the repository root (the folder holding RB_ROOT_MARKER) to
 * buf. Search order: $RELAXBENCH_ROOT when set and non-empty (it must hold the marker: a
 * wrong override is an error, never silently bypassed); else the folder of
 * /proc/self/exe and its parents (the binary lives in build/ or build/san/); else the
 * current directory. Returns 0, or -1 with a reason in err.
 */
int rb_root_dir(char *buf, size_t len, char *err, size_t errlen);

/* buf = dir "/" name; -1 with a reason in err when it does not fit. */
int rb_path_join(char *buf, size_t len, const char *dir, const char *name, char *err,
		 size_t errlen);

/* mkdir -p: create path and its missing parents (mode 0777 less the umask). An existing
 * directory is success; an existing non-directory is an error. */
int rb_mkdirs(const char *path, char *err, size_t errlen);

/*
 * Replace path with exactly data[0..len): write a temporary file in the same folder,
 * fsync it, rename it over path, fsync the folder. Readers see the old file or the new
 * one, never a mix; on failure nothing is left behind and path is untouched. The folder
 * must exist. The new file's mode is 0666 less the umask, as for any created file.
 */
int rb_write_file_atomic(const char *path, const char *data, size_t len, char *err,
			 size_t errlen);

/*
 * Move a finished file or folder into place: fsync `from`, rename it to `to` (both in the
 * same file system), fsync the folder of `to`, so that after a crash `to` is either the
 * old thing or the complete new one. A folder cannot replace a non-empty folder.
 */
int rb_path_publish(const char *from, const char *to, char *err, size_t errlen);

/* Remove a folder and the entries directly inside it (one level: meant for temporary
 * folders the suite filled itself with plain files). Removes what it can; returns -1
 * with a reason in err when anything remains. */
int rb_path_remove_tmpdir(const char *path, char *err, size_t errlen);

/*
 * Fault injection, the one switch for testing what a full disk does (see
 * tests/e2e/test_reliability.c). With RELAXBENCH_FAULT_ENOSPC_AFTER=N (N >= 1) in the
 * environment, the N-th call of rb_fault_enospc() and every later one set errno to ENOSPC
 * and return -1, as a full disk keeps failing; unset, it returns 0. A process and the
 * runs it forks count together, in the order the calls happen; a run of a sweep makes
 * four: the recorder opening its files, the recorder closing them, run.json, and the
 * rename that publishes the folder. The writers call it before each write or rename
 * that a full disk would fail:
 *   - rb_write_file_atomic (run.json, calibration.json, tables' CSV, REPORT.md) and
 *     rb_path_publish (plots);
 *   - the run folder: the recorder's series.csv, log and result.json (in the run's
 *     process), and the rename that publishes the finished folder;
 *   - the results store: each run loaded by `collect`, and its final commit.
 */
int rb_fault_enospc(void);

#endif
