// Migrations of a node's three databases against the real PostgreSQL: fresh, repeated, refused,
// failing, and the upgrade that moves health and justice records out of the main database.
#include <gtest/gtest.h>

#include "adapters/migrate.h"
#include "tests/pg_fixture.h"

namespace liaison {
namespace {

constexpr Database kDatabases[] = {Database::main, Database::health, Database::justice};

class Migrations : public testing::PgTest {
 protected:
  Migrations() : PgTest(/*migrated=*/false) {}

  // Names of every table and view in one database, to compare schemas before and after.
  std::string catalogSnapshot(Database database = Database::main) {
    auto conn = connectAs(store::DbRole::admin, database);
    pqxx::read_transaction tx(*conn);
    auto row = tx.exec1(
        "SELECT string_agg(table_schema || '.' || table_name || ':' || column_name || ':' || data_type, ',' "
        "ORDER BY table_schema, table_name, ordinal_position) FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    return row[0].c_str();
  }

  std::string allCatalogs() {
    std::string all;
    for (Database database : kDatabases) all += catalogSnapshot(database) + "|";
    return all;
  }

  // The main database's migrations up to and including `version`.
  static std::vector<Migration> mainMigrationsUpTo(int version) {
    std::vector<Migration> some;
    for (const Migration& m : embeddedMigrations(Database::main)) {
      if (m.version <= version) some.push_back(m);
    }
    return some;
  }
};

TEST_F(Migrations, AnEmptyDatabaseGetsItsFirewalledDatabasesAndEveryOneIsBroughtToTheNewestVersion) {
  auto report = store::migrate(target());
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->databases.size(), 3u);
  EXPECT_EQ(report->main().versionBefore, 0);
  EXPECT_EQ(report->main().versionAfter, embeddedMigrations().back().version);
  EXPECT_EQ(report->main().applied.size(), embeddedMigrations().size());
  for (const auto& db : report->databases) {
    SCOPED_TRACE(std::string(name(db.database)));
    EXPECT_EQ(db.created, db.database != Database::main);
    EXPECT_EQ(db.versionAfter, embeddedMigrations(db.database).back().version);
    auto version = store::schemaVersion(target(), db.database);
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_EQ(*version, embeddedMigrations(db.database).back().version);
  }
  EXPECT_EQ(report->databases[0].name, store::databaseName(target(), Database::health).value());
  // The records of each compartment are where its serving role reads them, and nowhere else.
  auto main = connectAs(store::DbRole::admin);
  pqxx::read_transaction tx(*main);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('health.records') IS NULL")[0].as<bool>());
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('justice.records') IS NULL")[0].as<bool>());
  auto health = connectAs(store::DbRole::health);
  pqxx::read_transaction healthTx(*health);
  EXPECT_EQ(healthTx.exec1("SELECT count(*) FROM health.records")[0].as<int>(), 0);
}

TEST_F(Migrations, ApplyingTwiceIsANoOp) {
  ASSERT_TRUE(store::migrate(target()).ok());
  const std::string before = allCatalogs();
  auto second = store::migrate(target());
  ASSERT_TRUE(second.ok()) << second.error().message;
  for (const auto& db : second->databases) {
    EXPECT_TRUE(db.applied.empty()) << name(db.database);
    EXPECT_FALSE(db.created) << name(db.database);
    EXPECT_EQ(db.versionBefore, db.versionAfter);
  }
  EXPECT_EQ(allCatalogs(), before);
}

TEST_F(Migrations, ADatabaseAtANewerVersionIsRefusedAndLeftAlone) {
  ASSERT_TRUE(store::migrate(target()).ok());
  for (Database database : kDatabases) {
    SCOPED_TRACE(std::string(name(database)));
    {
      auto conn = connectAs(store::DbRole::admin, database);
      pqxx::work tx(*conn);
      tx.exec("INSERT INTO liaison_meta.migrations (version, name) VALUES (9999, '9999_from_the_future')");
      tx.commit();
    }
    const std::string before = allCatalogs();
    auto result = store::migrate(target());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::conflict);
    EXPECT_NE(result.error().message.find("9999"), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find(store::databaseName(target(), database).value()), std::string::npos)
        << result.error().message;
    EXPECT_NE(result.error().message.find("newer than this binary"), std::string::npos) << result.error().message;
    EXPECT_EQ(allCatalogs(), before);
    auto conn = connectAs(store::DbRole::admin, database);
    pqxx::work tx(*conn);
    tx.exec("DELETE FROM liaison_meta.migrations WHERE version = 9999");
    tx.commit();
  }
}

TEST_F(Migrations, AFailingMigrationLeavesNothingBehind) {
  const std::vector<Migration> migrations = {
      {1, "0001_good", "CREATE SCHEMA probe; CREATE TABLE probe.t (x int);"},
      {2, "0002_bad", "CREATE TABLE probe.u (x no_such_type);"},
  };
  auto result = store::migrateDatabase(target(), Database::main, migrations);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("0002_bad"), std::string::npos) << result.error().message;
  auto conn = connectAs(store::DbRole::admin);
  pqxx::read_transaction tx(*conn);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('probe.t') IS NULL")[0].as<bool>());
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('liaison_meta.migrations') IS NULL")[0].as<bool>());
}

TEST_F(Migrations, UpgradingMovesHealthAndJusticeRecordsIntoTheirOwnDatabasesWithNothingLost) {
  // A node as schema version 7 left it: health and justice records inside the main database,
  // owned by two members and each visible to different ones.
  ASSERT_TRUE(store::migrateDatabase(target(), Database::main, mainMigrationsUpTo(7)).ok());
  {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::work tx(*conn);
    for (const char* member : {"XA-POLICE", "XA-HEALTH"}) {
      tx.exec_params("SELECT set_config('liaison.member', $1, true)", std::string(member));
      for (int i = 0; i < 3; ++i) {
        tx.exec_params(
            "INSERT INTO health.records (owner_member, visible_to, handling_code, retention_until, family_name, "
            "date_of_birth, facility, record_kind, recorded_on, summary, import_key) VALUES "
            "($1::text, '{XB-BORDER}', 'h3', '2040-01-01', 'Ngozi ' || $2, '1990-04', 'clinic', 'consultation', "
            "('2026-01-0' || $2)::date, 'summary with \"quotes\", commas', CASE WHEN $2 = '1' THEN NULL ELSE "
            "sha256(convert_to($1::text || $2, 'UTF8')) END)",
            std::string(member), std::to_string(i + 1));
      }
      tx.exec_params(
          "INSERT INTO justice.records (owner_member, handling_code, retention_until, family_name, court, "
          "case_number, record_kind, filed_on) VALUES ($1, 'h2', '2040-01-01', 'Amara', 'Court 1', 'C-9', "
          "'proceeding', '2026-02-01')",
          std::string(member));
    }
    tx.commit();
  }
  auto snapshot = [&](Database database, const std::string& table) {
    auto conn = connectAs(store::DbRole::admin, database);
    pqxx::work tx(*conn);
    tx.exec("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");  // rolled back below
    auto row = tx.exec1("SELECT count(*), string_agg(t::text, '|' ORDER BY ref) FROM " + table + " t");
    return std::to_string(row[0].as<int>()) + ":" + row[1].c_str();
  };
  const std::string health = snapshot(Database::main, "health.records");
  const std::string justice = snapshot(Database::main, "justice.records");
  ASSERT_EQ(health.substr(0, 2), "6:");

  auto report = store::migrate(target());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->main().versionBefore, 7);
  EXPECT_EQ(snapshot(Database::health, "health.records"), health);
  EXPECT_EQ(snapshot(Database::justice, "justice.records"), justice);
  std::string notes;
  for (const std::string& note : report->notes) notes += note + "\n";
  EXPECT_NE(notes.find("moved 6 health records"), std::string::npos) << notes;
  EXPECT_NE(notes.find("moved 2 justice records"), std::string::npos) << notes;
  auto main = connectAs(store::DbRole::admin);
  pqxx::read_transaction tx(*main);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('health.records') IS NULL")[0].as<bool>());
  // Row-level security holds in the new home: XB-BORDER sees only what was shared with it.
  auto reader = connectAs(store::DbRole::health);
  pqxx::work read(*reader);
  read.exec("SELECT set_config('liaison.member', 'XB-BORDER', true)");
  EXPECT_EQ(read.exec1("SELECT count(*) FROM health.records")[0].as<int>(), 6);
  read.exec("SELECT set_config('liaison.member', 'XZ-OTHER', true)");
  EXPECT_EQ(read.exec1("SELECT count(*) FROM health.records")[0].as<int>(), 0);
}

}  // namespace
}  // namespace liaison
