#include <gtest/gtest.h>

#include "adapters/migrate.h"
#include "tests/pg_fixture.h"

namespace liaison {
namespace {

class Migrations : public testing::PgTest {
 protected:
  Migrations() : PgTest(/*migrated=*/false) {}

  // Names of every table and view in the database, to compare schemas before and after.
  std::string catalogSnapshot() {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::read_transaction tx(*conn);
    auto row = tx.exec1(
        "SELECT string_agg(table_schema || '.' || table_name || ':' || column_name || ':' || data_type, ',' "
        "ORDER BY table_schema, table_name, ordinal_position) FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    return row[0].c_str();
  }
};

TEST_F(Migrations, EmptyDatabaseIsBroughtToTheNewestVersion) {
  auto report = store::migrate(target());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->versionBefore, 0);
  EXPECT_EQ(report->versionAfter, embeddedMigrations().back().version);
  EXPECT_EQ(report->applied.size(), embeddedMigrations().size());
  auto version = store::schemaVersion(target());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, embeddedMigrations().back().version);
}

TEST_F(Migrations, ApplyingTwiceIsANoOp) {
  ASSERT_TRUE(store::migrate(target()).ok());
  const std::string before = catalogSnapshot();
  auto second = store::migrate(target());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->versionBefore, second->versionAfter);
  EXPECT_EQ(catalogSnapshot(), before);
}

TEST_F(Migrations, DatabaseAtANewerVersionIsRefusedAndLeftAlone) {
  ASSERT_TRUE(store::migrate(target()).ok());
  {
    auto conn = connectAs(store::DbRole::admin);
    pqxx::work tx(*conn);
    tx.exec("INSERT INTO liaison_meta.migrations (version, name) VALUES (9999, '9999_from_the_future')");
    tx.commit();
  }
  const std::string before = catalogSnapshot();
  auto result = store::migrate(target());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::conflict);
  EXPECT_NE(result.error().message.find("9999"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("newer than this binary"), std::string::npos) << result.error().message;
  EXPECT_EQ(catalogSnapshot(), before);
}

TEST_F(Migrations, AFailingMigrationLeavesNothingBehind) {
  const std::vector<Migration> migrations = {
      {1, "0001_good", "CREATE SCHEMA probe; CREATE TABLE probe.t (x int);"},
      {2, "0002_bad", "CREATE TABLE probe.u (x no_such_type);"},
  };
  auto result = store::migrate(target(), migrations);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("0002_bad"), std::string::npos) << result.error().message;
  auto conn = connectAs(store::DbRole::admin);
  pqxx::read_transaction tx(*conn);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('probe.t') IS NULL")[0].as<bool>());
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('liaison_meta.migrations') IS NULL")[0].as<bool>());
}

}  // namespace
}  // namespace liaison
