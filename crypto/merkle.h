// The Merkle tree of RFC 6962 section 2.1 over SHA-256: tree heads, inclusion and consistency proofs,
// and their verification. Pure functions over leaf hashes; the audit log supplies the leaves.
//
// Cost: merkleTreeHash, inclusionProof and consistencyProof each hash every leaf of the (sub)tree they
// cover at most once, O(n) node hashes and O(log n) stack for a tree of n leaves, because the subtrees
// a proof names are disjoint. Verification is O(log n). Serving proofs for large logs in well under a
// millisecond needs stored subtree hashes (a compact range); these functions are the reference for it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::crypto {

/// RFC 6962 leaf hash: SHA-256(0x00 || entry). The prefix keeps a leaf from posing as an interior node.
Digest leafHash(std::span<const uint8_t> entry);

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
Digest nodeHash(const Digest& left, const Digest& right);

/// The root of a tree with no leaves: SHA-256 of the empty string.
Digest emptyTreeHash();

/// MTH(D[n]) over leaf hashes already computed with leafHash; the left subtree holds the largest power
/// of two of leaves smaller than n.
Digest merkleTreeHash(std::span<const Digest> leafHashes);

/// PATH(index, D[treeSize]) of RFC 6962 section 2.1.1 over the first treeSize leaves, leaf-side first.
/// invalidInput when index >= treeSize or treeSize exceeds the leaves given.
Result<std::vector<Digest>> inclusionProof(std::span<const Digest> leafHashes, uint64_t index,
                                           uint64_t treeSize);

/// PROOF(first, D[second]) of RFC 6962 section 2.1.2: empty when first == second. invalidInput when
/// first == 0 (nothing to prove about an empty tree), first > second or second exceeds the leaves given.
Result<std::vector<Digest>> consistencyProof(std::span<const Digest> leafHashes, uint64_t first,
                                             uint64_t second);

/// Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `treeSize` leaves with `root`
/// (RFC 9162 section 2.1.3.2, which accepts RFC 6962 proofs). Digests are compared in constant time.
bool verifyInclusion(const Digest& leaf, uint64_t index, uint64_t treeSize, std::span<const Digest> proof,
                     const Digest& root);

/// Whether `proof` shows the tree of `second` leaves with `secondRoot` extends the tree of `first` leaves
/// with `firstRoot` (RFC 9162 section 2.1.4.2). first == second holds with an empty proof and equal
/// roots; first == 0 never holds, matching consistencyProof.
bool verifyConsistency(uint64_t first, uint64_t second, const Digest& firstRoot, const Digest& secondRoot,
                       std::span<const Digest> proof);

}  // namespace liaison::crypto
