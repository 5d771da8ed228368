// `liaison node`: runs the serving node from the command line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// `liaison node --config NODE.toml`: serves until SIGTERM or SIGINT, then shuts down gracefully.
/// Exit 0 after a graceful stop, 1 when the node cannot start. `args` are the words after
/// `liaison node`.
int runNodeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
