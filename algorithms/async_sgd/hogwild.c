/*
 * hogwild: lock-free SGD over OpenMP threads sharing one model (see hogwild.h), after
 *   D. Alistarh, C. De Sa, N. Konstantinov, "The Convergence of Stochastic Gradient
 *   Descent in Asynchronous Shared Memory", PODC 2018, arXiv 1803.08841, section 2's
 *   model: each iteration reads X coordinate by coordinate into a view that may mix
 *   versions, samples a gradient at the view and fetch-and-adds it coordinate by
 *   coordinate.
 *
 * What the theory counts is counted here:
 *   staleness   per update, the updates applied to the model between its read and its
 *               write, from a global update counter read before the reads and
 *               incremented after the writes (quality runs only: the counter is one
 *               cache line every thread writes)
 *   lost writes for `racy`, a checker run keeps beside each coordinate a write counter
 *               updated by the same relaxed load-then-store; writes - sum of counters
 *               is the number of overwritten writes. Every mode also accumulates the
 *               updates each thread intended: |intended sum - change of w| is the mass
 *               lost (0 up to rounding for atomic, locked, sequential: the verifier)
 * Timed runs (measure=throughput) count neither, and time the mode against sequential
 * SGD on the same data in alternating ABBA slices of one run (kernels/paired).
 *
 * L2 regularisation touches only an example's non-zeros, scaled by n / count_j (the
 * rows containing j) so that its expectation is l2 w_j (Hogwild!'s rule); the scaled
 * factor step * reg_j is capped at HW_REG_CAP so that a rare feature cannot flip sign.
 */
#include "algorithms/async_sgd/hogwild.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/kernels/paired.h"
#include "algorithms/models/liblinear_ref.h"
#include "datasets/synth.h"

/* Largest shrink factor step * reg_j of one regularisation step. */
#define HW_REG_CAP 0.5
/* Updates between two looks at the clock in a timed loop. */
#define HW_STOP_CHECK_EVERY 64
/* The checker's per-thread intended sums are kept only below this many bytes in all. */
#define HW_CHECK_MAX_BYTES ((size_t)1 << 28)
/* A mode other than racy must land every update: |intended - change| / |intended|. */
#define HW_EXACT_TOLERANCE 1e-9
/* LIBLINEAR's tolerance for the optimum the theory's epsilon is measured against. */
#define HW_OPTIMUM_EPS 1e-6
/* Power iterations for the smoothness L. */
#define HW_SMOOTHNESS_ITERS 50
/* Bytes one non-zero of an update moves: column index, value, model read and write. */
#define HW_BYTES_PER_NONZERO (4.0 + 8.0 + 8.0 + 8.0)

static const char *const mode_names[] = { "racy", "atomic", "locked", "sequential" };

int hw_mode_parse(const char *name, enum hw_mode *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, mode_names[i])) {
			*out = (enum hw_mode)i;
			return 0;
		}
	return -1;
}

const char *hw_mode_name(enum hw_mode m)
{
	return mode_names[m];
}

/* ---- the shared model ---- */

int hw_model_init(struct hw_model *m, int64_t dim, enum hw_mode mode, bool count_writes)
{
	size_t n = (size_t)(dim > 0 ? dim : 1);

	*m = (struct hw_model){ .dim = dim, .mode = mode };
	atomic_init(&m->clock, 0);
	if (mode == HW_SEQUENTIAL) {
		m->plain = calloc(n, sizeof(double));
		return m->plain ? 0 : -1;
	}
	m->w = malloc(n * sizeof(*m->w));
	if (count_writes && mode == HW_RACY)
		m->writes = malloc(n * sizeof(*m->writes));
	if (!m->w || (count_writes && mode == HW_RACY && !m->writes)) {
		free(m->w);
		free(m->writes);
		m->w = NULL;
		m->writes = NULL;
		return -1;
	}
	for (size_t j = 0; j < n; j++) {
		atomic_init(&m->w[j], 0.0);
		if (m->writes)
			atomic_init(&m->writes[j], 0);
	}
	pthread_mutex_init(&m->lock, NULL);
	return 0;
}

void hw_model_free(struct hw_model *m)
{
	if (m->w)
		pthread_mutex_destroy(&m->lock);
	free(m->w);
	free(m->writes);
	free(m->plain);
	m->w = NULL;
	m->writes = NULL;
	m->plain = NULL;
}

double hw_get(const struct hw_model *m, int64_t j)
{
	if (m->plain)
		return m->plain[j];
	return atomic_load_explicit(&m->w[j], memory_order_relaxed);
}

/* The lost-update race of Hogwild!, without undefined behaviour: both accesses are
 * atomic, only the read-modify-write is not. */
static void racy_add(struct hw_model *m, int64_t j, double delta)
{
	double v = atomic_load_explicit(&m->w[j], memory_order_relaxed);

	if (m->writes) {
		uint64_t c = atomic_load_explicit(&m->writes[j], memory_order_relaxed);
		atomic_store_explicit(&m->w[j], v + delta, memory_order_relaxed);
		atomic_store_explicit(&m->writes[j], c + 1, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&m->w[j], v + delta, memory_order_relaxed);
}

/* Fetch-and-add on a double: compare-and-swap until no other write came between. */
static void atomic_add(struct hw_model *m, int64_t j, double delta)
{
	double old = atomic_load_explicit(&m->w[j], memory_order_relaxed);

	while (!atomic_compare_exchange_weak_explicit(&m->w[j], &old, old + delta,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

void hw_add(struct hw_model *m, int64_t j, double delta)
{
	switch (m->mode) {
	case HW_SEQUENTIAL:
		m->plain[j] += delta;
		return;
	case HW_ATOMIC:
		atomic_add(m, j, delta);
		return;
	case HW_RACY:
	case HW_LOCKED:   /* under the lock: nobody else writes */
	default:
		racy_add(m, j, delta);
	}
}

void hw_copy_out(const struct hw_model *m, double *out)
{
	for (int64_t j = 0; j < m->dim; j++)
		out[j] = hw_get(m, j);
}

uint64_t hw_writes_landed(const struct hw_model *m)
{
	uint64_t n = 0;

	for (int64_t j = 0; m->writes && j < m->dim; j++)
		n += atomic_load_explicit(&m->writes[j], memory_order_relaxed);
	return n;
}

/* ---- threads and updates ---- */

void hw_regulariser(const struct lm_problem *p, double *reg)
{
	const struct ds_matrix *x = p->x;
	int64_t n = x->rows;

	if (!x->sparse) {
		for (int64_t j = 0; j < x->cols; j++)
			reg[j] = p->l2;
		return;
	}
	memset(reg, 0, (size_t)x->cols * sizeof(double));
	for (int64_t k = 0; k < x->rowptr[n]; k++)
		reg[x->colidx[k]] += 1.0;
	for (int64_t j = 0; j < x->cols; j++)
		reg[j] = reg[j] > 0 ? p->l2 * (double)n / reg[j] : 0.0;
}

static int64_t max_row_length(const struct ds_matrix *x)
{
	int64_t best = x->sparse ? 0 : x->cols;

	for (int64_t i = 0; x->sparse && i < x->rows; i++)
		if (x->rowptr[i + 1] - x->rowptr[i] > best)
			best = x->rowptr[i + 1] - x->rowptr[i];
	return best;
}

int hw_thread_init(struct hw_thread *t, const struct hw_model *m, const struct lm_problem *p,
		   uint64_t seed, int tid, bool check, bool staleness)
{
	int64_t len = max_row_length(p->x);

	*t = (struct hw_thread){ 0 };
	rng_seed(&t->rng, seed, (uint64_t)tid);
	t->view = malloc((size_t)(len > 0 ? len : 1) * sizeof(double));
	if (check)
		t->intended = calloc((size_t)(m->dim > 0 ? m->dim : 1), sizeof(double));
	if (staleness)
		t->stale_hist = calloc(HW_STALE_BINS, sizeof(uint64_t));
	if (!t->view || (check && !t->intended) || (staleness && !t->stale_hist)) {
		hw_thread_free(t);
		return -1;
	}
	return 0;
}

void hw_thread_free(struct hw_thread *t)
{
	free(t->view);
	free(t->intended);
	free(t->stale_hist);
	t->view = t->intended = NULL;
	t->stale_hist = NULL;
}

/* The row's non-zeros: columns (NULL for a dense row: 0..len-1) and values. */
struct row {
	const int32_t *col;
	const double *val;
	int64_t len;
};

static struct row row_of(const struct ds_matrix *x, int64_t i)
{
	if (!x->sparse)
		return (struct row){ NULL, x->dense + i * x->cols, x->cols };
	int64_t a = x->rowptr[i];
	return (struct row){ x->colidx + a, x->values + a, x->rowptr[i + 1] - a };
}

static void write_update(struct hw_model *m, const struct hw_task *task, struct hw_thread *t,
			 struct row r, double slope, double step)
{
	for (int64_t k = 0; k < r.len; k++) {
		int64_t j = r.col ? r.col[k] : k;
		double shrink = fmin(step * task->reg[j], HW_REG_CAP);
		double delta = -step * slope * r.val[k] - shrink * t->view[k];
		hw_add(m, j, delta);
		if (t->intended)
			t->intended[j] += delta;
	}
	t->writes += (uint64_t)r.len;
}

static void count_staleness(struct hw_model *m, struct hw_thread *t, uint64_t before)
{
	/* acq_rel: the writes above are counted once they are done, and a later reader of
	 * the counter sees them. */
	uint64_t after = atomic_fetch_add_explicit(&m->clock, 1, memory_order_acq_rel);
	uint64_t stale = after - before;

	t->stale_hist[stale < HW_STALE_BINS ? stale : HW_STALE_BINS - 1]++;
	if (stale > t->stale_max)
		t->stale_max = stale;
}

void hw_update(struct hw_model *m, const struct hw_task *task, struct hw_thread *t, int64_t g)
{
	const struct lm_problem *p = task->p;
	int64_t i = (int64_t)rng_below(&t->rng, (uint64_t)p->x->rows);
	struct row r = row_of(p->x, i);
	double step = task->lr / (1.0 + task->lr_decay * (double)g / (double)p->x->rows);
	uint64_t before = 0;

	if (m->mode == HW_LOCKED)
		pthread_mutex_lock(&m->lock);
	if (t->stale_hist)
		before = atomic_load_explicit(&m->clock, memory_order_acquire);
	double margin = 0.0;
	for (int64_t k = 0; k < r.len; k++) {
		t->view[k] = hw_get(m, r.col ? r.col[k] : k);
		margin += r.val[k] * t->view[k];
	}
	write_update(m, task, t, r, lm_loss_slope(p->loss, margin, p->y[i]), step);
	if (t->stale_hist)
		count_staleness(m, t, before);
	if (m->mode == HW_LOCKED)
		pthread_mutex_unlock(&m->lock);
	t->updates++;
}

void hw_worker(struct hw_model *m, const struct hw_task *task, struct hw_thread *t, int tid,
	       int threads, int64_t base, int64_t count)
{
	for (int64_t k = 0; k < count; k++)
		hw_update(m, task, t, base + k * threads + tid);
}

double hw_stale_quantile(const struct hw_thread *t, int threads, double q)
{
	uint64_t total = 0, max = 0;

	for (int k = 0; k < threads; k++) {
		for (int b = 0; t[k].stale_hist && b < HW_STALE_BINS; b++)
			total += t[k].stale_hist[b];
		max = t[k].stale_max > max ? t[k].stale_max : max;
	}
	if (total == 0)
		return 0;
	if (q >= 1.0)
		return (double)max;
	uint64_t want = (uint64_t)ceil(q * (double)total), seen = 0;
	for (int b = 0; b < HW_STALE_BINS; b++) {
		for (int k = 0; k < threads; k++)
			seen += t[k].stale_hist ? t[k].stale_hist[b] : 0;
		if (seen >= want && want > 0)
			return b == HW_STALE_BINS - 1 ? (double)max : (double)b;
	}
	return (double)max;
}

/* ---- parameters ---- */

#define HW_COMMON_PARAMS \
	{ "lr", RB_REAL, "0.1", 1e-12, 100, NULL, "initial step" }, \
	{ "lr_decay", RB_REAL, "1", 0, 1e6, NULL, \
	  "step of global update g is lr / (1 + lr_decay g / n): decays per epoch" }, \
	{ "epochs", RB_INT, "3", 1, 1e5, NULL, "quality runs: updates = epochs x training rows, split over the threads" }, \
	{ "l2", RB_REAL, "1e-4", 0, 1e6, NULL, "L2 regularisation: the objective adds (l2/2)|w|^2" }, \
	{ "loss", RB_CHOICE, "logistic", 0, 0, "logistic|squared", "logistic (labels -1/+1) or squared" }, \
	{ "measure", RB_CHOICE, "quality", 0, 0, "quality|throughput", \
	  "quality: epochs of updates counting staleness and lost updates, loss per epoch; " \
	  "throughput: timed updates only" }, \
	{ "check", RB_BOOL, "true", 0, 0, NULL, \
	  "quality runs: accumulate each thread's intended updates (and racy's write counters)" }, \
	{ "theory", RB_BOOL, "true", 0, 0, NULL, \
	  "quality runs: find w* (LIBLINEAR) and the delay tau_star = M / (2 L sqrt(eps)) at which the theory's step halves the rate" }, \
	{ "seconds", RB_REAL, "0.4", 0.01, 600, NULL, "throughput runs: timed seconds per side" }, \
	{ "slices", RB_INT, "4", 1, 1000, NULL, "throughput runs: timed slices per side (ABBA with the baseline)" }

static const struct rb_param_spec hogwild_params[] = {
	{ "mode", RB_CHOICE, "racy", 0, 0, "racy|atomic|locked",
	  "racy (relaxed load + store: lost updates possible), atomic (CAS fetch-and-add), locked (one mutex per update)" },
	{ "paired", RB_BOOL, "true", 0, 0, NULL,
	  "throughput runs also time sequential SGD on the same data in alternating slices: ratio_to_sequential" },
	HW_COMMON_PARAMS,
	{ 0 },
};

static const struct rb_param_spec sequential_params[] = {
	HW_COMMON_PARAMS,
	{ 0 },
};

static int sequential_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	if (rb_paramset_get(ps, "threads")->i != 1) {
		snprintf(err, errlen, "sequential_sgd runs on one thread (threads: 1)");
		return -1;
	}
	return 0;
}

/* ---- a run's problem ---- */

struct hw_setup {
	struct lm_problem train, test;
	double *reg;
	struct hw_task task;
	enum hw_mode mode;
	int threads;
	uint64_t seed;
};

static int setup_open(const struct rb_run *run, struct rb_recorder *rec, enum hw_mode mode,
		      struct hw_setup *s)
{
	const struct ds_dataset *d = run->data;
	enum lm_loss loss;

	*s = (struct hw_setup){ .mode = mode, .threads = run->threads, .seed = run->seed };
	if (!d || d->train.x.rows == 0 || d->train.x.cols == 0)
		return rb_fail(rec, RB_INVALID_INPUT, "needs a dataset with training rows and features");
	if (d->train.x.cols > INT32_MAX || d->test.x.cols > d->train.x.cols)
		return rb_fail(rec, RB_INVALID_INPUT, "the test split is wider than the train split");
	if (lm_loss_parse(rb_param_str(run, "loss"), &loss) != 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown loss");
	double l2 = rb_param_real(run, "l2");
	s->train = (struct lm_problem){ .x = &d->train.x, .y = d->train.y, .loss = loss, .l2 = l2 };
	s->test = (struct lm_problem){ .x = &d->test.x, .y = d->test.y, .loss = loss, .l2 = l2 };
	if (lm_check_labels(&s->train) >= 0 || (d->test.x.rows && lm_check_labels(&s->test) >= 0))
		return rb_fail(rec, RB_INVALID_INPUT, "labels do not fit the %s loss", lm_loss_name(loss));
	s->reg = malloc((size_t)d->train.x.cols * sizeof(double));
	if (!s->reg)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "out of memory");
	hw_regulariser(&s->train, s->reg);
	s->task = (struct hw_task){ .p = &s->train, .reg = s->reg, .lr = rb_param_real(run, "lr"),
				    .lr_decay = rb_param_real(run, "lr_decay") };
	return 0;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- quality runs ---- */

struct hw_quality {
	struct hw_model model;
	struct hw_thread *thr;
	double *w;              /* plain copy for evaluation */
	bool check;
	double train_s;
};

static void quality_free(struct hw_quality *q, int threads)
{
	for (int k = 0; q->thr && k < threads; k++)
		hw_thread_free(&q->thr[k]);
	free(q->thr);
	free(q->w);
	hw_model_free(&q->model);
}

static int quality_open(struct hw_quality *q, const struct hw_setup *s, bool check)
{
	int64_t dim = s->train.x->cols;

	*q = (struct hw_quality){ .check = check };
	q->thr = calloc((size_t)s->threads, sizeof(*q->thr));
	q->w = malloc((size_t)dim * sizeof(double));
	if (!q->thr || !q->w || hw_model_init(&q->model, dim, s->mode, check) != 0)
		return -1;
	for (int k = 0; k < s->threads; k++)
		if (hw_thread_init(&q->thr[k], &q->model, &s->train, s->seed, k, check, true) != 0)
			return -1;
	return 0;
}

/* One epoch: n updates split over the threads. 0, or the team size OpenMP gave. */
static int quality_epoch(struct hw_quality *q, const struct hw_setup *s, int64_t epoch)
{
	int64_t n = s->train.x->rows;
	int threads = s->threads, team = threads;
	double t0 = wall_now();

#pragma omp parallel num_threads(threads)
	{
		int tid = omp_get_thread_num();
#pragma omp single
		team = omp_get_num_threads();
		if (team == threads) {
			int64_t count = n / threads + (tid < n % threads ? 1 : 0);
			hw_worker(&q->model, &s->task, &q->thr[tid], tid, threads, epoch * n, count);
		}
	}
	q->train_s += wall_now() - t0;
	return team == threads ? 0 : team;
}

static void evaluate(struct rb_recorder *rec, const struct hw_setup *s, struct hw_quality *q,
		     double epoch)
{
	rb_eval_begin(rec);
	hw_copy_out(&q->model, q->w);
	rb_record(rec, epoch, "loss", lm_objective(&s->train, q->w));
	if (s->test.x->rows > 0)
		rb_record(rec, epoch, "test_accuracy", lm_accuracy(&s->test, q->w));
	rb_eval_end(rec);
}

/* |sum of the intended updates - w| over |sum of the intended updates| (w_0 = 0). */
static double lost_mass_share(const struct hw_quality *q, int threads)
{
	double lost = 0.0, total = 0.0;

	for (int64_t j = 0; j < q->model.dim; j++) {
		double intended = 0.0;
		for (int k = 0; k < threads; k++)
			intended += q->thr[k].intended[j];
		lost += fabs(intended - q->w[j]);
		total += fabs(intended);
	}
	return total > 0 ? lost / total : 0.0;
}

static void record_counts(struct rb_recorder *rec, const struct hw_setup *s, struct hw_quality *q)
{
	uint64_t updates = 0, writes = 0;

	for (int k = 0; k < s->threads; k++) {
		updates += q->thr[k].updates;
		writes += q->thr[k].writes;
	}
	rb_summary(rec, "updates", (double)updates);
	rb_summary(rec, "quality_updates_per_s", (double)updates / q->train_s);
	rb_summary(rec, "staleness_median", hw_stale_quantile(q->thr, s->threads, 0.5));
	rb_summary(rec, "staleness_p99", hw_stale_quantile(q->thr, s->threads, 0.99));
	rb_summary(rec, "staleness_max", hw_stale_quantile(q->thr, s->threads, 1.0));
	rb_summary(rec, "cores", omp_get_num_procs());
	if (!q->check)
		return;
	rb_eval_begin(rec);
	hw_copy_out(&q->model, q->w);
	double share = lost_mass_share(q, s->threads);
	rb_summary(rec, "lost_mass_share", share);
	if (s->mode == HW_RACY) {
		uint64_t lost = writes - hw_writes_landed(&q->model);
		rb_summary(rec, "lost_updates", (double)lost);
		rb_summary(rec, "lost_update_share", (double)lost / (double)(writes ? writes : 1));
	} else {
		rb_log(rec, "verifier: lost mass share %.3g", share);
		rb_verify(rec, share < HW_EXACT_TOLERANCE, "every update landed (intended sum = change of w)");
	}
	if (s->mode == HW_LOCKED)
		rb_verify(rec, hw_stale_quantile(q->thr, s->threads, 1.0) == 0,
			  "no update overlaps another under the lock");
	rb_eval_end(rec);
}

/* The theory's delay: tau_star = M / (2 L sqrt(eps)), where 2 L M tau sqrt(eps) = M^2
 * doubles the denominator of the step (notes 3.2): M^2 = E|G(w_0)|^2 over the examples,
 * L the smoothness, eps = |w - w*|^2 reached by this run. */
static void theory_delay(struct rb_recorder *rec, const struct hw_setup *s, struct hw_quality *q)
{
	const struct ds_matrix *x = s->train.x;
	int64_t dim = x->cols;
	double *w_star = calloc((size_t)dim, sizeof(double));
	char err[256];

	rb_eval_begin(rec);
	if (!w_star || llr_optimum(&s->train, HW_OPTIMUM_EPS, w_star, err, sizeof(err)) != 0) {
		rb_log(rec, "theory: no optimum (%s)", w_star ? err : "out of memory");
		free(w_star);
		rb_eval_end(rec);
		return;
	}
	double m2 = 0.0, eps = 0.0;
	for (int64_t i = 0; i < x->rows; i++) {
		struct row r = row_of(x, i);
		double norm2 = 0.0, slope = lm_loss_slope(s->train.loss, 0.0, s->train.y[i]);
		for (int64_t k = 0; k < r.len; k++)
			norm2 += r.val[k] * r.val[k];
		m2 += slope * slope * norm2 / (double)x->rows;
	}
	hw_copy_out(&q->model, q->w);
	for (int64_t j = 0; j < dim; j++)
		eps += (q->w[j] - w_star[j]) * (q->w[j] - w_star[j]);
	double L = lm_smoothness(&s->train, HW_SMOOTHNESS_ITERS);
	rb_summary(rec, "theory_M", sqrt(m2));
	rb_summary(rec, "theory_L", L);
	rb_summary(rec, "theory_eps", eps);
	rb_summary(rec, "tau_star", sqrt(m2) / (2.0 * L * sqrt(eps)));
	free(w_star);
	rb_eval_end(rec);
}

static int quality_run(const struct rb_run *run, struct rb_recorder *rec, const struct hw_setup *s)
{
	int64_t dim = s->train.x->cols;
	bool check = rb_param_bool(run, "check") &&
		     (size_t)dim * (size_t)s->threads * sizeof(double) <= HW_CHECK_MAX_BYTES;
	struct hw_quality q;
	int rc = 0;

	if (quality_open(&q, s, check) != 0) {
		quality_free(&q, s->threads);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "out of memory for %d threads", s->threads);
	}
	evaluate(rec, s, &q, 0);
	long long epochs = rb_param_int(run, "epochs");
	for (long long e = 0; e < epochs && !rb_diverged(rec); e++) {
		int team = quality_epoch(&q, s, e);
		if (team) {
			rc = rb_fail(rec, RB_ERROR, "OpenMP gave %d threads of %d", team, s->threads);
			goto out;
		}
		evaluate(rec, s, &q, (double)(e + 1));
	}
	rb_eval_begin(rec);
	hw_copy_out(&q.model, q.w);
	rb_summary(rec, "final_loss", lm_objective(&s->train, q.w));
	if (s->test.x->rows > 0)
		rb_summary(rec, "final_test_accuracy", lm_accuracy(&s->test, q.w));
	rb_eval_end(rec);
	record_counts(rec, s, &q);
	if (rb_param_bool(run, "theory"))
		theory_delay(rec, s, &q);
out:
	quality_free(&q, s->threads);
	return rc;
}

/* ---- throughput runs: timed, paired with sequential SGD ---- */

struct hw_timed {
	const struct hw_setup *s;
	struct hw_model model;
	struct hw_thread *thr;
	int threads;
	uint64_t before;        /* updates of the warm-up */
	atomic_bool stop;
	double deadline;
	struct paired_side side;
};

static uint64_t timed_updates(const struct hw_timed *t)
{
	uint64_t n = 0;

	for (int k = 0; k < t->threads; k++)
		n += t->thr[k].updates;
	return n;
}

static void timed_loop(void *ctx, int tid)
{
	struct hw_timed *t = ctx;
	struct hw_thread *me = &t->thr[tid];

	for (;;) {
		for (int k = 0; k < HW_STOP_CHECK_EVERY; k++)
			hw_update(&t->model, &t->s->task, me, (int64_t)me->updates * t->threads + tid);
		if (paired_over(&t->stop, t->deadline, tid))
			return;
	}
}

static int timed_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct hw_timed *t = ctx;
	int team = paired_team(t->threads, seconds, elapsed, &t->stop, &t->deadline, timed_loop, t);

	if (team == t->threads)
		return 0;
	snprintf(err, errlen, "OpenMP gave %d threads of %d", team, t->threads);
	return -1;
}

static void timed_restart(void *ctx)
{
	struct hw_timed *t = ctx;

	t->before = timed_updates(t);
}

static void timed_free(struct hw_timed *t)
{
	for (int k = 0; t->thr && k < t->threads; k++)
		hw_thread_free(&t->thr[k]);
	free(t->thr);
	hw_model_free(&t->model);
}

static int timed_open(struct hw_timed *t, const struct hw_setup *s, enum hw_mode mode, int threads)
{
	*t = (struct hw_timed){ .s = s, .threads = threads };
	atomic_init(&t->stop, false);
	t->side = (struct paired_side){ .ctx = t, .run = timed_slice, .restart = timed_restart };
	t->thr = calloc((size_t)threads, sizeof(*t->thr));
	if (!t->thr || hw_model_init(&t->model, s->train.x->cols, mode, false) != 0)
		return -1;
	for (int k = 0; k < threads; k++)
		if (hw_thread_init(&t->thr[k], &t->model, &s->train, s->seed, k, false, false) != 0)
			return -1;
	return 0;
}

static double timed_rate(const struct hw_timed *t)
{
	return (double)(timed_updates(t) - t->before) / t->side.elapsed;
}

struct hw_rates {
	double per_s, sequential_per_s, cpu_share;
};

/* s's mode at s->threads against sequential SGD (when `paired`), ABBA slices. */
static int hw_throughput(const struct hw_setup *s, bool paired, int slices, double seconds,
			 struct hw_rates *r, char *err, size_t errlen)
{
	struct hw_timed a = { 0 }, b = { 0 };
	int rc = -1;

	snprintf(err, errlen, "out of memory for the timed models");
	if (timed_open(&a, s, s->mode, s->threads) == 0 &&
	    (!paired || timed_open(&b, s, HW_SEQUENTIAL, 1) == 0)) {
		rc = paired_alternate(&a.side, paired ? &b.side : NULL, slices, seconds, err, errlen);
		if (rc == 0) {
			*r = (struct hw_rates){ .per_s = timed_rate(&a),
						.sequential_per_s = paired ? timed_rate(&b) : 0 };
			/* CPU share over both sides: the sequential side has one thread. */
			double cpu = a.side.cpu + (paired ? b.side.cpu : 0);
			double wall = a.side.elapsed * s->threads + (paired ? b.side.elapsed : 0);
			r->cpu_share = cpu / wall;
		}
	}
	timed_free(&a);
	if (paired)
		timed_free(&b);
	return rc;
}

static double mean_row_nonzeros(const struct ds_matrix *x)
{
	return x->sparse ? (double)x->rowptr[x->rows] / (double)x->rows : (double)x->cols;
}

static int throughput_run(const struct rb_run *run, struct rb_recorder *rec, const struct hw_setup *s,
			  bool paired)
{
	struct hw_rates r;
	char err[256];

	if (hw_throughput(s, paired, (int)rb_param_int(run, "slices"), rb_param_real(run, "seconds"),
			  &r, err, sizeof(err)) != 0)
		return rb_fail(rec, RB_ERROR, "%s", err);
	rb_summary(rec, "updates_per_s", r.per_s);
	rb_summary(rec, "cpu_share", r.cpu_share);
	rb_summary(rec, "cores", omp_get_num_procs());
	rb_summary(rec, "model_bytes", (double)s->train.x->cols * sizeof(double));
	rb_summary(rec, "bytes_per_update", HW_BYTES_PER_NONZERO * mean_row_nonzeros(s->train.x));
	if (paired) {
		rb_summary(rec, "sequential_updates_per_s", r.sequential_per_s);
		rb_summary(rec, "ratio_to_sequential", r.per_s / r.sequential_per_s);
	}
	return 0;
}

static int run_mode(const struct rb_run *run, struct rb_recorder *rec, enum hw_mode mode, bool paired)
{
	struct hw_setup s;
	int rc = setup_open(run, rec, mode, &s);

	if (rc == 0)
		rc = !strcmp(rb_param_str(run, "measure"), "throughput")
			     ? throughput_run(run, rec, &s, paired)
			     : quality_run(run, rec, &s);
	free(s.reg);
	return rc;
}

static int hogwild_run(const struct rb_run *run, struct rb_recorder *rec)
{
	enum hw_mode mode;

	if (hw_mode_parse(rb_param_str(run, "mode"), &mode) != 0)
		return rb_fail(rec, RB_INVALID_INPUT, "unknown mode");
	return run_mode(run, rec, mode, rb_param_bool(run, "paired"));
}

static int sequential_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return run_mode(run, rec, HW_SEQUENTIAL, false);
}

const struct rb_algorithm hogwild_algorithm = {
	.name = "hogwild",
	.family = "async_sgd",
	.summary = "lock-free SGD over OpenMP threads sharing one model: racy, atomic (CAS) or locked updates",
	.paper = "arXiv 1803.08841",
	.params = hogwild_params,
	.needs_data = 1,
	.run = hogwild_run,
};

const struct rb_algorithm sequential_sgd_algorithm = {
	.name = "sequential_sgd",
	.family = "async_sgd",
	.summary = "sequential SGD with hogwild's updates (plain doubles, one thread): its baseline",
	.paper = "arXiv 1803.08841",
	.params = sequential_params,
	.needs_data = 1,
	.run = sequential_run,
	.validate = sequential_validate,
};

/* ---- make bench ---- */

#define HW_BENCH_SECONDS 0.4
#define HW_BENCH_SLICES 4

/* Sparse synthetic logistic data: `features` columns, ~74 non-zeros a row (RCV1's). */
static int bench_data(int64_t features, struct ds_dataset *d, char *err, size_t errlen)
{
	struct rb_paramset ps;
	struct rb_value v = { .type = RB_INT };

	if (rb_paramset_defaults(synth_logreg_params, &ps, err, errlen) != 0)
		return -1;
	v.i = 20000;
	rb_paramset_set(&ps, "samples", &v);
	v.i = features;
	rb_paramset_set(&ps, "features", &v);
	struct rb_value density = { .type = RB_REAL, .r = 74.0 / (double)features };
	rb_paramset_set(&ps, "density", &density);
	return synth_logreg_generate(&ps, d, err, errlen);
}

/* Before timing: one thread of racy and atomic gives sequential's model bit for bit. */
static int bench_verify(const struct hw_setup *s, char *err, size_t errlen)
{
	struct hw_model ref, m;
	struct hw_thread tr = { 0 }, tm = { 0 };
	int rc = -1;

	snprintf(err, errlen, "out of memory verifying the update modes");
	if (hw_model_init(&ref, s->train.x->cols, HW_SEQUENTIAL, false) != 0)
		return -1;
	for (int mode = HW_RACY; mode <= HW_ATOMIC; mode++) {
		if (hw_model_init(&m, s->train.x->cols, (enum hw_mode)mode, false) != 0)
			break;
		if (hw_thread_init(&tr, &ref, &s->train, 7, 0, false, false) != 0 ||
		    hw_thread_init(&tm, &m, &s->train, 7, 0, false, false) != 0) {
			hw_thread_free(&tr);
			hw_thread_free(&tm);
			hw_model_free(&m);
			rc = -1;
			break;
		}
		memset(ref.plain, 0, (size_t)ref.dim * sizeof(double));
		hw_worker(&ref, &s->task, &tr, 0, 1, 0, 2000);
		hw_worker(&m, &s->task, &tm, 0, 1, 0, 2000);
		rc = 0;
		for (int64_t j = 0; j < m.dim && rc == 0; j++)
			if (hw_get(&m, j) != ref.plain[j])
				rc = -1;
		hw_thread_free(&tr);
		hw_thread_free(&tm);
		hw_model_free(&m);
		if (rc != 0) {
			snprintf(err, errlen, "%s on one thread differs from sequential SGD",
				 hw_mode_name((enum hw_mode)mode));
			break;
		}
	}
	hw_model_free(&ref);
	return rc;
}

struct hw_bench_rep {
	struct hw_setup *s;
	double bytes, copy_gbs;
};

/* One repetition: the mode and sequential SGD in alternating slices; rows updates/s over
 * sequential's, and the bandwidth the updates' bytes need over STREAM copy. */
static int hw_bench_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct hw_bench_rep *a = arg;
	struct hw_rates r;
	if (hw_throughput(a->s, true, HW_BENCH_SLICES, HW_BENCH_SECONDS, &r, err, errlen) != 0)
		return -1;
	rep[0] = (struct bench_rep){ r.per_s, r.sequential_per_s };
	rep[1] = (struct bench_rep){ r.per_s * a->bytes / 1e9, a->copy_gbs };
	return 0;
}

static int bench_rows(struct bench_ctx *ctx, struct hw_setup *s, int64_t features, char *err,
		      size_t errlen)
{
	int max_threads = ctx->limits.threads;
	double bytes = HW_BYTES_PER_NONZERO * mean_row_nonzeros(s->train.x);

	for (int mode = HW_RACY; mode <= HW_ATOMIC; mode++)
		for (int t = 1; t <= max_threads; t = t < 2 ? 2 : t * 2) {
			char p0[128], p1[128];
			s->mode = (enum hw_mode)mode;
			s->threads = t;
			snprintf(p0, sizeof(p0), "mode=%s;threads=%d;features=%lld",
				 hw_mode_name(s->mode), t, (long long)features);
			snprintf(p1, sizeof(p1), "mode=%s;threads=%d;features=%lld;bytes=%.0f",
				 hw_mode_name(s->mode), t, (long long)features, bytes);
			struct bench_row rows[2] = { { p0, "updates/s", "sequential_updates/s" },
						     { p1, "GB/s", "copy_GB/s" } };
			struct hw_bench_rep a = { s, bytes, bench_copy_limit_gbs(ctx, t) };
			if (bench_measure_rows(ctx, rows, 2, t, BENCH_MIN_REPS, hw_bench_rep, &a, err,
					       errlen) != 0)
				return -1;
		}
	return 0;
}

/* Models in L2 (47,236 features: 378 KB, RCV1's width) and beyond it (4M: 32 MB). */
static int hw_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	static const int64_t widths[] = { 47236, 4000000 };

	for (size_t k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
		struct ds_dataset d;
		if (bench_data(widths[k], &d, err, errlen) != 0)
			return -1;
		struct hw_setup s = { .seed = 1 };
		s.train = (struct lm_problem){ .x = &d.train.x, .y = d.train.y, .loss = LM_LOGISTIC, .l2 = 1e-4 };
		s.reg = malloc((size_t)d.train.x.cols * sizeof(double));
		int rc = -1;
		if (s.reg) {
			hw_regulariser(&s.train, s.reg);
			s.task = (struct hw_task){ .p = &s.train, .reg = s.reg, .lr = 0.1, .lr_decay = 0 };
			rc = bench_verify(&s, err, errlen);
			if (rc == 0)
				rc = bench_rows(ctx, &s, widths[k], err, errlen);
		}
		free(s.reg);
		ds_dataset_free(&d);
		if (rc != 0)
			return -1;
	}
	return 0;
}

const struct bench_case async_sgd_hogwild_bench = {
	.name = "hogwild",
	.family = "async_sgd",
	.doc = "Hogwild racy/atomic updates/s / sequential SGD's in the same run (ABBA), and the "
	       "update's bytes/s / STREAM copy; sparse logistic, models of 378 KB and 32 MB",
	.run = hw_bench_run,
};
