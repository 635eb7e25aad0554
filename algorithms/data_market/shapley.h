/*
 * shapley: data values of training points for a K-nearest-neighbour classifier.
 *
 * Utility (Jia et al. 2019): U(S) = mean over test points t of (1/K) #{ the min(K, |S|)
 * nearest points of S to t whose label equals y_t }, distances Euclidean, ties broken by
 * the lower training index; U(empty) = 0.
 *  - dm_knn_shapley: the exact values by their recursion per test point, nearest first
 *    a_1..a_N: s(a_N) = base, s(a_i) = s(a_{i+1}) + (1[y(a_i)=y_t] - 1[y(a_{i+1})=y_t])
 *    / K * min(K, i) / i, averaged over test points. base = 1[y(a_N)=y_t] / N is Jia et
 *    al.'s (the values then sum to U(D)); base = 0 is the DataBright backend's.
 *  - dm_mc_shapley: Monte-Carlo permutation estimate (mean marginal contribution over
 *    random orders), the check.
 *  - dm_knn_utility: U of a subset (mask), for leave-one-out and the tests.
 */
#ifndef DM_SHAPLEY_H
#define DM_SHAPLEY_H

#include <stdint.h>

#include "algorithms/kernels/rng.h"

/* Nearest-first order of the n training rows (dense, d columns) for each of the m test
 * rows: order[t * n + r] = index of the r-th nearest. NULL when out of memory. */
int32_t *dm_knn_order(const double *train, int64_t n, const double *test, int64_t m, int64_t d);

enum dm_base { DM_BASE_JIA, DM_BASE_ZERO };

/* values[i] for i < n. ytr, yte: labels (compared for equality). 0 or -1 (memory). */
int dm_knn_shapley(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		   enum dm_base base, double *values);

/* U(S) with S = { i : mask[i] } (mask NULL: all). */
double dm_knn_utility(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		      const unsigned char *mask);

/* `perms` random permutations; values[i] = mean marginal contribution. 0 or -1. */
int dm_mc_shapley(const int32_t *order, const double *ytr, int64_t n, const double *yte, int64_t m, int k,
		  int64_t perms, struct rng *r, double *values);

#endif
