/* spinlock: the blocking path of the test-and-test-and-set lock (see spinlock.h). */
#include "algorithms/relaxed_structures/spinlock.h"

#include <sched.h>

/* Spins before the waiter yields its core: about a microsecond, longer than any heap
 * operation, so on a machine with a core per thread a waiter never yields. */
#define SPIN_BEFORE_YIELD 1024

void spin_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void spin_lock(struct spinlock *l)
{
	for (int spins = 0; !spin_trylock(l); spins++) {
		if (spins < SPIN_BEFORE_YIELD) {
			spin_relax();
			continue;
		}
		sched_yield();
		spins = 0;
	}
}
