/* testutil: helpers shared by the unit and end-to-end tests. */
#include "tests/unit/testutil.h"

#include "algorithms/kernels/rng.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void tu_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(buf, len, "%s/relaxbench-test-XXXXXX", base);
	if (!mkdtemp(buf))
		abort();
}

void tu_write(const char *dir, const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

int tu_sh(char **out, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char full[8300];
	snprintf(full, sizeof(full), "(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	if (!p)
		abort();
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (n + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = 0;
	int st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

const char *tu_bin(void)
{
	const char *b = getenv("RELAXBENCH_BIN");
	return b ? b : "build/relaxbench";
}

int tu_lines(const char *s)
{
	int n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '\n';
	if (*s && s[strlen(s) - 1] != '\n')
		n++;
	return n;
}

int tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int tu_complete_runs(const char *expdir, int *partial)
{
	DIR *d = opendir(expdir);
	int n = 0;
	*partial = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char p[2048];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/run.json", expdir, e->d_name);
		if (access(p, R_OK) == 0)
			n++;
		else
			(*partial)++;
	}
	closedir(d);
	return n;
}

char *tu_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	size_t got = fread(buf, 1, (size_t)n, f);
	buf[got] = 0;
	fclose(f);
	return buf;
}

struct rb_paramset tu_defaults(const struct rb_param_spec *table)
{
	struct rb_paramset ps;
	char err[512];
	cr_assert_eq(rb_paramset_defaults(table, &ps, err, sizeof(err)), 0, "%s", err);
	return ps;
}

void tu_set_int(struct rb_paramset *ps, const char *name, long long i)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	v.i = i;
	rb_paramset_set(ps, name, &v);
}

void tu_set_real(struct rb_paramset *ps, const char *name, double r)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	v.r = r;
	rb_paramset_set(ps, name, &v);
}

void tu_set_choice(struct rb_paramset *ps, const char *name, const char *s)
{
	struct rb_value v = *rb_paramset_get(ps, name);
	snprintf(v.s, sizeof(v.s), "%s", s);
	rb_paramset_set(ps, name, &v);
}

bool tu_same_matrix(const struct ds_matrix *a, const struct ds_matrix *b)
{
	if (a->rows != b->rows || a->cols != b->cols || a->sparse != b->sparse)
		return false;
	if (!a->sparse)
		return memcmp(a->dense, b->dense, (size_t)(a->rows * a->cols) * sizeof(double)) == 0;
	int64_t nnz = ds_matrix_nnz(a);
	return nnz == ds_matrix_nnz(b) &&
	       memcmp(a->rowptr, b->rowptr, (size_t)(a->rows + 1) * sizeof(int64_t)) == 0 &&
	       memcmp(a->colidx, b->colidx, (size_t)nnz * sizeof(int32_t)) == 0 &&
	       memcmp(a->values, b->values, (size_t)nnz * sizeof(double)) == 0;
}

bool tu_same_split(const struct ds_split *a, const struct ds_split *b)
{
	return tu_same_matrix(&a->x, &b->x) && memcmp(a->y, b->y, (size_t)a->x.rows * sizeof(double)) == 0;
}

void tu_random_pair(struct ds_matrix *dense, struct ds_matrix *csr, int rows, int cols,
		    struct rng *r)
{
	int64_t nnz = 0;

	*dense = (struct ds_matrix){ .rows = rows, .cols = cols };
	dense->dense = calloc((size_t)rows * (size_t)cols, sizeof(double));
	cr_assert_not_null(dense->dense);
	cr_assert_eq(ds_csr_alloc(csr, rows, cols, (int64_t)rows * cols), 0);
	for (int i = 0; i < rows; i++) {
		for (int j = 0; j < cols; j++) {
			if (rng_uniform(r) < 0.4)
				continue;
			double v = rng_normal(r);
			dense->dense[(size_t)i * (size_t)cols + (size_t)j] = v;
			csr->colidx[nnz] = j;
			csr->values[nnz++] = v;
		}
		csr->rowptr[i + 1] = nnz;
	}
}
