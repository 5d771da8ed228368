// The compartment firewall as the database enforces it, independent of any policy code.
#include <gtest/gtest.h>

#include "tests/pg_fixture.h"

namespace liaison {
namespace {

using store::DbRole;

const std::vector<std::string> kHealthTables = {"health.records"};
const std::vector<std::string> kJusticeTables = {"justice.records"};
const std::vector<std::string> kEnforcementTables = {
    "notices.notices",         "documents.travel_documents", "immigration.movements", "immigration.refusals",
    "immigration.overstays",   "immigration.visa_decisions", "watchlist.persons",     "watchlist.documents",
};

class DatabaseFirewall : public testing::PgTest {
 protected:
  // The SQLSTATE of running `sql` as `role`, or "" if it succeeded (and was committed).
  std::string sqlstateOf(DbRole role, const std::string& sql) {
    auto conn = connectAs(role);
    pqxx::work tx(*conn);
    tx.exec("SELECT set_config('liaison.member', 'XA-POLICE', true)");
    try {
      tx.exec(sql);
      tx.commit();
      return "";
    } catch (const pqxx::sql_error& e) {
      return testing::sqlstateOf(e);
    }
  }

  // Every way a forbidden role might touch `table`: read, count, filter, probe existence, join.
  std::vector<std::string> probesOf(const std::string& table) {
    return {
        "SELECT * FROM " + table,
        "SELECT count(*) FROM " + table,
        "SELECT 1 FROM " + table + " WHERE family_name = 'Sentinel'",
        "SELECT EXISTS (SELECT 1 FROM " + table + ")",
        "SELECT 1 FROM documents.travel_documents d WHERE EXISTS (SELECT 1 FROM " + table + " h)",
        "INSERT INTO " + table + " (owner_member, handling_code, retention_until, family_name, facility, "
            "record_kind, recorded_on) VALUES ('XA-POLICE', 'h0', '2030-01-01', 'x', 'x', 'x', '2020-01-01')",
        "DELETE FROM " + table,
    };
  }
};

TEST_F(DatabaseFirewall, EnforcementRoleCannotTouchHealthOrJusticeInAnyWay) {
  for (const auto& tables : {kHealthTables, kJusticeTables}) {
    for (const auto& table : tables) {
      for (const auto& probe : probesOf(table)) {
        EXPECT_EQ(sqlstateOf(DbRole::enforcement, probe), "42501") << probe;
      }
    }
  }
}

TEST_F(DatabaseFirewall, HealthRoleCannotReadJusticeNorEnforcementCompartments) {
  for (const auto& probe : probesOf("justice.records")) EXPECT_EQ(sqlstateOf(DbRole::health, probe), "42501") << probe;
  for (const auto& table : kEnforcementTables) {
    EXPECT_EQ(sqlstateOf(DbRole::health, "SELECT count(*) FROM " + table), "42501") << table;
  }
}

TEST_F(DatabaseFirewall, JusticeRoleCannotReadHealthNorEnforcementCompartments) {
  for (const auto& probe : probesOf("health.records")) EXPECT_EQ(sqlstateOf(DbRole::justice, probe), "42501") << probe;
  for (const auto& table : kEnforcementTables) {
    EXPECT_EQ(sqlstateOf(DbRole::justice, "SELECT count(*) FROM " + table), "42501") << table;
  }
}

TEST_F(DatabaseFirewall, EachRoleReadsItsOwnCompartments) {
  for (const auto& table : kEnforcementTables) {
    EXPECT_EQ(sqlstateOf(DbRole::enforcement, "SELECT count(*) FROM " + table), "") << table;
  }
  EXPECT_EQ(sqlstateOf(DbRole::health, "SELECT count(*) FROM health.records"), "");
  EXPECT_EQ(sqlstateOf(DbRole::justice, "SELECT count(*) FROM justice.records"), "");
}

TEST_F(DatabaseFirewall, ServingRolesAreNeitherSuperusersNorExemptFromRowSecurity) {
  auto conn = connectAs(DbRole::admin);
  pqxx::read_transaction tx(*conn);
  for (DbRole role : {DbRole::enforcement, DbRole::health, DbRole::justice, DbRole::auditWriter, DbRole::auditor}) {
    auto row = tx.exec_params1("SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles "
                               "WHERE rolname = $1",
                               std::string(store::roleName(role)));
    EXPECT_FALSE(row[0].as<bool>()) << store::roleName(role);
  }
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
  EXPECT_EQ(sqlstateOf(DbRole::auditor, "SELECT count(*) FROM health.records"), "42501");
  // Even the owner cannot change history through SQL.
  EXPECT_EQ(sqlstateOf(DbRole::admin, "UPDATE audit.entries SET reason = 'rewritten'"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::admin, "DELETE FROM audit.entries"), "42501");
  EXPECT_EQ(sqlstateOf(DbRole::admin, "TRUNCATE audit.entries"), "42501");
}

}  // namespace
}  // namespace liaison
