// What every benchmark needs: failing loudly, timing, a fresh migrated database, a scratch
// folder, and a node's files (keys, TLS identity, policy, configuration).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/database.h"
#include "node/config.h"
#include "schema/status.h"

namespace liaison::bench {

using Clock = std::chrono::steady_clock;

/// Prints "bench: WHAT" and exits 1: a benchmark that cannot measure must not print figures.
[[noreturn]] void die(const std::string& what);

template <typename T>
T must(Result<T> result, const char* what) {
  if (!result) die(std::string(what) + ": " + result.error().message);
  return std::move(result).value();
}
void must(const Status& status, const char* what);

double secondsSince(Clock::time_point start);
double microsSince(Clock::time_point start);

/// Mean, median and 99th percentile of a set of timings, in the timings' unit.
struct Timings {
  double mean = 0;
  double p50 = 0;
  double p99 = 0;
};
Timings summarise(std::vector<double> timings);

/// One Ed25519 sign plus one verify of a request-sized body on one thread, in microseconds: the best
/// mean of `batches` batches of `rounds`, so that other work on the machine does not loosen the bound.
double signVerifyMicroseconds(int batches = 3, size_t rounds = 2'000);

/// `value` as one field of COPY's text format: backslashes, tabs and line breaks (which would end
/// or escape the field) dropped.
std::string copyField(const std::string& value);

/// Drops and recreates database `name` in the cluster at $LIAISON_TEST_PGHOST (scripts/bench
/// sets it) and migrates it.
store::DatabaseTarget freshDatabase(const std::string& name);

/// Drops database `name` if it exists.
void dropDatabase(const std::string& name);

/// A new private folder under /tmp named after `purpose`.
std::filesystem::path scratchFolder(const std::string& purpose);

/// The files of a node of `member` in `dir` (its signing key `node.key`/`node.pub`, TLS identity
/// `node-tls`, `policy.toml` holding `policy`) and its configuration on ephemeral ports (listener and
/// metrics) with no officers or peers yet.
node::NodeConfig writeNodeFiles(const std::filesystem::path& dir, const std::string& member, std::string_view policy,
                                const store::DatabaseTarget& target);

/// How another node knows `node` (written by writeNodeFiles) as a [[peer]] at `endpoint`: its member,
/// signing public key and TLS pin.
node::PeerConfig peerEntryOf(const node::NodeConfig& node, const std::string& endpoint);

/// The value of sample `name` (no labels) in the metrics a node serves on 127.0.0.1:`port`.
double scrapeMetric(uint16_t port, const std::string& name);

/// The node of member XA-POLICE in `dir`: its signing key, TLS identity and a policy (own border
/// officers get details of documents and watchlist, partner XB-BORDER hit/no-hit on documents,
/// health and justice firewalled), and a configuration on an ephemeral port with no officers or
/// peers yet.
node::NodeConfig writeBenchNode(const std::filesystem::path& dir, const store::DatabaseTarget& target);

}  // namespace liaison::bench
