/* table: query results as Markdown and CSV. */
#include "suite/table.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/paths.h"

static char *dup_text(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Shortest text that reads back as the same double. */
static void fmt_exact(double v, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void fill_cell(sqlite3_stmt *st, int c, char **cell, char **exact, int *is_text)
{
	char buf[64];
	*is_text = 0;
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		*cell = *exact = NULL;
		return;
	case SQLITE_FLOAT:
		snprintf(buf, sizeof(buf), "%.6g", sqlite3_column_double(st, c));
		*cell = strdup(buf);
		fmt_exact(sqlite3_column_double(st, c), buf, sizeof(buf));
		*exact = strdup(buf);
		return;
	case SQLITE_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)sqlite3_column_int64(st, c));
		*cell = strdup(buf);
		*exact = strdup(buf);
		return;
	default:
		*is_text = 1;
		*cell = dup_text((const char *)sqlite3_column_text(st, c));
		*exact = dup_text(*cell);
	}
}

static int grow(struct table_grid *g, int *cap)
{
	if (g->nrows < *cap)
		return 0;
	*cap = *cap ? 2 * *cap : 16;
	size_t n = (size_t)*cap * (size_t)g->ncols;
	char **c = realloc(g->cells, n * sizeof(*c));
	if (c)
		g->cells = c;
	char **e = realloc(g->exact, n * sizeof(*e));
	if (e)
		g->exact = e;
	int *t = realloc(g->is_text, n * sizeof(*t));
	if (t)
		g->is_text = t;
	return (c && e && t) ? 0 : -1;
}

int table_query(sqlite3 *db, const char *sql, struct table_grid *g, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	memset(g, 0, sizeof(*g));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	g->ncols = sqlite3_column_count(st);
	g->names = calloc((size_t)g->ncols + 1, sizeof(char *));
	for (int c = 0; c < g->ncols; c++)
		g->names[c] = strdup(sqlite3_column_name(st, c));
	int cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (grow(g, &cap) < 0) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		for (int c = 0; c < g->ncols; c++) {
			size_t k = (size_t)g->nrows * (size_t)g->ncols + (size_t)c;
			fill_cell(st, c, &g->cells[k], &g->exact[k], &g->is_text[k]);
		}
		g->nrows++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	table_free(g);
	return -1;
}

void table_free(struct table_grid *g)
{
	size_t n = (size_t)g->nrows * (size_t)g->ncols;
	for (size_t i = 0; i < n; i++) {
		free(g->cells[i]);
		free(g->exact[i]);
	}
	for (int c = 0; g->names && c < g->ncols; c++)
		free(g->names[c]);
	free(g->names);
	free(g->cells);
	free(g->exact);
	free(g->is_text);
	memset(g, 0, sizeof(*g));
}

/* A '|' inside a cell would split the Markdown column; newlines would end the row. */
static void md_cell(FILE *out, const char *s)
{
	if (!s) {
		fputs(" – ", out);
		return;
	}
	fputc(' ', out);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	}
	fputc(' ', out);
}

void table_markdown(FILE *out, const struct table_grid *g)
{
	fputc('|', out);
	for (int c = 0; c < g->ncols; c++) {
		md_cell(out, g->names[c]);
		fputc('|', out);
	}
	fputs("\n|", out);
	for (int c = 0; c < g->ncols; c++)
		fputs("---|", out);
	fputc('\n', out);
	for (int r = 0; r < g->nrows; r++) {
		fputc('|', out);
		for (int c = 0; c < g->ncols; c++) {
			md_cell(out, g->cells[(size_t)r * (size_t)g->ncols + (size_t)c]);
			fputc('|', out);
		}
		fputc('\n', out);
	}
	if (g->nrows == 0)
		fputs("\n_(no rows)_\n", out);
}

/* RFC 4180: text fields are quoted and inner quotes doubled; numbers are bare. */
/* Text is quoted by libcsv (RFC 4180: embedded quotes doubled); numbers go as they are. */
static void csv_field(FILE *f, const char *s, int is_text)
{
	if (!s)
		return;
	if (is_text)
		csv_fwrite(f, s, strlen(s));
	else
		fputs(s, f);
}

int table_write_csv(const char *path, const struct table_grid *g, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int c = 0; c < g->ncols; c++) {
		if (c)
			fputc(',', f);
		csv_field(f, g->names[c], 1);
	}
	fputc('\n', f);
	for (int r = 0; r < g->nrows; r++) {
		for (int c = 0; c < g->ncols; c++) {
			size_t k = (size_t)r * (size_t)g->ncols + (size_t)c;
			if (c)
				fputc(',', f);
			csv_field(f, g->exact[k], g->is_text[k]);
		}
		fputc('\n', f);
	}
	fclose(f);
	int rc = rb_write_file_atomic(path, buf, len, err, errlen);
	free(buf);
	return rc;
}
