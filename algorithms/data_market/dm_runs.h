/*
 * dm_runs: the data_market family's runnable algorithms (README.md):
 *   dm_dividends   metered training jobs paid into the SQLite ledger; conservation,
 *                  proportionality and tamper detection are verifiers
 *   dm_valuation   exact KNN-Shapley (both base cases), Monte Carlo and leave-one-out of
 *                  shards with planted flipped labels
 *   dm_association the DatabaseAssociation simulator over quorum and participation
 *   dm_overhead    plain against sealed+metered training, paired ABBA slices
 */
#ifndef DM_RUNS_H
#define DM_RUNS_H

#include "suite/registry.h"

extern const struct rb_algorithm dm_dividends_algorithm;
extern const struct rb_algorithm dm_valuation_algorithm;
extern const struct rb_algorithm dm_association_algorithm;
extern const struct rb_algorithm dm_overhead_algorithm;

#endif
