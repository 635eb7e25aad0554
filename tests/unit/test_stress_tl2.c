/* TL2's stress cases (stress_tl2.c) as a Criterion suite; under ThreadSanitizer the
 * same cases run from tests/tsan/stress_main.c. */
#include <criterion/criterion.h>

#include "tests/unit/stress_tl2.h"

TestSuite(stress_tl2, .timeout = 300);

static void run_case(const char *name)
{
	const struct tl2_stress_case *c = tl2_stress_find(name);
	char err[256] = "";
	long violations = -1;

	cr_assert_not_null(c, "no stress case %s", name);
	cr_assert_eq(tl2_stress_run(c, &violations, err, sizeof(err)), 0, "%s: %s", name, err);
	cr_assert_eq(violations, 0, "%s: %ld consistency violations", name, violations);
}

Test(stress_tl2, bank_gv1_2_threads) { run_case("bank_gv1_2_threads"); }
Test(stress_tl2, bank_gv4_4_threads) { run_case("bank_gv4_4_threads"); }
Test(stress_tl2, bank_gv5_8_threads) { run_case("bank_gv5_8_threads"); }
Test(stress_tl2, bank_gv6_4_threads) { run_case("bank_gv6_4_threads"); }
Test(stress_tl2, bank_multicounter_2_threads) { run_case("bank_multicounter_2_threads"); }
Test(stress_tl2, bank_multicounter_8_threads) { run_case("bank_multicounter_8_threads"); }
Test(stress_tl2, bank_multicounter_8_threads_one_counter_each) { run_case("bank_multicounter_8_threads_one_counter_each"); }
Test(stress_tl2, hash_multicounter_4_threads) { run_case("hash_multicounter_4_threads"); }
Test(stress_tl2, list_gv4_2_threads) { run_case("list_gv4_2_threads"); }
Test(stress_tl2, disjoint_multicounter_4_threads_sticky) { run_case("disjoint_multicounter_4_threads_sticky"); }
