/* claimkit: real manifests' claims over stores the tests write. */
#include "tests/unit/claimkit.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/store.h"

struct ck {
	struct manifest *m;
	struct sweep s;
	sqlite3 *db;
};

static void ck_exec(struct ck *k, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(k->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char text[512];
		snprintf(text, sizeof(text), "%s", msg ? msg : "?");
		sqlite3_free(msg);
		cr_assert_fail("claimkit: %s\nin: %s", text, sql);
	}
}

static void bind_value(sqlite3_stmt *st, int i, const struct rb_value *v)
{
	if (v->type == RB_REAL)
		sqlite3_bind_double(st, i, v->r);
	else if (v->type == RB_INT || v->type == RB_BOOL)
		sqlite3_bind_int64(st, i, v->i);
	else
		sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC);
}

/* Each expanded run as collect would load it from a run.json of status ok. */
static void insert_runs(struct ck *k)
{
	sqlite3_stmt *run, *par;
	cr_assert_eq(sqlite3_prepare_v2(k->db, "INSERT INTO runs(run_id, experiment, algorithm, family,"
					" dataset, seed, scale, status, message, point_id, fingerprint,"
					" finished_at) VALUES(?,?,?,?,?,?,?,'ok','',?,?,'now')",
					-1, &run, NULL), SQLITE_OK, "%s", sqlite3_errmsg(k->db));
	cr_assert_eq(sqlite3_prepare_v2(k->db, "INSERT INTO params VALUES(?,?,?)", -1, &par, NULL),
		     SQLITE_OK);
	for (int i = 0; i < k->s.n; i++) {
		const struct sweep_run *r = &k->s.runs[i];
		sqlite3_bind_text(run, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 2, k->m->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 3, r->algo->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 4, r->algo->family, -1, SQLITE_STATIC);
		if (r->ds_entry)
			sqlite3_bind_text(run, 5, r->ds_entry->name, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(run, 5);
		sqlite3_bind_int64(run, 6, (sqlite3_int64)r->seed);
		sqlite3_bind_text(run, 7, mf_scale_name(k->s.scale), -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 8, r->point, -1, SQLITE_STATIC);
		sqlite3_bind_text(run, 9, r->fingerprint, -1, SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(run), SQLITE_DONE, "%s", sqlite3_errmsg(k->db));
		sqlite3_reset(run);
		for (int p = 0; p < r->params.n; p++) {
			sqlite3_bind_text(par, 1, r->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(par, 2, r->params.p[p].name, -1, SQLITE_STATIC);
			bind_value(par, 3, &r->params.p[p].value);
			cr_assert_eq(sqlite3_step(par), SQLITE_DONE, "%s", sqlite3_errmsg(k->db));
			sqlite3_reset(par);
		}
	}
	sqlite3_finalize(run);
	sqlite3_finalize(par);
}

struct ck *ck_open(const char *manifest, const char *scale)
{
	char path[2048], err[2048];
	const char *root = getenv("RELAXBENCH_ROOT");
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", manifest);
	struct ck *k = calloc(1, sizeof(*k));
	cr_assert_not_null(k);
	k->m = mf_load(path, err, sizeof(err));
	cr_assert_not_null(k->m, "%s", err);
	int sc = mf_scale_parse(scale);
	cr_assert(sc >= 0, "claimkit: no scale '%s'", scale);
	cr_assert_eq(sweep_expand(k->m, (enum mf_scale)sc, &k->s, err, sizeof(err)), 0, "%s", err);
	k->db = store_open(":memory:", 0, err, sizeof(err));
	cr_assert_not_null(k->db, "%s", err);
	insert_runs(k);
	cr_assert_eq(store_scope(k->db, &k->s, err, sizeof(err)), 0, "%s", err);
	return k;
}

void ck_sql(struct ck *k, const char *sql)
{
	ck_exec(k, sql);
}

static void ck_execf(struct ck *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ck_execf(struct ck *k, const char *fmt, ...)
{
	char sql[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_exec(k, sql);
}

void ck_summary(struct ck *k, const char *where, const char *metric, const char *value_expr)
{
	ck_execf(k, "INSERT OR REPLACE INTO main.summaries SELECT run_id, '%s', (%s) FROM temp.runs"
		 " WHERE (%s)", metric, value_expr, where);
}

void ck_series(struct ck *k, const char *where, const char *metric, double step, const char *value_expr)
{
	ck_execf(k, "INSERT INTO main.series SELECT run_id, %.17g, '%s', (%s) FROM temp.runs WHERE (%s)",
		 step, metric, value_expr, where);
}

void ck_status(struct ck *k, const char *where, const char *status)
{
	ck_execf(k, "UPDATE main.runs SET status = '%s' WHERE run_id IN (SELECT run_id FROM temp.runs"
		 " WHERE (%s))", status, where);
}

void ck_delete(struct ck *k, const char *where)
{
	ck_execf(k, "DELETE FROM main.runs WHERE run_id IN (SELECT run_id FROM temp.runs WHERE (%s))",
		 where);
}

enum out_verdict ck_verdict(struct ck *k, const char *claim_id, double *measured)
{
	struct out_claim res[MF_MAX_ITEMS];
	out_claims(k->db, &k->s, res);
	for (int i = 0; i < k->m->nclaims; i++) {
		if (strcmp(k->m->claims[i].id, claim_id))
			continue;
		if (measured)
			*measured = res[i].measured;
		return res[i].verdict;
	}
	cr_assert_fail("claimkit: %s has no claim '%s'", k->m->path, claim_id);
	return OUT_ERROR;
}

void ck_close(struct ck *k)
{
	store_close(k->db);
	sweep_free(&k->s);
	mf_free(k->m);
	free(k);
}

sqlite3 *ck_db(struct ck *k)
{
	return k->db;
}

const struct sweep *ck_sweep(struct ck *k)
{
	return &k->s;
}
