// The node's screening: the in-memory index of notices and watchlist persons (screening/index.h),
// built from PostgreSQL at start and kept current from the database's change feed
// (adapters/screening_source.h) on a thread of its own, and the answers it gives to screen-person
// and screen-manifest requests once the policy has decided.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"
#include "screening/index.h"

namespace liaison::node {

class JsonLog;

struct ScreeningOptions {
  /// Longest the index goes without looking for changes when no notification arrives.
  std::chrono::milliseconds pollInterval{2'000};
  /// Changes older than this are deleted from the change feed.
  std::chrono::seconds changeRetention{24 * 3600};
  /// Hits at most per screened person (best first).
  size_t hitsPerPerson = 20;
};

/// Thread-safe: searches run concurrently with the sync thread's updates.
class ScreeningService {
 public:
  /// Reads every notice and watchlist person (as liaison_screening) into a new index, then follows
  /// the change feed until destroyed. Fails when the database cannot be read.
  static Result<std::unique_ptr<ScreeningService>> start(const store::DatabaseTarget& target, JsonLog& log,
                                                         ScreeningOptions options = {});
  ~ScreeningService();
  ScreeningService(const ScreeningService&) = delete;
  ScreeningService& operator=(const ScreeningService&) = delete;

  /// Identities visible to `member` scoring at or above the threshold, best first.
  std::vector<screening::ScreeningHit> search(const screening::PersonQuery& query, std::string_view member) const;

  /// Applies every change committed so far, now (the sync thread does so within pollInterval).
  Status catchUp();

  size_t size() const;
  size_t memoryBytes() const;
  const ScreeningOptions& options() const;

 private:
  struct Impl;
  explicit ScreeningService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The screening engine's query for one screened person: all its names (family and given as one
/// name, then the others), date of birth, sex and nationalities, normalised.
screening::PersonQuery personQueryOf(const ScreenPersonQuery& query);

/// A hit's score and explanation as the wire carries them to an officer a details rule covers.
ScreeningMatch matchOf(const screening::ScreeningHit& hit);

/// The record kind of an index identity.
RecordKind recordKindOf(screening::IdentityKind kind);

}  // namespace liaison::node
