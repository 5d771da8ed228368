// `liaison records list|count KIND --member M [--role R]`: records as a member sees them, read from
// the command line. Each run is audited (node/cli/command_audit.h) before anything is shown.
#pragma once

#include <ostream>

#include "adapters/audit_log.h"
#include "node/cli/cli_args.h"

namespace liaison::cli {

/// Reads as the database role `--role` names: `enforcement` (the default, for the enforcement
/// compartments), `health` or `justice`. Health and justice records are read only with an explicit
/// `--role health` or `--role justice`; asking without it, or with a role that cannot reach the
/// kind, is refused and audited. Exit 0; 1 refused or failed (usage errors throw UsageError).
int runRecordsCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                      std::ostream& err);

}  // namespace liaison::cli
