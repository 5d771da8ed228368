#include "node/cli/tls_command.h"

#include <charconv>
#include <map>
#include <optional>

#include "node/net/tls_identity.h"
#include "schema/status.h"

namespace liaison::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A little over two years: long enough not to be a chore, short enough that a lost machine's
// identity does not linger. Peers trust the pin, so renewal means sharing a new pin.
constexpr int kDefaultValidDays = 825;

struct UsageError {
  std::string message;
};

// `--name value` options after the command; anything else is a usage error.
std::map<std::string, std::string> parseOptions(const std::vector<std::string>& args,
                                                std::initializer_list<std::string_view> allowed) {
  std::map<std::string, std::string> options;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() <= 2 || arg.rfind("--", 0) != 0) throw UsageError{"unexpected argument '" + arg + "'"};
    std::string key = arg.substr(2);
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) throw UsageError{"unknown option " + arg};
    if (i + 1 >= args.size()) throw UsageError{"option " + arg + " needs a value"};
    if (!options.emplace(key, args[++i]).second) throw UsageError{"option " + arg + " given twice"};
  }
  return options;
}

std::string requireOption(const std::map<std::string, std::string>& options, const std::string& key) {
  auto it = options.find(key);
  if (it == options.end() || it->second.empty()) throw UsageError{"missing --" + key};
  return it->second;
}

int parseDays(const std::string& text) {
  int days = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
  if (ec != std::errc() || end != text.data() + text.size() || days < 1 || days > net::kMaxValidDays) {
    throw UsageError{"--days must be a whole number from 1 to " + std::to_string(net::kMaxValidDays)};
  }
  return days;
}

int tlsCert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = parseOptions(args, {"out", "name", "days"});
  std::string prefix = requireOption(options, "out");
  std::string name = requireOption(options, "name");
  int days = options.count("days") ? parseDays(options.at("days")) : kDefaultValidDays;

  if (Status written = net::writeTlsIdentity(prefix, name, days); !written) {
    err << "liaison: " << written.error().message << "\n";
    return kExitFailure;
  }
  Result<std::string> pin = net::spkiPinOfCertificateFile(net::tlsCertificatePath(prefix));
  if (!pin) {
    err << "liaison: " << pin.error().message << "\n";
    return kExitFailure;
  }
  out << "wrote " << net::tlsCertificatePath(prefix).string() << " and " << net::tlsKeyPath(prefix).string()
      << " (0600), valid " << days << " days\n"
      << "pin " << *pin << "\n";
  return kExitOk;
}

int tlsPin(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2 || args[1].rfind("--", 0) == 0) throw UsageError{"usage: liaison tls-pin FILE.crt"};
  Result<std::string> pin = net::spkiPinOfCertificateFile(args[1]);
  if (!pin) {
    err << "liaison: " << pin.error().message << "\n";
    return kExitFailure;
  }
  out << *pin << "\n";
  return kExitOk;
}

}  // namespace

int runTlsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    if (!args.empty() && args[0] == "tls-cert") return tlsCert(args, out, err);
    if (!args.empty() && args[0] == "tls-pin") return tlsPin(args, out, err);
    throw UsageError{"expected tls-cert or tls-pin"};
  } catch (const UsageError& e) {
    err << "liaison: " << e.message << "\n\nusage:\n" << kTlsCommandUsage;
    return kExitUsage;
  }
}

}  // namespace liaison::cli
