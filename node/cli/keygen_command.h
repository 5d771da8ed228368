// `liaison keygen`: makes an Ed25519 key pair for a node or an officer.
#pragma once

#include <ostream>

#include "node/cli/cli_args.h"

namespace liaison::cli {

/// `liaison keygen --out DIR/NAME`: writes NAME.key (mode 0600; never over an existing file) and
/// NAME.pub, and prints the key id. Exit 0, 1 on failure.
int runKeygenCommand(const Arguments& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
