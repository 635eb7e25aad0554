/*
 * qsgd: stochastic quantization of dense data (Alistarh, Grubic, Li, Tomioka, Vojnovic,
 * "QSGD", NeurIPS 2017), as SparCML applies it to its dense phases (notes 4.5). Per
 * bucket b of QSGD_BUCKET values: Q(v_i) = |v_b| sgn(v_i) xi_i / s, xi_i = l + 1 with
 * probability s |v_i| / |v_b| - l, else l (l = floor(s |v_i| / |v_b|)); s = 2^(bits-1)
 * - 1 levels and a sign bit. Unbiased, E|Q(v_b) - v_b|^2 <= min(|b| / s^2, sqrt(|b|) / s)
 * |v_b|^2.
 *
 * Wire form of n values: per bucket an f32 norm, then the bucket's codes packed at
 * `bits` bits each (sign in the top bit, level below), padded to a byte per bucket.
 * 4-bit codes with 1024-value buckets take 32 / (4 + 32/1024) = 7.94x fewer bytes than f32.
 */
#ifndef QSGD_H
#define QSGD_H

#include <stdint.h>

#include "algorithms/kernels/rng.h"

#define QSGD_BUCKET 1024

/* 1 for bits 2, 4 or 8. */
int qsgd_bits_ok(int bits);
/* Quantization levels s of a bit width. */
int qsgd_levels(int bits);
/* Bytes of n quantized values. */
uint64_t qsgd_wire_bytes(uint64_t n, int bits);
/* Quantize v[0..n) into buf (qsgd_wire_bytes bytes), drawing from r. */
void qsgd_encode(const float *v, uint64_t n, int bits, struct rng *r, void *buf);
/* out[0..n) = the values buf encodes. */
void qsgd_decode(const void *buf, uint64_t n, int bits, float *out);
/* The variance bound min(|b| / s^2, sqrt(|b|) / s) of one bucket of size b. */
double qsgd_variance_factor(uint64_t bucket, int bits);

#endif
