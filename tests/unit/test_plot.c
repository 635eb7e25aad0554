/* Unit tests for suite/plot: rendering from an in-memory store, the no-data result, query
 * checks, awkward series names, gnuplot failures, and that nothing temporary is left. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite/paths.h"
#include "suite/plot.h"

#define QUERY "SELECT series, x, y, lo, hi FROM m"

/* The tests run from the repository root; `make test` also sets RELAXBENCH_ROOT. */
static void use_repo_root(void)
{
	char cwd[4096];
	if (!getenv("RELAXBENCH_ROOT") && getcwd(cwd, sizeof cwd))
		setenv("RELAXBENCH_ROOT", cwd, 1);
}

static sqlite3 *open_store(void)
{
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE m(series TEXT, x REAL, y REAL, lo REAL, "
				  "hi REAL)", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void add_row(sqlite3 *db, const char *series, double x, double y, double halfwidth)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO m VALUES (?, ?, ?, ?, ?)", -1, &st,
					NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, series, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, x);
	sqlite3_bind_double(st, 3, y);
	if (halfwidth >= 0) {
		sqlite3_bind_double(st, 4, y - halfwidth);
		sqlite3_bind_double(st, 5, y + halfwidth);
	}
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* A converging loss with a band that narrows, rows inserted in a scrambled order so the
 * grouping and sorting in plot.c are exercised. */
static void add_curve(sqlite3 *db, const char *series, int points, double rate, double band)
{
	for (int k = 0; k < points; k++) {
		int i = (k * 7) % points; /* 7 is coprime with the counts used below */
		double x = 1 + i * 10;
		double y = 0.05 + 2.0 * exp(-rate * x);
		add_row(db, series, x, y, band < 0 ? -1 : band * y);
	}
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/rb-test-plot-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void assert_png(const char *path)
{
	static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char head[8] = {0};
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "%s missing", path);
	cr_assert_eq(fread(head, 1, 8, fp), 8u);
	fclose(fp);
	cr_assert_eq(memcmp(head, magic, 8), 0, "%s is no PNG", path);
	cr_assert_gt(file_size(path), 1000);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "%s missing", path);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	char *buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void remove_outputs(char *tmp, const char *outdir, const char *id)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s.png", outdir, id);
	unlink(p);
	snprintf(p, sizeof p, "%s/%s.svg", outdir, id);
	unlink(p);
	rmdir(outdir);
	snprintf(p, sizeof p, "%s/out", tmp);
	rmdir(p);
	rmdir(tmp);
	free(tmp);
}

Test(plot, renders_png_and_svg_with_bands_and_leaves_no_temporaries)
{
	use_repo_root();
	sqlite3 *db = open_store();
	add_curve(db, "sgd lr=0.5", 31, 0.02, 0.15);
	add_curve(db, "topk k=1%", 9, 0.05, 0.25);
	add_curve(db, "no band", 9, 0.01, -1);
	char *tmp = make_tmpdir(), outdir[4096], p[4096], err[512] = "";
	snprintf(outdir, sizeof outdir, "%s/out/figs", tmp); /* missing: plot_render makes it */
	struct plot_spec spec = {.id = "convergence", .title = "Training loss vs. epochs",
				 .xlabel = "epoch", .ylabel = "training loss", .logy = 1,
				 .query = QUERY " ORDER BY x DESC"};
	cr_assert_eq(plot_render(db, &spec, outdir, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rb_path_join(p, sizeof p, outdir, "convergence.png", err, sizeof err), 0);
	assert_png(p);
	cr_assert_eq(rb_path_join(p, sizeof p, outdir, "convergence.svg", err, sizeof err), 0);
	char *svg = slurp(p);
	cr_assert_not_null(strstr(svg, "<svg"));
	cr_assert_not_null(strstr(svg, "sgd lr=0.5"));
	cr_assert_not_null(strstr(svg, "training loss"));
	free(svg);
	cr_assert_eq(count_entries(outdir), 2u, "temporary files left in %s", outdir);
	sqlite3_close(db);
	remove_outputs(tmp, outdir, "convergence");
}

Test(plot, wrong_columns_name_the_expected_ones)
{
	use_repo_root();
	sqlite3 *db = open_store();
	add_curve(db, "a", 5, 0.1, 0.1);
	char *tmp = make_tmpdir(), err[512] = "";
	struct plot_spec spec = {.id = "bad", .query = "SELECT series, x AS step, y FROM m"};
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "series, x, y, lo, hi"), "%s", err);
	cr_assert_not_null(strstr(err, "step"), "the message shows what came back: %s", err);
	cr_assert_eq(count_entries(tmp), 0u);
	cr_assert_eq(plot_check_query(db, spec.query, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "series, x, y, lo, hi"), "%s", err);
	sqlite3_close(db);
	rmdir(tmp);
	free(tmp);
}

Test(plot, empty_result_is_no_data_and_writes_nothing)
{
	use_repo_root();
	sqlite3 *db = open_store();
	add_row(db, "only NULL y", 1, 1, 0.1);
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO m VALUES ('s', 2, NULL, NULL, NULL)", NULL,
				  NULL, NULL), SQLITE_OK);
	char *tmp = make_tmpdir(), outdir[4096], err[512] = "";
	snprintf(outdir, sizeof outdir, "%s/out", tmp);
	struct plot_spec spec = {.id = "empty", .query = QUERY " WHERE x > 100"};
	cr_assert_eq(plot_render(db, &spec, outdir, err, sizeof err), PLOT_NO_DATA);
	cr_assert_not_null(strstr(err, "no data"), "%s", err);
	spec.query = QUERY " WHERE y IS NULL"; /* rows, but none plottable */
	cr_assert_eq(plot_render(db, &spec, outdir, err, sizeof err), PLOT_NO_DATA, "%s", err);
	cr_assert_eq(access(outdir, F_OK), -1, "nothing, not even the folder, is written");
	sqlite3_close(db);
	rmdir(tmp);
	free(tmp);
}

Test(plot, series_names_with_quotes_underscores_and_markup_render)
{
	use_repo_root();
	sqlite3 *db = open_store();
	const char *names[] = {"it's \"quoted\"", "top_k^2 @x {y} & <z>", "back\\slash\tlr=0.5"};
	for (int s = 0; s < 3; s++) {
		for (int i = 0; i < 6; i++)
			add_row(db, names[s], i, s + i * 0.5, 0.2);
	}
	char *tmp = make_tmpdir(), outdir[4096], p[4096], err[512] = "";
	snprintf(outdir, sizeof outdir, "%s/out", tmp);
	struct plot_spec spec = {.id = "names", .title = "Title's _sub_ ^sup^ @macro",
				 .xlabel = "x_1", .ylabel = "y'", .query = QUERY};
	cr_assert_eq(plot_render(db, &spec, outdir, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rb_path_join(p, sizeof p, outdir, "names.png", err, sizeof err), 0);
	assert_png(p);
	cr_assert_eq(rb_path_join(p, sizeof p, outdir, "names.svg", err, sizeof err), 0);
	char *svg = slurp(p);
	/* Printed as written: no enhanced-text markup, XML-escaped by gnuplot. */
	cr_assert_not_null(strstr(svg, "it's \"quoted\""), "quoted name mangled");
	cr_assert_not_null(strstr(svg, "top_k^2 @x {y} &amp; &lt;z>"), "markup name mangled");
	cr_assert_not_null(strstr(svg, "back\\slash lr=0.5"), "tab not turned into a space");
	cr_assert_not_null(strstr(svg, "Title's _sub_ ^sup^ @macro"));
	free(svg);
	cr_assert_eq(count_entries(outdir), 2u);
	sqlite3_close(db);
	remove_outputs(tmp, outdir, "names");
}

Test(plot, gnuplot_failure_returns_its_error_line_and_leaves_nothing)
{
	use_repo_root();
	sqlite3 *db = open_store();
	add_row(db, "negative", 1, -1, -1);
	add_row(db, "negative", 2, -2, -1);
	char *tmp = make_tmpdir(), err[512] = "";
	/* Every y is negative on a log axis: gnuplot refuses to draw. */
	struct plot_spec spec = {.id = "fails", .logy = 1, .query = QUERY};
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "gnuplot: line"), "%s", err);
	cr_assert_not_null(strstr(err, "undefined"), "%s", err);
	cr_assert_eq(count_entries(tmp), 0u, "no figure and no temporary folder");
	sqlite3_close(db);
	rmdir(tmp);
	free(tmp);
}

Test(plot, bad_values_and_ids_are_refused)
{
	use_repo_root();
	sqlite3 *db = open_store();
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO m VALUES ('a', 'ten', 1, NULL, NULL)", NULL,
				  NULL, NULL), SQLITE_OK);
	char *tmp = make_tmpdir(), err[512] = "";
	struct plot_spec spec = {.id = "text_x", .query = QUERY};
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "row 1: x is the text 'ten'"), "%s", err);
	spec.query = "SELECT NULL AS series, 1 AS x, 2 AS y, NULL AS lo, NULL AS hi";
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "series is NULL"), "%s", err);
	spec.id = "../escape";
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "file stem"), "%s", err);
	cr_assert_eq(count_entries(tmp), 0u);
	sqlite3_close(db);
	rmdir(tmp);
	free(tmp);
}

Test(plot, check_query_accepts_one_select_and_refuses_the_rest)
{
	sqlite3 *db = open_store();
	char err[512] = "";
	cr_assert_eq(plot_check_query(db, QUERY " ORDER BY series, x;  -- done", err,
				      sizeof err), 0, "%s", err);
	cr_assert_eq(plot_check_query(db, "select SERIES, X, y, lo, hi from m", err, sizeof err),
		     0, "column names are case-insensitive: %s", err);
	cr_assert_eq(plot_check_query(db, QUERY "; DELETE FROM m", err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "one statement"), "%s", err);
	cr_assert_eq(plot_check_query(db, "DELETE FROM m RETURNING series, x, y, lo, hi", err,
				      sizeof err), -1);
	cr_assert_eq(plot_check_query(db, "SELECT series, x, y, lo, hi FROM nowhere", err,
				      sizeof err), -1);
	cr_assert_not_null(strstr(err, "no such table"), "%s", err);
	cr_assert_eq(plot_check_query(db, "  ", err, sizeof err), -1);
	cr_assert_not_null(strstr(err, "empty"), "%s", err);
	sqlite3_close(db);
}
