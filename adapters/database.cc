#include "adapters/database.h"

#include <cassert>

namespace liaison::store {

std::string_view roleName(DbRole role) {
  switch (role) {
    case DbRole::admin: return "liaison_admin";
    case DbRole::enforcement: return "liaison_enforcement";
    case DbRole::health: return "liaison_health";
    case DbRole::justice: return "liaison_justice";
    case DbRole::auditWriter: return "liaison_audit_writer";
    case DbRole::auditor: return "liaison_auditor";
    case DbRole::gateway: return "liaison_gateway";
  }
  assert(false && "unknown database role");
  return "";
}

DbRole roleForCompartment(Compartment compartment) {
  switch (compartment) {
    case Compartment::health: return DbRole::health;
    case Compartment::justice: return DbRole::justice;
    case Compartment::notices:
    case Compartment::documents:
    case Compartment::immigration:
    case Compartment::watchlist: return DbRole::enforcement;
  }
  assert(false && "unknown compartment");
  return DbRole::enforcement;
}

namespace {

// Quotes a value for a libpq connection string: single quotes, with \ and ' escaped.
std::string quoteConninfoValue(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::string conninfoFor(const DatabaseTarget& target, DbRole role) {
  // libpq takes the last occurrence of a keyword, so the role's user wins over any user in the
  // configured string.
  std::string_view user = role == DbRole::admin ? std::string_view(target.adminUser) : roleName(role);
  // A database that does not answer must not hold a worker forever; a connect_timeout in the
  // configured string comes later and so wins.
  std::string conninfo = "connect_timeout=10";
  if (!target.conninfo.empty()) conninfo += ' ' + target.conninfo;
  conninfo += ' ';
  conninfo += "user=" + quoteConninfoValue(user) + " application_name='liaison'";
  return conninfo;
}

}  // namespace liaison::store
