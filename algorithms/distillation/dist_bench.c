/*
 * dist_bench: `make bench` case of the distillation family. Training samples per second
 * of the teacher MLP (784-512-512-10, batch 64, cross-entropy, Nesterov SGD) at 1 and 2
 * threads, as a ratio to PyTorch CPU on the same network, batch and threads
 * (peer_torch.py, run in the same bench). Without python3-torch the bench says "peer not
 * installed" and uses the sgemm limit instead: the samples per second the measured
 * sgemm GFLOP/s would allow for the pass's 3 x forward FLOPs.
 */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/distillation/train.h"
#include "algorithms/models/net.h"
#include "suite/bench.h"
#include "suite/calibrate.h"
#include "suite/error.h"

#define DB_BATCH 64
#define DB_ROWS 4096
#define DB_SECONDS 1.0

struct db_state {
	struct net n;
	float *w, *x;
	int32_t *y;
};

/* Epochs of dt_train over the random set for about DB_SECONDS: samples per second. */
static double db_rate(struct db_state *s, double *loss_drop)
{
	struct dt_data d = { s->x, s->y, NULL, DB_ROWS };
	struct dt_opts o = { .epochs = 1, .batch = DB_BATCH, .lr = 0.02, .momentum = 0.9,
			     .weight_decay = 2.2e-4, .patience = 0, .loss = { 0.7, 2.0, 0 } };
	struct dloss ce = { 0.0, 1.0, 0 };
	struct rng r;
	rng_seed(&r, 1, 0);
	double before = dt_loss(&s->n, s->w, &d, &ce);
	if (dt_train(&s->n, s->w, &d, &o, NULL, &r) != 0)
		return -1.0;
	int64_t samples = 0;
	double start = calib_now();
	while (calib_now() - start < DB_SECONDS) {
		if (dt_train(&s->n, s->w, &d, &o, NULL, &r) != 0)
			return -1.0;
		samples += DB_ROWS;
	}
	double rate = (double)samples / (calib_now() - start);
	*loss_drop = before - dt_loss(&s->n, s->w, &d, &ce);
	return rate;
}

/* PyTorch's samples/s from peer_torch.py, or -1 when it gave none. Debian's
 * /usr/bin/python3 is the interpreter that sees python3-torch, whatever python3 comes
 * first on PATH (a pyenv shim, a virtual environment). */
static double db_peer(int threads)
{
	const char *root = getenv("RELAXBENCH_ROOT");
	char cmd[1024];
	double rate = -1.0;
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 %s/algorithms/distillation/peer_torch.py --threads %d --batch %d "
		 "--seconds %g 2>/dev/null", root && *root ? root : ".", threads, DB_BATCH, DB_SECONDS);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1.0;
	if (fscanf(p, "%lf", &rate) != 1)
		rate = -1.0;
	pclose(p);
	return rate;
}

struct db_rep_arg {
	struct db_state *s;
	int threads, peer;     /* peer: python3-torch is installed */
	double sgemm_limit;    /* samples/s the sgemm figure allows, without the peer */
};

/* One repetition: our training rate, then PyTorch's (or the sgemm limit) right after. */
static int db_rep(void *arg, struct bench_rep *rep, char *err, size_t errlen)
{
	struct db_rep_arg *a = arg;
	double drop = 0.0, rate = db_rate(a->s, &drop);
	if (!(rate > 0))
		return rb_error(err, errlen, "distillation_train: training failed");
	double limit = a->peer ? db_peer(a->threads) : a->sgemm_limit;
	if (!(limit > 0))
		return rb_error(err, errlen, "distillation_train: peer_torch.py gave no rate");
	*rep = (struct bench_rep){ rate, limit };
	return 0;
}

/* Train once to check the loss falls, then the repetitions at `threads`. */
static int db_threads(struct bench_ctx *ctx, struct db_state *s, struct rng *r, int threads,
		      int peer, char *err, size_t errlen)
{
	double drop = 0.0;
	net_init(&s->n, s->w, r);
	omp_set_num_threads(threads);
	openblas_set_num_threads(threads);
	if (db_rate(s, &drop) <= 0 || !(drop > 0))
		return rb_error(err, errlen, "training did not lower the loss (verification)");
	double limit = ctx->limits.sgemm_gflops * 1e9 / (3.0 * net_flops(&s->n));
	if (threads == 1)
		limit /= ctx->limits.blas_threads > 0 ? ctx->limits.blas_threads : 1;
	struct db_rep_arg a = { s, threads, peer, limit };
	char params[128];
	snprintf(params, sizeof(params), "net=784-512-512-10;batch=%d;threads=%d", DB_BATCH, threads);
	return bench_measure(ctx, params, threads, BENCH_MIN_REPS, db_rep, &a, "samples/s",
			     peer ? "pytorch_samples/s" : "sgemm_limit_samples/s", err, errlen);
}

static int db_run(struct bench_ctx *ctx, char *err, size_t errlen)
{
	struct db_state s = { .n = { .layers = 3, .sizes = { 784, 512, 512, 10 } } };
	int64_t np = net_param_count(&s.n);
	int rc = 0, saved_omp = omp_get_max_threads(), saved_blas = openblas_get_num_threads();
	s.w = malloc((size_t)np * sizeof(float));
	s.x = malloc((size_t)DB_ROWS * 784 * sizeof(float));
	s.y = malloc(DB_ROWS * sizeof(int32_t));
	if (!s.w || !s.x || !s.y)
		rc = rb_error(err, errlen, "no memory");
	struct rng r;
	rng_seed(&r, 7, 0);
	for (int64_t i = 0; !rc && i < (int64_t)DB_ROWS * 784; i++)
		s.x[i] = (float)rng_uniform(&r);
	for (int64_t i = 0; !rc && i < DB_ROWS; i++)
		s.y[i] = (int32_t)rng_below(&r, 10);
	int peer = system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
	if (!rc && !peer)
		printf("distillation_train: peer not installed (python3-torch; make deps-peers): "
		       "ratio to the sgemm limit instead\n");
	for (int threads = 1; !rc && threads <= 2; threads++)
		rc = db_threads(ctx, &s, &r, threads, peer, err, errlen);
	omp_set_num_threads(saved_omp);
	openblas_set_num_threads(saved_blas);
	free(s.w);
	free(s.x);
	free(s.y);
	return rc;
}

const struct bench_case distillation_train_bench = {
	.name = "distillation_train",
	.family = "distillation",
	.doc = "teacher MLP training samples/s at 1 and 2 threads / PyTorch CPU on the same net, "
	       "batch and threads (peer_torch.py; without torch: / the sgemm-limit rate)",
	.run = db_run,
};
