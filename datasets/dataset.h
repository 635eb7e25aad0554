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

struct ds_dataset {
	char name[64];         /* registry name, e.g. "synth_logreg" */
	char checksum[65];     /* SHA-256 hex of the source (file bytes, or generator + params) */
	char source[256];      /* where the data came from, for run.json and the report */
	struct ds_split train, test;
};

int64_t ds_matrix_nnz(const struct ds_matrix *m);
void ds_matrix_free(struct ds_matrix *m);
void ds_dataset_free(struct ds_dataset *d);

#endif
