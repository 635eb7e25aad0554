/* selftest: deterministic outcomes for testing the harness itself. */
#include "suite/selftest.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct rb_param_spec selftest_params[] = {
	{"behaviour", RB_CHOICE, "ok", 0, 0, "ok|nan|crash|hang|error|verify_fail",
	 "what the run does: finish, record NaN, die on SIGSEGV, never end, fail, fail its verifier"},
	{"steps", RB_INT, "5", 1, 100000, NULL, "points recorded in the series 'value'"},
	{"step_ms", RB_INT, "0", 0, 600000, NULL, "milliseconds slept per step (to make runs slow)"},
	{"x", RB_REAL, "1", -1e9, 1e9, NULL, "value whose square is the summary 'x_squared'"},
	{NULL, 0, NULL, 0, 0, NULL, NULL},
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int selftest_run(const struct rb_run *run, struct rb_recorder *rec)
{
	const char *b = rb_param_str(run, "behaviour");
	long long steps = rb_param_int(run, "steps");
	double x = rb_param_real(run, "x");
	/* A seed-dependent series so repeats differ and bands have width. */
	double jitter = 0.01 * (double)(run->seed % 7);
	for (long long i = 0; i < steps; i++) {
		sleep_ms((long)rb_param_int(run, "step_ms"));
		rb_record(rec, (double)i, "value", x * (double)(i + 1) + jitter);
		if (!strcmp(b, "nan") && i == steps / 2)
			rb_record(rec, (double)i, "value", NAN);
		if (rb_diverged(rec))
			return RB_DIVERGED;
	}
	if (!strcmp(b, "crash"))
		raise(SIGSEGV);
	while (!strcmp(b, "hang"))
		sleep_ms(1000);
	if (!strcmp(b, "error"))
		return rb_fail(rec, RB_ERROR, "selftest asked to fail");
	rb_summary(rec, "x_squared", x * x + jitter);
	rb_verify(rec, strcmp(b, "verify_fail") != 0, "selftest verifier");
	return 0;
}

/* Exercises the cross-parameter check: a self-test sleeps at most ten minutes in all. */
static int selftest_validate(const struct rb_paramset *ps, char *err, size_t errlen)
{
	long long steps = rb_paramset_get(ps, "steps")->i, ms = rb_paramset_get(ps, "step_ms")->i;
	if (steps * ms <= 600000)
		return 0;
	snprintf(err, errlen, "steps x step_ms = %lld ms is over the 600000 ms a self-test may sleep",
		 steps * ms);
	return -1;
}

const struct rb_algorithm selftest_algorithm = {
	.name = "selftest",
	.family = "harness",
	.summary = "harness self-test: finishes, diverges, crashes, hangs or fails on request",
	.paper = "",
	.params = selftest_params,
	.needs_data = 0,
	.run = selftest_run,
	.validate = selftest_validate,
};
