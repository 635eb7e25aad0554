/* testutil: temporary folders, fixture files and running the relaxbench binary. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

#include <stdbool.h>

#include "datasets/dataset.h"
#include "suite/params.h"

/* A fresh folder under $TMPDIR (or /tmp); the path is written into buf. */
void tu_tmpdir(char *buf, size_t len);
/* Write text to dir/name; returns the full path in a static-free caller buffer. */
void tu_write(const char *dir, const char *name, const char *text, char *path, size_t len);
/* Run a shell command; its stdout+stderr go to *out (malloc'd, caller frees). Returns the
 * exit status (or 128+signal). */
int tu_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Path of the relaxbench binary under test ($RELAXBENCH_BIN, else build/relaxbench). */
const char *tu_bin(void);
/* Number of lines in s (a last line without newline counts). */
int tu_lines(const char *s);
/* Number of entries in a folder that do not start with '.'; -1 when it is missing. */
int tu_count_entries(const char *dir);
/* Run folders in an experiment folder (results/runs/<id>) that are complete (have a
 * run.json); *partial counts the non-hidden entries that are not. */
int tu_complete_runs(const char *expdir, int *partial);
/* Read a whole file (malloc'd) or NULL. */
char *tu_read(const char *path);

/* Every parameter of a table at its default (asserts that the defaults validate), and
 * setters that keep a parameter's type. */
struct rb_paramset tu_defaults(const struct rb_param_spec *table);
void tu_set_int(struct rb_paramset *ps, const char *name, long long i);
void tu_set_real(struct rb_paramset *ps, const char *name, double r);
void tu_set_choice(struct rb_paramset *ps, const char *name, const char *s);

/* Byte-for-byte equality of matrices (dense or CSR) and of splits (with labels). */
bool tu_same_matrix(const struct ds_matrix *a, const struct ds_matrix *b);
/* One random rows x cols matrix twice, dense and CSR: each entry is left out (zero) with
 * probability 0.4, else standard normal, drawn row by row from r. Asserts on no memory. */
struct rng;
void tu_random_pair(struct ds_matrix *dense, struct ds_matrix *csr, int rows, int cols,
		    struct rng *r);
bool tu_same_split(const struct ds_split *a, const struct ds_split *b);

#endif
