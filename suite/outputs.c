/* outputs: plots, tables and claims of a manifest over its scoped views. */
#include "suite/outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/paths.h"
#include "suite/plot.h"
#include "suite/store.h"
#include "suite/table.h"

const char *out_verdict_name(enum out_verdict v)
{
	static const char *const names[] = {"PASS", "FAIL", "NOT-RUN", "ERROR", "INCOMPLETE",
					    "NOT-JUDGED"};
	return names[v];
}

int out_claim_is_known_deviation(const struct out_claim *r)
{
	return r->verdict == OUT_FAIL && r->claim->known_deviation && r->nfailed == 0;
}

const char *out_claim_label(const struct out_claim *r)
{
	return out_claim_is_known_deviation(r) ? "FAIL (known deviation)" : out_verdict_name(r->verdict);
}

int out_claim_fails(const struct out_claim *r)
{
	if (r->verdict == OUT_PASS || r->verdict == OUT_NOT_JUDGED)
		return 0;
	return !out_claim_is_known_deviation(r);
}

void out_tally_add(struct out_tally *t, const struct out_claim *r)
{
	if (out_claim_is_known_deviation(r)) {
		t->known_deviation++;
		return;
	}
	int *slot[] = {&t->pass, &t->fail, &t->not_run, &t->error, &t->incomplete, &t->not_judged};
	(*slot[r->verdict])++;
}

int out_tally_failing(const struct out_tally *t)
{
	return t->fail + t->incomplete + t->not_run + t->error;
}

void out_tally_text(const struct out_tally *t, char *buf, size_t len)
{
	size_t k = (size_t)snprintf(buf, len, "%d PASS", t->pass);
	const struct { int n; const char *name; } more[] = {
		{t->fail, "FAIL"}, {t->known_deviation, "FAIL (known deviation)"}, {t->incomplete, "INCOMPLETE"},
		{t->not_run, "NOT-RUN"}, {t->error, "ERROR"}, {t->not_judged, "NOT-JUDGED"}};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]) && k < len; i++)
		if (more[i].n)
			k += (size_t)snprintf(buf + k, len - k, ", %d %s", more[i].n, more[i].name);
}

static int is_param(const struct sweep *s, const char *name)
{
	for (int r = 0; r < s->n; r++)
		for (int p = 0; p < s->runs[r].params.n; p++)
			if (!strcmp(s->runs[r].params.p[p].name, name))
				return 1;
	return 0;
}

/* "sgd lr=0.5": algorithm and dataset by value, parameters as key=value; a parameter
 * an algorithm lacks (NULL) is left out rather than blanking the whole name. */
static void series_expr(const struct mf_plot *p, char *buf, size_t len)
{
	size_t k = 0;
	if (p->nseries == 0) {
		snprintf(buf, len, "'%s'", p->y ? p->y : "value");
		return;
	}
	k += (size_t)snprintf(buf, len, "trim(''");
	for (int i = 0; i < p->nseries && k < len; i++) {
		const char *c = p->series[i];
		if (!strcmp(c, "algorithm") || !strcmp(c, "dataset"))
			k += (size_t)snprintf(buf + k, len - k, " || ' ' || coalesce(\"%s\", '')", c);
		else
			k += (size_t)snprintf(buf + k, len - k,
					      " || CASE WHEN \"%s\" IS NULL THEN '' ELSE ' %s=' || \"%s\" END",
					      c, c, c);
	}
	if (k < len)
		snprintf(buf + k, len - k, ")");
}

void out_plot_query(const struct sweep *s, const struct mf_plot *p, char *buf, size_t len)
{
	char series[2048];
	if (p->query) {
		snprintf(buf, len, "%s", p->query);
		return;
	}
	series_expr(p, series, sizeof(series));
	if (is_param(s, p->x) || !strcmp(p->x, "seed"))
		snprintf(buf, len, "SELECT %s AS series, \"%s\" AS x, mean AS y, band_lo AS lo,"
			 " band_hi AS hi, n, oversub FROM summary WHERE metric = '%s'"
			 " ORDER BY series, x", series, p->x, p->y);
	else
		snprintf(buf, len, "SELECT %s AS series, step AS x, mean AS y, band_lo AS lo,"
			 " band_hi AS hi, n, oversub FROM curve WHERE metric = '%s'"
			 " ORDER BY series, x", series, p->y);
}

static int check_one(sqlite3 *db, const struct manifest *m, const yaml_node_t *node, const char *key,
		     const char *sql, char *err, size_t errlen)
{
	char why[512], where[1200];
	if (store_check_sql(db, sql, why, sizeof(why)) == 0)
		return 0;
	mf_where(m, node, where, sizeof(where));
	snprintf(err, errlen, "%s%s: %s", where, key, why);
	return -1;
}

static const yaml_node_t *key_node(const struct manifest *m, const yaml_node_t *item, const char *key)
{
	const yaml_node_t *n = mf_map_get(m, item, key);
	return n ? n : item;
}

int out_check_queries(const struct sweep *s, char *err, size_t errlen)
{
	const struct manifest *m = s->m;
	sqlite3 *db = store_open(":memory:", 0, err, errlen);
	if (!db)
		return -1;
	int rc = store_scope(db, s, err, errlen);
	char sql[8192], why[512], where[1200];
	for (int i = 0; rc == 0 && i < m->ntables; i++)
		rc = check_one(db, m, key_node(m, m->tables[i].node, "query"), "tables.query",
			       m->tables[i].query, err, errlen);
	for (int i = 0; rc == 0 && i < m->nclaims; i++) {
		rc = check_one(db, m, key_node(m, m->claims[i].node, "measured"), "claims.measured",
			       m->claims[i].measured, err, errlen);
		if (rc == 0 && m->claims[i].scope) {
			snprintf(sql, sizeof(sql), "SELECT count(*) FROM temp.plan WHERE (%s)",
				 m->claims[i].scope);
			rc = check_one(db, m, key_node(m, m->claims[i].node, "scope"), "claims.scope", sql,
				       err, errlen);
		}
		if (rc == 0 && m->claims[i].terms.query)  /* display only, checked like the rest */
			rc = check_one(db, m, m->claims[i].terms.node->type == YAML_SCALAR_NODE ?
				       m->claims[i].terms.node : key_node(m, m->claims[i].terms.node, "query"),
				       "claims.paper_terms", m->claims[i].terms.query, err, errlen);
	}
	for (int i = 0; rc == 0 && i < m->nregress; i++)
		rc = check_one(db, m, key_node(m, m->regress[i].node, "query"), "regress.query",
			       m->regress[i].query, err, errlen);
	for (int i = 0; rc == 0 && i < m->nplots; i++) {
		out_plot_query(s, &m->plots[i], sql, sizeof(sql));
		if (plot_check_query(db, sql, why, sizeof(why)) == 0)
			continue;
		mf_where(m, key_node(m, m->plots[i].node, m->plots[i].query ? "query" : "y"), where,
			 sizeof(where));
		snprintf(err, errlen, "%splots.%s: %s", where, m->plots[i].query ? "query" : "y", why);
		rc = -1;
	}
	store_close(db);
	return rc;
}

/* The plan rows a claim rests on: its `scope:` condition, or every run. */
static void scope_where(const struct mf_claim *c, char *buf, size_t len)
{
	snprintf(buf, len, "SELECT point FROM temp.plan WHERE (%s)", c->scope ? c->scope : "1");
}

/* Runs in scope whose status is not ok: the count, and the first few named. */
static int scope_failed(sqlite3 *db, const struct mf_claim *c, struct out_claim *r)
{
	char plan[4096], sql[16384];
	scope_where(c, plan, sizeof(plan));
	snprintf(sql, sizeof(sql),
		 "SELECT count(*), (SELECT group_concat(d, ', ') FROM (SELECT run_id || ' ' || status AS d"
		 " FROM temp.runs WHERE status <> 'ok' AND point_id IN (%s) ORDER BY run_id LIMIT 3))"
		 " FROM temp.runs WHERE status <> 'ok' AND point_id IN (%s)", plan, plan);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->message, sizeof(r->message), "scope: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->nfailed = sqlite3_column_int(st, 0);
		const unsigned char *names = sqlite3_column_text(st, 1);
		if (r->nfailed)
			snprintf(r->message, sizeof(r->message), "%d run%s in scope not ok: %s%s", r->nfailed,
				 r->nfailed == 1 ? "" : "s", names ? (const char *)names : "",
				 r->nfailed > 3 ? ", ..." : "");
	}
	sqlite3_finalize(st);
	return 0;
}

static int scope_missing(sqlite3 *db, const struct mf_claim *c, struct out_claim *r)
{
	char plan[4096], sql[8192], err[256];
	double v = 0;
	scope_where(c, plan, sizeof(plan));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s) WHERE point NOT IN"
		 " (SELECT point_id FROM temp.runs WHERE point_id IS NOT NULL)", plan);
	if (store_scalar(db, sql, &v, err, sizeof(err)) < 0) {
		snprintf(r->message, sizeof(r->message), "scope: %s", err);
		return -1;
	}
	r->nmissing = (int)v;
	return 0;
}

static void judge(sqlite3 *db, const struct sweep *s, struct out_claim *r)
{
	const struct mf_claim *c = r->claim;
	if (!c->judged_at[s->scale]) {
		r->verdict = OUT_NOT_JUDGED;
		snprintf(r->message, sizeof(r->message), "not judged at %s scale", mf_scale_name(s->scale));
		return;
	}
	if (scope_failed(db, c, r) < 0 || scope_missing(db, c, r) < 0) {
		r->verdict = OUT_ERROR;
		return;
	}
	char err[256];
	int have = store_scalar(db, c->measured, &r->measured, err, sizeof(err));
	r->have_measured = have == 1;
	if (have < 0) {
		r->verdict = OUT_ERROR;
		snprintf(r->message, sizeof(r->message), "%s", err);
	} else if (r->nfailed) {
		r->verdict = OUT_FAIL;  /* the message names the runs */
	} else if (r->nmissing) {
		r->verdict = OUT_INCOMPLETE;
		snprintf(r->message, sizeof(r->message), "%d run%s in scope missing", r->nmissing,
			 r->nmissing == 1 ? "" : "s");
	} else if (have == 0) {
		r->verdict = OUT_NOT_RUN;
		snprintf(r->message, sizeof(r->message), "the query gives no number");
	} else {
		r->verdict = mf_claim_holds(c, r->measured) ? OUT_PASS : OUT_FAIL;
		if (r->verdict == OUT_FAIL && c->known_deviation)
			snprintf(r->message, sizeof(r->message), "known deviation: %s", c->known_deviation);
	}
}

void out_claims(sqlite3 *db, const struct sweep *s, struct out_claim *res)
{
	for (int i = 0; i < s->m->nclaims; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].claim = &s->m->claims[i];
		judge(db, s, &res[i]);
	}
}

void out_plots(sqlite3 *db, const struct sweep *s, const char *plots_dir, struct out_plot *res)
{
	char dir[2048], sql[8192];
	snprintf(dir, sizeof(dir), "%s/%s", plots_dir, s->m->id);
	for (int i = 0; i < s->m->nplots; i++) {
		const struct mf_plot *p = &s->m->plots[i];
		struct out_plot *r = &res[i];
		memset(r, 0, sizeof(*r));
		r->plot = p;
		snprintf(r->png, sizeof(r->png), "%s/%s.png", dir, p->id);
		snprintf(r->svg, sizeof(r->svg), "%s/%s.svg", dir, p->id);
		if (rb_mkdirs(dir, r->message, sizeof(r->message)) < 0) {
			r->state = OUT_PLOT_ERROR;
			continue;
		}
		out_plot_query(s, p, sql, sizeof(sql));
		struct plot_spec spec = {
			.id = p->id, .title = p->title ? p->title : p->id,
			.xlabel = p->xlabel ? p->xlabel : p->x,
			.ylabel = p->ylabel ? p->ylabel : (p->y ? p->y : ""),
			.logx = p->logx, .logy = p->logy, .query = sql,
			.xunit = p->xunit, .yunit = p->yunit, .range_given = p->range_given,
			.ymin = p->ymin, .ymax = p->ymax, .band = (enum plot_band)p->band,
		};
		int rc = plot_render(db, &spec, dir, r->message, sizeof(r->message));
		r->state = rc == 0 ? OUT_PLOT_OK : rc > 0 ? OUT_PLOT_NO_DATA : OUT_PLOT_ERROR;
	}
}

int out_tables(sqlite3 *db, const struct sweep *s, const char *results, char *err, size_t errlen)
{
	char dir[4096], path[4200];
	snprintf(dir, sizeof(dir), "%s/tables/%s", results, s->m->id);
	if (s->m->ntables && rb_mkdirs(dir, err, errlen) < 0)
		return -1;
	for (int i = 0; i < s->m->ntables; i++) {
		struct table_grid g;
		const struct mf_table *t = &s->m->tables[i];
		if (table_query(db, t->query, &g, err, errlen) < 0)
			return -1;
		snprintf(path, sizeof(path), "%s/%s.csv", dir, t->id);
		int rc = table_write_csv(path, &g, err, errlen);
		table_free(&g);
		if (rc < 0)
			return -1;
	}
	return 0;
}
