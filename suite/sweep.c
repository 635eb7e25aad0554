/* sweep: expand a manifest into runs and give each its content-derived id. */
#include "suite/sweep.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/catalog.h"
#include "suite/fingerprint.h"

#define MAX_AXES RB_MAX_PARAMS

struct axis {
	const struct rb_param_spec *spec;
	const yaml_node_t *values[256];
	int n;
};

struct expander {
	const struct manifest *m;
	enum mf_scale scale;
	struct sweep *out;
	int cap;
	char *err;
	size_t errlen;
};

static int push_run(struct expander *e, const struct sweep_run *r)
{
	if (e->out->n == e->cap) {
		int cap = e->cap ? 2 * e->cap : 64;
		struct sweep_run *p = realloc(e->out->runs, (size_t)cap * sizeof(*p));
		if (!p) {
			snprintf(e->err, e->errlen, "out of memory expanding the sweep");
			return -1;
		}
		e->out->runs = p;
		e->cap = cap;
	}
	e->out->runs[e->out->n++] = *r;
	return 0;
}

/* Values of one parameter at the scale: a scalar gives one, a list gives each. */
static int axis_values(struct expander *e, const yaml_node_t *n, struct axis *ax)
{
	n = mf_at_scale(e->m, n, e->scale);
	ax->n = 0;
	if (n->type == YAML_SCALAR_NODE) {
		ax->values[ax->n++] = n;
		return 0;
	}
	if (mf_len(n) > 256) {
		char where[1200];
		mf_where(e->m, n, where, sizeof(where));
		snprintf(e->err, e->errlen, "%sparams: a sweep axis has more than 256 values", where);
		return -1;
	}
	for (int i = 0; i < mf_len(n); i++)
		ax->values[ax->n++] = mf_item(e->m, n, i);
	return 0;
}

static const struct rb_param_spec *spec_for(const struct rb_algorithm *a, const char *name)
{
	if (!strcmp(name, "threads"))
		return &mf_threads_spec;
	return rb_spec_find(a->params, name);
}

/* Set the axis for `name`, replacing an earlier one (params.only overrides params). */
static int set_axis(struct expander *e, struct axis *axes, int *naxes, const struct rb_param_spec *spec,
		    const yaml_node_t *node)
{
	int i = 0;
	while (i < *naxes && strcmp(axes[i].spec->name, spec->name))
		i++;
	if (i == *naxes) {
		if (*naxes == MAX_AXES) {
			snprintf(e->err, e->errlen, "%s: too many parameters", e->m->path);
			return -1;
		}
		(*naxes)++;
	}
	axes[i].spec = spec;
	return axis_values(e, node, &axes[i]);
}

static int collect_axes(struct expander *e, const struct rb_algorithm *a, struct axis *axes, int *naxes)
{
	const struct manifest *m = e->m;
	*naxes = 0;
	for (int i = 0; m->params && i < mf_len(m->params); i++) {
		const yaml_node_t *k = yaml_document_get_node((yaml_document_t *)&m->doc,
							      m->params->data.mapping.pairs.start[i].key);
		const yaml_node_t *v = yaml_document_get_node((yaml_document_t *)&m->doc,
							      m->params->data.mapping.pairs.start[i].value);
		const struct rb_param_spec *spec = spec_for(a, mf_scalar(k));
		if (!strcmp(mf_scalar(k), "only") || !spec)
			continue;
		if (set_axis(e, axes, naxes, spec, v) < 0)
			return -1;
	}
	const yaml_node_t *mine = mf_map_get(m, m->only, a->name);
	for (int i = 0; mine && i < mf_len(mine); i++) {
		const yaml_node_t *k = yaml_document_get_node((yaml_document_t *)&m->doc,
							      mine->data.mapping.pairs.start[i].key);
		const yaml_node_t *v = yaml_document_get_node((yaml_document_t *)&m->doc,
							      mine->data.mapping.pairs.start[i].value);
		if (set_axis(e, axes, naxes, spec_for(a, mf_scalar(k)), v) < 0)
			return -1;
	}
	return 0;
}

static int parse_or_die(struct expander *e, const struct rb_param_spec *spec, const char *text,
			struct rb_value *v)
{
	char why[256];
	if (rb_value_parse(spec, text, v, why, sizeof(why)) == 0)
		return 0;
	snprintf(e->err, e->errlen, "internal error: default of '%s' (%s) does not validate: %s",
		 spec->name, text, why);
	return -1;
}

static int defaults(struct expander *e, const struct rb_param_spec *table, struct rb_paramset *ps)
{
	return rb_paramset_defaults(table, ps, e->err, e->errlen);
}

/* The dataset a run uses: the manifest's when its files are here (cache or mirror),
 * else its fallback generator, with the reason kept for run.json and the report. */
static const struct catalog_entry *choose_dataset(struct expander *e, const struct mf_dataset *md,
						  struct sweep_run *r, const yaml_node_t **params)
{
	const struct catalog_entry *ce = catalog_find(md->name);
	char why[200];
	*params = md->params;
	r->ds_fallback[0] = 0;
	if (catalog_available(ce, why, sizeof(why)))
		return ce;
	if (!md->fallback) {
		char where[1200];
		mf_where(e->m, md->node, where, sizeof(where));
		snprintf(e->err, e->errlen, "%sdataset: '%s' cannot be loaded (%s) and has no fallback; "
			 "`relaxbench fetch %s` or set RELAXBENCH_DATA_MIRROR", where, md->name, why, md->name);
		return NULL;
	}
	snprintf(r->ds_fallback, sizeof(r->ds_fallback), "%s stands in for %s: %s", md->fallback,
		 md->name, why);
	*params = md->fallback_params;
	return catalog_find(md->fallback);
}

static int dataset_params(struct expander *e, int d, struct sweep_run *r)
{
	const struct mf_dataset *md = &e->m->datasets[d];
	const yaml_node_t *given;
	const struct catalog_entry *ce = choose_dataset(e, md, r, &given);
	if (!ce)
		return -1;
	r->ds_entry = ce;
	if (defaults(e, ce->params, &r->ds_params) < 0)
		return -1;
	for (const struct rb_param_spec *s = ce->params; s && s->name; s++) {
		const yaml_node_t *n = mf_map_get(e->m, given, s->name);
		struct rb_value v;
		if (!n)
			continue;
		if (parse_or_die(e, s, mf_scalar(mf_at_scale(e->m, n, e->scale)), &v) < 0)
			return -1;
		rb_paramset_set(&r->ds_params, s->name, &v);
	}
	catalog_checksum(ce, &r->ds_params, r->ds_checksum);
	return 0;
}

static int seed_list(struct expander *e, uint64_t *seeds, int max)
{
	const yaml_node_t *n = e->m->seeds ? mf_at_scale(e->m, e->m->seeds, e->scale) : NULL;
	if (!n) {
		seeds[0] = 1;
		return 1;
	}
	if (n->type == YAML_SCALAR_NODE) {
		long long count = atoll(mf_scalar(n));
		if (count > max)
			count = max;
		for (long long i = 0; i < count; i++)
			seeds[i] = (uint64_t)i + 1;
		return (int)count;
	}
	int k = 0;
	for (int i = 0; i < mf_len(n) && k < max; i++)
		seeds[k++] = (uint64_t)atoll(mf_scalar(mf_item(e->m, n, i)));
	return k;
}

json_t *sweep_params_json(const struct rb_paramset *ps)
{
	json_t *o = json_object();
	for (int i = 0; i < ps->n; i++) {
		const struct rb_value *v = &ps->p[i].value;
		json_t *j = v->type == RB_INT    ? json_integer(v->i)
			    : v->type == RB_REAL ? json_real(v->r)
			    : v->type == RB_BOOL ? json_boolean(v->i)
						 : json_string(v->s);
		json_object_set_new(o, ps->p[i].name, j);
	}
	return o;
}

static void hex_digest(const char *text, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)text, strlen(text), md);
	for (int i = 0; i < SWEEP_ID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Canonical JSON (sorted keys, compact, %.17g reals) of the run's point, hashed; the id
 * hashes the point with the code fingerprint. */
static void run_id(const struct manifest *m, struct sweep_run *r)
{
	const char *experiment = m->id;
	json_t *o = json_pack("{s:s, s:s, s:o, s:I}", "experiment", experiment, "algorithm", r->algo->name,
			      "params", sweep_params_json(&r->params), "seed", (json_int_t)r->seed);
	if (r->dataset >= 0)
		json_object_set_new(o, "dataset_checksum", json_string(r->ds_checksum));
	/* Two datasets of one manifest may fall back to the same generator with the same
	 * parameters (ego_facebook and email_enron to graph_rmat): the name asked for keeps
	 * their points apart. Runs on the real data keep the ids they always had. */
	if (r->dataset >= 0 && r->ds_fallback[0])
		json_object_set_new(o, "fallback_for", json_string(m->datasets[r->dataset].name));
	char *text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	hex_digest(text, r->point);
	free(text);
	json_decref(o);
	snprintf(r->fingerprint, sizeof(r->fingerprint), "%s%s%s", rb_fingerprint_of(r->algo->family),
		 r->dataset >= 0 ? "+" : "", r->dataset >= 0 ? rb_fingerprint_of("datasets") : "");
	char both[128];
	snprintf(both, sizeof(both), "%s/%s", r->point, r->fingerprint);
	hex_digest(both, r->id);
}

static int emit_point(struct expander *e, const struct rb_algorithm *a, const struct rb_paramset *ps,
		      const uint64_t *seeds, int nseeds)
{
	if (a->seedless)
		nseeds = 1;  /* repeats would recompute the same numbers */
	char why[400];
	if (a->validate && a->validate(ps, why, sizeof(why)) < 0) {
		char where[1200];
		mf_where(e->m, e->m->params, where, sizeof(where));
		snprintf(e->err, e->errlen, "%sparams: %s: %s", where, a->name, why);
		return -1;
	}
	int nd = e->m->ndatasets ? e->m->ndatasets : 1;
	const yaml_node_t *tn = e->m->timeout ? mf_at_scale(e->m, e->m->timeout, e->scale) : NULL;
	for (int d = 0; d < nd; d++) {
		for (int s = 0; s < nseeds; s++) {
			struct sweep_run r;
			memset(&r, 0, sizeof(r));
			r.algo = a;
			r.params = *ps;
			r.dataset = e->m->ndatasets ? d : -1;
			r.seed = seeds[s];
			r.timeout_s = tn ? atof(mf_scalar(tn)) : MF_DEFAULT_TIMEOUT_S;
			if (r.dataset >= 0 && dataset_params(e, d, &r) < 0)
				return -1;
			run_id(e->m, &r);
			if (push_run(e, &r) < 0)
				return -1;
		}
	}
	return 0;
}

static int expand_algorithm(struct expander *e, const struct rb_algorithm *a, const uint64_t *seeds,
			    int nseeds)
{
	struct axis axes[MAX_AXES];
	int naxes, idx[MAX_AXES] = {0};
	struct rb_paramset base;
	if (defaults(e, a->params, &base) < 0 || collect_axes(e, a, axes, &naxes) < 0)
		return -1;
	struct rb_value one = {.type = RB_INT, .i = 1};
	rb_paramset_set(&base, "threads", &one);
	for (;;) {
		struct rb_paramset ps = base;
		for (int i = 0; i < naxes; i++) {
			struct rb_value v;
			if (parse_or_die(e, axes[i].spec, mf_scalar(axes[i].values[idx[i]]), &v) < 0)
				return -1;
			rb_paramset_set(&ps, axes[i].spec->name, &v);
		}
		if (emit_point(e, a, &ps, seeds, nseeds) < 0)
			return -1;
		/* Odometer over the axes: the last axis turns fastest. */
		int i = naxes - 1;
		while (i >= 0 && ++idx[i] == axes[i].n)
			idx[i--] = 0;
		if (i < 0)
			return 0;
	}
}

/* Whether the runs that have parameter `name` do not all give it one value. */
static int param_varies(const struct sweep *s, const char *name)
{
	const struct rb_value *first = NULL;
	for (int r = 0; r < s->n; r++) {
		const struct rb_paramset *ps = &s->runs[r].params;
		for (int q = 0; q < ps->n; q++) {
			if (strcmp(ps->p[q].name, name))
				continue;
			if (!first)
				first = &ps->p[q].value;
			else if (memcmp(first, &ps->p[q].value, sizeof(*first)))
				return 1;
		}
	}
	return 0;
}

/* The names of the parameters that vary across the sweep, each once. Found once per
 * sweep rather than once per run: a full-scale sweep has thousands of runs, and a
 * pairwise comparison of them took minutes. */
static int varying_params(const struct sweep *s, const char **names, int max)
{
	const char *checked[(MF_MAX_ALGOS + 1) * RB_MAX_PARAMS];
	int n = 0, nchecked = 0;
	for (int r = 0; r < s->n; r++) {
		for (int p = 0; p < s->runs[r].params.n; p++) {
			const char *name = s->runs[r].params.p[p].name;
			int seen = 0;
			for (int i = 0; i < nchecked && !seen; i++)
				seen = !strcmp(checked[i], name);
			if (seen || nchecked == (int)(sizeof(checked) / sizeof(checked[0])))
				continue;
			checked[nchecked++] = name;
			if (n < max && param_varies(s, name))
				names[n++] = name;
		}
	}
	return n;
}

static int is_listed(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Label each run by what distinguishes it: the algorithm, the parameters that vary in
 * this sweep, the dataset when there are several, and the seed. */
static void label_runs(struct sweep *s)
{
	const char *varying[(MF_MAX_ALGOS + 1) * RB_MAX_PARAMS];
	int nvarying = varying_params(s, varying, (MF_MAX_ALGOS + 1) * RB_MAX_PARAMS);
	for (int r = 0; r < s->n; r++) {
		struct sweep_run *run = &s->runs[r];
		size_t len = (size_t)snprintf(run->label, sizeof(run->label), "%s", run->algo->name);
		for (int p = 0; p < run->params.n; p++) {
			const struct rb_param *mine = &run->params.p[p];
			if (!is_listed(varying, nvarying, mine->name) || len >= sizeof(run->label))
				continue;
			char v[80];
			rb_value_format(&mine->value, v, sizeof(v));
			len += (size_t)snprintf(run->label + len, sizeof(run->label) - len, " %s=%s",
						mine->name, v);
		}
		if (s->m->ndatasets > 1 && len < sizeof(run->label))
			len += (size_t)snprintf(run->label + len, sizeof(run->label) - len, " data=%s",
						s->m->datasets[run->dataset].name);
		if (len < sizeof(run->label))
			snprintf(run->label + len, sizeof(run->label) - len, " seed=%llu",
				 (unsigned long long)run->seed);
	}
}

int sweep_expand(const struct manifest *m, enum mf_scale scale, struct sweep *out, char *err,
		 size_t errlen)
{
	struct expander e = {m, scale, out, 0, err, errlen};
	uint64_t seeds[1000];
	memset(out, 0, sizeof(*out));
	out->m = m;
	out->scale = scale;
	int nseeds = seed_list(&e, seeds, 1000);
	for (int a = 0; a < m->nalgos; a++) {
		if (expand_algorithm(&e, m->algos[a], seeds, nseeds) < 0) {
			sweep_free(out);
			return -1;
		}
	}
	label_runs(out);
	return 0;
}

void sweep_free(struct sweep *s)
{
	free(s->runs);
	s->runs = NULL;
	s->n = 0;
}

static int run_matches(const struct sweep *s, const struct sweep_run *r, const char *key,
		       const char *value, int *known)
{
	char buf[80];
	if (!strcmp(key, "algorithm"))
		return *known = 1, !strcmp(r->algo->name, value);
	if (!strcmp(key, "id"))
		return *known = 1, !strcmp(r->id, value);
	if (!strcmp(key, "seed"))
		return *known = 1, r->seed == strtoull(value, NULL, 10);
	if (!strcmp(key, "dataset"))
		return *known = 1, r->dataset >= 0 && (!strcmp(s->m->datasets[r->dataset].name, value) ||
							!strcmp(r->ds_entry->name, value));
	for (int p = 0; p < r->params.n; p++) {
		if (strcmp(r->params.p[p].name, key))
			continue;
		*known = 1;
		const struct rb_value *v = &r->params.p[p].value;
		if (v->type == RB_REAL)
			return v->r == strtod(value, NULL);
		rb_value_format(v, buf, sizeof(buf));
		return !strcmp(buf, value);
	}
	return 0;
}

int sweep_filter(struct sweep *s, const char *filter, char *err, size_t errlen)
{
	char key[64];
	const char *eq = strchr(filter, '=');
	if (!eq || eq == filter || (size_t)(eq - filter) >= sizeof(key)) {
		snprintf(err, errlen, "--filter: expected key=value, got '%s'", filter);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - filter), filter);
	int kept = 0, known = 0;
	for (int i = 0; i < s->n; i++)
		if (run_matches(s, &s->runs[i], key, eq + 1, &known))
			s->runs[kept++] = s->runs[i];
	if (!known) {
		snprintf(err, errlen, "--filter: no run of %s has a key '%s'", s->m->id, key);
		return -1;
	}
	s->n = kept;
	return 0;
}

const struct sweep_run *sweep_find(const struct sweep *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->runs[i].id, id))
			return &s->runs[i];
	return NULL;
}
