/*
 * scheduler: exact, top-k and MultiQueue schedulers for sequential simulation of relaxed
 * execution (arXiv 1808.04155). The top-k scheduler is the suite's stand-in for the
 * paper's k-relaxed scheduler: uniform over the k highest-priority tasks present.
 */
#include "algorithms/relaxed_mis/scheduler.h"

#include <stdlib.h>
#include <string.h>

/* Stream of the top-k draws and of the MultiQueue handle, apart from the permutation's. */
#define SCHED_STREAM 0x736368

int sched_parse(const char *name)
{
	if (!strcmp(name, "exact"))
		return SCHED_EXACT;
	if (!strcmp(name, "topk"))
		return SCHED_TOPK;
	if (!strcmp(name, "multiqueue"))
		return SCHED_MULTIQUEUE;
	return -1;
}

int sched_init(struct sched *s, enum sched_kind kind, int k, size_t capacity, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->k = kind == SCHED_EXACT ? 1 : k;
	if (s->k < 1)
		return -1;
	rng_seed(&s->rng, seed, SCHED_STREAM);
	if (kind == SCHED_MULTIQUEUE) {
		struct mq_config cfg = { .queues = k, .stickiness = 1, .capacity_hint = capacity };
		s->mq = multiqueue_ops.create(&cfg);
		mq_handle_init(&s->handle, seed, SCHED_STREAM, NULL);
		return s->mq ? 0 : -1;
	}
	/* Only re-inserted keys reach the heap (sched_fill keys are a range): it starts small. */
	if (bh_init(&s->heap, 64) != 0)
		return -1;
	if (kind == SCHED_TOPK && !(s->window = malloc((size_t)k * sizeof(*s->window)))) {
		bh_free(&s->heap);
		return -1;
	}
	return 0;
}

int sched_fill(struct sched *s, uint64_t count)
{
	if (s->kind == SCHED_MULTIQUEUE) {
		for (uint64_t key = 0; key < count; key++)
			if (multiqueue_ops.push(s->mq, &s->handle, key) != 0)
				return -1;
		return 0;
	}
	s->fresh = 0;
	s->fresh_end = count;
	return 0;
}

/* The smallest key held outside the top-k window (or anywhere, for exact). */
static uint64_t outside_min(const struct sched *s)
{
	uint64_t top = bh_top(&s->heap);

	return s->fresh < s->fresh_end && s->fresh < top ? s->fresh : top;
}

/* Remove it; there must be one. */
static uint64_t outside_pop(struct sched *s)
{
	if (s->fresh < s->fresh_end && s->fresh < bh_top(&s->heap))
		return s->fresh++;
	return bh_pop(&s->heap);
}

static bool outside_empty(const struct sched *s)
{
	return s->heap.size == 0 && s->fresh >= s->fresh_end;
}

void sched_free(struct sched *s)
{
	if (s->mq)
		multiqueue_ops.destroy(s->mq);
	bh_free(&s->heap);
	free(s->window);
	memset(s, 0, sizeof(*s));
}

/* Top-k insert. Invariant: every window key is smaller than every heap key. */
static int topk_push(struct sched *s, uint64_t key)
{
	if (s->window_size < s->k && key < outside_min(s)) {
		s->window[s->window_size++] = key;
		return 0;
	}
	if (s->window_size < s->k)
		return bh_push(&s->heap, key);
	/* A full window: the key enters only in place of a larger one, O(k); the retry of
	 * a key just taken never comes here (the window has a free place then). */
	int largest = 0;
	for (int i = 1; i < s->window_size; i++)
		if (s->window[i] > s->window[largest])
			largest = i;
	if (key > s->window[largest])
		return bh_push(&s->heap, key);
	if (bh_push(&s->heap, s->window[largest]) != 0)
		return -1;
	s->window[largest] = key;
	return 0;
}

static bool topk_pop(struct sched *s, uint64_t *key)
{
	while (s->window_size < s->k && !outside_empty(s))
		s->window[s->window_size++] = outside_pop(s);
	if (s->window_size == 0)
		return false;
	int i = (int)rng_below(&s->rng, (uint64_t)s->window_size);
	*key = s->window[i];
	s->window[i] = s->window[--s->window_size];
	return true;
}

int sched_push(struct sched *s, uint64_t key)
{
	switch (s->kind) {
	case SCHED_TOPK:
		return topk_push(s, key);
	case SCHED_MULTIQUEUE:
		return multiqueue_ops.push(s->mq, &s->handle, key);
	default:
		return bh_push(&s->heap, key);
	}
}

bool sched_pop(struct sched *s, uint64_t *key)
{
	switch (s->kind) {
	case SCHED_TOPK:
		return topk_pop(s, key);
	case SCHED_MULTIQUEUE:
		return multiqueue_ops.try_pop(s->mq, &s->handle, key);
	default:
		if (outside_empty(s))
			return false;
		*key = outside_pop(s);
		return true;
	}
}
