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

store::DatabaseTarget clusterTarget(const std::string& database) {
  return store::DatabaseTarget{"host='" + socketDirectory() + "' dbname='" + database + "'"};
}

}  // namespace

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
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(database_));
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
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(database_) + " WITH (FORCE)");
}

std::unique_ptr<pqxx::connection> PgTest::connectAs(store::DbRole role) const {
  return std::make_unique<pqxx::connection>(store::conninfoFor(target_, role));
}

}  // namespace liaison::testing
