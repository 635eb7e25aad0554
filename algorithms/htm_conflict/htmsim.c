/*
 * htmsim: a discrete-event HTM simulator for
 *   D. Alistarh, S. K. Haider, R. Kuebler, G. Nadiradze, "The Transactional Conflict
 *   Problem", SPAA 2018, arXiv 1804.00947.
 * Cores run transactions whose accesses acquire cache lines (readers share, a writer is
 * alone) and hold them to commit: eager conflict detection with two-phase locking of
 * lines, as an HTM's coherence protocol gives. A conflicting request is delayed D
 * cycles as the policy says; if the holders release the line in time the requestor
 * proceeds, otherwise the requestor (requestor-aborts) or the holders (requestor-wins)
 * abort, and an aborted transaction retries after `abort_penalty` cycles, plus a
 * randomized exponential backoff and a global-lock fallback when the configuration asks
 * for a real runtime's retry scheme.
 *
 * The paper evaluated its policies on a cycle-level hardware simulator that was not
 * available; this model keeps what its analysis depends on (who stalls, who loses which
 * work) and leaves out caches, the interconnect and the coherence protocol's timing
 * (README.md, "Deviations").
 */
#include "algorithms/htm_conflict/htmsim.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

/* LOCKWAIT: the core wants to start an attempt (or take the fallback lock) while another
 * core holds the global lock. */
enum core_state { CORE_THINK, CORE_RUN, CORE_STALL, CORE_BACKOFF, CORE_LOCKWAIT };

/* Why an attempt aborts: it requested (requestor-aborts), it held a line a requestor won
 * (requestor-wins), or a fallback took the global lock it subscribes to. */
enum abort_cause { ABORT_REQUESTOR, ABORT_RECEIVER, ABORT_LOCK };

/* The backoff window doubles per aborted attempt up to base 2^BACKOFF_MAX_DOUBLINGS. */
#define BACKOFF_MAX_DOUBLINGS 20

/* A line this core's attempt holds; `value` is what a write will store at commit. */
struct held {
	int line;
	bool write;
	long long value;
};

struct core {
	enum core_state state;
	struct workload_txn txn;
	long long *suffix;         /* suffix[k] = gap[k] + ... + gap[n]: compute left after access k-1 */
	int idx;                   /* the access pending (n: the commit is pending) */
	struct held *held;
	int nheld;
	long long seg_start;       /* when THINK, BACKOFF or LOCKWAIT began */
	long long attempt_start, attempt_stall;
	long long next_time;       /* RUN: time of the pending ACCESS or COMMIT */
	long long stall_start, timeout;
	int wait_line;
	int aborts;                /* aborted attempts of the current transaction */
	bool want_lock;            /* the next attempt runs under the global lock */
	unsigned gen;              /* events pushed under an older generation are stale */
	struct rng workload_rng, policy_rng, backoff_rng;
};

struct line {
	int writer;                /* -1: none */
	uint64_t readers;
	long long value, writes;
};

struct event {
	long long time;
	unsigned long long seq;    /* FIFO among equal times: deterministic order */
	int core;
	enum htmsim_kind kind;     /* START, ACCESS, COMMIT or TIMEOUT */
	unsigned gen;
};

struct sim {
	const struct htmsim_config *cfg;
	struct workload wl;
	struct core *cores;
	struct line *lines;
	struct event *heap;
	size_t nheap, capheap;
	unsigned long long seq;
	long long now;
	int lock_owner;            /* the core holding the global fallback lock, -1: none */
	int *released;             /* lines released by one step, to wake their waiters */
	int nreleased, capreleased;
	struct htmsim_stats *st;
	htmsim_observer observer;
	void *ctx;
};

/* ---- event queue (binary heap on time, then seq) ------------------------------------ */

static bool before(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void swap_events(struct event *a, struct event *b)
{
	struct event t = *a;
	*a = *b;
	*b = t;
}

static int push(struct sim *s, long long time, int core, enum htmsim_kind kind)
{
	if (s->nheap == s->capheap) {
		size_t cap = s->capheap ? 2 * s->capheap : 64;
		struct event *h = realloc(s->heap, cap * sizeof(*h));
		if (!h)
			return -1;
		s->heap = h;
		s->capheap = cap;
	}
	size_t i = s->nheap++;
	s->heap[i] = (struct event){ .time = time, .seq = s->seq++, .core = core, .kind = kind,
				     .gen = s->cores[core].gen };
	while (i > 0 && before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		swap_events(&s->heap[i], &s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct event pop(struct sim *s)
{
	struct event top = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->nheap && before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		swap_events(&s->heap[i], &s->heap[m]);
		i = m;
	}
	return top;
}

/* ---- observation ------------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void emit(struct sim *s, struct htmsim_event e)
{
	int kind = (int)e.kind;
	e.time = s->now;
	s->st->trace_hash = fnv(s->st->trace_hash, &e.time, sizeof(e.time));
	s->st->trace_hash = fnv(s->st->trace_hash, &e.core, sizeof(e.core));
	s->st->trace_hash = fnv(s->st->trace_hash, &kind, sizeof(kind));
	s->st->trace_hash = fnv(s->st->trace_hash, &e.line, sizeof(e.line));
	if (s->observer)
		s->observer(s->ctx, &e);
}

static void emit_simple(struct sim *s, int core, enum htmsim_kind kind, int line)
{
	emit(s, (struct htmsim_event){ .core = core, .kind = kind, .line = line });
}

/* ---- lines ------------------------------------------------------------------------- */

static uint64_t bit(int core)
{
	return 1ULL << core;
}

/* The cores whose hold on `line` conflicts with `core` reading or writing it. */
static uint64_t conflicting(const struct sim *s, int core, int line, bool write)
{
	const struct line *l = &s->lines[line];
	uint64_t mask = l->writer >= 0 && l->writer != core ? bit(l->writer) : 0;
	if (write)
		mask |= l->readers & ~bit(core);
	return mask;
}

static struct held *find_held(struct core *c, int line)
{
	for (int i = c->nheld - 1; i >= 0; i--)
		if (c->held[i].line == line)
			return &c->held[i];
	return NULL;
}

/* Take `line` (no conflicting holder is left). A write stores, at commit, the value the
 * transaction first saw plus one: a read-modify-write, so that a broken isolation
 * shows as a lost update. */
static void acquire(struct sim *s, int core, int line, bool write)
{
	struct core *c = &s->cores[core];
	struct line *l = &s->lines[line];

	if (l->writer == core || (!write && (l->readers & bit(core))))
		return;
	if (l->readers & bit(core)) {   /* upgrade a read to a write */
		struct held *h = find_held(c, line);
		l->readers &= ~bit(core);
		l->writer = core;
		h->write = true;
		h->value += 1;
		return;
	}
	if (write)
		l->writer = core;
	else
		l->readers |= bit(core);
	c->held[c->nheld++] = (struct held){ .line = line, .write = write,
					     .value = l->value + (write ? 1 : 0) };
}

static int note_released(struct sim *s, int line)
{
	if (s->nreleased == s->capreleased) {
		int cap = s->capreleased ? 2 * s->capreleased : 64;
		int *r = realloc(s->released, (size_t)cap * sizeof(*r));
		if (!r)
			return -1;
		s->released = r;
		s->capreleased = cap;
	}
	s->released[s->nreleased++] = line;
	return 0;
}

/* Drop every line of the core's attempt, writing back its writes when it commits. */
static int release_all(struct sim *s, int core, bool commit)
{
	struct core *c = &s->cores[core];
	for (int i = 0; i < c->nheld; i++) {
		struct line *l = &s->lines[c->held[i].line];
		if (c->held[i].write) {
			l->writer = -1;
			if (commit) {
				l->value = c->held[i].value;
				l->writes++;
			}
		} else {
			l->readers &= ~bit(core);
		}
		if (note_released(s, c->held[i].line) < 0)
			return -1;
	}
	c->nheld = 0;
	return 0;
}

/* ---- transactions ------------------------------------------------------------------ */

static void draw_txn(struct sim *s, struct core *c)
{
	workload_next_txn(&s->wl, &c->workload_rng, &c->txn);
	c->suffix[c->txn.n + 1] = 0;
	for (int k = c->txn.n; k >= 0; k--)
		c->suffix[k] = c->suffix[k + 1] + c->txn.gap[k];
}

/* The attempt moves past the access it just got: schedule the next access or commit. */
static int advance(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	c->idx++;
	c->state = CORE_RUN;
	c->next_time = s->now + c->txn.gap[c->idx];
	return push(s, c->next_time, core, c->idx == c->txn.n ? HTMSIM_COMMIT : HTMSIM_ACCESS);
}

/* Cycles of randomized exponential backoff after the core's latest abort: uniform on
 * [0, base 2^(k-1)) after the k-th aborted attempt; none without backoff, or when the
 * next attempt takes the lock anyway. */
static long long backoff_cycles(const struct sim *s, struct core *c)
{
	int base = s->cfg->backoff_base;
	if (base <= 0 || c->want_lock)
		return 0;
	int doublings = c->aborts - 1 < BACKOFF_MAX_DOUBLINGS ? c->aborts - 1 : BACKOFF_MAX_DOUBLINGS;
	double window = (double)base * (double)(1LL << doublings);
	return (long long)(rng_uniform(&c->backoff_rng) * window);
}

static int abort_attempt(struct sim *s, int core, enum abort_cause cause)
{
	struct core *c = &s->cores[core];
	struct htmsim_stats *st = s->st;

	st->aborted++;
	if (cause == ABORT_REQUESTOR)
		st->requestor_aborts++;
	else if (cause == ABORT_RECEIVER)
		st->receiver_aborts++;
	else
		st->lock_aborts++;
	st->aborted_cycles += s->now - c->attempt_start;
	emit_simple(s, core, HTMSIM_ABORT, -1);
	if (release_all(s, core, false) < 0)
		return -1;
	c->gen++;
	c->state = CORE_BACKOFF;
	c->seg_start = s->now;
	c->aborts++;
	c->want_lock = s->cfg->fallback_attempts > 0 && c->aborts >= s->cfg->fallback_attempts;
	long long wait = s->cfg->abort_penalty + backoff_cycles(s, c);
	return push(s, s->now + wait, core, HTMSIM_START);
}

/* Hand each released line to the cores delayed on it, oldest request first. */
static int wake_one_line(struct sim *s, int line)
{
	for (;;) {
		int best = -1;
		for (int i = 0; i < s->cfg->cores; i++) {
			struct core *c = &s->cores[i];
			if (c->state != CORE_STALL || c->wait_line != line ||
			    conflicting(s, i, line, c->txn.access[c->idx].write))
				continue;
			if (best < 0 || c->stall_start < s->cores[best].stall_start)
				best = i;
		}
		if (best < 0)
			return 0;
		struct core *c = &s->cores[best];
		c->attempt_stall += s->now - c->stall_start;
		c->gen++;   /* its TIMEOUT is void */
		s->st->resumed++;
		acquire(s, best, line, c->txn.access[c->idx].write);
		emit_simple(s, best, HTMSIM_RESUME, line);
		if (advance(s, best) < 0)
			return -1;
	}
}

static int wake_released(struct sim *s)
{
	/* Waking takes lines but releases none, so the list does not grow meanwhile. */
	for (int i = 0; i < s->nreleased; i++)
		if (wake_one_line(s, s->released[i]) < 0)
			return -1;
	s->nreleased = 0;
	return 0;
}

/* ---- conflicts --------------------------------------------------------------------- */

/* Cycles until the running holder h commits if no further conflict touches it: the
 * offline oracle's T. */
static double holder_remaining(const struct sim *s, int h)
{
	const struct core *c = &s->cores[h];
	return (double)(c->next_time - s->now) + (double)c->suffix[c->idx + 1];
}

/* True when a holder is itself delayed: it cannot commit before its own request is
 * served, and delaying on it could close a cycle of waits (a deadlock). */
static bool holder_waiting(const struct sim *s, uint64_t holders)
{
	for (int h = 0; h < s->cfg->cores; h++)
		if ((holders & bit(h)) && s->cores[h].state == CORE_STALL)
			return true;
	return false;
}

/* W and T of a conflict: the work an abort loses (the requestor's under
 * requestor-aborts, the holders' together under requestor-wins) and the latest
 * holder's remaining time. */
static void conflict_terms(const struct sim *s, int core, uint64_t holders, double *work,
			   double *remaining)
{
	*work = s->cfg->policy.model == SKIRENTAL_REQUESTOR_ABORTS
			? (double)(s->now - s->cores[core].attempt_start) : 0.0;
	*remaining = 0.0;
	for (int h = 0; h < s->cfg->cores; h++) {
		if (!(holders & bit(h)))
			continue;
		if (s->cfg->policy.model == SKIRENTAL_REQUESTOR_WINS)
			*work += (double)(s->now - s->cores[h].attempt_start);
		*remaining = fmax(*remaining, holder_remaining(s, h));
	}
}

/* The delay is over (or was zero): under requestor-aborts the requestor aborts; under
 * requestor-wins every conflicting holder aborts and the requestor takes the line. */
static int resolve(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	struct workload_access a = c->txn.access[c->idx];

	if (s->cfg->policy.model == SKIRENTAL_REQUESTOR_ABORTS) {
		if (abort_attempt(s, core, ABORT_REQUESTOR) < 0)
			return -1;
		return wake_released(s);
	}
	uint64_t holders = conflicting(s, core, a.line, a.write);
	for (int h = 0; h < s->cfg->cores; h++)
		if ((holders & bit(h)) && abort_attempt(s, h, ABORT_RECEIVER) < 0)
			return -1;
	acquire(s, core, a.line, a.write);
	emit_simple(s, core, HTMSIM_ACCESS, a.line);
	if (advance(s, core) < 0)
		return -1;
	return wake_released(s);
}

static int conflict(struct sim *s, int core, uint64_t holders)
{
	struct core *c = &s->cores[core];
	int line = c->txn.access[c->idx].line;
	double work, remaining;

	s->st->conflicts++;
	/* Delays only ever wait on running holders, so every chain of waits ends in a
	 * running transaction and no cycle can form (README.md, "HTM simulator"). */
	if (holder_waiting(s, holders)) {
		s->st->holder_waiting++;
		emit(s, (struct htmsim_event){ .core = core, .kind = HTMSIM_CONFLICT, .line = line });
		return resolve(s, core);
	}
	conflict_terms(s, core, holders, &work, &remaining);
	/* Drawn on every conflict whatever the policy, so that the policy stream stays
	 * aligned with the conflict sequence. */
	double u = rng_uniform(&c->policy_rng);
	double delay = skirental_delay(&s->cfg->policy, work, remaining, u);
	emit(s, (struct htmsim_event){ .core = core, .kind = HTMSIM_CONFLICT, .line = line,
				       .work = work, .remaining = remaining, .delay = delay });
	if (!(delay > 0.0)) {
		s->st->immediate++;
		return resolve(s, core);
	}
	s->st->delayed++;
	long long cycles = llround(delay);
	c->state = CORE_STALL;
	c->wait_line = line;
	c->stall_start = s->now;
	c->timeout = s->now + (cycles > 0 ? cycles : 1);
	return push(s, c->timeout, core, HTMSIM_TIMEOUT);
}

/* ---- event handlers ---------------------------------------------------------------- */

/* ---- the global fallback lock ------------------------------------------------------ */

/* Close the core's THINK, BACKOFF or LOCKWAIT segment into its cycle count. */
static void close_segment(struct sim *s, struct core *c)
{
	long long d = s->now - c->seg_start;
	if (c->state == CORE_THINK)
		s->st->think_cycles += d;
	else if (c->state == CORE_LOCKWAIT)
		s->st->lock_wait_cycles += d;
	else
		s->st->penalty_cycles += d;
}

/* Take the global lock: every transaction subscribes to it (reads it at its start), so
 * the lock's write aborts all that run or stall. Their waiters are among them: no line
 * a running transaction waits for is released. */
static int take_lock(struct sim *s, int core)
{
	s->lock_owner = core;
	for (int i = 0; i < s->cfg->cores; i++) {
		enum core_state st = s->cores[i].state;
		if (i != core && (st == CORE_RUN || st == CORE_STALL) &&
		    abort_attempt(s, i, ABORT_LOCK) < 0)
			return -1;
	}
	return wake_released(s);
}

/* The lock holder committed: the oldest core waiting to take the lock gets it next;
 * when none does, every waiting core starts its attempt. */
static int release_lock(struct sim *s)
{
	int next = -1;
	s->lock_owner = -1;
	for (int i = 0; i < s->cfg->cores; i++) {
		const struct core *c = &s->cores[i];
		if (c->state == CORE_LOCKWAIT && c->want_lock &&
		    (next < 0 || c->seg_start < s->cores[next].seg_start))
			next = i;
	}
	if (next >= 0)
		return push(s, s->now, next, HTMSIM_START);
	for (int i = 0; i < s->cfg->cores; i++)
		if (s->cores[i].state == CORE_LOCKWAIT && push(s, s->now, i, HTMSIM_START) < 0)
			return -1;
	return 0;
}

static int on_start(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	if (s->lock_owner >= 0) {
		/* Lock elision: a transaction does not start while the fallback lock is held. */
		if (c->state != CORE_LOCKWAIT) {
			close_segment(s, c);
			c->state = CORE_LOCKWAIT;
			c->seg_start = s->now;
		}
		return 0;
	}
	close_segment(s, c);
	if (c->want_lock && take_lock(s, core) < 0)
		return -1;
	s->st->started++;
	c->attempt_start = s->now;
	c->attempt_stall = 0;
	c->idx = -1;
	emit_simple(s, core, HTMSIM_START, -1);
	return advance(s, core);
}

static int on_access(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	struct workload_access a = c->txn.access[c->idx];
	uint64_t holders = conflicting(s, core, a.line, a.write);

	if (holders && s->lock_owner == core) {
		/* Cannot happen (take_lock aborted every holder); counted for the verifier. A
		 * non-transactional access under the lock always wins. */
		s->st->lock_conflicts++;
		for (int h = 0; h < s->cfg->cores; h++)
			if ((holders & bit(h)) && abort_attempt(s, h, ABORT_LOCK) < 0)
				return -1;
		holders = 0;
	}
	if (holders)
		return conflict(s, core, holders);
	acquire(s, core, a.line, a.write);
	emit_simple(s, core, HTMSIM_ACCESS, a.line);
	return advance(s, core);
}

static int on_commit(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	struct htmsim_stats *st = s->st;

	st->committed++;
	st->useful_cycles += s->now - c->attempt_start - c->attempt_stall;
	st->stall_cycles += c->attempt_stall;
	emit_simple(s, core, HTMSIM_COMMIT, -1);
	if (release_all(s, core, true) < 0)
		return -1;
	c->aborts = 0;
	c->want_lock = false;
	if (s->lock_owner == core) {
		st->lock_commits++;
		if (release_lock(s) < 0)
			return -1;
	}
	draw_txn(s, c);
	c->state = CORE_THINK;
	c->seg_start = s->now;
	if (push(s, s->now + c->txn.think, core, HTMSIM_START) < 0)
		return -1;
	return wake_released(s);
}

static int on_timeout(struct sim *s, int core)
{
	struct core *c = &s->cores[core];
	c->attempt_stall += s->now - c->stall_start;
	c->state = CORE_RUN;
	s->st->expired++;
	emit_simple(s, core, HTMSIM_TIMEOUT, c->wait_line);
	return resolve(s, core);
}

static int dispatch(struct sim *s, const struct event *e)
{
	switch (e->kind) {
	case HTMSIM_START:
		return on_start(s, e->core);
	case HTMSIM_ACCESS:
		return on_access(s, e->core);
	case HTMSIM_COMMIT:
		return on_commit(s, e->core);
	case HTMSIM_TIMEOUT:
		return on_timeout(s, e->core);
	default:
		return -1;
	}
}

/* ---- set-up, main loop, accounting ------------------------------------------------- */

static int setup_cores(struct sim *s)
{
	const struct htmsim_config *cfg = s->cfg;
	for (int i = 0; i < cfg->cores; i++) {
		struct core *c = &s->cores[i];
		if (workload_txn_alloc(&s->wl, &c->txn) < 0)
			return -1;
		c->suffix = malloc(((size_t)s->wl.max_accesses + 2) * sizeof(*c->suffix));
		c->held = malloc((size_t)s->wl.max_accesses * sizeof(*c->held));
		if (!c->suffix || !c->held)
			return -1;
		/* Streams 2i+1 and 2i+2: core i's transactions do not depend on the policy. */
		rng_seed(&c->workload_rng, cfg->seed, 2 * (uint64_t)i + 1);
		rng_seed(&c->policy_rng, cfg->seed, 2 * (uint64_t)i + 2);
		/* Past every core's two streams: backoff draws leave them as they are. */
		rng_seed(&c->backoff_rng, cfg->seed, 2 * (uint64_t)HTMSIM_MAX_CORES + 1 + (uint64_t)i);
		draw_txn(s, c);
		c->state = CORE_THINK;
		if (push(s, c->txn.think, i, HTMSIM_START) < 0)
			return -1;
	}
	return 0;
}

static int setup(struct sim *s, char *err, size_t errlen)
{
	const struct htmsim_config *cfg = s->cfg;
	if (cfg->cores < 1 || cfg->cores > HTMSIM_MAX_CORES || cfg->horizon < 1 ||
	    cfg->abort_penalty < 0 || cfg->backoff_base < 0 || cfg->fallback_attempts < 0 ||
	    !cfg->policy.ops) {
		snprintf(err, errlen, "cores must be in [1, %d], horizon positive, penalty, backoff "
			 "and fallback not negative, a policy set", HTMSIM_MAX_CORES);
		return -1;
	}
	if (workload_init(&s->wl, &cfg->workload, err, errlen) < 0)
		return -1;
	s->cores = calloc((size_t)cfg->cores, sizeof(*s->cores));
	s->lines = calloc((size_t)s->wl.lines, sizeof(*s->lines));
	if (!s->cores || !s->lines || setup_cores(s) < 0) {
		snprintf(err, errlen, "no memory for %d cores and %d lines", cfg->cores, s->wl.lines);
		return -1;
	}
	for (int i = 0; i < s->wl.lines; i++)
		s->lines[i].writer = -1;
	return 0;
}

static void teardown(struct sim *s)
{
	for (int i = 0; s->cores && i < s->cfg->cores; i++) {
		workload_txn_free(&s->cores[i].txn);
		free(s->cores[i].suffix);
		free(s->cores[i].held);
	}
	free(s->cores);
	free(s->lines);
	free(s->heap);
	free(s->released);
	workload_free(&s->wl);
}

/* Close every core's open segment at the horizon, and check the lines' values. */
static void finish(struct sim *s)
{
	struct htmsim_stats *st = s->st;
	long long end = s->cfg->horizon;
	for (int i = 0; i < s->cfg->cores; i++) {
		struct core *c = &s->cores[i];
		if (c->state == CORE_THINK)
			st->think_cycles += end - c->seg_start;
		else if (c->state == CORE_BACKOFF)
			st->penalty_cycles += end - c->seg_start;
		else if (c->state == CORE_LOCKWAIT)
			st->lock_wait_cycles += end - c->seg_start;
		else {
			st->in_flight++;
			st->in_flight_cycles += end - c->attempt_start;
		}
	}
	st->lines = s->wl.lines;
	for (int i = 0; i < s->wl.lines; i++)
		st->lost_updates += s->lines[i].value != s->lines[i].writes;
}

int htmsim_run(const struct htmsim_config *cfg, struct htmsim_stats *st, htmsim_observer observer,
	       void *ctx, char *err, size_t errlen)
{
	struct sim s = { .cfg = cfg, .st = st, .observer = observer, .ctx = ctx, .lock_owner = -1 };
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->trace_hash = 0xcbf29ce484222325ULL;
	if (setup(&s, err, errlen) < 0) {
		teardown(&s);
		return -1;
	}
	while (s.nheap > 0 && s.heap[0].time <= cfg->horizon) {
		struct event e = pop(&s);
		if (e.gen != s.cores[e.core].gen)
			continue;
		s.now = e.time;
		st->events++;
		if (dispatch(&s, &e) < 0) {
			snprintf(err, errlen, "no memory at cycle %lld", s.now);
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		finish(&s);
	teardown(&s);
	return rc;
}

long long htmsim_sequential_commits(const struct htmsim_config *cfg, int core)
{
	struct workload wl;
	struct workload_txn txn;
	struct rng r;
	char err[256];
	long long t = 0, commits = 0;

	if (workload_init(&wl, &cfg->workload, err, sizeof(err)) < 0)
		return -1;
	if (workload_txn_alloc(&wl, &txn) < 0) {
		workload_free(&wl);
		return -1;
	}
	rng_seed(&r, cfg->seed, 2 * (uint64_t)core + 1);   /* the stream setup_cores gives it */
	for (;;) {
		workload_next_txn(&wl, &r, &txn);
		t += txn.think;
		for (int k = 0; k <= txn.n; k++)
			t += txn.gap[k];
		if (t > cfg->horizon)
			break;
		commits++;
	}
	workload_txn_free(&txn);
	workload_free(&wl);
	return commits;
}
