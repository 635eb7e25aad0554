/*
 * greedy: greedy MIS and greedy matching as scheduler tasks (arXiv 1808.04155; the task
 * semantics are those of the notes, ../shared/papers/concurrency.md section 1.3).
 *
 * MIS, task v of priority r: dead when v is already OUT; wasted when a neighbour of higher
 * priority is UNDECIDED (being processed counts as undecided); else v is IN when no
 * higher neighbour is IN, and then CAS-marks its neighbours OUT.
 * Matching, task e = {a, b}: the same on the line graph. Scanning every edge at a and b
 * per iteration would cost the sum of squared degrees (hubs of an RMAT graph), so each
 * vertex keeps its edges sorted by priority and a frontier: the edges before it are all
 * decided. e is blocked when the frontier of a or b stops at an edge of higher priority.
 */
#include "algorithms/relaxed_mis/greedy.h"

#include <stdlib.h>
#include <string.h>

#include "algorithms/kernels/rng.h"

/* Rows at most this long are sorted by insertion; longer ones by qsort. */
#define GREEDY_SHORT_ROW 24

static uint8_t load_state(_Atomic uint8_t *s)
{
	return atomic_load_explicit(s, memory_order_acquire);
}

static void mark_out(_Atomic uint8_t *s)
{
	uint8_t expected = GREEDY_UNDECIDED;

	atomic_compare_exchange_strong_explicit(s, &expected, GREEDY_OUT, memory_order_acq_rel,
						memory_order_acquire);
}

/* ---- the permutation and the line graph ---- */

static int random_permutation(struct greedy_instance *in, uint64_t seed)
{
	int64_t *perm = malloc((size_t)in->tasks * sizeof(*perm) + 1);
	struct rng r;

	if (!perm)
		return -1;
	for (uint32_t i = 0; i < in->tasks; i++)
		perm[i] = i;
	/* Stream 0x6d6973 ("mis"): the permutation never shares draws with a scheduler. */
	rng_seed(&r, seed, 0x6d6973);
	rng_shuffle_int(&r, perm, in->tasks);
	for (uint32_t i = 0; i < in->tasks; i++) {
		in->task_of[i] = (uint32_t)perm[i];
		in->rank_of[perm[i]] = i;
	}
	free(perm);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void sort_row(uint32_t *a, int64_t len)
{
	if (len > GREEDY_SHORT_ROW) {
		qsort(a, (size_t)len, sizeof(*a), cmp_u32);
		return;
	}
	for (int64_t i = 1; i < len; i++) {
		uint32_t x = a[i];
		int64_t j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* The CSR slot of u in w's (sorted) row. */
static int64_t slot_of(const struct ds_graph *g, int64_t w, int32_t u)
{
	int64_t lo = g->rowptr[w], hi = g->rowptr[w + 1];

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (g->adj[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number the edges {u, w}, u < w, in CSR order; slot_edge[j] is the edge of slot j. */
static void number_edges(struct greedy_instance *in, uint32_t *slot_edge)
{
	const struct ds_graph *g = in->g;
	uint32_t next = 0;

	for (int64_t u = 0; u < g->n; u++)
		for (int64_t j = g->rowptr[u]; j < g->rowptr[u + 1]; j++) {
			int32_t w = g->adj[j];
			if (w < u) {
				slot_edge[j] = slot_edge[slot_of(g, w, (int32_t)u)];
				continue;
			}
			slot_edge[j] = next;
			in->edge_end[2 * (size_t)next] = (uint32_t)u;
			in->edge_end[2 * (size_t)next + 1] = (uint32_t)w;
			next++;
		}
}

static int build_incidence(struct greedy_instance *in)
{
	const struct ds_graph *g = in->g;
	uint32_t *slot_edge = malloc((size_t)g->m * sizeof(*slot_edge) + 1);

	if (!slot_edge)
		return -1;
	number_edges(in, slot_edge);
	for (int64_t j = 0; j < g->m; j++)
		in->incident[j] = in->rank_of[slot_edge[j]];
	free(slot_edge);
	for (int64_t u = 0; u < g->n; u++)
		sort_row(in->incident + g->rowptr[u], g->rowptr[u + 1] - g->rowptr[u]);
	return 0;
}

/* ---- setup ---- */

int greedy_init(struct greedy_instance *in, enum greedy_problem problem,
		const struct ds_graph *g, uint64_t seed)
{
	int64_t tasks = problem == GREEDY_MIS ? g->n : g->m / 2;
	bool matching = problem == GREEDY_MATCHING;

	memset(in, 0, sizeof(*in));
	if (tasks >= UINT32_MAX || g->n >= UINT32_MAX)
		return -2;
	in->problem = problem;
	in->g = g;
	in->tasks = (uint32_t)tasks;
	size_t t = (size_t)tasks + 1, n = (size_t)g->n + 1;
	in->task_of = malloc(t * sizeof(*in->task_of));
	in->rank_of = malloc(t * sizeof(*in->rank_of));
	in->state = malloc(t * sizeof(*in->state));
	if (matching) {
		in->edge_end = malloc(2 * t * sizeof(*in->edge_end));
		in->incident = malloc(((size_t)g->m + 1) * sizeof(*in->incident));
		in->frontier = malloc(n * sizeof(*in->frontier));
		in->matched = malloc(n * sizeof(*in->matched));
	}
	bool ok = in->task_of && in->rank_of && in->state
		  && (!matching || (in->edge_end && in->incident && in->frontier && in->matched));
	if (ok && random_permutation(in, seed) == 0 && (!matching || build_incidence(in) == 0)) {
		greedy_reset(in);
		return 0;
	}
	greedy_free(in);
	return -1;
}

void greedy_free(struct greedy_instance *in)
{
	free(in->task_of);
	free(in->rank_of);
	free(in->state);
	free(in->edge_end);
	free(in->incident);
	free(in->frontier);
	free(in->matched);
	memset(in, 0, sizeof(*in));
}

void greedy_reset(struct greedy_instance *in)
{
	for (uint32_t i = 0; i < in->tasks; i++)
		atomic_init(&in->state[i], GREEDY_UNDECIDED);
	if (in->problem != GREEDY_MATCHING)
		return;
	for (int64_t v = 0; v < in->g->n; v++) {
		atomic_init(&in->frontier[v], in->g->rowptr[v]);
		atomic_init(&in->matched[v], 0);
	}
}

/* ---- one iteration ---- */

static enum greedy_outcome mis_step(struct greedy_instance *in, uint32_t rank)
{
	const struct ds_graph *g = in->g;
	uint32_t v = in->task_of[rank];
	bool neighbour_in = false;

	if (load_state(&in->state[v]) == GREEDY_OUT)
		return GREEDY_DEAD;
	for (int64_t j = g->rowptr[v]; j < g->rowptr[v + 1]; j++) {
		int32_t u = g->adj[j];
		if (in->rank_of[u] > rank)
			continue;
		uint8_t s = load_state(&in->state[u]);
		if (s == GREEDY_UNDECIDED)
			return GREEDY_WASTED;
		neighbour_in |= s == GREEDY_IN;
	}
	/* Every higher neighbour is final; lower ones wait for v, so nobody else writes v
	 * now but a CAS to OUT from an IN neighbour, which would have made v dead. */
	if (neighbour_in) {
		atomic_store_explicit(&in->state[v], GREEDY_OUT, memory_order_release);
		return GREEDY_PROCESSED;
	}
	atomic_store_explicit(&in->state[v], GREEDY_IN, memory_order_release);
	for (int64_t j = g->rowptr[v]; j < g->rowptr[v + 1]; j++)
		mark_out(&in->state[g->adj[j]]);
	return GREEDY_PROCESSED;
}

/* True when vertex a has an undecided edge of higher priority than `rank`. The frontier
 * only skips decided edges, which stay decided, so a stale or racing store of it is
 * merely less advanced, never wrong. */
static bool vertex_blocks(struct greedy_instance *in, uint32_t a, uint32_t rank)
{
	int64_t end = in->g->rowptr[a + 1];
	int64_t i = atomic_load_explicit(&in->frontier[a], memory_order_relaxed);

	while (i < end && in->incident[i] < rank
	       && load_state(&in->state[in->incident[i]]) != GREEDY_UNDECIDED)
		i++;
	atomic_store_explicit(&in->frontier[a], i, memory_order_relaxed);
	return i < end && in->incident[i] < rank;
}

static void mark_edges_out(struct greedy_instance *in, uint32_t a)
{
	for (int64_t j = in->g->rowptr[a]; j < in->g->rowptr[a + 1]; j++)
		mark_out(&in->state[in->incident[j]]);
}

static enum greedy_outcome matching_step(struct greedy_instance *in, uint32_t rank)
{
	uint32_t e = in->task_of[rank];
	uint32_t a = in->edge_end[2 * (size_t)e], b = in->edge_end[2 * (size_t)e + 1];

	if (load_state(&in->state[rank]) == GREEDY_OUT)
		return GREEDY_DEAD;
	if (vertex_blocks(in, a, rank) || vertex_blocks(in, b, rank))
		return GREEDY_WASTED;
	/* Only higher-priority edges at a or b can have matched them, and they are decided:
	 * their matched flags were stored before their IN state, which we acquired. */
	if (atomic_load_explicit(&in->matched[a], memory_order_acquire)
	    || atomic_load_explicit(&in->matched[b], memory_order_acquire)) {
		atomic_store_explicit(&in->state[rank], GREEDY_OUT, memory_order_release);
		return GREEDY_PROCESSED;
	}
	atomic_store_explicit(&in->matched[a], 1, memory_order_release);
	atomic_store_explicit(&in->matched[b], 1, memory_order_release);
	atomic_store_explicit(&in->state[rank], GREEDY_IN, memory_order_release);
	mark_edges_out(in, a);
	mark_edges_out(in, b);
	return GREEDY_PROCESSED;
}

enum greedy_outcome greedy_step(struct greedy_instance *in, uint32_t rank)
{
	return in->problem == GREEDY_MIS ? mis_step(in, rank) : matching_step(in, rank);
}

/* ---- the sequential reference and the verifiers ---- */

static void mis_sequential(const struct greedy_instance *in, uint8_t *out)
{
	const struct ds_graph *g = in->g;
	uint8_t *blocked = calloc((size_t)g->n + 1, 1);

	memset(out, 0, in->tasks);
	for (uint32_t r = 0; r < in->tasks; r++) {
		uint32_t v = in->task_of[r];
		bool free_v = blocked ? !blocked[v] : true;
		/* Without memory for the marks, test the neighbours instead (slower). */
		for (int64_t j = g->rowptr[v]; !blocked && free_v && j < g->rowptr[v + 1]; j++)
			free_v = !out[g->adj[j]];
		if (!free_v)
			continue;
		out[v] = 1;
		for (int64_t j = g->rowptr[v]; blocked && j < g->rowptr[v + 1]; j++)
			blocked[g->adj[j]] = 1;
	}
	free(blocked);
}

static void matching_sequential(const struct greedy_instance *in, uint8_t *out)
{
	uint8_t *matched = calloc((size_t)in->g->n + 1, 1);

	memset(out, 0, in->tasks);
	if (!matched)
		return;   /* an empty result, which no verifier accepts */
	for (uint32_t r = 0; r < in->tasks; r++) {
		uint32_t e = in->task_of[r];
		uint32_t a = in->edge_end[2 * (size_t)e], b = in->edge_end[2 * (size_t)e + 1];
		if (matched[a] || matched[b])
			continue;
		matched[a] = matched[b] = 1;
		out[e] = 1;
	}
	free(matched);
}

void greedy_sequential(const struct greedy_instance *in, uint8_t *out)
{
	if (in->problem == GREEDY_MIS)
		mis_sequential(in, out);
	else
		matching_sequential(in, out);
}

bool greedy_result(const struct greedy_instance *in, uint8_t *out)
{
	for (uint32_t i = 0; i < in->tasks; i++) {
		uint8_t s = atomic_load_explicit(&in->state[i], memory_order_relaxed);
		uint32_t id = in->problem == GREEDY_MIS ? i : in->task_of[i];
		if (s == GREEDY_UNDECIDED)
			return false;
		out[id] = s == GREEDY_IN;
	}
	return true;
}

static bool mis_valid(const struct ds_graph *g, const uint8_t *out)
{
	for (int64_t v = 0; v < g->n; v++) {
		bool has_in = false;
		for (int64_t j = g->rowptr[v]; j < g->rowptr[v + 1]; j++)
			has_in |= out[g->adj[j]] != 0;
		if (out[v] ? has_in : !has_in)
			return false;   /* not independent, or not maximal */
	}
	return true;
}

static bool matching_valid(const struct greedy_instance *in, const uint8_t *out)
{
	uint8_t *cover = calloc((size_t)in->g->n + 1, 1);
	bool ok = cover != NULL;

	for (uint32_t e = 0; ok && e < in->tasks; e++) {
		uint32_t a = in->edge_end[2 * (size_t)e], b = in->edge_end[2 * (size_t)e + 1];
		if (!out[e])
			continue;
		ok = !cover[a] && !cover[b];
		cover[a] = cover[b] = 1;
	}
	for (uint32_t e = 0; ok && e < in->tasks; e++)
		ok = cover[in->edge_end[2 * (size_t)e]] || cover[in->edge_end[2 * (size_t)e + 1]];
	free(cover);
	return ok;
}

bool greedy_valid(const struct greedy_instance *in, const uint8_t *out)
{
	return in->problem == GREEDY_MIS ? mis_valid(in->g, out) : matching_valid(in, out);
}

uint64_t greedy_count(const struct greedy_instance *in, const uint8_t *out)
{
	uint64_t c = 0;

	for (uint32_t i = 0; i < in->tasks; i++)
		c += out[i] != 0;
	return c;
}
