// Where Liaison's PostgreSQL databases are and which role each kind of work connects as.
//
// A node keeps its data in three databases: the main one (notices, documents, immigration,
// watchlist, the replay guard and the audit log) and one for each firewalled compartment, health
// and justice. Inside one database PostgreSQL's statistics views and catalogs tell any role how
// many rows a table holds and how often it was read, so the firewalled compartments live where an
// enforcement-facing role cannot even connect (schema/sql/firewalled, adapters/migrate.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schema/migrations.h"
#include "schema/model.h"

namespace liaison::store {

/// The database roles Liaison uses. The node never connects as a superuser: each kind of work
/// uses the role that can reach only what that work needs.
enum class DbRole : uint8_t {
  admin,        ///< owns the schema; runs migrations only
  enforcement,  ///< reads notices, documents, immigration, watchlist; cannot connect to health or justice
  health,       ///< reads the health compartment only, in its own database
  justice,      ///< reads the justice compartment only, in its own database
  auditWriter,  ///< may only append to the audit log
  auditor,      ///< may only read the audit log
  gateway,      ///< may only claim and purge request nonces (node.nonces)
  importer,     ///< writes records for imports and retention purges; never serves a request
  screening,    ///< reads every notice and watchlist person to build the screening index; serves nothing
};

/// Every role, for loops over them.
inline constexpr DbRole kAllDbRoles[] = {DbRole::admin,       DbRole::enforcement, DbRole::health,
                                         DbRole::justice,     DbRole::auditWriter, DbRole::auditor,
                                         DbRole::gateway,     DbRole::importer,    DbRole::screening};

/// The PostgreSQL role name, e.g. `liaison_enforcement`.
std::string_view roleName(DbRole role);

/// The database a compartment's records live in.
Database databaseOf(Compartment compartment);

/// The role that reads a compartment when it serves a request.
DbRole roleForCompartment(Compartment compartment);

/// The database a serving role works in (health and justice their own, every other the main one).
Database homeDatabaseOf(DbRole role);

/// Where the databases are. `conninfo` is a libpq connection string without `user` for the main
/// database (e.g. `host=/run/liaison dbname=liaison`); the role of each connection supplies the
/// user. The firewalled databases have their own strings, which may point to another cluster;
/// when empty they are the main one's with the database name suffixed: `liaison_health`,
/// `liaison_justice`. The main database's name comes from `dbname` in `conninfo`, else from
/// $PGDATABASE.
struct DatabaseTarget {
  std::string conninfo;
  std::string adminUser = "liaison_admin";  ///< the owner role migrations run as
  std::string healthConninfo{};
  std::string justiceConninfo{};
};

/// The name of database `database` of `target`, e.g. `liaison_health`; nullopt when the main
/// database's name is not known (no dbname in the string and no $PGDATABASE).
std::optional<std::string> databaseName(const DatabaseTarget& target, Database database);

/// The connection string for `role` on `database` of `target`. Throws std::invalid_argument when
/// a firewalled database has no string of its own and the main database has no known name.
std::string conninfoFor(const DatabaseTarget& target, DbRole role, Database database);
/// The same on the role's home database.
std::string conninfoFor(const DatabaseTarget& target, DbRole role);

}  // namespace liaison::store
