/*
 * graph: edge lists into the CSR form of struct ds_graph, and the loaders of the three
 * graph file formats the suite reads: SNAP edge lists, DIMACS shortest-path .gr files and
 * MatrixMarket coordinate matrices. Every file is read through dsio, so plain, gzip,
 * bzip2 and xz copies load alike.
 *
 * A loader either returns a whole, well-formed graph or refuses the file with one line
 * "path:line: what is wrong" (or "path: ... byte offset N" for a damaged compressed
 * stream) and leaves `out` empty: never a partial graph. Each loader has a _parse twin
 * that reads an open dsio stream (fuzz targets and tests feed it memory buffers) and
 * takes the largest vertex count it accepts (<= 0 means GRAPH_MAX_VERTICES), so a
 * fuzzer can refuse a tiny file declaring two billion vertices before anything is
 * allocated for them; the loaders accept up to GRAPH_MAX_VERTICES.
 */
#ifndef GRAPH_H
#define GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "datasets/dsio.h"

/* Vertex ids are int32 in the CSR, so no graph has more vertices than this; declared
 * sizes (DIMACS N and M, MatrixMarket rows, cols and nnz) above it are refused. */
#define GRAPH_MAX_VERTICES INT32_MAX

/* A growable edge list in original ids. Zero-initialise it, set `weighted` before the
 * first add when the edges carry weights, and free it with graph_edges_free. */
struct graph_edges {
	int64_t *u, *v;      /* endpoints; ids as the source numbered them */
	int32_t *w;          /* weights when `weighted`, else NULL */
	int64_t len, cap;
	int weighted;
};

/* Append u -> v (w is ignored for an unweighted list). 0, or -1 when out of memory. */
int graph_edges_add(struct graph_edges *e, int64_t u, int64_t v, int32_t w);
/* Make room for `cap` edges in all; -1 when out of memory. */
int graph_edges_reserve(struct graph_edges *e, int64_t cap);
void graph_edges_free(struct graph_edges *e);

/*
 * Build the CSR graph of an edge list into `out` (overwritten; free with ds_graph_free).
 *   n:           the vertex count, every id must lie in 0..n-1; or -1 to take it from
 *                the ids (the largest id + 1, or the number of distinct ids when
 *                compacting).
 *   symmetrize:  store every edge in both directions (an undirected graph, m even);
 *                otherwise u -> v only (a directed graph).
 *   compact_ids: renumber the ids that occur to 0..n'-1 in increasing order of the
 *                original id (SNAP ids can be sparse); vertices without edges vanish.
 * Self loops are dropped; duplicate edges are merged into one, and a weighted duplicate
 * keeps the smallest weight (the shortest of parallel roads; with symmetrize, u->v and
 * v->u are duplicates of each other, so both directions get the same weight).
 * Neighbours come out sorted. Linear time and memory (two counting sorts; compacting
 * very sparse ids adds a hash table and a sort of the distinct ids). About 0.75 s and
 * 330 MB for 10^7 edges on 10^6 vertices. The ids in `e` may be rewritten (to
 * their compacted values); `e` still belongs to the caller. Returns 0, or -1 with a
 * reason in err and `out` empty.
 */
int graph_build(struct graph_edges *e, int64_t n, int symmetrize, int compact_ids,
		struct ds_graph *out, char *err, size_t errlen);

/* Check what struct ds_graph promises: rowptr non-decreasing from 0 to m, neighbours in
 * 0..n-1 and strictly increasing within a row (sorted, no duplicates), no self loops;
 * with `undirected` also v in adj(u) iff u in adj(v), with the same weight both ways.
 * For verifiers and tests: 0, or -1 with the first violation in err. O(m log degree). */
int graph_validate(const struct ds_graph *g, int undirected, char *err, size_t errlen);

/*
 * SNAP edge list: '#' comment lines, then "u v" per line (tab or spaces), ids
 * non-negative integers, possibly sparse: they are compacted to 0..n-1 in increasing
 * order. symmetrize: undirected (both directions stored; an edge listed both ways is
 * stored once each way); otherwise directed as listed. Blank lines are allowed; a line
 * with other than two ids, or a file without edges, is refused.
 */
int graph_load_snap(const char *path, int symmetrize, struct ds_graph *out, char *err,
		    size_t errlen);
int graph_parse_snap(struct dsio *r, int symmetrize, int64_t max_vertices,
		     struct ds_graph *out, char *err, size_t errlen);

/*
 * DIMACS shortest-path graph (.gr, 9th DIMACS challenge): 'c' comment lines, one
 * "p sp N M" line before any arc, then M lines "a u v w" with ids in 1..N and an
 * integer weight 0..2^31-1. The graph is undirected (a road is two opposite arcs):
 * symmetrized, duplicates merged keeping the smallest weight, vertices 0..N-1 (isolated
 * ones kept), weights in `weight`.
 */
int graph_load_dimacs(const char *path, struct ds_graph *out, char *err, size_t errlen);
int graph_parse_dimacs(struct dsio *r, int64_t max_vertices, struct ds_graph *out,
		       char *err, size_t errlen);

/*
 * MatrixMarket "%%MatrixMarket matrix coordinate <field> <symmetry>" with field
 * pattern, integer or real and symmetry general or symmetric; '%' comment lines, the
 * size line "rows cols nnz" (rows must equal cols), then nnz 1-based entries "i j
 * [value]". Entry (i, j) is the edge i-1 -> j-1. A symmetric matrix is always expanded
 * to both directions; a general one is when `symmetrize` is set. Integer values become
 * weights (any int32); real values are checked to be finite numbers but not kept
 * (ds_graph weights are int32), so a real matrix loads as its unweighted structure.
 * Vertices are 0..rows-1, isolated ones kept; diagonal entries are dropped.
 */
int graph_load_mtx(const char *path, int symmetrize, struct ds_graph *out, char *err,
		   size_t errlen);
int graph_parse_mtx(struct dsio *r, int symmetrize, int64_t max_vertices,
		    struct ds_graph *out, char *err, size_t errlen);

#endif
