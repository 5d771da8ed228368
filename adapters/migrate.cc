#include "adapters/migrate.h"

#include <pqxx/pqxx>

#include "adapters/pg_session.h"

namespace liaison::store {
namespace {

// Any constant: serialises concurrent `liaison migrate` runs against one database.
constexpr long long kMigrationLockKey = 0x4c696169736f6e;  // "Liaison"

// The main database's migration that drops the firewalled schemas it used to hold; their records
// move out just before it is applied.
constexpr int kFirewalledOutVersion = 8;

constexpr const char* kCreateMetaSql = R"sql(
  CREATE SCHEMA IF NOT EXISTS liaison_meta;
  CREATE TABLE IF NOT EXISTS liaison_meta.migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
)sql";

// What any role connected to a database could read of the whole cluster's activity, whatever its
// privileges on tables: row, tuple and block counts per table and per database (so, health and
// justice inserts and reads in their own databases), sessions and locks of other databases, WAL
// positions and transaction ids (which advance with every write anywhere). Revoked from PUBLIC;
// superusers and roles granted them explicitly keep them. Only a superuser may change these.
constexpr const char* kLockDownStatisticsSql = R"sql(
DO $lockdown$
DECLARE
  target text;
BEGIN
  FOR target IN
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'pg_catalog'::regnamespace
       AND (p.proname LIKE 'pg\_stat\_%' OR p.proname LIKE 'pg\_statio\_%'
            OR p.proname IN ('pg_database_size', 'pg_tablespace_size', 'pg_lock_status', 'pg_blocking_pids',
                             'pg_safe_snapshot_blocking_pids', 'pg_isolation_test_session_is_blocked',
                             'pg_current_wal_lsn', 'pg_current_wal_insert_lsn', 'pg_current_wal_flush_lsn',
                             'pg_last_wal_receive_lsn', 'pg_last_wal_replay_lsn', 'pg_walfile_name',
                             'pg_walfile_name_offset', 'pg_current_xact_id', 'pg_current_xact_id_if_assigned',
                             'txid_current', 'txid_current_if_assigned', 'pg_current_snapshot',
                             'txid_current_snapshot', 'pg_xact_status', 'txid_status', 'pg_last_committed_xact',
                             'pg_xact_commit_timestamp', 'pg_xact_commit_timestamp_origin',
                             'pg_control_checkpoint', 'pg_control_system', 'pg_control_init',
                             'pg_control_recovery'))
  LOOP
    EXECUTE 'REVOKE EXECUTE ON FUNCTION ' || target || ' FROM PUBLIC';
  END LOOP;
  FOR target IN
    SELECT c.oid::regclass::text FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
       AND (c.relname LIKE 'pg\_stat%' OR c.relname IN ('pg_locks', 'pg_prepared_xacts'))
  LOOP
    EXECUTE 'REVOKE SELECT ON ' || target || ' FROM PUBLIC';
  END LOOP;
END
$lockdown$;
)sql";

// The cluster's own databases, which every role may connect to by default and would read the
// statistics of every database from.
constexpr const char* kClusterDatabases[] = {"postgres", "template1"};

int recordedVersion(pqxx::transaction_base& tx) {
  auto exists = tx.exec1("SELECT to_regclass('liaison_meta.migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
  auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM liaison_meta.migrations");
  return row[0].as<int>();
}

Error unavailable(const std::string& what, const std::exception& e) {
  return fail(ErrorKind::unavailable, what + ": " + e.what());
}

std::string tableOf(Database database) { return database == Database::health ? "health.records" : "justice.records"; }

// Creates Liaison's roles that the cluster lacks. Roles belong to the cluster, so the databases of
// several nodes share them; each database grants them only what that database's work needs.
// Several nodes' (or tests') migrations may create the same role at once: the loser of that race
// fails, finds the role made by the winner, which is what it wanted, and goes on.
void ensureRoles(pqxx::connection& admin) {
  for (DbRole role : kAllDbRoles) {
    if (role == DbRole::admin) continue;
    const std::string roleText(roleName(role));
    try {
      pqxx::work tx(admin);
      if (tx.exec_params1("SELECT count(*) FROM pg_roles WHERE rolname = $1", roleText)[0].as<int>() > 0) continue;
      tx.exec("CREATE ROLE " + tx.quote_name(roleText) +
              " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
      tx.commit();
    } catch (const pqxx::sql_error&) {
      // "role ... already exists" (42710) or a unique violation (23505), depending on the moment.
      pqxx::read_transaction tx(admin);
      if (tx.exec_params1("SELECT count(*) FROM pg_roles WHERE rolname = $1", roleText)[0].as<int>() == 0) throw;
    }
  }
}

// Closes the cluster's own databases to PUBLIC. pg_database is shared by every database of the
// cluster, and two migrations changing one of its rows at once fail with "tuple concurrently
// updated"; a lock on the catalog itself (advisory locks are per database) serialises them, and
// a database already closed is left untouched.
void closeClusterDatabases(pqxx::connection& admin) {
  pqxx::work tx(admin);
  tx.exec("LOCK TABLE pg_catalog.pg_database IN SHARE ROW EXCLUSIVE MODE");
  for (const char* database : kClusterDatabases) {
    const auto open = tx.exec_params(
        "SELECT 1 FROM pg_database WHERE datname = $1 AND (datacl IS NULL OR EXISTS ("
        "  SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0 AND a.privilege_type IN ('CONNECT', 'TEMPORARY')))",
        database);
    if (open.empty()) continue;
    tx.exec("REVOKE CONNECT, TEMPORARY ON DATABASE " + tx.quote_name(database) + " FROM PUBLIC");
  }
  tx.commit();
}

// Creates a firewalled compartment's database unless it exists. A derived one (no connection
// string of its own) is made from the main database's connection, in the same cluster; one with
// its own string from that cluster's `postgres` database. Nobody but the owner may connect until
// its migrations grant CONNECT to the compartment's roles.
bool ensureDatabase(const DatabaseTarget& target, Database database, pqxx::connection& mainAdmin) {
  conninfoFor(target, DbRole::admin, database);  // throws, saying what is missing, when the name is unknown
  const std::string name = databaseName(target, database).value();
  const bool own = !(database == Database::health ? target.healthConninfo : target.justiceConninfo).empty();
  std::unique_ptr<pqxx::connection> maintenance;
  if (own) {
    DatabaseTarget cluster = target;
    (database == Database::health ? cluster.healthConninfo : cluster.justiceConninfo) += " dbname=postgres";
    maintenance = std::make_unique<pqxx::connection>(conninfoFor(cluster, DbRole::admin, database));
  }
  pqxx::connection& conn = own ? *maintenance : mainAdmin;
  pqxx::nontransaction tx(conn);
  if (tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", name)[0].as<int>() > 0) return false;
  // Nobody may connect until PUBLIC's default right to is revoked: created closed, opened after.
  tx.exec("CREATE DATABASE " + tx.quote_name(name) + " ALLOW_CONNECTIONS false");
  tx.exec("REVOKE ALL ON DATABASE " + tx.quote_name(name) + " FROM PUBLIC");
  tx.exec("ALTER DATABASE " + tx.quote_name(name) + " ALLOW_CONNECTIONS true");
  return true;
}

// Copies the records of a firewalled table that an older schema kept in the main database into
// the compartment's own database, before the migration that drops them here runs. The main
// transaction holds the table locked until it commits, so no record is added behind the copy; the
// copy commits first, and a run that fails after it starts over and copies the same rows again
// (ON CONFLICT on ref), so nothing is lost either way. Returns how many rows the table held.
uint64_t moveFirewalledRecords(pqxx::dbtransaction& mainTx, const DatabaseTarget& target, Database database) {
  const std::string table = tableOf(database);
  if (mainTx.exec1("SELECT to_regclass('" + table + "') IS NULL")[0].as<bool>()) return 0;
  mainTx.exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
  // Row-level security is forced even on the owner; lifted for this transaction only, so that the
  // owner reads every member's records.
  mainTx.exec("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");
  std::vector<std::string> columns;
  for (const auto& row : mainTx.exec_params(
           "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped "
           "ORDER BY attnum",
           table)) {
    columns.push_back(row[0].as<std::string>());
  }
  std::string select, insert, placeholders;
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    select += sep + mainTx.quote_name(columns[i]) + "::text";
    insert += sep + mainTx.quote_name(columns[i]);
    placeholders += sep + "$" + std::to_string(i + 1);
  }
  const pqxx::result rows = mainTx.exec("SELECT " + select + " FROM " + table);
  if (rows.empty()) return 0;

  pqxx::connection destination(conninfoFor(target, DbRole::admin, database));
  pqxx::work tx(destination);
  tx.exec("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");
  destination.prepare("move_record", "INSERT INTO " + table + " (" + insert + ") VALUES (" + placeholders +
                                         ") ON CONFLICT (ref) DO NOTHING");
  std::string refs = "{";
  for (const auto& row : rows) {
    std::vector<const char*> values;
    for (const auto& field : row) values.push_back(field.is_null() ? nullptr : field.c_str());
    tx.exec_prepared("move_record", pqxx::prepare::make_dynamic_params(values));
    refs += (refs.size() > 1 ? "," : "") + std::string(row[0].c_str());
  }
  refs += "}";
  const auto present = tx.exec_params1("SELECT count(*) FROM " + table + " WHERE ref = ANY ($1::uuid[])", refs);
  if (present[0].as<uint64_t>() != rows.size()) {
    throw std::runtime_error("moving " + table + ": " + std::to_string(rows.size()) + " records read but only " +
                             present[0].as<std::string>() + " arrived; nothing was dropped");
  }
  tx.exec("ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY");
  tx.commit();
  return rows.size();
}

bool isSuperuser(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  return tx.exec1("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0].as<bool>();
}

void lockDownStatistics(pqxx::connection& conn) {
  pqxx::work tx(conn);
  tx.exec(kLockDownStatisticsSql);
  tx.commit();
}

}  // namespace

Result<DatabaseMigration> migrateDatabase(const DatabaseTarget& target, Database database,
                                          const std::vector<Migration>& migrations, const BeforeMigration& before) {
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  DatabaseMigration report;
  report.database = database;
  report.name = databaseName(target, database).value_or(std::string(name(database)));
  try {
    pqxx::connection conn(conninfoFor(target, DbRole::admin, database));
    pqxx::work tx(conn);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    report.versionBefore = recordedVersion(tx);
    if (report.versionBefore > newest) {
      return fail(ErrorKind::conflict, "database " + report.name + " is at schema version " +
                                           std::to_string(report.versionBefore) + ", newer than this binary's " +
                                           std::to_string(newest) + "; upgrade liaison before using this database");
    }
    tx.exec(kCreateMetaSql);
    for (const Migration& m : migrations) {
      if (m.version <= report.versionBefore) continue;
      try {
        if (before) before(m, tx);
        tx.exec(std::string(m.sql));
      } catch (const pqxx::sql_error& e) {
        return fail(ErrorKind::internal, "database " + report.name + ": migration " + std::string(m.name) +
                                             " failed: " + e.what());
      }
      tx.exec_params("INSERT INTO liaison_meta.migrations (version, name) VALUES ($1, $2)", m.version,
                     std::string(m.name));
      report.applied.emplace_back(m.name);
    }
    report.versionAfter = recordedVersion(tx);
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    return unavailable("cannot connect to database " + report.name, e);
  } catch (const std::exception& e) {
    return unavailable("migrating database " + report.name + " failed", e);
  }
  return report;
}

Result<MigrationReport> migrate(const DatabaseTarget& target) {
  MigrationReport report;
  try {
    pqxx::connection admin(conninfoFor(target, DbRole::admin, Database::main));
    ensureRoles(admin);
    for (Database database : {Database::health, Database::justice}) {
      const bool created = ensureDatabase(target, database, admin);
      auto migrated = migrateDatabase(target, database, embeddedMigrations(database));
      if (!migrated) return migrated.error();
      migrated->created = created;
      report.databases.push_back(std::move(migrated).value());
    }
    uint64_t moved[2] = {0, 0};
    auto main = migrateDatabase(target, Database::main, embeddedMigrations(Database::main),
                                [&](const Migration& m, pqxx::dbtransaction& tx) {
                                  if (m.version != kFirewalledOutVersion) return;
                                  moved[0] = moveFirewalledRecords(tx, target, Database::health);
                                  moved[1] = moveFirewalledRecords(tx, target, Database::justice);
                                });
    if (!main) return main.error();
    report.databases.push_back(std::move(main).value());
    for (int i = 0; i < 2; ++i) {
      if (moved[i] == 0) continue;
      const Database database = i == 0 ? Database::health : Database::justice;
      report.notes.push_back("moved " + std::to_string(moved[i]) + " " + std::string(name(database)) +
                             " records out of the main database into " + report.databases[i].name);
    }
    if (isSuperuser(admin)) {
      lockDownStatistics(admin);
      for (Database database : {Database::health, Database::justice}) {
        pqxx::connection conn(conninfoFor(target, DbRole::admin, database));
        lockDownStatistics(conn);
      }
      closeClusterDatabases(admin);
      report.notes.push_back(
          "locked down the cluster's statistics for every role but superusers, and closed the postgres and "
          "template1 databases to them");
    } else {
      report.notes.push_back(
          "warning: " + target.adminUser +
          " is not a superuser, so PostgreSQL's cluster-wide statistics stay readable by every role; run "
          "`liaison migrate` once as a superuser, or keep the health and justice databases in another cluster");
    }
  } catch (const pqxx::broken_connection& e) {
    return unavailable("cannot connect to the database", e);
  } catch (const std::exception& e) {
    return unavailable("migration failed", e);
  }
  return report;
}

Status ensureRoles(const DatabaseTarget& target) {
  try {
    pqxx::connection admin(conninfoFor(target, DbRole::admin, Database::main));
    ensureRoles(admin);
  } catch (const std::exception& e) {
    return unavailable("cannot create Liaison's database roles", e);
  }
  return {};
}

Status checkDatabaseFirewall(const DatabaseTarget& target) {
  try {
    pqxx::connection conn(conninfoFor(target, DbRole::enforcement, Database::main));
    pqxx::read_transaction tx(conn);
    auto exists = [&](const std::string& database) {
      return tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", database)[0].as<int>() > 0;
    };
    auto mayConnect = [&](const std::string& database) {
      return tx.exec_params1("SELECT has_database_privilege(current_user, $1, 'CONNECT')", database)[0].as<bool>();
    };
    auto open = [](const std::string& what) {
      return fail(ErrorKind::notPermitted, "the firewall in the database does not hold: liaison_enforcement " + what);
    };
    bool sameCluster = false;
    for (Database database : {Database::health, Database::justice}) {
      const std::string name = databaseName(target, database).value_or("");
      if (name.empty() || !exists(name)) continue;  // in another cluster
      sameCluster = true;
      if (mayConnect(name)) {
        return open("may connect to the " + std::string(liaison::name(database)) + " database " + name +
                    "; run `liaison migrate`, which closes it");
      }
    }
    if (!sameCluster) return {};
    if (tx.exec1("SELECT has_function_privilege('pg_catalog.pg_stat_get_db_tuples_inserted(oid)', 'EXECUTE')")[0]
            .as<bool>()) {
      return open(
          "can read PostgreSQL's statistics, which count the health and justice databases' rows and reads; run "
          "`liaison migrate` once as a superuser, or keep those databases in another cluster");
    }
    for (const char* database : kClusterDatabases) {
      if (exists(database) && mayConnect(database)) {
        return open("may connect to the " + std::string(database) +
                    " database, where PostgreSQL's statistics count the health and justice databases' rows; "
                    "run `liaison migrate` once as a superuser, or keep those databases in another cluster");
      }
    }
    return {};
  } catch (const pqxx::broken_connection& e) {
    return unavailable("cannot check the firewall in the database", e);
  } catch (const std::exception& e) {
    return unavailable("cannot check the firewall in the database", e);
  }
}

Result<int> schemaVersion(const DatabaseTarget& target, Database database, DbRole role) {
  try {
    pqxx::connection conn(conninfoFor(target, role, database));
    pqxx::read_transaction tx(conn);
    return recordedVersion(tx);
  } catch (const pqxx::broken_connection& e) {
    return unavailable("cannot connect to the " + std::string(name(database)) + " database", e);
  } catch (const std::exception& e) {
    return unavailable("cannot read the schema version of the " + std::string(name(database)) + " database", e);
  }
}

}  // namespace liaison::store
