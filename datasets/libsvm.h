/*
 * libsvm: the LIBSVM / SVMlight text format, one sample per line:
 *
 *     label index:value index:value ...   # optional comment
 *
 * Indices are 1-based and strictly ascending within a line; they become 0-based column
 * numbers of a CSR matrix. `qid:N` tokens (SVMlight ranking data) are skipped, `#` starts
 * a comment (whole line or trailing), blank lines are skipped, and spaces, tabs and a
 * CRLF line end are all tolerated (the published files end every line with a space).
 * The file may be plain, gzip, bzip2 or xz (dsio picks the codec by magic bytes).
 *
 * Label conventions, decided per file from the set of labels it holds, so that binary
 * data always reaches the models as +-1 (dataset.h):
 *   - only -1 and +1:                  binary, kept as -1.0 / +1.0, classes = 0;
 *   - two other integers, e.g. 0 and 1 binary, the lower -> -1.0, the higher -> +1.0,
 *     (or breast-cancer's 2 and 4):    classes = 0; a file of 0 labels only gives -1.0;
 *   - three or more integers, or one   multi-class; the k distinct labels are ranked in
 *     integer other than -1, 0, +1:    ascending order and replaced by their rank 0..k-1
 *                                      (1..k becomes 0..k-1, 0..k-1 stays, connect-4's
 *                                      -1,0,1 becomes 0,1,2), classes = k;
 *   - any non-integer label:           regression; labels kept as written, classes = 0.
 * Integer-valued regression targets (abalone's ring counts, YearPredictionMSD's years)
 * look like classes to this rule and come back ranked: there is no raw-label mode yet.
 * The rule looks at one file only: a test split that lacks a class the train split has
 * (or holds only 0 and 1 of a multi-class problem) is mapped differently, so a loader
 * for a train/test pair should check that both report the same `classes`.
 *
 * Errors are one line, "FILE:LINE: what" (FILE as given to the reader), and nothing is
 * returned on error: a result is complete or absent.
 */
#ifndef LIBSVM_H
#define LIBSVM_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "datasets/dsio.h"

/* Largest 1-based feature index: column numbers are int32 (dataset.h). */
#define LIBSVM_MAX_INDEX INT32_MAX

/*
 * Parse every line of r into out (overwritten, not freed first: pass a zeroed or freed
 * split). out->x is CSR (rowptr int64, colidx int32 0-based, values double) with
 * cols = n_features_hint when it is > 0 (an index beyond it is an error; a test split
 * is given the train split's width this way), else the largest index seen. classes_out
 * (may be NULL) receives the class count per the conventions above. Returns 0, or -1
 * with out zeroed and one line in err. A file without a single sample is an error.
 */
int libsvm_parse(struct dsio *r, int64_t n_features_hint, struct ds_split *out, int *classes_out,
		 char *err, size_t errlen);

/* libsvm_parse over the file at path (opened and closed here). */
int libsvm_load(const char *path, int64_t n_features_hint, struct ds_split *out, int *classes_out,
		char *err, size_t errlen);

#endif
