/* genid: canonical checksums and source lines of generated datasets. */
#include "datasets/genid.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void format_real(double v, char *buf, size_t len)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void format_value(const struct rb_param_spec *spec, const struct rb_value *v, char *buf, size_t len)
{
	if (spec->type == RB_REAL)
		format_real(v->r, buf, len);
	else if (spec->type == RB_CHOICE)
		snprintf(buf, len, "%s", v->s);
	else
		snprintf(buf, len, "%lld", v->i);
}

void genid_describe(const struct rb_param_spec *table, const struct rb_paramset *ps, const char *sep,
		    char *buf, size_t len)
{
	size_t used = strlen(buf);
	for (const struct rb_param_spec *spec = table; spec->name; spec++) {
		char value[80];
		format_value(spec, rb_paramset_get(ps, spec->name), value, sizeof(value));
		int n = snprintf(buf + used, len - used, "%s%s=%s", sep, spec->name, value);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

void genid_checksum(const char *tag, const struct rb_param_spec *table, const struct rb_paramset *ps,
		    char out[65])
{
	char text[2048];
	unsigned char digest[SHA256_DIGEST_LENGTH];
	snprintf(text, sizeof(text), "%s", tag);
	genid_describe(table, ps, "\n", text, sizeof(text));
	SHA256((const unsigned char *)text, strlen(text), digest);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void genid_fill(const char *name, const char *tag, const struct rb_param_spec *table,
		const struct rb_paramset *ps, struct ds_dataset *out)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
	genid_checksum(tag, table, ps, out->checksum);
	snprintf(out->source, sizeof(out->source), "generated: %s", name);
	genid_describe(table, ps, " ", out->source, sizeof(out->source));
}
