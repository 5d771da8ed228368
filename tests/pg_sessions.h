// Cutting database sessions the way a PostgreSQL restart does, for tests that share one cluster
// with others: only sessions of the test's own database are touched, never the cluster itself.
#pragma once

#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace liaison::testing {

/// Ends every client session of the database `admin` is connected to and of its health and justice
/// databases (as the admin role, a superuser in the test cluster) that `condition`, an SQL
/// condition over pg_stat_activity, selects, except `admin` itself, and waits until they are gone.
/// Returns how many it ended.
inline int terminateSessions(pqxx::connection& admin, const std::string& condition = "true") {
  pqxx::nontransaction tx(admin);
  return tx
      .exec1("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
             "WHERE datname IN (current_database(), current_database() || '_health', current_database() || "
             "'_justice') AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
             "AND (" + condition + ")")[0]
      .as<int>();
}

/// The backend process that holds the audit log's writer lease (the lock of audit.writer_lock).
inline std::optional<int> writerLeaseHolder(pqxx::connection& admin) {
  pqxx::nontransaction tx(admin);
  pqxx::result rows = tx.exec(
      "SELECT pid FROM pg_locks WHERE locktype = 'relation' AND relation = 'audit.writer_lock'::regclass "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND mode = 'ExclusiveLock' AND granted");
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<int>();
}

}  // namespace liaison::testing
