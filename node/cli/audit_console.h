// The auditor's console: `liaison audit console` serves a web page on the auditor's own machine
// (loopback only) that searches, reads, charts and checks the node's audit log. The auditor's key
// never reaches the browser: this process signs every request to the node's auditor API, as the
// other audit commands do, so every read is audited at the node as theirs are. The page is
// protected by a secret made at each start: the login address the console prints sets it as a
// cookie, and every other request without it is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "node/client/client_config.h"
#include "schema/status.h"

namespace liaison::cli {

/// Entries one export of a search writes at most (the node pages them; the console gathers them).
inline constexpr size_t kMaxConsoleExportEntries = 100'000;

struct AuditConsoleOptions {
  client::ClientConfig config;  ///< an auditor's client configuration (role auditor)
  std::string nodeUrl;          ///< https://HOST:PORT
  std::string listenAddress = "127.0.0.1";  ///< a loopback address: 127.0.0.1 (or 127.x.y.z) or ::1
  uint16_t port = 8090;                     ///< 0 picks a free port
  /// Further folders of the node's signed heads, e.g. partners' (as `audit verify --heads`).
  std::vector<std::filesystem::path> headFolders;
};

class AuditConsole {
 public:
  /// Starts serving. Refuses a configuration whose role is not auditor, a listen address that is
  /// not loopback, and a port in use, each with a message naming what was wrong.
  static Result<std::unique_ptr<AuditConsole>> start(AuditConsoleOptions options);
  ~AuditConsole();
  AuditConsole(const AuditConsole&) = delete;
  AuditConsole& operator=(const AuditConsole&) = delete;

  /// The address to open once, `http://127.0.0.1:PORT/login?key=SECRET`: it sets the secret as a
  /// cookie and goes on to the page. Print it to the auditor only.
  std::string loginUrl() const;
  /// `http://ADDRESS:PORT`, without the secret.
  std::string origin() const;
  uint16_t port() const;

  /// Stops serving, waits for requests and a verification in progress. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit AuditConsole(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Parses `--listen`: `ADDRESS:PORT` or `[IPV6]:PORT` (or a port alone, on 127.0.0.1), the address
/// loopback. ErrorKind::invalidInput naming the value otherwise.
Status parseConsoleListen(const std::string& text, AuditConsoleOptions& options);

}  // namespace liaison::cli
