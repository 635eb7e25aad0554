/*
 * distill: the registered algorithms of "Model compression via distillation and
 * quantization" (Polino, Pascanu, Alistarh; arXiv 1802.05668): the teacher, a student on
 * labels, the distilled student, post-mortem quantization, quantized training with and
 * without the teacher, and differentiable quantization. See README.md.
 */
#include "algorithms/distillation/distill.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algorithms/distillation/dq.h"
#include "algorithms/distillation/models.h"
#include "algorithms/distillation/qmodel.h"
#include "algorithms/kernels/paired.h"
#include "suite/calibrate.h"

#define P_NET                                                                                      \
	{"teacher_hidden", RB_INT, "512", 2, 16384, NULL, "teacher: units per hidden layer"},      \
	{"teacher_layers", RB_INT, "2", 1, NET_MAX_LAYERS - 1, NULL, "teacher: hidden layers"},     \
	{"teacher_dropout", RB_REAL, "0", 0, 0.9, NULL, "teacher: dropout of hidden units"},       \
	{"teacher_epochs", RB_INT, "10", 1, 10000, NULL, "teacher: training epochs"},              \
	{"teacher_seed", RB_INT, "1", 0, 1e15, NULL,                                                \
	 "teacher: seed (one teacher serves every student seed; cached)"},                          \
	{"hidden", RB_INT, "64", 1, 16384, NULL, "student: units per hidden layer"},               \
	{"student_layers", RB_INT, "1", 1, NET_MAX_LAYERS - 1, NULL, "student: hidden layers"},     \
	{"epochs", RB_INT, "10", 1, 10000, NULL, "student: training epochs"},                      \
	{"batch", RB_INT, "64", 1, 65536, NULL, "mini-batch size"},                                \
	{"lr", RB_REAL, "0.02", 1e-8, 10, NULL, "learning rate (SGD, Nesterov momentum)"},          \
	{"momentum", RB_REAL, "0.9", 0, 0.999, NULL, "Nesterov momentum"},                          \
	{"weight_decay", RB_REAL, "0.00022", 0, 1, NULL, "L2 weight decay (authors: 2.2e-4)"},     \
	{"patience", RB_INT, "3", 0, 1000, NULL,                                                    \
	 "halve the rate after this many epochs without a lower training loss (0: never)"},         \
	{"distill_weight", RB_REAL, "0.7", 0, 1, NULL, "w: weight of the teacher (soft) term"},    \
	{"temperature", RB_REAL, "2", 0.05, 100, NULL, "T: distillation temperature"},             \
	{"kl_mean", RB_CHOICE, "example", 0, 0, "example|element",                                  \
	 "KL averaged per example, or over batch x classes as the authors' PyTorch 0.3 code"}

#define P_QUANT                                                                                    \
	{"bits", RB_INT, "4", 1, 8, NULL, "b: bits per weight (2^b levels per bucket)"},           \
	{"bucket", RB_INT, "256", 0, 1 << 24, NULL, "k: values per bucket (0: one per tensor)"},   \
	{"rounding", RB_CHOICE, "nearest", 0, 0, "nearest|stochastic", "quantizer rounding"}

#define P_DQ                                                                                       \
	{"dq_epochs", RB_INT, "5", 1, 10000, NULL, "DQ: epochs of point training"},                \
	{"dq_lr", RB_REAL, "1e-5", 1e-12, 10, NULL, "DQ: learning rate of the points (authors: 1e-5 to 1e-6)"},            \
	{"dq_init", RB_CHOICE, "quantiles", 0, 0, "quantiles|uniform", "DQ: initial points"},      \
	{"dq_target", RB_CHOICE, "student", 0, 0, "student|teacher",                                \
	 "DQ: soft targets from the full-precision student (authors' code) or the teacher"}

#define P_TIME {"time_s", RB_REAL, "0.6", 0.02, 600, NULL, "inference timing: seconds per side"}

static const struct rb_param_spec fp_params[] = { P_NET, { 0 } };
static const struct rb_param_spec train_params[] = { P_NET, P_TIME, { 0 } };
static const struct rb_param_spec quant_params[] = { P_NET, P_QUANT, { 0 } };
static const struct rb_param_spec dq_params[] = { P_NET, P_QUANT, P_DQ, { 0 } };

static float *alloc_w(const struct net *n)
{
	return malloc((size_t)net_param_count(n) * sizeof(float));
}

static struct quant_spec spec_of(const struct rb_run *run)
{
	struct quant_spec q = {
		.bits = (int)rb_param_int(run, "bits"),
		.bucket = rb_param_int(run, "bucket"),
		.scaling = QUANT_MINMAX,
		.rounding = !strcmp(rb_param_str(run, "rounding"), "stochastic") ? QUANT_STOCHASTIC
										  : QUANT_NEAREST,
	};
	return q;
}

/* The summaries every student run records. */
static void record_model(struct dm_ctx *c, const struct net *n, double accuracy)
{
	double np = (double)net_param_count(n);
	rb_summary(c->rec, "test_accuracy_pct", accuracy);
	rb_summary(c->rec, "params", np);
	rb_summary(c->rec, "param_ratio", (double)net_param_count(&c->teacher) / np);
	rb_summary(c->rec, "flops_ratio", net_flops(&c->teacher) / net_flops(n));
}

/* Full-precision sizes: 32 bits per parameter. */
static void record_fp_size(struct dm_ctx *c, const struct net *n)
{
	double bytes = 4.0 * (double)net_param_count(n);
	rb_summary(c->rec, "model_bytes", bytes);
	rb_summary(c->rec, "huffman_bytes", bytes);
	rb_summary(c->rec, "compression_ratio", 1.0);
	rb_summary(c->rec, "huffman_ratio", 1.0);
}

static void record_q_size(struct dm_ctx *c, const struct net *n, double plain, double huffman,
			  int bits)
{
	double fp = 32.0 * (double)net_param_count(n);
	rb_summary(c->rec, "model_bytes", plain / 8.0);
	rb_summary(c->rec, "huffman_bytes", huffman / 8.0);
	rb_summary(c->rec, "compression_ratio", fp / plain);
	rb_summary(c->rec, "huffman_ratio", fp / huffman);
	rb_verify(c->rec, huffman <= plain + 1e-9, "the Huffman size is at most the plain size");
	(void)bits;
}

/* Verifier: the evaluated weights take at most 2^b values per bucket (P1.8). */
static void verify_levels(struct dm_ctx *c, const struct net *n, const float *qw, int bits,
			  int64_t bucket)
{
	rb_eval_begin(c->rec);
	int64_t worst = qm_max_distinct(n, bucket, qw);
	rb_summary(c->rec, "max_values_per_bucket", (double)worst);
	rb_log(c->rec, "verifier: at most %lld distinct values in a bucket of %lld (2^%d = %d)",
	       (long long)worst, (long long)bucket, bits, 1 << bits);
	rb_verify(c->rec, worst >= 1 && worst <= (1LL << bits),
		  "each bucket of the evaluated weights holds at most 2^b distinct values");
	rb_eval_end(c->rec);
}

/* Accuracy, sizes and the verifier of a model quantized by kernels/quant. */
static int finish_uniform(struct dm_ctx *c, const float *w, uint64_t stream)
{
	struct quant_spec q = spec_of(c->run);
	struct qm_size size;
	struct rng r;
	float *qw = alloc_w(&c->student);
	if (!qw)
		return rb_fail(c->rec, RB_OUT_OF_MEMORY, "no memory for the quantized weights");
	rng_seed(&r, c->run->seed, stream);
	if (qm_quantize(&c->student, &q, w, qw, &r, &size) != 0) {
		free(qw);
		return rb_fail(c->rec, RB_ERROR, "quantization failed (bits %d, bucket %lld)", q.bits,
			       (long long)q.bucket);
	}
	record_model(c, &c->student, dm_test_accuracy(c, &c->student, qw));
	record_q_size(c, &c->student, size.bits_plain, size.bits_huffman, q.bits);
	rb_summary(c->rec, "huffman_bits_per_value",
		   (size.bits_huffman - 64.0 * (double)size.buckets) / (double)net_param_count(&c->student));
	verify_levels(c, &c->student, qw, q.bits, q.bucket);
	free(qw);
	return 0;
}

/* ---- dist_teacher ------------------------------------------------------------------ */

/* One full-precision network, trained (or taken from the cache) by `make`, then its
 * accuracy and size recorded: the teacher's run and the distilled student's. */
static int full_precision_run(const struct rb_run *run, struct rb_recorder *rec, bool teacher,
			      int (*make)(struct dm_ctx *c, float *w, int *hit))
{
	struct dm_ctx c;
	int rc = dm_setup(&c, run, rec), hit = 0;
	struct net *n = teacher ? &c.teacher : &c.student;
	float *w = rc ? NULL : alloc_w(n);
	if (!rc && !w)
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the %s", teacher ? "teacher" : "student");
	if (!rc)
		rc = make(&c, w, &hit);
	if (!rc) {
		record_model(&c, n, dm_test_accuracy(&c, n, w));
		record_fp_size(&c, n);
	}
	free(w);
	dm_free(&c);
	return rc;
}

static int teacher_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return full_precision_run(run, rec, true, dm_teacher);
}

/* ---- dist_train: labels only, with the inference timing of P1.7 -------------------- */

struct fwd_side {
	const struct net *n;
	const float *w, *x;
	int64_t rows, samples;
	struct net_ws *ws;
};

static int fwd_run(void *ctx, double seconds, double *elapsed, char *err, size_t errlen)
{
	struct fwd_side *s = ctx;
	double start = calib_now(), t = start;
	(void)err;
	(void)errlen;
	while (t - start < seconds) {
		net_forward(s->n, s->w, s->x, s->rows, s->ws, NULL);
		s->samples += s->rows;
		t = calib_now();
	}
	*elapsed += t - start;
	return 0;
}

static void fwd_restart(void *ctx)
{
	((struct fwd_side *)ctx)->samples = 0;
}

#define DIST_TIME_BATCH 100

/* Paired ABBA timing of the teacher's and the student's forward passes over the same
 * test batch: seconds per sample, and their ratio against the FLOPs ratio. */
static int time_inference(struct dm_ctx *c, const float *tw, const float *sw)
{
	int64_t rows = c->test.rows < DIST_TIME_BATCH ? c->test.rows : DIST_TIME_BATCH;
	struct fwd_side t = { &c->teacher, tw, c->test.x, rows, 0, net_ws_alloc(&c->teacher, rows) };
	struct fwd_side s = { &c->student, sw, c->test.x, rows, 0, net_ws_alloc(&c->student, rows) };
	struct paired_side a = { &t, fwd_run, fwd_restart, 0, 0 }, b = { &s, fwd_run, fwd_restart, 0, 0 };
	char err[256];
	int rc = 0;
	if (!t.ws || !s.ws || rows < 1)
		rc = rb_fail(c->rec, RB_OUT_OF_MEMORY, "no memory for the inference timing");
	else if (paired_alternate(&a, &b, 6, rb_param_real(c->run, "time_s"), err, sizeof(err)) != 0)
		rc = rb_fail(c->rec, RB_ERROR, "inference timing: %s", err);
	if (!rc && t.samples > 0 && s.samples > 0) {
		double ts = a.elapsed / (double)t.samples, ss = b.elapsed / (double)s.samples;
		rb_summary(c->rec, "teacher_s_per_sample", ts);
		rb_summary(c->rec, "student_s_per_sample", ss);
		rb_summary(c->rec, "time_ratio", ts / ss);
		rb_summary(c->rec, "cpu_share", paired_cpu_share(&a, &b, c->run->threads));
	}
	net_ws_free(t.ws);
	net_ws_free(s.ws);
	return rc;
}

static int train_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct dm_ctx c;
	int rc = dm_setup(&c, run, rec), hit = 0;
	float *sw = rc ? NULL : alloc_w(&c.student), *tw = rc ? NULL : alloc_w(&c.teacher);
	if (!rc && (!sw || !tw))
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the networks");
	if (!rc)
		rc = dm_train_student(&c, sw, NULL, NULL);
	if (!rc) {
		record_model(&c, &c.student, dm_test_accuracy(&c, &c.student, sw));
		record_fp_size(&c, &c.student);
		rc = dm_teacher(&c, tw, &hit);
	}
	if (!rc)
		rc = time_inference(&c, tw, sw);
	free(sw);
	free(tw);
	dm_free(&c);
	return rc;
}

/* ---- distill and pm_quant: the cached distilled student ---------------------------- */

static int distill_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return full_precision_run(run, rec, false, dm_distilled);
}

#define DIST_STREAM_QUANT 0x71756eULL

static int pm_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct dm_ctx c;
	int rc = dm_setup(&c, run, rec), hit = 0;
	float *sw = rc ? NULL : alloc_w(&c.student);
	if (!rc && !sw)
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the student");
	if (!rc)
		rc = dm_distilled(&c, sw, &hit);
	if (!rc)
		rc = finish_uniform(&c, sw, DIST_STREAM_QUANT);
	free(sw);
	dm_free(&c);
	return rc;
}

/* ---- quantized_train, quantized_distill -------------------------------------------- */

struct qhook {
	const struct net *n;
	struct quant_spec q;
	struct rng r;
};

static int qhook_weights(void *ctx, const float *w, float *qw)
{
	struct qhook *h = ctx;
	return qm_apply(h->n, &h->q, w, qw, &h->r);
}

static void epoch_loss(void *ctx, int epoch, double loss, double lr)
{
	struct rb_recorder *rec = ctx;
	rb_record(rec, epoch, "train_loss", loss);
	rb_record(rec, epoch, "lr", lr);
}

static int quantized(const struct rb_run *run, struct rb_recorder *rec, int with_teacher)
{
	struct dm_ctx c;
	int rc = dm_setup(&c, run, rec), hit = 0;
	float *sw = rc ? NULL : alloc_w(&c.student), *tw = rc ? NULL : alloc_w(&c.teacher);
	if (!rc && (!sw || !tw))
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the networks");
	if (!rc && with_teacher)
		rc = dm_teacher(&c, tw, &hit);
	if (!rc) {
		struct qhook qh = { &c.student, spec_of(run), { { 0 }, 0, 0 } };
		rng_seed(&qh.r, run->seed, DIST_STREAM_QUANT + 1);
		struct dt_hooks h = { qhook_weights, &qh, epoch_loss, rec };
		rc = dm_train_student(&c, sw, with_teacher ? c.teacher_logits : NULL, &h);
	}
	/* the final model is Q(w): the accuracy is measured on it, never on w */
	if (!rc)
		rc = finish_uniform(&c, sw, DIST_STREAM_QUANT);
	free(sw);
	free(tw);
	dm_free(&c);
	return rc;
}

static int qtrain_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return quantized(run, rec, 0);
}

static int qdistill_run(const struct rb_run *run, struct rb_recorder *rec)
{
	return quantized(run, rec, 1);
}

/* ---- diff_quant -------------------------------------------------------------------- */

struct dq_buf {
	float *qw, *grad, *dz, *xb, *sb;
	int32_t *yb;
	int64_t *order;
	double *gp;
	struct net_ws *ws;
};

static void dqbuf_free(struct dq_buf *b)
{
	free(b->qw);
	free(b->grad);
	free(b->dz);
	free(b->xb);
	free(b->sb);
	free(b->yb);
	free(b->order);
	free(b->gp);
	net_ws_free(b->ws);
}

static int dqbuf_alloc(const struct dm_ctx *c, const struct dq *q, int64_t batch, struct dq_buf *b)
{
	const struct net *n = &c->student;
	int64_t np = net_param_count(n), cls = n->sizes[n->layers], in = n->sizes[0];
	b->qw = malloc((size_t)np * sizeof(float));
	b->grad = malloc((size_t)np * sizeof(float));
	b->dz = malloc((size_t)(batch * cls) * sizeof(float));
	b->xb = malloc((size_t)(batch * in) * sizeof(float));
	b->sb = malloc((size_t)(batch * cls) * sizeof(float));
	b->yb = malloc((size_t)batch * sizeof(int32_t));
	b->order = malloc((size_t)c->train.rows * sizeof(int64_t));
	b->gp = malloc((size_t)q->ntensors * (size_t)q->points * sizeof(double));
	b->ws = net_ws_alloc(n, batch);
	return b->qw && b->grad && b->dz && b->xb && b->sb && b->yb && b->order && b->gp && b->ws
		? 0 : -1;
}

/* One epoch of point training over shuffled batches. */
static void dq_epoch(struct dm_ctx *c, struct dq *q, const float *soft, struct dq_buf *b,
		     struct rng *r, double lr, double momentum)
{
	const struct net *n = &c->student;
	int64_t cls = n->sizes[n->layers], in = n->sizes[0], batch = c->student_opts.batch;
	rng_shuffle_int(r, b->order, c->train.rows);
	for (int64_t first = 0; first < c->train.rows; first += batch) {
		int64_t count = c->train.rows - first < batch ? c->train.rows - first : batch;
		for (int64_t i = 0; i < count; i++) {
			int64_t row = b->order[first + i];
			memcpy(b->xb + i * in, c->train.x + row * in, (size_t)in * sizeof(float));
			memcpy(b->sb + i * cls, soft + row * cls, (size_t)cls * sizeof(float));
			b->yb[i] = c->train.y[row];
		}
		dq_weights(q, b->qw);
		const float *z = net_forward(n, b->qw, b->xb, count, b->ws, NULL);
		dloss_eval(&c->student_opts.loss, z, b->sb, b->yb, count, cls, b->dz);
		net_backward(n, b->qw, b->xb, count, b->dz, b->ws, b->grad);
		dq_point_grad(q, b->grad, b->gp);
		dq_step(q, b->gp, lr, momentum);
	}
	dq_weights(q, b->qw);
}

/* The DQ training: points only, the weights frozen; loss per epoch on the training set. */
static int dq_train(struct dm_ctx *c, struct dq *q, const float *soft, struct dq_buf *b)
{
	struct dt_data d = { c->train.x, c->train.y, soft, c->train.rows };
	struct rng r;
	int epochs = (int)rb_param_int(c->run, "dq_epochs");
	double lr = rb_param_real(c->run, "dq_lr");
	rng_seed(&r, c->run->seed, DIST_STREAM_QUANT + 2);
	for (int64_t i = 0; i < c->train.rows; i++)
		b->order[i] = i;
	dq_weights(q, b->qw);
	rb_record(c->rec, 0, "dq_loss", dt_loss(&c->student, b->qw, &d, &c->student_opts.loss));
	for (int e = 1; e <= epochs; e++) {
		dq_epoch(c, q, soft, b, &r, lr, c->student_opts.momentum);
		rb_eval_begin(c->rec);
		double loss = dt_loss(&c->student, b->qw, &d, &c->student_opts.loss);
		rb_eval_end(c->rec);
		rb_record(c->rec, e, "dq_loss", loss);
		if (!isfinite(loss))
			return rb_fail(c->rec, RB_DIVERGED, "DQ loss not finite at epoch %d", e);
	}
	return 0;
}

/* Soft targets of DQ: the full-precision student's logits (the authors' code) or the
 * teacher's. */
static const float *dq_soft(struct dm_ctx *c, const float *sw, float **own)
{
	if (!strcmp(rb_param_str(c->run, "dq_target"), "teacher"))
		return c->teacher_logits;
	int64_t cls = c->student.sizes[c->student.layers];
	struct net_ws *ws = net_ws_alloc(&c->student, 256);
	*own = malloc((size_t)(c->train.rows * cls) * sizeof(float));
	if (ws && *own)
		net_logits(&c->student, sw, c->train.x, c->train.rows, ws, *own);
	net_ws_free(ws);
	return ws ? *own : NULL;
}

static int dq_finish(struct dm_ctx *c, struct dq *q, const float *qw, int bits)
{
	double huffman = 0.0, plain = dq_bits(q, bits, &huffman);
	record_model(c, &c->student, dm_test_accuracy(c, &c->student, qw));
	record_q_size(c, &c->student, plain, huffman, bits);
	verify_levels(c, &c->student, qw, bits, q->bucket);
	return 0;
}

static int dq_run(const struct rb_run *run, struct rb_recorder *rec)
{
	struct dm_ctx c;
	struct dq q = { 0 };
	struct dq_buf b = { 0 };
	float *own = NULL;
	int rc = dm_setup(&c, run, rec), hit = 0, bits = (int)rb_param_int(run, "bits");
	float *sw = rc ? NULL : alloc_w(&c.student);
	if (!rc && !sw)
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for the student");
	if (!rc)
		rc = dm_distilled(&c, sw, &hit);
	const float *soft = rc ? NULL : dq_soft(&c, sw, &own);
	enum dq_init init = !strcmp(rb_param_str(run, "dq_init"), "uniform") ? DQ_UNIFORM : DQ_QUANTILES;
	if (!rc && (!soft || dq_setup(&q, &c.student, sw, bits, rb_param_int(run, "bucket"), init) != 0
		    || dqbuf_alloc(&c, &q, c.student_opts.batch, &b) != 0))
		rc = rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for differentiable quantization");
	if (!rc)
		rc = dq_train(&c, &q, soft, &b);
	if (!rc)
		rc = dq_finish(&c, &q, b.qw, bits);
	dqbuf_free(&b);
	dq_free(&q);
	free(own);
	free(sw);
	dm_free(&c);
	return rc;
}

#define DIST_ALGO(var, nm, sum, table, fn, noseed)                                                  \
	const struct rb_algorithm var = { .name = nm, .family = "distillation", .summary = sum,     \
					  .paper = "arXiv 1802.05668", .params = table,                \
					  .needs_data = 1, .seedless = noseed, .run = fn }

DIST_ALGO(dist_teacher_algorithm, "dist_teacher",
	  "the full-precision teacher ReLU MLP on labels (trained once, cached)", fp_params,
	  teacher_run, 1); /* the teacher depends on teacher_seed, not the run's seed */
DIST_ALGO(dist_train_algorithm, "dist_train",
	  "a full-precision student on labels only; times its inference against the teacher's",
	  train_params, train_run, 0);
DIST_ALGO(distill_algorithm, "distill",
	  "a full-precision student trained with the distillation loss (cached per seed)",
	  fp_params, distill_run, 0);
DIST_ALGO(pm_quant_algorithm, "pm_quant",
	  "post-mortem uniform quantization of the distilled student, with or without buckets",
	  quant_params, pm_run, 0);
DIST_ALGO(quantized_train_algorithm, "quantized_train",
	  "quantized training on labels: shadow weights, passes at Q(w), final model Q(w)",
	  quant_params, qtrain_run, 0);
DIST_ALGO(quantized_distill_algorithm, "quantized_distill",
	  "quantized distillation (Algorithm 1): shadow weights, distillation loss at Q(w)",
	  quant_params, qdistill_run, 0);
DIST_ALGO(diff_quant_algorithm, "diff_quant",
	  "differentiable quantization: learned points per tensor, weights frozen",
	  dq_params, dq_run, 0);
