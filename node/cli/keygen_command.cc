#include "node/cli/keygen_command.h"

#include "crypto/keys.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

}  // namespace

int runKeygenCommand(const Arguments& args, std::ostream& out, std::ostream& err) {
  args.allowOnly({"out"});
  const std::string prefix = args.require("out");
  auto pair = crypto::generateKeyPair();
  if (auto status = crypto::writeKeyFiles(prefix, pair); !status) {
    err << "liaison: " << status.error().message << "\n";
    return kExitFailure;
  }
  out << "wrote " << prefix << ".key (0600) and " << prefix << ".pub\n"
      << "key id " << pair.publicKey.id().hex() << "\n";
  return kExitOk;
}

}  // namespace liaison::cli
