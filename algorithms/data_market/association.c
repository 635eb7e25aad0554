/* association: the DatabaseAssociation simulator (association.h). */
#include "algorithms/data_market/association.h"

#include <stdlib.h>
#include <string.h>

struct proposal {
	enum dm_kind kind;
	int curator;
	int64_t reward, deadline;
	enum dm_outcome outcome;
	int64_t quorum, yea, nay;
	signed char *vote;       /* per member: 0 none, 1 yea, -1 nay */
};

struct dm_assoc {
	int members, n, cap;
	int64_t *balance;
	int64_t supply, minimum_quorum, period;
	struct proposal *p;
};

struct dm_assoc *dm_assoc_new(int members, const int64_t *balances, int64_t minimum_quorum,
			      int64_t debating_period)
{
	struct dm_assoc *a = calloc(1, sizeof(*a));
	if (!a || members <= 0 || !(a->balance = calloc((size_t)members, sizeof(int64_t)))) {
		free(a);
		return NULL;
	}
	a->members = members;
	for (int i = 0; i < members; i++) {
		a->balance[i] = balances[i];
		a->supply += balances[i];
	}
	a->minimum_quorum = minimum_quorum;
	a->period = debating_period;
	return a;
}

void dm_assoc_free(struct dm_assoc *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->n; i++)
		free(a->p[i].vote);
	free(a->p);
	free(a->balance);
	free(a);
}

int dm_assoc_propose(struct dm_assoc *a, enum dm_kind kind, int curator, int64_t reward, int64_t now)
{
	if (curator < 0 || curator >= a->members || reward < 0)
		return -1;
	if (a->n == a->cap) {
		int cap = a->cap ? 2 * a->cap : 16;
		struct proposal *p = realloc(a->p, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		a->p = p;
		a->cap = cap;
	}
	struct proposal *p = &a->p[a->n];
	*p = (struct proposal){ .kind = kind, .curator = curator, .reward = kind == DM_ADD_SHARD ? reward : 0,
				.deadline = now + a->period };
	if (!(p->vote = calloc((size_t)a->members, 1)))
		return -1;
	return a->n++;
}

enum dm_call dm_assoc_vote(struct dm_assoc *a, int proposal, int voter, int yea, int64_t now)
{
	if (proposal < 0 || proposal >= a->n || voter < 0 || voter >= a->members)
		return DM_ERR_BAD;
	struct proposal *p = &a->p[proposal];
	if (p->outcome != DM_OPEN || now >= p->deadline)
		return DM_ERR_CLOSED;
	if (a->balance[voter] <= 0)
		return DM_ERR_NO_TOKENS;
	if (p->vote[voter])
		return DM_ERR_VOTED;
	p->vote[voter] = yea ? 1 : -1;
	return DM_CALL_OK;
}

enum dm_call dm_assoc_execute(struct dm_assoc *a, int proposal, int64_t now, enum dm_outcome *out)
{
	if (proposal < 0 || proposal >= a->n)
		return DM_ERR_BAD;
	struct proposal *p = &a->p[proposal];
	if (p->outcome != DM_OPEN)
		return DM_ERR_EXECUTED;
	if (now < p->deadline)
		return DM_ERR_EARLY;
	/* Weights are the balances at the tally, as the contract reads balanceOf then. */
	p->quorum = p->yea = p->nay = 0;
	for (int m = 0; m < a->members; m++) {
		if (!p->vote[m])
			continue;
		p->quorum += a->balance[m];
		if (p->vote[m] > 0)
			p->yea += a->balance[m];
		else
			p->nay += a->balance[m];
	}
	if (p->quorum < a->minimum_quorum)
		p->outcome = DM_NO_QUORUM;
	else
		p->outcome = p->yea > p->nay ? DM_PASSED : DM_REJECTED;
	if (p->outcome == DM_PASSED && p->kind == DM_ADD_SHARD) {
		a->balance[p->curator] += p->reward;
		a->supply += p->reward;
	}
	*out = p->outcome;
	return DM_CALL_OK;
}

int64_t dm_assoc_balance(const struct dm_assoc *a, int member)
{
	return member >= 0 && member < a->members ? a->balance[member] : -1;
}

int64_t dm_assoc_supply(const struct dm_assoc *a)
{
	return a->supply;
}

void dm_assoc_tally(const struct dm_assoc *a, int proposal, int64_t *quorum, int64_t *yea, int64_t *nay)
{
	const struct proposal *p = &a->p[proposal];
	*quorum = p->quorum;
	*yea = p->yea;
	*nay = p->nay;
}
