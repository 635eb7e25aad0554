/* oplog: per-thread logs and their merge by tick (see oplog.h). */
#include "algorithms/relaxed_structures/oplog.h"

#include <stdlib.h>
#include <time.h>

/* Ticks are nanoseconds: 2^62 of them is over a century, so the shift never overflows. */
static uint64_t oplog_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int oplog_init(struct oplog *log, size_t cap, enum oplog_clock clock)
{
	*log = (struct oplog){ .clock = clock };
	if (cap == 0)
		return 0;
	log->entries = malloc(cap * sizeof(*log->entries));
	if (!log->entries)
		return -1;
	log->cap = cap;
	return 0;
}

void oplog_free(struct oplog *log)
{
	free(log->entries);
	*log = (struct oplog){ 0 };
}

void oplog_append(struct oplog *log, enum oplog_kind kind, uint64_t key)
{
	if (log->size == log->cap) {
		log->overflow = true;
		return;
	}
	uint64_t tick = log->clock == OPLOG_CLOCK_SEQUENCE ? log->size : oplog_now_ns();
	log->entries[log->size++] = (struct oplog_entry){ .stamp = tick << 1 | kind, .key = key };
}

uint64_t oplog_max_gap(const struct oplog *log)
{
	uint64_t gap = 0;

	for (size_t i = 1; i < log->size; i++) {
		uint64_t d = oplog_tick_of(&log->entries[i]) - oplog_tick_of(&log->entries[i - 1]);
		gap = d > gap ? d : gap;
	}
	return gap;
}

/* The heads of the logs being merged, as a binary min-heap on (stamp, log). */
struct merge_head {
	uint64_t stamp;
	int log;
};

static bool head_before(struct merge_head a, struct merge_head b)
{
	return a.stamp < b.stamp || (a.stamp == b.stamp && a.log < b.log);
}

static void heads_sift_down(struct merge_head *h, int n, int i)
{
	struct merge_head x = h[i];

	for (;;) {
		int c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && head_before(h[c + 1], h[c]))
			c++;
		if (!head_before(h[c], x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

int oplog_merge(const struct oplog *logs, int count, struct oplog *out)
{
	size_t total = 0;

	for (int k = 0; k < count; k++)
		total += logs[k].size;
	struct merge_head *heads = malloc((size_t)(count > 0 ? count : 1) * sizeof(*heads));
	size_t *pos = calloc((size_t)(count > 0 ? count : 1), sizeof(*pos));
	if (!heads || !pos || oplog_init(out, total, OPLOG_CLOCK_MONOTONIC) != 0) {
		free(heads);
		free(pos);
		return -1;
	}
	int n = 0;
	for (int k = 0; k < count; k++)
		if (logs[k].size > 0)
			heads[n++] = (struct merge_head){ logs[k].entries[0].stamp, k };
	for (int i = n / 2 - 1; i >= 0; i--)
		heads_sift_down(heads, n, i);
	while (n > 0) {
		int k = heads[0].log;
		out->entries[out->size++] = logs[k].entries[pos[k]++];
		if (pos[k] < logs[k].size)
			heads[0].stamp = logs[k].entries[pos[k]].stamp;
		else
			heads[0] = heads[--n];
		heads_sift_down(heads, n, 0);
	}
	free(heads);
	free(pos);
	return 0;
}
