// `liaison audit verify|prove|sth|search`: the auditor's tools against a running node.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// Runs `liaison audit ...` (the words after `audit`). Exit codes: 0 verified / included / done,
/// 1 problems found or the check failed, 3 a receipt not yet under a signed head, 5 a fork.
int runAuditCommand(const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
