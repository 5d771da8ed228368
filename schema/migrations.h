// The SQL migrations of schema/sql, embedded into the binary at build time.
#pragma once

#include <string_view>
#include <vector>

namespace liaison {

/// One migration file: `NNNN_name.sql` becomes {NNNN, "NNNN_name", contents}.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// All migrations in ascending version order. The last version is the schema version this
/// binary expects.
const std::vector<Migration>& embeddedMigrations();

}  // namespace liaison
