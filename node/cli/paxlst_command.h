// `liaison paxlst parse [--json] FILE`: reads a UN/EDIFACT PAXLST interchange (advance passenger
// information) and prints each message's flight and its travellers, or the error that stops it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// Runs `liaison paxlst ARGS...` (`args` excludes "liaison paxlst"). Writes the listing to `out` and
/// problems to `err`. Returns 0 when the file parsed, 1 when it cannot be read or is not a valid
/// PAXLST interchange, 2 on a usage error.
int runPaxlstCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
