/*
 * mlp: forward and backward passes of the one-hidden-layer softmax network (mlp.h).
 * Rows are processed in chunks so that an all-rows evaluation needs only a chunk's
 * activations; every product is a dgemm over the chunk.
 */
#include "algorithms/models/mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

/* Rows per chunk of an all-rows evaluation. */
#define MLP_CHUNK 256

/* Activations of one chunk of rows. */
struct mlp_chunk {
	double *x;       /* rows x inputs: the gathered features */
	double *h;       /* rows x hidden: tanh activations */
	double *z;       /* rows x classes: logits, then softmax probabilities */
	double *dh;      /* rows x hidden: back-propagated error */
};

struct mlp_views {
	const double *w1, *b1, *w2, *b2;
};

int64_t mlp_param_count(const struct mlp *m)
{
	return m->hidden * m->inputs + m->hidden + m->classes * m->hidden + m->classes;
}

static struct mlp_views views(const struct mlp *m, const double *w)
{
	struct mlp_views v;
	v.w1 = w;
	v.b1 = v.w1 + m->hidden * m->inputs;
	v.w2 = v.b1 + m->hidden;
	v.b2 = v.w2 + m->classes * m->hidden;
	return v;
}

void mlp_init(const struct mlp *m, double *w, uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed, 0x6d6c70);
	double a1 = sqrt(6.0 / (double)(m->inputs + m->hidden));
	double a2 = sqrt(6.0 / (double)(m->hidden + m->classes));
	int64_t n1 = m->hidden * m->inputs, n2 = m->classes * m->hidden;
	memset(w, 0, (size_t)mlp_param_count(m) * sizeof(*w));
	for (int64_t i = 0; i < n1; i++)
		w[i] = a1 * (2.0 * rng_uniform(&r) - 1.0);
	double *w2 = w + n1 + m->hidden;
	for (int64_t i = 0; i < n2; i++)
		w2[i] = a2 * (2.0 * rng_uniform(&r) - 1.0);
}

int64_t mlp_check_labels(const struct mlp *m, const struct ds_matrix *x, const double *y)
{
	for (int64_t i = 0; i < x->rows; i++)
		if (!(y[i] >= 0 && y[i] < (double)m->classes && y[i] == floor(y[i])))
			return i;
	return -1;
}

static int chunk_alloc(const struct mlp *m, int64_t rows, struct mlp_chunk *c)
{
	c->x = malloc((size_t)(rows * m->inputs) * sizeof(double));
	c->h = malloc((size_t)(rows * m->hidden) * sizeof(double));
	c->z = malloc((size_t)(rows * m->classes) * sizeof(double));
	c->dh = malloc((size_t)(rows * m->hidden) * sizeof(double));
	return c->x && c->h && c->z && c->dh ? 0 : -1;
}

static void chunk_free(struct mlp_chunk *c)
{
	free(c->x);
	free(c->h);
	free(c->z);
	free(c->dh);
}

/* Forward pass of `rows` gathered rows: h = tanh(x W1^T + b1), z = softmax(h W2^T + b2). */
static void forward(const struct mlp *m, const struct mlp_views *v, struct mlp_chunk *c,
		    int64_t rows)
{
	int r = (int)rows, in = (int)m->inputs, hid = (int)m->hidden, cls = (int)m->classes;
	for (int i = 0; i < r; i++) {
		memcpy(c->h + (size_t)i * hid, v->b1, (size_t)hid * sizeof(double));
		memcpy(c->z + (size_t)i * cls, v->b2, (size_t)cls * sizeof(double));
	}
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, hid, in, 1.0, c->x, in, v->w1,
		    in, 1.0, c->h, hid);
	for (int64_t i = 0; i < rows * m->hidden; i++)
		c->h[i] = tanh(c->h[i]);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r, cls, hid, 1.0, c->h, hid, v->w2,
		    hid, 1.0, c->z, cls);
	for (int i = 0; i < r; i++) {
		double *z = c->z + (size_t)i * cls, top = z[0], total = 0.0;
		for (int k = 1; k < cls; k++)
			top = z[k] > top ? z[k] : top;
		for (int k = 0; k < cls; k++)
			total += (z[k] = exp(z[k] - top));
		for (int k = 0; k < cls; k++)
			z[k] /= total;
	}
}

static void gather(const struct ds_matrix *x, const int64_t *rows, int64_t first, int64_t count,
		   double *out)
{
	for (int64_t i = 0; i < count; i++) {
		int64_t row = rows ? rows[first + i] : first + i;
		memcpy(out + i * x->cols, x->dense + row * x->cols, (size_t)x->cols * sizeof(double));
	}
}

static double l2_norm2(const double *w, int64_t n)
{
	double s = 0.0;
	for (int64_t i = 0; i < n; i++)
		s += w[i] * w[i];
	return s;
}

/* Back-propagate one forward chunk, adding the unscaled gradient of its summed loss
 * into grad. c->z turns into dL/dz = p - onehot(y). */
static void backward(const struct mlp *m, const struct mlp_views *v, struct mlp_chunk *c,
		     const double *labels, int64_t rows, double *grad)
{
	int r = (int)rows, in = (int)m->inputs, hid = (int)m->hidden, cls = (int)m->classes;
	double *g1 = grad, *gb1 = g1 + m->hidden * m->inputs, *g2 = gb1 + m->hidden;
	double *gb2 = g2 + m->classes * m->hidden;
	for (int i = 0; i < r; i++) {
		c->z[(size_t)i * cls + (int)labels[i]] -= 1.0;
		for (int k = 0; k < cls; k++)
			gb2[k] += c->z[(size_t)i * cls + k];
	}
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cls, hid, r, 1.0, c->z, cls, c->h,
		    hid, 1.0, g2, hid);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r, hid, cls, 1.0, c->z, cls, v->w2,
		    hid, 0.0, c->dh, hid);
	for (int64_t i = 0; i < rows * m->hidden; i++)
		c->dh[i] *= 1.0 - c->h[i] * c->h[i];
	for (int i = 0; i < r; i++)
		for (int j = 0; j < hid; j++)
			gb1[j] += c->dh[(size_t)i * hid + j];
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hid, in, r, 1.0, c->dh, hid, c->x, in,
		    1.0, g1, in);
}

int mlp_gradient(const struct mlp *m, const struct ds_matrix *x, const double *y,
		 const double *w, const int64_t *rows, int64_t nrows, double *grad)
{
	int64_t n = mlp_param_count(m), chunk = nrows < MLP_CHUNK ? nrows : MLP_CHUNK;
	struct mlp_chunk c = { 0 };
	struct mlp_views v = views(m, w);
	double labels[MLP_CHUNK];
	if (chunk_alloc(m, chunk > 0 ? chunk : 1, &c) != 0) {
		chunk_free(&c);
		return -1;
	}
	memset(grad, 0, (size_t)n * sizeof(*grad));
	for (int64_t first = 0; first < nrows; first += chunk) {
		int64_t count = nrows - first < chunk ? nrows - first : chunk;
		gather(x, rows, first, count, c.x);
		for (int64_t i = 0; i < count; i++)
			labels[i] = y[rows[first + i]];
		forward(m, &v, &c, count);
		backward(m, &v, &c, labels, count, grad);
	}
	double scale = nrows > 0 ? 1.0 / (double)nrows : 0.0;
	for (int64_t i = 0; i < n; i++)
		grad[i] = grad[i] * scale + m->l2 * w[i];
	chunk_free(&c);
	return 0;
}

/* Sum of the losses (or of the correct predictions) over all rows. */
static double all_rows(const struct mlp *m, const struct ds_matrix *x, const double *y,
		       const double *w, int accuracy)
{
	struct mlp_chunk c = { 0 };
	struct mlp_views v = views(m, w);
	int cls = (int)m->classes;
	double total = 0.0;
	if (chunk_alloc(m, MLP_CHUNK, &c) != 0) {
		chunk_free(&c);
		return NAN;
	}
	for (int64_t first = 0; first < x->rows; first += MLP_CHUNK) {
		int64_t count = x->rows - first < MLP_CHUNK ? x->rows - first : MLP_CHUNK;
		gather(x, NULL, first, count, c.x);
		forward(m, &v, &c, count);
		for (int64_t i = 0; i < count; i++) {
			const double *p = c.z + i * cls;
			int label = (int)y[first + i], best = 0;
			for (int k = 1; k < cls; k++)
				best = p[k] > p[best] ? k : best;
			total += accuracy ? (best == label) : -log(fmax(p[label], 1e-300));
		}
	}
	chunk_free(&c);
	return total;
}

double mlp_objective(const struct mlp *m, const struct ds_matrix *x, const double *y,
		     const double *w)
{
	double loss = x->rows > 0 ? all_rows(m, x, y, w, 0) / (double)x->rows : 0.0;
	return loss + m->l2 / 2.0 * l2_norm2(w, mlp_param_count(m));
}

double mlp_accuracy(const struct mlp *m, const struct ds_matrix *x, const double *y,
		    const double *w)
{
	return x->rows > 0 ? all_rows(m, x, y, w, 1) / (double)x->rows : 0.0;
}
