/*
 * aggregator: the rules a parameter server uses to turn m machines' gradients (some of
 * them Byzantine) into one step direction, behind one table of operations. Each rule is
 * one file: agg_mean.c (plain mini-batch SGD), agg_median.c (coordinate-wise median),
 * agg_trimmed_mean.c, agg_krum.c (Krum and Multi-Krum), agg_geomed.c (geometric median
 * by Weiszfeld), agg_bulyan.c, agg_cclip.c (centered clipping) and agg_byzantine_sgd.c
 * (the filter of Alistarh, Allen-Zhu and Li, arXiv 1803.08917, the only stateful one
 * across iterations besides centered clipping's momentum).
 *
 * Gradients arrive as one m x d row-major matrix (row i = machine i). The pairwise
 * squared distances the distance-based rules need come from one Gram matrix (CBLAS
 * dsyrk): O(m^2 d), the cost the paper names.
 */
#ifndef BYZ_AGGREGATOR_H
#define BYZ_AGGREGATOR_H

#include <stddef.h>

/* Everything any rule needs, resolved by the caller (byzantine_sgd.c). */
struct agg_config {
	int m, d;
	int f;              /* Krum, Multi-Krum, Bulyan: Byzantine machines tolerated */
	int trim;           /* trimmed mean: values dropped at each end of a coordinate */
	int multi_krum_k;   /* Multi-Krum: lowest-score vectors averaged */
	int geomed_iters;   /* Weiszfeld: iteration cap */
	double geomed_tol;  /* Weiszfeld: stop when a step moves less than tol * max(1, |z|) */
	double cclip_tau;   /* centered clipping: radius */
	int cclip_iters;    /* centered clipping: clipping rounds per step */
	/* ByzantineSGD's filter (agg_byzantine_sgd.c) */
	double t_a, t_b, v; /* thresholds T_A, T_B and the noise bound V */
	double filter_factor; /* 2 (paper: 2T_A, 2T_B) or 1 (re-implementation: T_A, T_B) */
	int normalise_by_good; /* 0: divide by m (paper), 1: by |good| (re-implementation) */
	int median_most;    /* 0: first qualifying machine (paper: "any"), 1: most neighbours */
};

struct aggregator_ops {
	const char *name;
	/* Scratch and state for one run; NULL when out of memory. */
	void *(*create)(const struct agg_config *c);
	/* out[0..d) = the aggregate of g (m x d). disp = x_k - x_1 (only the filter uses it). */
	void (*aggregate)(void *state, const double *g, const double *disp, double *out);
	void (*destroy)(void *state);
	/* Optional (the filter): good[i] = 1 while machine i is trusted. */
	const unsigned char *(*good)(const void *state);
	/* Optional (the filter): times no machine met the "more than m/2 within the
	 * threshold" rule and the one with most neighbours was taken instead. */
	long (*median_fallbacks)(const void *state);
};

extern const struct aggregator_ops agg_mean_ops, agg_median_ops, agg_trimmed_mean_ops,
	agg_krum_ops, agg_multi_krum_ops, agg_geomed_ops, agg_bulyan_ops, agg_cclip_ops,
	agg_byzantine_sgd_ops;

/* The rule called `name`, or NULL. */
const struct aggregator_ops *agg_find(const char *name);
/* "byzantine_sgd|mean|..." for the parameter table. */
#define AGG_CHOICES "byzantine_sgd|mean|median|trimmed_mean|krum|multi_krum|geomed|bulyan|cclip"

/* dist[i*m + j] = |v_i - v_j|^2 for the m rows of v (m x d), through the Gram matrix
 * gram (m*m scratch) from one cblas_dsyrk; clamped at 0 against rounding. */
void agg_sq_distances(const double *v, int m, int d, double *gram, double *dist);
/* Median of x[0..n) (mean of the middle two for even n); x is reordered. */
double agg_median_inplace(double *x, int n);
/* Sort x[0..n) ascending. */
void agg_sort(double *x, int n);
/* Krum's scores: score[i] = sum of the `nb` smallest dist[i*m + j], j != i, j in the
 * rows with alive[j] (alive NULL: all). tmp holds m doubles. */
void agg_krum_scores(const double *dist, int m, const unsigned char *alive, int nb,
		     double *tmp, double *score);

/* Scratch most rules share: sized for m machines in d dimensions. */
struct agg_scratch {
	struct agg_config c;
	double *gram, *dist;   /* m*m */
	double *tmp;           /* max(m, d) */
	double *score;         /* m */
	double *v, *w;         /* d */
	unsigned char *alive, *picked;  /* m */
};
void *agg_scratch_create(const struct agg_config *c);
void agg_scratch_destroy(void *s);

#endif
