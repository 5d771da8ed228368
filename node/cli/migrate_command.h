// `liaison migrate`: creates or upgrades the schema of the main, health and justice databases.
#pragma once

#include <ostream>

#include "node/cli/cli_args.h"

namespace liaison::cli {

/// `liaison migrate [database options]`: prints, per database, the versions it went through, or that
/// it was up to date. Exit 0, 1 on failure.
int runMigrateCommand(const Arguments& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
