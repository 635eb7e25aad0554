/*
 * graph: edge list to CSR, and the SNAP, DIMACS .gr and MatrixMarket loaders.
 *
 * graph_build avoids a comparison sort: a first counting sort groups the directed
 * entries by target, a second scatters them by source while walking the targets in
 * increasing order, so every row comes out sorted and duplicates sit side by side,
 * where one pass merges them. Time O(n + m); scratch 4 bytes per entry (8 weighted)
 * and two offset arrays, so 10^7 edges build in a few hundred MB.
 *
 * The parsers work on the bytes of one line with explicit bounds (a NUL byte inside a
 * line is a bad character, not its end), check every number for syntax and range
 * before it is used, and stop at the first problem with "path:line: what". A declared
 * count (DIMACS M, MatrixMarket nnz) is checked while reading, so a file can neither
 * make the loader reserve memory it declares but does not hold nor return fewer edges
 * than it promised.
 */
#include "datasets/graph.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "suite/error.h"

/* An edge list never reserves more than this ahead of the edges it has read: a
 * declared count is a promise, not memory to trust. */
#define GRAPH_RESERVE_AHEAD ((int64_t)1 << 20)
/* Ids up to this multiple of the edge count are compacted through a direct rank table;
 * sparser ids go through a hash table. */
#define GRAPH_DENSE_IDS 4

/* ---- edge lists ------------------------------------------------------------------- */

int graph_edges_reserve(struct graph_edges *e, int64_t cap)
{
	if (cap <= e->cap && (!e->weighted || e->w))
		return 0;
	if (cap < e->cap)
		cap = e->cap;
	if (cap < 16)
		cap = 16;
	if (cap > INT64_MAX / 16)
		return -1;
	int64_t *u = realloc(e->u, (size_t)cap * sizeof(*u));
	if (!u)
		return -1;
	e->u = u;
	int64_t *v = realloc(e->v, (size_t)cap * sizeof(*v));
	if (!v)
		return -1;
	e->v = v;
	if (e->weighted) {
		int32_t *w = realloc(e->w, (size_t)cap * sizeof(*w));
		if (!w)
			return -1;
		e->w = w;
	}
	e->cap = cap;
	return 0;
}

int graph_edges_add(struct graph_edges *e, int64_t u, int64_t v, int32_t w)
{
	/* Growth by half, not doubling: the list is the largest buffer of a load. */
	if ((e->len == e->cap || (e->weighted && !e->w)) &&
	    graph_edges_reserve(e, e->cap + e->cap / 2 + 1024) != 0)
		return -1;
	e->u[e->len] = u;
	e->v[e->len] = v;
	if (e->weighted)
		e->w[e->len] = w;
	e->len++;
	return 0;
}

void graph_edges_free(struct graph_edges *e)
{
	free(e->u);
	free(e->v);
	free(e->w);
	memset(e, 0, sizeof(*e));
}

/* ---- graph_build ------------------------------------------------------------------ */

static int check_ids(const struct graph_edges *e, int64_t n, int64_t *max_id, char *err,
		     size_t errlen)
{
	int64_t top = -1;

	for (int64_t i = 0; i < e->len; i++) {
		int64_t a = e->u[i], b = e->v[i];
		if (a < 0 || b < 0)
			return rb_error(err, errlen, "vertex id %lld is negative", (long long)(a < 0 ? a : b));
		top = a > top ? a : top;
		top = b > top ? b : top;
	}
	if (n >= 0 && top >= n)
		return rb_error(err, errlen, "vertex id %lld is outside 0..%lld", (long long)top,
				(long long)n - 1);
	*max_id = top;
	return 0;
}

/* Ids no larger than a few times the edge count: mark them in a table, then rank. */
static int compact_dense(struct graph_edges *e, int64_t max_id, int64_t *n)
{
	int32_t *rank = calloc((size_t)max_id + 1, sizeof(*rank));
	if (!rank)
		return -1;
	for (int64_t i = 0; i < e->len; i++)
		rank[e->u[i]] = rank[e->v[i]] = 1;
	int32_t next = 0;
	for (int64_t id = 0; id <= max_id; id++)
		rank[id] = rank[id] ? next++ : -1;
	for (int64_t i = 0; i < e->len; i++) {
		e->u[i] = rank[e->u[i]];
		e->v[i] = rank[e->v[i]];
	}
	free(rank);
	*n = next;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sparse ids: an open-addressing table from id to rank. Only the distinct ids are
 * sorted, and every endpoint is renamed by one lookup, so 10^7 edges over 10^6 sparse
 * ids compact in about a second where sorting all 2m endpoints took several. */
struct id_table {
	int64_t *key;      /* -1: empty (ids are >= 0) */
	int32_t *rank;
	uint64_t mask;
	int64_t count;
};

/* splitmix64's finalizer: consecutive or strided ids spread over the table. */
static uint64_t id_hash(int64_t id)
{
	uint64_t z = (uint64_t)id;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t id_slot(const struct id_table *t, int64_t id)
{
	uint64_t i = id_hash(id) & t->mask;
	while (t->key[i] != id && t->key[i] != -1)
		i = (i + 1) & t->mask;
	return i;
}

static int id_table_alloc(struct id_table *t, uint64_t cap)
{
	t->key = malloc(cap * sizeof(*t->key));
	t->rank = malloc(cap * sizeof(*t->rank));
	t->mask = cap - 1;
	t->count = 0;
	if (!t->key || !t->rank)
		return -1;
	memset(t->key, 0xff, cap * sizeof(*t->key));
	return 0;
}

static void id_table_free(struct id_table *t)
{
	free(t->key);
	free(t->rank);
}

static int id_table_insert(struct id_table *t, int64_t id);

/* Double the table when it is 70% full, to keep probes short. */
static int id_table_grow(struct id_table *t)
{
	struct id_table old = *t;

	if (id_table_alloc(t, 2 * (old.mask + 1)) != 0) {
		id_table_free(t);
		*t = old;
		return -1;
	}
	for (uint64_t i = 0; i <= old.mask; i++)
		if (old.key[i] != -1)
			id_table_insert(t, old.key[i]);
	id_table_free(&old);
	return 0;
}

static int id_table_insert(struct id_table *t, int64_t id)
{
	if ((uint64_t)t->count * 10 >= (t->mask + 1) * 7 && id_table_grow(t) != 0)
		return -1;
	uint64_t i = id_slot(t, id);
	if (t->key[i] == -1) {
		t->key[i] = id;
		t->count++;
	}
	return 0;
}

/* Rank the distinct ids in increasing order. */
static int rank_ids(struct id_table *t)
{
	int64_t *ids = malloc((size_t)(t->count > 0 ? t->count : 1) * sizeof(*ids));
	int64_t k = 0;

	if (!ids)
		return -1;
	for (uint64_t i = 0; i <= t->mask; i++)
		if (t->key[i] != -1)
			ids[k++] = t->key[i];
	qsort(ids, (size_t)k, sizeof(*ids), cmp_i64);
	for (int64_t r = 0; r < k; r++)
		t->rank[id_slot(t, ids[r])] = (int32_t)r;
	free(ids);
	return 0;
}

static int compact_sparse(struct graph_edges *e, int64_t *n)
{
	struct id_table t;
	int rc = id_table_alloc(&t, 1024);

	for (int64_t i = 0; rc == 0 && i < e->len; i++)
		rc = id_table_insert(&t, e->u[i]) || id_table_insert(&t, e->v[i]) ? -1 : 0;
	*n = t.count;
	/* Too many vertices for int32 ranks: vertex_count refuses the graph. */
	if (rc == 0 && t.count <= GRAPH_MAX_VERTICES)
		rc = rank_ids(&t);
	for (int64_t i = 0; rc == 0 && t.count <= GRAPH_MAX_VERTICES && i < e->len; i++) {
		e->u[i] = t.rank[id_slot(&t, e->u[i])];
		e->v[i] = t.rank[id_slot(&t, e->v[i])];
	}
	id_table_free(&t);
	return rc;
}

/* The vertex count, compacting the ids first when asked. */
static int vertex_count(struct graph_edges *e, int64_t n, int compact_ids, int64_t *count,
			char *err, size_t errlen)
{
	int64_t max_id = -1;

	if (check_ids(e, n, &max_id, err, errlen) != 0)
		return -1;
	if (!compact_ids || e->len == 0) {
		*count = n >= 0 && !compact_ids ? n : max_id + 1;
	} else {
		int dense = max_id < GRAPH_MAX_VERTICES && max_id / GRAPH_DENSE_IDS <= e->len + 65536;
		int rc = dense ? compact_dense(e, max_id, count) : compact_sparse(e, count);
		if (rc != 0)
			return rb_error(err, errlen, "out of memory compacting the ids of %lld edges",
					(long long)e->len);
	}
	if (*count > GRAPH_MAX_VERTICES)
		return rb_error(err, errlen, "%lld vertices: more than the %lld a graph can hold",
				(long long)*count, (long long)GRAPH_MAX_VERTICES);
	return 0;
}

/* Directed entries of the CSR-to-be grouped by target; off[] holds, per target, the
 * end of its group (the start is the previous target's end). */
struct by_target {
	int64_t *off;     /* n + 1 */
	int32_t *src;     /* entries */
	int32_t *w;       /* entries, when weighted */
};

static void by_target_free(struct by_target *t)
{
	free(t->off);
	free(t->src);
	free(t->w);
}

/* Count the entries of each source (into rowptr[s + 1]) and target; return the total. */
static int64_t count_entries(const struct graph_edges *e, int symmetrize, int64_t *rowptr,
			     int64_t *off)
{
	int64_t total = 0;

	for (int64_t i = 0; i < e->len; i++) {
		int64_t a = e->u[i], b = e->v[i];
		if (a == b)
			continue;
		rowptr[a + 1]++;
		off[b + 1]++;
		total++;
		if (symmetrize) {
			rowptr[b + 1]++;
			off[a + 1]++;
			total++;
		}
	}
	return total;
}

static void prefix_sum(int64_t *a, int64_t n)
{
	for (int64_t i = 1; i <= n; i++)
		a[i] += a[i - 1];
}

static void place_by_target(const struct graph_edges *e, int symmetrize, struct by_target *t)
{
	for (int64_t i = 0; i < e->len; i++) {
		int64_t a = e->u[i], b = e->v[i];
		if (a == b)
			continue;
		int64_t k = t->off[b]++;
		t->src[k] = (int32_t)a;
		if (t->w)
			t->w[k] = e->w[i];
		if (!symmetrize)
			continue;
		k = t->off[a]++;
		t->src[k] = (int32_t)b;
		if (t->w)
			t->w[k] = e->w[i];
	}
}

/* Walk the targets in increasing order and append each to its source's row: rows come
 * out sorted. rowptr[s] starts as the row's start and ends as its end. */
static void scatter_by_source(const struct by_target *t, int64_t n, struct ds_graph *g)
{
	int64_t begin = 0;

	for (int64_t d = 0; d < n; d++) {
		for (int64_t k = begin; k < t->off[d]; k++) {
			int64_t p = g->rowptr[t->src[k]]++;
			g->adj[p] = (int32_t)d;
			if (g->weight)
				g->weight[p] = t->w[k];
		}
		begin = t->off[d];
	}
	memmove(g->rowptr + 1, g->rowptr, (size_t)n * sizeof(*g->rowptr));
	g->rowptr[0] = 0;
}

/* Merge equal neighbours (adjacent in a sorted row), keeping the smallest weight. */
static void merge_duplicates(struct ds_graph *g)
{
	int64_t kept = 0, begin = 0;

	for (int64_t v = 0; v < g->n; v++) {
		int64_t end = g->rowptr[v + 1], row = kept;
		g->rowptr[v] = row;
		for (int64_t k = begin; k < end; k++) {
			if (kept > row && g->adj[kept - 1] == g->adj[k]) {
				if (g->weight && g->weight[k] < g->weight[kept - 1])
					g->weight[kept - 1] = g->weight[k];
				continue;
			}
			g->adj[kept] = g->adj[k];
			if (g->weight)
				g->weight[kept] = g->weight[k];
			kept++;
		}
		begin = end;
	}
	g->rowptr[g->n] = kept;
	g->m = kept;
}

static void shrink_to_fit(struct ds_graph *g)
{
	size_t len = (size_t)(g->m > 0 ? g->m : 1);
	int32_t *adj = realloc(g->adj, len * sizeof(*adj));
	if (adj)
		g->adj = adj;
	if (!g->weight)
		return;
	int32_t *w = realloc(g->weight, len * sizeof(*w));
	if (w)
		g->weight = w;
}

static int fill_csr(const struct graph_edges *e, int symmetrize, struct ds_graph *g)
{
	struct by_target t = { 0 };
	int weighted = e->weighted;

	g->rowptr = calloc((size_t)g->n + 1, sizeof(*g->rowptr));
	t.off = calloc((size_t)g->n + 1, sizeof(*t.off));
	if (!g->rowptr || !t.off) {
		by_target_free(&t);
		return -1;
	}
	int64_t entries = count_entries(e, symmetrize, g->rowptr, t.off);
	size_t len = (size_t)(entries > 0 ? entries : 1);
	prefix_sum(g->rowptr, g->n);
	prefix_sum(t.off, g->n);
	t.src = malloc(len * sizeof(*t.src));
	g->adj = malloc(len * sizeof(*g->adj));
	if (weighted) {
		t.w = malloc(len * sizeof(*t.w));
		g->weight = malloc(len * sizeof(*g->weight));
	}
	if (!t.src || !g->adj || (weighted && (!t.w || !g->weight))) {
		by_target_free(&t);
		return -1;
	}
	place_by_target(e, symmetrize, &t);
	scatter_by_source(&t, g->n, g);
	by_target_free(&t);
	merge_duplicates(g);
	shrink_to_fit(g);
	return 0;
}

int graph_build(struct graph_edges *e, int64_t n, int symmetrize, int compact_ids,
		struct ds_graph *out, char *err, size_t errlen)
{
	int64_t count = 0;

	memset(out, 0, sizeof(*out));
	if (vertex_count(e, n, compact_ids, &count, err, errlen) != 0)
		return -1;
	out->n = count;
	if (fill_csr(e, symmetrize, out) != 0) {
		ds_graph_free(out);
		return rb_error(err, errlen, "out of memory building a graph of %lld vertices and %lld edges",
				(long long)count, (long long)e->len);
	}
	return 0;
}

/* ---- graph_validate --------------------------------------------------------------- */

/* Position of x in the sorted row of v, or -1. */
static int64_t find_neighbour(const struct ds_graph *g, int64_t v, int32_t x)
{
	int64_t lo = g->rowptr[v], hi = g->rowptr[v + 1];

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (g->adj[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->rowptr[v + 1] && g->adj[lo] == x ? lo : -1;
}

static int validate_row(const struct ds_graph *g, int64_t v, int undirected, char *err,
			size_t errlen)
{
	for (int64_t k = g->rowptr[v]; k < g->rowptr[v + 1]; k++) {
		int32_t x = g->adj[k];
		if (x < 0 || x >= g->n)
			return rb_error(err, errlen, "vertex %lld: neighbour %d outside 0..%lld",
					(long long)v, x, (long long)g->n - 1);
		if (x == v)
			return rb_error(err, errlen, "vertex %lld: self loop", (long long)v);
		if (k > g->rowptr[v] && g->adj[k - 1] >= x)
			return rb_error(err, errlen, "vertex %lld: neighbours not strictly increasing at %d",
					(long long)v, x);
		if (!undirected)
			continue;
		int64_t back = find_neighbour(g, x, (int32_t)v);
		if (back < 0)
			return rb_error(err, errlen, "edge %lld -> %d has no reverse", (long long)v, x);
		if (g->weight && g->weight[back] != g->weight[k])
			return rb_error(err, errlen, "edge %lld - %d: weights %d and %d differ",
					(long long)v, x, g->weight[k], g->weight[back]);
	}
	return 0;
}

int graph_validate(const struct ds_graph *g, int undirected, char *err, size_t errlen)
{
	if (g->n < 0 || g->n > GRAPH_MAX_VERTICES || !g->rowptr || (g->m > 0 && !g->adj))
		return rb_error(err, errlen, "n = %lld or the arrays are invalid", (long long)g->n);
	if (g->rowptr[0] != 0 || g->rowptr[g->n] != g->m)
		return rb_error(err, errlen, "rowptr runs from %lld to %lld, not 0 to m = %lld",
				(long long)g->rowptr[0], (long long)g->rowptr[g->n], (long long)g->m);
	for (int64_t v = 0; v < g->n; v++)
		if (g->rowptr[v + 1] < g->rowptr[v])
			return rb_error(err, errlen, "rowptr decreases at vertex %lld", (long long)v);
	for (int64_t v = 0; v < g->n; v++)
		if (validate_row(g, v, undirected, err, errlen) != 0)
			return -1;
	if (undirected && g->m % 2 != 0)
		return rb_error(err, errlen, "m = %lld is odd for an undirected graph", (long long)g->m);
	return 0;
}

/* ---- line fields ------------------------------------------------------------------ */

struct field {
	const char *s;
	size_t len;
};

struct fields {
	const char *p, *end;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated field of the line; 0 when none is left. */
static int next_field(struct fields *f, struct field *out)
{
	while (f->p < f->end && is_blank(*f->p))
		f->p++;
	if (f->p == f->end)
		return 0;
	out->s = f->p;
	while (f->p < f->end && !is_blank(*f->p))
		f->p++;
	out->len = (size_t)(f->p - out->s);
	return 1;
}

static int field_is(struct field t, const char *word)
{
	return t.len == strlen(word) && strncasecmp(t.s, word, t.len) == 0;
}

/* A printable excerpt of a field for a message: control bytes become '?', and a long
 * field is cut, so the message stays one readable line. */
static const char *quote(struct field t, char *buf, size_t len)
{
	size_t n = t.len < len - 4 ? t.len : len - 4;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t.s[i];
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	strcpy(buf + n, n < t.len ? "..." : "");
	return buf;
}

enum { INT_OK, INT_BAD, INT_RANGE };

/* The whole field as a decimal integer with an optional sign. */
static int field_int(struct field t, int64_t *out)
{
	size_t i = 0;
	int negative = 0;
	uint64_t x = 0, limit = (uint64_t)INT64_MAX;

	if (t.len > 0 && (t.s[0] == '-' || t.s[0] == '+'))
		negative = t.s[i++] == '-';
	if (i == t.len)
		return INT_BAD;
	for (; i < t.len; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return INT_BAD;
		unsigned d = (unsigned)(t.s[i] - '0');
		if (x > (limit - d) / 10)
			return INT_RANGE;
		x = 10 * x + d;
	}
	*out = negative ? -(int64_t)x : (int64_t)x;
	return INT_OK;
}

/* "name:line: message", the one line every parse error is. */
__attribute__((format(printf, 4, 5)))
static int fail(struct dsio *r, char *err, size_t errlen, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rb_error(err, errlen, "%s:%lld: %s", dsio_name(r), (long long)dsio_lineno(r), what);
}

/* A vertex id in lo..hi; a 1-based format passes lo = 1 so that id 0 is named as such. */
static int read_id(struct dsio *r, struct field t, int64_t lo, int64_t hi, int64_t *id,
		   char *err, size_t errlen)
{
	char q[40];
	int rc = field_int(t, id);

	if (rc == INT_BAD)
		return fail(r, err, errlen, "bad token '%s' (expected a vertex id)", quote(t, q, sizeof(q)));
	if (rc == INT_OK && *id == 0 && lo == 1)
		return fail(r, err, errlen, "vertex id 0: ids are 1-based here");
	if (rc == INT_OK && *id < 0)
		return fail(r, err, errlen, "negative vertex id %s", quote(t, q, sizeof(q)));
	if (rc == INT_RANGE || *id > hi)
		return fail(r, err, errlen, "vertex id %s is outside %lld..%lld", quote(t, q, sizeof(q)),
			    (long long)lo, (long long)hi);
	return 0;
}

/* A declared size in 0..limit. */
static int read_size(struct dsio *r, struct field t, const char *what, int64_t limit,
		     int64_t *out, char *err, size_t errlen)
{
	char q[40];
	int rc = field_int(t, out);

	if (rc == INT_BAD)
		return fail(r, err, errlen, "bad token '%s' (expected the %s)", quote(t, q, sizeof(q)), what);
	if (rc == INT_OK && *out < 0)
		return fail(r, err, errlen, "negative %s %s", what, quote(t, q, sizeof(q)));
	if (rc == INT_RANGE || *out > limit)
		return fail(r, err, errlen, "%s %s is too large (at most %lld)", what,
			    quote(t, q, sizeof(q)), (long long)limit);
	return 0;
}

static int read_weight(struct dsio *r, struct field t, int64_t lo, int32_t *w, char *err,
		       size_t errlen)
{
	char q[40];
	int64_t x;
	int rc = field_int(t, &x);

	if (rc == INT_BAD)
		return fail(r, err, errlen, "bad token '%s' (expected an integer weight)",
			    quote(t, q, sizeof(q)));
	if (rc == INT_RANGE || x < lo || x > INT32_MAX)
		return fail(r, err, errlen, "weight %s is outside %lld..%lld", quote(t, q, sizeof(q)),
			    (long long)lo, (long long)INT32_MAX);
	*w = (int32_t)x;
	return 0;
}

/* A finite real number: the whole field, as strtod reads it. */
static int read_real(struct dsio *r, struct field t, char *err, size_t errlen)
{
	char buf[64], q[40], *end;

	if (t.len >= sizeof(buf))
		return fail(r, err, errlen, "bad token '%s' (expected a real value)", quote(t, q, sizeof(q)));
	memcpy(buf, t.s, t.len);
	buf[t.len] = 0;
	double x = strtod(buf, &end);
	if (end != buf + t.len || !isfinite(x))
		return fail(r, err, errlen, "bad token '%s' (expected a finite real value)",
			    quote(t, q, sizeof(q)));
	return 0;
}

/* No field may follow the ones a line type has. */
static int expect_end(struct dsio *r, struct fields *f, const char *form, char *err,
		      size_t errlen)
{
	struct field extra;
	char q[40];

	if (next_field(f, &extra))
		return fail(r, err, errlen, "unexpected '%s' after the last field (expected '%s')",
			    quote(extra, q, sizeof(q)), form);
	return 0;
}

/* The fields a line type needs; fewer is an error that shows the expected form. */
static int take_fields(struct dsio *r, struct fields *f, struct field *out, int count,
		       const char *form, char *err, size_t errlen)
{
	for (int i = 0; i < count; i++)
		if (!next_field(f, &out[i]))
			return fail(r, err, errlen, "missing field %d (expected '%s')", i + 1, form);
	return expect_end(r, f, form, err, errlen);
}

static int add_edge(struct dsio *r, struct graph_edges *e, int64_t u, int64_t v, int32_t w,
		    char *err, size_t errlen)
{
	if (graph_edges_add(e, u, v, w) != 0)
		return fail(r, err, errlen, "out of memory after %lld edges", (long long)e->len);
	return 0;
}

/* graph_build, with its reason prefixed by the file name, and the vertex limit. */
static int build_named(struct dsio *r, struct graph_edges *e, int64_t n, int symmetrize,
		       int compact, int64_t max_vertices, struct ds_graph *out, char *err,
		       size_t errlen)
{
	char why[256];

	if (graph_build(e, n, symmetrize, compact, out, why, sizeof(why)) != 0)
		return rb_error(err, errlen, "%s: %s", dsio_name(r), why);
	if (out->n > max_vertices) {
		long long n_found = (long long)out->n;
		ds_graph_free(out);
		return rb_error(err, errlen, "%s: %lld vertices, more than the limit of %lld",
				dsio_name(r), n_found, (long long)max_vertices);
	}
	return 0;
}

static int64_t vertex_limit(int64_t max_vertices)
{
	return max_vertices > 0 && max_vertices < GRAPH_MAX_VERTICES ? max_vertices
								      : GRAPH_MAX_VERTICES;
}

/* ---- SNAP ------------------------------------------------------------------------- */

static int snap_line(struct dsio *r, struct fields *f, struct graph_edges *e, char *err,
		     size_t errlen)
{
	struct field t[2];
	int64_t u, v;

	if (take_fields(r, f, t, 2, "u v", err, errlen) != 0 ||
	    read_id(r, t[0], 0, INT64_MAX, &u, err, errlen) != 0 ||
	    read_id(r, t[1], 0, INT64_MAX, &v, err, errlen) != 0)
		return -1;
	return add_edge(r, e, u, v, 0, err, errlen);
}

static int snap_edges(struct dsio *r, struct graph_edges *e, char *err, size_t errlen)
{
	char *line;
	long len;

	while ((len = dsio_getline(r, &line, err, errlen)) >= 0) {
		struct fields f = { line, line + len }, peek = f;
		struct field first;
		if (!next_field(&peek, &first) || first.s[0] == '#')
			continue;
		if (snap_line(r, &f, e, err, errlen) != 0)
			return -1;
	}
	if (len == -2)
		return -1;
	if (e->len == 0)
		return rb_error(err, errlen, "%s: no edges (expected 'u v' lines after '#' comments)",
				dsio_name(r));
	return 0;
}

int graph_parse_snap(struct dsio *r, int symmetrize, int64_t max_vertices,
		     struct ds_graph *out, char *err, size_t errlen)
{
	struct graph_edges e = { 0 };

	memset(out, 0, sizeof(*out));
	int rc = snap_edges(r, &e, err, errlen);
	if (rc == 0)
		rc = build_named(r, &e, -1, symmetrize, 1, vertex_limit(max_vertices), out, err,
				 errlen);
	graph_edges_free(&e);
	return rc;
}

/* ---- DIMACS ----------------------------------------------------------------------- */

struct dimacs {
	int64_t n, m, arcs, p_line;
};

static int dimacs_problem(struct dsio *r, struct fields *f, struct dimacs *st,
			  int64_t max_vertices, struct graph_edges *e, char *err, size_t errlen)
{
	struct field t[3];
	char q[40];

	if (st->p_line)
		return fail(r, err, errlen, "repeated p line (the first is line %lld)",
			    (long long)st->p_line);
	if (take_fields(r, f, t, 3, "p sp N M", err, errlen) != 0)
		return -1;
	if (!field_is(t[0], "sp"))
		return fail(r, err, errlen, "problem type '%s' is not 'sp' (expected 'p sp N M')",
			    quote(t[0], q, sizeof(q)));
	if (read_size(r, t[1], "vertex count N", max_vertices, &st->n, err, errlen) != 0 ||
	    read_size(r, t[2], "arc count M", GRAPH_MAX_VERTICES, &st->m, err, errlen) != 0)
		return -1;
	st->p_line = dsio_lineno(r);
	int64_t ahead = st->m < GRAPH_RESERVE_AHEAD ? st->m : GRAPH_RESERVE_AHEAD;
	if (graph_edges_reserve(e, ahead) != 0)
		return fail(r, err, errlen, "out of memory for %lld arcs", (long long)ahead);
	return 0;
}

static int dimacs_arc(struct dsio *r, struct fields *f, struct dimacs *st,
		      struct graph_edges *e, char *err, size_t errlen)
{
	struct field t[3];
	int64_t u, v;
	int32_t w;

	if (!st->p_line)
		return fail(r, err, errlen, "arc before the 'p sp N M' line");
	if (st->arcs == st->m)
		return fail(r, err, errlen, "more arcs than the %lld declared on the p line (line %lld)",
			    (long long)st->m, (long long)st->p_line);
	if (take_fields(r, f, t, 3, "a u v w", err, errlen) != 0 ||
	    read_id(r, t[0], 1, st->n, &u, err, errlen) != 0 ||
	    read_id(r, t[1], 1, st->n, &v, err, errlen) != 0 ||
	    read_weight(r, t[2], 0, &w, err, errlen) != 0)
		return -1;
	st->arcs++;
	return add_edge(r, e, u - 1, v - 1, w, err, errlen);
}

static int dimacs_line(struct dsio *r, const char *line, long len, struct dimacs *st,
		       int64_t max_vertices, struct graph_edges *e, char *err, size_t errlen)
{
	struct fields f = { line, line + len };
	struct field kind;
	char q[40];

	if (!next_field(&f, &kind) || kind.s[0] == 'c')
		return 0;
	if (field_is(kind, "p"))
		return dimacs_problem(r, &f, st, max_vertices, e, err, errlen);
	if (field_is(kind, "a"))
		return dimacs_arc(r, &f, st, e, err, errlen);
	return fail(r, err, errlen, "unknown line type '%s' (expected c, p or a)",
		    quote(kind, q, sizeof(q)));
}

static int dimacs_arcs(struct dsio *r, struct dimacs *st, int64_t max_vertices,
		       struct graph_edges *e, char *err, size_t errlen)
{
	char *line;
	long len;

	while ((len = dsio_getline(r, &line, err, errlen)) >= 0)
		if (dimacs_line(r, line, len, st, max_vertices, e, err, errlen) != 0)
			return -1;
	if (len == -2)
		return -1;
	if (!st->p_line)
		return rb_error(err, errlen, "%s: no 'p sp N M' line", dsio_name(r));
	if (st->arcs != st->m)
		return fail(r, err, errlen, "the file ends after %lld of the %lld arcs declared on the p line",
			    (long long)st->arcs, (long long)st->m);
	return 0;
}

int graph_parse_dimacs(struct dsio *r, int64_t max_vertices, struct ds_graph *out,
		       char *err, size_t errlen)
{
	struct graph_edges e = { .weighted = 1 };
	struct dimacs st = { 0 };
	int64_t limit = vertex_limit(max_vertices);

	memset(out, 0, sizeof(*out));
	int rc = dimacs_arcs(r, &st, limit, &e, err, errlen);
	if (rc == 0)
		rc = build_named(r, &e, st.n, 1, 0, limit, out, err, errlen);
	graph_edges_free(&e);
	return rc;
}

/* ---- MatrixMarket ----------------------------------------------------------------- */

enum mtx_field { MTX_PATTERN, MTX_INTEGER, MTX_REAL };

struct mtx {
	enum mtx_field field;
	int symmetric;
	int64_t rows, cols, nnz, entries, size_line;
};

static int mtx_kind(struct dsio *r, const struct field *t, struct mtx *h, char *err,
		    size_t errlen)
{
	char q[40];

	if (field_is(t[3], "pattern"))
		h->field = MTX_PATTERN;
	else if (field_is(t[3], "integer"))
		h->field = MTX_INTEGER;
	else if (field_is(t[3], "real"))
		h->field = MTX_REAL;
	else
		return fail(r, err, errlen, "field '%s' is not supported (expected pattern, integer or real)",
			    quote(t[3], q, sizeof(q)));
	if (field_is(t[4], "symmetric"))
		h->symmetric = 1;
	else if (!field_is(t[4], "general"))
		return fail(r, err, errlen, "symmetry '%s' is not supported (expected general or symmetric)",
			    quote(t[4], q, sizeof(q)));
	return 0;
}

#define MTX_BANNER "%%MatrixMarket matrix coordinate <field> <symmetry>"

static int mtx_banner(struct dsio *r, struct mtx *h, char *err, size_t errlen)
{
	char *line, q[40];
	long len = dsio_getline(r, &line, err, errlen);
	struct field t[5];

	if (len == -2)
		return -1;
	if (len < 0)
		return rb_error(err, errlen, "%s: empty file (expected '" MTX_BANNER "')", dsio_name(r));
	struct fields f = { line, line + len };
	if (!next_field(&f, &t[0]) || !field_is(t[0], "%%MatrixMarket"))
		return fail(r, err, errlen, "not a MatrixMarket header (expected '" MTX_BANNER "')");
	if (take_fields(r, &f, t + 1, 4, MTX_BANNER, err, errlen) != 0)
		return -1;
	if (!field_is(t[1], "matrix"))
		return fail(r, err, errlen, "object '%s' is not 'matrix'", quote(t[1], q, sizeof(q)));
	if (!field_is(t[2], "coordinate"))
		return fail(r, err, errlen, "format '%s' is not 'coordinate' (a dense array is not a graph)",
			    quote(t[2], q, sizeof(q)));
	return mtx_kind(r, t, h, err, errlen);
}

static int mtx_size(struct dsio *r, struct fields *f, struct mtx *h, int64_t max_vertices,
		    struct graph_edges *e, char *err, size_t errlen)
{
	struct field t[3];

	if (take_fields(r, f, t, 3, "rows cols nnz", err, errlen) != 0 ||
	    read_size(r, t[0], "row count", max_vertices, &h->rows, err, errlen) != 0 ||
	    read_size(r, t[1], "column count", max_vertices, &h->cols, err, errlen) != 0 ||
	    read_size(r, t[2], "entry count nnz", GRAPH_MAX_VERTICES, &h->nnz, err, errlen) != 0)
		return -1;
	if (h->rows != h->cols)
		return fail(r, err, errlen, "the matrix is %lld x %lld: a graph needs a square matrix",
			    (long long)h->rows, (long long)h->cols);
	h->size_line = dsio_lineno(r);
	int64_t ahead = h->nnz < GRAPH_RESERVE_AHEAD ? h->nnz : GRAPH_RESERVE_AHEAD;
	if (graph_edges_reserve(e, ahead) != 0)
		return fail(r, err, errlen, "out of memory for %lld entries", (long long)ahead);
	return 0;
}

static int mtx_entry(struct dsio *r, struct fields *f, struct mtx *h, struct graph_edges *e,
		     char *err, size_t errlen)
{
	struct field t[3];
	int64_t i, j;
	int32_t w = 0;
	int count = h->field == MTX_PATTERN ? 2 : 3;

	if (h->entries == h->nnz)
		return fail(r, err, errlen, "more entries than the %lld declared on the size line (line %lld)",
			    (long long)h->nnz, (long long)h->size_line);
	if (take_fields(r, f, t, count, count == 2 ? "i j" : "i j value", err, errlen) != 0 ||
	    read_id(r, t[0], 1, h->rows, &i, err, errlen) != 0 ||
	    read_id(r, t[1], 1, h->cols, &j, err, errlen) != 0)
		return -1;
	if (h->field == MTX_INTEGER && read_weight(r, t[2], INT32_MIN, &w, err, errlen) != 0)
		return -1;
	if (h->field == MTX_REAL && read_real(r, t[2], err, errlen) != 0)
		return -1;
	h->entries++;
	return add_edge(r, e, i - 1, j - 1, w, err, errlen);
}

static int mtx_body(struct dsio *r, struct mtx *h, int64_t max_vertices, struct graph_edges *e,
		    char *err, size_t errlen)
{
	char *line;
	long len;

	while ((len = dsio_getline(r, &line, err, errlen)) >= 0) {
		struct fields f = { line, line + len }, peek = f;
		struct field first;
		if (!next_field(&peek, &first) || first.s[0] == '%')
			continue;
		int rc = h->size_line ? mtx_entry(r, &f, h, e, err, errlen)
				      : mtx_size(r, &f, h, max_vertices, e, err, errlen);
		if (rc != 0)
			return -1;
	}
	if (len == -2)
		return -1;
	if (!h->size_line)
		return rb_error(err, errlen, "%s: no size line 'rows cols nnz'", dsio_name(r));
	if (h->entries != h->nnz)
		return fail(r, err, errlen, "the file ends after %lld of the %lld entries declared on the size line",
			    (long long)h->entries, (long long)h->nnz);
	return 0;
}

int graph_parse_mtx(struct dsio *r, int symmetrize, int64_t max_vertices,
		    struct ds_graph *out, char *err, size_t errlen)
{
	struct graph_edges e = { 0 };
	struct mtx h = { 0 };
	int64_t limit = vertex_limit(max_vertices);

	memset(out, 0, sizeof(*out));
	if (mtx_banner(r, &h, err, errlen) != 0)
		return -1;
	e.weighted = h.field == MTX_INTEGER;
	int rc = mtx_body(r, &h, limit, &e, err, errlen);
	if (rc == 0)
		rc = build_named(r, &e, h.rows, symmetrize || h.symmetric, 0, limit, out, err, errlen);
	graph_edges_free(&e);
	return rc;
}

/* ---- files ------------------------------------------------------------------------ */

int graph_load_snap(const char *path, int symmetrize, struct ds_graph *out, char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = graph_parse_snap(r, symmetrize, GRAPH_MAX_VERTICES, out, err, errlen);
	dsio_close(r);
	return rc;
}

int graph_load_dimacs(const char *path, struct ds_graph *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = graph_parse_dimacs(r, GRAPH_MAX_VERTICES, out, err, errlen);
	dsio_close(r);
	return rc;
}

int graph_load_mtx(const char *path, int symmetrize, struct ds_graph *out, char *err,
		   size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = graph_parse_mtx(r, symmetrize, GRAPH_MAX_VERTICES, out, err, errlen);
	dsio_close(r);
	return rc;
}
