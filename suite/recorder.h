/*
 * recorder: what an algorithm reports. Series (`rb_record`: a metric at a step, e.g.
 * loss per epoch) go to series.csv as they come; scalars (`rb_summary`) go to run.json.
 * A non-finite value marks the run `diverged`. Time spent between rb_eval_begin and
 * rb_eval_end (evaluation on the test set, a verifier) is excluded from the
 * algorithm's timing (DESIGN.md, "Runs and results").
 */
#ifndef RECORDER_H
#define RECORDER_H

#include <stdbool.h>
#include <stdio.h>

enum rb_status {
	RB_OK = 0,
	RB_DIVERGED,      /* NaN or Inf in a recorded value */
	RB_VERIFY_FAILED, /* the family's verifier rejected the result */
	RB_INVALID_INPUT, /* the data or a parameter combination the algorithm refuses */
	RB_OUT_OF_MEMORY,
	RB_ERROR,         /* any other failure the algorithm reports */
	RB_TIMEOUT,       /* set by the harness: the run exceeded its time limit */
	RB_CRASHED,       /* set by the harness: the run died on a signal or exited oddly */
	RB_STATUS_COUNT
};

const char *rb_status_name(enum rb_status s);
/* -1 when `name` is no status. */
int rb_status_parse(const char *name);

struct rb_recorder;

void rb_record(struct rb_recorder *rec, double step, const char *metric, double value);
void rb_summary(struct rb_recorder *rec, const char *metric, double value);
/* Record a failure; returns the status so that `return rb_fail(...)` reads well. The
 * first failure wins. */
int rb_fail(struct rb_recorder *rec, enum rb_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The verifier's verdict; a failed verification makes the run `verify_failed`. */
void rb_verify(struct rb_recorder *rec, bool passed, const char *what);
/* True once a non-finite value was recorded: a loop can stop early. */
bool rb_diverged(const struct rb_recorder *rec);
/* Free-text log line into the run's log file. */
void rb_log(struct rb_recorder *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rb_eval_begin(struct rb_recorder *rec);
void rb_eval_end(struct rb_recorder *rec);

/* Harness side. */
struct rb_recorder *rb_recorder_open(const char *dir, char *err, size_t errlen);
/* Finish: write result.json (status, message, summaries, timings) into the folder. */
int rb_recorder_close(struct rb_recorder *rec, int algorithm_rc);
/* The same, with the reason in err when a file could not be written (a full disk):
 * then no result.json is left, so the run is not taken for a finished one. */
int rb_recorder_finish(struct rb_recorder *rec, int algorithm_rc, char *err, size_t errlen);
enum rb_status rb_recorder_status(const struct rb_recorder *rec);

#endif
