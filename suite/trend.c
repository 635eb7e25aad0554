/*
 * trend: see trend.h. Each store is measured with the same code as `relaxbench regress`
 * (rg_measure), so a trend point and a regression verdict can never disagree.
 */
#include "suite/trend.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suite/paths.h"
#include "suite/plot.h"
#include "suite/regress.h"
#include "suite/store.h"

struct point {
	const char *path;
	char rev[64], when[64];
	long depth;             /* commits before rev in this repository; -1 when unknown */
	struct rg_set set;
};

/* The newest git revision and finish time of the store's runs. */
static void store_stamp(sqlite3 *db, struct point *p)
{
	sqlite3_stmt *st = NULL;
	snprintf(p->rev, sizeof(p->rev), "unknown");
	p->when[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT git_rev, finished_at FROM main.runs ORDER BY finished_at"
			       " DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *r = sqlite3_column_text(st, 0), *w = sqlite3_column_text(st, 1);
		snprintf(p->rev, sizeof(p->rev), "%s", r ? (const char *)r : "unknown");
		snprintf(p->when, sizeof(p->when), "%s", w ? (const char *)w : "");
	}
	sqlite3_finalize(st);
}

/* Position of a revision in this repository's history (`git rev-list --count`), so that
 * stores sort in commit order even when CI finished them out of order; -1 if unknown. */
static long commit_depth(const char *rev)
{
	char hex[64], root[4096], cmd[4400], err[256];
	size_t n = strspn(rev, "0123456789abcdef");
	if (n < 7 || n >= sizeof(hex) || rb_root_dir(root, sizeof(root), err, sizeof(err)) < 0 ||
	    strchr(root, '\''))
		return -1;
	memcpy(hex, rev, n);
	hex[n] = '\0';
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-list --count %s 2>/dev/null", root, hex);
	FILE *f = popen(cmd, "r");
	long depth = -1;
	if (f && fscanf(f, "%ld", &depth) != 1)
		depth = -1;
	if (f)
		pclose(f);
	return depth;
}

static int measure_store(const struct trend_opts *o, struct point *p, char *err, size_t errlen)
{
	char dbpath[4096];
	struct stat sb;
	if (stat(p->path, &sb) == 0 && S_ISDIR(sb.st_mode))
		store_path(p->path, dbpath, sizeof(dbpath));
	else
		snprintf(dbpath, sizeof(dbpath), "%s", p->path);
	sqlite3 *db = store_open(dbpath, 1, err, errlen);
	if (!db)
		return -1;
	store_stamp(db, p);
	p->depth = commit_depth(p->rev);
	int rc = 0;
	for (int i = 0; rc == 0 && i < o->nsweeps; i++)
		rc = rg_measure(db, &o->sweeps[i], &p->set, err, errlen);
	store_close(db);
	return rc;
}

static int by_commit(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	if (x->depth >= 0 && y->depth >= 0 && x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return strcmp(x->when, y->when);
}

/* The reference band of every key metric: the newest store's items, compared with the
 * reference files (which sets each item's ref and tolerance). */
static int reference_band(const struct trend_opts *o, const struct point *newest, struct rg_set *band,
			  char *err, size_t errlen)
{
	if (rg_copy(band, &newest->set) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < o->nsweeps; i++)
		if (rg_read_reference(band, &o->sweeps[i], o->scale, o->refdir, err, errlen) < 0)
			return -1;
	rg_compare(band);
	return 0;
}

static int fill_db(sqlite3 *pdb, const struct point *pts, int n, const struct rg_set *band)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_exec(pdb, "CREATE TABLE t(experiment TEXT, metric TEXT, series TEXT, x REAL,"
			 " y REAL, lo REAL, hi REAL)", 0, 0, 0) != SQLITE_OK ||
	    sqlite3_prepare_v2(pdb, "INSERT INTO t VALUES(?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int k = 0; k < band->n; k++) {
		const struct rg_item *b = &band->items[k];
		if (b->is_claim || !b->in_manifest)
			continue;
		for (int i = 0; i < n; i++) {
			const struct rg_item *it = &pts[i].set.items[k];
			int ref = b->have_ref && isfinite(b->ref);
			for (int s = 0; s < 1 + ref; s++) {
				sqlite3_bind_text(st, 1, b->experiment, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 2, b->id, -1, SQLITE_STATIC);
				sqlite3_bind_text(st, 3, s ? "reference, tolerance band" : "stores", -1, SQLITE_STATIC);
				sqlite3_bind_int(st, 4, i + 1);
				if (s) {
					sqlite3_bind_double(st, 5, b->ref);
					sqlite3_bind_double(st, 6, b->ref - b->bound);
					sqlite3_bind_double(st, 7, b->ref + b->bound);
				} else {
					if (it->have_now)
						sqlite3_bind_double(st, 5, it->now);
					else
						sqlite3_bind_null(st, 5);
					sqlite3_bind_null(st, 6);
					sqlite3_bind_null(st, 7);
				}
				sqlite3_step(st);
				sqlite3_reset(st);
				sqlite3_clear_bindings(st);
			}
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int plot_metric(sqlite3 *pdb, const struct rg_item *b, const char *plots, char *err,
		       size_t errlen)
{
	char dir[4096], query[768], title[384];
	snprintf(dir, sizeof(dir), "%s/trend/%s", plots, b->experiment);
	/* experiment and metric ids are identifiers (the manifest loader checks them). */
	snprintf(query, sizeof(query), "SELECT series, x, y, lo, hi FROM t WHERE experiment = '%s'"
		 " AND metric = '%s' ORDER BY series DESC, x", b->experiment, b->id);
	snprintf(title, sizeof(title), "%s / %s across stores (commit order)", b->experiment, b->id);
	struct plot_spec spec = {
		.id = b->id, .title = title, .xlabel = "store (# in the trend table, oldest commit first)",
		.ylabel = b->id, .query = query,
	};
	int rc = plot_render(pdb, &spec, dir, err, errlen);
	return rc == PLOT_NO_DATA ? 0 : rc;
}

static void print_table(FILE *out, const struct point *pts, int n, const struct rg_set *band)
{
	fprintf(out, "| # | store | git revision | newest run |\n|---|---|---|---|\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "| %d | %s | %s | %s |\n", i + 1, pts[i].path, pts[i].rev, pts[i].when);
	fprintf(out, "\n| experiment | key metric | reference | tolerance |");
	for (int i = 0; i < n; i++)
		fprintf(out, " #%d |", i + 1);
	fprintf(out, "\n|---|---|---|---|");
	for (int i = 0; i < n; i++)
		fprintf(out, "---|");
	fprintf(out, "\n");
	for (int k = 0; k < band->n; k++) {
		const struct rg_item *b = &band->items[k];
		if (b->is_claim || !b->in_manifest)
			continue;
		fprintf(out, "| %s | %s | %.6g | %.3g |", b->experiment, b->id, b->ref, b->bound);
		for (int i = 0; i < n; i++)
			fprintf(out, pts[i].set.items[k].have_now ? " %.6g |" : " - |", pts[i].set.items[k].now);
		fprintf(out, "\n");
	}
}

static int render(const struct trend_opts *o, const struct point *pts, const struct rg_set *band,
		  char *err, size_t errlen)
{
	sqlite3 *pdb = NULL;
	if (sqlite3_open(":memory:", &pdb) != SQLITE_OK || fill_db(pdb, pts, o->nstores, band) < 0) {
		snprintf(err, errlen, "trend: in-memory database: %s", sqlite3_errmsg(pdb));
		sqlite3_close(pdb);
		return -1;
	}
	int rc = 0;
	for (int k = 0; rc == 0 && k < band->n; k++)
		if (!band->items[k].is_claim && band->items[k].in_manifest)
			rc = plot_metric(pdb, &band->items[k], o->plots, err, errlen);
	sqlite3_close(pdb);
	return rc;
}

int trend_run(const struct trend_opts *o, FILE *out, char *err, size_t errlen)
{
	struct point *pts = calloc((size_t)o->nstores, sizeof(*pts));
	struct rg_set band = {0};
	int rc = pts ? 0 : -1;
	for (int i = 0; rc == 0 && i < o->nstores; i++) {
		pts[i].path = o->stores[i];
		rc = measure_store(o, &pts[i], err, errlen);
	}
	if (rc == 0) {
		qsort(pts, (size_t)o->nstores, sizeof(*pts), by_commit);
		rc = reference_band(o, &pts[o->nstores - 1], &band, err, errlen);
	}
	if (rc == 0) {
		print_table(out, pts, o->nstores, &band);
		rc = render(o, pts, &band, err, errlen);
	}
	for (int i = 0; pts && i < o->nstores; i++)
		rg_free(&pts[i].set);
	rg_free(&band);
	free(pts);
	return rc;
}
