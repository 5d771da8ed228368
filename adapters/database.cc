#include "adapters/database.h"

#include <libpq-fe.h>

#include <cassert>
#include <cstdlib>
#include <memory>
#include <stdexcept>

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
    case DbRole::importer: return "liaison_importer";
    case DbRole::screening: return "liaison_screening";
  }
  assert(false && "unknown database role");
  return "";
}

Database databaseOf(Compartment compartment) {
  switch (compartment) {
    case Compartment::health: return Database::health;
    case Compartment::justice: return Database::justice;
    case Compartment::notices:
    case Compartment::documents:
    case Compartment::immigration:
    case Compartment::watchlist: return Database::main;
  }
  assert(false && "unknown compartment");
  return Database::main;
}

DbRole roleForCompartment(Compartment compartment) {
  switch (databaseOf(compartment)) {
    case Database::health: return DbRole::health;
    case Database::justice: return DbRole::justice;
    case Database::main: return DbRole::enforcement;
  }
  return DbRole::enforcement;
}

Database homeDatabaseOf(DbRole role) {
  switch (role) {
    case DbRole::health: return Database::health;
    case DbRole::justice: return Database::justice;
    default: return Database::main;
  }
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

// The dbname a libpq connection string names, if it names one.
std::optional<std::string> dbnameIn(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                      &PQconninfoFree);
  if (error != nullptr) PQfreemem(error);
  if (!options) return std::nullopt;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "dbname" && o->val != nullptr && *o->val != '\0') return std::string(o->val);
  }
  return std::nullopt;
}

std::string_view suffixOf(Database database) {
  switch (database) {
    case Database::health: return "_health";
    case Database::justice: return "_justice";
    case Database::main: return "";
  }
  return "";
}

const std::string& ownConninfo(const DatabaseTarget& target, Database database) {
  switch (database) {
    case Database::health: return target.healthConninfo;
    case Database::justice: return target.justiceConninfo;
    case Database::main: return target.conninfo;
  }
  return target.conninfo;
}

}  // namespace

std::optional<std::string> databaseName(const DatabaseTarget& target, Database database) {
  if (const std::string& own = ownConninfo(target, database); database != Database::main && !own.empty()) {
    if (auto name = dbnameIn(own)) return name;
  }
  std::optional<std::string> main = dbnameIn(target.conninfo);
  if (!main) {
    if (const char* env = std::getenv("PGDATABASE"); env != nullptr && *env != '\0') main = env;
  }
  if (!main) return std::nullopt;
  return *main + std::string(suffixOf(database));
}

std::string conninfoFor(const DatabaseTarget& target, DbRole role, Database database) {
  // libpq takes the last occurrence of a keyword, so the role's user wins over any user in the
  // configured string, and a derived dbname over the main one's.
  std::string_view user = role == DbRole::admin ? std::string_view(target.adminUser) : roleName(role);
  // A database that does not answer must not hold a worker forever; a connect_timeout in the
  // configured string comes later and so wins.
  std::string conninfo = "connect_timeout=10";
  const std::string& own = ownConninfo(target, database);
  if (database == Database::main || !own.empty()) {
    if (!own.empty()) conninfo += ' ' + own;
  } else {
    auto name = databaseName(target, database);
    if (!name) {
      throw std::invalid_argument(
          "cannot tell which database holds the " + std::string(database == Database::health ? "health" : "justice") +
          " compartment: name the main database (dbname=... in the connection string, or PGDATABASE), or give "
          "the compartment's own connection string");
    }
    if (!target.conninfo.empty()) conninfo += ' ' + target.conninfo;
    conninfo += " dbname=" + quoteConninfoValue(*name);
  }
  conninfo += ' ';
  conninfo += "user=" + quoteConninfoValue(user) + " application_name='liaison'";
  return conninfo;
}

std::string conninfoFor(const DatabaseTarget& target, DbRole role) {
  return conninfoFor(target, role, homeDatabaseOf(role));
}

}  // namespace liaison::store
