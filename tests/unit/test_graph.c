/* Unit tests for datasets/graph: graph_build against a brute-force oracle, the three
 * loaders on exact fixtures (plain and gzip), every malformed-input message, and the
 * real graphs of the data mirror when RELAXBENCH_DATA_MIRROR names one. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algorithms/kernels/rng.h"
#include "datasets/graph.h"
#include "tests/unit/testutil.h"

TestSuite(graph);

enum format { SNAP, SNAP_DIRECTED, DIMACS, MTX, MTX_SYMMETRIZE };

static const char *format_name[] = { "snap", "snap-directed", "dimacs", "mtx", "mtx-symmetrize" };

static int load(enum format f, const char *path, struct ds_graph *g, char *err, size_t errlen)
{
	switch (f) {
	case SNAP: return graph_load_snap(path, 1, g, err, errlen);
	case SNAP_DIRECTED: return graph_load_snap(path, 0, g, err, errlen);
	case DIMACS: return graph_load_dimacs(path, g, err, errlen);
	case MTX: return graph_load_mtx(path, 0, g, err, errlen);
	case MTX_SYMMETRIZE: return graph_load_mtx(path, 1, g, err, errlen);
	}
	return -1;
}

static void gzip_file(const char *path, char *gz, size_t len)
{
	char *out;
	snprintf(gz, len, "%s.gz", path);
	int rc = tu_sh(&out, "gzip -c '%s' > '%s'", path, gz);
	cr_assert_eq(rc, 0, "gzip failed: %s", out);
	free(out);
}

struct expect {
	int64_t n, m;
	const int64_t *rowptr;
	const int32_t *adj, *weight;   /* weight NULL: unweighted */
};

static void assert_graph(const struct ds_graph *g, const struct expect *x, const char *what)
{
	cr_assert_eq(g->n, x->n, "%s: n = %lld", what, (long long)g->n);
	cr_assert_eq(g->m, x->m, "%s: m = %lld", what, (long long)g->m);
	cr_assert_arr_eq(g->rowptr, x->rowptr, (size_t)(x->n + 1) * sizeof(int64_t), "%s: rowptr", what);
	cr_assert_arr_eq(g->adj, x->adj, (size_t)x->m * sizeof(int32_t), "%s: adj", what);
	cr_assert_eq(g->weight == NULL, x->weight == NULL, "%s: weighted?", what);
	if (x->weight)
		cr_assert_arr_eq(g->weight, x->weight, (size_t)x->m * sizeof(int32_t), "%s: weights", what);
}

/* Load the fixture as written and gzip-compressed; both must give exactly `x`. */
static void check_fixture(enum format f, const char *name, const char *text,
			  const struct expect *x)
{
	char dir[512], path[1024], gz[1100], err[512] = "";
	const char *paths[2] = { path, gz };

	tu_tmpdir(dir, sizeof(dir));
	tu_write(dir, name, text, path, sizeof(path));
	gzip_file(path, gz, sizeof(gz));
	for (int k = 0; k < 2; k++) {
		struct ds_graph g;
		int rc = load(f, paths[k], &g, err, sizeof(err));
		cr_assert_eq(rc, 0, "%s %s: %s", format_name[f], paths[k], err);
		assert_graph(&g, x, paths[k]);
		int undirected = f != SNAP_DIRECTED && f != MTX;
		cr_assert_eq(graph_validate(&g, undirected, err, sizeof(err)), 0, "%s", err);
		ds_graph_free(&g);
	}
}

/* ---- loaders on exact fixtures ---------------------------------------------------- */

/* Sparse ids 5, 7, 10, 200, 99999 become 0..4; a self loop, a duplicate, an edge listed
 * both ways, blank and comment lines, tabs and spaces, CRLF, no final newline. */
static const char snap_text[] =
	"# Directed graph (each unordered pair of nodes is saved once): fixture.txt\n"
	"# Nodes: 5 Edges: 7\n"
	"# FromNodeId\tToNodeId\n"
	"10\t200\n"
	"200\t10\n"
	"10\t10\n"
	"7   10\r\n"
	"7\t200\n"
	"\n"
	"   \t \n"
	"7\t200\n"
	"99999 7\n"
	"# a comment between edges\n"
	"200\t5";

Test(graph, snap_undirected_exact_csr)
{
	static const int64_t rowptr[] = { 0, 1, 4, 6, 9, 10 };
	static const int32_t adj[] = { 3, 2, 3, 4, 1, 3, 0, 1, 2, 1 };
	struct expect x = { 5, 10, rowptr, adj, NULL };
	check_fixture(SNAP, "fixture.txt", snap_text, &x);
}

Test(graph, snap_directed_exact_csr)
{
	static const int64_t rowptr[] = { 0, 0, 2, 3, 5, 6 };
	static const int32_t adj[] = { 2, 3, 3, 0, 2, 1 };
	struct expect x = { 5, 6, rowptr, adj, NULL };
	check_fixture(SNAP_DIRECTED, "fixture.txt", snap_text, &x);
}

/* Opposite arcs with different weights and parallel arcs keep the smallest weight;
 * vertex 5 has no arc and stays, isolated. */
Test(graph, dimacs_exact_csr_and_weights)
{
	static const char text[] =
		"c 9th DIMACS Implementation Challenge: Shortest Paths\n"
		"c fixture\n"
		"p sp 5 8\n"
		"c arcs follow\n"
		"a 1 2 7\n"
		"a 2 1 7\n"
		"a 2 3 4\n"
		"a 3 2 9\n"
		"a 1 3 12\n"
		"a 3 1 12\n"
		"a 4 3 2\n"
		"a 4 3 1\n";
	static const int64_t rowptr[] = { 0, 2, 4, 7, 8, 8 };
	static const int32_t adj[] = { 1, 2, 0, 2, 0, 1, 3, 2 };
	static const int32_t weight[] = { 7, 12, 7, 4, 12, 4, 1, 1 };
	struct expect x = { 5, 8, rowptr, adj, weight };
	check_fixture(DIMACS, "fixture.gr", text, &x);
}

static const char mtx_general[] =
	"%%MatrixMarket matrix coordinate integer general\n"
	"% a comment\n"
	"%\n"
	"4 4 5\n"
	"1 2 3\n"
	"2 1 5\n"
	"3 3 9\n"
	"4 1 -2\n"
	"2 4 6\n";

Test(graph, mtx_general_directed)
{
	static const int64_t rowptr[] = { 0, 1, 3, 3, 4 };
	static const int32_t adj[] = { 1, 0, 3, 0 };
	static const int32_t weight[] = { 3, 5, 6, -2 };
	struct expect x = { 4, 4, rowptr, adj, weight };
	check_fixture(MTX, "general.mtx", mtx_general, &x);
}

Test(graph, mtx_general_symmetrized)
{
	static const int64_t rowptr[] = { 0, 2, 4, 4, 6 };
	static const int32_t adj[] = { 1, 3, 0, 3, 0, 1 };
	static const int32_t weight[] = { 3, -2, 3, 6, -2, 6 };
	struct expect x = { 4, 6, rowptr, adj, weight };
	check_fixture(MTX_SYMMETRIZE, "general.mtx", mtx_general, &x);
}

/* Real values are checked but not kept: the structure is a triangle. */
Test(graph, mtx_symmetric_real_expands)
{
	static const char text[] =
		"%%MatrixMarket matrix coordinate real symmetric\n"
		"3 3 4\n"
		"1 1 1.5\n"
		"2 1 -0.25\n"
		"3 1 1e3\n"
		"3 2 2.0\n";
	static const int64_t rowptr[] = { 0, 2, 4, 6 };
	static const int32_t adj[] = { 1, 2, 0, 2, 0, 1 };
	struct expect x = { 3, 6, rowptr, adj, NULL };
	check_fixture(MTX, "symmetric.mtx", text, &x);
}

Test(graph, mtx_pattern_symmetric_keeps_isolated_vertices)
{
	static const char text[] =
		"%%matrixmarket MATRIX Coordinate pattern symmetric\n"
		"%\n"
		"5 5 3\n"
		"2 1\n"
		"5 3\n"
		"4 4\n";
	static const int64_t rowptr[] = { 0, 1, 2, 3, 3, 4 };
	static const int32_t adj[] = { 1, 0, 4, 2 };
	struct expect x = { 5, 4, rowptr, adj, NULL };
	check_fixture(MTX, "pattern.mtx", text, &x);
}

Test(graph, mtx_empty_matrix_is_a_graph_without_edges)
{
	static const int64_t rowptr[] = { 0, 0, 0, 0 };
	static const int32_t adj[] = { 0 };
	struct expect x = { 3, 0, rowptr, adj, NULL };
	check_fixture(MTX, "empty.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 0\n", &x);
}

/* ---- malformed inputs -------------------------------------------------------------- */

struct bad {
	enum format f;
	const char *text;
	int line;              /* 0: the message names no line */
	const char *says;
};

#define MM_PAT "%%MatrixMarket matrix coordinate pattern general\n"
#define MM_INT "%%MatrixMarket matrix coordinate integer general\n"
#define MM_REAL "%%MatrixMarket matrix coordinate real general\n"

static const struct bad bad_inputs[] = {
	{ SNAP, "1 2\n3 x\n", 2, "bad token 'x' (expected a vertex id)" },
	{ SNAP, "1 2\n3\n", 2, "missing field 2 (expected 'u v')" },
	{ SNAP, "# c\n1 2 3\n", 2, "unexpected '3'" },
	{ SNAP, "1 -2\n", 1, "negative vertex id -2" },
	{ SNAP, "1 99999999999999999999\n", 1, "vertex id 99999999999999999999 is outside" },
	{ SNAP, "1 2\n3 4.5\n", 2, "bad token '4.5'" },
	{ SNAP, "1 2\n%%\t3\n", 2, "bad token '%%'" },
	{ SNAP, "# only comments\n\n", 0, "no edges" },
	{ SNAP, "", 0, "no edges" },
	{ DIMACS, "c x\na 1 2 3\np sp 2 1\n", 2, "arc before the 'p sp N M' line" },
	{ DIMACS, "p sp 3 1\np sp 3 1\na 1 2 3\n", 2, "repeated p line (the first is line 1)" },
	{ DIMACS, "p sp 3 2\nc\na 1 2 3\n", 3, "the file ends after 1 of the 2 arcs" },
	{ DIMACS, "p sp 3 1\na 1 2 3\na 2 3 1\n", 3, "more arcs than the 1 declared" },
	{ DIMACS, "p sp 3 1\na 0 2 3\n", 2, "vertex id 0: ids are 1-based" },
	{ DIMACS, "p sp 3 1\na 1 4 3\n", 2, "vertex id 4 is outside 1..3" },
	{ DIMACS, "p sp -3 1\n", 1, "negative vertex count N -3" },
	{ DIMACS, "p sp 3 -1\n", 1, "negative arc count M -1" },
	{ DIMACS, "p sp 3000000000 1\n", 1, "vertex count N 3000000000 is too large" },
	{ DIMACS, "p sp 3 3000000000\n", 1, "arc count M 3000000000 is too large" },
	{ DIMACS, "p max 3 1\n", 1, "problem type 'max' is not 'sp'" },
	{ DIMACS, "p sp 3\n", 1, "missing field 3 (expected 'p sp N M')" },
	{ DIMACS, "p sp 3 1\na 1 2 -5\n", 2, "weight -5 is outside 0..2147483647" },
	{ DIMACS, "p sp 3 1\na 1 2 x7\n", 2, "bad token 'x7' (expected an integer weight)" },
	{ DIMACS, "p sp 3 1\na 1 2\n", 2, "missing field 3 (expected 'a u v w')" },
	{ DIMACS, "p sp 3 1\na 1 2 3 4\n", 2, "unexpected '4'" },
	{ DIMACS, "p sp 3 1\ne 1 2\n", 2, "unknown line type 'e'" },
	{ DIMACS, "c only comments\n", 0, "no 'p sp N M' line" },
	{ MTX, "", 0, "empty file" },
	{ MTX, "hello\n", 1, "not a MatrixMarket header" },
	{ MTX, "%%MatrixMarket matrix array real general\n2 2\n", 1, "format 'array' is not 'coordinate'" },
	{ MTX, "%%MatrixMarket matrix coordinate complex general\n", 1, "field 'complex' is not supported" },
	{ MTX, "%%MatrixMarket matrix coordinate real hermitian\n", 1, "symmetry 'hermitian' is not supported" },
	{ MTX, "%%MatrixMarket vector coordinate real general\n", 1, "object 'vector' is not 'matrix'" },
	{ MTX, "%%MatrixMarket matrix coordinate real\n", 1, "missing field 4" },
	{ MTX, MM_PAT "3 4 1\n1 2\n", 2, "the matrix is 3 x 4: a graph needs a square matrix" },
	{ MTX, MM_PAT "3 3 2\n1 2\n", 3, "the file ends after 1 of the 2 entries" },
	{ MTX, MM_PAT "3 3 1\n1 2\n2 3\n", 4, "more entries than the 1 declared" },
	{ MTX, MM_PAT "3 3 1\n0 2\n", 3, "vertex id 0: ids are 1-based" },
	{ MTX, MM_PAT "3 3 1\n1 4\n", 3, "vertex id 4 is outside 1..3" },
	{ MTX, MM_PAT "3 3 1\n1 2 7\n", 3, "unexpected '7' after the last field (expected 'i j')" },
	{ MTX, MM_PAT "-3 -3 1\n", 2, "negative row count -3" },
	{ MTX, MM_PAT "3 3 -1\n", 2, "negative entry count nnz -1" },
	{ MTX, MM_PAT "3 3 5000000000\n", 2, "entry count nnz 5000000000 is too large" },
	{ MTX, MM_PAT "3000000000 3000000000 1\n", 2, "row count 3000000000 is too large" },
	{ MTX, MM_PAT "% only a comment\n", 0, "no size line" },
	{ MTX, MM_PAT "3 3\n", 2, "missing field 3 (expected 'rows cols nnz')" },
	{ MTX, MM_INT "3 3 1\n1 2\n", 3, "missing field 3 (expected 'i j value')" },
	{ MTX, MM_INT "2 2 1\n1 2 99999999999\n", 3, "weight 99999999999 is outside" },
	{ MTX, MM_INT "2 2 1\n1 2 1.5\n", 3, "bad token '1.5' (expected an integer weight)" },
	{ MTX, MM_REAL "3 3 1\n1 2 abc\n", 3, "bad token 'abc'" },
	{ MTX, MM_REAL "3 3 1\n1 2 nan\n", 3, "expected a finite real value" },
};

static void check_refused(const struct bad *b, const char *path, const char *err,
			  const struct ds_graph *g)
{
	char prefix[1100];

	if (b->line)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, b->line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "%s: expected '%s...', got '%s'",
		  b->text, prefix, err);
	cr_assert(strstr(err, b->says), "%s: expected '%s' in '%s'", b->text, b->says, err);
	cr_assert(!strchr(err, '\n'), "message is not one line: %s", err);
	cr_assert(g->n == 0 && g->m == 0 && !g->rowptr && !g->adj && !g->weight,
		  "a refused file left a graph behind");
}

Test(graph, malformed_inputs_are_refused_with_file_and_line)
{
	char dir[512];

	tu_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		char name[64], path[1024], err[512] = "";
		struct ds_graph g;
		snprintf(name, sizeof(name), "bad%zu.%s", i, format_name[b->f]);
		tu_write(dir, name, b->text, path, sizeof(path));
		cr_assert_eq(load(b->f, path, &g, err, sizeof(err)), -1, "accepted: %s", b->text);
		check_refused(b, path, err, &g);
	}
}

/* A NUL byte inside a line is a bad character, not the end of the line. */
Test(graph, nul_byte_is_a_bad_token)
{
	static const char bytes[] = "1 2\n3 4\0\n";
	struct dsio *r = dsio_open_memory(bytes, sizeof(bytes) - 1, "mem.txt");
	struct ds_graph g;
	char err[256] = "";

	cr_assert_eq(graph_parse_snap(r, 1, 0, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "mem.txt:2: bad token '4?'"), "%s", err);
	dsio_close(r);
}

Test(graph, parse_limit_refuses_declared_vertices_before_allocating)
{
	static const char dimacs[] = "p sp 2000000000 0\n";
	static const char mtx[] = MM_PAT "5000 5000 0\n";
	char err[256] = "";
	struct ds_graph g;

	struct dsio *r = dsio_open_memory(dimacs, sizeof(dimacs) - 1, "big.gr");
	cr_assert_eq(graph_parse_dimacs(r, 1000, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "big.gr:1: vertex count N 2000000000 is too large (at most 1000)"), "%s", err);
	dsio_close(r);
	r = dsio_open_memory(mtx, sizeof(mtx) - 1, "big.mtx");
	cr_assert_eq(graph_parse_mtx(r, 0, 1000, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "big.mtx:2: row count 5000 is too large (at most 1000)"), "%s", err);
	dsio_close(r);
}

Test(graph, missing_file_is_named)
{
	struct ds_graph g;
	char err[512] = "";

	cr_assert_eq(graph_load_snap("/nonexistent/x.txt", 1, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/x.txt"), "%s", err);
	cr_assert_eq(graph_load_dimacs("/nonexistent/x.gr", &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/x.gr"), "%s", err);
	cr_assert_eq(graph_load_mtx("/nonexistent/x.mtx", 0, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/nonexistent/x.mtx"), "%s", err);
}

/* A ring of n vertices with ids 3i (sparse), each edge listed both ways: n vertices,
 * m = 2n after symmetrizing. */
static void write_ring_snap(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "# ring\n");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%d\t%d\n", 3 * i, 3 * ((i + 1) % n));
		fprintf(f, "%d\t%d\n", 3 * ((i + 1) % n), 3 * i);
	}
	fclose(f);
}

/* A gzip file cut short or damaged is refused, naming the file and a byte offset, and
 * nothing read before the damage is returned. */
Test(graph, truncated_or_corrupt_gzip_is_refused)
{
	char dir[512], path[1024], gz[1100], err[512] = "", *out;
	struct ds_graph g;

	tu_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/ring.txt", dir);
	write_ring_snap(path, 20000);
	gzip_file(path, gz, sizeof(gz));
	cr_assert_eq(graph_load_snap(gz, 1, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(g.n, 20000);
	ds_graph_free(&g);

	cr_assert_eq(tu_sh(&out, "cp '%s' '%s.cut' && truncate -s 30000 '%s.cut'", gz, gz, gz), 0, "%s", out);
	free(out);
	char cut[1200];
	snprintf(cut, sizeof(cut), "%s.cut", gz);
	cr_assert_eq(graph_load_snap(cut, 1, &g, err, sizeof(err)), -1, "a truncated gzip loaded");
	cr_assert(strstr(err, cut) && strstr(err, "byte offset"), "%s", err);
	cr_assert(!g.rowptr && g.n == 0);

	/* Overwrite bytes in the middle of the deflate stream. */
	cr_assert_eq(tu_sh(&out, "cp '%s' '%s.bad' && printf 'XXXXXXXXXXXXXXXX' | "
			   "dd of='%s.bad' bs=1 seek=20000 conv=notrunc 2>/dev/null", gz, gz, gz), 0, "%s", out);
	free(out);
	char bad[1200];
	snprintf(bad, sizeof(bad), "%s.bad", gz);
	cr_assert_eq(graph_load_snap(bad, 1, &g, err, sizeof(err)), -1, "a corrupt gzip loaded");
	cr_assert(strstr(err, bad), "%s", err);
	cr_assert(!strchr(err, '\n'), "%s", err);
	cr_assert(!g.rowptr && g.n == 0);
}

/* ---- graph_build against a brute-force oracle -------------------------------------- */

#define ORACLE_MAX 64
#define ABSENT INT64_MIN

struct oracle {
	int64_t n;
	int64_t w[ORACLE_MAX][ORACLE_MAX];   /* smallest weight of u -> v, or ABSENT */
};

static void oracle_add(struct oracle *o, int64_t a, int64_t b, int32_t w)
{
	if (a == b)
		return;
	if (o->w[a][b] == ABSENT || w < o->w[a][b])
		o->w[a][b] = w;
}

/* Ranks of the ids that occur, in increasing id order (what compact_ids must give). */
static int64_t oracle_rank(const int64_t *ids, int64_t count, int64_t id)
{
	int64_t r = 0;
	for (int64_t i = 0; i < count; i++)
		r += ids[i] < id;
	return r;
}

static void oracle_build(struct oracle *o, const struct graph_edges *e, int symmetrize,
			 bool compact, int64_t n)
{
	int64_t ids[16 * ORACLE_MAX], count = 0;

	for (int64_t i = 0; i < 2 * e->len; i++) {
		int64_t id = i < e->len ? e->u[i] : e->v[i - e->len];
		bool seen = false;
		for (int64_t k = 0; k < count; k++)
			seen |= ids[k] == id;
		if (!seen)
			ids[count++] = id;
	}
	o->n = compact ? count : n;
	for (int a = 0; a < ORACLE_MAX; a++)
		for (int b = 0; b < ORACLE_MAX; b++)
			o->w[a][b] = ABSENT;
	for (int64_t i = 0; i < e->len; i++) {
		int64_t a = compact ? oracle_rank(ids, count, e->u[i]) : e->u[i];
		int64_t b = compact ? oracle_rank(ids, count, e->v[i]) : e->v[i];
		int32_t w = e->weighted ? e->w[i] : 0;
		oracle_add(o, a, b, w);
		if (symmetrize)
			oracle_add(o, b, a, w);
	}
}

static void assert_matches_oracle(const struct ds_graph *g, const struct oracle *o,
				  bool weighted)
{
	int64_t k = 0;

	cr_assert_eq(g->n, o->n);
	for (int64_t a = 0; a < o->n; a++) {
		cr_assert_eq(g->rowptr[a], k, "row %lld starts at %lld", (long long)a, (long long)g->rowptr[a]);
		for (int64_t b = 0; b < o->n; b++) {
			if (o->w[a][b] == ABSENT)
				continue;
			cr_assert_eq(g->adj[k], b, "row %lld entry %lld", (long long)a, (long long)k);
			if (weighted)
				cr_assert_eq(g->weight[k], o->w[a][b]);
			k++;
		}
	}
	cr_assert_eq(g->m, k);
	cr_assert_eq(g->weight != NULL, weighted);
}

/* Random lists with self loops, repeats and, when compacting, sparse ids far apart. */
static void random_edges(struct rng *r, struct graph_edges *e, int64_t n, bool sparse)
{
	int64_t len = (int64_t)rng_below(r, 3 * ORACLE_MAX);
	int64_t scale = sparse ? (int64_t)1 << (20 + rng_below(r, 30)) : 1;

	for (int64_t i = 0; i < len; i++) {
		int64_t u = (int64_t)rng_below(r, (uint64_t)n) * scale;
		int64_t v = rng_below(r, 8) == 0 ? u : (int64_t)rng_below(r, (uint64_t)n) * scale;
		int32_t w = (int32_t)rng_below(r, 20) - 5;
		cr_assert_eq(graph_edges_add(e, u, v, w), 0);
		if (rng_below(r, 6) == 0)
			cr_assert_eq(graph_edges_add(e, u, v, w + 3), 0);
	}
}

Test(graph, build_matches_oracle_on_random_edge_lists)
{
	struct rng r;
	char err[256] = "";
	static struct oracle o;

	rng_seed(&r, 42, 0);
	for (int trial = 0; trial < 400; trial++) {
		int symmetrize = trial % 2, weighted = (trial / 2) % 2, mode = (trial / 4) % 3;
		bool compact = mode > 0, sparse = mode == 2;
		int64_t n = 1 + (int64_t)rng_below(&r, ORACLE_MAX);
		struct graph_edges e = { .weighted = weighted };
		struct ds_graph g;

		random_edges(&r, &e, n, sparse);
		oracle_build(&o, &e, symmetrize, compact, n);
		int rc = graph_build(&e, compact ? -1 : n, symmetrize, compact, &g, err, sizeof(err));
		cr_assert_eq(rc, 0, "trial %d: %s", trial, err);
		cr_assert_eq(graph_validate(&g, symmetrize, err, sizeof(err)), 0, "trial %d: %s", trial, err);
		assert_matches_oracle(&g, &o, weighted);
		if (symmetrize)
			cr_assert_eq(g.m % 2, 0);
		ds_graph_free(&g);
		graph_edges_free(&e);
	}
}

/* The invariants alone, on lists too large for the oracle: sorted, no repeats, no self
 * loops, u in adj(v) iff v in adj(u), m even. */
Test(graph, build_invariants_on_large_random_lists)
{
	struct rng r;
	char err[256] = "";

	rng_seed(&r, 7, 0);
	for (int trial = 0; trial < 6; trial++) {
		int64_t n = 1000 + (int64_t)rng_below(&r, 5000);
		struct graph_edges e = { .weighted = trial % 2 };
		struct ds_graph g;
		for (int64_t i = 0; i < 20 * n; i++) {
			int64_t u = (int64_t)rng_below(&r, (uint64_t)n);
			int64_t v = rng_below(&r, 50) == 0 ? u : (int64_t)rng_below(&r, (uint64_t)n / 8);
			graph_edges_add(&e, u, v, (int32_t)rng_below(&r, 1000));
		}
		cr_assert_eq(graph_build(&e, -1, 1, trial >= 3, &g, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), 0, "trial %d: %s", trial, err);
		cr_assert_eq(g.m % 2, 0);
		cr_assert(g.m > 0 && g.m <= 2 * e.len);
		ds_graph_free(&g);
		graph_edges_free(&e);
	}
}

Test(graph, build_refuses_bad_ids)
{
	struct graph_edges e = { 0 };
	struct ds_graph g;
	char err[256] = "";

	graph_edges_add(&e, 0, 5, 0);
	cr_assert_eq(graph_build(&e, 5, 1, 0, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "vertex id 5 is outside 0..4"), "%s", err);
	cr_assert(!g.rowptr);
	graph_edges_add(&e, -1, 2, 0);
	cr_assert_eq(graph_build(&e, -1, 1, 1, &g, err, sizeof(err)), -1);
	cr_assert(strstr(err, "vertex id -1 is negative"), "%s", err);
	graph_edges_free(&e);
}

Test(graph, build_of_no_edges)
{
	struct graph_edges e = { 0 };
	struct ds_graph g;
	char err[256] = "";

	cr_assert_eq(graph_build(&e, 4, 1, 0, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert(g.n == 4 && g.m == 0 && g.rowptr[4] == 0);
	ds_graph_free(&g);
	cr_assert_eq(graph_build(&e, -1, 1, 1, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert(g.n == 0 && g.m == 0);
	ds_graph_free(&g);
}

Test(graph, validate_catches_broken_graphs)
{
	int64_t rowptr[] = { 0, 2, 3, 4 };
	int32_t adj[] = { 1, 2, 0, 0 };
	int32_t weight[] = { 1, 2, 1, 2 };
	struct ds_graph g = { .n = 3, .m = 4, .rowptr = rowptr, .adj = adj, .weight = weight };
	char err[256] = "";

	cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), 0, "%s", err);
	weight[3] = 4;
	cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "weights"), "%s", err);
	weight[3] = 2;
	adj[2] = 2;
	cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no reverse") || strstr(err, "self loop"), "%s", err);
	adj[2] = 0;
	adj[1] = 1;
	cr_assert_eq(graph_validate(&g, 0, err, sizeof(err)), -1);
	cr_assert(strstr(err, "strictly increasing"), "%s", err);
}

/* ---- the data mirror --------------------------------------------------------------- */

/* The mirror's copy of `name`, or NULL when RELAXBENCH_DATA_MIRROR is unset; a mirror
 * that is named but lacks the file fails the test rather than skipping it. */
static const char *mirror_file(const char *name, char *path, size_t len)
{
	const char *mirror = getenv("RELAXBENCH_DATA_MIRROR");
	if (!mirror || !*mirror)
		return NULL;
	snprintf(path, len, "%s/%s", mirror, name);
	cr_assert_eq(access(path, R_OK), 0, "RELAXBENCH_DATA_MIRROR lacks %s", path);
	return path;
}

static int64_t weight_sum(const struct ds_graph *g)
{
	int64_t s = 0;
	for (int64_t k = 0; k < g->m; k++)
		s += g->weight[k];
	return s;
}

/* A stand-in road file: a path of n vertices, every road as two opposite arcs, the
 * weights of a road differing by direction in every tenth road (the minimum is kept). */
static void write_road_dimacs(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "c stand-in for USA-road-d\np sp %d %d\n", n, 2 * (n - 1));
	for (int i = 1; i < n; i++) {
		fprintf(f, "a %d %d %d\n", i, i + 1, 10 + i % 7);
		fprintf(f, "a %d %d %d\n", i + 1, i, 10 + i % 7 + (i % 10 == 0));
	}
	fclose(f);
}

Test(graph, mirror_usa_road_ny)
{
	char path[1024], dir[512], err[512] = "", gz[1100];
	struct ds_graph g;

	if (mirror_file("graphs/USA-road-d.NY.gr.gz", path, sizeof(path))) {
		cr_assert_eq(graph_load_dimacs(path, &g, err, sizeof(err)), 0, "%s", err);
		/* 733,846 arcs; symmetrized and deduplicated (checked independently with a
		 * script over the same file): 365,050 roads, so m = 730,100, and the kept
		 * (smallest) weights sum to 472,100,823 per direction. */
		cr_assert_eq(g.n, 264346);
		cr_assert_eq(g.m, 730100);
		cr_assert_eq(weight_sum(&g), 2 * (int64_t)472100823);
	} else {
		cr_log_info("RELAXBENCH_DATA_MIRROR unset: checking a generated road file instead");
		tu_tmpdir(dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/road.gr", dir);
		write_road_dimacs(path, 5000);
		gzip_file(path, gz, sizeof(gz));
		cr_assert_eq(graph_load_dimacs(gz, &g, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(g.n, 5000);
		cr_assert_eq(g.m, 2 * 4999);
		int64_t expect = 0;
		for (int i = 1; i < 5000; i++)
			expect += 2 * (10 + i % 7);
		cr_assert_eq(weight_sum(&g), expect);
	}
	cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), 0, "%s", err);
	ds_graph_free(&g);
}

/* The SNAP graph `name` (or a generated ring when no mirror is named) loads with the
 * expected counts, undirected and directed. */
static void check_snap(const char *name, int64_t n, int64_t m_undirected, int64_t m_directed)
{
	char path[1200], dir[512], err[512] = "", gz[1100];
	struct ds_graph g;

	if (!mirror_file(name, path, sizeof(path))) {
		cr_log_info("RELAXBENCH_DATA_MIRROR unset: checking a generated SNAP ring instead");
		tu_tmpdir(dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/ring.txt", dir);
		write_ring_snap(path, 3000);
		gzip_file(path, gz, sizeof(gz));
		snprintf(path, sizeof(path), "%s", gz);
		n = 3000;
		m_undirected = m_directed = 6000;
	}
	cr_assert_eq(graph_load_snap(path, 1, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(g.n, n, "%s: n = %lld", path, (long long)g.n);
	cr_assert_eq(g.m, m_undirected, "%s: m = %lld", path, (long long)g.m);
	cr_assert_eq(graph_validate(&g, 1, err, sizeof(err)), 0, "%s", err);
	ds_graph_free(&g);
	cr_assert_eq(graph_load_snap(path, 0, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(g.n, n);
	cr_assert_eq(g.m, m_directed, "%s: directed m = %lld", path, (long long)g.m);
	cr_assert_eq(graph_validate(&g, 0, err, sizeof(err)), 0, "%s", err);
	ds_graph_free(&g);
}

/* SNAP: 36,692 nodes, 183,831 undirected edges, stored both ways in the file. */
Test(graph, mirror_email_enron)
{
	check_snap("graphs/email-Enron.txt.gz", 36692, 367662, 367662);
}

/* SNAP: 4,039 nodes, 88,234 undirected edges, each stored once in the file. */
Test(graph, mirror_facebook_combined)
{
	check_snap("graphs/facebook_combined.txt.gz", 4039, 176468, 88234);
}
