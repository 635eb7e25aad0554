/* The relaxed structures' stress cases (stress_relaxed.c) as Criterion suites; under
 * ThreadSanitizer the same cases run from tests/tsan/stress_main.c. */
#include <criterion/criterion.h>

#include "tests/unit/stress_relaxed.h"

TestSuite(stress_mq, .timeout = 120);
TestSuite(stress_mc, .timeout = 120);

static void run_case(const char *name)
{
	const struct stress_case *c = stress_find(name);
	char err[256] = "";

	cr_assert_not_null(c, "no stress case %s", name);
	cr_assert_eq(stress_run(c, err, sizeof(err)), 0, "%s: %s", name, err);
}

Test(stress_mq, multiqueue_2_threads_contended) { run_case("multiqueue_2_threads_contended"); }
Test(stress_mq, multiqueue_4_threads_sticky) { run_case("multiqueue_4_threads_sticky"); }
Test(stress_mq, multiqueue_8_threads_mostly_empty) { run_case("multiqueue_8_threads_mostly_empty"); }
Test(stress_mq, locked_heap_4_threads) { run_case("locked_heap_4_threads"); }
Test(stress_mc, multicounter_2_threads_few_counters) { run_case("multicounter_2_threads_few_counters"); }
Test(stress_mc, multicounter_8_threads_sticky) { run_case("multicounter_8_threads_sticky"); }
Test(stress_mc, fetch_add_counter_4_threads) { run_case("fetch_add_counter_4_threads"); }
Test(stress_mq, engineered_2_threads_contended) { run_case("engineered_2_threads_contended"); }
Test(stress_mq, engineered_4_threads_sticky) { run_case("engineered_4_threads_sticky"); }
Test(stress_mq, engineered_8_threads_mostly_empty) { run_case("engineered_8_threads_mostly_empty"); }
Test(stress_mc, engineered_counter_2_threads_few_counters) { run_case("engineered_counter_2_threads_few_counters"); }
Test(stress_mc, engineered_counter_8_threads_sticky) { run_case("engineered_counter_8_threads_sticky"); }
