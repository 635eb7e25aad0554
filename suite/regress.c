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
	snprintf(it->ref_rev, sizeof(it->ref_rev), "%s", f[6]);
	snprintf(it->ref_host, sizeof(it->ref_host), "%s", f[7]);
	return 0;
}

int rg_read_reference_stream(struct rg_set *set, const struct sweep *s, const char *scale,
			     FILE *f, const char *name, char *err, size_t errlen)
{
	char line[2048], why[512];
	int before = set->n, lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *field[RG_FIELDS];
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			if (strcmp(line, RG_HEADER))
				rc = why_fail(err, errlen, "%s:1: expected the header '%s'", name, RG_HEADER);
			continue;
		}
		if (split_fields(line, field) < 0)
			rc = why_fail(err, errlen, "%s:%d: expected %d comma-separated fields without quotes",
				      name, lineno, RG_FIELDS);
		else if (take_row(set, s, field, scale, why, sizeof(why)) < 0)
			rc = why_fail(err, errlen, "%s:%d: %s", name, lineno, why);
	}
	if (rc == 0 && lineno == 0)
		rc = why_fail(err, errlen, "%s: empty file", name);
	for (int i = before; i < set->n; i++)
		set->items[i].in_manifest = 0;   /* appended from the file alone */
	return rc;
}

int rg_read_reference(struct rg_set *set, const struct sweep *s, const char *scale,
		      const char *refdir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.csv", refdir, s->m->id);
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = rg_read_reference_stream(set, s, scale, f, path, err, errlen);
	fclose(f);
	return rc;
}

int rg_declare(const struct sweep *s, struct rg_set *set)
{
	for (int c = 0; c < s->m->nclaims; c++) {
		struct rg_item *it = new_item(set, s, 1, s->m->claims[c].id);
		if (!it)
			return -1;
		it->report_only = s->m->claims[c].regress_report_only;
	}
	for (int r = 0; r < s->m->nregress; r++) {
		const struct mf_regress *mr = &s->m->regress[r];
		struct rg_item *it = new_item(set, s, 0, mr->id);
		if (!it)
			return -1;
		it->tol_abs = mr->tol_abs;
		it->tol_rel = mr->tol_rel;
		it->tol_sd = mr->tol_sd;
		it->better = mr->better;
	}
	return 0;
}

/* ---- comparison ------------------------------------------------------------------------- */

double rg_tolerance(const struct rg_item *it)
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
	it->bound = rg_tolerance(it);
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

/* ---- worst first ------------------------------------------------------------------------ */

double rg_deviation(const struct rg_item *it)
{
	if (it->is_claim || !it->in_manifest || !it->have_now || !it->have_ref || !isfinite(it->ref) ||
	    !isfinite(it->now))
		return NAN;
	double d = it->now - it->ref;
	if (it->bound > 0)
		return d / it->bound;
	return d == 0 ? 0 : copysign(INFINITY, d);
}

int rg_outside(const struct rg_item *it)
{
	if (it->is_claim)
		return it->state == RG_REGRESSED || it->state == RG_CHANGED;
	if (it->state == RG_MISSING)
		return 1;
	double z = rg_deviation(it);
	return isfinite(z) ? fabs(z) > 1 : !isnan(z);
}

/* 0: failing, 1: changed, 2: compared (ok, improved), 3: nothing to compare with yet. */
static int state_class(const struct rg_item *it)
{
	switch (it->state) {
	case RG_REGRESSED:
	case RG_MISSING: return 0;
	case RG_CHANGED: return 1;
	case RG_NEW: return 3;
	default: return 2;
	}
}

/* How far the item moved toward worse, in tolerances: a lost claim or metric is the
 * worst there is; a metric with `better: either` is worse either way. */
static double toward_worse(const struct rg_item *it)
{
	if (it->state == RG_MISSING || (it->is_claim && it->state == RG_REGRESSED))
		return INFINITY;
	if (it->is_claim)
		return it->state == RG_CHANGED ? 1.5 : it->state == RG_IMPROVED ? -1.5 : 0;
	double z = rg_deviation(it);
	if (isnan(z))
		return -INFINITY;
	return it->better == MF_LOWER ? z : it->better == MF_HIGHER ? -z : fabs(z);
}

struct rank {
	int index, cls;
	double worse;
};

static int by_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->worse != y->worse)
		return x->worse > y->worse ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void rg_order(const struct rg_set *set, int *order)
{
	struct rank *r = malloc((size_t)(set->n ? set->n : 1) * sizeof(*r));
	for (int i = 0; i < set->n; i++) {
		order[i] = i;
		if (r)
			r[i] = (struct rank){i, state_class(&set->items[i]), toward_worse(&set->items[i])};
	}
	if (!r)
		return;   /* out of memory: the manifest order is still an order */
	qsort(r, (size_t)set->n, sizeof(*r), by_rank);
	for (int i = 0; i < set->n; i++)
		order[i] = r[i].index;
	free(r);
}

/* ---- the table -------------------------------------------------------------------------- */

/* Values are shown with 4 significant digits: enough to see a change of a tolerance, and
 * the reference files keep every digit. */
static void fmt_value(char *buf, size_t len, int have, double v, const char *verdict)
{
	int n = have && isfinite(v) ? snprintf(buf, len, "%.4g", v) : 0;
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

/* The change: in tolerances for a key metric, the verdicts for a claim. */
static void fmt_change(char *buf, size_t len, const struct rg_item *it)
{
	double z = rg_deviation(it);
	if (it->is_claim && it->have_ref && strcmp(it->ref_verdict, it->now_verdict))
		snprintf(buf, len, "%s -> %s", it->ref_verdict, it->now_verdict);
	else if (it->is_claim)
		snprintf(buf, len, it->have_ref ? "same verdict" : "-");
	else if (isinf(z))
		snprintf(buf, len, "%s (exact metric)", z > 0 ? "up" : "down");
	else if (isfinite(z))
		snprintf(buf, len, "%+.2f tol", z);
	else
		snprintf(buf, len, "-");
}

static void print_row(FILE *out, int rank, const struct rg_item *it)
{
	char ref[64], now[64], tol[128], change[64];
	fmt_value(ref, sizeof(ref), it->have_ref && isfinite(it->ref), it->ref,
		  it->is_claim ? it->ref_verdict : NULL);
	fmt_value(now, sizeof(now), it->have_now, it->now, it->is_claim ? it->now_verdict : NULL);
	fmt_tolerance(tol, sizeof(tol), it);
	fmt_change(change, sizeof(change), it);
	fprintf(out, "| %d | %s %s | %s | %s | %s | %s | %s | %s |\n", rank, it->is_claim ? "claim" :
		"metric", it->id, it->experiment, it->have_ref ? ref : "-", now, change, tol,
		rg_state_name(it->state));
}

static void print_failures(FILE *out, const struct rg_set *set, const int *order, const char *bullet)
{
	for (int k = 0; k < set->n; k++) {
		const struct rg_item *it = &set->items[order[k]];
		if (it->state == RG_MISSING)
			fprintf(out, "%sMISSING %s/%s: the runs no longer produce it (failed runs? see the "
				"report)\n", bullet, it->experiment, it->id);
		else if (it->state == RG_REGRESSED && it->is_claim)
			fprintf(out, "%sREGRESSED %s/claim %s: %s -> %s%s\n", bullet, it->experiment, it->id,
				it->ref_verdict, it->now_verdict, strcmp(it->ref_verdict, it->now_verdict) ? "" :
				" (a failure of the claims check now: not a known deviation)");
		else if (it->state == RG_REGRESSED)
			fprintf(out, "%sREGRESSED %s/%s: %.6g -> %.6g (%+.3g, %+.1f%%), %.1f x the tolerance "
				"%.3g\n", bullet, it->experiment, it->id, it->ref, it->now, it->now - it->ref,
				it->ref != 0 ? 100 * (it->now - it->ref) / fabs(it->ref) : INFINITY,
				it->bound > 0 ? fabs(it->now - it->ref) / it->bound : INFINITY, it->bound);
	}
}

static void print_table(FILE *out, const struct rg_set *set, const int *order)
{
	fprintf(out, "| # | item | experiment | reference | now | change | tolerance | verdict |\n"
		"|---|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < set->n; k++)
		print_row(out, k + 1, &set->items[order[k]]);
}

void rg_print(FILE *out, const struct rg_set *set)
{
	int *order = malloc((size_t)(set->n ? set->n : 1) * sizeof(int));
	if (!order) {
		fprintf(out, "regress: out of memory\n");
		return;
	}
	rg_order(set, order);
	print_table(out, set, order);
	print_failures(out, set, order, "");
	free(order);
}

struct counts {
	int n, regressed, improved, changed, missing, added, outside;
};

static struct counts count_states(const struct rg_set *set, const char *family)
{
	struct counts c = {0};
	for (int i = 0; i < set->n; i++) {
		const struct rg_item *it = &set->items[i];
		if (family && strcmp(it->family, family))
			continue;
		c.n++;
		c.regressed += it->state == RG_REGRESSED;
		c.improved += it->state == RG_IMPROVED;
		c.changed += it->state == RG_CHANGED;
		c.missing += it->state == RG_MISSING;
		c.added += it->state == RG_NEW;
		c.outside += rg_outside(it);
	}
	return c;
}

static void summary_text(char *buf, size_t len, const struct rg_set *set)
{
	struct counts c = count_states(set, NULL);
	snprintf(buf, len, "regress: %d items, %d regressed, %d improved, %d changed, %d missing, "
		 "%d new", c.n, c.regressed, c.improved, c.changed, c.missing, c.added);
}

void rg_summary(FILE *out, const struct rg_set *set)
{
	char line[256];
	summary_text(line, sizeof(line), set);
	fprintf(out, "%s\n", line);
}

/* ---- the figures ------------------------------------------------------------------------ */

/* Where a row's point goes on the x axis (tolerances; the band is [-1, 1]): metrics at
 * their deviation clamped to +-RG_Z_CLAMP, a MISSING metric at the clamp (it is drawn
 * as a failure, not left out), claims inside the band at 0 or just outside it at 1.5. */
static double plotted_x(const struct rg_item *it)
{
	if (it->state == RG_MISSING)
		return RG_Z_CLAMP;
	if (it->is_claim)
		return it->have_ref ? (rg_outside(it) ? 1.5 : 0) : NAN;
	double z = rg_deviation(it);
	return isnan(z) ? NAN : fmax(-RG_Z_CLAMP, fmin(RG_Z_CLAMP, z));
}

static void put_tsv_number(FILE *f, double v)
{
	if (isnan(v))
		fputs("\tNaN", f);
	else
		fprintf(f, "\t%.17g", v);
}

/* The text beside a row: both values with 4 significant digits, the change, and for a
 * key metric which way is better. */
static void values_text(char *buf, size_t len, const struct rg_item *it)
{
	char ref[64], now[64], change[64];
	fmt_value(ref, sizeof(ref), it->have_ref && isfinite(it->ref), it->ref,
		  it->is_claim ? it->ref_verdict : NULL);
	fmt_value(now, sizeof(now), it->have_now, it->now, it->is_claim ? it->now_verdict : NULL);
	fmt_change(change, sizeof(change), it);
	if (!it->in_manifest)
		snprintf(buf, len, "ref %s; no longer in the manifest", ref);
	else if (it->state == RG_MISSING)
		snprintf(buf, len, "ref %s  now: none (MISSING)", ref);
	else if (!it->have_ref)
		snprintf(buf, len, "now %s (no reference yet)", now);
	else if (it->is_claim)
		snprintf(buf, len, "ref %s  now %s%s", ref, now, it->now_fails && !it->report_only ?
			 " (fails the claims check)" : "");
	else
		snprintf(buf, len, "ref %s  now %s  (%s%s)", ref, now, change,
			 it->better == MF_LOWER ? ", lower better" : it->better == MF_HIGHER ?
			 ", higher better" : "");
}

/* One row of the data file; label_max and values_max grow to the longest texts. */
static void put_dat_row(FILE *f, int row, const struct rg_item *it, int with_family,
			size_t *label_max, size_t *values_max)
{
	char text[256], label[400];
	values_text(text, sizeof(text), it);
	snprintf(label, sizeof(label), "%s%s%s / %s%s", with_family ? it->family : "",
		 with_family ? ": " : "", it->experiment, it->is_claim ? "claim " : "", it->id);
	*label_max = strlen(label) > *label_max ? strlen(label) : *label_max;
	*values_max = strlen(text) > *values_max ? strlen(text) : *values_max;
	fprintf(f, "%d\t%s\t%s\t%s\t%s", row, it->family, it->experiment,
		it->is_claim ? "claim" : "metric", it->id);
	put_tsv_number(f, it->have_ref ? it->ref : NAN);
	put_tsv_number(f, it->have_now ? it->now : NAN);
	put_tsv_number(f, it->is_claim || !it->have_ref ? NAN : it->bound);
	put_tsv_number(f, rg_deviation(it));
	put_tsv_number(f, plotted_x(it));
	fprintf(f, "\t%d\t%s\t%s\t%s\n", rg_outside(it), rg_state_name(it->state), label, text);
}

/* Write the data file of the rows order[0..n) and draw it. */
static int draw_rows(const struct rg_set *set, const int *order, int n, const char *outdir,
		     const char *id, const char *title, int with_family, char *err, size_t errlen)
{
	char path[4096], rows[16], xmax[32], lchars[16], vchars[16], *buf = NULL;
	size_t len = 0, label_max = 10, values_max = 10;
	double reach = 2;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return why_fail(err, errlen, "out of memory");
	fprintf(f, "%s\n", RG_DAT_HEADER);
	for (int k = 0; k < n; k++) {
		const struct rg_item *it = &set->items[order[k]];
		double x = plotted_x(it);
		if (isfinite(x))
			reach = fmax(reach, fabs(x));
		put_dat_row(f, k + 1, it, with_family, &label_max, &values_max);
	}
	fclose(f);
	int rc = snprintf(path, sizeof(path), "%s/%s.dat", outdir, id) >= (int)sizeof(path) ?
		 why_fail(err, errlen, "path too long: %s", outdir) : 0;
	if (rc == 0)
		rc = rb_mkdirs(outdir, err, errlen);
	if (rc == 0)
		rc = rb_write_file_atomic(path, buf, len, err, errlen);
	free(buf);
	snprintf(rows, sizeof(rows), "%d", n);
	snprintf(xmax, sizeof(xmax), "%g", 1.1 * reach);
	snprintf(lchars, sizeof(lchars), "%zu", label_max);
	snprintf(vchars, sizeof(vchars), "%zu", values_max);
	const char *vars[] = {"rb_title", title, "rb_rows", rows, "rb_xmax", xmax, "rb_label_chars",
			      lchars, "rb_values_chars", vchars, NULL};
	if (rc == 0)
		rc = plot_render_template("regress", path, vars, outdir, id, err, errlen);
	return rc;
}

static int plot_one_family(const struct rg_set *set, const int *order, const char *family,
			   const char *outdir, char *err, size_t errlen)
{
	int *rows = malloc((size_t)set->n * sizeof(int)), n = 0;
	char title[256];
	if (!rows)
		return why_fail(err, errlen, "out of memory");
	for (int k = 0; k < set->n; k++)
		if (!strcmp(set->items[order[k]].family, family))
			rows[n++] = order[k];
	struct counts c = count_states(set, family);
	snprintf(title, sizeof(title), "Regression check, %s: %d items, %d regressed, %d outside "
		 "their band (worst first)", family, c.n, c.regressed + c.missing, c.outside);
	int rc = draw_rows(set, rows, n, outdir, family, title, 0, err, errlen);
	free(rows);
	return rc;
}

/* Every failing item, and each family's worst few; families in the order of their worst. */
static int plot_overview(const struct rg_set *set, const int *order, const char *outdir,
			 char *err, size_t errlen)
{
	int *rows = malloc((size_t)set->n * sizeof(int)), n = 0;
	char title[320], line[256];
	if (!rows)
		return why_fail(err, errlen, "out of memory");
	for (int k = 0; k < set->n; k++) {
		const struct rg_item *lead = &set->items[order[k]];
		int first = 1;
		for (int j = 0; j < k; j++)
			first &= strcmp(set->items[order[j]].family, lead->family) != 0;
		for (int j = k, shown = 0; first && j < set->n; j++) {
			const struct rg_item *it = &set->items[order[j]];
			if (strcmp(it->family, lead->family) ||
			    (shown >= RG_OVERVIEW_ROWS && state_class(it) != 0))
				continue;
			rows[n++] = order[j];
			shown++;
		}
	}
	summary_text(line, sizeof(line), set);
	snprintf(title, sizeof(title), "%s: every family's worst (all families, worst first)", line);
	int rc = draw_rows(set, rows, n, outdir, "overview", title, 1, err, errlen);
	free(rows);
	return rc;
}

int rg_plot(const struct rg_set *set, const char *plots, char *err, size_t errlen)
{
	char outdir[4096];
	if (!set->n)
		return 0;
	if (rb_path_join(outdir, sizeof(outdir), plots, "regress", err, errlen) < 0)
		return -1;
	int *order = malloc((size_t)set->n * sizeof(int));
	if (!order)
		return why_fail(err, errlen, "out of memory");
	rg_order(set, order);
	int rc = 0;
	for (int i = 0; rc == 0 && i < set->n; i++) {
		int first = 1;
		for (int k = 0; k < i; k++)
			first &= strcmp(set->items[k].family, set->items[i].family) != 0;
		if (first)
			rc = plot_one_family(set, order, set->items[i].family, outdir, err, errlen);
	}
	if (rc == 0)
		rc = plot_overview(set, order, outdir, err, errlen);
	free(order);
	return rc;
}

/* ---- REGRESS.md ------------------------------------------------------------------------- */

/* target as a path relative to the folder `from` (both made absolute first), so that the
 * page shows its figures wherever the checkout is served from; target itself when either
 * cannot be resolved. */
static void relative_path(char *buf, size_t len, const char *from, const char *target)
{
	char a[4096], b[4096];
	if (!realpath(from, a) || !realpath(target, b)) {
		snprintf(buf, len, "%s", target);
		return;
	}
	/* The longest common prefix that ends at a folder boundary. */
	size_t common = 0;
	while (a[common] && a[common] == b[common])
		common++;
	if (!(a[common] == '\0' && (b[common] == '/' || b[common] == '\0')))
		while (common > 0 && a[common] != '/')
			common--;
	int n = 0;
	for (const char *p = a + common; *p && n < (int)len; p++)
		if (*p == '/')
			n += snprintf(buf + n, len - (size_t)n, "../");
	const char *rest = b + common + (b[common] == '/');
	if (*rest || n == 0)
		snprintf(buf + n, len - (size_t)n, "%s", *rest ? rest : ".");
	else
		buf[n - 1] = '\0';   /* "../.." rather than "../../" */
}

static void md_figure(FILE *f, const char *alt, const char *dir, const char *stem)
{
	fprintf(f, "![%s](%s/%s.png)\n\n", alt, dir, stem);
}

int rg_write_markdown(const struct rg_set *set, const char *path, const char *plots, char *err,
		      size_t errlen)
{
	char folder[4096], figures[4096], rel[4096], line[256], *buf = NULL;
	size_t len = 0;
	snprintf(folder, sizeof(folder), "%s", path);
	char *slash = strrchr(folder, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(folder, sizeof(folder), ".");
	if (rb_mkdirs(folder, err, errlen) < 0 ||
	    rb_path_join(figures, sizeof(figures), plots, "regress", err, errlen) < 0)
		return -1;
	relative_path(rel, sizeof(rel), folder, figures);
	int *order = malloc((size_t)(set->n ? set->n : 1) * sizeof(int));
	FILE *f = order ? open_memstream(&buf, &len) : NULL;
	if (!f) {
		free(order);
		return why_fail(err, errlen, "out of memory");
	}
	rg_order(set, order);
	summary_text(line, sizeof(line), set);
	fprintf(f, "# Regression check\n\n**%s**\n\n", line);
	md_figure(f, "every family's worst deviations", rel, "overview");
	fprintf(f, "Each row is a key metric or a claim, worst first. A key metric's point is its "
		"change from the reference in units of its tolerance (the band is [-1, 1]); a "
		"claim's band is its verdict: inside when it PASSes or keeps the reference's "
		"verdict. Red triangles are regressions, green diamonds other moves outside the "
		"band.\n\n");
	print_table(f, set, order);
	fputc('\n', f);
	print_failures(f, set, order, "- ");
	fprintf(f, "\n## Per family\n\n");
	for (int i = 0; i < set->n; i++) {
		int first = 1;
		for (int k = 0; k < i; k++)
			first &= strcmp(set->items[k].family, set->items[i].family) != 0;
		if (!first)
			continue;
		fprintf(f, "### %s\n\n", set->items[i].family);
		md_figure(f, set->items[i].family, rel, set->items[i].family);
	}
	fclose(f);
	free(order);
	int rc = rb_write_file_atomic(path, buf, len, err, errlen);
	free(buf);
	return rc;
}
