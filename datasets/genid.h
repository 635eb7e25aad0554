/*
 * genid: the identity of generated data — the checksum that enters run ids, computed
 * from the parameters alone (before anything is generated), and the "generated: ..."
 * source line for run.json. One canonical text for every generator:
 *
 *     "<name>/v<N>" then "\n<param>=<value>" for each parameter in table order
 *
 * hashed with SHA-256. The value format is frozen here (reals: the shortest of %.15g,
 * %.16g, %.17g that reads back exactly) so that a change elsewhere can never move a
 * checksum; bump the generator's /vN when what it generates changes.
 */
#ifndef GENID_H
#define GENID_H

#include <stddef.h>

#include "datasets/dataset.h"
#include "suite/params.h"

/* Append "<sep><param>=<value>" for each parameter of `table`, in order. */
void genid_describe(const struct rb_param_spec *table, const struct rb_paramset *ps, const char *sep,
		    char *buf, size_t len);
/* SHA-256 hex of the canonical text; `tag` is "<name>/v<N>". */
void genid_checksum(const char *tag, const struct rb_param_spec *table, const struct rb_paramset *ps,
		    char out[65]);
/* Fill out->name, out->checksum and out->source. */
void genid_fill(const char *name, const char *tag, const struct rb_param_spec *table,
		const struct rb_paramset *ps, struct ds_dataset *out);

#endif
