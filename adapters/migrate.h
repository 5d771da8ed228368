// Applies the embedded SQL migrations (schema/sql) to a database.
#pragma once

#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/migrations.h"
#include "schema/status.h"

namespace liaison::store {

/// What a migration run did.
struct MigrationReport {
  int versionBefore = 0;            ///< 0 for an empty database
  int versionAfter = 0;
  std::vector<std::string> applied;  ///< names of the migrations applied by this run, in order
};

/// Brings the database at `target` to the newest of `migrations`, as the admin role, in one
/// transaction under an advisory lock. Applying twice is a no-op. A database whose recorded
/// version is newer than the newest migration is refused (ErrorKind::conflict) and left alone.
Result<MigrationReport> migrate(const DatabaseTarget& target,
                                const std::vector<Migration>& migrations = embeddedMigrations());

/// The schema version recorded in the database (0 when never migrated).
Result<int> schemaVersion(const DatabaseTarget& target);

}  // namespace liaison::store
