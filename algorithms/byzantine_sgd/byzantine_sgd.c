/*
 * byzantine_sgd: distributed projected SGD over m simulated machines, an alpha fraction
 * of them Byzantine, with the step direction from one of the aggregators of
 * aggregator.h: the filter of
 *   D. Alistarh, Z. Allen-Zhu, J. Li, "Byzantine Stochastic Gradient Descent",
 *   NeurIPS 2018, arXiv 1803.08917,
 * or a rule users compare it with (mean, coordinate median, trimmed mean, Krum,
 * Multi-Krum, geometric median, Bulyan, centered clipping). The paper's guarantee:
 * f(x_bar) - f* = O~(D V (1/sqrt(m) + alpha) / sqrt(T)) with the step
 * eta = D / (V sqrt(T) (1/sqrt(m) + alpha)) (notes 2.1-2.2), x_bar the mean of x_1..x_T,
 * every iterate projected onto the ball of radius D around x_1 = 0.
 *
 * D = radius_factor |x* - x_1| from the trusted optimum (the theory takes a known bound
 * on |x* - x_1|). Verifier: the excess loss from the quadratic form agrees with the
 * difference of objectives (least squares) or is not below 0 (logistic: f* from
 * LIBLINEAR is a lower bound), and no iterate left the ball.
 */
#include "algorithms/byzantine_sgd/byzantine_sgd.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/byzantine_sgd/aggregator.h"
#include "algorithms/byzantine_sgd/attack.h"
#include "algorithms/byzantine_sgd/workers.h"
#include "algorithms/kernels/rng.h"

/* Streams of the run seed beyond the machines' 0..m-1: who is Byzantine, and the
 * colluders' own draws (the bias direction, Gaussian noise). */
#define STREAM_CHOICE (1u << 20)
#define STREAM_ATTACK ((1u << 20) + 1)
/* Relative agreement the verifier asks of the two excess-loss computations (relative
 * to 1 + |f*|: the difference of objectives loses that much to cancellation). */
#define VERIFY_TOLERANCE 1e-9

static const struct rb_param_spec bsgd_params[] = {
	{ "loss", RB_CHOICE, "squared", 0, 0, "squared|logistic",
	  "least squares (noise uniform on the sphere of radius V) or logistic regression "
	  "(mini-batch noise clipped to V)" },
	{ "l2", RB_REAL, "0", 0, 1e6, NULL, "L2 regularisation (l2/2)|x|^2; logistic needs l2 > 0" },
	{ "machines", RB_INT, "10", 2, 4096, NULL, "m, the machines" },
	{ "byzantine_fraction", RB_REAL, "0", 0, 0.49, NULL,
	  "alpha: floor(alpha m) machines, chosen at random per seed, are Byzantine" },
	{ "iterations", RB_INT, "1000", 1, 1e7, NULL, "T, the steps (also in the thresholds)" },
	{ "aggregator", RB_CHOICE, "byzantine_sgd", 0, 0, AGG_CHOICES,
	  "the rule that turns the m gradients into the step" },
	{ "attack", RB_CHOICE, "none", 0, 0, ATK_CHOICES, "what the Byzantine machines send" },
	{ "attack_scale", RB_REAL, "0", 0, 1e6, NULL,
	  "strength: sign_flip c (10), gaussian |noise|/V (10), bias |b|/V (1), ipm eps (0.1), "
	  "alie z (0: the m, f rule); 0 takes the default in brackets" },
	{ "hide_until", RB_INT, "-1", -1, 1e7, NULL,
	  "hiding_bias: honest through this iteration, then bias; -1 is T/2" },
	{ "delta", RB_REAL, "0.01", 1e-12, 0.5, NULL, "failure probability in the thresholds" },
	{ "noise_v", RB_REAL, "1", 1e-9, 1e6, NULL, "V, the bound on |g_i - grad f(x)| of a good machine" },
	{ "radius_factor", RB_REAL, "2", 1, 1e3, NULL, "D = radius_factor |x* - x_1|" },
	{ "lr_scale", RB_REAL, "1", 1e-6, 1e6, NULL,
	  "step = lr_scale D / (V sqrt(T) (1/sqrt(m) + alpha)), every aggregator alike" },
	{ "normalise", RB_CHOICE, "m", 0, 0, "m|good",
	  "byzantine_sgd: the step divides the good machines' sum by m (paper) or by |good| "
	  "(re-implementation)" },
	{ "filter_thresholds", RB_CHOICE, "paper", 0, 0, "paper|folded",
	  "byzantine_sgd: remove at 2T_A, 2T_B, 4V (paper) or T_A, T_B, 4V (re-implementation, "
	  "the 2 folded into its parameters)" },
	{ "median_pick", RB_CHOICE, "first", 0, 0, "first|most",
	  "byzantine_sgd: B_med and g_med are the first machine with more than m/2 within the "
	  "radius (the paper's 'any') or the one with most" },
	{ "krum_f", RB_INT, "-1", -1, 4096, NULL,
	  "krum, multi_krum, bulyan: f; -1 is floor(alpha m) capped at what the rule admits" },
	{ "multi_krum_k", RB_INT, "0", 0, 4096, NULL, "multi_krum: vectors averaged; 0 is m - f" },
	{ "trim_beta", RB_REAL, "-1", -1, 0.5, NULL,
	  "trimmed_mean: floor(beta m) dropped at each end; -1 drops floor(alpha m)" },
	{ "geomed_tol", RB_REAL, "1e-7", 1e-15, 1, NULL, "geomed: Weiszfeld stops below this relative move" },
	{ "geomed_iters", RB_INT, "100", 1, 1e5, NULL, "geomed: Weiszfeld iteration cap" },
	{ "cclip_tau", RB_REAL, "10", 1e-9, 1e9, NULL, "cclip: clipping radius tau" },
	{ "cclip_iters", RB_INT, "3", 1, 1000, NULL, "cclip: clipping rounds per step" },
	{ "batch", RB_INT, "16", 1, 1e6, NULL, "logistic: each machine's mini-batch" },
	{ "checkpoints", RB_INT, "20", 1, 1000, NULL, "excess loss of x_bar recorded this many times" },
	{ 0 },
};

int bsgd_byzantine_count(int m, double alpha)
{
	return (int)floor(alpha * m + 1e-9);
}

/* Largest f the rule admits at m machines (-1: none). */
static int max_f(const char *aggregator, int m)
{
	if (strcmp(aggregator, "bulyan") == 0)
		return (m - 3) / 4;
	return (m - 3) / 2;   /* krum, multi_krum: m > 2f + 2 */
}

int bsgd_resolve_f(const char *aggregator, int m, int byzantine, int krum_f)
{
	if (krum_f >= 0)
		return krum_f;
	int cap = max_f(aggregator, m);
	return byzantine < cap ? byzantine : (cap > 0 ? cap : 0);
}

static int uses_f(const char *aggregator)
{
	return !strcmp(aggregator, "krum") || !strcmp(aggregator, "multi_krum") ||
	       !strcmp(aggregator, "bulyan");
}

static int validate_f(const char *agg, int m, int f, char *err, size_t errlen)
{
	if (!strcmp(agg, "bulyan") && m < 4 * f + 3) {
		snprintf(err, errlen, "bulyan with f = %d needs m >= 4f + 3 = %d machines, not %d", f,
			 4 * f + 3, m);
		return -1;
	}
	if (strcmp(agg, "bulyan") && m <= 2 * f + 2) {
		snprintf(err, errlen, "%s with f = %d needs m > 2f + 2 = %d machines, not %d", agg, f,
			 2 * f + 2, m);
		return -1;
	}
	return 0;
}

static int bsgd_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	const char *agg = rb_paramset_get(ps, "aggregator")->s;
	const char *attack = rb_paramset_get(ps, "attack")->s;
	int logistic = !strcmp(rb_paramset_get(ps, "loss")->s, "logistic");
	int m = (int)rb_paramset_get(ps, "machines")->i;
	int nb = bsgd_byzantine_count(m, rb_paramset_get(ps, "byzantine_fraction")->r);
	int krum_f = (int)rb_paramset_get(ps, "krum_f")->i;
	double beta = rb_paramset_get(ps, "trim_beta")->r;

	if (!strcmp(attack, "label_flip") && !logistic) {
		snprintf(err, errlen, "the label_flip attack needs loss: logistic");
		return -1;
	}
	if (logistic && rb_paramset_get(ps, "l2")->r <= 0) {
		snprintf(err, errlen, "logistic regression needs l2 > 0 (LIBLINEAR's optimum)");
		return -1;
	}
	if (uses_f(agg) && validate_f(agg, m, bsgd_resolve_f(agg, m, nb, krum_f), err, errlen))
		return -1;
	long long k = rb_paramset_get(ps, "multi_krum_k")->i;
	if (!strcmp(agg, "multi_krum") && k > m) {
		snprintf(err, errlen, "multi_krum_k = %lld is more than the %d machines", k, m);
		return -1;
	}
	if (!strcmp(agg, "trimmed_mean") && beta >= 0 && 2 * (int)floor(beta * m + 1e-9) >= m) {
		snprintf(err, errlen, "trimmed_mean with beta = %g drops 2 floor(beta m) >= m = %d "
			 "values per coordinate", beta, m);
		return -1;
	}
	return 0;
}

/* ---- one run --------------------------------------------------------------------- */

struct bsgd_run {
	struct bw_problem prob;
	const struct aggregator_ops *agg;
	const struct attack_ops *atk;
	void *agg_state;
	struct agg_config cfg;
	struct attack_ctx actx;
	struct rng *rngs;            /* m machine streams */
	struct rng attack_rng;
	unsigned char *is_byz;
	long *removed_at;            /* iteration a machine left the good set; 0: never */
	double *g, *x, *x1, *xsum, *xbar, *disp, *full, *bias, *mean, *sd;
	int m, d, byzantine;
	long t;
	double radius, step, agg_s, grad_s, max_radius_seen;
};

/* CPU time of the process, not wall time: a run shares its cores with others (the
 * suite's budget machine has two for seven sessions), and preemption would otherwise
 * enter the O(m^2 d) fit. Process-wide, so BLAS threads, if any, are counted. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void run_free(struct bsgd_run *r)
{
	if (r->agg && r->agg_state)
		r->agg->destroy(r->agg_state);
	bw_release(&r->prob);
	free(r->rngs);
	free(r->is_byz);
	free(r->removed_at);
	double *bufs[] = { r->g, r->x, r->x1, r->xsum, r->xbar, r->disp, r->full, r->bias,
			   r->mean, r->sd };
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		free(bufs[i]);
}

static int run_alloc(struct bsgd_run *r)
{
	size_t m = (size_t)r->m, d = (size_t)r->d;
	r->rngs = malloc(m * sizeof(*r->rngs));
	r->is_byz = calloc(m, 1);
	r->removed_at = calloc(m, sizeof(long));
	r->g = malloc(m * d * sizeof(double));
	double **bufs[] = { &r->x, &r->x1, &r->xsum, &r->xbar, &r->disp, &r->full, &r->bias,
			    &r->mean, &r->sd };
	int ok = r->rngs && r->is_byz && r->removed_at && r->g;
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		*bufs[i] = calloc(d, sizeof(double));
		ok = ok && *bufs[i];
	}
	return ok ? 0 : -1;
}

/* floor(alpha m) Byzantine machines, a uniform subset per seed (partial Fisher-Yates). */
static int choose_byzantine(struct bsgd_run *r, uint64_t seed)
{
	struct rng c;
	int64_t *order = malloc((size_t)r->m * sizeof(int64_t));
	if (!order)
		return -1;
	rng_seed(&c, seed, STREAM_CHOICE);
	for (int i = 0; i < r->m; i++)
		order[i] = i;
	rng_shuffle_int(&c, order, r->m);
	for (int i = 0; i < r->byzantine; i++)
		r->is_byz[order[i]] = 1;
	free(order);
	return 0;
}

/* The colluders' fixed bias b = scale V u, u a random unit vector. */
static void draw_bias(struct bsgd_run *r, double scale)
{
	double n2 = 0.0;
	for (int j = 0; j < r->d; j++) {
		r->bias[j] = rng_normal(&r->attack_rng);
		n2 += r->bias[j] * r->bias[j];
	}
	double s = scale * r->prob.v / sqrt(n2);
	for (int j = 0; j < r->d; j++)
		r->bias[j] *= s;
}

static void configure(struct bsgd_run *r, const struct rb_run *run)
{
	const char *agg = rb_param_str(run, "aggregator");
	long T = (long)rb_param_int(run, "iterations");
	double delta = rb_param_real(run, "delta"), v = r->prob.v;
	double lg = log(16.0 * r->m * (double)T / delta);
	double beta = rb_param_real(run, "trim_beta");
	int f = bsgd_resolve_f(agg, r->m, r->byzantine, (int)rb_param_int(run, "krum_f"));
	int k = (int)rb_param_int(run, "multi_krum_k");

	r->cfg = (struct agg_config){
		.m = r->m, .d = r->d, .f = f,
		.trim = beta < 0 ? r->byzantine : (int)floor(beta * r->m + 1e-9),
		.multi_krum_k = k > 0 ? k : r->m - f,
		.geomed_iters = (int)rb_param_int(run, "geomed_iters"),
		.geomed_tol = rb_param_real(run, "geomed_tol"),
		.cclip_tau = rb_param_real(run, "cclip_tau"),
		.cclip_iters = (int)rb_param_int(run, "cclip_iters"),
		.t_a = 4.0 * r->radius * v * sqrt((double)T * lg),
		.t_b = 4.0 * v * sqrt((double)T * lg),
		.v = v,
		.filter_factor = strcmp(rb_param_str(run, "filter_thresholds"), "paper") ? 1.0 : 2.0,
		.normalise_by_good = !strcmp(rb_param_str(run, "normalise"), "good"),
		.median_most = !strcmp(rb_param_str(run, "median_pick"), "most"),
	};
	double alpha = (double)r->byzantine / r->m;
	r->step = rb_param_real(run, "lr_scale") * r->radius /
		  (v * sqrt((double)T) * (1.0 / sqrt((double)r->m) + alpha));
	double scale = rb_param_real(run, "attack_scale");
	if (scale <= 0)
		scale = strcmp(r->atk->name, "alie") ? r->atk->default_scale
						     : atk_alie_z(r->m, r->byzantine);
	long hide = (long)rb_param_int(run, "hide_until");
	r->actx = (struct attack_ctx){ .m = r->m, .d = r->d, .byzantine = r->byzantine,
				       .is_byz = r->is_byz, .scale = scale,
				       .hide_until = hide < 0 ? T / 2 : hide, .bias = r->bias,
				       .v = v, .rng = &r->attack_rng, .mean = r->mean, .sd = r->sd };
}

static int setup(struct bsgd_run *r, const struct rb_run *run, struct rb_recorder *rec)
{
	char err[256];
	enum lm_loss loss = strcmp(rb_param_str(run, "loss"), "logistic") ? LM_SQUARED : LM_LOGISTIC;
	r->agg = agg_find(rb_param_str(run, "aggregator"));
	r->atk = atk_find(rb_param_str(run, "attack"));
	if (bw_setup(&r->prob, run->data, loss, rb_param_real(run, "l2"),
		     rb_param_real(run, "noise_v"), (int)rb_param_int(run, "batch"), err,
		     sizeof(err)) != 0)
		return rb_fail(rec, RB_INVALID_INPUT, "%s", err);
	r->m = (int)rb_param_int(run, "machines");
	r->d = r->prob.d;
	r->byzantine = bsgd_byzantine_count(r->m, rb_param_real(run, "byzantine_fraction"));
	if (run_alloc(r) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %d machines x %d", r->m, r->d);
	for (int i = 0; i < r->m; i++)
		rng_seed(&r->rngs[i], run->seed, (uint64_t)i);
	rng_seed(&r->attack_rng, run->seed, STREAM_ATTACK);
	if (choose_byzantine(r, run->seed) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %d machines", r->m);
	r->radius = rb_param_real(run, "radius_factor") * cblas_dnrm2(r->d, r->prob.x_star, 1);
	if (!(r->radius > 0))
		return rb_fail(rec, RB_INVALID_INPUT, "the optimum is x_1 = 0: nothing to learn");
	configure(r, run);
	draw_bias(r, r->actx.scale);
	r->agg_state = r->agg->create(&r->cfg);
	if (!r->agg_state)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the %s aggregator", r->agg->name);
	return 0;
}

/* Every machine's message at x: honest gradients, then the attack's rewrite. */
static void gather(struct bsgd_run *r, long k)
{
	double t0 = now_s();
	bw_full_gradient(&r->prob, r->x, r->full);
	for (int i = 0; i < r->m; i++)
		bw_machine_gradient(&r->prob, r->x, r->full, &r->rngs[i],
				    r->is_byz[i] && r->atk->label_flip, r->g + (size_t)i * r->d);
	r->atk->apply(&r->actx, r->g, k);
	r->grad_s += now_s() - t0;
}

/* x <- Proj_{|y - x_1| <= D}(x - step xi), with x_1 = 0. */
static void project_step(struct bsgd_run *r, const double *xi)
{
	cblas_daxpy(r->d, -r->step, xi, 1, r->x, 1);
	double n = cblas_dnrm2(r->d, r->x, 1);   /* x_1 = 0 */
	if (n > r->radius)
		cblas_dscal(r->d, r->radius / n, r->x, 1);
	n = cblas_dnrm2(r->d, r->x, 1);
	r->max_radius_seen = n > r->max_radius_seen ? n : r->max_radius_seen;
}

static void note_removals(struct bsgd_run *r, long k)
{
	if (!r->agg->good)
		return;
	const unsigned char *good = r->agg->good(r->agg_state);
	for (int i = 0; i < r->m; i++)
		if (!good[i] && r->removed_at[i] == 0)
			r->removed_at[i] = k;
}

static void checkpoint(struct rb_recorder *rec, struct bsgd_run *r, long k)
{
	rb_eval_begin(rec);
	for (int j = 0; j < r->d; j++)
		r->xbar[j] = r->xsum[j] / (double)k;
	rb_record(rec, (double)k, "excess_loss", bw_excess(&r->prob, r->xbar));
	rb_eval_end(rec);
}

static void iterate(struct bsgd_run *r, const struct rb_run *run, struct rb_recorder *rec)
{
	long T = (long)rb_param_int(run, "iterations");
	long every = T / rb_param_int(run, "checkpoints");
	double *xi = malloc((size_t)r->d * sizeof(double));
	if (!xi) {
		rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the step");
		return;
	}
	every = every > 0 ? every : 1;
	for (long k = 1; k <= T; k++) {
		cblas_daxpy(r->d, 1.0, r->x, 1, r->xsum, 1);   /* x_bar averages x_1..x_T */
		gather(r, k);
		for (int j = 0; j < r->d; j++)
			r->disp[j] = r->x[j] - r->x1[j];
		double t0 = now_s();
		r->agg->aggregate(r->agg_state, r->g, r->disp, xi);
		r->agg_s += now_s() - t0;
		note_removals(r, k);
		project_step(r, xi);
		if (k % every == 0 || k == T)
			checkpoint(rec, r, k);
		if (rb_diverged(rec))
			break;
	}
	r->t = T;
	free(xi);
}

/* Removal statistics: good machines removed, Byzantine removed, the last Byzantine
 * removal (T + 1 when one is never removed) and B2's bound ceil(4 T_B / |b|) + 1. */
static void summarise_removals(struct rb_recorder *rec, const struct bsgd_run *r)
{
	int good_removed = 0, byz_removed = 0;
	long last = 0;
	rb_summary(rec, "byzantine_machines", r->byzantine);
	if (!r->agg->good)
		return;   /* only the filter removes machines */
	for (int i = 0; i < r->m; i++) {
		if (r->is_byz[i]) {
			byz_removed += r->removed_at[i] > 0;
			long at = r->removed_at[i] > 0 ? r->removed_at[i] : r->t + 1;
			last = at > last ? at : last;
		} else {
			good_removed += r->removed_at[i] > 0;
		}
	}
	rb_summary(rec, "removed_good", good_removed);
	rb_summary(rec, "removed_byzantine", byz_removed);
	if (r->byzantine > 0)
		rb_summary(rec, "last_byzantine_removal", (double)last);
	/* B2's bound is about a constant bias: only those attacks have one. */
	if (!strcmp(r->atk->name, "bias") || !strcmp(r->atk->name, "hiding_bias"))
		rb_summary(rec, "removal_bound",
			   ceil(4.0 * r->cfg.t_b / cblas_dnrm2(r->d, r->bias, 1)) + 1.0);
	if (r->agg->median_fallbacks)
		rb_summary(rec, "median_fallbacks", (double)r->agg->median_fallbacks(r->agg_state));
}

static void summarise(struct rb_recorder *rec, struct bsgd_run *r, const struct rb_run *run)
{
	double delta = rb_param_real(run, "delta"), alpha = (double)r->byzantine / r->m;
	double T = (double)r->t;
	for (int j = 0; j < r->d; j++)
		r->xbar[j] = r->xsum[j] / T;
	rb_eval_begin(rec);
	double excess = bw_excess(&r->prob, r->xbar), check = bw_excess_by_objective(&r->prob, r->xbar);
	double x1_excess = bw_excess(&r->prob, r->x1);
	rb_eval_end(rec);
	rb_summary(rec, "excess_loss", excess);
	rb_summary(rec, "initial_excess", x1_excess);
	rb_summary(rec, "f_star", r->prob.f_star);
	/* The paper's rate without its constant: D V (1/sqrt m + alpha) sqrt(log(mT/delta)/T). */
	rb_summary(rec, "bound_unit", r->radius * r->prob.v * (1.0 / sqrt((double)r->m) + alpha) *
					      sqrt(log(r->m * T / delta) / T));
	rb_summary(rec, "radius", r->radius);
	rb_summary(rec, "dimension", r->d);
	rb_summary(rec, "step", r->step);
	rb_summary(rec, "threshold_a", r->cfg.t_a);
	rb_summary(rec, "threshold_b", r->cfg.t_b);
	rb_summary(rec, "aggregator_f", r->cfg.f);
	rb_summary(rec, "attack_scale_used", r->actx.scale);
	rb_summary(rec, "agg_time_per_iter_s", r->agg_s / T);
	rb_summary(rec, "grad_time_per_iter_s", r->grad_s / T);
	summarise_removals(rec, r);

	int squared = r->prob.p.loss == LM_SQUARED;
	double scale = 1.0 + fabs(r->prob.f_star);
	rb_log(rec, "verifier: excess %.17g, by objectives %.17g; max |x_k - x_1| %.17g of D %.17g",
	       excess, check, r->max_radius_seen, r->radius);
	rb_verify(rec, squared ? fabs(excess - check) <= VERIFY_TOLERANCE * scale
			       : excess >= -VERIFY_TOLERANCE * scale,
		  squared ? "excess loss by the quadratic form and by objectives agree"
			  : "f(x_bar) is not below LIBLINEAR's optimum");
	rb_verify(rec, r->max_radius_seen <= r->radius * (1.0 + 1e-12), "iterates stay in the ball");
}

static int bsgd_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct bsgd_run r;
	memset(&r, 0, sizeof(r));
	int rc = setup(&r, run, rec);
	if (rc == 0) {
		iterate(&r, run, rec);
		if (rb_recorder_status(rec) == RB_OK)
			summarise(rec, &r, run);
	}
	run_free(&r);
	return rb_recorder_status(rec) == RB_OK ? 0 : (int)rb_recorder_status(rec);
}

const struct rb_algorithm byzantine_sgd_algorithm = {
	.name = "byzantine_sgd",
	.family = "byzantine_sgd",
	.summary = "projected SGD over m simulated machines, an alpha fraction Byzantine, with "
		   "ByzantineSGD's filter or a robust aggregator (mean, median, trimmed mean, Krum, "
		   "Multi-Krum, geometric median, Bulyan, centered clipping)",
	.paper = "arXiv 1803.08917",
	.params = bsgd_params,
	.needs_data = 1,
	.run = bsgd_run,
	.validate = bsgd_validate,
};
