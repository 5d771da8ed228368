// What the screening index is built from: every notice and watchlist person, with its owner and
// visibility, read as the liaison_screening role (schema/sql/0010_screening.sql), and the changes
// since, from screening.changes (written by triggers, announced on channel `liaison_screening`).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::store {

/// One person a screening can hit: a notice or a watchlist person, as the index needs it.
struct ScreenedIdentity {
  std::string ref;
  RecordKind kind = RecordKind::notice;  ///< notice or watchlistPerson
  /// Whole names: "given family" first, then the aliases and the name in its original script.
  std::vector<std::string> names;
  PartialDate dateOfBirth;
  Sex sex = Sex::unspecified;
  std::vector<std::string> nationalities;  ///< ICAO codes, the first one first
  std::string owner;
  std::vector<std::string> visibleTo;  ///< members and groups, as row-level security reads them
};

/// Group memberships: member id -> the groups it belongs to (federation.group_members).
using MemberGroups = std::map<std::string, std::vector<std::string>>;

/// What changed since the last read.
struct ScreeningChanges {
  std::vector<ScreenedIdentity> upserts;  ///< rows inserted or updated, as they are now
  std::vector<std::string> removed;       ///< refs of rows that are gone
  std::optional<MemberGroups> groups;     ///< the memberships, when they changed
  bool rebuild = false;                   ///< a table was truncated: read everything again
};

/// Reads the index's rows and follows their changes over two connections of its own (one that
/// listens). Not thread-safe: one thread (the node's screening sync) uses it.
class ScreeningSource {
 public:
  explicit ScreeningSource(DatabaseTarget target);
  ~ScreeningSource();
  ScreeningSource(const ScreeningSource&) = delete;
  ScreeningSource& operator=(const ScreeningSource&) = delete;

  /// Reads every identity (handed to `each` one at a time, in batches from a cursor, so memory
  /// stays bounded) and the group memberships, in one snapshot; later poll()s return the changes
  /// made after that snapshot. Starts listening for change notifications.
  Status loadAll(const std::function<void(ScreenedIdentity&&)>& each, MemberGroups& groups);

  /// The changes since the last loadAll() or poll(), none missed: writers number their changes in
  /// commit order. Applying a change twice is harmless (rows are read again as they are now).
  Result<ScreeningChanges> poll();

  /// Waits up to `timeout` for a change notification; true if one came. A broken connection is
  /// an error (the caller rebuilds from loadAll()).
  Result<bool> waitForChange(std::chrono::milliseconds timeout);

  /// Deletes changes older than `age` (every node has read them long before).
  Status pruneChanges(std::chrono::seconds age);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace liaison::store
