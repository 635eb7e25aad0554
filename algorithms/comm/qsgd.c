/*
 * qsgd: QSGD stochastic quantization and its bit packing (see qsgd.h).
 */
#include "algorithms/comm/qsgd.h"

#include <math.h>
#include <string.h>

int qsgd_bits_ok(int bits)
{
	return bits == 2 || bits == 4 || bits == 8;
}

int qsgd_levels(int bits)
{
	return (1 << (bits - 1)) - 1;
}

static uint64_t bucket_bytes(uint64_t len, int bits)
{
	return 4 + (len * (uint64_t)bits + 7) / 8;
}

uint64_t qsgd_wire_bytes(uint64_t n, int bits)
{
	uint64_t full = n / QSGD_BUCKET, rest = n % QSGD_BUCKET;
	return full * bucket_bytes(QSGD_BUCKET, bits) + (rest ? bucket_bytes(rest, bits) : 0);
}

double qsgd_variance_factor(uint64_t bucket, int bits)
{
	double s = qsgd_levels(bits), b = (double)bucket;
	return fmin(b / (s * s), sqrt(b) / s);
}

static void encode_bucket(const float *v, uint64_t len, int bits, struct rng *r,
			  unsigned char *p)
{
	double norm = 0;
	for (uint64_t i = 0; i < len; i++)
		norm += (double)v[i] * v[i];
	float nf = (float)sqrt(norm);
	memcpy(p, &nf, 4);
	p += 4;
	memset(p, 0, (len * (uint64_t)bits + 7) / 8);
	if (nf == 0.0f)
		return;
	int s = qsgd_levels(bits);
	for (uint64_t i = 0; i < len; i++) {
		double x = s * fabs((double)v[i]) / nf;
		int l = (int)x;
		if (rng_uniform(r) < x - l)
			l++;
		if (l > s)
			l = s;
		unsigned code = (unsigned)l | (v[i] < 0 ? 1u << (bits - 1) : 0u);
		uint64_t bit = i * (uint64_t)bits;
		/* bits divides 8: a code never straddles a byte */
		p[bit / 8] |= (unsigned char)(code << (bit % 8));
	}
}

void qsgd_encode(const float *v, uint64_t n, int bits, struct rng *r, void *buf)
{
	unsigned char *p = buf;
	for (uint64_t at = 0; at < n; at += QSGD_BUCKET) {
		uint64_t len = n - at < QSGD_BUCKET ? n - at : QSGD_BUCKET;
		encode_bucket(v + at, len, bits, r, p);
		p += bucket_bytes(len, bits);
	}
}

void qsgd_decode(const void *buf, uint64_t n, int bits, float *out)
{
	const unsigned char *p = buf;
	int s = qsgd_levels(bits);
	unsigned mask = (1u << bits) - 1, sign = 1u << (bits - 1);
	for (uint64_t at = 0; at < n; at += QSGD_BUCKET) {
		uint64_t len = n - at < QSGD_BUCKET ? n - at : QSGD_BUCKET;
		float nf;
		memcpy(&nf, p, 4);
		const unsigned char *c = p + 4;
		for (uint64_t i = 0; i < len; i++) {
			uint64_t bit = i * (uint64_t)bits;
			unsigned code = (c[bit / 8] >> (bit % 8)) & mask;
			float q = nf * (float)(code & (sign - 1)) / (float)s;
			out[at + i] = code & sign ? -q : q;
		}
		p += bucket_bytes(len, bits);
	}
}
