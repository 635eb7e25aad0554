/* Parameter validation against specs, and the registry's own tables. */
#include <criterion/criterion.h>
#include <string.h>

#include "datasets/catalog.h"
#include "suite/params.h"
#include "suite/registry.h"
#include "suite/store.h"

static const struct rb_param_spec lr = {"lr", RB_REAL, "0.1", 1e-6, 10, NULL, "step"};
static const struct rb_param_spec batch = {"batch", RB_INT, "64", 1, 1e6, NULL, "batch"};
static const struct rb_param_spec loss = {"loss", RB_CHOICE, "logistic", 0, 0, "logistic|squared", ""};
static const struct rb_param_spec flag = {"flag", RB_BOOL, "false", 0, 0, NULL, ""};

Test(params, accepts_valid_values)
{
	struct rb_value v;
	char err[256];
	cr_expect_eq(rb_value_parse(&lr, "0.5", &v, err, sizeof(err)), 0);
	cr_expect_eq(v.r, 0.5);
	cr_expect_eq(rb_value_parse(&batch, "128", &v, err, sizeof(err)), 0);
	cr_expect_eq(v.i, 128);
	cr_expect_eq(rb_value_parse(&batch, "1e3", &v, err, sizeof(err)), 0, "integral reals are counts");
	cr_expect_eq(v.i, 1000);
	cr_expect_eq(rb_value_parse(&loss, "squared", &v, err, sizeof(err)), 0);
	cr_expect_str_eq(v.s, "squared");
	cr_expect_eq(rb_value_parse(&flag, "true", &v, err, sizeof(err)), 0);
	cr_expect_eq(v.i, 1);
}

Test(params, refuses_bad_values_with_a_reason)
{
	struct rb_value v;
	char err[256];
	cr_expect_eq(rb_value_parse(&lr, "fast", &v, err, sizeof(err)), -1);
	cr_expect(strstr(err, "expected a finite number") != NULL, "%s", err);
	cr_expect_eq(rb_value_parse(&lr, "11", &v, err, sizeof(err)), -1);
	cr_expect(strstr(err, "outside") != NULL, "%s", err);
	cr_expect_eq(rb_value_parse(&lr, "nan", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&batch, "1.5", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&batch, "0", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&batch, "12abc", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&loss, "hinge", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&loss, "logistic|squared", &v, err, sizeof(err)), -1);
	cr_expect_eq(rb_value_parse(&loss, "logis", &v, err, sizeof(err)), -1, "prefixes are no choice");
	cr_expect_eq(rb_value_parse(&flag, "maybe", &v, err, sizeof(err)), -1);
}

Test(params, reals_print_in_shortest_round_trip_form)
{
	struct rb_value v = {.type = RB_REAL, .r = 0.1};
	char buf[64];
	rb_value_format(&v, buf, sizeof(buf));
	cr_expect_str_eq(buf, "0.1");
	v.r = 1.0 / 3.0;
	rb_value_format(&v, buf, sizeof(buf));
	cr_expect_eq(strtod(buf, NULL), 1.0 / 3.0);
}

/* Algorithm parameters become columns of the views; dataset parameters do not. */
static void check_table(const char *owner, const struct rb_param_spec *t, int is_algorithm)
{
	for (const struct rb_param_spec *s = t; s && s->name; s++) {
		struct rb_value v;
		char err[256];
		cr_expect_eq(rb_value_parse(s, s->def, &v, err, sizeof(err)), 0,
			     "%s: default of %s does not validate: %s", owner, s->name, err);
		cr_expect(!is_algorithm || !store_reserved_name(s->name),
			  "%s: parameter name %s clashes with a view column", owner, s->name);
		cr_expect(!is_algorithm || strcmp(s->name, "threads") != 0,
			  "%s: threads is the harness's parameter", owner);
		cr_expect(s->doc && *s->doc, "%s: %s has no doc line", owner, s->name);
		for (const struct rb_param_spec *o = t; o < s; o++)
			cr_expect_str_neq(o->name, s->name, "%s: %s twice", owner, s->name);
	}
}

Test(params, every_registered_table_is_consistent)
{
	int n = 0;
	for (const struct rb_algorithm *const *a = rb_registry_all(); *a; a++, n++) {
		cr_expect(rb_registry_find((*a)->name) == *a);
		cr_expect((*a)->run != NULL);
		check_table((*a)->name, (*a)->params, 1);
	}
	cr_expect_geq(n, 2);
	for (const struct catalog_entry *const *e = catalog_all(); *e; e++)
		check_table((*e)->name, (*e)->params, 0);
}
