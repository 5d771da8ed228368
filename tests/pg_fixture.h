// A fresh PostgreSQL database per test, in the private cluster that scripts/test starts.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/database.h"

namespace liaison::testing {

/// The SQLSTATE of a libpqxx error. libpqxx 6.4 drops the code for some errors (42501 among
/// them) but still throws the matching exception class, so the class fills the gap.
std::string sqlstateOf(const pqxx::sql_error& error);

/// One node's migrated databases (main, health and justice), cloned from the templates like
/// PgTest's and dropped with the object: for tests that run several nodes, one set per node.
class NodeDatabases {
 public:
  NodeDatabases();
  ~NodeDatabases();
  NodeDatabases(const NodeDatabases&) = delete;
  NodeDatabases& operator=(const NodeDatabases&) = delete;
  const store::DatabaseTarget& target() const { return target_; }

 private:
  store::DatabaseTarget target_;
};

/// Creates databases of its own for each test and drops them after: an empty main database, or,
/// migrated, the main, health and justice databases cloned from templates that `store::migrate`
/// made once per cluster and schema. The cluster's socket directory comes from LIAISON_TEST_PGHOST
/// (set by scripts/test).
class PgTest : public ::testing::Test {
 protected:
  /// `migrated`: apply the embedded migrations before the test body runs.
  explicit PgTest(bool migrated = true) : migrated_(migrated) {}
  void SetUp() override;
  void TearDown() override;

  /// Target of this test's database (roles supply the user).
  const store::DatabaseTarget& target() const { return target_; }
  /// A connection to this test's databases as `role`: its home database, or `database`.
  std::unique_ptr<pqxx::connection> connectAs(store::DbRole role) const;
  std::unique_ptr<pqxx::connection> connectAs(store::DbRole role, Database database) const;
  /// The SQLSTATE of running `sql` as `role` in `database` of this test, in one transaction with
  /// the requesting member set (unless empty), or "" when it succeeded (and was committed). A connection the
  /// server refuses for want of CONNECT privilege reads as "42501", what the server says then.
  std::string sqlstateAs(store::DbRole role, Database database, const std::string& sql,
                         const std::string& member = "XA-POLICE") const;

 public:
  /// Target of the cluster's database named `database`, for work outside this test's databases.
  static store::DatabaseTarget clusterTarget(const std::string& database);

 private:
  bool migrated_;
  std::string database_;
  store::DatabaseTarget target_;
};

}  // namespace liaison::testing
