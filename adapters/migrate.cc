#include "adapters/migrate.h"

#include <pqxx/pqxx>

namespace liaison::store {
namespace {

// Any constant: serialises concurrent `liaison migrate` runs against one database.
constexpr long long kMigrationLockKey = 0x4c696169736f6e;  // "Liaison"

constexpr const char* kCreateMetaSql = R"sql(
  CREATE SCHEMA IF NOT EXISTS liaison_meta;
  CREATE TABLE IF NOT EXISTS liaison_meta.migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
)sql";

int recordedVersion(pqxx::transaction_base& tx) {
  auto exists = tx.exec1("SELECT to_regclass('liaison_meta.migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
  auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM liaison_meta.migrations");
  return row[0].as<int>();
}

Error databaseError(const std::string& what, const std::exception& e) {
  return fail(ErrorKind::unavailable, what + ": " + e.what());
}

}  // namespace

Result<MigrationReport> migrate(const DatabaseTarget& target, const std::vector<Migration>& migrations) {
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  MigrationReport report;
  try {
    pqxx::connection conn(conninfoFor(target, DbRole::admin));
    pqxx::work tx(conn);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    report.versionBefore = recordedVersion(tx);
    if (report.versionBefore > newest) {
      return fail(ErrorKind::conflict, "database is at schema version " + std::to_string(report.versionBefore) +
                                           ", newer than this binary's " + std::to_string(newest) +
                                           "; upgrade liaison before using this database");
    }
    tx.exec(kCreateMetaSql);
    for (const Migration& m : migrations) {
      if (m.version <= report.versionBefore) continue;
      try {
        tx.exec(std::string(m.sql));
      } catch (const pqxx::sql_error& e) {
        return fail(ErrorKind::internal, "migration " + std::string(m.name) + " failed: " + e.what());
      }
      tx.exec_params("INSERT INTO liaison_meta.migrations (version, name) VALUES ($1, $2)", m.version,
                     std::string(m.name));
      report.applied.emplace_back(m.name);
    }
    report.versionAfter = recordedVersion(tx);
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    return databaseError("cannot connect to the database", e);
  } catch (const pqxx::sql_error& e) {
    return databaseError("migration failed", e);
  }
  return report;
}

Result<int> schemaVersion(const DatabaseTarget& target) {
  try {
    pqxx::connection conn(conninfoFor(target, DbRole::admin));
    pqxx::read_transaction tx(conn);
    return recordedVersion(tx);
  } catch (const pqxx::broken_connection& e) {
    return databaseError("cannot connect to the database", e);
  } catch (const pqxx::sql_error& e) {
    return databaseError("cannot read the schema version", e);
  }
}

}  // namespace liaison::store
