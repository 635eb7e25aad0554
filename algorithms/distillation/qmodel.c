/*
 * qmodel: whole-network quantization over kernels/quant (qmodel.h).
 */
#include "algorithms/distillation/qmodel.h"

#include <stdlib.h>
#include <string.h>

#include "algorithms/distillation/compress.h"

int qm_apply(const struct net *n, const struct quant_spec *q, const float *w, float *qw,
	     struct rng *r)
{
	struct net_tensor t[2 * NET_MAX_LAYERS];
	int nt = net_tensors(n, t);
	for (int i = 0; i < nt; i++)
		if (quant_apply(q, w + t[i].offset, t[i].count, qw + t[i].offset, r) != 0)
			return -1;
	return 0;
}

/* One tensor: encode, decode, count its symbols. */
static int quantize_tensor(const struct quant_spec *q, const float *x, int64_t count, float *out,
			   struct rng *r, struct qm_size *size)
{
	int64_t nb = quant_nbuckets(q, count), counts[256] = { 0 };
	uint8_t *codes = malloc((size_t)count);
	float *lo = malloc((size_t)nb * sizeof(float)), *step = malloc((size_t)nb * sizeof(float));
	int rc = -1;
	if (codes && lo && step && quant_encode(q, x, count, codes, lo, step, r) == 0) {
		quant_decode(q, codes, count, lo, step, out);
		for (int64_t i = 0; i < count; i++)
			counts[codes[i]]++;
		size->bits_fp += 32.0 * (double)count;
		size->bits_plain += (double)q->bits * (double)count + 64.0 * (double)nb;
		size->bits_huffman += compress_huffman_bits(counts, 256) + 64.0 * (double)nb;
		size->buckets += nb;
		rc = 0;
	}
	free(codes);
	free(lo);
	free(step);
	return rc;
}

int qm_quantize(const struct net *n, const struct quant_spec *q, const float *w, float *qw,
		struct rng *r, struct qm_size *size)
{
	struct net_tensor t[2 * NET_MAX_LAYERS];
	int nt = net_tensors(n, t);
	memset(size, 0, sizeof(*size));
	for (int i = 0; i < nt; i++)
		if (quantize_tensor(q, w + t[i].offset, t[i].count, qw + t[i].offset, r, size) != 0)
			return -1;
	return 0;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

int64_t qm_max_distinct(const struct net *n, int64_t bucket, const float *qw)
{
	struct net_tensor t[2 * NET_MAX_LAYERS];
	int nt = net_tensors(n, t);
	int64_t worst = 0, widest = 0;
	for (int i = 0; i < nt; i++)
		widest = t[i].count > widest ? t[i].count : widest;
	float *buf = malloc((size_t)(widest > 0 ? widest : 1) * sizeof(float));
	if (!buf)
		return -1;
	for (int i = 0; i < nt; i++) {
		int64_t k = bucket > 0 ? bucket : t[i].count;
		for (int64_t first = 0; first < t[i].count; first += k) {
			int64_t m = t[i].count - first < k ? t[i].count - first : k, distinct = 1;
			memcpy(buf, qw + t[i].offset + first, (size_t)m * sizeof(float));
			qsort(buf, (size_t)m, sizeof(float), cmp_float);
			for (int64_t j = 1; j < m; j++)
				distinct += buf[j] != buf[j - 1];
			worst = distinct > worst ? distinct : worst;
		}
	}
	free(buf);
	return worst;
}
