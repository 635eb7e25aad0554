/*
 * error: the one way library code reports a failure — a message into the caller's
 * buffer and -1 — since nothing below main() may print or exit.
 */
#ifndef ERROR_H
#define ERROR_H

#include <stddef.h>

/* Format into err (when given) and return -1, for `return rb_error(err, errlen, ...)`. */
int rb_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
