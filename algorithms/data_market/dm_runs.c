/* dm_runs: the data_market algorithms (dm_runs.h). */
#include "algorithms/data_market/dm_runs.h"

#include <math.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/data_market/association.h"
#include "algorithms/data_market/enclave.h"
#include "algorithms/data_market/ledger.h"
#include "algorithms/data_market/shapley.h"
#include "algorithms/kernels/paired.h"
#include "algorithms/kernels/rng.h"
#include "algorithms/models/linear.h"
#include "datasets/synth.h"
#include "suite/calibrate.h"

#define ERRLEN 256

/* ---------------------------------------------------------------- dividends ---- */

static const struct rb_param_spec dividends_params[] = {
	{ "contributors", RB_INT, "20", 1, 10000, NULL, "token holders" },
	{ "shards", RB_INT, "10", 1, 1000, NULL, "shards the training split is cut into (contiguous rows)" },
	{ "holders_per_shard", RB_INT, "3", 1, 100, NULL, "holders of each shard (distinct when contributors allow)" },
	{ "jobs", RB_INT, "50", 1, 100000, NULL, "training jobs paid into the ledger" },
	{ "steps", RB_INT, "2000", 1, 1e8, NULL, "SGD steps (one metered example each) per job" },
	{ "fee_max", RB_INT, "1000", 1, 1e9, NULL, "a job's fee is uniform in 1..fee_max tokens" },
	{ "lr", RB_REAL, "0.1", 1e-9, 100, NULL, "SGD step size" },
	{ "tamper_trials", RB_INT, "30", 0, 100000, NULL,
	  "edits, deletions and swaps of random ledger rows, each of which the verify pass must name" },
	{ 0 },
};

struct market {
	int contributors, shards;
	int *nh;
	int64_t **holder, **balance;
	int64_t *lo, *hi;     /* shard j is training rows [lo, hi) */
};

static void market_free(struct market *m)
{
	for (int j = 0; m->holder && j < m->shards; j++) {
		free(m->holder[j]);
		free(m->balance[j]);
	}
	free(m->holder);
	free(m->balance);
	free(m->nh);
	free(m->lo);
	free(m->hi);
}

/* Shards of contiguous rows, each with distinct random holders and balances 1..100. */
static int market_make(struct market *m, int contributors, int shards, int per, int64_t rows, struct rng *r)
{
	*m = (struct market){ .contributors = contributors, .shards = shards };
	m->nh = calloc((size_t)shards, sizeof(int));
	m->holder = calloc((size_t)shards, sizeof(int64_t *));
	m->balance = calloc((size_t)shards, sizeof(int64_t *));
	m->lo = calloc((size_t)shards, sizeof(int64_t));
	m->hi = calloc((size_t)shards, sizeof(int64_t));
	if (!m->nh || !m->holder || !m->balance || !m->lo || !m->hi)
		return -1;
	int n = per < contributors ? per : contributors;
	for (int j = 0; j < shards; j++) {
		m->lo[j] = rows * j / shards;
		m->hi[j] = rows * (j + 1) / shards;
		m->nh[j] = n;
		m->holder[j] = malloc((size_t)n * sizeof(int64_t));
		m->balance[j] = malloc((size_t)n * sizeof(int64_t));
		if (!m->holder[j] || !m->balance[j])
			return -1;
		for (int h = 0; h < n; h++) {
			int64_t c;
			int dup;
			do {
				c = (int64_t)rng_below(r, (uint64_t)contributors);
				dup = 0;
				for (int q = 0; q < h; q++)
					dup |= m->holder[j][q] == c;
			} while (dup);
			m->holder[j][h] = c;
			m->balance[j][h] = 1 + (int64_t)rng_below(r, 100);
		}
	}
	return 0;
}

static void hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL))
		n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int ledger_setup(struct dm_ledger *l, const struct market *m, const struct ds_split *tr)
{
	for (int c = 0; c < m->contributors; c++) {
		char label[32];
		snprintf(label, sizeof(label), "contributor %d", c);
		if (dm_ledger_add_holder(l, c, label) != 0)
			return -1;
	}
	for (int j = 0; j < m->shards; j++) {
		char h[65];
		const double *row = tr->x.dense + m->lo[j] * tr->x.cols;
		hex_sha256(row, (size_t)((m->hi[j] - m->lo[j]) * tr->x.cols) * sizeof(double), h);
		if (dm_ledger_add_shard(l, j, h, m->holder[j][0]) != 0)
			return -1;
		for (int h2 = 0; h2 < m->nh[j]; h2++)
			if (dm_ledger_add_holding(l, j, m->holder[j][h2], m->balance[j][h2]) != 0)
				return -1;
	}
	return 0;
}

/* One metered job: `steps` SGD steps, each on a row of a shard drawn by this job's
 * random preference for shards (so usage differs between jobs and shards). */
static void metered_job(const struct lm_problem *p, const struct market *m, int64_t steps, double lr,
			struct rng *r, double *w, double *grad, int64_t *usage)
{
	double *pref = malloc((size_t)m->shards * sizeof(double)), total = 0;
	if (!pref)
		return;
	for (int j = 0; j < m->shards; j++) {
		double u = rng_uniform(r);
		pref[j] = u * u * u;
		total += pref[j];
		usage[j] = 0;
	}
	for (int64_t s = 0; s < steps; s++) {
		double x = rng_uniform(r) * total;
		int j = 0;
		while (j < m->shards - 1 && x >= pref[j])
			x -= pref[j++];
		int64_t row = m->lo[j] + (int64_t)rng_below(r, (uint64_t)(m->hi[j] - m->lo[j]));
		usage[j]++;   /* the meter: one use of shard j per example read */
		lm_gradient(p, w, &row, 1, grad);
		for (int64_t c = 0; c < p->x->cols; c++)
			w[c] -= lr * grad[c];
	}
	free(pref);
}

/* Largest deviation of a payout from its exact share fee c_j/C b_h/B_j. */
static double payout_deviation(const struct market *m, int64_t fee, const int64_t *usage, const int64_t *paid,
			       double *exact_of)
{
	int64_t c = 0;
	for (int j = 0; j < m->shards; j++)
		c += usage[j];
	double worst = 0;
	int n = 0;
	for (int j = 0; j < m->shards; j++) {
		int64_t b = 0;
		for (int h = 0; h < m->nh[j]; h++)
			b += m->balance[j][h];
		for (int h = 0; h < m->nh[j]; h++, n++) {
			double exact = (double)fee * (double)usage[j] / (double)c * (double)m->balance[j][h] / (double)b;
			exact_of[m->holder[j][h]] += exact;
			worst = fmax(worst, fabs((double)paid[n] - exact));
		}
	}
	return worst;
}

static const char *const edit_sql[] = {
	"UPDATE holders SET label = label || 'x' WHERE seq = %lld",
	"UPDATE shards SET curator = curator + 1 WHERE seq = %lld",
	"UPDATE holdings SET balance = balance + 1 WHERE seq = %lld",
	"UPDATE jobs SET fee = fee + 1 WHERE seq = %lld",
	"UPDATE usage SET uses = uses + 1 WHERE seq = %lld",
	"UPDATE payouts SET amount = amount + 1 WHERE seq = %lld",
};
static const char *const tables[] = { "holders", "shards", "holdings", "jobs", "usage", "payouts" };

/* One tamper of kind 0 edit, 1 delete, 2 swap (of rows a and b). */
static int tamper(struct dm_ledger *l, int kind, long long a, long long b)
{
	char sql[256];
	for (int t = 0; t < 6; t++) {
		if (kind == 0)
			snprintf(sql, sizeof(sql), edit_sql[t], a);
		else if (kind == 1)
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE seq = %lld", tables[t], a);
		else
			snprintf(sql, sizeof(sql),
				 "UPDATE %s SET seq = -seq WHERE seq IN (%lld, %lld);"
				 "UPDATE %s SET seq = CASE WHEN seq = -%lld THEN %lld ELSE %lld END WHERE seq < 0",
				 tables[t], a, b, tables[t], a, b, a);
		if (dm_ledger_exec(l, sql) != 0)
			return -1;
	}
	return 0;
}

/* Fraction of random tampers the verify pass names; the ledger is restored after each. */
static double tamper_trials(struct dm_ledger *l, int64_t trials, struct rng *r, struct rb_recorder *rec)
{
	int64_t rows = dm_ledger_rows(l), caught = 0;
	char err[ERRLEN];
	for (int64_t t = 0; t < trials && rows >= 2; t++) {
		int kind = (int)(t % 3);
		long long a = 1 + (long long)rng_below(r, (uint64_t)rows), b;
		do
			b = 1 + (long long)rng_below(r, (uint64_t)rows);
		while (b == a);
		if (dm_ledger_exec(l, "SAVEPOINT tamper") != 0 || tamper(l, kind, a, b) != 0)
			return -1;
		if (dm_ledger_verify(l, err, sizeof(err)) != 0) {
			caught++;
			if (t < 3)
				rb_log(rec, "tamper %d of seq %lld: %s", kind, a, err);
		}
		dm_ledger_exec(l, "ROLLBACK TO tamper; RELEASE tamper");
	}
	return trials ? (double)caught / (double)trials : 1.0;
}

struct div_state {
	struct market m;
	struct dm_ledger *l;
	double *w, *grad, *exact_of, *paid_of, *used_of;
	int64_t *usage, *paid;
};

static int dividends_jobs(const struct rb_run *run, struct rb_recorder *rec, struct div_state *s,
			  const struct lm_problem *p, struct rng *r)
{
	int64_t jobs = rb_param_int(run, "jobs"), fee_max = rb_param_int(run, "fee_max");
	int64_t steps = rb_param_int(run, "steps");
	double lr = rb_param_real(run, "lr"), worst = 0;
	int conserved = 1;
	for (int64_t job = 0; job < jobs; job++) {
		int64_t fee = 1 + (int64_t)rng_below(r, (uint64_t)fee_max);
		metered_job(p, &s->m, steps, lr, r, s->w, s->grad, s->usage);
		int n = dm_ledger_job(s->l, job, fee, s->usage, s->m.shards, (const int64_t *const *)s->m.holder,
				      (const int64_t *const *)s->m.balance, s->m.nh, s->paid);
		if (n < 0)
			return rb_fail(rec, RB_ERROR, "ledger: job %lld could not be written", (long long)job);
		int64_t sum = 0;
		for (int q = 0; q < n; q++)
			sum += s->paid[q];
		conserved &= sum == fee && dm_ledger_job_paid(s->l, job) == fee;
		worst = fmax(worst, payout_deviation(&s->m, fee, s->usage, s->paid, s->exact_of));
		for (int j = 0, q = 0; j < s->m.shards; j++)
			for (int h = 0; h < s->m.nh[j]; h++, q++) {
				s->paid_of[s->m.holder[j][h]] += (double)s->paid[q];
				s->used_of[s->m.holder[j][h]] += (double)s->usage[j];
			}
	}
	rb_verify(rec, conserved, "every job's dividends sum to its fee exactly (C and SQL)");
	/* Two largest-remainder steps: a shard's part is within 1 token of fee c_j/C and a
	 * holder's within 1 of its share of that, so every payout is within 2 of exact. */
	rb_verify(rec, worst < 2.0, "every payout within 2 tokens of fee x usage share x balance share");
	rb_summary(rec, "max_payout_deviation", worst);
	return 0;
}

static void dividends_report(const struct rb_run *run, struct rb_recorder *rec, struct div_state *s)
{
	double worst = 0, tot = 0, num = 0, den_a = 0, den_b = 0, mp = 0, me = 0;
	int c = s->m.contributors;
	for (int h = 0; h < c; h++) {
		tot += s->paid_of[h];
		mp += s->paid_of[h] / c;
		me += s->exact_of[h] / c;
		if (s->exact_of[h] > 0)
			worst = fmax(worst, fabs(s->paid_of[h] - s->exact_of[h]) / s->exact_of[h]);
		rb_record(rec, (double)h, "dividends", s->paid_of[h]);
		rb_record(rec, (double)h, "expected_dividends", s->exact_of[h]);
		rb_record(rec, (double)h, "shard_uses", s->used_of[h]);
	}
	for (int h = 0; h < c; h++) {
		num += (s->paid_of[h] - mp) * (s->exact_of[h] - me);
		den_a += (s->paid_of[h] - mp) * (s->paid_of[h] - mp);
		den_b += (s->exact_of[h] - me) * (s->exact_of[h] - me);
	}
	rb_summary(rec, "total_paid", tot);
	rb_summary(rec, "contributor_max_rel_deviation", worst);
	rb_summary(rec, "dividend_expected_correlation", den_a > 0 && den_b > 0 ? num / sqrt(den_a * den_b) : 1.0);
	rb_summary(rec, "ledger_rows", (double)dm_ledger_rows(s->l));
	(void)run;
}

static int dividends_run(const struct rb_run *run, struct rb_recorder *rec)
{
	const struct ds_split *tr = &run->data->train;
	if (tr->x.sparse || tr->x.rows < rb_param_int(run, "shards"))
		return rb_fail(rec, RB_INVALID_INPUT, "dm_dividends: needs dense data with at least one row per shard");
	struct rng r;
	rng_seed(&r, run->seed, 0);
	struct div_state s = { 0 };
	char err[ERRLEN];
	struct lm_problem p = { .x = &tr->x, .y = tr->y, .loss = LM_LOGISTIC, .l2 = 0 };
	int c = (int)rb_param_int(run, "contributors"), rc = -1;
	int64_t d = tr->x.cols;
	if (market_make(&s.m, c, (int)rb_param_int(run, "shards"), (int)rb_param_int(run, "holders_per_shard"),
			tr->x.rows, &r) != 0 ||
	    !(s.w = calloc((size_t)d, sizeof(double))) || !(s.grad = calloc((size_t)d, sizeof(double))) ||
	    !(s.exact_of = calloc((size_t)c, sizeof(double))) || !(s.paid_of = calloc((size_t)c, sizeof(double))) ||
	    !(s.used_of = calloc((size_t)c, sizeof(double))) ||
	    !(s.usage = calloc((size_t)s.m.shards, sizeof(int64_t))) ||
	    !(s.paid = calloc((size_t)s.m.shards * (size_t)s.m.nh[0], sizeof(int64_t)))) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "dm_dividends: out of memory");
		goto out;
	}
	if (!(s.l = dm_ledger_open(NULL, err, sizeof(err))) || ledger_setup(s.l, &s.m, tr) != 0) {
		rc = rb_fail(rec, RB_ERROR, "dm_dividends: %s", s.l ? "ledger setup failed" : err);
		goto out;
	}
	if ((rc = dividends_jobs(run, rec, &s, &p, &r)) != 0)
		goto out;
	rb_eval_begin(rec);
	int intact = dm_ledger_verify(s.l, err, sizeof(err)) == 0;
	if (!intact)
		rb_log(rec, "untampered ledger failed verification: %s", err);
	rb_verify(rec, intact, "the untampered ledger verifies");
	double caught = tamper_trials(s.l, rb_param_int(run, "tamper_trials"), &r, rec);
	rb_verify(rec, caught == 1.0, "every edited, dropped or swapped ledger row is named by verify");
	rb_verify(rec, dm_ledger_verify(s.l, err, sizeof(err)) == 0, "the ledger verifies again after the tampers are rolled back");
	rb_summary(rec, "tamper_detected_fraction", caught);
	rb_summary(rec, "final_accuracy", lm_accuracy(&(struct lm_problem){ .x = &run->data->test.x, .y = run->data->test.y, .loss = LM_LOGISTIC }, s.w));
	dividends_report(run, rec, &s);
	rb_eval_end(rec);
	rc = 0;
out:
	dm_ledger_close(s.l);
	market_free(&s.m);
	free(s.w);
	free(s.grad);
	free(s.exact_of);
	free(s.paid_of);
	free(s.used_of);
	free(s.usage);
	free(s.paid);
	return rc;
}

const struct rb_algorithm dm_dividends_algorithm = {
	.name = "dm_dividends",
	.family = "data_market",
	.summary = "usage-metered SGD jobs paid into a SHA-256-chained SQLite dividend ledger",
	.paper = "arXiv 1802.04780",
	.params = dividends_params,
	.needs_data = 1,
	.run = dividends_run,
};

/* ---------------------------------------------------------------- valuation ---- */

static const struct rb_param_spec valuation_params[] = {
	{ "train_points", RB_INT, "500", 2, 1e6, NULL, "training points valued (the first rows of the train split)" },
	{ "test_points", RB_INT, "200", 1, 1e6, NULL, "test points of the KNN utility (the first rows of the test split)" },
	{ "shards", RB_INT, "20", 2, 10000, NULL, "contributors' shards (contiguous blocks of training points)" },
	{ "poisoned", RB_INT, "4", 1, 10000, NULL, "shards whose labels are partly flipped (drawn at random)" },
	{ "flip", RB_REAL, "0.5", 0, 1, NULL, "fraction of a poisoned shard's labels flipped" },
	{ "k", RB_INT, "5", 1, 1000, NULL, "K of the KNN classifier (DataBright's backend: 10)" },
	{ "permutations", RB_INT, "2000", 1, 1e7, NULL, "Monte-Carlo permutations" },
	{ 0 },
};

static int valuation_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	if (rb_paramset_get(ps, "poisoned")->i >= rb_paramset_get(ps, "shards")->i) {
		snprintf(err, errlen, "poisoned must be below shards (some shards stay clean)");
		return -1;
	}
	if (rb_paramset_get(ps, "shards")->i > rb_paramset_get(ps, "train_points")->i) {
		snprintf(err, errlen, "shards must not exceed train_points");
		return -1;
	}
	return 0;
}

/* Per shard: sum of its points' values. */
static void shard_sums(const double *v, int64_t n, int shards, double *out)
{
	for (int j = 0; j < shards; j++) {
		out[j] = 0;
		for (int64_t i = n * j / shards; i < n * (j + 1) / shards; i++)
			out[j] += v[i];
	}
}

/* Largest poisoned shard value minus the smallest clean one: < 0 when every poisoned
 * shard ranks below every clean shard. */
static double poison_gap(const double *sv, const unsigned char *poisoned, int shards)
{
	double hi = -INFINITY, lo = INFINITY;
	for (int j = 0; j < shards; j++) {
		if (poisoned[j])
			hi = fmax(hi, sv[j]);
		else
			lo = fmin(lo, sv[j]);
	}
	return hi - lo;
}

static double rel_l2(const double *a, const double *b, int64_t n)
{
	double num = 0, den = 0;
	for (int64_t i = 0; i < n; i++) {
		num += (a[i] - b[i]) * (a[i] - b[i]);
		den += b[i] * b[i];
	}
	return den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0);
}

/* Leave one shard out: U(D) - U(D without shard j). */
static int shard_loo(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		     int shards, double full, double *out)
{
	unsigned char *mask = malloc((size_t)n);
	if (!mask)
		return -1;
	for (int j = 0; j < shards; j++) {
		int64_t lo = n * j / shards, hi = n * (j + 1) / shards;
		memset(mask, 1, (size_t)n);
		for (int64_t i = lo; i < hi; i++)
			mask[i] = 0;
		out[j] = full - dm_knn_utility(order, ytr, n, yte, m, k, mask);
	}
	free(mask);
	return 0;
}

/* Flip round(flip x size) labels of each of `poisoned` random shards. */
static void plant(double *y, int64_t n, int shards, int poisoned, double flip, struct rng *r,
		  unsigned char *is_poisoned, double *flipped)
{
	int64_t *ids = malloc((size_t)(shards > n ? shards : n) * sizeof(int64_t));
	if (!ids)
		return;
	for (int j = 0; j < shards; j++)
		ids[j] = j;
	rng_shuffle_int(r, ids, shards);
	for (int j = 0; j < shards; j++)
		is_poisoned[j] = 0;
	for (int q = 0; q < poisoned; q++)
		is_poisoned[ids[q]] = 1;
	for (int j = 0; j < shards; j++) {
		int64_t lo = n * j / shards, size = n * (j + 1) / shards - lo;
		int64_t f = is_poisoned[j] ? (int64_t)llround(flip * (double)size) : 0;
		for (int64_t i = 0; i < size; i++)
			ids[i] = lo + i;
		rng_shuffle_int(r, ids, size);
		for (int64_t i = 0; i < f; i++)
			y[ids[i]] = -y[ids[i]];
		flipped[j] = (double)f / (double)size;
	}
	free(ids);
}

struct val_state {
	double *ytr, *jia, *zero, *mc, *sj, *sz, *smc, *sloo, *flipped;
	unsigned char *poisoned;
	int32_t *order;
};

static void val_free(struct val_state *v)
{
	free(v->ytr);
	free(v->jia);
	free(v->zero);
	free(v->mc);
	free(v->sj);
	free(v->sz);
	free(v->smc);
	free(v->sloo);
	free(v->flipped);
	free(v->poisoned);
	free(v->order);
}

static int valuation_compute(const struct rb_run *run, struct rb_recorder *rec, struct val_state *v, int64_t n,
			     int64_t m, int shards, struct rng *r)
{
	const struct ds_dataset *d = run->data;
	int k = (int)rb_param_int(run, "k");
	const double *yte = d->test.y;
	if (!(v->order = dm_knn_order(d->train.x.dense, n, d->test.x.dense, m, d->train.x.cols)))
		return rb_fail(rec, RB_OUT_OF_MEMORY, "dm_valuation: out of memory");
	dm_knn_shapley(v->order, v->ytr, n, yte, m, k, DM_BASE_JIA, v->jia);
	dm_knn_shapley(v->order, v->ytr, n, yte, m, k, DM_BASE_ZERO, v->zero);
	if (dm_mc_shapley(v->order, v->ytr, n, yte, m, k, rb_param_int(run, "permutations"), r, v->mc) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "dm_valuation: out of memory");
	double full = dm_knn_utility(v->order, v->ytr, n, yte, m, k, NULL), sj = 0, sz = 0;
	if (shard_loo(v->order, v->ytr, n, yte, m, k, shards, full, v->sloo) != 0)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "dm_valuation: out of memory");
	for (int64_t i = 0; i < n; i++) {
		sj += v->jia[i];
		sz += v->zero[i];
	}
	rb_eval_begin(rec);
	/* Efficiency (the Shapley axiom) with Jia et al.'s base case: an identity. */
	rb_verify(rec, fabs(sj - full) <= 1e-9 * fmax(1.0, full), "Jia et al. base case: values sum to U(D)");
	rb_summary(rec, "utility_full", full);
	rb_summary(rec, "efficiency_gap_jia", fabs(sj - full));
	rb_summary(rec, "efficiency_gap_zero", fabs(sz - full));
	rb_eval_end(rec);
	return 0;
}

static void valuation_report(const struct rb_run *run, struct rb_recorder *rec, struct val_state *v, int64_t n,
			     int shards)
{
	shard_sums(v->jia, n, shards, v->sj);
	shard_sums(v->zero, n, shards, v->sz);
	shard_sums(v->mc, n, shards, v->smc);
	rb_summary(rec, "poison_gap", poison_gap(v->sj, v->poisoned, shards));
	rb_summary(rec, "poison_gap_zero", poison_gap(v->sz, v->poisoned, shards));
	rb_summary(rec, "poison_gap_mc", poison_gap(v->smc, v->poisoned, shards));
	rb_summary(rec, "poison_gap_loo", poison_gap(v->sloo, v->poisoned, shards));
	rb_summary(rec, "mc_rel_error", rel_l2(v->smc, v->sj, shards));
	rb_summary(rec, "mc_point_rel_error", rel_l2(v->mc, v->jia, n));
	int below = 0, p = (int)rb_param_int(run, "poisoned");
	for (int j = 0; j < shards; j++) {
		int rank = 0;   /* shards with a lower value */
		for (int q = 0; q < shards; q++)
			rank += v->sj[q] < v->sj[j];
		below += v->poisoned[j] && rank < p;
		rb_record(rec, j, "shard_value", v->sj[j]);
		rb_record(rec, j, "shard_value_zero", v->sz[j]);
		rb_record(rec, j, "shard_value_mc", v->smc[j]);
		rb_record(rec, j, "shard_loo", v->sloo[j]);
		rb_record(rec, j, "flip_fraction", v->flipped[j]);
	}
	rb_summary(rec, "poisoned_in_lowest", below);
}

static int valuation_run(const struct rb_run *run, struct rb_recorder *rec)
{
	const struct ds_dataset *d = run->data;
	int64_t n = rb_param_int(run, "train_points"), m = rb_param_int(run, "test_points");
	int shards = (int)rb_param_int(run, "shards");
	if (d->train.x.sparse || d->test.x.sparse || n > d->train.x.rows || m > d->test.x.rows)
		return rb_fail(rec, RB_INVALID_INPUT, "dm_valuation: needs dense data with %lld train and %lld test rows",
			       (long long)n, (long long)m);
	struct val_state v = { 0 };
	struct rng r;
	rng_seed(&r, run->seed, 1);
	int rc;
	if (!(v.ytr = malloc((size_t)n * sizeof(double))) || !(v.jia = malloc((size_t)n * sizeof(double))) ||
	    !(v.zero = malloc((size_t)n * sizeof(double))) || !(v.mc = malloc((size_t)n * sizeof(double))) ||
	    !(v.sj = malloc((size_t)shards * sizeof(double))) || !(v.sz = malloc((size_t)shards * sizeof(double))) ||
	    !(v.smc = malloc((size_t)shards * sizeof(double))) || !(v.sloo = malloc((size_t)shards * sizeof(double))) ||
	    !(v.flipped = malloc((size_t)shards * sizeof(double))) || !(v.poisoned = malloc((size_t)shards))) {
		val_free(&v);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "dm_valuation: out of memory");
	}
	memcpy(v.ytr, d->train.y, (size_t)n * sizeof(double));
	plant(v.ytr, n, shards, (int)rb_param_int(run, "poisoned"), rb_param_real(run, "flip"), &r, v.poisoned,
	      v.flipped);
	rc = valuation_compute(run, rec, &v, n, m, shards, &r);
	if (rc == 0)
		valuation_report(run, rec, &v, n, shards);
	val_free(&v);
	return rc;
}

const struct rb_algorithm dm_valuation_algorithm = {
	.name = "dm_valuation",
	.family = "data_market",
	.summary = "exact KNN-Shapley (Jia et al. and zero base case), permutation Monte Carlo and leave-one-out of shards with flipped labels",
	.paper = "arXiv 1802.04780",
	.params = valuation_params,
	.needs_data = 1,
	.run = valuation_run,
	.validate = valuation_validate,
};

/* -------------------------------------------------------------- association ---- */

static const struct rb_param_spec association_params[] = {
	{ "members", RB_INT, "50", 1, 100000, NULL, "addresses holding CuratorCoin" },
	{ "supply", RB_INT, "10000", 1, 1e12, NULL, "initial supply, split among members at random (the token's 10,000)" },
	{ "proposals", RB_INT, "200", 1, 1e6, NULL, "proposals, debated and executed one after another" },
	{ "minimum_quorum", RB_INT, "10", 0, 1e12, NULL, "tokens the voters must hold together (deployment: 10)" },
	{ "participation", RB_REAL, "0.5", 0, 1, NULL, "probability that a member votes on a proposal" },
	{ "yea_prob", RB_REAL, "0.6", 0, 1, NULL, "probability that a vote is yea" },
	{ "reward_max", RB_INT, "100", 0, 1e9, NULL, "a shard proposal requests 0..reward_max tokens" },
	{ 0 },
};

struct assoc_check {
	int64_t *bal;        /* the verifier's own balances */
	signed char *vote;
	int ok;
};

/* The contract semantics recomputed from the votes cast: quorum, strict majority, mint. */
static enum dm_outcome expected_outcome(struct assoc_check *c, int members, int64_t minimum, int curator,
					int64_t reward)
{
	int64_t q = 0, yea = 0, nay = 0;
	for (int v = 0; v < members; v++) {
		if (!c->vote[v])
			continue;
		q += c->bal[v];
		*(c->vote[v] > 0 ? &yea : &nay) += c->bal[v];
	}
	if (q < minimum)
		return DM_NO_QUORUM;
	if (yea <= nay)
		return DM_REJECTED;
	c->bal[curator] += reward;
	return DM_PASSED;
}

/* One proposal: votes, the calls the contract refuses, execution after the period. */
static enum dm_outcome one_proposal(const struct rb_run *run, struct dm_assoc *a, struct assoc_check *c,
				    struct rng *r, int64_t t)
{
	int members = (int)rb_param_int(run, "members");
	double part = rb_param_real(run, "participation"), yp = rb_param_real(run, "yea_prob");
	enum dm_kind kind = rng_uniform(r) < 0.1 ? DM_CREATE_DATABASE : DM_ADD_SHARD;
	int curator = (int)rng_below(r, (uint64_t)members);
	int64_t reward = kind == DM_ADD_SHARD ? (int64_t)rng_below(r, (uint64_t)rb_param_int(run, "reward_max") + 1) : 0;
	int p = dm_assoc_propose(a, kind, curator, reward, t);
	memset(c->vote, 0, (size_t)members);
	if (p < 0)
		return c->ok = 0, DM_OPEN;
	int last = -1;
	for (int v = 0; v < members; v++) {
		if (rng_uniform(r) >= part)
			continue;
		int yea = rng_uniform(r) < yp;
		enum dm_call got = dm_assoc_vote(a, p, v, yea, t + 1);
		enum dm_call want = c->bal[v] > 0 ? DM_CALL_OK : DM_ERR_NO_TOKENS;
		c->ok &= got == want;
		if (got == DM_CALL_OK) {
			c->vote[v] = yea ? 1 : -1;
			last = v;
		}
	}
	enum dm_outcome out = DM_OPEN;
	/* One vote per address, no early or late calls, one execution. */
	if (last >= 0)
		c->ok &= dm_assoc_vote(a, p, last, 1, t + 1) == DM_ERR_VOTED;
	c->ok &= dm_assoc_execute(a, p, t + 1, &out) == DM_ERR_EARLY;
	c->ok &= dm_assoc_execute(a, p, t + 2, &out) == DM_CALL_OK;
	c->ok &= dm_assoc_execute(a, p, t + 2, &out) == DM_ERR_EXECUTED;
	c->ok &= dm_assoc_vote(a, p, curator, 1, t + 3) == DM_ERR_CLOSED;
	int64_t minimum = rb_param_int(run, "minimum_quorum");
	c->ok &= expected_outcome(c, members, minimum, curator, reward) == out;
	return out;
}

static int association_run(const struct rb_run *run, struct rb_recorder *rec)
{
	int members = (int)rb_param_int(run, "members");
	int64_t supply = rb_param_int(run, "supply"), proposals = rb_param_int(run, "proposals");
	struct rng r;
	rng_seed(&r, run->seed, 2);
	int64_t *w = malloc((size_t)members * sizeof(int64_t));
	struct assoc_check c = { calloc((size_t)members, sizeof(int64_t)), calloc((size_t)members, 1), 1 };
	struct dm_assoc *a = NULL;
	int rc = 0;
	if (!w || !c.bal || !c.vote)
		goto oom;
	for (int v = 0; v < members; v++)
		w[v] = (int64_t)rng_below(&r, 1000);   /* some members start without tokens */
	w[0]++;
	if (dm_apportion(supply, w, members, c.bal) != 0 ||
	    !(a = dm_assoc_new(members, c.bal, rb_param_int(run, "minimum_quorum"), 2)))
		goto oom;
	int64_t count[4] = { 0 }, minted = 0;
	for (int64_t p = 0; p < proposals; p++) {
		int64_t before = dm_assoc_supply(a);
		count[one_proposal(run, a, &c, &r, 10 * p)]++;
		minted += dm_assoc_supply(a) - before;
	}
	int balances_agree = 1;
	int64_t sum = 0;
	for (int v = 0; v < members; v++) {
		balances_agree &= dm_assoc_balance(a, v) == c.bal[v];
		sum += c.bal[v];
	}
	rb_verify(rec, c.ok && count[DM_OPEN] == 0, "every call and outcome as the contract's semantics give");
	rb_verify(rec, balances_agree && sum == dm_assoc_supply(a) && sum == supply + minted,
		  "balances and supply = initial supply + minted rewards");
	rb_summary(rec, "pass_rate", (double)count[DM_PASSED] / (double)proposals);
	rb_summary(rec, "reject_rate", (double)count[DM_REJECTED] / (double)proposals);
	rb_summary(rec, "no_quorum_rate", (double)count[DM_NO_QUORUM] / (double)proposals);
	rb_summary(rec, "minted", (double)minted);
	goto out;
oom:
	rc = rb_fail(rec, RB_OUT_OF_MEMORY, "dm_association: out of memory");
out:
	dm_assoc_free(a);
	free(w);
	free(c.bal);
	free(c.vote);
	return rc;
}

const struct rb_algorithm dm_association_algorithm = {
	.name = "dm_association",
	.family = "data_market",
	.summary = "DatabaseAssociation simulator: balance-weighted votes, minimum quorum, strict majority, minting",
	.paper = "arXiv 1802.04780",
	.params = association_params,
	.run = association_run,
};

/* ----------------------------------------------------------------- overhead ---- */

static const struct rb_param_spec overhead_params[] = {
	{ "megabytes", RB_REAL, "16", 0.01, 4096, NULL, "dataset size: labels and dense features, 8-byte doubles" },
	{ "features", RB_INT, "100", 1, 100000, NULL, "dense features per row (synth_logreg, density 1)" },
	{ "shards", RB_INT, "16", 1, 100000, NULL, "sealed shards the data are cut into" },
	{ "lr", RB_REAL, "0.01", 1e-9, 100, NULL, "SGD step size" },
	{ "seconds", RB_REAL, "1", 0.01, 600, NULL, "timed seconds per side (plain, proxy)" },
	{ "slices", RB_INT, "4", 1, 1000, NULL, "ABBA slices per side" },
	{ "fault", RB_CHOICE, "none", 0, 0, "none|wrong_key|flip_byte",
	  "bad input the enclave must refuse before training: a wrong key, or one flipped ciphertext byte" },
	{ 0 },
};

struct oh_side {
	int proxy, shards, cursor, failed;
	int64_t d, rows, rows_total;
	double lr, *w, **plain;
	const struct dm_sealed *sealed;
	struct dm_enclave *enc;
	struct paired_side side;
};

/* Whole shards, cyclically, until `seconds` have passed. */
static int oh_slice(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct oh_side *s = ctx;
	double t0 = calib_now(), t;
	do {
		const struct dm_sealed *sh = &s->sealed[s->cursor];
		if (s->proxy) {
			if (dm_enclave_train(s->enc, sh, s->d, s->lr, s->w, err, errlen) != 0)
				return -1;
		} else {
			dm_sgd_pass(s->plain[s->cursor], sh->rows, s->d, s->lr, s->w);
		}
		s->rows += sh->rows;
		s->rows_total += sh->rows;
		s->cursor = (s->cursor + 1) % s->shards;
		t = calib_now();
	} while (t - t0 < seconds);
	*elapsed += t - t0;
	return 0;
}

static void oh_restart(void *ctx)
{
	((struct oh_side *)ctx)->rows = 0;
}

struct oh_data {
	int shards;
	int64_t d;
	double **plain;
	struct dm_sealed *sealed;
	size_t max_len;
};

static void oh_data_free(struct oh_data *o)
{
	for (int j = 0; j < o->shards; j++) {
		if (o->plain)
			free(o->plain[j]);
		if (o->sealed)
			dm_sealed_free(&o->sealed[j]);
	}
	free(o->plain);
	free(o->sealed);
}

/* synth_logreg rows cut into shards (labels, then features) and sealed under key. */
static int oh_data_make(const struct rb_run *run, const unsigned char key[DM_KEY_BYTES], struct oh_data *o,
			char *err, size_t errlen)
{
	int64_t d = rb_param_int(run, "features");
	int64_t rows = (int64_t)(rb_param_real(run, "megabytes") * 1048576.0 / (8.0 * (double)(d + 1)));
	o->shards = (int)rb_param_int(run, "shards");
	o->d = d;
	if (rows < o->shards) {
		snprintf(err, errlen, "dm_overhead: fewer rows (%lld) than shards", (long long)rows);
		return -1;
	}
	struct rb_paramset ps;
	struct ds_dataset ds = { 0 };
	if (rb_paramset_defaults(synth_logreg_params, &ps, err, errlen) != 0)
		return -1;
	struct rb_value v = *rb_paramset_get(&ps, "samples");
	v.i = rows;
	rb_paramset_set(&ps, "samples", &v);
	v = *rb_paramset_get(&ps, "features");
	v.i = d;
	rb_paramset_set(&ps, "features", &v);
	v = *rb_paramset_get(&ps, "density");
	v.r = 1.0;
	rb_paramset_set(&ps, "density", &v);
	v = *rb_paramset_get(&ps, "test_fraction");
	v.r = 0.0;
	rb_paramset_set(&ps, "test_fraction", &v);
	v = *rb_paramset_get(&ps, "data_seed");
	v.i = (long long)(run->seed & 0x1fffffffffffffULL);
	rb_paramset_set(&ps, "data_seed", &v);
	if (synth_logreg_generate(&ps, &ds, err, errlen) != 0)
		return -1;
	o->plain = calloc((size_t)o->shards, sizeof(double *));
	o->sealed = calloc((size_t)o->shards, sizeof(*o->sealed));
	int rc = o->plain && o->sealed ? 0 : -1;
	const struct ds_matrix *x = &ds.train.x;
	for (int j = 0; rc == 0 && j < o->shards; j++) {
		int64_t lo = x->rows * j / o->shards, n = x->rows * (j + 1) / o->shards - lo;
		size_t len = (size_t)(n * (d + 1)) * sizeof(double);
		if (!(o->plain[j] = malloc(len))) {
			rc = -1;
			break;
		}
		memcpy(o->plain[j], ds.train.y + lo, (size_t)n * sizeof(double));
		memcpy(o->plain[j] + n, x->dense + lo * d, (size_t)(n * d) * sizeof(double));
		rc = dm_seal(key, j, n, o->plain[j], len, &o->sealed[j], err, errlen);
		o->max_len = len > o->max_len ? len : o->max_len;
	}
	if (rc != 0 && !err[0])
		snprintf(err, errlen, "dm_overhead: out of memory");
	ds_dataset_free(&ds);
	return rc;
}

/* The bad inputs the enclave must refuse: its key one bit off, or a ciphertext byte. */
static void oh_fault(const char *fault, unsigned char key[DM_KEY_BYTES], struct oh_data *o, struct rng *r)
{
	if (!strcmp(fault, "wrong_key")) {
		key[0] ^= 1;
	} else if (!strcmp(fault, "flip_byte")) {
		struct dm_sealed *s = &o->sealed[rng_below(r, (uint64_t)o->shards)];
		s->bytes[rng_below(r, s->len)] ^= 0x01;
	}
}

static int overhead_time(const struct rb_run *run, struct rb_recorder *rec, struct oh_data *o,
			 struct dm_enclave *enc, double *w_plain, double *w_proxy)
{
	char err[ERRLEN] = "";
	struct oh_side a = { .proxy = 0, .shards = o->shards, .d = o->d, .lr = rb_param_real(run, "lr"),
			     .w = w_plain, .plain = o->plain, .sealed = o->sealed };
	struct oh_side b = a;
	b.proxy = 1;
	b.w = w_proxy;
	b.enc = enc;
	a.side = (struct paired_side){ .ctx = &a, .run = oh_slice, .restart = oh_restart };
	b.side = (struct paired_side){ .ctx = &b, .run = oh_slice, .restart = oh_restart };
	if (paired_alternate(&a.side, &b.side, (int)rb_param_int(run, "slices"), rb_param_real(run, "seconds"), err,
			     sizeof(err)) != 0)
		return rb_fail(rec, RB_ERROR, "dm_overhead: %s", err);
	int64_t uses = 0, bytes = 0;
	for (int j = 0; j < o->shards; j++) {
		uses += dm_enclave_uses(enc, j);
		bytes += (int64_t)o->sealed[j].len;
	}
	double row_bytes = 8.0 * (double)(o->d + 1), plain_per = a.side.elapsed / (double)a.rows;
	double proxy_per = b.side.elapsed / (double)b.rows;
	rb_verify(rec, uses == b.rows_total, "the meter counted every row the proxy trained on");
	rb_summary(rec, "ratio", proxy_per / plain_per);
	rb_summary(rec, "plain_gbps", row_bytes / plain_per / 1e9);
	rb_summary(rec, "proxy_gbps", row_bytes / proxy_per / 1e9);
	rb_summary(rec, "data_mb", (double)bytes / 1048576.0);
	rb_summary(rec, "cpu_share", paired_cpu_share(&a.side, &b.side, 1));
	rb_summary(rec, "plain_passes", (double)a.rows * row_bytes / (double)bytes);
	return 0;
}

static int overhead_run(const struct rb_run *run, struct rb_recorder *rec)
{
	unsigned char key[DM_KEY_BYTES];
	char err[ERRLEN] = "";
	struct oh_data o = { 0 };
	struct rng r;
	rng_seed(&r, run->seed, 3);
	/* Key material comes from libcrypto's generator, not from the benchmark's RNG. */
	if (RAND_bytes(key, sizeof(key)) != 1)
		return rb_fail(rec, RB_ERROR, "dm_overhead: no random key");
	if (oh_data_make(run, key, &o, err, sizeof(err)) != 0) {
		oh_data_free(&o);
		return rb_fail(rec, RB_OUT_OF_MEMORY, "%s", err);
	}
	oh_fault(rb_param_str(run, "fault"), key, &o, &r);
	struct dm_enclave *enc = dm_enclave_new(key, o.shards, o.max_len);
	memset(key, 0, sizeof(key));
	double *wa = calloc((size_t)o.d, sizeof(double)), *wb = calloc((size_t)o.d, sizeof(double));
	int rc;
	if (!enc || !wa || !wb) {
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "dm_overhead: out of memory");
	} else if (dm_enclave_check(enc, o.sealed, o.shards, err, sizeof(err)) != 0) {
		/* Refused before anything is trained. */
		rc = rb_fail(rec, RB_INVALID_INPUT, "dm_overhead: %s; nothing trained", err);
	} else {
		double t0 = calib_now();
		dm_enclave_check(enc, o.sealed, o.shards, err, sizeof(err));
		double t = calib_now() - t0;
		rb_summary(rec, "decrypt_gbps", (double)o.max_len * o.shards / t / 1e9);
		rc = overhead_time(run, rec, &o, enc, wa, wb);
	}
	dm_enclave_free(enc);
	free(wa);
	free(wb);
	oh_data_free(&o);
	return rc;
}

const struct rb_algorithm dm_overhead_algorithm = {
	.name = "dm_overhead",
	.family = "data_market",
	.summary = "plain SGD against AES-256-GCM sealed, enclave-decrypted, metered SGD on the same data (paired ABBA)",
	.paper = "arXiv 1802.04780",
	.params = overhead_params,
	.run = overhead_run,
};
