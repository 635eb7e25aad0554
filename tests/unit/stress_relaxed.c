/* stress_relaxed: pthread stress workloads of the relaxed structures (see
 * stress_relaxed.h). */
#include "tests/unit/stress_relaxed.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/relaxed_structures/mq_engineered.h"
#include "algorithms/relaxed_structures/multicounter.h"
#include "algorithms/relaxed_structures/multiqueue.h"

/* Operations in total per case, split over its threads. */
#define STRESS_OPS 1200000
/* A counter thread reads after every this many increments. */
#define STRESS_READ_EVERY 8

const struct stress_case stress_cases[] = {
	/* Few heaps for the threads: try-lock failures and retries are the common case. */
	{ "stress_mq", "multiqueue_2_threads_contended", "multiqueue", 2, 2, 1, 0.5 },
	{ "stress_mq", "multiqueue_4_threads_sticky", "multiqueue", 4, 8, 8, 0.5 },
	/* Deletions outnumber insertions: the queue keeps running empty, so the
	 * empty-sample path and the scan race with insertions. */
	{ "stress_mq", "multiqueue_8_threads_mostly_empty", "multiqueue", 8, 16, 1, 0.4 },
	{ "stress_mq", "locked_heap_4_threads", "locked_heap", 4, 1, 1, 0.5 },
	/* The engineered variant in the same three settings: its buffers overflow, flush
	 * and refill under contention, and its shared stickiness pushes to a sticky pair. */
	{ "stress_mq", "engineered_2_threads_contended", "multiqueue_engineered", 2, 2, 1, 0.5 },
	{ "stress_mq", "engineered_4_threads_sticky", "multiqueue_engineered", 4, 8, 16, 0.5 },
	{ "stress_mq", "engineered_8_threads_mostly_empty", "multiqueue_engineered", 8, 16, 1, 0.4 },
	{ "stress_mc", "multicounter_2_threads_few_counters", "multicounter", 2, 2, 1, 0 },
	{ "stress_mc", "multicounter_8_threads_sticky", "multicounter", 8, 16, 64, 0 },
	{ "stress_mc", "fetch_add_counter_4_threads", "fetch_add_counter", 4, 1, 1, 0 },
	{ "stress_mc", "engineered_counter_2_threads_few_counters", "multicounter_engineered", 2, 2, 1, 0 },
	{ "stress_mc", "engineered_counter_8_threads_sticky", "multicounter_engineered", 8, 16, 256, 0 },
	{ 0 },
};

const struct stress_case *stress_find(const char *name)
{
	for (const struct stress_case *c = stress_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ---- queues ---- */

struct queue_thread {
	pthread_t id;
	const struct stress_case *c;
	const struct mq_ops *ops;
	struct mq *mq;
	pthread_barrier_t *start;
	int tid, ops_count;
	uint64_t *inserted, *deleted;
	size_t n_inserted, n_deleted;
	bool failed;
};

/* Keys: a random priority above the thread's tag and a sequence number, so that
 * every key is distinct and a duplicate can only come from the structure. */
static void *queue_worker(void *arg)
{
	struct queue_thread *t = arg;
	struct mq_handle h;
	struct rng r;
	uint64_t key;

	mq_handle_init(&h, 42, (uint64_t)t->tid, NULL);
	rng_seed(&r, 43, (uint64_t)t->tid);
	pthread_barrier_wait(t->start);
	for (int i = 0; i < t->ops_count; i++) {
		if (rng_uniform(&r) < t->c->insert_share) {
			key = rng_below(&r, 1u << 20) << 40 | (uint64_t)t->tid << 32 | (uint64_t)i;
			if (t->ops->push(t->mq, &h, key) != 0) {
				t->failed = true;
				return NULL;
			}
			t->inserted[t->n_inserted++] = key;
		} else if (t->ops->try_pop(t->mq, &h, &key)) {
			t->deleted[t->n_deleted++] = key;
		}
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Drain into out[*n_out..]; -1 when more comes out than went in. */
static int queue_drain(const struct mq_ops *ops, struct mq *mq, uint64_t *out, size_t *n_out,
		       size_t n_in)
{
	struct mq_handle h;
	uint64_t key;

	mq_handle_init(&h, 1, 999, NULL);
	while (ops->try_pop(mq, &h, &key)) {
		if (*n_out >= n_in)
			return -1;
		out[(*n_out)++] = key;
	}
	return 0;
}

/* inserted = deleted + drained, as sorted multisets; the size before the drain agrees. */
static int queue_check(struct queue_thread *t, int threads, struct mq *mq, char *err,
		       size_t errlen)
{
	const struct mq_ops *ops = t[0].ops;
	uint64_t *in = malloc(STRESS_OPS * sizeof(*in)), *out = malloc(STRESS_OPS * sizeof(*out));
	size_t n_in = 0, n_out = 0, size = ops->size(mq);
	int rc = -1;

	if (!in || !out) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (int k = 0; k < threads; k++) {
		memcpy(in + n_in, t[k].inserted, t[k].n_inserted * sizeof(*in));
		n_in += t[k].n_inserted;
		memcpy(out + n_out, t[k].deleted, t[k].n_deleted * sizeof(*out));
		n_out += t[k].n_deleted;
	}
	if (n_out > n_in || size != n_in - n_out) {
		snprintf(err, errlen, "size %zu after %zu inserts and %zu deletes", size, n_in, n_out);
		goto done;
	}
	if (queue_drain(ops, mq, out, &n_out, n_in) != 0 || n_out != n_in) {
		snprintf(err, errlen, "a drain gave %zu keys of %zu (reported empty too early, "
			 "or keys duplicated)", n_out, n_in);
		goto done;
	}
	qsort(in, n_in, sizeof(*in), cmp_u64);
	qsort(out, n_out, sizeof(*out), cmp_u64);
	for (size_t i = 0; i < n_in; i++)
		if (in[i] != out[i]) {
			snprintf(err, errlen, "key %zu of %zu differs: lost or duplicated", i, n_in);
			goto done;
		}
	rc = 0;
done:
	free(in);
	free(out);
	return rc;
}

static const struct mq_ops *queue_ops(const char *name)
{
	return !strcmp(name, multiqueue_ops.name) ? &multiqueue_ops
	       : !strcmp(name, multiqueue_engineered_ops.name) ? &multiqueue_engineered_ops
	       : !strcmp(name, locked_heap_ops.name) ? &locked_heap_ops : NULL;
}

static int stress_queue(const struct stress_case *c, char *err, size_t errlen)
{
	struct mq_config cfg = { .queues = c->slots, .stickiness = c->stickiness, .capacity_hint = 1024 };
	const struct mq_ops *ops = queue_ops(c->structure);
	struct mq *mq = ops ? ops->create(&cfg) : NULL;
	struct queue_thread *t = calloc((size_t)c->threads, sizeof(*t));
	pthread_barrier_t start;
	int started = 0, rc = -1;

	if (!mq || !t) {
		snprintf(err, errlen, "cannot create %s", c->structure);
		goto done;
	}
	pthread_barrier_init(&start, NULL, (unsigned)c->threads);
	for (int k = 0; k < c->threads; k++) {
		t[k] = (struct queue_thread){ .c = c, .ops = ops, .mq = mq, .start = &start, .tid = k,
					      .ops_count = STRESS_OPS / c->threads };
		t[k].inserted = malloc((size_t)t[k].ops_count * sizeof(uint64_t));
		t[k].deleted = malloc((size_t)t[k].ops_count * sizeof(uint64_t));
		if (!t[k].inserted || !t[k].deleted || pthread_create(&t[k].id, NULL, queue_worker, &t[k]))
			abort();   /* a half-started barrier cannot be unwound */
		started++;
	}
	bool failed = false;
	for (int k = 0; k < started; k++) {
		pthread_join(t[k].id, NULL);
		failed |= t[k].failed;
	}
	pthread_barrier_destroy(&start);
	if (failed)
		snprintf(err, errlen, "out of memory inserting");
	else
		rc = queue_check(t, c->threads, mq, err, errlen);
done:
	for (int k = 0; t && k < c->threads; k++) {
		free(t[k].inserted);
		free(t[k].deleted);
	}
	free(t);
	if (mq)
		ops->destroy(mq);
	return rc;
}

/* ---- counters ---- */

struct counter_thread {
	pthread_t id;
	const struct mc_ops *ops;
	struct mc *mc;
	pthread_barrier_t *start;
	int tid, increments;
	uint64_t bad_reads;
};

static void *counter_worker(void *arg)
{
	struct counter_thread *t = arg;
	struct mc_handle h;
	uint64_t m = (uint64_t)t->ops->counters(t->mc);

	mc_handle_init(&h, 7, (uint64_t)t->tid, NULL);
	pthread_barrier_wait(t->start);
	for (int i = 0; i < t->increments; i++) {
		t->ops->increment(t->mc, &h);
		if (i % STRESS_READ_EVERY == 0 && t->ops->read(t->mc, &h) % m != 0)
			t->bad_reads++;
	}
	return NULL;
}

static const struct mc_ops *counter_ops(const char *name)
{
	return !strcmp(name, multicounter_ops.name) ? &multicounter_ops
	       : !strcmp(name, multicounter_engineered_ops.name) ? &multicounter_engineered_ops
	       : !strcmp(name, fetch_add_counter_ops.name) ? &fetch_add_counter_ops : NULL;
}

static int stress_counter(const struct stress_case *c, char *err, size_t errlen)
{
	struct mc_config cfg = { .counters = c->slots, .stickiness = c->stickiness };
	const struct mc_ops *ops = counter_ops(c->structure);
	struct mc *mc = ops ? ops->create(&cfg) : NULL;
	struct counter_thread *t = calloc((size_t)c->threads, sizeof(*t));
	pthread_barrier_t start;
	uint64_t expected = 0, bad = 0;

	if (!mc || !t) {
		free(t);
		if (mc)
			ops->destroy(mc);
		snprintf(err, errlen, "cannot create %s", c->structure);
		return -1;
	}
	pthread_barrier_init(&start, NULL, (unsigned)c->threads);
	for (int k = 0; k < c->threads; k++) {
		t[k] = (struct counter_thread){ .ops = ops, .mc = mc, .start = &start, .tid = k,
						.increments = STRESS_OPS / c->threads };
		if (pthread_create(&t[k].id, NULL, counter_worker, &t[k]))
			abort();
	}
	for (int k = 0; k < c->threads; k++) {
		pthread_join(t[k].id, NULL);
		expected += (uint64_t)t[k].increments;
		bad += t[k].bad_reads;
	}
	pthread_barrier_destroy(&start);
	uint64_t total = ops->total(mc);
	free(t);
	ops->destroy(mc);
	if (total == expected && bad == 0)
		return 0;
	snprintf(err, errlen, "counters sum to %llu after %llu increments; %llu reads were not "
		 "m x a counter", (unsigned long long)total, (unsigned long long)expected,
		 (unsigned long long)bad);
	return -1;
}

int stress_run(const struct stress_case *c, char *err, size_t errlen)
{
	if (!strcmp(c->suite, "stress_mc"))
		return stress_counter(c, err, errlen);
	return stress_queue(c, err, errlen);
}

int stress_relaxed_run_all(FILE *out)
{
	int failed = 0;

	for (const struct stress_case *c = stress_cases; c->name; c++) {
		char err[256] = "";
		int rc = stress_run(c, err, sizeof(err));
		fprintf(out, "%s/%s: %s%s%s\n", c->suite, c->name, rc ? "FAIL" : "PASS",
		        rc ? ": " : "", err);
		fflush(out);
		failed += rc != 0;
	}
	return failed;
}
