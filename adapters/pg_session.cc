#include "adapters/pg_session.h"

#include <algorithm>

#include "adapters/pg_liveness.h"

namespace liaison::store {

std::unique_ptr<pqxx::connection> openConnection(const DatabaseTarget& target, DbRole role) {
  return openConnection(target, role, homeDatabaseOf(role));
}

std::unique_ptr<pqxx::connection> openConnection(const DatabaseTarget& target, DbRole role, Database database) {
  // A statement that hangs (a lock never released, a stalled disk) must fail, not hold a node's
  // worker forever; bulk work that may legitimately run longer lifts it (allowLongStatements).
  return std::make_unique<pqxx::connection>(conninfoFor(target, role, database) +
                                            " options='-c TimeZone=UTC -c DateStyle=ISO,YMD -c statement_timeout=" +
                                            std::to_string(kStatementTimeoutMs) + "'");
}

void allowLongStatements(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  tx.exec("SET statement_timeout = 0");
}

pqxx::connection& RoleConnections::forRole(DbRole role, Database database) {
  auto& slot = byRole_.at(static_cast<size_t>(role)).at(static_cast<size_t>(database));
  slot = keepIfIntact(std::move(slot));
  if (!slot) slot = openConnection(target_, role, database);
  return *slot;
}

void RoleConnections::reset(DbRole role, Database database) {
  byRole_.at(static_cast<size_t>(role)).at(static_cast<size_t>(database)).reset();
}

void setRequestingMember(pqxx::transaction_base& tx, std::string_view member) {
  tx.exec_params("SELECT set_config('liaison.member', $1, true)", std::string(member));
}

bool isValidMemberId(std::string_view member) {
  return !member.empty() && member.size() <= 64 && std::all_of(member.begin(), member.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

Error databaseError(std::string_view what, const std::exception& e) {
  std::string message = std::string(what) + ": " + e.what();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return fail(ErrorKind::unavailable, message);
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // libpqxx 6.4 leaves sqlstate() empty for 42501 but throws insufficient_privilege.
    if (dynamic_cast<const pqxx::insufficient_privilege*>(sql) != nullptr) return fail(ErrorKind::notPermitted, message);
    const std::string& state = sql->sqlstate();
    if (state.rfind("23", 0) == 0 || state.rfind("22", 0) == 0) return fail(ErrorKind::invalidInput, message);
    if (state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0 || state.rfind("53", 0) == 0) {
      return fail(ErrorKind::unavailable, message);
    }
  }
  return fail(ErrorKind::internal, message);
}

}  // namespace liaison::store
