#include "crypto/merkle_tree.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <string>

#include "crypto/merkle.h"

namespace liaison::crypto {
namespace {

// The RFC's k: the largest power of two smaller than n, for n >= 2.
uint64_t splitPoint(uint64_t n) { return std::bit_floor(n - 1); }

uint64_t powerOfTwo(int exponent) { return uint64_t{1} << exponent; }

}  // namespace

void MerkleTree::append(const Digest& leafHash) {
  levels_.front().push_back(leafHash);
  // A new leaf at an odd position completes the perfect subtree it closes, which may close the one
  // above it in turn: one hash per trailing zero bit of the new size, amortised one per leaf.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<Digest>& below = levels_[level];
    levels_[level + 1].push_back(nodeHash(below[below.size() - 2], below.back()));
  }
}

void MerkleTree::append(std::span<const Digest> leafHashes) {
  for (const Digest& leafHash : leafHashes) append(leafHash);
}

uint64_t MerkleTree::size() const { return levels_.front().size(); }

const Digest& MerkleTree::leaf(uint64_t index) const { return perfectSubtree(0, index); }

Result<Digest> MerkleTree::rootAt(uint64_t treeSize) const {
  if (treeSize > size()) {
    return fail(ErrorKind::invalidInput, "tree head for tree size " + std::to_string(treeSize) +
                                             ", but the log holds only " + std::to_string(size()) +
                                             " leaves");
  }
  if (treeSize == 0) return emptyTreeHash();
  return subtreeHash(0, treeSize);
}

// The walk and the messages follow crypto::inclusionProof; only the sibling hashes come from storage.
Result<std::vector<Digest>> MerkleTree::inclusionProof(uint64_t index, uint64_t treeSize) const {
  if (treeSize > size()) {
    return fail(ErrorKind::invalidInput, "inclusion proof for tree size " + std::to_string(treeSize) +
                                             ", but the log holds only " + std::to_string(size()) +
                                             " leaves");
  }
  if (index >= treeSize) {
    return fail(ErrorKind::invalidInput, "inclusion proof for leaf " + std::to_string(index) +
                                             ", which is not in a tree of " + std::to_string(treeSize) +
                                             " leaves");
  }
  std::vector<Digest> proof;
  uint64_t begin = 0;
  uint64_t end = treeSize;
  while (end - begin > 1) {
    const uint64_t k = splitPoint(end - begin);
    if (index < begin + k) {
      proof.push_back(subtreeHash(begin + k, end));
      end = begin + k;
    } else {
      proof.push_back(subtreeHash(begin, begin + k));
      begin += k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

// The walk and the messages follow crypto::consistencyProof; only the subtree hashes come from storage.
Result<std::vector<Digest>> MerkleTree::consistencyProof(uint64_t first, uint64_t second) const {
  if (second > size()) {
    return fail(ErrorKind::invalidInput, "consistency proof to tree size " + std::to_string(second) +
                                             ", but the log holds only " + std::to_string(size()) +
                                             " leaves");
  }
  if (first == 0 || first > second) {
    return fail(ErrorKind::invalidInput, "consistency proof from tree size " + std::to_string(first) +
                                             " to " + std::to_string(second) +
                                             "; the first size must be between 1 and the second");
  }
  // m counts the first tree's leaves inside [begin, end); haveFirstRoot is the RFC's b.
  std::vector<Digest> proof;
  uint64_t begin = 0;
  uint64_t end = second;
  uint64_t m = first;
  bool haveFirstRoot = true;
  while (m != end - begin) {
    const uint64_t k = splitPoint(end - begin);
    if (m <= k) {
      proof.push_back(subtreeHash(begin + k, end));
      end = begin + k;
    } else {
      proof.push_back(subtreeHash(begin, begin + k));
      begin += k;
      m -= k;
      haveFirstRoot = false;
    }
  }
  if (!haveFirstRoot) proof.push_back(subtreeHash(begin, end));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Digest MerkleTree::subtreeHash(uint64_t begin, uint64_t end) const {
  assert(begin < end && end <= size());
  assert(begin % std::bit_floor(end - begin) == 0);
  // The RFC splits off the largest power of two first, so [begin, end) is its perfect subtrees of
  // descending size, joined right to left. Each is aligned because begin is aligned to the largest.
  uint64_t remaining = end - begin;
  uint64_t pieceEnd = end;
  int level = std::countr_zero(remaining);
  Digest hash = perfectSubtree(level, (pieceEnd >> level) - 1);
  remaining -= powerOfTwo(level);
  pieceEnd -= powerOfTwo(level);
  while (remaining != 0) {
    level = std::countr_zero(remaining);
    hash = nodeHash(perfectSubtree(level, (pieceEnd >> level) - 1), hash);
    remaining -= powerOfTwo(level);
    pieceEnd -= powerOfTwo(level);
  }
  return hash;
}

const Digest& MerkleTree::perfectSubtree(int level, uint64_t index) const {
  assert(level >= 0 && static_cast<size_t>(level) < levels_.size());
  const std::vector<Digest>& stored = levels_[static_cast<size_t>(level)];
  assert(index < stored.size());
  return stored[index];
}

}  // namespace liaison::crypto
