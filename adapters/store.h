// The PostgreSQL store of record for every compartment.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

class RoleConnections;  // adapters/pg_session.h

/// Reads and writes records on behalf of one requesting member at a time.
///
/// Every call runs in its own transaction on a connection opened as the database role of the
/// record's compartment (never a superuser), and sets the requesting member for row-level
/// security first: a record the member may not see is absent, whichever call asks. A record that
/// does not exist and one that is not visible are indistinguishable. Not thread-safe: one store
/// per thread.
class RecordStore {
 public:
  explicit RecordStore(DatabaseTarget target);
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

  /// Listed travel documents with this number and issuing state that `member` may see.
  Result<std::vector<TravelDocument>> findTravelDocuments(std::string_view member, const DocumentNumber& number,
                                                          std::string_view issuingState);

 private:
  std::unique_ptr<RoleConnections> connections_;
};

}  // namespace liaison::store
