// Creates and upgrades a node's databases: the embedded SQL migrations (schema/sql) of the main
// database and of each firewalled compartment's database.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/migrations.h"
#include "schema/status.h"

namespace pqxx {
class dbtransaction;
}

namespace liaison::store {

/// What a migration run did to one database.
struct DatabaseMigration {
  Database database = Database::main;
  std::string name;                  ///< the database's name, e.g. `liaison_health`
  int versionBefore = 0;             ///< 0 for a database never migrated
  int versionAfter = 0;
  std::vector<std::string> applied;  ///< names of the migrations applied by this run, in order
  bool created = false;              ///< the database did not exist and was created
};

/// What a whole run did: each database, and what else it changed, in words for the operator.
struct MigrationReport {
  std::vector<DatabaseMigration> databases;  ///< health, justice, then main
  std::vector<std::string> notes;            ///< e.g. records moved, statistics locked down
  /// The main database's part.
  const DatabaseMigration& main() const { return databases.back(); }
};

/// Brings every database of `target` to this binary's schema, as the admin role:
///  1. creates Liaison's database roles where the cluster lacks them (roles are cluster-wide);
///  2. creates each firewalled compartment's database where missing (the admin needs CREATEDB)
///     and migrates it; enforcement-facing roles cannot connect to it;
///  3. migrates the main database in one transaction under an advisory lock, moving health and
///     justice records out of it into their own databases where an older version kept them there;
///  4. as a superuser, locks down what every role could otherwise read of the whole cluster's
///     activity: statistics views and functions, WAL positions and transaction ids, and the
///     `postgres` and `template1` databases. Without superuser rights it says what is left open.
/// Applying twice is a no-op. A database whose recorded version is newer than this binary's is
/// refused (ErrorKind::conflict) and left alone.
Result<MigrationReport> migrate(const DatabaseTarget& target);

/// Called before each migration of migrateDatabase is applied, inside its transaction.
using BeforeMigration = std::function<void(const Migration&, pqxx::dbtransaction&)>;

/// Brings one database to the newest of `migrations`, in one transaction under an advisory lock.
/// The roles the migrations grant to must exist.
Result<DatabaseMigration> migrateDatabase(const DatabaseTarget& target, Database database,
                                          const std::vector<Migration>& migrations,
                                          const BeforeMigration& before = {});

/// Creates Liaison's database roles that the cluster of `target` lacks (the first step of
/// migrate), e.g. before restoring a dump whose objects belong to them.
Status ensureRoles(const DatabaseTarget& target);

/// Checks, as liaison_enforcement, what migrate() arranged for the firewall: that it cannot connect
/// to the health or justice database, and, when those live in the main database's cluster, that it
/// can read neither that cluster's statistics nor connect to `postgres` or `template1`, from where
/// it could count their rows. ErrorKind::notPermitted naming what is open and how to close it; a
/// node must not serve until it holds.
Status checkDatabaseFirewall(const DatabaseTarget& target);

/// The schema version recorded in one database (0 when never migrated), read as `role`.
Result<int> schemaVersion(const DatabaseTarget& target, Database database = Database::main,
                          DbRole role = DbRole::admin);

}  // namespace liaison::store
