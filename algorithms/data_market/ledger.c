/* ledger: SQLite tables chained by SHA-256 receipts (ledger.h). */
#include "algorithms/data_market/ledger.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_HEX 65

struct dm_ledger {
	sqlite3 *db;
	int64_t rows;              /* the head: rows chained so far */
	char head[HASH_HEX];       /* and the last receipt hash ("" before the first row) */
};

struct part {
	int64_t rem;
	int idx;
};

static int by_remainder(const void *a, const void *b)
{
	const struct part *x = a, *y = b;
	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->idx - y->idx;
}

int dm_apportion(int64_t total, const int64_t *w, int n, int64_t *out)
{
	if (n <= 0 || total < 0)
		return -1;
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += w[i];
	if (sum <= 0)
		return -1;
	struct part *p = malloc((size_t)n * sizeof(*p));
	if (!p)
		return -1;
	int64_t given = 0;
	for (int i = 0; i < n; i++) {
		out[i] = total * w[i] / sum;
		given += out[i];
		p[i] = (struct part){ .rem = total * w[i] % sum, .idx = i };
	}
	/* The floors leave less than n tokens: one each to the largest remainders. */
	qsort(p, (size_t)n, sizeof(*p), by_remainder);
	for (int64_t k = 0; k < total - given; k++)
		out[p[k].idx]++;
	free(p);
	return 0;
}

/* hex SHA-256 of prev || "\n" || text, through libcrypto's EVP. */
static int receipt(const char *prev, const char *text, char out[HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(c, prev, strlen(prev)) && EVP_DigestUpdate(c, "\n", 1) &&
		 EVP_DigestUpdate(c, text, strlen(text)) && EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	if (!ok || len != 32)
		return -1;
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static const char *const schema =
	"CREATE TABLE holders(seq INTEGER PRIMARY KEY, holder INTEGER, label TEXT, hash TEXT);"
	"CREATE TABLE shards(seq INTEGER PRIMARY KEY, shard INTEGER, content_hash TEXT, curator INTEGER, hash TEXT);"
	"CREATE TABLE holdings(seq INTEGER PRIMARY KEY, shard INTEGER, holder INTEGER, balance INTEGER, hash TEXT);"
	"CREATE TABLE jobs(seq INTEGER PRIMARY KEY, job INTEGER, fee INTEGER, hash TEXT);"
	"CREATE TABLE usage(seq INTEGER PRIMARY KEY, job INTEGER, shard INTEGER, uses INTEGER, hash TEXT);"
	"CREATE TABLE payouts(seq INTEGER PRIMARY KEY, job INTEGER, shard INTEGER, holder INTEGER, amount INTEGER, hash TEXT);";

/* Every row as the text its receipt covers, in chain order. The writer builds the same
 * text with snprintf: integers print alike in both. */
static const char *const chain_query =
	"SELECT seq, 'holders', 'holders|' || seq || '|' || holder || '|' || label, hash FROM holders "
	"UNION ALL SELECT seq, 'shards', 'shards|' || seq || '|' || shard || '|' || content_hash || '|' || curator, hash FROM shards "
	"UNION ALL SELECT seq, 'holdings', 'holdings|' || seq || '|' || shard || '|' || holder || '|' || balance, hash FROM holdings "
	"UNION ALL SELECT seq, 'jobs', 'jobs|' || seq || '|' || job || '|' || fee, hash FROM jobs "
	"UNION ALL SELECT seq, 'usage', 'usage|' || seq || '|' || job || '|' || shard || '|' || uses, hash FROM usage "
	"UNION ALL SELECT seq, 'payouts', 'payouts|' || seq || '|' || job || '|' || shard || '|' || holder || '|' || amount, hash FROM payouts "
	"ORDER BY 1";

struct dm_ledger *dm_ledger_open(const char *path, char *err, size_t errlen)
{
	struct dm_ledger *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "ledger: out of memory");
		return NULL;
	}
	if (sqlite3_open(path ? path : ":memory:", &l->db) != SQLITE_OK ||
	    sqlite3_exec(l->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "ledger: %s", l->db ? sqlite3_errmsg(l->db) : "cannot open");
		dm_ledger_close(l);
		return NULL;
	}
	return l;
}

void dm_ledger_close(struct dm_ledger *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l);
}

int dm_ledger_exec(struct dm_ledger *l, const char *sql)
{
	return sqlite3_exec(l->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Chain one row: `text` is "table|seq|fields" without the seq (added here), `insert`
 * the INSERT with %lld for seq and %Q for the hash. */
static int chain(struct dm_ledger *l, const char *table, const char *fields, const char *insert_fmt)
{
	int64_t seq = l->rows + 1;
	char text[512], hash[HASH_HEX];
	snprintf(text, sizeof(text), "%s|%" PRId64 "|%s", table, seq, fields);
	if (receipt(l->head, text, hash) != 0)
		return -1;
	char *sql = sqlite3_mprintf(insert_fmt, (long long)seq, hash);
	int rc = sql ? dm_ledger_exec(l, sql) : -1;
	sqlite3_free(sql);
	if (rc != 0)
		return -1;
	l->rows = seq;
	memcpy(l->head, hash, HASH_HEX);
	return 0;
}

int dm_ledger_add_holder(struct dm_ledger *l, int64_t holder, const char *label)
{
	char f[256], ins[512];
	snprintf(f, sizeof(f), "%" PRId64 "|%s", holder, label);
	char *q = sqlite3_mprintf("INSERT INTO holders VALUES(%%lld, %lld, %Q, %%Q)", (long long)holder, label);
	if (!q)
		return -1;
	snprintf(ins, sizeof(ins), "%s", q);
	sqlite3_free(q);
	return chain(l, "holders", f, ins);
}

int dm_ledger_add_shard(struct dm_ledger *l, int64_t shard, const char *content_hash, int64_t curator)
{
	char f[256], ins[512];
	snprintf(f, sizeof(f), "%" PRId64 "|%s|%" PRId64, shard, content_hash, curator);
	char *q = sqlite3_mprintf("INSERT INTO shards VALUES(%%lld, %lld, %Q, %lld, %%Q)", (long long)shard,
				  content_hash, (long long)curator);
	if (!q)
		return -1;
	snprintf(ins, sizeof(ins), "%s", q);
	sqlite3_free(q);
	return chain(l, "shards", f, ins);
}

int dm_ledger_add_holding(struct dm_ledger *l, int64_t shard, int64_t holder, int64_t balance)
{
	char f[128], ins[256];
	snprintf(f, sizeof(f), "%" PRId64 "|%" PRId64 "|%" PRId64, shard, holder, balance);
	snprintf(ins, sizeof(ins), "INSERT INTO holdings VALUES(%%lld, %" PRId64 ", %" PRId64 ", %" PRId64 ", %%Q)",
		 shard, holder, balance);
	return chain(l, "holdings", f, ins);
}

static int add_usage(struct dm_ledger *l, int64_t job, int64_t shard, int64_t uses)
{
	char f[128], ins[256];
	snprintf(f, sizeof(f), "%" PRId64 "|%" PRId64 "|%" PRId64, job, shard, uses);
	snprintf(ins, sizeof(ins), "INSERT INTO usage VALUES(%%lld, %" PRId64 ", %" PRId64 ", %" PRId64 ", %%Q)",
		 job, shard, uses);
	return chain(l, "usage", f, ins);
}

static int add_payout(struct dm_ledger *l, int64_t job, int64_t shard, int64_t holder, int64_t amount)
{
	char f[128], ins[256];
	snprintf(f, sizeof(f), "%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64, job, shard, holder, amount);
	snprintf(ins, sizeof(ins),
		 "INSERT INTO payouts VALUES(%%lld, %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %%Q)", job,
		 shard, holder, amount);
	return chain(l, "payouts", f, ins);
}

static int add_job(struct dm_ledger *l, int64_t job, int64_t fee)
{
	char f[64], ins[128];
	snprintf(f, sizeof(f), "%" PRId64 "|%" PRId64, job, fee);
	snprintf(ins, sizeof(ins), "INSERT INTO jobs VALUES(%%lld, %" PRId64 ", %" PRId64 ", %%Q)", job, fee);
	return chain(l, "jobs", f, ins);
}

/* The rows of one job; the caller holds the transaction. */
static int job_rows(struct dm_ledger *l, int64_t job, int64_t fee, const int64_t *usage, int shards,
		    const int64_t *const *holders_of, const int64_t *const *bal_of, const int *nh,
		    int64_t *per_shard, int64_t *paid)
{
	if (dm_apportion(fee, usage, shards, per_shard) != 0 || add_job(l, job, fee) != 0)
		return -1;
	int n = 0;
	for (int j = 0; j < shards; j++) {
		if (add_usage(l, job, j, usage[j]) != 0)
			return -1;
		int64_t part[nh[j] > 0 ? nh[j] : 1];
		if (dm_apportion(per_shard[j], bal_of[j], nh[j], part) != 0)
			return -1;
		for (int h = 0; h < nh[j]; h++) {
			if (add_payout(l, job, j, holders_of[j][h], part[h]) != 0)
				return -1;
			if (paid)
				paid[n] = part[h];
			n++;
		}
	}
	return n;
}

int dm_ledger_job(struct dm_ledger *l, int64_t job, int64_t fee, const int64_t *usage, int shards,
		  const int64_t *const *holders_of, const int64_t *const *bal_of, const int *nh,
		  int64_t *paid)
{
	int64_t *per_shard = malloc((size_t)(shards > 0 ? shards : 1) * sizeof(*per_shard));
	int64_t rows = l->rows;
	char head[HASH_HEX];
	memcpy(head, l->head, HASH_HEX);
	if (!per_shard || dm_ledger_exec(l, "BEGIN") != 0) {
		free(per_shard);
		return -1;
	}
	int n = job_rows(l, job, fee, usage, shards, holders_of, bal_of, nh, per_shard, paid);
	free(per_shard);
	if (n < 0 || dm_ledger_exec(l, "COMMIT") != 0) {
		/* Nothing of a failed job stays: neither rows nor the head. */
		dm_ledger_exec(l, "ROLLBACK");
		l->rows = rows;
		memcpy(l->head, head, HASH_HEX);
		return -1;
	}
	return n;
}

int64_t dm_ledger_rows(const struct dm_ledger *l)
{
	return l->rows;
}

int64_t dm_ledger_job_paid(struct dm_ledger *l, int64_t job)
{
	sqlite3_stmt *st = NULL;
	int64_t sum = -1;
	if (sqlite3_prepare_v2(l->db, "SELECT total(amount) FROM payouts WHERE job = ?", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, job);
		if (sqlite3_step(st) == SQLITE_ROW)
			sum = (int64_t)sqlite3_column_double(st, 0);
	}
	sqlite3_finalize(st);
	return sum;
}

/* One row of the chain against the expected sequence number and previous hash. */
static int check_row(sqlite3_stmt *st, int64_t expect, char prev[HASH_HEX], char *err, size_t errlen)
{
	int64_t seq = sqlite3_column_int64(st, 0);
	const char *table = (const char *)sqlite3_column_text(st, 1);
	const char *text = (const char *)sqlite3_column_text(st, 2);
	const char *stored = (const char *)sqlite3_column_text(st, 3);
	char hash[HASH_HEX];
	if (seq > expect) {
		snprintf(err, errlen, "row seq %" PRId64 " missing (dropped); next is %s seq %" PRId64, expect,
			 table, seq);
		return -1;
	}
	if (seq < expect) {
		snprintf(err, errlen, "%s row seq %" PRId64 ": sequence number repeated", table, seq);
		return -1;
	}
	if (!text || !stored || receipt(prev, text, hash) != 0 || strcmp(hash, stored) != 0) {
		snprintf(err, errlen, "%s row seq %" PRId64 ": receipt hash mismatch (edited or moved)", table, seq);
		return -1;
	}
	memcpy(prev, hash, HASH_HEX);
	return 0;
}

int dm_ledger_verify(struct dm_ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, chain_query, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "ledger: %s", sqlite3_errmsg(l->db));
		return -1;
	}
	char prev[HASH_HEX] = "";
	int64_t expect = 1;
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = check_row(st, expect, prev, err, errlen);
		expect++;
	}
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	if (expect - 1 != l->rows) {
		snprintf(err, errlen, "ledger ends at seq %" PRId64 " but the head says %" PRId64 " (rows dropped at the end)",
			 expect - 1, l->rows);
		return -1;
	}
	if (strcmp(prev, l->head) != 0) {
		snprintf(err, errlen, "last receipt does not match the head");
		return -1;
	}
	return 0;
}
