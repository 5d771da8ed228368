// The `liaison` command line: parses the words (CLI11) against the commands' declarations
// (node/cli/commands.h), prints usage, and runs the command they name.
#pragma once

#include <string>
#include <vector>

#include "node/cli/command.h"

namespace liaison::cli {

/// Runs `liaison ARGS...` (`args` without the program name) and returns the exit code
/// (node/cli/exit_codes.h). `--help` (or `-h`) after any command or subcommand, and `help` after
/// one with subcommands, print that command's usage to `context.out` and return 0. A usage mistake
/// (unknown command or option, a value missing or given twice, a missing argument) is written to
/// `context.err` naming what was wrong, followed by the usage of the command it was made in, and
/// returns kExitUsage; nothing runs.
int runCommandLine(const std::vector<std::string>& args, const CommandContext& context);

}  // namespace liaison::cli
