/* fingerprint: look-up in the table suite/fingerprint.sh generates at build time. */
#include "suite/fingerprint.h"

#include <string.h>

const char *rb_fingerprint_of(const char *family)
{
	for (const struct rb_fingerprint *f = rb_fingerprints; f->family; f++)
		if (!strcmp(f->family, family))
			return f->hash;
	return "unknown";
}
