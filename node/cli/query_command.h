// `liaison query`: an officer's (or a partner's) signed query from the command line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// `liaison query --as CLIENT.toml --node URL [--purpose P] [--case REF] [--json] KIND ARGS...`.
/// Exit 0 answered, 3 refused, 4 invalid request, 1 failure (transport, verification). `args` are
/// the words after `liaison query`.
int runQueryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
}  // namespace liaison::cli
