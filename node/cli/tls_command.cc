// `liaison tls-cert` and `liaison tls-pin`: make a node's TLS identity and show the pin that peers
// configure to trust it.
#include <charconv>

#include "node/cli/commands.h"
#include "node/cli/exit_codes.h"
#include "node/net/tls_identity.h"

namespace liaison::cli {
namespace {

// A little over two years: long enough not to be a chore, short enough that a lost machine's
// identity does not linger. Peers trust the pin, so renewal means sharing a new pin.
constexpr int kDefaultValidDays = 825;

int parseDays(const std::string& text) {
  int days = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
  if (ec != std::errc() || end != text.data() + text.size() || days < 1 || days > net::kMaxValidDays) {
    throw UsageError{"--days must be a whole number from 1 to " + std::to_string(net::kMaxValidDays)};
  }
  return days;
}

int tlsCert(const Arguments& args, const CommandContext& context) {
  const std::string prefix = args.require("out");
  const std::string name = args.require("name");
  const int days = args.option("days") ? parseDays(*args.option("days")) : kDefaultValidDays;
  if (Status written = net::writeTlsIdentity(prefix, name, days); !written) {
    context.err << "liaison: " << written.error().message << "\n";
    return kExitFailure;
  }
  Result<std::string> pin = net::spkiPinOfCertificateFile(net::tlsCertificatePath(prefix));
  if (!pin) {
    context.err << "liaison: " << pin.error().message << "\n";
    return kExitFailure;
  }
  context.out << "wrote " << net::tlsCertificatePath(prefix).string() << " and " << net::tlsKeyPath(prefix).string()
              << " (0600), valid " << days << " days\n"
              << "pin " << *pin << "\n";
  return kExitOk;
}

int tlsPin(const Arguments& args, const CommandContext& context) {
  Result<std::string> pin = net::spkiPinOfCertificateFile(args.positional("FILE.crt"));
  if (!pin) {
    context.err << "liaison: " << pin.error().message << "\n";
    return kExitFailure;
  }
  context.out << *pin << "\n";
  return kExitOk;
}

}  // namespace

Command tlsCertCommand() {
  return Command{
      .name = "tls-cert",
      .summary = "write a self-signed Ed25519 TLS identity: NAME.crt and NAME.tlskey (mode 0600)",
      .details = "Prints the SPKI pin peers use to trust it. Never writes over an existing identity.\n"
                 "exit status: 0 written, 1 failed, 2 usage error\n",
      .options = {{"out", "DIR/NAME", "where to write: DIR/NAME.crt and DIR/NAME.tlskey", true},
                  {"name", "DNS-NAME", "the name the certificate is issued for", true},
                  {"days", "N",
                   "valid N days (default " + std::to_string(kDefaultValidDays) + ", at most " +
                       std::to_string(net::kMaxValidDays) + ")"}},
      .run = tlsCert,
      .loadsSecretKeys = true,
  };
}

Command tlsPinCommand() {
  return Command{
      .name = "tls-pin",
      .summary = "print the SPKI pin (sha256:...) of a certificate",
      .details = "exit status: 0 printed, 1 the file is not a readable PEM certificate, 2 usage error\n",
      .positionals = {{"FILE.crt", "the PEM certificate"}},
      .run = tlsPin,
  };
}

}  // namespace liaison::cli
