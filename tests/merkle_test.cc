// The RFC 6962 Merkle tree: published test vectors, a literal transcription of the RFC's recursive
// definitions as an independent reference, and proofs that stop verifying once anything is changed.
#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/digest.h"

namespace liaison::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes bytesOf(std::string_view text) { return {text.begin(), text.end()}; }

// The eight inputs of the reference tree in google/certificate-transparency,
// cpp/merkletree/merkle_tree_test.cc (kInputs).
std::vector<Bytes> referenceEntries() {
  using namespace std::string_view_literals;
  return {bytesOf(""sv),
          bytesOf("\x00"sv),
          bytesOf("\x10"sv),
          bytesOf("\x20\x21"sv),
          bytesOf("\x30\x31"sv),
          bytesOf("\x40\x41\x42\x43"sv),
          bytesOf("\x50\x51\x52\x53\x54\x55\x56\x57"sv),
          bytesOf("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"sv)};
}

// Roots of the reference tree for sizes 1..8, from the same file (kSHA256Roots).
const std::vector<std::string> kReferenceRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

constexpr std::string_view kEmptyStringSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::vector<Digest> leafHashesOf(const std::vector<Bytes>& entries) {
  std::vector<Digest> hashes;
  for (const Bytes& entry : entries) hashes.push_back(leafHash(entry));
  return hashes;
}

std::vector<std::string> hexOf(const std::vector<Digest>& digests) {
  std::vector<std::string> out;
  for (const Digest& digest : digests) out.push_back(hex(digest));
  return out;
}

// Distinct entries of varying length, for trees of every shape beyond the reference eight.
std::vector<Bytes> syntheticEntries(size_t count) {
  std::vector<Bytes> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back(Bytes(i % 5, static_cast<uint8_t>(i * 7 + 1)));
  return entries;
}

// ---------------------------------------------------------------------------------------------
// RFC 6962 section 2.1, transcribed literally: recursion over the raw entries, hashing with
// sha256 over concatenated bytes, the split found by doubling. Slow and obviously the RFC's text.
// ---------------------------------------------------------------------------------------------
namespace rfc {

std::vector<Bytes> slice(const std::vector<Bytes>& d, size_t from, size_t to) {
  return {d.begin() + static_cast<std::ptrdiff_t>(from), d.begin() + static_cast<std::ptrdiff_t>(to)};
}

// "k is the largest power of two smaller than n (i.e., k < n <= 2k)".
size_t largestPowerOfTwoBelow(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes hashOf(const Bytes& input) {
  const Digest digest = sha256(input);
  return {digest.begin(), digest.end()};
}

// MTH(D[n]).
Bytes mth(const std::vector<Bytes>& d) {
  const size_t n = d.size();
  if (n == 0) return hashOf({});
  if (n == 1) return hashOf(concat({{0x00}, d[0]}));
  const size_t k = largestPowerOfTwoBelow(n);
  return hashOf(concat({{0x01}, mth(slice(d, 0, k)), mth(slice(d, k, n))}));
}

// PATH(m, D[n]).
std::vector<Bytes> path(size_t m, const std::vector<Bytes>& d) {
  const size_t n = d.size();
  if (n == 1) return {};
  const size_t k = largestPowerOfTwoBelow(n);
  std::vector<Bytes> out;
  if (m < k) {
    out = path(m, slice(d, 0, k));
    out.push_back(mth(slice(d, k, n)));
  } else {
    out = path(m - k, slice(d, k, n));
    out.push_back(mth(slice(d, 0, k)));
  }
  return out;
}

// SUBPROOF(m, D[n], b).
std::vector<Bytes> subproof(size_t m, const std::vector<Bytes>& d, bool b) {
  const size_t n = d.size();
  if (m == n) {
    if (b) return {};
    return {mth(d)};
  }
  const size_t k = largestPowerOfTwoBelow(n);
  std::vector<Bytes> out;
  if (m <= k) {
    out = subproof(m, slice(d, 0, k), b);
    out.push_back(mth(slice(d, k, n)));
  } else {
    out = subproof(m - k, slice(d, k, n), false);
    out.push_back(mth(slice(d, 0, k)));
  }
  return out;
}

// PROOF(m, D[n]).
std::vector<Bytes> proof(size_t m, const std::vector<Bytes>& d) { return subproof(m, d, true); }

std::vector<std::string> hexOf(const std::vector<Bytes>& hashes) {
  std::vector<std::string> out;
  for (const Bytes& hash : hashes) {
    Digest digest{};
    std::copy(hash.begin(), hash.end(), digest.begin());
    out.push_back(hex(digest));
  }
  return out;
}

}  // namespace rfc

// ---------------------------------------------------------------------------------------------
// Tampering: every way a proof can be altered must fail verification.
// ---------------------------------------------------------------------------------------------

Digest withBitFlipped(Digest digest, size_t bit) {
  digest[(bit / 8) % digest.size()] ^= static_cast<uint8_t>(1u << (bit % 8));
  return digest;
}

void expectTamperedInclusionFails(const Digest& leaf, uint64_t index, uint64_t treeSize,
                                  const std::vector<Digest>& proof, const Digest& root) {
  SCOPED_TRACE("leaf " + std::to_string(index) + " of " + std::to_string(treeSize));
  ASSERT_TRUE(verifyInclusion(leaf, index, treeSize, proof, root));

  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Digest> flipped = proof;
    flipped[i] = withBitFlipped(flipped[i], i * 37 + index);
    EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, flipped, root)) << "bit flipped in element " << i;
  }
  EXPECT_FALSE(verifyInclusion(withBitFlipped(leaf, 3), index, treeSize, proof, root));
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, proof, withBitFlipped(root, 200)));
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, proof, emptyTreeHash()));

  EXPECT_FALSE(verifyInclusion(leaf, index + 1, treeSize, proof, root));
  EXPECT_FALSE(verifyInclusion(leaf, index ^ 2, treeSize, proof, root));
  if (index > 0) {
    EXPECT_FALSE(verifyInclusion(leaf, index - 1, treeSize, proof, root));
  }

  // Halved and doubled sizes, as the reference verifier tests do. A neighbouring size can share
  // a path's shape (leaf 0 of 3 and of 4), which is why a signed tree head binds root and size.
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize * 2, proof, root));
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize / 2, proof, root));

  std::vector<Digest> extended = proof;
  extended.push_back(root);
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, extended, root)) << "extended at the end";
  extended = proof;
  extended.insert(extended.begin(), leaf);
  EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, extended, root)) << "extended at the start";
  if (!proof.empty()) {
    const std::vector<Digest> truncated(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(verifyInclusion(leaf, index, treeSize, truncated, root)) << "truncated";
  }
}

void expectTamperedConsistencyFails(uint64_t first, uint64_t second, const Digest& firstRoot,
                                    const Digest& secondRoot, const std::vector<Digest>& proof) {
  SCOPED_TRACE("sizes " + std::to_string(first) + " to " + std::to_string(second));
  ASSERT_TRUE(verifyConsistency(first, second, firstRoot, secondRoot, proof));

  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Digest> flipped = proof;
    flipped[i] = withBitFlipped(flipped[i], i * 53 + first);
    EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, flipped))
        << "bit flipped in element " << i;
  }
  EXPECT_FALSE(verifyConsistency(first, second, withBitFlipped(firstRoot, 9), secondRoot, proof));
  EXPECT_FALSE(verifyConsistency(first, second, firstRoot, withBitFlipped(secondRoot, 9), proof));
  if (first == second) {
    // The only valid proof between equal sizes is empty; anything more is not one of ours.
    EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, std::vector<Digest>{firstRoot}));
    return;
  }
  EXPECT_FALSE(verifyConsistency(first, second, secondRoot, firstRoot, proof)) << "roots swapped";

  EXPECT_FALSE(verifyConsistency(first + 1, second, firstRoot, secondRoot, proof));
  EXPECT_FALSE(verifyConsistency(first - 1, second, firstRoot, secondRoot, proof));
  EXPECT_FALSE(verifyConsistency(first ^ 2, second, firstRoot, secondRoot, proof));
  EXPECT_FALSE(verifyConsistency(first, second * 2, firstRoot, secondRoot, proof));
  EXPECT_FALSE(verifyConsistency(first, second / 2, firstRoot, secondRoot, proof));

  EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, std::vector<Digest>{})) << "empty";
  std::vector<Digest> extended = proof;
  extended.push_back(proof.back());
  EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, extended)) << "extended at the end";
  extended = proof;
  extended.insert(extended.begin(), proof.front());
  EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, extended)) << "extended at the start";
  const std::vector<Digest> truncated(proof.begin(), proof.end() - 1);
  EXPECT_FALSE(verifyConsistency(first, second, firstRoot, secondRoot, truncated)) << "truncated";
}

// ---------------------------------------------------------------------------------------------

TEST(MerkleTree, EmptyTreeRootIsSha256OfTheEmptyString) {
  EXPECT_EQ(hex(emptyTreeHash()), kEmptyStringSha256);
  EXPECT_EQ(hex(merkleTreeHash({})), kEmptyStringSha256);
}

TEST(MerkleTree, OneLeafTreeRootIsTheLeafHashAndItsProofIsEmpty) {
  const Digest leaf = leafHash(Bytes{});
  EXPECT_EQ(hex(leaf), kReferenceRoots[0]);  // SHA-256(0x00)
  const std::vector<Digest> leaves = {leaf};
  EXPECT_EQ(merkleTreeHash(leaves), leaf);

  const auto proof = inclusionProof(leaves, 0, 1);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_TRUE(proof->empty());
  EXPECT_TRUE(verifyInclusion(leaf, 0, 1, *proof, leaf));
  EXPECT_FALSE(verifyInclusion(leaf, 0, 1, *proof, emptyTreeHash()));
}

TEST(MerkleTree, NodeHashPrefixesOneToBothChildren) {
  const Digest left = leafHash(bytesOf("left"));
  const Digest right = leafHash(bytesOf("right"));
  Bytes preimage = {0x01};
  preimage.insert(preimage.end(), left.begin(), left.end());
  preimage.insert(preimage.end(), right.begin(), right.end());
  EXPECT_EQ(nodeHash(left, right), sha256(preimage));
  EXPECT_NE(nodeHash(left, right), nodeHash(right, left));
}

TEST(MerkleTree, RootsMatchCertificateTransparencyReferenceVectors) {
  const std::vector<Digest> leaves = leafHashesOf(referenceEntries());
  for (size_t size = 1; size <= leaves.size(); ++size) {
    EXPECT_EQ(hex(merkleTreeHash(std::span(leaves).first(size))), kReferenceRoots[size - 1]) << "size " << size;
  }
}

TEST(MerkleTree, InclusionProofsMatchCertificateTransparencyReferenceVectors) {
  // kSHA256Paths of the reference tests, whose leaf numbers count from 1; ours count from 0.
  struct Vector {
    uint64_t index;
    uint64_t treeSize;
    std::vector<std::string> proof;
  };
  const std::vector<Vector> vectors = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<Digest> leaves = leafHashesOf(referenceEntries());
  for (const Vector& vector : vectors) {
    const auto proof = inclusionProof(leaves, vector.index, vector.treeSize);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_EQ(hexOf(*proof), vector.proof) << "leaf " << vector.index << " of " << vector.treeSize;
  }
}

TEST(MerkleTree, ConsistencyProofsMatchCertificateTransparencyReferenceVectors) {
  // kSHA256Proofs of the reference tests.
  struct Vector {
    uint64_t first;
    uint64_t second;
    std::vector<std::string> proof;
  };
  const std::vector<Vector> vectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const std::vector<Digest> leaves = leafHashesOf(referenceEntries());
  for (const Vector& vector : vectors) {
    const auto proof = consistencyProof(leaves, vector.first, vector.second);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_EQ(hexOf(*proof), vector.proof) << "sizes " << vector.first << " to " << vector.second;
  }
}

// The reference vectors cover a handful of proofs; the literal RFC recursion covers all of them, on the
// reference tree and on synthetic trees large enough to reach every split shape up to five levels.
TEST(MerkleTree, RootsAndProofsAgreeWithTheLiteralRfcRecursion) {
  for (const std::vector<Bytes>& entries : {referenceEntries(), syntheticEntries(33)}) {
    const std::vector<Digest> leaves = leafHashesOf(entries);
    for (size_t n = 1; n <= entries.size(); ++n) {
      const std::vector<Bytes> tree = rfc::slice(entries, 0, n);
      EXPECT_EQ(rfc::hexOf({rfc::mth(tree)}), hexOf({merkleTreeHash(std::span(leaves).first(n))})) << "size " << n;
      for (size_t m = 0; m < n; ++m) {
        const auto proof = inclusionProof(leaves, m, n);
        ASSERT_TRUE(proof.ok()) << proof.error().message;
        EXPECT_EQ(hexOf(*proof), rfc::hexOf(rfc::path(m, tree))) << "leaf " << m << " of " << n;
      }
      for (size_t m = 1; m <= n; ++m) {
        const auto proof = consistencyProof(leaves, m, n);
        ASSERT_TRUE(proof.ok()) << proof.error().message;
        EXPECT_EQ(hexOf(*proof), rfc::hexOf(rfc::proof(m, tree))) << "sizes " << m << " to " << n;
      }
    }
  }
}

TEST(MerkleTree, EveryInclusionProofVerifiesAndAnyAlterationFails) {
  const std::vector<Digest> leaves = leafHashesOf(syntheticEntries(33));
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    const Digest root = merkleTreeHash(std::span(leaves).first(size));
    for (uint64_t index = 0; index < size; ++index) {
      const auto proof = inclusionProof(leaves, index, size);
      ASSERT_TRUE(proof.ok()) << proof.error().message;
      expectTamperedInclusionFails(leaves[index], index, size, *proof, root);
    }
  }
}

TEST(MerkleTree, EveryConsistencyProofVerifiesAndAnyAlterationFails) {
  const std::vector<Digest> leaves = leafHashesOf(syntheticEntries(33));
  for (uint64_t second = 1; second <= leaves.size(); ++second) {
    const Digest secondRoot = merkleTreeHash(std::span(leaves).first(second));
    for (uint64_t first = 1; first <= second; ++first) {
      const auto proof = consistencyProof(leaves, first, second);
      ASSERT_TRUE(proof.ok()) << proof.error().message;
      expectTamperedConsistencyFails(first, second, merkleTreeHash(std::span(leaves).first(first)), secondRoot,
                                     *proof);
    }
  }
}

TEST(MerkleTree, ProofRequestsOutsideTheTreeAreInvalidInput) {
  const std::vector<Digest> leaves = leafHashesOf(referenceEntries());
  for (const auto& result : {inclusionProof(leaves, 3, 3), inclusionProof(leaves, 0, 0), inclusionProof(leaves, 0, 9),
                             consistencyProof(leaves, 0, 4), consistencyProof(leaves, 5, 4),
                             consistencyProof(leaves, 4, 9)}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::invalidInput);
  }
}

TEST(MerkleTree, VerifiersRejectImpossibleSizes) {
  const Digest root = emptyTreeHash();
  EXPECT_FALSE(verifyInclusion(root, 0, 0, {}, root));
  EXPECT_FALSE(verifyInclusion(root, 1, 1, {}, root));
  // No consistency proof exists from an empty tree, and a tree cannot shrink.
  EXPECT_FALSE(verifyConsistency(0, 0, root, root, {}));
  EXPECT_FALSE(verifyConsistency(0, 1, root, root, {}));
  EXPECT_FALSE(verifyConsistency(2, 1, root, root, {}));
  EXPECT_FALSE(verifyConsistency(1, 2, root, root, {}));
}

}  // namespace
}  // namespace liaison::crypto
