/*
 * intset: integer sets on TL2 (see workload.h): one sorted linked list (tl2_list_ops),
 * or `keys / 4` buckets of sorted lists (tl2_hash_ops), over keys 0..keys-1, prefilled
 * with every other key. An update inserts or removes a random key (half each), a
 * read-only transaction looks one up.
 *
 * Checking linearizability. Beside the set, each key k has a word seq[k] that every
 * insert or remove of k, successful or not, increments inside its transaction, and that
 * a lookup reads. Each thread logs (key, seq read, operation, result). Since a set is a
 * product of independent per-key objects, it is linearizable when each key's history
 * is: the updates of k must carry the seq values 0, 1, 2, ... exactly once each (a lost
 * or doubled update shows as a gap or a repeat), replaying them in that order on a
 * sequential set must give the results they returned, a lookup that read seq s must
 * return the state after s updates, and the final list must hold exactly the replay's
 * final keys, sorted and without repeats.
 *
 * Memory. A node is allocated from its thread's arena before the insert runs (private
 * until the commit publishes it); removed nodes are not reused during a run (readers
 * may still traverse them: TL2 has no reclamation) and are freed with the arena.
 */
#include "algorithms/tl2/workload.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 4096
#define KEYS_PER_BUCKET 4

enum { SET_LOOKUP, SET_INSERT, SET_REMOVE };

struct node {
	tl2_word key;    /* written once before the node is published */
	tl2_word next;   /* (uintptr_t) struct node *, 0 at the end */
};

struct chunk {
	struct chunk *prev;
	size_t used;
	struct node nodes[ARENA_CHUNK];
};

struct tl2_intset {
	long buckets;
	struct node *heads;      /* one sentinel per bucket */
	tl2_word *seq;           /* per key */
	struct chunk *prefill;   /* the prefill's nodes */
};

static struct node *node_alloc(struct chunk **arena)
{
	if (!*arena || (*arena)->used == ARENA_CHUNK) {
		struct chunk *c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->prev = *arena;
		c->used = 0;
		*arena = c;
	}
	return &(*arena)->nodes[(*arena)->used++];
}

static void arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *prev = c->prev;
		free(c);
		c = prev;
	}
}

static struct node *bucket_of(struct tl2_intset *s, long key)
{
	return &s->heads[key % s->buckets];
}

static void set_destroy(struct tl2_workload *w)
{
	if (!w)
		return;
	if (w->set) {
		arena_free(w->set->prefill);
		free(w->set->heads);
		free(w->set->seq);
		free(w->set);
	}
	free(w);
}

/* Odd keys present: each bucket's list is built back to front, sorted. */
static int set_prefill(struct tl2_intset *s, long keys)
{
	for (long k = keys - 1; k >= 0; k--) {
		if (k % 2 == 0)
			continue;
		struct node *n = node_alloc(&s->prefill), *head = bucket_of(s, k);
		if (!n)
			return -1;
		atomic_init(&n->key, (uint64_t)k);
		atomic_init(&n->next, tl2_peek(&head->next));
		atomic_init(&head->next, (uint64_t)(uintptr_t)n);
	}
	return 0;
}

static struct tl2_workload *set_create(const struct tl2_wl_config *cfg, long buckets)
{
	struct tl2_workload *w = calloc(1, sizeof(*w));
	struct tl2_intset *s = calloc(1, sizeof(*s));

	if (!w || !s) {
		free(w);
		free(s);
		return NULL;
	}
	w->cfg = *cfg;
	w->set = s;
	s->buckets = buckets;
	s->heads = calloc((size_t)buckets, sizeof(*s->heads));
	s->seq = calloc((size_t)cfg->keys, sizeof(*s->seq));
	if (!s->heads || !s->seq || set_prefill(s, cfg->keys) != 0) {
		set_destroy(w);
		return NULL;
	}
	return w;
}

static struct tl2_workload *list_create(const struct tl2_wl_config *cfg)
{
	return set_create(cfg, 1);
}

static struct tl2_workload *hash_create(const struct tl2_wl_config *cfg)
{
	long buckets = cfg->keys / KEYS_PER_BUCKET;
	return set_create(cfg, buckets > 0 ? buckets : 1);
}

static int set_thread_init(struct tl2_workload *w, struct tl2_wl_thread *t, int tid, uint64_t seed)
{
	(void)w;
	tl2_wl_thread_base(t, tid, seed);
	t->cap_log = 1024;
	t->log = malloc(t->cap_log * sizeof(*t->log));
	return t->log ? 0 : -1;
}

static void set_thread_free(struct tl2_workload *w, struct tl2_wl_thread *t)
{
	(void)w;
	free(t->log);
	t->log = NULL;
	arena_free(t->arena);
	t->arena = NULL;
}

struct set_tx {
	struct tl2_intset *s;
	struct node *fresh;   /* insert: the private node to link */
	long key;
	int op;
	bool result;
	uint64_t seq;
};

/* prev = the last node with key < k (or the sentinel), *cur = its successor. */
static bool set_find(struct tl2_tx *tx, struct set_tx *a, struct node **prev, struct node **cur)
{
	uint64_t next;

	*prev = bucket_of(a->s, a->key);
	for (;;) {
		if (!tl2_load(tx, &(*prev)->next, &next))
			return false;
		*cur = (struct node *)(uintptr_t)next;
		if (!*cur || (long)tl2_peek(&(*cur)->key) >= a->key)
			return true;
		*prev = *cur;
	}
}

static bool set_body(struct tl2_tx *tx, void *arg)
{
	struct set_tx *a = arg;
	struct node *prev, *cur;
	uint64_t after;

	if (!tl2_load(tx, &a->s->seq[a->key], &a->seq) || !set_find(tx, a, &prev, &cur))
		return false;
	bool present = cur && (long)tl2_peek(&cur->key) == a->key;
	a->result = a->op == SET_INSERT ? !present : present;
	if (a->op == SET_LOOKUP)
		return true;
	if (!tl2_store(tx, &a->s->seq[a->key], a->seq + 1))
		return false;
	if (!a->result)
		return true;
	if (a->op == SET_REMOVE)
		return tl2_load(tx, &cur->next, &after) && tl2_store(tx, &prev->next, after);
	/* The node is still private: plain initialisation, published by the commit. */
	tl2_poke(&a->fresh->key, (uint64_t)a->key);
	tl2_poke(&a->fresh->next, (uint64_t)(uintptr_t)cur);
	return tl2_store(tx, &prev->next, (uint64_t)(uintptr_t)a->fresh);
}

static void set_log(struct tl2_wl_thread *t, const struct set_tx *a)
{
	if (t->n_log == t->cap_log) {
		struct tl2_set_event *p = realloc(t->log, 2 * t->cap_log * sizeof(*p));
		if (!p) {
			t->log_failed = true;
			return;
		}
		t->log = p;
		t->cap_log *= 2;
	}
	t->log[t->n_log++] = (struct tl2_set_event){
		.key = (uint32_t)a->key, .seq = (uint32_t)a->seq, .op = (uint8_t)a->op,
		.result = a->result,
	};
}

static void set_operation(struct tl2_workload *w, struct tl2_wl_thread *t, struct tl2_tx *tx)
{
	struct set_tx a = { .s = w->set, .key = (long)rng_below(&t->rng, (uint64_t)w->cfg.keys) };
	bool update = rng_uniform(&t->rng) < w->cfg.update_ratio;

	a.op = !update ? SET_LOOKUP : rng_below(&t->rng, 2) ? SET_INSERT : SET_REMOVE;
	if (a.op == SET_INSERT) {
		if (!t->spare)
			t->spare = node_alloc((struct chunk **)&t->arena);
		if (!t->spare) {
			t->log_failed = true;
			return;
		}
		a.fresh = t->spare;
	}
	tl2_run(tx, set_body, &a);
	if (a.op == SET_INSERT && a.result)
		t->spare = NULL;
	if (update)
		t->updates++;
	else
		t->read_only++;
	set_log(t, &a);
}

/* Sort order of the replay: by key, then seq, a lookup before the update that read the
 * same seq (it saw the state before that update). */
static int event_cmp(const void *pa, const void *pb)
{
	const struct tl2_set_event *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return (a->op != SET_LOOKUP) - (b->op != SET_LOOKUP);
}

/* Replays one key's events [from, to); returns the mismatches, *present = final state. */
static long replay_key(const struct tl2_set_event *e, size_t from, size_t to, bool *present)
{
	uint64_t applied = 0;
	long bad = 0;

	for (size_t i = from; i < to; i++) {
		if (e[i].op == SET_LOOKUP) {
			bad += e[i].seq != applied || e[i].result != *present;
			continue;
		}
		bool expect = e[i].op == SET_INSERT ? !*present : *present;
		bad += e[i].seq != applied || e[i].result != expect;
		*present = e[i].op == SET_INSERT;
		applied++;
	}
	return bad;
}

/* The final lists: sorted, each key in its bucket, and exactly the replay's keys. */
static long check_lists(struct tl2_intset *s, const bool *present, long keys)
{
	long bad = 0, seen = 0, expected = 0;

	for (long b = 0; b < s->buckets; b++) {
		long last = -1;
		for (struct node *n = (struct node *)(uintptr_t)tl2_peek(&s->heads[b].next); n;
		     n = (struct node *)(uintptr_t)tl2_peek(&n->next)) {
			long k = (long)tl2_peek(&n->key);
			bad += k <= last || k >= keys || k % s->buckets != b || !present[k];
			last = k;
			seen++;
		}
	}
	for (long k = 0; k < keys; k++)
		expected += present[k];
	return bad + (seen != expected);
}

static long set_check(struct tl2_workload *w, struct tl2_wl_thread *threads, int n)
{
	size_t total = 0;
	for (int t = 0; t < n; t++) {
		if (threads[t].log_failed)
			return -1;
		total += threads[t].n_log;
	}
	struct tl2_set_event *e = malloc((total ? total : 1) * sizeof(*e));
	bool *present = malloc((size_t)w->cfg.keys * sizeof(*present));
	if (!e || !present) {
		free(e);
		free(present);
		return -1;
	}
	size_t at = 0;
	for (int t = 0; t < n; t++) {
		memcpy(e + at, threads[t].log, threads[t].n_log * sizeof(*e));
		at += threads[t].n_log;
	}
	qsort(e, total, sizeof(*e), event_cmp);
	long bad = 0;
	for (long k = 0; k < w->cfg.keys; k++)
		present[k] = k % 2 == 1;
	for (size_t i = 0; i < total;) {
		size_t j = i;
		while (j < total && e[j].key == e[i].key)
			j++;
		bad += replay_key(e, i, j, &present[e[i].key]);
		i = j;
	}
	bad += check_lists(w->set, present, w->cfg.keys);
	free(e);
	free(present);
	return bad;
}

const struct tl2_wl_ops tl2_list_ops = {
	.name = "list",
	.create = list_create,
	.destroy = set_destroy,
	.thread_init = set_thread_init,
	.thread_free = set_thread_free,
	.operation = set_operation,
	.check = set_check,
};

const struct tl2_wl_ops tl2_hash_ops = {
	.name = "hash",
	.create = hash_create,
	.destroy = set_destroy,
	.thread_init = set_thread_init,
	.thread_free = set_thread_free,
	.operation = set_operation,
	.check = set_check,
};
