/* merkle.c - the Merkle tree over audit records with RFC 9162 hashing
 * (SHA-256; leaves prefixed 0x00, nodes 0x01), an incremental frontier for
 * the writer and verifier, and inclusion / consistency proofs. Pure. */
#include <string.h>

#include <sodium.h>

#include "audit/audit_internal.h"

void av_merkle_leaf_hash(const unsigned char *entry, size_t len, unsigned char out[32])
{
	crypto_hash_sha256_state st;
	const unsigned char prefix = 0x00;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, entry, len);
	crypto_hash_sha256_final(&st, out);
}

void av_merkle_node_hash(const unsigned char l[32], const unsigned char r[32],
                         unsigned char out[32])
{
	unsigned char buf[65];
	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	crypto_hash_sha256(out, buf, sizeof(buf));
}

void av_merkle_init(struct av_merkle *m)
{
	m->size = 0;
}

static int popcount64(uint64_t x)
{
	return __builtin_popcountll(x);
}

void av_merkle_push(struct av_merkle *m, const unsigned char record_hash[32])
{
	unsigned char cur[32];
	av_merkle_leaf_hash(record_hash, 32, cur);
	int k = popcount64(m->size);
	/* Every trailing 1 bit of the size is a perfect subtree of the same
	 * height as the one being built: merge them, right to left. */
	for (uint64_t s = m->size; (s & 1) != 0; s >>= 1) {
		av_merkle_node_hash(m->h[k - 1], cur, cur);
		k--;
	}
	memcpy(m->h[k], cur, 32);
	m->size++;
}

void av_merkle_root(const struct av_merkle *m, unsigned char out[32])
{
	int k = popcount64(m->size);
	if (k == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	unsigned char r[32];
	memcpy(r, m->h[k - 1], 32);
	for (int i = k - 2; i >= 0; i--)
		av_merkle_node_hash(m->h[i], r, r);
	memcpy(out, r, 32);
}

/* The largest power of two strictly smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* MTH(D[0:n]) with leaves already hashed; recursion depth <= 64. */
void av_merkle_tree_hash(const unsigned char (*leaves)[32], uint64_t n,
                         unsigned char out[32])
{
	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	uint64_t k = split_point(n);
	unsigned char l[32], r[32];
	av_merkle_tree_hash(leaves, k, l);
	av_merkle_tree_hash(leaves + k, n - k, r);
	av_merkle_node_hash(l, r, out);
}

/* PATH(m, D[n]) of RFC 9162 2.1.3.1, written leaf-to-root into path. */
static int inclusion_rec(const unsigned char (*leaves)[32], uint64_t n, uint64_t m,
                         unsigned char (*path)[32], int *npath)
{
	if (n <= 1)
		return 0;
	uint64_t k = split_point(n);
	unsigned char sib[32];
	if (m < k) {
		if (inclusion_rec(leaves, k, m, path, npath) < 0)
			return -1;
		av_merkle_tree_hash(leaves + k, n - k, sib);
	} else {
		if (inclusion_rec(leaves + k, n - k, m - k, path, npath) < 0)
			return -1;
		av_merkle_tree_hash(leaves, k, sib);
	}
	if (*npath >= 64)
		return -1;
	memcpy(path[(*npath)++], sib, 32);
	return 0;
}

int av_merkle_inclusion_path(const unsigned char (*leaves)[32], uint64_t n,
                             uint64_t index, unsigned char (*path)[32], int *npath)
{
	*npath = 0;
	if (index >= n)
		return -1;
	return inclusion_rec(leaves, n, index, path, npath);
}

/* SUBPROOF(m, D[n], b) of RFC 9162 2.1.4.1. */
static int subproof(const unsigned char (*leaves)[32], uint64_t m, uint64_t n, bool b,
                    unsigned char (*path)[32], int *npath)
{
	if (m == n) {
		if (b)
			return 0;
		if (*npath >= 64)
			return -1;
		av_merkle_tree_hash(leaves, n, path[(*npath)++]);
		return 0;
	}
	uint64_t k = split_point(n);
	unsigned char sib[32];
	if (m <= k) {
		if (subproof(leaves, m, k, b, path, npath) < 0)
			return -1;
		av_merkle_tree_hash(leaves + k, n - k, sib);
	} else {
		if (subproof(leaves + k, m - k, n - k, false, path, npath) < 0)
			return -1;
		av_merkle_tree_hash(leaves, k, sib);
	}
	if (*npath >= 64)
		return -1;
	memcpy(path[(*npath)++], sib, 32);
	return 0;
}

int av_merkle_consistency_path(const unsigned char (*leaves)[32], uint64_t m, uint64_t n,
                               unsigned char (*path)[32], int *npath)
{
	*npath = 0;
	if (m == 0 || m > n)
		return -1;
	if (m == n)
		return 0;
	return subproof(leaves, m, n, true, path, npath);
}

bool av_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                const unsigned char leaf[32],
                                const unsigned char (*path)[32], int npath,
                                const unsigned char root[32])
{
	if (index >= size)
		return false;
	uint64_t fn = index, sn = size - 1;
	unsigned char r[32];
	memcpy(r, leaf, 32);
	for (int i = 0; i < npath; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			av_merkle_node_hash(path[i], r, r);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			av_merkle_node_hash(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, 32) == 0;
}

bool av_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                  const unsigned char root1[32],
                                  const unsigned char root2[32],
                                  const unsigned char (*path)[32], int npath)
{
	if (size1 == 0 || size1 > size2)
		return false;
	if (size1 == size2)
		return npath == 0 && sodium_memcmp(root1, root2, 32) == 0;
	if (npath < 1 || npath > 64)
		return false;
	/* When size1 is a power of two the first tree is a subtree of the
	 * second and its root is the proof's implicit first element. */
	unsigned char first[32];
	int start;
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(first, root1, 32);
		start = 0;
	} else {
		memcpy(first, path[0], 32);
		start = 1;
	}
	uint64_t fn = size1 - 1, sn = size2 - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	unsigned char fr[32], sr[32];
	memcpy(fr, first, 32);
	memcpy(sr, first, 32);
	for (int i = start; i < npath; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) != 0 || fn == sn) {
			av_merkle_node_hash(path[i], fr, fr);
			av_merkle_node_hash(path[i], sr, sr);
			if ((fn & 1) == 0)
				while ((fn & 1) == 0 && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			av_merkle_node_hash(sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, 32) == 0 &&
	       sodium_memcmp(sr, root2, 32) == 0;
}
