// `liaison import notices FILE... --owner M [--visible-to A,B] [--handling h0|h1|h2|h3]
// [--retention-years N] [--colour red|yellow|un-special] [--db CONNINFO] [--db-admin ROLE]`: loads
// responses of INTERPOL's public notices web API (adapters/interpol_notices.h).
#pragma once

#include "adapters/audit_log.h"

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// Imports the notices of `files`. `options` holds option values by name without dashes (owner,
/// visible-to, handling, retention-years, colour, db, db-admin); without `db` the database is
/// $LIAISON_DB, else libpq's environment. Every file is read and parsed first, and if any fails nothing
/// is imported; then each file is imported in its own transaction (re-importing changes nothing, so
/// running the command again after a failure is safe) and `FILE: N notices read, M new, K already
/// present` is written to `out`. Problems go to `err`. Returns 0 on success, 1 when a file or the
/// database fails, 2 on a usage error.
/// Each file's import is audited, naming `origin`, before it commits.
int runImportNoticesCommand(const std::vector<std::string>& files,
                            const std::map<std::string, std::string>& options,
                            const store::CommandLineOrigin& origin, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
