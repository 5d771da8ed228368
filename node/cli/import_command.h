// `liaison import KIND FILE...`: bulk loads with progress, audited before they commit.
#pragma once

#include <ostream>

#include "adapters/audit_log.h"
#include "adapters/csv_import.h"
#include "node/cli/cli_args.h"

namespace liaison::cli {

/// The owner, visibility, handling and retention that `--owner`, `--visible-to`, `--handling` and
/// `--retention-years` (default 10) ask for. Throws UsageError.
importers::ImportOptions importOptionsFrom(const Arguments& args);

/// `liaison import KIND FILE --owner M [...]` for the CSV kinds (docs/formats.md). Shows a progress
/// bar with rows/s and an ETA on a terminal, plain lines otherwise. Exit 0, 1 on failure.
/// The import is audited, naming `origin`, before it commits.
int runImportCommand(const Arguments& args, const store::CommandLineOrigin& origin, std::ostream& out,
                     std::ostream& err);

/// The ImportControl::beforeCommit that audits an import of `what` (a kind and its source file) by
/// `owner`: nothing commits that the log does not hold.
std::function<Status(const importers::ImportReport&)> auditImportBeforeCommit(const store::DatabaseTarget& target,
                                                                               const store::CommandLineOrigin& origin,
                                                                               const std::string& owner,
                                                                               const std::string& what);

}  // namespace liaison::cli
