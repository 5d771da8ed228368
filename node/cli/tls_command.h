// The `liaison tls-cert` and `liaison tls-pin` commands: make a node's TLS identity and show the pin
// that peers configure to trust it.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace liaison::cli {

/// The two commands' lines for `liaison --help`.
inline constexpr std::string_view kTlsCommandUsage =
    "  tls-cert --out DIR/NAME --name DNS-NAME [--days N]\n"
    "                                 write a TLS identity: NAME.crt and NAME.tlskey (mode 0600),\n"
    "                                 self-signed for DNS-NAME, valid N days (default 825); prints\n"
    "                                 the SPKI pin peers use to trust it\n"
    "  tls-pin FILE.crt               print the SPKI pin of a certificate\n";

/// Runs `tls-cert` or `tls-pin`. `args` is everything after `liaison`, starting with the command.
/// Writes results to `out` and problems to `err`; returns 0, 1 (failed) or 2 (usage error).
int runTlsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace liaison::cli
