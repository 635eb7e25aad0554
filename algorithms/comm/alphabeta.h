/*
 * alphabeta: the alpha-beta cost model of SparCML's collectives (notes 4.4): a message
 * of b bytes costs alpha + beta b. Two parameter sets: an Aries-like fast network
 * (alpha 1.5 us, 10 GB/s) and 10 Gb Ethernet (alpha 50 us, 1.25 GB/s).
 *
 * Two uses:
 *  - the modelled time of a run, from what each rank actually sent: every exchange
 *    step a rank takes part in costs it alpha + beta max(bytes out, bytes in) (full
 *    duplex links), its time is the sum over its steps, and the collective's time is
 *    the maximum over ranks (sparse_allreduce.c accumulates it per step);
 *  - the expected bytes and messages of each algorithm for uniform random supports of
 *    density d (E[K_m] = N (1 - (1 - d)^m) for the union of m supports), the formulas
 *    of 4.4 with the stream's dense switch and its 4-byte header, for P a power of two.
 */
#ifndef ALPHABETA_H
#define ALPHABETA_H

#include <stdint.h>

#define AB_SETS 2

struct ab_params {
	const char *name;     /* "aries", "ethernet" */
	double alpha_s;       /* per message */
	double beta_s;        /* per byte */
};

extern const struct ab_params ab_sets[AB_SETS];

double ab_message_time(const struct ab_params *p, uint64_t bytes);

/* What the model expects of one rank (mean over ranks) in one allreduce. */
struct ab_expect {
	double bytes_sent;     /* mean bytes a rank sends */
	double crit_bytes;     /* sum over its steps of max(bytes out, bytes in) */
	double messages;       /* steps a rank takes part in */
};

/* The expectation for `variant` (enum sar_variant) at N entries, P ranks (a power of
 * two), density d, supports independent uniform (shared = 0) or one shared support
 * (shared = 1); hybrid_rounds is the hybrid's T. -1 when P is not a power of two. */
int ab_expected(int variant, double n, int workers, double d, int shared, int hybrid_rounds,
		struct ab_expect *e);

/* Modelled time of an expectation under a parameter set. */
double ab_expected_time(const struct ab_params *p, const struct ab_expect *e);

#endif
