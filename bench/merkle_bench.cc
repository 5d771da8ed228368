// Merkle tree benchmark: building a crypto::MerkleTree and serving roots, inclusion proofs and
// consistency proofs from it, at the full size and at random historic sizes, against the bound
// measured in the same run: the reference O(n) crypto::inclusionProof, which rehashes the leaves.
//
// usage: liaison_bench_merkle [--leaves N]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/merkle.h"
#include "crypto/merkle_tree.h"

namespace liaison::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTimedCalls = 10'000;
constexpr size_t kReferenceCalls = 5;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Keeps the compiler from discarding results it can see are unused.
volatile uint8_t resultSink = 0;

void consume(const Digest& digest) { resultSink = resultSink ^ digest[0]; }

void consume(const Result<Digest>& root) {
  if (!root) die(root.error().message);
  consume(*root);
}

void consume(const Result<std::vector<Digest>>& proof) {
  if (!proof) die(proof.error().message);
  if (!proof->empty()) consume(proof->front());
}

struct Timings {
  double meanMicroseconds = 0;
  double p99Microseconds = 0;
};

// Times call(i) for each i below `calls` separately, so the tail is visible and not only the mean.
template <typename Call>
Timings timeEach(size_t calls, Call call) {
  std::vector<double> micros;
  micros.reserve(calls);
  for (size_t i = 0; i < calls; ++i) {
    const auto started = Clock::now();
    call(i);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - started).count());
  }
  Timings timings;
  for (double m : micros) timings.meanMicroseconds += m;
  timings.meanMicroseconds /= static_cast<double>(calls);
  std::sort(micros.begin(), micros.end());
  timings.p99Microseconds = micros[std::min(calls - 1, calls * 99 / 100)];
  return timings;
}

void printTimings(const char* what, const Timings& timings) {
  std::printf("%s, mean: %.2f us\n", what, timings.meanMicroseconds);
  std::printf("%s, p99: %.2f us\n", what, timings.p99Microseconds);
}

// Leaf hashes of distinct small entries: the eight bytes of the leaf's index.
std::vector<Digest> syntheticLeafHashes(uint64_t count) {
  std::vector<Digest> hashes;
  hashes.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t entry[8];
    for (size_t b = 0; b < sizeof entry; ++b) entry[b] = static_cast<uint8_t>(i >> (8 * b));
    hashes.push_back(crypto::leafHash(entry));
  }
  return hashes;
}

uint64_t uniform(std::mt19937_64& random, uint64_t low, uint64_t high) {
  return std::uniform_int_distribution<uint64_t>(low, high)(random);
}

// Whether a request names the full tree or a random earlier size, as an auditor's older tree head does.
enum class TreeSizes { full, randomHistoric };

uint64_t pickTreeSize(std::mt19937_64& random, uint64_t leafCount, TreeSizes sizes) {
  return sizes == TreeSizes::full ? leafCount : uniform(random, 1, leafCount);
}

// (index, tree size) pairs.
std::vector<std::pair<uint64_t, uint64_t>> randomInclusionRequests(std::mt19937_64& random,
                                                                   uint64_t leafCount, TreeSizes sizes) {
  std::vector<std::pair<uint64_t, uint64_t>> requests;
  for (size_t i = 0; i < kTimedCalls; ++i) {
    const uint64_t treeSize = pickTreeSize(random, leafCount, sizes);
    requests.emplace_back(uniform(random, 0, treeSize - 1), treeSize);
  }
  return requests;
}

// (first, second) pairs.
std::vector<std::pair<uint64_t, uint64_t>> randomConsistencyRequests(std::mt19937_64& random,
                                                                     uint64_t leafCount, TreeSizes sizes) {
  std::vector<std::pair<uint64_t, uint64_t>> requests;
  for (size_t i = 0; i < kTimedCalls; ++i) {
    const uint64_t second = pickTreeSize(random, leafCount, sizes);
    requests.emplace_back(uniform(random, 1, second), second);
  }
  return requests;
}

Timings timeInclusionProofs(const crypto::MerkleTree& tree,
                            const std::vector<std::pair<uint64_t, uint64_t>>& pairs) {
  return timeEach(pairs.size(),
                  [&](size_t i) { consume(tree.inclusionProof(pairs[i].first, pairs[i].second)); });
}

Timings timeConsistencyProofs(const crypto::MerkleTree& tree,
                              const std::vector<std::pair<uint64_t, uint64_t>>& pairs) {
  return timeEach(pairs.size(),
                  [&](size_t i) { consume(tree.consistencyProof(pairs[i].first, pairs[i].second)); });
}

// The bound: the reference rehashes all n leaves per proof. Its proofs double as a check that the
// tree's proofs timed above are the right ones.
Timings timeReferenceInclusionProofs(const crypto::MerkleTree& tree, std::span<const Digest> leaves,
                                     std::mt19937_64& random) {
  const uint64_t size = leaves.size();
  std::vector<uint64_t> indices;
  for (size_t i = 0; i < kReferenceCalls; ++i) indices.push_back(uniform(random, 0, size - 1));
  std::vector<std::vector<Digest>> proofs(kReferenceCalls);
  const Timings timings = timeEach(kReferenceCalls, [&](size_t i) {
    auto reference = crypto::inclusionProof(leaves, indices[i], size);
    consume(reference);
    proofs[i] = std::move(reference).value();
  });
  for (size_t i = 0; i < kReferenceCalls; ++i) {
    if (proofs[i] != tree.inclusionProof(indices[i], size).value()) {
      die("the tree's inclusion proof for leaf " + std::to_string(indices[i]) +
          " differs from the reference");
    }
  }
  return timings;
}

int run(uint64_t leafCount) {
  std::mt19937_64 random(6962);
  std::printf("leaves: %lu\n", static_cast<unsigned long>(leafCount));

  auto started = Clock::now();
  const std::vector<Digest> leaves = syntheticLeafHashes(leafCount);
  std::printf("leaf hashing: %.3f s\n", secondsSince(started));

  crypto::MerkleTree tree;
  started = Clock::now();
  tree.append(leaves);
  std::printf("tree build (append of all leaf hashes): %.3f s\n", secondsSince(started));

  const Timings inclusionAtFullSize =
      timeInclusionProofs(tree, randomInclusionRequests(random, leafCount, TreeSizes::full));
  printTimings("inclusion proof at full size", inclusionAtFullSize);
  printTimings(
      "inclusion proof at random historic sizes",
      timeInclusionProofs(tree, randomInclusionRequests(random, leafCount, TreeSizes::randomHistoric)));
  printTimings("consistency proof to full size",
               timeConsistencyProofs(tree, randomConsistencyRequests(random, leafCount, TreeSizes::full)));
  printTimings(
      "consistency proof between random historic sizes",
      timeConsistencyProofs(tree, randomConsistencyRequests(random, leafCount, TreeSizes::randomHistoric)));

  std::vector<uint64_t> rootSizes;
  for (size_t i = 0; i < kTimedCalls; ++i) rootSizes.push_back(uniform(random, 0, leafCount));
  printTimings("rootAt at random historic sizes",
               timeEach(rootSizes.size(), [&](size_t i) { consume(tree.rootAt(rootSizes[i])); }));

  const Timings reference = timeReferenceInclusionProofs(tree, leaves, random);
  std::printf("reference crypto::inclusionProof at full size, mean of %zu: %.2f us\n", kReferenceCalls,
              reference.meanMicroseconds);
  std::printf("ratio reference / tree inclusion proof at full size (means): %.0f\n",
              reference.meanMicroseconds / inclusionAtFullSize.meanMicroseconds);
  return 0;
}

}  // namespace
}  // namespace liaison::bench

int main(int argc, char** argv) {
  uint64_t leaves = 1'000'000;
  if (argc == 3 && std::string(argv[1]) == "--leaves") {
    char* end = nullptr;
    leaves = std::strtoull(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || leaves == 0) {
      std::fprintf(stderr, "liaison_bench_merkle: --leaves takes a positive number, not \"%s\"\n", argv[2]);
      return 2;
    }
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: liaison_bench_merkle [--leaves N]\n");
    return 2;
  }
  return liaison::bench::run(leaves);
}
