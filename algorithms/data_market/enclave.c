/* enclave: AES-256-GCM sealed shards, opened, metered and trained on inside (enclave.h). */
#include "algorithms/data_market/enclave.h"

#include <cblas.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/models/linear.h"

struct dm_enclave {
	unsigned char key[DM_KEY_BYTES];
	int shards;
	int64_t *uses;
	size_t cap;
	double *buf;
	EVP_CIPHER_CTX *ctx;
};

static void nonce_of(int64_t shard, unsigned char nonce[DM_NONCE_BYTES])
{
	memset(nonce, 0, DM_NONCE_BYTES);
	for (int b = 0; b < 8; b++)
		nonce[b] = (unsigned char)((uint64_t)shard >> (8 * b));
}

int dm_seal(const unsigned char key[DM_KEY_BYTES], int64_t shard, int64_t rows, const void *plain, size_t len,
	    struct dm_sealed *out, char *err, size_t errlen)
{
	*out = (struct dm_sealed){ .shard = shard, .rows = rows, .len = len };
	nonce_of(shard, out->nonce);
	out->bytes = malloc(len ? len : 1);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0;
	int ok = out->bytes && c && len <= (size_t)INT32_MAX &&
		 EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, out->nonce) &&
		 EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)&shard, sizeof(shard)) &&
		 EVP_EncryptUpdate(c, out->bytes, &n, plain, (int)len) &&
		 EVP_EncryptFinal_ex(c, out->bytes + n, &fin) &&
		 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, DM_TAG_BYTES, out->tag);
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		snprintf(err, errlen, "shard %lld: sealing failed", (long long)shard);
		dm_sealed_free(out);
		return -1;
	}
	return 0;
}

void dm_sealed_free(struct dm_sealed *s)
{
	free(s->bytes);
	s->bytes = NULL;
}

struct dm_enclave *dm_enclave_new(const unsigned char key[DM_KEY_BYTES], int shards, size_t max_len)
{
	struct dm_enclave *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->key, key, DM_KEY_BYTES);
	e->shards = shards;
	e->cap = max_len;
	e->uses = calloc((size_t)(shards > 0 ? shards : 1), sizeof(int64_t));
	e->buf = malloc(max_len ? max_len : 1);
	e->ctx = EVP_CIPHER_CTX_new();
	if (!e->uses || !e->buf || !e->ctx) {
		dm_enclave_free(e);
		return NULL;
	}
	return e;
}

void dm_enclave_free(struct dm_enclave *e)
{
	if (!e)
		return;
	EVP_CIPHER_CTX_free(e->ctx);
	free(e->uses);
	free(e->buf);
	/* The key leaves no copy behind in freed memory. */
	memset(e->key, 0, sizeof(e->key));
	free(e);
}

const double *dm_enclave_open(struct dm_enclave *e, const struct dm_sealed *s, char *err, size_t errlen)
{
	if (s->len > e->cap || s->len > (size_t)INT32_MAX || s->shard < 0 || s->shard >= e->shards) {
		snprintf(err, errlen, "shard %lld: not a shard of this enclave", (long long)s->shard);
		return NULL;
	}
	EVP_CIPHER_CTX *c = e->ctx;
	unsigned char tag[DM_TAG_BYTES];
	int n = 0, fin = 0;
	memcpy(tag, s->tag, sizeof(tag));
	int ok = EVP_CIPHER_CTX_reset(c) && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, e->key, s->nonce) &&
		 EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)&s->shard, sizeof(s->shard)) &&
		 EVP_DecryptUpdate(c, (unsigned char *)e->buf, &n, s->bytes, (int)s->len) &&
		 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, DM_TAG_BYTES, tag) &&
		 EVP_DecryptFinal_ex(c, (unsigned char *)e->buf + n, &fin) > 0;
	if (!ok) {
		/* Nothing of an unauthenticated shard may be used. */
		memset(e->buf, 0, s->len);
		snprintf(err, errlen, "shard %lld: authentication failed (wrong key or altered ciphertext)",
			 (long long)s->shard);
		return NULL;
	}
	return e->buf;
}

int dm_enclave_check(struct dm_enclave *e, const struct dm_sealed *s, int n, char *err, size_t errlen)
{
	for (int j = 0; j < n; j++)
		if (!dm_enclave_open(e, &s[j], err, errlen))
			return -1;
	return 0;
}

void dm_sgd_pass(const double *buf, int64_t rows, int64_t d, double lr, double *w)
{
	struct ds_matrix x = { .rows = rows, .cols = d, .sparse = false, .dense = (double *)(buf + rows) };
	for (int64_t i = 0; i < rows; i++) {
		double slope = lm_loss_slope(LM_LOGISTIC, lm_row_dot(&x, i, w), buf[i]);
		cblas_daxpy((int)d, -lr * slope, x.dense + i * d, 1, w, 1);
	}
}

int dm_enclave_train(struct dm_enclave *e, const struct dm_sealed *s, int64_t d, double lr, double *w,
		     char *err, size_t errlen)
{
	const double *buf = dm_enclave_open(e, s, err, errlen);
	if (!buf)
		return -1;
	e->uses[s->shard] += s->rows;
	dm_sgd_pass(buf, s->rows, d, lr, w);
	return 0;
}

int64_t dm_enclave_uses(const struct dm_enclave *e, int j)
{
	return j >= 0 && j < e->shards ? e->uses[j] : -1;
}
