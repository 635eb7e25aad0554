/*
 * enclave: the trusted-pipeline proxy. SGX is not available here; the "enclave" is this
 * module, the only code that holds the decryption key. Shards are stored sealed with
 * AES-256-GCM (libcrypto EVP; the shard id is the additional data, so a shard cannot be
 * swapped for another); the enclave authenticates and decrypts a shard into its own
 * buffer, counts the rows the training reads from it (the usage meter), and trains
 * logistic regression SGD on it (models/linear's margin and loss slope).
 *
 * A shard's plaintext is `rows` labels (+1/-1) followed by the rows x d features,
 * row-major, all doubles.
 */
#ifndef DM_ENCLAVE_H
#define DM_ENCLAVE_H

#include <stddef.h>
#include <stdint.h>

#define DM_KEY_BYTES 32
#define DM_NONCE_BYTES 12
#define DM_TAG_BYTES 16

struct dm_sealed {
	int64_t shard, rows;
	size_t len;                        /* plaintext = ciphertext bytes */
	unsigned char nonce[DM_NONCE_BYTES], tag[DM_TAG_BYTES];
	unsigned char *bytes;
};

/* The data owner's side: seal `len` bytes of shard `shard` under `key`. The nonce is the
 * shard id (one sealing per shard and key). 0, or -1 with err. */
int dm_seal(const unsigned char key[DM_KEY_BYTES], int64_t shard, int64_t rows, const void *plain, size_t len,
	    struct dm_sealed *out, char *err, size_t errlen);
void dm_sealed_free(struct dm_sealed *s);

struct dm_enclave;

/* Provisioned with a key; `shards` usage counters; scratch for the largest shard. */
struct dm_enclave *dm_enclave_new(const unsigned char key[DM_KEY_BYTES], int shards, size_t max_len);
void dm_enclave_free(struct dm_enclave *e);

/* Authenticate and decrypt into the enclave's buffer; returns it, or NULL with one line
 * in err ("shard 3: authentication failed (wrong key or altered ciphertext)"). */
const double *dm_enclave_open(struct dm_enclave *e, const struct dm_sealed *s, char *err, size_t errlen);

/* Authenticate every shard before anything is trained. 0, or -1 with err. */
int dm_enclave_check(struct dm_enclave *e, const struct dm_sealed *s, int n, char *err, size_t errlen);

/* One SGD pass (step lr) over every row of an opened shard buffer of `rows` x d. */
void dm_sgd_pass(const double *buf, int64_t rows, int64_t d, double lr, double *w);

/* Open shard s, meter its rows, and train one pass on it. 0 or -1 with err. */
int dm_enclave_train(struct dm_enclave *e, const struct dm_sealed *s, int64_t d, double lr, double *w,
		     char *err, size_t errlen);

/* Uses metered for shard j so far. */
int64_t dm_enclave_uses(const struct dm_enclave *e, int j);

#endif
