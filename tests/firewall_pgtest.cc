// The compartment firewall as the database enforces it, independent of any policy code: which role
// may connect where, read what, write anything, and learn anything of health or justice records
// from PostgreSQL's statistics and catalogs.
#include <gtest/gtest.h>

#include "adapters/migrate.h"
#include "adapters/store.h"
#include "tests/pg_fixture.h"
#include "tests/sample_records.h"

namespace liaison {
namespace {

using store::DbRole;

const std::vector<std::string> kEnforcementTables = {
    "notices.notices",         "documents.travel_documents", "immigration.movements", "immigration.refusals",
    "immigration.overstays",   "immigration.visa_decisions", "watchlist.persons",     "watchlist.documents",
};

// Every role but the compartments' own and the tools' (admin, importer).
constexpr DbRole kOutsiders[] = {DbRole::enforcement, DbRole::gateway, DbRole::auditWriter, DbRole::auditor,
                                 DbRole::screening};

class DatabaseFirewall : public testing::PgTest {
 protected:
  std::string sqlstateOf(DbRole role, const std::string& sql, Database database = Database::main) {
    return sqlstateAs(role, database, sql);
  }

  // Every way a role might touch `table`: read, count, filter, probe existence, join, write.
  std::vector<std::string> probesOf(const std::string& table) {
    return {
        "SELECT * FROM " + table,
        "SELECT count(*) FROM " + table,
        "SELECT 1 FROM " + table + " WHERE family_name = 'Sentinel'",
        "SELECT EXISTS (SELECT 1 FROM " + table + ")",
        "INSERT INTO " + table + " (owner_member, handling_code, retention_until, family_name) "
            "VALUES ('XA-POLICE', 'h0', '2030-01-01', 'x')",
        "UPDATE " + table + " SET family_name = 'x'",
        "DELETE FROM " + table,
    };
  }

  // Health and justice records stored and read back, so that every counter PostgreSQL keeps of
  // them has moved: inserts, index scans that found a row, sequential scans.
  void storeAndReadFirewalledRecords() {
    store::RecordStore tools(target());
    for (RecordKind kind : {RecordKind::healthRecord, RecordKind::justiceRecord}) {
      for (int i = 0; i < 5; ++i) {
        auto ref = tools.insert("XA-POLICE", testing::sampleRecord(kind, "XA-POLICE"));
        ASSERT_TRUE(ref.ok()) << ref.error().message;
        ASSERT_TRUE(tools.get("XA-POLICE", kind, *ref).ok());
      }
      ASSERT_TRUE(tools.count("XA-POLICE", kind).ok());
    }
  }

  // The names of the cluster's databases that the enforcement role can connect to. Other tests'
  // databases come and go while this one runs; they are the same kind of Liaison database as this
  // test's own, so only this test's own and the cluster's are looked at.
  std::vector<std::string> databasesReachableByEnforcement() {
    auto admin = connectAs(DbRole::admin);
    pqxx::read_transaction tx(*admin);
    const std::string own = store::databaseName(target(), Database::main).value();
    std::vector<std::string> reachable;
    // Other nodes' main databases in the same cluster (the demo's agencies, other tests) are theirs
    // to serve: each has health and justice databases of its own beside it.
    for (const auto& row : tx.exec_params("SELECT d.datname FROM pg_database d WHERE d.datallowconn AND NOT EXISTS "
                                          "(SELECT 1 FROM pg_database h WHERE h.datname = d.datname || '_health') "
                                          "UNION SELECT $1 ORDER BY 1",
                                          own)) {
      const std::string name = row[0].as<std::string>();
      store::DatabaseTarget there = clusterTarget(name);
      try {
        pqxx::connection conn(store::conninfoFor(there, DbRole::enforcement, Database::main));
        reachable.push_back(name);
      } catch (const pqxx::broken_connection&) {
      }
    }
    return reachable;
  }
};

TEST_F(DatabaseFirewall, NoRoleButTheCompartmentsOwnCanConnectToTheHealthOrJusticeDatabase) {
  for (DbRole role : kOutsiders) {
    EXPECT_EQ(sqlstateOf(role, "SELECT 1", Database::health), "42501") << store::roleName(role);
    EXPECT_EQ(sqlstateOf(role, "SELECT 1", Database::justice), "42501") << store::roleName(role);
  }
  EXPECT_EQ(sqlstateOf(DbRole::health, "SELECT 1", Database::justice), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::justice, "SELECT 1", Database::health), "42501");
  // Nor do health and justice reach the enforcement compartments or the audit log.
  EXPECT_EQ(sqlstateOf(DbRole::health, "SELECT 1", Database::main), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::justice, "SELECT 1", Database::main), "42501");
  // The main database holds no health or justice table at all, not even an empty one.
  auto admin = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*admin);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname IN ('health', 'justice')")[0]
                .as<int>(),
            0);
}

TEST_F(DatabaseFirewall, ServingRolesReadTheirOwnCompartmentsAndWriteNothing) {
  for (const auto& table : kEnforcementTables) {
    EXPECT_EQ(sqlstateOf(DbRole::enforcement, "SELECT count(*) FROM " + table), "") << table;
    for (const char* write : {"DELETE FROM ", "TRUNCATE "}) {
      EXPECT_EQ(sqlstateOf(DbRole::enforcement, write + table), "42501") << write << table;
    }
    EXPECT_EQ(sqlstateOf(DbRole::enforcement, "INSERT INTO " + table + " DEFAULT VALUES"), "42501") << table;
  }
  for (const auto& [role, database, table] :
       {std::tuple{DbRole::health, Database::health, "health.records"},
        std::tuple{DbRole::justice, Database::justice, "justice.records"}}) {
    const auto probes = probesOf(table);
    EXPECT_EQ(sqlstateOf(role, probes[1], database), "") << table;
    for (size_t i = 4; i < probes.size(); ++i) EXPECT_EQ(sqlstateOf(role, probes[i], database), "42501") << probes[i];
  }
}

TEST_F(DatabaseFirewall, OnlyTheImporterWritesRecords) {
  EXPECT_EQ(sqlstateOf(DbRole::importer,
                       "INSERT INTO health.records (owner_member, handling_code, retention_until, family_name, "
                       "facility, record_kind, recorded_on) VALUES ('XA-POLICE', 'h0', '2030-01-01', 'x', 'x', "
                       "'x', '2020-01-01')",
                       Database::health),
            "");
  EXPECT_EQ(sqlstateOf(DbRole::importer, "DELETE FROM health.records", Database::health), "");
  EXPECT_EQ(sqlstateOf(DbRole::importer, "DELETE FROM documents.travel_documents"), "");
  // ... as the owner of what it writes: row-level security still holds for it.
  EXPECT_EQ(sqlstateAs(DbRole::importer, Database::health,
                       "INSERT INTO health.records (owner_member, handling_code, retention_until, family_name, "
                       "facility, record_kind, recorded_on) VALUES ('XB-OTHER', 'h0', '2030-01-01', 'x', 'x', "
                       "'x', '2020-01-01')"),
            "42501");
  // It never reads or writes the audit log.
  EXPECT_EQ(sqlstateOf(DbRole::importer, "SELECT count(*) FROM audit.entries"), "42501");
}

TEST_F(DatabaseFirewall, ServingRolesAreNeitherSuperusersNorExemptFromRowSecurity) {
  auto conn = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*conn);
  for (DbRole role : store::kAllDbRoles) {
    if (role == DbRole::admin) continue;
    auto row = tx.exec_params1("SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles "
                               "WHERE rolname = $1",
                               std::string(store::roleName(role)));
    EXPECT_FALSE(row[0].as<bool>()) << store::roleName(role);
  }
}

TEST_F(DatabaseFirewall, TheEnforcementRoleLearnsNothingOfHealthOrJusticeFromAnyStatisticsViewOrCatalogFunction) {
  storeAndReadFirewalledRecords();
  const std::string health = store::databaseName(target(), Database::health).value();
  const std::string justice = store::databaseName(target(), Database::justice).value();
  const std::vector<std::string> reachable = databasesReachableByEnforcement();
  // It reaches its own database and nothing of the cluster's own.
  EXPECT_EQ(reachable, std::vector<std::string>{store::databaseName(target(), Database::main).value()});
  for (const std::string& database : reachable) {
    SCOPED_TRACE(database);
    pqxx::connection conn(store::conninfoFor(clusterTarget(database), DbRole::enforcement, Database::main));
    // Every statistics view there is, by name, and the lock and prepared-transaction views.
    std::vector<std::string> views;
    std::vector<std::string> callable;
    {
      pqxx::read_transaction tx(conn);
      for (const auto& row : tx.exec("SELECT c.oid::regclass::text FROM pg_class c "
                                     "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v' "
                                     "AND (c.relname LIKE 'pg\\_stat%' OR c.relname IN ('pg_locks', "
                                     "'pg_prepared_xacts'))")) {
        views.push_back(row[0].as<std::string>());
      }
      // Every statistics function, and the ones that measure sizes, WAL and transaction ids.
      for (const auto& row : tx.exec(
               "SELECT p.oid::regprocedure::text FROM pg_proc p "
               "WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (p.proname LIKE 'pg\\_stat\\_%' "
               "OR p.proname IN ('pg_database_size', 'pg_tablespace_size', 'pg_lock_status', "
               "'pg_current_wal_lsn', 'pg_current_wal_insert_lsn', 'pg_current_xact_id', 'txid_current', "
               "'pg_current_snapshot', 'txid_current_snapshot', 'pg_xact_status')) "
               "AND has_function_privilege(p.oid, 'EXECUTE')")) {
        callable.push_back(row[0].as<std::string>());
      }
      EXPECT_GT(views.size(), 20u) << "the catalog query found too few views to mean anything";
    }
    EXPECT_TRUE(callable.empty()) << "callable: " << callable.front();
    for (const std::string& view : views) {
      pqxx::work tx(conn);
      try {
        tx.exec("SELECT * FROM " + view);
        ADD_FAILURE() << "the enforcement role reads " << view;
      } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(testing::sqlstateOf(e), "42501") << view;
      }
    }
    // The calls the probes made, with real arguments.
    for (const std::string& call :
         {"pg_stat_get_db_tuples_inserted((SELECT oid FROM pg_database WHERE datname = '" + health + "'))",
          "pg_stat_get_db_tuples_fetched((SELECT oid FROM pg_database WHERE datname = '" + justice + "'))",
          "pg_database_size('" + health + "')", std::string("pg_tablespace_size('pg_default')"),
          std::string("pg_current_wal_lsn()"), std::string("txid_current()"),
          std::string("pg_stat_get_live_tuples('pg_class'::regclass)")}) {
      pqxx::work tx(conn);
      try {
        tx.exec("SELECT " + call);
        ADD_FAILURE() << "the enforcement role called " << call;
      } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(testing::sqlstateOf(e), "42501") << call;
      }
    }
  }
}

TEST_F(DatabaseFirewall, TheNodesStartCheckRefusesWhenTheEnforcementRoleCouldReachHealthOrItsStatistics) {
  ASSERT_TRUE(store::checkDatabaseFirewall(target()).ok());
  const std::string health = store::databaseName(target(), Database::health).value();
  auto admin = connectAs(DbRole::admin);
  // A careless operator grants the connection...
  pqxx::nontransaction(*admin).exec("GRANT CONNECT ON DATABASE \"" + health + "\" TO liaison_enforcement");
  Status open = store::checkDatabaseFirewall(target());
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().kind, ErrorKind::notPermitted);
  EXPECT_NE(open.error().message.find("may connect to the health database " + health), std::string::npos)
      << open.error().message;
  pqxx::nontransaction(*admin).exec("REVOKE CONNECT ON DATABASE \"" + health + "\" FROM liaison_enforcement");
  // ... or the statistics back to everyone.
  pqxx::nontransaction(*admin).exec("GRANT EXECUTE ON FUNCTION pg_stat_get_db_tuples_inserted(oid) TO PUBLIC");
  Status statistics = store::checkDatabaseFirewall(target());
  ASSERT_FALSE(statistics.ok());
  EXPECT_NE(statistics.error().message.find("statistics"), std::string::npos) << statistics.error().message;
  pqxx::nontransaction(*admin).exec("REVOKE EXECUTE ON FUNCTION pg_stat_get_db_tuples_inserted(oid) FROM PUBLIC");
  EXPECT_TRUE(store::checkDatabaseFirewall(target()).ok());
}

constexpr const char* kAuditInsert =
    "INSERT INTO audit.entries (seq, recorded_at, query_digest, decision, response_digest, entry) "
    "VALUES (0, now(), decode(repeat('00', 32), 'hex'), 'refused', decode(repeat('00', 32), 'hex'), '\\x00')";
constexpr const char* kAuditAppend =
    "SELECT audit.append(now(), '', '', '', '', '', '', decode(repeat('00', 32), 'hex'), 'refused', '', "
    "'{}', decode(repeat('00', 32), 'hex'), '\\x00')";

TEST_F(DatabaseFirewall, AuditWriterCanOnlyAppend) {
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, kAuditAppend), "");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, kAuditInsert), "42501") << "only through the append functions";
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "SELECT count(*) FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "UPDATE audit.entries SET reason = 'x'"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "DELETE FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditWriter, "SELECT count(*) FROM documents.travel_documents"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::enforcement, kAuditInsert), "42501");
}

TEST_F(DatabaseFirewall, AuditorCanOnlyReadAndNobodyCanRewriteTheLog) {
  ASSERT_EQ(sqlstateOf(DbRole::auditWriter, kAuditAppend), "");
  EXPECT_EQ(sqlstateOf(DbRole::auditor, "SELECT count(*) FROM audit.entries"), "");
  EXPECT_EQ(sqlstateOf(DbRole::auditor, kAuditInsert), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditor, kAuditAppend), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditor, "DELETE FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::auditor, "SELECT count(*) FROM documents.travel_documents"), "42501");
  // Even the owner cannot change history through SQL.
  EXPECT_EQ(sqlstateOf(DbRole::admin, "UPDATE audit.entries SET reason = 'rewritten'"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::admin, "DELETE FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::admin, "TRUNCATE audit.entries"), "42501");
}

}  // namespace
}  // namespace liaison
