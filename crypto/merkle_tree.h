// An append-only, in-memory RFC 6962 Merkle tree that serves tree heads, inclusion proofs and
// consistency proofs for its current size and for every earlier size, without rehashing the leaves.
// Its results are byte-identical to the pure reference functions of crypto/merkle.h.
//
// Storage: the leaf hashes and the hash of every complete, aligned perfect subtree (level k, index i
// covers leaves [i*2^k, (i+1)*2^k)), about 2n digests for n leaves plus std::vector growth slack.
//
// Cost for n leaves:
//   append        amortised one node hash per leaf (at most log2 n for a single append);
//   rootAt, inclusionProof, consistencyProof
//                 O(log n) stored-hash look-ups and at most log2 n node hashes per call. Every node of
//                 the RFC recursion is a stored perfect subtree except those on the right edge of a
//                 tree that is not a power of two; a call needs at most one such node, composed from
//                 the at most log2 n stored perfect subtrees that tile it.
//
// Not internally synchronised: callers lock. Const calls may run concurrently with each other, but
// not with append, which may reallocate the storage they read.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "schema/model.h"
#include "schema/status.h"

namespace liaison::crypto {

/// An append-only RFC 6962 Merkle tree over leaf hashes (computed with crypto::leafHash).
class MerkleTree {
 public:
  /// An empty tree; its root is emptyTreeHash().
  MerkleTree() = default;

  /// Adds one leaf hash at index size() and stores the perfect subtrees it completes.
  void append(const Digest& leafHash);

  /// Adds the leaf hashes in order, as if appended one at a time.
  void append(std::span<const Digest> leafHashes);

  /// The number of leaves appended so far.
  uint64_t size() const;

  /// The leaf hash at `index`; `index` must be below size().
  const Digest& leaf(uint64_t index) const;

  /// MTH over the first `treeSize` leaves: emptyTreeHash() for 0. invalidInput when treeSize > size().
  Result<Digest> rootAt(uint64_t treeSize) const;

  /// PATH(index, D[treeSize]), leaf-side first, as crypto::inclusionProof. invalidInput when
  /// treeSize > size() or index >= treeSize.
  Result<std::vector<Digest>> inclusionProof(uint64_t index, uint64_t treeSize) const;

  /// PROOF(first, D[second]), as crypto::consistencyProof: empty when first == second. invalidInput
  /// when second > size(), first == 0 or first > second.
  Result<std::vector<Digest>> consistencyProof(uint64_t first, uint64_t second) const;

 private:
  // MTH of leaves [begin, end), a node of the RFC recursion: begin is a multiple of the largest power
  // of two not above end - begin.
  Digest subtreeHash(uint64_t begin, uint64_t end) const;

  // The stored hash of leaves [index*2^level, (index+1)*2^level).
  const Digest& perfectSubtree(int level, uint64_t index) const;

  // levels_[0] holds the leaf hashes; levels_[k] the perfect subtrees of 2^k leaves, left to right.
  std::vector<std::vector<Digest>> levels_ = std::vector<std::vector<Digest>>(1);
};

}  // namespace liaison::crypto
