// What every benchmark needs: failing loudly, timing, a fresh migrated database, a scratch
// folder, and a node's files (keys, TLS identity, policy, configuration).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

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

/// Drops and recreates database `name` in the cluster at $LIAISON_TEST_PGHOST (scripts/bench
/// sets it) and migrates it.
store::DatabaseTarget freshDatabase(const std::string& name);

/// Drops database `name` if it exists.
void dropDatabase(const std::string& name);

/// A new private folder under /tmp named after `purpose`.
std::filesystem::path scratchFolder(const std::string& purpose);

/// The node of member XA-POLICE in `dir`: its signing key, TLS identity and a policy (own border
/// officers get details of documents and watchlist, partner XB-BORDER hit/no-hit on documents,
/// health and justice firewalled), and a configuration on an ephemeral port with no officers or
/// peers yet.
node::NodeConfig writeBenchNode(const std::filesystem::path& dir, const store::DatabaseTarget& target);

}  // namespace liaison::bench
