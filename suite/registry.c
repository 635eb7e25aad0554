/*
 * registry: the one table of runnable algorithms. To add an algorithm, define its
 * `const struct rb_algorithm` in its family folder and list it here.
 */
#include "suite/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/htm_conflict/competitive.h"
#include "algorithms/htm_conflict/throughput.h"
#include "algorithms/relaxed_mis/mis_experiments.h"
#include "algorithms/relaxed_structures/mc_experiments.h"
#include "algorithms/relaxed_structures/mq_experiments.h"
#include "algorithms/sparse_collectives/qsgd_check.h"
#include "algorithms/sparse_collectives/sparse_allreduce_bench.h"
#include "algorithms/sparsified_sgd/sgd.h"
#include "algorithms/sparsified_sgd/topk_sgd.h"
#include "algorithms/tl2/tl2_experiments.h"
#include "suite/selftest.h"

static const struct rb_algorithm *const registry[] = {
	&sgd_algorithm,
	&gd_full_algorithm,
	&topk_sgd_algorithm,
	&dense_sgd_algorithm,
	&conflict_worst_case_algorithm,
	&conflict_stochastic_algorithm,
	&htm_sim_algorithm,
	&multiqueue_seq_algorithm,
	&multiqueue_algorithm,
	&locked_heap_algorithm,
	&multicounter_seq_algorithm,
	&multicounter_algorithm,
	&fetch_add_counter_algorithm,
	&mis_sim_algorithm,
	&mis_parallel_algorithm,
	&tl2_algorithm,
	&sparse_allreduce_bench_algorithm,
	&qsgd_check_algorithm,
	&selftest_algorithm,
	NULL,
};

const struct rb_algorithm *const *rb_registry_all(void)
{
	return registry;
}

const struct rb_algorithm *rb_registry_find(const char *name)
{
	for (const struct rb_algorithm *const *a = registry; *a; a++)
		if (!strcmp((*a)->name, name))
			return *a;
	return NULL;
}

static const struct rb_value *typed(const struct rb_run *run, const char *name, enum rb_param_type t)
{
	const struct rb_value *v = rb_paramset_get(&run->params, name);
	if (v->type != t) {
		fprintf(stderr, "relaxbench: internal error: parameter '%s' is a %s, read as a %s\n",
			name, rb_param_type_name(v->type), rb_param_type_name(t));
		abort();
	}
	return v;
}

long long rb_param_int(const struct rb_run *run, const char *name)
{
	return typed(run, name, RB_INT)->i;
}

double rb_param_real(const struct rb_run *run, const char *name)
{
	return typed(run, name, RB_REAL)->r;
}

const char *rb_param_str(const struct rb_run *run, const char *name)
{
	return typed(run, name, RB_CHOICE)->s;
}

int rb_param_bool(const struct rb_run *run, const char *name)
{
	return (int)typed(run, name, RB_BOOL)->i;
}
