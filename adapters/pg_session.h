// Internal to adapters/: opening role connections and scoping a transaction to a member.
// Includes libpqxx; keep it out of public headers.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "adapters/database.h"
#include "schema/status.h"

namespace liaison::store {

/// Longest a statement may run on a connection from openConnection before PostgreSQL cancels it.
inline constexpr int kStatementTimeoutMs = 30'000;

/// Opens a connection as `role` to `database` (by default the role's home database), in UTC with
/// ISO dates so values read back parse predictably, with statements limited to kStatementTimeoutMs.
std::unique_ptr<pqxx::connection> openConnection(const DatabaseTarget& target, DbRole role);
std::unique_ptr<pqxx::connection> openConnection(const DatabaseTarget& target, DbRole role, Database database);


/// Lifts the statement time limit for the rest of the session: for imports and purges, whose
/// single statements grow with the input.
void allowLongStatements(pqxx::connection& conn);

/// One lazily opened connection per database role and database. Not thread-safe.
class RoleConnections {
 public:
  explicit RoleConnections(DatabaseTarget target) : target_(std::move(target)) {}
  /// The open connection for `role` on `database`, reconnecting if there is none or the server
  /// closed the one kept (idleSessionIsIntact).
  pqxx::connection& forRole(DbRole role, Database database);
  /// Drops the connection for `role` on `database`, e.g. after it broke mid-statement.
  void reset(DbRole role, Database database);

 private:
  DatabaseTarget target_;
  std::array<std::array<std::unique_ptr<pqxx::connection>, 3>, std::size(kAllDbRoles)> byRole_;  // [DbRole][Database]
};

/// Sets the requesting member for row-level security for the rest of `tx` only.
void setRequestingMember(pqxx::transaction_base& tx, std::string_view member);

/// True for a member or group id as the schema accepts it: 1..64 of [A-Za-z0-9._-].
bool isValidMemberId(std::string_view member);

/// Turns a libpqxx or standard exception into an Error: privilege failures become notPermitted,
/// constraint violations invalidInput, lost connections unavailable. `what` says what was tried.
Error databaseError(std::string_view what, const std::exception& e);

}  // namespace liaison::store
