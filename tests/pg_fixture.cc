#include "tests/pg_fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "adapters/migrate.h"

namespace liaison::testing {
namespace {

std::string socketDirectory() {
  const char* host = std::getenv("LIAISON_TEST_PGHOST");
  if (host == nullptr || *host == '\0') {
    ADD_FAILURE() << "LIAISON_TEST_PGHOST is not set: run the PostgreSQL tests through scripts/test, which "
                     "starts the private cluster";
    return "/nonexistent";
  }
  return host;
}

}  // namespace

store::DatabaseTarget PgTest::clusterTarget(const std::string& database) {
  return store::DatabaseTarget{"host='" + socketDirectory() + "' dbname='" + database + "'"};
}

std::string sqlstateOf(const pqxx::sql_error& error) {
  if (!error.sqlstate().empty()) return error.sqlstate();
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&error) != nullptr) return "42501";
  return "unknown";
}

void PgTest::SetUp() {
  static std::atomic<int> counter{0};
  database_ = "liaison_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection admin(store::conninfoFor(clusterTarget("postgres"), store::DbRole::admin));
    pqxx::nontransaction tx(admin);
    for (const char* suffix : {"", "_health", "_justice"}) {
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(database_ + suffix) + " WITH (FORCE)");
    }
    tx.exec("CREATE DATABASE " + tx.quote_name(database_));
  }
  target_ = clusterTarget(database_);
  if (migrated_) {
    auto report = store::migrate(target_);
    ASSERT_TRUE(report.ok()) << report.error().message;
  }
}

void PgTest::TearDown() {
  pqxx::connection admin(store::conninfoFor(clusterTarget("postgres"), store::DbRole::admin));
  pqxx::nontransaction tx(admin);
  // The main database and the firewalled compartments' own (adapters/database.h).
  for (Database database : {Database::main, Database::health, Database::justice}) {
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(store::databaseName(target_, database).value()) +
            " WITH (FORCE)");
  }
}

std::unique_ptr<pqxx::connection> PgTest::connectAs(store::DbRole role) const {
  return std::make_unique<pqxx::connection>(store::conninfoFor(target_, role));
}

std::string PgTest::sqlstateAs(store::DbRole role, Database database, const std::string& sql,
                               const std::string& member) const {
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = connectAs(role, database);
  } catch (const pqxx::broken_connection& e) {
    // libpqxx 6.4 keeps no SQLSTATE for a refused connection; the server's message names it.
    if (std::string_view(e.what()).find("permission denied for database") != std::string_view::npos) return "42501";
    throw;
  }
  pqxx::work tx(*conn);
  if (!member.empty()) tx.exec_params("SELECT set_config('liaison.member', $1, true)", member);
  try {
    tx.exec(sql);
    tx.commit();
    return "";
  } catch (const pqxx::sql_error& e) {
    return sqlstateOf(e);
  }
}

std::unique_ptr<pqxx::connection> PgTest::connectAs(store::DbRole role, Database database) const {
  return std::make_unique<pqxx::connection>(store::conninfoFor(target_, role, database));
}

}  // namespace liaison::testing
