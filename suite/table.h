/*
 * table: the rows of an SQL query, rendered as Markdown (for the report and the
 * terminal) and CSV (for other tools).
 */
#ifndef TABLE_H
#define TABLE_H

#include <sqlite3.h>
#include <stdio.h>

struct table_grid {
	int ncols, nrows;
	char **names;      /* ncols */
	char **cells;      /* nrows * ncols, display text; NULL for SQL NULL */
	char **exact;      /* the same cells with full precision, for CSV */
	int *is_text;      /* nrows * ncols: 1 when the value is text */
};

int table_query(sqlite3 *db, const char *sql, struct table_grid *g, char *err, size_t errlen);
void table_free(struct table_grid *g);
void table_markdown(FILE *out, const struct table_grid *g);
/* Written to a temporary name and renamed. */
int table_write_csv(const char *path, const struct table_grid *g, char *err, size_t errlen);

#endif
