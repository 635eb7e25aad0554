/*
 * manifest: load an experiment manifest and check all of it before anything runs.
 * The schema is documented in experiments/README.md; keep the two in step.
 */
#include "suite/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/catalog.h"
#include "suite/plot.h"

/* Harness-level parameter every algorithm accepts: the run's thread count. */
const struct rb_param_spec mf_threads_spec = {
	"threads", RB_INT, "1", 1, 4096, NULL, "threads for the run (OpenMP and OpenBLAS)"};

static const char *const scale_names[MF_SCALES] = {"smoke", "quick", "full"};

const char *mf_scale_name(enum mf_scale s)
{
	return (s >= 0 && s < MF_SCALES) ? scale_names[s] : "?";
}

int mf_scale_parse(const char *name)
{
	for (int s = 0; s < MF_SCALES; s++)
		if (!strcmp(name, scale_names[s]))
			return s;
	return -1;
}

/* ---- node helpers ---------------------------------------------------------------- */

static yaml_node_t *node_at(const struct manifest *m, int index)
{
	return yaml_document_get_node((yaml_document_t *)&m->doc, index);
}

int mf_len(const yaml_node_t *n)
{
	if (!n)
		return 0;
	if (n->type == YAML_SEQUENCE_NODE)
		return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	return 1;
}

const yaml_node_t *mf_item(const struct manifest *m, const yaml_node_t *seq, int i)
{
	return node_at(m, seq->data.sequence.items.start[i]);
}

static const yaml_node_t *pair_key(const struct manifest *m, const yaml_node_t *map, int i)
{
	return node_at(m, map->data.mapping.pairs.start[i].key);
}

static const yaml_node_t *pair_value(const struct manifest *m, const yaml_node_t *map, int i)
{
	return node_at(m, map->data.mapping.pairs.start[i].value);
}

const char *mf_scalar(const yaml_node_t *n)
{
	return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

const yaml_node_t *mf_map_get(const struct manifest *m, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (int i = 0; i < mf_len(map); i++) {
		const char *k = mf_scalar(pair_key(m, map, i));
		if (k && !strcmp(k, key))
			return pair_value(m, map, i);
	}
	return NULL;
}

int mf_is_scale_map(const struct manifest *m, const yaml_node_t *n)
{
	if (!n || n->type != YAML_MAPPING_NODE || mf_len(n) == 0)
		return 0;
	for (int i = 0; i < mf_len(n); i++) {
		const char *k = mf_scalar(pair_key(m, n, i));
		if (!k || mf_scale_parse(k) < 0)
			return 0;
	}
	return 1;
}

const yaml_node_t *mf_at_scale(const struct manifest *m, const yaml_node_t *n, enum mf_scale s)
{
	if (!mf_is_scale_map(m, n))
		return n;
	return mf_map_get(m, n, mf_scale_name(s));
}

void mf_where(const struct manifest *m, const yaml_node_t *n, char *buf, size_t len)
{
	if (!n) {
		snprintf(buf, len, "%s:1:1: ", m->path);
		return;
	}
	snprintf(buf, len, "%s:%zu:%zu: ", m->path, n->start_mark.line + 1, n->start_mark.column + 1);
}

/* ---- error reporting ------------------------------------------------------------- */

struct ctx {
	struct manifest *m;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char where[1200], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mf_where(c->m, n, where, sizeof(where));
	snprintf(c->err, c->errlen, "%s%s: %s", where, key, msg);
	/* An error is one line: a quoted multi-line scalar is folded onto it (found by
	 * tests/fuzz/fuzz_manifest). */
	for (char *p = c->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return -1;
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static int expect_type(struct ctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *key)
{
	static const char *const want[] = {
		[YAML_SCALAR_NODE] = "a scalar", [YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping"};
	if (n->type == t)
		return 0;
	return fail(c, n, key, "expected %s, got %s", want[t], node_kind(n));
}

static int is_identifier(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return 0;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

/* A string field: scalar, non-empty when required. */
static int get_string(struct ctx *c, const yaml_node_t *map, const char *key, const char *path,
		      int required, const char **out)
{
	const yaml_node_t *n = mf_map_get(c->m, map, key);
	*out = NULL;
	if (!n) {
		if (required)
			return fail(c, map, path, "missing required key '%s'", key);
		return 0;
	}
	if (expect_type(c, n, YAML_SCALAR_NODE, path) < 0)
		return -1;
	if (required && !*mf_scalar(n))
		return fail(c, n, path, "must not be empty");
	*out = mf_scalar(n);
	return 0;
}

static int get_identifier(struct ctx *c, const yaml_node_t *map, const char *key, const char *path,
			  const char **out)
{
	if (get_string(c, map, key, path, 1, out) < 0)
		return -1;
	if (!is_identifier(*out))
		return fail(c, mf_map_get(c->m, map, key), path,
			    "'%s' is not an identifier (lower-case letters, digits, '_')", *out);
	return 0;
}

/* Every key of a mapping must be one of `allowed` (NULL-terminated), and no key twice:
 * libyaml keeps duplicates, which would silently shadow each other. */
static int check_keys(struct ctx *c, const yaml_node_t *map, const char *const *allowed,
		      const char *path)
{
	for (int i = 0; i < mf_len(map); i++) {
		const yaml_node_t *kn = pair_key(c->m, map, i);
		const char *k = mf_scalar(kn);
		if (!k)
			return fail(c, kn, path, "keys must be plain scalars");
		for (int j = 0; j < i; j++)
			if (!strcmp(k, mf_scalar(pair_key(c->m, map, j))))
				return fail(c, kn, path, "duplicate key '%s'", k);
		if (!allowed)
			continue;
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			ok |= !strcmp(*a, k);
		if (!ok) {
			char list[512] = "";
			for (const char *const *a = allowed; *a; a++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 a == allowed ? "" : ", ", *a);
			return fail(c, kn, path, "unknown key '%s' (expected one of: %s)", k, list);
		}
	}
	return 0;
}

/* ---- values at every scale --------------------------------------------------------- */

typedef int (*leaf_fn)(struct ctx *c, const yaml_node_t *leaf, const char *path, void *arg);

/* Walk the leaves of a value: a scalar, a list of scalars (a sweep axis, when
 * allow_list), or a {smoke, quick, full} map of those. Every scale must be given. */
static int walk_value(struct ctx *c, const yaml_node_t *n, const char *path, int allow_list,
		      leaf_fn fn, void *arg)
{
	if (n->type == YAML_MAPPING_NODE) {
		static const char *const scales[] = {"smoke", "quick", "full", NULL};
		if (check_keys(c, n, scales, path) < 0)
			return -1;
		for (int s = 0; s < MF_SCALES; s++) {
			const yaml_node_t *v = mf_map_get(c->m, n, mf_scale_name(s));
			if (!v)
				return fail(c, n, path, "scale map has no '%s' value", mf_scale_name(s));
			if (v->type == YAML_MAPPING_NODE)
				return fail(c, v, path, "a scale's value must be a scalar or a list");
			if (walk_value(c, v, path, allow_list, fn, arg) < 0)
				return -1;
		}
		return 0;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		if (!allow_list)
			return fail(c, n, path, "a list is not allowed here (no sweep over this key)");
		if (mf_len(n) == 0)
			return fail(c, n, path, "an empty list sweeps over nothing");
		for (int i = 0; i < mf_len(n); i++) {
			const yaml_node_t *v = mf_item(c->m, n, i);
			if (expect_type(c, v, YAML_SCALAR_NODE, path) < 0)
				return -1;
			if (fn(c, v, path, arg) < 0)
				return -1;
		}
		return 0;
	}
	return fn(c, n, path, arg);
}

static int leaf_param(struct ctx *c, const yaml_node_t *leaf, const char *path, void *arg)
{
	const struct rb_param_spec *spec = arg;
	struct rb_value v;
	char why[256];
	if (rb_value_parse(spec, mf_scalar(leaf), &v, why, sizeof(why)) < 0)
		return fail(c, leaf, path, "%s", why);
	return 0;
}

static int leaf_seed(struct ctx *c, const yaml_node_t *leaf, const char *path, void *arg)
{
	(void)arg;
	static const struct rb_param_spec spec = {"seeds", RB_INT, "1", 1, 1e9, NULL, ""};
	return leaf_param(c, leaf, path, (void *)&spec);
}

static int leaf_timeout(struct ctx *c, const yaml_node_t *leaf, const char *path, void *arg)
{
	(void)arg;
	static const struct rb_param_spec spec = {"timeout_s", RB_REAL, "600", 0.001, 1e7, NULL, ""};
	return leaf_param(c, leaf, path, (void *)&spec);
}

/* ---- sections ---------------------------------------------------------------------- */

static int load_paper(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *p = mf_map_get(c->m, root, "paper");
	static const char *const keys[] = {"title", "arxiv", "venue", NULL};
	if (!p)
		return 0;
	if (expect_type(c, p, YAML_MAPPING_NODE, "paper") < 0 || check_keys(c, p, keys, "paper") < 0)
		return -1;
	if (get_string(c, p, "title", "paper.title", 0, &c->m->paper_title) < 0 ||
	    get_string(c, p, "arxiv", "paper.arxiv", 0, &c->m->paper_arxiv) < 0)
		return -1;
	return get_string(c, p, "venue", "paper.venue", 0, &c->m->paper_venue);
}

static int load_algorithms(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "algorithms");
	if (!n)
		return fail(c, root, "algorithms", "missing required key 'algorithms'");
	if (n->type == YAML_SCALAR_NODE) {
		c->m->algos[0] = rb_registry_find(mf_scalar(n));
		c->m->nalgos = 1;
		if (!c->m->algos[0])
			return fail(c, n, "algorithms", "unknown algorithm '%s' (see relaxbench list)",
				    mf_scalar(n));
		return 0;
	}
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "algorithms") < 0)
		return -1;
	if (mf_len(n) == 0 || mf_len(n) > MF_MAX_ALGOS)
		return fail(c, n, "algorithms", "expected 1 to %d algorithms", MF_MAX_ALGOS);
	for (int i = 0; i < mf_len(n); i++) {
		const yaml_node_t *a = mf_item(c->m, n, i);
		if (expect_type(c, a, YAML_SCALAR_NODE, "algorithms") < 0)
			return -1;
		const struct rb_algorithm *alg = rb_registry_find(mf_scalar(a));
		if (!alg)
			return fail(c, a, "algorithms", "unknown algorithm '%s' (see relaxbench list)",
				    mf_scalar(a));
		for (int j = 0; j < i; j++)
			if (c->m->algos[j] == alg)
				return fail(c, a, "algorithms", "'%s' is listed twice", alg->name);
		c->m->algos[c->m->nalgos++] = alg;
	}
	return 0;
}

/* A dataset's parameters: every key in its table, values scalars or scale maps. */
static int check_dataset_params(struct ctx *c, const struct catalog_entry *e, const yaml_node_t *params,
				const char *where)
{
	if (!params)
		return 0;
	if (expect_type(c, params, YAML_MAPPING_NODE, where) < 0 || check_keys(c, params, NULL, where) < 0)
		return -1;
	for (int i = 0; i < mf_len(params); i++) {
		const char *k = mf_scalar(pair_key(c->m, params, i));
		const struct rb_param_spec *spec = rb_spec_find(e->params, k);
		char path[160];
		snprintf(path, sizeof(path), "%s.%s", where, k);
		if (!spec)
			return fail(c, pair_key(c->m, params, i), path, "dataset '%s' has no parameter '%s'",
				    e->name, k);
		if (walk_value(c, pair_value(c->m, params, i), path, 0, leaf_param, (void *)spec) < 0)
			return -1;
	}
	return 0;
}

static const struct catalog_entry *dataset_entry(struct ctx *c, const yaml_node_t *map, const char *key,
						 const char **name)
{
	char path[64];
	snprintf(path, sizeof(path), "dataset.%s", key);
	if (get_identifier(c, map, key, path, name) < 0)
		return NULL;
	const struct catalog_entry *e = catalog_find(*name);
	if (!e)
		fail(c, mf_map_get(c->m, map, key), path, "unknown dataset '%s' (see relaxbench datasets)",
		     *name);
	return e;
}

static int load_one_dataset(struct ctx *c, const yaml_node_t *n, struct mf_dataset *d)
{
	static const char *const keys[] = {"name", "params", "fallback", "fallback_params", NULL};
	if (expect_type(c, n, YAML_MAPPING_NODE, "dataset") < 0 || check_keys(c, n, keys, "dataset") < 0)
		return -1;
	const struct catalog_entry *e = dataset_entry(c, n, "name", &d->name);
	if (!e)
		return -1;
	d->node = n;
	d->params = mf_map_get(c->m, n, "params");
	if (check_dataset_params(c, e, d->params, "dataset.params") < 0)
		return -1;
	/* The stand-in: the manifest's choice, else the catalog's. */
	d->fallback = e->fallback;
	if (mf_map_get(c->m, n, "fallback")) {
		const struct catalog_entry *f = dataset_entry(c, n, "fallback", &d->fallback);
		if (!f)
			return -1;
		if (catalog_is_file(f))
			return fail(c, mf_map_get(c->m, n, "fallback"), "dataset.fallback",
				    "'%s' is not a generator", d->fallback);
	}
	d->fallback_params = mf_map_get(c->m, n, "fallback_params");
	if (d->fallback_params && !d->fallback)
		return fail(c, d->fallback_params, "dataset.fallback_params", "'%s' has no fallback", d->name);
	return d->fallback ? check_dataset_params(c, catalog_find(d->fallback), d->fallback_params,
						  "dataset.fallback_params")
			   : 0;
}

static int load_datasets(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "dataset");
	if (!n)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		c->m->ndatasets = 1;
		return load_one_dataset(c, n, &c->m->datasets[0]);
	}
	if (mf_len(n) == 0 || mf_len(n) > MF_MAX_DATASETS)
		return fail(c, n, "dataset", "expected 1 to %d datasets", MF_MAX_DATASETS);
	for (int i = 0; i < mf_len(n); i++)
		if (load_one_dataset(c, mf_item(c->m, n, i), &c->m->datasets[c->m->ndatasets++]) < 0)
			return -1;
	return 0;
}

/* A parameter applies to an algorithm that declares it; `threads` applies to all. */
static const struct rb_param_spec *spec_for(const struct rb_algorithm *a, const char *name)
{
	if (!strcmp(name, "threads"))
		return &mf_threads_spec;
	return rb_spec_find(a->params, name);
}

static int check_param_for_all(struct ctx *c, const yaml_node_t *kn, const yaml_node_t *vn)
{
	const char *k = mf_scalar(kn);
	char path[160];
	snprintf(path, sizeof(path), "params.%s", k);
	int declared = 0;
	for (int a = 0; a < c->m->nalgos; a++) {
		const struct rb_param_spec *spec = spec_for(c->m->algos[a], k);
		if (!spec)
			continue;
		declared = 1;
		if (walk_value(c, vn, path, 1, leaf_param, (void *)spec) < 0)
			return -1;
	}
	if (!declared)
		return fail(c, kn, path, "no algorithm of this experiment takes a parameter '%s' "
			    "(see relaxbench describe ALGO)", k);
	return 0;
}

static int check_only(struct ctx *c, const yaml_node_t *only)
{
	if (expect_type(c, only, YAML_MAPPING_NODE, "params.only") < 0 ||
	    check_keys(c, only, NULL, "params.only") < 0)
		return -1;
	for (int i = 0; i < mf_len(only); i++) {
		const yaml_node_t *an = pair_key(c->m, only, i), *map = pair_value(c->m, only, i);
		const struct rb_algorithm *alg = NULL;
		for (int a = 0; a < c->m->nalgos; a++)
			if (!strcmp(c->m->algos[a]->name, mf_scalar(an)))
				alg = c->m->algos[a];
		if (!alg)
			return fail(c, an, "params.only", "'%s' is not among this experiment's algorithms",
				    mf_scalar(an));
		if (expect_type(c, map, YAML_MAPPING_NODE, "params.only") < 0 ||
		    check_keys(c, map, NULL, "params.only") < 0)
			return -1;
		for (int j = 0; j < mf_len(map); j++) {
			const char *k = mf_scalar(pair_key(c->m, map, j));
			char path[200];
			snprintf(path, sizeof(path), "params.only.%s.%s", alg->name, k);
			const struct rb_param_spec *spec = spec_for(alg, k);
			if (!spec)
				return fail(c, pair_key(c->m, map, j), path, "'%s' has no parameter '%s'",
					    alg->name, k);
			if (walk_value(c, pair_value(c->m, map, j), path, 1, leaf_param, (void *)spec) < 0)
				return -1;
		}
	}
	return 0;
}

static int load_params(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *p = mf_map_get(c->m, root, "params");
	if (!p)
		return 0;
	if (expect_type(c, p, YAML_MAPPING_NODE, "params") < 0 || check_keys(c, p, NULL, "params") < 0)
		return -1;
	c->m->params = p;
	for (int i = 0; i < mf_len(p); i++) {
		const yaml_node_t *kn = pair_key(c->m, p, i), *vn = pair_value(c->m, p, i);
		if (!strcmp(mf_scalar(kn), "only")) {
			c->m->only = vn;
			if (check_only(c, vn) < 0)
				return -1;
			continue;
		}
		if (check_param_for_all(c, kn, vn) < 0)
			return -1;
	}
	return 0;
}

static int load_seeds_timeout(struct ctx *c, const yaml_node_t *root)
{
	c->m->seeds = mf_map_get(c->m, root, "seeds");
	if (c->m->seeds && walk_value(c, c->m->seeds, "seeds", 1, leaf_seed, NULL) < 0)
		return -1;
	c->m->timeout = mf_map_get(c->m, root, "timeout_s");
	if (c->m->timeout && walk_value(c, c->m->timeout, "timeout_s", 0, leaf_timeout, NULL) < 0)
		return -1;
	return 0;
}

static int load_metrics(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "metrics");
	if (!n)
		return 0;
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "metrics") < 0)
		return -1;
	if (mf_len(n) > MF_MAX_ITEMS)
		return fail(c, n, "metrics", "at most %d metrics", MF_MAX_ITEMS);
	for (int i = 0; i < mf_len(n); i++) {
		const yaml_node_t *v = mf_item(c->m, n, i);
		if (expect_type(c, v, YAML_SCALAR_NODE, "metrics") < 0)
			return -1;
		if (!is_identifier(mf_scalar(v)))
			return fail(c, v, "metrics", "'%s' is not an identifier", mf_scalar(v));
		c->m->metrics[c->m->nmetrics++] = mf_scalar(v);
	}
	return 0;
}

/* Ids of plots, tables and claims become file names and report anchors. */
static int unique_id(struct ctx *c, const yaml_node_t *item, const char *path, const char *id,
		     const char *const *seen, int nseen)
{
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], id))
			return fail(c, mf_map_get(c->m, item, "id"), path, "duplicate id '%s'", id);
	return 0;
}

static int load_logscale(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	const char *ls;
	if (get_string(c, item, "logscale", "plots.logscale", 0, &ls) < 0)
		return -1;
	if (!ls || !*ls)
		return 0;
	if (strcmp(ls, "x") && strcmp(ls, "y") && strcmp(ls, "xy"))
		return fail(c, mf_map_get(c->m, item, "logscale"), "plots.logscale",
			    "expected x, y or xy, got '%s'", ls);
	p->logx = strchr(ls, 'x') != NULL;
	p->logy = strchr(ls, 'y') != NULL;
	return 0;
}

static int load_series(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	const yaml_node_t *s = mf_map_get(c->m, item, "series");
	if (!s)
		return 0;
	if (s->type == YAML_SCALAR_NODE) {
		p->series[p->nseries++] = mf_scalar(s);
		return 0;
	}
	if (expect_type(c, s, YAML_SEQUENCE_NODE, "plots.series") < 0)
		return -1;
	if (mf_len(s) > 8)
		return fail(c, s, "plots.series", "at most 8 series keys");
	for (int i = 0; i < mf_len(s); i++) {
		const yaml_node_t *v = mf_item(c->m, s, i);
		if (expect_type(c, v, YAML_SCALAR_NODE, "plots.series") < 0)
			return -1;
		if (!is_identifier(mf_scalar(v)))
			return fail(c, v, "plots.series", "'%s' is not a column name", mf_scalar(v));
		p->series[p->nseries++] = mf_scalar(v);
	}
	return 0;
}

/* `headline: true|false` (the report's check that a family has at most one is in report.c,
 * since a family spans manifests). */
static int load_headline(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	const char *h;
	if (get_string(c, item, "headline", "plots.headline", 0, &h) < 0)
		return -1;
	if (h && strcmp(h, "true") && strcmp(h, "false"))
		return fail(c, mf_map_get(c->m, item, "headline"), "plots.headline",
			    "expected true or false, got '%s'", h);
	p->headline = h && !strcmp(h, "true");
	return 0;
}

/* range: [lo, hi], each a number or null (open); lo < hi. */
static int load_range(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	const yaml_node_t *r = mf_map_get(c->m, item, "range");
	p->ymin = -INFINITY;
	p->ymax = INFINITY;
	if (!r)
		return 0;
	if (expect_type(c, r, YAML_SEQUENCE_NODE, "plots.range") < 0)
		return -1;
	if (mf_len(r) != 2)
		return fail(c, r, "plots.range", "expected [low, high] (null for an open end)");
	double *dst[] = {&p->ymin, &p->ymax};
	for (int i = 0; i < 2; i++) {
		const yaml_node_t *v = mf_item(c->m, r, i);
		if (expect_type(c, v, YAML_SCALAR_NODE, "plots.range") < 0)
			return -1;
		const char *txt = mf_scalar(v);
		if (!strcmp(txt, "null") || !strcmp(txt, "~") || !*txt)
			continue;
		char *end = NULL;
		double x = strtod(txt, &end);
		if (end == txt || *end || !isfinite(x))
			return fail(c, v, "plots.range", "'%s' is not a number or null", txt);
		*dst[i] = x;
	}
	if (!(p->ymin < p->ymax))
		return fail(c, r, "plots.range", "the low end must be below the high end");
	p->range_given = 1;
	return 0;
}

/* xunit, yunit, range, band: what a reader needs to trust the figure. */
static int load_plot_reading(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	const char *band = NULL;
	if (get_string(c, item, "xunit", "plots.xunit", 0, &p->xunit) < 0 ||
	    get_string(c, item, "yunit", "plots.yunit", 0, &p->yunit) < 0 ||
	    get_string(c, item, "band", "plots.band", 0, &band) < 0)
		return -1;
	const char *unit[] = {p->xunit, p->yunit}, *key[] = {"xunit", "yunit"};
	for (int i = 0; i < 2; i++) {
		if (unit[i] && (!*unit[i] || strlen(unit[i]) > 40))
			return fail(c, mf_map_get(c->m, item, key[i]), "plots.unit",
				    "a unit is 1 to 40 characters (ops/s, s, B, threads)");
	}
	p->band = band ? plot_band_parse(band) : PLOT_BAND_HOUSE;
	if (p->band < 0)
		return fail(c, mf_map_get(c->m, item, "band"), "plots.band",
			    "expected house, t95, sd, minmax or none, got '%s'", band);
	return load_range(c, item, p);
}

static int load_plot(struct ctx *c, const yaml_node_t *item, struct mf_plot *p)
{
	static const char *const keys[] = {"id", "title", "x", "y", "xlabel", "ylabel",
					   "series", "logscale", "query", "xunit", "yunit",
					   "range", "band", "headline", NULL};
	if (expect_type(c, item, YAML_MAPPING_NODE, "plots") < 0 || check_keys(c, item, keys, "plots") < 0)
		return -1;
	p->node = item;
	if (get_identifier(c, item, "id", "plots.id", &p->id) < 0 ||
	    get_string(c, item, "title", "plots.title", 0, &p->title) < 0 ||
	    get_string(c, item, "query", "plots.query", 0, &p->query) < 0 ||
	    get_string(c, item, "x", "plots.x", 1, &p->x) < 0 ||
	    get_string(c, item, "y", "plots.y", !p->query, &p->y) < 0 ||
	    get_string(c, item, "xlabel", "plots.xlabel", 0, &p->xlabel) < 0 ||
	    get_string(c, item, "ylabel", "plots.ylabel", 0, &p->ylabel) < 0)
		return -1;
	if (!is_identifier(p->x))
		return fail(c, mf_map_get(c->m, item, "x"), "plots.x", "'%s' is not a column name", p->x);
	if (p->y && !is_identifier(p->y))
		return fail(c, mf_map_get(c->m, item, "y"), "plots.y", "'%s' is not a metric name", p->y);
	if (load_logscale(c, item, p) < 0 || load_headline(c, item, p) < 0
	    || load_plot_reading(c, item, p) < 0)
		return -1;
	return load_series(c, item, p);
}

static int load_plots(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "plots");
	if (!n)
		return 0;
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "plots") < 0)
		return -1;
	if (mf_len(n) > MF_MAX_ITEMS)
		return fail(c, n, "plots", "at most %d plots", MF_MAX_ITEMS);
	const char *seen[MF_MAX_ITEMS];
	for (int i = 0; i < mf_len(n); i++) {
		struct mf_plot *p = &c->m->plots[c->m->nplots];
		if (load_plot(c, mf_item(c->m, n, i), p) < 0 ||
		    unique_id(c, mf_item(c->m, n, i), "plots.id", p->id, seen, i) < 0)
			return -1;
		seen[i] = p->id;
		c->m->nplots++;
	}
	return 0;
}

static int load_tables(struct ctx *c, const yaml_node_t *root)
{
	static const char *const keys[] = {"id", "title", "query", NULL};
	const yaml_node_t *n = mf_map_get(c->m, root, "tables");
	if (!n)
		return 0;
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "tables") < 0)
		return -1;
	if (mf_len(n) > MF_MAX_ITEMS)
		return fail(c, n, "tables", "at most %d tables", MF_MAX_ITEMS);
	const char *seen[MF_MAX_ITEMS];
	for (int i = 0; i < mf_len(n); i++) {
		const yaml_node_t *item = mf_item(c->m, n, i);
		struct mf_table *t = &c->m->tables[c->m->ntables];
		t->node = item;
		if (expect_type(c, item, YAML_MAPPING_NODE, "tables") < 0 ||
		    check_keys(c, item, keys, "tables") < 0 ||
		    get_identifier(c, item, "id", "tables.id", &t->id) < 0 ||
		    get_string(c, item, "title", "tables.title", 0, &t->title) < 0 ||
		    get_string(c, item, "query", "tables.query", 1, &t->query) < 0 ||
		    unique_id(c, item, "tables.id", t->id, seen, i) < 0)
			return -1;
		seen[i] = t->id;
		c->m->ntables++;
	}
	return 0;
}

/* "<= 1.01", "> 0", "== 3", "between 0.6 and 0.9". */
static int parse_expect(const char *s, struct mf_claim *cl)
{
	static const struct { const char *text; enum mf_op op; } ops[] = {
		{"<=", MF_LE}, {">=", MF_GE}, {"==", MF_EQ}, {"<", MF_LT}, {">", MF_GT}};
	int used = 0;
	if (sscanf(s, " between %lf and %lf %n", &cl->a, &cl->b, &used) == 2 && !s[used]) {
		cl->op = MF_BETWEEN;
		return cl->a <= cl->b ? 0 : -1;
	}
	while (isspace((unsigned char)*s))
		s++;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, n))
			continue;
		cl->op = ops[i].op;
		return (sscanf(s + n, " %lf %n", &cl->a, &used) == 1 && !s[n + used]) ? 0 : -1;
	}
	return -1;
}

/* `judged_at: [quick, full]`: the scales whose data can decide the claim. */
static int load_judged_at(struct ctx *c, const yaml_node_t *item, struct mf_claim *cl)
{
	const yaml_node_t *n = mf_map_get(c->m, item, "judged_at");
	for (int s = 0; s < MF_SCALES; s++)
		cl->judged_at[s] = n == NULL;
	if (!n)
		return 0;
	if (n->type == YAML_SCALAR_NODE)
		return fail(c, n, "claims.judged_at", "a list of scales, e.g. [quick, full]");
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "claims.judged_at") < 0)
		return -1;
	if (mf_len(n) == 0)
		return fail(c, n, "claims.judged_at", "name at least one scale");
	for (int i = 0; i < mf_len(n); i++) {
		const yaml_node_t *v = mf_item(c->m, n, i);
		int s = v->type == YAML_SCALAR_NODE ? mf_scale_parse(mf_scalar(v)) : -1;
		if (s < 0)
			return fail(c, v, "claims.judged_at", "'%s' is not a scale (smoke, quick, full)",
				    v->type == YAML_SCALAR_NODE ? mf_scalar(v) : "?");
		cl->judged_at[s] = 1;
	}
	return 0;
}

/* paper_terms' `paper` (a number) and `deviation` (relative, the default with a paper
 * value other than 0, or absolute). */
static int load_terms_deviation(struct ctx *c, const yaml_node_t *n, struct mf_paper_terms *t)
{
	const char *paper = NULL, *dev = NULL;
	if (get_string(c, n, "paper", "claims.paper_terms.paper", 0, &paper) < 0 ||
	    get_string(c, n, "deviation", "claims.paper_terms.deviation", 0, &dev) < 0)
		return -1;
	if (paper) {
		char *end = NULL;
		t->paper = strtod(paper, &end);
		if (end == paper || *end || !isfinite(t->paper))
			return fail(c, mf_map_get(c->m, n, "paper"), "claims.paper_terms.paper",
				    "'%s' is not a number", paper);
		t->have_paper = 1;
		t->deviation = t->paper == 0 ? MF_DEV_ABSOLUTE : MF_DEV_RELATIVE;
	}
	if (!dev)
		return 0;
	if (strcmp(dev, "relative") && strcmp(dev, "absolute"))
		return fail(c, mf_map_get(c->m, n, "deviation"), "claims.paper_terms.deviation",
			    "'%s' is not one of relative, absolute", dev);
	t->deviation = !strcmp(dev, "relative") ? MF_DEV_RELATIVE : MF_DEV_ABSOLUTE;
	if (t->have_paper && t->deviation == MF_DEV_RELATIVE && t->paper == 0)
		return fail(c, mf_map_get(c->m, n, "deviation"), "claims.paper_terms.deviation",
			    "a relative deviation from a paper value of 0 is undefined (use absolute)");
	return 0;
}

/* `paper_terms:` an SQL query, or {query, unit, paper, deviation}: display only, never
 * part of the verdict. Its query is checked against the views with the claim's own
 * (outputs.c, out_check_queries). */
static int load_paper_terms(struct ctx *c, const yaml_node_t *item, struct mf_claim *cl)
{
	static const char *const keys[] = {"query", "unit", "paper", "deviation", NULL};
	struct mf_paper_terms *t = &cl->terms;
	const yaml_node_t *n = mf_map_get(c->m, item, "paper_terms");
	if (!n)
		return 0;
	t->node = n;
	if (n->type == YAML_SCALAR_NODE) {
		t->query = mf_scalar(n);
		return *t->query ? 0 : fail(c, n, "claims.paper_terms", "must not be empty");
	}
	if (expect_type(c, n, YAML_MAPPING_NODE, "claims.paper_terms") < 0 ||
	    check_keys(c, n, keys, "claims.paper_terms") < 0)
		return -1;
	if (mf_len(n) == 0)
		return fail(c, n, "claims.paper_terms", "give a query, or at least one of unit, paper, deviation");
	if (get_string(c, n, "query", "claims.paper_terms.query", 0, &t->query) < 0 ||
	    get_string(c, n, "unit", "claims.paper_terms.unit", 0, &t->unit) < 0)
		return -1;
	if (t->query && !*t->query)
		return fail(c, mf_map_get(c->m, n, "query"), "claims.paper_terms.query", "must not be empty");
	return load_terms_deviation(c, n, t);
}

static int load_claim(struct ctx *c, const yaml_node_t *item, struct mf_claim *cl)
{
	static const char *const keys[] = {"id", "statement", "paper_value", "measured", "expect",
					   "regress", "judged_at", "scope", "known_deviation",
					   "paper_terms", NULL};
	const char *regress = NULL;
	cl->node = item;
	if (expect_type(c, item, YAML_MAPPING_NODE, "claims") < 0 ||
	    check_keys(c, item, keys, "claims") < 0 ||
	    get_identifier(c, item, "id", "claims.id", &cl->id) < 0 ||
	    get_string(c, item, "statement", "claims.statement", 1, &cl->statement) < 0 ||
	    get_string(c, item, "paper_value", "claims.paper_value", 0, &cl->paper_value) < 0 ||
	    get_string(c, item, "measured", "claims.measured", 1, &cl->measured) < 0 ||
	    get_string(c, item, "expect", "claims.expect", 1, &cl->expect) < 0 ||
	    get_string(c, item, "regress", "claims.regress", 0, &regress) < 0 ||
	    get_string(c, item, "scope", "claims.scope", 0, &cl->scope) < 0 ||
	    get_string(c, item, "known_deviation", "claims.known_deviation", 0, &cl->known_deviation) < 0 ||
	    load_judged_at(c, item, cl) < 0 || load_paper_terms(c, item, cl) < 0)
		return -1;
	if (cl->known_deviation && (!*cl->known_deviation || strchr(cl->known_deviation, '\n')))
		return fail(c, mf_map_get(c->m, item, "known_deviation"), "claims.known_deviation",
			    "one line that says why the paper's statement does not hold here");
	if (regress && strcmp(regress, "verdict") && strcmp(regress, "report"))
		return fail(c, mf_map_get(c->m, item, "regress"), "claims.regress",
			    "'%s' is not one of verdict, report", regress);
	cl->regress_report_only = regress && !strcmp(regress, "report");
	if (parse_expect(cl->expect, cl) < 0)
		return fail(c, mf_map_get(c->m, item, "expect"), "claims.expect",
			    "cannot read '%s' (expected '<op> number' with op one of < <= > >= ==, "
			    "or 'between A and B')", cl->expect);
	return 0;
}

static int load_claims(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "claims");
	if (!n)
		return 0;
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "claims") < 0)
		return -1;
	if (mf_len(n) > MF_MAX_ITEMS)
		return fail(c, n, "claims", "at most %d claims", MF_MAX_ITEMS);
	const char *seen[MF_MAX_ITEMS];
	for (int i = 0; i < mf_len(n); i++) {
		struct mf_claim *cl = &c->m->claims[c->m->nclaims];
		if (load_claim(c, mf_item(c->m, n, i), cl) < 0 ||
		    unique_id(c, mf_item(c->m, n, i), "claims.id", cl->id, seen, i) < 0)
			return -1;
		seen[i] = cl->id;
		c->m->nclaims++;
	}
	return 0;
}

/* tolerance: {abs: A, rel: R, sd: K}, at least one, each finite and >= 0. */
static int load_tolerance(struct ctx *c, const yaml_node_t *item, struct mf_regress *r)
{
	static const char *const keys[] = {"abs", "rel", "sd", NULL};
	double *dst[] = {&r->tol_abs, &r->tol_rel, &r->tol_sd};
	const yaml_node_t *t = mf_map_get(c->m, item, "tolerance");
	if (!t)
		return fail(c, item, "regress.tolerance", "missing (a mapping of abs, rel and/or sd)");
	if (expect_type(c, t, YAML_MAPPING_NODE, "regress.tolerance") < 0 ||
	    check_keys(c, t, keys, "regress.tolerance") < 0)
		return -1;
	int given = 0;
	for (int k = 0; keys[k]; k++) {
		const yaml_node_t *v = mf_map_get(c->m, t, keys[k]);
		if (!v)
			continue;
		char *end = NULL;
		const char *txt = mf_scalar(v);
		double x = txt ? strtod(txt, &end) : NAN;
		if (!txt || end == txt || *end || !isfinite(x) || x < 0)
			return fail(c, v, "regress.tolerance", "%s must be a number >= 0", keys[k]);
		*dst[k] = x;
		given++;
	}
	return given ? 0 : fail(c, t, "regress.tolerance", "give at least one of abs, rel, sd");
}

static int load_regress_item(struct ctx *c, const yaml_node_t *item, struct mf_regress *r)
{
	static const char *const keys[] = {"id", "query", "tolerance", "better", NULL};
	const char *better = NULL;
	r->node = item;
	if (expect_type(c, item, YAML_MAPPING_NODE, "regress") < 0 ||
	    check_keys(c, item, keys, "regress") < 0 ||
	    get_identifier(c, item, "id", "regress.id", &r->id) < 0 ||
	    get_string(c, item, "query", "regress.query", 1, &r->query) < 0 ||
	    get_string(c, item, "better", "regress.better", 0, &better) < 0 ||
	    load_tolerance(c, item, r) < 0)
		return -1;
	if (!better || !strcmp(better, "either"))
		r->better = MF_EITHER;
	else if (!strcmp(better, "lower"))
		r->better = MF_LOWER;
	else if (!strcmp(better, "higher"))
		r->better = MF_HIGHER;
	else
		return fail(c, mf_map_get(c->m, item, "better"), "regress.better",
			    "'%s' is not one of lower, higher, either", better);
	return 0;
}

static int load_regress(struct ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *n = mf_map_get(c->m, root, "regress");
	if (!n)
		return 0;
	if (expect_type(c, n, YAML_SEQUENCE_NODE, "regress") < 0)
		return -1;
	if (mf_len(n) > MF_MAX_ITEMS)
		return fail(c, n, "regress", "at most %d key metrics", MF_MAX_ITEMS);
	const char *seen[MF_MAX_ITEMS];
	for (int i = 0; i < mf_len(n); i++) {
		struct mf_regress *r = &c->m->regress[c->m->nregress];
		if (load_regress_item(c, mf_item(c->m, n, i), r) < 0 ||
		    unique_id(c, mf_item(c->m, n, i), "regress.id", r->id, seen, i) < 0)
			return -1;
		seen[i] = r->id;
		c->m->nregress++;
	}
	return 0;
}

static int load_root(struct ctx *c)
{
	static const char *const keys[] = {"id", "title", "paper", "reproduces", "description",
					   "dataset", "algorithms", "params", "seeds", "timeout_s",
					   "metrics", "plots", "tables", "claims", "regress", NULL};
	const yaml_node_t *root = yaml_document_get_root_node(&c->m->doc);
	if (!root) {
		snprintf(c->err, c->errlen, "%s:1:1: manifest is empty", c->m->path);
		return -1;
	}
	if (expect_type(c, root, YAML_MAPPING_NODE, "manifest") < 0 ||
	    check_keys(c, root, keys, "manifest") < 0 ||
	    get_identifier(c, root, "id", "id", &c->m->id) < 0 ||
	    get_string(c, root, "title", "title", 0, &c->m->title) < 0 ||
	    get_string(c, root, "reproduces", "reproduces", 0, &c->m->reproduces) < 0 ||
	    get_string(c, root, "description", "description", 0, &c->m->description) < 0)
		return -1;
	if (load_paper(c, root) < 0 || load_algorithms(c, root) < 0 || load_datasets(c, root) < 0 ||
	    load_params(c, root) < 0 || load_seeds_timeout(c, root) < 0 || load_metrics(c, root) < 0 ||
	    load_plots(c, root) < 0 || load_tables(c, root) < 0 || load_claims(c, root) < 0 ||
	    load_regress(c, root) < 0)
		return -1;
	for (int a = 0; a < c->m->nalgos; a++)
		if (c->m->algos[a]->needs_data && c->m->ndatasets == 0)
			return fail(c, root, "dataset", "algorithm '%s' needs a dataset",
				    c->m->algos[a]->name);
	return 0;
}

static int parse_file(struct manifest *m, FILE *f, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	int ok = yaml_parser_load(&parser, &m->doc);
	if (!ok) {
		const yaml_mark_t *mk = parser.context ? &parser.context_mark : &parser.problem_mark;
		if (parser.problem)
			mk = &parser.problem_mark;
		snprintf(err, errlen, "%s:%zu:%zu: malformed YAML: %s%s%s", m->path, mk->line + 1,
			 mk->column + 1, parser.problem ? parser.problem : "parse error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	/* One document per manifest: a second one would be silently ignored. */
	yaml_document_t extra;
	if (yaml_parser_load(&parser, &extra)) {
		int more = yaml_document_get_root_node(&extra) != NULL;
		size_t line = more ? yaml_document_get_root_node(&extra)->start_mark.line + 1 : 0;
		yaml_document_delete(&extra);
		if (more) {
			snprintf(err, errlen, "%s:%zu:1: manifest: only one YAML document is allowed",
				 m->path, line);
			yaml_parser_delete(&parser);
			yaml_document_delete(&m->doc);
			return -1;
		}
	}
	yaml_parser_delete(&parser);
	return 0;
}

struct manifest *mf_load(const char *path, char *err, size_t errlen)
{
	struct manifest *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(m->path, sizeof(m->path), "%s", path);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, errno == ENOENT ? "no such manifest file"
			 : strerror(errno));
		free(m);
		return NULL;
	}
	int rc = parse_file(m, f, err, errlen);
	fclose(f);
	if (rc < 0) {
		free(m);
		return NULL;
	}
	struct ctx c = {m, err, errlen};
	if (load_root(&c) < 0) {
		mf_free(m);
		return NULL;
	}
	return m;
}

void mf_free(struct manifest *m)
{
	if (!m)
		return;
	yaml_document_delete(&m->doc);
	free(m);
}

int mf_claim_holds(const struct mf_claim *c, double v)
{
	switch (c->op) {
	case MF_LT: return v < c->a;
	case MF_LE: return v <= c->a;
	case MF_GT: return v > c->a;
	case MF_GE: return v >= c->a;
	case MF_EQ: return v == c->a;
	case MF_BETWEEN: return v >= c->a && v <= c->b;
	}
	return 0;
}

void mf_claim_expect_text(const struct mf_claim *c, char *buf, size_t len)
{
	static const char *const ops[] = {"<", "<=", ">", ">=", "=="};
	if (c->op == MF_BETWEEN)
		snprintf(buf, len, "between %g and %g", c->a, c->b);
	else
		snprintf(buf, len, "%s %g", ops[c->op], c->a);
}
