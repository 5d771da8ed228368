// The SQL migrations of schema/sql, embedded into the binary at build time.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace liaison {

/// The databases of a node: the main one, and one for each firewalled compartment, which
/// enforcement-facing roles cannot even connect to (adapters/database.h).
enum class Database : uint8_t { main, health, justice };

/// `main`, `health` or `justice`.
std::string_view name(Database database);

/// One migration file: `NNNN_name.sql` becomes {NNNN, "NNNN_name", contents}.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// All migrations of one database in ascending version order: schema/sql/*.sql for the main
/// database; schema/sql/firewalled/*.sql and schema/sql/firewalled/<compartment>/*.sql for a
/// firewalled one. The last version is the schema version this binary expects there.
const std::vector<Migration>& embeddedMigrations(Database database = Database::main);

}  // namespace liaison
