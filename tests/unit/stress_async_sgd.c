/* stress_async_sgd: pthread stress cases of Hogwild's update modes (see
 * stress_async_sgd.h). */
#include "tests/unit/stress_async_sgd.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/async_sgd/hogwild.h"
#include "algorithms/kernels/rng.h"

/* Coordinates one exact-delta update touches. */
#define HW_STRESS_TOUCH 8
/* Rows and non-zeros a row of the sparse data of the sgd workload. */
#define HW_STRESS_ROWS 512
#define HW_STRESS_ROW_NNZ 12

const struct hw_stress_case hw_stress_cases[] = {
	/* 64 coordinates for 4 threads: most updates collide with another's. */
	{ "atomic_adds_4_threads", "atomic", "adds", 4, 1000000, 64 },
	{ "locked_adds_4_threads", "locked", "adds", 4, 1000000, 64 },
	{ "atomic_adds_2_threads_one_word", "atomic", "adds", 2, 400000, 1 },
	{ "atomic_sgd_4_threads", "atomic", "sgd", 4, 200000, 128 },
	{ "locked_sgd_4_threads", "locked", "sgd", 4, 100000, 128 },
	{ 0 },
};

const struct hw_stress_case *hw_stress_find(const char *name)
{
	for (const struct hw_stress_case *c = hw_stress_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

struct adder {
	pthread_t id;
	const struct hw_stress_case *c;
	struct hw_model *m;
	pthread_barrier_t *start;
	int tid;
	double *intended;
	/* sgd workload */
	const struct hw_task *task;
	struct hw_thread thr;
};

/* Deltas are k / 1024 with |k| <= 512: every partial sum is exact in a double, so the
 * order in which threads land them cannot change the result. */
static void *add_worker(void *arg)
{
	struct adder *a = arg;
	struct rng r;
	long count = a->c->updates / a->c->threads;

	rng_seed(&r, 91, (uint64_t)a->tid);
	pthread_barrier_wait(a->start);
	for (long i = 0; i < count; i++) {
		bool locked = a->m->mode == HW_LOCKED;
		if (locked)
			pthread_mutex_lock(&a->m->lock);
		for (int k = 0; k < HW_STRESS_TOUCH; k++) {
			int64_t j = (int64_t)rng_below(&r, (uint64_t)a->c->dim);
			double delta = ((double)rng_below(&r, 1025) - 512.0) / 1024.0;
			hw_add(a->m, j, delta);
			a->intended[j] += delta;
		}
		if (locked)
			pthread_mutex_unlock(&a->m->lock);
	}
	return NULL;
}

static void *sgd_worker(void *arg)
{
	struct adder *a = arg;
	long count = a->c->updates / a->c->threads;

	pthread_barrier_wait(a->start);
	hw_worker(a->m, a->task, &a->thr, a->tid, a->c->threads, 0, count);
	return NULL;
}

/* A small sparse logistic problem: rows of HW_STRESS_ROW_NNZ distinct columns. */
struct stress_data {
	struct ds_matrix x;
	double y[HW_STRESS_ROWS];
	struct lm_problem p;
	double *reg;
};

static int stress_data_make(struct stress_data *d, int dim)
{
	struct rng r;

	memset(d, 0, sizeof(*d));
	if (ds_csr_alloc(&d->x, HW_STRESS_ROWS, dim, HW_STRESS_ROWS * HW_STRESS_ROW_NNZ) != 0)
		return -1;
	rng_seed(&r, 17, 0);
	int64_t nnz = 0;
	for (int i = 0; i < HW_STRESS_ROWS; i++) {
		int step = dim / HW_STRESS_ROW_NNZ, start = (int)rng_below(&r, (uint64_t)step);
		for (int k = 0; k < HW_STRESS_ROW_NNZ; k++) {
			d->x.colidx[nnz] = start + k * step;
			d->x.values[nnz++] = rng_normal(&r) / 4.0;
		}
		d->x.rowptr[i + 1] = nnz;
		d->y[i] = rng_uniform(&r) < 0.5 ? -1.0 : 1.0;
	}
	d->p = (struct lm_problem){ .x = &d->x, .y = d->y, .loss = LM_LOGISTIC, .l2 = 1e-3 };
	d->reg = malloc((size_t)dim * sizeof(double));
	if (!d->reg)
		return -1;
	hw_regulariser(&d->p, d->reg);
	return 0;
}

static int check_adds(const struct hw_stress_case *c, struct hw_model *m, struct adder *a,
		      char *err, size_t errlen)
{
	for (int j = 0; j < c->dim; j++) {
		double want = 0.0;
		for (int t = 0; t < c->threads; t++)
			want += a[t].intended[j];
		double got = hw_get(m, j);
		if (got != want) {
			snprintf(err, errlen, "%s: coordinate %d holds %.17g, the updates sum to %.17g",
				 c->name, j, got, want);
			return -1;
		}
	}
	return 0;
}

static int check_sgd(const struct hw_stress_case *c, struct hw_model *m, struct adder *a,
		     char *err, size_t errlen)
{
	double lost = 0.0, total = 0.0;
	uint64_t updates = 0;

	for (int j = 0; j < c->dim; j++) {
		double want = 0.0;
		for (int t = 0; t < c->threads; t++)
			want += a[t].thr.intended[j];
		lost += fabs(hw_get(m, j) - want);
		total += fabs(want);
	}
	for (int t = 0; t < c->threads; t++)
		updates += a[t].thr.updates;
	if (updates != (uint64_t)(c->updates / c->threads) * (uint64_t)c->threads || !(total > 0)) {
		snprintf(err, errlen, "%s: %llu updates ran", c->name, (unsigned long long)updates);
		return -1;
	}
	if (lost > 1e-9 * total) {
		snprintf(err, errlen, "%s: %.3g of %.3g update mass lost", c->name, lost, total);
		return -1;
	}
	for (int t = 0; m->mode == HW_LOCKED && t < c->threads; t++)
		if (hw_stale_quantile(&a[t].thr, 1, 1.0) != 0) {
			snprintf(err, errlen, "%s: an update overlapped another under the lock", c->name);
			return -1;
		}
	return 0;
}

static int start_threads(const struct hw_stress_case *c, struct adder *a, bool sgd)
{
	pthread_barrier_t start;
	int rc = 0, started = 0;

	pthread_barrier_init(&start, NULL, (unsigned)c->threads);
	for (int t = 0; t < c->threads; t++) {
		a[t].start = &start;
		if (pthread_create(&a[t].id, NULL, sgd ? sgd_worker : add_worker, &a[t]) != 0) {
			rc = -1;
			break;
		}
		started++;
	}
	if (rc != 0)   /* cannot happen in practice; the barrier would wait forever */
		abort();
	for (int t = 0; t < started; t++)
		pthread_join(a[t].id, NULL);
	pthread_barrier_destroy(&start);
	return rc;
}

int hw_stress_run(const struct hw_stress_case *c, char *err, size_t errlen)
{
	enum hw_mode mode;
	struct hw_model m;
	struct stress_data d = { 0 };
	bool sgd = !strcmp(c->workload, "sgd");
	struct adder *a = calloc((size_t)c->threads, sizeof(*a));
	int rc = -1;

	snprintf(err, errlen, "%s: out of memory", c->name);
	if (!a || hw_mode_parse(c->mode, &mode) != 0 || hw_model_init(&m, c->dim, mode, false) != 0) {
		free(a);
		return -1;
	}
	if (sgd && stress_data_make(&d, c->dim) != 0)
		goto out;
	struct hw_task task = { .p = &d.p, .reg = sgd ? d.reg : NULL, .lr = 0.5, .lr_decay = 1 };
	for (int t = 0; t < c->threads; t++) {
		a[t] = (struct adder){ .c = c, .m = &m, .tid = t, .task = &task };
		a[t].intended = calloc((size_t)c->dim, sizeof(double));
		if (!a[t].intended ||
		    (sgd && hw_thread_init(&a[t].thr, &m, &d.p, 5, t, true, mode == HW_LOCKED) != 0))
			goto out;
	}
	if (start_threads(c, a, sgd) == 0)
		rc = sgd ? check_sgd(c, &m, a, err, errlen) : check_adds(c, &m, a, err, errlen);
out:
	for (int t = 0; t < c->threads; t++) {
		free(a[t].intended);
		hw_thread_free(&a[t].thr);
	}
	if (sgd) {
		ds_matrix_free(&d.x);
		free(d.reg);
	}
	free(a);
	hw_model_free(&m);
	return rc;
}

int stress_async_sgd_run_all(FILE *out)
{
	int failed = 0;

	fprintf(out, "async_sgd: racy is excluded by design (it loses updates on purpose)\n");
	for (const struct hw_stress_case *c = hw_stress_cases; c->name; c++) {
		char err[256] = "";
		int rc = hw_stress_run(c, err, sizeof(err));
		fprintf(out, "%s %s%s%s\n", rc == 0 ? "PASS" : "FAIL", c->name, rc ? ": " : "",
			rc ? err : "");
		failed += rc != 0;
	}
	return failed;
}
