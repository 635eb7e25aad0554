/*
 * params: typed parameter values, their specification (type, default, range or
 * choices, doc) and validation. The harness checks every manifest value against an
 * algorithm's table before anything runs, so an algorithm never sees an unknown key
 * or an out-of-range value (DESIGN.md, "The algorithm interface").
 */
#ifndef PARAMS_H
#define PARAMS_H

#include <stdbool.h>
#include <stddef.h>

enum rb_param_type { RB_INT, RB_REAL, RB_CHOICE, RB_BOOL };

struct rb_param_spec {
	const char *name;
	enum rb_param_type type;
	const char *def;       /* default, as it would be written in a manifest */
	double min, max;       /* inclusive range for RB_INT and RB_REAL */
	const char *choices;   /* "a|b|c" for RB_CHOICE */
	const char *doc;       /* one line */
};

struct rb_value {
	enum rb_param_type type;
	long long i;           /* RB_INT, RB_BOOL (0/1) */
	double r;              /* RB_REAL */
	char s[64];            /* RB_CHOICE */
};

/* One resolved parameter of a run: name (owned by the spec table) and value. */
struct rb_param {
	const char *name;
	struct rb_value value;
};

#define RB_MAX_PARAMS 32

struct rb_paramset {
	int n;
	struct rb_param p[RB_MAX_PARAMS];
};

const char *rb_param_type_name(enum rb_param_type t);

/* Parse `text` (a YAML scalar) as a value of `spec`; on error write a reason to err
 * ("expected an integer, got 'x'", "0.5 is outside [1, 100]") and return -1. */
int rb_value_parse(const struct rb_param_spec *spec, const char *text,
		   struct rb_value *out, char *err, size_t errlen);

/* Text of a value, as a manifest or a table would show it (%.17g for reals, shortest
 * form that reads back the same). */
void rb_value_format(const struct rb_value *v, char *buf, size_t len);

/* Find a spec by name in a table terminated by a {NULL} entry. */
const struct rb_param_spec *rb_spec_find(const struct rb_param_spec *table, const char *name);

/* Every parameter of `table` at its default (the table's defaults must validate). */
int rb_paramset_defaults(const struct rb_param_spec *table, struct rb_paramset *ps, char *err,
			 size_t errlen);

/* Lookups by name; the name must be in the set (the registry guarantees it for the
 * algorithm's own table; asking for another name is a programming error and aborts). */
const struct rb_value *rb_paramset_get(const struct rb_paramset *ps, const char *name);
void rb_paramset_set(struct rb_paramset *ps, const char *name, const struct rb_value *v);

#endif
