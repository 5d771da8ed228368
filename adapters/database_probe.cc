#include "adapters/database_probe.h"

#include <string>
#include <utility>

#include "adapters/pg_liveness.h"
#include "adapters/pg_session.h"

namespace liaison::store {
namespace {

// Connecting gives up after this many seconds (libpq counts whole seconds), and each statement
// after twice as many milliseconds as a plain SELECT could need on a loaded machine.
constexpr const char* kConnectTimeout = " connect_timeout=2";
constexpr const char* kStatementTimeoutSql = "SET statement_timeout = 2000";

constexpr const char* kAnswerSql = "SELECT 1";
// Whether the writer may still execute the append function: a revoked grant stops every append.
constexpr const char* kWriterMayAppendSql =
    "SELECT coalesce(bool_and(has_function_privilege(p.oid, 'EXECUTE')), false) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'audit' AND p.proname = 'append_batch'";

}  // namespace

struct DatabaseProbe::Sessions {
  std::vector<std::unique_ptr<pqxx::connection>> byRole;  // in the order of roles_
};

namespace {

// `target` with the probe's connect timeout in each connection string it gives (libpq takes the
// last occurrence of a keyword).
DatabaseTarget withProbeTimeout(DatabaseTarget target) {
  for (std::string* conninfo : {&target.conninfo, &target.healthConninfo, &target.justiceConninfo}) {
    if (!conninfo->empty() || conninfo == &target.conninfo) *conninfo += kConnectTimeout;
  }
  return target;
}

}  // namespace

DatabaseProbe::DatabaseProbe(DatabaseTarget target, std::vector<DbRole> roles)
    : target_(withProbeTimeout(std::move(target))),
      roles_(std::move(roles)),
      sessions_(std::make_unique<Sessions>()) {
  sessions_->byRole.resize(roles_.size());
}

DatabaseProbe::~DatabaseProbe() = default;

std::optional<ProbeFailure> DatabaseProbe::check() {
  for (size_t i = 0; i < roles_.size(); ++i) {
    const DbRole role = roles_[i];
    auto& conn = sessions_->byRole[i];
    try {
      conn = keepIfIntact(std::move(conn));
      if (!conn) {
        conn = openConnection(target_, role);
        pqxx::nontransaction setup(*conn);
        setup.exec(kStatementTimeoutSql);
      }
      pqxx::nontransaction tx(*conn);
      if (role == DbRole::auditWriter) {
        if (!tx.exec1(kWriterMayAppendSql)[0].as<bool>()) {
          return ProbeFailure{role, fail(ErrorKind::notPermitted,
                                         std::string(roleName(role)) + " may not execute audit.append_batch")};
        }
      } else {
        tx.exec1(kAnswerSql);
      }
    } catch (const std::exception& e) {
      conn.reset();
      Error error = databaseError("the database does not answer as " + std::string(roleName(role)), e);
      return ProbeFailure{role, fail(ErrorKind::unavailable, std::move(error.message))};
    }
  }
  return std::nullopt;
}

}  // namespace liaison::store
