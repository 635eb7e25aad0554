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

#include "suite/interval.h"
#include "suite/paths.h"
#include "suite/plot.h"
#include "suite/store.h"

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
	const char *ext[] = {"png", "svg", "gp", "dat"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s.%s", outdir, id, ext[i]);
		unlink(p);
	}
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
	cr_assert_eq(count_entries(outdir), 4u, "png, svg, gp, dat and no temporary files in %s",
		     outdir);
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
	cr_assert_eq(count_entries(outdir), 4u);
	sqlite3_close(db);
	remove_outputs(tmp, outdir, "names");
}

Test(plot, gnuplot_failure_returns_its_error_line_and_leaves_nothing)
{
	use_repo_root();
	sqlite3 *db = open_store();
	add_row(db, "negative", 1, -1, -1);
	add_row(db, "negative", 2, -2, -1);
	char *tmp = make_tmpdir(), err[512] = "", bin[4096], fake[4200], path[8192];
	/* The layout never asks gnuplot for what it cannot draw (a log axis over negative
	 * values is drawn linear), so a stand-in gnuplot fails the way gnuplot does. */
	snprintf(bin, sizeof bin, "%s/bin", tmp);
	cr_assert_eq(mkdir(bin, 0700), 0);
	snprintf(fake, sizeof fake, "%s/gnuplot", bin);
	FILE *fp = fopen(fake, "w");
	cr_assert_not_null(fp);
	fputs("#!/bin/sh\necho 'warning: something'\n"
	      "echo '\"/tmp/x/plot.gp\" line 12: all points y value undefined!'\nexit 1\n", fp);
	fclose(fp);
	cr_assert_eq(chmod(fake, 0700), 0);
	const char *old_path = getenv("PATH");
	snprintf(path, sizeof path, "%s:%s", bin, old_path ? old_path : "/usr/bin");
	setenv("PATH", path, 1);
	struct plot_spec spec = {.id = "fails", .logy = 1, .query = QUERY};
	int rc = plot_render(db, &spec, tmp, err, sizeof err);
	setenv("PATH", old_path ? old_path : "/usr/bin", 1);
	unlink(fake);
	rmdir(bin);
	cr_assert_eq(rc, -1);
	cr_assert_not_null(strstr(err, "gnuplot: line 12"), "%s", err);
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

/* ---- issue 22: units, scales, bands, captions, marks ---- */

Test(plot, unit_prefix_is_chosen_from_the_data)
{
	const struct {
		const char *unit;
		double maxabs;
		const char *label;
		double scale;
	} cases[] = {
		{"ops/s", 4.5e7, "M ops/s", 1e6},   {"s", 0.004, "ms", 1e-3},
		{"s", 2e-7, "ns", 1e-9},            {"s", 30, "s", 1},
		{"B", 3e6, "MiB", 1048576},         {"B", 900, "B", 1},
		{"B/s", 2e9, "GB/s", 1e9},          {"threads", 4, "threads", 1},
		{"iterations", 5e4, "k iterations", 1e3}, {"elements", 4096, "elements", 1},
		{"updates/s", 0.5, "updates/s", 1}, {"fraction", 1e-4, "fraction", 1},
		{"\xc3\x97", 3e4, "\xc3\x97", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		double scale = 0;
		plot_unit_prefix(cases[i].unit, cases[i].maxabs, out, sizeof out, &scale);
		cr_expect_str_eq(out, cases[i].label, "%s at %g", cases[i].unit, cases[i].maxabs);
		cr_expect_float_eq(scale, cases[i].scale, 1e-12 * cases[i].scale, "%s at %g",
				   cases[i].unit, cases[i].maxabs);
	}
}

Test(plot, interval_is_min_max_below_five_and_a_reproducible_bootstrap_from_five)
{
	double three[] = {9, 1, 5}, lo = 0, hi = 0;
	cr_assert_eq(iv_band(three, 3, &lo, &hi), IV_MINMAX);
	cr_expect_eq(lo, 1);
	cr_expect_eq(hi, 9);
	double one[] = {4};
	cr_assert_eq(iv_band(one, 1, &lo, &hi), IV_NONE);
	/* Bimodal timings: a t interval of these reaches below zero; the bootstrap stays
	 * inside [min, max] and around the mean, and gives the same band in any order. */
	double a[] = {1, 1, 1, 1, 1, 1, 30, 30}, b[] = {30, 1, 1, 30, 1, 1, 1, 1};
	double lo2 = 0, hi2 = 0, mean = 67.0 / 8;
	cr_assert_eq(iv_band(a, 8, &lo, &hi), IV_BOOTSTRAP);
	cr_assert_eq(iv_band(b, 8, &lo2, &hi2), IV_BOOTSTRAP);
	cr_expect(lo >= 1 && hi <= 30 && lo < mean && mean < hi, "[%g, %g]", lo, hi);
	cr_expect(hi < 30, "not merely min-max: [%g, %g]", lo, hi);
	cr_expect_eq(lo, lo2);
	cr_expect_eq(hi, hi2);
}

Test(plot, store_registers_band_aggregates)
{
	char err[256];
	sqlite3 *db = store_open(":memory:", 0, err, sizeof err);
	cr_assert_not_null(db, "%s", err);
	double v = 0;
	cr_assert_eq(store_scalar(db, "SELECT band_lo(x) FROM (SELECT 3 AS x UNION ALL SELECT 7"
				  " UNION ALL SELECT 5)", &v, err, sizeof err), 1, "%s", err);
	cr_expect_eq(v, 3);
	cr_assert_eq(store_scalar(db, "SELECT band_hi(x) FROM (SELECT 3 AS x UNION ALL SELECT 7)",
				  &v, err, sizeof err), 1, "%s", err);
	cr_expect_eq(v, 7);
	cr_expect_eq(store_scalar(db, "SELECT band_hi(x) FROM (SELECT 3 AS x)", &v, err,
				  sizeof err), 0, "one value: no band");
	store_close(db);
}

/* The figure: throughput over 1, 2, 4 threads with a Student t band that goes
 * below zero, log x asked for. Drawn: M ops/s, a linear x with ticks at 1, 2, 4, the band
 * clamped at 0, the oversubscribed point ringed, a caption naming the band. */
Test(plot, throughput_figure_reads_in_prefixed_units_with_honest_band_and_ticks)
{
	use_repo_root();
	sqlite3 *db = NULL;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE m(series TEXT, x REAL, y REAL, lo REAL, hi REAL,"
				  " n INTEGER, oversub INTEGER);"
				  "INSERT INTO m VALUES ('queue', 1, 4.5e7, -5e6, 9e7, 3, 0),"
				  " ('queue', 2, 3e7, 1e7, 5e7, 3, 0), ('queue', 4, 2e7, 1e6, 3e7, 3, 1);",
				  NULL, NULL, NULL), SQLITE_OK);
	char *tmp = make_tmpdir(), p[4096], err[512] = "";
	struct plot_spec spec = {.id = "queue_throughput", .title = "Priority queues",
				 .xlabel = "threads", .ylabel = "throughput", .logx = 1,
				 .xunit = "threads", .yunit = "ops/s", .band = PLOT_BAND_T95,
				 .query = "SELECT series, x, y, lo, hi, n, oversub FROM m"};
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/queue_throughput.gp", tmp);
	char *gp = slurp(p);
	cr_expect_not_null(strstr(gp, "set ylabel 'throughput (M ops/s)'"), "%s", gp);
	cr_expect_not_null(strstr(gp, "set xlabel 'threads'"), "%s", gp);
	cr_expect_null(strstr(gp, "set logscale x"), "1..4 spans less than a decade");
	cr_expect_not_null(strstr(gp, "set xtics (\"1\" 1, \"2\" 2, \"4\" 4)"), "%s", gp);
	cr_expect_not_null(strstr(gp, "Student-t"), "the caption names the band");
	cr_expect_not_null(strstr(gp, "Ringed points"), "the caption explains the rings");
	cr_expect_not_null(strstr(gp, "ls house_oversub title"), "one legend entry");
	cr_expect_not_null(strstr(gp, "Mean of n = 3 runs"), "%s", gp);
	free(gp);
	snprintf(p, sizeof p, "%s/queue_throughput.dat", tmp);
	char *dat = slurp(p);
	cr_expect_not_null(strstr(dat, "# range: 0 inf"), "%s", dat);
	cr_expect_not_null(strstr(dat, "\n1 45 0 90 0 3\n"), "scaled to M, clamped at 0: %s", dat);
	cr_expect_not_null(strstr(dat, "\n4 20 1 30 1 3"), "%s", dat);
	free(dat);
	sqlite3_close(db);
	remove_outputs(tmp, tmp, "queue_throughput");
}

Test(plot, log_axis_kept_where_the_data_span_decades_and_range_clamps_bands)
{
	use_repo_root();
	sqlite3 *db = open_store();
	for (int i = 0; i < 5; i++) {
		double x = pow(10, i);
		add_row(db, "accuracy", x, 0.5 + 0.1 * i, 0.2); /* hi reaches 1.1 at the end */
	}
	char *tmp = make_tmpdir(), p[4096], err[512] = "";
	struct plot_spec spec = {.id = "acc", .logx = 1, .logy = 1, .xunit = "B",
				 .yunit = "fraction", .range_given = 1, .ymin = 0, .ymax = 1,
				 .query = QUERY};
	cr_assert_eq(plot_render(db, &spec, tmp, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/acc.gp", tmp);
	char *gp = slurp(p);
	cr_expect_not_null(strstr(gp, "set logscale x"), "1 B .. 10 kB spans 4 decades");
	cr_expect_null(strstr(gp, "set logscale y"), "0.5 .. 0.9 does not span a decade");
	cr_expect_not_null(strstr(gp, "set xlabel 'KiB'"), "no label: the unit alone; %s", gp);
	cr_expect_not_null(strstr(gp, "clipped"), "the caption says the band was clipped");
	cr_expect_null(strstr(gp, "No band drawn"), "a band is drawn");
	free(gp);
	snprintf(p, sizeof p, "%s/acc.dat", tmp);
	char *dat = slurp(p);
	cr_expect_null(strstr(dat, " 1.1"), "no band value above 1: %s", dat);
	free(dat);
	sqlite3_close(db);
	remove_outputs(tmp, tmp, "acc");
}
