/*
 * ledger: the dividend ledger of the data market, a real SQLite database.
 *
 * Tables holders, shards, holdings, jobs, usage and payouts. Every row carries a global
 * sequence number and a receipt hash = SHA-256(previous hash || "\n" || row text), so
 * the rows of all tables form one chain. The writer keeps the chain head (row count and
 * last hash), as a blockchain's tip would be published; dm_ledger_verify recomputes the
 * chain against it and names the first row that was edited, dropped or moved.
 *
 * dm_apportion splits an integer amount by integer weights with the largest-remainder
 * rule, so the parts sum to the amount exactly (the dividend rule of the README).
 */
#ifndef DM_LEDGER_H
#define DM_LEDGER_H

#include <stddef.h>
#include <stdint.h>

/* out[i] = floor(total w_i / W) plus one token for each of the (total - sum of floors)
 * indices with the largest remainders (total w_i mod W), ties to the lower index.
 * total >= 0, w_i >= 0, total * w_i must fit in int64. -1 when W = 0 or n <= 0. */
int dm_apportion(int64_t total, const int64_t *w, int n, int64_t *out);

struct dm_ledger;

/* An in-memory ledger (path NULL) or a file. NULL with err on failure. */
struct dm_ledger *dm_ledger_open(const char *path, char *err, size_t errlen);
void dm_ledger_close(struct dm_ledger *l);

int dm_ledger_add_holder(struct dm_ledger *l, int64_t holder, const char *label);
int dm_ledger_add_shard(struct dm_ledger *l, int64_t shard, const char *content_hash, int64_t curator);
int dm_ledger_add_holding(struct dm_ledger *l, int64_t shard, int64_t holder, int64_t balance);

/* One job: its fee, the usage count of each of `shards` shards (0..shards-1), and the
 * holdings (holder, balance) of each shard: holders_of[j][0..nh[j]) with balances
 * bal_of[j]. Splits the fee by usage, then each shard's part by balance, and writes the
 * job, usage and payout rows in one transaction. paid (optional) gets the amount of
 * each payout in the order written. Returns the number of payout rows, or -1. */
int dm_ledger_job(struct dm_ledger *l, int64_t job, int64_t fee, const int64_t *usage, int shards,
		  const int64_t *const *holders_of, const int64_t *const *bal_of, const int *nh,
		  int64_t *paid);

/* Rows written so far (the head's count). */
int64_t dm_ledger_rows(const struct dm_ledger *l);
/* Sum of all payouts of one job (SQL), or -1. */
int64_t dm_ledger_job_paid(struct dm_ledger *l, int64_t job);

/* Recompute the chain. 0 when every row is intact and the head matches; -1 with the
 * first bad row named in err ("payouts row seq 17: receipt hash mismatch (edited or
 * moved)", "row seq 9 missing (dropped)", ...). */
int dm_ledger_verify(struct dm_ledger *l, char *err, size_t errlen);

/* Run SQL on the database (tests and the tamper check edit rows with it). 0 or -1. */
int dm_ledger_exec(struct dm_ledger *l, const char *sql);

#endif
