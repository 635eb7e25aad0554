/*
 * sparse_allreduce: the SparCML collectives over comm_exchange (see sparse_allreduce.h).
 * Every phase is written SPMD: prepare each local worker's send and receive, take one
 * exchange step, then consume what each received. Ranks are the comm's workers;
 * "vranks" are the P' (largest power of two <= P) ranks left after the fold.
 */
#include "algorithms/comm/sparse_allreduce.h"

#include <stdlib.h>
#include <string.h>

#include "algorithms/comm/qsgd.h"

struct sar_rank {
	int rank;
	struct ss_stream cur;
	struct ss_stream *blk;          /* P blocks (split) or segments (ring) */
	float *vec;                     /* the dense vector, n */
	unsigned char *qbuf;            /* the quantized vector, by segment */
	unsigned char *sbuf, *rbuf;
	uint64_t scap, rcap;
	struct rng rng;
	struct sar_cost cost;
};

struct sar_ctx {
	struct comm *c;
	uint32_t n;
	int workers, pow2, rem, log2p;
	struct sar_options o;
	struct sar_rank *r;
	struct comm_msg *out;
	struct comm_slot *in;
	uint32_t *bounds;               /* segment bounds, workers + 1 */
	uint64_t *qoff;                 /* quantized layout offsets, workers + 1 */
	int dense_ready;                /* vec/dtmp/qbuf allocated */
	uint64_t calls;                 /* sar_allreduce calls so far */
	/* Working room that no step keeps: one for all local workers, who are served in
	 * turn (a received stream, a merge's output, decoded values). */
	struct ss_stream tmp, scratch;
	float *dtmp;
};

static const char *const variant_names[SAR_VARIANTS] = {
	"ssar_recursive_double", "ssar_split_allgather", "dsar_split_allgather",
	"sparse_ring", "hybrid", "dense_ring", "rabenseifner",
};

const char *sar_variant_name(enum sar_variant v)
{
	return v < SAR_VARIANTS ? variant_names[v] : "?";
}

int sar_variant_is_dense(enum sar_variant v)
{
	return v == SAR_DENSE_RING || v == SAR_RABENSEIFNER;
}

/* ---- ranks ---- */

static int vrank_of(const struct sar_ctx *x, int r)
{
	if (r < 2 * x->rem)
		return r % 2 ? r / 2 : -1;
	return r - x->rem;
}

static int rank_of(const struct sar_ctx *x, int v)
{
	return v < x->rem ? 2 * v + 1 : v + x->rem;
}

static int wrap(int v, int m)
{
	return ((v % m) + m) % m;
}

/* Q contiguous segments of [0, n): floor(n / Q) each, the last takes the remainder
 * (the authors' split). */
static void make_bounds(struct sar_ctx *x, int q)
{
	uint32_t part = x->n / (uint32_t)q;
	for (int j = 0; j < q; j++)
		x->bounds[j] = part * (uint32_t)j;
	x->bounds[q] = x->n;
	x->qoff[0] = 0;
	for (int j = 0; j < q; j++)
		x->qoff[j + 1] = x->qoff[j] + qsgd_wire_bytes(x->bounds[j + 1] - x->bounds[j],
							      x->o.qsgd_bits ? x->o.qsgd_bits : 4);
}

/* ---- one exchange step ---- */

static int grow(unsigned char **b, uint64_t *cap, uint64_t need)
{
	if (need <= *cap && *b)
		return 0;
	free(*b);
	*b = malloc(need ? need : 1);
	*cap = *b ? need : 0;
	return *b ? 0 : -1;
}

static void quiet(struct sar_ctx *x)
{
	for (int w = 0; w < x->c->local_count; w++) {
		x->out[w] = (struct comm_msg){ -1, NULL, 0 };
		x->in[w] = (struct comm_slot){ -1, NULL, 0, 0 };
	}
}

/* The exchange, with each taking part rank's model cost when counted. */
static int step(struct sar_ctx *x, int counted)
{
	if (comm_exchange(x->c, x->out, x->in) != 0)
		return -1;
	for (int w = 0; counted && w < x->c->local_count; w++) {
		if (x->out[w].peer < 0 && x->in[w].peer < 0)
			continue;
		uint64_t o = x->out[w].peer >= 0 ? x->out[w].bytes : 0;
		uint64_t i = x->in[w].peer >= 0 ? x->in[w].bytes : 0;
		uint64_t b = o > i ? o : i;
		struct sar_cost *k = &x->r[w].cost;
		k->steps++;
		k->crit_bytes += b;
		if (x->out[w].peer >= 0) {
			k->bytes_sent += o;
			k->messages_sent++;
		}
		for (int s = 0; s < AB_SETS; s++)
			k->model_s[s] += ab_message_time(&ab_sets[s], b);
	}
	return 0;
}

static int send_stream(struct sar_ctx *x, int w, int peer, const struct ss_stream *s)
{
	struct sar_rank *r = &x->r[w];
	uint64_t bytes = ss_wire_bytes(s);
	if (grow(&r->sbuf, &r->scap, bytes) != 0)
		return -1;
	ss_pack(s, r->sbuf);
	x->out[w] = (struct comm_msg){ peer, r->sbuf, bytes };
	return 0;
}

static int expect(struct sar_ctx *x, int w, int peer, uint64_t cap)
{
	struct sar_rank *r = &x->r[w];
	if (grow(&r->rbuf, &r->rcap, cap) != 0)
		return -1;
	x->in[w] = (struct comm_slot){ peer, r->rbuf, cap, 0 };
	return 0;
}

static int expect_stream(struct sar_ctx *x, int w, int peer, uint32_t n)
{
	return expect(x, w, peer, ss_wire_cap(n));
}

static int recv_stream(struct sar_ctx *x, int w, uint32_t lo, uint32_t n, struct ss_stream *s)
{
	return ss_unpack(s, lo, n, x->r[w].rbuf, x->in[w].bytes);
}

/* ---- fold / unfold (streams) ---- */

static int fold_stream(struct sar_ctx *x)
{
	quiet(x);
	for (int w = 0; w < x->c->local_count; w++) {
		int r = x->r[w].rank;
		if (r >= 2 * x->rem)
			continue;
		int rc = r % 2 ? expect_stream(x, w, r - 1, x->n)
			       : send_stream(x, w, r + 1, &x->r[w].cur);
		if (rc != 0)
			return -1;
	}
	if (step(x, 1) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		if (r->rank >= 2 * x->rem || r->rank % 2 == 0)
			continue;
		if (recv_stream(x, w, 0, x->n, &x->tmp) != 0 ||
		    ss_accumulate(&r->cur, &x->tmp, &x->scratch, 0) != 0)
			return -1;
	}
	return 0;
}

static int unfold_stream(struct sar_ctx *x)
{
	quiet(x);
	for (int w = 0; w < x->c->local_count; w++) {
		int r = x->r[w].rank;
		if (r >= 2 * x->rem)
			continue;
		int rc = r % 2 ? send_stream(x, w, r - 1, &x->r[w].cur)
			       : expect_stream(x, w, r + 1, x->n);
		if (rc != 0)
			return -1;
	}
	if (step(x, 1) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		if (r->rank < 2 * x->rem && r->rank % 2 == 0 &&
		    recv_stream(x, w, 0, x->n, &r->cur) != 0)
			return -1;
	}
	return 0;
}

/* ---- recursive doubling over whole-vector streams ---- */

static int rd_rounds(struct sar_ctx *x, int rounds, int force_last)
{
	for (int i = 0; i < rounds; i++) {
		int mask = 1 << i;
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			int v = vrank_of(x, x->r[w].rank);
			if (v < 0)
				continue;
			int peer = rank_of(x, v ^ mask);
			if (send_stream(x, w, peer, &x->r[w].cur) != 0 ||
			    expect_stream(x, w, peer, x->n) != 0)
				return -1;
		}
		if (step(x, 1) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			if (vrank_of(x, r->rank) < 0)
				continue;
			if (recv_stream(x, w, 0, x->n, &x->tmp) != 0 ||
			    ss_accumulate(&r->cur, &x->tmp, &x->scratch,
					  force_last && i == rounds - 1) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---- blocks: split phase and sparse allgather ---- */

static int alloc_blocks(struct sar_ctx *x)
{
	for (int w = 0; w < x->c->local_count; w++) {
		if (x->r[w].blk)
			continue;
		x->r[w].blk = calloc((size_t)x->workers, sizeof(struct ss_stream));
		if (!x->r[w].blk)
			return -1;
	}
	return 0;
}

static uint32_t seg_len(const struct sar_ctx *x, int j)
{
	return x->bounds[j + 1] - x->bounds[j];
}

/* Cut each taking part rank's cur into q blocks. */
static int cut_blocks(struct sar_ctx *x, int q, int active_only)
{
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		if (active_only && vrank_of(x, r->rank) < 0)
			continue;
		for (int j = 0; j < q; j++)
			if (ss_slice(&r->blk[j], &r->cur, x->bounds[j], seg_len(x, j)) != 0)
				return -1;
	}
	return 0;
}

/* Step s of P' - 1: vrank v sends block v + s to its owner and reduces block v. */
static int split_reduce(struct sar_ctx *x)
{
	int q = x->pow2;
	make_bounds(x, q);
	if (alloc_blocks(x) != 0 || cut_blocks(x, q, 1) != 0)
		return -1;
	for (int s = 1; s < q; s++) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			int v = vrank_of(x, x->r[w].rank);
			if (v < 0)
				continue;
			int to = (v + s) % q, from = wrap(v - s, q);
			if (send_stream(x, w, rank_of(x, to), &x->r[w].blk[to]) != 0 ||
			    expect_stream(x, w, rank_of(x, from), seg_len(x, v)) != 0)
				return -1;
		}
		if (step(x, 1) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int v = vrank_of(x, r->rank);
			if (v < 0)
				continue;
			if (recv_stream(x, w, x->bounds[v], seg_len(x, v), &x->tmp) != 0 ||
			    ss_accumulate(&r->blk[v], &x->tmp, &x->scratch, 0) != 0)
				return -1;
		}
	}
	return 0;
}

/* Recursive-doubling allgather of the owners' blocks: at mask b vrank v holds blocks
 * [v & ~(b - 1), + b) as one stream and swaps it with vrank v ^ b's. */
static int sparse_allgather(struct sar_ctx *x)
{
	int q = x->pow2;
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		int v = vrank_of(x, r->rank);
		if (v >= 0 && ss_copy(&r->cur, &r->blk[v]) != 0)
			return -1;
	}
	for (int b = 1; b < q; b <<= 1) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			int v = vrank_of(x, x->r[w].rank);
			if (v < 0)
				continue;
			int g = (v ^ b) & ~(b - 1), peer = rank_of(x, v ^ b);
			if (send_stream(x, w, peer, &x->r[w].cur) != 0 ||
			    expect_stream(x, w, peer, x->bounds[g + b] - x->bounds[g]) != 0)
				return -1;
		}
		if (step(x, 1) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int v = vrank_of(x, r->rank);
			if (v < 0)
				continue;
			int g = (v ^ b) & ~(b - 1);
			if (recv_stream(x, w, x->bounds[g], x->bounds[g + b] - x->bounds[g],
					&x->tmp) != 0)
				return -1;
			int rc = (v & b) ? ss_concat(&x->scratch, &x->tmp, &r->cur)
					 : ss_concat(&x->scratch, &r->cur, &x->tmp);
			if (rc != 0)
				return -1;
			struct ss_stream t = r->cur;
			r->cur = x->scratch;
			x->scratch = t;
		}
	}
	return 0;
}

/* ---- dense phases (f32 or QSGD) ---- */

static int alloc_dense(struct sar_ctx *x)
{
	if (x->dense_ready)
		return 0;
	uint64_t qbytes = qsgd_wire_bytes(x->n, 2) + (uint64_t)x->workers * 8 + 8;
	if (x->o.qsgd_bits)
		qbytes = qsgd_wire_bytes(x->n, x->o.qsgd_bits) + (uint64_t)x->workers * 8 + 8;
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		r->vec = malloc((size_t)x->n * sizeof(float) + 4);
		r->qbuf = x->o.qsgd_bits ? malloc(qbytes) : NULL;
		if (!r->vec || (x->o.qsgd_bits && !r->qbuf))
			return -1;
	}
	x->dtmp = malloc((size_t)x->n * sizeof(float) + 4);
	if (!x->dtmp)
		return -1;
	x->dense_ready = 1;
	return 0;
}

static uint64_t dense_bytes(const struct sar_ctx *x, uint32_t n)
{
	return x->o.qsgd_bits ? qsgd_wire_bytes(n, x->o.qsgd_bits) : (uint64_t)n * 4;
}

/* Send n values of v: f32 as they are, or QSGD codes drawn now. */
static int send_dense(struct sar_ctx *x, int w, int peer, const float *v, uint32_t n)
{
	struct sar_rank *r = &x->r[w];
	if (!x->o.qsgd_bits) {
		x->out[w] = (struct comm_msg){ peer, v, (uint64_t)n * 4 };
		return 0;
	}
	uint64_t bytes = dense_bytes(x, n);
	if (grow(&r->sbuf, &r->scap, bytes) != 0)
		return -1;
	qsgd_encode(v, n, x->o.qsgd_bits, &r->rng, r->sbuf);
	x->out[w] = (struct comm_msg){ peer, r->sbuf, bytes };
	return 0;
}

static void dense_add(float *restrict d, const float *restrict b, uint32_t n)
{
#pragma omp simd
	for (uint32_t i = 0; i < n; i++)
		d[i] += b[i];
}

/* d += the n values received (dequantized). */
static int add_received(struct sar_ctx *x, int w, float *d, uint32_t n)
{
	struct sar_rank *r = &x->r[w];
	if (x->in[w].bytes != dense_bytes(x, n))
		return -1;
	if (x->o.qsgd_bits) {
		qsgd_decode(r->rbuf, n, x->o.qsgd_bits, x->dtmp);
		dense_add(d, x->dtmp, n);
	} else {
		memcpy(x->dtmp, r->rbuf, (size_t)n * 4);
		dense_add(d, x->dtmp, n);
	}
	return 0;
}

/* Reduce-scatter by recursive halving among the vranks that agree in their low t bits:
 * segment u = v >> t of q. At bit b (q/2 down to 1) a vrank keeps the half of its
 * segment range that its bit b picks and adds its partner's copy of it. */
static int dense_reduce_scatter(struct sar_ctx *x, int t, int q)
{
	make_bounds(x, q);
	/* The quantizer's stream is the segment's, not the rank's: the hybrid runs 2^t
	 * Rabenseifners side by side whose ranks of one segment hold the same data, and
	 * so draw the same codes and end with the same values. */
	for (int w = 0; x->o.qsgd_bits && w < x->c->local_count; w++) {
		int v = vrank_of(x, x->r[w].rank);
		if (v >= 0)
			rng_seed(&x->r[w].rng, x->o.seed + x->calls, (uint64_t)(v >> t));
	}
	for (int b = q / 2; b >= 1; b >>= 1) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int v = vrank_of(x, r->rank);
			if (v < 0)
				continue;
			int u = v >> t, g = u & ~(2 * b - 1), peer = rank_of(x, v ^ (b << t));
			int keep = (u & b) ? g + b : g, give = (u & b) ? g : g + b;
			uint32_t glo = x->bounds[give], ghi = x->bounds[give + b];
			uint32_t klo = x->bounds[keep], khi = x->bounds[keep + b];
			if (send_dense(x, w, peer, r->vec + glo, ghi - glo) != 0 ||
			    expect(x, w, peer, dense_bytes(x, khi - klo)) != 0)
				return -1;
		}
		if (step(x, 1) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int v = vrank_of(x, r->rank);
			if (v < 0)
				continue;
			int u = v >> t, g = u & ~(2 * b - 1);
			int keep = (u & b) ? g + b : g;
			uint32_t klo = x->bounds[keep], khi = x->bounds[keep + b];
			if (add_received(x, w, r->vec + klo, khi - klo) != 0)
				return -1;
		}
	}
	return 0;
}

/* Byte offset of segment j in the layout the allgather moves (f32 vec or qbuf). */
static uint64_t seg_off(const struct sar_ctx *x, int j)
{
	return x->o.qsgd_bits ? x->qoff[j] : (uint64_t)x->bounds[j] * 4;
}

static unsigned char *layout(const struct sar_ctx *x, struct sar_rank *r)
{
	return x->o.qsgd_bits ? r->qbuf : (unsigned char *)r->vec;
}

/* Allgather by recursive doubling of the q segments (segment u = v >> t is vrank v's):
 * messages go straight into the layout. Quantized, each owner encodes its segment
 * once and takes the decoded values itself, so every rank ends with the same ones. */
static int dense_allgather(struct sar_ctx *x, int t, int q)
{
	make_bounds(x, q);
	for (int w = 0; x->o.qsgd_bits && w < x->c->local_count; w++) {
		int v = vrank_of(x, x->r[w].rank);
		if (v >= 0)
			rng_seed(&x->r[w].rng, x->o.seed + x->calls, (uint64_t)(v >> t) + (1ull << 32));
	}
	for (int w = 0; x->o.qsgd_bits && w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		int v = vrank_of(x, r->rank);
		if (v < 0)
			continue;
		int u = v >> t;
		qsgd_encode(r->vec + x->bounds[u], seg_len(x, u), x->o.qsgd_bits, &r->rng,
			    r->qbuf + x->qoff[u]);
	}
	for (int b = 1; b < q; b <<= 1) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int v = vrank_of(x, r->rank);
			if (v < 0)
				continue;
			int u = v >> t, g = u & ~(b - 1), h = (u ^ b) & ~(b - 1);
			int peer = rank_of(x, v ^ (b << t));
			unsigned char *base = layout(x, r);
			x->out[w] = (struct comm_msg){ peer, base + seg_off(x, g),
						       seg_off(x, g + b) - seg_off(x, g) };
			uint64_t cap = seg_off(x, h + b) - seg_off(x, h);
			x->in[w] = (struct comm_slot){ peer, base + seg_off(x, h), cap, 0 };
		}
		if (step(x, 1) != 0)
			return -1;
	}
	for (int w = 0; x->o.qsgd_bits && w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		if (vrank_of(x, r->rank) < 0)
			continue;
		for (int j = 0; j < q; j++)
			qsgd_decode(r->qbuf + x->qoff[j], seg_len(x, j), x->o.qsgd_bits,
				    r->vec + x->bounds[j]);
	}
	return 0;
}

/* cur (any encoding) -> vec */
static void to_vec(struct sar_ctx *x, struct sar_rank *r)
{
	if (r->cur.dense) {
		memcpy(r->vec, r->cur.val, (size_t)x->n * 4);
		return;
	}
	memset(r->vec, 0, (size_t)x->n * 4);
	for (uint32_t j = 0; j < r->cur.nnz; j++)
		r->vec[r->cur.idx[j]] = r->cur.val[j];
}

static int vec_to_cur(struct sar_ctx *x, int active_only)
{
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		if (active_only && vrank_of(x, r->rank) < 0)
			continue;
		if (ss_from_dense(&r->cur, 0, x->n, r->vec) != 0)
			return -1;
	}
	return 0;
}

/* ---- the variants ---- */

static int run_recursive_double(struct sar_ctx *x)
{
	if (fold_stream(x) != 0 || rd_rounds(x, x->log2p, 0) != 0)
		return -1;
	return unfold_stream(x);
}

static int run_split_allgather(struct sar_ctx *x)
{
	if (fold_stream(x) != 0 || split_reduce(x) != 0 || sparse_allgather(x) != 0)
		return -1;
	return unfold_stream(x);
}

static int run_dsar(struct sar_ctx *x)
{
	if (alloc_dense(x) != 0 || fold_stream(x) != 0 || split_reduce(x) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++) {
		struct sar_rank *r = &x->r[w];
		int v = vrank_of(x, r->rank);
		if (v < 0)
			continue;
		/* the owner densifies its reduced block into its place in vec */
		struct ss_stream *blk = &r->blk[v];
		float *d = r->vec + x->bounds[v];
		if (blk->dense) {
			memcpy(d, blk->val, (size_t)blk->n * 4);
		} else {
			memset(d, 0, (size_t)blk->n * 4);
			for (uint32_t j = 0; j < blk->nnz; j++)
				d[blk->idx[j]] = blk->val[j];
		}
	}
	if (dense_allgather(x, 0, x->pow2) != 0 || vec_to_cur(x, 1) != 0)
		return -1;
	return unfold_stream(x);
}

static int run_hybrid(struct sar_ctx *x)
{
	int rounds = sar_hybrid_rounds(x->n, x->o.hybrid_k, x->workers);
	if (fold_stream(x) != 0 || rd_rounds(x, rounds, 1) != 0)
		return -1;
	int q = x->pow2 >> rounds;
	if (q > 1) {
		if (alloc_dense(x) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++)
			if (vrank_of(x, x->r[w].rank) >= 0)
				to_vec(x, &x->r[w]);
		if (dense_reduce_scatter(x, rounds, q) != 0 ||
		    dense_allgather(x, rounds, q) != 0 || vec_to_cur(x, 1) != 0)
			return -1;
	}
	return unfold_stream(x);
}

static int run_rabenseifner(struct sar_ctx *x)
{
	if (alloc_dense(x) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++)
		if (ss_densify(&x->r[w].cur) != 0)
			return -1;
	/* the fold in f32 dense streams (4-byte header), then the dense core on vec */
	if (fold_stream(x) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++)
		if (vrank_of(x, x->r[w].rank) >= 0)
			to_vec(x, &x->r[w]);
	if (dense_reduce_scatter(x, 0, x->pow2) != 0 || dense_allgather(x, 0, x->pow2) != 0 ||
	    vec_to_cur(x, 1) != 0)
		return -1;
	return unfold_stream(x);
}

/* The ring over P segments: reduce-scatter step s sends segment r - s and adds segment
 * r - s - 1; allgather step s forwards segment r + 1 - s and takes segment r - s. */
static int ring_phase(struct sar_ctx *x, int gather)
{
	int p = x->workers;
	for (int s = 0; s + 1 < p; s++) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int send = wrap(r->rank - s + gather, p), recv = wrap(r->rank - s - 1 + gather, p);
			if (send_stream(x, w, wrap(r->rank + 1, p), &r->blk[send]) != 0 ||
			    expect_stream(x, w, wrap(r->rank - 1, p), seg_len(x, recv)) != 0)
				return -1;
		}
		if (step(x, 1) != 0)
			return -1;
		for (int w = 0; w < x->c->local_count; w++) {
			struct sar_rank *r = &x->r[w];
			int j = wrap(r->rank - s - 1 + gather, p);
			struct ss_stream *dst = gather ? &r->blk[j] : &x->tmp;
			if (recv_stream(x, w, x->bounds[j], seg_len(x, j), dst) != 0)
				return -1;
			if (!gather && ss_accumulate(&r->blk[j], &x->tmp, &x->scratch, 0) != 0)
				return -1;
		}
	}
	return 0;
}

static int run_ring(struct sar_ctx *x, int dense)
{
	make_bounds(x, x->workers);
	if (alloc_blocks(x) != 0 || cut_blocks(x, x->workers, 0) != 0)
		return -1;
	for (int w = 0; dense && w < x->c->local_count; w++)
		for (int j = 0; j < x->workers; j++)
			if (ss_densify(&x->r[w].blk[j]) != 0)
				return -1;
	if (ring_phase(x, 0) != 0 || ring_phase(x, 1) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++)
		if (ss_join(&x->r[w].cur, x->r[w].blk, x->workers) != 0)
			return -1;
	return 0;
}

/* ---- public ---- */

int sar_hybrid_rounds(uint32_t n, uint32_t k, int workers)
{
	int log2p = 0;
	while ((2 << log2p) <= workers)
		log2p++;
	if (k == 0)
		return log2p < 1 ? log2p : 1;
	/* divFactor 3, sizeDiff 2 of the authors' code: T = floor(log2(N / (6 k))) */
	double ratio = (double)n / (6.0 * k);
	int t = 0;
	while ((double)(2ull << t) <= ratio && t < 62)
		t++;
	if (t < 1)
		t = 1;
	return t < log2p ? t : log2p;
}

struct sar_ctx *sar_new(struct comm *c, uint32_t n, const struct sar_options *o)
{
	if (o->qsgd_bits && !qsgd_bits_ok(o->qsgd_bits))
		return NULL;
	struct sar_ctx *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->c = c;
	x->n = n;
	x->o = *o;
	x->workers = c->workers;
	x->pow2 = 1;
	while (x->pow2 * 2 <= x->workers) {
		x->pow2 *= 2;
		x->log2p++;
	}
	x->rem = x->workers - x->pow2;
	x->r = calloc((size_t)c->local_count, sizeof(*x->r));
	x->out = calloc((size_t)c->local_count, sizeof(*x->out));
	x->in = calloc((size_t)c->local_count, sizeof(*x->in));
	x->bounds = calloc((size_t)x->workers + 1, sizeof(*x->bounds));
	x->qoff = calloc((size_t)x->workers + 1, sizeof(*x->qoff));
	if (!x->r || !x->out || !x->in || !x->bounds || !x->qoff) {
		sar_free(x);
		return NULL;
	}
	for (int w = 0; w < c->local_count; w++) {
		x->r[w].rank = c->local_first + w;
		rng_seed(&x->r[w].rng, o->seed, (uint64_t)x->r[w].rank);
	}
	return x;
}

static void rank_free(struct sar_rank *r, int workers)
{
	ss_free(&r->cur);
	for (int j = 0; r->blk && j < workers; j++)
		ss_free(&r->blk[j]);
	free(r->blk);
	free(r->vec);
	free(r->qbuf);
	free(r->sbuf);
	free(r->rbuf);
}

void sar_free(struct sar_ctx *x)
{
	if (!x)
		return;
	for (int w = 0; x->r && w < x->c->local_count; w++)
		rank_free(&x->r[w], x->workers);
	free(x->r);
	free(x->out);
	free(x->in);
	free(x->bounds);
	free(x->qoff);
	ss_free(&x->tmp);
	ss_free(&x->scratch);
	free(x->dtmp);
	free(x);
}

static int dispatch(struct sar_ctx *x, enum sar_variant v)
{
	switch (v) {
	case SAR_RECURSIVE_DOUBLE: return run_recursive_double(x);
	case SAR_SPLIT_ALLGATHER: return run_split_allgather(x);
	case SAR_DSAR_SPLIT_ALLGATHER: return run_dsar(x);
	case SAR_SPARSE_RING: return run_ring(x, 0);
	case SAR_HYBRID: return run_hybrid(x);
	case SAR_DENSE_RING: return run_ring(x, 1);
	case SAR_RABENSEIFNER: return run_rabenseifner(x);
	default: return -1;
	}
}

int sar_allreduce(struct sar_ctx *x, enum sar_variant v, const struct ss_stream *in,
		  struct ss_stream *out)
{
	for (int w = 0; w < x->c->local_count; w++) {
		memset(&x->r[w].cost, 0, sizeof(x->r[w].cost));
		if (in[w].lo != 0 || in[w].n != x->n || ss_copy(&x->r[w].cur, &in[w]) != 0)
			return -1;
	}
	x->calls++;
	if (x->workers > 1 && dispatch(x, v) != 0)
		return -1;
	for (int w = 0; w < x->c->local_count; w++) {
		struct ss_stream t = out[w];
		out[w] = x->r[w].cur;
		x->r[w].cur = t;
	}
	return 0;
}

const struct sar_cost *sar_cost_of(const struct sar_ctx *x, int w)
{
	return &x->r[w].cost;
}

/* Fold, recursive doubling and unfold of one double with max, uncounted. */
int sar_max(struct sar_ctx *x, double *v)
{
	double *got = calloc((size_t)x->c->local_count, sizeof(*got));
	if (!got)
		return -1;
	int rc = 0;
	for (int round = -1; rc == 0 && round <= x->log2p; round++) {
		quiet(x);
		for (int w = 0; w < x->c->local_count; w++) {
			int r = x->r[w].rank, vr = vrank_of(x, r), peer = -1, sends = 1, recvs = 1;
			if (round == -1 || round == x->log2p) {
				if (r >= 2 * x->rem)
					continue;
				int odd = r % 2;
				peer = odd ? r - 1 : r + 1;
				sends = (round == -1) != odd;
				recvs = !sends;
			} else if (vr >= 0) {
				peer = rank_of(x, vr ^ (1 << round));
			} else {
				continue;
			}
			if (sends)
				x->out[w] = (struct comm_msg){ peer, &v[w], sizeof(double) };
			if (recvs)
				x->in[w] = (struct comm_slot){ peer, &got[w], sizeof(double), 0 };
		}
		rc = step(x, 0);
		for (int w = 0; rc == 0 && w < x->c->local_count; w++) {
			if (x->in[w].peer < 0)
				continue;
			if (round == x->log2p || got[w] > v[w])
				v[w] = got[w];
		}
	}
	free(got);
	return rc;
}

int sar_barrier(struct sar_ctx *x)
{
	double *v = calloc((size_t)x->c->local_count, sizeof(*v));
	if (!v)
		return -1;
	int rc = sar_max(x, v);
	free(v);
	return rc;
}
