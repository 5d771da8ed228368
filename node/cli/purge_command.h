// `liaison purge`: deletes a member's records past their retention date.
#pragma once

#include <ostream>

#include "adapters/audit_log.h"
#include "node/cli/cli_args.h"

namespace liaison::cli {

/// `liaison purge --member M [--today YYYY-MM-DD]`: deletes M's records past their retention date
/// in every compartment, each deletion audited naming `origin`. Exit 0, 1 on failure.
int runPurgeCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                    std::ostream& err);

}  // namespace liaison::cli
