// `liaison mrz parse [--json] LINE...`: checks and decodes the machine-readable zone of a travel
// document as an officer or a script types or scans it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// Runs `liaison mrz ARGS...` (`args` excludes "liaison mrz"). Prints the decoded fields to `out`, one
/// `field: value` per line or, with --json, as one JSON object; problems go to `err`. The century of
/// two-digit years is inferred against today's date (UTC). Returns 0 for a valid zone, 1 for an
/// invalid one, 2 on a usage error.
int runMrzCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
