#include "crypto/merkle.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <string>

#include "crypto/digest.h"
#include "crypto/keys.h"

namespace liaison::crypto {
namespace {

// Domain-separation prefixes of RFC 6962 section 2.1.
constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// The RFC's k: the largest power of two smaller than n, for n >= 2.
uint64_t splitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool sameDigest(const Digest& a, const Digest& b) { return sodium_memcmp(a.data(), b.data(), a.size()) == 0; }

// The step RFC 9162 sections 2.1.3.2 and 2.1.4.2 share: an even fn on the right edge of the tree has
// no sibling at its level, so both indices move up until fn is a right child or the leftmost node.
void climbWhileLeftChild(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Digest leafHash(std::span<const uint8_t> entry) {
  initialise();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  crypto_hash_sha256_update(&state, entry.data(), entry.size());
  Digest digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return digest;
}

Digest nodeHash(const Digest& left, const Digest& right) {
  initialise();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kNodePrefix, 1);
  crypto_hash_sha256_update(&state, left.data(), left.size());
  crypto_hash_sha256_update(&state, right.data(), right.size());
  Digest digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return digest;
}

Digest emptyTreeHash() { return sha256({}); }

Digest merkleTreeHash(std::span<const Digest> leafHashes) {
  if (leafHashes.empty()) return emptyTreeHash();
  if (leafHashes.size() == 1) return leafHashes.front();
  const uint64_t k = splitPoint(leafHashes.size());
  return nodeHash(merkleTreeHash(leafHashes.first(k)), merkleTreeHash(leafHashes.subspan(k)));
}

Result<std::vector<Digest>> inclusionProof(std::span<const Digest> leafHashes, uint64_t index,
                                           uint64_t treeSize) {
  if (treeSize > leafHashes.size()) {
    return fail(ErrorKind::invalidInput, "inclusion proof for tree size " + std::to_string(treeSize) +
                                             ", but the log holds only " + std::to_string(leafHashes.size()) +
                                             " leaves");
  }
  if (index >= treeSize) {
    return fail(ErrorKind::invalidInput, "inclusion proof for leaf " + std::to_string(index) +
                                             ", which is not in a tree of " + std::to_string(treeSize) +
                                             " leaves");
  }
  // Walk from the root down to the leaf, collecting each sibling subtree's hash; RFC 6962 lists them
  // leaf-side first, so the walk's order is reversed at the end.
  std::vector<Digest> proof;
  std::span<const Digest> subtree = leafHashes.first(treeSize);
  uint64_t m = index;
  while (subtree.size() > 1) {
    const uint64_t k = splitPoint(subtree.size());
    if (m < k) {
      proof.push_back(merkleTreeHash(subtree.subspan(k)));
      subtree = subtree.first(k);
    } else {
      proof.push_back(merkleTreeHash(subtree.first(k)));
      subtree = subtree.subspan(k);
      m -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Digest>> consistencyProof(std::span<const Digest> leafHashes, uint64_t first,
                                             uint64_t second) {
  if (second > leafHashes.size()) {
    return fail(ErrorKind::invalidInput, "consistency proof to tree size " + std::to_string(second) +
                                             ", but the log holds only " + std::to_string(leafHashes.size()) +
                                             " leaves");
  }
  if (first == 0 || first > second) {
    return fail(ErrorKind::invalidInput, "consistency proof from tree size " + std::to_string(first) +
                                             " to " + std::to_string(second) +
                                             "; the first size must be between 1 and the second");
  }
  // SUBPROOF(m, D[n], true) unrolled from the root down, reversed at the end like the inclusion proof.
  // haveFirstRoot is the RFC's b: it turns false once the walk leaves the left edge, where the verifier
  // no longer knows the subtree's hash and the proof must carry it.
  std::vector<Digest> proof;
  std::span<const Digest> subtree = leafHashes.first(second);
  uint64_t m = first;
  bool haveFirstRoot = true;
  while (m != subtree.size()) {
    const uint64_t k = splitPoint(subtree.size());
    if (m <= k) {
      proof.push_back(merkleTreeHash(subtree.subspan(k)));
      subtree = subtree.first(k);
    } else {
      proof.push_back(merkleTreeHash(subtree.first(k)));
      subtree = subtree.subspan(k);
      m -= k;
      haveFirstRoot = false;
    }
  }
  if (!haveFirstRoot) proof.push_back(merkleTreeHash(subtree));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

bool verifyInclusion(const Digest& leaf, uint64_t index, uint64_t treeSize, std::span<const Digest> proof,
                     const Digest& root) {
  if (index >= treeSize) return false;
  uint64_t fn = index;
  uint64_t sn = treeSize - 1;
  Digest r = leaf;
  for (const Digest& p : proof) {
    if (sn == 0) return false;  // the proof is longer than the path
    if ((fn & 1) == 1 || fn == sn) {
      r = nodeHash(p, r);
      climbWhileLeftChild(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && sameDigest(r, root);
}

bool verifyConsistency(uint64_t first, uint64_t second, const Digest& firstRoot, const Digest& secondRoot,
                       std::span<const Digest> proof) {
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && sameDigest(firstRoot, secondRoot);
  if (proof.empty()) return false;
  // When the first tree is a complete subtree of the second, RFC 6962 omits its root from the proof
  // because the verifier already has it; put it back so both cases walk the same path.
  std::vector<Digest> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(first)) path.push_back(firstRoot);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = path.front();
  Digest sr = path.front();
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) return false;  // the proof is longer than the trees allow
    if ((fn & 1) == 1 || fn == sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      climbWhileLeftChild(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && sameDigest(fr, firstRoot) && sameDigest(sr, secondRoot);
}

}  // namespace liaison::crypto
