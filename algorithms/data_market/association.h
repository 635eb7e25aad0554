/*
 * association: a deterministic simulator of DataBright's DatabaseAssociation contract
 * (DS3Lab/databright, data_market/contracts): members hold CuratorCoin (0 decimals);
 * proposals create a database or add a shard (content hash, curator, requested reward);
 * members vote once per proposal, weighted by their balance at the tally; after the
 * debating period a proposal is executed once: quorum = sum of the voters' balances must
 * reach minimum_quorum, and it passes iff yea > nay (strictly); a passed shard proposal
 * mints the requested reward to its curator.
 *
 * Where the contract reverts (vote twice, vote without tokens or after the deadline,
 * execute early or twice) the call here returns an error code and changes nothing. An
 * execution without quorum reverts in the contract; here it closes the proposal as
 * DM_NO_QUORUM (the simulator executes each proposal once).
 */
#ifndef DM_ASSOCIATION_H
#define DM_ASSOCIATION_H

#include <stdint.h>

enum dm_call {
	DM_CALL_OK = 0,
	DM_ERR_VOTED,        /* this address already voted on this proposal */
	DM_ERR_NO_TOKENS,    /* only shareholders (balance > 0) vote */
	DM_ERR_CLOSED,       /* vote after the deadline, or on an executed proposal */
	DM_ERR_EARLY,        /* execute before the debating period is over */
	DM_ERR_EXECUTED,     /* execute twice */
	DM_ERR_BAD,          /* no such proposal or member */
};

enum dm_outcome { DM_OPEN = 0, DM_PASSED, DM_REJECTED, DM_NO_QUORUM };

enum dm_kind { DM_CREATE_DATABASE = 1, DM_ADD_SHARD = 2 };

struct dm_assoc;

/* `members` addresses with the given balances; minimum quorum and debating period (in
 * the simulator's time units). NULL when out of memory. */
struct dm_assoc *dm_assoc_new(int members, const int64_t *balances, int64_t minimum_quorum,
			      int64_t debating_period);
void dm_assoc_free(struct dm_assoc *a);

/* New proposal at time `now`; returns its id (0, 1, ...) or -1. */
int dm_assoc_propose(struct dm_assoc *a, enum dm_kind kind, int curator, int64_t reward, int64_t now);
enum dm_call dm_assoc_vote(struct dm_assoc *a, int proposal, int voter, int yea, int64_t now);
/* Tally and close: *out gets the outcome. */
enum dm_call dm_assoc_execute(struct dm_assoc *a, int proposal, int64_t now, enum dm_outcome *out);

int64_t dm_assoc_balance(const struct dm_assoc *a, int member);
int64_t dm_assoc_supply(const struct dm_assoc *a);
/* Quorum, yea and nay weights of the last tally of `proposal`. */
void dm_assoc_tally(const struct dm_assoc *a, int proposal, int64_t *quorum, int64_t *yea, int64_t *nay);

#endif
