/*
 * mis_bench: the `make bench` case relaxed_mis (suite/bench.h). Greedy MIS on G(n, m)
 * (n = 2 x 10^5, average degree 10), from
 *   D. Alistarh, T. Brown, J. Kopinsky, G. Nadiradze, "Relaxed Schedulers Can Efficiently
 *   Parallelize Iterative Algorithms", PODC 2018, arXiv 1808.04155.
 * Every row is bench_measure's median of MIS_BENCH_REPS repetitions, and every
 * repetition times its figure and its baseline back to back in ABBA order, so that each
 * repetition's ratio is paired (a drift of the shared machine falls on both):
 *
 *   sequential greedy   vertices/s of the median pass (2 x ~0.08 s of passes per
 *                       repetition); limit: STREAM copy at 1 thread of arrays the size of
 *                       the CSR graph and the permutation (measured in the repetition),
 *                       over those bytes per vertex: the rate at which a streaming read of
 *                       the same bytes could visit the vertices. Its own spread over the
 *                       repetitions (largest distance from the median) is a row too.
 *   MultiQueue / exact  at 2 threads: the MultiQueue (q = 2 x threads, no stickiness, the
 *                       paper's) against the exact locked heap, both concurrent
 *   MultiQueue / greedy at 1 and 2 threads: relaxed against sequential greedy
 *
 * and, beside each concurrent row, the median share of their cores its runs had
 * (CPU time / (wall x threads)): below about 0.9 another job had them.
 * Every concurrent run is checked against sequential greedy's set before it counts.
 */
#include "algorithms/relaxed_mis/mis_experiments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/relaxed_mis/greedy.h"
#include "algorithms/relaxed_mis/mis_exec.h"
#include "datasets/gen_graph.h"
#include "suite/calibrate.h"
#include "suite/error.h"

#define MIS_BENCH_N 200000
#define MIS_BENCH_DEGREE 10
#define MIS_BENCH_QUEUES_PER_THREAD 2
#define MIS_BENCH_REPS 7
/* Each greedy half of a repetition repeats the pass until it lasts about this long: one
 * pass is ~5 ms at n = 2 x 10^5, too short to time stably (it swung 24-47 M vertices/s
 * as a single pass). */
#define MIS_BENCH_GREEDY_HALF_S 0.08
#define MIS_BENCH_MAX_PASSES 1000

struct mis_bench {
	struct greedy_instance in;
	uint8_t *ref, *out;          /* sequential greedy's set; scratch */
	int passes;                  /* greedy passes per half-repetition */
	double bytes_per_vertex;     /* one pass over rowptr, adj and the permutation */
	size_t copy_bytes;           /* those bytes in all: the STREAM copy's array size */
	double *pass_s;              /* 2 x passes: the greedy row's pass times */
	const struct mis_parallel_config *a, *b;   /* the row's concurrent variants */
	/* per repetition of the current row */
	double greedy_vps[MIS_BENCH_REPS], greedy_sum_vps[MIS_BENCH_REPS];
	double share[MIS_BENCH_REPS];
	int rep;
};

static int bench_graph(struct ds_dataset *d, char *err, size_t errlen)
{
	struct rb_paramset ps;

	if (rb_paramset_defaults(gengraph_er_params, &ps, err, errlen) != 0)
		return -1;
	struct rb_value n = *rb_paramset_get(&ps, "n"), deg = *rb_paramset_get(&ps, "avg_degree");
	n.i = MIS_BENCH_N;
	deg.r = MIS_BENCH_DEGREE;
	rb_paramset_set(&ps, "n", &n);
	rb_paramset_set(&ps, "avg_degree", &deg);
	return gengraph_er_generate(&ps, d, err, errlen);
}

/* `passes` sequential greedy passes into b->ref; their seconds. When `pass_s` is given,
 * each pass's seconds go there too. */
static double greedy_seconds(struct mis_bench *b, int passes, double *pass_s)
{
	double start = calib_now(), last = start;

	for (int p = 0; p < passes; p++) {
		greedy_sequential(&b->in, b->ref);
		if (!pass_s)
			continue;
		double now = calib_now();
		pass_s[p] = now - last;
		last = now;
	}
	return calib_now() - start;
}

/* One concurrent run, checked against greedy's set: adds its wall and CPU seconds.
 * 0, or -1 with err. */
static int conc_run(struct mis_bench *b, const struct mis_parallel_config *cfg, double *wall,
		    double *cpu, char *err, size_t errlen)
{
	struct mis_parallel_result pr;

	greedy_reset(&b->in);
	int rc = mis_parallel(&b->in, cfg, NULL, &pr);
	if (rc != 0)
		return rb_error(err, errlen, "relaxed_mis: %s", rc == -1 ? "out of memory for "
				"the concurrent queue" : "OpenMP gave fewer threads");
	if (!greedy_result(&b->in, b->out) || memcmp(b->out, b->ref, b->in.tasks) != 0
	    || pr.total.processed + pr.total.dead != b->in.tasks)
		return rb_error(err, errlen, "relaxed_mis: a %s run on %d threads differed "
				"from sequential greedy", cfg->ops->name, cfg->threads);
	*wall += pr.wall_s;
	*cpu += pr.cpu_s / cfg->threads;
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;
	return (a > c) - (a < c);
}

/* Sorts v. */
static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double vertices_per_s(const struct mis_bench *b, int runs, double seconds)
{
	return (double)b->in.tasks * runs / seconds;
}

/* Greedy row: greedy, STREAM copy, greedy. The figure is the median pass: the limit is
 * STREAM's best repetition, and a pass that another process's time slice covered says
 * nothing about the kernel. */
static int rep_greedy(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct mis_bench *b = arg;
	double *pass_s = b->pass_s;
	double t = greedy_seconds(b, b->passes, pass_s);
	double copy = calib_copy_bandwidth_gbs_sized(1, b->copy_bytes);

	t += greedy_seconds(b, b->passes, pass_s + b->passes);
	if (!(copy > 0.0))
		return rb_error(err, errlen, "relaxed_mis: no memory for the STREAM copy");
	rep->figure = vertices_per_s(b, 1, median_of(pass_s, 2 * b->passes));
	rep->limit = copy * 1e9 / b->bytes_per_vertex;
	b->greedy_vps[b->rep % MIS_BENCH_REPS] = rep->figure;
	b->greedy_sum_vps[b->rep++ % MIS_BENCH_REPS] = vertices_per_s(b, 2 * b->passes, t);
	return 0;
}

/* Concurrent variant a against sequential greedy: greedy, a, a, greedy. */
static int rep_vs_greedy(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct mis_bench *b = arg;
	double wall = 0.0, cpu = 0.0, t = greedy_seconds(b, b->passes, NULL);
	int rc = conc_run(b, b->a, &wall, &cpu, err, errlen);

	rc = rc ? rc : conc_run(b, b->a, &wall, &cpu, err, errlen);
	if (rc != 0)
		return rc;
	t += greedy_seconds(b, b->passes, NULL);
	rep->figure = vertices_per_s(b, 2, wall);
	rep->limit = vertices_per_s(b, 2 * b->passes, t);
	b->share[b->rep++ % MIS_BENCH_REPS] = cpu / wall;
	return 0;
}

/* Concurrent variant a against concurrent variant b: a, b, b, a. */
static int rep_vs_exact(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct mis_bench *b = arg;
	double wa = 0.0, wb = 0.0, cpu = 0.0;
	int rc = conc_run(b, b->a, &wa, &cpu, err, errlen);

	rc = rc ? rc : conc_run(b, b->b, &wb, &cpu, err, errlen);
	rc = rc ? rc : conc_run(b, b->b, &wb, &cpu, err, errlen);
	rc = rc ? rc : conc_run(b, b->a, &wa, &cpu, err, errlen);
	if (rc != 0)
		return rc;
	rep->figure = vertices_per_s(b, 2, wa);
	rep->limit = vertices_per_s(b, 2, wb);
	b->share[b->rep++ % MIS_BENCH_REPS] = cpu / (wa + wb);
	return 0;
}

/* The greedy figure's largest distance from its median over all the row's repetitions
 * (flagged ones too), as a fraction of the median, against the 5% it should stay within. */
static int emit_greedy_spread(struct bench_ctx *ctx, struct mis_bench *b, char *err,
			      size_t errlen)
{
	double *v = b->greedy_vps, med = median_of(v, MIS_BENCH_REPS);
	double lo = 1.0 - v[0] / med, hi = v[MIS_BENCH_REPS - 1] / med - 1.0;
	char params[128];

	double *sum = b->greedy_sum_vps, sum_med = median_of(sum, MIS_BENCH_REPS);

	printf("relaxed_mis      sequential greedy over %d repetitions: median pass %.4g .. %.4g M "
	       "vertices/s (median %.4g); all passes %.4g .. %.4g (median %.4g)\n",
	       MIS_BENCH_REPS, v[0] / 1e6, v[MIS_BENCH_REPS - 1] / 1e6, med / 1e6, sum[0] / 1e6,
	       sum[MIS_BENCH_REPS - 1] / 1e6, sum_med / 1e6);
	snprintf(params, sizeof(params), "n=%d;threads=1;scheduler=sequential_greedy;"
		 "stat=max_distance_from_median", MIS_BENCH_N);
	return bench_emit(ctx, params, lo > hi ? lo : hi, "fraction", 0.05, "fraction", err,
			  errlen);
}

static int emit_share(struct bench_ctx *ctx, struct mis_bench *b, const char *row, char *err,
		      size_t errlen)
{
	char params[160];

	snprintf(params, sizeof(params), "%s;stat=cpu_share", row);
	return bench_emit(ctx, params, median_of(b->share, MIS_BENCH_REPS), "fraction", 1.0,
			  "fraction", err, errlen);
}

static int row_greedy(struct bench_ctx *ctx, struct mis_bench *b, char *err, size_t errlen)
{
	char params[128];

	snprintf(params, sizeof(params), "n=%d;threads=1;scheduler=sequential_greedy;passes=%d",
		 MIS_BENCH_N, 2 * b->passes);
	b->rep = 0;
	if (bench_measure(ctx, params, 1, MIS_BENCH_REPS, rep_greedy, b, "vertices/s",
			  "copy_1t_vertices/s", err, errlen) != 0)
		return -1;
	return emit_greedy_spread(ctx, b, err, errlen);
}

static int row_vs_greedy(struct bench_ctx *ctx, struct mis_bench *b,
			 const struct mis_parallel_config *mq, char *err, size_t errlen)
{
	char params[128];

	snprintf(params, sizeof(params), "n=%d;threads=%d;scheduler=multiqueue;q=%d;"
		 "baseline=sequential_greedy", MIS_BENCH_N, mq->threads, mq->queues);
	b->a = mq;
	b->rep = 0;
	if (bench_measure(ctx, params, mq->threads, MIS_BENCH_REPS, rep_vs_greedy, b,
			  "vertices/s", "greedy_vertices/s", err, errlen) != 0)
		return -1;
	return emit_share(ctx, b, params, err, errlen);
}

static int row_vs_exact(struct bench_ctx *ctx, struct mis_bench *b,
			const struct mis_parallel_config *mq, const struct mis_parallel_config *ex,
			char *err, size_t errlen)
{
	char params[128];

	snprintf(params, sizeof(params), "n=%d;threads=%d;scheduler=multiqueue;q=%d;"
		 "baseline=exact_locked", MIS_BENCH_N, mq->threads, mq->queues);
	b->a = mq;
	b->b = ex;
	b->rep = 0;
	if (bench_measure(ctx, params, mq->threads, MIS_BENCH_REPS, rep_vs_exact, b,
			  "vertices/s", "exact_vertices/s", err, errlen) != 0)
		return -1;
	return emit_share(ctx, b, params, err, errlen);
}

static struct mis_parallel_config mq_config(int threads)
{
	return (struct mis_parallel_config){ .ops = &multiqueue_ops, .threads = threads,
		.queues = MIS_BENCH_QUEUES_PER_THREAD * threads, .stickiness = 1, .seed = 1 };
}

static struct mis_parallel_config exact_config(int threads)
{
	return (struct mis_parallel_config){ .ops = &locked_heap_ops, .threads = threads,
		.queues = 1, .stickiness = 1, .seed = 1 };
}

/* Before anything is timed: greedy's set is a valid MIS, and one run of every
 * concurrent variant gives it (also their warm-up). Then the greedy pass count. */
static int verify_and_size(struct mis_bench *b, int max_threads, char *err, size_t errlen)
{
	double wall = 0.0, cpu = 0.0;

	greedy_sequential(&b->in, b->ref);
	if (!greedy_valid(&b->in, b->ref))
		return rb_error(err, errlen, "relaxed_mis: sequential greedy's set is not a "
				"maximal independent set");
	for (int threads = 1; threads <= max_threads; threads++) {
		struct mis_parallel_config mq = mq_config(threads), ex = exact_config(threads);
		if (conc_run(b, &mq, &wall, &cpu, err, errlen) != 0
		    || conc_run(b, &ex, &wall, &cpu, err, errlen) != 0)
			return -1;
	}
	double one = greedy_seconds(b, 3, NULL) / 3;
	b->passes = one > 0.0 ? (int)(MIS_BENCH_GREEDY_HALF_S / one) + 1 : MIS_BENCH_MAX_PASSES;
	if (b->passes > MIS_BENCH_MAX_PASSES)
		b->passes = MIS_BENCH_MAX_PASSES;
	b->pass_s = malloc(2 * (size_t)b->passes * sizeof(*b->pass_s));
	return b->pass_s ? 0 : rb_error(err, errlen, "relaxed_mis: no memory for the pass times");
}

static int bench_rows(struct bench_ctx *ctx, struct mis_bench *b, char *err, size_t errlen)
{
	int max_threads = ctx->limits.threads >= 2 ? 2 : 1;
	struct mis_parallel_config mq1 = mq_config(1), mq2 = mq_config(2), ex2 = exact_config(2);

	if (verify_and_size(b, max_threads, err, errlen) != 0 || row_greedy(ctx, b, err, errlen) != 0)
		return -1;
	if (row_vs_greedy(ctx, b, &mq1, err, errlen) != 0)
		return -1;
	if (max_threads < 2) {
		printf("relaxed_mis      one thread only: no 2-thread rows\n");
		return 0;
	}
	if (row_vs_exact(ctx, b, &mq2, &ex2, err, errlen) != 0)
		return -1;
	return row_vs_greedy(ctx, b, &mq2, err, errlen);
}

static int mis_bench_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	struct ds_dataset d;
	struct mis_bench b = { 0 };
	int rc = -1;

	memset(&d, 0, sizeof(d));
	if (bench_graph(&d, err, errlen) != 0)
		return -1;
	if (greedy_init(&b.in, GREEDY_MIS, &d.graph, 1) != 0) {
		ds_dataset_free(&d);
		return rb_error(err, errlen, "relaxed_mis: no memory for the instance");
	}
	b.copy_bytes = sizeof(*d.graph.rowptr) * (size_t)(d.graph.n + 1)
		       + sizeof(*d.graph.adj) * (size_t)d.graph.m
		       + sizeof(*b.in.task_of) * (size_t)b.in.tasks;
	b.bytes_per_vertex = (double)b.copy_bytes / (double)b.in.tasks;
	b.ref = malloc((size_t)b.in.tasks + 1);
	b.out = malloc((size_t)b.in.tasks + 1);
	if (b.ref && b.out)
		rc = bench_rows(ctx, &b, err, errlen);
	else
		rb_error(err, errlen, "relaxed_mis: no memory for the sets");
	free(b.ref);
	free(b.out);
	free(b.pass_s);
	greedy_free(&b.in);
	ds_dataset_free(&d);
	return rc;
}

const struct bench_case relaxed_mis_bench = {
	.name = "relaxed_mis",
	.family = "relaxed_mis",
	.doc = "greedy MIS on G(n, m), n = 2x10^5, degree 10, medians of paired ABBA repetitions: "
	       "sequential greedy vertices/s / a streaming read of the graph (STREAM copy); "
	       "MultiQueue (q = 2p) / exact locked heap at 2 threads; MultiQueue / sequential "
	       "greedy at 1 and 2 threads",
	.run = mis_bench_run,
};
