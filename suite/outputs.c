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
	static const char *const names[] = {"PASS", "FAIL", "NOT-RUN", "ERROR"};
	return names[v];
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
		snprintf(buf, len, "SELECT %s AS series, \"%s\" AS x, mean AS y, lo, hi FROM summary"
			 " WHERE metric = '%s' ORDER BY series, x", series, p->x, p->y);
	else
		snprintf(buf, len, "SELECT %s AS series, step AS x, mean AS y, lo, hi FROM curve"
			 " WHERE metric = '%s' ORDER BY series, x", series, p->y);
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
	for (int i = 0; rc == 0 && i < m->nclaims; i++)
		rc = check_one(db, m, key_node(m, m->claims[i].node, "measured"), "claims.measured",
			       m->claims[i].measured, err, errlen);
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

void out_claims(sqlite3 *db, const struct sweep *s, struct out_claim *res)
{
	for (int i = 0; i < s->m->nclaims; i++) {
		struct out_claim *r = &res[i];
		memset(r, 0, sizeof(*r));
		r->claim = &s->m->claims[i];
		int have = store_scalar(db, r->claim->measured, &r->measured, r->message, sizeof(r->message));
		if (have < 0)
			r->verdict = OUT_ERROR;
		else if (have == 0)
			r->verdict = OUT_NOT_RUN;
		else
			r->verdict = mf_claim_holds(r->claim, r->measured) ? OUT_PASS : OUT_FAIL;
		if (have == 0)
			snprintf(r->message, sizeof(r->message), "no measured value (runs missing or failed)");
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
