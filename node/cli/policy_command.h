// `liaison policy check FILE` and `liaison policy explain FILE ...`: static checks of a policy file and
// the decision it takes for one question, with the rules or firewalls behind it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace liaison::cli {

/// Runs `liaison policy ARGS...` (`args` excludes "liaison policy"). Writes results to `out` and problems
/// to `err`. Returns 0 when the check passed or the question is permitted (for at least one
/// compartment), 1 when the policy has errors or the question is refused, 2 on a usage error.
int runPolicyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
