// What `liaison import KIND FILE` (import_command.cc) and `liaison import notices FILE...`
// (notices_command.cc) share: the options that say whose records they are and how they may be
// shared, and the audit entry written before an import commits.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/csv_import.h"
#include "node/cli/command.h"

namespace liaison::cli {

/// `--owner MEMBER` (required), `--visible-to M1,G2`, `--handling h0..h3` and
/// `--retention-years N`.
std::vector<OptionSpec> importOptions();

/// The owner, visibility, handling and retention that importOptions() asked for (retention:
/// default 10 years, at most 100). Throws UsageError.
importers::ImportOptions importOptionsFrom(const Arguments& args);

/// The ImportControl::beforeCommit that audits an import of `what` (a kind and its source file) by
/// `owner`: nothing commits that the log does not hold.
std::function<Status(const importers::ImportReport&)> auditImportBeforeCommit(const store::DatabaseTarget& target,
                                                                               const store::CommandLineOrigin& origin,
                                                                               const std::string& owner,
                                                                               const std::string& what);

}  // namespace liaison::cli
