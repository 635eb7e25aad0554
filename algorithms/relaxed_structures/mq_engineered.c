/*
 * mq_engineered: the engineered MultiQueue (see mq_engineered.h).
 * A queue is D (deletion buffer, sorted descending so that its minimum is the last
 * key), I (insertion buffer, unsorted) and H (8-ary heap). Invariants, under the lock:
 *   every key of D <= every key of I and H;   D empty => I and H empty;
 *   the heap's capacity >= |H| + |I| (a flush of I into H never allocates).
 * So D's last key is the queue's minimum, published as `top` after every operation.
 */
#include "algorithms/relaxed_structures/mq_engineered.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "algorithms/relaxed_structures/dheap.h"
#include "algorithms/relaxed_structures/spinlock.h"

/* As in multiqueue.c: empty two-choice samples before a delete scans every queue. */
#define MQE_EMPTY_SAMPLES 4

/* The line other threads read (lock, cached minimum) apart from the owner's state. */
struct mqe_slot {
	alignas(64) struct spinlock lock;
	_Atomic uint64_t top;    /* D's minimum, MQ_EMPTY when the queue is empty */
	alignas(64) uint64_t del[MQE_BUFFER];
	uint64_t ins[MQE_BUFFER];
	int del_size, ins_size;
	struct dheap heap;
};

struct mqe {
	int queues, stickiness;
	struct mqe_slot *slots;
};

static struct mqe *as_mqe(struct mq *mq)
{
	return (struct mqe *)mq;
}

/* Two distinct uniform queues (one queue when there is only one), and the countdown. */
static void mqe_choose(const struct mqe *m, struct mq_handle *h)
{
	uint64_t r = rng_fast_next(&h->fast);
	int i = rng_fast_below(r, m->queues), j = i;

	if (m->queues > 1) {
		j = rng_fast_below(r >> 32, m->queues - 1);
		j += j >= i;
	}
	h->delete_queue[0] = i;
	h->delete_queue[1] = j;
	h->delete_left = m->stickiness;
}

static struct mq *mqe_create(const struct mq_config *cfg)
{
	if (cfg->queues < 1 || cfg->stickiness < 1)
		return NULL;
	struct mqe *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->queues = cfg->queues;
	m->stickiness = cfg->stickiness;
	m->slots = aligned_alloc(alignof(struct mqe_slot), (size_t)m->queues * sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	/* As in multiqueue.c: room for twice a queue's share, so a timed run never grows. */
	size_t per_heap = 2 * cfg->capacity_hint / (size_t)m->queues + 2 * MQE_BUFFER;
	int failed = 0;
	for (int i = 0; i < m->queues; i++) {
		struct mqe_slot *s = &m->slots[i];
		spin_init(&s->lock);
		atomic_init(&s->top, MQ_EMPTY);
		s->del_size = s->ins_size = 0;
		failed |= dh_init(&s->heap, per_heap);
	}
	if (!failed)
		return (struct mq *)m;
	for (int i = 0; i < m->queues; i++)
		dh_free(&m->slots[i].heap);
	free(m->slots);
	free(m);
	return NULL;
}

static void mqe_destroy(struct mq *mq)
{
	struct mqe *m = as_mqe(mq);

	if (!m)
		return;
	for (int i = 0; i < m->queues; i++)
		dh_free(&m->slots[i].heap);
	free(m->slots);
	free(m);
}

static size_t mqe_size(const struct mq *mq)
{
	const struct mqe *m = (const struct mqe *)mq;
	size_t n = 0;

	for (int i = 0; i < m->queues; i++)
		n += (size_t)(m->slots[i].del_size + m->slots[i].ins_size) + m->slots[i].heap.size;
	return n;
}

/* ---- one queue, under its lock ---- */

static void slot_publish(struct mqe_slot *s)
{
	uint64_t top = s->del_size ? s->del[s->del_size - 1] : MQ_EMPTY;

	atomic_store_explicit(&s->top, top, memory_order_relaxed);
}

/* Into I; a full I moves into H first (the capacity invariant makes that succeed). */
static void slot_insert_buffer(struct mqe_slot *s, uint64_t key)
{
	if (s->ins_size == MQE_BUFFER) {
		for (int k = 0; k < MQE_BUFFER; k++)
			(void)dh_push(&s->heap, s->ins[k]);
		s->ins_size = 0;
	}
	s->ins[s->ins_size++] = key;
}

/* Into D at its sorted place (descending); a full D hands its largest key to I. */
static void slot_insert_sorted(struct mqe_slot *s, uint64_t key)
{
	if (s->del_size == MQE_BUFFER) {
		slot_insert_buffer(s, s->del[0]);
		for (int k = 1; k < MQE_BUFFER; k++)
			s->del[k - 1] = s->del[k];
		s->del_size--;
	}
	int i = s->del_size++;
	while (i > 0 && s->del[i - 1] < key) {
		s->del[i] = s->del[i - 1];
		i--;
	}
	s->del[i] = key;
}

static int slot_push_locked(struct mqe_slot *s, struct mq_handle *h, uint64_t key)
{
	if (dh_reserve(&s->heap, s->heap.size + (size_t)s->ins_size + 1) != 0)
		return -1;
	if (s->del_size == 0 || key < s->del[0])
		slot_insert_sorted(s, key);
	else
		slot_insert_buffer(s, key);
	slot_publish(s);
	if (h->log)
		oplog_append(h->log, OPLOG_INSERT, key);
	return 0;
}

/* D ran empty: the smallest MQE_BUFFER keys of I and H become D. */
static void slot_refill(struct mqe_slot *s)
{
	for (int k = 0; k < s->ins_size; k++)
		(void)dh_push(&s->heap, s->ins[k]);
	s->ins_size = 0;
	int n = s->heap.size < MQE_BUFFER ? (int)s->heap.size : MQE_BUFFER;
	for (int k = n - 1; k >= 0; k--)
		s->del[k] = dh_pop(&s->heap);
	s->del_size = n;
}

/* The queue must not be empty. */
static uint64_t slot_pop_locked(struct mqe_slot *s, struct mq_handle *h)
{
	uint64_t key = s->del[--s->del_size];

	if (s->del_size == 0)
		slot_refill(s);
	slot_publish(s);
	if (h->log)
		oplog_append(h->log, OPLOG_DELETE, key);
	return key;
}

static uint64_t slot_top(const struct mqe_slot *s)
{
	return atomic_load_explicit(&s->top, memory_order_relaxed);
}

/* ---- the operations ---- */

static int mqe_push(struct mq *mq, struct mq_handle *h, uint64_t key)
{
	struct mqe *m = as_mqe(mq);

	for (;;) {
		if (h->delete_left == 0)
			mqe_choose(m, h);
		/* One of the sticky pair, so that both keep receiving keys. */
		struct mqe_slot *s = &m->slots[h->delete_queue[rng_fast_next(&h->fast) >> 63]];
		if (!spin_trylock(&s->lock)) {
			h->delete_left = 0;   /* contended: choose again */
			continue;
		}
		h->delete_left--;
		int rc = slot_push_locked(s, h, key);
		spin_unlock(&s->lock);
		return rc;
	}
}

/* As mq_scan_pop in multiqueue.c: with no operation in flight every cached minimum is
 * exact, so a scan that finds nothing means empty. */
static bool mqe_scan_pop(struct mqe *m, struct mq_handle *h, uint64_t *key)
{
	int start = rng_fast_below(rng_fast_next(&h->fast), m->queues);

	for (int k = 0; k < m->queues; k++) {
		struct mqe_slot *s = &m->slots[(start + k) % m->queues];
		if (slot_top(s) == MQ_EMPTY)
			continue;
		spin_lock(&s->lock);
		bool found = s->del_size > 0;
		if (found)
			*key = slot_pop_locked(s, h);
		spin_unlock(&s->lock);
		if (found)
			return true;
	}
	return false;
}

static bool mqe_try_pop(struct mq *mq, struct mq_handle *h, uint64_t *key)
{
	struct mqe *m = as_mqe(mq);
	int empty_samples = 0;

	for (;;) {
		if (h->delete_left == 0)
			mqe_choose(m, h);
		struct mqe_slot *a = &m->slots[h->delete_queue[0]];
		struct mqe_slot *b = &m->slots[h->delete_queue[1]];
		uint64_t top_a = slot_top(a), top_b = slot_top(b);
		if (top_a == MQ_EMPTY && top_b == MQ_EMPTY) {
			h->delete_left = 0;
			if (++empty_samples >= MQE_EMPTY_SAMPLES)
				return mqe_scan_pop(m, h, key);
			continue;
		}
		struct mqe_slot *s = top_a <= top_b ? a : b;
		if (!spin_trylock(&s->lock)) {
			h->delete_left = 0;
			continue;
		}
		/* The minimum read may be stale; only a queue emptied meanwhile sends us back. */
		if (s->del_size == 0) {
			spin_unlock(&s->lock);
			h->delete_left = 0;
			continue;
		}
		h->delete_left--;
		*key = slot_pop_locked(s, h);
		spin_unlock(&s->lock);
		return true;
	}
}

const struct mq_ops multiqueue_engineered_ops = {
	.name = "multiqueue_engineered",
	.summary = "q 8-ary heaps with 16-key insertion and deletion buffers; distinct two "
		   "choices; stickiness shared by push and pop",
	.create = mqe_create,
	.destroy = mqe_destroy,
	.push = mqe_push,
	.try_pop = mqe_try_pop,
	.size = mqe_size,
};
