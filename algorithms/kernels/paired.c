/* paired: see paired.h. */
#include "algorithms/kernels/paired.h"

#include <omp.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int paired_team(int threads, double seconds, double *elapsed, atomic_bool *stop, double *deadline,
		void (*loop)(void *ctx, int tid), void *ctx)
{
	double start = 0.0;
	int team = 0;

	atomic_store(stop, false);
#pragma omp parallel num_threads(threads)
	{
#pragma omp single
		team = omp_get_num_threads();
		/* implicit barrier of `single`: everyone starts together */
#pragma omp master
		{
			start = wall_now();
			*deadline = start + seconds;
		}
#pragma omp barrier
		if (team == threads)
			loop(ctx, omp_get_thread_num());
#pragma omp barrier
#pragma omp master
		*elapsed += wall_now() - start;
	}
	return team;
}

bool paired_over(atomic_bool *stop, double deadline, int tid)
{
	if (tid == 0 && wall_now() >= deadline)
		atomic_store_explicit(stop, true, memory_order_relaxed);
	return atomic_load_explicit(stop, memory_order_relaxed);
}

static int slice(struct paired_side *s, double seconds, char *err, size_t errlen)
{
	double cpu = cpu_now();
	int rc = s->run(s->ctx, seconds, &s->elapsed, err, errlen);

	s->cpu += cpu_now() - cpu;
	return rc;
}

static int warm_up(struct paired_side *a, struct paired_side *b, char *err, size_t errlen)
{
	if (slice(a, PAIRED_WARMUP_S, err, errlen) != 0)
		return -1;
	if (b && slice(b, PAIRED_WARMUP_S, err, errlen) != 0)
		return -1;
	a->elapsed = a->cpu = 0.0;
	a->restart(a->ctx);
	if (b) {
		b->elapsed = b->cpu = 0.0;
		b->restart(b->ctx);
	}
	return 0;
}

int paired_alternate(struct paired_side *a, struct paired_side *b, int slices, double seconds,
		     char *err, size_t errlen)
{
	double each = seconds / slices;
	int rc = warm_up(a, b, err, errlen);

	for (int k = 0; k < slices && rc == 0; k++) {
		bool b_first = b && k % 2 == 1;
		if (b_first)
			rc = slice(b, each, err, errlen);
		rc = rc ? rc : slice(a, each, err, errlen);
		if (b && !b_first && rc == 0)
			rc = slice(b, each, err, errlen);
	}
	return rc;
}

double paired_cpu_share(const struct paired_side *a, const struct paired_side *b, int threads)
{
	double cpu = a->cpu + (b ? b->cpu : 0.0), wall = a->elapsed + (b ? b->elapsed : 0.0);

	return cpu / (wall * threads);
}
