/*
 * relaxbench: the command-line interface. Each subcommand has --help; every error in
 * the input (manifest, flag, dataset) is one line on stderr and exit status 2.
 */
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datasets/catalog.h"
#include "datasets/cifar.h"
#include "datasets/fetch.h"
#include "datasets/graph.h"
#include "datasets/idx.h"
#include "datasets/libsvm.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/envinfo.h"
#include "suite/exec.h"
#include "suite/outputs.h"
#include "suite/paths.h"
#include "suite/registry.h"
#include "suite/regress.h"
#include "suite/report.h"
#include "suite/store.h"
#include "suite/table.h"
#include "suite/trend.h"

#define EXIT_INPUT 2   /* bad manifest, flag or dataset; a results folder that cannot be written */
#define MAX_MANIFESTS 256
#define MAX_FILTERS 16

struct opts {
	const char *results, *plots, *out, *id, *sshloginfile, *hostfile, *rank_dir;
	enum mf_scale scale;
	int jobs, force, retry_failed, all, quiet, threads, allow_mixed, git;
	double timeout_s;
	const char *filters[MAX_FILTERS];
	int nfilters;
	const char *reference;             /* folder of the reference CSV files */
	const char *manifests[MAX_MANIFESTS];  /* trend: --manifest */
	int nmanifests;
	char **rest;          /* positional arguments */
	int nrest;
	char **passthrough;   /* after "--": for GNU parallel */
	int npassthrough;
};

struct command {
	const char *name, *args, *help;
	int (*fn)(struct opts *o);
	const char *flags;    /* which options the command takes, by letter */
};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "relaxbench %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see relaxbench %s --help)\n", cmd);
	return EXIT_INPUT;
}

/* ---- manifests -> sweeps ------------------------------------------------------------ */

struct loaded {
	struct manifest *m[MAX_MANIFESTS];
	struct sweep s[MAX_MANIFESTS];
	int n;
};

static void unload(struct loaded *l)
{
	for (int i = 0; i < l->n; i++) {
		sweep_free(&l->s[i]);
		mf_free(l->m[i]);
	}
	l->n = 0;
}

static int apply_filters(struct loaded *l, const struct opts *o)
{
	char err[512];
	for (int f = 0; f < o->nfilters; f++) {
		int known = 0;
		for (int i = 0; i < l->n; i++) {
			if (sweep_filter(&l->s[i], o->filters[f], err, sizeof(err)) == 0)
				known++;
			else if (strchr(o->filters[f], '=') && strchr(o->filters[f], '=') != o->filters[f])
				l->s[i].n = 0;  /* this experiment has no such key: none of it matches */
		}
		if (!known) {
			fprintf(stderr, "relaxbench: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Load, validate, expand and check the queries of every manifest before anything runs. */
static int load_all(struct loaded *l, const struct opts *o, int check_queries)
{
	char err[2048];
	l->n = 0;
	if (o->nrest == 0) {
		fprintf(stderr, "relaxbench: no manifest given\n");
		return -1;
	}
	if (o->nrest > MAX_MANIFESTS) {
		fprintf(stderr, "relaxbench: at most %d manifests at once\n", MAX_MANIFESTS);
		return -1;
	}
	for (int i = 0; i < o->nrest; i++) {
		struct manifest *m = mf_load(o->rest[i], err, sizeof(err));
		if (!m) {
			fprintf(stderr, "%s\n", err);
			unload(l);
			return -1;
		}
		l->m[l->n] = m;
		if (sweep_expand(m, o->scale, &l->s[l->n], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			mf_free(m);
			unload(l);
			return -1;
		}
		l->n++;
		for (int k = 0; k < l->n - 1; k++) {
			if (!strcmp(l->m[k]->id, m->id)) {
				fprintf(stderr, "%s:1:1: id: '%s' is also the id of %s\n", m->path, m->id,
					l->m[k]->path);
				unload(l);
				return -1;
			}
		}
		if (check_queries && out_check_queries(&l->s[l->n - 1], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			unload(l);
			return -1;
		}
	}
	return apply_filters(l, o);
}

static struct exec_opts exec_opts_of(const struct opts *o)
{
	struct exec_opts e = {
		.results = o->results, .force = o->force, .retry_failed = o->retry_failed,
		.timeout_s = o->timeout_s, .quiet = o->quiet, .hostfile = o->hostfile,
	};
	return e;
}

/* ---- commands ------------------------------------------------------------------------ */

static int cmd_list(struct opts *o)
{
	(void)o;
	int wn = (int)strlen("ALGORITHM"), wf = (int)strlen("FAMILY");
	for (const struct rb_algorithm *const *a = rb_registry_all(); *a; a++) {
		if ((int)strlen((*a)->name) > wn)
			wn = (int)strlen((*a)->name);
		if ((int)strlen((*a)->family) > wf)
			wf = (int)strlen((*a)->family);
	}
	printf("%-*s  %-*s  %s\n", wn, "ALGORITHM", wf, "FAMILY", "SUMMARY");
	for (const struct rb_algorithm *const *a = rb_registry_all(); *a; a++)
		printf("%-*s  %-*s  %s\n", wn, (*a)->name, wf, (*a)->family, (*a)->summary);
	return 0;
}

static void print_params(const struct rb_param_spec *t)
{
	for (const struct rb_param_spec *s = t; s && s->name; s++) {
		char range[128];
		if (s->type == RB_CHOICE)
			snprintf(range, sizeof(range), "%s", s->choices);
		else if (s->type == RB_BOOL)
			snprintf(range, sizeof(range), "true|false");
		else
			snprintf(range, sizeof(range), "[%g, %g]", s->min, s->max);
		printf("  %-14s %-8s default %-10s %-22s %s\n", s->name, rb_param_type_name(s->type),
		       s->def, range, s->doc);
	}
}

static int cmd_describe(struct opts *o)
{
	if (o->nrest != 1)
		return usage_error("describe", "expected one algorithm name%s", "");
	const struct rb_algorithm *a = rb_registry_find(o->rest[0]);
	if (!a)
		return usage_error("describe", "unknown algorithm '%s'", o->rest[0]);
	printf("%s (family %s%s%s)\n  %s\n\nparameters:\n", a->name, a->family, *a->paper ? ", " : "",
	       a->paper, a->summary);
	print_params(a->params);
	printf("  %-14s %-8s default %-10s %-22s %s\n", "threads", "integer", "1", "[1, 4096]",
	       "threads for the run (OpenMP and OpenBLAS); every algorithm takes it");
	printf("\nneeds a dataset: %s\n", a->needs_data ? "yes" : "no");
	return 0;
}

/* present: every file verified in datasets/cache; mirror: in $RELAXBENCH_DATA_MIRROR
 * (verified when first used); fetchable: has URLs and pinned digests; fallback: none of
 * those, so runs use the generator named. */
static const char *dataset_status(const struct catalog_entry *e)
{
	if (!catalog_is_file(e))
		return "generator";
	int cached = 1, here = 1;
	char path[4096];
	for (int i = 0; i < e->nfiles; i++) {
		enum fetch_where w = fetch_locate(&e->files[i], path, sizeof(path));
		cached &= w == FETCH_CACHED;
		here &= w == FETCH_CACHED || (w == FETCH_MIRROR && e->files[i].sha256);
	}
	if (cached)
		return "present";
	if (here)
		return "mirror";
	return catalog_fetchable(e) ? "fetchable" : "fallback";
}

static int cmd_datasets(struct opts *o)
{
	printf("%-22s %-10s %-14s %s\n", "DATASET", "STATUS", "FALLBACK", "DESCRIPTION");
	for (const struct catalog_entry *const *e = catalog_all(); *e; e++) {
		printf("%-22s %-10s %-14s %s\n", (*e)->name, dataset_status(*e),
		       (*e)->fallback ? (*e)->fallback : "-", (*e)->doc);
		if (!o->all)
			continue;
		for (int i = 0; i < (*e)->nfiles; i++)
			printf("    file %s  %lld bytes  sha256 %s\n      %s\n", (*e)->files[i].name,
			       (long long)(*e)->files[i].bytes,
			       (*e)->files[i].sha256 ? (*e)->files[i].sha256 : "(none pinned)",
			       (*e)->files[i].urls[0]);
		print_params((*e)->params);
	}
	if (!o->all)
		printf("\n(--all lists each dataset's files, digests, URLs and parameters; "
		       "RELAXBENCH_DATA_MIRROR=%s)\n",
		       getenv("RELAXBENCH_DATA_MIRROR") ? getenv("RELAXBENCH_DATA_MIRROR") : "unset");
	return 0;
}

static int fetch_entry(const struct catalog_entry *e, int quiet)
{
	char path[4096], err[1024];
	int rc = 0;
	for (int i = 0; i < e->nfiles; i++) {
		int r = fetch_file(&e->files[i], 1, path, sizeof(path), err, sizeof(err));
		if (r == 0) {
			if (!quiet)
				fprintf(stderr, "%s: %s (sha256 verified)\n", e->name, path);
			continue;
		}
		fprintf(stderr, "relaxbench fetch: %s\n", err);
		rc = r == -2 ? EXIT_INPUT : (rc ? rc : 1);
	}
	return rc;
}

static int cmd_fetch(struct opts *o)
{
	int rc = 0;
	if (!o->all && o->nrest == 0)
		return usage_error("fetch", "name datasets, or --all%s", "");
	for (int i = 0; i < o->nrest; i++) {
		const struct catalog_entry *e = catalog_find(o->rest[i]);
		if (!e)
			return usage_error("fetch", "unknown dataset '%s' (see relaxbench datasets)", o->rest[i]);
		if (!catalog_is_file(e))
			return usage_error("fetch", "'%s' is a generator: nothing to fetch", o->rest[i]);
	}
	for (const struct catalog_entry *const *e = catalog_all(); o->all && *e; e++) {
		int r = catalog_fetchable(*e) ? fetch_entry(*e, o->quiet) : 0;
		rc = rc == EXIT_INPUT ? rc : (r ? r : rc);
	}
	for (int i = 0; i < o->nrest; i++) {
		int r = fetch_entry(catalog_find(o->rest[i]), o->quiet);
		rc = rc == EXIT_INPUT ? rc : (r ? r : rc);
	}
	return rc;
}

static void print_shape(const char *name, const struct ds_dataset *d)
{
	if (d->kind == DS_GRAPH) {
		printf("%s: graph, %lld vertices, %lld adjacency entries (%lld undirected edges)%s\n", name,
		       (long long)d->graph.n, (long long)d->graph.m, (long long)d->graph.m / 2,
		       d->graph.weight ? ", weighted" : "");
		return;
	}
	printf("%s: train %lld x %lld (%lld nonzeros%s), test %lld rows", name, (long long)d->train.x.rows,
	       (long long)d->train.x.cols, (long long)ds_matrix_nnz(&d->train.x),
	       d->train.x.sparse ? ", CSR" : ", dense", (long long)d->test.x.rows);
	if (d->classes)
		printf(", %d classes", d->classes);
	if (d->shape[0])
		printf(", images %lldx%lldx%lld", (long long)d->shape[0], (long long)d->shape[1],
		       (long long)d->shape[2]);
	printf("\n");
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Load catalog datasets with their default parameters, timed: the first load parses the
 * original files, later ones come from the binary cache. */
static int cmd_load(struct opts *o)
{
	if (o->nrest == 0)
		return usage_error("load", "name one or more datasets%s", "");
	for (int i = 0; i < o->nrest; i++) {
		const struct catalog_entry *e = catalog_find(o->rest[i]);
		if (!e)
			return usage_error("load", "unknown dataset '%s' (see relaxbench datasets)", o->rest[i]);
		struct rb_paramset ps;
		struct ds_dataset d;
		char err[1024];
		if (rb_paramset_defaults(e->params, &ps, err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench load: %s\n", err);
			return 1;
		}
		double t0 = wall_now();
		if (catalog_load(e, &ps, &d, err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench load: %s\n", err);
			return EXIT_INPUT;
		}
		double t = wall_now() - t0;
		print_shape(e->name, &d);
		printf("  %.1f ms, from %s\n", 1e3 * t, d.source);
		ds_dataset_free(&d);
	}
	return 0;
}

/* Parse files of a known format, as a check of data a user brings. */
static int cmd_inspect(struct opts *o)
{
	static const char *const formats = "libsvm|idx|cifar|snap|dimacs|mtx";
	if (o->nrest < 2)
		return usage_error("inspect", "expected a format (%s) and files", formats);
	const char *fmt = o->rest[0];
	struct ds_dataset d = {0};
	char err[1024];
	int rc = -1;
	if (!strcmp(fmt, "libsvm"))
		rc = libsvm_load(o->rest[1], 0, &d.train, &d.classes, err, sizeof(err));
	else if (!strcmp(fmt, "idx") && o->nrest == 3)
		rc = idx_load_pair(o->rest[1], o->rest[2], &d.train, d.shape, err, sizeof(err));
	else if (!strcmp(fmt, "idx"))
		rc = idx_load_images(o->rest[1], &d.train.x, d.shape, err, sizeof(err));
	else if (!strcmp(fmt, "cifar"))
		rc = cifar_load_batches((const char *const *)o->rest + 1, o->nrest - 1, &d.train, d.shape, err,
					sizeof(err));
	else if (!strcmp(fmt, "snap") || !strcmp(fmt, "dimacs") || !strcmp(fmt, "mtx")) {
		d.kind = DS_GRAPH;
		rc = !strcmp(fmt, "snap")     ? graph_load_snap(o->rest[1], 1, &d.graph, err, sizeof(err))
		     : !strcmp(fmt, "dimacs") ? graph_load_dimacs(o->rest[1], &d.graph, err, sizeof(err))
					      : graph_load_mtx(o->rest[1], 1, &d.graph, err, sizeof(err));
	} else
		return usage_error("inspect", "unknown format '%s' (libsvm|idx|cifar|snap|dimacs|mtx)", fmt);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		ds_dataset_free(&d);
		return EXIT_INPUT;
	}
	print_shape(o->rest[1], &d);
	ds_dataset_free(&d);
	return 0;
}

/* One line per dataset that a sweep replaces by its synthetic stand-in: the run goes on
 * (the report says so too), but a reader expecting real data must not learn it only from
 * run.json. */
static void warn_fallbacks(const struct loaded *l)
{
	for (int i = 0; i < l->n; i++) {
		const struct sweep *s = &l->s[i];
		for (int d = 0; d < s->m->ndatasets; d++) {
			for (int r = 0; r < s->n; r++) {
				const struct sweep_run *run = &s->runs[r];
				if (run->dataset != d || !run->ds_fallback[0])
					continue;
				fprintf(stderr, "relaxbench: %s: %s\n", s->m->id, run->ds_fallback);
				break;
			}
		}
	}
}

static int cmd_run(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	if (!o->quiet)
		warn_fallbacks(&l);
	if (exec_check_mpi(l.s, l.n, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		unload(&l);
		return EXIT_INPUT;
	}
	struct exec_opts e = exec_opts_of(o);
	int rc = 0;
	if (o->jobs > 0) {
		char *extra[64];
		int nextra = 0;
		if (o->sshloginfile) {
			extra[nextra++] = "--sshloginfile";
			extra[nextra++] = (char *)o->sshloginfile;
		}
		for (int i = 0; i < o->npassthrough && nextra < 62; i++)
			extra[nextra++] = o->passthrough[i];
		rc = exec_parallel(l.s, l.n, &e, o->jobs, extra, nextra, err, sizeof(err));
	} else {
		struct exec_stats st;
		rc = exec_sweeps(l.s, l.n, &e, &st, err, sizeof(err));
		if (rc == 0 && !o->quiet)
			fprintf(stderr, "%d runs: %d ran (%d ok, %d not ok), %d already done\n", st.total,
				st.done - st.skipped, st.ok, st.failed, st.skipped);
	}
	if (rc < 0)
		fprintf(stderr, "relaxbench run: %s\n", err);
	unload(&l);
	return rc == EXEC_BAD_DATA ? EXIT_INPUT : rc < 0 ? 1 : 0;
}

static int cmd_run_one(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (!o->id)
		return usage_error("run-one", "--id is required%s", "");
	if (o->nrest != 1)
		return usage_error("run-one", "expected one manifest%s", "");
	if (load_all(&l, o, 0) < 0)
		return EXIT_INPUT;
	if (o->rank_dir) {
		/* One rank of an MPI run, started by the executor under mpirun. */
		int rrc = exec_rank_main(&l.s[0], o->id, o->rank_dir, err, sizeof(err));
		if (rrc < 0)
			fprintf(stderr, "relaxbench run-one (rank): %s\n", err);
		unload(&l);
		return rrc < 0 ? 1 : 0;
	}
	if (getenv("OMPI_COMM_WORLD_SIZE")) {
		/* Each rank would start an executor of its own, and a backend: mpi run its own
		 * mpirun: the executor starts mpirun itself. */
		fprintf(stderr, "relaxbench run-one: started under mpirun; run `relaxbench run-one "
			"MANIFEST --id ID` without it (a backend: mpi run starts mpirun itself)\n");
		unload(&l);
		return EXIT_INPUT;
	}
	if (exec_check_mpi(l.s, l.n, o->id, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		unload(&l);
		return EXIT_INPUT;
	}
	struct exec_opts e = exec_opts_of(o);
	int rc = exec_one_by_id(&l.s[0], o->id, &e, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "relaxbench run-one: %s\n", err);
	unload(&l);
	return rc == EXEC_BAD_DATA ? EXIT_INPUT : rc < 0 ? 1 : 0;
}

static int cmd_commands(struct opts *o)
{
	struct loaded l;
	char err[512];
	if (load_all(&l, o, 0) < 0)
		return EXIT_INPUT;
	struct exec_opts e = exec_opts_of(o);
	for (int i = 0; i < l.n; i++)
		exec_print_commands(stdout, &l.s[i], &e, o->all, err, sizeof(err));
	unload(&l);
	return 0;
}

static int cmd_collect(struct opts *o)
{
	char dbpath[4200], err[2048];
	store_path(o->results, dbpath, sizeof(dbpath));
	if (rb_mkdirs(o->results, err, sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench collect: %s\n", err);
		return EXIT_INPUT;
	}
	sqlite3 *db = store_open(dbpath, 0, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "relaxbench collect: %s\n", err);
		return EXIT_INPUT;
	}
	int rc = 0;
	/* The results folder itself, then any others named (runs from other machines). */
	for (int i = -1; i < o->nrest && rc == 0; i++) {
		const char *dir = i < 0 ? o->results : o->rest[i];
		int loaded, skipped;
		rc = store_collect(db, dir, &loaded, &skipped, err, sizeof(err));
		if (rc == 0 && !o->quiet)
			fprintf(stderr, "collect %s: %d runs loaded, %d unchanged\n", dir, loaded, skipped);
	}
	if (rc < 0)
		fprintf(stderr, "relaxbench collect: %s\n", err);
	store_close(db);
	return rc < 0 ? EXIT_INPUT : 0;
}

/* Open the store read-only; scope per manifest is done by the callers. */
static sqlite3 *open_store(const struct opts *o, const char *cmd)
{
	char dbpath[4200], err[2048];
	store_path(o->results, dbpath, sizeof(dbpath));
	sqlite3 *db = store_open(dbpath, 1, err, sizeof(err));
	if (!db)
		fprintf(stderr, "relaxbench %s: %s\n", cmd, err);
	return db;
}

struct claim_cols {
	int exp, claim;
};

/* Column widths from the longest experiment and claim id, so that rows line up. */
static struct claim_cols claim_widths(const struct loaded *l)
{
	struct claim_cols w = {(int)strlen("EXPERIMENT"), (int)strlen("CLAIM")};
	for (int i = 0; i < l->n; i++) {
		if ((int)strlen(l->m[i]->id) > w.exp)
			w.exp = (int)strlen(l->m[i]->id);
		for (int c = 0; c < l->m[i]->nclaims; c++)
			if ((int)strlen(l->m[i]->claims[c].id) > w.claim)
				w.claim = (int)strlen(l->m[i]->claims[c].id);
	}
	return w;
}

static void print_claim(struct claim_cols w, const struct manifest *m, const struct out_claim *r)
{
	char expect[96], measured[32] = "-";
	mf_claim_expect_text(r->claim, expect, sizeof(expect));
	if (r->have_measured)
		snprintf(measured, sizeof(measured), "%.6g", r->measured);
	printf("%-22s  %-*s  %-*s  %-12s  %-20s  %s\n", out_claim_label(r), w.exp, m->id, w.claim,
	       r->claim->id, measured, expect, r->verdict == OUT_PASS ? "" : r->message);
}

static int cmd_claims(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	sqlite3 *db = open_store(o, "claims");
	if (!db) {
		unload(&l);
		return 1;
	}
	struct out_tally t = {0};
	struct claim_cols w = claim_widths(&l);
	printf("%-22s  %-*s  %-*s  %-12s  %-20s  %s\n", "VERDICT", w.exp, "EXPERIMENT", w.claim, "CLAIM",
	       "MEASURED", "EXPECTED", "WHY");
	for (int i = 0; i < l.n; i++) {
		struct out_claim res[MF_MAX_ITEMS];
		if (store_scope(db, &l.s[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench claims: %s\n", err);
			t.error++;
			continue;
		}
		out_claims(db, &l.s[i], res);
		for (int c = 0; c < l.m[i]->nclaims; c++) {
			print_claim(w, l.m[i], &res[c]);
			out_tally_add(&t, &res[c]);
		}
	}
	char text[256];
	out_tally_text(&t, text, sizeof(text));
	printf("claims: %s\n", text);
	store_close(db);
	unload(&l);
	return out_tally_failing(&t) ? 1 : 0;
}

static int cmd_table(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	sqlite3 *db = open_store(o, "table");
	int rc = db ? 0 : 1;
	for (int i = 0; db && i < l.n && rc == 0; i++) {
		if (store_scope(db, &l.s[i], err, sizeof(err)) < 0 ||
		    out_tables(db, &l.s[i], o->results, err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench table: %s\n", err);
			rc = EXIT_INPUT;   /* the results folder cannot take the CSV */
			break;
		}
		for (int t = 0; t < l.m[i]->ntables; t++) {
			struct table_grid g;
			if (table_query(db, l.m[i]->tables[t].query, &g, err, sizeof(err)) < 0)
				continue;
			printf("%s / %s (CSV: %s/tables/%s/%s.csv)\n\n", l.m[i]->id, l.m[i]->tables[t].id,
			       o->results, l.m[i]->id, l.m[i]->tables[t].id);
			table_markdown(stdout, &g);
			printf("\n");
			table_free(&g);
		}
	}
	if (db)
		store_close(db);
	unload(&l);
	return rc;
}

static int cmd_plot(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	sqlite3 *db = open_store(o, "plot");
	int bad = db ? 0 : 1;
	for (int i = 0; db && i < l.n; i++) {
		struct out_plot res[MF_MAX_ITEMS];
		if (store_scope(db, &l.s[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench plot: %s\n", err);
			bad++;
			continue;
		}
		out_plots(db, &l.s[i], o->plots, res);
		for (int p = 0; p < l.m[i]->nplots; p++) {
			if (res[p].state == OUT_PLOT_OK)
				fprintf(stderr, "plot %s\n", res[p].png);
			else
				fprintf(stderr, "plot %s/%s: %s\n", l.m[i]->id, res[p].plot->id,
					res[p].state == OUT_PLOT_NO_DATA ? "no data" : res[p].message);
			bad += res[p].state == OUT_PLOT_ERROR;
		}
	}
	if (db)
		store_close(db);
	unload(&l);
	return bad ? EXIT_INPUT : 0;   /* a figure could not be written */
}

static int cmd_report(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	struct report_opts ro = {.results = o->results, .plots = o->plots, .out = o->out,
				 .allow_mixed = o->allow_mixed};
	struct out_tally t;
	int rc = report_write(l.s, l.n, &ro, &t, err, sizeof(err));
	unload(&l);
	if (rc < 0) {
		fprintf(stderr, "relaxbench report: %s\n", err);
		return rc == REPORT_MIXED ? 1 : EXIT_INPUT;
	}
	char text[256];
	out_tally_text(&t, text, sizeof(text));
	fprintf(stderr, "report %s: claims %s\n", o->out ? o->out : "REPORT.md", text);
	return out_tally_failing(&t) ? 1 : 0;
}

static int cmd_query(struct opts *o)
{
	struct loaded l;
	char err[2048];
	if (o->nrest != 2)
		return usage_error("query", "expected a manifest and an SQL query%s", "");
	const char *sql = o->rest[1];
	o->nrest = 1;
	if (load_all(&l, o, 0) < 0)
		return EXIT_INPUT;
	sqlite3 *db = open_store(o, "query");
	struct table_grid g;
	int rc = 1;
	if (db && store_scope(db, &l.s[0], err, sizeof(err)) == 0 &&
	    table_query(db, sql, &g, err, sizeof(err)) == 0) {
		table_markdown(stdout, &g);
		table_free(&g);
		rc = 0;
	} else if (db) {
		fprintf(stderr, "relaxbench query: %s\n", err);
		rc = EXIT_INPUT;
	}
	if (db)
		store_close(db);
	unload(&l);
	return rc;
}

static int cmd_env(struct opts *o)
{
	(void)o;
	json_t *env = env_capture();
	json_dumpf(env, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	json_decref(env);
	return 0;
}

static int cmd_calibrate(struct opts *o)
{
	char err[1024];
	int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!o->quiet)
		fprintf(stderr, "calibrate: memory bandwidth, sgemm and atomic counter at 1 and %d threads "
			"(about 10 s)\n", threads);
	json_t *c = calib_measure(threads, err, sizeof(err));
	if (!c || rb_mkdirs(o->results, err, sizeof(err)) < 0 || calib_save(o->results, c, err, sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench calibrate: %s\n", err);
		json_decref(c);
		return 1;
	}
	json_dumpf(c, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("\n");
	json_decref(c);
	return 0;
}

static int cmd_bench(struct opts *o)
{
	char err[1024];
	const char *filter = o->nrest ? o->rest[0] : NULL;
	if (bench_run_all(o->results, filter, err, sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench bench: %s\n", err);
		return 1;
	}
	return 0;
}

/* Claims and key metrics of every manifest, measured in the results store. */
static int measure_all(const struct loaded *l, const struct opts *o, const char *cmd, struct rg_set *set)
{
	char err[2048];
	sqlite3 *db = open_store(o, cmd);
	if (!db)
		return -1;
	int rc = 0;
	for (int i = 0; rc == 0 && i < l->n; i++)
		rc = rg_measure(db, &l->s[i], set, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "relaxbench %s: %s\n", cmd, err);
	store_close(db);
	return rc;
}

static int cmd_reference(struct opts *o)
{
	struct loaded l;
	struct rg_set set = {0};
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	int rc = measure_all(&l, o, "reference", &set);
	sqlite3 *db = rc == 0 ? open_store(o, "reference") : NULL;
	if (db && rg_write_reference(db, &set, mf_scale_name(o->scale), o->reference, err,
				     sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench reference: %s\n", err);
		rc = -1;
	}
	if (db) {
		store_close(db);
		if (rc == 0)
			fprintf(stderr, "reference: %d items of %d experiments at scale %s written to %s/\n",
				set.n, l.n, mf_scale_name(o->scale), o->reference);
	}
	rg_free(&set);
	unload(&l);
	return rc == 0 && db ? 0 : 1;
}

static int cmd_regress(struct opts *o)
{
	struct loaded l;
	struct rg_set set = {0};
	char err[2048];
	if (load_all(&l, o, 1) < 0)
		return EXIT_INPUT;
	int rc = measure_all(&l, o, "regress", &set) < 0 ? 1 : 0, missing = 0;
	for (int i = 0; rc == 0 && i < l.n; i++) {
		int r = rg_read_reference(&set, &l.s[i], mf_scale_name(o->scale), o->reference, err,
					  sizeof(err));
		if (r < 0) {
			fprintf(stderr, "relaxbench regress: %s\n", err);
			rc = EXIT_INPUT;
		}
		missing += r == 1 && (l.m[i]->nclaims || l.m[i]->nregress);
	}
	if (rc == 0) {
		int failed = rg_compare(&set);
		rg_print(stdout, &set);
		char page[4096];
		if (o->out)
			snprintf(page, sizeof(page), "%s", o->out);
		else
			snprintf(page, sizeof(page), "%s/REGRESS.md", o->results);
		if (rg_plot(&set, o->plots, err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench regress: plot: %s\n", err);
			rc = 1;
		}
		if (rg_write_markdown(&set, page, o->plots, err, sizeof(err)) < 0) {
			fprintf(stderr, "relaxbench regress: %s\n", err);
			rc = 1;
		}
		if (missing)
			printf("%d experiments have no reference yet (make reference)\n", missing);
		printf("figures in %s/regress/, the page in %s\n", o->plots, page);
		rg_summary(stdout, &set);
		rc = rc ? rc : failed ? 1 : 0;
	}
	rg_free(&set);
	unload(&l);
	return rc;
}

/* trend: the manifests are --manifest files, or every experiments/<family>/<id>.yaml with
 * a regress section. */
static int trend_manifests(struct opts *o, glob_t *g)
{
	char root[4096], pattern[4200], err[512];
	if (o->nmanifests)
		return 0;
	if (rb_root_dir(root, sizeof(root), err, sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench trend: %s\n", err);
		return -1;
	}
	snprintf(pattern, sizeof(pattern), "%s/experiments/*/*.yaml", root);
	if (glob(pattern, 0, NULL, g) != 0 || g->gl_pathc > MAX_MANIFESTS) {
		fprintf(stderr, "relaxbench trend: no manifests under %s/experiments\n", root);
		return -1;
	}
	for (size_t i = 0; i < g->gl_pathc; i++)
		o->manifests[o->nmanifests++] = g->gl_pathv[i];
	return 0;
}

static int cmd_trend(struct opts *o)
{
	struct loaded l;
	glob_t g = {0};
	char err[2048];
	if (o->nrest < 1 && !o->git)
		return usage_error("trend", "give at least one results store, or --git%s", "");
	struct opts mo = *o;
	if (trend_manifests(&mo, &g) < 0)
		return EXIT_INPUT;
	mo.rest = (char **)mo.manifests;
	mo.nrest = mo.nmanifests;
	int rc = load_all(&l, &mo, 1) < 0 ? EXIT_INPUT : 0;
	struct trend_opts to = {
		.stores = (const char *const *)o->rest, .nstores = o->nrest, .sweeps = l.s,
		.nsweeps = l.n, .scale = mf_scale_name(o->scale), .refdir = o->reference,
		.plots = o->plots, .git = o->git,
	};
	if (rc == 0 && trend_run(&to, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "relaxbench trend: %s\n", err);
		rc = 1;
	}
	if (rc != EXIT_INPUT)
		unload(&l);
	globfree(&g);
	return rc;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static const struct command commands[] = {
	{"list", "", "list the registered algorithms", cmd_list, ""},
	{"describe", "ALGO", "an algorithm's parameters: type, default, range, meaning", cmd_describe, ""},
	{"datasets", "", "the named datasets: status (present, mirror, fetchable, fallback), files, "
	 "parameters", cmd_datasets, "A"},
	{"load", "NAME...", "load catalog datasets (default parameters): shape and load time",
	 cmd_load, ""},
	{"inspect", "FORMAT FILE...", "parse data files (libsvm, idx [labels], cifar, snap, dimacs, mtx) "
	 "and print their shape; exit 2 with the problem when one is malformed", cmd_inspect, ""},
	{"fetch", "NAME...", "download datasets' original files into datasets/cache, verified by "
	 "SHA-256 (the mirror first)", cmd_fetch, "Aq"},
	{"run", "MANIFEST...", "carry out the runs of manifests (skipping finished ones)", cmd_run,
	 "srjFfTxqSJH"},
	{"run-one", "MANIFEST --id ID", "one run (what --jobs hands to GNU parallel); a backend: mpi "
	 "run starts mpirun with its ranks",
	 cmd_run_one, "srFfTiqHD"},
	{"commands", "MANIFEST...", "print the run-one command line of each unfinished run (for any "
	 "scheduler)", cmd_commands, "srxAfFH"},
	{"collect", "[RESULTS_DIR...]", "load run folders into <results>/relaxbench.db (also from other "
	 "results folders)", cmd_collect, "rq"},
	{"table", "MANIFEST...", "print the manifests' tables and write them as CSV", cmd_table, "sr"},
	{"plot", "MANIFEST...", "render the manifests' plots (PNG and SVG) with gnuplot", cmd_plot, "srp"},
	{"claims", "MANIFEST...", "check the claims: PASS, FAIL, FAIL (known deviation), INCOMPLETE, "
	 "NOT-RUN, NOT-JUDGED (exit 1 on a FAIL that is no known deviation, INCOMPLETE, NOT-RUN)",
	 cmd_claims, "sr"},
	{"report", "MANIFEST...", "write REPORT.md: figures, tables, claims, failures, revisions, "
	 "environment (exit 1 as claims does, or when one algorithm's runs mix code fingerprints)",
	 cmd_report, "srpoM"},
	{"reference", "MANIFEST...", "write the claims' values and the key metrics (each manifest's "
	 "regress section) as results/reference/<experiment>.csv", cmd_reference, "srR"},
	{"regress", "MANIFEST...", "compare the claims and key metrics with the reference: table worst "
	 "first, <results>/REGRESS.md, a figure per family and an overview in <plots>/regress/, exit 1 "
	 "on a regression", cmd_regress, "srpRo"},
	{"trend", "[--git [REV-RANGE]] [STORE...]", "key metrics by commit: the reference files' git "
	 "history (--git), then results stores (folders or .db files) in commit order, with the "
	 "reference band: a table and <plots>/trend/ figures", cmd_trend, "spRmg"},
	{"query", "MANIFEST SQL", "run SQL over a manifest's views (runs, final, summary, curve, "
	 "failures)", cmd_query, "sr"},
	{"env", "", "print the environment recorded with every run", cmd_env, ""},
	{"calibrate", "", "measure memory bandwidth, sgemm GFLOP/s and atomic increments; stored with "
	 "the results", cmd_calibrate, "rtq"},
	{"bench", "[NAME]", "run the kernel benchmarks into <results>/bench/*.csv", cmd_bench, "r"},
	{NULL, NULL, NULL, NULL, NULL},
};

static const struct {
	char letter;
	const char *text;
} flag_docs[] = {
	{'s', "--scale smoke|quick|full   size of the experiment (default quick)"},
	{'r', "--results DIR              results folder (default results, or $RELAXBENCH_RESULTS)"},
	{'p', "--plots DIR                where figures go (default plots/out)"},
	{'o', "--out FILE                 the report's path (default <results>/REPORT.md; regress:\n"
	      "                             <results>/REGRESS.md)"},
	{'j', "--jobs N                   hand the runs to GNU parallel with N slots"},
	{'S', "--sshloginfile FILE        with --jobs: spread runs over hosts (GNU parallel); the\n"
	      "                             results folder must be on a shared file system"},
	{'H', "--hostfile FILE            backend: mpi runs: mpirun --hostfile FILE (ranks on those\n"
	      "                             hosts; the results folder must be on a shared file system)"},
	{'D', "--rank-dir DIR             internal: one rank of an MPI run, as the executor starts it\n"
	      "                             under mpirun; rank 0 records into DIR"},
	{'J', "-- ARGS...                 with --jobs: further options passed to GNU parallel"},
	{'F', "--force                    redo runs that are already finished"},
	{'f', "--retry-failed             redo finished runs whose status is not ok"},
	{'T', "--timeout SECONDS          per-run time limit, overriding the manifest's timeout_s"},
	{'x', "--filter KEY=VALUE         only runs whose parameter (or algorithm, dataset, seed, id)\n"
	      "                             has this value; repeatable"},
	{'i', "--id RUN_ID                the run to carry out"},
	{'A', "--all                      commands: also finished runs; datasets: files and digests;\n"
	      "                             fetch: every dataset with pinned digests"},
	{'t', "--threads N                threads for the all-threads figures (default: all cores)"},
	{'q', "--quiet                    no progress on stderr"},
	{'R', "--reference DIR            reference CSV files (default results/reference)"},
	{'M', "--allow-mixed              report: allow runs of one algorithm computed by different\n"
	      "                             code (fingerprints); they are listed in the report"},
	{'g', "--git                      the reference's value at every commit that changed the\n"
	      "                             reference folder (git log); an argument that is no path\n"
	      "                             is the revision range, e.g. HEAD~20.."},
	{'m', "--manifest FILE            a manifest to follow (repeatable; default: every\n"
	      "                             experiments/*/*.yaml of the repository)"},
};

static void command_help(const struct command *c)
{
	printf("usage: relaxbench %s %s [options]\n\n%s\n", c->name, c->args, c->help);
	if (*c->flags)
		printf("\noptions:\n");
	for (const char *f = c->flags; *f; f++)
		for (size_t i = 0; i < sizeof(flag_docs) / sizeof(flag_docs[0]); i++)
			if (flag_docs[i].letter == *f)
				printf("  %s\n", flag_docs[i].text);
	printf("  --help                     this text\n");
}

static void main_help(void)
{
	printf("relaxbench: reproducible benchmarks of relaxed, approximate and robust algorithms\n\n"
	       "usage: relaxbench COMMAND [options]   (relaxbench COMMAND --help for each)\n\n");
	for (const struct command *c = commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->help);
	printf("\nExit status: 0 success, 1 failure (a failed claim, a harness error), "
	       "2 bad input (manifest, flag, dataset) or a results folder that cannot be written "
	       "(full, read-only).\n");
}

static int parse_number(const char *cmd, const char *flag, const char *text, double lo, double hi,
			double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || v < lo || v > hi) {
		fprintf(stderr, "relaxbench %s: %s expects a number in [%g, %g], got '%s' (see relaxbench "
			"%s --help)\n", cmd, flag, lo, hi, text, cmd);
		return -1;
	}
	*out = v;
	return 0;
}

/* 0, or 1 when --help was printed (nothing to run), or -1 after a usage error. */
static int parse_opts(const struct command *c, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"scale", required_argument, 0, 's'}, {"results", required_argument, 0, 'r'},
		{"plots", required_argument, 0, 'p'}, {"out", required_argument, 0, 'o'},
		{"jobs", required_argument, 0, 'j'}, {"sshloginfile", required_argument, 0, 'S'},
		{"force", no_argument, 0, 'F'}, {"retry-failed", no_argument, 0, 'f'},
		{"timeout", required_argument, 0, 'T'}, {"filter", required_argument, 0, 'x'},
		{"id", required_argument, 0, 'i'}, {"all", no_argument, 0, 'A'},
		{"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
		{"reference", required_argument, 0, 'R'}, {"manifest", required_argument, 0, 'm'},
		{"hostfile", required_argument, 0, 'H'}, {"rank-dir", required_argument, 0, 'D'},
		{"allow-mixed", no_argument, 0, 'M'}, {"git", no_argument, 0, 'g'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int ch;
	double v;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (ch == 'h') {
			command_help(c);
			return 1;   /* the caller frees and exits 0 */
		}
		if (ch == '?' || ch == ':' || !strchr(c->flags, ch)) {
			/* A known option this command does not take: name it, not its value. */
			const char *bad = argv[optind - 1];
			for (const struct option *lo = longopts; ch != '?' && ch != ':' && lo->name; lo++)
				if (lo->val == ch && optarg && bad == optarg)
					bad = argv[optind - 2];
			return usage_error(c->name, ch == ':' ? "option '%s' needs a value"
							      : "unknown option '%s'", bad), -1;
		}
		switch (ch) {
		case 's':
			if (mf_scale_parse(optarg) < 0)
				return usage_error(c->name, "--scale must be smoke, quick or full, not '%s'",
						   optarg), -1;
			o->scale = (enum mf_scale)mf_scale_parse(optarg);
			break;
		case 'r': o->results = optarg; break;
		case 'p': o->plots = optarg; break;
		case 'o': o->out = optarg; break;
		case 'S': o->sshloginfile = optarg; break;
		case 'H': o->hostfile = optarg; break;
		case 'D': o->rank_dir = optarg; break;
		case 'F': o->force = 1; break;
		case 'f': o->retry_failed = 1; break;
		case 'i': o->id = optarg; break;
		case 'A': o->all = 1; break;
		case 'q': o->quiet = 1; break;
		case 'M': o->allow_mixed = 1; break;
		case 'g': o->git = 1; break;
		case 'R': o->reference = optarg; break;
		case 'm':
			if (o->nmanifests == MAX_MANIFESTS)
				return usage_error(c->name, "at most 256 manifests%s", ""), -1;
			o->manifests[o->nmanifests++] = optarg;
			break;
		case 'x':
			if (o->nfilters == MAX_FILTERS)
				return usage_error(c->name, "at most 16 filters%s", ""), -1;
			o->filters[o->nfilters++] = optarg;
			break;
		case 'j':
			if (parse_number(c->name, "--jobs", optarg, 1, 4096, &v) < 0)
				return -1;
			o->jobs = (int)v;
			break;
		case 't':
			if (parse_number(c->name, "--threads", optarg, 1, 4096, &v) < 0)
				return -1;
			o->threads = (int)v;
			break;
		case 'T':
			if (parse_number(c->name, "--timeout", optarg, 0.001, 1e7, &v) < 0)
				return -1;
			o->timeout_s = v;
			break;
		}
	}
	o->rest = argv + optind;
	o->nrest = argc - optind;
	/* Positional arguments may be mixed with options: getopt with '+' stops at the
	 * first one, so parse again after each run of positionals. */
	return 0;
}

/* Options may follow the manifests (`run a.yaml --scale smoke`): move the positional
 * arguments behind the options before getopt sees them, and cut at "--". */
static int split_args(int argc, char **argv, char **opts, char **pos, int *npos, char ***pass,
		      int *npass)
{
	static const char *const with_value[] = {"--scale", "--results", "--plots", "--out", "--jobs",
						 "--sshloginfile", "--timeout", "--filter", "--id",
						 "--threads", "--reference", "--manifest", "--hostfile",
						 "--rank-dir", NULL};
	int nopts = 0;
	*npos = 0;
	*npass = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			*pass = argv + i + 1;
			*npass = argc - i - 1;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			pos[(*npos)++] = argv[i];
			continue;
		}
		opts[nopts++] = argv[i];
		for (const char *const *w = with_value; *w; w++)
			if (!strcmp(argv[i], *w) && i + 1 < argc)
				opts[nopts++] = argv[++i];
	}
	return nopts;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h")) {
		main_help();
		return argc < 2 ? EXIT_INPUT : 0;
	}
	const struct command *c = commands;
	while (c->name && strcmp(c->name, argv[1]))
		c++;
	if (!c->name) {
		fprintf(stderr, "relaxbench: unknown command '%s' (see relaxbench --help)\n", argv[1]);
		return EXIT_INPUT;
	}
	struct opts o = {.scale = MF_QUICK, .plots = "plots/out", .reference = "results/reference"};
	o.results = getenv("RELAXBENCH_RESULTS") ? getenv("RELAXBENCH_RESULTS") : "results";
	char **av = calloc((size_t)argc + 1, sizeof(char *)), **pos = calloc((size_t)argc + 1, sizeof(char *));
	int npos;
	av[0] = argv[1];
	int nav = 1 + split_args(argc - 2, argv + 2, av + 1, pos, &npos, &o.passthrough, &o.npassthrough);
	int rc = parse_opts(c, nav, av, &o);
	if (rc == 1) {
		free(av);
		free(pos);
		return 0;
	}
	if (rc == 0 && o.nrest > 0)
		rc = usage_error(c->name, "unexpected argument '%s'", o.rest[0]);
	if (rc == 0 && o.npassthrough && !strchr(c->flags, 'J'))
		rc = usage_error(c->name, "'--' is not accepted here%s", "");
	if (rc != 0) {
		free(av);
		free(pos);
		return EXIT_INPUT;
	}
	o.rest = pos;
	o.nrest = npos;
	rc = c->fn(&o);
	free(av);
	free(pos);
	return rc;
}
