/*
 * gen_sensing: seeded sparse-recovery problems y = A x + e (kind DS_SIGNAL), the data of
 * the low-precision IHT family (Gurel, Kara, Alistarh, Zhang, "Compressive Sensing with
 * Low Precision Data Representation: Radio Astronomy and Beyond", arXiv 1802.04907).
 * train.x is A (dense, row-major), train.y is y (train.x.rows values), truth is the
 * planted x (truth_len = train.x.cols); the test split is empty. The same parameters
 * give the same bytes on every platform: draws come from algorithms/kernels/rng, and the
 * trigonometric and exponential functions are computed here from IEEE-754 +, *, / (as
 * rng.c does for its logarithm), never taken from libm.
 *
 * sensing_gaussian: classic compressive sensing (Candes and Tao 2006; Blumensath and
 * Davies 2009). A is m x n with i.i.d. entries N(0, 1/m) or +-1/sqrt(m), so every column
 * has expected squared norm 1 (exactly 1 for bernoulli) and A satisfies the RIP with
 * high probability once m is of order s log(n/s). x has exactly s nonzeros at uniformly
 * random positions; e is i.i.d. N(0, noise^2).
 *
 * sensing_interferometer: a radio interferometer imaging a sky of point sources, the
 * setting of 1802.04907 Sec. on radio astronomy. Units: lengths in wavelengths, angles
 * as direction cosines (radians for small fields).
 *  - Layout: `antennas` positions (x, y) in a disc of DIAMETER `max_baseline`
 *    (wavelengths), so that no baseline is longer than max_baseline. `random`: uniform in
 *    the disc; `spiral`: a Fermat (sunflower) spiral, antenna i at radius
 *    R sqrt((i + 1/2) / L) and angle i times the golden angle, which spreads baselines
 *    evenly (as in the spiral arms of LOFAR and SKA-low stations); `grid`: a square grid
 *    inscribed in the disc, filled row by row (many redundant baselines). Only `random`
 *    depends on data_seed.
 *  - Baselines: each antenna pair i < j once, (u, v) = (x_i - x_j, y_i - y_j), in the
 *    order (0,1), (0,2), ..., (L-2,L-1). The pair (j, i) is not stored: for a real sky
 *    V(-u, -v) = conj V(u, v), so its rows would repeat these up to the sign of the
 *    imaginary part and add no information (sensing_visibility_row shows it).
 *  - Earth-rotation synthesis: `snapshots` copies of the baselines, snapshot k rotated
 *    by k * rotation / snapshots degrees (earth turns 15 degrees an hour). An in-plane
 *    rotation is exact for a coplanar array observing the celestial pole and keeps w = 0;
 *    other declinations would trace ellipses (not modelled). Rows are snapshot-major.
 *  - Sky: `pixels` x `pixels` image, row-major; column c is at l = (c - pixels/2) dl and
 *    row r at m = (r - pixels/2) dl (integer division), dl = fov / pixels, so the pixel
 *    (pixels/2, pixels/2) is the phase centre l = m = 0. `sources` point sources at
 *    distinct uniformly random pixels with fluxes log-uniform in [1, 10^flux_decades]
 *    (10^0 = 1: all unit fluxes).
 *  - Visibilities (van der Veen and Wijnholds, "Signal Processing Tools for Radio
 *    Astronomy", the w = 0 measurement equation): V_k = sum_p I_p exp(-2 pi i (u_k l_p +
 *    v_k m_p)) + n_k, n_k circular complex Gaussian with E|n_k|^2 = noise^2 (each of the
 *    real and imaginary parts has std noise / sqrt 2). With K baselines in all, A is
 *    (2K) x pixels^2: rows 0..K-1 are Re of the operator and rows K..2K-1 its Im, and y
 *    = [Re V; Im V]. A is not normalised: a unit source at the centre gives V = 1 on every
 *    baseline, so every column has norm sqrt(K) (to rounding) and ||A||_2 >= sqrt(K):
 *    scale the step of IHT accordingly, or use normalised IHT.
 *  - shape = {pixels, pixels, 1}: the truth is an image.
 *
 * Both refuse a matrix of more than 2^31 entries (16 GiB of doubles) with an error.
 */
#ifndef GEN_SENSING_H
#define GEN_SENSING_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/dataset.h"
#include "suite/params.h"

/* Parameters with defaults, ranges and docs; terminated by an entry with name NULL. */
extern const struct rb_param_spec sensing_gaussian_params[];
extern const struct rb_param_spec sensing_interferometer_params[];

/* Generate into `out` (overwritten; free with ds_dataset_free). `ps` holds every
 * parameter of the generator's table, validated. Returns 0, or -1 with a reason in err
 * (s above n, sources above pixels^2, a matrix above 2^31 entries, no memory) and `out`
 * left empty. */
int sensing_gaussian_generate(const struct rb_paramset *ps, struct ds_dataset *out, char *err,
			      size_t errlen);
int sensing_interferometer_generate(const struct rb_paramset *ps, struct ds_dataset *out,
				    char *err, size_t errlen);

/* SHA-256 (hex) of "<name>/v1" and every name=value in table order: the dataset's
 * identity, known before any data exists. The version is bumped whenever the same
 * parameters would generate different bytes. */
void sensing_gaussian_checksum(const struct rb_paramset *ps, char out[65]);
void sensing_interferometer_checksum(const struct rb_paramset *ps, char out[65]);

/* The baselines of sensing_interferometer in the order of A's rows: (u, v) of baseline k
 * in (*uv)[2k], (*uv)[2k + 1] (wavelengths), k < *count = snapshots * L (L - 1) / 2.
 * *uv is malloc'd (caller frees). For uv-coverage plots and matrix-free operators;
 * returns 0, or -1 with a reason in err. */
int sensing_interferometer_uv(const struct rb_paramset *ps, double **uv, int64_t *count,
			      char *err, size_t errlen);

/* One baseline's row of the measurement operator over a pixels x pixels image of field
 * `fov`: re[p] + i im[p] = exp(-2 pi i (u l_p + v m_p)), p = r * pixels + c, pixel
 * coordinates as above; re and im hold pixels^2 values each and must not overlap. The
 * exponential factorises over the two axes, so this costs 2 pixels sine-cosine pairs and
 * pixels^2 complex products. Bit-exact conjugate symmetry: the row of (-u, -v) has the
 * same re and the negated im. */
void sensing_visibility_row(double u, double v, int64_t pixels, double fov, double *re,
			    double *im);

#endif
