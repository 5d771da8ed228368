// `liaison groups sync --policy FILE [--dry-run]`: make the database's visibility groups match
// the policy's [[group]] tables (adapters/group_sync.h).
#pragma once

#include "adapters/audit_log.h"

#include <ostream>

#include "node/cli/cli_args.h"

namespace liaison::cli {

/// Prints every membership added (`+ GROUP MEMBER`) and removed (`- GROUP MEMBER`) and a summary.
/// With --dry-run nothing changes. Exit 0, 1 when the policy is invalid or the database refused.
/// Throws UsageError.
/// A change is audited naming `origin`.
int runGroupsCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                     std::ostream& err);

}  // namespace liaison::cli
