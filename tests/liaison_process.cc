#include "tests/liaison_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "tests/wait.h"

extern char** environ;

namespace liaison::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A TOML basic string.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
std::string quoted(const std::filesystem::path& path) { return quoted(path.string()); }

int exitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Starts LIAISON_BINARY with `args`; the file actions say where its standard streams go.
pid_t spawnLiaison(const std::vector<std::string>& args, const posix_spawn_file_actions_t& actions) {
  std::vector<std::string> words{LIAISON_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (const int error = posix_spawn(&pid, LIAISON_BINARY, &actions, nullptr, argv.data(), environ); error != 0) {
    throw std::runtime_error(std::string("cannot start " LIAISON_BINARY ": ") + std::strerror(error));
  }
  return pid;
}

// Closes a pipe's descriptors when it goes out of scope.
struct Pipe {
  std::array<int, 2> fd{-1, -1};
  Pipe() {
    if (pipe2(fd.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
  void closeWriteEnd() {
    close(fd[1]);
    fd[1] = -1;
  }
};

}  // namespace

CommandResult runLiaison(const std::vector<std::string>& args, std::chrono::seconds limit) {
  Pipe out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
  const pid_t pid = spawnLiaison(args, actions);
  posix_spawn_file_actions_destroy(&actions);
  out.closeWriteEnd();
  err.closeWriteEnd();

  CommandResult result;
  const auto deadline = Clock::now() + limit;
  std::array<pollfd, 2> streams{pollfd{out.fd[0], POLLIN, 0}, pollfd{err.fd[0], POLLIN, 0}};
  std::array<std::string*, 2> into{&result.out, &result.err};
  bool killed = false;
  while (streams[0].fd >= 0 || streams[1].fd >= 0) {
    if (!killed && Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    if (poll(streams.data(), streams.size(), 100) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].fd < 0 || streams[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(streams[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        into[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        streams[i].fd = -1;  // end of output; the Pipe closes it
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitCode = exitCodeOf(status);
  return result;
}

std::filesystem::path writeNodeConfigFile(const node::NodeConfig& config, const std::filesystem::path& file) {
  std::ofstream out(file);
  out << "member = " << quoted(config.member) << "\n"
      << "listen = " << quoted(config.listenAddress + ":" + std::to_string(config.listenPort)) << "\n"
      << "signing_key = " << quoted(config.signingKey) << "\n"
      << "tls_certificate = " << quoted(config.tlsCertificate) << "\n"
      << "tls_key = " << quoted(config.tlsKey) << "\n"
      << "policy = " << quoted(config.policy) << "\n"
      << "metrics_listen = "
      << quoted(config.metricsEnabled ? config.metricsAddress + ":" + std::to_string(config.metricsPort) : "off")
      << "\n"
      << "database = " << quoted(config.database) << "\n"
      << "validity_window_seconds = " << config.validityWindow.count() << "\n"
      << "request_deadline_ms = " << config.requestDeadline.count() << "\n"
      << "worker_threads = " << config.workerThreads << "\n"
      << "tree_head_interval_ms = " << config.treeHeadInterval.count() << "\n"
      << "audit_batch_wait_us = " << config.auditBatchWait.count() << "\n";
  if (!config.stateDir.empty()) out << "state_dir = " << quoted(config.stateDir) << "\n";
  if (!config.directory.empty()) {
    out << "directory = " << quoted(config.directory) << "\ndirectory_anchors = [";
    for (size_t i = 0; i < config.directoryAnchors.size(); ++i) out << (i == 0 ? "" : ", ") << quoted(config.directoryAnchors[i]);
    out << "]\ndirectory_check_interval_ms = " << config.directoryCheckInterval.count() << "\n";
  }
  for (const auto& peer : config.peers) {
    out << "[[peer]]\nmember = " << quoted(peer.member) << "\nsigning_public_key = " << quoted(peer.signingPublicKey)
        << "\ntls_pin = " << quoted(peer.tlsPin) << "\nroles = [";
    for (size_t i = 0; i < peer.roles.size(); ++i) out << (i == 0 ? "" : ", ") << quoted(std::string(name(peer.roles[i])));
    out << "]\n";
    if (peer.purposes) {
      out << "purposes = [";
      for (size_t i = 0; i < peer.purposes->size(); ++i) out << (i == 0 ? "" : ", ") << quoted((*peer.purposes)[i]);
      out << "]\n";
    }
  }
  for (const auto& officer : config.officers) {
    out << "[[officer]]\npseudonym = " << quoted(officer.pseudonym) << "\npublic_key = " << quoted(officer.publicKey)
        << "\nrole = " << quoted(std::string(name(officer.role))) << "\npurposes = [";
    for (size_t i = 0; i < officer.purposes.size(); ++i) out << (i == 0 ? "" : ", ") << quoted(officer.purposes[i]);
    out << "]\n";
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  return file;
}

std::filesystem::path writeClientConfigFile(const client::ClientConfig& config, const std::filesystem::path& file) {
  std::ofstream out(file);
  out << "member = " << quoted(config.member) << "\n"
      << "pseudonym = " << quoted(config.pseudonym) << "\n"
      << "role = " << quoted(std::string(name(config.role))) << "\n"
      << "purpose = " << quoted(config.purpose) << "\n"
      << "signing_key = " << quoted(config.signingKey) << "\n"
      << "node_pin = " << quoted(config.nodePin) << "\n"
      << "node_public_key = " << quoted(config.nodePublicKey) << "\n";
  if (!config.legalBasis.empty()) out << "legal_basis = " << quoted(config.legalBasis) << "\n";
  if (config.tlsCertificate) out << "tls_certificate = " << quoted(*config.tlsCertificate) << "\n";
  if (config.tlsKey) out << "tls_key = " << quoted(*config.tlsKey) << "\n";
  if (!config.stateDir.empty()) out << "state_dir = " << quoted(config.stateDir) << "\n";
  if (!config.directory.empty()) {
    out << "directory = " << quoted(config.directory) << "\ndirectory_anchors = [";
    for (size_t i = 0; i < config.directoryAnchors.size(); ++i) out << (i == 0 ? "" : ", ") << quoted(config.directoryAnchors[i]);
    out << "]\n";
  }
  for (const auto& partner : config.partners) {
    out << "\n[[partner]]\nmember = " << quoted(partner.member) << "\nsigning_public_key = " << quoted(partner.signingPublicKey)
        << "\n";
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  return file;
}

NodeProcess::NodeProcess(const std::filesystem::path& configFile, std::filesystem::path logFile,
                         std::chrono::seconds limit)
    : logFile_(std::move(logFile)) {
  // Both streams go to files, so a node that logs a lot never blocks on a pipe nobody reads.
  const std::filesystem::path outFile = logFile_.string() + ".out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, logFile_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_ = spawnLiaison({"node", "--config", configFile.string()}, actions);
  posix_spawn_file_actions_destroy(&actions);

  // "liaison node XA-POLICE listening on 127.0.0.1:PORT"
  std::string announced;
  std::optional<int> exited;
  waitUntil(
      [&] {
        announced = readFile(outFile);
        if (announced.find('\n') != std::string::npos) return true;
        exited = waitForExit(std::chrono::milliseconds(0));
        return exited.has_value();
      },
      limit);
  const size_t colon = announced.rfind(':');
  if (exited || announced.find('\n') == std::string::npos || colon == std::string::npos) {
    if (!exited) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    throw std::runtime_error("liaison node did not announce its port " +
                             (exited ? "and exited with " + std::to_string(exitCodeOf(*exited)) : std::string()) +
                             "; its log:\n" + log());
  }
  port_ = static_cast<uint16_t>(std::stoi(announced.substr(colon + 1)));
}

NodeProcess::~NodeProcess() {
  if (exitStatus_) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string NodeProcess::log() const { return readFile(logFile_); }

void NodeProcess::signal(int signal) const {
  if (exitStatus_ || ::kill(pid_, signal) != 0) throw std::runtime_error("the node process is gone");
}

std::optional<int> NodeProcess::waitForExit(std::chrono::milliseconds limit) {
  int status = 0;
  if (!exitStatus_ && waitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, limit)) {
    exitStatus_ = status;
  }
  return exitStatus_;
}

}  // namespace liaison::testing
