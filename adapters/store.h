// The PostgreSQL store of record for every compartment.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/database.h"
#include "adapters/statistics.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

class RoleConnections;  // adapters/pg_session.h

/// Reads and writes records on behalf of one requesting member at a time.
///
/// Every call runs in its own transaction on a connection opened as a database role (never a
/// superuser), and sets the requesting member for row-level security first: a record the member
/// may not see is absent, whichever call asks. A record that does not exist and one that is not
/// visible are indistinguishable. Not thread-safe: one store per thread (see RecordStorePool).
class RecordStore {
 public:
  /// A store whose calls connect as the role of the compartment they touch (imports, tools).
  explicit RecordStore(DatabaseTarget target);
  /// A store that serves one kind of officer: every call connects as `servingRole`, whatever it
  /// touches, so an enforcement-facing store fails with "not permitted" on health or justice even
  /// if the policy above it were wrong.
  RecordStore(DatabaseTarget target, DbRole servingRole);
  ~RecordStore();
  RecordStore(RecordStore&&) noexcept;
  RecordStore& operator=(RecordStore&&) noexcept;
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  /// Stores `record` on behalf of `member`, who must be its owner, and returns its reference.
  /// An empty `meta.ref` gets a fresh one.
  Result<std::string> insert(std::string_view member, const Record& record);

  /// The record `ref` of `kind`, if it exists and `member` may see it.
  Result<std::optional<Record>> get(std::string_view member, RecordKind kind, std::string_view ref);

  /// Records of `kind` that `member` may see, ordered by reference, at most `limit` from `offset`.
  Result<std::vector<Record>> list(std::string_view member, RecordKind kind, size_t limit, size_t offset = 0);

  /// How many records of `kind` `member` may see.
  Result<uint64_t> count(std::string_view member, RecordKind kind);

  /// Listed travel documents with this number and issuing state that `member` may see. One round
  /// trip, like findWatchlistDocuments: a single statement sets the member and looks up.
  Result<std::vector<TravelDocument>> findTravelDocuments(std::string_view member, const DocumentNumber& number,
                                                          std::string_view issuingState);

  /// Watchlisted documents with this number and issuing state that `member` may see.
  Result<std::vector<WatchlistDocument>> findWatchlistDocuments(std::string_view member, const DocumentNumber& number,
                                                                std::string_view issuingState);

  /// Immigration movements that `member` may see: by document number when one is given, otherwise
  /// by exact family name and date of birth. Newest first, at most `limit`.
  Result<std::vector<Movement>> findMovements(std::string_view member, std::string_view documentNumber,
                                              const PersonIdentity& person, size_t limit);

  /// The rows of the records an aggregate-statistics `query` counts that `member` may see, one per
  /// record (per ground for refusals by ground), with its period and value (adapters/statistics.h).
  /// A serving store counts only what its own database role may read: a health or justice count
  /// through an enforcement store fails with notPermitted before any statement runs.
  Result<std::vector<StatisticsRow>> statisticsRows(std::string_view member, const AggregateStatisticsQuery& query);

 private:
  std::unique_ptr<RoleConnections> connections_;
  std::optional<DbRole> servingRole_;
};

/// Stores for concurrent workers: each lease is used by one thread at a time and returned when
/// the lease ends. Stores are created on demand, at most `maxStores` (each holds its own database
/// connections), and kept for reuse; acquire() waits while all of them are leased, so many workers
/// never open more connections than PostgreSQL allows.
class RecordStorePool {
 public:
  static constexpr size_t kDefaultMaxStores = 16;

  RecordStorePool(DatabaseTarget target, DbRole servingRole, size_t maxStores = kDefaultMaxStores)
      : target_(std::move(target)), role_(servingRole), maxStores_(std::max<size_t>(maxStores, 1)) {}

  /// A store to use on this thread until the lease is destroyed.
  class Lease {
   public:
    Lease(RecordStorePool& pool, std::unique_ptr<RecordStore> store) : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease();
    RecordStore& operator*() { return *store_; }
    RecordStore* operator->() { return store_.get(); }

   private:
    RecordStorePool* pool_;
    std::unique_ptr<RecordStore> store_;
  };

  /// A store nobody else uses until the lease ends; waits while `maxStores` are leased.
  Lease acquire();

  /// Stores created so far (never more than `maxStores`).
  size_t created() const;
  /// Callers of acquire() waiting right now because every store is leased.
  size_t waiting() const;

 private:
  DatabaseTarget target_;
  DbRole role_;
  const size_t maxStores_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<RecordStore>> idle_;
  size_t created_ = 0;
  size_t waiting_ = 0;
};

}  // namespace liaison::store
