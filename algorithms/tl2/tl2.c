/*
 * tl2: word-based TL2 (Dice, Shalev, Shavit, DISC 2006) with pluggable clocks; see
 * tl2.h. Lock word: (version << 1) when free, (owner << 1) | 1 when locked.
 *
 * Memory order. A reader loads the lock word (seq_cst), the value (relaxed), an acquire
 * fence, the lock word again: the seqlock pattern. A committer locks with seq_cst CAS,
 * issues a release fence, writes back with relaxed stores and releases each stripe with
 * a release store of WV. seq_cst on the lock CAS and on the first lock load is what
 * carries I1 across GV4's borrowing and GV5's reads of the clock (a "read before"
 * relation, not a synchronises-with one); on x86 both are plain instructions anyway.
 */
#include "algorithms/tl2/tl2.h"

#include <stdlib.h>
#include <string.h>

#define TL2_INITIAL_SET 64

struct tl2_stm {
	const struct tl2_clock_ops *clock_ops;
	struct tl2_clock *clock;
	tl2_word *locks;
	uint64_t mask;
};

struct tl2_stm *tl2_create(const struct tl2_clock_ops *clock, const struct tl2_clock_config *cfg,
			   int stripes_log2)
{
	if (stripes_log2 < 1 || stripes_log2 > 26)
		return NULL;
	struct tl2_stm *stm = calloc(1, sizeof(*stm));
	if (!stm)
		return NULL;
	size_t n = (size_t)1 << stripes_log2;
	stm->clock_ops = clock;
	stm->mask = n - 1;
	stm->locks = aligned_alloc(64, n * sizeof(*stm->locks));
	stm->clock = clock->create(cfg);
	if (!stm->locks || !stm->clock) {
		tl2_destroy(stm);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&stm->locks[i], 0);
	return stm;
}

void tl2_destroy(struct tl2_stm *stm)
{
	if (!stm)
		return;
	if (stm->clock)
		stm->clock_ops->destroy(stm->clock);
	free(stm->locks);
	free(stm);
}

const struct tl2_clock_ops *tl2_clock_of(const struct tl2_stm *stm)
{
	return stm->clock_ops;
}

/* Consecutive words map to consecutive stripes: threads working on disjoint arrays
 * touch disjoint lock lines. */
static tl2_word *stripe_of(const struct tl2_stm *stm, const tl2_word *addr)
{
	return &stm->locks[((uintptr_t)addr >> 3) & stm->mask];
}

static bool is_locked(uint64_t w)
{
	return w & 1;
}

static uint64_t version_of(uint64_t w)
{
	return w >> 1;
}

int tl2_tx_init(struct tl2_tx *tx, struct tl2_stm *stm, int thread, uint64_t seed)
{
	memset(tx, 0, sizeof(*tx));
	tx->stm = stm;
	tx->owner = ((uint64_t)thread + 1) << 1 | 1;
	tl2_clock_handle_init(&tx->clock, seed, (uint64_t)thread);
	tx->cap_reads = tx->cap_writes = TL2_INITIAL_SET;
	tx->reads = malloc(tx->cap_reads * sizeof(*tx->reads));
	tx->writes = malloc(tx->cap_writes * sizeof(*tx->writes));
	tx->locks = malloc(tx->cap_writes * sizeof(*tx->locks));
	if (tx->reads && tx->writes && tx->locks)
		return 0;
	tl2_tx_free(tx);
	return -1;
}

void tl2_tx_free(struct tl2_tx *tx)
{
	free(tx->reads);
	free(tx->writes);
	free(tx->locks);
	tx->reads = NULL;
	tx->writes = NULL;
	tx->locks = NULL;
}

void tl2_begin(struct tl2_tx *tx)
{
	tx->n_reads = tx->n_writes = tx->n_locks = 0;
	tx->write_filter = 0;
	tx->has_rv = false;
	tx->seen = 0;
}

static uint64_t filter_bit(const tl2_word *addr)
{
	return 1ULL << (((uintptr_t)addr >> 3) & 63);
}

static struct tl2_write_entry *write_find(struct tl2_tx *tx, const tl2_word *addr)
{
	if (!(tx->write_filter & filter_bit(addr)))
		return NULL;
	for (size_t i = tx->n_writes; i-- > 0;)
		if (tx->writes[i].addr == addr)
			return &tx->writes[i];
	return NULL;
}

static bool grow(void **array, size_t *cap, size_t elem)
{
	void *p = realloc(*array, *cap * 2 * elem);
	if (!p)
		return false;
	*array = p;
	*cap *= 2;
	return true;
}

/* The seqlock read of TL2's TxLoad: free and unchanged around the load, version <= RV.
 * The RV is taken lazily at the first read (a write-only transaction never reads the
 * clock; the snapshot it would give starts no earlier than any read). */
bool tl2_load(struct tl2_tx *tx, tl2_word *addr, uint64_t *value)
{
	struct tl2_write_entry *own = write_find(tx, addr);
	if (own) {
		*value = own->value;
		return true;
	}
	if (!tx->has_rv) {
		tx->rv = tx->stm->clock_ops->read_version(tx->stm->clock, &tx->clock);
		tx->has_rv = true;
	}
	tl2_word *lock = stripe_of(tx->stm, addr);
	uint64_t before = atomic_load(lock);
	uint64_t v = atomic_load_explicit(addr, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	uint64_t after = atomic_load_explicit(lock, memory_order_relaxed);
	if (is_locked(before) || before != after || version_of(before) > tx->rv) {
		if (!is_locked(before) && before == after)
			tx->seen = version_of(before);
		tx->stats.aborts_read++;
		return false;
	}
	if (tx->n_reads == tx->cap_reads &&
	    !grow((void **)&tx->reads, &tx->cap_reads, sizeof(*tx->reads)))
		return false;
	tx->reads[tx->n_reads++].lock = lock;
	*value = v;
	return true;
}

bool tl2_store(struct tl2_tx *tx, tl2_word *addr, uint64_t value)
{
	struct tl2_write_entry *own = write_find(tx, addr);
	if (own) {
		own->value = value;
		return true;
	}
	if (tx->n_writes == tx->cap_writes) {
		size_t cap = tx->cap_writes;
		if (!grow((void **)&tx->writes, &tx->cap_writes, sizeof(*tx->writes)))
			return false;
		if (!grow((void **)&tx->locks, &cap, sizeof(*tx->locks)))
			return false;
	}
	tx->writes[tx->n_writes++] = (struct tl2_write_entry){ .addr = addr, .value = value };
	tx->write_filter |= filter_bit(addr);
	return true;
}

static void release_locks(struct tl2_tx *tx)
{
	for (size_t i = 0; i < tx->n_locks; i++)
		atomic_store_explicit(tx->locks[i].lock, tx->locks[i].old, memory_order_release);
	tx->n_locks = 0;
}

static bool holds(const struct tl2_tx *tx, const tl2_word *lock)
{
	for (size_t i = 0; i < tx->n_locks; i++)
		if (tx->locks[i].lock == lock)
			return true;
	return false;
}

/* Lock every stripe of the write set once (two words may share a stripe). A stripe
 * locked by another thread aborts at once: TL2 bounds its spin, and on few cores a
 * spin on a descheduled owner only burns the quantum. */
static bool lock_write_set(struct tl2_tx *tx, uint64_t *maxv)
{
	*maxv = 0;
	for (size_t i = 0; i < tx->n_writes; i++) {
		tl2_word *lock = stripe_of(tx->stm, tx->writes[i].addr);
		if (holds(tx, lock))
			continue;
		uint64_t old = atomic_load_explicit(lock, memory_order_relaxed);
		if (is_locked(old) || !atomic_compare_exchange_strong(lock, &old, tx->owner)) {
			tx->stats.aborts_lock++;
			return false;
		}
		tx->locks[tx->n_locks++] = (struct tl2_lock_entry){ .lock = lock, .old = old };
		*maxv = version_of(old) > *maxv ? version_of(old) : *maxv;
	}
	return true;
}

/* The version a stripe had before this transaction locked it. */
static uint64_t own_old_version(const struct tl2_tx *tx, const tl2_word *lock)
{
	for (size_t i = 0; i < tx->n_locks; i++)
		if (tx->locks[i].lock == lock)
			return version_of(tx->locks[i].old);
	return UINT64_MAX;
}

static bool validate_read_set(struct tl2_tx *tx)
{
	for (size_t i = 0; i < tx->n_reads; i++) {
		tl2_word *lock = tx->reads[i].lock;
		uint64_t w = atomic_load_explicit(lock, memory_order_acquire);
		uint64_t v = w == tx->owner ? own_old_version(tx, lock) : version_of(w);
		if ((is_locked(w) && w != tx->owner) || v > tx->rv) {
			tx->stats.aborts_validate++;
			return false;
		}
	}
	return true;
}

bool tl2_commit(struct tl2_tx *tx)
{
	if (tx->n_writes == 0) {
		tx->stats.commits++;
		tx->stats.read_only_commits++;
		return true;
	}
	uint64_t maxv;
	if (!lock_write_set(tx, &maxv)) {
		release_locks(tx);
		return false;
	}
	const struct tl2_clock_ops *clock = tx->stm->clock_ops;
	uint64_t wv = clock->write_version(tx->stm->clock, &tx->clock, maxv);
	bool quiet = clock->unique_increment && tx->has_rv && wv == tx->rv + 1;
	if (tx->has_rv && !quiet && !validate_read_set(tx)) {
		release_locks(tx);
		return false;
	}
	/* The locks must be visible before any written-back value (seqlock writer side). */
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < tx->n_writes; i++)
		atomic_store_explicit(tx->writes[i].addr, tx->writes[i].value, memory_order_relaxed);
	for (size_t i = 0; i < tx->n_locks; i++)
		atomic_store_explicit(tx->locks[i].lock, wv << 1, memory_order_release);
	tx->n_locks = 0;
	tx->stats.commits++;
	return true;
}

void tl2_after_abort(struct tl2_tx *tx)
{
	if (tx->seen)
		tx->stm->clock_ops->advance(tx->stm->clock, &tx->clock, tx->seen);
}

uint64_t tl2_run(struct tl2_tx *tx, bool (*body)(struct tl2_tx *tx, void *arg), void *arg)
{
	for (uint64_t attempts = 1;; attempts++) {
		tl2_begin(tx);
		if (body(tx, arg) && tl2_commit(tx))
			return attempts;
		tl2_after_abort(tx);
	}
}
