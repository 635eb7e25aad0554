/*
 * compress: storage accounting and Huffman code lengths (compress.h).
 */
#include "algorithms/distillation/compress.h"

double compress_bucket_ratio(int bits, int64_t k)
{
	return (double)k * 32.0 / ((double)k * bits + 64.0);
}

#define HUFF_MAX 512

/* Huffman's construction by repeated merging of the two lightest nodes (at most 256
 * symbols, so the quadratic search is cheap). Each merge adds the merged weight to the
 * total: the sum of count * depth over the leaves. */
double compress_huffman_bits(const int64_t *counts, int nsym)
{
	double weight[HUFF_MAX];
	int live = 0;
	for (int s = 0; s < nsym && s < HUFF_MAX; s++)
		if (counts[s] > 0)
			weight[live++] = (double)counts[s];
	if (live == 0)
		return 0.0;
	if (live == 1)
		return weight[0];
	double total = 0.0;
	while (live > 1) {
		int a = 0, b = 1;
		if (weight[b] < weight[a])
			a = 1, b = 0;
		for (int i = 2; i < live; i++) {
			if (weight[i] < weight[a])
				b = a, a = i;
			else if (weight[i] < weight[b])
				b = i;
		}
		double merged = weight[a] + weight[b];
		total += merged;
		int lo = a < b ? a : b, hi = a < b ? b : a;
		weight[lo] = merged;
		weight[hi] = weight[--live];
	}
	return total;
}
