/*
 * libFuzzer target for the graph loaders (datasets/graph.c). The first byte picks the
 * parser (SNAP, DIMACS or MatrixMarket) and whether to symmetrize; the rest is the
 * file. Beyond "no crash, no leak, no hang" it checks the loaders' contract: a
 * success is a well-formed CSR (graph_validate), a refusal is one non-empty line and
 * leaves no graph behind.
 *
 * Build and run (60 s):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_graph.c datasets/graph.c datasets/dsio.c datasets/dataset.c \
 *     suite/error.c -lz -lbz2 -llzma -o /tmp/fuzz_graph
 *   /tmp/fuzz_graph -max_total_time=60 -max_len=4096 /tmp/fuzz_graph_corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/graph.h"

/* Small enough that a declared vertex count costs the fuzzer nothing to allocate. */
#define FUZZ_MAX_VERTICES (1 << 16)

static int parse(uint8_t mode, struct dsio *r, struct ds_graph *g, char *err, size_t errlen)
{
	int symmetrize = (mode >> 2) & 1;

	switch (mode % 3) {
	case 0: return graph_parse_snap(r, symmetrize, FUZZ_MAX_VERTICES, g, err, errlen);
	case 1: return graph_parse_dimacs(r, FUZZ_MAX_VERTICES, g, err, errlen);
	default: return graph_parse_mtx(r, symmetrize, FUZZ_MAX_VERTICES, g, err, errlen);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_graph g;
	char err[512] = "";

	if (size < 1)
		return 0;
	struct dsio *r = dsio_open_memory(data + 1, size - 1, "fuzz");
	if (!r)
		return 0;
	int rc = parse(data[0], r, &g, err, sizeof(err));
	int undirected = data[0] % 3 == 1 || ((data[0] >> 2) & 1);
	if (rc == 0 && graph_validate(&g, undirected, err, sizeof(err)) != 0)
		abort();   /* a loader returned a malformed graph */
	if (rc != 0 && (!err[0] || strchr(err, '\n') || g.rowptr || g.adj || g.n))
		abort();   /* a refusal must be one line and leave nothing behind */
	ds_graph_free(&g);
	dsio_close(r);
	return 0;
}
