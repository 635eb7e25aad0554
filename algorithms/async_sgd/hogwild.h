/*
 * hogwild: lock-free SGD in shared memory, the algorithm analysed in
 *   D. Alistarh, C. De Sa, N. Konstantinov, "The Convergence of Stochastic Gradient
 *   Descent in Asynchronous Shared Memory", PODC 2018, arXiv 1803.08841
 * (and F. Niu, B. Recht, C. Re, S. Wright, "Hogwild!", NIPS 2011). Threads share one
 * model vector; each samples an example, reads the coordinates its non-zeros touch
 * without a lock, computes the gradient and writes the update coordinate by coordinate.
 *
 * Update modes (struct hw_model):
 *   racy        relaxed C11 atomic load, then relaxed store of the sum: an update that
 *               lands between another's load and store is lost (Hogwild!), but no
 *               access is a data race in the C11 sense, so it is not undefined behaviour
 *   atomic      a compare-and-swap loop on the double's word: the paper's fetch-and-add
 *   locked      one mutex around each whole update (read, gradient, write): consistent
 *   sequential  plain doubles, one thread: the baseline with the same updates
 *
 * The worker is plain C (no OpenMP inside), so the same code runs under OpenMP in the
 * algorithms and under pthreads in the stress tests (tests/unit/stress_async_sgd.c).
 */
#ifndef ASYNC_SGD_HOGWILD_H
#define ASYNC_SGD_HOGWILD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "algorithms/kernels/rng.h"
#include "algorithms/models/linear.h"
#include "suite/bench.h"
#include "suite/registry.h"

enum hw_mode { HW_RACY, HW_ATOMIC, HW_LOCKED, HW_SEQUENTIAL };

/* Staleness histogram bins; the last one holds every staleness at or above it. */
#define HW_STALE_BINS 4096

struct hw_model {
	int64_t dim;
	enum hw_mode mode;
	_Atomic double *w;          /* racy, atomic, locked */
	double *plain;              /* sequential */
	pthread_mutex_t lock;       /* locked */
	_Atomic uint64_t clock;     /* updates applied so far (staleness counting) */
	_Atomic uint64_t *writes;   /* racy checker: a write counter per coordinate, updated
				     * by the same load-then-store, or NULL */
};

/* "racy|atomic|locked|sequential"; -1 when none. */
int hw_mode_parse(const char *name, enum hw_mode *out);
const char *hw_mode_name(enum hw_mode m);

/* w = 0 in `mode`; count_writes adds the racy checker's write counters. 0 or -1 (memory). */
int hw_model_init(struct hw_model *m, int64_t dim, enum hw_mode mode, bool count_writes);
void hw_model_free(struct hw_model *m);
double hw_get(const struct hw_model *m, int64_t j);
/* w_j += delta in the model's mode (locked: the caller holds m->lock). */
void hw_add(struct hw_model *m, int64_t j, double delta);
/* out = w (after the threads have joined). */
void hw_copy_out(const struct hw_model *m, double *out);
/* The racy checker's count of writes that took effect, sum of the write counters. */
uint64_t hw_writes_landed(const struct hw_model *m);

/* What every thread reads: the training problem and the step schedule. */
struct hw_task {
	const struct lm_problem *p;
	const double *reg;          /* per coordinate: l2 n / (rows touching it), 0 if none */
	double lr, lr_decay;        /* step of global update g: lr / (1 + lr_decay g / n) */
};

/* Per-thread state and counts; a thread writes only its own. */
struct hw_thread {
	struct rng rng;
	double *view;               /* the values read for one example (max row length) */
	double *intended;           /* dim doubles: the deltas this thread meant, or NULL */
	uint64_t updates, writes, stale_max;
	uint64_t *stale_hist;       /* HW_STALE_BINS, or NULL: no staleness counting */
	char pad[64];
};

/* reg[j] = l2 n / count_j over the train rows (Hogwild's frequency-scaled regulariser:
 * its expectation over a uniform example is l2 w_j). reg has p->x->cols doubles. */
void hw_regulariser(const struct lm_problem *p, double *reg);

/* Allocate a thread's buffers: intended (when `check`) and the histogram (when
 * `staleness`); the rng is seeded from (seed, tid). 0 or -1. */
int hw_thread_init(struct hw_thread *t, const struct hw_model *m, const struct lm_problem *p,
		   uint64_t seed, int tid, bool check, bool staleness);
void hw_thread_free(struct hw_thread *t);

/* One SGD update of thread t on a uniformly sampled example; g is its global update
 * index (for the step). */
void hw_update(struct hw_model *m, const struct hw_task *task, struct hw_thread *t, int64_t g);

/* `count` updates of thread tid of `threads`, whose global indices are
 * base + i threads + tid (the step schedule is the sequential one when threads = 1). */
void hw_worker(struct hw_model *m, const struct hw_task *task, struct hw_thread *t, int tid,
	       int threads, int64_t base, int64_t count);

/* Staleness quantile q in [0, 1] over the threads' histograms (the bin, or the max). */
double hw_stale_quantile(const struct hw_thread *t, int threads, double q);

extern const struct rb_algorithm hogwild_algorithm, sequential_sgd_algorithm;
extern const struct bench_case async_sgd_hogwild_bench;

#endif
