/*
 * gen_graph: Erdos-Renyi G(n, m), Graph500 R-MAT, 2D grid and random geometric graphs.
 *
 * Everything but the grid draws an edge list and hands it to graph_build (symmetrize,
 * drop self loops and repeats, sort), so the CSR invariants hold by one construction.
 * Streams of data_seed: 0 permutes vertex ids (R-MAT), 1 draws the edges or points.
 *
 * G(n, m): Floyd's algorithm ("Programming Pearls: a sample of brilliance", CACM 1987)
 * draws m distinct pair indices from [0, n(n-1)/2) in exactly m steps whatever the
 * density; an index is turned into a pair through the circulant enumeration {i, i + d
 * mod n}, d = 1..(n-1)/2 (plus d = n/2, i < n/2, for even n), which needs no square
 * root and so stays exact for n up to 2^31.
 *
 * R-MAT: the Graph500 reference generator (graph500.org, "Kronecker generator" in the
 * specification's octave code): per level, the row bit is 1 with probability c + d and
 * the column bit is 1 with probability b / (a + b) or d / (c + d) given the row bit.
 * Both comparisons use 32-bit halves of one 64-bit draw against thresholds scaled to
 * 2^32 (resolution 2^-32, far below the parameters' precision): integer arithmetic,
 * half the draws of two doubles.
 *
 * RGG: for two uniform points in the unit square, P(distance <= r) = pi r^2 - 8/3 r^3
 * + r^4 / 2 for r <= 1 (the square's boundary removes the r^3 and r^4 terms), so the
 * radius for an expected average degree d solves (n - 1) P(r) = d; it is found by
 * bisection. Points are binned in a grid of cells no smaller than r, and each cell is
 * compared with itself and four of its eight neighbours (every pair once): O(n + m)
 * instead of O(n^2). Vertices are numbered in cell order, row by row, which gives the
 * spatial locality of a real road network's numbering.
 */
#include "datasets/gen_graph.h"
#include "datasets/genid.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "datasets/graph.h"
#include "suite/error.h"

/* Same reason as in rng.c: no fused multiply-add, so distances are bit-reproducible. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define SEED_DOC "generator seed: the same parameters and seed give the same graph everywhere"
#define SEED_MAX 9007199254740991.0
#define PI 3.14159265358979323846
/* RGG weights: edge length in units of 1e-6 of the square's side, as DIMACS .co files
 * store coordinates in units of 1e-6 degree. */
#define RGG_WEIGHT_UNIT 1e6

const struct rb_param_spec gengraph_er_params[] = {
	{ "n", RB_INT, "100000", 2, 2147483647.0, NULL, "vertices" },
	{ "avg_degree", RB_REAL, "8", 0, 1e9, NULL,
	  "average degree 2m/n, used when m is 0: m = round(n * avg_degree / 2)" },
	{ "m", RB_INT, "0", 0, 2147483647.0, NULL,
	  "undirected edges, distinct and uniform over all pairs; 0 takes it from avg_degree" },
	{ "data_seed", RB_INT, "1", 0, SEED_MAX, NULL, SEED_DOC },
	{ 0 },
};

const struct rb_param_spec gengraph_rmat_params[] = {
	{ "scale", RB_INT, "16", 1, 30, NULL, "log2 of the vertex count (Graph500 SCALE)" },
	{ "edge_factor", RB_INT, "16", 1, 1024, NULL,
	  "edges drawn per vertex, before self loops and repeats are dropped (Graph500: 16)" },
	{ "a", RB_REAL, "0.57", 0, 1, NULL, "probability of the top-left quadrant (Graph500: 0.57)" },
	{ "b", RB_REAL, "0.19", 0, 1, NULL, "probability of the top-right quadrant (Graph500: 0.19)" },
	{ "c", RB_REAL, "0.19", 0, 1, NULL, "probability of the bottom-left quadrant (Graph500: 0.19)" },
	{ "d", RB_REAL, "0.05", 0, 1, NULL,
	  "probability of the bottom-right quadrant (Graph500: 0.05); a + b + c + d = 1" },
	{ "data_seed", RB_INT, "1", 0, SEED_MAX, NULL, SEED_DOC },
	{ 0 },
};

const struct rb_param_spec gengraph_grid_params[] = {
	{ "rows", RB_INT, "316", 1, 2147483647.0, NULL, "grid rows" },
	{ "cols", RB_INT, "316", 1, 2147483647.0, NULL,
	  "grid columns; rows * cols vertices, at most 2^31 - 1" },
	{ 0 },
};

const struct rb_param_spec gengraph_rgg_params[] = {
	{ "n", RB_INT, "100000", 2, 2147483647.0, NULL, "points, uniform in the unit square" },
	{ "avg_degree", RB_REAL, "6", 0, 1e9, NULL,
	  "expected average degree, used when radius is 0 (boundary effects included)" },
	{ "radius", RB_REAL, "0", 0, 1.5, NULL,
	  "connection radius; 0 derives it from avg_degree" },
	{ "weights", RB_CHOICE, "distance", 0, 0, "distance|none",
	  "edge weights: length in units of 1e-6 of the side (at least 1), or none" },
	{ "data_seed", RB_INT, "1", 0, SEED_MAX, NULL, SEED_DOC },
	{ 0 },
};

/* ---- identity --------------------------------------------------------------------- */

/* Every graph generator is at version 1 of what it generates. */
static void checksum(const char *name, const struct rb_param_spec *table,
		     const struct rb_paramset *ps, char out[65])
{
	char tag[64];
	snprintf(tag, sizeof(tag), "%s/v1", name);
	genid_checksum(tag, table, ps, out);
}

static void fill_identity(const char *name, const struct rb_param_spec *table,
			  const struct rb_paramset *ps, struct ds_dataset *out)
{
	char tag[64];
	snprintf(tag, sizeof(tag), "%s/v1", name);
	genid_fill(name, tag, table, ps, out);
	out->kind = DS_GRAPH;
}

static int64_t get_int(const struct rb_paramset *ps, const char *name)
{
	return (int64_t)rb_paramset_get(ps, name)->i;
}

static double get_real(const struct rb_paramset *ps, const char *name)
{
	return rb_paramset_get(ps, name)->r;
}

/* graph_build of an undirected edge list into the dataset; the list is freed. */
static int build_into(struct graph_edges *e, int64_t n, struct ds_dataset *out, char *err,
		      size_t errlen)
{
	int rc = graph_build(e, n, 1, 0, &out->graph, err, errlen);
	graph_edges_free(e);
	return rc;
}

static int out_of_memory(const char *name, struct ds_dataset *out, char *err, size_t errlen)
{
	ds_dataset_free(out);
	return rb_error(err, errlen, "%s: out of memory", name);
}

/* ---- G(n, m) ---------------------------------------------------------------------- */

/* Open addressing over pair indices (stored + 1, so 0 marks an empty slot). */
struct pair_set {
	uint64_t *slot;
	uint64_t mask;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int pair_set_init(struct pair_set *s, int64_t count)
{
	uint64_t cap = 16;
	while (cap < 2 * (uint64_t)count)
		cap *= 2;
	s->slot = calloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
	return s->slot ? 0 : -1;
}

/* 1 when inserted, 0 when already there. */
static int pair_set_insert(struct pair_set *s, uint64_t key)
{
	for (uint64_t i = mix64(key) & s->mask;; i = (i + 1) & s->mask) {
		if (s->slot[i] == key + 1)
			return 0;
		if (s->slot[i] == 0) {
			s->slot[i] = key + 1;
			return 1;
		}
	}
}

/* Pair index k in [0, n(n-1)/2) to the pair {i, i + d mod n} (see the header comment). */
static void pair_of_index(uint64_t k, uint64_t n, int64_t *u, int64_t *v)
{
	uint64_t full = n * ((n - 1) / 2), i, d;

	if (k < full) {
		d = 1 + k / n;
		i = k % n;
	} else {
		d = n / 2;
		i = k - full;
	}
	*u = (int64_t)i;
	*v = (int64_t)((i + d) % n);
}

static int er_edge_count(const struct rb_paramset *ps, int64_t n, int64_t *m, char *err,
			 size_t errlen)
{
	uint64_t pairs = (uint64_t)n * (uint64_t)(n - 1) / 2;
	double wanted = floor((double)n * get_real(ps, "avg_degree") / 2.0 + 0.5);

	*m = get_int(ps, "m");
	if (*m == 0 && wanted > 2147483647.0)
		return rb_error(err, errlen, "graph_er: n * avg_degree / 2 = %.0f edges: more than 2^31 - 1",
				wanted);
	if (*m == 0)
		*m = (int64_t)wanted;
	if ((uint64_t)*m > pairs)
		return rb_error(err, errlen, "graph_er: %lld edges, but %lld vertices have only %llu pairs",
				(long long)*m, (long long)n, (unsigned long long)pairs);
	return 0;
}

static int er_edges(int64_t n, int64_t m, uint64_t seed, struct graph_edges *e)
{
	uint64_t pairs = (uint64_t)n * (uint64_t)(n - 1) / 2;
	struct pair_set s;
	struct rng r;

	if (pair_set_init(&s, m) != 0)
		return -1;
	rng_seed(&r, seed, 1);
	for (uint64_t j = pairs - (uint64_t)m; j < pairs; j++)
		if (!pair_set_insert(&s, rng_below(&r, j + 1)))
			pair_set_insert(&s, j);
	int rc = graph_edges_reserve(e, m);
	for (uint64_t i = 0; rc == 0 && i <= s.mask; i++) {
		if (!s.slot[i])
			continue;
		int64_t u, v;
		pair_of_index(s.slot[i] - 1, (uint64_t)n, &u, &v);
		rc = graph_edges_add(e, u, v, 0);
	}
	free(s.slot);
	return rc;
}

void gengraph_er_checksum(const struct rb_paramset *ps, char out[65])
{
	checksum("graph_er", gengraph_er_params, ps, out);
}

int gengraph_er_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			 size_t errlen)
{
	struct graph_edges e = { 0 };
	int64_t n = get_int(ps, "n"), m;

	memset(out, 0, sizeof(*out));
	if (er_edge_count(ps, n, &m, err, errlen) != 0)
		return -1;
	fill_identity("graph_er", gengraph_er_params, ps, out);
	if (er_edges(n, m, (uint64_t)get_int(ps, "data_seed"), &e) != 0) {
		graph_edges_free(&e);
		return out_of_memory("graph_er", out, err, errlen);
	}
	if (build_into(&e, n, out, err, errlen) != 0)
		return out_of_memory("graph_er", out, err, errlen);
	return 0;
}

/* ---- R-MAT (Graph500) ------------------------------------------------------------- */

/* Graph500's per-level probabilities as thresholds on 32-bit uniforms. */
struct rmat_thresholds {
	uint64_t ab;       /* row bit 0 below it: P = a + b */
	uint64_t a_norm;   /* column bit 0 below it, row bit 0: P = a / (a + b) */
	uint64_t c_norm;   /* column bit 0 below it, row bit 1: P = c / (c + d) */
};

static uint64_t threshold32(double p)
{
	return (uint64_t)(p * 4294967296.0);
}

static int rmat_thresholds(const struct rb_paramset *ps, struct rmat_thresholds *t, char *err,
			   size_t errlen)
{
	double a = get_real(ps, "a"), b = get_real(ps, "b"), c = get_real(ps, "c"),
	       d = get_real(ps, "d");

	if (fabs(a + b + c + d - 1.0) > 1e-6)
		return rb_error(err, errlen, "graph_rmat: a + b + c + d = %.17g, not 1", a + b + c + d);
	t->ab = threshold32(a + b);
	t->a_norm = threshold32(a + b > 0 ? a / (a + b) : 0);
	t->c_norm = threshold32(c + d > 0 ? c / (c + d) : 0);
	return 0;
}

static void rmat_edge(struct rng *r, const struct rmat_thresholds *t, int scale, int64_t *u,
		      int64_t *v)
{
	int64_t i = 0, j = 0;

	for (int bit = 0; bit < scale; bit++) {
		uint64_t x = rng_next_u64(r);
		int64_t row = (x >> 32) >= t->ab;
		int64_t col = (x & 0xffffffffULL) >= (row ? t->c_norm : t->a_norm);
		i |= row << bit;
		j |= col << bit;
	}
	*u = i;
	*v = j;
}

static int rmat_edges(int scale, int64_t count, const struct rmat_thresholds *t,
		      uint64_t seed, struct graph_edges *e)
{
	int64_t n = (int64_t)1 << scale;
	int64_t *perm = malloc((size_t)n * sizeof(*perm));
	struct rng r;

	if (!perm || graph_edges_reserve(e, count) != 0) {
		free(perm);
		return -1;
	}
	for (int64_t i = 0; i < n; i++)
		perm[i] = i;
	rng_seed(&r, seed, 0);
	rng_shuffle_int(&r, perm, n);
	rng_seed(&r, seed, 1);
	for (int64_t k = 0; k < count; k++) {
		int64_t u, v;
		rmat_edge(&r, t, scale, &u, &v);
		graph_edges_add(e, perm[u], perm[v], 0); /* reserved above: cannot fail */
	}
	free(perm);
	return 0;
}

void gengraph_rmat_checksum(const struct rb_paramset *ps, char out[65])
{
	checksum("graph_rmat", gengraph_rmat_params, ps, out);
}

int gengraph_rmat_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			   size_t errlen)
{
	struct graph_edges e = { 0 };
	struct rmat_thresholds t = { 0 };
	int scale = (int)get_int(ps, "scale");
	int64_t count = get_int(ps, "edge_factor") << scale;

	memset(out, 0, sizeof(*out));
	if (rmat_thresholds(ps, &t, err, errlen) != 0)
		return -1;
	if (count > INT32_MAX)
		return rb_error(err, errlen, "graph_rmat: edge_factor * 2^scale = %lld edges: more than 2^31 - 1",
				(long long)count);
	fill_identity("graph_rmat", gengraph_rmat_params, ps, out);
	if (rmat_edges(scale, count, &t, (uint64_t)get_int(ps, "data_seed"), &e) != 0) {
		graph_edges_free(&e);
		return out_of_memory("graph_rmat", out, err, errlen);
	}
	if (build_into(&e, (int64_t)1 << scale, out, err, errlen) != 0)
		return out_of_memory("graph_rmat", out, err, errlen);
	return 0;
}

/* ---- grid ------------------------------------------------------------------------- */

/* Neighbours in increasing id order: up, left, right, down. */
static int64_t grid_row(int64_t r, int64_t c, int64_t rows, int64_t cols, int32_t *adj)
{
	int64_t id = r * cols + c, k = 0;

	if (r > 0)
		adj[k++] = (int32_t)(id - cols);
	if (c > 0)
		adj[k++] = (int32_t)(id - 1);
	if (c + 1 < cols)
		adj[k++] = (int32_t)(id + 1);
	if (r + 1 < rows)
		adj[k++] = (int32_t)(id + cols);
	return k;
}

static int grid_fill(int64_t rows, int64_t cols, struct ds_graph *g)
{
	int64_t n = rows * cols;

	g->n = n;
	g->m = 2 * (2 * rows * cols - rows - cols);
	g->rowptr = malloc((size_t)(n + 1) * sizeof(*g->rowptr));
	g->adj = malloc((size_t)(g->m > 0 ? g->m : 1) * sizeof(*g->adj));
	g->coords = malloc((size_t)(2 * n) * sizeof(*g->coords));
	if (!g->rowptr || !g->adj || !g->coords)
		return -1;
	g->rowptr[0] = 0;
	for (int64_t r = 0; r < rows; r++) {
		for (int64_t c = 0; c < cols; c++) {
			int64_t id = r * cols + c;
			g->rowptr[id + 1] = g->rowptr[id] + grid_row(r, c, rows, cols, g->adj + g->rowptr[id]);
			g->coords[2 * id] = ((double)c + 0.5) / (double)cols;
			g->coords[2 * id + 1] = ((double)r + 0.5) / (double)rows;
		}
	}
	return 0;
}

void gengraph_grid_checksum(const struct rb_paramset *ps, char out[65])
{
	checksum("graph_grid", gengraph_grid_params, ps, out);
}

int gengraph_grid_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			   size_t errlen)
{
	int64_t rows = get_int(ps, "rows"), cols = get_int(ps, "cols");

	memset(out, 0, sizeof(*out));
	if (rows > GRAPH_MAX_VERTICES / cols)
		return rb_error(err, errlen, "graph_grid: %lld x %lld vertices: more than 2^31 - 1",
				(long long)rows, (long long)cols);
	fill_identity("graph_grid", gengraph_grid_params, ps, out);
	if (grid_fill(rows, cols, &out->graph) != 0)
		return out_of_memory("graph_grid", out, err, errlen);
	return 0;
}

/* ---- random geometric graph ------------------------------------------------------- */

/* P(|p - q| <= r) for p, q uniform in the unit square, r <= 1. */
static double pair_probability(double r)
{
	return r * r * (PI - 8.0 / 3.0 * r + 0.5 * r * r);
}

double gengraph_rgg_radius(int64_t n, double avg_degree)
{
	double target = n > 1 ? avg_degree / (double)(n - 1) : 0;
	double lo = 0, hi = 1;

	if (!(target > 0) || target > pair_probability(1.0))
		return 0;
	/* P is increasing on [0, 1]: bisect until the interval stops shrinking. */
	for (;;) {
		double mid = 0.5 * (lo + hi);
		if (mid <= lo || mid >= hi)
			return hi;
		if (pair_probability(mid) < target)
			lo = mid;
		else
			hi = mid;
	}
}

/* Points binned into k x k cells of side 1/k >= radius, in cell order. */
struct rgg_cells {
	int64_t k;
	int64_t *start;     /* k*k + 1: points of cell c are start[c] .. start[c+1]-1 */
	double *xy;         /* 2n coordinates in cell order: the graph's coords */
};

static int64_t cell_of(double x, double y, int64_t k)
{
	int64_t cx = (int64_t)(x * (double)k), cy = (int64_t)(y * (double)k);
	cx = cx < k ? cx : k - 1;
	cy = cy < k ? cy : k - 1;
	return cy * k + cx;
}

static int64_t cells_per_side(int64_t n, double radius)
{
	double most = floor(sqrt((double)n));
	double k = floor(1.0 / radius);
	if (k > most)
		k = most;
	return k >= 1 ? (int64_t)k : 1;
}

/* Draw the points and counting-sort them by cell (stable in draw order). */
static int rgg_points(int64_t n, double radius, uint64_t seed, struct rgg_cells *cells)
{
	int64_t k = cells_per_side(n, radius);
	double *drawn = malloc((size_t)(2 * n) * sizeof(*drawn));
	struct rng r;

	cells->k = k;
	cells->start = calloc((size_t)(k * k + 1), sizeof(*cells->start));
	cells->xy = malloc((size_t)(2 * n) * sizeof(*cells->xy));
	if (!drawn || !cells->start || !cells->xy) {
		free(drawn);
		return -1;
	}
	rng_seed(&r, seed, 1);
	for (int64_t i = 0; i < 2 * n; i++)
		drawn[i] = rng_uniform(&r);
	for (int64_t i = 0; i < n; i++)
		cells->start[cell_of(drawn[2 * i], drawn[2 * i + 1], k) + 1]++;
	for (int64_t c = 1; c <= k * k; c++)
		cells->start[c] += cells->start[c - 1];
	for (int64_t i = 0; i < n; i++) {
		int64_t p = cells->start[cell_of(drawn[2 * i], drawn[2 * i + 1], k)]++;
		cells->xy[2 * p] = drawn[2 * i];
		cells->xy[2 * p + 1] = drawn[2 * i + 1];
	}
	memmove(cells->start + 1, cells->start, (size_t)(k * k) * sizeof(*cells->start));
	cells->start[0] = 0;
	free(drawn);
	return 0;
}

static int rgg_pair(const double *xy, int64_t p, int64_t q, double radius,
		    struct graph_edges *e)
{
	double dx = xy[2 * p] - xy[2 * q], dy = xy[2 * p + 1] - xy[2 * q + 1];
	double d2 = dx * dx + dy * dy;

	if (d2 > radius * radius)
		return 0;
	double w = ceil(sqrt(d2) * RGG_WEIGHT_UNIT);
	return graph_edges_add(e, p, q, w >= 1 ? (int32_t)w : 1);
}

/* Pairs between cell a and cell b (a == b: each unordered pair once). */
static int rgg_cell_pairs(const struct rgg_cells *cells, int64_t a, int64_t b, double radius,
			  struct graph_edges *e)
{
	for (int64_t p = cells->start[a]; p < cells->start[a + 1]; p++) {
		int64_t q0 = a == b ? p + 1 : cells->start[b];
		for (int64_t q = q0; q < cells->start[b + 1]; q++)
			if (rgg_pair(cells->xy, p, q, radius, e) != 0)
				return -1;
	}
	return 0;
}

static int rgg_edges(const struct rgg_cells *cells, double radius, struct graph_edges *e)
{
	/* The cell itself and the half of its neighbours ahead of it in cell order. */
	static const int dx[] = { 0, 1, -1, 0, 1 }, dy[] = { 0, 0, 1, 1, 1 };
	int64_t k = cells->k;

	for (int64_t cy = 0; cy < k; cy++) {
		for (int64_t cx = 0; cx < k; cx++) {
			for (int s = 0; s < 5; s++) {
				int64_t nx = cx + dx[s], ny = cy + dy[s];
				if (nx < 0 || nx >= k || ny >= k)
					continue;
				if (rgg_cell_pairs(cells, cy * k + cx, ny * k + nx, radius, e) != 0)
					return -1;
			}
		}
	}
	return 0;
}

static int rgg_radius(const struct rb_paramset *ps, int64_t n, double *radius, char *err,
		      size_t errlen)
{
	double avg = get_real(ps, "avg_degree");

	*radius = get_real(ps, "radius");
	if (*radius > 0)
		return 0;
	*radius = gengraph_rgg_radius(n, avg);
	if (*radius > 0)
		return 0;
	return rb_error(err, errlen, "graph_rgg: no radius up to 1 gives average degree %g on %lld points "
			"(it must lie in (0, %.4g]); set radius instead", avg, (long long)n,
			(double)(n - 1) * pair_probability(1.0));
}

static int rgg_build(int64_t n, double radius, const struct rb_paramset *ps,
		     struct ds_dataset *out, char *err, size_t errlen)
{
	struct rgg_cells cells = { 0 };
	struct graph_edges e = { .weighted = strcmp(rb_paramset_get(ps, "weights")->s, "none") != 0 };
	double expected = (double)n * (double)(n - 1) * 0.5 * pair_probability(radius < 1 ? radius : 1);
	int rc = rgg_points(n, radius, (uint64_t)get_int(ps, "data_seed"), &cells);

	if (rc == 0)
		rc = graph_edges_reserve(&e, (int64_t)(expected * 1.05) + 1024);
	if (rc == 0)
		rc = rgg_edges(&cells, radius, &e);
	free(cells.start);
	if (rc == 0 && build_into(&e, n, out, err, errlen) == 0) {
		out->graph.coords = cells.xy;
		return 0;
	}
	graph_edges_free(&e);
	free(cells.xy);
	return -1;
}

void gengraph_rgg_checksum(const struct rb_paramset *ps, char out[65])
{
	checksum("graph_rgg", gengraph_rgg_params, ps, out);
}

int gengraph_rgg_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			  size_t errlen)
{
	int64_t n = get_int(ps, "n");
	double radius;

	memset(out, 0, sizeof(*out));
	if (rgg_radius(ps, n, &radius, err, errlen) != 0)
		return -1;
	fill_identity("graph_rgg", gengraph_rgg_params, ps, out);
	if (rgg_build(n, radius, ps, out, err, errlen) != 0)
		return out_of_memory("graph_rgg", out, err, errlen);
	return 0;
}
