// `liaison keygen`: makes an Ed25519 key pair for a node, an officer or a federation's directory key.
#include "crypto/keys.h"
#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"

namespace liaison::cli {
namespace {

int keygen(const Arguments& args, const CommandContext& context) {
  const std::string prefix = args.require("out");
  auto pair = crypto::generateKeyPair();
  if (auto status = crypto::writeKeyFiles(prefix, pair); !status) {
    context.err << "liaison: " << status.error().message << "\n";
    return kExitFailure;
  }
  context.out << "wrote " << prefix << ".key (0600) and " << prefix << ".pub\n"
              << "key id " << pair.publicKey.id().hex() << "\n";
  return kExitOk;
}

}  // namespace

Command keygenCommand() {
  return Command{
      .name = "keygen",
      .summary = "write an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub",
      .details = "For a node, an officer, or a federation's directory key (`liaison directory sign`). Never writes "
                 "over an existing key or public key. Prints the key id partners pin.\n"
                 "exit status: 0 written, 1 failed, 2 usage error\n",
      .options = {{"out", "DIR/NAME", "where to write the pair: DIR/NAME.key and DIR/NAME.pub", true}},
      .run = keygen,
      .loadsSecretKeys = true,
  };
}

}  // namespace liaison::cli
