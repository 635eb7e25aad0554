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

#include "suite/error.h"
#include "suite/paths.h"

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
	int write_errno; /* the first failed write to series.csv or log, 0 for none */
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

/* stdio reports a full disk on the write that flushes, and errno is gone by the time
 * the files are closed: keep the first reason. */
static void note_write_error(struct rb_recorder *rec)
{
	if (!rec->write_errno)
		rec->write_errno = errno ? errno : EIO;
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
	if (fprintf(rec->series, "%.17g,%s,%.17g\n", step, metric, value) < 0)
		note_write_error(rec);
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
	int bad = vfprintf(rec->log, fmt, ap) < 0;
	va_end(ap);
	bad |= fputc('\n', rec->log) == EOF;
	bad |= fflush(rec->log) != 0;
	if (bad)
		note_write_error(rec);
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
		rb_error(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

/* fclose, and whether every buffered write before it reached the file: a full disk
 * shows up only here, when stdio flushes. */
static int close_in(FILE *f, int earlier_errno, const char *dir, const char *name, char *err,
		    size_t errlen)
{
	int bad = ferror(f);
	errno = 0;
	if (fclose(f) == 0 && !bad)
		return 0;
	int e = earlier_errno ? earlier_errno : errno ? errno : EIO;
	return rb_error(err, errlen, "%s/%s: cannot write: %s", dir, name, strerror(e));
}

struct rb_recorder *rb_recorder_open(const char *dir, char *err, size_t errlen)
{
	struct rb_recorder *rec = calloc(1, sizeof(*rec));
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(rec->dir, sizeof(rec->dir), "%s", dir);
	if (rb_fault_enospc()) {
		rb_error(err, errlen, "%s/series.csv: cannot create: %s", dir, strerror(errno));
		free(rec);
		return NULL;
	}
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

/* result.json last: the executor takes a run without one for a crash. */
static int write_result(struct rb_recorder *rec, json_t *res, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/result.json", rec->dir);
	errno = 0;
	if (rb_fault_enospc() || json_dump_file(res, path, JSON_INDENT(2) | JSON_SORT_KEYS))
		return rb_error(err, errlen, "%s: cannot write: %s", path,
				errno ? strerror(errno) : "unknown error");
	return 0;
}

int rb_recorder_finish(struct rb_recorder *rec, int algorithm_rc, char *err, size_t errlen)
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
	/* The series and log first: a result.json beside a truncated series would pass
	 * for a complete run. The first failure is the one reported. */
	int rc = close_in(rec->series, rec->write_errno, rec->dir, "series.csv", err, errlen);
	rc |= close_in(rec->log, rec->write_errno, rec->dir, "log", rc ? NULL : err, rc ? 0 : errlen);
	if (rc == 0)
		rc = write_result(rec, res, err, errlen);
	json_decref(res);
	json_decref(rec->summaries);
	json_decref(rec->verify);
	free(rec);
	return rc ? -1 : 0;
}

int rb_recorder_close(struct rb_recorder *rec, int algorithm_rc)
{
	return rb_recorder_finish(rec, algorithm_rc, NULL, 0);
}
