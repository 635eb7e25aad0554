/*
 * The Open MPI backend (algorithms/comm/comm_mpi.c) and the executor's MPI runs.
 * - tests/mpi/comm_mpi_check under mpirun with P = 2 and 3: every collective and the
 *   exchange step give the in-process bits and counts;
 * - topk_sgd and dense_sgd through the binary on both backends: the same final loss,
 *   bit for bit (the summation order is the same), the same byte counts, every rank
 *   recorded; this is where issue 16's S8 lives, since with the same order it cannot
 *   fail as a claim could;
 * - a manifest asking for backend: mpi with no mpirun: exit 2, one line, nothing run.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algorithms/comm/comm_mpi.h"
#include "tests/unit/testutil.h"

static const char *mpicheck(void)
{
	const char *p = getenv("RELAXBENCH_MPICHECK");
	return p ? p : "build/relaxbench-mpicheck";
}

/* Prefix for commands that start MPI ranks: under ASan their leak stacks must unwind
 * through Open MPI's frame-pointer-less libraries to meet tests/lsan.supp; harmless in
 * the plain build. */
#define MPI_ENV "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0\" "

static const char *as_root(void)
{
	return geteuid() == 0 ? "--allow-run-as-root" : "";
}

Test(comm_mpi, collectives_and_exchange_match_inprocess_under_mpirun, .timeout = 60)
{
	for (int P = 2; P <= 3; P++) {
		char *out, want[64];
		int rc = tu_sh(&out, MPI_ENV "mpirun %s --oversubscribe -n %d '%s'", as_root(), P, mpicheck());
		snprintf(want, sizeof(want), "comm_mpi_check: P = %d ok", P);
		cr_expect_eq(rc, 0, "P = %d: %s", P, out);
		cr_expect(strstr(out, want) != NULL, "P = %d: %s", P, out);
		free(out);
	}
}

Test(comm_mpi, outside_mpirun_the_backend_refuses_with_a_reason)
{
	char why[256] = "";
	cr_expect_null(comm_mpi_new(2, why, sizeof(why)));
	cr_expect(strstr(why, "mpirun") != NULL, "%s", why);
	cr_expect_eq(comm_mpi_size(), 1);
	cr_expect_eq(comm_mpi_rank(), 0);
	struct comm *c = comm_new_backend("inprocess", 3, why, sizeof(why));
	cr_assert_not_null(c);
	c->stats[2].bytes_sent = 7;
	struct comm_stats all[3];
	cr_expect_eq(comm_stats_gather(c, all), 0);
	cr_expect_eq(all[2].bytes_sent, 7);
	cr_expect_eq(comm_max_double(c, 2.5), 2.5);
	float x = 1, y = 0;
	cr_expect_eq(comm_mpi_allreduce_f32(c, &x, &y, 1), -1, "no vendor allreduce in process");
	comm_free(c);
}

static const char *const backends_manifest =
	"id: mpi_backends\n"
	"algorithms: [dense_sgd, topk_sgd]\n"
	"dataset:\n"
	"  name: regress\n"
	"  params: {dimension: 300, samples: 240, density: 0.05}\n"
	"params:\n"
	"  model: squared\n"
	"  l2: 0\n"
	"  lr: 0.05\n"
	"  batch: 8\n"
	"  epochs: 2\n"
	"  workers: [2, 3]\n"
	"  backend: [inprocess, mpi]\n"
	"  only:\n"
	"    topk_sgd: {k_fraction: 0.05}\n"
	"timeout_s: 60\n";

struct outcome {
	char key[64];          /* algorithm/workers */
	char loss[2][40];      /* final_loss as %.17g: [0] inprocess, [1] mpi */
	double sent[2];
	int seen[2];
};

static struct outcome *find(struct outcome *o, int *n, const char *key)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(o[i].key, key))
			return &o[i];
	memset(&o[*n], 0, sizeof(o[*n]));
	snprintf(o[*n].key, sizeof(o[*n].key), "%s", key);
	return &o[(*n)++];
}

/* One run folder: its final loss and bytes under its algorithm/workers key; an MPI run
 * must have every rank ok and be marked oversubscribed when P exceeds the cores. */
static void read_run(const char *path, struct outcome *o, int *n)
{
	json_t *j = json_load_file(path, 0, NULL);
	cr_assert_not_null(j, "%s", path);
	json_t *ps = json_object_get(j, "params"), *sums = json_object_get(j, "summaries");
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "ok", "%s", path);
	char key[64];
	int P = (int)json_integer_value(json_object_get(ps, "workers"));
	snprintf(key, sizeof(key), "%s/%d", json_string_value(json_object_get(j, "algorithm")), P);
	int mpi = !strcmp(json_string_value(json_object_get(ps, "backend")), "mpi");
	struct outcome *e = find(o, n, key);
	snprintf(e->loss[mpi], sizeof(e->loss[mpi]), "%.17g",
		 json_real_value(json_object_get(sums, "final_loss")));
	e->sent[mpi] = json_real_value(json_object_get(sums, "ring_bytes_sent_total"));
	e->seen[mpi] = 1;
	if (mpi) {
		json_t *ranks = json_object_get(json_object_get(j, "mpi"), "per_rank");
		cr_expect_eq((int)json_array_size(ranks), P, "%s: one entry per rank", path);
		for (size_t r = 0; r < json_array_size(ranks); r++)
			cr_expect_str_eq(json_string_value(json_object_get(json_array_get(ranks, r),
									   "status")), "ok");
		int over = json_is_true(json_object_get(j, "oversubscribed"));
		cr_expect_eq(over, P > sysconf(_SC_NPROCESSORS_ONLN), "%s: oversubscribed mark", path);
	}
	json_decref(j);
}

Test(comm_mpi, topk_and_dense_sgd_give_the_same_bits_on_both_backends, .timeout = 120)
{
	char dir[512], path[1024], *out, exp[700];
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "b.yaml", backends_manifest, path, sizeof(path));
	int rc = tu_sh(&out, MPI_ENV "'%s' run '%s' --results '%s/r' --quiet", tu_bin(), path, dir);
	cr_assert_eq(rc, 0, "%s", out);
	free(out);
	snprintf(exp, sizeof(exp), "%s/r/runs/mpi_backends", dir);
	DIR *d = opendir(exp);
	cr_assert_not_null(d);
	struct outcome o[8];
	int n = 0, runs = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char rj[1400];
		snprintf(rj, sizeof(rj), "%s/%s/run.json", exp, e->d_name);
		read_run(rj, o, &n);
		runs++;
	}
	closedir(d);
	cr_expect_eq(runs, 8);
	cr_expect_eq(n, 4);
	for (int i = 0; i < n; i++) {
		cr_expect(o[i].seen[0] && o[i].seen[1], "%s: both backends", o[i].key);
		cr_expect_str_eq(o[i].loss[0], o[i].loss[1], "%s: final loss differs", o[i].key);
		cr_expect_eq(o[i].sent[0], o[i].sent[1], "%s: bytes differ", o[i].key);
	}
}

/* The run-one line a scheduler would use, and `run`: both refuse before running. */
Test(comm_mpi, backend_mpi_without_mpirun_exits_2_before_any_run, .timeout = 30)
{
	static const char *const how[] = {"RELAXBENCH_MPIRUN=/nonexistent",
					  "env -u RELAXBENCH_MPIRUN PATH=/nonexistent-dir"};
	char dir[512], path[1024], results[700], *out;
	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, "b.yaml", backends_manifest, path, sizeof(path));
	snprintf(results, sizeof(results), "%s/r", dir);
	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		int rc = tu_sh(&out, "%s '%s' run '%s' --results '%s'", how[i], tu_bin(), path, results);
		cr_expect_eq(rc, 2, "%s: %s", how[i], out);
		cr_expect_eq(tu_lines(out), 1, "%s: one line: %s", how[i], out);
		cr_expect(strstr(out, "backend: mpi") != NULL, "%s", out);
		free(out);
		cr_expect_eq(tu_count_entries(results), -1, "%s: nothing may run", how[i]);
	}
	/* The in-process runs of the same manifest need no mpirun. */
	int rc = tu_sh(&out, "RELAXBENCH_MPIRUN=/nonexistent '%s' run '%s' --results '%s' --quiet "
		       "--filter backend=inprocess --filter workers=2", tu_bin(), path, results);
	cr_expect_eq(rc, 0, "%s", out);
	free(out);
}
