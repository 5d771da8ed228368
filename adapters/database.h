// Where Liaison's PostgreSQL database is and which role each kind of work connects as.
#pragma once

#include <string>
#include <string_view>

#include "schema/model.h"

namespace liaison::store {

/// The database roles created by the migrations. The node never connects as a superuser: each
/// kind of work uses the role that can reach only what that work needs.
enum class DbRole : uint8_t {
  admin,        ///< owns the schema; runs migrations only
  enforcement,  ///< notices, documents, immigration, watchlist; nothing of health or justice
  health,       ///< the health compartment only
  justice,      ///< the justice compartment only
  auditWriter,  ///< may only append to the audit log
  auditor,      ///< may only read the audit log
  gateway,      ///< may only claim and purge request nonces (node.nonces)
};

/// The PostgreSQL role name, e.g. `liaison_enforcement`.
std::string_view roleName(DbRole role);

/// The role that serves work on a compartment.
DbRole roleForCompartment(Compartment compartment);

/// A libpq connection string without `user` (e.g. `host=/run/liaison dbname=liaison`); the role
/// of each connection supplies the user. Empty means libpq's environment (PGHOST, PGDATABASE...).
struct DatabaseTarget {
  std::string conninfo;
  std::string adminUser = "liaison_admin";  ///< the owner role migrations run as
};

/// The connection string for `role` on `target`.
std::string conninfoFor(const DatabaseTarget& target, DbRole role);

}  // namespace liaison::store
