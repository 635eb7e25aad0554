/* stress_relaxed_mis: see stress_relaxed_mis.h. */
#include "tests/unit/stress_relaxed_mis.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/relaxed_mis/greedy.h"
#include "algorithms/relaxed_mis/mis_exec.h"
#include "datasets/gen_graph.h"

const struct stress_mis_case stress_mis_cases[] = {
	{ "mis_multiqueue_4_threads", "mis", "er", "multiqueue", 4, 2, 1, 4 },
	{ "mis_multiqueue_2_threads_one_queue_each", "mis", "er", "multiqueue", 2, 1, 1, 6 },
	{ "matching_multiqueue_4_threads_sticky", "matching", "rmat", "multiqueue", 4, 2, 8, 3 },
	{ "mis_locked_heap_3_threads", "mis", "rmat", "locked_heap", 3, 1, 1, 3 },
	{ NULL, NULL, NULL, NULL, 0, 0, 0, 0 },
};

const struct stress_mis_case *stress_mis_find(const char *name)
{
	for (const struct stress_mis_case *c = stress_mis_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int set_int(struct rb_paramset *ps, const char *name, long long i)
{
	struct rb_value v = *rb_paramset_get(ps, name);

	v.i = i;
	rb_paramset_set(ps, name, &v);
	return 0;
}

/* G(n, m) with n = 4000, degree 10, or RMAT scale 11 (hubs: long matching frontiers). */
static int make_graph(const char *kind, struct ds_dataset *d, char *err, size_t errlen)
{
	bool er = !strcmp(kind, "er");
	const struct rb_param_spec *spec = er ? gengraph_er_params : gengraph_rmat_params;
	struct rb_paramset ps;

	if (rb_paramset_defaults(spec, &ps, err, errlen) != 0)
		return -1;
	if (er) {
		set_int(&ps, "n", 4000);
		set_int(&ps, "m", 20000);
		return gengraph_er_generate(&ps, d, err, errlen);
	}
	set_int(&ps, "scale", 11);
	set_int(&ps, "edge_factor", 8);
	return gengraph_rmat_generate(&ps, d, err, errlen);
}

struct worker {
	pthread_t id;
	struct mis_shared *sh;
	int tid;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	mis_thread(w->sh, w->tid);
	return NULL;
}

/* One concurrent run on pthreads; -1 with a reason in err. */
static int run_once(struct greedy_instance *in, const struct mis_parallel_config *cfg,
		    struct mis_thread_counts *counts, char *err, size_t errlen)
{
	struct mis_shared sh;
	struct worker w[16];
	int started = 0;

	greedy_reset(in);
	if (mis_shared_open(&sh, in, cfg, counts) != 0) {
		snprintf(err, errlen, "out of memory for the queue");
		return -1;
	}
	for (; started < cfg->threads; started++) {
		w[started] = (struct worker){ .sh = &sh, .tid = started };
		if (pthread_create(&w[started].id, NULL, worker_main, &w[started]) != 0)
			break;
	}
	for (int k = 0; k < started; k++)
		pthread_join(w[k].id, NULL);
	bool failed = started < cfg->threads || mis_shared_failed(&sh);
	mis_shared_close(&sh);
	if (failed)
		snprintf(err, errlen, "a thread could not start or ran out of memory");
	return failed ? -1 : 0;
}

static int check_run(const struct greedy_instance *in, const struct mis_thread_counts *counts,
		     int threads, const uint8_t *ref, uint8_t *out, char *err, size_t errlen)
{
	uint64_t finished = 0;

	for (int t = 0; t < threads; t++)
		finished += counts[t].c.processed + counts[t].c.dead;
	if (!greedy_result(in, out))
		return snprintf(err, errlen, "a task is still undecided"), -1;
	if (finished != in->tasks)
		return snprintf(err, errlen, "processed + dead = %llu, tasks %u",
				(unsigned long long)finished, in->tasks), -1;
	if (memcmp(ref, out, in->tasks) != 0)
		return snprintf(err, errlen, "the set differs from sequential greedy's"), -1;
	return 0;
}

static int run_case(const struct stress_mis_case *c, struct greedy_instance *in, char *err,
		    size_t errlen)
{
	struct mis_parallel_config cfg = {
		.ops = strcmp(c->structure, "locked_heap") ? &multiqueue_ops : &locked_heap_ops,
		.threads = c->threads, .queues = c->queues_per_thread * c->threads,
		.stickiness = c->stickiness, .seed = 7,
	};
	struct mis_thread_counts *counts = aligned_alloc(64, 16 * sizeof(*counts));
	uint8_t *ref = malloc(in->tasks + 1), *out = malloc(in->tasks + 1);
	int rc = counts && ref && out && c->threads <= 16 ? 0 : -1;

	if (rc)
		snprintf(err, errlen, "out of memory, or more than 16 threads");
	else
		greedy_sequential(in, ref);
	for (int k = 0; k < c->repeats && rc == 0; k++) {
		cfg.seed = 7 + (uint64_t)k;
		rc = run_once(in, &cfg, counts, err, errlen);
		rc = rc ? rc : check_run(in, counts, c->threads, ref, out, err, errlen);
	}
	free(counts);
	free(ref);
	free(out);
	return rc;
}

int stress_mis_run(const struct stress_mis_case *c, char *err, size_t errlen)
{
	struct ds_dataset d;
	struct greedy_instance in;

	memset(&d, 0, sizeof(d));
	if (make_graph(c->graph, &d, err, errlen) != 0)
		return -1;
	enum greedy_problem p = strcmp(c->problem, "matching") ? GREEDY_MIS : GREEDY_MATCHING;
	if (greedy_init(&in, p, &d.graph, 5) != 0) {
		ds_dataset_free(&d);
		snprintf(err, errlen, "out of memory for the instance");
		return -1;
	}
	int rc = run_case(c, &in, err, errlen);
	greedy_free(&in);
	ds_dataset_free(&d);
	return rc;
}

int stress_relaxed_mis_run_all(FILE *out)
{
	int failed = 0;

	for (const struct stress_mis_case *c = stress_mis_cases; c->name; c++) {
		char err[256] = "";
		int rc = stress_mis_run(c, err, sizeof(err));
		fprintf(out, "%s %s%s%s\n", rc ? "FAIL" : "PASS", c->name, rc ? ": " : "", err);
		failed += rc != 0;
	}
	return failed;
}
