/*
 * gen_graph: seeded graph generators, the stand-ins when a real graph is absent and the
 * way to scale a graph experiment freely. Each produces an undirected DS_GRAPH dataset
 * (CSR, sorted neighbours, no self loops or duplicates, m = 2 |E|) that is the same,
 * byte for byte, for the same parameters on every platform and thread count: they run
 * sequentially on algorithms/kernels/rng streams, with integer or IEEE-exact arithmetic.
 *
 *   graph_er    Erdos-Renyi G(n, m): m distinct edges drawn uniformly from all
 *               n(n-1)/2 pairs (Floyd's sampling, so exactly m).
 *   graph_rmat  R-MAT / Kronecker with the Graph500 parameters (a, b, c, d) =
 *               (0.57, 0.19, 0.19, 0.05): 2^scale vertices, edge_factor * 2^scale
 *               edges drawn, vertex ids randomly permuted as the Graph500 reference
 *               generator does; self loops and repeats are then dropped, so |E| is
 *               somewhat below edge_factor * 2^scale. A skewed, social-network-like
 *               degree distribution.
 *   graph_grid  rows x cols 4-neighbour grid (no wrap-around), 2rc - r - c edges;
 *               vertex r * cols + c; coordinates are the cell centres in the unit square.
 *   graph_rgg   random geometric graph: n points uniform in the unit square, an edge
 *               between points closer than the radius; the road-network stand-in
 *               (planar-like, bounded degree, long paths). Coordinates are stored, and
 *               weights (optional) are edge lengths in units of 1e-6 of the side.
 *
 * Each has a parameter table, a generate function and a checksum, the SHA-256 of
 * "<name>/v1" and every name=value in table order (the catalog's interface, like
 * synth_logreg): the dataset's identity, known before any data exists. A generator's
 * version is bumped whenever the same parameters would give different bytes.
 *
 * generate: `ps` holds every parameter of the table, validated. Returns 0, or -1 with a
 * reason in err (a combination the table cannot express, or no memory) and `out` left
 * empty; free the result with ds_dataset_free.
 */
#ifndef GEN_GRAPH_H
#define GEN_GRAPH_H

#include <stddef.h>

#include "datasets/dataset.h"
#include "suite/params.h"

extern const struct rb_param_spec gengraph_er_params[];
int gengraph_er_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			 size_t errlen);
void gengraph_er_checksum(const struct rb_paramset *ps, char out[65]);

extern const struct rb_param_spec gengraph_rmat_params[];
int gengraph_rmat_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			   size_t errlen);
void gengraph_rmat_checksum(const struct rb_paramset *ps, char out[65]);

extern const struct rb_param_spec gengraph_grid_params[];
int gengraph_grid_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			   size_t errlen);
void gengraph_grid_checksum(const struct rb_paramset *ps, char out[65]);

extern const struct rb_param_spec gengraph_rgg_params[];
int gengraph_rgg_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			  size_t errlen);
void gengraph_rgg_checksum(const struct rb_paramset *ps, char out[65]);

/* The radius at which a random geometric graph on n points in the unit square has
 * expected average degree avg_degree (boundary effects included); 0 when no radius
 * up to 1 gives that degree. */
double gengraph_rgg_radius(int64_t n, double avg_degree);

#endif
