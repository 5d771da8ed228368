// The real `liaison` binary (LIAISON_BINARY) as a child process: commands run to their exit code,
// and `liaison node` kept running so that tests can signal it, kill it or wait for its exit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "node/client/client_config.h"
#include "node/config.h"

namespace liaison::testing {

/// What a finished command left behind.
struct CommandResult {
  int exitCode = -1;  ///< the exit code, or 128 + the signal that ended it
  std::string out;
  std::string err;
};

/// Runs `liaison ARGS...` with stdin from /dev/null and waits for it at most `limit`; a command
/// still running then is killed (exit code 128 + SIGKILL). Throws when it cannot be started.
CommandResult runLiaison(const std::vector<std::string>& args, std::chrono::seconds limit = std::chrono::seconds(120));

/// Writes `config` as the TOML file that `liaison node --config FILE` reads, and returns `file`.
std::filesystem::path writeNodeConfigFile(const node::NodeConfig& config, const std::filesystem::path& file);

/// Writes `config` as the TOML file that `liaison query --as FILE` reads, and returns `file`.
std::filesystem::path writeClientConfigFile(const client::ClientConfig& config, const std::filesystem::path& file);

/// A running `liaison node --config FILE`: its JSON log lines (stderr) go to `logFile`. The
/// destructor kills a node still running, so no test leaves one behind.
class NodeProcess {
 public:
  /// Starts the node and waits (at most `limit`) for the line on stdout that names its port.
  /// Throws, with the node's log, when it exits or says nothing in time.
  NodeProcess(const std::filesystem::path& configFile, std::filesystem::path logFile,
              std::chrono::seconds limit = std::chrono::seconds(60));
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  /// Everything the node has logged so far.
  std::string log() const;
  /// Sends `signal` to the node.
  void signal(int signal) const;
  /// Waits at most `limit` for the node to exit and returns its wait status (see waitpid), or
  /// nothing if it is still running.
  std::optional<int> waitForExit(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
  std::optional<int> exitStatus_;  // once reaped
  uint16_t port_ = 0;
  std::filesystem::path logFile_;
};

}  // namespace liaison::testing
