/*
 * compress: the storage accounting of the authors' code (helpers/functions.py,
 * get_size_reduction; quantization/help_functions.py, huffman_encode). A quantized
 * tensor of n values in buckets of k stores b bits per value and two float32 per bucket
 * (its minimum and step), so a full bucket costs k b + 64 bits against 32 k in float:
 * ratio k 32 / (k b + 64). The Huffman size replaces b by the length of each value's
 * Huffman code, built from the tensor's symbol frequencies (the code table itself is
 * not counted, as in the authors' accounting).
 */
#ifndef DISTILL_COMPRESS_H
#define DISTILL_COMPRESS_H

#include <stdint.h>

/* k 32 / (k b + 64): the ratio of a tensor made of full buckets. */
double compress_bucket_ratio(int bits, int64_t k);

/* Total bits of the optimal prefix (Huffman) code for symbols with these counts: sum
 * of count * code length. A single used symbol gets a 1-bit code. */
double compress_huffman_bits(const int64_t *counts, int nsym);

#endif
