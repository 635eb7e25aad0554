/*
 * recorder: the run-side half of a run folder. Series stream to series.csv (metric
 * names are identifiers, values numbers, so plain stdio writes valid CSV); summaries,
 * verifier verdicts, status and timings go to result.json at the end, which the
 * executor folds into run.json.
 */
#include "suite/recorder.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rb_recorder {
	char dir[4096];
	FILE *series;
	FILE *log;
	json_t *summaries;
	json_t *verify;
	enum rb_status status;
	char message[512];
	double wall_start, cpu_start;
	double eval_wall, eval_cpu;       /* accumulated evaluation time */
	double eval_wall_at, eval_cpu_at; /* start of the open evaluation, < 0 when none */
	long n_records;
};

static const char *const status_names[RB_STATUS_COUNT] = {
	[RB_OK] = "ok",
	[RB_DIVERGED] = "diverged",
	[RB_VERIFY_FAILED] = "verify_failed",
	[RB_INVALID_INPUT] = "invalid_input",
	[RB_OUT_OF_MEMORY] = "out_of_memory",
	[RB_ERROR] = "error",
	[RB_TIMEOUT] = "timeout",
	[RB_CRASHED] = "crashed",
};

const char *rb_status_name(enum rb_status s)
{
	return (s >= 0 && s < RB_STATUS_COUNT) ? status_names[s] : "error";
}

int rb_status_parse(const char *name)
{
	for (int s = 0; s < RB_STATUS_COUNT; s++)
		if (!strcmp(status_names[s], name))
			return s;
	return -1;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Metric names become SQL values and CSV fields: keep them identifiers. */
static int metric_name_ok(const char *m)
{
	if (!m || !*m || strlen(m) > 63)
		return 0;
	for (const char *p = m; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

static void set_failure(struct rb_recorder *rec, enum rb_status st, const char *msg)
{
	if (rec->status != RB_OK)
		return;
	rec->status = st;
	snprintf(rec->message, sizeof(rec->message), "%s", msg);
}

void rb_record(struct rb_recorder *rec, double step, const char *metric, double value)
{
	if (!metric_name_ok(metric)) {
		set_failure(rec, RB_ERROR, "invalid metric name");
		return;
	}
	if (!isfinite(value) || !isfinite(step)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "non-finite %s at step %g", metric, step);
		set_failure(rec, RB_DIVERGED, msg);
		return;
	}
	fprintf(rec->series, "%.17g,%s,%.17g\n", step, metric, value);
	rec->n_records++;
}

void rb_summary(struct rb_recorder *rec, const char *metric, double value)
{
	if (!metric_name_ok(metric)) {
		set_failure(rec, RB_ERROR, "invalid summary name");
		return;
	}
	if (!isfinite(value)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "non-finite summary %s", metric);
		set_failure(rec, RB_DIVERGED, msg);
		return;
	}
	json_object_set_new(rec->summaries, metric, json_real(value));
}

int rb_fail(struct rb_recorder *rec, enum rb_status status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_failure(rec, status, msg);
	rb_log(rec, "failure: %s: %s", rb_status_name(status), msg);
	return (int)status;
}

void rb_verify(struct rb_recorder *rec, bool passed, const char *what)
{
	json_array_append_new(rec->verify, json_pack("{s:s, s:b}", "check", what, "passed", passed));
	rb_log(rec, "verify: %s: %s", what, passed ? "PASS" : "FAIL");
	if (!passed) {
		char msg[512];
		snprintf(msg, sizeof(msg), "verifier failed: %s", what);
		set_failure(rec, RB_VERIFY_FAILED, msg);
	}
}

bool rb_diverged(const struct rb_recorder *rec)
{
	return rec->status == RB_DIVERGED;
}

void rb_log(struct rb_recorder *rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(rec->log, fmt, ap);
	va_end(ap);
	fputc('\n', rec->log);
	fflush(rec->log);
}

void rb_eval_begin(struct rb_recorder *rec)
{
	rec->eval_wall_at = clock_s(CLOCK_MONOTONIC);
	rec->eval_cpu_at = clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

void rb_eval_end(struct rb_recorder *rec)
{
	if (rec->eval_wall_at < 0)
		return;
	rec->eval_wall += clock_s(CLOCK_MONOTONIC) - rec->eval_wall_at;
	rec->eval_cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - rec->eval_cpu_at;
	rec->eval_wall_at = -1;
}

static FILE *open_in(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

struct rb_recorder *rb_recorder_open(const char *dir, char *err, size_t errlen)
{
	struct rb_recorder *rec = calloc(1, sizeof(*rec));
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(rec->dir, sizeof(rec->dir), "%s", dir);
	rec->series = open_in(dir, "series.csv", err, errlen);
	rec->log = rec->series ? open_in(dir, "log", err, errlen) : NULL;
	if (!rec->series || !rec->log) {
		if (rec->series)
			fclose(rec->series);
		free(rec);
		return NULL;
	}
	fputs("step,metric,value\n", rec->series);
	rec->summaries = json_object();
	rec->verify = json_array();
	rec->eval_wall_at = -1;
	rec->wall_start = clock_s(CLOCK_MONOTONIC);
	rec->cpu_start = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	return rec;
}

enum rb_status rb_recorder_status(const struct rb_recorder *rec)
{
	return rec->status;
}

int rb_recorder_close(struct rb_recorder *rec, int algorithm_rc)
{
	rb_eval_end(rec);
	double wall = clock_s(CLOCK_MONOTONIC) - rec->wall_start;
	double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - rec->cpu_start;
	if (algorithm_rc != 0 && rec->status == RB_OK)
		set_failure(rec, algorithm_rc > 0 && algorithm_rc < RB_TIMEOUT ? (enum rb_status)algorithm_rc
									 : RB_ERROR,
			    "algorithm returned a failure without a message");
	json_t *res = json_pack("{s:s, s:s, s:O, s:O, s:f, s:f, s:f, s:f, s:I}",
				"status", rb_status_name(rec->status), "message", rec->message,
				"summaries", rec->summaries, "verify", rec->verify,
				"algo_wall_s", wall - rec->eval_wall, "algo_cpu_s", cpu - rec->eval_cpu,
				"eval_wall_s", rec->eval_wall, "eval_cpu_s", rec->eval_cpu,
				"records", (json_int_t)rec->n_records);
	char path[4200];
	snprintf(path, sizeof(path), "%s/result.json", rec->dir);
	int rc = json_dump_file(res, path, JSON_INDENT(2) | JSON_SORT_KEYS);
	rc |= fclose(rec->series);
	rc |= fclose(rec->log);
	json_decref(res);
	json_decref(rec->summaries);
	json_decref(rec->verify);
	free(rec);
	return rc ? -1 : 0;
}
