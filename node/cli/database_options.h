// The options that say which databases a command works on (migrate, import, records, purge, groups).
#pragma once

#include <vector>

#include "adapters/database.h"
#include "node/cli/command.h"

namespace liaison::cli {

/// `--db CONNINFO`, `--health-db CONNINFO`, `--justice-db CONNINFO` and `--db-admin ROLE`, listed
/// under "database options".
std::vector<OptionSpec> databaseOptions();

/// The databases of `--db CONNINFO` (else $LIAISON_DB, else libpq's environment) with the admin
/// role of `--db-admin` (default liaison_admin); the firewalled ones from `--health-db` and
/// `--justice-db` when they are not the main one's name with `_health` and `_justice` appended.
store::DatabaseTarget databaseTarget(const Arguments& args);

}  // namespace liaison::cli
