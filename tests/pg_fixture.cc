#include "tests/pg_fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <mutex>

#include "adapters/migrate.h"
#include "schema/migrations.h"

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

constexpr Database kDatabases[] = {Database::main, Database::health, Database::justice};

// Any constant: serialises the test processes that find the template missing.
constexpr long long kTemplateLockKey = 0x4c54706c;  // "LTpl"

// The template's name changes with every migration's text, so a changed schema never clones an
// old template. FNV-1a; it names, it does not protect.
std::string templateName() {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (Database database : kDatabases) {
    for (const Migration& m : embeddedMigrations(database)) {
      for (char c : std::string(m.name) + '\0' + std::string(m.sql) + '\0') {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
      }
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return "liaison_test_template_" + std::string(hex);
}

// Migrates the template databases once per cluster and schema: the first test process to get
// the lock migrates them with `store::migrate` and marks the main one ready; the others find the
// mark. Nobody connects to a template afterwards, so it can be cloned.
void ensureTemplate(const store::DatabaseTarget& cluster, const store::DatabaseTarget& templateTarget) {
  const std::string name = store::databaseName(templateTarget, Database::main).value();
  pqxx::connection admin(store::conninfoFor(cluster, store::DbRole::admin));
  pqxx::nontransaction tx(admin);
  tx.exec_params("SELECT pg_advisory_lock($1)", kTemplateLockKey);
  const auto mark = tx.exec_params(
      "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = $1", name);
  if (mark.empty() || mark[0][0].as<std::string>() != "ready") {
    for (const char* suffix : {"", "_health", "_justice"}) {
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name + suffix) + " WITH (FORCE)");
    }
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
    auto report = store::migrate(templateTarget);
    if (!report) {
      tx.exec_params("SELECT pg_advisory_unlock($1)", kTemplateLockKey);
      throw std::runtime_error("migrating the template databases failed: " + report.error().message);
    }
    tx.exec("COMMENT ON DATABASE " + tx.quote_name(name) + " IS 'ready'");
  }
  tx.exec_params("SELECT pg_advisory_unlock($1)", kTemplateLockKey);
}

// Creates `clone` from `source` with the same privileges on the database itself (who may
// connect), which CREATE DATABASE does not copy; closed to connections until they are in place, as
// the node creates its compartments (another test's firewall check must never see it open).
void cloneDatabase(pqxx::transaction_base& tx, const std::string& source, const std::string& clone) {
  tx.exec("CREATE DATABASE " + tx.quote_name(clone) + " STRATEGY FILE_COPY TEMPLATE " + tx.quote_name(source) +
          " ALLOW_CONNECTIONS false");
  const auto acl = tx.exec_params(
      "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END, "
      "a.privilege_type FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1",
      source);
  if (!acl.empty()) {  // else the defaults, as the clone has them
    tx.exec("REVOKE ALL ON DATABASE " + tx.quote_name(clone) + " FROM PUBLIC");
    for (const auto& row : acl) {
      tx.exec("GRANT " + row[1].as<std::string>() + " ON DATABASE " + tx.quote_name(clone) + " TO " +
              row[0].as<std::string>());
    }
  }
  tx.exec("ALTER DATABASE " + tx.quote_name(clone) + " ALLOW_CONNECTIONS true");
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

namespace {

// A fresh name for this process's next test database.
std::string freshDatabaseName() {
  static std::atomic<int> counter{0};
  return "liaison_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// Creates the databases of `target` (named `database`): empty, or cloned from the migrated templates.
void createDatabases(const std::string& database, const store::DatabaseTarget& target, bool migrated) {
  // A migrated test clones the template databases, which `store::migrate` made once (the tests of
  // migrating start from an empty database instead).
  static const std::string kTemplate = templateName();
  static std::once_flag templateReady;
  if (migrated) {
    std::call_once(templateReady, [] { ensureTemplate(PgTest::clusterTarget("postgres"), PgTest::clusterTarget(kTemplate)); });
  }
  pqxx::connection admin(store::conninfoFor(PgTest::clusterTarget("postgres"), store::DbRole::admin));
  pqxx::nontransaction tx(admin);
  for (const char* suffix : {"", "_health", "_justice"}) {
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(database + suffix) + " WITH (FORCE)");
  }
  if (!migrated) {
    tx.exec("CREATE DATABASE " + tx.quote_name(database));
    return;
  }
  const store::DatabaseTarget source = PgTest::clusterTarget(kTemplate);
  // The main database last (and it is dropped first): a test reading the cluster's databases
  // (DatabaseFirewall) never sees a main database without its health and justice beside it.
  for (Database db : {Database::health, Database::justice, Database::main}) {
    cloneDatabase(tx, store::databaseName(source, db).value(), store::databaseName(target, db).value());
  }
}

void dropDatabases(const store::DatabaseTarget& target) {
  pqxx::connection admin(store::conninfoFor(PgTest::clusterTarget("postgres"), store::DbRole::admin));
  pqxx::nontransaction tx(admin);
  // The main database and the firewalled compartments' own (adapters/database.h).
  for (Database database : kDatabases) {
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(store::databaseName(target, database).value()) +
            " WITH (FORCE)");
  }
}

}  // namespace

NodeDatabases::NodeDatabases() {
  const std::string database = freshDatabaseName();
  target_ = PgTest::clusterTarget(database);
  createDatabases(database, target_, true);
}

NodeDatabases::~NodeDatabases() {
  try {
    dropDatabases(target_);
  } catch (const std::exception&) {
    // A test that failed may leave a connection open; the next run's DROP ... WITH (FORCE) clears it.
  }
}

void PgTest::SetUp() {
  database_ = freshDatabaseName();
  target_ = clusterTarget(database_);
  createDatabases(database_, target_, migrated_);
}

void PgTest::TearDown() { dropDatabases(target_); }

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
