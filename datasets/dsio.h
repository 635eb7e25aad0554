/*
 * dsio: read a data file as a byte stream whatever its compression. The codec is
 * chosen by the file's magic bytes (gzip 1f 8b, bzip2 "BZh", xz fd 37 7a 58 5a 00),
 * not its name; anything else is read as it is. Loaders read lines or blocks through
 * it and report problems by line or by byte offset of the decompressed stream.
 */
#ifndef DSIO_H
#define DSIO_H

#include <stddef.h>
#include <stdint.h>

enum dsio_codec { DSIO_PLAIN, DSIO_GZIP, DSIO_BZIP2, DSIO_XZ };

struct dsio;

/* NULL with "path: why" in err. */
struct dsio *dsio_open(const char *path, char *err, size_t errlen);
/* An in-memory buffer as a plain stream (fuzz targets and tests); not copied. */
struct dsio *dsio_open_memory(const void *data, size_t len, const char *name);
void dsio_close(struct dsio *r);

enum dsio_codec dsio_codec(const struct dsio *r);
const char *dsio_name(const struct dsio *r);

/* Read up to n bytes; returns the count, 0 at the end, -1 on a corrupt or truncated
 * compressed stream (message in err). */
long dsio_read(struct dsio *r, void *buf, size_t n, char *err, size_t errlen);
/* Exactly n bytes or -1 ("truncated at byte offset X" in err when the stream ends). */
int dsio_read_exact(struct dsio *r, void *buf, size_t n, char *err, size_t errlen);

/* The next line without its newline ('\r' before it dropped too); *line points into the
 * reader's buffer until the next call. Returns the length, -1 at the end of the stream,
 * -2 on an error (in err). Lines of any length are supported. */
long dsio_getline(struct dsio *r, char **line, char *err, size_t errlen);
/* 1-based number of the line last returned by dsio_getline. */
int64_t dsio_lineno(const struct dsio *r);
/* Bytes of decompressed data consumed so far. */
int64_t dsio_offset(const struct dsio *r);

#endif
