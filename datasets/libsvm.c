/*
 * libsvm: a streaming LIBSVM/SVMlight reader. Lines come from dsio (any codec); each is
 * tokenised in place by hand loops, numbers go through a fast exact path (Clinger's:
 * at most 15 significant digits and a power of ten up to 1e22 give a correctly rounded
 * product or quotient) with strtod_l in the "C" locale for everything else, so results
 * are bit-identical to strtod whatever locale the program runs in. Arrays grow
 * geometrically and are trimmed to size at the end.
 */
#include "datasets/libsvm.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite/error.h"

#define GROW_MIN 4096    /* elements: the first allocation, so small files realloc rarely */
#define TOKEN_SHOWN 40

enum num_status { NUM_OK, NUM_BAD, NUM_NONFINITE };

/* What the labels seen so far allow us to conclude (see the conventions in libsvm.h). */
struct label_set {
	bool all_integer;
	int distinct;          /* 0, 1, 2, or 3 meaning "more than two" */
	double lo, hi;         /* the distinct values when distinct <= 2 */
};

struct parser {
	struct dsio *r;
	int64_t hint;
	locale_t c_locale;
	char *err;
	size_t errlen;
	int64_t rows, rows_cap, nnz, nnz_cap;
	int64_t *rowptr;       /* rows_cap + 1 */
	double *y;             /* rows_cap */
	int32_t *colidx;       /* nnz_cap */
	double *values;        /* nnz_cap */
	int64_t max_index;
	struct label_set labels;
};

static const double pow10_exact[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A token as it may be shown in a one-line message: bytes a terminal would act on
 * (fuzzed input has them) become '?', long tokens are cut. */
static void show_token(char *dst, size_t n, const char *p, const char *e)
{
	size_t k = 0;
	for (; p < e && k + 4 < n && k < TOKEN_SHOWN; p++)
		dst[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	if (p < e && k + 4 <= n) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = 0;
}

__attribute__((format(printf, 2, 3)))
static int line_error(struct parser *P, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rb_error(P->err, P->errlen, "%s:%lld: %s", dsio_name(P->r),
			(long long)dsio_lineno(P->r), msg);
}

static bool word_ci(const char *p, const char *e, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(e - p) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 0x20) != word[i])
			return false;
	return true;
}

/* nan, inf and infinity, any case and sign: strtod would take them, we refuse them by
 * name rather than as bad syntax. */
static bool nonfinite_word(const char *p, const char *e)
{
	if (p < e && (*p == '+' || *p == '-'))
		p++;
	return word_ci(p, e, "nan") || word_ci(p, e, "inf") || word_ci(p, e, "infinity");
}

/*
 * The decimal number in [p, e): sign? (digits [. digits*] | . digits) ([eE] sign? digits)?
 * Hex floats and words are refused. The byte at e must be writable (it is the token's
 * delimiter in the line buffer): the slow path terminates the token there for strtod_l.
 */
static enum num_status parse_real(struct parser *P, char *p, char *e, double *out)
{
	char *start = p;
	bool neg = false, inexact = false;
	uint64_t m = 0;
	int sig = 0, ndigits = 0;
	long e10 = 0, exp = 0;

	if (nonfinite_word(p, e))
		return NUM_NONFINITE;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < e && is_digit(*p); p++, ndigits++) {
		if (m == 0 && *p == '0')
			continue;
		if (sig < 19) {
			m = m * 10 + (uint64_t)(*p - '0');
			sig++;
		} else {
			inexact = true;   /* strtod_l takes it from here; e10 no longer matters */
		}
	}
	if (p < e && *p == '.') {
		for (p++; p < e && is_digit(*p); p++, ndigits++) {
			if (m == 0 && *p == '0') {
				e10--;
				continue;
			}
			if (sig < 19 && !inexact) {
				m = m * 10 + (uint64_t)(*p - '0');
				sig++;
				e10--;
			} else {
				inexact = true;
			}
		}
	}
	if (ndigits == 0)
		return NUM_BAD;
	if (p < e && (*p == 'e' || *p == 'E')) {
		bool eneg = false;
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == e || !is_digit(*p))
			return NUM_BAD;
		for (; p < e && is_digit(*p); p++)
			if (exp < 100000)   /* far past any double's range; stops overflow */
				exp = exp * 10 + (*p - '0');
		exp = eneg ? -exp : exp;
	}
	if (p != e)
		return NUM_BAD;
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return NUM_OK;
	}
	long t = e10 + exp;
	if (!inexact && sig <= 15 && t >= -22 && t <= 22) {
		double d = (double)m;
		d = t >= 0 ? d * pow10_exact[t] : d / pow10_exact[-t];
		*out = neg ? -d : d;
		return NUM_OK;
	}
	char saved = *e;
	*e = 0;
	*out = strtod_l(start, NULL, P->c_locale);
	*e = saved;
	return isfinite(*out) ? NUM_OK : NUM_NONFINITE;
}

/* The capacity to grow to from cap for at least need elements of elem bytes (and
 * `extra` more), or -1 when no such array fits the address space. Sizes are checked
 * before any multiplication; doubling keeps the number of reallocs logarithmic. */
static int64_t grown_capacity(int64_t cap, int64_t need, int64_t extra, size_t elem)
{
	int64_t limit = (int64_t)(PTRDIFF_MAX / (ptrdiff_t)elem) - extra;
	if (need > limit)
		return -1;
	int64_t c = cap > limit / 2 ? limit : 2 * cap;
	if (c < GROW_MIN)
		c = GROW_MIN < limit ? GROW_MIN : limit;
	return c < need ? need : c;
}

/* Room for one more sample: y and rowptr (one element longer) grow together. */
static int reserve_row(struct parser *P)
{
	if (P->rows < P->rows_cap)
		return 0;
	int64_t c = grown_capacity(P->rows_cap, P->rows + 1, 1, sizeof(double));
	double *y = c < 0 ? NULL : realloc(P->y, (size_t)c * sizeof(double));
	if (y)
		P->y = y;
	int64_t *rowptr = y ? realloc(P->rowptr, (size_t)(c + 1) * sizeof(int64_t)) : NULL;
	if (!rowptr)
		return line_error(P, "out of memory after %lld samples", (long long)P->rows);
	P->rowptr = rowptr;
	P->rows_cap = c;
	return 0;
}

/* Room for one more nonzero; the 8-byte values set the size limit for both arrays. */
static int reserve_nonzero(struct parser *P)
{
	if (P->nnz < P->nnz_cap)
		return 0;
	int64_t c = grown_capacity(P->nnz_cap, P->nnz + 1, 0, sizeof(double));
	int32_t *colidx = c < 0 ? NULL : realloc(P->colidx, (size_t)c * sizeof(int32_t));
	if (colidx)
		P->colidx = colidx;
	double *values = colidx ? realloc(P->values, (size_t)c * sizeof(double)) : NULL;
	if (!values)
		return line_error(P, "out of memory after %lld nonzeros", (long long)P->nnz);
	P->values = values;
	P->nnz_cap = c;
	return 0;
}

static void note_label(struct label_set *L, double v)
{
	/* Beyond 2^53 every double is an integer; such a label is no class number. */
	if (v != trunc(v) || fabs(v) > 9007199254740992.0)
		L->all_integer = false;
	if (L->distinct > 2 || (L->distinct >= 1 && v == L->lo) || (L->distinct == 2 && v == L->hi))
		return;
	if (L->distinct == 0) {
		L->lo = v;
	} else if (L->distinct == 1) {
		L->hi = v > L->lo ? v : L->lo;
		L->lo = v > L->lo ? L->lo : v;
	}
	L->distinct++;
}

static int parse_label(struct parser *P, char *p, char *e)
{
	char shown[64];
	show_token(shown, sizeof(shown), p, e);
	if (memchr(p, ':', (size_t)(e - p)))
		return line_error(P, "missing label (the line starts with '%s')", shown);
	double v;
	enum num_status st = parse_real(P, p, e, &v);
	if (st == NUM_NONFINITE)
		return line_error(P, "non-finite label '%s'", shown);
	if (st == NUM_BAD)
		return line_error(P, "bad label '%s' (expected a number)", shown);
	if (reserve_row(P) < 0)
		return -1;
	P->y[P->rows] = v;
	note_label(&P->labels, v);
	return 0;
}

/* The 1-based index in [p, e): digits only. Returns it, or -1 for bad syntax and
 * -2 for one past LIBSVM_MAX_INDEX. */
static int64_t parse_index(const char *p, const char *e)
{
	int64_t v = 0;
	if (p == e)
		return -1;
	for (; p < e; p++) {
		if (!is_digit(*p))
			return -1;
		if (v <= LIBSVM_MAX_INDEX)
			v = v * 10 + (*p - '0');
	}
	return v > LIBSVM_MAX_INDEX ? -2 : v;
}

static bool is_qid(const char *p, const char *e)
{
	if (e - p < 5 || memcmp(p, "qid:", 4))
		return false;
	for (p += 4; p < e; p++)
		if (!is_digit(*p))
			return false;
	return true;
}

static int parse_feature(struct parser *P, char *p, char *e, int64_t *prev)
{
	char shown[64];
	show_token(shown, sizeof(shown), p, e);
	char *colon = memchr(p, ':', (size_t)(e - p));
	if (!colon)
		return line_error(P, "bad token '%s' (expected index:value)", shown);
	int64_t idx = parse_index(p, colon);
	if (idx == -1)
		return line_error(P, "bad token '%s' (expected index:value)", shown);
	if (idx == -2)
		return line_error(P, "index in '%s' is beyond 2^31-1", shown);
	if (idx == 0)
		return line_error(P, "index 0 in 1-based data ('%s')", shown);
	if (P->hint > 0 && idx > P->hint)
		return line_error(P, "index %lld beyond the %lld features declared", (long long)idx,
				  (long long)P->hint);
	if (idx <= *prev)
		return line_error(P, "index %lld after %lld (indices must ascend)", (long long)idx,
				  (long long)*prev);
	double v;
	enum num_status st = parse_real(P, colon + 1, e, &v);
	if (st == NUM_NONFINITE)
		return line_error(P, "non-finite value in '%s'", shown);
	if (st == NUM_BAD)
		return line_error(P, "bad token '%s' (expected index:value)", shown);
	if (reserve_nonzero(P) < 0)
		return -1;
	P->colidx[P->nnz] = (int32_t)(idx - 1);
	P->values[P->nnz++] = v;
	*prev = idx;
	if (idx > P->max_index)
		P->max_index = idx;
	return 0;
}

static char *token_end(char *p, char *e)
{
	while (p < e && !is_space(*p))
		p++;
	return p;
}

static char *skip_space(char *p, char *e)
{
	while (p < e && is_space(*p))
		p++;
	return p;
}

/* One line: a sample, or nothing for a blank or comment line. */
static int parse_line(struct parser *P, char *line, long len)
{
	char *e = line + len;
	char *hash = memchr(line, '#', (size_t)len);
	if (hash)
		e = hash;
	char *p = skip_space(line, e);
	if (p == e)
		return 0;
	char *t = token_end(p, e);
	if (parse_label(P, p, t) < 0)
		return -1;
	int64_t prev = 0;
	for (p = skip_space(t, e); p < e; p = skip_space(t, e)) {
		t = token_end(p, e);
		if (is_qid(p, t))
			continue;
		if (parse_feature(P, p, t, &prev) < 0)
			return -1;
	}
	P->rows++;
	P->rowptr[P->rows] = P->nnz;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Multi-class: each label becomes its rank among the distinct labels. */
static int rank_labels(struct parser *P, int *classes)
{
	double *sorted = malloc((size_t)P->rows * sizeof(double));
	if (!sorted)
		return rb_error(P->err, P->errlen, "%s: out of memory ranking %lld labels",
				dsio_name(P->r), (long long)P->rows);
	memcpy(sorted, P->y, (size_t)P->rows * sizeof(double));
	qsort(sorted, (size_t)P->rows, sizeof(double), cmp_double);
	int64_t k = 0;
	for (int64_t i = 0; i < P->rows; i++)
		if (k == 0 || sorted[i] != sorted[k - 1])
			sorted[k++] = sorted[i];
	for (int64_t i = 0; i < P->rows; i++) {
		const double *hit = bsearch(&P->y[i], sorted, (size_t)k, sizeof(double), cmp_double);
		P->y[i] = (double)(hit - sorted);
	}
	free(sorted);
	/* k <= rows, and rows of int labels fit in memory long before k reaches INT_MAX
	 * on any machine we run on; checked anyway since classes is an int. */
	if (k > INT32_MAX)
		return rb_error(P->err, P->errlen, "%s: %lld classes are too many", dsio_name(P->r),
				(long long)k);
	*classes = (int)k;
	return 0;
}

static int finish_labels(struct parser *P, int *classes)
{
	const struct label_set *L = &P->labels;
	*classes = 0;
	if (!L->all_integer)
		return 0;
	if (L->distinct <= 2 && (L->lo == -1 || L->lo == 1) && (L->distinct < 2 || L->hi == 1))
		return 0;
	if (L->distinct > 2 || (L->distinct == 1 && L->lo != 0))
		return rank_labels(P, classes);
	/* Two labels (0/1, or e.g. breast-cancer's 2/4), or 0 alone: binary, lower -> -1. */
	for (int64_t i = 0; i < P->rows; i++)
		P->y[i] = P->y[i] == L->hi && L->distinct == 2 ? 1.0 : -1.0;
	return 0;
}

static void parser_free(struct parser *P)
{
	free(P->rowptr);
	free(P->y);
	free(P->colidx);
	free(P->values);
}

/* Hand the arrays over, trimmed: a failed trim keeps the larger block. */
static void hand_over(struct parser *P, struct ds_split *out)
{
	void *q;
	if ((q = realloc(P->y, (size_t)(P->rows > 0 ? P->rows : 1) * sizeof(double))))
		P->y = q;
	if ((q = realloc(P->rowptr, (size_t)(P->rows + 1) * sizeof(int64_t))))
		P->rowptr = q;
	if ((q = realloc(P->colidx, (size_t)(P->nnz > 0 ? P->nnz : 1) * sizeof(int32_t))))
		P->colidx = q;
	if ((q = realloc(P->values, (size_t)(P->nnz > 0 ? P->nnz : 1) * sizeof(double))))
		P->values = q;
	out->x.rows = P->rows;
	out->x.cols = P->hint > 0 ? P->hint : P->max_index;
	out->x.sparse = true;
	out->x.rowptr = P->rowptr;
	out->x.colidx = P->colidx;
	out->x.values = P->values;
	out->y = P->y;
}

static int parse_all(struct parser *P, int *classes)
{
	if (reserve_row(P) < 0 || reserve_nonzero(P) < 0)
		return -1;
	P->rowptr[0] = 0;
	for (;;) {
		char *line;
		long len = dsio_getline(P->r, &line, P->err, P->errlen);
		if (len == -2)
			return -1;
		if (len == -1)
			break;
		if (parse_line(P, line, len) < 0)
			return -1;
	}
	if (P->rows == 0)
		return rb_error(P->err, P->errlen, "%s: no samples (empty, or only blank and comment lines)",
				dsio_name(P->r));
	return finish_labels(P, classes);
}

int libsvm_parse(struct dsio *r, int64_t n_features_hint, struct ds_split *out, int *classes_out,
		 char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (n_features_hint < 0 || n_features_hint > LIBSVM_MAX_INDEX)
		return rb_error(err, errlen, "%s: %lld features declared; the limit is 2^31-1",
				dsio_name(r), (long long)n_features_hint);
	struct parser P = {
		.r = r, .hint = n_features_hint, .err = err, .errlen = errlen,
		.labels = { .all_integer = true },
	};
	P.c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!P.c_locale)
		return rb_error(err, errlen, "%s: cannot create the C locale", dsio_name(r));
	int classes = 0;
	int rc = parse_all(&P, &classes);
	freelocale(P.c_locale);
	if (rc < 0) {
		parser_free(&P);
		return -1;
	}
	hand_over(&P, out);
	if (classes_out)
		*classes_out = classes;
	return 0;
}

int libsvm_load(const char *path, int64_t n_features_hint, struct ds_split *out, int *classes_out,
		char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct dsio *r = dsio_open(path, err, errlen);
	if (!r)
		return -1;
	int rc = libsvm_parse(r, n_features_hint, out, classes_out, err, errlen);
	dsio_close(r);
	return rc;
}
