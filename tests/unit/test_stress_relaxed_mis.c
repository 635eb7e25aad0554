/* The relaxed MIS stress cases (stress_relaxed_mis.c) as a Criterion suite; under
 * ThreadSanitizer the same cases run from tests/tsan/stress_main.c. */
#include <criterion/criterion.h>

#include "tests/unit/stress_relaxed_mis.h"

TestSuite(stress_mis, .timeout = 120);

static void run_case(const char *name)
{
	const struct stress_mis_case *c = stress_mis_find(name);
	char err[256] = "";

	cr_assert_not_null(c, "no stress case %s", name);
	cr_assert_eq(stress_mis_run(c, err, sizeof(err)), 0, "%s: %s", name, err);
}

Test(stress_mis, mis_multiqueue_4_threads) { run_case("mis_multiqueue_4_threads"); }
Test(stress_mis, mis_multiqueue_2_threads_one_queue_each) { run_case("mis_multiqueue_2_threads_one_queue_each"); }
Test(stress_mis, matching_multiqueue_4_threads_sticky) { run_case("matching_multiqueue_4_threads_sticky"); }
Test(stress_mis, mis_locked_heap_3_threads) { run_case("mis_locked_heap_3_threads"); }
