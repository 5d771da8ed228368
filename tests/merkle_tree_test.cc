// The append-only Merkle tree against the reference functions of crypto/merkle.h: every root and
// proof of every size up to 70, historic and current, a random sample of a 100,000-leaf tree, the same
// refusals with the same messages, and proofs that the verifiers accept.
#include "crypto/merkle_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/digest.h"
#include "crypto/merkle.h"

namespace liaison::crypto {
namespace {

constexpr uint64_t kSmallTreeLeaves = 70;
constexpr uint64_t kLargeTreeLeaves = 100'000;

// Leaf hashes of distinct entries "entry 0", "entry 1", ...
std::vector<Digest> syntheticLeafHashes(uint64_t count) {
  std::vector<Digest> hashes;
  hashes.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const std::string entry = "entry " + std::to_string(i);
    hashes.push_back(leafHash(std::span(reinterpret_cast<const uint8_t*>(entry.data()), entry.size())));
  }
  return hashes;
}

MerkleTree treeOf(std::span<const Digest> leaves) {
  MerkleTree tree;
  tree.append(leaves);
  return tree;
}

std::vector<std::string> hexOf(const std::vector<Digest>& digests) {
  std::vector<std::string> out;
  for (const Digest& digest : digests) out.push_back(hex(digest));
  return out;
}

Digest referenceRoot(std::span<const Digest> leaves, uint64_t treeSize) {
  return merkleTreeHash(leaves.first(treeSize));
}

void expectSameRoot(const MerkleTree& tree, std::span<const Digest> leaves, uint64_t treeSize) {
  const auto root = tree.rootAt(treeSize);
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(hex(*root), hex(referenceRoot(leaves, treeSize))) << "root of size " << treeSize;
}

// Checks the tree's proof against the reference and returns it, so the caller can verify it.
std::vector<Digest> expectSameInclusionProof(const MerkleTree& tree, std::span<const Digest> leaves,
                                             uint64_t index, uint64_t treeSize) {
  const auto expected = crypto::inclusionProof(leaves, index, treeSize);
  const auto actual = tree.inclusionProof(index, treeSize);
  EXPECT_TRUE(expected.ok() && actual.ok()) << "leaf " << index << " of " << treeSize;
  if (!expected.ok() || !actual.ok()) return {};
  EXPECT_EQ(hexOf(*actual), hexOf(*expected)) << "leaf " << index << " of " << treeSize;
  return *actual;
}

std::vector<Digest> expectSameConsistencyProof(const MerkleTree& tree, std::span<const Digest> leaves,
                                               uint64_t first, uint64_t second) {
  const auto expected = crypto::consistencyProof(leaves, first, second);
  const auto actual = tree.consistencyProof(first, second);
  EXPECT_TRUE(expected.ok() && actual.ok()) << "sizes " << first << " to " << second;
  if (!expected.ok() || !actual.ok()) return {};
  EXPECT_EQ(hexOf(*actual), hexOf(*expected)) << "sizes " << first << " to " << second;
  return *actual;
}

void expectInclusionVerifies(const MerkleTree& tree, uint64_t index, uint64_t treeSize,
                             const std::vector<Digest>& proof) {
  EXPECT_TRUE(verifyInclusion(tree.leaf(index), index, treeSize, proof, tree.rootAt(treeSize).value()))
      << "leaf " << index << " of " << treeSize;
}

void expectConsistencyVerifies(const MerkleTree& tree, uint64_t first, uint64_t second,
                               const std::vector<Digest>& proof) {
  EXPECT_TRUE(
      verifyConsistency(first, second, tree.rootAt(first).value(), tree.rootAt(second).value(), proof))
      << "sizes " << first << " to " << second;
}

template <typename T>
void expectSameRefusal(const Result<T>& actual, const Result<T>& expected, const std::string& call) {
  ASSERT_FALSE(expected.ok()) << call << ": the reference accepts it";
  ASSERT_FALSE(actual.ok()) << call << ": the tree accepts it";
  EXPECT_EQ(actual.error().kind, expected.error().kind) << call;
  EXPECT_EQ(actual.error().message, expected.error().message) << call;
}

// ---------------------------------------------------------------------------------------------
// Every size up to 70: a full tree answering for each historic size, and a growing tree answering
// for its current size, so both the stored interior and the right edge are exercised.
// ---------------------------------------------------------------------------------------------

TEST(MerkleTreeAppendOnly, RootAtEverySizeUpTo70MatchesTheReference) {
  const std::vector<Digest> leaves = syntheticLeafHashes(kSmallTreeLeaves);
  const MerkleTree tree = treeOf(leaves);
  ASSERT_EQ(tree.size(), kSmallTreeLeaves);
  EXPECT_EQ(hex(tree.rootAt(0).value()), hex(emptyTreeHash()));
  for (uint64_t treeSize = 0; treeSize <= kSmallTreeLeaves; ++treeSize)
    expectSameRoot(tree, leaves, treeSize);
}

TEST(MerkleTreeAppendOnly, EveryInclusionProofUpTo70MatchesTheReferenceAndVerifies) {
  const std::vector<Digest> leaves = syntheticLeafHashes(kSmallTreeLeaves);
  const MerkleTree tree = treeOf(leaves);
  for (uint64_t treeSize = 1; treeSize <= kSmallTreeLeaves; ++treeSize) {
    for (uint64_t index = 0; index < treeSize; ++index) {
      expectInclusionVerifies(tree, index, treeSize, expectSameInclusionProof(tree, leaves, index, treeSize));
    }
  }
}

TEST(MerkleTreeAppendOnly, EveryConsistencyProofUpTo70MatchesTheReferenceAndVerifies) {
  const std::vector<Digest> leaves = syntheticLeafHashes(kSmallTreeLeaves);
  const MerkleTree tree = treeOf(leaves);
  for (uint64_t second = 1; second <= kSmallTreeLeaves; ++second) {
    for (uint64_t first = 1; first <= second; ++first) {
      expectConsistencyVerifies(tree, first, second, expectSameConsistencyProof(tree, leaves, first, second));
    }
  }
}

TEST(MerkleTreeAppendOnly, GrowingOneLeafAtATimeServesEachCurrentSizeLikeTheReference) {
  const std::vector<Digest> leaves = syntheticLeafHashes(kSmallTreeLeaves);
  MerkleTree tree;
  for (uint64_t treeSize = 0; treeSize <= kSmallTreeLeaves; ++treeSize) {
    SCOPED_TRACE("tree of " + std::to_string(treeSize) + " leaves");
    if (treeSize > 0) {
      tree.append(leaves[treeSize - 1]);
      EXPECT_EQ(tree.leaf(treeSize - 1), leaves[treeSize - 1]);
    }
    ASSERT_EQ(tree.size(), treeSize);
    expectSameRoot(tree, leaves, treeSize);
    for (uint64_t index = 0; index < treeSize; ++index)
      expectSameInclusionProof(tree, leaves, index, treeSize);
    for (uint64_t first = 1; first <= treeSize; ++first)
      expectSameConsistencyProof(tree, leaves, first, treeSize);
  }
}

TEST(MerkleTreeAppendOnly, AppendingInBatchesKeepsEveryLeafInOrder) {
  const std::vector<Digest> leaves = syntheticLeafHashes(kSmallTreeLeaves);
  MerkleTree tree;
  const std::span<const Digest> all(leaves);
  // Batches of 0, 1, 2, ... leaves, so batch boundaries fall on every kind of position.
  for (uint64_t appended = 0, batch = 0; appended < all.size(); appended += batch, ++batch) {
    tree.append(all.subspan(appended, std::min<uint64_t>(batch, all.size() - appended)));
  }
  ASSERT_EQ(tree.size(), kSmallTreeLeaves);
  for (uint64_t index = 0; index < kSmallTreeLeaves; ++index) EXPECT_EQ(tree.leaf(index), leaves[index]);
  for (uint64_t treeSize = 0; treeSize <= kSmallTreeLeaves; ++treeSize)
    expectSameRoot(tree, leaves, treeSize);
}

// ---------------------------------------------------------------------------------------------
// A 100,000-leaf tree: the reference is O(n) per call, so a fixed random sample plus the sizes
// around a power of two, where the right edge changes shape.
// ---------------------------------------------------------------------------------------------

struct LargeTree {
  std::vector<Digest> leaves;
  MerkleTree tree;
};

// Built once for the suite: 100,000 leaf hashes and their tree.
const LargeTree& largeTree() {
  static const LargeTree large = [] {
    LargeTree built{syntheticLeafHashes(kLargeTreeLeaves), {}};
    built.tree.append(built.leaves);
    return built;
  }();
  return large;
}

// A size in [1, kLargeTreeLeaves] and a value below it.
std::pair<uint64_t, uint64_t> randomSizeAndBelow(std::mt19937_64& random) {
  const uint64_t treeSize = std::uniform_int_distribution<uint64_t>(1, kLargeTreeLeaves)(random);
  return {treeSize, std::uniform_int_distribution<uint64_t>(0, treeSize - 1)(random)};
}

TEST(MerkleTreeLarge, RootsMatchTheReference) {
  std::mt19937_64 random(6962);
  std::vector<uint64_t> sizes = {1, 2, 3, 65535, 65536, 65537, kLargeTreeLeaves - 1, kLargeTreeLeaves};
  for (int i = 0; i < 6; ++i) sizes.push_back(randomSizeAndBelow(random).first);
  for (uint64_t treeSize : sizes) expectSameRoot(largeTree().tree, largeTree().leaves, treeSize);
}

TEST(MerkleTreeLarge, InclusionProofsMatchTheReferenceAndVerify) {
  std::mt19937_64 random(9162);
  std::vector<std::pair<uint64_t, uint64_t>> indexAndSize = {{0, kLargeTreeLeaves},
                                                             {kLargeTreeLeaves - 1, kLargeTreeLeaves},
                                                             {65535, 65536},
                                                             {65536, 65537},
                                                             {0, 65537}};
  for (int i = 0; i < 6; ++i) {
    indexAndSize.push_back(
        {std::uniform_int_distribution<uint64_t>(0, kLargeTreeLeaves - 1)(random), kLargeTreeLeaves});
  }
  for (int i = 0; i < 6; ++i) {
    const auto [treeSize, index] = randomSizeAndBelow(random);
    indexAndSize.push_back({index, treeSize});
  }
  for (const auto& [index, treeSize] : indexAndSize) {
    const LargeTree& large = largeTree();
    expectInclusionVerifies(large.tree, index, treeSize,
                            expectSameInclusionProof(large.tree, large.leaves, index, treeSize));
  }
}

TEST(MerkleTreeLarge, ConsistencyProofsMatchTheReferenceAndVerify) {
  std::mt19937_64 random(2014);
  std::vector<std::pair<uint64_t, uint64_t>> firstAndSecond = {{1, kLargeTreeLeaves},
                                                               {65536, kLargeTreeLeaves},
                                                               {65537, kLargeTreeLeaves},
                                                               {kLargeTreeLeaves - 1, kLargeTreeLeaves},
                                                               {kLargeTreeLeaves, kLargeTreeLeaves},
                                                               {32768, 65536}};
  for (int i = 0; i < 5; ++i) {
    firstAndSecond.push_back(
        {std::uniform_int_distribution<uint64_t>(1, kLargeTreeLeaves)(random), kLargeTreeLeaves});
  }
  for (int i = 0; i < 5; ++i) {
    const auto [second, belowSecond] = randomSizeAndBelow(random);
    firstAndSecond.push_back({belowSecond + 1, second});
  }
  for (const auto& [first, second] : firstAndSecond) {
    const LargeTree& large = largeTree();
    expectConsistencyVerifies(large.tree, first, second,
                              expectSameConsistencyProof(large.tree, large.leaves, first, second));
  }
}

// ---------------------------------------------------------------------------------------------
// Refusals: the same conditions as the reference, with the same messages naming the numbers.
// ---------------------------------------------------------------------------------------------

TEST(MerkleTreeAppendOnly, ProofRequestsOutsideTheTreeAreRefusedLikeTheReference) {
  const std::vector<Digest> leaves = syntheticLeafHashes(8);
  const MerkleTree tree = treeOf(leaves);
  // (index, tree size): at or past the end of the tree, an empty tree, beyond the leaves.
  const std::pair<uint64_t, uint64_t> inclusionCases[] = {{3, 3}, {8, 8}, {0, 0}, {0, 9}, {9, 9}, {12, 5}};
  for (const auto& [index, treeSize] : inclusionCases) {
    expectSameRefusal(tree.inclusionProof(index, treeSize), crypto::inclusionProof(leaves, index, treeSize),
                      "inclusionProof(" + std::to_string(index) + ", " + std::to_string(treeSize) + ")");
  }
  // (first, second): from an empty tree, shrinking, beyond the leaves, and both at once.
  const std::pair<uint64_t, uint64_t> consistencyCases[] = {{0, 4}, {0, 0}, {5, 4}, {9, 8},
                                                            {4, 9}, {0, 9}, {10, 9}};
  for (const auto& [first, second] : consistencyCases) {
    expectSameRefusal(tree.consistencyProof(first, second), crypto::consistencyProof(leaves, first, second),
                      "consistencyProof(" + std::to_string(first) + ", " + std::to_string(second) + ")");
  }
}

TEST(MerkleTreeAppendOnly, RefusalsNameTheNumbersAtFault) {
  const MerkleTree tree = treeOf(syntheticLeafHashes(8));
  const auto beyond = tree.inclusionProof(2, 11);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.error().message.find("11"), std::string::npos) << beyond.error().message;
  EXPECT_NE(beyond.error().message.find("8"), std::string::npos) << beyond.error().message;

  const auto notInTree = tree.inclusionProof(7, 6);
  ASSERT_FALSE(notInTree.ok());
  EXPECT_NE(notInTree.error().message.find("leaf 7"), std::string::npos) << notInTree.error().message;
  EXPECT_NE(notInTree.error().message.find("6"), std::string::npos) << notInTree.error().message;

  const auto shrinking = tree.consistencyProof(5, 3);
  ASSERT_FALSE(shrinking.ok());
  EXPECT_NE(shrinking.error().message.find("size 5 to 3"), std::string::npos) << shrinking.error().message;
}

TEST(MerkleTreeAppendOnly, RootBeyondTheLeavesIsInvalidInputNamingBothSizes) {
  const MerkleTree tree = treeOf(syntheticLeafHashes(8));
  const auto root = tree.rootAt(13);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().kind, ErrorKind::invalidInput);
  EXPECT_NE(root.error().message.find("13"), std::string::npos) << root.error().message;
  EXPECT_NE(root.error().message.find("8"), std::string::npos) << root.error().message;
  EXPECT_TRUE(tree.rootAt(8).ok());
  EXPECT_FALSE(tree.rootAt(9).ok());
}

TEST(MerkleTreeAppendOnly, EmptyTreeHasTheEmptyRootAndNoProofs) {
  const MerkleTree tree;
  EXPECT_EQ(tree.size(), 0u);
  ASSERT_TRUE(tree.rootAt(0).ok());
  EXPECT_EQ(hex(tree.rootAt(0).value()), hex(emptyTreeHash()));
  EXPECT_FALSE(tree.rootAt(1).ok());
  EXPECT_FALSE(tree.inclusionProof(0, 0).ok());
  EXPECT_FALSE(tree.consistencyProof(0, 0).ok());
  EXPECT_FALSE(tree.consistencyProof(1, 1).ok());
}

}  // namespace
}  // namespace liaison::crypto
