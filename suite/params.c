/* params: parse, check and print typed parameter values against their specification. */
#include "suite/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rb_param_type_name(enum rb_param_type t)
{
	switch (t) {
	case RB_INT: return "integer";
	case RB_REAL: return "number";
	case RB_CHOICE: return "choice";
	case RB_BOOL: return "boolean";
	}
	return "?";
}

/* The value as an error quotes it: one line (a YAML block scalar spans several, and an
 * error is one line on stderr) and short enough to read. */
static const char *quoted(const char *text, char *buf, size_t len)
{
	size_t k = 0;
	for (; *text && k + 4 < len; text++)
		buf[k++] = (unsigned char)*text < 0x20 || *text == 0x7f ? ' ' : *text;
	if (*text && k >= 3)
		memcpy(buf + k - 3, "...", 3);
	buf[k] = 0;
	return buf;
}

static int parse_int(const struct rb_param_spec *spec, const char *text, struct rb_value *out,
		     char *err, size_t errlen)
{
	char q[64];
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end) {
		/* Accept reals with an integral value, as YAML writers like 1e6 for counts. */
		double d = strtod(text, &end);
		if (end == text || *end || d != floor(d) || fabs(d) > 9.0e15) {
			snprintf(err, errlen, "expected an integer, got '%s'", quoted(text, q, sizeof(q)));
			return -1;
		}
		v = (long long)d;
	}
	if ((double)v < spec->min || (double)v > spec->max) {
		snprintf(err, errlen, "%lld is outside [%.17g, %.17g]", v, spec->min, spec->max);
		return -1;
	}
	out->i = v;
	return 0;
}

static int parse_real(const struct rb_param_spec *spec, const char *text, struct rb_value *out,
		      char *err, size_t errlen)
{
	char q[64];
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end || !isfinite(v)) {
		snprintf(err, errlen, "expected a finite number, got '%s'", quoted(text, q, sizeof(q)));
		return -1;
	}
	if (v < spec->min || v > spec->max) {
		snprintf(err, errlen, "%.17g is outside [%.17g, %.17g]", v, spec->min, spec->max);
		return -1;
	}
	out->r = v;
	return 0;
}

static int choice_allowed(const char *choices, const char *text)
{
	size_t n = strlen(text);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, text, n) == 0)
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

static int parse_choice(const struct rb_param_spec *spec, const char *text, struct rb_value *out,
			char *err, size_t errlen)
{
	char q[64];
	if (!choice_allowed(spec->choices, text) || strlen(text) >= sizeof(out->s)) {
		snprintf(err, errlen, "'%s' is not one of %s", quoted(text, q, sizeof(q)), spec->choices);
		return -1;
	}
	snprintf(out->s, sizeof(out->s), "%s", text);
	return 0;
}

static int parse_bool(const char *text, struct rb_value *out, char *err, size_t errlen)
{
	char q[64];
	if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "1")) {
		out->i = 1;
		return 0;
	}
	if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "0")) {
		out->i = 0;
		return 0;
	}
	snprintf(err, errlen, "expected true or false, got '%s'", quoted(text, q, sizeof(q)));
	return -1;
}

int rb_value_parse(const struct rb_param_spec *spec, const char *text, struct rb_value *out,
		   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->type = spec->type;
	switch (spec->type) {
	case RB_INT: return parse_int(spec, text, out, err, errlen);
	case RB_REAL: return parse_real(spec, text, out, err, errlen);
	case RB_CHOICE: return parse_choice(spec, text, out, err, errlen);
	case RB_BOOL: return parse_bool(text, out, err, errlen);
	}
	snprintf(err, errlen, "parameter '%s' has an unknown type", spec->name);
	return -1;
}

void rb_value_format(const struct rb_value *v, char *buf, size_t len)
{
	switch (v->type) {
	case RB_INT: snprintf(buf, len, "%lld", v->i); return;
	case RB_BOOL: snprintf(buf, len, "%s", v->i ? "true" : "false"); return;
	case RB_CHOICE: snprintf(buf, len, "%s", v->s); return;
	case RB_REAL:
		/* The shortest precision that reads back to the same double: 0.5, not 0.50000000000000000. */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, len, "%.*g", prec, v->r);
			if (strtod(buf, NULL) == v->r)
				return;
		}
		return;
	}
}

const struct rb_param_spec *rb_spec_find(const struct rb_param_spec *table, const char *name)
{
	for (const struct rb_param_spec *s = table; s && s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

const struct rb_value *rb_paramset_get(const struct rb_paramset *ps, const char *name)
{
	for (int i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i].value;
	fprintf(stderr, "relaxbench: internal error: parameter '%s' is not in the set\n", name);
	abort();
}

void rb_paramset_set(struct rb_paramset *ps, const char *name, const struct rb_value *v)
{
	for (int i = 0; i < ps->n; i++) {
		if (!strcmp(ps->p[i].name, name)) {
			ps->p[i].value = *v;
			return;
		}
	}
	if (ps->n == RB_MAX_PARAMS) {
		fprintf(stderr, "relaxbench: internal error: more than %d parameters\n", RB_MAX_PARAMS);
		abort();
	}
	ps->p[ps->n].name = name;
	ps->p[ps->n].value = *v;
	ps->n++;
}

int rb_paramset_defaults(const struct rb_param_spec *table, struct rb_paramset *ps, char *err,
			 size_t errlen)
{
	ps->n = 0;
	for (const struct rb_param_spec *s = table; s && s->name; s++) {
		struct rb_value v;
		char why[256];
		if (rb_value_parse(s, s->def, &v, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "internal error: default of '%s' (%s) does not validate: %s",
				 s->name, s->def, why);
			return -1;
		}
		rb_paramset_set(ps, s->name, &v);
	}
	return 0;
}
