/*
 * exec: carry out runs. Each run is a child process (so a crash or a hang is recorded,
 * not fatal) that writes into a temporary folder, renamed to
 * <results>/runs/<experiment>/<run-id>/ only once run.json is complete: a killed sweep
 * leaves no half-written run folder, and the next `run` does only what is missing.
 */
#ifndef EXEC_H
#define EXEC_H

#include "suite/sweep.h"

struct exec_opts {
	const char *results;      /* results folder */
	int force;                /* redo finished runs */
	int retry_failed;         /* redo runs whose recorded status is not ok */
	double timeout_s;         /* > 0 overrides the manifest's limit */
	int quiet;                /* no progress lines */
	const char *hostfile;     /* backend: mpi runs: mpirun --hostfile (NULL: this host) */
};

struct exec_stats {
	int total, done, skipped, ok, failed;
};

/* Returned when a run's dataset cannot be loaded (bad input: exit status 2). */
#define EXEC_BAD_DATA (-2)
/* Returned when the results folder cannot take a run: disk full, read-only, a file where
 * a folder belongs. Nothing half-written is left and the user has to act before
 * anything more can run, as for bad input: the same value, so exit status 2. */
#define EXEC_CANNOT_WRITE EXEC_BAD_DATA

/* Run every run of the sweeps in this process (one child at a time). Returns 0 when
 * every run was carried out and recorded (whatever its status), EXEC_BAD_DATA when a
 * dataset cannot be loaded, EXEC_CANNOT_WRITE when the results folder cannot take a run,
 * -1 on another harness error (fork). */
int exec_sweeps(struct sweep *sweeps, int n, const struct exec_opts *o, struct exec_stats *st,
		char *err, size_t errlen);

/* One run by id (what `run-one` and GNU parallel call). */
int exec_one_by_id(const struct sweep *s, const char *id, const struct exec_opts *o, char *err,
		   size_t errlen);

/* The `run-one` command lines for the runs that are not finished yet, one per line.
 * `all` lists finished runs too. */
int exec_print_commands(FILE *out, const struct sweep *s, const struct exec_opts *o, int all,
			char *err, size_t errlen);

/* Hand the pending runs to GNU parallel with `jobs` slots; extra arguments go to
 * parallel unchanged (e.g. --sshloginfile FILE). */
int exec_parallel(struct sweep *sweeps, int n, const struct exec_opts *o, int jobs,
		  char *const *parallel_args, int nparallel_args, char *err, size_t errlen);

/* ---- runs on the MPI backend ----
 * A run whose parameter `backend` is "mpi" is started as `mpirun -n P ... relaxbench
 * run-one MANIFEST --id ID --rank-dir TMP` with P = its `ranks` parameter, or `workers`
 * when the algorithm has no `ranks`. Each rank runs the algorithm (comm_mpi.h); rank 0
 * records into the temporary run folder TMP, rank r > 0 into TMP/rank<r>, and the
 * executor, once mpirun is done, gathers every rank's status, times and summaries into
 * run.json (`mpi.per_rank`) and publishes the folder as for any run. mpirun is
 * $RELAXBENCH_MPIRUN when set, else `mpirun` on PATH; $RELAXBENCH_MPIRUN_ARGS adds
 * options (split at spaces), e.g. "--mca btl_vader_single_copy_mechanism none". */

/* P for a backend: mpi run, 0 for an in-process one. */
int exec_run_ranks(const struct sweep_run *r);
/* mpirun's path into buf: 0, or -1 when there is none (the variable names no
 * executable, or PATH has no mpirun). */
int exec_mpirun_path(char *buf, size_t len);
/* Before any run: -1 with a one-line reason when some run (only the run `only_id` unless
 * NULL) asks for backend: mpi and no mpirun can be found (the caller exits 2). */
int exec_check_mpi(const struct sweep *sweeps, int n, const char *only_id, char *err,
		   size_t errlen);
/* The rank side of an MPI run (run-one --rank-dir, under mpirun): MPI_Init, run `id`,
 * record into dir (rank 0) or dir/rank<r>, MPI_Finalize. 0, or -1 with err set. */
int exec_rank_main(const struct sweep *s, const char *id, const char *dir, char *err,
		   size_t errlen);

/* The folder of a run, and whether it is finished (has run.json). */
void exec_run_dir(const struct exec_opts *o, const char *experiment, const char *id, char *buf,
		  size_t len);
int exec_is_finished(const struct exec_opts *o, const char *experiment, const char *id,
		     int *ok_status);

#endif
