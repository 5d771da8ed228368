// Dumping a node's databases with pg_dump and restoring them with pg_restore (`liaison backup`,
// `liaison restore`): each of the main, health and justice databases on its own, so the
// firewalled compartments stay in databases of their own after a restore. pg_dump and pg_restore
// run as child processes with an argument vector, never through a shell.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/database.h"
#include "schema/status.h"

namespace liaison::store {

/// A privilege on a database itself (who may connect), which a dump of its contents does not carry.
struct DatabaseGrant {
  std::string grantee;    ///< a role name, or PUBLIC
  std::string privilege;  ///< CONNECT, TEMPORARY or CREATE
};

/// What a backup records of one database besides its dump.
struct DatabaseFacts {
  Database database = Database::main;
  std::string name;   ///< e.g. liaison_health
  std::string owner;  ///< e.g. liaison_admin
  std::vector<DatabaseGrant> grants;
  int schemaVersion = 0;
};

/// Checks that the admin role of `target` may dump every row: row-level security is forced even on
/// the tables' owner, so only a superuser or a role with BYPASSRLS reads them all (`restore`: only
/// a superuser, who may also give objects back to their owners). ErrorKind::notPermitted naming the
/// role and what it lacks.
Status checkDumpRole(const DatabaseTarget& target, bool restore);

/// The name, owner, database privileges and schema version of `database` of `target`.
Result<DatabaseFacts> describeDatabase(const DatabaseTarget& target, Database database);

/// Writes a pg_dump archive (custom format) of `database` to the open file `outFd`, as the admin role.
Status dumpDatabase(const DatabaseTarget& target, Database database, int outFd);

/// What restoring into a database would overwrite: nothing (it is missing or holds no table), or the
/// tables and schemas it holds.
struct DatabaseContents {
  bool exists = false;
  size_t tables = 0;   ///< relations outside PostgreSQL's own schemas
  size_t schemas = 0;  ///< schemas besides public and PostgreSQL's own
  bool empty() const { return tables == 0 && schemas == 0; }
};

/// What `database` of `target` holds now.
Result<DatabaseContents> inspectDatabase(const DatabaseTarget& target, Database database);

/// Makes `facts`' database (named by `target`) ready for a restore: creates it where missing,
/// dropping it first when `replace` (it must then not be in use), gives it the recorded owner and
/// exactly the recorded privileges.
Status prepareDatabase(const DatabaseTarget& target, const DatabaseFacts& facts, bool replace);

/// Restores the pg_dump archive `archive` into `database` of `target`, in one transaction, as the admin role.
Status restoreDatabase(const DatabaseTarget& target, Database database, const std::filesystem::path& archive);

}  // namespace liaison::store
