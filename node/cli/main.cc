// The `liaison` command: wires the process to the command line and nothing else.
#include <iostream>
#include <string>
#include <vector>

#include "crypto/secret_memory.h"
#include "node/cli/command_audit.h"
#include "node/cli/command_line.h"

int main(int argc, char** argv) {
  const liaison::cli::CommandContext context{
      .out = std::cout,
      .err = std::cerr,
      // Commands that read or write records audit who ran them and how.
      .origin = liaison::cli::commandLineOrigin({argv, argv + argc}),
      .protectSecrets = liaison::crypto::protectProcessSecrets,
  };
  return liaison::cli::runCommandLine({argv + 1, argv + argc}, context);
}
