/*
 * regress: see regress.h. The reference files are CSV whose every field is an identifier,
 * a number, a verdict word or a git revision (host names are reduced to [A-Za-z0-9._-]),
 * so no field ever needs quoting: a field with a comma or a quote is rejected on reading
 * rather than parsed by a home-made CSV dialect.
 */
#include "suite/regress.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "suite/outputs.h"
#include "suite/paths.h"
#include "suite/plot.h"
#include "suite/store.h"

#define RG_HEADER "kind,id,scale,value,sd,verdict,git_rev,host"
#define RG_FIELDS 8
#define RG_Z_CLAMP 10.0   /* plotted deviations are clamped to +-10 tolerances */

/* Format a reason into buf and return -1. */
static int why_fail(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

const char *rg_state_name(enum rg_state s)
{
	static const char *const names[] = {"ok", "REGRESSED", "improved", "changed", "new",
					    "MISSING"};
	return names[s];
}

void rg_free(struct rg_set *set)
{
	free(set->items);
	memset(set, 0, sizeof(*set));
}

static struct rg_item *rg_add(struct rg_set *set)
{
	if (set->n == set->cap) {
		int cap = set->cap ? 2 * set->cap : 64;
		struct rg_item *p = realloc(set->items, (size_t)cap * sizeof(*p));
		if (!p)
			return NULL;
		set->items = p;
		set->cap = cap;
	}
	struct rg_item *it = &set->items[set->n++];
	memset(it, 0, sizeof(*it));
	it->ref = it->ref_sd = it->now = it->now_sd = NAN;
	return it;
}

int rg_copy(struct rg_set *dst, const struct rg_set *src)
{
	for (int i = 0; i < src->n; i++) {
		struct rg_item *it = rg_add(dst);
		if (!it)
			return -1;
		*it = src->items[i];
	}
	return 0;
}

static struct rg_item *rg_find(struct rg_set *set, const char *experiment, int is_claim,
			       const char *id)
{
	for (int i = 0; i < set->n; i++) {
		struct rg_item *it = &set->items[i];
		if (it->is_claim == is_claim && !strcmp(it->experiment, experiment) &&
		    !strcmp(it->id, id))
			return it;
	}
	return NULL;
}

static struct rg_item *new_item(struct rg_set *set, const struct sweep *s, int is_claim,
				const char *id)
{
	struct rg_item *it = rg_add(set);
	if (!it)
		return NULL;
	snprintf(it->experiment, sizeof(it->experiment), "%s", s->m->id);
	snprintf(it->family, sizeof(it->family), "%s",
		 s->m->nalgos ? s->m->algos[0]->family : "other");
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->is_claim = is_claim;
	it->in_manifest = 1;
	return it;
}

/* The first row's first two columns: value and (when present and numeric) sd. 1 with a
 * value, 0 with none (no row, NULL), -1 on an SQL error. */
static int query_value_sd(sqlite3 *db, const char *sql, double *value, double *sd, char *err,
			  size_t errlen)
{
	sqlite3_stmt *st = NULL;
	*value = *sd = NAN;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	int rc = sqlite3_step(st), have = 0;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*value = sqlite3_column_double(st, 0);
		have = isfinite(*value);
		if (sqlite3_column_count(st) > 1 && sqlite3_column_type(st, 1) != SQLITE_NULL)
			*sd = sqlite3_column_double(st, 1);
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		have = -1;
	}
	sqlite3_finalize(st);
	return have;
}

static int measure_claims(sqlite3 *db, const struct sweep *s, struct rg_set *set, char *err,
			  size_t errlen)
{
	struct out_claim res[MF_MAX_ITEMS];
	out_claims(db, s, res);
	for (int c = 0; c < s->m->nclaims; c++) {
		struct rg_item *it = new_item(set, s, 1, s->m->claims[c].id);
		if (!it) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		it->report_only = s->m->claims[c].regress_report_only;
		/* One word in the reference file: a known deviation is KNOWN-DEVIATION. */
		snprintf(it->now_verdict, sizeof(it->now_verdict), "%s",
			 out_claim_is_known_deviation(&res[c]) ? "KNOWN-DEVIATION"
								: out_verdict_name(res[c].verdict));
		it->now_fails = out_claim_fails(&res[c]);
		it->have_now = res[c].have_measured;
		if (it->have_now)
			it->now = res[c].measured;
	}
	return 0;
}

static int measure_metrics(sqlite3 *db, const struct sweep *s, struct rg_set *set, char *err,
			   size_t errlen)
{
	for (int r = 0; r < s->m->nregress; r++) {
		const struct mf_regress *mr = &s->m->regress[r];
		struct rg_item *it = new_item(set, s, 0, mr->id);
		char why[512];
		if (!it) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		it->tol_abs = mr->tol_abs;
		it->tol_rel = mr->tol_rel;
		it->tol_sd = mr->tol_sd;
		it->better = mr->better;
		int have = query_value_sd(db, mr->query, &it->now, &it->now_sd, why, sizeof(why));
		if (have < 0) {
			snprintf(err, errlen, "%s: regress.%s: %s", s->m->path, mr->id, why);
			return -1;
		}
		it->have_now = have;
	}
	return 0;
}

int rg_measure(sqlite3 *db, const struct sweep *s, struct rg_set *set, char *err, size_t errlen)
{
	if (store_scope(db, s, err, errlen) < 0)
		return -1;
	if (measure_claims(db, s, set, err, errlen) < 0)
		return -1;
	return measure_metrics(db, s, set, err, errlen);
}

/* ---- the reference files ---------------------------------------------------------------- */

static void clean_token(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < len; i++) {
		char ch = src[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '.' || ch == '_' || ch == '-';
		dst[i] = ok ? ch : '_';
	}
	dst[i] = '\0';
	if (!i)
		snprintf(dst, len, "unknown");
}

/* The git revision and host of the newest run of an experiment in the store. */
static void provenance(sqlite3 *db, const char *experiment, char *rev, char *host, size_t len)
{
	sqlite3_stmt *st = NULL;
	const char *a = NULL, *b = NULL;
	if (sqlite3_prepare_v2(db, "SELECT git_rev, host FROM main.runs WHERE experiment = ?"
			       " ORDER BY finished_at DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, experiment, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			a = (const char *)sqlite3_column_text(st, 0);
			b = (const char *)sqlite3_column_text(st, 1);
		}
	}
	clean_token(rev, len, a);
	clean_token(host, len, b);
	sqlite3_finalize(st);
}

static void put_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
}

static void put_item(FILE *f, const struct rg_item *it, const char *scale, const char *rev,
		     const char *host)
{
	fprintf(f, "%s,%s,%s,", it->is_claim ? "claim" : "metric", it->id, scale);
	if (it->have_now)
		put_number(f, it->now);
	fputc(',', f);
	if (it->have_now)
		put_number(f, it->now_sd);
	fprintf(f, ",%s,%s,%s\n", it->is_claim ? it->now_verdict : "", rev, host);
}

static int write_one(sqlite3 *db, const struct rg_set *set, int from, int to, const char *scale,
		     const char *refdir, char *err, size_t errlen)
{
	char rev[64], host[128], path[4096], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	provenance(db, set->items[from].experiment, rev, host, sizeof(rev));
	fprintf(f, RG_HEADER "\n");
	for (int i = from; i < to; i++)
		put_item(f, &set->items[i], scale, rev, host);
	fclose(f);
	int rc = rb_path_join(path, sizeof(path), refdir, set->items[from].experiment, err, errlen);
	if (rc == 0 && strlen(path) + 5 < sizeof(path))
		strcat(path, ".csv");
	if (rc == 0)
		rc = rb_write_file_atomic(path, buf, len, err, errlen);
	free(buf);
	return rc;
}

int rg_write_reference(sqlite3 *db, const struct rg_set *set, const char *scale, const char *refdir,
		       char *err, size_t errlen)
{
	/* The reference is what CI holds the code to: a claim that fails there (not a known
	 * deviation) would only be checked to keep failing. */
	for (int i = 0; i < set->n; i++) {
		const struct rg_item *it = &set->items[i];
		if (it->is_claim && it->now_fails) {
			snprintf(err, errlen, "%s/%s is %s at scale %s: a reference holds no failing claim "
				 "(fix it, mark it known_deviation, or give it judged_at)", it->experiment,
				 it->id, it->now_verdict, scale);
			return -1;
		}
	}
	if (rb_mkdirs(refdir, err, errlen) < 0)
		return -1;
	for (int from = 0; from < set->n;) {
		int to = from + 1;
		while (to < set->n && !strcmp(set->items[to].experiment, set->items[from].experiment))
			to++;
		if (write_one(db, set, from, to, scale, refdir, err, errlen) < 0)
			return -1;
		from = to;
	}
	return 0;
}

/* Split a line at commas into exactly RG_FIELDS fields (in place). */
static int split_fields(char *line, char **field)
{
	int n = 0;
	for (char *p = line;; p++) {
		if (n == RG_FIELDS)
			return -1;
		field[n++] = p;
		p += strcspn(p, ",");
		if (!*p)
			break;
		*p = '\0';
	}
	for (int i = 0; i < n; i++)
		if (strpbrk(field[i], "\"'"))
			return -1;
	return n == RG_FIELDS ? 0 : -1;
}

static int parse_number_field(const char *text, double *out)
{
	char *end;
	if (!*text) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	*out = strtod(text, &end);
	return (end == text || *end || errno == ERANGE || !isfinite(*out)) ? -1 : 0;
}

static int take_row(struct rg_set *set, const struct sweep *s, char **f, const char *scale,
		    char *why, size_t len)
{
	int is_claim = !strcmp(f[0], "claim");
	double value, sd;
	if (!is_claim && strcmp(f[0], "metric"))
		return why_fail(why, len, "kind '%s' is not claim or metric", f[0]);
	if (strcmp(f[2], scale))
		return why_fail(why, len, "the reference was made at scale '%s', not '%s' (use "
				"--scale %s, or regenerate it with make reference)", f[2], scale, f[2]);
	if (parse_number_field(f[3], &value) < 0 || parse_number_field(f[4], &sd) < 0)
		return why_fail(why, len, "value '%s' or sd '%s' is not a number", f[3], f[4]);
	struct rg_item *it = rg_find(set, s->m->id, is_claim, f[1]);
	if (!it && !(it = new_item(set, s, is_claim, f[1])))
		return why_fail(why, len, "out of memory");
	if (it->have_ref)
		return why_fail(why, len, "%s '%s' appears twice", f[0], f[1]);
	it->have_ref = 1;
	it->ref = value;
	it->ref_sd = sd;
	snprintf(it->ref_verdict, sizeof(it->ref_verdict), "%s", f[5]);
	return 0;
}

int rg_read_reference(struct rg_set *set, const struct sweep *s, const char *scale,
		      const char *refdir, char *err, size_t errlen)
{
	char path[4096], line[2048], why[512];
	snprintf(path, sizeof(path), "%s/%s.csv", refdir, s->m->id);
	int before = set->n;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *field[RG_FIELDS];
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			if (strcmp(line, RG_HEADER))
				rc = why_fail(err, errlen, "%s:1: expected the header '%s'", path, RG_HEADER);
			continue;
		}
		if (split_fields(line, field) < 0)
			rc = why_fail(err, errlen, "%s:%d: expected %d comma-separated fields without quotes",
				      path, lineno, RG_FIELDS);
		else if (take_row(set, s, field, scale, why, sizeof(why)) < 0)
			rc = why_fail(err, errlen, "%s:%d: %s", path, lineno, why);
	}
	if (rc == 0 && lineno == 0)
		rc = why_fail(err, errlen, "%s: empty file", path);
	fclose(f);
	for (int i = before; i < set->n; i++)
		set->items[i].in_manifest = 0;   /* appended from the file alone */
	return rc;
}

/* ---- comparison ------------------------------------------------------------------------- */

static double tolerance_of(const struct rg_item *it)
{
	double b = it->tol_abs;
	if (it->tol_rel * fabs(it->ref) > b)
		b = it->tol_rel * fabs(it->ref);
	if (isfinite(it->ref_sd) && it->tol_sd * it->ref_sd > b)
		b = it->tol_sd * it->ref_sd;
	return b;
}

static enum rg_state compare_claim(const struct rg_item *it)
{
	int was = !strcmp(it->ref_verdict, "PASS"), is = !strcmp(it->now_verdict, "PASS");
	if ((was && !is) || it->now_fails)
		return it->report_only ? RG_CHANGED : RG_REGRESSED;
	if (!was && is)
		return RG_IMPROVED;
	return strcmp(it->ref_verdict, it->now_verdict) ? RG_CHANGED : RG_OK;
}

static enum rg_state compare_metric(struct rg_item *it)
{
	if (!it->have_now)
		return RG_MISSING;
	if (!isfinite(it->ref))
		return RG_NEW;
	it->bound = tolerance_of(it);
	double d = it->now - it->ref;
	if (fabs(d) <= it->bound)
		return RG_OK;
	if ((it->better == MF_LOWER && d < 0) || (it->better == MF_HIGHER && d > 0))
		return RG_IMPROVED;
	return RG_REGRESSED;
}

int rg_compare(struct rg_set *set)
{
	int failed = 0;
	for (int i = 0; i < set->n; i++) {
		struct rg_item *it = &set->items[i];
		if (!it->in_manifest)
			it->state = RG_CHANGED;       /* no longer declared: regenerate the reference */
		else if (!it->have_ref)
			it->state = RG_NEW;
		else
			it->state = it->is_claim ? compare_claim(it) : compare_metric(it);
		failed += it->state == RG_REGRESSED || it->state == RG_MISSING;
	}
	return failed;
}

/* ---- output ----------------------------------------------------------------------------- */

static void fmt_value(char *buf, size_t len, int have, double v, const char *verdict)
{
	int n = have && isfinite(v) ? snprintf(buf, len, "%.6g", v) : 0;
	if (verdict && *verdict)
		snprintf(buf + n, len - (size_t)n, "%s%s", n ? " " : "", verdict);
	else if (!n)
		snprintf(buf, len, "-");
}

static void fmt_tolerance(char *buf, size_t len, const struct rg_item *it)
{
	if (it->is_claim) {
		snprintf(buf, len, it->report_only ? "verdict (report only)" : "verdict");
		return;
	}
	int n = snprintf(buf, len, "%s", it->better == MF_LOWER ? "lower better; " :
			 it->better == MF_HIGHER ? "higher better; " : "");
	if (it->tol_abs > 0)
		n += snprintf(buf + n, len - (size_t)n, "abs %g ", it->tol_abs);
	if (it->tol_rel > 0)
		n += snprintf(buf + n, len - (size_t)n, "rel %g ", it->tol_rel);
	if (it->tol_sd > 0)
		n += snprintf(buf + n, len - (size_t)n, "%g sd ", it->tol_sd);
	if (it->tol_abs == 0 && it->tol_rel == 0 && it->tol_sd == 0)
		n += snprintf(buf + n, len - (size_t)n, "exact ");
	if (it->have_ref && it->have_now && isfinite(it->ref))
		snprintf(buf + n, len - (size_t)n, "(+-%.3g)", it->bound);
}

void rg_print(FILE *out, const struct rg_set *set)
{
	fprintf(out, "| # | experiment | item | reference | now | tolerance | verdict |\n"
		"|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < set->n; i++) {
		const struct rg_item *it = &set->items[i];
		char ref[64], now[64], tol[128];
		fmt_value(ref, sizeof(ref), it->have_ref && isfinite(it->ref), it->ref,
			  it->is_claim ? it->ref_verdict : NULL);
		fmt_value(now, sizeof(now), it->have_now, it->now, it->is_claim ? it->now_verdict : NULL);
		fmt_tolerance(tol, sizeof(tol), it);
		fprintf(out, "| %d | %s | %s %s | %s | %s | %s | %s |\n", i + 1, it->experiment,
			it->is_claim ? "claim" : "metric", it->id, it->have_ref ? ref : "-", now, tol,
			rg_state_name(it->state));
	}
	for (int i = 0; i < set->n; i++) {
		const struct rg_item *it = &set->items[i];
		if (it->state == RG_MISSING)
			fprintf(out, "MISSING %s/%s: the runs no longer produce it (failed runs? see the "
				"report)\n", it->experiment, it->id);
		else if (it->state == RG_REGRESSED && it->is_claim)
			fprintf(out, "REGRESSED %s/claim %s: %s -> %s\n", it->experiment, it->id,
				it->ref_verdict, it->now_verdict);
		else if (it->state == RG_REGRESSED)
			fprintf(out, "REGRESSED %s/%s: %.6g -> %.6g (%+.3g, %+.1f%%), %.1f x the tolerance "
				"%.3g\n", it->experiment, it->id, it->ref, it->now, it->now - it->ref,
				it->ref != 0 ? 100 * (it->now - it->ref) / fabs(it->ref) : INFINITY,
				it->bound > 0 ? fabs(it->now - it->ref) / it->bound : INFINITY, it->bound);
	}
}

/* ---- the plot --------------------------------------------------------------------------- */

static double z_of(const struct rg_item *it)
{
	double d = it->now - it->ref, z;
	if (it->bound > 0)
		z = d / it->bound;
	else
		z = d == 0 ? 0 : copysign(RG_Z_CLAMP, d);
	return fmax(-RG_Z_CLAMP, fmin(RG_Z_CLAMP, z));
}

static int fill_plot_db(sqlite3 *pdb, const struct rg_set *set, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_exec(pdb, "CREATE TABLE d(family TEXT, idx INTEGER, z REAL)", 0, 0, 0) != SQLITE_OK ||
	    sqlite3_prepare_v2(pdb, "INSERT INTO d VALUES(?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "plot store: %s", sqlite3_errmsg(pdb));
		return -1;
	}
	for (int i = 0; i < set->n; i++) {
		const struct rg_item *it = &set->items[i];
		if (it->is_claim || !it->have_now || !it->have_ref || !isfinite(it->ref) || !it->in_manifest)
			continue;
		sqlite3_bind_text(st, 1, it->family, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, i + 1);
		sqlite3_bind_double(st, 3, z_of(it));
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return 0;
}

static int plot_family(sqlite3 *pdb, const char *family, const char *outdir, char *err,
		       size_t errlen)
{
	char query[1024], title[256];
	snprintf(query, sizeof(query),
		 "SELECT 'reference, tolerance band' AS series, idx AS x, 0.0 AS y, -1.0 AS lo, 1.0 AS hi"
		 " FROM d WHERE family = '%s' UNION ALL"
		 " SELECT 'now', idx, z, NULL, NULL FROM d WHERE family = '%s'", family, family);
	snprintf(title, sizeof(title), "Regression check, %s: deviation from the reference", family);
	struct plot_spec spec = {
		.id = family, .title = title, .xlabel = "key metric (# in the regress table)",
		.ylabel = "(now - reference) / tolerance, clamped to +-10", .query = query,
	};
	int rc = plot_render(pdb, &spec, outdir, err, errlen);
	return rc == PLOT_NO_DATA ? 0 : rc;
}

int rg_plot(const struct rg_set *set, const char *plots, char *err, size_t errlen)
{
	char outdir[4096];
	sqlite3 *pdb = NULL;
	if (rb_path_join(outdir, sizeof(outdir), plots, "regress", err, errlen) < 0)
		return -1;
	if (sqlite3_open(":memory:", &pdb) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open an in-memory database");
		sqlite3_close(pdb);
		return -1;
	}
	int rc = fill_plot_db(pdb, set, err, errlen);
	for (int i = 0; rc == 0 && i < set->n; i++) {
		int first = 1;
		for (int k = 0; k < i; k++)
			first &= strcmp(set->items[k].family, set->items[i].family) != 0;
		if (first)
			rc = plot_family(pdb, set->items[i].family, outdir, err, errlen);
	}
	sqlite3_close(pdb);
	return rc;
}
