// Audit entries for command-line access to records. `liaison records`, `import`, `purge` and
// `groups sync` read or write records on an operator's word alone, with no signed request, so each
// run is audited naming the operating-system user and the command, before its output is shown or
// its change committed.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "adapters/audit_log.h"
#include "adapters/database.h"
#include "schema/model.h"
#include "schema/status.h"

namespace liaison::cli {

/// The longest command text an entry keeps; the rest is cut, marked with "...".
inline constexpr size_t kMaxAuditedCommandBytes = 1024;

/// Who runs this process and how: the operating-system user (and, under sudo, the user sudo acted
/// for) and the command line, each argument quoted where it needs it.
store::CommandLineOrigin commandLineOrigin(const std::vector<std::string>& argv);

/// One command-line access to `member`'s view of the records.
struct CommandLineAccess {
  std::string member;                   ///< whose records, or as whom they were read
  Decision decision = Decision::permitted;
  std::string reason;                   ///< what was read or written, or why it was refused
  std::vector<std::string> recordRefs;  ///< the records shown or changed
  std::span<const uint8_t> output;      ///< what the operator is shown, committed to by digest
};

/// Appends the entry of `access` and waits until it is committed. An error means the access must
/// not go ahead: nothing shown, nothing committed.
Status auditCommandLine(const store::DatabaseTarget& target, const store::CommandLineOrigin& origin,
                        const CommandLineAccess& access);

}  // namespace liaison::cli
