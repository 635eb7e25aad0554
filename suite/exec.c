/* exec: fork-isolated runs with time limits, atomic run folders, progress, GNU parallel. */
#include "suite/exec.h"

#include <cblas.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "algorithms/comm/comm_mpi.h"
#include "datasets/catalog.h"
#include "suite/envinfo.h"
#include "suite/paths.h"

/* ---- small helpers ------------------------------------------------------------------- */

/* Room for a run's reason that it could not write its files (a path and strerror). */
#define EXEC_WHY_LEN 4096

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* UTC with milliseconds: `collect` tells a re-done run (--force) from the one it has
 * loaded by finished_at, and a rerun can finish within the same second. */
static void iso_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[20];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", sec, (int)(ts.tv_nsec / 1000000) % 1000);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void exec_run_dir(const struct exec_opts *o, const char *experiment, const char *id, char *buf,
		  size_t len)
{
	snprintf(buf, len, "%s/runs/%s/%s", o->results, experiment, id);
}

int exec_is_finished(const struct exec_opts *o, const char *experiment, const char *id, int *ok_status)
{
	char path[4096];
	exec_run_dir(o, experiment, id, path, sizeof(path));
	strncat(path, "/run.json", sizeof(path) - strlen(path) - 1);
	json_t *j = json_load_file(path, 0, NULL);
	if (!j)
		return 0;
	const char *st = json_string_value(json_object_get(j, "status"));
	if (ok_status)
		*ok_status = st && !strcmp(st, "ok");
	json_decref(j);
	return 1;
}

static int should_skip(const struct exec_opts *o, const char *experiment, const char *id)
{
	int ok = 0;
	if (o->force || !exec_is_finished(o, experiment, id, &ok))
		return 0;
	return ok || !o->retry_failed;
}

/* Temporary folders are named <id>.<pid>; one whose process is gone was left by a
 * killed sweep and is removed. Live ones belong to concurrent run-one processes. */
static void clean_stale_tmp(const char *tmproot)
{
	DIR *d = opendir(tmproot);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		if (e->d_name[0] == '.' || !dot)
			continue;
		pid_t pid = (pid_t)atol(dot + 1);
		if (pid > 0 && kill(pid, 0) == 0)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", tmproot, e->d_name);
		rm_tree(path);
	}
	closedir(d);
}

/* ---- datasets, loaded once per process and shared by the forked runs ------------------ */

struct data_cache {
	char checksum[65];
	struct ds_dataset data;
	int loaded;
};

static const struct ds_dataset *get_data(struct data_cache *dc, const struct sweep_run *r, char *err,
					 size_t errlen)
{
	if (r->dataset < 0)
		return NULL;
	if (dc->loaded && !strcmp(dc->checksum, r->ds_checksum))
		return &dc->data;
	if (dc->loaded)
		ds_dataset_free(&dc->data);
	dc->loaded = 0;
	if (catalog_load(r->ds_entry, &r->ds_params, &dc->data, err, errlen) < 0)
		return NULL;
	snprintf(dc->checksum, sizeof(dc->checksum), "%s", r->ds_checksum);
	dc->loaded = 1;
	return &dc->data;
}

/* ---- the MPI backend: which runs, and mpirun ------------------------------------------ */

/* NULL when the run's algorithm has no such parameter. */
static const struct rb_value *param_find(const struct rb_paramset *ps, const char *name)
{
	for (int i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i].value;
	return NULL;
}

int exec_run_ranks(const struct sweep_run *r)
{
	const struct rb_value *b = param_find(&r->params, "backend");
	if (!b || b->type != RB_CHOICE || strcmp(b->s, "mpi"))
		return 0;
	const struct rb_value *p = param_find(&r->params, "ranks");
	if (!p)
		p = param_find(&r->params, "workers");
	return p && p->type == RB_INT && p->i > 0 ? (int)p->i : 1;
}

static int is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int exec_mpirun_path(char *buf, size_t len)
{
	const char *env = getenv("RELAXBENCH_MPIRUN");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return is_executable(buf) ? 0 : -1;
	}
	const char *path = getenv("PATH");
	for (const char *p = path ? path : ""; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && (size_t)snprintf(buf, len, "%.*s/mpirun", (int)n, p) < len &&
		    is_executable(buf))
			return 0;
		p += n + (end ? 1 : 0);
	}
	snprintf(buf, len, "mpirun");
	return -1;
}

int exec_check_mpi(const struct sweep *sweeps, int n, const char *only_id, char *err,
		   size_t errlen)
{
	char mpirun[PATH_MAX];
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < sweeps[i].n; k++) {
			if ((only_id && strcmp(sweeps[i].runs[k].id, only_id)) ||
			    !exec_run_ranks(&sweeps[i].runs[k]) || exec_mpirun_path(mpirun, sizeof(mpirun)) == 0)
				continue;
			const char *env = getenv("RELAXBENCH_MPIRUN");
			snprintf(err, errlen, "%s: run %s asks for backend: mpi, but %s (make deps "
				 "installs openmpi-bin; RELAXBENCH_MPIRUN names another mpirun)",
				 sweeps[i].m->path, sweeps[i].runs[k].id,
				 env && *env ? "RELAXBENCH_MPIRUN is no executable" : "no mpirun is on PATH");
			return -1;
		}
	}
	return 0;
}

/* ---- the child ----------------------------------------------------------------------- */

/* `why` is shared with the parent: the child leaves there the reason it could not write
 * its files, which is the harness's failure (a full disk), not the algorithm's. */
/* In a run's child: receive `deathsig` when the harness dies (and quit if it already
 * has), lead a process group of its own (so a timeout can kill the whole group), and send
 * stdout and stderr to <tmp>/output. */
static void child_detach(const char *tmp, int deathsig)
{
	char path[4200];
	prctl(PR_SET_PDEATHSIG, deathsig);
	if (getppid() == 1)
		_exit(4);
	setpgid(0, 0);
	snprintf(path, sizeof(path), "%s/output", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

static void child_main(const struct sweep *s, const struct sweep_run *r, const struct ds_dataset *data,
		       const char *tmp, char *why, size_t whylen)
{
	/* Die with the harness: a sweep killed with SIGKILL must not leave runs going on. */
	child_detach(tmp, SIGKILL);
	int threads = (int)rb_paramset_get(&r->params, "threads")->i;
	omp_set_num_threads(threads);
	openblas_set_num_threads(threads);
	struct rb_recorder *rec = rb_recorder_open(tmp, why, whylen);
	if (!rec)
		_exit(3);
	struct rb_run run = {
		.experiment = s->m->id, .run_id = r->id, .seed = r->seed, .threads = threads,
		.data = data, .params = r->params,
	};
	int rc = r->algo->run(&run, rec);
	_exit(rb_recorder_finish(rec, rc, why, whylen) == 0 ? 0 : 3);
}

/* mpirun's argument vector: what a root, single-host, small machine needs, then the
 * user's hostfile and extra options, then the rank side of run-one. */
static int mpirun_argv(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
		       const char *tmp, char **argv, int max, char *store, size_t storelen)
{
	static char exe[PATH_MAX], manifest[PATH_MAX], dir[PATH_MAX], ranks[16], mpirun[PATH_MAX];
	int argc = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if (!realpath(s->m->path, manifest))
		snprintf(manifest, sizeof(manifest), "%s", s->m->path);
	if (!realpath(tmp, dir))
		snprintf(dir, sizeof(dir), "%s", tmp);
	snprintf(ranks, sizeof(ranks), "%d", exec_run_ranks(r));
	exec_mpirun_path(mpirun, sizeof(mpirun));
	argv[argc++] = mpirun;
	/* Open MPI refuses root without this; CI and containers run as root. */
	if (geteuid() == 0)
		argv[argc++] = "--allow-run-as-root";
	/* More ranks than cores is allowed and marked in run.json (oversubscribed). */
	argv[argc++] = "--oversubscribe";
	argv[argc++] = "-n";
	argv[argc++] = ranks;
	if (o->hostfile) {
		argv[argc++] = "--hostfile";
		argv[argc++] = (char *)o->hostfile;
	}
	const char *extra = getenv("RELAXBENCH_MPIRUN_ARGS");
	snprintf(store, storelen, "%s", extra ? extra : "");
	for (char *save = NULL, *t = strtok_r(store, " ", &save); t && argc < max - 12;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	char *tail[] = {exe, "run-one", manifest, "--scale", (char *)mf_scale_name(s->scale), "--id",
			(char *)r->id, "--rank-dir", dir, "--quiet"};
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		argv[argc++] = tail[i];
	argv[argc] = NULL;
	return argc;
}

/* The child of an MPI run becomes mpirun; its output goes to the run's output file. */
static void mpi_child_main(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
			   const char *tmp)
{
	char store[4096], *argv[96];
	/* SIGTERM, so that mpirun takes its ranks down with it (see wait_child). */
	child_detach(tmp, SIGTERM);
	mpirun_argv(s, r, o, tmp, argv, 96, store, sizeof(store));
	execv(argv[0], argv);
	fprintf(stderr, "relaxbench: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* ---- the parent: wait with a time limit, then write run.json -------------------------- */

struct outcome {
	enum rb_status status;
	char message[512];
	double wall_s, cpu_s;
	long peak_rss_kb;
};

/* mpirun puts its ranks in process groups of their own: SIGKILL to mpirun would leave
 * them running, SIGTERM has it kill them first. SIGKILL follows after this grace. */
#define EXEC_MPI_GRACE_S 5.0

/* `announce` (NULL for none) is printed once the run has taken more than a second.
 * `term_first`: on timeout, SIGTERM (mpirun) and SIGKILL only after the grace. */
static void wait_child(pid_t pid, double timeout_s, int term_first, const char *announce,
		       struct outcome *out)
{
	double start = now_s(), sleep_s = 0.001;
	int status = 0, timed_out = 0, announced = 0, killed = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	for (;;) {
		pid_t w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		double t = now_s() - start;
		if (!timed_out && t > timeout_s) {
			kill(-pid, term_first ? SIGTERM : SIGKILL);
			kill(pid, term_first ? SIGTERM : SIGKILL);
			timed_out = 1;
		}
		if (timed_out && !killed && t > timeout_s + (term_first ? EXEC_MPI_GRACE_S : 0.0)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
		}
		if (announce && !announced && t > 1.0) {
			fprintf(stderr, "%s\n", announce);
			announced = 1;
		}
		struct timespec ts = {0, (long)(sleep_s * 1e9)};
		nanosleep(&ts, NULL);
		sleep_s = sleep_s < 0.05 ? sleep_s * 2 : 0.05;
	}
	out->wall_s = now_s() - start;
	out->cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
		     (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
	out->peak_rss_kb = ru.ru_maxrss;
	out->status = RB_OK;
	out->message[0] = 0;
	if (timed_out) {
		out->status = RB_TIMEOUT;
		snprintf(out->message, sizeof(out->message), "exceeded the time limit of %g s", timeout_s);
	} else if (WIFSIGNALED(status)) {
		out->status = RB_CRASHED;
		snprintf(out->message, sizeof(out->message), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		out->status = RB_CRASHED;
		snprintf(out->message, sizeof(out->message), "exited with status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

static json_t *dataset_json(const struct sweep *s, const struct sweep_run *r, const struct ds_dataset *d)
{
	if (r->dataset < 0)
		return json_null();
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s}", "name", r->ds_entry->name, "requested",
			      s->m->datasets[r->dataset].name, "params", sweep_params_json(&r->ds_params),
			      "checksum", r->ds_checksum, "source", d ? d->source : "");
	if (r->ds_fallback[0])
		json_object_set_new(j, "fallback", json_string(r->ds_fallback));
	return j;
}

static void command_line(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
			 char *buf, size_t len);

static json_t *run_json(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
			const struct ds_dataset *d, const struct outcome *oc, json_t *result,
			double timeout_s, const char *started)
{
	char finished[32], cmd[8192];
	iso_time(finished, sizeof(finished));
	command_line(s, r, o, cmd, sizeof(cmd));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = (int)rb_paramset_get(&r->params, "threads")->i;
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:i, s:b, s:f, s:s, s:s, s:s}",
		"run_id", r->id, "experiment", s->m->id, "manifest", s->m->path, "scale",
		mf_scale_name(s->scale), "algorithm", r->algo->name, "family", r->algo->family, "params",
		sweep_params_json(&r->params), "seed", (json_int_t)r->seed, "dataset",
		dataset_json(s, r, d), "threads", threads, "oversubscribed", threads > cpus,
		"timeout_s", timeout_s, "started_at", started, "finished_at", finished, "command", cmd);
	enum rb_status st = oc->status;
	const char *msg = oc->message;
	const char *child_status = result ? json_string_value(json_object_get(result, "status")) : NULL;
	if (st == RB_OK && !child_status) {
		st = RB_CRASHED;
		msg = "the run left no result.json";
	} else if (st == RB_OK) {
		st = (enum rb_status)rb_status_parse(child_status);
		msg = json_string_value(json_object_get(result, "message"));
	}
	json_object_set_new(j, "point_id", json_string(r->point));
	json_object_set_new(j, "fingerprint", json_string(r->fingerprint));
	json_object_set_new(j, "status", json_string(rb_status_name(st)));
	json_object_set_new(j, "message", json_string(msg ? msg : ""));
	json_t *timing = json_pack("{s:f, s:f, s:I}", "wall_s", oc->wall_s, "cpu_s", oc->cpu_s,
				   "peak_rss_kb", (json_int_t)oc->peak_rss_kb);
	static const char *const copied[] = {"algo_wall_s", "algo_cpu_s", "eval_wall_s", "eval_cpu_s"};
	for (size_t i = 0; result && i < sizeof(copied) / sizeof(copied[0]); i++)
		json_object_set(timing, copied[i], json_object_get(result, copied[i]));
	json_object_set_new(j, "timing", timing);
	json_t *sums = json_object_get(result, "summaries"), *verify = json_object_get(result, "verify");
	json_object_set_new(j, "summaries", sums ? json_incref(sums) : json_object());
	json_object_set_new(j, "verify", verify ? json_incref(verify) : json_array());
	json_object_set_new(j, "env", env_capture());
	return j;
}

/* Every rank's status, times and summaries (rank 0's result.json is the run's own), and
 * whether P ranks of `threads` threads oversubscribe this host's cores. */
static void add_mpi_json(json_t *j, const struct sweep_run *r, const struct exec_opts *o,
			 const char *tmp, json_t *rank0)
{
	int P = exec_run_ranks(r), threads = (int)rb_paramset_get(&r->params, "threads")->i;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char path[4200], mpirun[PATH_MAX];
	json_t *ranks = json_array();
	for (int k = 0; k < P; k++) {
		snprintf(path, sizeof(path), k ? "%s/rank%d/result.json" : "%s/result.json", tmp, k);
		json_t *res = k ? json_load_file(path, 0, NULL) : json_incref(rank0);
		json_t *one = json_pack("{s:i}", "rank", k);
		static const char *const keep[] = {"status", "algo_wall_s", "algo_cpu_s", "summaries"};
		for (size_t i = 0; res && i < sizeof(keep) / sizeof(keep[0]); i++)
			json_object_set(one, keep[i], json_object_get(res, keep[i]));
		if (!res)
			json_object_set_new(one, "status", json_string("missing"));
		json_array_append_new(ranks, one);
		json_decref(res);
	}
	exec_mpirun_path(mpirun, sizeof(mpirun));
	/* With a hostfile the ranks spread over hosts whose cores this host cannot count. */
	int over = !o->hostfile && (long)P * threads > cpus;
	json_object_set_new(j, "oversubscribed", json_boolean(over || threads > cpus));
	json_object_set_new(j, "mpi", json_pack("{s:i, s:s, s:s?, s:s?, s:o}", "ranks", P, "mpirun",
						mpirun, "hostfile", o->hostfile, "extra_args",
						getenv("RELAXBENCH_MPIRUN_ARGS"), "per_rank", ranks));
}

/* Put the finished temporary folder in place. With --force an older folder is moved
 * aside first, since rename(2) cannot replace a non-empty directory. */
static int publish(const char *tmp, const char *final, const char *tmproot, char *err, size_t errlen)
{
	char old[4200];
	/* <name>.<pid>, like the run folders in progress, so clean_stale_tmp removes it if
	 * this process dies between the two renames. */
	snprintf(old, sizeof(old), "%s/old.%ld", tmproot, (long)getpid());
	int had_old = rename(final, old) == 0;
	if (rb_fault_enospc() || rename(tmp, final) != 0) {
		snprintf(err, errlen, "%s: cannot move the finished run into place: %s", final,
			 strerror(errno));
		if (had_old)
			rename(old, final);
		return -1;
	}
	if (had_old)
		rm_tree(old);
	return 0;
}

static int write_run_json(const char *tmp, json_t *j, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/run.json", tmp);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	int rc = text ? rb_write_file_atomic(path, text, strlen(text), err, errlen) : -1;
	free(text);
	return rc;
}

static int prepare_tmp(const struct exec_opts *o, const char *experiment, const char *id, char *tmproot,
		       char *tmp, size_t len, char *err, size_t errlen)
{
	if ((size_t)snprintf(tmproot, len, "%s/runs/%s/.tmp", o->results, experiment) >= len ||
	    (size_t)snprintf(tmp, len, "%s/runs/%s/.tmp/%s.%ld", o->results, experiment, id,
			     (long)getpid()) >= len) {
		snprintf(err, errlen, "%s: path too long", o->results);
		return -1;
	}
	if (rb_mkdirs(tmproot, err, errlen) < 0)
		return -1;
	rm_tree(tmp);
	if (mkdir(tmp, 0755) != 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* The run's process, with a page shared for its reason when it cannot write. */
static pid_t start_child(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
			 const struct ds_dataset *d, const char *tmp, char **why, char *err, size_t errlen)
{
	*why = mmap(NULL, EXEC_WHY_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (*why == MAP_FAILED) {
		*why = NULL;
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return -1;
	}
	(*why)[0] = 0;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		snprintf(err, errlen, "fork: %s", strerror(errno));
	if (pid == 0 && exec_run_ranks(r) > 0)
		mpi_child_main(s, r, o, tmp);
	if (pid == 0)
		child_main(s, r, d, tmp, *why, EXEC_WHY_LEN);
	return pid;
}

/* Write run.json and move the folder into place; on failure nothing is left. */
static int finish_run(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
		      const char *tmproot, const char *tmp, json_t *j, char *err, size_t errlen)
{
	char final[4096];
	exec_run_dir(o, s->m->id, r->id, final, sizeof(final));
	if (write_run_json(tmp, j, err, errlen) < 0 || publish(tmp, final, tmproot, err, errlen) < 0) {
		rm_tree(tmp);
		return EXEC_CANNOT_WRITE;
	}
	return 0;
}

/* Run one and record it. Returns the run's status, EXEC_CANNOT_WRITE when the results
 * folder cannot take it (then nothing of it is left), or -1 on another harness error. */
static int run_one(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
		   struct data_cache *dc, const char *announce, char *err, size_t errlen)
{
	char tmproot[4096], tmp[4096], started[32], path[4200], *why;
	const struct ds_dataset *d = get_data(dc, r, err, errlen);
	if (r->dataset >= 0 && !d)
		return EXEC_BAD_DATA;
	if (prepare_tmp(o, s->m->id, r->id, tmproot, tmp, sizeof(tmp), err, errlen) < 0)
		return EXEC_CANNOT_WRITE;
	iso_time(started, sizeof(started));
	double timeout_s = o->timeout_s > 0 ? o->timeout_s : r->timeout_s;
	pid_t pid = start_child(s, r, o, d, tmp, &why, err, errlen);
	if (pid < 0) {
		if (why)
			munmap(why, EXEC_WHY_LEN);
		rm_tree(tmp);
		return -1;
	}
	struct outcome oc;
	wait_child(pid, timeout_s, exec_run_ranks(r) > 0, announce, &oc);
	int cannot_write = why[0] != 0;
	if (cannot_write)
		snprintf(err, errlen, "%.*s", EXEC_WHY_LEN, why);
	munmap(why, EXEC_WHY_LEN);
	if (cannot_write) {
		rm_tree(tmp);
		return EXEC_CANNOT_WRITE;
	}
	snprintf(path, sizeof(path), "%s/result.json", tmp);
	json_t *result = json_load_file(path, 0, NULL);
	json_t *j = run_json(s, r, o, d, &oc, result, timeout_s, started);
	if (exec_run_ranks(r) > 0)
		add_mpi_json(j, r, o, tmp, result);
	json_decref(result);
	int status = rb_status_parse(json_string_value(json_object_get(j, "status")));
	int rc = finish_run(s, r, o, tmproot, tmp, j, err, errlen);
	json_decref(j);
	return rc < 0 ? rc : status;
}

/* ---- sweeps in this process -------------------------------------------------------- */

static void fmt_duration(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void eta_text(const struct exec_stats *st, double elapsed, char *buf, size_t len)
{
	int todo = st->total - st->skipped, ran = st->done - st->skipped;
	snprintf(buf, len, "?");
	if (ran > 0)
		fmt_duration(elapsed / ran * (todo - ran), buf, len);
}

static void progress(const struct exec_stats *st, double elapsed, int status, double run_s,
		     const char *label)
{
	char eta[32], took[32];
	eta_text(st, elapsed, eta, sizeof(eta));
	fmt_duration(run_s, took, sizeof(took));
	fprintf(stderr, "[%d/%d] %-8s %s  %s  (ETA %s)\n", st->done, st->total, rb_status_name(status),
		took, label, eta);
}

static void running_line(const struct exec_stats *st, double elapsed, const char *label, char *buf,
			 size_t len)
{
	char eta[32];
	eta_text(st, elapsed, eta, sizeof(eta));
	snprintf(buf, len, "[%d/%d] running  %s  (ETA %s)", st->done + 1, st->total, label, eta);
}

int exec_sweeps(struct sweep *sweeps, int n, const struct exec_opts *o, struct exec_stats *st,
		char *err, size_t errlen)
{
	struct data_cache dc = {0};
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < n; i++)
		st->total += sweeps[i].n;
	double start = now_s();
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char tmproot[4096];
		snprintf(tmproot, sizeof(tmproot), "%s/runs/%s/.tmp", o->results, sweeps[i].m->id);
		clean_stale_tmp(tmproot);
		for (int k = 0; k < sweeps[i].n && rc == 0; k++) {
			const struct sweep_run *r = &sweeps[i].runs[k];
			if (should_skip(o, sweeps[i].m->id, r->id)) {
				st->done++;
				st->skipped++;
				continue;
			}
			double t0 = now_s();
			char announce[512];
			running_line(st, now_s() - start, r->label, announce, sizeof(announce));
			int status = run_one(&sweeps[i], r, o, &dc, o->quiet ? NULL : announce, err, errlen);
			if (status < 0) {
				rc = status;
				break;
			}
			st->done++;
			if (status == RB_OK)
				st->ok++;
			else
				st->failed++;
			if (!o->quiet)
				progress(st, now_s() - start, status, now_s() - t0, r->label);
		}
	}
	if (dc.loaded)
		ds_dataset_free(&dc.data);
	return rc;
}

int exec_one_by_id(const struct sweep *s, const char *id, const struct exec_opts *o, char *err,
		   size_t errlen)
{
	const struct sweep_run *r = sweep_find(s, id);
	if (!r) {
		snprintf(err, errlen, "%s: no run with id %s at scale %s", s->m->path, id,
			 mf_scale_name(s->scale));
		return -1;
	}
	if (should_skip(o, s->m->id, r->id))
		return 0;
	struct data_cache dc = {0};
	double t0 = now_s();
	int status = run_one(s, r, o, &dc, NULL, err, errlen);
	if (dc.loaded)
		ds_dataset_free(&dc.data);
	if (status < 0)
		return status;
	if (!o->quiet) {
		char took[32];
		fmt_duration(now_s() - t0, took, sizeof(took));
		fprintf(stderr, "%-8s %s  %s %s\n", rb_status_name(status), took, s->m->id, r->label);
	}
	return 0;
}

/* ---- the rank side of an MPI run ------------------------------------------------------ */

/* Rank 0 records into the run's temporary folder; rank r > 0 into dir/rank<r>, so that
 * its log, series and timings are kept apart and the executor can gather them. */
static int rank_dir(const char *dir, int rank, char *buf, size_t len, char *err, size_t errlen)
{
	if (rank == 0) {
		snprintf(buf, len, "%s", dir);
		return 0;
	}
	snprintf(buf, len, "%s/rank%d", dir, rank);
	return rb_mkdirs(buf, err, errlen);
}

static int rank_run(const struct sweep *s, const struct sweep_run *r, const char *dir, char *err,
		    size_t errlen)
{
	char mine[4200];
	struct data_cache dc = {0};
	const struct ds_dataset *d = get_data(&dc, r, err, errlen);
	if (r->dataset >= 0 && !d)
		return -1;
	int rc = rank_dir(dir, comm_mpi_rank(), mine, sizeof(mine), err, errlen);
	struct rb_recorder *rec = rc == 0 ? rb_recorder_open(mine, err, errlen) : NULL;
	if (rec) {
		int threads = (int)rb_paramset_get(&r->params, "threads")->i;
		omp_set_num_threads(threads);
		openblas_set_num_threads(threads);
		struct rb_run run = {
			.experiment = s->m->id, .run_id = r->id, .seed = r->seed, .threads = threads,
			.data = d, .params = r->params,
		};
		int arc = r->algo->run(&run, rec);
		rc = rb_recorder_finish(rec, arc, err, errlen);
	} else {
		rc = -1;
	}
	if (dc.loaded)
		ds_dataset_free(&dc.data);
	return rc;
}

int exec_rank_main(const struct sweep *s, const char *id, const char *dir, char *err, size_t errlen)
{
	const struct sweep_run *r = sweep_find(s, id);
	if (!r) {
		snprintf(err, errlen, "%s: no run with id %s at scale %s", s->m->path, id,
			 mf_scale_name(s->scale));
		return -1;
	}
	/* A rank dies with its launcher: a killed mpirun must not leave ranks behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (comm_mpi_init(NULL, NULL) != 0) {
		snprintf(err, errlen, "MPI_Init failed");
		return -1;
	}
	if (comm_mpi_size() != exec_run_ranks(r)) {
		snprintf(err, errlen, "run %s wants %d ranks, mpirun started %d", id, exec_run_ranks(r),
			 comm_mpi_size());
		comm_mpi_finalize();
		return -1;
	}
	int rc = rank_run(s, r, dir, err, errlen);
	comm_mpi_finalize();
	return rc;
}

/* ---- command lines and GNU parallel --------------------------------------------------- */

/* Single-quote for a POSIX shell: GNU parallel runs each line through one. */
static size_t shell_quote(char *buf, size_t len, const char *s)
{
	size_t k = 0;
	if (k < len)
		buf[k++] = '\'';
	for (; *s && k + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + k, "'\\''", 4);
			k += 4;
		} else {
			buf[k++] = *s;
		}
	}
	if (k + 1 < len)
		buf[k++] = '\'';
	buf[k < len ? k : len - 1] = 0;
	return k;
}

static void command_line(const struct sweep *s, const struct sweep_run *r, const struct exec_opts *o,
			 char *buf, size_t len)
{
	char exe[PATH_MAX] = "relaxbench", q[3][PATH_MAX + 64], manifest[PATH_MAX], results[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = 0;
	/* Absolute paths, so the line works from any directory and on any host that
	 * shares the file system. */
	if (!realpath(s->m->path, manifest))
		snprintf(manifest, sizeof(manifest), "%s", s->m->path);
	if (!realpath(o->results, results))
		snprintf(results, sizeof(results), "%s", o->results);
	shell_quote(q[0], sizeof(q[0]), exe);
	shell_quote(q[1], sizeof(q[1]), manifest);
	shell_quote(q[2], sizeof(q[2]), results);
	size_t k = (size_t)snprintf(buf, len, "%s run-one %s --scale %s --id %s --results %s", q[0], q[1],
				    mf_scale_name(s->scale), r->id, q[2]);
	if (o->timeout_s > 0 && k < len)
		k += (size_t)snprintf(buf + k, len - k, " --timeout %g", o->timeout_s);
	if (o->hostfile && k < len) {
		char hf[PATH_MAX + 64], abs[PATH_MAX];
		if (!realpath(o->hostfile, abs))
			snprintf(abs, sizeof(abs), "%s", o->hostfile);
		shell_quote(hf, sizeof(hf), abs);
		k += (size_t)snprintf(buf + k, len - k, " --hostfile %s", hf);
	}
	if ((o->force || o->retry_failed) && k < len)
		snprintf(buf + k, len - k, "%s", o->force ? " --force" : " --retry-failed");
}

int exec_print_commands(FILE *out, const struct sweep *s, const struct exec_opts *o, int all,
			char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	char cmd[16384];
	for (int i = 0; i < s->n; i++) {
		if (!all && should_skip(o, s->m->id, s->runs[i].id))
			continue;
		command_line(s, &s->runs[i], o, cmd, sizeof(cmd));
		fprintf(out, "%s\n", cmd);
	}
	return 0;
}

int exec_parallel(struct sweep *sweeps, int n, const struct exec_opts *o, int jobs,
		  char *const *extra, int nextra, char *err, size_t errlen)
{
	char joblog[4200], jobs_s[16], cmdfile[4200];
	if (rb_mkdirs(o->results, err, errlen) < 0)
		return EXEC_CANNOT_WRITE;
	snprintf(joblog, sizeof(joblog), "%s/parallel.joblog", o->results);
	snprintf(cmdfile, sizeof(cmdfile), "%s/parallel.commands", o->results);
	FILE *f = fopen(cmdfile, "w");
	if (!f) {
		snprintf(err, errlen, "%s: cannot create: %s", cmdfile, strerror(errno));
		return EXEC_CANNOT_WRITE;
	}
	for (int i = 0; i < n; i++) {
		char tmproot[4096];
		snprintf(tmproot, sizeof(tmproot), "%s/runs/%s/.tmp", o->results, sweeps[i].m->id);
		clean_stale_tmp(tmproot);
		exec_print_commands(f, &sweeps[i], o, 0, err, errlen);
	}
	/* A command file cut short by a full disk would run only some of the runs. */
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: cannot write: %s", cmdfile, strerror(bad ? EIO : errno));
		return EXEC_CANNOT_WRITE;
	}
	snprintf(jobs_s, sizeof(jobs_s), "%d", jobs);
	char *argv[64] = {"parallel", "--will-cite", "--jobs", jobs_s, "--joblog", joblog, "--halt", "never"};
	int argc = 8;
	if (isatty(STDERR_FILENO))
		argv[argc++] = "--eta";
	for (int i = 0; i < nextra && argc < 60; i++)
		argv[argc++] = extra[i];
	argv[argc++] = "--arg-file";
	argv[argc++] = cmdfile;
	argv[argc] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execvp("parallel", argv);
		fprintf(stderr, "relaxbench: cannot run GNU parallel: %s (make deps installs it)\n",
			strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "GNU parallel reported %d failed job(s); see %s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, joblog);
		return -1;
	}
	return 0;
}
