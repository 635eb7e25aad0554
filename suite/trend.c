/*
 * trend: see trend.h. Each store is measured with the same code as `relaxbench regress`
 * (rg_measure) and each commit's reference file is read by the same parser
 * (rg_read_reference_stream), so a trend point and a regression verdict never disagree.
 * git runs under popen with every argument in single quotes; an argument holding a quote
 * or a line break is refused, so nothing a user passes reaches the shell as syntax.
 */
#include "suite/trend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suite/error.h"
#include "suite/paths.h"
#include "suite/plot.h"
#include "suite/regress.h"
#include "suite/store.h"

#define TREND_NOTES 12   /* reference files of old commits that could not be read, listed */

struct point {
	const char *path;          /* the store; NULL for a commit of the reference history */
	char rev[64], when[64], host[64];
	long depth;                /* commits before rev in this repository; -1 when unknown */
	struct rg_set set;         /* item k is the band's item k (rg_declare's order) */
};

struct history {
	struct point *pts;
	int n, cap;
	char hosts[16][64];        /* the machines seen, in order: a point's colour */
	int nhosts;
	char notes[TREND_NOTES][320];
	int nnotes, more_notes;
};

static struct point *add_point(struct history *h)
{
	if (h->n == h->cap) {
		int cap = h->cap ? 2 * h->cap : 16;
		struct point *p = realloc(h->pts, (size_t)cap * sizeof(*p));
		if (!p)
			return NULL;
		h->pts = p;
		h->cap = cap;
	}
	struct point *p = &h->pts[h->n++];
	memset(p, 0, sizeof(*p));
	p->depth = -1;
	return p;
}

static void note(struct history *h, const char *fmt, const char *a, const char *b)
{
	if (h->nnotes == TREND_NOTES) {
		h->more_notes++;
		return;
	}
	snprintf(h->notes[h->nnotes++], sizeof(h->notes[0]), fmt, a, b);
}

static int shell_safe(const char *s)
{
	return s && !strpbrk(s, "'\n\r");
}

/* ---- stores ----------------------------------------------------------------------------- */

/* The newest git revision, finish time and host of the store's runs. */
static void store_stamp(sqlite3 *db, struct point *p)
{
	sqlite3_stmt *st = NULL;
	snprintf(p->rev, sizeof(p->rev), "unknown");
	snprintf(p->host, sizeof(p->host), "unknown");
	if (sqlite3_prepare_v2(db, "SELECT git_rev, finished_at, host FROM main.runs ORDER BY"
			       " finished_at DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *r = sqlite3_column_text(st, 0), *w = sqlite3_column_text(st, 1),
				    *m = sqlite3_column_text(st, 2);
		snprintf(p->rev, sizeof(p->rev), "%s", r ? (const char *)r : "unknown");
		snprintf(p->when, sizeof(p->when), "%s", w ? (const char *)w : "");
		snprintf(p->host, sizeof(p->host), "%s", m ? (const char *)m : "unknown");
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
	    !shell_safe(root))
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

/* ---- the reference files' history ----------------------------------------------------- */

/* One experiment's reference file at one commit, into p->set: absent (not yet written
 * then) is no point; unreadable (another format, another scale) is a note. */
static void read_commit_file(const struct trend_opts *o, struct history *h, struct point *p,
			     const char *full, const struct sweep *s)
{
	char cmd[8400], name[300], why[512];
	snprintf(cmd, sizeof(cmd), "git -C '%s' show '%s:./%s.csv' 2>/dev/null", o->refdir, full,
		 s->m->id);
	FILE *f = popen(cmd, "r");
	if (!f)
		return;
	int first = fgetc(f);
	if (first != EOF) {
		ungetc(first, f);
		snprintf(name, sizeof(name), "%s.csv at %s", s->m->id, p->rev);
		if (rg_read_reference_stream(&p->set, s, o->scale, f, name, why, sizeof(why)) < 0) {
			note(h, "%.250s (its values are left out)%s", why, "");
			for (int i = 0; i < p->set.n; i++)
				if (!strcmp(p->set.items[i].experiment, s->m->id))
					p->set.items[i].have_ref = 0;
		}
	}
	pclose(f);
}

/* The point of one commit: each key metric's reference value then, as its value. */
static int read_commit(const struct trend_opts *o, struct history *h, const char *full,
		       const char *rev, const char *date, char *err, size_t errlen)
{
	struct point *p = add_point(h);
	if (!p)
		return rb_error(err, errlen, "out of memory");
	snprintf(p->rev, sizeof(p->rev), "%s", rev);
	snprintf(p->when, sizeof(p->when), "%s", date);
	snprintf(p->host, sizeof(p->host), "unknown");
	for (int i = 0; i < o->nsweeps; i++)
		if (rg_declare(&o->sweeps[i], &p->set) < 0)
			return rb_error(err, errlen, "out of memory");
	for (int i = 0; i < o->nsweeps; i++)
		read_commit_file(o, h, p, full, &o->sweeps[i]);
	for (int i = 0; i < p->set.n; i++) {
		struct rg_item *it = &p->set.items[i];
		if (!it->in_manifest || !it->have_ref || !isfinite(it->ref))
			continue;
		it->have_now = 1;
		it->now = it->ref;
		if (!strcmp(p->host, "unknown") && it->ref_host[0])
			snprintf(p->host, sizeof(p->host), "%s", it->ref_host);
	}
	return 0;
}

/* Every commit that changed refdir (in range, when given), oldest first. */
static int read_history(const struct trend_opts *o, const char *range, struct history *h,
			char *err, size_t errlen)
{
	char cmd[8400], line[512], first[256] = "";
	if (!shell_safe(o->refdir) || (range && (!shell_safe(range) || range[0] == '-')))
		return rb_error(err, errlen, "--git: the reference folder and the revision range may "
				"hold no quote or line break, and the range starts with no '-'");
	snprintf(cmd, sizeof(cmd), "git -C '%s' log --reverse --format='%%H %%h %%cs' %s%s%s -- . 2>&1",
		 o->refdir, range ? "'" : "", range ? range : "", range ? "'" : "");
	FILE *f = popen(cmd, "r");
	if (!f)
		return rb_error(err, errlen, "cannot run git");
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char full[64], rev[64], date[64];
		line[strcspn(line, "\r\n")] = '\0';
		if (sscanf(line, "%63s %63s %63s", full, rev, date) == 3 && strlen(full) == 40 &&
		    strspn(full, "0123456789abcdef") == 40)
			rc = read_commit(o, h, full, rev, date, err, errlen);
		else if (!first[0])
			snprintf(first, sizeof(first), "%.200s", line);
	}
	int status = pclose(f);
	if (rc == 0 && status != 0)
		return rb_error(err, errlen, "git log in %s failed: %s", o->refdir,
				first[0] ? first : "(no message; is git installed?)");
	return rc;
}

/* ---- the band, the table, the figures -------------------------------------------------- */

/* Every key metric of the manifests with the current reference's value and tolerance. */
static int reference_band(const struct trend_opts *o, struct rg_set *band, char *err, size_t errlen)
{
	for (int i = 0; i < o->nsweeps; i++)
		if (rg_declare(&o->sweeps[i], band) < 0)
			return rb_error(err, errlen, "out of memory");
	for (int i = 0; i < o->nsweeps; i++)
		if (rg_read_reference(band, &o->sweeps[i], o->scale, o->refdir, err, errlen) < 0)
			return -1;
	for (int i = 0; i < band->n; i++)
		if (band->items[i].have_ref && isfinite(band->items[i].ref))
			band->items[i].bound = rg_tolerance(&band->items[i]);
	return 0;
}

static const struct rg_item *value_at(const struct point *p, int k)
{
	return k < p->set.n && p->set.items[k].in_manifest && p->set.items[k].have_now ?
	       &p->set.items[k] : NULL;
}

static int machine_of(struct history *h, const char *host)
{
	for (int i = 0; i < h->nhosts; i++)
		if (!strcmp(h->hosts[i], host))
			return i + 1;
	if (h->nhosts == (int)(sizeof(h->hosts) / sizeof(h->hosts[0])))
		return h->nhosts;
	snprintf(h->hosts[h->nhosts++], sizeof(h->hosts[0]), "%s", host);
	return h->nhosts;
}

/* "cc08258 2026-11-25": the revision (7 characters, '+' when the tree was dirty) and day. */
static void axis_label(char *buf, size_t len, const struct point *p)
{
	snprintf(buf, len, "%.7s%s %.10s", p->rev, strstr(p->rev, "dirty") ? "+" : "", p->when);
	for (char *c = buf; *c; c++)
		if (*c == '"' || *c == '\'' || *c == '\\')
			*c = '_';
}

static void print_table(FILE *out, const struct history *h, const struct rg_set *band)
{
	fprintf(out, "| # | source | git revision | date | machine |\n|---|---|---|---|---|\n");
	for (int i = 0; i < h->n; i++)
		fprintf(out, "| %d | %s | %s | %s | %s |\n", i + 1, h->pts[i].path ? h->pts[i].path :
			"reference (git)", h->pts[i].rev, h->pts[i].when, h->pts[i].host);
	fprintf(out, "\n| experiment | key metric | reference | tolerance |");
	for (int i = 0; i < h->n; i++)
		fprintf(out, " #%d |", i + 1);
	fprintf(out, "\n|---|---|---|---|");
	for (int i = 0; i < h->n; i++)
		fprintf(out, "---|");
	fprintf(out, "\n");
	for (int k = 0; k < band->n; k++) {
		const struct rg_item *b = &band->items[k];
		if (b->is_claim || !b->in_manifest)
			continue;
		fprintf(out, "| %s | %s | %.6g | %.3g |", b->experiment, b->id, b->ref, b->bound);
		for (int i = 0; i < h->n; i++) {
			const struct rg_item *it = value_at(&h->pts[i], k);
			fprintf(out, it ? " %.6g |" : " - |", it ? it->now : 0);
		}
		fprintf(out, "\n");
	}
	for (int i = 0; i < h->nnotes; i++)
		fprintf(out, "%snote: %s\n", i ? "" : "\n", h->notes[i]);
	if (h->more_notes)
		fprintf(out, "note: and %d more unreadable reference files\n", h->more_notes);
}

/* The data file of one key metric: a row per point, oldest first. */
static int write_metric_data(struct history *h, int k, const char *path, int *nvalues, char *xtics,
			     size_t xlen, char *err, size_t errlen)
{
	char *buf = NULL, label[96];
	size_t len = 0, used = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return rb_error(err, errlen, "out of memory");
	fprintf(f, "# x\tsource\trevision\tdate\tmachine\tmachine_index\tvalue\n");
	*nvalues = 0;
	xtics[0] = '\0';
	for (int i = 0; i < h->n; i++) {
		const struct point *p = &h->pts[i];
		const struct rg_item *it = value_at(p, k);
		fprintf(f, "%d\t%s\t%s\t%s\t%s\t%d\t", i + 1, p->path ? "store" : "reference", p->rev,
			p->when, p->host, machine_of(h, p->host));
		if (it && isfinite(it->now))
			fprintf(f, "%.17g\n", it->now);
		else
			fprintf(f, "NaN\n");
		*nvalues += it && isfinite(it->now);
		axis_label(label, sizeof(label), p);
		int w = snprintf(xtics + used, used < xlen ? xlen - used : 0, "%s\"%s\" %d", i ? ", " : "",
				 label, i + 1);
		used += w > 0 ? (size_t)w : 0;
	}
	fclose(f);
	int rc = used < xlen ? rb_write_file_atomic(path, buf, len, err, errlen) :
		 rb_error(err, errlen, "too many points");
	free(buf);
	return rc;
}

static int plot_metric(struct history *h, int k, const struct rg_item *b, const char *plots,
		       char *err, size_t errlen)
{
	char dir[4096], path[4400], title[384], points[16], lo[32], hi[32], ref[32];
	static char xtics[65536];
	int nvalues = 0;
	snprintf(dir, sizeof(dir), "%s/trend/%s", plots, b->experiment);
	snprintf(path, sizeof(path), "%s/%s.dat", dir, b->id);
	if (rb_mkdirs(dir, err, errlen) < 0 ||
	    write_metric_data(h, k, path, &nvalues, xtics, sizeof(xtics), err, errlen) < 0)
		return -1;
	if (!nvalues)
		return 0;   /* nothing to draw: the data file says so */
	int band = b->have_ref && isfinite(b->ref);
	snprintf(title, sizeof(title), "%s / %s by commit (oldest first)", b->experiment, b->id);
	snprintf(points, sizeof(points), "%d", h->n);
	snprintf(lo, sizeof(lo), "%.17g", band ? b->ref - b->bound : 0);
	snprintf(hi, sizeof(hi), "%.17g", band ? b->ref + b->bound : 0);
	snprintf(ref, sizeof(ref), "%.17g", band ? b->ref : 0);
	const char *vars[] = {"rb_title", title, "rb_ylabel", b->id, "rb_points", points, "rb_xtics",
			      xtics, "rb_band", band ? "1" : "0", "rb_lo", lo, "rb_hi", hi, "rb_ref", ref,
			      NULL};
	return plot_render_template("trend", path, vars, dir, b->id, err, errlen);
}

static int render(struct history *h, const struct rg_set *band, const char *plots, char *err,
		  size_t errlen)
{
	int rc = 0;
	for (int k = 0; rc == 0 && k < band->n; k++)
		if (!band->items[k].is_claim && band->items[k].in_manifest)
			rc = plot_metric(h, k, &band->items[k], plots, err, errlen);
	return rc;
}

/* In git mode an argument that is no existing path is the revision range. */
static int split_args(const struct trend_opts *o, const char **range, char *err, size_t errlen)
{
	struct stat sb;
	*range = NULL;
	for (int i = 0; o->git && i < o->nstores; i++) {
		if (stat(o->stores[i], &sb) == 0)
			continue;
		if (*range)
			return rb_error(err, errlen, "'%s' and '%s' are neither results stores nor one "
					"revision range", *range, o->stores[i]);
		*range = o->stores[i];
	}
	if (!o->git && o->nstores == 0)
		return rb_error(err, errlen, "no results store given (or use --git)");
	return 0;
}

int trend_run(const struct trend_opts *o, FILE *out, char *err, size_t errlen)
{
	struct history h = {0};
	struct rg_set band = {0};
	const char *range;
	int rc = split_args(o, &range, err, errlen), from = 0;
	if (rc == 0 && o->git)
		rc = read_history(o, range, &h, err, errlen);
	from = h.n;
	for (int i = 0; rc == 0 && i < o->nstores; i++) {
		if (range == o->stores[i])
			continue;
		struct point *p = add_point(&h);
		if (!p) {
			rc = rb_error(err, errlen, "out of memory");
			break;
		}
		p->path = o->stores[i];
		rc = measure_store(o, p, err, errlen);
	}
	if (rc == 0) {
		qsort(h.pts + from, (size_t)(h.n - from), sizeof(*h.pts), by_commit);
		rc = reference_band(o, &band, err, errlen);
	}
	if (rc == 0 && h.n == 0)
		rc = rb_error(err, errlen, "git log found no commit that changed %s", o->refdir);
	if (rc == 0) {
		print_table(out, &h, &band);
		rc = render(&h, &band, o->plots, err, errlen);
	}
	for (int i = 0; i < h.n; i++)
		rg_free(&h.pts[i].set);
	free(h.pts);
	rg_free(&band);
	return rc;
}
