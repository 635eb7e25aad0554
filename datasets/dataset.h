/*
 * dataset: the in-memory form every loader and generator produces, and the one
 * algorithms read. datasets/ never knows an algorithm (DESIGN.md, roles).
 *
 * A feature matrix is dense row-major or CSR; labels are doubles (+1/-1 for binary
 * classification, real values for regression). A dataset has a train and a test split.
 */
#ifndef DATASET_H
#define DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds_matrix {
	int64_t rows, cols;
	bool sparse;
	double *dense;     /* rows*cols, row-major, when !sparse */
	int64_t *rowptr;   /* rows+1, when sparse */
	int32_t *colidx;   /* nnz, 0-based, sorted within a row */
	double *values;    /* nnz */
};

struct ds_split {
	struct ds_matrix x;
	double *y;         /* x.rows labels */
};

/* An undirected (or directed, when asked) graph in CSR form: vertices 0..n-1, the
 * neighbours of v are adj[rowptr[v] .. rowptr[v+1]), sorted, without self loops or
 * duplicates. An undirected edge is stored in both directions, so m = 2 |E|. */
struct ds_graph {
	int64_t n, m;
	int64_t *rowptr;   /* n+1 */
	int32_t *adj;      /* m */
	int32_t *weight;   /* m, or NULL for unweighted */
	double *coords;    /* 2n (x, y), or NULL */
};

enum ds_kind {
	DS_TABLE,    /* features and labels: train/test splits */
	DS_GRAPH,    /* graph */
	DS_SIGNAL,   /* sparse recovery: train.x = measurement matrix A, train.y = y, truth = x */
};

struct ds_dataset {
	char name[64];         /* registry name, e.g. "synth_logreg" */
	char checksum[65];     /* SHA-256 hex of the source (file bytes, or generator + params) */
	char source[256];      /* where the data came from, for run.json and the report */
	enum ds_kind kind;
	int classes;           /* labels 0..classes-1 for multi-class data; 0 for +-1 or real */
	int64_t shape[3];      /* image height, width, channels for image data; zeros otherwise */
	struct ds_split train, test;
	struct ds_graph graph;
	double *truth;         /* DS_SIGNAL: the planted signal, truth_len values */
	int64_t truth_len;
};

int64_t ds_matrix_nnz(const struct ds_matrix *m);
void ds_matrix_free(struct ds_matrix *m);
/* A CSR matrix of `rows` x `cols` with room for `cap` nonzeros (rowptr zeroed). */
int ds_csr_alloc(struct ds_matrix *m, int64_t rows, int64_t cols, int64_t cap);
/* Make room for nonzero number `nnz` (grows *cap by half when it is reached). */
int ds_csr_reserve(struct ds_matrix *m, int64_t nnz, int64_t *cap);

/* Move the last `fraction` of the rows of `all` into `test` and the rest into `train`
 * (the held-out split of data that comes without one); `all` is consumed. */
int ds_split_tail(struct ds_split *all, double fraction, struct ds_split *train, struct ds_split *test,
		  char *err, size_t errlen);
void ds_graph_free(struct ds_graph *g);
void ds_dataset_free(struct ds_dataset *d);

#endif
