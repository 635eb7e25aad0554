/*
 * oplog: per-thread operation logs for the quality runs of the relaxed structures,
 * the method of the MultiQueue literature (github marvinwilliams/multiqueue_experiments,
 * benchmarks/util/evaluate_quality.cpp; notes section 4): each thread appends
 * (tick, key) to its own preallocated array at the operation's linearization point
 * (inside the heap's lock, right after a counter's atomic add), nothing is shared while
 * the run lasts, and the logs are merged by tick afterwards and replayed. A run that
 * logs is never a timed run.
 *
 * An entry's stamp is tick << 1 | kind, so sorting by stamp orders by time and, at an
 * equal tick, puts an insertion (or increment) before a deletion (or read).
 */
#ifndef OPLOG_H
#define OPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum oplog_kind {
	OPLOG_INSERT = 0,      /* a queue insertion, or a counter increment */
	OPLOG_DELETE = 1,      /* a queue deletion, or a counter read */
};
#define OPLOG_INCREMENT OPLOG_INSERT
#define OPLOG_READ OPLOG_DELETE

enum oplog_clock {
	OPLOG_CLOCK_SEQUENCE,  /* tick = index in this log: one thread, program order */
	OPLOG_CLOCK_MONOTONIC, /* tick = CLOCK_MONOTONIC nanoseconds, comparable across threads */
};

struct oplog_entry {
	uint64_t stamp;        /* tick << 1 | kind */
	uint64_t key;          /* the key inserted or deleted; a read's value */
};

struct oplog {
	struct oplog_entry *entries;
	size_t size, cap;
	enum oplog_clock clock;
	bool overflow;         /* an append found the log full and was dropped */
};

int oplog_init(struct oplog *log, size_t cap, enum oplog_clock clock);
void oplog_free(struct oplog *log);

/* Record an operation now. A full log drops it and sets `overflow`: callers size logs
 * for the operations they will do, and a run that overflowed is an error. */
void oplog_append(struct oplog *log, enum oplog_kind kind, uint64_t key);

static inline enum oplog_kind oplog_kind_of(const struct oplog_entry *e)
{
	return (enum oplog_kind)(e->stamp & 1);
}

static inline uint64_t oplog_tick_of(const struct oplog_entry *e)
{
	return e->stamp >> 1;
}

/* The longest time between two consecutive entries of one log, in ticks: in a
 * concurrent run, how long its thread was stalled (descheduled, or waiting). */
uint64_t oplog_max_gap(const struct oplog *log);

/* Merge `count` logs, each already in stamp order (a thread's clock never goes back),
 * into `out` in stamp order; entries with equal stamps keep the order of their logs.
 * 0, or -1 when out of memory. */
int oplog_merge(const struct oplog *logs, int count, struct oplog *out);

#endif
