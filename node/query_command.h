// `liaison query` and `liaison node`: the client and the server side from the command line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::node {

/// `liaison query --as CLIENT.toml --node URL [--purpose P] [--case REF] [--json] KIND ARGS...`.
/// Exit 0 answered, 3 refused, 4 invalid request, 1 failure (transport, verification). `args` are
/// the words after `liaison query`.
int runQueryCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// `liaison node --config NODE.toml`: serves until SIGTERM or SIGINT, then shuts down gracefully.
int runNodeCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::node
