/* store: the SQLite results store, collect, and per-manifest views. */
#include "suite/store.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite/interval.h"
#include "suite/paths.h"

static const char *const schema =
	"CREATE TABLE IF NOT EXISTS runs(run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL,"
	" algorithm TEXT, family TEXT, dataset TEXT, dataset_checksum TEXT, seed INTEGER,"
	" scale TEXT, status TEXT, message TEXT, wall_s REAL, cpu_s REAL, algo_wall_s REAL,"
	" eval_wall_s REAL, peak_rss_kb INTEGER, threads INTEGER, oversubscribed INTEGER,"
	" host TEXT, cpu_model TEXT, git_rev TEXT, finished_at TEXT, folder TEXT, dataset_fallback TEXT,"
	" point_id TEXT, fingerprint TEXT);"
	"CREATE INDEX IF NOT EXISTS runs_point ON runs(point_id);"
	"CREATE TABLE IF NOT EXISTS params(run_id TEXT, name TEXT, value,"
	" PRIMARY KEY(run_id, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS summaries(run_id TEXT, metric TEXT, value REAL,"
	" PRIMARY KEY(run_id, metric)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS series(run_id TEXT, step REAL, metric TEXT, value REAL);"
	"CREATE INDEX IF NOT EXISTS series_run ON series(run_id, metric, step);"
	"CREATE TABLE IF NOT EXISTS calibration(host TEXT, key TEXT, value REAL, measured_at TEXT,"
	" PRIMARY KEY(host, key));";

/* Bump when the schema changes: the store is rebuilt from the run folders, which stay
 * the record (collect re-reads them all into the new schema). */
#define STORE_SCHEMA_VERSION 3

static const char *const drop_all =
	"DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS params; DROP TABLE IF EXISTS summaries;"
	" DROP TABLE IF EXISTS series; DROP TABLE IF EXISTS calibration;";

static const char *const reserved[] = {
	"run_id", "algorithm", "dataset", "seed", "status", "message", "wall_s", "cpu_s",
	"algo_wall_s", "peak_rss_kb", "oversubscribed", "point_id", "fingerprint", "git_rev",
	"point", "metric", "value", "step", "mean", "sd",
	"ci95", "lo", "hi", "n", "min", "max", "only", "band_lo", "band_hi", "oversub", NULL};

int store_reserved_name(const char *name)
{
	for (const char *const *r = reserved; *r; r++)
		if (!strcmp(*r, name))
			return 1;
	return 0;
}

void store_path(const char *results, char *buf, size_t len)
{
	snprintf(buf, len, "%s/relaxbench.db", results);
}

/* ---- aggregates: sample standard deviation (Welford) and the 95% half-interval ------- */

struct welford {
	long long n;
	double mean, m2;
};

static void welford_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	struct welford *w = sqlite3_aggregate_context(ctx, sizeof(*w));
	if (!w)
		return;
	double x = sqlite3_value_double(argv[0]);
	w->n++;
	double d = x - w->mean;
	w->mean += d / (double)w->n;
	w->m2 += d * (x - w->mean);
}

static double welford_sd(const struct welford *w)
{
	return sqrt(w->m2 / (double)(w->n - 1));
}

static void stdev_final(sqlite3_context *ctx)
{
	struct welford *w = sqlite3_aggregate_context(ctx, 0);
	if (!w || w->n < 2)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_double(ctx, welford_sd(w));
}

/* Two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
static double t95(long long df)
{
	static const double t[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
				   2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
				   2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
				   2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
	return df <= 30 ? t[df] : 1.96;
}

static void ci95_final(sqlite3_context *ctx)
{
	struct welford *w = sqlite3_aggregate_context(ctx, 0);
	if (!w || w->n < 2)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_double(ctx, t95(w->n - 1) * welford_sd(w) / sqrt((double)w->n));
}

/* ---- aggregates: the figures' band (suite/interval.h: min-max or bootstrap) ---------- */

struct band_values {
	double *v;
	size_t n, cap;
	int oom;
};

static void band_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	struct band_values *b = sqlite3_aggregate_context(ctx, sizeof(*b));
	if (!b || b->oom)
		return;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		double *v = realloc(b->v, cap * sizeof(*v));
		if (!v) {
			b->oom = 1;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = sqlite3_value_double(argv[0]);
}

/* band_lo(value) / band_hi(value): NULL with fewer than two values (no band). */
static void band_final(sqlite3_context *ctx, int upper)
{
	struct band_values *b = sqlite3_aggregate_context(ctx, 0);
	double lo = 0, hi = 0;
	if (b && b->oom)
		sqlite3_result_error_nomem(ctx);
	else if (b && iv_band(b->v, b->n, &lo, &hi) != IV_NONE)
		sqlite3_result_double(ctx, upper ? hi : lo);
	else
		sqlite3_result_null(ctx);
	if (b)
		free(b->v);
}

static void band_lo_final(sqlite3_context *ctx)
{
	band_final(ctx, 0);
}

static void band_hi_final(sqlite3_context *ctx)
{
	band_final(ctx, 1);
}

sqlite3 *store_open(const char *path, int readonly, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the results store: %s%s", path,
			 db ? sqlite3_errmsg(db) : "out of memory",
			 readonly ? " (run `relaxbench collect` first)" : "");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_create_function(db, "stdev", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				welford_step, stdev_final);
	sqlite3_create_function(db, "ci95", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				welford_step, ci95_final);
	sqlite3_create_function(db, "band_lo", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				band_step, band_lo_final);
	sqlite3_create_function(db, "band_hi", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				band_step, band_hi_final);
	char *msg = NULL, version[64];
	double have = 0;
	char ignored[64];
	store_scalar(db, "PRAGMA user_version", &have, ignored, sizeof(ignored));
	if (readonly && (int)have != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: the results store is from another version of relaxbench; run "
			 "`relaxbench collect` to rebuild it", path);
		sqlite3_close(db);
		return NULL;
	}
	snprintf(version, sizeof(version), "PRAGMA user_version = %d;", STORE_SCHEMA_VERSION);
	if (!readonly && (int)have != STORE_SCHEMA_VERSION &&
	    (sqlite3_exec(db, drop_all, NULL, NULL, &msg) != SQLITE_OK ||
	     sqlite3_exec(db, version, NULL, NULL, &msg) != SQLITE_OK)) {
		snprintf(err, errlen, "%s: cannot rebuild the store: %s", path, msg);
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	if (!readonly && sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot create the schema: %s", path, msg);
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void store_close(sqlite3 *db)
{
	sqlite3_close(db);
}

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "SQL error: %s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* ---- collect ------------------------------------------------------------------------ */

static void bind_json(sqlite3_stmt *st, int i, json_t *v)
{
	if (json_is_integer(v) || json_is_boolean(v))
		sqlite3_bind_int64(st, i, json_is_boolean(v) ? json_is_true(v) : json_integer_value(v));
	else if (json_is_real(v))
		sqlite3_bind_double(st, i, json_real_value(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, i, json_string_value(v), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	/* A full disk or read-only file system is no SQL error: name the file instead. */
	int io = rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_READONLY;
	if (io)
		snprintf(err, errlen, "%s: cannot write the results store: %s",
			 sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	else
		snprintf(err, errlen, "SQL error: %s", sqlite3_errmsg(db));
	return -1;
}

static int already_loaded(sqlite3 *db, const char *id, const char *finished)
{
	sqlite3_stmt *st;
	int same = 0;
	if (sqlite3_prepare_v2(db, "SELECT finished_at FROM runs WHERE run_id = ?", -1, &st, NULL))
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = finished && !strcmp((const char *)sqlite3_column_text(st, 0), finished);
	sqlite3_finalize(st);
	return same;
}

static int insert_run(sqlite3 *db, json_t *j, const char *folder, char *err, size_t errlen)
{
	static const char *sql =
		"INSERT OR REPLACE INTO runs VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "SQL error: %s", sqlite3_errmsg(db));
		return -1;
	}
	json_t *t = json_object_get(j, "timing"), *env = json_object_get(j, "env");
	json_t *ds = json_object_get(j, "dataset");
	json_t *vals[] = {
		json_object_get(j, "run_id"), json_object_get(j, "experiment"),
		json_object_get(j, "algorithm"), json_object_get(j, "family"),
		json_object_get(ds, "name"), json_object_get(ds, "checksum"), json_object_get(j, "seed"),
		json_object_get(j, "scale"), json_object_get(j, "status"), json_object_get(j, "message"),
		json_object_get(t, "wall_s"), json_object_get(t, "cpu_s"), json_object_get(t, "algo_wall_s"),
		json_object_get(t, "eval_wall_s"), json_object_get(t, "peak_rss_kb"),
		json_object_get(j, "threads"), json_object_get(j, "oversubscribed"),
		json_object_get(env, "hostname"), json_object_get(env, "cpu_model"),
		json_object_get(env, "git_rev"), json_object_get(j, "finished_at")};
	int n = (int)(sizeof(vals) / sizeof(vals[0]));
	for (int i = 0; i < n; i++)
		bind_json(st, i + 1, vals[i]);
	sqlite3_bind_text(st, n + 1, folder, -1, SQLITE_TRANSIENT);
	bind_json(st, n + 2, json_object_get(ds, "fallback"));
	bind_json(st, n + 3, json_object_get(j, "point_id"));
	bind_json(st, n + 4, json_object_get(j, "fingerprint"));
	int rc = step_done(db, st, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static int insert_pairs(sqlite3 *db, const char *sql, const char *id, json_t *obj, char *err,
			size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "SQL error: %s", sqlite3_errmsg(db));
		return -1;
	}
	const char *key;
	json_t *v;
	int rc = 0;
	json_object_foreach(obj, key, v) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		bind_json(st, 3, v);
		if ((rc = step_done(db, st, err, errlen)) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

/* series.csv is written by the recorder: "step,metric,value" with identifier metrics
 * and numbers only, so splitting on commas is exact. */
static int insert_series(sqlite3 *db, const char *id, const char *folder, char *err, size_t errlen)
{
	char path[4800], line[512];
	snprintf(path, sizeof(path), "%s/series.csv", folder);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT INTO series VALUES(?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		fclose(f);
		snprintf(err, errlen, "SQL error: %s", sqlite3_errmsg(db));
		return -1;
	}
	int rc = 0;
	long lineno = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		if (lineno++ == 0)
			continue;
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c2) {
			snprintf(err, errlen, "%s:%ld: malformed series line", path, lineno);
			rc = -1;
			break;
		}
		*c1 = *c2 = 0;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 2, strtod(line, NULL));
		sqlite3_bind_text(st, 3, c1 + 1, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, strtod(c2 + 1, NULL));
		rc = step_done(db, st, err, errlen);
	}
	sqlite3_finalize(st);
	fclose(f);
	return rc;
}

static int delete_run_rows(sqlite3 *db, const char *id, char *err, size_t errlen)
{
	static const char *const tables[] = {"params", "summaries", "series"};
	for (int i = 0; i < 3; i++) {
		char sql[128];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE run_id = ?", tables[i]);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return exec_sql(db, sql, err, errlen);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		int rc = step_done(db, st, err, errlen);
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int load_run(sqlite3 *db, const char *folder, int *loaded, int *skipped, char *err,
		    size_t errlen)
{
	char path[4800];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/run.json", folder);
	json_t *j = json_load_file(path, 0, &je);
	if (!j) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	const char *id = json_string_value(json_object_get(j, "run_id"));
	const char *fin = json_string_value(json_object_get(j, "finished_at"));
	int rc = 0;
	if (!id) {
		snprintf(err, errlen, "%s: no run_id", path);
		rc = -1;
	} else if (already_loaded(db, id, fin)) {
		(*skipped)++;
	} else {
		rc = delete_run_rows(db, id, err, errlen);
		if (!rc)
			rc = insert_run(db, j, folder, err, errlen);
		if (!rc)
			rc = insert_pairs(db, "INSERT INTO params VALUES(?,?,?)", id,
					  json_object_get(j, "params"), err, errlen);
		if (!rc)
			rc = insert_pairs(db, "INSERT INTO summaries VALUES(?,?,?)", id,
					  json_object_get(j, "summaries"), err, errlen);
		if (!rc)
			rc = insert_series(db, id, folder, err, errlen);
		if (!rc)
			(*loaded)++;
	}
	json_decref(j);
	return rc;
}

static int collect_experiment(sqlite3 *db, const char *dir, int *loaded, int *skipped, char *err,
			      size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		char folder[4700], probe[4800];
		if (e->d_name[0] == '.')
			continue;  /* ., .., and .tmp (runs in progress) */
		snprintf(folder, sizeof(folder), "%s/%s", dir, e->d_name);
		snprintf(probe, sizeof(probe), "%s/run.json", folder);
		if (access(probe, R_OK) == 0)
			rc = load_run(db, folder, loaded, skipped, err, errlen);
	}
	closedir(d);
	return rc;
}

static int collect_calibration(sqlite3 *db, const char *results, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/calibration.json", results);
	json_t *j = json_load_file(path, 0, NULL);
	if (!j)
		return 0;
	const char *host = json_string_value(json_object_get(json_object_get(j, "env"), "hostname"));
	const char *at = json_string_value(json_object_get(j, "measured_at"));
	sqlite3_stmt *st;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO calibration VALUES(?,?,?,?)", -1, &st,
			       NULL) != SQLITE_OK) {
		json_decref(j);
		return exec_sql(db, "SELECT 1 FROM calibration", err, errlen);
	}
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		if (!json_is_number(v))
			continue;
		sqlite3_bind_text(st, 1, host ? host : "unknown", -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, json_number_value(v));
		sqlite3_bind_text(st, 4, at ? at : "", -1, SQLITE_TRANSIENT);
		if ((rc = step_done(db, st, err, errlen)) < 0)
			break;
	}
	sqlite3_finalize(st);
	json_decref(j);
	return rc;
}

/* The fault-injection point (paths.h) for the store: what SQLite reports on a full disk,
 * so that the rollback below is tested without filling one. */
static int store_fault(sqlite3 *db, char *err, size_t errlen)
{
	if (!rb_fault_enospc())
		return 0;
	snprintf(err, errlen, "%s: cannot write the results store: %s", sqlite3_db_filename(db, "main"),
		 strerror(errno));
	return -1;
}

/* The whole collect is one transaction: a failure (a full disk) rolls it back, so the
 * store stays as it was and a later collect loads everything. */
int store_collect(sqlite3 *db, const char *results, int *loaded, int *skipped, char *err,
		  size_t errlen)
{
	char runs[4096];
	*loaded = *skipped = 0;
	snprintf(runs, sizeof(runs), "%s/runs", results);
	DIR *d = opendir(runs);
	if (!d && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot read: %s", runs, strerror(errno));
		return -1;
	}
	if (exec_sql(db, "BEGIN", err, errlen) < 0) {
		if (d)
			closedir(d);
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (d && rc == 0 && (e = readdir(d))) {
		char dir[4400];
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", runs, e->d_name);
		rc = store_fault(db, err, errlen);
		if (rc == 0)
			rc = collect_experiment(db, dir, loaded, skipped, err, errlen);
	}
	if (d)
		closedir(d);
	if (rc == 0)
		rc = collect_calibration(db, results, err, errlen);
	if (rc == 0)
		rc = store_fault(db, err, errlen);
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (rc == 0)
		snprintf(err, errlen, "%s: cannot write the results store: %s",
			 sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- scoped views -------------------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = 2 * (b->len + (size_t)n + 1);
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Parameter names in expansion order, each once. */
static int param_columns(const struct sweep *s, const char **names, int max)
{
	int n = 0;
	for (int r = 0; r < s->n; r++) {
		for (int p = 0; p < s->runs[r].params.n; p++) {
			const char *name = s->runs[r].params.p[p].name;
			int seen = 0;
			for (int i = 0; i < n; i++)
				seen |= !strcmp(names[i], name);
			if (!seen && n < max)
				names[n++] = name;
		}
	}
	return n;
}

static const struct rb_value *param_or_null(const struct rb_paramset *ps, const char *name)
{
	for (int i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i].value;
	return NULL;
}

/* The plan: one row per run the manifest expands to, with its point, the id this build
 * gives it, and its parameters as typed columns, so that a claim's `scope:` filter and the
 * INCOMPLETE count work on what was asked for, whether or not it ran. */
static int fill_plan(sqlite3 *db, const struct sweep *s, const char **cols, int ncols, char *err,
		     size_t errlen)
{
	struct sbuf b = {0};
	/* OR IGNORE: a point listed twice (two datasets falling back to one generator) is one run. */
	sb_add(&b, "INSERT OR IGNORE INTO temp.plan VALUES(?,?,?,?,?");
	for (int i = 0; i < ncols; i++)
		sb_add(&b, ",?");
	sb_add(&b, ")");
	sqlite3_stmt *st;
	int prc = sqlite3_prepare_v2(db, b.s, -1, &st, NULL);
	free(b.s);
	if (prc != SQLITE_OK)
		return exec_sql(db, "SELECT 1 FROM temp.plan", err, errlen);
	int rc = 0;
	for (int i = 0; i < s->n && rc == 0; i++) {
		const struct sweep_run *r = &s->runs[i];
		sqlite3_bind_text(st, 1, r->point, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->algo->name, -1, SQLITE_STATIC);
		if (r->ds_entry)
			sqlite3_bind_text(st, 4, r->ds_entry->name, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)r->seed);
		for (int c = 0; c < ncols; c++) {
			const struct rb_value *v = param_or_null(&r->params, cols[c]);
			if (!v)
				sqlite3_bind_null(st, 6 + c);
			else if (v->type == RB_REAL)
				sqlite3_bind_double(st, 6 + c, v->r);
			else if (v->type == RB_INT || v->type == RB_BOOL)
				sqlite3_bind_int64(st, 6 + c, v->i);
			else
				sqlite3_bind_text(st, 6 + c, v->s, -1, SQLITE_STATIC);
		}
		rc = step_done(db, st, err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The run that stands for each point: the one this build computes (same id), else the
 * newest run of that point computed by other code (the report then names the mix). */
static const char *const choose_runs =
	"INSERT OR IGNORE INTO temp.scope"
	" SELECT p.run_id FROM temp.plan p JOIN main.runs r ON r.run_id = p.run_id;"
	"INSERT OR IGNORE INTO temp.scope"
	" SELECT (SELECT r.run_id FROM main.runs r WHERE r.point_id = p.point"
	"         ORDER BY r.finished_at DESC LIMIT 1) AS chosen"
	"   FROM temp.plan p WHERE NOT EXISTS (SELECT 1 FROM main.runs r WHERE r.run_id = p.run_id)"
	"    AND chosen IS NOT NULL;";

static int fill_scope(sqlite3 *db, const struct sweep *s, const char **cols, int ncols, char *err,
		      size_t errlen)
{
	if (fill_plan(db, s, cols, ncols, err, errlen) < 0)
		return -1;
	return exec_sql(db, choose_runs, err, errlen);
}

static void build_views(struct sbuf *b, const char **cols, int ncols)
{
	struct sbuf g = {0};
	sb_add(&g, "algorithm, dataset");
	for (int i = 0; i < ncols; i++)
		sb_add(&g, ", \"%s\"", cols[i]);
	sb_add(b, "CREATE TEMP VIEW runs AS SELECT r.run_id, r.algorithm, r.dataset, r.seed, r.status,"
		  " r.message, r.wall_s, r.cpu_s, r.algo_wall_s, r.peak_rss_kb, r.oversubscribed");
	for (int i = 0; i < ncols; i++)
		sb_add(b, ", (SELECT value FROM main.params p WHERE p.run_id = r.run_id AND p.name = '%s')"
			  " AS \"%s\"", cols[i], cols[i]);
	sb_add(b, ", r.point_id, r.fingerprint, r.git_rev"
		  " FROM main.runs r WHERE r.run_id IN (SELECT run_id FROM temp.scope);");
	sb_add(b, "CREATE TEMP VIEW final AS SELECT v.*, s.metric, s.value FROM temp.runs v"
		  " JOIN main.summaries s USING (run_id) WHERE v.status = 'ok';");
	sb_add(b, "CREATE TEMP VIEW summary AS SELECT %s, metric, avg(value) AS mean,"
		  " stdev(value) AS sd, ci95(value) AS ci95, avg(value) - ci95(value) AS lo,"
		  " avg(value) + ci95(value) AS hi, count(*) AS n, min(value) AS min, max(value) AS max,"
		  " band_lo(value) AS band_lo, band_hi(value) AS band_hi,"
		  " coalesce(max(oversubscribed), 0) AS oversub"
		  " FROM temp.final GROUP BY %s, metric;", g.s, g.s);
	sb_add(b, "CREATE TEMP VIEW curve AS SELECT %s, s.metric AS metric, s.step AS step,"
		  " avg(s.value) AS mean, stdev(s.value) AS sd, ci95(s.value) AS ci95,"
		  " avg(s.value) - ci95(s.value) AS lo, avg(s.value) + ci95(s.value) AS hi,"
		  " count(*) AS n, band_lo(s.value) AS band_lo, band_hi(s.value) AS band_hi,"
		  " coalesce(max(v.oversubscribed), 0) AS oversub"
		  " FROM temp.runs v JOIN main.series s USING (run_id)"
		  " WHERE v.status = 'ok' GROUP BY %s, s.metric, s.step;", g.s, g.s);
	sb_add(b, "CREATE TEMP VIEW failures AS SELECT * FROM temp.runs WHERE status <> 'ok';");
	free(g.s);
}

int store_scope(sqlite3 *db, const struct sweep *s, char *err, size_t errlen)
{
	const char *cols[2 * RB_MAX_PARAMS];
	int ncols = param_columns(s, cols, 2 * RB_MAX_PARAMS);
	for (int i = 0; i < ncols; i++) {
		if (store_reserved_name(cols[i])) {
			snprintf(err, errlen, "parameter name '%s' clashes with a view column", cols[i]);
			return -1;
		}
	}
	struct sbuf b = {0};
	sb_add(&b, "DROP VIEW IF EXISTS temp.failures; DROP VIEW IF EXISTS temp.curve;"
		   " DROP VIEW IF EXISTS temp.summary; DROP VIEW IF EXISTS temp.final;"
		   " DROP VIEW IF EXISTS temp.runs; DROP TABLE IF EXISTS temp.scope;"
		   " DROP TABLE IF EXISTS temp.plan;"
		   " CREATE TEMP TABLE scope(run_id TEXT PRIMARY KEY);"
		   " CREATE TEMP TABLE plan(point TEXT PRIMARY KEY, run_id TEXT, algorithm TEXT,"
		   " dataset TEXT, seed INTEGER");
	for (int i = 0; i < ncols; i++)
		sb_add(&b, ", \"%s\"", cols[i]);
	sb_add(&b, ");");
	build_views(&b, cols, ncols);
	int rc = exec_sql(db, b.s, err, errlen);
	free(b.s);
	return rc < 0 ? -1 : fill_scope(db, s, cols, ncols, err, errlen);
}

int store_scalar(sqlite3 *db, const char *sql, double *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	int rc = sqlite3_step(st);
	int have = 0;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_double(st, 0);
		have = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		have = -1;
	}
	sqlite3_finalize(st);
	return have;
}

int store_check_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_finalize(st);
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		snprintf(err, errlen, "only one SQL statement is allowed");
		return -1;
	}
	return 0;
}
