/*
 * comm: the interface's dispatch, the accounting rules shared by every backend, and
 * the in-process backend (see comm.h). The in-process backend rounds each value to
 * float as the wire would, and sums in double in rank order: the result for an input
 * is fixed, whatever runs it.
 */
#include "algorithms/comm/comm.h"

#include <stdlib.h>
#include <string.h>

/* Entries of chunk c when n entries are cut into P ring chunks. */
static int64_t chunk_size(int64_t n, int workers, int c)
{
	return n / workers + (c < n % workers ? 1 : 0);
}

static int wrap(int v, int workers)
{
	return ((v % workers) + workers) % workers;
}

void comm_account_dense(struct comm_stats *s, int p, int workers, int64_t n)
{
	s->collectives++;
	s->payload_bytes += (uint64_t)n * COMM_DENSE_ENTRY_BYTES;
	/* Reduce-scatter step k sends chunk p - k and receives chunk p - k - 1; the
	 * allgather step k sends chunk p + 1 - k and receives chunk p - k. */
	for (int k = 0; k + 1 < workers; k++) {
		int64_t out = chunk_size(n, workers, wrap(p - k, workers))
			      + chunk_size(n, workers, wrap(p + 1 - k, workers));
		int64_t in = chunk_size(n, workers, wrap(p - k - 1, workers))
			     + chunk_size(n, workers, wrap(p - k, workers));
		s->bytes_sent += (uint64_t)out * COMM_DENSE_ENTRY_BYTES;
		s->bytes_received += (uint64_t)in * COMM_DENSE_ENTRY_BYTES;
		s->messages_sent += 2;
		s->messages_received += 2;
	}
}

void comm_account_allgather(struct comm_stats *s, int p, int workers, const int64_t *counts)
{
	s->collectives++;
	s->payload_bytes += (uint64_t)counts[p] * COMM_PAIR_BYTES;
	for (int k = 0; k + 1 < workers; k++) {
		s->bytes_sent += (uint64_t)counts[wrap(p - k, workers)] * COMM_PAIR_BYTES;
		s->bytes_received += (uint64_t)counts[wrap(p - k - 1, workers)] * COMM_PAIR_BYTES;
		s->messages_sent++;
		s->messages_received++;
	}
}

struct comm_stats comm_total(const struct comm *c)
{
	struct comm_stats t = { 0 };
	for (int i = 0; i < c->local_count; i++) {
		t.payload_bytes += c->stats[i].payload_bytes;
		t.bytes_sent += c->stats[i].bytes_sent;
		t.bytes_received += c->stats[i].bytes_received;
		t.messages_sent += c->stats[i].messages_sent;
		t.messages_received += c->stats[i].messages_received;
		t.collectives += c->stats[i].collectives;
	}
	return t;
}

/* ---- the in-process backend ---- */

static int inproc_allreduce_dense(struct comm *c, const double *const *send, int64_t n,
				  double *sum)
{
	memset(sum, 0, (size_t)n * sizeof(*sum));
	for (int p = 0; p < c->workers; p++) {
		for (int64_t i = 0; i < n; i++)
			sum[i] += (double)(float)send[p][i];
		comm_account_dense(&c->stats[p], p, c->workers, n);
	}
	return 0;
}

static int inproc_allgather_sparse(struct comm *c, const struct comm_pair *const *send,
				   const int64_t *counts, struct comm_pair *recv,
				   int64_t *recv_counts)
{
	int64_t at = 0;
	for (int p = 0; p < c->workers; p++) {
		if (counts[p] < 0)
			return -1;
		memcpy(recv + at, send[p], (size_t)counts[p] * sizeof(*recv));
		at += counts[p];
		recv_counts[p] = counts[p];
	}
	for (int p = 0; p < c->workers; p++)
		comm_account_allgather(&c->stats[p], p, c->workers, counts);
	return 0;
}

static int inproc_allreduce_sparse(struct comm *c, const struct comm_pair *const *send,
				   const int64_t *counts, int64_t n, double *sum)
{
	for (int p = 0; p < c->workers; p++)
		for (int64_t j = 0; j < counts[p]; j++)
			if ((int64_t)send[p][j].index >= n)
				return -1;
	memset(sum, 0, (size_t)n * sizeof(*sum));
	for (int p = 0; p < c->workers; p++)
		for (int64_t j = 0; j < counts[p]; j++)
			sum[send[p][j].index] += (double)send[p][j].value;
	for (int p = 0; p < c->workers; p++)
		comm_account_allgather(&c->stats[p], p, c->workers, counts);
	return 0;
}

/* Worker w's send and receive are consistent with their peers'. */
static int inproc_matched(const struct comm *c, const struct comm_msg *out,
			  const struct comm_slot *in, int w)
{
	int to = out[w].peer, from = in[w].peer;
	if (to >= c->workers || from >= c->workers)
		return 0;
	if (to >= 0 && (in[to].peer != w || out[w].bytes > in[to].cap))
		return 0;
	if (to >= 0 && out[w].bytes > 0 && !out[w].buf)
		return 0;
	if (from >= 0 && out[from].peer != w)
		return 0;
	return 1;
}

/* Checks the whole step first, so that a bad step changes nothing. */
static int inproc_exchange(struct comm *c, const struct comm_msg *out, struct comm_slot *in)
{
	for (int w = 0; w < c->workers; w++)
		if (!inproc_matched(c, out, in, w))
			return -1;
	for (int w = 0; w < c->workers; w++) {
		int to = out[w].peer;
		if (to < 0)
			continue;
		if (out[w].bytes > 0)
			memcpy(in[to].buf, out[w].buf, (size_t)out[w].bytes);
		in[to].bytes = out[w].bytes;
		c->stats[w].bytes_sent += out[w].bytes;
		c->stats[w].messages_sent++;
		c->stats[to].bytes_received += out[w].bytes;
		c->stats[to].messages_received++;
	}
	for (int w = 0; w < c->workers; w++)
		if (in[w].peer < 0)
			in[w].bytes = 0;
	return 0;
}

static void inproc_destroy(struct comm *c)
{
	(void)c;
}

static const struct comm_ops inprocess_ops = {
	.name = "inprocess",
	.allreduce_dense = inproc_allreduce_dense,
	.allgather_sparse = inproc_allgather_sparse,
	.allreduce_sparse = inproc_allreduce_sparse,
	.exchange = inproc_exchange,
	.destroy = inproc_destroy,
};

struct comm *comm_inprocess_new(int workers)
{
	if (workers < 1)
		return NULL;
	struct comm *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->stats = calloc((size_t)workers, sizeof(*c->stats));
	if (!c->stats) {
		free(c);
		return NULL;
	}
	c->ops = &inprocess_ops;
	c->workers = workers;
	c->local_first = 0;
	c->local_count = workers;
	return c;
}

void comm_free(struct comm *c)
{
	if (!c)
		return;
	c->ops->destroy(c);
	free(c->stats);
	free(c);
}

int comm_allreduce_dense(struct comm *c, const double *const *send, int64_t n, double *sum)
{
	return c->ops->allreduce_dense(c, send, n, sum);
}

int comm_allgather_sparse(struct comm *c, const struct comm_pair *const *send,
			  const int64_t *counts, struct comm_pair *recv, int64_t *recv_counts)
{
	return c->ops->allgather_sparse(c, send, counts, recv, recv_counts);
}

int comm_allreduce_sparse(struct comm *c, const struct comm_pair *const *send,
			  const int64_t *counts, int64_t n, double *sum)
{
	return c->ops->allreduce_sparse(c, send, counts, n, sum);
}

int comm_exchange(struct comm *c, const struct comm_msg *out, struct comm_slot *in)
{
	return c->ops->exchange(c, out, in);
}
