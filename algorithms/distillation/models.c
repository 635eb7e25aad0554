/*
 * models: data, architectures and the cached teacher / distilled student (models.h).
 */
#include "algorithms/distillation/models.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/distillation/netcache.h"
#include "suite/fingerprint.h"

/* Stream ids of the rng: one per purpose, so that adding a draw to one never shifts
 * another's. */
#define DM_STREAM_TEACHER 0x7465610000ULL
#define DM_STREAM_STUDENT 0x737475ULL

static int split_to_float(const struct ds_split *s, int64_t classes, struct dm_split *out)
{
	int64_t n = s->x.rows * s->x.cols;
	out->rows = s->x.rows;
	out->x = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
	out->y = malloc((size_t)(s->x.rows > 0 ? s->x.rows : 1) * sizeof(int32_t));
	if (!out->x || !out->y)
		return -1;
	for (int64_t i = 0; i < n; i++)
		out->x[i] = (float)s->x.dense[i];
	for (int64_t i = 0; i < s->x.rows; i++) {
		double y = s->y[i];
		if (!(y >= 0 && y < (double)classes && y == floor(y)))
			return -2;
		out->y[i] = (int32_t)y;
	}
	return 0;
}

static struct net make_net(int64_t inputs, int64_t width, int hidden_layers, int64_t classes,
			   double dropout)
{
	struct net n = { .layers = hidden_layers + 1, .dropout = (float)dropout };
	n.sizes[0] = inputs;
	for (int l = 1; l <= hidden_layers; l++)
		n.sizes[l] = width;
	n.sizes[hidden_layers + 1] = classes;
	return n;
}

static struct dt_opts make_opts(const struct rb_run *run, const char *epochs_param)
{
	struct dt_opts o = {
		.epochs = (int)rb_param_int(run, epochs_param),
		.batch = rb_param_int(run, "batch"),
		.lr = rb_param_real(run, "lr"),
		.momentum = rb_param_real(run, "momentum"),
		.weight_decay = rb_param_real(run, "weight_decay"),
		.patience = (int)rb_param_int(run, "patience"),
		.loss = { .weight = rb_param_real(run, "distill_weight"),
			  .temperature = rb_param_real(run, "temperature"),
			  .kl_per_element = !strcmp(rb_param_str(run, "kl_mean"), "element") },
	};
	return o;
}

/* Everything the teacher's weights depend on. */
static void teacher_key(struct dm_ctx *c)
{
	const struct rb_run *run = c->run;
	snprintf(c->teacher_key, sizeof(c->teacher_key),
		 "teacher v1 code=%s data=%s train=%lld width=%lld layers=%lld dropout=%.17g "
		 "epochs=%d batch=%lld lr=%.17g momentum=%.17g wd=%.17g patience=%d seed=%lld",
		 rb_fingerprint_of("distillation"), run->data->checksum, (long long)c->train.rows,
		 rb_param_int(run, "teacher_hidden"), rb_param_int(run, "teacher_layers"),
		 rb_param_real(run, "teacher_dropout"), c->teacher_opts.epochs,
		 (long long)c->teacher_opts.batch, c->teacher_opts.lr, c->teacher_opts.momentum,
		 c->teacher_opts.weight_decay, c->teacher_opts.patience,
		 rb_param_int(run, "teacher_seed"));
}

int dm_setup(struct dm_ctx *c, const struct rb_run *run, struct rb_recorder *rec)
{
	const struct ds_dataset *d = run->data;
	memset(c, 0, sizeof(*c));
	c->run = run;
	c->rec = rec;
	if (d->classes < 2 || d->train.x.sparse || d->test.x.sparse)
		return rb_fail(rec, RB_INVALID_INPUT, "distillation needs dense multi-class data; "
			       "%s is not", d->name);
	int rc = split_to_float(&d->train, d->classes, &c->train);
	rc = rc ? rc : split_to_float(&d->test, d->classes, &c->test);
	if (rc == -1)
		return rb_fail(rec, RB_OUT_OF_MEMORY, "no memory for %s in float", d->name);
	if (rc == -2)
		return rb_fail(rec, RB_INVALID_INPUT, "%s has a label outside 0..%d", d->name,
			       d->classes - 1);
	int64_t in = d->train.x.cols;
	c->teacher = make_net(in, rb_param_int(run, "teacher_hidden"),
			      (int)rb_param_int(run, "teacher_layers"), d->classes,
			      rb_param_real(run, "teacher_dropout"));
	c->student = make_net(in, rb_param_int(run, "hidden"), (int)rb_param_int(run, "student_layers"),
			      d->classes, 0.0);
	c->teacher_opts = make_opts(run, "teacher_epochs");
	c->student_opts = make_opts(run, "epochs");
	teacher_key(c);
	return 0;
}

void dm_free(struct dm_ctx *c)
{
	free(c->train.x);
	free(c->train.y);
	free(c->test.x);
	free(c->test.y);
	free(c->teacher_logits);
	memset(c, 0, sizeof(*c));
}

/* Train n from init, stream `stream` of `seed`, on the training split. */
static int train_net(struct dm_ctx *c, const struct net *n, float *w, const struct dt_opts *o,
		     const float *soft, const struct dt_hooks *h, uint64_t seed, uint64_t stream)
{
	struct rng r;
	rng_seed(&r, seed, stream);
	net_init(n, w, &r);
	struct dt_data d = { c->train.x, c->train.y, soft, c->train.rows };
	int rc = dt_train(n, w, &d, o, h, &r);
	if (rc == -1)
		return rb_fail(c->rec, RB_OUT_OF_MEMORY, "no memory to train a %lld-parameter network",
			       (long long)net_param_count(n));
	if (rc == -2)
		return rb_fail(c->rec, RB_DIVERGED, "the training loss is not finite");
	return 0;
}

/* Load key's network or train it with `train` and store it. */
static int cached(struct dm_ctx *c, const char *key, const struct net *n, float *w, int *hit,
		  int (*train)(struct dm_ctx *, float *))
{
	char path[4096], err[512];
	netcache_path(key, path, sizeof(path));
	*hit = netcache_load(path, w, net_param_count(n));
	if (*hit) {
		rb_log(c->rec, "cache hit: %s (%s)", path, key);
		return 0;
	}
	int rc = train(c, w);
	if (rc)
		return rc;
	if (netcache_store(path, w, net_param_count(n), err, sizeof(err)) != 0)
		rb_log(c->rec, "cache not written (%s); the run goes on", err);
	else
		rb_log(c->rec, "cache stored: %s (%s)", path, key);
	return 0;
}

static int train_teacher(struct dm_ctx *c, float *w)
{
	return train_net(c, &c->teacher, w, &c->teacher_opts, NULL, NULL,
			 (uint64_t)rb_param_int(c->run, "teacher_seed"), DM_STREAM_TEACHER);
}

int dm_teacher(struct dm_ctx *c, float *tw, int *hit)
{
	int rc = cached(c, c->teacher_key, &c->teacher, tw, hit, train_teacher);
	if (rc)
		return rc;
	int64_t cls = c->teacher.sizes[c->teacher.layers];
	struct net_ws *ws = net_ws_alloc(&c->teacher, 256);
	free(c->teacher_logits);
	c->teacher_logits = malloc((size_t)(c->train.rows * cls) * sizeof(float));
	if (!ws || !c->teacher_logits) {
		net_ws_free(ws);
		return rb_fail(c->rec, RB_OUT_OF_MEMORY, "no memory for the teacher's logits");
	}
	net_logits(&c->teacher, tw, c->train.x, c->train.rows, ws, c->teacher_logits);
	net_ws_free(ws);
	return 0;
}

static int train_distilled(struct dm_ctx *c, float *w)
{
	return train_net(c, &c->student, w, &c->student_opts, c->teacher_logits, NULL, c->run->seed,
			 DM_STREAM_STUDENT);
}

int dm_distilled(struct dm_ctx *c, float *sw, int *hit)
{
	int thit = 0;
	float *tw = malloc((size_t)net_param_count(&c->teacher) * sizeof(float));
	if (!tw)
		return rb_fail(c->rec, RB_OUT_OF_MEMORY, "no memory for the teacher");
	int rc = dm_teacher(c, tw, &thit);
	free(tw);
	if (rc)
		return rc;
	char key[2048];
	const struct dt_opts *o = &c->student_opts;
	snprintf(key, sizeof(key),
		 "distilled v1 {%s} width=%lld layers=%lld epochs=%d batch=%lld lr=%.17g "
		 "momentum=%.17g wd=%.17g patience=%d w=%.17g T=%.17g kl=%d seed=%llu",
		 c->teacher_key, rb_param_int(c->run, "hidden"), rb_param_int(c->run, "student_layers"),
		 o->epochs, (long long)o->batch, o->lr, o->momentum, o->weight_decay, o->patience,
		 o->loss.weight, o->loss.temperature, o->loss.kl_per_element,
		 (unsigned long long)c->run->seed);
	return cached(c, key, &c->student, sw, hit, train_distilled);
}

int dm_train_student(struct dm_ctx *c, float *sw, const float *soft, const struct dt_hooks *h)
{
	return train_net(c, &c->student, sw, &c->student_opts, soft, h, c->run->seed,
			 DM_STREAM_STUDENT);
}

double dm_test_accuracy(struct dm_ctx *c, const struct net *n, const float *w)
{
	struct net_ws *ws = net_ws_alloc(n, 256);
	if (!ws)
		return NAN;
	rb_eval_begin(c->rec);
	double a = 100.0 * net_accuracy(n, w, c->test.x, c->test.y, c->test.rows, ws);
	rb_eval_end(c->rec);
	net_ws_free(ws);
	return a;
}
